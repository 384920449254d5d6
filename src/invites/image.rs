//! An invite link's image: who invites and to which platform's thread, never the draft's
//! title (a pasted link unfurls for everyone in a channel).

use crate::images::render::{escape, Renderer, FAMILIES, HEIGHT, WIDTH};

/// What an invite link's image shows: who invites, and to which platform's thread.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InviteImage {
    pub inviter: String,
    pub platform: String,
}

/// The invite link's image as SVG, laid out with `renderer`'s fonts (a 30-letter handle
/// is as wide as the card).
pub fn invite_svg(renderer: &Renderer, invite: &InviteImage) -> String {
    let inviter = format!("@{}", invite.inviter);
    // The whole handle, smaller when it is long: it is who invites.
    let inviter_size = renderer.fitting_size(&inviter, &[68.0, 56.0, 46.0, 38.0], 1040.0);
    let inviter = renderer.line(&inviter, inviter_size, 1040.0);
    let invitation = renderer.line(
        &format!("invites you to write a {} thread together", invite.platform),
        40.0,
        1040.0,
    );
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FAMILIES}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#7c2d12"/><stop offset="1" stop-color="#9a3412"/></linearGradient></defs>
<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>
<circle cx="100" cy="86" r="18" fill="none" stroke="#fed7aa" stroke-width="7"/>
<text x="132" y="97" font-size="30" font-weight="700" fill="#ffffff">OneRing</text>
<text x="80" y="280" font-size="{inviter_size}" font-weight="700" fill="#ffffff">{}</text>
<text x="80" y="350" font-size="40" fill="#ffffff" fill-opacity="0.92">{}</text>
<text x="80" y="560" font-size="28" fill="#fed7aa">One ring. Pass it on, one post at a time.</text>
</svg>"##,
        escape(&inviter),
        escape(&invitation),
    )
}

/// The image's path for an invite (what the refer page's link-preview tags point to).
pub fn image_path(invite_id: &str, image: &InviteImage) -> String {
    format!(
        "/images/invites/{invite_id}/{}.png",
        crate::images::version_of(image)
    )
}

/// `GET /images/invites/{invite_id}/{version}.png`: a usable invite link's image, for
/// anyone; the same 404 for an unknown or unusable one.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    axum::extract::Path((invite_id, file)): axum::extract::Path<(String, String)>,
    headers: http::HeaderMap,
) -> axum::response::Response {
    use crate::error::AppError;
    use crate::server::security::error_response;
    use http::StatusCode;
    let not_found = || error_response(StatusCode::NOT_FOUND, &AppError::NotFound);
    let (Some(wanted), Ok(invite_id)) = (
        crate::images::version_in(&file),
        crate::ids::parse_id(&invite_id),
    ) else {
        return not_found();
    };
    let image = match super::store::image_facts(&state.db, invite_id, crate::db::now_ms()).await {
        Ok(Some(image)) => image,
        Ok(None) => return not_found(),
        Err(error) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &error),
    };
    let version = crate::images::version_of(&image);
    if version != wanted {
        return not_found();
    }
    let drawn = state
        .images
        .png(format!("invite:{version}"), move |r| {
            r.png(&invite_svg(r, &image))
        })
        .await;
    match drawn {
        Ok(png) => {
            crate::images::png_response(&headers, &version, &png, crate::images::Audience::Public)
        }
        Err(error) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &error),
    }
}
