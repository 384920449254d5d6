//! The leaderboards' numbers, exact and fast.
//!
//! A board sums a window of rollup rows (30 days of a community is tens of thousands of
//! rows). Most of a window lies in *sealed* periods: UTC days (hours for momentum) that ended
//! more than [`GRACE_MS`] ago. Their rows never change again — an event is recorded at the
//! time of its action, in the action's transaction, never backdated, and nothing deletes
//! rollup rows — so the sealed part of a window is summed once per server and kept
//! ([`Sealed`], a small bounded cache, built once however many requests ask at the same
//! time). The open part (today, usually) is read — once for all of a board's windows that
//! share it, and one read at a time — and merged with each window's sealed part into who
//! it changes, best first ([`Changed`]); each request walks the top of that and of the
//! sealed ranking, skipping who left the boards (read fresh per request, so a change of
//! setting shows at once). Every part of every score
//! adds up across the split — passes, active days, momentum's weighted points; co-written
//! drafts are merged exactly from each draft's writers — so the answer is the same wherever
//! the split falls (tested), and the same data with the same `now` gives the same bytes.
//!
//! The open part is read again when this server has committed any write since it was read
//! (so whoever writes here sees it on their next look: they wait for the read), and
//! otherwise when it is older than [`OPEN_FRESH_MS`]. A burst of readers shares one read. A
//! read made only because time passed keeps nobody else waiting: while it runs, askers who
//! have seen no newer write take the read before it, so a write made by *another* server
//! sharing one PostgreSQL database shows within `OPEN_FRESH_MS` plus one read — and the
//! open part's size (today's rows, which grow through the day) never reaches the boards'
//! p99, only the one request a second that reads it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::FromRow;
use tokio::sync::OnceCell;

use super::reduce::{board_window, leaderboard, Candidate, BOARD_SIZE};
use super::types::{Board, Leaderboard};
use crate::clock::day_of;
use crate::db::Db;
use crate::error::AppError;

/// How long after a period ends its rows are taken as final: longer than any transaction
/// that began inside the period can take to commit.
pub const GRACE_MS: i64 = 5 * 60 * 1000;
/// Sealed sums kept: each board's windows for today and yesterday, with room to spare.
const CAPACITY: usize = 16;
/// How long an open part is reused while this server writes nothing.
pub const OPEN_FRESH_MS: u64 = 1_000;

/// The boards with my own standing, at `now`, with the periods ended by `wall_clock` (the
/// real time; a parameter so tests can move the split) taken from the cache.
pub async fn leaderboards(
    cache: &BoardCache,
    db: &Db,
    now: i64,
    wall_clock: i64,
    me: &str,
) -> Result<(Vec<Leaderboard>, bool), AppError> {
    // Taken before anything is read: a write committed after it makes the next request
    // read the open part again.
    let commits = db.commits();
    let hidden: HashSet<String> =
        sqlx::query_scalar("SELECT user_id FROM user_settings WHERE show_on_leaderboards = 0")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    let mut boards = Vec::new();
    for board in Board::ALL {
        // Each window with its sealed part; windows whose open parts are the same periods
        // share one read of it (collaboration's and consistency's 7 and 30 days: today).
        let mut groups: Vec<(OpenKey, Vec<Window>)> = Vec::new();
        for (place, &days) in board.windows().iter().enumerate() {
            let (first, last) = board_window(board, now, days);
            let sealed_end = last.min(last_sealed(board, wall_clock)).max(first - 1);
            let sealed = cache.sealed(db, board, first, sealed_end).await?;
            let window = (place, days, sealed);
            let (from, to) = (sealed_end + 1, last);
            match groups
                .iter_mut()
                .find(|(k, _)| k.shared_by(board, from, to))
            {
                Some((key, windows)) => {
                    key.firsts.push(first);
                    windows.push(window);
                }
                None => {
                    let key = OpenKey {
                        board,
                        from,
                        to,
                        firsts: vec![first],
                    };
                    groups.push((key, vec![window]));
                }
            }
        }
        let mut placed = Vec::new();
        for (key, windows) in groups {
            let sealed = windows.iter().map(|(_, _, s)| s.clone()).collect();
            let changes = cache.open(db, commits, key, sealed).await?;
            for ((place, days, sealed), changed) in windows.iter().zip(changes.iter()) {
                let candidates = candidates(board, sealed, changed, &hidden, me);
                placed.push((*place, leaderboard(board, *days, &candidates, me)));
            }
        }
        placed.sort_by_key(|(place, _)| *place);
        boards.extend(placed.into_iter().map(|(_, b)| b));
    }
    Ok((boards, !hidden.contains(me)))
}

