//! How event sources end: every way goes the same way — inactive, out of the collection,
//! waiters woken, events fired in Sisk's order, no stale entries.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sisk::prelude::*;
use sisk::RunningServer;
use support::event_stream::SseClient;
use support::*;
use tokio::sync::mpsc;

/// What each handler's wait returned, by identifier.
type Ends = mpsc::UnboundedReceiver<(String, CloseReason)>;

/// `/sse/<id>?idle_ms=N`: an identified source waiting for failure (idle limit if given).
async fn server() -> (RunningServer, Ends) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut router = Router::new();
    router += Route::get("/sse/<id>", move |req: HttpRequest| {
        let tx = tx.clone();
        async move {
            let id: String = req.route_parameters().get("id")?;
            let idle: Option<u64> = req.query().get_as("idle_ms")?;
            let sse = req.get_event_source(id.as_str())?;
            let reason = match idle {
                Some(ms) => sse.wait_for_fail(Duration::from_millis(ms)).await,
                None => sse.keep_alive().await,
            };
            tx.send((id, reason)).ok();
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    (start(router).await, rx)
}

async fn end(ends: &mut Ends) -> (String, CloseReason) {
    within("a handler to resume", ends.recv())
        .await
        .expect("an end")
}

/// A client that disconnects ends its source as `Disconnected`, and the collection forgets
/// it at once (Sisk keeps such stale entries; we do not).
#[tokio::test]
async fn a_client_that_goes_away_leaves_no_stale_entry() {
    let (server, mut ends) = server().await;
    let sources = server.server().event_sources();
    let client = SseClient::connect(server.local_addr(), "/sse/gone").await;
    let sse = sources.get_by_identifier("gone").expect("registered");
    drop(client);
    assert_eq!(
        end(&mut ends).await,
        ("gone".into(), CloseReason::Disconnected)
    );
    assert!(!sse.is_active());
    assert!(
        !sse.send("too late"),
        "sending to a closed source returns false"
    );
    assert!(sources.get_by_identifier("gone").is_none());
    assert_eq!(sources.len(), 0);
    assert_eq!(sources.active_connections(), 0);
}

/// `wait_for_fail(idle)` restarts its timer at every event sent, then closes the connection
/// once `idle` passes in silence.
#[tokio::test]
async fn idle_timeout_restarts_at_every_event_then_closes() {
    let (server, mut ends) = server().await;
    let mut client = SseClient::connect(server.local_addr(), "/sse/idle?idle_ms=300").await;
    let sse = server
        .server()
        .event_sources()
        .get_by_identifier("idle")
        .unwrap();
    let started = tokio::time::Instant::now();
    for i in 0..6 {
        // Each event comes before the idle limit, so the connection stays.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            sse.send(format!("keep {i}")),
            "still open after {:?}",
            started.elapsed()
        );
        assert_eq!(client.next_event().await.unwrap().data, format!("keep {i}"));
    }
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "outlived one idle period"
    );
    assert_eq!(
        end(&mut ends).await,
        ("idle".into(), CloseReason::IdleTimeout)
    );
    assert_eq!(client.next_event().await, None, "the connection is closed");
    assert!(server.server().event_sources().is_empty());
}

/// `close()` from another task wakes the handler with `Closed` and ends the stream.
#[tokio::test]
async fn close_from_another_task_wakes_the_handler() {
    let (server, mut ends) = server().await;
    let mut client = SseClient::connect(server.local_addr(), "/sse/x").await;
    let sse = server
        .server()
        .event_sources()
        .get_by_identifier("x")
        .unwrap();
    tokio::spawn(async move {
        sse.send("bye");
        let _ = sse.close();
        let _ = sse.close(); // idempotent
    });
    assert_eq!(client.next_event().await.unwrap().data, "bye");
    assert_eq!(client.next_event().await, None);
    assert_eq!(end(&mut ends).await, ("x".into(), CloseReason::Closed));
}

/// A new source with an identifier in use replaces the old one: old unregistered, then new
/// registered, and the old handler sees `Replaced`.
#[tokio::test]
async fn a_second_connection_with_the_same_identifier_replaces_the_first() {
    let (server, mut ends) = server().await;
    let sources = server.server().event_sources();
    let log = Arc::new(Mutex::new(Vec::new()));
    let registered = log.clone();
    sources.on_registered(move |s| {
        registered
            .lock()
            .unwrap()
            .push(format!("+{}", s.identifier().unwrap()));
    });
    let unregistered = log.clone();
    sources.on_unregistered(move |s| {
        unregistered.lock().unwrap().push(format!(
            "-{} ({:?})",
            s.identifier().unwrap(),
            s.close_reason()
        ));
    });
    let mut first = SseClient::connect(server.local_addr(), "/sse/same").await;
    let old = sources.get_by_identifier("same").unwrap();
    let mut second = SseClient::connect(server.local_addr(), "/sse/same").await;
    assert_eq!(end(&mut ends).await, ("same".into(), CloseReason::Replaced));
    assert_eq!(first.next_event().await, None, "the first stream ended");
    assert!(!old.is_active());
    let new = sources.get_by_identifier("same").unwrap();
    assert!(new.is_active());
    assert_eq!(sources.len(), 1);
    assert_eq!(
        *log.lock().unwrap(),
        ["+same", "-same (Some(Replaced))", "+same"]
    );
    assert!(new.send("to the second"));
    assert_eq!(second.next_event().await.unwrap().data, "to the second");
}

