//! Publishing through the real router and job runner, on SQLite and PostgreSQL, against fake
//! Bluesky, Mastodon and X servers on a local port (`common/fake_networks.rs`): a thread posts
//! as a chain; a failure midway resumes without posting anything twice; a lost answer is
//! settled before a retry on each network; a rate limit waits for its reset; refused
//! credentials stop with a clear message; a scheduled thread fires at its time and can be
//! moved or cancelled while it waits; two servers on one PostgreSQL database never post a
//! thread twice; credentials never leave the server.

mod common;

use common::fake_networks::{FakeNetworks, Trouble, APP_PASSWORD, MASTODON_TOKEN};
use common::{change, Backend, Client, TestApp};
use http::StatusCode;
use onering::jobs::Runner;
use serde_json::Value;

const KEY: [u8; 32] = [7; 32];

/// Runs `$case(&TestApp, &FakeNetworks)` on each backend.
macro_rules! with_networks {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    let (app, fake) = super::start(super::Backend::Sqlite).await;
                    super::$case(&app, &fake).await;
                    app.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    let (app, fake) = super::start(super::Backend::Postgres).await;
                    super::$case(&app, &fake).await;
                    app.finish().await;
                }
            }
        )+
    };
}

with_networks!(
    a_ten_segment_thread_posts_as_a_chain_and_the_draft_is_published,
    a_failure_at_the_sixth_post_resumes_from_it_and_posts_each_once,
    a_lost_answer_is_settled_on_each_network_without_a_second_post,
    a_rate_limit_waits_for_its_reset_then_resumes,
    refused_credentials_stop_the_thread_and_ask_to_reconnect,
    a_scheduled_thread_fires_at_its_time_and_can_be_moved_or_cancelled,
    only_the_owner_publishes_and_every_post_must_fit,
    mastodon_and_x_connect_through_their_own_sign_in,
    disconnecting_withdraws_and_forgets_the_credentials,
);

on_both_backends!(without_a_key_publishing_is_off_and_says_so);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_database_never_post_a_thread_twice() {
    let (app, fake) = start(Backend::Postgres).await;
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "twice", 8).await;
    let connection = connect_bluesky(&mut ada, &fake).await;
    publish(&mut ada, &draft, &connection, &[]).await;
    let other = app.second_state().await;
    let here = Runner::new(app.state.clone());
    let there = Runner::new(other);
    let (here, there) = (
        onering::publishing::jobs::register(here),
        onering::publishing::jobs::register(there),
    );
    let now = onering::db::now_ms() + 1_000;
    let (a, b) = tokio::join!(here.run_due(now), there.run_due(now));
    assert!(a.is_ok() && b.is_ok());
    assert_eq!(fake.posts().len(), 8, "each post once");
    assert_chain(&fake.posts());
    app.finish().await;
}

async fn start(backend: Backend) -> (TestApp, FakeNetworks) {
    let fake = FakeNetworks::start().await;
    let x_api = fake.x_api();
    let app = TestApp::start_with(backend, move |config| {
        config.mutation_limits.other = 10_000;
        config.mutation_limits.appends = 10_000;
        config.publishing.key = onering::publishing::vault::VaultKey::parse(&base64_key()).ok();
        config.publishing.x.api_base = x_api.clone();
        config.publishing.x.authorize_url = format!("{x_api}/i/oauth2/authorize");
        config.publishing.x.client_id = Some("onering-x-client".into());
        config.publishing.x.client_secret = Some("onering-x-secret".into());
    })
    .await;
    (app, fake)
}

fn base64_key() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(KEY)
}

fn runner(app: &TestApp) -> Runner {
    onering::publishing::jobs::register(Runner::new(app.state.clone()))
}

/// Runs what is due now (and a little after: publishing now means now).
async fn run_now(app: &TestApp) -> usize {
    runner(app)
        .run_due(onering::db::now_ms() + 1_000)
        .await
        .unwrap_or_else(|err| panic!("{err}"))
}