/// One of a board's windows: its place among them, its days and its sealed part.
type Window = (usize, i64, Arc<Sealed>);

/// The last period of `board`'s unit (day or hour) that is sealed at `wall_clock`.
fn last_sealed(board: Board, wall_clock: i64) -> i64 {
    let settled = wall_clock - GRACE_MS;
    match board {
        Board::Momentum => super::momentum::hour_of(settled) - 1,
        Board::Collaboration | Board::Consistency => day_of(settled) - 1,
    }
}

/// Who can be on the board: the best shown people whose score the open part changes
/// (scores only grow), the best shown of the rest in sealed order, and me. A person's
/// public id is a hash, so people are made only for these few.
fn candidates(
    board: Board,
    sealed: &Sealed,
    changed: &Changed,
    hidden: &HashSet<String>,
    me: &str,
) -> Vec<Candidate> {
    let shown = |user_id: &str| !hidden.contains(user_id);
    let sealed_only = |user_id: &str| standing(board, sealed.tally.people.get(user_id), None, 0);
    let mut chosen: Vec<(&str, &str, (i64, i64))> = changed
        .ranked
        .iter()
        .filter(|s| shown(&s.user_id))
        .take(BOARD_SIZE)
        .map(|s| (s.user_id.as_str(), s.handle.as_str(), s.parts))
        .collect();
    chosen.extend(
        sealed
            .ranking
            .iter()
            .map(String::as_str)
            .filter(|id| shown(id) && !changed.index.contains_key(*id))
            .take(BOARD_SIZE)
            .filter_map(|id| sealed_only(id).map(|(handle, parts)| (id, handle, parts))),
    );
    if !chosen.iter().any(|(id, _, _)| *id == me) {
        let mine = match changed.index.get(me) {
            Some(&i) => {
                let s = &changed.ranked[i];
                Some((s.handle.as_str(), s.parts))
            }
            None => sealed_only(me),
        };
        chosen.extend(mine.map(|(handle, parts)| (me, handle, parts)));
    }
    chosen
        .into_iter()
        .map(|(user_id, handle, parts)| Candidate {
            person: super::store::person(user_id, handle.to_owned()),
            user_id: user_id.to_owned(),
            shown: shown(user_id),
            parts,
        })
        .collect()
}

/// A person's handle and score parts on `board` from their sums in the sealed (`old`) and
/// open (`new`) parts, with the drafts that became co-written through the open part.
fn standing<'a>(
    board: Board,
    old: Option<&'a Person>,
    new: Option<&'a Person>,
    newly_shared: i64,
) -> Option<(&'a str, (i64, i64))> {
    let handle = old.or(new)?.handle.as_str();
    let sum = |pick: fn(&Person) -> i64| old.map_or(0, pick) + new.map_or(0, pick);
    let parts = match board {
        Board::Momentum => (super::momentum::from_weighted(sum(|p| p.first)), 0),
        Board::Consistency => (sum(|p| p.first), 0),
        Board::Collaboration => (sum(|p| p.first), old.map_or(0, |p| p.second) + newly_shared),
    };
    Some((handle, parts))
}

/// One person whose standing the open part changes.
#[derive(Debug)]
struct Standing {
    user_id: String,
    handle: String,
    parts: (i64, i64),
}

/// Everyone whose standing in a window the open part changes, best first (score, then
/// handle: handles are unique), whoever is hidden: worked out once per pair of sealed and
/// open parts — a busy day changes thousands — while each request only walks its top.
#[derive(Debug, Default)]
struct Changed {
    ranked: Vec<Standing>,
    /// User id → place in `ranked`.
    index: HashMap<String, usize>,
}

