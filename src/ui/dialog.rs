//! A modal dialog: a backdrop, a titled panel with a Close button, Escape to close; the
//! heading takes the focus when it opens (the opener gives it back when it closes).

use leptos::html;
use leptos::prelude::*;

use super::style::QUIET_BUTTON;

#[component]
pub fn Dialog(
    /// The dialog's element id (its title is `<id>-title`, its Close button `close-<id>`).
    id: &'static str,
    title: &'static str,
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <div
            class="fixed inset-0 z-30 flex items-start justify-center overflow-y-auto bg-black/40 p-3 sm:items-center sm:p-6"
            role="dialog"
            aria-modal="true"
            aria-labelledby=labelled_by
            id=id
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }
        >
            <div class="w-full max-w-2xl rounded-2xl bg-white p-4 shadow-xl sm:p-6">
                <div class="flex items-start justify-between gap-3">
                    <h2 id=title_id node_ref=heading tabindex="-1" class="text-xl font-bold">{title}</h2>
                    <button type="button" class=QUIET_BUTTON on:click=move |_| on_close.run(()) id=format!("close-{id}")>"Close"</button>
                </div>
                {children()}
            </div>
        </div>
    }
}

/// The state of a button that opens a dialog: whether it is open, and a close that gives
/// the focus back to the button.
pub fn dialog_opener() -> (RwSignal<bool>, NodeRef<html::Button>, Callback<()>) {
    let open = RwSignal::new(false);
    let opener = NodeRef::<html::Button>::new();
    let close = Callback::new(move |()| {
        open.set(false);
        if let Some(button) = opener.get() {
            let _ = button.focus();
        }
    });
    (open, opener, close)
}
