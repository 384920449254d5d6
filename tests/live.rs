//! Live drafts over real WebSockets, on SQLite and PostgreSQL: who may subscribe, ordering
//! with dense event numbers, resuming after a reconnect, access withdrawn mid-stream,
//! presence and typing, and (PostgreSQL) two app servers on one database.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Backend, Client, Reply, TestApp, PUBLIC_ORIGIN};
use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use onering::live::types::{DraftEvent, LiveMessage};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

on_both_backends!(
    only_collaborators_may_subscribe,
    events_arrive_in_order_with_dense_numbers,
    a_reconnecting_page_resumes_or_is_told_to_reload,
    a_removed_collaborator_is_cut_off,
    presence_and_typing_reach_the_others,
    two_app_servers_deliver_each_others_events,
);

on_both_backends!(
    config = |config| config.live_recheck = std::time::Duration::from_millis(300);
    a_reader_who_signs_out_elsewhere_is_cut_off,
);

on_both_backends!(
    frames_over_the_limit_close_only_that_socket,
    a_reader_replays_nothing_from_before_they_joined,
);

on_both_backends!(
    config = |config| config.live_sockets_per_user = 2;
    open_sockets_are_limited_per_user,
);

on_both_backends!(
    config = |config| config.live_handshakes_per_user_per_minute = 3;
    handshakes_are_limited_per_user,
);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A change that must succeed.
async fn change(client: &mut Client<'_>, endpoint: &str, form: &[(&str, &str)]) -> Reply {
    let reply = common::change(client, endpoint, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
    reply
}

fn user_id(me: &Reply) -> String {
    me.json()["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Ada owns a draft with editor bob on it.
async fn pair(app: &TestApp) -> (Client<'_>, Client<'_>, String, String) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut bob = app.client();
    let bob_id = user_id(&bob.sign_up("bob").await);
    let draft = change(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Live"),
            ("platform", "x"),
            ("first_segment", "One"),
        ],
    )
    .await
    .json()
    .get("id")
    .and_then(serde_json::Value::as_str)
    .unwrap_or_default()
    .to_owned();
    change(
        &mut ada,
        "drafts/add_collaborator",
        &[("draft_id", &draft), ("handle", "bob"), ("role", "editor")],
    )
    .await;
    (ada, bob, draft, bob_id)
}

async fn open(
    addr: SocketAddr,
    cookie: Option<&str>,
    draft: &str,
    after: i64,
    origin: Option<&str>,
) -> Result<Socket, WsError> {
    let url = format!("ws://{addr}/api/live/drafts/{draft}?after={after}");
    let mut request = url.into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert(
            "cookie",
            format!("onering_session={cookie}")
                .parse()
                .map_err(|_| WsError::AttackAttempt)?,
        );
    }
    if let Some(origin) = origin {
        request.headers_mut().insert(
            "origin",
            origin.parse().map_err(|_| WsError::AttackAttempt)?,
        );
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

async fn subscribe(addr: SocketAddr, client: &Client<'_>, draft: &str, after: i64) -> Socket {
    open(
        addr,
        client.cookie.as_deref(),
        draft,
        after,
        Some(PUBLIC_ORIGIN),
    )
    .await
    .unwrap_or_else(|err| panic!("could not subscribe: {err}"))
}

/// The next message, within two seconds (pings and pongs skipped); `None` once closed.
async fn next(socket: &mut Socket) -> Option<LiveMessage> {
    next_within(socket, Duration::from_secs(2)).await
}

async fn next_within(socket: &mut Socket, limit: Duration) -> Option<LiveMessage> {
    loop {
        let frame = tokio::time::timeout(limit, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no live message within {limit:?}"));
        match frame {
            Some(Ok(Message::Text(text))) => {
                return Some(
                    serde_json::from_str(text.as_str()).unwrap_or_else(|e| panic!("{e}: {text}")),
                );
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Skips presence messages.
async fn next_non_presence(socket: &mut Socket) -> Option<LiveMessage> {
    loop {
        match next(socket).await? {
            LiveMessage::Presence { .. } => continue,
            other => return Some(other),
        }
    }
}

/// Reads through `Ready` (and the presence after it); returns the events replayed before.
async fn until_ready(socket: &mut Socket) -> (Vec<(i64, DraftEvent)>, Option<i64>, i64) {
    let mut replayed = Vec::new();
    let mut reset = None;
    loop {
        match next(socket).await {
            Some(LiveMessage::Event { seq, event }) => replayed.push((seq, event)),
            Some(LiveMessage::Reset { seq }) => reset = Some(seq),
            Some(LiveMessage::Ready { seq }) => return (replayed, reset, seq),
            Some(LiveMessage::Presence { .. }) => {}
            other => panic!("unexpected before ready: {other:?}"),
        }
    }
}

/// The reader is told access is gone, then the channel closes.
async fn assert_revoked_and_closed(socket: &mut Socket) {
    assert_eq!(next_non_presence(socket).await, Some(LiveMessage::Revoked));
    assert_eq!(next_non_presence(socket).await, None, "the channel closes");
}

fn handshake_status(result: Result<Socket, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => 101,
    }
}

async fn only_collaborators_may_subscribe(app: &TestApp) {
    let addr = app.serve().await;
    let (ada, bob, draft, _) = pair(app).await;
    let mut zed = app.client();
    zed.sign_up("zed").await;
    assert_eq!(
        handshake_status(open(addr, None, &draft, 0, Some(PUBLIC_ORIGIN)).await),
        401
    );
    assert_eq!(
        handshake_status(open(addr, zed.cookie.as_deref(), &draft, 0, Some(PUBLIC_ORIGIN)).await),
        404
    );
    assert_eq!(
        handshake_status(open(addr, zed.cookie.as_deref(), "no-such-draft", 0, None).await),
        404
    );
    let cross_site = open(
        addr,
        bob.cookie.as_deref(),
        &draft,
        0,
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(
        handshake_status(cross_site),
        403,
        "another site's page may not listen in"
    );
    assert_eq!(
        handshake_status(open(addr, ada.cookie.as_deref(), &draft, 0, Some(PUBLIC_ORIGIN)).await),
        101
    );
    assert_eq!(
        handshake_status(open(addr, bob.cookie.as_deref(), &draft, 0, None).await),
        101
    );
}

async fn events_arrive_in_order_with_dense_numbers(app: &TestApp) {
    let addr = app.serve().await;
    let (mut ada, bob, draft, bob_id) = pair(app).await;
    let mut socket = subscribe(addr, &bob, &draft, 0).await;
    let (replayed, reset, ready) = until_ready(&mut socket).await;
    assert_eq!(reset, None);
    assert!(
        matches!(
            replayed.as_slice(),
            [(1, DraftEvent::CollaboratorAdded { .. })]
        ),
        "{replayed:?}"
    );
    assert_eq!(ready, 1);

    for text in ["two", "three", "four"] {
        change(
            &mut ada,
            "drafts/append",
            &[("draft_id", &draft), ("content", text)],
        )
        .await;
    }
    change(
        &mut ada,
        "drafts/pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        match next_non_presence(&mut socket).await {
            Some(LiveMessage::Event { seq, event }) => seen.push((seq, event)),
            other => panic!("expected an event, got {other:?}"),
        }
    }
    let numbers: Vec<i64> = seen.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(numbers, [2, 3, 4, 5]);
    let contents: Vec<&str> = seen
        .iter()
        .filter_map(|(_, e)| match e {
            DraftEvent::SegmentAppended { segment } => Some(segment.content.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(contents, ["two", "three", "four"]);
    match &seen[3].1 {
        DraftEvent::RingMoved { pass } => {
            assert_eq!(
                (
                    pass.from.handle.as_str(),
                    pass.to.handle.as_str(),
                    pass.after_position
                ),
                ("ada", "bob", 4)
            );
        }
        other => panic!("expected the ring to move, got {other:?}"),
    }
    let view = ada.call("drafts/get", &[("draft_id", &draft)]).await.json();
    assert_eq!(
        view["event_seq"], 5,
        "the page's copy says where its channel resumes"
    );
}

async fn a_reconnecting_page_resumes_or_is_told_to_reload(app: &TestApp) {
    let addr = app.serve().await;
    let (mut ada, bob, draft, _) = pair(app).await;
    for text in ["a", "b", "c", "d"] {
        change(
            &mut ada,
            "drafts/append",
            &[("draft_id", &draft), ("content", text)],
        )
        .await;
    }
    // A page that saw up to event 2 gets 3, 4 and 5, then goes live.
    let mut socket = subscribe(addr, &bob, &draft, 2).await;
    let (replayed, reset, ready) = until_ready(&mut socket).await;
    assert_eq!(
        replayed.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!((reset, ready), (None, 5));
    change(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "e")],
    )
    .await;
    assert!(matches!(
        next_non_presence(&mut socket).await,
        Some(LiveMessage::Event { seq: 6, .. })
    ));

    // Up to date: nothing replayed.
    let mut current = subscribe(addr, &bob, &draft, 6).await;
    let (replayed, reset, ready) = until_ready(&mut current).await;
    assert!(replayed.is_empty() && reset.is_none() && ready == 6);

    // Asking from a number the draft never reached (another database, a restore): reload.
    let mut confused = subscribe(addr, &bob, &draft, 99).await;
    let (_, reset, ready) = until_ready(&mut confused).await;
    assert_eq!((reset, ready), (Some(6), 6));

    // Events no longer kept for replay: reload.
    sqlx::query("DELETE FROM draft_events WHERE seq <= 3")
        .execute(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut behind = subscribe(addr, &bob, &draft, 1).await;
    let (replayed, reset, _) = until_ready(&mut behind).await;
    assert!(replayed.is_empty());
    assert_eq!(reset, Some(6));

    // Every event since the page's number purged: still a reload, not a silent gap.
    sqlx::query("DELETE FROM draft_events")
        .execute(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut away = subscribe(addr, &bob, &draft, 4).await;
    let (replayed, reset, ready) = until_ready(&mut away).await;
    assert!(replayed.is_empty());
    assert_eq!((reset, ready), (Some(6), 6));
}

async fn a_removed_collaborator_is_cut_off(app: &TestApp) {
    let addr = app.serve().await;
    let (mut ada, bob, draft, bob_id) = pair(app).await;
    let mut socket = subscribe(addr, &bob, &draft, 1).await;
    until_ready(&mut socket).await;
    change(
        &mut ada,
        "drafts/remove_collaborator",
        &[("draft_id", &draft), ("user_id", &bob_id)],
    )
    .await;
    assert_revoked_and_closed(&mut socket).await;
    assert_eq!(
        handshake_status(open(addr, bob.cookie.as_deref(), &draft, 0, None).await),
        404
    );
}

fn present(message: &LiveMessage) -> Vec<(String, bool)> {
    match message {
        LiveMessage::Presence { people } => people
            .iter()
            .map(|p| (p.user.handle.clone(), p.typing))
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads until a presence message satisfies `wanted` (within the 2 s per message).
async fn presence_until(
    socket: &mut Socket,
    wanted: impl Fn(&[(String, bool)]) -> bool,
) -> Vec<(String, bool)> {
    loop {
        let message = next(socket)
            .await
            .unwrap_or_else(|| panic!("closed while waiting for presence"));
        let people = present(&message);
        if matches!(message, LiveMessage::Presence { .. }) && wanted(&people) {
            return people;
        }
    }
}

async fn presence_and_typing_reach_the_others(app: &TestApp) {
    let addr = app.serve().await;
    let (ada, bob, draft, _) = pair(app).await;
    let mut bobs = subscribe(addr, &bob, &draft, 1).await;
    until_ready(&mut bobs).await;
    let mut adas = subscribe(addr, &ada, &draft, 1).await;
    until_ready(&mut adas).await;
    presence_until(&mut bobs, |p| {
        p == [("ada".into(), false), ("bob".into(), false)]
    })
    .await;

    adas.send(Message::text(r#"{"type":"typing"}"#))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    presence_until(&mut bobs, |p| p.contains(&("ada".into(), true))).await;
    // Typing fades after a few seconds without keystrokes.
    let started = std::time::Instant::now();
    loop {
        match next_within(&mut bobs, Duration::from_secs(5)).await {
            Some(message) if present(&message).contains(&("ada".into(), false)) => break,
            Some(_) => {}
            None => panic!("closed while typing was to expire"),
        }
    }
    let faded = started.elapsed();
    assert!(
        faded >= Duration::from_secs(2) && faded < Duration::from_secs(5),
        "{faded:?}"
    );

    adas.close(None).await.unwrap_or_else(|e| panic!("{e}"));
    presence_until(&mut bobs, |p| p == [("bob".into(), false)]).await;
}

async fn two_app_servers_deliver_each_others_events(app: &TestApp) {
    if app.backend == Backend::Sqlite {
        // One SQLite file has one app server; several servers share PostgreSQL.
        return;
    }
    let first = app.serve().await;
    let second = app.second_server().await;
    let (mut ada, bob, draft, _) = pair(app).await;
    let mut on_second = subscribe(second, &bob, &draft, 1).await;
    until_ready(&mut on_second).await;
    let mut on_first = subscribe(first, &ada, &draft, 1).await;
    until_ready(&mut on_first).await;
    // Ada's presence on the first server reaches Bob on the second.
    presence_until(&mut on_second, |p| p.iter().any(|(h, _)| h == "ada")).await;

    // An append through the first server (the in-process router) reaches the second.
    change(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "across servers")],
    )
    .await;
    match next_non_presence(&mut on_second).await {
        Some(LiveMessage::Event {
            seq: 2,
            event: DraftEvent::SegmentAppended { segment },
        }) => {
            assert_eq!(segment.content, "across servers");
        }
        other => panic!("expected the append on the second server, got {other:?}"),
    }
    assert!(matches!(
        next_non_presence(&mut on_first).await,
        Some(LiveMessage::Event { seq: 2, .. })
    ));
}

async fn a_reader_who_signs_out_elsewhere_is_cut_off(app: &TestApp) {
    let addr = app.serve().await;
    let (_, mut bob, draft, _) = pair(app).await;
    let mut socket = subscribe(addr, &bob, &draft, 1).await;
    until_ready(&mut socket).await;
    let signed_out = bob.call("auth/sign_out", &[]).await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert_revoked_and_closed(&mut socket).await;
}

async fn frames_over_the_limit_close_only_that_socket(app: &TestApp) {
    let addr = app.serve().await;
    let (ada, bob, draft, _) = pair(app).await;
    let mut big = subscribe(addr, &ada, &draft, 0).await;
    let _ = until_ready(&mut big).await;
    let mut other = subscribe(addr, &bob, &draft, 0).await;
    let _ = until_ready(&mut other).await;
    // One frame of 64 KiB: refused as soon as its header says so, not read whole.
    let _ = big.send(Message::Text("x".repeat(64 * 1024).into())).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match big.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(
        closed.ok(),
        Some(true),
        "the oversized frame closed its socket"
    );
    let mut ada = ada;
    change(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "still live")],
    )
    .await;
    assert!(matches!(
        next_non_presence(&mut other).await,
        Some(LiveMessage::Event {
            event: DraftEvent::SegmentAppended { .. },
            ..
        })
    ));
}

async fn open_sockets_are_limited_per_user(app: &TestApp) {
    let addr = app.serve().await;
    let (ada, _bob, draft, _) = pair(app).await;
    let first = subscribe(addr, &ada, &draft, 0).await;
    let second = subscribe(addr, &ada, &draft, 0).await;
    let third = open(addr, ada.cookie.as_deref(), &draft, 0, Some(PUBLIC_ORIGIN)).await;
    assert_eq!(handshake_status(third), 429, "two open sockets per user");
    drop(first);
    // The closed socket's place comes back once the server notices.
    let mut reopened = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(socket) = open(addr, ada.cookie.as_deref(), &draft, 0, Some(PUBLIC_ORIGIN)).await
        {
            reopened = Some(socket);
            break;
        }
    }
    assert!(reopened.is_some(), "a place freed up");
    drop(second);
}

async fn handshakes_are_limited_per_user(app: &TestApp) {
    let addr = app.serve().await;
    let (ada, bob, draft, _) = pair(app).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(handshake_status(
            open(addr, ada.cookie.as_deref(), &draft, 0, Some(PUBLIC_ORIGIN)).await,
        ));
    }
    assert_eq!(statuses, vec![101, 101, 101, 429]);
    let bobs = open(addr, bob.cookie.as_deref(), &draft, 0, Some(PUBLIC_ORIGIN)).await;
    assert_eq!(handshake_status(bobs), 101, "per user");
}

async fn a_reader_replays_nothing_from_before_they_joined(app: &TestApp) {
    let addr = app.serve().await;
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut cyd = app.client();
    cyd.sign_up("cyd").await;
    let draft = change(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Before"),
            ("platform", "x"),
            ("first_segment", "One"),
        ],
    )
    .await
    .json()
    .get("id")
    .and_then(serde_json::Value::as_str)
    .unwrap_or_default()
    .to_owned();
    let secret = change(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "a draft thought")],
    )
    .await;
    let secret_id = secret.json()["id"].as_str().unwrap_or_default().to_owned();
    change(
        &mut ada,
        "drafts/delete_segment",
        &[("draft_id", &draft), ("segment_id", &secret_id)],
    )
    .await;
    change(
        &mut ada,
        "drafts/add_collaborator",
        &[("draft_id", &draft), ("handle", "cyd"), ("role", "viewer")],
    )
    .await;
    // Cyd asks for everything since the beginning.
    let mut socket = subscribe(addr, &cyd, &draft, 0).await;
    let (replayed, reset, _) = until_ready(&mut socket).await;
    assert_eq!(reset, None);
    assert!(
        replayed
            .iter()
            .all(|(_, e)| matches!(e, DraftEvent::CollaboratorAdded { .. })),
        "only from her joining on: {replayed:?}"
    );
    assert!(!format!("{replayed:?}").contains("a draft thought"));
}
