//! The axum application: pages, server functions, health, static files and the layers in
//! front of them. `main` serves it; the integration tests drive it directly.

use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Router};
use http::request::Parts;
use http::{HeaderName, Request};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use super::security::{panic_response, refuse_cross_site, security_headers, CspNonce};
use super::state::AppState;
use super::{errors, health, input};
use crate::app::{shell, App};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every request's rendering and server functions share: the CSP nonce (so the
/// hydration script carries the nonce the `Content-Security-Policy` header names), and the
/// signed-in session, looked up once per request.
fn provide_request_context() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
    provide_context(crate::auth::api::RequestSession::default());
}

fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let path = loggable_path(req.uri().path());
    tracing::info_span!("request", method = %req.method(), path = %path, request_id)
}

/// The bundle's files have short names; a longer path names nothing (and a file system
/// would refuse it with an error the file server answers as 500).
async fn no_such_long_file(
    req: http::Request<axum::body::Body>,
    next: middleware::Next,
) -> axum::response::Response {
    if req.uri().path().len() > 200 {
        return http::StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

/// The path as logs may show it: an invite link's code is a secret and never logged.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/refer/") {
        "/refer/<code>"
    } else {
        path
    }
}

/// The app's routes, listed once per process.
///
/// Listing them renders the app with resource loading suppressed through a process-wide
/// flag (leptos_server's `SuppressResourceLoad`): a resource first polled on another thread
/// while that flag is up waits forever, and so does the page rendering it
/// (leptos-rs/leptos#4773). A server lists its routes once, before it serves anything; the
/// tests build many apps in one process while others serve pages, which made a page hang
/// now and then. Listing them once keeps the flag down for good after start-up.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build_router(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let shell_options = options.clone();
    let render_shell = move || shell(shell_options.clone());

    Router::new()
        .route("/api/health", get(health::health))
        .route(
            "/api/live/drafts/{draft_id}",
            get(crate::live::socket::open),
        )
        .route(
            "/images/cards/{slug}/{file}",
            get(crate::sharecards::image::public_card),
        )
        .route(
            "/api/sharecards/image/{draft_id}/{file}",
            get(crate::sharecards::image::member_card),
        )
        .route(
            "/images/invites/{invite_id}/{file}",
            get(crate::invites::image::serve),
        )
        .route(
            "/images/people/{handle}/{file}",
            get(crate::today::image::public_person),
        )
        .route("/api/today/card/{file}", get(crate::today::image::my_card))
        .route(
            "/api/publishing/oauth/{network}/callback",
            get(crate::publishing::oauth::callback),
        )
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            ServiceBuilder::new()
                .layer(middleware::from_fn(no_such_long_file))
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .leptos_routes_with_context(&state, routes, provide_request_context, render_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_request_context, shell))
        // Layers wrap what is above them: the last is outermost and sees a request first.
        .layer(RequestBodyLimitLayer::new(state.config.body_limit_bytes))
        // After the general limit, so Stripe's events get their own (larger) one.
        .route(
            super::security::STRIPE_WEBHOOK_PATH,
            axum::routing::post(crate::billing::webhook::receive).layer(
                RequestBodyLimitLayer::new(crate::billing::webhook::BODY_LIMIT),
            ),
        )
        .layer(middleware::from_fn(errors::set_server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            input::check_server_fn_input,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_cross_site,
        ))
        // Level 2: the server's pages are its dynamic responses (static files are compressed
        // ahead of time), and on two cores the CPU is the scarcer. On the 216 KB draft page
        // brotli 5 took 3.6 ms a page for 14.1 KB, brotli 2 0.9 ms for 15.9 KB. zstd, which
        // Chrome and Firefox offer and which wins when offered, is faster again at level 2
        // (measured in `scripts/bench.sh`); Safari offers brotli.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(2)))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn(input::refuse_pathless))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invite_codes_never_reach_the_logs() {
        assert_eq!(
            loggable_path("/refer/AbCdEfGhIjKlMnOpQrStUv"),
            "/refer/<code>"
        );
        assert_eq!(loggable_path("/drafts/1"), "/drafts/1");
    }
}
