//! Share-card server functions (listed in `docs/API.md`), and what the image routes ask.

use leptos::prelude::*;

use super::types::{CardView, PublicCard};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::card::share_card;
    use super::super::store::{self, Sharing};
    use super::super::template::CardImage;
    use super::super::types::{CallToAction, ShareCard};
    use crate::auth::model::PublicUser;
    use crate::error::AppError;
    use crate::plans::types::Entitlement;
    use crate::server::state::AppState;

    /// What the image shows, from the card.
    pub fn image_of(card: &ShareCard) -> CardImage {
        CardImage {
            title: card.title.clone(),
            subtitle: card.subtitle.clone(),
            top_line: card.top_line.clone(),
            platform: card.platform.label().to_owned(),
            metrics: card.metrics,
            contributors: card.contributors.clone(),
            theme: card.theme.clone(),
        }
    }

    pub fn member_cta(draft_id: &str) -> CallToAction {
        CallToAction {
            label: "Open the draft".to_owned(),
            url: crate::ui::nav::draft_path(draft_id),
        }
    }

    pub fn visitor_cta() -> CallToAction {
        CallToAction {
            label: "Start your own ring".to_owned(),
            url: "/signup".to_owned(),
        }
    }

    /// The card of a draft `viewer` is on (strangers: `NotFound`).
    pub async fn members_card(
        state: &AppState,
        draft_id: &str,
        viewer: &PublicUser,
        now: i64,
    ) -> Result<ShareCard, AppError> {
        crate::drafts::store::role_of(state.db.pool(), draft_id, &viewer.id).await?;
        let facts = store::card_facts(&state.db, draft_id, false, now).await?;
        Ok(share_card(&facts, member_cta(draft_id), now))
    }

    /// Whether the draft's owner's plan puts images on public cards.
    pub async fn public_images(
        state: &AppState,
        draft_id: &str,
        now: i64,
    ) -> Result<bool, AppError> {
        let owner = store::owner_of(&state.db, draft_id).await?;
        crate::plans::store::has_feature(&state.db, &owner, Entitlement::SharecardsImages, now)
            .await
    }

    /// The shared card behind `slug`, for a visitor (`NotFound` when unknown or off).
    pub async fn public_card(
        state: &AppState,
        slug: &str,
        viewer: Option<&PublicUser>,
        now: i64,
    ) -> Result<(ShareCard, Sharing), AppError> {
        if !store::is_slug(slug) {
            return Err(AppError::NotFound);
        }
        let sharing = store::sharing_by_slug(&state.db, slug)
            .await?
            .ok_or(AppError::NotFound)?;
        let member = match viewer {
            Some(user) => {
                crate::drafts::store::role_of(state.db.pool(), &sharing.draft_id, &user.id)
                    .await
                    .is_ok()
            }
            None => false,
        };
        let cta = if member {
            member_cta(&sharing.draft_id)
        } else {
            visitor_cta()
        };
        let facts =
            store::card_facts(&state.db, &sharing.draft_id, sharing.show_thread, now).await?;
        Ok((share_card(&facts, cta, now), sharing))
    }
}

#[cfg(feature = "ssr")]
pub use ssr::image_of;

/// What the public image route draws for `slug` now: `None` when the owner's plan has no
/// card images.
#[cfg(feature = "ssr")]
pub async fn public_card_image(
    state: &crate::server::state::AppState,
    slug: &str,
) -> Result<Option<super::template::CardImage>, AppError> {
    let now = crate::db::now_ms();
    let (card, sharing) = ssr::public_card(state, slug, None, now).await?;
    if !ssr::public_images(state, &sharing.draft_id, now).await? {
        return Ok(None);
    }
    Ok(Some(ssr::image_of(&card)))
}

/// What the members' image route draws for a draft now.
#[cfg(feature = "ssr")]
pub async fn member_card_image(
    state: &crate::server::state::AppState,
    draft_id: &str,
    viewer: &crate::auth::model::PublicUser,
) -> Result<super::template::CardImage, AppError> {
    let draft_id = crate::ids::parse_id(draft_id)?;
    let card = ssr::members_card(state, draft_id, viewer, crate::db::now_ms()).await?;
    Ok(ssr::image_of(&card))
}

/// The draft's card for its members: the card, its image, and the sharing settings.
#[server(prefix = "/api", endpoint = "sharecards/card")]
pub async fn get_card(draft_id: String, now: Option<String>) -> Result<CardView, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let draft_id = crate::ids::parse_id(&draft_id)?;
    let now = crate::clock::parse_now(now.as_deref())?;
    let card = ssr::members_card(&state, draft_id, &user, now).await?;
    let version = crate::images::version_of(&ssr::image_of(&card));
    let sharing = super::store::sharing_of(&state.db, draft_id).await?;
    let owner_id = super::store::owner_of(&state.db, draft_id).await?;
    Ok(CardView {
        image_path: format!("/api/sharecards/image/{draft_id}/{version}.png"),
        public_link: sharing
            .as_ref()
            .map(|s| format!("{}/c/{}", state.config.public_origin, s.slug)),
        show_thread: sharing.as_ref().is_some_and(|s| s.show_thread),
        i_own_it: owner_id == user.id,
        public_image: ssr::public_images(&state, draft_id, now).await?,
        card,
    })
}

