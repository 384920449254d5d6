//! A person's settings as they see them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Whether they appear on the community's leaderboards (default yes).
    pub show_on_leaderboards: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            show_on_leaderboards: true,
        }
    }
}
