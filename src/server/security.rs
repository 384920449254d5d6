//! Request-level defences: the cross-site request check in front of every mutation, and the
//! security headers (with a per-request CSP nonce) on every response.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ORIGIN};
use http::{HeaderName, HeaderValue, Method, StatusCode};

use super::state::AppState;
use crate::error::AppError;

/// The one route that may be posted to cross-site: Stripe signs its webhook calls.
pub const STRIPE_WEBHOOK_PATH: &str = "/api/billing/webhook";

/// The per-request nonce that lets the hydration script run under the CSP.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a state-changing request may go ahead, judged from the browser's own report of
/// where it came from (`Sec-Fetch-Site`) or, from browsers too old to send that, `Origin`.
/// Requests with neither come from scripts and tools, not from a browser page, so a
/// cross-site page cannot use them to ride on a user's cookie.
pub fn allows_mutation(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    public_origin: &str,
) -> bool {
    match sec_fetch_site {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => origin.is_none_or(|origin| origin == public_origin),
    }
}

fn request_allowed(req: &Request, public_origin: &str) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    allows_mutation(
        header("sec-fetch-site"),
        header(ORIGIN.as_str()),
        public_origin,
    )
}

/// Refuses non-GET requests that a browser reports as coming from another site.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if is_safe_method(req.method()) || req.uri().path() == STRIPE_WEBHOOK_PATH {
        return next.run(req).await;
    }
    if request_allowed(&req, &state.config.public_origin) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    error_response(StatusCode::FORBIDDEN, &AppError::Forbidden)
}

/// What a panic anywhere in a request becomes: a logged 500 with the usual JSON error,
/// instead of a dropped connection. (Every request-data path is written not to panic; this
/// is the last line, not the plan.)
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "a request panicked");
    error_response(StatusCode::INTERNAL_SERVER_ERROR, &AppError::Internal)
}

/// A JSON error body in the same shape server functions use, so the client decodes it.
pub fn error_response(status: StatusCode, error: &AppError) -> Response {
    let body = serde_json::to_string(error).unwrap_or_else(|_| r#"{"kind":"internal"}"#.into());
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

fn new_nonce() -> String {
    let bytes: [u8; 16] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The Content-Security-Policy for an HTML page rendered with `nonce`. `form_targets` are
/// the other origins a form may lead to (Stripe's checkout and portal, when billing is on:
/// a form posted before hydration is answered with a redirect there).
pub fn content_security_policy(nonce: &str, form_targets: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'{form_targets}"
    )
}

/// Adds the security headers; HTML responses also get a CSP whose nonce the page's
/// hydration script carries (the nonce travels to the renderer in a request extension).
/// Pages and server-function answers may carry personal data, so unless a handler chose
/// its own caching (public share images, the browser bundle) nothing may be stored by a
/// browser or a proxy: `Cache-Control: private, no-store`.
pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let is_bundle = req.uri().path().starts_with("/pkg/");
    let mut res: Response<Body> = next.run(req).await;
    let headers = res.headers_mut();
    if !is_bundle && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    let is_html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if let Ok(csp) =
            HeaderValue::from_str(&content_security_policy(&nonce, &state.form_targets))
        {
            headers.insert(HeaderName::from_static("content-security-policy"), csp);
        }
    }
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if state.config.is_https() {
        headers.insert(
            HeaderName::from_static("strict-transport-security"),
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN_OK: &str = "http://127.0.0.1:3000";

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(allows_mutation(Some("same-origin"), None, ORIGIN_OK));
        assert!(allows_mutation(Some("none"), None, ORIGIN_OK));
        assert!(!allows_mutation(
            Some("cross-site"),
            Some(ORIGIN_OK),
            ORIGIN_OK
        ));
        assert!(!allows_mutation(Some("same-site"), None, ORIGIN_OK));
    }

    #[test]
    fn origin_is_the_fallback() {
        assert!(allows_mutation(None, Some(ORIGIN_OK), ORIGIN_OK));
        assert!(!allows_mutation(
            None,
            Some("https://evil.example"),
            ORIGIN_OK
        ));
        assert!(!allows_mutation(None, Some("null"), ORIGIN_OK));
        assert!(
            allows_mutation(None, None, ORIGIN_OK),
            "scripts send neither header"
        );
    }

    #[test]
    fn csp_carries_the_nonce_and_the_required_directives() {
        let csp = content_security_policy("abc123", "");
        for part in [
            "'nonce-abc123'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(part), "{csp} lacks {part}");
        }
        assert!(!csp.contains("unsafe-inline"));
    }
}
