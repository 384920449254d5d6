//! Gives server-function errors their real HTTP status.
//!
//! Leptos answers 500 for every server-function error, including arguments that failed to
//! deserialise before the function body ran, so the status cannot be set from inside the
//! function in every case. This layer reads the serialised [`AppError`] (small, JSON) and
//! sets the status it maps to, once, for every server function.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::RETRY_AFTER;
use http::{HeaderValue, StatusCode};

use super::security::error_response;
use crate::error::AppError;

const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";
/// Serialised errors are a few hundred bytes; anything larger is not one of ours.
const MAX_ERROR_BODY: usize = 16 * 1024;

pub async fn set_server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &AppError::BadRequest {
                message: "That is more than we accept in one request.".into(),
            },
        );
    }
    if !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
        || res.status() != StatusCode::INTERNAL_SERVER_ERROR
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return error_response(StatusCode::INTERNAL_SERVER_ERROR, &AppError::Internal);
    };
    let error: AppError = serde_json::from_slice(&bytes).unwrap_or(AppError::Internal);
    parts.status =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let AppError::RateLimited { retry_after_s } = error {
        if let Ok(value) = HeaderValue::from_str(&retry_after_s.to_string()) {
            parts.headers.insert(RETRY_AFTER, value);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
