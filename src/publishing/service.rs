//! Publishing's rules: connecting accounts, asking for a thread to be published (now or at a
//! time), changing or cancelling that, and the job that posts it.
//!
//! **Resumable, never twice.** A publication's posts are a snapshot. The job posts them in
//! order, each a reply to the one before: a post is marked `posting` in a committed write
//! before it is sent and `posted` (with its remote id) after, so a crash, a timeout or a
//! lost answer leaves a record of exactly which post's outcome is unknown. The next run
//! starts from the first post not `posted`, settles an unknown one on the network first
//! (`networks::Client::find`), and sends it again only with the network's idempotency
//! (see `networks`). A rate limit (429) ends the run and schedules the next one at the
//! network's reset time; a refused credential stops with "reconnect"; a refused post stops
//! with the network's reason; anything else is retried with the job runner's backoff.
//!
//! **One run at a time.** The job runner never hands one job to two servers (`FOR UPDATE
//! SKIP LOCKED` on PostgreSQL), and a run also holds the publication itself for the length
//! of a job's lease, so a retry asked for while a run is going cannot post beside it.

use serde_json::json;

use super::networks::{client_for, Account, Failure, PostKey, Thread};
use super::store::{self, NewPublication};
use super::types::{Network, Publication};
use super::vault::VaultKey;
use crate::auth::model::PublicUser;
use crate::db::Tx;
use crate::drafts::types::DraftStatus;
use crate::error::AppError;
use crate::jobs::{enqueue, NewJob};
use crate::server::state::AppState;

/// The job that posts a publication.
pub const JOB: &str = "publishing.thread";
/// How long one run holds a publication (a job's lease).
const RUN_HOLD_MS: i64 = crate::jobs::store::LEASE_MS;

/// The key that seals credentials, or "publishing is off here".
pub fn vault(state: &AppState) -> Result<&VaultKey, AppError> {
    state
        .config
        .publishing
        .key
        .as_ref()
        .ok_or(AppError::PublishingDisabled)
}

/// What a network's refusal becomes for the person connecting: their account or server
/// was refused (422, for the form), or the network gave no clear answer (502).
pub fn connect_error(failure: Failure) -> AppError {
    match failure {
        Failure::Revoked(message) | Failure::Rejected(message) => {
            AppError::validation("account", message)
        }
        Failure::Retry { .. } => AppError::validation(
            "account",
            "We couldn't reach that server. Check its address, or try again in a minute.",
        ),
        Failure::Unknown(_) => AppError::NetworkUnreachable,
    }
}

/// Stores a connected account for `user`; its connection id.
pub async fn save_account(
    state: &AppState,
    user: &PublicUser,
    account: Account,
) -> Result<String, AppError> {
    let key = vault(state)?.clone();
    let user_id = user.id.clone();
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                store::save_connection(tx, &key, &user_id, &account, crate::db::now_ms()).await
            })
        })
        .await
}

/// The posts a draft becomes on `network`: its segments, each split on its own when it is
/// too long and `reflow` says so; a 422 naming the segments that do not fit otherwise.
pub fn posts_for(
    segments: &[&str],
    network: Network,
    reflow: bool,
) -> Result<Vec<String>, AppError> {
    let platform = network.platform();
    let too_long = super::split::too_long(segments, platform);
    if !too_long.is_empty() && !reflow {
        let list = too_long
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        return Err(AppError::validation(
            "reflow",
            format!(
                "Segment {list} {} too long for {} ({} at most): split {} first, or let OneRing split {} for you.",
                if too_long.len() == 1 { "is" } else { "are" },
                network.label(),
                platform.post_limit(),
                if too_long.len() == 1 { "it" } else { "them" },
                if too_long.len() == 1 { "it" } else { "them" },
            ),
        ));
    }
    let posts = super::split::reflow(segments, platform);
    if posts.is_empty() {
        return Err(AppError::validation(
            "draft_id",
            "This draft has nothing to publish yet.",
        ));
    }
    Ok(posts)
}

