//! The sign-up and sign-in pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;

use super::model::Handle;
use super::state::use_auth;
use crate::ui::form::{field_error, form_error, FormAlert, PasswordField, SubmitButton, TextField};

/// Where to go after signing in: a local path from `?next=`, or home. Anything that could
/// leave the site (`//host`, `https://…`) is ignored.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_owned())
}

fn next_path() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || safe_next(query.with(|q| q.get("next"))))
}

/// Sends a signed-in visitor on to where they were going.
#[component]
fn RedirectWhenSignedIn(next: Signal<String>) -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                matches!(auth.me.await, Ok(Some(_))).then(|| view! { <Redirect path=next.get_untracked()/> })
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
    let auth = use_auth();
    let result = auth.sign_up.value();
    let next = next_path();
    let typed_handle = RwSignal::new(String::new());
    let handle_preview = Signal::derive(move || {
        let typed = typed_handle.get();
        if typed.trim().is_empty() {
            return None;
        }
        Some(match Handle::parse(&typed) {
            Ok(handle) => format!("You'll be @{}", handle.as_str()),
            Err(err) => err.to_string(),
        })
    });
    view! {
        <Title text="Create your account · OneRing"/>
        <RedirectWhenSignedIn next/>
        <AuthCard title="Create your account" subtitle="Start writing threads together. It takes a minute.">
            <ActionForm action=auth.sign_up attr:class="space-y-5" attr:novalidate=true>
                <FormAlert message=form_error(result)/>
                <TextField
                    label="Handle"
                    name="handle"
                    autocomplete="username"
                    hint="3–30 letters, digits or underscores. Others see you by this."
                    live_hint=handle_preview
                    on_input=Callback::new(move |v| typed_handle.set(v))
                    error=field_error(result, "handle")
                />
                <TextField
                    label="Email"
                    name="email"
                    kind="email"
                    autocomplete="email"
                    hint="Only you see it. We use it to sign you in."
                    error=field_error(result, "email")
                />
                <PasswordField
                    label="Password"
                    autocomplete="new-password"
                    hint="At least 10 characters. A short phrase works well."
                    error=field_error(result, "password")
                />
                <SubmitButton label="Create account" pending_label="Creating your account…" pending=auth.sign_up.pending()/>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-stone-600">
                "Already have an account? "
                <A href=move || format!("/signin?next={}", next.get()) attr:class="font-semibold text-ring-700 hover:underline">"Sign in"</A>
            </p>
        </AuthCard>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    let result = auth.sign_in.value();
    let next = next_path();
    view! {
        <Title text="Sign in · OneRing"/>
        <RedirectWhenSignedIn next/>
        <AuthCard title="Welcome back" subtitle="Sign in to pick up where your ring left off.">
            <ActionForm action=auth.sign_in attr:class="space-y-5" attr:novalidate=true>
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
                <SubmitButton label="Sign in" pending_label="Signing in…" pending=auth.sign_in.pending()/>
            </ActionForm>
            <p class="mt-6 text-center text-sm text-stone-600">
                "New to OneRing? "
                <A href=move || format!("/signup?next={}", next.get()) attr:class="font-semibold text-ring-700 hover:underline">"Create an account"</A>
            </p>
        </AuthCard>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/drafts/1".into())), "/drafts/1");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
