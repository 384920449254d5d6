//! What every admin page shares: the frame with its navigation (kept out of search engines),
//! the answers for people who may not be here, and the pieces of every admin form.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::error::AppError;
use crate::ui::form::FormAlert;
use crate::ui::LoadError;

pub const SECTIONS: [(&str, &str); 5] = [
    ("/admin", "Overview"),
    ("/admin/users", "People"),
    ("/admin/billing", "Billing events"),
    ("/admin/reconcile", "Reconcile"),
    ("/admin/audit", "Audit log"),
];

pub const INPUT: &str =
    "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base";
pub const PRIMARY: &str = "rounded-lg bg-ring-700 px-4 py-2 font-semibold text-white hover:bg-ring-800 disabled:opacity-60";
pub const LABEL: &str = "block text-sm font-medium text-stone-800";

/// The admin frame: a title, the sections, and the page.
#[component]
pub fn AdminShell(title: &'static str, children: Children) -> impl IntoView {
    let location = use_location();
    let current = move |href: &str| {
        let path = location.pathname.get();
        if href == "/admin" {
            path == "/admin"
        } else {
            path.starts_with(href)
        }
    };
    view! {
        <Title text=format!("{title} · Admin · OneRing")/>
        <Meta name="robots" content="noindex, nofollow"/>
        <div class="mx-auto w-full max-w-6xl px-4 py-8">
            <p class="text-sm font-semibold uppercase tracking-wide text-ring-800">"Admin"</p>
            <nav aria-label="Admin sections" class="mt-2 flex flex-wrap gap-1 border-b border-stone-200 pb-2">
                {SECTIONS.into_iter().map(|(href, label)| view! {
                    <A href=href attr:class=move || if current(href) {
                        "tap rounded-lg bg-stone-900 px-3 py-2 text-sm font-semibold text-white"
                    } else {
                        "tap rounded-lg px-3 py-2 text-sm font-medium text-stone-700 hover:bg-stone-100"
                    }>{label}</A>
                }).collect_view()}
            </nav>
            <h1 class="mt-6 text-2xl font-bold tracking-tight">{title}</h1>
            {children()}
        </div>
    }
}

/// What someone who may not see admin pages gets instead, with the status that says so:
/// 401 (sign in as an admin) or 403 (signed in, not an admin).
#[component]
pub fn AdminError(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthorized { .. } | AppError::Forbidden => {
            let signed_out = matches!(error, AppError::Unauthorized { .. });
            #[cfg(feature = "ssr")]
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(if signed_out {
                    http::StatusCode::UNAUTHORIZED
                } else {
                    http::StatusCode::FORBIDDEN
                });
            }
            view! {
                <div class="mx-auto max-w-xl py-12 text-center" id="admin-denied">
                    <h2 class="text-xl font-bold">"This page is for OneRing's admins"</h2>
                    <p class="mt-3 text-stone-700">
                        {if signed_out {
                            "Sign in with an admin account, or through your organisation's sign-in, to continue."
                        } else {
                            "Your account can't open admin pages. If you think it should, ask an admin."
                        }}
                    </p>
                    {signed_out.then(|| view! {
                        <A href="/signin?next=/admin" attr:class=format!("tap {PRIMARY} mt-6")>"Sign in"</A>
                    })}
                </div>
            }
            .into_any()
        }
        AppError::NotFound => view! { <crate::ui::NotFound/> }.into_any(),
        other => view! { <LoadError error=other/> }.into_any(),
    }
}

/// The reason every admin change asks for (the audit log keeps it).
#[component]
pub fn ReasonField(#[prop(into)] id: String) -> impl IntoView {
    view! {
        <div>
            <label for=id.clone() class=LABEL>"Reason (kept in the audit log)"</label>
            <input id=id name="reason" required=true maxlength="200" autocomplete="off" class=INPUT/>
        </div>
    }
}

/// What an admin change answered: its sentence, or its error.
#[component]
pub fn Outcome(#[prop(into)] result: Signal<Option<Result<String, AppError>>>) -> impl IntoView {
    let done = move || result.get().and_then(Result::ok);
    let failed = Signal::derive(move || result.get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        {move || done().map(|message| view! {
            <p class="rounded-lg border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" role="status">{message}</p>
        })}
        <FormAlert message=failed/>
    }
}

/// Previous/next links for a paged list; `href` makes a page's address.
#[component]
pub fn Pager(page: u32, has_more: bool, href: Callback<u32, String>) -> impl IntoView {
    view! {
        <nav class="mt-4 flex justify-between text-sm" aria-label="Pages">
            {(page > 0).then(|| view! { <a href=href.run(page - 1) class="inline-flex min-h-11 items-center font-medium text-ring-800">"← Newer"</a> })}
            <span></span>
            {has_more.then(|| view! { <a href=href.run(page + 1) class="inline-flex min-h-11 items-center font-medium text-ring-800">"Older →"</a> })}
        </nav>
    }
}

/// A query string of the non-empty `pairs` (encoded), with `page` when it is not the first.
pub fn query(pairs: &[(&str, String)], page: u32) -> String {
    let mut parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::ui::nav::encode_query_value(v)))
        .collect();
    if page > 0 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::query;

    #[test]
    fn queries_leave_out_empty_filters_and_encode_the_rest() {
        assert_eq!(query(&[("q", String::new())], 0), "");
        assert_eq!(
            query(&[("q", "a&b".into()), ("status", String::new())], 2),
            "?q=a%26b&page=2"
        );
    }
}
