//! The draft page's copy of a draft, kept current by live events and by reloads, without
//! ever going backwards.
//!
//! Events patch the copy where they can (`live::apply`). People and status changes, a
//! `reset` and the page's own actions reload it instead. A reload answers with the draft as
//! it was when read; events that arrived while it was in flight are kept and re-applied on
//! top, so neither the reload nor the events are lost.

use leptos::prelude::*;

use super::api::get_draft;
use super::types::DraftView;
use crate::error::AppError;
use crate::live::apply::apply;
use crate::live::types::DraftEvent;

/// Recent events kept for re-applying after a reload (a reload takes milliseconds; a burst
/// longer than this reloads again anyway).
#[cfg(feature = "hydrate")]
const KEEP_EVENTS: usize = 256;

#[derive(Clone, Copy)]
pub(super) struct LiveCopy {
    pub(super) view: RwSignal<DraftView>,
    /// Set when the reader may no longer see the draft (removed, signed out).
    pub(super) gone: RwSignal<bool>,
    recent: StoredValue<Vec<(i64, DraftEvent)>>,
}

impl LiveCopy {
    pub(super) fn new(initial: DraftView) -> Self {
        Self {
            view: RwSignal::new(initial),
            gone: RwSignal::new(false),
            recent: StoredValue::new(Vec::new()),
        }
    }

    /// Applies event `seq`; reloads when the event reaches too far for a patch.
    #[cfg(feature = "hydrate")]
    pub(super) fn receive(self, seq: i64, event: DraftEvent) {
        let mut outcome = crate::live::apply::Applied::Patched;
        self.view.update(|v| outcome = apply(v, seq, &event));
        self.recent.update_value(|recent| {
            if recent.len() == KEEP_EVENTS {
                recent.remove(0);
            }
            recent.push((seq, event));
        });
        if outcome == crate::live::apply::Applied::Reload {
            self.reload();
        }
    }

    /// Fetches the draft again and re-applies the events newer than what it reflects.
    pub(super) fn reload(self) {
        let id = self.view.with_untracked(|v| v.id.clone());
        leptos::task::spawn_local(async move {
            match get_draft(id).await {
                Ok(mut fresh) => {
                    let reflected = fresh.event_seq;
                    self.recent.with_value(|recent| {
                        for (seq, event) in recent.iter().filter(|(s, _)| *s > reflected) {
                            // A newer reload event has started its own reload.
                            let _ = apply(&mut fresh, *seq, event);
                        }
                    });
                    self.view.set(fresh);
                }
                Err(AppError::NotFound | AppError::Unauthorized { .. }) => self.gone.set(true),
                // Offline or a hiccup: the next event or reconnect tries again.
                Err(_) => {}
            }
        });
    }
}
