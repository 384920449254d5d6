//! An invite link's image: who invites and to which platform's thread, never the draft's
//! title (a pasted link unfurls for everyone in a channel).

use crate::images::render::{framed, svg_text, Palette, Renderer};

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
    let body = format!(
        r##"<text x="80" y="280" font-size="{inviter_size}" font-weight="700" fill="#ffffff">{}</text>
<text x="80" y="350" font-size="40" fill="#ffffff" fill-opacity="0.92">{}</text>
<text x="80" y="560" font-size="28" fill="{INVITE_ACCENT}">One ring. Pass it on, one post at a time.</text>"##,
        svg_text(&inviter),
        svg_text(&invitation),
    );
    let palette = Palette {
        background: "#7c2d12",
        background_to: "#9a3412",
        accent: INVITE_ACCENT,
    };
    framed(&palette, None, &body)
}

/// The invite image's accent (on its deep orange, 5.4:1 and better).
const INVITE_ACCENT: &str = "#fed7aa";

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
    use crate::images::{refusal, Audience, Drawable, Outdated};
    let Ok(invite_id) = crate::ids::parse_id(&invite_id) else {
        return refusal(&AppError::NotFound);
    };
    let image = match super::store::image_facts(&state.db, invite_id, crate::db::now_ms()).await {
        Ok(Some(image)) => image,
        Ok(None) => return refusal(&AppError::NotFound),
        Err(error) => return refusal(&error),
    };
    let drawable = Drawable {
        kind: "invite",
        content: image,
        draw: |r, image| r.png(&invite_svg(r, image)),
    };
    crate::images::serve(
        &state.images,
        &headers,
        &file,
        drawable,
        Audience::Public,
        Outdated::NotFound,
    )
    .await
}
