//! `/admin/users/:id`: one person's plan, usage, overrides, grace and sessions, and the
//! support actions on them. Every action is a form that works before and without
//! JavaScript, asks for a reason, and lands in the audit log.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::shell::{AdminError, AdminShell, Outcome, ReasonField, INPUT, LABEL, PRIMARY};
use crate::admin::api::{
    admin_user, AdminChangePlan, AdminClearOverride, AdminEndSessions, AdminResetGrace,
    AdminSetOverride,
};
use crate::admin::types::{Done, UserDetail};
use crate::error::AppError;
use crate::plans::types::{describe, Entitlement};
use crate::ui::form::IdempotencyKey;
use crate::ui::format::utc_datetime;
use crate::ui::style::CARD;

/// The page's actions; the person reloads after any of them.
#[derive(Clone, Copy)]
struct Actions {
    plan: ServerAction<AdminChangePlan>,
    set_override: ServerAction<AdminSetOverride>,
    clear_override: ServerAction<AdminClearOverride>,
    grace: ServerAction<AdminResetGrace>,
    sessions: ServerAction<AdminEndSessions>,
}

impl Actions {
    fn version(&self) -> usize {
        self.plan.version().get()
            + self.set_override.version().get()
            + self.clear_override.version().get()
            + self.grace.version().get()
            + self.sessions.version().get()
    }
}

/// An action's latest answer as a sentence or an error.
fn outcome<A>(action: ServerAction<A>) -> Signal<Option<Result<String, AppError>>>
where
    A: leptos::server_fn::ServerFn<Output = Done, Error = AppError> + Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .map(|result| result.map(|done| done.message))
    })
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let actions = Actions {
        plan: ServerAction::new(),
        set_override: ServerAction::new(),
        clear_override: ServerAction::new(),
        grace: ServerAction::new(),
        sessions: ServerAction::new(),
    };
    let detail = Resource::new(
        move || (user_id.get(), actions.version()),
        |(id, _)| admin_user(id),
    );
    view! {
        <AdminShell title="Person">
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! { <Person detail actions/> }.into_any(),
                        Err(error) => view! { <AdminError error/> }.into_any(),
                    }
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn Person(detail: UserDetail, actions: Actions) -> impl IntoView {
    let user = detail.user.clone();
    let audit_link = format!(
        "/admin/audit?target={}",
        crate::ui::nav::encode_query_value(&format!("user:{}", user.id))
    );
    view! {
        <section class=format!("{CARD} mt-4") aria-labelledby="person-heading">
            <h2 id="person-heading" class="text-xl font-semibold">"@" {user.handle.clone()}
                {user.is_admin.then(|| view! { <span class="ml-2 rounded-full bg-stone-900 px-2 py-0.5 text-xs font-semibold text-white">"admin"</span> })}
            </h2>
            <dl class="mt-3 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                <div><dt class="text-stone-600">"Email"</dt><dd class="break-all" id="person-email">{user.email.clone()}</dd></div>
                <div><dt class="text-stone-600">"Joined"</dt><dd>{utc_datetime(user.created_at_ms)}</dd></div>
                <div><dt class="text-stone-600">"Plan"</dt><dd id="person-plan">{detail.plan.plan.name.clone()} " since " {utc_datetime(detail.plan.since_ms)}</dd></div>
                <div><dt class="text-stone-600">"Drafts owned"</dt><dd>{detail.drafts_owned}</dd></div>
            </dl>
            <a href=audit_link class="mt-3 inline-flex min-h-11 items-center text-sm font-medium text-ring-800 underline">"This person in the audit log"</a>
        </section>
        <Standings detail=detail.clone() actions/>
        <div class="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
            <ChangePlanForm detail=detail.clone() action=actions.plan/>
            <SetOverrideForm user_id=user.id.clone() action=actions.set_override/>
            <ResetGraceForm user_id=user.id.clone() action=actions.grace/>
            <SessionsCard detail action=actions.sessions/>
        </div>
    }
}

