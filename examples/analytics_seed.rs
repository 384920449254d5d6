//! Seeds a database for the analytics benchmark (run by `scripts/bench-analytics.sh`):
//!
//!   analytics_seed <database url> <work dir>
//!
//! 10,000 people, 50,000 drafts (an owner and two editors each, three segments), and
//! 1,000,000 analytics events over the past year (drafts created, segments, ring passes,
//! views), then the rollups rebuilt from them with `analytics::rebuild` (timed). Writes
//! `<work dir>/cookie` (a session for person 0) and `<work dir>/drafts` (ids of drafts
//! person 0 is on). Person 0 also writes every day for two years (the heavy writer) in
//! Europe/Berlin. Then times the streak and momentum computation alone (`standing`) for
//! person 0 and for 1,000 others. Deterministic: the same data every run (only "now" moves).

use std::io::Write;
use std::time::Instant;

use onering::analytics::types::Activity;
use onering::db::{run_migrations, Db};
use onering::drafts::model::Platform;

const PEOPLE: u64 = 10_000;
const DRAFTS: u64 = 50_000;
const EVENTS: u64 = 1_000_000;
const YEAR_MS: i64 = 365 * 24 * 60 * 60 * 1000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;
/// Days of daily writing behind person 0, the heavy writer.
const HEAVY_DAYS: i64 = 730;

type Failure = Box<dyn std::error::Error>;

fn person(i: u64) -> String {
    format!("00000000-0000-4000-8000-{:012x}", i % PEOPLE)
}

fn draft(i: u64) -> String {
    format!("00000000-0000-4000-9000-{:012x}", i)
}

