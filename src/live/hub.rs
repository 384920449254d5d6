//! The live hub: per-draft broadcast channels on this app server, fed from stored events
//! (in order, each once) and from presence and typing notices.
//!
//! Memory is bounded: a draft's channel holds at most [`CHANNEL_CAPACITY`] messages shared by
//! all its readers; a reader that falls that far behind is dropped (its page reconnects
//! and replays from its last event), never buffered for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

use super::bus::Notice;
use super::events::{self, CHANNEL};
use super::types::{DraftEvent, LiveMessage, Present};
use crate::auth::model::PublicUser;
use crate::db::{Backend, Db};

pub const CHANNEL_CAPACITY: usize = 256;
/// A typing indicator lasts this long after the last keystroke notice.
pub const TYPING_TTL: Duration = Duration::from_secs(3);
/// Each server repeats who it has on which draft this often...
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// ...and forgets another server's readers it has not heard about for this long.
const PRESENCE_TTL: Duration = Duration::from_secs(40);

/// One draft's broadcast channel on this server.
struct DraftChannel {
    sender: broadcast::Sender<Arc<LiveMessage>>,
    /// The last event number broadcast; the async lock keeps broadcasts in order.
    broadcast_seq: Arc<tokio::sync::Mutex<i64>>,
}

/// Who is on one draft, across servers.
#[derive(Default)]
struct Presence {
    people: HashMap<String, Person>,
}

struct Person {
    user: PublicUser,
    /// Server id → when its last word about this reader expires.
    servers: HashMap<String, Instant>,
    typing_until: Option<Instant>,
}

impl Presence {
    fn snapshot(&self, now: Instant) -> Vec<Present> {
        let mut people: Vec<Present> = self
            .people
            .values()
            .map(|p| Present {
                user: p.user.clone(),
                typing: p.typing_until.is_some_and(|t| t > now),
            })
            .collect();
        people.sort_by(|a, b| a.user.handle.cmp(&b.user.handle));
        people
    }
}

#[derive(Debug, Clone)]
enum Transport {
    /// SQLite: this server is the only one.
    Local,
    /// PostgreSQL: notices go through `NOTIFY`.
    Postgres,
}

pub struct LiveHub {
    db: Db,
    server_id: String,
    transport: Transport,
    channels: Mutex<HashMap<String, DraftChannel>>,
    presence: Mutex<HashMap<String, Presence>>,
    /// Open readers on this server per (draft, user id), with the user.
    local: Mutex<HashMap<(String, String), (PublicUser, usize)>>,
    ready: watch::Receiver<bool>,
    /// Open sockets on this server per user id and per draft (admission limits).
    open_by_user: Mutex<HashMap<String, usize>>,
    open_by_draft: Mutex<HashMap<String, usize>>,
    /// How often readers are pinged and their access re-checked.
    pub recheck: Duration,
}

/// A reader's place among this server's open sockets; dropping it gives the place back.
pub struct Admission {
    hub: Arc<LiveHub>,
    draft_id: String,
    user_id: String,
}

impl Drop for Admission {
    fn drop(&mut self) {
        release(&self.hub.open_by_user, &self.user_id);
        release(&self.hub.open_by_draft, &self.draft_id);
    }
}

