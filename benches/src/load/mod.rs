//! The load generator: measures one running server that implements the bench contract.
//!
//! Phases, in order, each bounded in time:
//!
//! 1. **Idle memory.** Reads the server's RSS, opens `clients` SSE streams (a few hundred
//!    connecting at once, from many `127.x.y.z` source addresses), waits for every head,
//!    lets the server settle, reads RSS again: `(after - before) / clients`.
//! 2. **Registration.** Posts a warm-up event until the server reports every stream, and
//!    waits until every client saw it.
//! 3. **Fan-out.** Posts `broadcasts` 64-byte payloads back to back on one keep-alive
//!    connection; each holds its sequence number and post time. Measures events delivered
//!    per second (all events, first post to last receipt), server CPU per delivered event,
//!    and the post → receive latency of every event (p50, p99).
//! 4. **Correctness.** Every client must see every sequence number once, in order; each post
//!    must report every stream.
//! 5. **Disconnect removal.** Half the clients leave; probe broadcasts must soon report only
//!    the others.
//! 6. **`GET /hello`.** A fixed number of requests over 64 keep-alive connections; server
//!    CPU per request.
//! 7. **Stalled clients** (with `stalled > 0`). That many streams stop reading after their
//!    head while one client keeps reading; large payloads are posted until far more than
//!    the kernel's socket buffers hold has been sent to each. The server's RSS growth per
//!    stalled client must stay bounded (far below what was posted to it), and the reading
//!    client must still get every event, in order.

pub mod http;

mod hello;
mod sse;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Semaphore};

use crate::payload;
use crate::proc_stats::ProcSample;
use crate::stats::percentile_sorted;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The server's address.
    pub addr: SocketAddr,
    /// The server's process id, for memory and CPU (without it those stay 0).
    pub pid: Option<u32>,
    /// SSE clients.
    pub clients: usize,
    /// Back-to-back broadcasts in the fan-out phase.
    pub broadcasts: u32,
    /// Requests in the `GET /hello` phase (0 skips it).
    pub hello_requests: u64,
    /// Connections in the `GET /hello` phase.
    pub hello_connections: usize,
    /// Second octet of the source addresses (`127.{block}.x.y`); give each run its own.
    pub source_block: u8,
    /// Connections per source address.
    pub per_source: usize,
    /// SSE connections being opened at once.
    pub connect_concurrency: usize,
    /// Pause between the last head and the idle memory reading.
    pub settle: Duration,
    /// Longest wait for any phase to complete (connecting, delivering, removal).
    pub patience: Duration,
    /// Clients that stop reading in the stalled-client phase (0 skips it).
    pub stalled: usize,
    /// Broadcasts posted in the stalled-client phase.
    pub stall_posts: u32,
    /// Payload size of those broadcasts, bytes.
    pub stall_payload: usize,
}

impl Config {
    /// Defaults for `addr`: 1 000 clients × 200 broadcasts, 100 000 hello requests.
    pub fn new(addr: SocketAddr) -> Self {
        Config {
            addr,
            pid: None,
            clients: 1000,
            broadcasts: 200,
            hello_requests: 100_000,
            hello_connections: 64,
            source_block: 1,
            per_source: 5000,
            connect_concurrency: 256,
            settle: Duration::from_secs(1),
            patience: Duration::from_secs(60),
            stalled: 0,
            stall_posts: 512,
            stall_payload: 16 * 1024,
        }
    }
}