/// Asks for `draft_id` to be published through `connection_id` at `run_at` (inside the
/// caller's idempotent write): only its owner, with their own connection, not archived.
pub async fn publish(
    tx: &mut Tx,
    user: &PublicUser,
    draft_id: &str,
    connection_id: &str,
    run_at: i64,
    reflow: bool,
    now: i64,
) -> Result<String, AppError> {
    let draft = crate::drafts::service::require_owner(tx, draft_id, user).await?;
    if draft.is_archived() {
        return Err(AppError::conflict(
            "This draft is archived: publish it after restoring it.",
        ));
    }
    let connection: Option<(String, String)> = sqlx::query_as(
        "SELECT network, status FROM network_connections WHERE id = $1 AND user_id = $2",
    )
    .bind(connection_id)
    .bind(&user.id)
    .fetch_optional(&mut **tx)
    .await?;
    let (network, status) = connection.ok_or_else(|| {
        AppError::validation("connection_id", "Choose one of your connected accounts.")
    })?;
    if status != "active" {
        return Err(AppError::validation(
            "connection_id",
            "That account needs reconnecting before it can publish.",
        ));
    }
    let network = Network::parse(&network).ok_or(AppError::Internal)?;
    let segments: Vec<String> =
        sqlx::query_scalar("SELECT content FROM segments WHERE draft_id = $1 ORDER BY position")
            .bind(draft_id)
            .fetch_all(&mut **tx)
            .await?;
    let texts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let posts = posts_for(&texts, network, reflow)?;
    let id = uuid::Uuid::new_v4().to_string();
    store::insert_publication(
        tx,
        &NewPublication {
            id: &id,
            draft_id,
            user_id: &user.id,
            connection_id,
            network,
            run_at,
            posts: &posts,
        },
        now,
    )
    .await?;
    let payload = json!({ "publication_id": id }).to_string();
    enqueue(tx, NewJob::new(JOB, &id, payload, run_at)).await?;
    Ok(id)
}

/// Moves a publication that has not started to `run_at`.
pub async fn reschedule(
    tx: &mut Tx,
    user: &PublicUser,
    id: &str,
    run_at: i64,
    now: i64,
) -> Result<(), AppError> {
    let changed = sqlx::query(
        "UPDATE publications SET run_at = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 \
         AND status = 'scheduled' AND run_lease_until IS NULL \
         AND NOT EXISTS (SELECT 1 FROM publication_posts WHERE publication_id = $3 AND status <> 'pending')",
    )
    .bind(run_at)
    .bind(now)
    .bind(id)
    .bind(&user.id)
    .execute(&mut **tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(not_waiting(tx, user, id).await);
    }
    sqlx::query("UPDATE jobs SET run_at = $1, updated_at = $2 WHERE kind = $3 AND dedupe_key = $4 AND status = 'queued'")
        .bind(run_at)
        .bind(now)
        .bind(JOB)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Cancels a publication that has not started (its job then finds nothing to do).
pub async fn cancel(tx: &mut Tx, user: &PublicUser, id: &str, now: i64) -> Result<(), AppError> {
    let changed = sqlx::query(
        "UPDATE publications SET status = 'cancelled', updated_at = $1 WHERE id = $2 AND user_id = $3 \
         AND status = 'scheduled' AND run_lease_until IS NULL \
         AND NOT EXISTS (SELECT 1 FROM publication_posts WHERE publication_id = $2 AND status <> 'pending')",
    )
    .bind(now)
    .bind(id)
    .bind(&user.id)
    .execute(&mut **tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(not_waiting(tx, user, id).await);
    }
    Ok(())
}

/// Why a publication cannot be changed: someone else's (404) or already started (409).
async fn not_waiting(tx: &mut Tx, user: &PublicUser, id: &str) -> AppError {
    let mine: Result<Option<String>, _> =
        sqlx::query_scalar("SELECT status FROM publications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(&user.id)
            .fetch_optional(&mut **tx)
            .await;
    match mine {
        Ok(Some(_)) => {
            AppError::conflict("It has started already, so it can no longer be changed.")
        }
        Ok(None) => AppError::NotFound,
        Err(err) => err.into(),
    }
}

/// Tries a failed publication again from its first post not yet posted.
pub async fn retry(tx: &mut Tx, user: &PublicUser, id: &str, now: i64) -> Result<(), AppError> {
    let changed = sqlx::query(
        "UPDATE publications SET status = 'scheduled', last_error = NULL, run_at = $1, updated_at = $1 \
         WHERE id = $2 AND user_id = $3 AND status = 'failed'",
    )
    .bind(now)
    .bind(id)
    .bind(&user.id)
    .execute(&mut **tx)
    .await?;
    if changed.rows_affected() != 1 {
        let mine: Option<String> =
            sqlx::query_scalar("SELECT status FROM publications WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(&user.id)
                .fetch_optional(&mut **tx)
                .await?;
        return Err(match mine {
            Some(_) => AppError::conflict("Only a publication that failed can be tried again."),
            None => AppError::NotFound,
        });
    }
    sqlx::query(
        "UPDATE publication_posts SET status = 'pending', last_error = NULL WHERE publication_id = $1 AND status = 'failed'",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let payload = json!({ "publication_id": id }).to_string();
    enqueue(
        tx,
        NewJob::new(JOB, &format!("{id}-retry-{now}"), payload, now),
    )
    .await?;
    Ok(())
}

/// How a run ended, for the job runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// Every post is up (or there was nothing to do).
    Done,
    /// Stopped for good (a refused post, a refused credential): the publication says why.
    Stopped,
    /// A rate limit: the next run is scheduled at the reset time.
    Waiting,
}

/// One run of publication `id` (the job's body). `last_attempt` says the job runs out of
/// retries after this one, so a failure is recorded on the publication.
pub async fn run(state: &AppState, id: &str, last_attempt: bool) -> Result<Ran, String> {
    let db_error = |e: AppError| format!("database error ({e})");
    let key = vault(state)
        .map_err(|_| "publishing is off: no PUBLISHING_KEY".to_owned())?
        .clone();
    let now = crate::db::now_ms();
    let hold_until = now + RUN_HOLD_MS;
    let owned_id = id.to_owned();
    let taken = state
        .db
        .write_with(move |tx| {
            Box::pin(async move { store::take_run(tx, &owned_id, now, hold_until).await })
        })
        .await
        .map_err(db_error)?;
    if !taken {
        return Ok(Ran::Done);
    }
    let result = post_all(state, &key, id).await;
    let (outcome, error) = match result {
        Ok(ran) => (Ok(ran), None),
        Err(error) if last_attempt => (Err(error.clone()), Some(error)),
        Err(error) => (Err(error), None),
    };
    let owned_id = id.to_owned();
    let settled = state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                match &error {
                    Some(error) => {
                        let message = format!("Gave up after repeated failures: {error}");
                        store::set_publication(
                            tx,
                            &owned_id,
                            "failed",
                            None,
                            Some(&message),
                            crate::db::now_ms(),
                        )
                        .await
                    }
                    None => store::release_run(tx, &owned_id).await,
                }
            })
        })
        .await;
    if settled.is_err() {
        tracing::warn!(
            publication = id,
            "could not let go of a publication; its hold lapses"
        );
    }
    outcome
}

