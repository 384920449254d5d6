//! The few browser capabilities the app uses, each a no-op on the server (these run only in
//! event handlers, which never run during server rendering).

/// A fresh idempotency key for one user intent (a click, a Ctrl+Enter).
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
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
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
