//! `GET /api/live/drafts/{id}?after=<seq>`: a draft's live channel, as a WebSocket.
//!
//! Why a WebSocket and not Server-Sent Events: browsers open at most six HTTP/1.1
//! connections per site across all tabs, and an event stream holds one for as long as the
//! page is open, so a seventh tab would hang. WebSockets are not counted against that limit,
//! and the same socket carries the page's typing notices the other way.
//!
//! The handshake is authenticated by the session cookie and refused for another site's
//! pages (`Origin`), for strangers to the draft, and for signed-out callers; it is limited
//! per user (`LIVE_HANDSHAKES_PER_USER_PER_MINUTE`), and so are open sockets, per user and
//! per draft (`LIVE_SOCKETS_PER_USER`, `LIVE_SOCKETS_PER_DRAFT`), each refused with 429. The
//! channel first replays what the page missed after `after` — never from before the reader
//! joined the draft — (or tells it to reload when that is more than [`REPLAY_LIMIT`]
//! events), then forwards live messages. A reader removed from the draft gets `revoked` and
//! the socket closes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::events::{self, REPLAY_LIMIT};
use super::hub::LiveHub;
use super::types::{DraftEvent, LiveMessage, PageMessage};
use crate::auth::model::PublicUser;
use crate::error::AppError;
use crate::server::security::error_response;
use crate::server::state::AppState;

/// Typing notices from one page (sent every 100 ms while typing) are passed on at most
/// this often: the first at once, then enough to keep the indicator (3 s) alive, which keeps
/// `NOTIFY` traffic low with many typists.
const TYPING_EVERY: Duration = Duration::from_secs(1);
/// A reader that cannot take a message for this long is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Deserialize)]
pub struct Resume {
    after: Option<i64>,
}

