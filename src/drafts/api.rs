//! Draft server functions. Every mutation takes an `idempotency_key` (one per user intent)
//! and runs once per key; see `crate::idempotency`. Endpoints are listed in `docs/API.md`.
//!
//! Each function checks and parses its input here, before the write is queued (ids, roles,
//! the text and its length on every platform), so the write itself only applies rules that
//! depend on the draft's state, and costs the shared writer little.

use leptos::prelude::*;

use super::types::{AddedCollaborator, CreatedDraft, DraftPage, DraftView, Segment};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::idempotency::{fingerprint, mutate};
#[cfg(feature = "ssr")]
use crate::ids::{parse_field_id, parse_id};

/// Starts a draft with its first segment; the creator owns it and holds the ring.
#[server(prefix = "/api", endpoint = "drafts/create")]
pub async fn create_draft(
    title: String,
    subtitle: Option<String>,
    platform: String,
    first_segment: String,
    idempotency_key: String,
) -> Result<CreatedDraft, AppError> {
    let draft =
        super::model::NewDraft::parse(&title, subtitle.as_deref(), &platform, &first_segment)?;
    let created = mutate(
        "drafts.create",
        &idempotency_key,
        fingerprint(&[
            title.as_str(),
            subtitle.as_deref().unwrap_or(""),
            &platform,
            &first_segment,
        ]),
        move |tx, user| {
            Box::pin(async move { super::service::create_draft(tx, &user, &draft).await })
        },
    )
    .await?;
    // Posted without a script: open the new draft (a script navigates by itself).
    crate::server::forms::go_to_after_form(&crate::ui::nav::draft_path(&created.id));
    Ok(created)
}

/// My drafts and the ones I collaborate on, most recently active first, 20 a page.
#[server(prefix = "/api", endpoint = "drafts/list")]
pub async fn list_drafts(page: u32) -> Result<DraftPage, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    super::store::list_drafts(&state.db, &user.id, page).await
}

/// One draft with its segments, collaborators and ring history.
#[server(prefix = "/api", endpoint = "drafts/get")]
pub async fn get_draft(draft_id: String) -> Result<DraftView, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let draft_id = parse_id(&draft_id)?;
    let view = super::store::load_draft(&state.db, &state.drafts, draft_id, &user).await?;
    crate::analytics::events::record_view(&state, draft_id, &user.id).await;
    Ok(view)
}

/// Appends a segment (ring holder only).
#[server(prefix = "/api", endpoint = "drafts/append")]
pub async fn append_segment(
    draft_id: String,
    content: String,
    idempotency_key: String,
) -> Result<Segment, AppError> {
    parse_id(&draft_id)?;
    let text = super::model::MeasuredText::measure(&content)?;
    mutate(
        "drafts.append",
        &idempotency_key,
        fingerprint(&[&draft_id, &content]),
        move |tx, user| {
            Box::pin(
                async move { super::service::append_segment(tx, &draft_id, &user, &text).await },
            )
        },
    )
    .await
}

/// Edits my segment while I hold the ring.
#[server(prefix = "/api", endpoint = "drafts/edit_segment")]
pub async fn edit_segment(
    draft_id: String,
    segment_id: String,
    content: String,
    idempotency_key: String,
) -> Result<Segment, AppError> {
    parse_id(&draft_id)?;
    parse_id(&segment_id)?;
    let text = super::model::MeasuredText::measure(&content)?;
    mutate(
        "drafts.edit_segment",
        &idempotency_key,
        fingerprint(&[draft_id.as_str(), &segment_id, &content]),
        move |tx, user| {
            Box::pin(async move {
                super::service::edit_segment(tx, &draft_id, &segment_id, &user, &text).await
            })
        },
    )
    .await
}

/// Deletes my segment while I hold the ring; later segments move up.
#[server(prefix = "/api", endpoint = "drafts/delete_segment")]
pub async fn delete_segment(
    draft_id: String,
    segment_id: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    parse_id(&draft_id)?;
    parse_id(&segment_id)?;
    mutate(
        "drafts.delete_segment",
        &idempotency_key,
        fingerprint(&[&draft_id, &segment_id]),
        move |tx, user| {
            Box::pin(async move {
                super::service::delete_segment(tx, &draft_id, &segment_id, &user).await
            })
        },
    )
    .await
}

