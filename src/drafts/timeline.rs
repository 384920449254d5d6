//! The thread on the draft page. The list is one string of markup, set as the list's inner
//! HTML: a long thread costs the server a few microseconds a segment instead of a component
//! each (a 200-segment page spent most of its time building segment components), and
//! hydration adopts the server's markup as it is. My own segments carry Edit and Delete
//! buttons, handled by one listener on the list; the segment being edited opens in a form
//! under it. The list's look is in `style/main.css` (`.seg…`): short class names keep a
//! long thread's page to its text.

use leptos::prelude::*;

use super::api::{DeleteSegment, EditSegment};
use super::draft_page::Actions;
use super::types::{DraftStatus, DraftView, Segment};
use crate::ui::browser::{clicked_button, focus_by_id, new_idempotency_key};
use crate::ui::form::{action_error, FormAlert};
use crate::ui::format::{push_escaped, utc_datetime};
use crate::ui::style::{CARD, QUIET_BUTTON};

/// The segments as list items; those written by `editable_by` (the person holding the
/// ring, while the draft is not archived) with their Edit and Delete buttons.
pub(super) fn timeline_html(segments: &[Segment], editable_by: Option<&str>) -> String {
    let mut html = String::with_capacity(segments.iter().map(|s| s.content.len() + 360).sum());
    for segment in segments {
        let position = segment.position;
        html.push_str(&format!(
            r#"<li class="seg" data-position="{position}"><p class="seg-meta"><b>{position}</b> · @<span class="segment-author">"#
        ));
        push_escaped(&mut html, &segment.author.handle);
        html.push_str("</span> · ");
        html.push_str(&utc_datetime(segment.created_at_ms));
        if segment.edited_at_ms.is_some() {
            html.push_str(" · edited");
        }
        html.push_str(r#"</p><p class="segment-content">"#);
        push_escaped(&mut html, &segment.content);
        html.push_str("</p>");
        if editable_by == Some(segment.author.id.as_str()) {
            // Buttons name the segment by position (the markup and the view it is read
            // from change together), which keeps a long thread's page short.
            html.push_str(&format!(
                r#"<div class="seg-tools"><button type="button" data-edit="{position}">Edit<span class="sr-only"> segment {position}</span></button><button type="button" data-delete="{position}">Delete<span class="sr-only"> segment {position}</span></button></div>"#
            ));
        }
        html.push_str("</li>");
    }
    html
}

/// Whose segments may be changed on this page: mine, while I hold the ring and the draft
/// is not archived.
fn editable_by(view: &DraftView) -> Option<&str> {
    (view.i_hold_ring() && view.status != DraftStatus::Archived).then_some(view.me.id.as_str())
}

/// The segment open for editing.
#[derive(Clone, PartialEq)]
struct Editing {
    segment_id: String,
    position: i64,
}

#[component]
pub(super) fn Timeline(view: RwSignal<DraftView>, actions: Actions) -> impl IntoView {
    let editing = RwSignal::new(None::<Editing>);
    let text = RwSignal::new(String::new());
    let (edit_error, delete_error) = (
        action_error(actions.edit.value()),
        action_error(actions.delete.value()),
    );
    let error = Signal::derive(move || edit_error.get().or_else(|| delete_error.get()));
    let draft_id = move || view.with_untracked(|v| v.id.clone());
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((action, position)) = clicked_button(&ev, &["data-edit", "data-delete"]) else {
            return;
        };
        let Ok(position) = position.parse::<i64>() else {
            return;
        };
        let found = view.with_untracked(|v| {
            v.segments
                .iter()
                .find(|s| s.position == position)
                .map(|s| (s.id.clone(), s.content.clone()))
        });
        let Some((segment_id, content)) = found else {
            return;
        };
        if action == "data-delete" {
            actions.delete.dispatch(DeleteSegment {
                draft_id: draft_id(),
                segment_id,
                idempotency_key: new_idempotency_key(),
            });
        } else {
            text.set(content);
            editing.set(Some(Editing {
                segment_id,
                position,
            }));
            focus_by_id("edit-segment");
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(open) = editing.get_untracked() {
            actions.edit.dispatch(EditSegment {
                draft_id: draft_id(),
                segment_id: open.segment_id,
                content: text.get_untracked(),
                idempotency_key: new_idempotency_key(),
            });
        }
        editing.set(None);
    };
    // A segment that is no longer mine to change (the ring moved, it was deleted) closes
    // its form.
    Effect::new(move |_| {
        let still_mine = view.with(|v| {
            editing.with_untracked(|open| {
                open.as_ref().is_none_or(|open| {
                    editable_by(v).is_some_and(|me| {
                        v.segments
                            .iter()
                            .any(|s| s.id == open.segment_id && s.author.id == me)
                    })
                })
            })
        });
        if !still_mine {
            editing.set(None);
        }
    });
    view! {
        <section class=CARD aria-labelledby="timeline-heading">
            <h2 id="timeline-heading" class="text-lg font-semibold">"Thread"</h2>
            <ol
                class="mt-4 space-y-4"
                id="timeline"
                on:click=on_click
                inner_html=move || view.with(|v| timeline_html(&v.segments, editable_by(v)))
            ></ol>
            <Show when=move || editing.with(Option::is_some)>
                <form class="mt-4 rounded-xl border border-ring-200 bg-ring-50/40 p-3" on:submit=save>
                    <label class="text-sm font-medium" for="edit-segment">
                        {move || editing.with(|e| e.as_ref().map(|e| format!("Edit segment {}", e.position)))}
                    </label>
                    <textarea id="edit-segment" rows="4" class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2" bind:value=text></textarea>
                    <div class="mt-2 flex gap-2">
                        <button type="submit" class=QUIET_BUTTON>"Save"</button>
                        <button type="button" class="px-2 text-sm text-stone-600" on:click=move |_| editing.set(None)>"Cancel"</button>
                    </div>
                </form>
            </Show>
            <FormAlert message=error/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::PublicUser;

    fn segment(position: i64, author: &str, content: &str) -> Segment {
        Segment {
            id: format!("s{position}"),
            position,
            content: content.to_owned(),
            author: PublicUser {
                id: author.to_owned(),
                handle: format!("{author}_handle"),
                display_id: String::new(),
            },
            created_at_ms: 1_795_633_380_000,
            edited_at_ms: (position == 2).then_some(1_795_633_390_000),
        }
    }

    #[test]
    fn segments_are_escaped_list_items_with_buttons_only_on_mine() {
        let segments = [
            segment(1, "ann", "<script>alert('x')</script> & more"),
            segment(2, "bo", "Second"),
        ];
        let html = timeline_html(&segments, Some("ann"));
        assert_eq!(html.matches("<li ").count(), 2);
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</p>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains(r#"data-position="2""#));
        assert!(html.contains(
            "@<span class=\"segment-author\">bo_handle</span> · 2026-11-25 19:03 UTC · edited</p>"
        ));
        assert_eq!(html.matches(r#"data-edit="1""#).count(), 1);
        assert_eq!(html.matches("data-edit=").count(), 1, "only my segment");
        assert_eq!(html.matches("data-delete=").count(), 1);
        assert!(!timeline_html(&segments, None).contains("<button"));
    }
}