pub async fn open(
    State(state): State<AppState>,
    Path(draft_id): Path<String>,
    Query(resume): Query<Resume>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let refuse = |error: AppError| {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
        let mut response = error_response(status, &error);
        if let AppError::RateLimited { retry_after_s } = error {
            if let Ok(value) = http::HeaderValue::from_str(&retry_after_s.to_string()) {
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, value);
            }
        }
        response
    };
    let origin = parts
        .headers
        .get(http::header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    if origin.is_some_and(|o| o != state.config.public_origin) {
        return refuse(AppError::Forbidden);
    }
    let (user, session_id, renewed_cookie) =
        match crate::auth::service::current_session(&state, &parts).await {
            Ok(Some(current)) => (current.user, current.session_id, current.renewed_cookie),
            Ok(None) => return refuse(AppError::sign_in_required()),
            Err(error) => return refuse(error),
        };
    if crate::ids::parse_id(&draft_id).is_err() {
        return refuse(AppError::NotFound);
    }
    let joined_seq =
        match crate::drafts::store::membership(state.db.pool(), &draft_id, &user.id).await {
            Ok((_, joined_seq)) => joined_seq,
            Err(error) => return refuse(error),
        };
    if let Err(retry_after_s) = state.live_handshake_limiter.check(&user.id) {
        return refuse(AppError::RateLimited { retry_after_s });
    }
    let admission = match state.live.admit(
        &draft_id,
        &user.id,
        state.config.live_sockets_per_user,
        state.config.live_sockets_per_draft,
    ) {
        Ok(admission) => admission,
        Err(error) => return refuse(error),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let hub = state.live.clone();
    // Nobody replays what happened on the draft before they joined it.
    let after = resume.after.unwrap_or(0).max(joined_seq);
    let mut response = upgrade
        // Small buffers: an idle reader should cost a few KiB, not the defaults' 128 KiB.
        // The frame limit matters as much as the message limit: the library reads a whole
        // frame (16 MiB by default) before it looks at the message's size.
        .read_buffer_size(2 * 1024)
        .write_buffer_size(0)
        .max_message_size(1024)
        .max_frame_size(1024)
        .on_upgrade(move |socket| async move {
            let _admission = admission;
            Reader {
                hub,
                draft_id,
                user,
                session_id,
                socket,
            }
            .run(after)
            .await;
        });
    // The session slid forward: the cookie must too.
    if let Some(cookie) = renewed_cookie.and_then(|c| http::HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .append(http::header::SET_COOKIE, cookie);
    }
    response
}

struct Reader {
    hub: Arc<LiveHub>,
    draft_id: String,
    user: PublicUser,
    session_id: String,
    socket: WebSocket,
}

enum Step {
    Continue,
    Stop,
}

impl Reader {
    async fn run(mut self, after: i64) {
        let Ok(mut live) = self.hub.subscribe(&self.draft_id).await else {
            return;
        };
        self.hub.arrive(&self.draft_id, &self.user).await;
        if let Some(delivered) = self.replay(after).await {
            self.forward(&mut live, delivered).await;
        }
        drop(live);
        self.hub.unsubscribe(&self.draft_id);
        self.hub.depart(&self.draft_id, &self.user).await;
    }

    /// Sends what the page missed; returns the last event number it has.
    async fn replay(&mut self, after: i64) -> Option<i64> {
        // The latest number first: whatever `since` returns reaches at least that far.
        let latest = events::latest_seq(self.hub.db(), &self.draft_id)
            .await
            .ok()?;
        let missed = events::since(
            self.hub.db().pool(),
            &self.draft_id,
            after,
            REPLAY_LIMIT + 1,
        )
        .await
        .ok()?;
        // Replayable only if nothing between `after` and `latest` was purged.
        let complete = match missed.first() {
            None => after >= latest,
            Some((first, _)) => *first == after + 1,
        };
        let mut delivered = after;
        if missed.len() as i64 > REPLAY_LIMIT || !complete || after > latest {
            delivered = latest;
            self.send(&LiveMessage::Reset { seq: latest }).await.ok()?;
        } else {
            for (seq, event) in missed {
                delivered = seq;
                if self.is_my_removal(&event) {
                    // Removed between the handshake's check and now.
                    let _ = self.send(&LiveMessage::Revoked).await;
                    return None;
                }
                self.send(&LiveMessage::Event { seq, event }).await.ok()?;
            }
        }
        self.send(&LiveMessage::Ready { seq: delivered })
            .await
            .ok()?;
        let people = self.hub.presence_of(&self.draft_id);
        self.send(&LiveMessage::Presence { people }).await.ok()?;
        Some(delivered)
    }

    async fn forward(
        &mut self,
        live: &mut tokio::sync::broadcast::Receiver<Arc<LiveMessage>>,
        mut delivered: i64,
    ) {
        let mut last_typing: Option<Instant> = None;
        // Pings keep idle connections open through proxies; the access check catches a
        // reader signed out elsewhere, an expired session, or a removal whose notice was lost.
        // Each stream's first check comes at a random point of the period, so thousands of
        // streams opened together (a server restart) check a few at a time, never at once.
        let phase = self.hub.recheck.mul_f64(rand::random::<f64>());
        let mut ping = tokio::time::interval_at(
            tokio::time::Instant::now() + phase.max(std::time::Duration::from_millis(1)),
            self.hub.recheck,
        );
        loop {
            let step = tokio::select! {
                message = live.recv() => match message {
                    Ok(message) => self.pass_on(&message, &mut delivered).await,
                    // Too slow: dropped; the page reconnects and replays from `delivered`.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => Step::Stop,
                },
                frame = self.socket.recv() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if matches!(serde_json::from_str(text.as_str()), Ok(PageMessage::Typing))
                            && last_typing.is_none_or(|t| t.elapsed() >= TYPING_EVERY)
                        {
                            last_typing = Some(Instant::now());
                            self.hub.typing(&self.draft_id, &self.user).await;
                        }
                        Step::Continue
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Step::Stop,
                    Some(Ok(_)) => Step::Continue,
                },
                _ = ping.tick() => {
                    if !still_allowed(&self.hub, &self.session_id, &self.draft_id).await {
                        let _ = self.send(&LiveMessage::Revoked).await;
                        Step::Stop
                    } else if self.send_raw(Message::Ping(Default::default())).await.is_ok() {
                        Step::Continue
                    } else {
                        Step::Stop
                    }
                }
            };
            if matches!(step, Step::Stop) {
                // Bounded too: a peer that reads nothing must not keep this task alive.
                let _ = self.send_raw(Message::Close(None)).await;
                return;
            }
        }
    }

    async fn pass_on(&mut self, message: &LiveMessage, delivered: &mut i64) -> Step {
        if let LiveMessage::Event { seq, event } = message {
            if *seq <= *delivered {
                return Step::Continue;
            }
            *delivered = *seq;
            if matches!(event, DraftEvent::CollaboratorRemoved { user } if user.id == self.user.id)
            {
                let _ = self.send(&LiveMessage::Revoked).await;
                return Step::Stop;
            }
        }
        match self.send(message).await {
            Ok(()) => Step::Continue,
            Err(()) => Step::Stop,
        }
    }

    fn is_my_removal(&self, event: &DraftEvent) -> bool {
        matches!(event, DraftEvent::CollaboratorRemoved { user } if user.id == self.user.id)
    }

    async fn send(&mut self, message: &LiveMessage) -> Result<(), ()> {
        let text = serde_json::to_string(message).map_err(|_| ())?;
        self.send_raw(Message::Text(Utf8Bytes::from(text))).await
    }

    async fn send_raw(&mut self, message: Message) -> Result<(), ()> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }
}

/// Whether the reader's session is still live and they are still on the draft (a database
/// hiccup keeps them: the next check decides).
async fn still_allowed(hub: &LiveHub, session_id: &str, draft_id: &str) -> bool {
    let allowed: Result<Option<String>, sqlx::Error> = sqlx::query_scalar(
        "SELECT s.id FROM sessions s JOIN collaborators c ON c.user_id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND c.draft_id = $3",
    )
    .bind(session_id)
    .bind(crate::db::now_ms())
    .bind(draft_id)
    .fetch_optional(hub.db().pool())
    .await;
    !matches!(allowed, Ok(None))
}
