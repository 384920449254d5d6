//! Live-channel benchmark (prints numbers; asserts nothing). Run by `scripts/bench-live.sh`
//! against a running release server:
//!
//!   live_bench <base url> <server pid> <database url>
//!
//! 1. 100 readers on one draft: appends one at a time; for each, the time from the append's
//!    HTTP response (the server's acknowledgement) to each reader having the event.
//! 2. `LIVE_BENCH_STREAMS` readers (default 10,000) over a tenth as many drafts (10 each): the
//!    same, appends round-robin over the drafts, while every stream's periodic access check
//!    runs in the background.
//! 3. The server's resident memory before and with those idle streams open.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Failure = Box<dyn std::error::Error + Send + Sync>;

struct Http {
    host: String,
}

struct Answer {
    status: u16,
    cookie: Option<String>,
    body: String,
}

impl Http {
    /// One form POST on a fresh connection (what a browser's click costs, near enough).
    async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Result<Answer, Failure> {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.host,
            body.len()
        );
        if let Some(cookie) = cookie {
            request.push_str(&format!("Cookie: onering_session={cookie}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        let mut stream = TcpStream::connect(&self.host).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let cookie = head
            .lines()
            .filter_map(|l| l.strip_prefix("set-cookie: onering_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .find(|v| !v.is_empty());
        Ok(Answer {
            status,
            cookie,
            body: body.to_owned(),
        })
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn ok(answer: Result<Answer, Failure>) -> Result<Answer, Failure> {
    let answer = answer?;
    if answer.status != 200 {
        return Err(format!("HTTP {}: {}", answer.status, answer.body).into());
    }
    Ok(answer)
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn sign_up(http: &Http, handle: &str) -> Result<String, Failure> {
    let email = format!("{handle}@bench.example");
    let answer = ok(http
        .post(
            "/api/auth/sign_up",
            None,
            &[
                ("handle", handle),
                ("email", &email),
                ("password", "correct horse battery"),
            ],
        )
        .await)
    .await?;
    answer.cookie.ok_or_else(|| "no session cookie".into())
}

async fn new_draft(
    http: &Http,
    owner: &str,
    reader_handle: &str,
    n: usize,
) -> Result<String, Failure> {
    let title = format!("Live bench {n}");
    let answer = ok(http
        .post(
            "/api/drafts/create",
            Some(owner),
            &[
                ("title", &title),
                ("platform", "linkedin"),
                ("first_segment", "Start"),
                ("idempotency_key", &key()),
            ],
        )
        .await)
    .await?;
    let created: serde_json::Value = serde_json::from_str(&answer.body)?;
    let draft = created["id"].as_str().unwrap_or_default().to_owned();
    ok(http
        .post(
            "/api/drafts/add_collaborator",
            Some(owner),
            &[
                ("draft_id", &draft),
                ("handle", reader_handle),
                ("role", "viewer"),
                ("idempotency_key", &key()),
            ],
        )
        .await)
    .await?;
    Ok(draft)
}

/// Opens a reader; it reports (append label, arrival) for every appended segment.
async fn open_reader(
    host: &str,
    cookie: &str,
    draft: &str,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
    ready: mpsc::UnboundedSender<()>,
) -> Result<(), Failure> {
    let mut request =
        format!("ws://{host}/api/live/drafts/{draft}?after=1000000").into_client_request()?;
    request
        .headers_mut()
        .insert("cookie", format!("onering_session={cookie}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let Message::Text(text) = frame else { continue };
            let at = Instant::now();
            let Ok(message) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                continue;
            };
            match message["type"].as_str() {
                Some("ready") => {
                    let _ = ready.send(());
                }
                Some("event") => {
                    if let Some(content) = message["event"]["segment"]["content"].as_str() {
                        let _ = arrivals.send((content.to_owned(), at));
                    }
                }
                _ => {}
            }
        }
    });
    Ok(())
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Appends `rounds` segments round-robin over `drafts`, one at a time, and measures each
/// reader's delay after the acknowledgement.
async fn measure(
    label: &str,
    http: &Http,
    owner: &str,
    drafts: &[String],
    readers_per_draft: usize,
    rounds: usize,
    arrivals: &mut mpsc::UnboundedReceiver<(String, Instant)>,
) -> Result<(), Failure> {
    let mut delays = Vec::with_capacity(rounds * readers_per_draft);
    let mut missing = 0usize;
    let started = Instant::now();
    for round in 0..rounds {
        let draft = &drafts[round % drafts.len()];
        let content = format!("bench {label} {round}");
        ok(http
            .post(
                "/api/drafts/append",
                Some(owner),
                &[
                    ("draft_id", draft),
                    ("content", &content),
                    ("idempotency_key", &key()),
                ],
            )
            .await)
        .await?;
        let acked = Instant::now();
        let mut got = 0;
        let deadline = acked + Duration::from_secs(2);
        while got < readers_per_draft {
            match tokio::time::timeout_at(deadline.into(), arrivals.recv()).await {
                Ok(Some((seen, at))) if seen == content => {
                    got += 1;
                    delays.push(at.saturating_duration_since(acked).as_secs_f64() * 1000.0);
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        missing += readers_per_draft - got;
    }
    delays.sort_by(f64::total_cmp);
    println!(
        "{label}: {} deliveries of {rounds} appends in {:.1} s; ack → reader p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; missed {missing}",
        delays.len(),
        started.elapsed().as_secs_f64(),
        percentile(&delays, 50.0),
        percentile(&delays, 99.0),
        delays.last().copied().unwrap_or(f64::NAN),
    );
    Ok(())
}

/// The owner makes 200 drafts, each with a reader: more than the free plan holds.
async fn on_team_plan(database_url: &str, handle: &str) -> Result<(), Failure> {
    let db = onering::db::Db::connect(database_url, 1).await?;
    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
        .bind(handle)
        .fetch_one(db.pool())
        .await?;
    db.write_with(move |tx| {
        Box::pin(async move {
            onering::plans::store::change_plan(
                tx,
                &user_id,
                "team",
                onering::plans::store::ChangeReason::Admin,
                Some("benchmark"),
                onering::db::now_ms(),
            )
            .await
        })
    })
    .await?;
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:3210".into());
    let pid: u32 = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let host = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let http = Http { host: host.clone() };
    let tag = &key()[..6];
    let owner_handle = format!("lb_owner_{tag}");
    let owner = sign_up(&http, &owner_handle).await?;
    if let Some(url) = args.get(3) {
        on_team_plan(url, &owner_handle).await?;
    }
    let reader_handle = format!("lb_reader_{tag}");
    let reader = sign_up(&http, &reader_handle).await?;

    let streams: usize = std::env::var("LIVE_BENCH_STREAMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
        .max(20);
    let spread_drafts = streams / 10;
    let mut drafts = Vec::new();
    for n in 0..spread_drafts {
        drafts.push(new_draft(&http, &owner, &reader_handle, n).await?);
    }
    let idle_kib = rss_kib(pid);

    // 1. 100 readers on one draft.
    let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel();
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    for _ in 0..100 {
        open_reader(
            &host,
            &reader,
            &drafts[0],
            arrivals_tx.clone(),
            ready_tx.clone(),
        )
        .await?;
    }
    for _ in 0..100 {
        ready.recv().await;
    }
    measure(
        "100 readers on 1 draft",
        &http,
        &owner,
        &drafts[..1],
        100,
        200,
        &mut arrivals,
    )
    .await?;

    // 2. `streams` more readers, ten on each of the other drafts and a last one (the 100 on
    // draft 0 stay open).
    drop(arrivals);
    let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel();
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    let before_kib = rss_kib(pid);
    for draft in &drafts[1..] {
        for _ in 0..10 {
            open_reader(&host, &reader, draft, arrivals_tx.clone(), ready_tx.clone()).await?;
        }
    }
    let extra = new_draft(&http, &owner, &reader_handle, spread_drafts).await?;
    for _ in 0..10 {
        open_reader(
            &host,
            &reader,
            &extra,
            arrivals_tx.clone(),
            ready_tx.clone(),
        )
        .await?;
    }
    for _ in 0..streams {
        ready.recv().await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let open_kib = rss_kib(pid);
    let mut spread: Vec<String> = drafts[1..].to_vec();
    spread.push(extra);
    let label = format!("{streams} readers on {} drafts", spread_drafts);
    measure(&label, &http, &owner, &spread, 10, 400, &mut arrivals).await?;
    if pid != 0 {
        println!(
            "server memory: {} KiB before any stream, {} KiB with 100, {} KiB with {} open: {:.1} KiB per added stream",
            idle_kib,
            before_kib,
            open_kib,
            streams + 100,
            (open_kib.saturating_sub(before_kib)) as f64 / streams as f64
        );
    }
    Ok(())
}
