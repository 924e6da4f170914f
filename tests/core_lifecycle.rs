//! A server's life over real sockets: panics and errors in handlers, graceful shutdown (with a
//! request in flight, past its deadline, with an open stream), HTTP/1.1 keep-alive, h2c.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sisk::prelude::*;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

/// Whether a new connection to `addr` is turned away: refused outright, or closed (or reset)
/// without an answer to the request sent on it.
async fn turned_away(addr: SocketAddr) -> bool {
    let Ok(mut stream) = within("a connection attempt", TcpStream::connect(addr)).await else {
        return true;
    };
    // A reset may come at any point; it turns the connection away all the same.
    let _ = stream
        .write_all(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let _ = within("the connection to close", stream.read_to_end(&mut answer)).await;
    answer.is_empty()
}

/// Sends a value when dropped: shows that a handler future was dropped (cancelled).
struct DropSignal(mpsc::UnboundedSender<&'static str>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send("dropped");
    }
}

/// A handler that panics answers an empty 500; the same keep-alive connection and new
/// connections are served afterwards.
#[tokio::test]
async fn panicking_handler_answers_500_and_the_server_goes_on() {
    let mut router = Router::new();
    router += Route::get("/panic", |req: HttpRequest| async move {
        if req.path() == "/panic" {
            panic!("the handler gave up");
        }
        "unreachable"
    });
    router += Route::get("/ok", || async { "ok" });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /panic HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let res = conn.read_response(false).await;
    assert_eq!(res.status, 500);
    assert_eq!(res.header("content-length"), Some("0"));
    assert!(res.body.is_empty());

    conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let res = conn.read_response(false).await;
    assert_eq!((res.status, res.text()), (200, "ok".to_owned()));
    let res = get(server.local_addr(), "/ok").await;
    assert_eq!((res.status, res.text()), (200, "ok".to_owned()));
}

/// A handler returning `Err(sisk::Error)` answers with that error's status: 4xx with the
/// message, 5xx with an empty body.
#[tokio::test]
async fn handler_error_answers_with_its_status() {
    let mut router = Router::new();
    router += Route::get("/page", |req: HttpRequest| async move {
        let page: u32 = req.query().get_as("n")?.unwrap_or(1);
        Ok::<_, sisk::Error>(format!("page {page}"))
    });
    router += Route::get("/broken", || async {
        let res = HttpResponse::text("never sent").with_header("x-bad", "line\r\nbreak")?;
        Ok::<_, sisk::Error>(res)
    });
    let server = start(router).await;
    let res = get(server.local_addr(), "/page?n=two").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.text(), "query parameter `n` has an invalid value `two`");
    let res = get(server.local_addr(), "/broken").await;
    assert_eq!(res.status, 500);
    assert_eq!(res.header("content-length"), Some("0"));
    assert!(res.body.is_empty());
    assert_eq!(get(server.local_addr(), "/page?n=3").await.text(), "page 3");
}

