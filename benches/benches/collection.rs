//! The event-source collection without sockets: lookup by identifier, `find` over 100 000
//! identifiers, and broadcast fan-out into 10 000 and 100 000 connection queues.
//!
//! Sources are made from detached requests (`HttpRequest::detached`), so each has a real
//! response-stream queue but no connection draining it. Queues therefore only grow: every
//! `REFRESH` broadcasts the sources are closed and made anew, outside the timed part.

// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sisk::prelude::*;

/// Broadcasts between two refreshes of the sources (queues hold at most this many frames).
const REFRESH: u64 = 32;

fn sources(server: &HttpServer, n: usize) -> Vec<HttpRequestEventSource> {
    (0..n)
        .map(|i| {
            let req = sisk::http::Request::get("/sse")
                .body(Bytes::new())
                .expect("a request");
            HttpRequest::detached(server, req)
                .get_event_source(Some(format!("client-{i}").as_str()))
                .expect("an event source")
        })
        .collect()
}

fn server() -> HttpServer {
    HttpServer::builder()
        .stream_buffer(1 << 20)
        .build()
        .expect("a server")
}

fn lookup(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let _entered = runtime.enter();
    let server = server();
    let _open = sources(&server, 100_000);
    let collection = server.event_sources();
    let mut group = c.benchmark_group("collection_100k");
    group.bench_function("get_by_identifier", |b| {
        b.iter(|| collection.get_by_identifier(black_box("client-54321")));
    });
    group.bench_function("find_one_of_100k", |b| {
        b.iter(|| collection.find(|id| id == black_box("client-54321")));
    });
    group.bench_function("find_10_percent", |b| {
        b.iter(|| collection.find(|id| id.ends_with('7')));
    });
    group.finish();
}

fn fan_out(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let _entered = runtime.enter();
    let payload = sisk_benches::payload::encode(42, 1_234_567);
    let mut group = c.benchmark_group("broadcast");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for n in [10_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("queues", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let server = server();
                let collection = server.event_sources();
                let mut open = sources(&server, n);
                let mut total = Duration::ZERO;
                let mut since_refresh = 0;
                // The first write commits each stream's head: keep it out of the timing.
                collection.broadcast("warm-up");
                for _ in 0..iters {
                    if since_refresh == REFRESH {
                        drop(open);
                        open = sources(&server, n);
                        collection.broadcast("warm-up");
                        since_refresh = 0;
                    }
                    let started = Instant::now();
                    let report = collection.broadcast(black_box(payload.as_str()));
                    total += started.elapsed();
                    assert_eq!(report.delivered, n);
                    since_refresh += 1;
                }
                drop(open);
                total
            });
        });
    }
    group.finish();
}

criterion_group!(benches, lookup, fan_out);
criterion_main!(benches);