/// Everything one run measured; `loadgen` prints it as one JSON line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// SSE clients asked for.
    pub clients: usize,
    /// Clients whose stream opened.
    pub connected: usize,
    /// Seconds to open them all.
    pub connect_secs: f64,
    /// Server RSS before the streams, bytes.
    pub rss_before: u64,
    /// Server RSS with every stream open and idle, bytes.
    pub rss_idle: u64,
    /// `(rss_idle - rss_before) / connected`, bytes.
    pub idle_bytes_per_conn: f64,
    /// Streams the server reported for the warm-up broadcast.
    pub registered: u64,
    /// Broadcasts posted.
    pub broadcasts: u32,
    /// Posts whose count was not the number of open streams.
    pub post_count_mismatches: u32,
    /// Seconds to post them all (the server's answer included).
    pub post_secs: f64,
    /// `connected × broadcasts`.
    pub expected_events: u64,
    /// Measured events received.
    pub delivered_events: u64,
    /// Events never received by a client that kept reading.
    pub lost_events: u64,
    /// Events received twice or out of order.
    pub disordered_events: u64,
    /// Streams the server ended while the client still read.
    pub cut_streams: usize,
    /// Seconds from the first post to the last receipt.
    pub fanout_secs: f64,
    /// `delivered_events / fanout_secs`.
    pub events_per_sec: f64,
    /// Server CPU during the fan-out phase per delivered event, nanoseconds.
    pub cpu_ns_per_event: f64,
    /// Share of that CPU spent in the kernel.
    pub system_share: f64,
    /// The load generator's own CPU during the fan-out, in cores (1.0 = one busy core).
    pub loadgen_cores: f64,
    /// Post → receive latency, median, milliseconds.
    pub latency_p50_ms: f64,
    /// Post → receive latency, 99th percentile, milliseconds.
    pub latency_p99_ms: f64,
    /// Post → receive latency, maximum, milliseconds.
    pub latency_max_ms: f64,
    /// Clients that left in the removal phase.
    pub disconnected: usize,
    /// Streams still open after they left.
    pub remaining: usize,
    /// What the last probe broadcast reported.
    pub remaining_reported: u64,
    /// Milliseconds until a probe reported exactly the remaining streams.
    pub removal_ms: f64,
    /// Whether it did within the patience.
    pub removal_ok: bool,
    /// `GET /hello` requests answered correctly.
    pub hello_completed: u64,
    /// `GET /hello` failures (status, body or connection).
    pub hello_errors: u64,
    /// Requests per second in that phase.
    pub hello_rps: f64,
    /// Server CPU per `GET /hello`, nanoseconds.
    pub cpu_ns_per_hello: f64,
    /// Clients that stalled in the stalled-client phase (0: phase skipped).
    #[serde(default)]
    pub stalled: usize,
    /// Bytes posted to each stream in that phase.
    #[serde(default)]
    pub stall_bytes_posted: u64,
    /// Server RSS growth during that phase per stalled client, bytes.
    #[serde(default)]
    pub stall_rss_per_client: f64,
    /// What the last broadcast of that phase reported.
    #[serde(default)]
    pub stall_last_count: u64,
    /// Events the reading client missed or got out of order in that phase.
    #[serde(default)]
    pub stall_reader_lost: u64,
    /// The first errors clients met (a few, for the log).
    pub errors: Vec<String>,
}

impl Report {
    /// Whether the run was correct: every stream opened and registered, no event lost or
    /// disordered, every post saw every stream, disconnected streams left, hellos all right.
    pub fn is_correct(&self) -> bool {
        self.connected == self.clients
            && self.registered == self.connected as u64
            && self.lost_events == 0
            && self.disordered_events == 0
            && self.cut_streams == 0
            && self.post_count_mismatches == 0
            && self.removal_ok
            && self.hello_errors == 0
            && self.stall_reader_lost == 0
    }
}

fn sample(pid: Option<u32>) -> ProcSample {
    pid.and_then(|pid| ProcSample::of(pid).ok())
        .unwrap_or_default()
}

