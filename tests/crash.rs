//! kill -9 durability, on SQLite and PostgreSQL: the real server binary takes keyed appends
//! from several clients and is killed with SIGKILL at random moments (six times a run), then
//! restarted. Every client retries each unacknowledged key until it is acknowledged. At the
//! end: every acknowledged append is stored exactly once, positions are dense, no key was
//! applied twice, and the writer's analytics rollups count each segment once. (The seed of each run's timings is printed, to replay one.)

mod common;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

on_both_backends!(acknowledged_appends_survive_sigkill_exactly_once);

const CLIENTS: usize = 4;
const KILLS: u32 = 6;

/// A minimal HTTP/1.1 exchange: `None` when the connection failed or closed without an
/// answer (the server died), else the status and body.
async fn post(port: u16, path: &str, cookie: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|err| panic!("no free port: {err}"))
}

async fn start_server(port: u16, database_url: &str) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_onering"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_ORIGIN", format!("http://127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url)
        .env("LIMIT_APPENDS_PER_MINUTE", "100000")
        .env("RUST_LOG", "error")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("could not start the server binary: {err}"));
    for _ in 0..300 {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let _ = stream
                .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await;
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer).await;
            if answer.starts_with(b"HTTP/1.1 200") {
                return child;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become healthy");
}

/// A small deterministic generator for the kill timings (xorshift64*).
struct Timings(u64);

impl Timings {
    fn next_ms(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        low + self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % (high - low)
    }
}

async fn sign_up_with_draft(port: u16, i: usize) -> (String, String) {
    let body = format!(
        "handle=crash{i}&email=crash{i}%40example.com&password=correct+horse+battery+staple"
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let request = format!(
        "POST /api/auth/sign_up HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    let cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: onering_session="))
        .and_then(|rest| rest.split(';').next())
        .map(|token| format!("onering_session={token}"))
        .unwrap_or_else(|| panic!("sign-up failed: {text:.300}"));
    let created = post(
        port,
        "/api/drafts/create",
        &cookie,
        &format!(
            "title=Crash+{i}&platform=linkedin&first_segment=Start&idempotency_key=create-{i}"
        ),
    )
    .await;
    let draft = match created {
        Some((200, body)) => serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .unwrap_or_default(),
        other => panic!("draft not created: {other:?}"),
    };
    (cookie, draft)
}

async fn acknowledged_appends_survive_sigkill_exactly_once(app: &TestApp) {
    let port = free_port();
    let mut server = start_server(port, &app.database_url).await;
    let mut writers = Vec::new();
    for i in 0..CLIENTS {
        writers.push(sign_up_with_draft(port, i).await);
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 | 1)
        .unwrap_or(1);
    println!("kill timings seed: {seed}");
    let mut timings = Timings(seed);
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicU32::new(0));

    let clients: Vec<_> = writers
        .iter()
        .cloned()
        .enumerate()
        .map(|(c, (cookie, draft))| {
            let stop = stop.clone();
            let acknowledged = acknowledged.clone();
            tokio::spawn(async move {
                let mut acked = Vec::new();
                let mut i = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    let body = format!(
                        "draft_id={draft}&content=client+{c}+post+{i}&idempotency_key=c{c}-{i}"
                    );
                    // Retry this key until it is acknowledged, whatever happens meanwhile.
                    loop {
                        match post(port, "/api/drafts/append", &cookie, &body).await {
                            Some((200, _)) => break,
                            Some((status, body)) if status < 500 && status != 409 => {
                                panic!("append refused: {status} {body}")
                            }
                            _ => tokio::time::sleep(Duration::from_millis(30)).await,
                        }
                    }
                    acked.push(i);
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                    i += 1;
                }
                acked
            })
        })
        .collect();

    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(timings.next_ms(150, 700))).await;
        let _ = server.kill().await;
        let _ = server.wait().await;
        tokio::time::sleep(Duration::from_millis(timings.next_ms(0, 200))).await;
        server = start_server(port, &app.database_url).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let mut acked_per_client = Vec::new();
    for client in clients {
        acked_per_client.push(
            client
                .await
                .unwrap_or_else(|err| panic!("client failed: {err}")),
        );
    }
    let _ = server.kill().await;
    assert!(
        acknowledged.load(Ordering::SeqCst) > 20,
        "the clients got appends through between kills"
    );

    // PostgreSQL adds an event's rollups just after its commit; a kill in between leaves the
    // event waiting, for the sweep (here run at once, whatever the events' age).
    let left = onering::analytics::events::fold_leftovers(
        &app.db,
        onering::db::now_ms() + onering::analytics::events::LEFT_AFTER_MS + 1,
    )
    .await;
    println!("events the kills left unfolded: {left:?}");
    assert!(left.is_ok(), "{left:?}");

    for (c, ((_, draft), acked)) in writers.iter().zip(&acked_per_client).enumerate() {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT position, content FROM segments WHERE draft_id = $1 ORDER BY position",
        )
        .bind(draft)
        .fetch_all(app.db.pool())
        .await
        .unwrap_or_default();
        let positions: Vec<i64> = rows.iter().map(|(p, _)| *p).collect();
        let dense: Vec<i64> = (1..=rows.len() as i64).collect();
        assert_eq!(positions, dense, "client {c}: positions are dense");
        let contents: Vec<&str> = rows.iter().skip(1).map(|(_, text)| text.as_str()).collect();
        let expected: Vec<String> = acked
            .iter()
            .map(|i| format!("client {c} post {i}"))
            .collect();
        assert_eq!(
            contents, expected,
            "client {c}: every acknowledged append once, in order, and nothing else"
        );
        let counted: i64 = sqlx::query_scalar("SELECT segment_count FROM drafts WHERE id = $1")
            .bind(draft)
            .fetch_one(app.db.pool())
            .await
            .unwrap_or(-1);
        assert_eq!(
            counted,
            rows.len() as i64,
            "client {c}: the draft's count agrees"
        );
        let in_rollups: i64 = sqlx::query_scalar(
            "SELECT COALESCE(CAST(SUM(d.segments) AS BIGINT), 0) FROM analytics_user_days d \
             JOIN drafts ON drafts.owner_id = d.user_id WHERE drafts.id = $1",
        )
        .bind(draft)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1);
        assert_eq!(
            in_rollups,
            rows.len() as i64,
            "client {c}: the writer's rollups count every segment once"
        );
    }
}
