//! Accessible form building blocks: labelled fields with inline errors, a password field
//! with a show/hide toggle, a submit button that shows progress, and a form-level alert.

use leptos::prelude::*;

use crate::error::AppError;

const INPUT_CLASS: &str =
    "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2.5 \
    text-base shadow-sm placeholder:text-stone-400 focus:border-ring-500 focus:outline-none \
    focus:ring-2 focus:ring-ring-200 aria-[invalid=true]:border-red-500";

/// The message for `field` from the latest result of a form's action.
pub fn field_error<T: Send + Sync + 'static>(
    result: MappedSignal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        result.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.for_field(field))
        })
    })
}

/// The message of an error that belongs to no single field.
pub fn form_error<T: Send + Sync + 'static>(
    result: MappedSignal<Option<Result<T, AppError>>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        result.with(|r| match r {
            Some(Err(AppError::Validation { .. })) | None | Some(Ok(_)) => None,
            Some(Err(other)) => Some(other.to_string()),
        })
    })
}

/// The error of an action's latest attempt, as words for the control that made it.
pub fn action_error<T: Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        value.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().err())
                .map(ToString::to_string)
        })
    })
}

/// An `input` listener that hands the field's new value to `on_input`, if there is one.
fn forward_input(on_input: Option<Callback<String>>) -> impl Fn(leptos::ev::Event) {
    move |ev| {
        if let Some(cb) = on_input {
            cb.run(event_target_value(&ev));
        }
    }
}

#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] on_input: Option<Callback<String>>,
    #[prop(optional, into)] live_hint: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let describedby = format!("{name}-hint {name}-error");
    view! {
        <div>
            <label for=name class="block text-sm font-medium text-stone-800">{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required=true
                class=INPUT_CLASS
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=describedby
                on:input=forward_input(on_input)
            />
            <FieldMessages name hint live_hint error/>
        </div>
    }
}

/// The hint under a field (the live one while typing, else the static one) and its error.
/// The hint steps aside while an error is shown, so a message never appears twice.
#[component]
fn FieldMessages(
    name: &'static str,
    hint: Option<&'static str>,
    live_hint: Option<Signal<Option<String>>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let shown_hint = move || {
        if error.with(Option::is_some) {
            return None;
        }
        live_hint
            .and_then(|h| h.get())
            .or_else(|| hint.map(str::to_owned))
    };
    view! {
        <p id=format!("{name}-hint") class="mt-1 text-sm text-stone-500">{shown_hint}</p>
        <p id=format!("{name}-error") class="mt-1 text-sm font-medium text-red-700" role="status">
            {move || error.get()}
        </p>
    }
}

/// A password input with a button that shows or hides what was typed.
#[component]
pub fn PasswordField(
    label: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] on_input: Option<Callback<String>>,
    #[prop(optional, into)] live_hint: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let visible = RwSignal::new(false);
    view! {
        <div>
            <label for="password" class="block text-sm font-medium text-stone-800">{label}</label>
            <div class="relative">
                <input
                    id="password"
                    name="password"
                    type=move || if visible.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    required=true
                    class=format!("{INPUT_CLASS} pr-20")
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby="password-hint password-error"
                    on:input=forward_input(on_input)
                />
                <button
                    type="button"
                    class="absolute inset-y-0 right-0 mt-1 rounded-r-lg px-3 text-sm font-medium text-ring-700 hover:text-ring-600"
                    aria-controls="password"
                    aria-pressed=move || visible.get().to_string()
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || if visible.get() { "Hide" } else { "Show" }}
                </button>
            </div>
            <FieldMessages name="password" hint live_hint error/>
        </div>
    }
}

/// The hidden `idempotency_key` of a form that works with and without JavaScript: a key
/// rendered with the page, and a new one after each completed submission (`completed`, an
/// action's version), so a double click sends one key twice and the next change a new one.
#[component]
pub fn IdempotencyKey(#[prop(into)] completed: Signal<usize>) -> impl IntoView {
    let key = RwSignal::new(crate::ui::browser::new_idempotency_key());
    Effect::new(move |seen: Option<usize>| {
        let version = completed.get();
        if seen.is_some_and(|seen| seen != version) {
            key.set(crate::ui::browser::new_idempotency_key());
        }
        version
    });
    view! { <input type="hidden" name="idempotency_key" value=move || key.get()/> }
}

#[component]
pub fn SubmitButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="inline-flex w-full items-center justify-center gap-2 rounded-lg bg-ring-600 px-4 py-2.5 \
                   text-base font-semibold text-white shadow-sm hover:bg-ring-700 disabled:cursor-wait \
                   disabled:opacity-70"
            disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()
        >
            <Show when=move || pending.get()>
                <span class="size-4 animate-spin rounded-full border-2 border-white/40 border-t-white" aria-hidden="true"></span>
            </Show>
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// A form-level error, announced to screen readers. A plan's limit (its message says what
/// to do) comes with the way to the plan page.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <div class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800" role="alert">
                {move || message.get()}
            </div>
        </Show>
    }
}

/// The error of an action's latest attempt, for a [`QuotaAlert`] or a [`FormAlert`].
pub fn action_failure<T: Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.with(|r| r.as_ref().and_then(|r| r.as_ref().err()).cloned()))
}

/// An error where an action was tried: a plan's limit reads calmly, with the way out (the
/// plan page); anything else as a [`FormAlert`].
#[component]
pub fn QuotaAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        {move || match error.get() {
            Some(AppError::QuotaExceeded { message, .. }) => view! {
                <div class="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="alert" id="quota-message">
                    <p>{message}</p>
                    <a href="/account/plan" class="tap mt-1 inline-block font-semibold text-amber-900 underline">"See your plan"</a>
                </div>
            }.into_any(),
            Some(other) => view! { <FormAlert message=Signal::derive(move || Some(other.to_string()))/> }.into_any(),
            None => ().into_any(),
        }}
    }
}
