//! The one error type that crosses the wire.
//!
//! Every server function returns `Result<_, AppError>`. Variants are stable and carry only
//! what is safe to show a user; causes (SQL, driver, I/O text) are logged on the server and
//! never serialised. The HTTP status for each variant is decided once, in [`AppError::status`],
//! and applied centrally by `server::errors::set_server_fn_status`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// Input failed validation; `field` names the form field it belongs to.
    #[error("{message}")]
    Validation { field: String, message: String },
    /// The request itself could not be read (malformed or oversized body, wrong encoding).
    #[error("{message}")]
    BadRequest { message: String },
    /// Sign-in needed, or the credentials were wrong.
    #[error("{message}")]
    Unauthorized { message: String },
    #[error("You don't have access to that.")]
    Forbidden,
    #[error("We couldn't find that.")]
    NotFound,
    #[error("{message}")]
    Conflict { message: String },
    /// An invite code that is unknown, expired, revoked or used up: one answer for all, so
    /// a stranger learns nothing about which.
    #[error(
        "This invite link isn't active any more. Ask the person who shared it for a fresh one."
    )]
    InviteUnavailable,
    #[error("Too many attempts. Try again in {retry_after_s} s.")]
    RateLimited { retry_after_s: u64 },
    /// The person's plan does not allow this (now): which entitlement, its limit, what they
    /// use, and in `message` what they can do about it. Nothing was written.
    #[error("{message}")]
    QuotaExceeded {
        entitlement: String,
        limit: i64,
        usage: i64,
        message: String,
    },
    /// Billing is not set up on this server (no Stripe key): nothing can be bought here.
    #[error("Upgrades are not available on this server.")]
    BillingDisabled,
    /// The payment provider could not be reached or refused the request; nothing changed.
    #[error("We couldn't reach our payment provider. Nothing was charged; please try again in a minute.")]
    PaymentProvider,
    /// Publishing is not set up on this server (no key to seal credentials with).
    #[error("Publishing is not available on this server.")]
    PublishingDisabled,
    /// A network (Bluesky, Mastodon, X) could not be reached or gave no clear answer.
    #[error("We couldn't reach that network. Nothing was changed; please try again in a minute.")]
    NetworkUnreachable,
    /// The browser could not reach the server (only ever built on the client side).
    #[error("We couldn't reach OneRing. Check your connection and try again.")]
    Network,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized {
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
        }
    }

    pub fn sign_in_required() -> Self {
        Self::unauthorized("Please sign in to continue.")
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation { .. } => 422,
            Self::BadRequest { .. } => 400,
            Self::Unauthorized { .. } => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict { .. } => 409,
            Self::InviteUnavailable => 404,
            Self::RateLimited { .. } => 429,
            Self::QuotaExceeded { .. } => 403,
            Self::BillingDisabled => 503,
            Self::PaymentProvider => 502,
            Self::PublishingDisabled => 503,
            Self::NetworkUnreachable => 502,
            Self::Network => 503,
            Self::Internal => 500,
        }
    }

    /// The message for the form field `field`, if this error belongs to it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // The framework's own messages can echo request text (a password in a malformed
        // form, say), so none of them is passed on.
        match value {
            ServerFnErrorErr::Request(_) => Self::Network,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => Self::BadRequest {
                message: "The request could not be read. Please reload the page and try again."
                    .to_owned(),
            },
            ServerFnErrorErr::Registration(_) => Self::NotFound,
            ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Response(_) => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::AppError;

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "database error");
            AppError::Internal
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(err: tokio::task::JoinError) -> Self {
            tracing::error!(error = %err, "background task failed");
            AppError::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_stable() {
        assert_eq!(AppError::validation("handle", "x").status(), 422);
        assert_eq!(AppError::RateLimited { retry_after_s: 3 }.status(), 429);
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::sign_in_required().status(), 401);
    }

    #[test]
    fn framework_errors_never_echo_request_text() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "invalid value: hunter2".into(),
        ));
        let json = serde_json::to_string(&err).unwrap_or_default();
        assert!(!json.contains("hunter2"));
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn round_trips_as_json() {
        let err = AppError::RateLimited { retry_after_s: 12 };
        let json = serde_json::to_string(&err).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"rate_limited","retry_after_s":12}"#);
        let back: AppError = serde_json::from_str(&json).unwrap_or(AppError::Internal);
        assert_eq!(back, err);
        assert_eq!(err.to_string(), "Too many attempts. Try again in 12 s.");
    }
}
