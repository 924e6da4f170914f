//! The benchmark server: sisk's side of the side-by-side SSE benchmarks (`benches/`).
//!
//! ```text
//! BENCH_ADDR=127.0.0.1:3000 cargo run --release --example bench_server
//! ```
//!
//! The contract, which the load generator and the axum and hyper baselines share:
//!
//! - the listen address comes from `BENCH_ADDR` (default `127.0.0.1:3000`);
//! - `GET /sse` opens an event stream, registered in the server's event-source collection
//!   under a unique identifier, and waits for it to end;
//! - `POST /broadcast` with body `B` hands one event `data: B` to every open stream and
//!   answers `200` with how many took it, as decimal text;
//! - `GET /hello` answers `200` `text/plain` `Hello, world!`;
//! - a stream whose client went away leaves the collection.
//!
//! Next to those three routes it maps 47 filler routes (`/filler{i}/items/<id>`), so that
//! `GET /hello` is routed through a table of 50, as the performance issue measures it.

use std::sync::atomic::{AtomicU64, Ordering};

use sisk::prelude::*;

/// The identifier of the next stream.
static NEXT_STREAM: AtomicU64 = AtomicU64::new(0);

/// How many filler routes sit next to the three real ones.
const FILLER_ROUTES: usize = 47;

/// `GET /sse`: a stream under a fresh identifier, open until the client leaves.
async fn sse(req: HttpRequest) -> Result<HttpResponse, sisk::sse::Error> {
    let id = NEXT_STREAM.fetch_add(1, Ordering::Relaxed).to_string();
    let sse = req.get_event_source(id.as_str())?;
    sse.keep_alive().await;
    Ok(sse.close())
}

/// `POST /broadcast`: the body to every open stream, encoded once; answers the count.
async fn broadcast(req: HttpRequest) -> Result<String, sisk::Error> {
    let body = req.body_text().await?;
    Ok(req.event_sources().broadcast(body).delivered.to_string())
}

fn router() -> Router {
    let mut router = Router::new();
    router += Route::get("/sse", sse);
    router += Route::post("/broadcast", broadcast);
    router += Route::get("/hello", || async { "Hello, world!" });
    for i in 0..FILLER_ROUTES {
        router += Route::get(format!("/filler{i}/items/<id>"), || async {
            HttpResponse::text("filler")
        });
    }
    router
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::var("BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let server = HttpServer::builder()
        .listen(listen)
        // The load generator decides how many streams to open; do not cap them here.
        .max_connections(1_000_000)
        .router(router())
        .build()?;
    let running = server.start().await?;
    println!("sisk bench server listening on {}", running.url());
    tokio::signal::ctrl_c().await?;
    running.shutdown(std::time::Duration::from_secs(1)).await;
    Ok(())
}
