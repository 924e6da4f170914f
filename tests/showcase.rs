//! The showcase example's HTTP contract, route by route, including the bad-input answers.

mod support;

#[allow(dead_code)]
#[path = "../examples/showcase.rs"]
mod showcase;

use std::net::SocketAddr;

use sisk::RunningServer;
use support::event_stream::SseClient;
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

async fn server() -> RunningServer {
    start(showcase::router()).await
}

/// `GET /sse/connections`. A stream is registered before its head is sent, so a connected
/// client is always listed.
async fn connections(server: &RunningServer) -> String {
    get(server.local_addr(), "/sse/connections").await.text()
}

/// `/` is the live page, served by the example itself.
#[tokio::test]
async fn the_page_is_served_at_the_root() {
    let server = server().await;
    let res = get(server.local_addr(), "/").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(res.text().contains("new EventSource("));
}

/// `/sse/hello` writes exactly `data: Hello, world!\n\n` (nothing before it), then closes.
#[tokio::test]
async fn hello_sends_one_message_then_closes() {
    let server = server().await;
    let mut client = SseClient::connect(server.local_addr(), "/sse/hello").await;
    assert_eq!(
        client.head.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    assert_eq!(
        client.next_chunk().await.unwrap(),
        b"data: Hello, world!\n\n"
    );
    assert_eq!(client.next_chunk().await, None);
}

/// `/sse/headers` carries `Header-Key: Header-value` and sends `Hello!`.
#[tokio::test]
async fn headers_appends_a_header() {
    let server = server().await;
    let mut client = SseClient::connect(server.local_addr(), "/sse/headers").await;
    assert_eq!(client.head.header("header-key"), Some("Header-value"));
    assert_eq!(client.next_event().await.unwrap().data, "Hello!");
    assert_eq!(client.next_event().await, None);
}

/// Identified connections: listed, sent to (body with new lines, event and id), closed from
/// outside, replaced by a second connection with the same identifier.
#[tokio::test]
async fn connections_are_listed_sent_to_closed_and_replaced() {
    let server = server().await;
    let addr = server.local_addr();
    let mut b = SseClient::connect(addr, "/sse/connections/b").await;
    let mut a = SseClient::connect(addr, "/sse/connections/a").await;
    assert_eq!(connections(&server).await, r#"["a","b"]"#);

    let res = send(
        addr,
        "POST",
        "/sse/connections/a?event=greet&id=7",
        b"line 1\r\nline 2\n",
    )
    .await;
    assert_eq!(res.status, 200);
    let event = a.next_event().await.unwrap();
    assert_eq!(event.event, "greet");
    assert_eq!(event.data, "line 1\nline 2\n");
    assert_eq!(event.last_event_id, "7");
    assert_eq!(
        send(addr, "POST", "/sse/connections/nobody", b"x")
            .await
            .status,
        404
    );

    assert_eq!(
        send(addr, "DELETE", "/sse/connections/a", b"").await.status,
        200
    );
    assert_eq!(a.next_event().await, None);
    assert_eq!(
        send(addr, "DELETE", "/sse/connections/a", b"").await.status,
        404
    );

    let mut b2 = SseClient::connect(addr, "/sse/connections/b").await;
    assert_eq!(b.next_event().await, None, "the first `b` was replaced");
    assert_eq!(
        send(addr, "POST", "/sse/connections/b", b"to the new b")
            .await
            .status,
        200
    );
    assert_eq!(b2.next_event().await.unwrap().data, "to the new b");
    assert_eq!(connections(&server).await, r#"["b"]"#);
}

/// `idle_ms` ends a connection that nothing was sent to.
#[tokio::test]
async fn an_idle_connection_ends_after_idle_ms() {
    let server = server().await;
    let mut client =
        SseClient::connect(server.local_addr(), "/sse/connections/quiet?idle_ms=100").await;
    assert_eq!(client.next_event().await, None);
    assert_eq!(connections(&server).await, "[]");
}

/// `/sse/ping` pings with `ping-message` at `interval_ms`, registered under `id`.
#[tokio::test]
async fn ping_route_pings_and_registers_its_id() {
    let server = server().await;
    let mut client =
        SseClient::connect(server.local_addr(), "/sse/ping?interval_ms=50&id=pinger").await;
    assert_eq!(client.next_chunk().await.unwrap(), b": :ping-message\n\n");
    assert_eq!(client.next_chunk().await.unwrap(), b": :ping-message\n\n");
    assert_eq!(connections(&server).await, r#"["pinger"]"#);
}

/// `/sse/broadcast?prefix=P` reaches the connections whose id starts with `P` and answers
/// how many took the event.
#[tokio::test]
async fn broadcast_reaches_the_prefix_and_counts() {
    let server = server().await;
    let addr = server.local_addr();
    let mut p1 = SseClient::connect(addr, "/sse/connections/page-1").await;
    let mut p2 = SseClient::connect(addr, "/sse/connections/page-2").await;
    let _other = SseClient::connect(addr, "/sse/connections/other").await;
    assert_eq!(connections(&server).await, r#"["other","page-1","page-2"]"#);
    let res = send(addr, "POST", "/sse/broadcast?prefix=page-", b"to pages").await;
    assert_eq!((res.status, res.text().as_str()), (200, "2"));
    assert_eq!(p1.next_event().await.unwrap().data, "to pages");
    assert_eq!(p2.next_event().await.unwrap().data, "to pages");
    let res = send(addr, "POST", "/sse/broadcast?prefix=zzz", b"nobody").await;
    assert_eq!(res.text(), "0");
}

/// Bad input answers a clear 4xx and the server goes on.
#[tokio::test]
async fn bad_input_answers_4xx() {
    let server = server().await;
    let addr = server.local_addr();
    let _a = SseClient::connect(addr, "/sse/connections/a").await;
    assert_eq!(connections(&server).await, r#"["a"]"#);
    for query in ["event=a%0Ab", "event=a%0D", "id=1%0A2", "id=1%002"] {
        let res = send(addr, "POST", &format!("/sse/connections/a?{query}"), b"x").await;
        assert_eq!(res.status, 400, "{query}");
    }
    assert_eq!(
        send(addr, "POST", "/sse/connections/a", &[0xff, 0xfe])
            .await
            .status,
        400
    );
    assert_eq!(
        get(addr, "/sse/connections/x?idle_ms=soon").await.status,
        400
    );
    assert_eq!(get(addr, "/sse/ping?interval_ms=-1").await.status, 400);
    assert_eq!(get(addr, "/nope").await.status, 404);
    assert_eq!(post_too_large(addr).await, "HTTP/1.1 413 Payload Too Large");
    assert_eq!(
        send(addr, "POST", "/sse/connections/a", b"still fine")
            .await
            .status,
        200
    );
}

/// Posts a body one byte over the 4 MiB default; the server may answer (and close) before
/// the body is all written, so write errors are expected. Returns the status line.
async fn post_too_large(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let len = 4 * 1024 * 1024 + 1;
    let head = format!(
        "POST /sse/broadcast?prefix=a HTTP/1.1\r\nhost: x\r\ncontent-length: {len}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let _ = stream.write_all(&vec![b'x'; len]).await;
    let mut line = String::new();
    within(
        "the status line",
        BufReader::new(stream).read_line(&mut line),
    )
    .await
    .unwrap();
    line.trim_end().to_owned()
}
