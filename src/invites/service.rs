//! Changing invites: create, revoke, accept, and dismissing the "you joined" banner. Each
//! rule is enforced by the statement that makes the change, inside its write transaction.
//!
//! Accepting is race-free: the draft's row is locked first (the lock order every draft
//! mutation follows), then the collaborator row is inserted (a second accept by the same
//! user finds it and changes nothing), then the use is taken with one conditional
//! `UPDATE … WHERE uses < max_uses AND revoked_at IS NULL AND expires_at > now`. Of two
//! strangers racing for the last use, the database lets exactly one update the row; the
//! other's transaction rolls back whole, its collaborator row with it. Someone removed from
//! a draft may come back through a link that still has uses: that takes a use, like any
//! join. An archived draft takes nobody new: its links answer like any unusable link.

use super::store::{invite_summary, InviteRow, INVITE_COLUMNS};
use super::types::{
    Acceptance, InviteSummary, Joined, DEFAULT_EXPIRY_DAYS, DEFAULT_MAX_USES, MAX_EXPIRY_DAYS,
    MAX_USES, NOTE_MAX_CHARS,
};
use crate::analytics::types::{Activity, JoinedVia};
use crate::auth::model::PublicUser;
use crate::db::Tx;
use crate::drafts::service::{lock_draft, record_activity, require_owner};
use crate::drafts::types::Role;
use crate::error::AppError;
use crate::live::events;
use crate::live::types::DraftEvent;
use crate::plans::store::{self as plans, After};
use crate::plans::types::Entitlement;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// What the owner asks for.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub role: String,
    pub note: Option<String>,
    pub expires_in_days: Option<u32>,
    pub max_uses: Option<u32>,
}

/// An invite request with every field checked (before the write is queued).
pub struct Checked {
    role: Role,
    note: Option<String>,
    expires_in_days: u32,
    max_uses: u32,
}

impl NewInvite {
    pub fn check(&self) -> Result<Checked, AppError> {
        let role = Role::parse(&self.role)?;
        if role == Role::Owner {
            return Err(AppError::validation(
                "role",
                "A draft has one owner. Invite an editor or a viewer.",
            ));
        }
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let note = note
            .map(|n| crate::text::single_line("note", &n, NOTE_MAX_CHARS))
            .transpose()?;
        let expires_in_days = self.expires_in_days.unwrap_or(DEFAULT_EXPIRY_DAYS);
        if !(1..=MAX_EXPIRY_DAYS).contains(&expires_in_days) {
            return Err(AppError::validation(
                "expires_in_days",
                format!("An invite lasts from 1 to {MAX_EXPIRY_DAYS} days."),
            ));
        }
        let max_uses = self.max_uses.unwrap_or(DEFAULT_MAX_USES);
        if !(1..=MAX_USES).contains(&max_uses) {
            return Err(AppError::validation(
                "max_uses",
                format!("An invite can be used from 1 to {MAX_USES} times."),
            ));
        }
        Ok(Checked {
            role,
            note,
            expires_in_days,
            max_uses,
        })
    }
}

/// The owner creates an invite whose code hashes to `code_hash`. At most `per_hour` per
/// user per hour, counted in the database so the limit holds across app servers.
pub async fn create_invite(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    wanted: &Checked,
    code_hash: &str,
    per_hour: u32,
    now: i64,
) -> Result<InviteSummary, AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    state.refuse_if_archived()?;
    let asked = After::Amount(i64::from(wanted.max_uses));
    plans::enforce(tx, &owner.id, Entitlement::InvitesMaxUses, asked, true, now).await?;
    let recent: Vec<i64> = sqlx::query_scalar(
        "SELECT created_at FROM invites WHERE created_by = $1 AND created_at > $2 \
         ORDER BY created_at LIMIT $3",
    )
    .bind(&owner.id)
    .bind(now - HOUR_MS)
    .bind(i64::from(per_hour))
    .fetch_all(&mut **tx)
    .await?;
    if recent.len() >= per_hour as usize {
        let oldest = recent.first().copied().unwrap_or(now);
        let retry_after_s = ((oldest + HOUR_MS - now) / 1000).max(1) as u64;
        return Err(AppError::RateLimited { retry_after_s });
    }
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO invites (id, draft_id, created_by, code_hash, role, note, max_uses, uses, \
         expires_at, revoked_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL, $9)",
    )
    .bind(&id)
    .bind(draft_id)
    .bind(&owner.id)
    .bind(code_hash)
    .bind(wanted.role.as_str())
    .bind(&wanted.note)
    .bind(i64::from(wanted.max_uses))
    .bind(now + i64::from(wanted.expires_in_days) * DAY_MS)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    invite_by_id(tx, draft_id, &id, now).await
}