/// A draft with `segments` segments, by a fresh owner; its id.
async fn thread_of(client: &mut Client<'_>, handle: &str, segments: usize) -> String {
    client.sign_up(handle).await;
    let created = change(
        client,
        "drafts/create",
        &[
            ("title", "A thread"),
            ("platform", "bluesky"),
            ("first_segment", "Post 1 of the thread."),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let draft = created.json()["id"].as_str().unwrap_or_default().to_owned();
    for i in 2..=segments {
        let content = format!("Post {i} of the thread.");
        let appended = change(
            client,
            "drafts/append",
            &[("draft_id", &draft), ("content", &content)],
        )
        .await;
        assert_eq!(appended.status, StatusCode::OK, "{}", appended.body);
    }
    draft
}

async fn connect_bluesky(client: &mut Client<'_>, fake: &FakeNetworks) -> String {
    let reply = change(
        client,
        "publishing/connect_bluesky",
        &[
            ("handle", "ada.test"),
            ("app_password", APP_PASSWORD),
            ("server", &fake.url),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    only_connection(client, "bluesky").await
}

async fn only_connection(client: &mut Client<'_>, network: &str) -> String {
    let list = client.call("publishing/connections", &[]).await.json();
    list["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["network"] == network)
        .and_then(|c| c["id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn publish(
    client: &mut Client<'_>,
    draft: &str,
    connection: &str,
    more: &[(&str, &str)],
) -> Value {
    let mut form = vec![("draft_id", draft), ("connection_id", connection)];
    form.extend_from_slice(more);
    let reply = change(client, "publishing/publish", &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

async fn publications(client: &mut Client<'_>, draft: &str) -> Vec<Value> {
    let reply = client
        .call("publishing/for_draft", &[("draft_id", draft)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_array().cloned().unwrap_or_default()
}

/// Each post replies to the one before it.
fn assert_chain(posts: &[common::fake_networks::Made]) {
    for pair in posts.windows(2) {
        assert_eq!(
            pair[1].reply_to.as_deref(),
            Some(pair[0].id.as_str()),
            "{posts:?}"
        );
    }
    assert_eq!(posts.first().and_then(|p| p.reply_to.clone()), None);
}

fn texts(posts: &[common::fake_networks::Made]) -> Vec<String> {
    posts.iter().map(|p| p.text.clone()).collect()
}

fn expected_texts(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| format!("Post {i} of the thread."))
        .collect()
}

async fn a_ten_segment_thread_posts_as_a_chain_and_the_draft_is_published(
    app: &TestApp,
    fake: &FakeNetworks,
) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 10).await;
    let connection = connect_bluesky(&mut ada, fake).await;
    let asked = publish(&mut ada, &draft, &connection, &[]).await;
    assert_eq!(asked["status"], "scheduled");
    assert_eq!(asked["posts"].as_array().map(Vec::len), Some(10));
    run_now(app).await;
    let posts = fake.posts();
    assert_eq!(texts(&posts), expected_texts(10));
    assert_chain(&posts);
    let publication = &publications(&mut ada, &draft).await[0];
    assert_eq!(publication["status"], "published");
    assert!(publication["thread_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://bsky.app/profile/ada.test/post/")));
    assert!(publication["posts"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|p| p["status"] == "posted" && p["url"].is_string()));
    let view = ada.call("drafts/get", &[("draft_id", &draft)]).await.json();
    assert_eq!(view["status"], "published");
    let recorded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM analytics_events WHERE kind = 'thread_published'")
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_default();
    assert_eq!(recorded, 1, "analytics records it");
    assert_eq!(run_now(app).await, 0, "nothing left to run");
    assert_eq!(fake.posts().len(), 10);
}

async fn a_failure_at_the_sixth_post_resumes_from_it_and_posts_each_once(
    app: &TestApp,
    fake: &FakeNetworks,
) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 10).await;
    let connection = connect_bluesky(&mut ada, fake).await;
    publish(&mut ada, &draft, &connection, &[]).await;
    fake.trouble_in(6, Trouble::Unavailable);
    run_now(app).await;
    assert_eq!(fake.posts().len(), 5, "stopped at the sixth");
    let publication = &publications(&mut ada, &draft).await[0];
    // A 5xx leaves the outcome open: the sixth is settled on the network before it is sent.
    assert_eq!(publication["posts"][5]["status"], "posting");
    assert_eq!(publication["posts"][6]["status"], "pending");
    // The job's retry comes after its backoff.
    let jobs = onering::jobs::store::list(&app.db, onering::publishing::service::JOB)
        .await
        .unwrap_or_default();
    assert_eq!(jobs[0].status, "queued");
    runner(app)
        .run_due(jobs[0].run_at)
        .await
        .unwrap_or_default();
    let posts = fake.posts();
    assert_eq!(texts(&posts), expected_texts(10), "6 to 10 once each");
    assert_chain(&posts);
    assert_eq!(
        publications(&mut ada, &draft).await[0]["status"],
        "published"
    );
}

async fn a_lost_answer_is_settled_on_each_network_without_a_second_post(
    app: &TestApp,
    fake: &FakeNetworks,
) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 5).await;
    let bluesky = connect_bluesky(&mut ada, fake).await;
    let token = change(
        &mut ada,
        "publishing/connect_mastodon_token",
        &[("instance", &fake.url), ("token", MASTODON_TOKEN)],
    )
    .await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.body);
    let mastodon = only_connection(&mut ada, "mastodon").await;
    let x = connect_x(app, &mut ada, fake).await;
    for (connection, network) in [(bluesky, "bluesky"), (mastodon, "mastodon"), (x, "x")] {
        publish(&mut ada, &draft, &connection, &[]).await;
        fake.trouble_in(3, Trouble::LostAnswer);
        run_now(app).await;
        let made: Vec<_> = fake
            .posts()
            .into_iter()
            .filter(|p| p.network == network)
            .collect();
        assert_eq!(
            made.len(),
            3,
            "{network}: the third was made, its answer lost"
        );
        let publication = &publications(&mut ada, &draft).await[0];
        assert_eq!(
            publication["posts"][2]["status"], "posting",
            "{network}: outcome unknown"
        );
        let jobs = onering::jobs::store::list(&app.db, onering::publishing::service::JOB)
            .await
            .unwrap_or_default();
        let due = jobs
            .iter()
            .filter(|j| j.status == "queued")
            .map(|j| j.run_at)
            .max()
            .unwrap_or_default();
        runner(app).run_due(due).await.unwrap_or_default();
        let made: Vec<_> = fake
            .posts()
            .into_iter()
            .filter(|p| p.network == network)
            .collect();
        assert_eq!(
            texts(&made),
            expected_texts(5),
            "{network}: settled, then the rest, each once"
        );
        assert_chain(&made);
        assert_eq!(
            publications(&mut ada, &draft).await[0]["status"],
            "published",
            "{network}"
        );
    }
}

async fn connect_x(app: &TestApp, client: &mut Client<'_>, fake: &FakeNetworks) -> String {
    let _ = fake;
    let started = change(client, "publishing/start_oauth", &[("network", "x")]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    follow_sign_in(app, client, started.json().as_str().unwrap_or_default()).await;
    only_connection(client, "x").await
}

/// Plays the browser: the network's page approves at once and sends it back to our
/// callback, which this follows through the app.
async fn follow_sign_in(app: &TestApp, client: &mut Client<'_>, authorize_url: &str) {
    let network = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|err| panic!("{err}"));
    let answer = network
        .get(authorize_url)
        .send()
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let back = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = back.trim_start_matches(common::PUBLIC_ORIGIN);
    assert!(path.starts_with("/api/publishing/oauth/"), "{back}");
    let landed = client.get(path).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    let to = landed.header("location").unwrap_or_default().to_owned();
    assert!(to.starts_with("/account/connections?connected="), "{to}");
    let _ = app;
}

async fn a_rate_limit_waits_for_its_reset_then_resumes(app: &TestApp, fake: &FakeNetworks) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 6).await;
    let connection = connect_bluesky(&mut ada, fake).await;
    publish(&mut ada, &draft, &connection, &[]).await;
    fake.trouble_in(4, Trouble::RateLimited(600));
    run_now(app).await;
    assert_eq!(fake.posts().len(), 3);
    let jobs = onering::jobs::store::list(&app.db, onering::publishing::service::JOB)
        .await
        .unwrap_or_default();
    let next = jobs
        .iter()
        .find(|j| j.status == "queued")
        .map(|j| j.run_at)
        .unwrap_or_default();
    let now = onering::db::now_ms();
    assert!(
        next >= now + 590_000 && next <= now + 610_000,
        "resumes at the reset: {next} vs {now}"
    );
    assert_eq!(run_now(app).await, 0, "nothing before the reset");
    runner(app).run_due(next).await.unwrap_or_default();
    assert_eq!(texts(&fake.posts()), expected_texts(6));
    assert_chain(&fake.posts());
}

