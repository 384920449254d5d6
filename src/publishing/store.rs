//! Publishing's tables (migration 0013): connections (credentials sealed), publications and
//! their posts, OAuth authorizations in flight, and Mastodon apps per instance.

use sqlx::FromRow;

use super::networks::{Account, Remote};
use super::types::{Connection, Network, Post, Publication};
use super::vault::VaultKey;
use crate::db::{Db, Tx};
use crate::error::AppError;

fn sealed_context(connection_id: &str) -> String {
    format!("connection:{connection_id}")
}

fn vault_error(error: String) -> AppError {
    tracing::error!(%error, "a sealed credential could not be used");
    AppError::Internal
}

#[derive(FromRow)]
struct ConnectionRow {
    id: String,
    network: String,
    account: String,
    server: String,
    status: String,
    created_at: i64,
}

impl ConnectionRow {
    fn public(self) -> Option<Connection> {
        Some(Connection {
            network: Network::parse(&self.network)?,
            id: self.id,
            account: self.account,
            server: self.server,
            status: self.status,
            created_at_ms: self.created_at,
        })
    }
}

/// Stores `account` for `user_id` (a reconnect replaces the same account's credentials);
/// its connection id.
pub async fn save_connection(
    tx: &mut Tx,
    key: &VaultKey,
    user_id: &str,
    account: &Account,
    now: i64,
) -> Result<String, AppError> {
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT id FROM network_connections WHERE user_id = $1 AND network = $2 AND account_id = $3",
    )
    .bind(user_id)
    .bind(account.network.as_str())
    .bind(&account.account_id)
    .fetch_optional(&mut **tx)
    .await?;
    let id = existing.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let secret = serde_json::to_string(account).map_err(|_| AppError::Internal)?;
    let sealed = key
        .seal(&secret, &sealed_context(&id))
        .map_err(vault_error)?;
    sqlx::query(
        "INSERT INTO network_connections (id, user_id, network, account, account_id, server, secret, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8) ON CONFLICT (id) DO UPDATE SET \
         account = excluded.account, server = excluded.server, secret = excluded.secret, status = 'active', \
         updated_at = excluded.updated_at",
    )
    .bind(&id)
    .bind(user_id)
    .bind(account.network.as_str())
    .bind(display_account(account))
    .bind(&account.account_id)
    .bind(&account.server)
    .bind(sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// The account as people write it: `@ada.bsky.social`, `@ada@mastodon.social`, `@ada`.
fn display_account(account: &Account) -> String {
    format!("@{}", account.handle.trim_start_matches('@'))
}

/// Stores refreshed credentials for a connection (a network renewed its tokens).
pub async fn update_secret(
    tx: &mut Tx,
    key: &VaultKey,
    connection_id: &str,
    account: &Account,
    now: i64,
) -> Result<(), AppError> {
    let secret = serde_json::to_string(account).map_err(|_| AppError::Internal)?;
    let sealed = key
        .seal(&secret, &sealed_context(connection_id))
        .map_err(vault_error)?;
    sqlx::query("UPDATE network_connections SET secret = $1, updated_at = $2 WHERE id = $3")
        .bind(sealed)
        .bind(now)
        .bind(connection_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn connections(db: &Db, user_id: &str) -> Result<Vec<Connection>, AppError> {
    let rows: Vec<ConnectionRow> = sqlx::query_as(
        "SELECT id, network, account, server, status, created_at FROM network_connections \
         WHERE user_id = $1 ORDER BY network, account, id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().filter_map(ConnectionRow::public).collect())
}

/// A connection of `user_id`'s with its opened credentials (404 for anyone else's).
pub async fn account<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    key: &VaultKey,
    user_id: &str,
    connection_id: &str,
) -> Result<(Connection, Account), AppError> {
    let row: Option<(String, String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, network, account, server, status, created_at, secret FROM network_connections \
         WHERE id = $1 AND user_id = $2",
    )
    .bind(connection_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await?;
    let (id, network, shown, server, status, created_at, sealed) = row.ok_or(AppError::NotFound)?;
    let opened = key
        .open(&sealed, &sealed_context(&id))
        .map_err(vault_error)?;
    let account: Account = serde_json::from_str(&opened).map_err(|_| AppError::Internal)?;
    let connection = ConnectionRow {
        id,
        network,
        account: shown,
        server,
        status,
        created_at,
    }
    .public()
    .ok_or(AppError::Internal)?;
    Ok((connection, account))
}

pub async fn mark_revoked(tx: &mut Tx, connection_id: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE network_connections SET status = 'revoked', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(connection_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes `user_id`'s connection; `false` when there was none.
pub async fn delete_connection(
    tx: &mut Tx,
    user_id: &str,
    connection_id: &str,
) -> Result<bool, AppError> {
    let deleted = sqlx::query("DELETE FROM network_connections WHERE id = $1 AND user_id = $2")
        .bind(connection_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// A new publication with its posts, waiting for `run_at`.
pub struct NewPublication<'a> {
    pub id: &'a str,
    pub draft_id: &'a str,
    pub user_id: &'a str,
    pub connection_id: &'a str,
    pub network: Network,
    pub run_at: i64,
    pub posts: &'a [String],
}

pub async fn insert_publication(
    tx: &mut Tx,
    new: &NewPublication<'_>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO publications (id, draft_id, user_id, connection_id, network, status, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $7, $7)",
    )
    .bind(new.id)
    .bind(new.draft_id)
    .bind(new.user_id)
    .bind(new.connection_id)
    .bind(new.network.as_str())
    .bind(new.run_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (i, content) in new.posts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO publication_posts (publication_id, position, content, status, attempts) \
             VALUES ($1, $2, $3, 'pending', 0)",
        )
        .bind(new.id)
        .bind(i as i64 + 1)
        .bind(content)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct PublicationRow {
    id: String,
    draft_id: String,
    draft_title: String,
    user_id: String,
    connection_id: Option<String>,
    network: String,
    account: Option<String>,
    status: String,
    run_at: i64,
    created_at: i64,
    thread_url: Option<String>,
    last_error: Option<String>,
}

#[derive(FromRow)]
struct PostRow {
    position: i64,
    content: String,
    status: String,
    remote_id: Option<String>,
    remote_cid: Option<String>,
    remote_url: Option<String>,
    attempts: i64,
    last_error: Option<String>,
}

const PUBLICATION_SELECT: &str = "SELECT p.id, p.draft_id, d.title AS draft_title, p.user_id, \
     p.connection_id, p.network, c.account, p.status, p.run_at, p.created_at, p.thread_url, p.last_error \
     FROM publications p JOIN drafts d ON d.id = p.draft_id \
     LEFT JOIN network_connections c ON c.id = p.connection_id";

const POST_SELECT: &str = "SELECT position, content, status, remote_id, remote_cid, \
     remote_url, attempts, last_error FROM publication_posts";

/// A publication as the job runs it: its row and its posts, in order.
pub struct Stored {
    pub id: String,
    pub draft_id: String,
    pub user_id: String,
    pub connection_id: Option<String>,
    pub network: Network,
    pub status: String,
    pub created_at: i64,
    pub posts: Vec<StoredPost>,
}

pub struct StoredPost {
    pub position: i64,
    pub content: String,
    pub status: String,
    pub remote: Option<Remote>,
}

fn view(row: PublicationRow, posts: Vec<PostRow>) -> Option<Publication> {
    Some(Publication {
        network: Network::parse(&row.network)?,
        id: row.id,
        draft_id: row.draft_id,
        draft_title: row.draft_title,
        account: row.account.unwrap_or_else(|| "(disconnected)".to_owned()),
        status: row.status,
        run_at_ms: row.run_at,
        run_at_local: String::new(),
        run_at_input: String::new(),
        thread_url: row.thread_url,
        error: row.last_error,
        posts: posts
            .into_iter()
            .map(|p| Post {
                position: p.position,
                content: p.content,
                status: p.status,
                url: p.remote_url,
                attempts: p.attempts,
                error: p.last_error,
            })
            .collect(),
    })
}

/// Publications matching `filter` (a WHERE clause on `p`, with `binds` as `$1`, `$2`…),
/// each with its posts.
async fn publications(
    db: &Db,
    filter: &str,
    binds: &[&str],
    limit: i64,
) -> Result<Vec<Publication>, AppError> {
    let sql = format!("{PUBLICATION_SELECT} WHERE {filter} LIMIT {limit}");
    let mut query = sqlx::query_as::<_, PublicationRow>(&sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let posts = posts_of(db, &row.id).await?;
        out.extend(view(row, posts));
    }
    Ok(out)
}

async fn posts_of(db: &Db, publication_id: &str) -> Result<Vec<PostRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{POST_SELECT} WHERE publication_id = $1 ORDER BY position"
    ))
    .bind(publication_id)
    .fetch_all(db.pool())
    .await?)
}

/// A draft's publications, newest first.
pub async fn for_draft(db: &Db, draft_id: &str) -> Result<Vec<Publication>, AppError> {
    publications(
        db,
        "p.draft_id = $1 ORDER BY p.created_at DESC, p.id",
        &[draft_id],
        20,
    )
    .await
}

/// What is coming for `user_id` (scheduled or under way), soonest first.
pub async fn upcoming(db: &Db, user_id: &str) -> Result<Vec<Publication>, AppError> {
    publications(
        db,
        "p.user_id = $1 AND p.status IN ('scheduled', 'publishing') ORDER BY p.run_at, p.id",
        &[user_id],
        100,
    )
    .await
}

/// What failed for `user_id` and waits for them, newest first.
pub async fn failed(db: &Db, user_id: &str) -> Result<Vec<Publication>, AppError> {
    publications(
        db,
        "p.user_id = $1 AND p.status = 'failed' ORDER BY p.updated_at DESC, p.id",
        &[user_id],
        50,
    )
    .await
}

/// One publication of `user_id`'s (404 otherwise).
pub async fn publication(db: &Db, user_id: &str, id: &str) -> Result<Publication, AppError> {
    publications(db, "p.user_id = $1 AND p.id = $2", &[user_id, id], 1)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// A publication as the job needs it.
pub async fn stored(db: &Db, id: &str) -> Result<Option<Stored>, AppError> {
    let row: Option<PublicationRow> =
        sqlx::query_as(&format!("{PUBLICATION_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else { return Ok(None) };
    let posts = posts_of(db, id).await?;
    let network = Network::parse(&row.network).ok_or(AppError::Internal)?;
    Ok(Some(Stored {
        id: row.id,
        draft_id: row.draft_id,
        user_id: row.user_id,
        connection_id: row.connection_id,
        network,
        status: row.status,
        created_at: row.created_at,
        posts: posts
            .into_iter()
            .map(|p| StoredPost {
                position: p.position,
                content: p.content,
                status: p.status,
                remote: match (p.remote_id, p.remote_url) {
                    (Some(id), Some(url)) => Some(Remote {
                        id,
                        cid: p.remote_cid,
                        url,
                    }),
                    _ => None,
                },
            })
            .collect(),
    }))
}

/// Takes the publication for one run until `until` (a run that died lets it lapse): `false`
/// when another run holds it, or it is finished or cancelled.
pub async fn take_run(tx: &mut Tx, id: &str, now: i64, until: i64) -> Result<bool, AppError> {
    let taken = sqlx::query(
        "UPDATE publications SET status = 'publishing', run_lease_until = $1, updated_at = $2 \
         WHERE id = $3 AND status IN ('scheduled', 'publishing') \
         AND (run_lease_until IS NULL OR run_lease_until < $2)",
    )
    .bind(until)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// Lets go of a run's hold (the publication stays as it is).
pub async fn release_run(tx: &mut Tx, id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE publications SET run_lease_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A post's new state: `posting` before it is sent (attempts + 1), `posted` with its
/// address, `pending` (not made: send again), `failed` with why.
pub async fn set_post(
    tx: &mut Tx,
    publication_id: &str,
    position: i64,
    status: &str,
    remote: Option<&Remote>,
    error: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE publication_posts SET status = $1, \
         attempts = attempts + CASE WHEN $1 = 'posting' THEN 1 ELSE 0 END, \
         remote_id = COALESCE($2, remote_id), remote_cid = COALESCE($3, remote_cid), \
         remote_url = COALESCE($4, remote_url), last_error = $5, \
         posted_at = CASE WHEN $1 = 'posted' THEN $6 ELSE posted_at END \
         WHERE publication_id = $7 AND position = $8",
    )
    .bind(status)
    .bind(remote.map(|r| r.id.as_str()))
    .bind(remote.and_then(|r| r.cid.as_deref()))
    .bind(remote.map(|r| r.url.as_str()))
    .bind(error.map(|e| crate::text::truncate(e, 300)))
    .bind(now)
    .bind(publication_id)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The publication's new state (`published` with its thread's address, `failed` with why,
/// `cancelled`), its run's hold let go.
pub async fn set_publication(
    tx: &mut Tx,
    id: &str,
    status: &str,
    thread_url: Option<&str>,
    error: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE publications SET status = $1, thread_url = COALESCE($2, thread_url), last_error = $3, \
         run_lease_until = NULL, updated_at = $4 WHERE id = $5",
    )
    .bind(status)
    .bind(thread_url)
    .bind(error.map(|e| crate::text::truncate(e, 300)))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An OAuth authorization in flight: who asked, where, the PKCE verifier (sealed), and the
/// network's page the person was sent to.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub user_id: String,
    pub network: Network,
    pub server: String,
    pub verifier: String,
    pub authorize_url: String,
    pub created_at: i64,
}

pub async fn save_pending(
    tx: &mut Tx,
    key: &VaultKey,
    state: &str,
    pending: &Pending,
) -> Result<(), AppError> {
    let sealed = key
        .seal(&pending.verifier, &format!("oauth:{state}"))
        .map_err(vault_error)?;
    sqlx::query(
        "INSERT INTO oauth_pending (state, user_id, network, server, verifier, authorize_url, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state)
    .bind(&pending.user_id)
    .bind(pending.network.as_str())
    .bind(&pending.server)
    .bind(sealed)
    .bind(&pending.authorize_url)
    .bind(pending.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes (and forgets) the authorization `state` names, if it is one and was made after
/// `not_before`.
pub async fn take_pending(
    tx: &mut Tx,
    key: &VaultKey,
    state: &str,
    not_before: i64,
) -> Result<Option<Pending>, AppError> {
    let row: Option<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT user_id, network, server, verifier, authorize_url, created_at FROM oauth_pending WHERE state = $1",
    )
    .bind(state)
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM oauth_pending WHERE state = $1 OR created_at < $2")
        .bind(state)
        .bind(not_before)
        .execute(&mut **tx)
        .await?;
    let Some((user_id, network, server, sealed, authorize_url, created_at)) = row else {
        return Ok(None);
    };
    if created_at < not_before {
        return Ok(None);
    }
    let verifier = key
        .open(&sealed, &format!("oauth:{state}"))
        .map_err(vault_error)?;
    Ok(Network::parse(&network).map(|network| Pending {
        user_id,
        network,
        server,
        verifier,
        authorize_url,
        created_at,
    }))
}

/// The network's page of `user_id`'s authorization `state`, if it is in flight.
pub async fn pending_url(
    db: &Db,
    user_id: &str,
    state: &str,
    not_before: i64,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT authorize_url FROM oauth_pending WHERE state = $1 AND user_id = $2 AND created_at >= $3",
    )
    .bind(state)
    .bind(user_id)
    .bind(not_before)
    .fetch_optional(db.pool())
    .await?)
}

/// OneRing's app on a Mastodon instance, if registered.
pub async fn mastodon_app(
    db: &Db,
    key: &VaultKey,
    instance: &str,
) -> Result<Option<super::networks::mastodon::App>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT client_id, client_secret FROM mastodon_apps WHERE instance = $1")
            .bind(instance)
            .fetch_optional(db.pool())
            .await?;
    match row {
        None => Ok(None),
        Some((client_id, sealed)) => Ok(Some(super::networks::mastodon::App {
            client_id,
            client_secret: key
                .open(&sealed, &format!("mastodon-app:{instance}"))
                .map_err(vault_error)?,
        })),
    }
}

pub async fn save_mastodon_app(
    tx: &mut Tx,
    key: &VaultKey,
    instance: &str,
    app: &super::networks::mastodon::App,
    now: i64,
) -> Result<(), AppError> {
    let sealed = key
        .seal(&app.client_secret, &format!("mastodon-app:{instance}"))
        .map_err(vault_error)?;
    sqlx::query(
        "INSERT INTO mastodon_apps (instance, client_id, client_secret, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (instance) DO NOTHING",
    )
    .bind(instance)
    .bind(&app.client_id)
    .bind(sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