/// Posts every post not yet posted, in order.
async fn post_all(state: &AppState, key: &VaultKey, id: &str) -> Result<Ran, String> {
    let db_error = |e: AppError| format!("database error ({e})");
    let Some(publication) = store::stored(&state.db, id).await.map_err(db_error)? else {
        return Ok(Ran::Done);
    };
    let Some(connection_id) = publication.connection_id.clone() else {
        finish(state, id, "failed", None, Some("The account it was to be posted with was disconnected: connect it again and retry.")).await?;
        return Ok(Ran::Stopped);
    };
    let (_, mut account) =
        store::account(state.db.pool(), key, &publication.user_id, &connection_id)
            .await
            .map_err(db_error)?;
    let client = client_for(publication.network, &state.config.publishing.x);
    let mut thread: Option<Thread> = None;
    for post in &publication.posts {
        let post_key = PostKey {
            publication_id: publication.id.clone(),
            position: post.position,
            created_at_ms: publication.created_at,
        };
        if let (true, Some(remote)) = (post.status == "posted", &post.remote) {
            thread = Some(next_thread(thread.as_ref(), remote));
            continue;
        }
        if post.status == "failed" {
            return Ok(Ran::Stopped);
        }
        let before = account.clone();
        // An outcome left unknown by an earlier run is settled on the network first.
        let found = if post.status == "posting" {
            client
                .find(&mut account, &post.content, thread.as_ref(), &post_key)
                .await
        } else {
            Ok(None)
        };
        let result = match found {
            Ok(Some(remote)) => Ok(remote),
            Ok(None) => {
                set_post(state, id, post.position, "posting", None, None).await?;
                client
                    .post(&mut account, &post.content, thread.as_ref(), &post_key)
                    .await
            }
            Err(failure) => Err(failure),
        };
        if account != before {
            save_secret(state, key, &connection_id, &account).await?;
        }
        match result {
            Ok(remote) => {
                set_post(state, id, post.position, "posted", Some(&remote), None).await?;
                thread = Some(next_thread(thread.as_ref(), &remote));
            }
            Err(Failure::Unknown(reason)) => return Err(reason),
            Err(Failure::Retry { reason, after_ms }) => {
                set_post(state, id, post.position, "pending", None, Some(&reason)).await?;
                return match after_ms {
                    Some(at) => {
                        resume_at(state, id, at).await?;
                        Ok(Ran::Waiting)
                    }
                    None => Err(reason),
                };
            }
            Err(Failure::Revoked(reason)) => {
                if post.status != "posting" {
                    set_post(state, id, post.position, "pending", None, Some(&reason)).await?;
                }
                revoke_connection(state, &connection_id).await?;
                finish(state, id, "failed", None, Some(&reason)).await?;
                return Ok(Ran::Stopped);
            }
            Err(Failure::Rejected(reason)) => {
                set_post(state, id, post.position, "failed", None, Some(&reason)).await?;
                let message = format!(
                    "{} refused post {}: {reason}",
                    publication.network.label(),
                    post.position
                );
                finish(state, id, "failed", None, Some(&message)).await?;
                return Ok(Ran::Stopped);
            }
        }
    }
    let url = thread.map(|t| t.root.url);
    published(state, &publication, url).await?;
    Ok(Ran::Done)
}

