//! How live news moves between app servers. On SQLite (one server) it is handed straight
//! to this server's hub; on PostgreSQL it goes out with `NOTIFY onering_live` and comes back
//! to every server, this one included, through one `LISTEN` connection each.
//!
//! Notices are small: a stored event is announced by its draft only (each server then reads
//! what it has not broadcast yet from `draft_events`), so a notice never nears PostgreSQL's
//! 8,000-byte payload limit, whatever the segment's size.

use serde::{Deserialize, Serialize};

use crate::auth::model::PublicUser;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k")]
pub enum Notice {
    /// The draft has new stored events.
    #[serde(rename = "e")]
    Event { draft: String },
    /// `user` opened (`here`) or closed the draft on app server `server`; repeated as a
    /// heartbeat while open.
    #[serde(rename = "p")]
    Presence {
        draft: String,
        user: PublicUser,
        server: String,
        here: bool,
    },
    /// `user` is typing on the draft.
    #[serde(rename = "t")]
    Typing { draft: String, user: PublicUser },
}

/// The notice for a draft's new events, as sent from inside the writing transaction.
pub fn event_notice(draft_id: &str) -> String {
    serde_json::to_string(&Notice::Event {
        draft: draft_id.to_owned(),
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_small_and_round_trip() {
        let notice = event_notice("0b7c6d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e");
        assert_eq!(
            notice,
            r#"{"k":"e","draft":"0b7c6d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"}"#
        );
        let back: Notice = serde_json::from_str(&notice).unwrap_or(Notice::Event {
            draft: String::new(),
        });
        assert_eq!(
            back,
            Notice::Event {
                draft: "0b7c6d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e".into()
            }
        );
    }
}