/// Passes the ring to an owner or editor (holder only).
#[server(prefix = "/api", endpoint = "drafts/pass_ring")]
pub async fn pass_ring(
    draft_id: String,
    to_user_id: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    parse_id(&draft_id)?;
    parse_field_id("to_user_id", &to_user_id)?;
    mutate(
        "drafts.pass_ring",
        &idempotency_key,
        fingerprint(&[&draft_id, &to_user_id]),
        move |tx, user| {
            Box::pin(
                async move { super::service::pass_ring(tx, &draft_id, &user, &to_user_id).await },
            )
        },
    )
    .await
}

/// The owner takes the ring back.
#[server(prefix = "/api", endpoint = "drafts/reclaim_ring")]
pub async fn reclaim_ring(draft_id: String, idempotency_key: String) -> Result<(), AppError> {
    parse_id(&draft_id)?;
    mutate(
        "drafts.reclaim_ring",
        &idempotency_key,
        fingerprint(&[&draft_id]),
        move |tx, user| {
            Box::pin(async move { super::service::reclaim_ring(tx, &draft_id, &user).await })
        },
    )
    .await
}

/// The role someone is given on a draft: editor or viewer (a draft has one owner).
#[cfg(feature = "ssr")]
fn collaborator_role(raw: &str) -> Result<super::types::Role, AppError> {
    match super::types::Role::parse(raw)? {
        super::types::Role::Owner => Err(AppError::validation(
            "role",
            "A draft has one owner. Choose editor or viewer.",
        )),
        role => Ok(role),
    }
}

/// The owner adds someone by handle as editor or viewer.
#[server(prefix = "/api", endpoint = "drafts/add_collaborator")]
pub async fn add_collaborator(
    draft_id: String,
    handle: String,
    role: String,
    idempotency_key: String,
) -> Result<AddedCollaborator, AppError> {
    parse_id(&draft_id)?;
    let wanted_role = collaborator_role(&role)?;
    let wanted = crate::auth::model::Handle::parse(&handle)
        .map_err(|_| AppError::validation("handle", "There is no one with that handle."))?;
    mutate(
        "drafts.add_collaborator",
        &idempotency_key,
        fingerprint(&[draft_id.as_str(), &handle, &role]),
        move |tx, user| {
            Box::pin(async move {
                super::service::add_collaborator(tx, &draft_id, &user, wanted.as_str(), wanted_role)
                    .await
            })
        },
    )
    .await
}

/// The owner changes a collaborator's role.
#[server(prefix = "/api", endpoint = "drafts/set_role")]
pub async fn set_role(
    draft_id: String,
    user_id: String,
    role: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    parse_id(&draft_id)?;
    parse_id(&user_id)?;
    let wanted = super::types::Role::parse(&role)?;
    mutate(
        "drafts.set_role",
        &idempotency_key,
        fingerprint(&[draft_id.as_str(), &user_id, &role]),
        move |tx, user| {
            Box::pin(async move {
                super::service::set_role(tx, &draft_id, &user, &user_id, wanted).await
            })
        },
    )
    .await
}

/// The owner removes a collaborator (the ring returns to the owner if they held it).
#[server(prefix = "/api", endpoint = "drafts/remove_collaborator")]
pub async fn remove_collaborator(
    draft_id: String,
    user_id: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    parse_id(&draft_id)?;
    parse_id(&user_id)?;
    mutate(
        "drafts.remove_collaborator",
        &idempotency_key,
        fingerprint(&[&draft_id, &user_id]),
        move |tx, user| {
            Box::pin(async move {
                super::service::remove_collaborator(tx, &draft_id, &user, &user_id).await
            })
        },
    )
    .await
}

/// The owner sets the status: draft, published or archived (read-only). Un-archiving needs
/// room on the owner's plan; the answer is the plan's notice (grace used), if any.
#[server(prefix = "/api", endpoint = "drafts/set_status")]
pub async fn set_status(
    draft_id: String,
    status: String,
    idempotency_key: String,
) -> Result<Option<String>, AppError> {
    parse_id(&draft_id)?;
    let wanted = super::types::DraftStatus::parse(&status)?;
    mutate(
        "drafts.set_status",
        &idempotency_key,
        fingerprint(&[&draft_id, &status]),
        move |tx, user| {
            Box::pin(async move { super::service::set_status(tx, &draft_id, &user, wanted).await })
        },
    )
    .await
}
