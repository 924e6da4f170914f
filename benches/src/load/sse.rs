//! One SSE client: connect, check the head, then read and check events until told to leave.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::AsyncReadExt;
use tokio::sync::{watch, Semaphore};

use super::http::{self, Conn};
use crate::event_stream::{Dechunker, EventParser};
use crate::payload;

/// The data of the warm-up event, sent once every client is connected.
pub(crate) const WARMUP: &[u8] = b"warmup";

/// What all clients share with the driver.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Broadcasts the phase sends; a client that saw the last one is finished.
    pub(crate) expected: u32,
    /// Clients that finished connecting (head received) or failed to.
    pub(crate) settled: AtomicUsize,
    /// One flag per client: its stream is open (head received, not yet left or cut).
    pub(crate) open: Vec<AtomicBool>,
    /// Clients that saw the warm-up event.
    pub(crate) warm: AtomicUsize,
    /// Clients that saw the last broadcast.
    pub(crate) finished: AtomicUsize,
    /// Measured events received, all clients.
    pub(crate) events: AtomicU64,
    /// Microseconds (since the payload epoch) of the latest measured event received.
    pub(crate) last_us: AtomicU64,
}

impl Shared {
    pub(crate) fn new(clients: usize, expected: u32) -> Self {
        Shared {
            expected,
            settled: AtomicUsize::new(0),
            open: (0..clients).map(|_| AtomicBool::new(false)).collect(),
            warm: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            events: AtomicU64::new(0),
            last_us: AtomicU64::new(0),
        }
    }

    pub(crate) fn open_count(&self, range: std::ops::Range<usize>) -> usize {
        self.open[range]
            .iter()
            .filter(|f| f.load(Ordering::Relaxed))
            .count()
    }
}

/// How one client's run went.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The head arrived and was an event stream.
    pub(crate) connected: bool,
    /// What went wrong, if anything did.
    pub(crate) error: Option<String>,
    /// Measured events received in order (sequence numbers 0, 1, 2, … without repeats).
    pub(crate) in_order: u32,
    /// Measured events missing between two received ones.
    pub(crate) gaps: u64,
    /// Measured events that came again or out of order.
    pub(crate) disorder: u64,
    /// The stream ended before the client was told to leave.
    pub(crate) cut: bool,
    /// Post → receive latency of each measured event, in microseconds.
    pub(crate) latencies: Vec<u32>,
}

/// Per-client parsing state for one read's worth of bytes.
struct Reader<'a> {
    shared: &'a Shared,
    outcome: &'a mut Outcome,
    next: u32,
    warm: bool,
}

impl Reader<'_> {
    fn on_event(&mut self, data: &[u8], now: u64) {
        let Some((seq, sent)) = payload::decode(data) else {
            if data == WARMUP && !self.warm {
                self.warm = true;
                self.shared.warm.fetch_add(1, Ordering::Relaxed);
            }
            return;
        };
        self.outcome
            .latencies
            .push(u32::try_from(now.saturating_sub(sent)).unwrap_or(u32::MAX));
        self.shared.events.fetch_add(1, Ordering::Relaxed);
        if seq == self.next {
            self.outcome.in_order += 1;
            self.next += 1;
        } else if seq > self.next {
            self.outcome.gaps += u64::from(seq - self.next);
            self.outcome.in_order += 1;
            self.next = seq + 1;
        } else {
            self.outcome.disorder += 1;
        }
        if seq + 1 == self.shared.expected {
            self.shared.last_us.fetch_max(now, Ordering::Relaxed);
            self.shared.finished.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Opens a stream and returns its socket once the head arrived, for a client that will never
/// read from it again (the stalled-client phase).
pub(crate) async fn open_stalled(
    addr: SocketAddr,
    source: std::net::IpAddr,
) -> std::io::Result<tokio::net::TcpStream> {
    let mut conn = Conn::new(http::connect(addr, source).await?);
    conn.send("GET", "/sse", b"").await?;
    let head = conn.read_head().await?;
    if head.status != 200 {
        return Err(std::io::Error::other(format!("status {}", head.status)));
    }
    Ok(conn.into_parts().0)
}

/// Runs client `index`: connects (holding a `connecting` permit until the head arrives),
/// then reads until `keep` drops to `index` or below, or the stream ends.
pub(crate) async fn run(
    index: usize,
    addr: SocketAddr,
    source: std::net::IpAddr,
    shared: Arc<Shared>,
    connecting: Arc<Semaphore>,
    mut keep: watch::Receiver<usize>,
) -> Outcome {
    let mut outcome = Outcome {
        latencies: Vec::with_capacity(shared.expected as usize),
        ..Outcome::default()
    };
    let permit = connecting.acquire_owned().await;
    let opened = async {
        let mut conn = Conn::new(http::connect(addr, source).await?);
        conn.send("GET", "/sse", b"").await?;
        let head = conn.read_head().await?;
        Ok::<_, std::io::Error>((conn, head))
    }
    .await;
    drop(permit);
    let (conn, head) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            outcome.error = Some(format!("connect: {err}"));
            shared.settled.fetch_add(1, Ordering::Relaxed);
            return outcome;
        }
    };
    let is_stream = head
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("text/event-stream"));
    if head.status != 200 || !is_stream {
        outcome.error = Some(format!("bad head: {} {:?}", head.status, head.content_type));
        shared.settled.fetch_add(1, Ordering::Relaxed);
        return outcome;
    }
    outcome.connected = true;
    shared.open[index].store(true, Ordering::Relaxed);
    shared.settled.fetch_add(1, Ordering::Relaxed);

    let (mut stream, rest) = conn.into_parts();
    let mut chunks = Dechunker::default();
    let mut parser = EventParser::default();
    let mut reader = Reader {
        shared: &shared,
        outcome: &mut outcome,
        next: 0,
        warm: false,
    };
    let mut feed = |bytes: &[u8], reader: &mut Reader<'_>| -> Result<(), String> {
        let now = payload::now_us();
        if head.chunked {
            chunks
                .feed(bytes, |body| {
                    parser.feed(body, |data| reader.on_event(data, now));
                })
                .map_err(|_| "bad chunked coding".to_owned())
        } else {
            parser.feed(bytes, |data| reader.on_event(data, now));
            Ok(())
        }
    };
    let mut result = feed(&rest, &mut reader);
    let mut buf = vec![0u8; 16 * 1024];
    while result.is_ok() {
        if *keep.borrow() <= index {
            break;
        }
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) => {
                    reader.outcome.cut = true;
                    break;
                }
                Ok(n) => result = feed(&buf[..n], &mut reader),
                Err(err) => {
                    reader.outcome.cut = true;
                    result = Err(format!("read: {err}"));
                }
            },
            changed = keep.changed() => if changed.is_err() {
                break;
            },
        }
    }
    shared.open[index].store(false, Ordering::Relaxed);
    if let Err(err) = result {
        outcome.error = Some(err);
    }
    outcome
}