/// Waits until `done()` or `patience` passes; whether `done()` became true.
async fn wait_until(patience: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + patience;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

fn parse_count(res: &http::Response) -> Option<u64> {
    (res.status == 200)
        .then(|| std::str::from_utf8(&res.body).ok()?.trim().parse().ok())
        .flatten()
}

/// Runs every phase against `config.addr` and reports.
///
/// # Errors
///
/// When the control connection (posts) fails; client failures are reported, not errors.
pub async fn run(config: &Config) -> std::io::Result<Report> {
    let _ = payload::epoch();
    let n = config.clients;
    let mut report = Report {
        clients: n,
        broadcasts: config.broadcasts,
        ..Report::default()
    };
    let source = |i: usize| http::source_ip(config.source_block, i, config.per_source);

    // 1. Idle memory.
    report.rss_before = sample(config.pid).rss_bytes;
    let shared = Arc::new(sse::Shared::new(n, config.broadcasts));
    let connecting = Arc::new(Semaphore::new(config.connect_concurrency.max(1)));
    let (keep_tx, keep_rx) = watch::channel(usize::MAX);
    let started = Instant::now();
    let clients: Vec<_> = (0..n)
        .map(|i| {
            tokio::spawn(sse::run(
                i,
                config.addr,
                source(i),
                shared.clone(),
                connecting.clone(),
                keep_rx.clone(),
            ))
        })
        .collect();
    wait_until(config.patience, || {
        shared.settled.load(Ordering::Relaxed) == n
    })
    .await;
    report.connect_secs = started.elapsed().as_secs_f64();
    report.connected = shared.open_count(0..n);
    tokio::time::sleep(config.settle).await;
    report.rss_idle = sample(config.pid).rss_bytes;
    if report.connected > 0 {
        report.idle_bytes_per_conn =
            report.rss_idle.saturating_sub(report.rss_before) as f64 / report.connected as f64;
    }

    // 2. Registration: every stream listed, every client reading.
    let mut control = http::Conn::new(http::connect(config.addr, source(n)).await?);
    let connected = report.connected as u64;
    let registered = Instant::now();
    loop {
        let res = control.request("POST", "/broadcast", sse::WARMUP).await?;
        report.registered = parse_count(&res).unwrap_or(0);
        if report.registered >= connected || registered.elapsed() > config.patience {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_until(config.patience, || {
        shared.warm.load(Ordering::Relaxed) >= report.connected
    })
    .await;

    // 3. Fan-out.
    let server_before = sample(config.pid);
    let self_before = ProcSample::of_self().unwrap_or_default();
    let first_post = payload::now_us();
    for seq in 0..config.broadcasts {
        let body = payload::encode(seq, payload::now_us());
        let res = control
            .request("POST", "/broadcast", body.as_bytes())
            .await?;
        if parse_count(&res) != Some(connected) {
            report.post_count_mismatches += 1;
        }
    }
    report.post_secs = (payload::now_us() - first_post) as f64 / 1e6;
    let fanout_wait = Instant::now();
    wait_until(config.patience, || {
        shared.finished.load(Ordering::Relaxed) >= report.connected
    })
    .await;
    let server_after = sample(config.pid);
    let self_after = ProcSample::of_self().unwrap_or_default();
    let last = shared.last_us.load(Ordering::Relaxed).max(first_post + 1);
    report.fanout_secs = (last - first_post) as f64 / 1e6;
    report.delivered_events = shared.events.load(Ordering::Relaxed);
    report.events_per_sec = report.delivered_events as f64 / report.fanout_secs;
    if report.delivered_events > 0 {
        report.cpu_ns_per_event =
            server_after.cpu_since(&server_before) as f64 / report.delivered_events as f64;
    }
    report.system_share = server_after.system_share_since(&server_before);
    let wall_ns = (report.post_secs * 1e9).max(fanout_wait.elapsed().as_nanos() as f64);
    report.loadgen_cores = self_after.cpu_since(&self_before) as f64 / wall_ns.max(1.0);

    // 5. Disconnect removal: the upper half leaves.
    let keep = n - n / 2;
    let leaving = shared.open_count(keep..n);
    let _ = keep_tx.send(keep);
    wait_until(config.patience, || shared.open_count(keep..n) == 0).await;
    report.disconnected = leaving;
    report.remaining = shared.open_count(0..keep);
    let left = Instant::now();
    loop {
        let res = control.request("POST", "/broadcast", b"probe").await?;
        report.remaining_reported = parse_count(&res).unwrap_or(u64::MAX);
        if report.remaining_reported == report.remaining as u64 {
            report.removal_ok = true;
            break;
        }
        if left.elapsed() > config.patience.min(Duration::from_secs(10)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    report.removal_ms = left.elapsed().as_secs_f64() * 1e3;
    let _ = keep_tx.send(0);
    drop(control);

    // 4. Correctness, from every client's outcome.
    let mut latencies = Vec::with_capacity(report.delivered_events as usize);
    for client in clients {
        let Ok(mut outcome) = client.await else {
            continue;
        };
        if let Some(error) = outcome.error.take() {
            if report.errors.len() < 5 {
                report.errors.push(error);
            }
        }
        if !outcome.connected {
            continue;
        }
        report.expected_events += u64::from(config.broadcasts);
        // `in_order` counts every distinct event received, gaps skipped over included.
        report.lost_events += u64::from(config.broadcasts.saturating_sub(outcome.in_order));
        report.disordered_events += outcome.disorder;
        // Leaving on request is not a cut; ending by itself before that is.
        if outcome.cut {
            report.cut_streams += 1;
        }
        latencies.append(&mut outcome.latencies);
    }
    latencies.sort_unstable();
    report.latency_p50_ms = f64::from(percentile_sorted(&latencies, 50.0)) / 1e3;
    report.latency_p99_ms = f64::from(percentile_sorted(&latencies, 99.0)) / 1e3;
    report.latency_max_ms = f64::from(latencies.last().copied().unwrap_or(0)) / 1e3;
    drop(latencies);

    // 6. GET /hello, with every stream closed.
    if config.hello_requests > 0 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = sample(config.pid);
        let started = Instant::now();
        let outcome = hello::run(
            config.addr,
            |c| source(n + 1 + c),
            config.hello_connections.max(1),
            config.hello_requests,
        )
        .await;
        let after = sample(config.pid);
        report.hello_completed = outcome.completed;
        report.hello_errors = outcome.errors;
        report.hello_rps = outcome.completed as f64 / started.elapsed().as_secs_f64();
        if outcome.completed > 0 {
            report.cpu_ns_per_hello = after.cpu_since(&before) as f64 / outcome.completed as f64;
        }
    }
    if config.stalled > 0 {
        stall_phase(config, n + 1 + config.hello_connections.max(1), &mut report).await?;
    }
    Ok(report)
}

/// One batch of `GET /hello` against a running server, outside the phases above: `requests`
/// requests over `connections` keep-alive connections from `127.0.0.1` (as `wrk -t1 -c64`
/// would send them), and the server's CPU time per request in nanoseconds, from
/// `/proc/<pid>` before and after. `compare` runs such batches against each server in turn,
/// so that the servers it compares are measured moments apart.
///
/// # Errors
///
/// When the server's `/proc` entry cannot be read, or a request fails.
pub async fn hello_batch(
    addr: SocketAddr,
    pid: u32,
    connections: usize,
    requests: u64,
) -> Result<f64, String> {
    let read = || ProcSample::of(pid).map_err(|e| format!("cannot read /proc/{pid}: {e}"));
    let before = read()?;
    let outcome = hello::run(
        addr,
        |_| IpAddr::V4(Ipv4Addr::LOCALHOST),
        connections.max(1),
        requests,
    )
    .await;
    let after = read()?;
    if outcome.errors > 0 || outcome.completed == 0 {
        return Err(format!(
            "{} of {requests} hello requests failed",
            requests - outcome.completed
        ));
    }
    Ok(after.cpu_since(&before) as f64 / outcome.completed as f64)
}

/// Phase 7: `config.stalled` streams stop reading while one keeps reading; sources from
/// index `base` on.
async fn stall_phase(config: &Config, base: usize, report: &mut Report) -> std::io::Result<()> {
    let source = |i: usize| http::source_ip(config.source_block, base + i, config.per_source);
    let stalled_count = config.stalled;
    let mut stalled = Vec::with_capacity(stalled_count);
    for j in 0..stalled_count {
        match sse::open_stalled(config.addr, source(j)).await {
            Ok(stream) => stalled.push(stream),
            Err(err) if report.errors.len() < 5 => report.errors.push(format!("stalled: {err}")),
            Err(_) => {}
        }
    }
    let shared = Arc::new(sse::Shared::new(1, config.stall_posts));
    let (keep_tx, keep_rx) = watch::channel(usize::MAX);
    let reader = tokio::spawn(sse::run(
        0,
        config.addr,
        source(stalled_count),
        shared.clone(),
        Arc::new(Semaphore::new(1)),
        keep_rx,
    ));
    wait_until(config.patience, || {
        shared.settled.load(Ordering::Relaxed) == 1
    })
    .await;
    let mut control = http::Conn::new(http::connect(config.addr, source(stalled_count + 1)).await?);
    let expected = stalled.len() as u64 + 1;
    let registered = Instant::now();
    while parse_count(&control.request("POST", "/broadcast", b"probe").await?) < Some(expected)
        && registered.elapsed() < config.patience
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before = sample(config.pid);
    for seq in 0..config.stall_posts {
        let body = payload::encode_padded(seq, payload::now_us(), config.stall_payload);
        let res = control
            .request("POST", "/broadcast", body.as_bytes())
            .await?;
        report.stall_last_count = parse_count(&res).unwrap_or(u64::MAX);
    }
    wait_until(config.patience, || {
        shared.finished.load(Ordering::Relaxed) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = sample(config.pid);
    report.stalled = stalled.len();
    report.stall_bytes_posted = u64::from(config.stall_posts) * config.stall_payload as u64;
    if !stalled.is_empty() {
        report.stall_rss_per_client =
            after.rss_bytes.saturating_sub(before.rss_bytes) as f64 / stalled.len() as f64;
    }
    drop(stalled);
    drop(control);
    let _ = keep_tx.send(0);
    let outcome = reader.await.unwrap_or_default();
    report.stall_reader_lost = u64::from(config.stall_posts.saturating_sub(outcome.in_order))
        + outcome.disorder
        + u64::from(!outcome.connected || outcome.cut);
    Ok(())
}
