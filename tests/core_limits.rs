//! The server's limits over real sockets: each one answers or closes as documented, and the
//! server goes on serving normal requests afterwards.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sisk::prelude::*;
use support::*;
use tokio::sync::mpsc;

/// A router with `POST /echo` (the body back as text) and `GET /ok`.
fn echo_router() -> Router {
    let mut router = Router::new();
    router += Route::post(
        "/echo",
        |req: HttpRequest| async move { req.body_text().await },
    );
    router += Route::get("/ok", || async { "ok" });
    router
}

/// A body whose declared length is over `max_request_body` answers 413 and closes the
/// connection without reading it; a body at the limit is then served.
#[tokio::test]
async fn body_over_declared_limit_answers_413_then_server_still_serves() {
    let server = start_with(
        HttpServer::builder()
            .router(echo_router())
            .max_request_body(16),
    )
    .await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 17\r\n\r\n0123456789abcdefg")
        .await;
    let res = conn.read_response(false).await;
    assert_eq!(res.status, 413);
    assert_eq!(res.header("connection"), Some("close"));
    assert_eq!(
        res.text(),
        "the request body was larger than the limit of 16 bytes"
    );
    assert!(conn.closed_by_peer().await);

    let res = send(server.local_addr(), "POST", "/echo", b"0123456789abcdef").await;
    assert_eq!(
        (res.status, res.text()),
        (200, "0123456789abcdef".to_owned())
    );
}

/// A chunked body (no declared length) that grows past the limit while the handler reads it
/// answers 413; the server then serves the next request.
#[tokio::test]
async fn chunked_body_growing_past_limit_answers_413_then_server_still_serves() {
    let (reading_tx, mut reading_rx) = mpsc::unbounded_channel::<()>();
    let mut router = echo_router();
    router += Route::post("/read", move |req: HttpRequest| {
        let reading = reading_tx.clone();
        async move {
            reading.send(()).unwrap();
            let body = req.body_bytes().await?;
            Ok::<_, sisk::Error>(format!("read {} bytes", body.len()))
        }
    });
    let server = start_with(HttpServer::builder().router(router).max_request_body(16)).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(
        b"POST /read HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\na\r\n0123456789\r\n",
    )
    .await;
    within("the handler to start reading", reading_rx.recv())
        .await
        .unwrap();
    conn.send(b"a\r\n0123456789\r\n").await;
    let res = conn.read_response(false).await;
    assert_eq!(res.status, 413);
    // The rest of the body is never read, so the connection cannot carry another request.
    assert_eq!(res.header("connection"), Some("close"));
    assert_eq!(
        res.text(),
        "the request body was larger than the limit of 16 bytes"
    );
    assert!(conn.closed_by_peer().await);

    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"POST /read HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\na\r\n0123456789\r\n6\r\nabcdef\r\n0\r\n\r\n")
        .await;
    let res = conn.read_response(false).await;
    assert_eq!((res.status, res.text()), (200, "read 16 bytes".to_owned()));
}

/// A request head over `max_header_bytes` answers 431; the server then serves the next request.
#[tokio::test]
async fn header_bytes_over_limit_answer_431_then_server_still_serves() {
    let server = start_with(
        HttpServer::builder()
            .router(echo_router())
            .max_header_bytes(8192),
    )
    .await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    let big = "a".repeat(9000);
    conn.send(format!("GET /ok HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n").as_bytes())
        .await;
    let res = conn.read_response(false).await;
    assert_eq!(res.status, 431);
    assert_eq!(res.header("connection"), Some("close"));
    assert_eq!(res.header("content-length"), Some("0"));
    assert!(conn.closed_by_peer().await);

    let fits = "a".repeat(4000);
    let res = raw_request(
        server.local_addr(),
        &format!("GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-big: {fits}\r\n\r\n"),
    )
    .await;
    assert_eq!((res.status, res.text()), (200, "ok".to_owned()));
}

/// A client that sends part of a request head and then stalls (slow-loris) is disconnected once
/// `header_read_timeout` has passed, without an answer; the server then serves the next request.
#[tokio::test]
async fn slow_loris_partial_head_is_disconnected_after_header_read_timeout() {
    let timeout = Duration::from_millis(300);
    let server = start_with_header_timeout(echo_router(), timeout).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    let started = Instant::now();
    conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n").await;
    closed_unanswered_after(&mut conn, started, timeout).await;
    still_serves(server.local_addr()).await;
}