/// Shutdown with a request in flight: new connections are turned away at once, the in-flight
/// request still completes, and `shutdown` returns after it.
#[tokio::test]
async fn graceful_shutdown_finishes_the_in_flight_request_and_turns_new_connections_away() {
    let (entered_tx, mut entered_rx) = mpsc::unbounded_channel::<()>();
    let (finish_tx, finish_rx) = oneshot::channel::<()>();
    let finish_rx = TakeOnce::new(finish_rx);
    let mut router = Router::new();
    router += Route::get("/slow", move || {
        let entered = entered_tx.clone();
        let finish = finish_rx.take();
        async move {
            entered.send(()).unwrap();
            finish.await.unwrap();
            "finished"
        }
    });
    let server = start(router).await;
    let addr = server.local_addr();
    let mut conn = RawConn::connect(addr).await;
    conn.send(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\n").await;
    within("the handler to start", entered_rx.recv())
        .await
        .unwrap();

    let (begun_tx, begun_rx) = oneshot::channel();
    let stopping = tokio::spawn(async move {
        let shutdown = server.shutdown(Duration::from_secs(10));
        begun_tx.send(()).unwrap();
        // On this single-threaded runtime nothing else runs before this first poll of
        // `shutdown`, which signals the listener; the test resumes only after it.
        shutdown.await;
    });
    within("shutdown to begin", begun_rx).await.unwrap();
    assert!(turned_away(addr).await, "a new connection was served");
    assert!(!stopping.is_finished());

    finish_tx.send(()).unwrap();
    let res = conn.read_response(false).await;
    assert_eq!((res.status, res.text()), (200, "finished".to_owned()));
    assert_eq!(res.header("connection"), Some("close"));
    within("shutdown to return", stopping).await.unwrap();
    assert!(conn.closed_by_peer().await);
}

/// A request still running when the shutdown deadline passes is cut off: its connection is
/// closed without an answer, its handler is dropped, and `shutdown` returns.
#[tokio::test]
async fn shutdown_deadline_closes_a_hung_request() {
    let (events_tx, mut events_rx) = mpsc::unbounded_channel::<&'static str>();
    let mut router = Router::new();
    router += Route::get("/hang", move || {
        let events = events_tx.clone();
        async move {
            let _dropped = DropSignal(events.clone());
            events.send("entered").unwrap();
            std::future::pending::<()>().await;
            "unreachable"
        }
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /hang HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(
        within("the handler", events_rx.recv()).await,
        Some("entered")
    );

    let deadline = Duration::from_millis(300);
    let started = Instant::now();
    within("shutdown to return", server.shutdown(deadline)).await;
    assert!(
        started.elapsed() >= deadline,
        "returned before the deadline"
    );
    assert_eq!(within("the drop", events_rx.recv()).await, Some("dropped"));
    assert_eq!(conn.read_to_close().await, b"");
}

/// An open response stream is ended at shutdown: its handler sees `StreamEnd::Shutdown`, the
/// client gets the end of the body, and `shutdown` returns.
#[tokio::test]
async fn shutdown_ends_an_open_response_stream() {
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel::<StreamEnd>();
    let mut router = Router::new();
    router += Route::get("/stream", move |req: HttpRequest| {
        let ended = ended_tx.clone();
        async move {
            let stream = req.response_stream()?;
            stream.write("open").await?;
            ended.send(stream.closed().await).unwrap();
            Ok::<_, sisk::Error>(stream.close())
        }
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_head().await.status, 200);
    assert_eq!(conn.next_chunk().await.unwrap(), b"open");

    within(
        "shutdown to return",
        server.shutdown(Duration::from_secs(10)),
    )
    .await;
    assert_eq!(
        within("the handler", ended_rx.recv()).await,
        Some(StreamEnd::Shutdown)
    );
    assert_eq!(conn.next_chunk().await, None);
}

/// HTTP/1.1 keep-alive: two requests on one connection, answered in order from the same peer.
#[tokio::test]
async fn keep_alive_serves_two_requests_on_one_connection() {
    let mut router = Router::new();
    router += Route::get("/who/<n>", |req: HttpRequest| async move {
        format!(
            "{} from {}",
            req.route_parameters().get_str("n").unwrap_or_default(),
            req.remote_address()
        )
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /who/1 HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let first = conn.read_response(false).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("connection"), None);
    conn.send(b"GET /who/2 HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let second = conn.read_response(false).await;
    let peer = conn.into_inner().local_addr().unwrap();
    assert_eq!(first.text(), format!("1 from {peer}"));
    assert_eq!(second.text(), format!("2 from {peer}"));
}

/// An HTTP/2 request with prior knowledge (h2c) is served on the same port as HTTP/1.1.
#[tokio::test]
async fn h2c_request_is_served_on_the_same_port() {
    let mut router = Router::new();
    router += Route::get("/version", |req: HttpRequest| async move {
        format!("{:?} {}", req.version(), req.path())
    });
    let server = start(router).await;
    let (res, body) = get_h2(server.local_addr(), "/version").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.version(), http::Version::HTTP_2);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(body, "HTTP/2.0 /version");
    assert_eq!(
        get(server.local_addr(), "/version").await.text(),
        "HTTP/1.1 /version"
    );
}

/// The protocol is told by the first bytes even when they arrive in pieces: a request line
/// that starts like HTTP/2's preface (`P`), and the preface itself, each written in two parts.
/// (Which part the server sees first is up to the network; the listener's unit tests hold
/// each case still.)
#[tokio::test]
async fn protocol_is_told_from_first_bytes_written_apart() {
    let mut router = Router::new();
    router += Route::put("/version", |req: HttpRequest| async move {
        format!("{:?}", req.version())
    });
    let server = start(router).await;

    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"P").await;
    conn.send(b"UT /version HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")
        .await;
    assert_eq!(conn.read_response(false).await.text(), "HTTP/1.1");

    let mut h2 = TcpStream::connect(server.local_addr()).await.unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    // The rest of the preface, then an empty SETTINGS frame.
    h2.write_all(b"\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    let mut frame_head = [0u8; 9];
    within(
        "the server's SETTINGS frame",
        h2.read_exact(&mut frame_head),
    )
    .await
    .unwrap();
    assert_eq!(
        frame_head[3], 0x04,
        "an HTTP/2 SETTINGS frame: {frame_head:?}"
    );
}

/// Binding an address already in use is an `is_bind` error naming the address, not a panic.
#[tokio::test]
async fn binding_an_address_in_use_is_a_clear_error() {
    let taken = start(Router::new()).await;
    let addr = taken.local_addr().to_string();
    let err = HttpServer::builder()
        .listen(addr.clone())
        .router(Router::new())
        .build()
        .expect("the server builds")
        .start()
        .await
        .expect_err("the address is in use");
    assert!(err.is_bind());
    assert_eq!(err.to_string(), format!("could not bind {addr}"));
}