impl Changed {
    fn new(board: Board, sealed: &Sealed, open: &Tally) -> Self {
        let newly_shared = newly_co_written(sealed, open);
        let ids: HashSet<&str> = open
            .people
            .keys()
            .map(String::as_str)
            .chain(newly_shared.keys().copied())
            .collect();
        let mut ranked: Vec<Standing> = ids
            .into_iter()
            .filter_map(|id| {
                let shared = newly_shared.get(id).copied().unwrap_or(0);
                let (handle, parts) = standing(
                    board,
                    sealed.tally.people.get(id),
                    open.people.get(id),
                    shared,
                )?;
                Some(Standing {
                    user_id: id.to_owned(),
                    handle: handle.to_owned(),
                    parts,
                })
            })
            .collect();
        let score = |s: &Standing| s.parts.0 + s.parts.1;
        ranked.sort_unstable_by(|x, y| {
            score(y)
                .cmp(&score(x))
                .then_with(|| x.handle.cmp(&y.handle))
        });
        let index = ranked
            .iter()
            .enumerate()
            .map(|(i, s)| (s.user_id.clone(), i))
            .collect();
        Self { ranked, index }
    }
}

/// Drafts that became co-written for each writer through the open part: shared (two
/// writers or more) over the whole window, but not already shared with them in the sealed
/// part. A sealed writer counts too when someone else joins their draft today.
fn newly_co_written<'a>(sealed: &'a Sealed, open: &'a Tally) -> HashMap<&'a str, i64> {
    let mut newly = HashMap::new();
    for (draft, open_writers) in &open.writers {
        let sealed_writers = sealed.tally.writers.get(draft);
        let already_shared = sealed_writers.filter(|w| w.len() > 1);
        let all: HashSet<&str> = open_writers
            .iter()
            .chain(sealed_writers.into_iter().flatten())
            .map(String::as_str)
            .collect();
        if all.len() < 2 {
            continue;
        }
        for writer in all {
            if !already_shared.is_some_and(|w| w.contains(writer)) {
                *newly.entry(writer).or_insert(0) += 1;
            }
        }
    }
    newly
}

/// One person's sums in part of a window: for collaboration (passes given, drafts written
/// on with someone else), consistency (active days, 0), momentum (weighted points, 0).
#[derive(Debug, Clone, Default)]
struct Person {
    handle: String,
    first: i64,
    second: i64,
}

/// The sums over periods `from..=to` of a window starting at `first`.
#[derive(Debug, Default)]
struct Tally {
    people: HashMap<String, Person>,
    /// Collaboration: who wrote a segment on each draft.
    writers: HashMap<String, HashSet<String>>,
}

#[derive(FromRow)]
struct PartsRow {
    user_id: String,
    handle: String,
    amount: i64,
}

#[derive(FromRow)]
struct WriterRow {
    draft_id: String,
    user_id: String,
    handle: String,
}

