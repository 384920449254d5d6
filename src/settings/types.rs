//! A person's settings as they see them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Whether they appear on the community's leaderboards (default yes).
    pub show_on_leaderboards: bool,
    /// Their time zone, an IANA name (default `UTC`): their days, streaks and daily
    /// challenge follow it.
    pub time_zone: String,
    /// Whether their profile page is hidden (then it answers like an unknown handle).
    pub profile_private: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            show_on_leaderboards: true,
            time_zone: "UTC".to_owned(),
            profile_private: false,
        }
    }
}
