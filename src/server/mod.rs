//! Server-only plumbing: configuration, state, the router and its layers.

pub mod cli;
pub mod config;
pub mod errors;
pub mod forms;
pub mod health;
pub mod input;
pub mod limits;
pub mod rate_limit;
pub mod router;
pub mod security;
pub mod state;

use std::net::SocketAddr;

use axum::serve::ListenerExt;
use leptos::config::get_configuration;

use crate::db::{run_migrations, Db};

/// Why the server could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("Leptos configuration: {0}")]
    Leptos(String),
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    Database(#[from] crate::db::DbSetupError),
    #[error(
        "{0} (the database was left as it was; fix the migration or the database and start again)"
    )]
    Migration(#[from] crate::db::MigrationError),
    #[error("the plans in the database cannot be used: {0} (see migrations/*/0007_plans.sql)")]
    Plans(#[from] crate::plans::store::PlansInvalid),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if let Err(err) = result {
        eprintln!("logging was already set up: {err}");
    }
}

/// Starts OneRing and serves until Ctrl+C or SIGTERM.
/// How long a stopping server waits for its open connections.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn run() -> Result<(), StartError> {
    init_tracing();
    let manifest = std::path::Path::new("Cargo.toml")
        .exists()
        .then_some("Cargo.toml");
    let leptos = get_configuration(manifest).map_err(|e| StartError::Leptos(e.to_string()))?;
    let options = leptos.leptos_options;
    let addr = options.site_addr;
    let config = config::Config::from_env(&addr.to_string())?;

    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    run_migrations(&db).await?;
    crate::plans::store::validate(&db).await?;
    tracing::info!(backend = db.backend().name(), "database ready");
    crate::auth::password::warm_up().await;
    spawn_purges(db.clone(), config.session_max_age);
    spawn_rollup_sweep(db.clone());

    let state = state::AppState::new(db.clone(), config, options);
    // Load the card fonts now, so the start-up log says which are missing.
    if state.images.renderer().await.is_err() {
        tracing::warn!("card fonts could not be loaded; card images will fail");
    }
    start_jobs(&state);
    let app = router::build_router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?
        .tap_io(|connection| {
            // A page streams out in several writes; with Nagle's algorithm the last small
            // one waits for the browser's delayed ACK of the one before (~40 ms on Linux),
            // on every kept-alive connection. Measured: `/` at one connection, p50 25 ms.
            if let Err(error) = connection.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
            }
        });
    tracing::info!("OneRing is listening on http://{addr}");
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        signalled.notify_one();
    });
    // A stop lets requests under way finish, but not forever: a connection that stays open
    // (a client that never reads its answer) would otherwise keep the server from exiting.
    let served = tokio::select! {
        served = std::future::IntoFuture::into_future(serving) => served,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after the stop; closing them");
            Ok(())
        }
    };
    db.close().await;
    served.map_err(|source| StartError::Listen { addr, source })
}

/// Starts this server's job runner (billing's retries, period ends and reconciliation;
/// publishing's threads), and
/// an hourly purge of finished jobs.
fn start_jobs(state: &state::AppState) {
    let runner = crate::jobs::Runner::new(state.clone());
    let runner = crate::billing::jobs::register(runner, state.billing.is_some());
    let runner = crate::publishing::jobs::register(runner);
    runner.start(std::time::Duration::from_secs(1));
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            report(
                "finished jobs",
                crate::jobs::store::purge_finished(&db, crate::db::now_ms()).await,
            );
        }
    });
}

/// Every hour, forgets idempotency keys and live events once they are a day old (a page
/// away longer than that reloads the draft instead of replaying), ended sessions and old
/// sign-in failures. Each purge deletes in small chunks through the writer.
fn spawn_purges(db: Db, session_max_age: std::time::Duration) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let now = crate::db::now_ms();
            report(
                "idempotency keys",
                crate::idempotency::purge_expired(&db, now).await,
            );
            report(
                "live events",
                crate::live::events::purge_expired(&db, now).await,
            );
            report(
                "ended sessions and sign-in failures",
                crate::auth::service::purge(&db, session_max_age).await,
            );
        }
    });
}

/// At start and every minute, folds analytics events a crash left unfolded (see
/// `analytics::events::fold_leftovers`; a read of an empty table when none were).
fn spawn_rollup_sweep(db: Db) {
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            match crate::analytics::events::fold_leftovers(&db, crate::db::now_ms()).await {
                Ok(0) => {}
                Ok(folded) => tracing::info!(folded, "folded analytics events left by a crash"),
                Err(_) => tracing::warn!("could not fold left analytics events; will try again"),
            }
        }
    });
}

fn report(what: &str, purged: Result<u64, crate::error::AppError>) {
    match purged {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "purged old {what}"),
        Err(_) => tracing::warn!("could not purge {what}; will try again"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