async fn refused_credentials_stop_the_thread_and_ask_to_reconnect(
    app: &TestApp,
    fake: &FakeNetworks,
) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 4).await;
    let connection = connect_bluesky(&mut ada, fake).await;
    publish(&mut ada, &draft, &connection, &[]).await;
    fake.state().revoked = true;
    run_now(app).await;
    assert!(fake.posts().is_empty());
    let publication = &publications(&mut ada, &draft).await[0];
    assert_eq!(publication["status"], "failed");
    assert!(
        publication["error"]
            .as_str()
            .is_some_and(|e| e.contains("reconnect")),
        "{publication}"
    );
    let list = ada.call("publishing/connections", &[]).await.json();
    assert_eq!(list["connections"][0]["status"], "revoked");
    let refused = change(
        &mut ada,
        "publishing/publish",
        &[("draft_id", &draft), ("connection_id", &connection)],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a revoked account cannot publish until reconnected"
    );
    let scheduled = ada.call("publishing/scheduled", &[]).await.json();
    assert_eq!(scheduled["failed"].as_array().map(Vec::len), Some(1));
    // Reconnected, the failed thread is retried and goes out.
    fake.state().revoked = false;
    connect_bluesky(&mut ada, fake).await;
    let id = publication["id"].as_str().unwrap_or_default().to_owned();
    let retried = change(&mut ada, "publishing/retry", &[("publication_id", &id)]).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    run_now(app).await;
    assert_eq!(texts(&fake.posts()), expected_texts(4));
}

