//! The SSE frame encoder, through the public `Event::to_bytes`.

// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sisk::Event;

fn encode(c: &mut Criterion) {
    let payload = sisk_benches::payload::encode(42, 1_234_567);
    let lines = "first line\nsecond line\r\nthird line\rfourth line".to_owned();
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(1));
    group.bench_function("data_64B", |b| {
        b.iter(|| Event::new().data(black_box(payload.as_str())).to_bytes());
    });
    group.bench_function("full_event_64B", |b| {
        b.iter(|| {
            Event::new()
                .event("update")
                .id("12345")
                .retry(Duration::from_secs(3))
                .data(black_box(payload.as_str()))
                .to_bytes()
        });
    });
    group.bench_function("data_4_lines", |b| {
        b.iter(|| Event::new().data(black_box(lines.as_str())).to_bytes());
    });
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