/// The owner turns the public card on (a new slug when it was off) or off (its link dies),
/// and chooses whether the public page shows the thread (default: it does not).
#[server(prefix = "/api", endpoint = "sharecards/set_sharing")]
pub async fn set_sharing(
    draft_id: String,
    enabled: String,
    show_thread: Option<String>,
    idempotency_key: String,
) -> Result<CardView, AppError> {
    let enabled_now = crate::text::flag("enabled", &enabled)?;
    let with_thread = crate::text::flag("show_thread", show_thread.as_deref().unwrap_or("false"))?;
    crate::ids::parse_id(&draft_id)?;
    // The slug is made here, outside the write; a replay keeps the first one.
    let slug = super::store::new_slug();
    let target = draft_id.clone();
    crate::idempotency::mutate(
        "sharecards.set_sharing",
        &idempotency_key,
        crate::idempotency::fingerprint(&[
            &draft_id,
            &enabled,
            show_thread.as_deref().unwrap_or(""),
        ]),
        move |tx, user| {
            Box::pin(async move {
                crate::drafts::service::require_owner(tx, &target, &user).await?;
                super::store::set_sharing(
                    tx,
                    &target,
                    enabled_now,
                    with_thread,
                    &slug,
                    crate::db::now_ms(),
                )
                .await
            })
        },
    )
    .await?;
    get_card(draft_id, None).await
}

/// The public card behind a slug (anyone; the same 404 as an unknown slug once it is off).
/// Opening it is recorded, at most once per visitor and hour.
#[server(prefix = "/api", endpoint = "sharecards/public")]
pub async fn get_public_card(slug: String, now: Option<String>) -> Result<PublicCard, AppError> {
    let state = crate::server::state::app_state()?;
    let viewer = crate::auth::api::current().await?.map(|c| c.user);
    let now = crate::clock::parse_now(now.as_deref())?;
    let (card, sharing) = ssr::public_card(&state, &slug, viewer.as_ref(), now).await?;
    record(
        &state,
        &sharing.draft_id,
        viewer.as_ref(),
        crate::analytics::types::Activity::CardViewed,
    )
    .await?;
    let image_url = if ssr::public_images(&state, &sharing.draft_id, now).await? {
        let version = crate::images::version_of(&ssr::image_of(&card));
        Some(format!(
            "{}/images/cards/{}/{version}.png",
            state.config.public_origin, sharing.slug
        ))
    } else {
        None
    };
    Ok(PublicCard {
        card,
        image_url,
        page_url: format!("{}/c/{}", state.config.public_origin, sharing.slug),
    })
}

/// Someone copied the card's link or JSON (from the modal or the public page): recorded at
/// most once per person, card and hour, which makes a repeat harmless.
#[server(prefix = "/api", endpoint = "sharecards/copied")]
pub async fn card_copied(slug: Option<String>, draft_id: Option<String>) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let viewer = crate::auth::api::current().await?.map(|c| c.user);
    let draft_id = match (slug, draft_id) {
        (Some(slug), _) if super::store::is_slug(&slug) => {
            super::store::sharing_by_slug(&state.db, &slug)
                .await?
                .ok_or(AppError::NotFound)?
                .draft_id
        }
        (_, Some(draft_id)) => {
            let user = viewer.as_ref().ok_or_else(AppError::sign_in_required)?;
            let draft_id = crate::ids::parse_id(&draft_id)?.to_owned();
            crate::drafts::store::role_of(state.db.pool(), &draft_id, &user.id).await?;
            draft_id
        }
        _ => return Err(AppError::NotFound),
    };
    record(
        &state,
        &draft_id,
        viewer.as_ref(),
        crate::analytics::types::Activity::CardCopied,
    )
    .await
}

/// Records a card view or copy, once per visitor (a person, or an address), card and hour.
#[cfg(feature = "ssr")]
async fn record(
    state: &crate::server::state::AppState,
    draft_id: &str,
    viewer: Option<&crate::auth::model::PublicUser>,
    activity: crate::analytics::types::Activity,
) -> Result<(), AppError> {
    let parts = crate::server::state::request_parts()?;
    let who = match viewer {
        Some(user) => user.id.clone(),
        None => {
            let address = crate::server::state::client_ip(&parts, &state.config).to_string();
            crate::idempotency::fingerprint(&["visitor", &address])
        }
    };
    let event = crate::analytics::events::Event::hourly(
        &who,
        viewer.map(|u| u.id.as_str()),
        draft_id,
        crate::db::now_ms(),
        activity,
    );
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move { crate::analytics::events::record(tx, &event).await })
        })
        .await
        .map(|_| ())
}
