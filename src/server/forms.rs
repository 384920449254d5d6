//! Forms posted without JavaScript (before the page has hydrated, or with scripts off).
//!
//! Every core form is a plain HTML form posting to its server function. Leptos answers such
//! a post (one that accepts `text/html`) with a redirect back to the page it came from,
//! carrying any error in the address so that the page shows it, rendered on the server. A
//! change that leads elsewhere (a new draft opens its page) says so with [`go_to_after_form`];
//! a call from the page's own script is left alone: its script navigates.

use http::header::{ACCEPT, LOCATION};
use http::{HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Whether this request is a form the browser posted itself (no script in between).
pub fn is_plain_form() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// For a plain form post, answers with a redirect to `path` (a local path of ours, already
/// encoded) instead of back to the form's page. Does nothing for a script's call.
pub fn go_to_after_form(path: &str) {
    if !is_plain_form() || !path.starts_with('/') || path.starts_with("//") {
        return;
    }
    let (Some(response), Ok(location)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(path),
    ) else {
        return;
    };
    response.insert_header(LOCATION, location);
    response.set_status(StatusCode::SEE_OTHER);
}
