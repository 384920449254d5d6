//! The personal card's image routes (plain axum routes: link previews and `<img>` ask for
//! them).

use axum::extract::{Path, Request, State};
use axum::response::Response;

use super::api::ssr::{card_at, public_image_path, visible_person};
use super::card::{personal_svg, PersonalImage};
use crate::error::AppError;
use crate::images::{refusal, serve, Audience, Drawable, Outdated};
use crate::server::state::AppState;

fn drawable(image: PersonalImage) -> Drawable<PersonalImage> {
    Drawable {
        kind: "person",
        content: image,
        draw: |r, image| r.png(&personal_svg(r, image)),
    }
}

/// `GET /images/people/{handle}/{version}.png`: a public profile's card, for anyone; a
/// private profile's is the same 404 as an unknown handle's.
pub async fn public_person(
    State(state): State<AppState>,
    Path((handle, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    let now = crate::db::now_ms();
    let found = async {
        let (user, _, zone, _) = visible_person(&state, &handle, None).await?;
        card_at(&state, &user, zone, now).await
    }
    .await;
    let card = match found {
        Ok(card) => card,
        Err(error) => return refusal(&error),
    };
    let current = |version: &str| public_image_path(&card.handle, version);
    serve(
        &state.images,
        request.headers(),
        &file,
        drawable(PersonalImage::from(&card)),
        Audience::Public,
        Outdated::RedirectTo(&current),
    )
    .await
}

/// `GET /api/today/card/{version}.png`: my own card's image, public profile or not (the
/// "Share my card" preview and its download); only my browser caches it.
pub async fn my_card(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let now = crate::db::now_ms();
    let found = async {
        let user = crate::auth::service::current_session(&state, &parts)
            .await?
            .ok_or_else(AppError::sign_in_required)?
            .user;
        let zone = crate::settings::store::zone_of(&state.db, &user.id).await?;
        card_at(&state, &user, zone, now).await
    }
    .await;
    let card = match found {
        Ok(card) => card,
        Err(error) => return refusal(&error),
    };
    serve(
        &state.images,
        &parts.headers,
        &file,
        drawable(PersonalImage::from(&card)),
        Audience::Private,
        Outdated::NotFound,
    )
    .await
}
