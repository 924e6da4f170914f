//! The event-stream wire format over real sockets: exact bytes, one chunk per event, no
//! injection, no interleaving, and a property test against our WHATWG parser.

mod support;

use std::time::Duration;

use proptest::prelude::*;
use sisk::prelude::*;
use sisk::RunningServer;
use support::event_stream::{normalise_line_endings, SseClient};
use support::*;
use tokio::sync::mpsc;

/// A server whose `/sse` hands each new source to the test and keeps it open until closed.
async fn source_server() -> (
    RunningServer,
    mpsc::UnboundedReceiver<HttpRequestEventSource>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut router = Router::new();
    router += Route::get("/sse", move |req: HttpRequest| {
        let tx = tx.clone();
        async move {
            let sse = req.get_event_source(None)?;
            tx.send(sse.clone()).ok();
            sse.keep_alive().await;
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    (start(router).await, rx)
}

async fn connect(
    server: &RunningServer,
    rx: &mut mpsc::UnboundedReceiver<HttpRequestEventSource>,
) -> (SseClient, HttpRequestEventSource) {
    let client = SseClient::connect(server.local_addr(), "/sse").await;
    let source = within("the source", rx.recv()).await.expect("a source");
    (client, source)
}

/// Multi-line data becomes one `data:` line per line, for LF, CRLF and CR alike, and each
/// event is exactly one chunk.
#[tokio::test]
async fn multi_line_data_is_split_into_data_lines_one_chunk_per_event() {
    let (server, mut rx) = source_server().await;
    let (mut client, sse) = connect(&server, &mut rx).await;
    assert!(sse.send("a\nb\r\nc\rd"));
    assert!(sse.send("trailing\n"));
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b"data: a\ndata: b\ndata: c\ndata: d\n\n"
    );
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b"data: trailing\ndata: \n\n"
    );
}

/// `send_event` writes event, id, retry (whole milliseconds), comments and data; the
/// browser-side parser sees the type, data and last event id.
#[tokio::test]
async fn full_events_carry_type_id_and_retry() {
    let (server, mut rx) = source_server().await;
    let (mut client, sse) = connect(&server, &mut rx).await;
    let event = Event::new()
        .event("greet")
        .id("42")
        .retry(Duration::from_millis(2500))
        .comment("hi")
        .data("one\ntwo");
    assert!(sse.send_event(event).unwrap());
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b": hi\nevent: greet\nid: 42\nretry: 2500\ndata: one\ndata: two\n\n"
    );
    assert!(sse.send_event(Event::new().data("x")).unwrap());
    let mut parser = support::event_stream::EventStreamParser::new();
    let events = parser.feed(b": hi\nevent: greet\nid: 42\nretry: 2500\ndata: one\ndata: two\n\n");
    assert_eq!(events[0].event, "greet");
    assert_eq!(events[0].data, "one\ntwo");
    assert_eq!(parser.retry, Some(2500));
    let next = client.next_event().await.unwrap();
    assert_eq!((next.event.as_str(), next.data.as_str()), ("message", "x"));
}

/// A line break in `event` or `id`, or NUL in `id`, is an error and writes nothing: no value
/// can inject a field or an event.
#[tokio::test]
async fn invalid_event_fields_are_errors_and_send_nothing() {
    let (server, mut rx) = source_server().await;
    let (mut client, sse) = connect(&server, &mut rx).await;
    for event in [
        Event::new().event("x\ndata: injected").data("a"),
        Event::new().event("x\r").data("a"),
        Event::new().id("1\n\ndata: injected").data("a"),
        Event::new().id("1\0").data("a"),
    ] {
        assert!(matches!(
            sse.send_event(event),
            Err(sisk::sse::Error::InvalidField { .. })
        ));
    }
    assert!(sse.send("after"));
    assert_eq!(client.next_chunk().await.unwrap(), b"data: after\n\n");
    assert_eq!(sse.sent_content_length(), b"data: after\n\n".len() as u64);
}