/// Each entitlement: what is in force, usage, grace, and an override with its way out.
#[component]
fn Standings(detail: UserDetail, actions: Actions) -> impl IntoView {
    let user_id = detail.user.id.clone();
    let clear = actions.clear_override;
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="standings-heading">
            <h2 id="standings-heading" class="text-lg font-semibold">"Entitlements"</h2>
            <ul class="mt-3 divide-y divide-stone-100" id="standings">
                {detail.plan.standings.into_iter().map(|s| {
                    let entitlement = s.entitlement;
                    let value = describe(entitlement, s.value);
                    let usage = s.usage.map(|u| format!(" · using {u}"));
                    let grace = (s.grace_used > 0).then(|| format!(" · grace used {}", s.grace_used));
                    let has_override = s.override_until_ms.is_some();
                    let until = s.override_until_ms.flatten();
                    let user_id = user_id.clone();
                    view! {
                        <li class="py-3" data-entitlement=entitlement.key()>
                            <p class="font-medium">{entitlement.label()} <span class="text-sm text-stone-600">" (" {entitlement.key()} ")"</span></p>
                            <p class="text-sm text-stone-700">{value} {usage} {grace}</p>
                            {has_override.then(|| view! {
                                <p class="mt-1 text-sm text-amber-900" data-override="true">
                                    "Override" {until.map(|t| format!(" until {}", utc_datetime(t)))} " — " {s.override_reason.clone()}
                                </p>
                                <ActionForm action=clear attr:class="mt-2 flex flex-col gap-2 sm:flex-row sm:items-end">
                                    <IdempotencyKey completed=clear.version()/>
                                    <input type="hidden" name="user_id" value=user_id.clone()/>
                                    <input type="hidden" name="entitlement" value=entitlement.key()/>
                                    <div class="flex-1"><ReasonField id=format!("clear-reason-{}", entitlement.key().replace('.', "-"))/></div>
                                    <button type="submit" class="min-h-11 rounded-lg border border-stone-300 px-3 py-2 text-sm font-medium hover:bg-stone-50">"Clear override"</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Outcome result=outcome(clear)/>
        </section>
    }
}

#[component]
fn ChangePlanForm(detail: UserDetail, action: ServerAction<AdminChangePlan>) -> impl IntoView {
    let current = detail.plan.plan.id.clone();
    view! {
        <section class=CARD aria-labelledby="plan-heading">
            <h2 id="plan-heading" class="text-lg font-semibold">"Change plan"</h2>
            <ActionForm action attr:class="mt-3 space-y-3" attr:id="change-plan-form">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="user_id" value=detail.user.id.clone()/>
                <div>
                    <label for="plan-choice" class=LABEL>"Plan"</label>
                    <select id="plan-choice" name="plan" class=INPUT>
                        {detail.plans.into_iter().map(|p| {
                            let selected = p.id == current;
                            view! { <option value=p.id.clone() selected=selected>{p.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <ReasonField id="plan-reason"/>
                <button type="submit" class=PRIMARY disabled=move || action.pending().get()>"Change plan"</button>
                <Outcome result=outcome(action)/>
            </ActionForm>
        </section>
    }
}

#[component]
fn SetOverrideForm(user_id: String, action: ServerAction<AdminSetOverride>) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="override-heading">
            <h2 id="override-heading" class="text-lg font-semibold">"Set an override"</h2>
            <p class="mt-1 text-sm text-stone-700">"A value of this person's own that wins over their plan, for good or until a time (UTC)."</p>
            <ActionForm action attr:class="mt-3 space-y-3" attr:id="set-override-form">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="user_id" value=user_id/>
                <div>
                    <label for="override-entitlement" class=LABEL>"Entitlement"</label>
                    <select id="override-entitlement" name="entitlement" class=INPUT>
                        {Entitlement::ALL.into_iter().map(|e| view! { <option value=e.key()>{e.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="override-value" class=LABEL>"Value"</label>
                    <input id="override-value" name="value" required=true autocomplete="off" class=INPUT aria-describedby="override-value-hint"/>
                    <p id="override-value-hint" class="mt-1 text-sm text-stone-600">"A number, unlimited, or for a feature included / not_included."</p>
                </div>
                <div>
                    <label for="override-expires" class=LABEL>"Ends (UTC, optional)"</label>
                    <input id="override-expires" name="expires_at" type="datetime-local" class=INPUT/>
                </div>
                <ReasonField id="override-reason"/>
                <button type="submit" class=PRIMARY disabled=move || action.pending().get()>"Set override"</button>
                <Outcome result=outcome(action)/>
            </ActionForm>
        </section>
    }
}

#[component]
fn ResetGraceForm(user_id: String, action: ServerAction<AdminResetGrace>) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="grace-heading">
            <h2 id="grace-heading" class="text-lg font-semibold">"Reset grace"</h2>
            <p class="mt-1 text-sm text-stone-700">"Gives back the extra uses past a limit that their plan allows."</p>
            <ActionForm action attr:class="mt-3 space-y-3" attr:id="reset-grace-form">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="user_id" value=user_id/>
                <div>
                    <label for="grace-entitlement" class=LABEL>"For"</label>
                    <select id="grace-entitlement" name="entitlement" class=INPUT>
                        <option value="all">"Every entitlement"</option>
                        {Entitlement::ALL.into_iter().filter(|e| !e.is_feature()).map(|e| view! { <option value=e.key()>{e.label()}</option> }).collect_view()}
                    </select>
                </div>
                <ReasonField id="grace-reason"/>
                <button type="submit" class=PRIMARY disabled=move || action.pending().get()>"Reset grace"</button>
                <Outcome result=outcome(action)/>
            </ActionForm>
        </section>
    }
}

#[component]
fn SessionsCard(detail: UserDetail, action: ServerAction<AdminEndSessions>) -> impl IntoView {
    let count = detail.sessions.len();
    view! {
        <section class=CARD aria-labelledby="sessions-heading">
            <h2 id="sessions-heading" class="text-lg font-semibold">"Sessions"</h2>
            <ul class="mt-2 space-y-1 text-sm text-stone-700" id="person-sessions">
                {detail.sessions.into_iter().map(|s| view! {
                    <li>{s.user_agent} " · last seen " {utc_datetime(s.last_seen_at_ms)}</li>
                }).collect_view()}
                {(count == 0).then(|| view! { <li>"Signed in nowhere."</li> })}
            </ul>
            <ActionForm action attr:class="mt-3 space-y-3" attr:id="end-sessions-form">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="user_id" value=detail.user.id.clone()/>
                <ReasonField id="sessions-reason"/>
                <button type="submit" class=PRIMARY disabled=move || action.pending().get()>"Sign out everywhere"</button>
                <Outcome result=outcome(action)/>
            </ActionForm>
        </section>
    }
}
