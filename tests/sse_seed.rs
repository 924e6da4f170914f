//! Sisk's "Server Sent Events" page, section by section, over real sockets; and Sisk's own
//! SSE tests, ported.

mod support;

use std::time::Duration;

use sisk::prelude::*;
use support::event_stream::SseClient;
use support::*;
use tokio::sync::{mpsc, oneshot};

/// Seed, "Creating an SSE connection": the exact bytes, then the end of the stream.
#[tokio::test]
async fn creating_a_connection_sends_hello_world_then_closes() {
    let mut router = Router::new();
    router += Route::new(RouteMethod::Get, "/", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        sse.send("Hello, world!");
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/").await;
    assert_eq!(client.head.status, 200);
    assert_eq!(
        client.head.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    assert_eq!(
        client.head.header("cache-control"),
        Some("no-store, no-cache")
    );
    assert_eq!(client.head.header("x-accel-buffering"), Some("no"));
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b"data: Hello, world!\n\n"
    );
    assert_eq!(client.next_chunk().await, None);
}

/// Seed, "Appending headers": the header is in the head, before the first message.
#[tokio::test]
async fn appended_header_is_sent_with_the_head() {
    let mut router = Router::new();
    router += Route::get("/", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        sse.append_header("Header-Key", "Header-value")?;
        sse.send("Hello!");
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/").await;
    assert_eq!(client.head.header("header-key"), Some("Header-value"));
    assert_eq!(client.next_event().await.unwrap().data, "Hello!");
}

/// Seed, "Wait-for-fail connections": an identified connection found by identifier from
/// another request, and the handler resuming once it ends.
#[tokio::test]
async fn identified_connection_is_found_and_used_from_elsewhere() {
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel();
    let mut router = Router::new();
    router += Route::get("/", move |req: HttpRequest| {
        let ended_tx = ended_tx.clone();
        async move {
            let sse = req.get_event_source("my-index-connection")?;
            let reason = sse.wait_for_fail(Duration::from_secs(15)).await;
            ended_tx.send(reason).ok();
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    router += Route::post("/notify", |req: HttpRequest| async move {
        match req
            .server()
            .event_sources()
            .get_by_identifier("my-index-connection")
        {
            Some(evs) => {
                evs.send("Hello again!");
                StatusCode::OK
            }
            None => StatusCode::NOT_FOUND,
        }
    });
    router += Route::delete("/", |req: HttpRequest| async move {
        if let Some(evs) = req.event_sources().get_by_identifier("my-index-connection") {
            let _ = evs.close();
        }
    });
    let server = start(router).await;
    let addr = server.local_addr();
    assert_eq!(send(addr, "POST", "/notify", b"").await.status, 404);
    let mut client = SseClient::connect(addr, "/").await;
    assert_eq!(
        client.head.status, 200,
        "the head goes out as the handler waits"
    );
    assert_eq!(server.server().event_sources().len(), 1);
    assert_eq!(send(addr, "POST", "/notify", b"").await.status, 200);
    assert_eq!(client.next_event().await.unwrap().data, "Hello again!");
    assert_eq!(send(addr, "DELETE", "/", b"").await.status, 200);
    assert_eq!(
        client.next_event().await,
        None,
        "closed from outside its handler"
    );
    assert_eq!(
        within("the handler", ended_rx.recv()).await,
        Some(CloseReason::Closed)
    );
    assert!(server.server().event_sources().is_empty());
}

/// Seed, "Ping policy": pings are comments with the configured message; the first one is
/// sent at `start()`, and no event reaches listeners.
#[tokio::test]
async fn ping_policy_sends_comment_pings_listeners_never_see() {
    let mut router = Router::new();
    router += Route::get("/sse", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        sse.with_ping(|ping| {
            ping.data_message = "ping-message".into();
            ping.interval = Duration::from_millis(50);
            ping.start();
        });
        sse.keep_alive().await;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/sse").await;
    for _ in 0..3 {
        assert_eq!(client.next_chunk().await.unwrap(), b": :ping-message\n\n");
    }
    let mut parser = support::event_stream::EventStreamParser::new();
    assert!(parser.feed(b": :ping-message\n\n").is_empty());
    assert_eq!(parser.comments, [" :ping-message"]);
}

/// Seed, "Querying connections": `find` by prefix and `all`.
#[tokio::test]
async fn find_selects_by_identifier_prefix_and_all_lists_every_one() {
    let mut router = Router::new();
    router += Route::get("/sse/<id>", |req: HttpRequest| async move {
        let id: String = req.route_parameters().get("id")?;
        let sse = req.get_event_source(id.as_str())?;
        sse.keep_alive().await;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let addr = server.local_addr();
    let mut a = SseClient::connect(addr, "/sse/my-connection-a").await;
    let mut b = SseClient::connect(addr, "/sse/my-connection-b").await;
    let mut other = SseClient::connect(addr, "/sse/other").await;
    let sources = server.server().event_sources();
    let found = sources.find(|id| id.starts_with("my-connection-"));
    assert_eq!(found.len(), 2);
    for e in found {
        assert!(e.send("Broadcasting to all event sources that starts with 'my-connection-'"));
    }
    let mut all: Vec<String> = sources
        .all()
        .iter()
        .map(|s| s.identifier().unwrap().to_owned())
        .collect();
    all.sort();
    assert_eq!(all, ["my-connection-a", "my-connection-b", "other"]);
    for client in [&mut a, &mut b] {
        assert!(client
            .next_event()
            .await
            .unwrap()
            .data
            .starts_with("Broadcasting"));
    }
    // `other` was not selected: once closed, the end is the first thing it reads.
    let _ = sources.get_by_identifier("other").unwrap().close();
    assert_eq!(other.next_event().await, None);
}

/// Sisk's `/tests/sse/sync`: a header, two plain sends, two sends under another field name
/// (here: events with that type), then close.
#[tokio::test]
async fn sisk_sync_test_ported() {
    let mut router = Router::new();
    router += Route::get("/tests/sse/sync", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        sse.append_header("X-Test-SSE", "sync")?;
        sse.send("message 1");
        sse.send("message 2");
        sse.send_event(Event::new().event("customSync").data("custom 1"))?;
        sse.send_event(Event::new().event("customSync").data("custom 2"))?;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/tests/sse/sync").await;
    assert_eq!(client.head.header("x-test-sse"), Some("sync"));
    let events: Vec<(String, String)> = client
        .rest()
        .await
        .into_iter()
        .map(|e| (e.event, e.data))
        .collect();
    assert_eq!(
        events,
        [
            ("message".into(), "message 1".into()),
            ("message".into(), "message 2".into()),
            ("customSync".into(), "custom 1".into()),
            ("customSync".into(), "custom 2".into()),
        ]
    );
}

/// Sisk's `/tests/sse/async`: `send_async` with delays between sends.
#[tokio::test]
async fn sisk_async_test_ported() {
    let mut router = Router::new();
    router += Route::get("/tests/sse/async", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        for i in 0..3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert!(sse.send_async(format!("async {i}")).await);
        }
        sse.send_event_async(Event::new().event("customAsync").data("done"))
            .await?;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/tests/sse/async").await;
    let events = client.rest().await;
    let data: Vec<&str> = events.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(data, ["async 0", "async 1", "async 2", "done"]);
    assert_eq!(events[3].event, "customAsync");
}

/// Sisk's `/tests/sse/cors`: the server's CORS policy applies to the event stream.
#[tokio::test]
async fn sisk_cors_test_ported() {
    let mut router = Router::new();
    router += Route::get("/tests/sse/cors", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        sse.send("cors");
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start_with(
        HttpServer::builder()
            .router(router)
            .cors(CorsPolicy::new().allow_any_origin()),
    )
    .await;
    let mut client = SseClient::connect(server.local_addr(), "/tests/sse/cors").await;
    assert_eq!(client.head.header("access-control-allow-origin"), Some("*"));
    assert_eq!(client.next_event().await.unwrap().data, "cors");
}

/// Sisk's `/tests/sse/empty`: empty data is an event with empty data (`data: \n\n`).
#[tokio::test]
async fn sisk_empty_test_ported() {
    let mut router = Router::new();
    router += Route::get("/tests/sse/empty", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        sse.send("");
        sse.send(String::new());
        sse.send_event(Event::new().event("customEmpty").data(""))?;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/tests/sse/empty").await;
    assert_eq!(client.next_chunk().await.unwrap(), b"data: \n\n");
    assert_eq!(client.next_chunk().await.unwrap(), b"data: \n\n");
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b"event: customEmpty\ndata: \n\n"
    );
    assert_eq!(client.next_chunk().await, None);
}

/// Sisk's deferred-action test: `part1` is readable before the handler finishes, and work
/// after `close()` runs only after the stream ended.
#[tokio::test]
async fn sisk_deferred_test_ported() {
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (after_tx, after_rx) = oneshot::channel::<bool>();
    let go_rx = TakeOnce::new(go_rx);
    let after_tx = TakeOnce::new(after_tx);
    let mut router = Router::new();
    router += Route::get("/tests/deferred/sse/wait", move |req: HttpRequest| {
        let go = go_rx.take();
        let after = after_tx.take();
        async move {
            let sse = req.get_event_source("deferred")?;
            sse.send("part1");
            go.await.ok();
            sse.send("part2");
            let res = sse.close();
            // Deferred work: runs after the connection is closed.
            after.send(!sse.is_active()).ok();
            Ok::<_, sisk::sse::Error>(res)
        }
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/tests/deferred/sse/wait").await;
    assert_eq!(client.next_event().await.unwrap().data, "part1");
    go_tx.send(()).unwrap();
    assert_eq!(client.next_event().await.unwrap().data, "part2");
    assert_eq!(client.next_event().await, None);
    assert!(within("the deferred work", after_rx).await.unwrap());
}
