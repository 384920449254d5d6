//! `/admin/users`: find people by handle or email (`?q=`), newest first.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::shell::{query, AdminError, AdminShell, Pager, INPUT, LABEL};
use crate::admin::api::admin_users;
use crate::ui::format::utc_datetime;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let params = use_query_map();
    let search = Memo::new(move |_| {
        params.with(|p| {
            (
                p.get("q").unwrap_or_default(),
                p.get("page")
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(0),
            )
        })
    });
    let users = Resource::new(
        move || search.get(),
        |(q, page)| admin_users(Some(q), Some(page)),
    );
    view! {
        <AdminShell title="People">
            <form method="get" action="/admin/users" class="mt-4 flex flex-col gap-2 sm:flex-row sm:items-end" role="search">
                <div class="flex-1">
                    <label for="user-query" class=LABEL>"Handle or email"</label>
                    <input id="user-query" name="q" type="search" class=INPUT value=move || search.get().0/>
                </div>
                <button type="submit" class="min-h-11 rounded-lg border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-50">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(found) => {
                            let (q, page) = search.get_untracked();
                            let href = Callback::new(move |page| format!("/admin/users{}", query(&[("q", q.clone())], page)));
                            view! {
                                <ul class="mt-6 divide-y divide-stone-200 rounded-2xl border border-stone-200 bg-white" id="user-results">
                                    {found.rows.into_iter().map(|u| view! {
                                        <li class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 p-4">
                                            <div class="min-w-0">
                                                <a href=format!("/admin/users/{}", u.id) class="font-semibold text-ring-800 underline">"@" {u.handle.clone()}</a>
                                                {u.is_admin.then(|| view! { <span class="ml-2 rounded-full bg-stone-900 px-2 py-0.5 text-xs font-semibold text-white">"admin"</span> })}
                                                <p class="break-all text-sm text-stone-700">{u.email.clone()}</p>
                                            </div>
                                            <p class="text-sm text-stone-700">{u.plan.clone()} " · joined " {utc_datetime(u.created_at_ms)}</p>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <Pager page has_more=found.has_more href/>
                            }.into_any()
                        }
                        Err(error) => view! { <AdminError error/> }.into_any(),
                    }
                })}
            </Transition>
        </AdminShell>
    }
}
