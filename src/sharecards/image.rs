//! The card image routes (plain axum routes: link previews and `<img>` ask for them, not a
//! page's server function).

use axum::extract::{Path, Request, State};
use axum::response::Response;

use super::template::{card_svg, CardImage};
use crate::error::AppError;
use crate::images::{refusal, serve, Audience, Drawable, Outdated};
use crate::server::state::AppState;

fn drawable(image: CardImage) -> Drawable<CardImage> {
    Drawable {
        kind: "card",
        content: image,
        draw: |r, image| r.png(&card_svg(r, image)),
    }
}

/// `GET /images/cards/{slug}/{version}.png`: a shared card's image, for anyone (and link
/// previews). The same 404 as an unknown slug once sharing is off, or when the owner's plan
/// has no card images. An older version is served while it is in memory, else the current
/// one is pointed to.
pub async fn public_card(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    let image = match super::api::public_card_image(&state, &slug).await {
        Ok(Some(image)) => image,
        Ok(None) => return refusal(&AppError::NotFound),
        Err(error) => return refusal(&error),
    };
    let current = |version: &str| format!("/images/cards/{slug}/{version}.png");
    serve(
        &state.images,
        request.headers(),
        &file,
        drawable(image),
        Audience::Public,
        Outdated::RedirectTo(&current),
    )
    .await
}

/// `GET /api/sharecards/image/{draft_id}/{version}.png`: the card's image for the draft's
/// members (the modal's preview and its download), shared or not; only their own browser
/// caches it.
pub async fn member_card(
    State(state): State<AppState>,
    Path((draft_id, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let user = match crate::auth::service::current_session(&state, &parts).await {
        Ok(Some(current)) => current.user,
        Ok(None) => return refusal(&AppError::sign_in_required()),
        Err(error) => return refusal(&error),
    };
    let image = match super::api::member_card_image(&state, &draft_id, &user).await {
        Ok(image) => image,
        Err(error) => return refusal(&error),
    };
    serve(
        &state.images,
        &parts.headers,
        &file,
        drawable(image),
        Audience::Private,
        Outdated::NotFound,
    )
    .await
}