async fn invite_by_id(
    tx: &mut Tx,
    draft_id: &str,
    invite_id: &str,
    now: i64,
) -> Result<InviteSummary, AppError> {
    let row = sqlx::query_as::<_, InviteRow>(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites WHERE id = $1 AND draft_id = $2"
    ))
    .bind(invite_id)
    .bind(draft_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let accepted_by: Vec<String> = sqlx::query_scalar(
        "SELECT u.handle FROM invite_acceptances a JOIN users u ON u.id = a.user_id \
         WHERE a.invite_id = $1 ORDER BY a.accepted_at, u.handle",
    )
    .bind(invite_id)
    .fetch_all(&mut **tx)
    .await?;
    invite_summary(row, accepted_by, now)
}

/// The owner withdraws an invite that can still be used.
pub async fn revoke_invite(
    tx: &mut Tx,
    draft_id: &str,
    invite_id: &str,
    owner: &PublicUser,
    now: i64,
) -> Result<InviteSummary, AppError> {
    require_owner(tx, draft_id, owner).await?;
    let revoked = sqlx::query(
        "UPDATE invites SET revoked_at = $1 WHERE id = $2 AND draft_id = $3 \
         AND revoked_at IS NULL AND uses < max_uses AND expires_at > $1",
    )
    .bind(now)
    .bind(invite_id)
    .bind(draft_id)
    .execute(&mut **tx)
    .await?;
    let invite = invite_by_id(tx, draft_id, invite_id, now).await?;
    if revoked.rows_affected() == 0 {
        return Err(AppError::conflict(format!(
            "This invite is already {}; only pending invites can be revoked.",
            invite.status.label()
        )));
    }
    Ok(invite)
}

#[derive(sqlx::FromRow)]
struct Target {
    id: String,
    draft_id: String,
    role: String,
}

/// `user` accepts the invite whose code hashes to `code_hash`.
pub async fn accept_invite(
    tx: &mut Tx,
    code_hash: &str,
    user: &PublicUser,
    now: i64,
) -> Result<Acceptance, AppError> {
    // The invite names its draft and never changes draft, so this read needs no lock.
    let target =
        sqlx::query_as::<_, Target>("SELECT id, draft_id, role FROM invites WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::InviteUnavailable)?;
    let draft = lock_draft(tx, &target.draft_id).await?;
    let answer = |joined| Acceptance {
        draft_id: target.draft_id.clone(),
        joined,
    };
    if draft.owner_id == user.id {
        return Ok(answer(Joined::Owner));
    }
    if draft.is_archived() {
        return Err(AppError::InviteUnavailable);
    }
    let inserted = sqlx::query(
        "INSERT INTO collaborators (draft_id, user_id, role, added_at, joined_seq) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (draft_id, user_id) DO NOTHING",
    )
    .bind(&target.draft_id)
    .bind(&user.id)
    .bind(&target.role)
    .bind(now)
    .bind(draft.event_seq)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(answer(Joined::AlreadyMember));
    }
    // The owner's plan decides how many people a draft may have (counted with the new one).
    let after = After::PeopleOn {
        draft_id: &target.draft_id,
        plus: 0,
    };
    plans::enforce(
        tx,
        &draft.owner_id,
        Entitlement::CollaboratorsMax,
        after,
        false,
        now,
    )
    .await?;
    let taken = sqlx::query(
        "UPDATE invites SET uses = uses + 1 WHERE id = $1 AND revoked_at IS NULL \
         AND uses < max_uses AND expires_at > $2",
    )
    .bind(&target.id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if taken.rows_affected() == 0 {
        // Rolls back the collaborator row too: the whole write fails.
        return Err(AppError::InviteUnavailable);
    }
    // Someone removed and back through the same link joined twice: keep the latest.
    sqlx::query(
        "INSERT INTO invite_acceptances (invite_id, user_id, accepted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (invite_id, user_id) DO UPDATE SET accepted_at = excluded.accepted_at",
    )
    .bind(&target.id)
    .bind(&user.id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO join_notices (draft_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (draft_id, user_id) DO NOTHING",
    )
    .bind(&target.draft_id)
    .bind(&user.id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let role = Role::parse(&target.role)?;
    let joined = Activity::CollaboratorJoined {
        user: user.id.clone(),
        via: JoinedVia::Invite,
        role,
    };
    record_activity(tx, &user.id, &target.draft_id, now, joined).await?;
    let event = DraftEvent::CollaboratorAdded {
        user: user.clone(),
        role,
    };
    events::record(tx, &target.draft_id, &event, now).await?;
    Ok(answer(Joined::Joined))
}

/// Removes the "You joined" banner for good (dismissing twice is fine).
pub async fn dismiss_join_notice(
    tx: &mut Tx,
    draft_id: &str,
    user: &PublicUser,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM join_notices WHERE draft_id = $1 AND user_id = $2")
        .bind(draft_id)
        .bind(&user.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