/// The three people on draft `d`: its owner and two editors, all different.
fn members(d: u64) -> [u64; 3] {
    let owner = d % PEOPLE;
    let one = (d * 7 + 1) % PEOPLE;
    let two = (d * 13 + 2) % PEOPLE;
    let one = if one == owner {
        (one + 1) % PEOPLE
    } else {
        one
    };
    let two = if two == owner || two == one {
        (two + 3) % PEOPLE
    } else {
        two
    };
    [owner, one, two]
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Inserts `rows` (each a list of SQL literals) into `table` a thousand at a time.
async fn insert(db: &Db, table: &str, rows: &[String]) -> Result<(), Failure> {
    for chunk in rows.chunks(1_000) {
        let sql = format!("INSERT INTO {table} VALUES {}", chunk.join(", "));
        sqlx::query(&sql).execute(db.pool()).await?;
    }
    Ok(())
}

fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let (url, work) = match args.as_slice() {
        [_, url, work] => (url.clone(), std::path::PathBuf::from(work)),
        _ => return Err("usage: analytics_seed <database url> <work dir>".into()),
    };
    let db = Db::connect(&url, 4).await?;
    run_migrations(&db).await?;
    let now = onering::db::now_ms();
    let started = Instant::now();
    let hash = onering::auth::password::hash("correct horse battery staple".into()).await?;

    let people: Vec<String> = (0..PEOPLE)
        .map(|i| {
            let id = person(i);
            format!(
                "({}, 'p{i}', 'p{i}@bench.example', 'p{i}@bench.example', {}, {})",
                text(&id),
                text(&hash),
                now - YEAR_MS
            )
        })
        .collect();
    insert(
        &db,
        "users (id, handle, email, email_normalized, password_hash, created_at)",
        &people,
    )
    .await?;

    let mut drafts = Vec::new();
    let mut collaborators = Vec::new();
    let mut segments = Vec::new();
    for d in 0..DRAFTS {
        let [owner, one, two] = members(d);
        let created = now - YEAR_MS + (d as i64 * YEAR_MS) / DRAFTS as i64;
        drafts.push(format!(
            "({}, {}, 'Draft {d}', NULL, 'x', 'draft', {}, 3, {created}, {created}, 0)",
            text(&draft(d)),
            text(&person(owner)),
            text(&person(owner))
        ));
        for (who, role) in [(owner, "owner"), (one, "editor"), (two, "editor")] {
            collaborators.push(format!(
                "({}, {}, '{role}', {created}, 0)",
                text(&draft(d)),
                text(&person(who))
            ));
        }
        for (position, who) in [owner, one, two].into_iter().enumerate() {
            segments.push(format!(
                "('{}-s{position}', {}, {}, 'Segment {position} of draft {d}, about what we built.', {}, {}, NULL)",
                draft(d),
                text(&draft(d)),
                position + 1,
                text(&person(who)),
                created + position as i64 * 60_000
            ));
        }
    }
    insert(&db, "drafts (id, owner_id, title, subtitle, platform, status, ring_holder_id, segment_count, created_at, updated_at, event_seq)", &drafts).await?;
    insert(
        &db,
        "collaborators (draft_id, user_id, role, added_at, joined_seq)",
        &collaborators,
    )
    .await?;
    insert(
        &db,
        "segments (id, draft_id, position, content, author_id, created_at, edited_at)",
        &segments,
    )
    .await?;

    // Events: each draft's creation, then a year of segments (60 %), passes (25 %) and
    // views (15 %) spread over the drafts and their members.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut events = Vec::with_capacity(EVENTS as usize);
    let activity = |a: &Activity| serde_json::to_string(a).unwrap_or_default();
    for d in 0..DRAFTS {
        let created = now - YEAR_MS + (d as i64 * YEAR_MS) / DRAFTS as i64;
        let owner = person(members(d)[0]);
        let payload = activity(&Activity::DraftCreated {
            platform: Platform::X,
        });
        events.push(format!(
            "('c{d}', 1, 'draft_created', {}, {}, {created}, {})",
            text(&owner),
            text(&draft(d)),
            text(&payload)
        ));
    }
    for e in DRAFTS..EVENTS {
        let d = rng.next() % DRAFTS;
        let who = members(d);
        let actor = who[(rng.next() % 3) as usize];
        let at = now - (rng.next() % YEAR_MS as u64) as i64;
        let (kind, payload) = match rng.next() % 20 {
            0..=11 => (
                "segment_added",
                activity(&Activity::SegmentAdded {
                    segment_id: format!("e{e}"),
                    characters: 80 + (e % 200) as i64,
                }),
            ),
            12..=16 => {
                let to = who.into_iter().find(|p| *p != actor).unwrap_or(actor);
                (
                    "ring_passed",
                    activity(&Activity::RingPassed { to: person(to) }),
                )
            }
            _ => ("draft_viewed", activity(&Activity::DraftViewed)),
        };
        events.push(format!(
            "('e{e}', 1, '{kind}', {}, {}, {at}, {})",
            text(&person(actor)),
            text(&draft(d)),
            text(&payload)
        ));
    }
    // Person 0 is the heavy writer: two years of segments every day, in three hours of it
    // (their days follow Europe/Berlin), on top of their share of the rest.
    for day in 0..HEAVY_DAYS {
        for (n, hour) in [8, 13, 21].into_iter().enumerate() {
            let at = now - day * DAY_MS - hour * HOUR_MS;
            let payload = activity(&Activity::SegmentAdded {
                segment_id: format!("h{day}-{n}"),
                characters: 140,
            });
            events.push(format!(
                "('h{day}-{n}', 1, 'segment_added', {}, {}, {at}, {})",
                text(&person(0)),
                text(&draft(0)),
                text(&payload)
            ));
        }
    }
    insert(
        &db,
        "analytics_events (id, schema_version, kind, actor_id, draft_id, occurred_at, payload)",
        &events,
    )
    .await?;
    sqlx::query(
        "INSERT INTO user_settings (user_id, show_on_leaderboards, updated_at, time_zone) \
         VALUES ($1, 1, $2, 'Europe/Berlin')",
    )
    .bind(person(0))
    .bind(now)
    .execute(db.pool())
    .await?;
    println!(
        "    seeded {PEOPLE} people, {DRAFTS} drafts, {EVENTS} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let rebuilding = Instant::now();
    let rebuilt = onering::analytics::rebuild::rebuild(&db).await?;
    println!(
        "    rebuilt the rollups from {} events in {:.1} s ({} draft-day, {} person-day, {} person-hour rows)",
        rebuilt.events,
        rebuilding.elapsed().as_secs_f64(),
        rebuilt.draft_days,
        rebuilt.user_days,
        rebuilt.user_hours
    );

    if db.backend() == onering::db::Backend::Postgres {
        // What autovacuum would do shortly after a bulk load: the planner needs the tables'
        // statistics to choose index lookups for one person over scans of everyone.
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }

    time_standings(&db, now).await?;

    // A session for person 0, and the drafts they are on.
    let token = "bench-session-token-for-person-zero-0000000000";
    let token_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));
    sqlx::query(
        "INSERT INTO sessions (id, user_id, token_hash, user_agent, created_at, last_seen_at, expires_at) \
         VALUES ('bench-session', $1, $2, 'bench', $3, $3, $4)",
    )
    .bind(person(0))
    .bind(token_hash)
    .bind(now)
    .bind(now + YEAR_MS)
    .execute(db.pool())
    .await?;
    std::fs::write(work.join("cookie"), format!("onering_session={token}"))?;
    let mine: Vec<String> = sqlx::query_scalar(
        "SELECT draft_id FROM collaborators WHERE user_id = $1 ORDER BY draft_id",
    )
    .bind(person(0))
    .fetch_all(db.pool())
    .await?;
    let mut file = std::fs::File::create(work.join("drafts"))?;
    for id in &mine {
        writeln!(file, "{id}")?;
    }
    println!("    person 0 is on {} drafts", mine.len());
    db.close().await;
    Ok(())
}

