//! The edge: what every request must be before any handler sees it.
//!
//! - A request without a path (`CONNECT host:443`, an authority-form target) is refused
//!   with 400: the framework's page renderer expects one and would panic.
//! - A server function's body is read here, whole and bounded by `BODY_LIMIT_BYTES`: over
//!   the limit is 413 whether or not the client said how long it is (a chunked upload is
//!   counted as it arrives).
//! - Each field of a form body is percent-decoded once here: a field that is not UTF-8, or
//!   that holds a NUL character, is refused with a 422 naming it. Both databases then see
//!   the same text (PostgreSQL refuses NUL in text; SQLite would store it), and the
//!   framework's lossy decoding (which turns bad bytes into U+FFFD) never runs on bad input.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::CONTENT_TYPE;
use http::{Method, StatusCode};

use super::security::{error_response, STRIPE_WEBHOOK_PATH};
use super::state::AppState;
use crate::error::AppError;

/// Refuses requests whose target has no path (they name a host, not a page).
pub async fn refuse_pathless(req: Request, next: Next) -> Response {
    let has_path = req
        .uri()
        .path_and_query()
        .is_some_and(|p| p.as_str().starts_with('/'));
    if has_path && req.method() != Method::CONNECT {
        return next.run(req).await;
    }
    error_response(
        StatusCode::BAD_REQUEST,
        &AppError::BadRequest {
            message: "That request names no page.".into(),
        },
    )
}

fn too_large() -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &AppError::BadRequest {
            message: "That is more than we accept in one request.".into(),
        },
    )
}

/// Reads and checks the body of every server-function call (see the module comment).
pub async fn check_server_fn_input(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if req.method() != Method::POST || !path.starts_with("/api/") || path == STRIPE_WEBHOOK_PATH {
        return next.run(req).await;
    }
    let limit = state.config.body_limit_bytes;
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        // Over the limit as it streamed in (or the client went away mid-body).
        return too_large();
    };
    if is_form {
        if let Err(error) = check_form(&bytes) {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            return error_response(status, &error);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Checks every field of an `application/x-www-form-urlencoded` body.
pub fn check_form(body: &[u8]) -> Result<(), AppError> {
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let name = decode_component(halves.next().unwrap_or_default());
        let value = decode_component(halves.next().unwrap_or_default());
        let Ok(name) = String::from_utf8(name) else {
            return Err(unreadable());
        };
        if name.contains('\0') {
            return Err(unreadable());
        }
        let field = name.as_str();
        match String::from_utf8(value) {
            Err(_) => {
                return Err(AppError::validation(
                    field,
                    "This text has characters we can't read (it is not valid UTF-8).",
                ))
            }
            Ok(text) if text.contains('\0') => {
                return Err(AppError::validation(
                    field,
                    "This text holds a NUL character. Remove it and try again.",
                ))
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

fn unreadable() -> AppError {
    AppError::BadRequest {
        message: "The request could not be read. Please reload the page and try again.".into(),
    }
}

/// Form decoding of one name or value: `+` is a space, `%XX` a byte.
fn decode_component(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match raw[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex),
                raw.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_forms_pass() {
        assert_eq!(check_form(b"login=ada&password=correct+horse"), Ok(()));
        assert_eq!(check_form("title=%E2%9C%A8+launch&x=".as_bytes()), Ok(()));
        assert_eq!(check_form(b""), Ok(()));
        assert_eq!(
            check_form(b"a=100%&b=%zz"),
            Ok(()),
            "stray percent signs are text"
        );
    }

    #[test]
    fn nul_and_invalid_utf8_are_refused_naming_the_field() {
        let nul = check_form(b"login=ada%00x&password=p").err();
        assert_eq!(nul.as_ref().map(AppError::status), Some(422));
        assert!(nul.is_some_and(|e| e.for_field("login").is_some()));
        let bad = check_form(b"content=abc%FF%FE").err();
        assert!(bad.is_some_and(|e| e.for_field("content").is_some()));
        let raw = check_form(&[b'x', b'=', 0xff]).err();
        assert!(raw.is_some_and(|e| e.for_field("x").is_some()));
        let name = check_form(b"%FF=1").err();
        assert_eq!(name.map(|e| e.status()), Some(400));
    }
}