fn release(counts: &Mutex<HashMap<String, usize>>, key: &str) {
    let mut counts = locked(counts);
    if let Some(n) = counts.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            counts.remove(key);
        }
    }
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("server_id", &self.server_id)
            .finish_non_exhaustive()
    }
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl LiveHub {
    /// Starts the hub and its background tasks (the PostgreSQL listener, the heartbeat and
    /// the expiry sweep). Must run inside a Tokio runtime.
    pub fn start(db: Db, database_url: &str, recheck: Duration) -> Arc<Self> {
        let (ready_tx, ready) = watch::channel(false);
        let transport = match db.backend() {
            Backend::Sqlite => Transport::Local,
            Backend::Postgres => Transport::Postgres,
        };
        let hub = Arc::new(Self {
            db,
            server_id: uuid::Uuid::new_v4().simple().to_string(),
            transport: transport.clone(),
            channels: Mutex::new(HashMap::new()),
            presence: Mutex::new(HashMap::new()),
            local: Mutex::new(HashMap::new()),
            ready,
            open_by_user: Mutex::new(HashMap::new()),
            open_by_draft: Mutex::new(HashMap::new()),
            recheck,
        });
        match transport {
            Transport::Local => {
                let weak = Arc::downgrade(&hub);
                hub.db.on_commit(move |mut drafts| {
                    let Some(hub) = weak.upgrade() else { return };
                    drafts.sort();
                    drafts.dedup();
                    tokio::spawn(async move {
                        for draft in drafts {
                            hub.broadcast_new_events(&draft).await;
                        }
                    });
                });
                let _ = ready_tx.send(true);
            }
            Transport::Postgres => {
                tokio::spawn(listen(
                    Arc::downgrade(&hub),
                    database_url.to_owned(),
                    ready_tx,
                ));
            }
        }
        tokio::spawn(keep_presence(Arc::downgrade(&hub)));
        hub
    }

    /// Resolves once notices from other servers can arrive (at once on SQLite).
    pub async fn ready(&self) {
        let mut ready = self.ready.clone();
        let _ = ready.wait_for(|r| *r).await;
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Admits one more socket for `user_id` on `draft_id`, unless either already has as
    /// many open on this server as allowed.
    pub fn admit(
        self: &Arc<Self>,
        draft_id: &str,
        user_id: &str,
        per_user: usize,
        per_draft: usize,
    ) -> Result<Admission, crate::error::AppError> {
        let mut by_user = locked(&self.open_by_user);
        let mut by_draft = locked(&self.open_by_draft);
        let user_open = by_user.get(user_id).copied().unwrap_or(0);
        let draft_open = by_draft.get(draft_id).copied().unwrap_or(0);
        if user_open >= per_user || draft_open >= per_draft {
            return Err(crate::error::AppError::RateLimited { retry_after_s: 10 });
        }
        by_user.insert(user_id.to_owned(), user_open + 1);
        by_draft.insert(draft_id.to_owned(), draft_open + 1);
        Ok(Admission {
            hub: self.clone(),
            draft_id: draft_id.to_owned(),
            user_id: user_id.to_owned(),
        })
    }

    /// A reader for the draft's channel (made on first use, starting from the latest
    /// stored event).
    pub async fn subscribe(
        &self,
        draft_id: &str,
    ) -> Result<broadcast::Receiver<Arc<LiveMessage>>, crate::error::AppError> {
        if let Some(channel) = locked(&self.channels).get(draft_id) {
            return Ok(channel.sender.subscribe());
        }
        let latest = events::latest_seq(&self.db, draft_id).await?;
        let mut channels = locked(&self.channels);
        let channel = channels
            .entry(draft_id.to_owned())
            .or_insert_with(|| DraftChannel {
                sender: broadcast::channel(CHANNEL_CAPACITY).0,
                broadcast_seq: Arc::new(tokio::sync::Mutex::new(latest)),
            });
        Ok(channel.sender.subscribe())
    }

    /// A reader left: forgets the channel once nobody on this server reads it.
    pub fn unsubscribe(&self, draft_id: &str) {
        let mut channels = locked(&self.channels);
        if channels
            .get(draft_id)
            .is_some_and(|c| c.sender.receiver_count() == 0)
        {
            channels.remove(draft_id);
        }
    }

    /// How many readers are open on this server (for health and benchmarks).
    pub fn open_readers(&self) -> usize {
        locked(&self.channels)
            .values()
            .map(|c| c.sender.receiver_count())
            .sum()
    }

    /// Broadcasts the draft's stored events this server has not broadcast yet, in order.
    async fn broadcast_new_events(&self, draft_id: &str) {
        let Some((sender, broadcast_seq)) = locked(&self.channels)
            .get(draft_id)
            .map(|c| (c.sender.clone(), c.broadcast_seq.clone()))
        else {
            return;
        };
        let mut last = broadcast_seq.lock().await;
        loop {
            let batch = match events::since(self.db.pool(), draft_id, *last, 500).await {
                Ok(batch) => batch,
                Err(_) => {
                    tracing::warn!(
                        draft_id,
                        "could not read new events; readers catch up on reconnect"
                    );
                    return;
                }
            };
            let full = batch.len() == 500;
            for (seq, event) in batch {
                *last = seq;
                self.on_event(draft_id, &event);
                let _ = sender.send(Arc::new(LiveMessage::Event { seq, event }));
            }
            if !full {
                return;
            }
        }
    }

    /// An author's typing ends with their change.
    fn on_event(&self, draft_id: &str, event: &DraftEvent) {
        let Some(author) = event.author() else { return };
        let changed = locked(&self.presence)
            .get_mut(draft_id)
            .and_then(|p| p.people.get_mut(&author.id))
            .and_then(|person| person.typing_until.take())
            .is_some();
        if changed {
            self.send_presence(draft_id);
        }
    }

    /// The current presence on a draft.
    pub fn presence_of(&self, draft_id: &str) -> Vec<Present> {
        locked(&self.presence)
            .get(draft_id)
            .map(|p| p.snapshot(Instant::now()))
            .unwrap_or_default()
    }

    fn send_presence(&self, draft_id: &str) {
        let people = self.presence_of(draft_id);
        if let Some(channel) = locked(&self.channels).get(draft_id) {
            let _ = channel
                .sender
                .send(Arc::new(LiveMessage::Presence { people }));
        }
    }

    /// `user` opened the draft on this server.
    pub async fn arrive(&self, draft_id: &str, user: &PublicUser) {
        let first = {
            let mut local = locked(&self.local);
            let entry = local
                .entry((draft_id.to_owned(), user.id.clone()))
                .or_insert_with(|| (user.clone(), 0));
            entry.1 += 1;
            entry.1 == 1
        };
        if first {
            self.publish(self.presence_notice(draft_id, user, true))
                .await;
        }
    }

    /// `user` closed the draft on this server.
    pub async fn depart(&self, draft_id: &str, user: &PublicUser) {
        let last = {
            let mut local = locked(&self.local);
            let key = (draft_id.to_owned(), user.id.clone());
            match local.get_mut(&key) {
                Some(entry) if entry.1 > 1 => {
                    entry.1 -= 1;
                    false
                }
                Some(_) => {
                    local.remove(&key);
                    true
                }
                None => false,
            }
        };
        if last {
            self.publish(self.presence_notice(draft_id, user, false))
                .await;
        }
    }

    /// `user` is typing on the draft.
    pub async fn typing(&self, draft_id: &str, user: &PublicUser) {
        self.publish(Notice::Typing {
            draft: draft_id.to_owned(),
            user: user.clone(),
        })
        .await;
    }

    fn presence_notice(&self, draft_id: &str, user: &PublicUser, here: bool) -> Notice {
        Notice::Presence {
            draft: draft_id.to_owned(),
            user: user.clone(),
            server: self.server_id.clone(),
            here,
        }
    }

    async fn publish(&self, notice: Notice) {
        match self.transport {
            Transport::Local => self.deliver(notice).await,
            Transport::Postgres => {
                let Ok(payload) = serde_json::to_string(&notice) else {
                    return;
                };
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(self.db.pool())
                    .await;
                if let Err(err) = sent {
                    tracing::warn!(error = %err, "could not send a live notice");
                }
            }
        }
    }

    /// Applies a notice from any server (this one included).
    async fn deliver(&self, notice: Notice) {
        match notice {
            Notice::Event { draft } => self.broadcast_new_events(&draft).await,
            Notice::Presence {
                draft,
                user,
                server,
                here,
            } => {
                let changed = {
                    let mut presence = locked(&self.presence);
                    let book = presence.entry(draft.clone()).or_default();
                    let changed = if here {
                        let person = book
                            .people
                            .entry(user.id.clone())
                            .or_insert_with(|| Person {
                                user: user.clone(),
                                servers: HashMap::new(),
                                typing_until: None,
                            });
                        person
                            .servers
                            .insert(server, Instant::now() + PRESENCE_TTL)
                            .is_none()
                            && person.servers.len() == 1
                    } else {
                        let gone = book.people.get_mut(&user.id).is_some_and(|person| {
                            person.servers.remove(&server);
                            person.servers.is_empty()
                        });
                        if gone {
                            book.people.remove(&user.id);
                        }
                        gone
                    };
                    if book.people.is_empty() {
                        presence.remove(&draft);
                    }
                    changed
                };
                if changed {
                    self.send_presence(&draft);
                }
            }
            Notice::Typing { draft, user } => {
                let started = locked(&self.presence)
                    .get_mut(&draft)
                    .and_then(|book| book.people.get_mut(&user.id))
                    .is_some_and(|person| {
                        let now = Instant::now();
                        let was_typing = person.typing_until.is_some_and(|t| t > now);
                        person.typing_until = Some(now + TYPING_TTL);
                        !was_typing
                    });
                if started {
                    self.send_presence(&draft);
                }
            }
        }
    }

    /// Re-announces this server's readers (so other servers keep them) and forgets what
    /// expired: typing that stopped, and readers of servers that went quiet.
    async fn tick(&self, announce: bool) {
        if announce {
            let readers: Vec<(String, PublicUser)> = locked(&self.local)
                .iter()
                .map(|((draft, _), (user, _))| (draft.clone(), user.clone()))
                .collect();
            for (draft, user) in readers {
                // Skip readers that left meanwhile: a stale "here" would bring them back.
                let key = (draft.clone(), user.id.clone());
                if locked(&self.local).contains_key(&key) {
                    self.publish(self.presence_notice(&draft, &user, true))
                        .await;
                }
            }
        }
        let now = Instant::now();
        let mut changed = Vec::new();
        {
            let mut presence = locked(&self.presence);
            for (draft, book) in presence.iter_mut() {
                let mut draft_changed = false;
                for person in book.people.values_mut() {
                    person.servers.retain(|_, expires| *expires > now);
                    if person.typing_until.is_some_and(|t| t <= now) {
                        person.typing_until = None;
                        draft_changed = true;
                    }
                }
                let before = book.people.len();
                book.people.retain(|_, p| !p.servers.is_empty());
                if draft_changed || book.people.len() != before {
                    changed.push(draft.clone());
                }
            }
            presence.retain(|_, book| !book.people.is_empty());
        }
        for draft in changed {
            self.send_presence(&draft);
        }
    }
}

/// Heartbeats and expiry, until the hub is dropped.
async fn keep_presence(hub: std::sync::Weak<LiveHub>) {
    let mut every = tokio::time::interval(Duration::from_millis(500));
    let mut last_announce = Instant::now();
    loop {
        every.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        let announce = last_announce.elapsed() >= HEARTBEAT;
        if announce {
            last_announce = Instant::now();
        }
        hub.tick(announce).await;
    }
}

/// PostgreSQL: one `LISTEN` connection per server delivers every notice. After a lost
/// connection (notices may have been missed), every open channel catches up from the
/// event table.
async fn listen(hub: std::sync::Weak<LiveHub>, url: String, ready: watch::Sender<bool>) {
    use sqlx::postgres::PgListener;
    loop {
        let listener = match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => Some(listener),
                Err(err) => {
                    tracing::warn!(error = %err, "could not LISTEN for live notices");
                    None
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "could not connect for live notices");
                None
            }
        };
        let Some(mut listener) = listener else {
            if hub.strong_count() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let _ = ready.send(true);
        if let Some(hub) = hub.upgrade() {
            hub.catch_up_all().await;
        }
        loop {
            let received = tokio::select! {
                received = listener.try_recv() => received,
                () = tokio::time::sleep(Duration::from_secs(5)) => {
                    if hub.strong_count() == 0 { return; }
                    continue;
                }
            };
            let Some(hub) = hub.upgrade() else { return };
            match received {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<Notice>(notification.payload()) {
                        Ok(notice) => hub.deliver(notice).await,
                        Err(_) => tracing::warn!("ignored an unreadable live notice"),
                    }
                }
                // The connection dropped and came back: notices may be lost.
                Ok(None) => hub.catch_up_all().await,
                Err(err) => {
                    tracing::warn!(error = %err, "live notice connection failed; reconnecting");
                    break;
                }
            }
        }
    }
}

impl LiveHub {
    async fn catch_up_all(&self) {
        let drafts: Vec<String> = locked(&self.channels).keys().cloned().collect();
        for draft in drafts {
            self.broadcast_new_events(&draft).await;
        }
    }
}
