//! How many SQL statements a draft page load and an append make, on SQLite and PostgreSQL:
//! the same for a one-segment draft and a long one with many people, and within a budget.
//! Counted from sqlx's statement log (`sqlx::query` events) by a tracing layer; this binary
//! holds this one test, run one backend after the other, so nothing else is counted.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{change, Backend, Client, TestApp};
use http::StatusCode;
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The most statements a draft page load may make (the session, then the draft: my role,
/// the draft, its segments, its people, the ring's history; the owner's side panels load in
/// the browser afterwards).
const PAGE_LOAD: usize = 6;

/// The most statements an append may make: the session, then one write — begin, claim the
/// idempotency key, take the ring's position, the segment, its analytics event (on SQLite
/// with the rollups, one statement per table), its live event (with the notice, one
/// statement on PostgreSQL), the stored answer, commit. SQLite's group commit adds its
/// savepoint around each write. PostgreSQL then folds the event into the rollups in one
/// statement of its own, so that a person's rollup rows are not held locked through the
/// append's disk flush.
fn append_budget(backend: Backend) -> usize {
    match backend {
        Backend::Postgres => 10,
        Backend::Sqlite => 14,
    }
}

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct Counter;

/// A logged statement's summary (its first words).
struct Summary(String);

impl tracing::field::Visit for Summary {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            self.0 = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}").trim_matches('"').to_owned();
        }
    }
}

impl<S: Subscriber> Layer<S> for Counter {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut summary = Summary(String::new());
        event.record(&mut summary);
        // A new pooled connection's set-up is the pool's, not the request's.
        if summary.0.starts_with("PRAGMA") || summary.0.starts_with("SET ") {
            return;
        }
        if std::env::var("PRINT_STATEMENTS").is_ok() {
            eprintln!("SQL {}", summary.0);
        }
        STATEMENTS.fetch_add(1, Ordering::SeqCst);
    }
}

/// The statements made while `work` runs (and a moment after, for writes finishing).
async fn counted<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let out = work.await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    (out, STATEMENTS.load(Ordering::SeqCst) - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_load_and_an_append_make_a_fixed_number_of_statements() {
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("warn,sqlx::query=debug"))
        .with(Counter);
    let _ = tracing::subscriber::set_global_default(subscriber);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::start_with(backend, |config| {
            config.mutation_limits.appends = 10_000;
            config.mutation_limits.other = 10_000;
        })
        .await;
        let (page, append) = measure(&app).await;
        eprintln!("{backend:?}: a draft page load made {page} statements, an append {append}");
        assert!(
            page <= PAGE_LOAD,
            "{backend:?}: a page load made {page} statements"
        );
        assert!(
            append <= append_budget(backend),
            "{backend:?}: an append made {append} statements"
        );
        app.finish().await;
    }
}

async fn create(client: &mut Client<'_>, platform: &str) -> String {
    let reply = change(
        client,
        "drafts/create",
        &[
            ("title", "Count"),
            ("platform", platform),
            ("first_segment", "One"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["id"].as_str().unwrap_or_default().to_owned()
}

/// Statements for a page load and an append, the same whatever the draft's size.
async fn measure(app: &TestApp) -> (usize, usize) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    app.set_plan("ada", "team").await;
    let small = create(&mut ada, "x").await;
    let big = create(&mut ada, "linkedin").await;
    for handle in ["bea", "cyd", "dee", "eve"] {
        app.client().sign_up(handle).await;
        let added = change(
            &mut ada,
            "drafts/add_collaborator",
            &[("draft_id", &big), ("handle", handle), ("role", "editor")],
        )
        .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    for i in 0..40 {
        let content = format!("Segment {i} of a longer thread.");
        let appended = change(
            &mut ada,
            "drafts/append",
            &[("draft_id", &big), ("content", &content)],
        )
        .await;
        assert_eq!(appended.status, StatusCode::OK, "{}", appended.body);
    }
    // Loaded once first: an hour's first view records itself (a write); later ones do not.
    for draft in [&small, &big] {
        ada.get(&format!("/drafts/{draft}")).await;
    }
    let mut pages = Vec::new();
    for draft in [&small, &big] {
        let (reply, n) = counted(ada.get(&format!("/drafts/{draft}"))).await;
        assert_eq!(reply.status, StatusCode::OK);
        pages.push(n);
    }
    assert_eq!(
        pages[0], pages[1],
        "a page load's statements do not grow with the draft"
    );
    let mut appends = Vec::new();
    for draft in [&small, &big] {
        let (reply, n) = counted(change(
            &mut ada,
            "drafts/append",
            &[("draft_id", draft), ("content", "Hello")],
        ))
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        appends.push(n);
    }
    assert_eq!(
        appends[0], appends[1],
        "an append's statements do not grow with the draft"
    );
    (pages[1], appends[1])
}
