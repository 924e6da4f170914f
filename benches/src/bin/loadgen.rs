//! The load generator: measures one running server that implements the bench contract and
//! prints a human summary on stderr and the [`Report`] as one JSON line on stdout.
//!
//! ```text
//! loadgen --addr 127.0.0.1:3000 --pid 1234 --clients 1000 --broadcasts 200 \
//!         [--hello-requests 100000] [--hello-connections 64] [--threads 1] \
//!         [--source-block 1] [--patience-secs 60]
//!         [--stalled 0] [--stall-posts 512] [--stall-payload 16384]
//! ```
//!
//! Without `--pid` the memory and CPU figures stay 0. Exits with status 2 when the run was
//! not correct (lost events, streams not removed, bad answers).

use std::time::Duration;

use sisk_benches::args::Args;
use sisk_benches::load::{self, Config, Report};

fn main() {
    let args = Args::from_env();
    let addr = args
        .value("addr")
        .unwrap_or("127.0.0.1:3000")
        .parse()
        .unwrap_or_else(|err| panic!("--addr: {err}"));
    let mut config = Config::new(addr);
    config.pid = args.value("pid").map(|p| p.parse().expect("--pid"));
    config.clients = args.get("clients", config.clients);
    config.broadcasts = args.get("broadcasts", config.broadcasts);
    config.hello_requests = args.get("hello-requests", config.hello_requests);
    config.hello_connections = args.get("hello-connections", config.hello_connections);
    config.source_block = args.get("source-block", config.source_block);
    config.per_source = args.get("per-source", config.per_source);
    config.connect_concurrency = args.get("connect-concurrency", config.connect_concurrency);
    config.patience = Duration::from_secs(args.get("patience-secs", 60));
    config.stalled = args.get("stalled", config.stalled);
    config.stall_posts = args.get("stall-posts", config.stall_posts);
    config.stall_payload = args.get("stall-payload", config.stall_payload);
    let threads: usize = args.get("threads", 1);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let report = match runtime.block_on(load::run(&config)) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("loadgen: {err}");
            std::process::exit(1);
        }
    };
    summarize(&report);
    println!(
        "{}",
        serde_json::to_string(&report).expect("a report serializes")
    );
    if !report.is_correct() {
        std::process::exit(2);
    }
}

fn summarize(r: &Report) {
    eprintln!(
        "streams {}/{} open in {:.2}s, idle {:.0} B/conn (RSS {} -> {} KiB), registered {}",
        r.connected,
        r.clients,
        r.connect_secs,
        r.idle_bytes_per_conn,
        r.rss_before / 1024,
        r.rss_idle / 1024,
        r.registered
    );
    eprintln!(
        "fan-out {} x {}: {}/{} events in {:.3}s = {:.0}/s, {:.0} ns server CPU/event ({:.0}% kernel), \
         loadgen {:.2} cores, p50 {:.1} ms p99 {:.1} ms max {:.1} ms; lost {} disordered {} cut {} \
         post mismatches {}",
        r.connected,
        r.broadcasts,
        r.delivered_events,
        r.expected_events,
        r.fanout_secs,
        r.events_per_sec,
        r.cpu_ns_per_event,
        r.system_share * 100.0,
        r.loadgen_cores,
        r.latency_p50_ms,
        r.latency_p99_ms,
        r.latency_max_ms,
        r.lost_events,
        r.disordered_events,
        r.cut_streams,
        r.post_count_mismatches
    );
    eprintln!(
        "removal: {} left, {} remain, server reports {} after {:.0} ms ({})",
        r.disconnected,
        r.remaining,
        r.remaining_reported,
        r.removal_ms,
        if r.removal_ok { "ok" } else { "NOT REMOVED" }
    );
    eprintln!(
        "hello: {} ok, {} errors, {:.0} req/s, {:.0} ns server CPU/request",
        r.hello_completed, r.hello_errors, r.hello_rps, r.cpu_ns_per_hello
    );
    if r.stalled > 0 {
        eprintln!(
            "stalled: {} clients, {} KiB posted to each, server RSS +{:.0} KiB per stalled \
             client, last broadcast reached {}, reading client lost {}",
            r.stalled,
            r.stall_bytes_posted / 1024,
            r.stall_rss_per_client / 1024.0,
            r.stall_last_count,
            r.stall_reader_lost
        );
    }
    for error in &r.errors {
        eprintln!("client error: {error}");
    }
}
