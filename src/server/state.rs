//! The one application state handed to axum and to every server function, and the helpers
//! server functions use to reach it and the request.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef};
use http::request::Parts;
use leptos::prelude::{use_context, LeptosOptions};

use super::config::Config;
use super::rate_limit::RateLimiter;
use crate::db::Db;
use crate::error::AppError;
use crate::live::hub::LiveHub;

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// Sign-in and sign-up attempts per client address (this instance only: per-account
    /// throttling, which must hold across instances, lives in the database).
    #[from_ref(skip)]
    pub auth_ip_limiter: Arc<RateLimiter<IpAddr>>,
    /// Invite-code lookups per client address (this instance only).
    #[from_ref(skip)]
    pub invite_ip_limiter: Arc<RateLimiter<IpAddr>>,
    /// Live channels to open draft pages.
    pub live: Arc<LiveHub>,
}

impl AppState {
    /// Builds the state and starts the live hub's background tasks (inside a Tokio runtime).
    pub fn new(db: Db, config: Config, leptos_options: LeptosOptions) -> Self {
        let auth_ip_limiter = Arc::new(RateLimiter::per_minute(
            config.auth_attempts_per_ip_per_minute,
        ));
        let invite_ip_limiter = Arc::new(RateLimiter::per_minute(
            config.invite_lookups_per_ip_per_minute,
        ));
        let live = LiveHub::start(db.clone(), &config.database_url, config.live_recheck);
        Self {
            live,
            db,
            config: Arc::new(config),
            leptos_options,
            auth_ip_limiter,
            invite_ip_limiter,
        }
    }
}

/// The application state inside a server function or a server-rendered component.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// The current request's head (headers, extensions) inside a server function.
pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the Leptos context");
        AppError::Internal
    })
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// deployment says a trusted proxy sets it.
pub fn client_ip(parts: &Parts, config: &Config) -> IpAddr {
    if config.trust_forwarded_for {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| {
            addr.ip()
        })
}
