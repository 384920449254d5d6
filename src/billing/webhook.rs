//! `POST /api/billing/webhook`: Stripe's deliveries. A plain axum route (Stripe, not a
//! page, calls it), exempt from the CSRF origin check and nothing else.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};

use super::service::{self, NotReceived, Received};
use crate::server::state::AppState;

/// Stripe's events are a few kilobytes; this leaves room and no more.
pub const BODY_LIMIT: usize = 256 * 1024;
/// How long the request waits for the event to be applied before answering (it is stored
/// already; its job applies it if this runs out). Stripe wants an answer within seconds.
const INLINE_APPLY: std::time::Duration = std::time::Duration::from_millis(700);

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    // Every refusal is the same answer: a sender learns nothing about which check failed.
    let refused = || (StatusCode::BAD_REQUEST, "refused").into_response();
    let Ok(payload) = std::str::from_utf8(&body) else {
        return refused();
    };
    let Some(signature) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return if state.billing.is_some() {
            refused()
        } else {
            disabled()
        };
    };
    match service::receive(&state, payload, signature, crate::db::now_ms()).await {
        Ok((Received::Duplicate, _)) => (StatusCode::OK, "duplicate").into_response(),
        Ok((Received::Stored, Some(event_id))) => {
            // Applied in a task of its own, so a client that hangs up does not cut it short.
            let task = tokio::spawn({
                let state = state.clone();
                async move { service::process(&state, &event_id).await }
            });
            if tokio::time::timeout(INLINE_APPLY, task).await.is_err() {
                tracing::info!("a billing event is applied after its answer");
            }
            (StatusCode::OK, "received").into_response()
        }
        Ok((Received::Stored, None)) => (StatusCode::OK, "received").into_response(),
        Err(NotReceived::Disabled) => disabled(),
        Err(NotReceived::Refused(why)) => {
            tracing::warn!(?why, "refused a webhook delivery");
            refused()
        }
        Err(NotReceived::Failed(_)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "not stored; send it again",
        )
            .into_response(),
    }
}

fn disabled() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "billing is not enabled on this server",
    )
        .into_response()
}
