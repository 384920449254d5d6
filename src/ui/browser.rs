//! The few browser capabilities the app uses, each a no-op on the server (these run only in
//! event handlers, which never run during server rendering), except the idempotency key,
//! which a server-rendered form also carries.

/// A fresh idempotency key for one user intent (a click, a Ctrl+Enter, a form rendered).
pub fn new_idempotency_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let random = || (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        format!(
            "{:x}-{:x}-{:x}",
            js_sys::Date::now() as u64,
            random(),
            random()
        )
    }
    #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
    {
        uuid::Uuid::new_v4().to_string()
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    {
        String::new()
    }
}

/// The time zone this device is set to (an IANA name), once the page runs in a browser.
pub fn device_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// The device's clock in Unix milliseconds, once the page runs in a browser (what is shown
/// from it is client-only, so server rendering stays deterministic).
pub fn device_now_ms() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        Some(js_sys::Date::now() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// Puts `text` on the clipboard.
pub fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// Moves the keyboard focus to the element with `id`, once the page has drawn its next
/// frame (a dialog closing gives the focus back to what opened it).
pub fn focus_by_id(id: &'static str) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let element = leptos::prelude::document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// A client-only resource's value: always `None` while rendering on the server, where it
/// never loads (and where reading it would make the nearest `<Suspense>`/`<Transition>`
/// send its fallback in place of the whole page); in the browser, the value once loaded.
pub fn loaded<T>(resource: leptos::prelude::LocalResource<T>) -> Option<T>
where
    leptos::prelude::LocalResource<T>: leptos::prelude::Get<Value = Option<T>>,
{
    use leptos::prelude::Get;
    if cfg!(feature = "ssr") {
        None
    } else {
        resource.get()
    }
}

/// For one listener on a list of buttons (event delegation): the first of `attributes` on
/// the button the click landed in, and its value.
pub fn clicked_button(
    event: &leptos::ev::MouseEvent,
    attributes: &[&'static str],
) -> Option<(&'static str, String)> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let button = event
            .target()?
            .dyn_into::<web_sys::Element>()
            .ok()?
            .closest("button")
            .ok()??;
        attributes
            .iter()
            .find_map(|name| button.get_attribute(name).map(|value| (*name, value)))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, attributes);
        None
    }
}
