//! Applying live events to the page's copy of a draft. Patches are idempotent: a view may
//! already include an event that is replayed to it (the view is read in several statements
//! while writes go on), and applying it again changes nothing.

use std::sync::Arc;

use super::types::DraftEvent;
use crate::drafts::count::contributed_characters as characters;
use crate::drafts::types::{DraftView, Segment};

/// What the page must do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The view is up to date.
    Patched,
    /// The change reaches too far (people, roles, status): fetch the draft again.
    Reload,
}

/// Adjusts an author's contribution counts.
fn credit(view: &mut DraftView, author_id: &str, segments: i64, chars: i64) {
    if let Some(c) = view
        .collaborators
        .iter_mut()
        .find(|c| c.user.id == author_id)
    {
        c.segments += segments;
        c.characters += chars;
    }
}

pub fn apply(view: &mut DraftView, seq: i64, event: &DraftEvent) -> Applied {
    let applied = match event {
        DraftEvent::SegmentAppended { segment } => {
            if !view.segments.iter().any(|s| s.id == segment.id) {
                credit(view, &segment.author.id, 1, characters(&segment.content));
                let segments = Arc::make_mut(&mut view.segments);
                segments.push(segment.clone());
                segments.sort_by_key(|s| s.position);
            }
            Applied::Patched
        }
        DraftEvent::SegmentEdited { segment } => {
            let before = view
                .segments
                .iter()
                .find(|s| s.id == segment.id)
                .map(|s| characters(&s.content));
            if let Some(before) = before {
                credit(
                    view,
                    &segment.author.id,
                    0,
                    characters(&segment.content) - before,
                );
            }
            replace(Arc::make_mut(&mut view.segments).as_mut_slice(), segment);
            Applied::Patched
        }
        DraftEvent::SegmentDeleted { segment_id, .. } => {
            if let Some(index) = view.segments.iter().position(|s| &s.id == segment_id) {
                let segments = Arc::make_mut(&mut view.segments);
                let gone = segments.remove(index);
                for later in segments.iter_mut().filter(|s| s.position > gone.position) {
                    later.position -= 1;
                }
                credit(view, &gone.author.id, -1, -characters(&gone.content));
            }
            Applied::Patched
        }
        DraftEvent::RingMoved { pass } => {
            if !view.ring_history.contains(pass) {
                let history = Arc::make_mut(&mut view.ring_history);
                history.insert(0, pass.clone());
                history.sort_by_key(|p| std::cmp::Reverse(p.at_ms));
            }
            if view.ring_history.first() == Some(pass) {
                view.ring_holder = pass.to.clone();
            }
            Applied::Patched
        }
        DraftEvent::CollaboratorAdded { .. }
        | DraftEvent::CollaboratorRemoved { .. }
        | DraftEvent::RoleChanged { .. }
        | DraftEvent::StatusChanged { .. } => return Applied::Reload,
    };
    // Only what the view now reflects counts: after a reload event it reflects nothing new.
    view.event_seq = view.event_seq.max(seq);
    applied
}