impl Tally {
    async fn read(db: &Db, board: Board, first: i64, from: i64, to: i64) -> Result<Self, AppError> {
        let mut tally = Tally::default();
        if from > to {
            return Ok(tally);
        }
        let amounts = match board {
            Board::Momentum => format!(
                "SELECT h.user_id, u.handle, CAST(SUM({points} * (h.hour - $3 + 1)) AS BIGINT) AS amount \
                 FROM analytics_user_hours h JOIN users u ON u.id = h.user_id \
                 WHERE h.hour BETWEEN $1 AND $2 GROUP BY h.user_id, u.handle",
                points = super::momentum::POINTS_SQL,
            ),
            Board::Consistency => "SELECT d.user_id, u.handle, COUNT(*) AS amount \
                 FROM analytics_user_days d JOIN users u ON u.id = d.user_id \
                 WHERE d.day BETWEEN $1 AND $2 AND (d.segments > 0 OR d.passes_given > 0) \
                 GROUP BY d.user_id, u.handle"
                .to_owned(),
            Board::Collaboration => "SELECT d.user_id, u.handle, CAST(SUM(d.passes_given) AS BIGINT) AS amount \
                 FROM analytics_user_days d JOIN users u ON u.id = d.user_id \
                 WHERE d.day BETWEEN $1 AND $2 AND d.passes_given > 0 \
                 GROUP BY d.user_id, u.handle"
                .to_owned(),
        };
        let mut query = sqlx::query_as::<_, PartsRow>(&amounts).bind(from).bind(to);
        if board == Board::Momentum {
            // Momentum weighs each hour by its place in the window.
            query = query.bind(first);
        }
        let rows = query.fetch_all(db.pool()).await?;
        for row in rows {
            tally.people.insert(
                row.user_id,
                Person {
                    handle: row.handle,
                    first: row.amount,
                    second: 0,
                },
            );
        }
        if board == Board::Collaboration {
            let writers = sqlx::query_as::<_, WriterRow>(
                "SELECT DISTINCT a.draft_id, a.user_id, u.handle \
                 FROM analytics_draft_days a JOIN users u ON u.id = a.user_id \
                 WHERE a.day BETWEEN $1 AND $2 AND a.segments > 0",
            )
            .bind(from)
            .bind(to)
            .fetch_all(db.pool())
            .await?;
            for row in writers {
                tally
                    .people
                    .entry(row.user_id.clone())
                    .or_insert_with(|| Person {
                        handle: row.handle,
                        ..Person::default()
                    });
                tally
                    .writers
                    .entry(row.draft_id)
                    .or_default()
                    .insert(row.user_id);
            }
            for writers in tally.writers.values().filter(|w| w.len() > 1) {
                for writer in writers {
                    if let Some(person) = tally.people.get_mut(writer) {
                        person.second += 1;
                    }
                }
            }
        }
        Ok(tally)
    }
}

/// The sealed part of one window: its sums and everyone in it, best first.
#[derive(Debug)]
struct Sealed {
    tally: Tally,
    ranking: Vec<String>,
}

impl Sealed {
    fn new(board: Board, tally: Tally) -> Self {
        let score = |p: &Person| match board {
            Board::Momentum => super::momentum::from_weighted(p.first),
            Board::Collaboration | Board::Consistency => p.first + p.second,
        };
        let mut ranked: Vec<(i64, &str, &str)> = tally
            .people
            .iter()
            .map(|(id, p)| (score(p), p.handle.as_str(), id.as_str()))
            .collect();
        // The board's order: score, then handle (handles are unique).
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let ranking = ranked.into_iter().map(|(_, _, id)| id.to_owned()).collect();
        Self { tally, ranking }
    }
}

/// Which sealed part: a board's window `first..=last` of sealed periods.
type Key = (Board, i64, i64);
/// A sealed part, or the promise of one while the first asker builds it.
type Slot = Arc<OnceCell<Arc<Sealed>>>;

/// Which open part: a board's periods `from..=to`, in its windows starting at `firsts`
/// (each window's sealed part ends at `from - 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct OpenKey {
    board: Board,
    from: i64,
    to: i64,
    firsts: Vec<i64>,
}

impl OpenKey {
    /// Whether another window of `board` whose open part is `from..=to` can share this read:
    /// not on momentum, which weighs each hour by its place in the window.
    fn shared_by(&self, board: Board, from: i64, to: i64) -> bool {
        board != Board::Momentum && (self.board, self.from, self.to) == (board, from, to)
    }
}

/// Who an open part changes in each of its windows, in the key's order.
type Changes = Arc<Vec<Changed>>;

/// Who an open part changes, as read (or being read) after this server's `commits`-th
/// write, at `read_at`.
#[derive(Debug)]
struct OpenEntry {
    key: OpenKey,
    commits: u64,
    read_at: Instant,
    changed: Arc<OnceCell<Changes>>,
    /// The read before `changed`, with the writes it had seen: taken while `changed` is
    /// read by askers who have seen no newer write.
    previous: Option<(u64, Changes)>,
}

/// What an asker does for an open part.
enum OpenPlan {
    /// Take this one as it is.
    Ready(Changes),
    /// Wait for this read, or make it if nobody is.
    Read(Arc<OnceCell<Changes>>),
}

