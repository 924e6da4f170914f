//! A first end-to-end pass over the server: routing answers, and a streamed chunk reaches the
//! client before the handler returns.

mod support;

use sisk::prelude::*;
use support::*;
use tokio::sync::oneshot;

#[tokio::test]
async fn hello_route_answers_and_unknown_path_is_404() {
    let mut router = Router::new();
    router += Route::get("/hello/<name>", |req: HttpRequest| async move {
        format!(
            "Hello, {}!",
            req.route_parameters().get_str("name").unwrap_or_default()
        )
    });
    let server = start(router).await;
    let res = get(server.local_addr(), "/hello/J%C3%BCrgen").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "Hello, Jürgen!");
    assert_eq!(get(server.local_addr(), "/nope").await.status, 404);
}

#[tokio::test]
async fn streamed_chunk_arrives_before_the_handler_returns() {
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let go_rx = TakeOnce::new(go_rx);
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let done_tx = TakeOnce::new(done_tx);
    let mut router = Router::new();
    router += Route::get("/stream", move |req: HttpRequest| {
        let go = go_rx.take();
        let done = done_tx.take();
        async move {
            let stream = req.response_stream()?;
            stream.write("part1").await?;
            go.await.ok();
            stream.write("part2").await?;
            let res = stream.close();
            done.send(()).ok();
            Ok::<_, sisk::Error>(res)
        }
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let head = conn.read_head().await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(conn.next_chunk().await.unwrap(), b"part1");
    go_tx.send(()).unwrap();
    assert_eq!(conn.next_chunk().await.unwrap(), b"part2");
    assert_eq!(conn.next_chunk().await, None);
    within("the code after close", done_rx).await.unwrap();
}
