//! Invite server functions (listed in `docs/API.md`). Mutations take an idempotency key.
//! Every code lookup counts against the caller's address (brute-force guard).

use leptos::prelude::*;

use super::types::{Acceptance, CreatedInvite, InvitePreview, InviteSummary};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::invites::code;
    use crate::server::state::{app_state, client_ip, request_parts};

    /// The code to look up: the one given, else the one a signed-out visit left in its
    /// cookie. Counts one lookup against the caller's address first.
    pub fn code_to_look_up(given: Option<String>) -> Result<String, AppError> {
        let state = app_state()?;
        let parts = request_parts()?;
        state
            .invite_ip_limiter
            .check(&client_ip(&parts, &state.config))
            .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
        given
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .or_else(|| code::code_from_cookie(&parts.headers))
            .filter(|c| code::is_well_formed(c))
            .ok_or(AppError::InviteUnavailable)
    }
}

/// The owner creates an invite; the response carries its link, once.
#[server(prefix = "/api", endpoint = "invites/create")]
pub async fn create_invite(
    draft_id: String,
    role: String,
    note: Option<String>,
    expires_in_days: Option<u32>,
    max_uses: Option<u32>,
    idempotency_key: String,
) -> Result<CreatedInvite, AppError> {
    use super::code::{code_hash, link, new_code};
    use super::service::NewInvite;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let state = crate::server::state::app_state()?;
    crate::ids::parse_id(&draft_id)?;
    let per_hour = state.config.invites_per_user_per_hour;
    let request = NewInvite {
        role,
        note,
        expires_in_days,
        max_uses,
    };
    let wanted = request.check()?;
    let fingerprint = crate::idempotency::fingerprint(&[
        draft_id.as_str(),
        &request.role,
        request.note.as_deref().unwrap_or(""),
        &request
            .expires_in_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        &request.max_uses.map(|u| u.to_string()).unwrap_or_default(),
    ]);
    // The code is made here and never stored; only this run's response shows it. A replay
    // of the same request returns the stored invite without a link.
    let code = new_code();
    let hash = code_hash(&code);
    let created_now = Arc::new(AtomicBool::new(false));
    let created_flag = created_now.clone();
    let invite: InviteSummary = crate::idempotency::mutate(
        "invites.create",
        &idempotency_key,
        fingerprint,
        move |tx, user| {
            Box::pin(async move {
                let invite = super::service::create_invite(
                    tx,
                    &draft_id,
                    &user,
                    &wanted,
                    &hash,
                    per_hour,
                    crate::db::now_ms(),
                )
                .await?;
                created_flag.store(true, Ordering::SeqCst);
                Ok(invite)
            })
        },
    )
    .await?;
    let link = created_now
        .load(Ordering::SeqCst)
        .then(|| format!("{}{}", state.config.public_origin, link(&code)));
    Ok(CreatedInvite { invite, link })
}

/// The draft's invites (never their codes): owner only.
#[server(prefix = "/api", endpoint = "invites/list")]
pub async fn list_invites(draft_id: String) -> Result<Vec<InviteSummary>, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let draft_id = crate::ids::parse_id(&draft_id)?;
    super::store::list_invites(&state.db, draft_id, &user, crate::db::now_ms()).await
}

/// The owner withdraws a pending invite.
#[server(prefix = "/api", endpoint = "invites/revoke")]
pub async fn revoke_invite(
    draft_id: String,
    invite_id: String,
    idempotency_key: String,
) -> Result<InviteSummary, AppError> {
    crate::ids::parse_id(&draft_id)?;
    crate::ids::parse_id(&invite_id)?;
    crate::idempotency::mutate(
        "invites.revoke",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&draft_id, &invite_id]),
        move |tx, user| {
            Box::pin(async move {
                super::service::revoke_invite(tx, &draft_id, &invite_id, &user, crate::db::now_ms())
                    .await
            })
        },
    )
    .await
}

/// What `/refer/<code>` shows. Without a code, the one a signed-out visit remembered. A
/// signed-out visitor's code is remembered (HttpOnly cookie) for their way back after
/// signing up or in.
#[server(prefix = "/api", endpoint = "invites/preview")]
pub async fn preview_invite(code: Option<String>) -> Result<InvitePreview, AppError> {
    let state = crate::server::state::app_state()?;
    let code = ssr::code_to_look_up(code)?;
    let viewer = crate::auth::api::current().await?.map(|c| c.user);
    let preview = super::store::preview(
        &state.db,
        &super::code::code_hash(&code),
        viewer.as_ref(),
        crate::db::now_ms(),
    )
    .await;
    let secure = state.config.is_https();
    let preview = preview.map(|mut p| {
        p.image_url = p
            .image_url
            .map(|path| format!("{}{path}", state.config.public_origin));
        p
    });
    match &preview {
        // Remembered for a signed-out visitor's way back, and for the join form, which works
        // without a script and so cannot carry the code (the page never holds it).
        Ok(p) if viewer.is_none() || p.visitor == super::types::Visitor::Invitee => {
            crate::auth::api::set_cookie(&super::code::remember_cookie(&code, secure))?;
        }
        Err(AppError::InviteUnavailable) => {
            crate::auth::api::set_cookie(&super::code::forget_cookie(secure))?;
        }
        _ => {}
    }
    preview
}

/// Joins the draft behind the code (or the remembered one) with the invite's role.
#[server(prefix = "/api", endpoint = "invites/accept")]
pub async fn accept_invite(
    code: Option<String>,
    idempotency_key: String,
) -> Result<Acceptance, AppError> {
    let state = crate::server::state::app_state()?;
    let code = ssr::code_to_look_up(code)?;
    let hash = super::code::code_hash(&code);
    let accepted = crate::idempotency::mutate(
        "invites.accept",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&hash]),
        move |tx, user| {
            Box::pin(async move {
                super::service::accept_invite(tx, &hash, &user, crate::db::now_ms()).await
            })
        },
    )
    .await;
    if matches!(accepted, Ok(_) | Err(AppError::InviteUnavailable)) {
        crate::auth::api::set_cookie(&super::code::forget_cookie(state.config.is_https()))?;
    }
    if let Ok(acceptance) = &accepted {
        crate::server::forms::go_to_after_form(&crate::ui::nav::draft_path(&acceptance.draft_id));
    }
    accepted
}

/// Hides the "You joined" banner on a draft for good.
#[server(prefix = "/api", endpoint = "invites/dismiss_join_notice")]
pub async fn dismiss_join_notice(
    draft_id: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    crate::ids::parse_id(&draft_id)?;
    crate::idempotency::mutate(
        "invites.dismiss_join_notice",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&draft_id]),
        move |tx, user| {
            Box::pin(async move { super::service::dismiss_join_notice(tx, &draft_id, &user).await })
        },
    )
    .await
}