fn next_thread(thread: Option<&Thread>, posted: &super::networks::Remote) -> Thread {
    Thread {
        root: thread.map_or_else(|| posted.clone(), |t| t.root.clone()),
        parent: posted.clone(),
    }
}

async fn set_post(
    state: &AppState,
    id: &str,
    position: i64,
    status: &'static str,
    remote: Option<&super::networks::Remote>,
    error: Option<&str>,
) -> Result<(), String> {
    let (id, remote, error) = (id.to_owned(), remote.cloned(), error.map(str::to_owned));
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                store::set_post(
                    tx,
                    &id,
                    position,
                    status,
                    remote.as_ref(),
                    error.as_deref(),
                    crate::db::now_ms(),
                )
                .await
            })
        })
        .await
        .map_err(|e| format!("could not record a post ({e})"))
}

async fn finish(
    state: &AppState,
    id: &str,
    status: &'static str,
    url: Option<String>,
    error: Option<&str>,
) -> Result<(), String> {
    let (id, error) = (id.to_owned(), error.map(str::to_owned));
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                store::set_publication(
                    tx,
                    &id,
                    status,
                    url.as_deref(),
                    error.as_deref(),
                    crate::db::now_ms(),
                )
                .await
            })
        })
        .await
        .map_err(|e| format!("could not record the publication ({e})"))
}

async fn save_secret(
    state: &AppState,
    key: &VaultKey,
    connection_id: &str,
    account: &Account,
) -> Result<(), String> {
    let (key, connection_id, account) = (key.clone(), connection_id.to_owned(), account.clone());
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                store::update_secret(tx, &key, &connection_id, &account, crate::db::now_ms()).await
            })
        })
        .await
        .map_err(|e| format!("could not store renewed credentials ({e})"))
}

async fn revoke_connection(state: &AppState, connection_id: &str) -> Result<(), String> {
    let connection_id = connection_id.to_owned();
    state
        .db
        .write_with(move |tx| {
            Box::pin(
                async move { store::mark_revoked(tx, &connection_id, crate::db::now_ms()).await },
            )
        })
        .await
        .map_err(|e| format!("could not record the refused connection ({e})"))
}

/// The next run, at the network's reset time (a job of its own, so the wait costs no retry).
async fn resume_at(state: &AppState, id: &str, at: i64) -> Result<(), String> {
    let id = id.to_owned();
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                let payload = json!({ "publication_id": id }).to_string();
                enqueue(tx, NewJob::new(JOB, &format!("{id}-at-{at}"), payload, at)).await?;
                Ok(())
            })
        })
        .await
        .map_err(|e| format!("could not schedule the next run ({e})"))
}

/// Every post is up: the publication is published, the draft too (if it was a draft), and
/// analytics records it — one write.
async fn published(
    state: &AppState,
    publication: &store::Stored,
    url: Option<String>,
) -> Result<(), String> {
    let (id, draft_id, user_id, network, posts) = (
        publication.id.clone(),
        publication.draft_id.clone(),
        publication.user_id.clone(),
        publication.network,
        publication.posts.len() as i64,
    );
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                let now = crate::db::now_ms();
                store::set_publication(tx, &id, "published", url.as_deref(), None, now).await?;
                let owner = crate::auth::store::public_user(&mut **tx, &user_id).await?;
                let status: Option<String> =
                    sqlx::query_scalar("SELECT status FROM drafts WHERE id = $1")
                        .bind(&draft_id)
                        .fetch_optional(&mut **tx)
                        .await?;
                if status.as_deref() == Some(DraftStatus::Draft.as_str()) {
                    crate::drafts::service::set_status(
                        tx,
                        &draft_id,
                        &owner,
                        DraftStatus::Published,
                    )
                    .await?;
                }
                crate::drafts::service::record_activity(
                    tx,
                    &user_id,
                    &draft_id,
                    now,
                    crate::analytics::types::Activity::ThreadPublished {
                        network: network.as_str().to_owned(),
                        posts,
                    },
                )
                .await?;
                Ok(())
            })
        })
        .await
        .map_err(|e| format!("could not record the publication ({e})"))
}

/// A publication as its owner sees it.
pub async fn view(state: &AppState, user: &PublicUser, id: &str) -> Result<Publication, AppError> {
    store::publication(&state.db, &user.id, id).await
}
