//! The streaming take-over over real sockets: the head and chunks go out while the handler
//! runs, the handler outlives the response, and the stream reports how it ended.
//!
//! (That a chunk reaches the client before the handler returns is shown in `smoke.rs`.)

mod support;

use sisk::prelude::*;
use support::*;
use tokio::sync::{mpsc, oneshot};

/// Code after `stream.close()` still runs, after the client has seen the end of the body.
#[tokio::test]
async fn code_after_close_runs_after_the_client_saw_the_end() {
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let go_rx = TakeOnce::new(go_rx);
    let (after_tx, mut after_rx) = mpsc::unbounded_channel::<String>();
    let mut router = Router::new();
    router += Route::get("/stream", move |req: HttpRequest| {
        let go = go_rx.take();
        let after = after_tx.clone();
        async move {
            let stream = req.response_stream()?;
            stream.write("only chunk").await?;
            let res = stream.close();
            // The client has the whole body now; this handler goes on until the test says so.
            go.await.unwrap();
            let write_after_close = stream.write("late").await.unwrap_err();
            after
                .send(format!(
                    "ran after close; late write closed={}; end={:?}",
                    write_after_close.is_stream_closed(),
                    stream.end_reason()
                ))
                .unwrap();
            Ok::<_, sisk::Error>(res)
        }
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let head = conn.read_head().await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(conn.next_chunk().await.unwrap(), b"only chunk");
    assert_eq!(conn.next_chunk().await, None);

    go_tx.send(()).unwrap();
    assert_eq!(
        within("the code after close", after_rx.recv())
            .await
            .unwrap(),
        "ran after close; late write closed=true; end=Some(Closed)"
    );
    // The connection is still good for another request.
    conn.send(b"GET /nope HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_response(false).await.status, 404);
}

/// A client that disconnects makes `stream.closed()` return `StreamEnd::Disconnected`, and
/// later writes fail as closed.
#[tokio::test]
async fn client_disconnect_makes_closed_return_disconnected() {
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel::<(StreamEnd, bool)>();
    let mut router = Router::new();
    router += Route::get("/stream", move |req: HttpRequest| {
        let ended = ended_tx.clone();
        async move {
            let stream = req.response_stream()?;
            stream.write("hello").await?;
            let end = stream.closed().await;
            let write_failed = stream
                .write("anyone?")
                .await
                .is_err_and(|e| e.is_stream_closed());
            ended.send((end, write_failed)).unwrap();
            Ok::<_, sisk::Error>(stream.close())
        }
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_head().await.status, 200);
    assert_eq!(conn.next_chunk().await.unwrap(), b"hello");
    drop(conn);

    assert_eq!(
        within("the handler to see the disconnect", ended_rx.recv()).await,
        Some((StreamEnd::Disconnected, true))
    );
    assert_eq!(server.server().open_streams(), 0);
}

/// Status and headers set before the first write are in the head; after it, changing them is
/// an `is_head_already_sent` error and the head stays as sent.
#[tokio::test]
async fn head_is_fixed_at_the_first_write() {
    let (errors_tx, mut errors_rx) = mpsc::unbounded_channel::<(bool, bool)>();
    let mut router = Router::new();
    router += Route::get("/stream", move |req: HttpRequest| {
        let errors = errors_tx.clone();
        async move {
            let stream = req.response_stream()?;
            stream.set_status(StatusCode::CREATED)?;
            stream.append_header("content-type", "text/plain")?;
            stream.append_header("x-tag", "one")?;
            stream.append_header("x-tag", "two")?;
            stream.write("first").await?;
            let header = stream.append_header("x-late", "no").unwrap_err();
            let status = stream.set_status(StatusCode::ACCEPTED).unwrap_err();
            errors
                .send((header.is_head_already_sent(), status.is_head_already_sent()))
                .unwrap();
            Ok::<_, sisk::Error>(stream.close())
        }
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let head = conn.read_head().await;
    assert_eq!(head.status, 201);
    assert_eq!(head.header("content-type"), Some("text/plain"));
    let tags: Vec<&str> = head
        .headers
        .iter()
        .filter(|(name, _)| name == "x-tag")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(tags, ["one", "two"]);
    assert_eq!(head.header("x-late"), None);
    assert_eq!(conn.next_chunk().await.unwrap(), b"first");
    assert_eq!(conn.next_chunk().await, None);
    assert_eq!(
        within("the handler", errors_rx.recv()).await,
        Some((true, true))
    );
}

/// A second `req.response_stream()` on one request is an `is_already_streaming` error; the
/// first stream is unaffected.
#[tokio::test]
async fn second_response_stream_is_already_streaming() {
    let mut router = Router::new();
    router += Route::get("/stream", |req: HttpRequest| async move {
        let stream = req.response_stream()?;
        let again = req.response_stream().unwrap_err();
        stream
            .write(format!(
                "already streaming: {}",
                again.is_already_streaming()
            ))
            .await?;
        Ok::<_, sisk::Error>(stream.close())
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_head().await.status, 200);
    assert_eq!(conn.next_chunk().await.unwrap(), b"already streaming: true");
    assert_eq!(conn.next_chunk().await, None);
}

/// A streaming handler that returns without calling `close()` still ends its stream: the
/// client gets the end of the body and the connection serves the next request.
#[tokio::test]
async fn stream_ends_when_its_handler_returns_without_close() {
    let mut router = Router::new();
    router += Route::get("/stream", |req: HttpRequest| async move {
        let stream = req.response_stream()?;
        stream.write("a").await?;
        stream.write("b").await?;
        Ok::<_, sisk::Error>(HttpResponse::new())
    });
    router += Route::get("/ok", || async { "ok" });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let res = conn.read_response(false).await;
    assert_eq!((res.status, res.text()), (200, "ab".to_owned()));
    conn.send(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_response(false).await.text(), "ok");
    assert_eq!(server.server().open_streams(), 0);
}

/// An open response stream keeps its connection busy: silent for several header-read timeouts,
/// it still delivers its next chunk (the timeout is for clients that send no request head).
#[tokio::test]
async fn a_quiet_stream_outlives_the_header_read_timeout() {
    let timeout = std::time::Duration::from_millis(200);
    let (next_tx, next_rx) = oneshot::channel::<()>();
    let next_rx = TakeOnce::new(next_rx);
    let mut router = Router::new();
    router += Route::get("/stream", move |req: HttpRequest| {
        let next = next_rx.take();
        async move {
            let stream = req.response_stream()?;
            stream.write("first").await?;
            next.await.unwrap();
            stream.write("second").await?;
            Ok::<_, sisk::Error>(stream.close())
        }
    });
    let server = start_with_header_timeout(router, timeout).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(conn.read_head().await.status, 200);
    assert_eq!(conn.next_chunk().await.unwrap(), b"first");
    // Time passing is what is tested: the stream says nothing for three timeouts.
    tokio::time::sleep(timeout * 3).await;
    next_tx.send(()).unwrap();
    assert_eq!(conn.next_chunk().await.unwrap(), b"second");
    assert_eq!(conn.next_chunk().await, None);
}