/// Decides, under the cache's lock, what an asker who has seen `commits` writes does at
/// `now` for the open part `key`, replacing the entry when a new read is due.
fn plan_open(
    entries: &mut Vec<OpenEntry>,
    key: OpenKey,
    commits: u64,
    now: Instant,
    fresh: Duration,
) -> OpenPlan {
    let Some(i) = entries.iter().position(|e| e.key == key) else {
        if entries.len() >= CAPACITY {
            entries.remove(0);
        }
        return start_read(entries, key, commits, now, None);
    };
    let entry = &entries[i];
    let previous = match entry.changed.get() {
        Some(changed) if entry.commits >= commits && now.duration_since(entry.read_at) < fresh => {
            return OpenPlan::Ready(changed.clone());
        }
        Some(changed) => Some((entry.commits, changed.clone())),
        // Being read, unless whoever started the read gave up (failed or went away).
        None if Arc::strong_count(&entry.changed) > 1 => match &entry.previous {
            Some((seen, changed)) if *seen >= commits => return OpenPlan::Ready(changed.clone()),
            _ if entry.commits >= commits => return OpenPlan::Read(entry.changed.clone()),
            _ => entry.previous.clone(),
        },
        None => entry.previous.clone(),
    };
    entries.remove(i);
    start_read(entries, key, commits, now, previous)
}

fn start_read(
    entries: &mut Vec<OpenEntry>,
    key: OpenKey,
    commits: u64,
    now: Instant,
    previous: Option<(u64, Changes)>,
) -> OpenPlan {
    let changed = Arc::new(OnceCell::new());
    entries.push(OpenEntry {
        key,
        commits,
        read_at: now,
        changed: changed.clone(),
        previous,
    });
    OpenPlan::Read(changed)
}

/// Sealed parts of windows, a few at a time, each built once; and the open parts, each
/// reused until this server writes or [`OPEN_FRESH_MS`] pass.
#[derive(Debug, Default)]
pub struct BoardCache {
    entries: Mutex<Vec<(Key, Slot)>>,
    open: Mutex<Vec<OpenEntry>>,
    /// Held while an open part is read.
    reading: tokio::sync::Mutex<()>,
}

