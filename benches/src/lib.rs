//! Side-by-side benchmarks for sisk-rs's Server-Sent Events (the performance issue).
//!
//! Three servers implement one contract (see `examples/bench_server.rs` in the root package):
//! `GET /sse` opens an event stream registered under a unique identifier, `POST /broadcast`
//! with body `B` hands one event `data: B` to every open stream and answers the count, and
//! `GET /hello` answers `Hello, world!`.
//!
//! - `bench_server` (root example): sisk itself.
//! - [`baseline::axum`]: idiomatic axum, `Sse` over a `tokio::sync::broadcast` receiver.
//! - [`baseline::hyper`]: lean hand-rolled hyper 1.x, a bounded `mpsc` of `Bytes` per
//!   connection, each frame encoded once.
//!
//! The `loadgen` binary measures one running server ([`load`]); `compare` builds and starts
//! all three, runs `loadgen` against each several times and prints the table of medians
//! with ratios against axum. The criterion micro-benchmarks live in `benches/`.
//!
//! ```text
//! cargo run --release -p sisk-benches --bin compare -- --clients 1000 --runs 5
//! ```

pub mod args;
pub mod baseline;
pub mod event_stream;
pub mod load;
pub mod payload;
pub mod proc_stats;
pub mod stats;

/// How many filler routes every server adds next to its three real ones, so that routing
/// is measured in a table of 50 routes, as the issue asks for `GET /hello`.
pub const FILLER_ROUTES: usize = 47;

/// The path of the `i`-th filler route, `/filler{i}/items/{param}`, where `param` is the
/// parameter in the server's own syntax (`<id>` for sisk, `{id}` for axum).
pub fn filler_path(i: usize, param: &str) -> String {
    format!("/filler{i}/items/{param}")
}
