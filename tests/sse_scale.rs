//! Event sources at scale: thousands of clients that vanish at once, and one stalled reader
//! among a hundred live ones.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sisk::prelude::*;
use sisk::SlowClientPolicy;
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, Notify};

/// Counts events of one kind and wakes whoever waits for a count.
#[derive(Default)]
struct Counter {
    count: AtomicUsize,
    changed: Notify,
}

impl Counter {
    fn add(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    async fn reach(&self, target: usize) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.count.load(Ordering::SeqCst) >= target {
                return;
            }
            changed.await;
        }
    }
}

/// `/sse/<id>`: an identified source with pings at `interval`, waiting for failure.
fn router(interval: Duration, ends: mpsc::UnboundedSender<CloseReason>) -> Router {
    let mut router = Router::new();
    router += Route::get("/sse/<id>", move |req: HttpRequest| {
        let ends = ends.clone();
        async move {
            let id: String = req.route_parameters().get("id")?;
            let sse = req.get_event_source(id.as_str())?;
            sse.with_ping(|ping| {
                ping.interval = interval;
                ping.start();
            });
            ends.send(sse.keep_alive().await).ok();
            Ok::<_, sisk::sse::Error>(sse.close())
        }
    });
    router
}

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// 2 000 clients connect and are listed by `all()`; they all vanish at once; within two
/// ping intervals the collection is empty and every handler's `keep_alive()` returned
/// `Disconnected`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_vanishing_clients_leave_an_empty_collection() {
    const CLIENTS: usize = 2000;
    let interval = Duration::from_secs(2);
    let (ends_tx, mut ends) = mpsc::unbounded_channel();
    let server = start(router(interval, ends_tx)).await;
    let sources = server.server().event_sources();
    let registered = Arc::new(Counter::default());
    let counter = registered.clone();
    sources.on_registered(move |_| counter.add());

    let mut clients = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let mut stream = TcpStream::connect(server.local_addr())
            .await
            .expect("connect");
        stream
            .write_all(format!("GET /sse/client-{i} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes())
            .await
            .expect("request");
        clients.push(stream);
    }
    within("every client to register", registered.reach(CLIENTS)).await;
    assert_eq!(sources.all().len(), CLIENTS);
    assert_eq!(sources.active_connections(), CLIENTS);

    // All at once, without closing the streams first.
    drop(clients);
    let all_ended = async {
        for _ in 0..CLIENTS {
            assert_eq!(ends.recv().await, Some(CloseReason::Disconnected));
        }
    };
    tokio::time::timeout(2 * interval, all_ended)
        .await
        .expect("every handler resumed within two ping intervals");
    assert!(sources.is_empty());
    assert_eq!(sources.active_connections(), 0);
}

/// Reads a chunked event stream, counting chunks (one per event), until the body ends.
async fn count_events(stream: TcpStream, received: Arc<Counter>) -> usize {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await.expect("head");
        if line == "\r\n" {
            break;
        }
    }
    let mut events = 0;
    let mut chunk = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await.expect("chunk size");
        let size = usize::from_str_radix(line.trim_end(), 16).expect("hex size");
        chunk.resize(size + 2, 0);
        reader.read_exact(&mut chunk).await.expect("chunk");
        if size == 0 {
            return events;
        }
        if chunk.starts_with(b"data: ") {
            events += 1;
            received.add();
        }
    }
}

/// A client that stops reading among 100 live ones: the slow-client policy closes it (and
/// counts it), the 99 others receive every broadcast, and memory stays bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_reader_is_closed_and_the_others_get_every_event() {
    const READERS: usize = 99;
    // A round stays below one queue's worth, so a client that keeps reading never fills it.
    const PER_ROUND: usize = 8;
    const MAX_ROUNDS: usize = 4000;
    let queue = 16 * 1024;
    let (ends_tx, _ends) = mpsc::unbounded_channel();
    let server = start_with(
        HttpServer::builder()
            .router(router(Duration::from_secs(60), ends_tx))
            .stream_buffer(queue),
    )
    .await;
    let sources = server.server().event_sources();
    assert_eq!(
        sources.slow_client_policy(),
        SlowClientPolicy::Close,
        "the default"
    );
    let registered = Arc::new(Counter::default());
    let counter = registered.clone();
    sources.on_registered(move |_| counter.add());

    let received = Arc::new(Counter::default());
    let mut readers = Vec::new();
    for i in 0..READERS {
        let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
        stream
            .write_all(format!("GET /sse/reader-{i} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        readers.push(tokio::spawn(count_events(stream, received.clone())));
    }
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(server.local_addr()).await.unwrap();
    stalled
        .write_all(b"GET /sse/stalled HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    within("every client to register", registered.reach(READERS + 1)).await;
    let stalled_source = sources.get_by_identifier("stalled").unwrap();

    let payload = "x".repeat(1024);
    let rss_before = rss_bytes();
    let mut sent = 0;
    for _round in 0..MAX_ROUNDS {
        for _ in 0..PER_ROUND {
            let report = sources.broadcast(&payload);
            assert!(
                report.delivered >= READERS,
                "a live reader missed an event: {report:?}"
            );
            sent += 1;
        }
        // Pace by the readers (never outrun a client that keeps reading).
        within("the readers to catch up", received.reach(READERS * sent)).await;
        if !stalled_source.is_active() {
            break;
        }
    }
    let rss_growth = rss_bytes().saturating_sub(rss_before);
    assert_eq!(stalled_source.close_reason(), Some(CloseReason::SlowClient));
    assert_eq!(sources.slow_clients_closed(), 1);
    assert_eq!(sources.len(), READERS);

    sources.drop_all();
    for reader in readers {
        assert_eq!(within("a reader to finish", reader).await.unwrap(), sent);
    }
    // The bound: every queue full at once, plus room for the runtime's own buffers.
    let bound = (READERS + 1) * queue + 64 * 1024 * 1024;
    assert!(
        rss_growth < bound,
        "memory grew by {rss_growth} bytes over {sent} broadcasts; bound {bound}"
    );
    println!("stalled reader closed after {sent} broadcasts of 1 KiB; RSS growth {rss_growth} B");
}
