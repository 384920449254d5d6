//! `GET /api/health`: is the app up, and its database?
//!
//! Anyone gets the short answer (`{"status": "ok", "database": "up"}`, or 503 with
//! `"unavailable"`/`"down"`). The details (backend, latency, table names) only go to a
//! caller with a credential: `Authorization: Bearer <HEALTH_TOKEN>` for monitors. An
//! address is no credential (behind a proxy every caller looks local). Never a path, a URL
//! or a secret, even in the details.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::state::AppState;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
}

#[derive(Debug, Serialize)]
pub struct Details {
    pub backend: &'static str,
    pub latency_ms: Option<f64>,
    pub tables: Vec<String>,
}

/// Whether the request carries the monitors' token (compared as digests, in constant time).
fn has_health_token(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token else { return false };
    let Some(given) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

pub async fn health(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> (StatusCode, Json<Health>) {
    let detailed = has_health_token(&headers, state.config.health_token.as_deref());
    let checked = async {
        let latency = state.db.ping().await?;
        let tables = if detailed {
            state.db.table_names().await?
        } else {
            Vec::new()
        };
        Ok::<_, sqlx::Error>((latency, tables))
    }
    .await;
    let backend = state.db.backend().name();
    match checked {
        Ok((latency, tables)) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "up",
                details: detailed.then(|| Details {
                    backend,
                    latency_ms: Some((latency.as_secs_f64() * 1000.0 * 100.0).round() / 100.0),
                    tables,
                }),
            }),
        ),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database: "down",
                    details: detailed.then(|| Details {
                        backend,
                        latency_ms: None,
                        tables: vec![],
                    }),
                }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_token_opens_the_details() {
        let mut headers = HeaderMap::new();
        assert!(!has_health_token(&headers, Some("s3cret")));
        headers.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer s3cret"),
        );
        assert!(has_health_token(&headers, Some("s3cret")));
        assert!(!has_health_token(&headers, Some("other")));
        assert!(
            !has_health_token(&headers, None),
            "no token configured: nobody"
        );
    }
}