async fn a_scheduled_thread_fires_at_its_time_and_can_be_moved_or_cancelled(
    app: &TestApp,
    fake: &FakeNetworks,
) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 3).await;
    let connection = connect_bluesky(&mut ada, fake).await;
    let in_two_hours = (chrono::Utc::now() + chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let asked = publish(&mut ada, &draft, &connection, &[("at", &in_two_hours)]).await;
    let id = asked["id"].as_str().unwrap_or_default().to_owned();
    let at = asked["run_at_ms"].as_i64().unwrap_or_default();
    assert_eq!(
        asked["run_at_input"],
        in_two_hours.as_str(),
        "shown in the person's zone (UTC here)"
    );
    assert_eq!(run_now(app).await, 0);
    assert!(fake.posts().is_empty());
    let upcoming = ada.call("publishing/scheduled", &[]).await.json();
    assert_eq!(upcoming["upcoming"][0]["id"], id.as_str());

    // Moved an hour later: the old time does nothing, the new one posts.
    let in_three_hours = (chrono::Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let moved = change(
        &mut ada,
        "publishing/reschedule",
        &[("publication_id", &id), ("at", &in_three_hours)],
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        runner(app).run_due(at + 60_000).await.unwrap_or_default(),
        0
    );
    runner(app)
        .run_due(at + 3_600_000 + 60_000)
        .await
        .unwrap_or_default();
    assert_eq!(texts(&fake.posts()), expected_texts(3));
    let late = change(&mut ada, "publishing/cancel", &[("publication_id", &id)]).await;
    assert_eq!(
        late.status,
        StatusCode::CONFLICT,
        "started threads cannot be cancelled"
    );

    // Another, cancelled while it waits: it never posts.
    let asked = publish(&mut ada, &draft, &connection, &[("at", &in_two_hours)]).await;
    let second = asked["id"].as_str().unwrap_or_default().to_owned();
    let cancelled = change(
        &mut ada,
        "publishing/cancel",
        &[("publication_id", &second)],
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    runner(app)
        .run_due(at + 3 * 3_600_000)
        .await
        .unwrap_or_default();
    assert_eq!(fake.posts().len(), 3);
    let past = change(
        &mut ada,
        "publishing/publish",
        &[
            ("draft_id", &draft),
            ("connection_id", &connection),
            ("at", "2001-01-01T10:00"),
        ],
    )
    .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(past.json()["field"], "at");
}

async fn only_the_owner_publishes_and_every_post_must_fit(app: &TestApp, fake: &FakeNetworks) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let long = "A sentence that goes on a while, as sentences in threads do. ".repeat(8);
    let created = change(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Long"),
            ("platform", "linkedin"),
            ("first_segment", &long),
        ],
    )
    .await;
    let draft = created.json()["id"].as_str().unwrap_or_default().to_owned();
    let connection = connect_bluesky(&mut ada, fake).await;
    let refused = change(
        &mut ada,
        "publishing/publish",
        &[("draft_id", &draft), ("connection_id", &connection)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["field"], "reflow");
    assert!(refused.json()["message"]
        .as_str()
        .is_some_and(|m| m.contains("Segment 1")));
    let asked = publish(&mut ada, &draft, &connection, &[("reflow", "true")]).await;
    let posts = asked["posts"].as_array().cloned().unwrap_or_default();
    assert!(posts.len() >= 2);
    assert!(posts.iter().all(|p| p["content"]
        .as_str()
        .is_some_and(|c| c.graphemes_len() <= 300)));

    let mut bea = app.client();
    bea.sign_up("bea").await;
    let theirs = change(
        &mut bea,
        "publishing/publish",
        &[("draft_id", &draft), ("connection_id", &connection)],
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bea.call("publishing/for_draft", &[("draft_id", &draft)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let id = asked["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        change(&mut bea, "publishing/cancel", &[("publication_id", &id)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Nobody's credentials reached a browser, and none is stored in the clear.
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret FROM network_connections")
        .fetch_all(app.db.pool())
        .await
        .unwrap_or_default();
    assert!(stored
        .iter()
        .all(|s| s.starts_with("v1.") && !s.contains(APP_PASSWORD)));
    app.assert_never_sent(&[APP_PASSWORD, "access-0", "refresh-0"]);
}

trait GraphemesLen {
    fn graphemes_len(&self) -> usize;
}

impl GraphemesLen for str {
    fn graphemes_len(&self) -> usize {
        onering::drafts::count::grapheme_length(self)
    }
}

async fn mastodon_and_x_connect_through_their_own_sign_in(app: &TestApp, fake: &FakeNetworks) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let started = change(
        &mut ada,
        "publishing/start_oauth",
        &[("network", "mastodon"), ("instance", &fake.url)],
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let url = started.json().as_str().unwrap_or_default().to_owned();
    assert!(url.contains("code_challenge_method=S256") && url.contains("scope=write%3Astatuses"));
    follow_sign_in(app, &mut ada, &url).await;
    let list = ada.call("publishing/connections", &[]).await.json();
    assert_eq!(
        list["connections"][0]["account"],
        format!("@ada@{}", fake.url.trim_start_matches("http://"))
    );
    connect_x(app, &mut ada, fake).await;
    let list = ada.call("publishing/connections", &[]).await.json();
    assert_eq!(list["connections"].as_array().map(Vec::len), Some(2));
    // A callback for someone else's authorization, or replayed, connects nothing.
    let mut bea = app.client();
    bea.sign_up("bea").await;
    let started = change(&mut ada, "publishing/start_oauth", &[("network", "x")]).await;
    let network = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|err| panic!("{err}"));
    let answer = network
        .get(started.json().as_str().unwrap_or_default())
        .send()
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let back = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = back.trim_start_matches(common::PUBLIC_ORIGIN).to_owned();
    let stolen = bea.get(&path).await;
    assert_eq!(
        stolen.header("location"),
        Some("/account/connections?failed=x")
    );
    assert_eq!(
        bea.call("publishing/connections", &[]).await.json()["connections"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let replayed = ada.get(&path).await;
    assert_eq!(
        replayed.header("location"),
        Some("/account/connections?failed=x"),
        "used once"
    );
    assert_eq!(
        ada.get("/api/publishing/oauth/x/callback?error=access_denied")
            .await
            .header("location"),
        Some("/account/connections?failed=x")
    );
}

async fn disconnecting_withdraws_and_forgets_the_credentials(app: &TestApp, fake: &FakeNetworks) {
    let mut ada = app.client();
    let draft = thread_of(&mut ada, "ada", 2).await;
    let connection = connect_bluesky(&mut ada, fake).await;
    let in_an_hour = (chrono::Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    publish(&mut ada, &draft, &connection, &[("at", &in_an_hour)]).await;
    let gone = change(
        &mut ada,
        "publishing/disconnect",
        &[("connection_id", &connection)],
    )
    .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    assert_eq!(
        fake.state().revocations,
        1,
        "the session was deleted at Bluesky"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM network_connections")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    assert_eq!(left, 0);
    runner(app)
        .run_due(onering::db::now_ms() + 2 * 3_600_000)
        .await
        .unwrap_or_default();
    let publication = &publications(&mut ada, &draft).await[0];
    assert_eq!(publication["status"], "failed");
    assert!(publication["error"]
        .as_str()
        .is_some_and(|e| e.contains("disconnected")));
    assert!(fake.posts().is_empty());
}

async fn without_a_key_publishing_is_off_and_says_so(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let list = ada.call("publishing/connections", &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["enabled"], false);
    let refused = change(
        &mut ada,
        "publishing/connect_bluesky",
        &[("handle", "ada.test"), ("app_password", APP_PASSWORD)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.json()["kind"], "publishing_disabled");
    let page = ada.get("/account/connections").await;
    assert!(page
        .body
        .contains("Publishing is not available on this server."));
}
