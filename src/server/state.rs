//! The one application state handed to axum and to every server function, and the helpers
//! server functions use to reach it and the request.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef};
use http::request::Parts;
use leptos::prelude::{use_context, LeptosOptions};

use super::config::Config;
use super::limits::MutationLimiter;
use super::rate_limit::{address_key, RateLimiter};
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
    /// Live-channel handshakes per user (this instance).
    #[from_ref(skip)]
    pub live_handshake_limiter: Arc<RateLimiter<String>>,
    /// Per-user budgets for changes (this instance).
    #[from_ref(skip)]
    pub mutation_limiter: Arc<MutationLimiter>,
    /// Draft views recorded in the last hour, per (viewer, draft) (this instance): a reload
    /// costs no write.
    #[from_ref(skip)]
    pub view_gate: Arc<RateLimiter<(String, String)>>,
    /// Live channels to open draft pages.
    pub live: Arc<LiveHub>,
    /// Drafts as of their latest event number (`drafts::store::DraftCache`).
    #[from_ref(skip)]
    pub drafts: Arc<crate::drafts::store::DraftCache>,
    /// The leaderboards' sealed sums (`analytics::boards`).
    #[from_ref(skip)]
    pub boards: Arc<crate::analytics::boards::BoardCache>,
    /// Streaks over finished days (`today::streak_cache`).
    #[from_ref(skip)]
    pub streaks: Arc<crate::today::api::ssr::StreakCache>,
    /// The image renderer and its cache (share cards, invite links).
    #[from_ref(skip)]
    pub images: Arc<crate::images::Images>,
    /// The payment provider; `None` when billing is off (no Stripe key).
    #[from_ref(skip)]
    pub billing: Option<Arc<dyn crate::billing::provider::BillingProvider>>,
    /// Extra `form-action` origins for the CSP (Stripe's pages when billing is on).
    #[from_ref(skip)]
    pub form_targets: Arc<str>,
    /// The admin gate: the identity provider's keys and refused attempts per address.
    #[from_ref(skip)]
    pub admin: Arc<crate::admin::auth::AdminGate>,
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
        let live_handshake_limiter = Arc::new(RateLimiter::per_minute(
            config.live_handshakes_per_user_per_minute,
        ));
        let mutation_limiter = Arc::new(MutationLimiter::new(config.mutation_limits));
        let view_gate = Arc::new(RateLimiter::new(1, std::time::Duration::from_secs(3600)));
        let live = LiveHub::start(db.clone(), &config.database_url, config.live_recheck);
        let images = Arc::new(crate::images::Images::new(config.font_dirs.clone()));
        let billing = config.stripe.as_ref().and_then(|stripe| {
            match crate::billing::stripe_provider::StripeProvider::new(stripe) {
                Ok(provider) => {
                    Some(Arc::new(provider) as Arc<dyn crate::billing::provider::BillingProvider>)
                }
                Err(reason) => {
                    tracing::error!(%reason, "billing is off: the Stripe client could not be made");
                    None
                }
            }
        });
        let form_targets: Arc<str> = match (&billing, &config.stripe) {
            (Some(_), Some(stripe)) => stripe.form_targets().into(),
            _ => "".into(),
        };
        let admin = Arc::new(crate::admin::auth::AdminGate::new(
            &config.admin,
            outside_client(),
        ));
        Self {
            drafts: Arc::default(),
            boards: Arc::default(),
            streaks: Arc::default(),
            admin,
            billing,
            form_targets,
            live,
            images,
            live_handshake_limiter,
            mutation_limiter,
            view_gate,
            db,
            config: Arc::new(config),
            leptos_options,
            auth_ip_limiter,
            invite_ip_limiter,
        }
    }
}

/// The HTTP client for calls to outside services: bounded connect and overall times, at
/// most three redirects, our name in the user agent.
pub fn outside_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("OneRing/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, "the HTTP client could not be configured; using defaults");
            reqwest::Client::new()
        })
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

/// The client's address, as limits count it (see [`address_key`]): the socket's peer, or,
/// behind `trusted_proxy_hops` proxies of ours, the address the outermost of them saw — the
/// `n`-th `X-Forwarded-For` entry from the right. Entries further left were written by the
/// client and are ignored. A request that came through fewer proxies than configured is
/// counted under the peer's address.
pub fn client_ip(parts: &Parts, config: &Config) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| {
            addr.ip()
        });
    let hops = config.trusted_proxy_hops;
    if hops == 0 {
        return address_key(peer);
    }
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let seen_by_outermost = forwarded
        .len()
        .checked_sub(hops)
        .and_then(|i| forwarded.get(i))
        .and_then(|entry| entry.parse::<IpAddr>().ok());
    address_key(seen_by_outermost.unwrap_or(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(forwarded: &[&str]) -> Parts {
        let mut builder = http::Request::builder();
        for value in forwarded {
            builder = builder.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = builder.body(()).unwrap_or_default().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))));
        parts
    }

    fn with_hops(hops: usize) -> Config {
        let mut config = Config::for_database("sqlite::memory:");
        config.trusted_proxy_hops = hops;
        config
    }

    #[test]
    fn the_client_is_what_the_trusted_proxy_saw() {
        let spoofed = parts(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(
            client_ip(&spoofed, &with_hops(1)).to_string(),
            "203.0.113.9"
        );
        assert_eq!(client_ip(&spoofed, &with_hops(0)).to_string(), "10.0.0.1");
        let two_proxies = parts(&["6.6.6.6", "203.0.113.9, 198.51.100.2"]);
        assert_eq!(
            client_ip(&two_proxies, &with_hops(2)).to_string(),
            "203.0.113.9"
        );
        let short = parts(&[]);
        assert_eq!(client_ip(&short, &with_hops(1)).to_string(), "10.0.0.1");
        let garbage = parts(&["not-an-address"]);
        assert_eq!(client_ip(&garbage, &with_hops(1)).to_string(), "10.0.0.1");
    }
}