impl BoardCache {
    async fn sealed(
        &self,
        db: &Db,
        board: Board,
        first: i64,
        last: i64,
    ) -> Result<Arc<Sealed>, AppError> {
        let key = (board, first, last);
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            match entries.iter().position(|(k, _)| *k == key) {
                Some(i) => {
                    // Most recently used last; the first is the one to drop.
                    let entry = entries.remove(i);
                    let cell = entry.1.clone();
                    entries.push(entry);
                    cell
                }
                None => {
                    if entries.len() >= CAPACITY {
                        entries.remove(0);
                    }
                    let cell = Arc::new(OnceCell::new());
                    entries.push((key, cell.clone()));
                    cell
                }
            }
        };
        let sealed = cell
            .get_or_try_init(|| async {
                let tally = Tally::read(db, board, first, first, last).await?;
                Ok::<_, AppError>(Arc::new(Sealed::new(board, tally)))
            })
            .await?;
        Ok(sealed.clone())
    }

    /// Who the open part `key` changes in each of its windows, whose sealed parts are
    /// `sealed` (in the key's order), for an asker who has seen this server's `commits`-th
    /// write.
    async fn open(
        &self,
        db: &Db,
        commits: u64,
        key: OpenKey,
        sealed: Vec<Arc<Sealed>>,
    ) -> Result<Changes, AppError> {
        let (board, from, to, first) = (key.board, key.from, key.to, key.firsts[0]);
        let plan = {
            let mut entries = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let fresh = Duration::from_millis(OPEN_FRESH_MS);
            plan_open(&mut entries, key, commits, Instant::now(), fresh)
        };
        let cell = match plan {
            OpenPlan::Ready(changes) => return Ok(changes),
            OpenPlan::Read(cell) => cell,
        };
        let changes = cell
            .get_or_try_init(|| async {
                // One read at a time: a read and its ranking keep a core busy for
                // milliseconds, and several at once would leave the requests none.
                let _one_at_a_time = self.reading.lock().await;
                let tally = Tally::read(db, board, first, from, to).await?;
                // Off the request threads, so the requests queued behind this one do not
                // wait for the ranking.
                let changes = tokio::task::spawn_blocking(move || {
                    let changes = sealed.iter().map(|s| Changed::new(board, s, &tally));
                    changes.collect::<Vec<_>>()
                })
                .await?;
                Ok::<_, AppError>(Arc::new(changes))
            })
            .await?;
        Ok(changes.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DAY_MS;

    const FRESH: Duration = Duration::from_secs(1);

    fn plan(entries: &mut Vec<OpenEntry>, commits: u64, now: Instant) -> OpenPlan {
        let key = OpenKey {
            board: Board::Consistency,
            from: 10,
            to: 10,
            firsts: vec![4, -19],
        };
        plan_open(entries, key, commits, now, FRESH)
    }

    fn reading(plan: OpenPlan) -> Arc<OnceCell<Changes>> {
        match plan {
            OpenPlan::Read(cell) => cell,
            OpenPlan::Ready(_) => panic!("expected a read"),
        }
    }

    fn ready(plan: OpenPlan) -> Changes {
        match plan {
            OpenPlan::Ready(changed) => changed,
            OpenPlan::Read(_) => panic!("expected a ready answer"),
        }
    }

    /// A read finished by whoever holds `cell`.
    fn finish(cell: &OnceCell<Changes>) -> Changes {
        let changed = Arc::new(vec![Changed::default(), Changed::default()]);
        cell.set(changed.clone())
            .unwrap_or_else(|_| panic!("read twice"));
        changed
    }

    #[test]
    fn askers_at_once_share_one_read_and_then_its_result_while_fresh() {
        let (mut entries, start) = (Vec::new(), Instant::now());
        let first = reading(plan(&mut entries, 0, start));
        let second = reading(plan(&mut entries, 0, start));
        assert!(Arc::ptr_eq(&first, &second), "one read for both");
        let read = finish(&first);
        let later = ready(plan(&mut entries, 0, start + FRESH / 2));
        assert!(Arc::ptr_eq(&read, &later));
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn a_write_on_this_server_makes_its_writer_wait_for_a_new_read() {
        let (mut entries, start) = (Vec::new(), Instant::now());
        finish(&reading(plan(&mut entries, 0, start)));
        // Fresh by time, but the asker has seen a write the read has not.
        let after_write = reading(plan(&mut entries, 1, start));
        // While that read runs, an asker who has seen the write waits for it too...
        let also = reading(plan(&mut entries, 1, start));
        assert!(Arc::ptr_eq(&after_write, &also));
        // ...and one who asked before the write may take the older read.
        ready(plan(&mut entries, 0, start));
    }

    #[test]
    fn a_read_due_to_time_keeps_only_its_maker_waiting() {
        let (mut entries, start) = (Vec::new(), Instant::now());
        let old = finish(&reading(plan(&mut entries, 0, start)));
        let refresh = reading(plan(&mut entries, 0, start + FRESH));
        let meanwhile = ready(plan(&mut entries, 0, start + FRESH));
        assert!(Arc::ptr_eq(&old, &meanwhile), "the read before, not a wait");
        // A write on this server during the read: its writer needs a read that started after it.
        let newer = reading(plan(&mut entries, 1, start + FRESH));
        assert!(!Arc::ptr_eq(&refresh, &newer));
        let new = finish(&newer);
        assert!(Arc::ptr_eq(
            &new,
            &ready(plan(&mut entries, 1, start + FRESH))
        ));
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn a_read_whose_maker_gave_up_is_made_again() {
        let (mut entries, start) = (Vec::new(), Instant::now());
        drop(reading(plan(&mut entries, 0, start)));
        let again = reading(plan(&mut entries, 0, start));
        assert_eq!(
            Arc::strong_count(&again),
            2,
            "a new read, held by its maker and the cache"
        );
    }

    #[test]
    fn a_day_is_sealed_five_minutes_after_it_ends() {
        let midnight = 20_000 * DAY_MS;
        assert_eq!(
            last_sealed(Board::Consistency, midnight + GRACE_MS - 1),
            19_998
        );
        assert_eq!(last_sealed(Board::Consistency, midnight + GRACE_MS), 19_999);
        let hour = 3_600_000;
        assert_eq!(
            last_sealed(Board::Momentum, midnight + hour + GRACE_MS),
            20_000 * 24
        );
    }
}
