//! The card image routes (plain axum routes: link previews and `<img>` ask for them, not a
//! page's server function).

use axum::extract::{Path, Request, State};
use axum::response::Response;
use http::StatusCode;

use crate::error::AppError;
use crate::images::{png_response, redirect_to_current, version_in, Audience};
use crate::server::security::error_response;
use crate::server::state::AppState;

/// A card's image: its version and PNG (rendered once, then from the cache).
pub async fn render(
    images: &crate::images::Images,
    image: super::template::CardImage,
) -> Result<(String, std::sync::Arc<Vec<u8>>), AppError> {
    let version = crate::images::version_of(&image);
    let png = images
        .png(format!("card:{version}"), move |r| {
            r.png(&super::template::card_svg(r, &image))
        })
        .await?;
    Ok((version, png))
}

fn refusal(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_response(status, error)
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
    let Some(wanted) = version_in(&file).map(str::to_owned) else {
        return refusal(&AppError::NotFound);
    };
    let image = match super::api::public_card_image(&state, &slug).await {
        Ok(Some(image)) => image,
        Ok(None) => return refusal(&AppError::NotFound),
        Err(error) => return refusal(&error),
    };
    match render(&state.images, image).await {
        Ok((version, png)) if version == wanted => {
            png_response(request.headers(), &version, &png, Audience::Public)
        }
        Ok((version, _)) => match state.images.cached_png(&format!("card:{wanted}")) {
            Some(png) => png_response(request.headers(), &wanted, &png, Audience::Public),
            None => redirect_to_current(&format!("/images/cards/{slug}/{version}.png")),
        },
        Err(error) => refusal(&error),
    }
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
    let Some(wanted) = version_in(&file).map(str::to_owned) else {
        return refusal(&AppError::NotFound);
    };
    let user = match crate::auth::service::current_session(&state, &parts).await {
        Ok(Some(current)) => current.user,
        Ok(None) => return refusal(&AppError::sign_in_required()),
        Err(error) => return refusal(&error),
    };
    let image = match super::api::member_card_image(&state, &draft_id, &user).await {
        Ok(image) => image,
        Err(error) => return refusal(&error),
    };
    match render(&state.images, image).await {
        Ok((version, png)) if version == wanted => {
            png_response(&parts.headers, &version, &png, Audience::Private)
        }
        Ok(_) => match state.images.cached_png(&format!("card:{wanted}")) {
            Some(png) => png_response(&parts.headers, &wanted, &png, Audience::Private),
            None => refusal(&AppError::NotFound),
        },
        Err(error) => refusal(&error),
    }
}
