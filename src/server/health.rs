//! `GET /api/health`: is the database there, which backend, how fast, which tables.
//! Never a path, a URL or a secret.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use super::state::AppState;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: DatabaseHealth,
}

#[derive(Debug, Serialize)]
pub struct DatabaseHealth {
    pub connected: bool,
    pub backend: &'static str,
    pub latency_ms: Option<f64>,
    pub tables: Vec<String>,
}

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let backend = state.db.backend().name();
    let checked = async {
        let latency = state.db.ping().await?;
        let tables = state.db.table_names().await?;
        Ok::<_, sqlx::Error>((latency, tables))
    }
    .await;
    match checked {
        Ok((latency, tables)) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: DatabaseHealth {
                    connected: true,
                    backend,
                    latency_ms: Some((latency.as_secs_f64() * 1000.0 * 100.0).round() / 100.0),
                    tables,
                },
            }),
        ),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database: DatabaseHealth {
                        connected: false,
                        backend,
                        latency_ms: None,
                        tables: vec![],
                    },
                }),
            )
        }
    }
}