/// The streak, momentum and archetype computation alone (what Today, profiles and cards
/// share), for the heavy writer and for 1,000 people: p50/p99, and the rows it reads.
async fn time_standings(db: &Db, now: i64) -> Result<(), Failure> {
    use onering::clock::Zone;
    use onering::today::api::ssr::{standing, StreakCache};
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    let berlin = Zone::parse("Europe/Berlin").map_err(|e| e.to_string())?;
    // As a server does: the first look at someone folds their finished days once (timed
    // apart), later looks read only yesterday's and today's hours.
    let streaks = StreakCache::default();
    let started = Instant::now();
    standing(db, &streaks, &person(0), berlin, now)
        .await
        .map_err(|e| e.to_string())?;
    let first = started.elapsed().as_secs_f64() * 1000.0;
    let mut heavy = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let s = standing(db, &streaks, &person(0), berlin, now)
            .await
            .map_err(|e| e.to_string())?;
        heavy.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(s.streak.current >= HEAVY_DAYS - 1);
    }
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM analytics_user_hours WHERE user_id = $1")
            .bind(person(0))
            .fetch_one(db.pool())
            .await?;
    println!(
        "    streak + momentum + badge, heavy writer ({HEAVY_DAYS}-day streak, {rows} hour rows): first {first:.2} ms, then p50 {:.2} ms   p99 {:.2} ms",
        pct(&mut heavy.clone(), 0.5),
        pct(&mut heavy, 0.99)
    );
    let mut everyone = Vec::new();
    for i in 1..=1_000u64 {
        let started = Instant::now();
        standing(db, &streaks, &person(i * 7), Zone::UTC, now)
            .await
            .map_err(|e| e.to_string())?;
        everyone.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "    streak + momentum + badge, 1,000 people, each a first look: p50 {:.2} ms   p99 {:.2} ms",
        pct(&mut everyone.clone(), 0.5),
        pct(&mut everyone, 0.99)
    );
    Ok(())
}
