//! The gate of a page only signed-in people see.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use super::use_auth;
use crate::ui::nav::sign_in_then;
use crate::ui::LoadError;

/// `children` for a signed-in visitor; anyone else is sent to sign in, and comes back to
/// this very address (its query included) afterwards. `loading` shows while it is decided.
#[component]
pub fn SignedIn(loading: &'static str, children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=move || view! { <p class="mx-auto max-w-5xl px-4 py-10 text-stone-600">{loading}</p> }>
            {move || Suspend::new(async move {
                match auth.me.await {
                    Ok(Some(_)) => children.with_value(|children| children()).into_any(),
                    Ok(None) => {
                        let query = location.search.get_untracked();
                        let query = query.trim_start_matches('?');
                        let here = if query.is_empty() {
                            location.pathname.get_untracked()
                        } else {
                            format!("{}?{query}", location.pathname.get_untracked())
                        };
                        view! { <Redirect path=sign_in_then(&here)/> }.into_any()
                    }
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
