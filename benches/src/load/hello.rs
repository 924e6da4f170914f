//! The `GET /hello` phase: a fixed number of requests over a few keep-alive connections, as
//! `wrk -t1 -c64` would send them (one request in flight per connection).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::http::{self, Conn};

/// What the phase did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HelloOutcome {
    pub(crate) completed: u64,
    pub(crate) errors: u64,
}

/// Sends `total` requests over `connections` connections (sources from `source`).
pub(crate) async fn run(
    addr: SocketAddr,
    sources: impl Fn(usize) -> IpAddr,
    connections: usize,
    total: u64,
) -> HelloOutcome {
    let issued = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let issued = issued.clone();
        let source = sources(c);
        tasks.push(tokio::spawn(async move {
            let mut outcome = HelloOutcome::default();
            let Ok(stream) = http::connect(addr, source).await else {
                outcome.errors += 1;
                return outcome;
            };
            let mut conn = Conn::new(stream);
            while issued.fetch_add(1, Ordering::Relaxed) < total {
                match conn.request("GET", "/hello", b"").await {
                    Ok(res) if res.status == 200 && res.body == b"Hello, world!" => {
                        outcome.completed += 1;
                    }
                    Ok(_) => outcome.errors += 1,
                    Err(_) => {
                        outcome.errors += 1;
                        break;
                    }
                }
            }
            outcome
        }));
    }
    let mut sum = HelloOutcome::default();
    for task in tasks {
        if let Ok(outcome) = task.await {
            sum.completed += outcome.completed;
            sum.errors += outcome.errors;
        }
    }
    sum
}