/// Sends from many tasks at once never interleave the bytes of two events.
#[tokio::test]
async fn concurrent_sends_never_interleave() {
    let (server, mut rx) = source_server().await;
    let (mut client, sse) = connect(&server, &mut rx).await;
    let tasks = 16;
    let per_task = 50;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let sse = sse.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..per_task {
                let text = format!("task {t} event {i}\nsecond line {t}/{i}");
                assert!(sse.send_async(text).await);
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let mut seen = std::collections::HashSet::new();
    for _ in 0..tasks * per_task {
        let event = client.next_event().await.unwrap();
        let (first, second) = event.data.split_once('\n').expect("two lines");
        let (t, i) = first
            .strip_prefix("task ")
            .and_then(|r| r.split_once(" event "))
            .expect("first line intact");
        assert_eq!(second, format!("second line {t}/{i}"));
        assert!(seen.insert(first.to_owned()), "duplicate {first}");
    }
    assert_eq!(seen.len(), tasks * per_task);
}

/// The head is committed by the first frame: it reaches the client before the handler
/// returns, and `append_header` after it is an error.
#[tokio::test]
async fn append_header_after_the_first_frame_is_an_error() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut router = Router::new();
    router += Route::get("/sse", move |req: HttpRequest| {
        let tx = tx.clone();
        async move {
            let sse = req.get_event_source(None)?;
            sse.append_header("x-before", "1")?;
            sse.send("first");
            let late = sse.append_header("x-after", "1");
            tx.send(late.map_err(|e| match e {
                sisk::sse::Error::Http(e) => e.is_head_already_sent(),
                _ => false,
            }))
            .ok();
            let bad = sse.append_header("x-bad", "a\r\nb");
            tx.send(bad.map_err(|_| true)).ok();
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/sse").await;
    assert_eq!(client.head.header("x-before"), Some("1"));
    assert_eq!(client.head.header("x-after"), None);
    assert_eq!(within("the result", rx.recv()).await.unwrap(), Err(true));
    assert_eq!(within("the result", rx.recv()).await.unwrap(), Err(true));
    assert_eq!(client.next_event().await.unwrap().data, "first");
}

/// A second `get_event_source` on one request is an error, as is streaming twice.
#[tokio::test]
async fn a_request_streams_at_most_once() {
    let mut router = Router::new();
    router += Route::get("/sse", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        let second = req.get_event_source("again");
        let already = matches!(&second, Err(sisk::sse::Error::Http(e)) if e.is_already_streaming());
        sse.send(format!("second attempt refused: {already}"));
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client = SseClient::connect(server.local_addr(), "/sse").await;
    assert_eq!(
        client.next_event().await.unwrap().data,
        "second attempt refused: true"
    );
    assert!(server.server().event_sources().is_empty());
}

/// The head goes out when the handler only waits (so a browser's `open` fires), when it only
/// closes, and when it only returns (whatever it returns: the stream is the response).
#[tokio::test]
async fn the_head_is_committed_by_waiting_closing_or_returning() {
    let mut router = Router::new();
    router += Route::get("/wait", |req: HttpRequest| async move {
        let sse = req.get_event_source("waiter")?;
        sse.keep_alive().await;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    router += Route::get("/close", |req: HttpRequest| async move {
        let sse = req.get_event_source(None)?;
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    router += Route::get("/return", |req: HttpRequest| async move {
        let _sse = req.get_event_source(None)?;
        Ok::<_, sisk::sse::Error>(HttpResponse::text("ignored"))
    });
    let server = start(router).await;
    let addr = server.local_addr();
    let mut waiting = SseClient::connect(addr, "/wait").await;
    assert_eq!(waiting.head.status, 200);
    assert_eq!(
        waiting.head.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    for path in ["/close", "/return"] {
        let mut client = SseClient::connect(addr, path).await;
        assert_eq!(client.head.status, 200, "{path}");
        assert_eq!(
            client.head.header("content-type"),
            Some("text/event-stream; charset=utf-8")
        );
        let empty = client.head.header("content-length") == Some("0")
            || client.next_chunk().await.is_none();
        assert!(empty, "{path} has an empty body");
    }
    let _ = server
        .server()
        .event_sources()
        .get_by_identifier("waiter")
        .unwrap()
        .close();
    assert_eq!(waiting.next_chunk().await, None);
}

/// `last_event_id` exposes the header a reconnecting browser sends.
#[tokio::test]
async fn last_event_id_is_read_from_the_request() {
    let mut router = Router::new();
    router += Route::get("/sse", |req: HttpRequest| async move {
        let last = req.last_event_id().map(str::to_owned);
        let sse = req.get_event_source(None)?;
        sse.send(format!("{last:?}"));
        Ok::<_, sisk::sse::Error>(sse.close())
    });
    let server = start(router).await;
    let mut client =
        SseClient::connect_with(server.local_addr(), "/sse", "last-event-id: 41\r\n").await;
    assert_eq!(client.next_event().await.unwrap().data, "Some(\"41\")");
    let mut client = SseClient::connect(server.local_addr(), "/sse").await;
    assert_eq!(client.next_event().await.unwrap().data, "None");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// For arbitrary Unicode text, the browser-side parser delivers exactly what was sent
    /// (line endings normalised to LF), one event per send.
    #[test]
    fn what_is_sent_is_what_a_browser_receives(texts in proptest::collection::vec("\\PC*|[\\r\\n a-z:]*", 1..8)) {
        let rt = runtime();
        rt.block_on(async {
            let (server, mut rx) = source_server().await;
            let (mut client, sse) = connect(&server, &mut rx).await;
            for text in &texts {
                prop_assert!(sse.send(text));
            }
            for text in &texts {
                let event = client.next_event().await.expect("an event per send");
                prop_assert_eq!(&event.data, &normalise_line_endings(text));
                prop_assert_eq!(event.event.as_str(), "message");
            }
            let _ = sse.close();
            prop_assert_eq!(client.next_event().await, None);
            Ok(())
        })?;
    }
}