fn replace(segments: &mut [Segment], segment: &Segment) {
    if let Some(slot) = segments.iter_mut().find(|s| s.id == segment.id) {
        *slot = segment.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::PublicUser;
    use crate::drafts::model::Platform;
    use crate::drafts::types::{Collaborator, DraftStatus, PassKind, RingPass, Role};

    fn user(handle: &str) -> PublicUser {
        PublicUser {
            id: format!("id-{handle}"),
            handle: handle.into(),
            display_id: format!("@u_{handle}"),
        }
    }

    fn segment(id: &str, position: i64, author: &str, content: &str) -> Segment {
        Segment {
            id: id.into(),
            position,
            content: content.into(),
            author: user(author),
            created_at_ms: 1,
            edited_at_ms: None,
        }
    }

    fn view() -> DraftView {
        DraftView {
            id: "d".into(),
            title: "T".into(),
            subtitle: None,
            platform: Platform::X,
            status: DraftStatus::Draft,
            owner: user("ada"),
            ring_holder: user("ada"),
            my_role: Role::Editor,
            me: user("bob"),
            segments: vec![segment("s1", 1, "ada", "hello")].into(),
            collaborators: vec![
                Collaborator {
                    user: user("ada"),
                    role: Role::Owner,
                    segments: 1,
                    characters: 5,
                },
                Collaborator {
                    user: user("bob"),
                    role: Role::Editor,
                    segments: 0,
                    characters: 0,
                },
            ],
            ring_history: Default::default(),
            show_joined_banner: false,
            event_seq: 3,
            created_at_ms: 1,
            updated_at_ms: 1,
        }
    }

    #[test]
    fn appends_and_passes_patch_the_view_once_however_often_replayed() {
        let mut v = view();
        let appended = DraftEvent::SegmentAppended {
            segment: segment("s2", 2, "ada", "world!"),
        };
        let pass = RingPass {
            from: user("ada"),
            to: user("bob"),
            kind: PassKind::Pass,
            after_position: 2,
            at_ms: 9,
        };
        let moved = DraftEvent::RingMoved { pass };
        for _ in 0..2 {
            assert_eq!(apply(&mut v, 4, &appended), Applied::Patched);
            assert_eq!(apply(&mut v, 5, &moved), Applied::Patched);
        }
        assert_eq!(v.segments.len(), 2);
        assert_eq!(v.collaborators[0].segments, 2);
        assert_eq!(v.collaborators[0].characters, 11);
        assert!(v.i_hold_ring(), "the ring arrived: it's bob's turn");
        assert_eq!(v.ring_history.len(), 1);
        assert_eq!(v.event_seq, 5);
    }

    #[test]
    fn edits_and_deletes_keep_counts_and_positions_right() {
        let mut v = view();
        apply(
            &mut v,
            4,
            &DraftEvent::SegmentAppended {
                segment: segment("s2", 2, "bob", "abc"),
            },
        );
        apply(
            &mut v,
            5,
            &DraftEvent::SegmentAppended {
                segment: segment("s3", 3, "ada", "z"),
            },
        );
        apply(
            &mut v,
            6,
            &DraftEvent::SegmentEdited {
                segment: segment("s2", 2, "bob", "abcdef"),
            },
        );
        assert_eq!(v.collaborators[1].characters, 6);
        for _ in 0..2 {
            apply(
                &mut v,
                7,
                &DraftEvent::SegmentDeleted {
                    segment_id: "s2".into(),
                    by: user("bob"),
                },
            );
        }
        assert_eq!(v.collaborators[1].segments, 0);
        assert_eq!(v.collaborators[1].characters, 0);
        let positions: Vec<_> = v
            .segments
            .iter()
            .map(|s| (s.id.as_str(), s.position))
            .collect();
        assert_eq!(positions, [("s1", 1), ("s3", 2)]);
    }

    #[test]
    fn changes_to_people_and_status_ask_for_a_reload_without_claiming_them() {
        let mut v = view();
        let event = DraftEvent::StatusChanged {
            status: DraftStatus::Archived,
        };
        assert_eq!(apply(&mut v, 4, &event), Applied::Reload);
        assert_eq!(v.event_seq, 3, "the view does not reflect event 4 yet");
    }

    #[test]
    fn an_older_pass_replayed_late_changes_neither_holder_nor_history() {
        let mut v = view();
        let pass = |to: &str, at_ms| RingPass {
            from: user("ada"),
            to: user(to),
            kind: PassKind::Pass,
            after_position: 1,
            at_ms,
        };
        apply(
            &mut v,
            4,
            &DraftEvent::RingMoved {
                pass: pass("bob", 10),
            },
        );
        apply(
            &mut v,
            5,
            &DraftEvent::RingMoved {
                pass: pass("cyd", 20),
            },
        );
        apply(
            &mut v,
            4,
            &DraftEvent::RingMoved {
                pass: pass("bob", 10),
            },
        );
        assert_eq!(v.ring_holder.handle, "cyd");
        assert_eq!(v.ring_history.len(), 2);
    }
}
