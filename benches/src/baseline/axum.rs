//! The idiomatic axum baseline: `Sse` over a `tokio::sync::broadcast` receiver per
//! connection, as axum's own SSE example writes it (each connection turns the shared
//! `String` into an `Event` and encodes it itself).

use std::convert::Infallible;
use std::io;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::Stream;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// Events a receiver may lag behind before it loses some (`broadcast` drops the oldest for
/// it); about what sisk's and the hyper baseline's per-connection queues hold.
pub const CHANNEL_CAPACITY: usize = 1024;

/// The axum app: the contract's three routes plus the filler routes.
pub fn app() -> Router {
    let (tx, _) = broadcast::channel::<String>(CHANNEL_CAPACITY);
    let mut router = Router::new()
        .route("/sse", get(sse))
        .route("/broadcast", post(broadcast))
        .route("/hello", get(|| async { "Hello, world!" }));
    for i in 0..crate::FILLER_ROUTES {
        router = router.route(&crate::filler_path(i, "{id}"), get(|| async { "filler" }));
    }
    router.with_state(tx)
}

/// Serves [`app`] on `listener` until the process ends.
///
/// # Errors
///
/// When accepting fails for good.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    // TCP_NODELAY as sisk and the hyper baseline set it, so latency compares frameworks, not
    // Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app()).await
}

async fn sse(
    State(tx): State<broadcast::Sender<String>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = BroadcastStream::new(tx.subscribe())
        .filter_map(|message| message.ok().map(|data| Ok(Event::default().data(data))));
    Sse::new(events).keep_alive(KeepAlive::default())
}

async fn broadcast(State(tx): State<broadcast::Sender<String>>, body: String) -> String {
    tx.send(body).unwrap_or(0).to_string()
}