/// `keep_alive()` can be awaited by several tasks; all wake with the same reason.
#[tokio::test]
async fn several_tasks_can_wait_on_one_source() {
    let (server, mut ends) = server().await;
    let client = SseClient::connect(server.local_addr(), "/sse/many").await;
    let sse = server
        .server()
        .event_sources()
        .get_by_identifier("many")
        .unwrap();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let sse = sse.clone();
            tokio::spawn(async move { sse.keep_alive().await })
        })
        .collect();
    drop(client);
    for waiter in waiters {
        assert_eq!(
            within("a waiter", waiter).await.unwrap(),
            CloseReason::Disconnected
        );
    }
    assert_eq!(end(&mut ends).await.1, CloseReason::Disconnected);
    // Waiting on an ended source returns at once.
    assert_eq!(sse.keep_alive().await, CloseReason::Disconnected);
}

/// Dropping the last handle of a source that was not closed closes it (Sisk's `using`).
#[tokio::test]
async fn dropping_the_last_handle_closes_the_source() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let done_rx = TakeOnce::new(done_rx);
    let mut router = Router::new();
    router += Route::get("/sse", move |req: HttpRequest| {
        let tx = tx.clone();
        let done = done_rx.take();
        async move {
            let sse = req.get_event_source("held")?;
            sse.send("hello");
            // The only handle goes to the test; the handler keeps running without one.
            tx.send(sse).ok();
            done.await.ok();
            Ok::<_, sisk::sse::Error>(HttpResponse::new())
        }
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/sse").await;
    assert_eq!(client.next_event().await.unwrap().data, "hello");
    let handle = within("the handle", rx.recv()).await.unwrap();
    let watcher = handle.clone();
    drop(handle);
    assert!(watcher.is_active(), "one handle is still alive");
    drop(watcher);
    assert_eq!(
        client.next_event().await,
        None,
        "the last drop closed the stream"
    );
    assert!(server
        .server()
        .event_sources()
        .get_by_identifier("held")
        .is_none());
    done_tx.send(()).ok();
}

/// A failed ping ends the source (the peer is gone), and pings stop.
#[tokio::test]
async fn a_failed_ping_ends_the_source() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut router = Router::new();
    router += Route::get("/sse", move |req: HttpRequest| {
        let tx = tx.clone();
        async move {
            let sse = req.get_event_source("pinged")?;
            sse.with_ping(|ping| {
                ping.interval = Duration::from_millis(30);
                ping.start();
            });
            tx.send(sse.keep_alive().await).ok();
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/sse").await;
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b": :%ping%\n\n",
        "Sisk's default ping"
    );
    drop(client);
    assert_eq!(
        within("the handler", rx.recv()).await,
        Some(CloseReason::Disconnected)
    );
    let sources = server.server().event_sources();
    assert!(sources.is_empty());
    // The ticker notices the source is gone and stops.
    within("the ticker to stop", async {
        while sources.ping_tickers() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

/// A source opened while the server is already shutting down ends at once with `Shutdown`,
/// so it cannot hold the shutdown until its deadline.
#[tokio::test]
async fn a_source_opened_during_shutdown_ends_with_shutdown() {
    let (gate_tx, gate_rx) = tokio::sync::oneshot::channel::<()>();
    let gate = TakeOnce::new(gate_rx);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (started_tx, mut started) = mpsc::unbounded_channel::<()>();
    let mut router = Router::new();
    router += Route::get("/late", move |req: HttpRequest| {
        let gate = gate.take();
        let (tx, started_tx) = (tx.clone(), started_tx.clone());
        async move {
            started_tx.send(()).ok();
            gate.await.ok();
            let sse = req.get_event_source("late")?;
            tx.send(sse.keep_alive().await).ok();
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    let server = start(router).await;
    let addr = server.local_addr();
    let mut conn = RawConn::connect(addr).await;
    conn.send(b"GET /late HTTP/1.1\r\nhost: x\r\n\r\n").await;
    within("the handler to start", started.recv()).await;
    let shutdown = tokio::spawn(server.shutdown(Duration::from_secs(60)));
    // Shutdown has started once the listener refuses new connections.
    within("the listener to close", async {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    gate_tx.send(()).unwrap();
    assert_eq!(
        within("the handler", rx.recv()).await,
        Some(CloseReason::Shutdown)
    );
    within("shutdown, long before its deadline", shutdown)
        .await
        .unwrap();
}