/// A client that connects and sends nothing at all is disconnected after `header_read_timeout`
/// too, so silent connections cannot hold connection slots forever.
#[tokio::test]
async fn silent_connection_is_disconnected_after_header_read_timeout() {
    let timeout = Duration::from_millis(300);
    let server = start_with(
        HttpServer::builder()
            .router(echo_router())
            .header_read_timeout(timeout)
            .max_connections(1),
    )
    .await;
    let started = Instant::now();
    let mut silent = RawConn::connect(server.local_addr()).await;
    closed_unanswered_after(&mut silent, started, timeout).await;
    still_serves(server.local_addr()).await;
}

/// A keep-alive connection left idle after a response is closed after `header_read_timeout`.
#[tokio::test]
async fn idle_keep_alive_connection_is_closed_after_header_read_timeout() {
    let timeout = Duration::from_millis(300);
    let server = start_with_header_timeout(echo_router(), timeout).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_response(false).await.text(), "ok");
    let idle_since = Instant::now();
    closed_unanswered_after(&mut conn, idle_since, timeout).await;
}

/// The header-read timeout counts idle time only: a handler that takes several timeouts to
/// answer is answered on the same connection, and the connection stays usable afterwards.
#[tokio::test]
async fn a_slow_handler_is_not_cut_off_by_the_header_read_timeout() {
    let timeout = Duration::from_millis(200);
    let (release, released) = mpsc::channel::<()>(1);
    let released = std::sync::Arc::new(tokio::sync::Mutex::new(released));
    let mut router = echo_router();
    router += Route::get("/slow", move || {
        let released = released.clone();
        async move {
            released.lock().await.recv().await;
            "done"
        }
    });
    let server = start_with_header_timeout(router, timeout).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\n").await;
    // Time passing is what is tested: the handler is held for three timeouts.
    tokio::time::sleep(timeout * 3).await;
    release.send(()).await.unwrap();
    assert_eq!(conn.read_response(false).await.text(), "done");
    conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_response(false).await.text(), "ok");
}

/// A request in every timeout period keeps a keep-alive connection open: one whose requests
/// come closer together than the timeout stays open however long it lives.
#[tokio::test]
async fn a_busy_keep_alive_connection_outlives_the_header_read_timeout() {
    let timeout = Duration::from_millis(500);
    let server = start_with_header_timeout(echo_router(), timeout).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    let opened = Instant::now();
    loop {
        conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
        assert_eq!(conn.read_response(false).await.text(), "ok");
        if opened.elapsed() >= timeout * 2 {
            break;
        }
        // Well inside the timeout, so a slow machine does not make the gap the test.
        tokio::time::sleep(timeout / 5).await;
    }
    let idle_since = Instant::now();
    closed_unanswered_after(&mut conn, idle_since, timeout).await;
}

/// `conn` is closed without a byte of answer, and not before `timeout` has passed since
/// `since`.
async fn closed_unanswered_after(conn: &mut RawConn, since: Instant, timeout: Duration) {
    assert_eq!(conn.read_to_close().await, b"");
    assert!(
        since.elapsed() >= timeout,
        "closed after {:?}, before the timeout",
        since.elapsed()
    );
}

/// A plain request on a new connection is answered.
async fn still_serves(addr: SocketAddr) {
    let res = get(addr, "/ok").await;
    assert_eq!((res.status, res.text()), (200, "ok".to_owned()));
}

/// Over `max_connections`, a new connection is answered 503 and closed while the open ones are
/// still served; once one of them closes, a new connection is served again.
#[tokio::test]
async fn connection_cap_answers_503_until_a_slot_frees() {
    let server = start_with(
        HttpServer::builder()
            .router(echo_router())
            .max_connections(2),
    )
    .await;
    let addr = server.local_addr();
    // Two keep-alive connections, each proven accepted by a served request, then left idle.
    let mut first = RawConn::connect(addr).await;
    let mut second = RawConn::connect(addr).await;
    for conn in [&mut first, &mut second] {
        conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
        assert_eq!(conn.read_response(false).await.text(), "ok");
    }

    let mut third = RawConn::connect(addr).await;
    third.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let res = third.read_response(false).await;
    assert_eq!(res.status, 503);
    assert_eq!(res.header("connection"), Some("close"));
    assert_eq!(res.header("content-length"), Some("0"));
    assert_eq!(third.read_to_close().await, b"");

    // The open connections are still served.
    second.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(second.read_response(false).await.text(), "ok");

    // Closing one frees its slot. The server learns of the close on its own schedule, so new
    // connections are tried until one is served; each refused try is answered at once, so this
    // waits on the server, not on a timer.
    drop(first);
    let served = within("a freed connection slot", async {
        loop {
            let res = get(addr, "/ok").await;
            if res.status == 200 {
                break res;
            }
            assert_eq!(res.status, 503);
        }
    })
    .await;
    assert_eq!(served.text(), "ok");
}
