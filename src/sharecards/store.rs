//! Share links and what a card is made from.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::card::CardFacts;
use super::types::{CardPerson, CardSegment};
use crate::auth::model::display_id;
use crate::db::{Db, Tx};
use crate::drafts::model::Platform;
use crate::drafts::types::DraftStatus;
use crate::error::AppError;

/// A fresh public slug: 128 random bits, base64url (22 characters).
pub fn new_slug() -> String {
    let bytes: [u8; 16] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `slug` has the shape of one of ours (checked before any lookup).
pub fn is_slug(slug: &str) -> bool {
    slug.len() == 22
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A draft's sharing, while it is on.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Sharing {
    pub draft_id: String,
    pub slug: String,
    pub show_thread: bool,
}

#[derive(sqlx::FromRow)]
struct SharingRow {
    draft_id: String,
    slug: String,
    show_thread: i64,
}

impl From<SharingRow> for Sharing {
    fn from(row: SharingRow) -> Self {
        Self {
            draft_id: row.draft_id,
            slug: row.slug,
            show_thread: row.show_thread != 0,
        }
    }
}

/// The id of the draft's owner (`NotFound` for an unknown draft).
pub async fn owner_of(db: &Db, draft_id: &str) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT owner_id FROM drafts WHERE id = $1")
        .bind(draft_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn sharing_of(db: &Db, draft_id: &str) -> Result<Option<Sharing>, AppError> {
    Ok(sqlx::query_as::<_, SharingRow>(
        "SELECT draft_id, slug, show_thread FROM share_links WHERE draft_id = $1",
    )
    .bind(draft_id)
    .fetch_optional(db.pool())
    .await?
    .map(Sharing::from))
}

pub async fn sharing_by_slug(db: &Db, slug: &str) -> Result<Option<Sharing>, AppError> {
    Ok(sqlx::query_as::<_, SharingRow>(
        "SELECT draft_id, slug, show_thread FROM share_links WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?
    .map(Sharing::from))
}

/// Turns sharing on (keeping the slug if it was on, or with `new_slug`) or off (the old
/// link dies), and sets whether the public page shows the thread.
pub async fn set_sharing(
    tx: &mut Tx,
    draft_id: &str,
    enabled: bool,
    show_thread: bool,
    new_slug: &str,
    now: i64,
) -> Result<(), AppError> {
    if !enabled {
        sqlx::query("DELETE FROM share_links WHERE draft_id = $1")
            .bind(draft_id)
            .execute(&mut **tx)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO share_links (draft_id, slug, show_thread, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (draft_id) DO UPDATE SET show_thread = excluded.show_thread",
    )
    .bind(draft_id)
    .bind(new_slug)
    .bind(i64::from(show_thread))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The draft's title, platform, status and owner.
#[derive(sqlx::FromRow)]
struct DraftRow {
    title: String,
    platform: String,
    status: String,
    owner_id: String,
    owner_handle: String,
}

/// What the draft's card is made from, as of `now` (the numbers are the insights').
pub async fn card_facts(
    db: &Db,
    draft_id: &str,
    with_thread: bool,
    now: i64,
) -> Result<CardFacts, AppError> {
    let draft = sqlx::query_as::<_, DraftRow>(
        "SELECT d.title, d.platform, d.status, d.owner_id, u.handle AS owner_handle \
         FROM drafts d JOIN users u ON u.id = d.owner_id WHERE d.id = $1",
    )
    .bind(draft_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let facts = crate::analytics::store::draft_facts(db, draft_id).await?;
    let insights = crate::analytics::reduce::draft_insights(&facts, now).map_err(|err| {
        tracing::error!(error = %err, "card numbers could not be reduced");
        AppError::Internal
    })?;
    let thread = if with_thread {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT u.handle, s.content FROM segments s JOIN users u ON u.id = s.author_id \
             WHERE s.draft_id = $1 AND s.created_at <= $2 ORDER BY s.position",
        )
        .bind(draft_id)
        .bind(now)
        .fetch_all(db.pool())
        .await?;
        Some(
            rows.into_iter()
                .map(|(author, text)| CardSegment { author, text })
                .collect(),
        )
    } else {
        None
    };
    Ok(CardFacts {
        draft_id: draft_id.to_owned(),
        title: draft.title,
        platform: Platform::parse(&draft.platform)?,
        status: DraftStatus::parse(&draft.status)?,
        owner: CardPerson {
            display_id: display_id(&draft.owner_id),
            handle: draft.owner_handle,
        },
        writers: insights
            .contributions
            .iter()
            .map(|c| CardPerson {
                handle: c.person.handle.clone(),
                display_id: c.person.display_id.clone(),
            })
            .collect(),
        segments: insights.segments,
        passes_last_24h: insights.passes.last_24h,
        avg_minutes_between_passes: insights.avg_minutes_between_passes,
        thread,
    })
}
