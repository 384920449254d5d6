//! The sign-up and sign-in pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;

use super::api::{SignIn, SignUp};
use super::model::{check_new_password, Email, Handle};
use super::state::use_auth;
use crate::error::AppError;
use crate::ui::form::{field_error, form_error, FormAlert, PasswordField, SubmitButton, TextField};
use crate::ui::nav::{safe_next, sign_in_then, sign_up_then};

fn next_path() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || safe_next(query.with(|q| q.get("next"))))
}

/// What to say under a field while it is typed in: nothing while empty, else the rule's
/// verdict.
fn live_check(typed: &str, rule: impl Fn(&str) -> Result<String, AppError>) -> Option<String> {
    if typed.trim().is_empty() {
        return None;
    }
    Some(rule(typed).unwrap_or_else(|err| err.to_string()))
}

/// Reloads the signed-in state each time the page's sign-in (or sign-up) completes.
fn refresh_auth_after(version: RwSignal<usize>) {
    let auth = use_auth();
    Effect::new(move |seen: Option<usize>| {
        let now = version.get();
        if seen.is_some_and(|seen| seen != now) {
            auth.changed();
        }
        now
    });
}

/// Sends a signed-in visitor on to where they were going. The target is read once, before
/// the signed-in state is awaited (reading the query's memo from inside the suspended task
/// on the server raced with its first computation under multi-threaded rendering).
#[component]
fn RedirectWhenSignedIn(next: Signal<String>) -> impl IntoView {
    let auth = use_auth();
    let target = StoredValue::new(next.get_untracked());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                matches!(auth.me.await, Ok(Some(_))).then(|| view! { <Redirect path=target.get_value()/> })
            })}
        </Transition>
    }
}

#[component]
fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="mx-auto w-full max-w-md px-4 py-10 sm:py-16">
            <div class="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm sm:p-8">
                <h1 class="text-2xl font-bold tracking-tight text-ink-900">{title}</h1>
                <p class="mt-1 text-stone-600">{subtitle}</p>
                <div class="mt-6">{children()}</div>
            </div>
        </div>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    refresh_auth_after(sign_up.version());
    let result = sign_up.value();
    let next = next_path();
    let typed_handle = RwSignal::new(String::new());
    let typed_email = RwSignal::new(String::new());
    let typed_password = RwSignal::new(String::new());
    // The server's rules, run as the visitor types: problems show before they submit.
    let handle_hint = Signal::derive(move || {
        live_check(&typed_handle.get(), |typed| {
            Handle::parse(typed).map(|h| format!("You'll be @{}", h.as_str()))
        })
    });
    let email_hint = Signal::derive(move || {
        live_check(&typed_email.get(), |typed| {
            Email::parse(typed).map(|_| "Only you see it.".to_owned())
        })
    });
    let password_hint = Signal::derive(move || {
        live_check(&typed_password.get(), |typed| {
            check_new_password(typed, &typed_handle.get(), &typed_email.get())
                .map(|()| "Good length.".to_owned())
        })
    });
    view! {
        <Title text="Create your account · OneRing"/>
        <RedirectWhenSignedIn next/>
        <AuthCard title="Create your account" subtitle="Start writing threads together. It takes a minute.">
            <ActionForm action=sign_up attr:class="space-y-5" attr:novalidate=true>
                <FormAlert message=form_error(result)/>
                <TextField
                    label="Handle"
                    name="handle"
                    autocomplete="username"
                    hint="3–30 letters, digits or underscores. Others see you by this."
                    live_hint=handle_hint
                    on_input=Callback::new(move |v| typed_handle.set(v))
                    error=field_error(result, "handle")
                />
                <TextField
                    label="Email"
                    name="email"
                    kind="email"
                    autocomplete="email"
                    hint="Only you see it. We use it to sign you in."
                    live_hint=email_hint
                    on_input=Callback::new(move |v| typed_email.set(v))
                    error=field_error(result, "email")
                />
                <PasswordField
                    label="Password"
                    autocomplete="new-password"
                    hint="At least 10 characters. A short phrase works well."
                    live_hint=password_hint
                    on_input=Callback::new(move |v| typed_password.set(v))
                    error=field_error(result, "password")
                />
                <SubmitButton label="Create account" pending_label="Creating your account…" pending=sign_up.pending()/>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-stone-600">
                "Already have an account? "
                <A href=move || sign_in_then(&next.get()) attr:class="font-semibold text-ring-700 hover:underline">"Sign in"</A>
            </p>
        </AuthCard>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    refresh_auth_after(sign_in.version());
    let result = sign_in.value();
    let next = next_path();
    view! {
        <Title text="Sign in · OneRing"/>
        <RedirectWhenSignedIn next/>
        <AuthCard title="Welcome back" subtitle="Sign in to pick up where your ring left off.">
            <ActionForm action=sign_in attr:class="space-y-5" attr:novalidate=true>
                <FormAlert message=form_error(result)/>
                <TextField
                    label="Handle or email"
                    name="login"
                    autocomplete="username"
                    error=field_error(result, "login")
                />
                <PasswordField
                    label="Password"
                    autocomplete="current-password"
                    error=field_error(result, "password")
                />
                <SubmitButton label="Sign in" pending_label="Signing in…" pending=sign_in.pending()/>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-stone-600">
                "New to OneRing? "
                <A href=move || sign_up_then(&next.get()) attr:class="font-semibold text-ring-700 hover:underline">"Create an account"</A>
            </p>
        </AuthCard>
    }
}
