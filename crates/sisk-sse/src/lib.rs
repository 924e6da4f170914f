//! Server-Sent Events for sisk-rs: Sisk's `HttpRequestEventSource`, its server-wide
//! collection and the ping policy — correct on the wire and bounded at scale.
//!
//! Applications use it through the `sisk` facade (`use sisk::prelude::*;`). This page follows
//! Sisk's "Server Sent Events" documentation section by section, in Rust.
//!
//! # Creating an SSE connection
//!
//! An SSE connection works like a regular HTTP request, but instead of sending a response and
//! closing, the connection stays open to send messages. [`get_event_source`] turns the request
//! into one; [`send`](HttpRequestEventSource::send) writes `data: Hello, world!\n\n`;
//! [`close`](HttpRequestEventSource::close) ends it and gives the response to return.
//!
//! ```
//! use sisk_sse::prelude::*;
//!
//! let mut router = Router::new();
//! router += Route::get("/", |req: HttpRequest| async move {
//!     let sse = req.get_event_source(None)?;
//!     sse.send("Hello, world!");
//!     Ok::<_, sisk_sse::Error>(sse.close())
//! });
//! ```
//!
//! When the server closes a connection, the browser reconnects (after its `retry` delay) and
//! the route runs again. Send a final event the page understands as "done" to stop that.
//!
//! # Appending headers
//!
//! [`append_header`](HttpRequestEventSource::append_header) adds a response header before the
//! first message; after it, the head is on the wire and the call is an error.
//!
//! ```
//! use sisk_sse::prelude::*;
//!
//! async fn events(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
//!     let sse = req.get_event_source(None)?;
//!     sse.append_header("Header-Key", "Header-value")?;
//!     sse.send("Hello!");
//!     Ok(sse.close())
//! }
//! ```
//!
//! # Wait-for-fail connections
//!
//! Give a connection an identifier to find it later, from any task, through
//! [`server.event_sources()`](EventSourceServerExt::event_sources). Then park the handler in
//! [`wait_for_fail`](HttpRequestEventSource::wait_for_fail) (Sisk's `WaitForFail`, or
//! `KeepAlive(TimeSpan)` in older docs): it returns when the client goes away, when the
//! connection is closed from elsewhere, or when the given time passes with no message sent.
//!
//! ```
//! use std::time::Duration;
//! use sisk_sse::prelude::*;
//!
//! async fn index(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
//!     let sse = req.get_event_source("my-index-connection")?;
//!     sse.wait_for_fail(Duration::from_secs(15)).await; // 15 s without a message ends it
//!     Ok(sse.close())
//! }
//!
//! fn elsewhere(server: &HttpServer) {
//!     if let Some(sse) = server.event_sources().get_by_identifier("my-index-connection") {
//!         sse.send("Hello again!"); // the connection is still alive
//!     }
//! }
//! ```
//!
//! The collection lists only open, identified connections: one that ends for any reason
//! leaves it at once.
//!
//! # Ping policy
//!
//! Proxies and kernels close idle connections; periodic pings keep them open and reveal a
//! client that is gone (the ping fails, the connection ends). Pings are SSE comments, so pages
//! never see them.
//!
//! ```
//! use std::time::Duration;
//! use sisk_sse::prelude::*;
//!
//! async fn events(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
//!     let sse = req.get_event_source(None)?;
//!     sse.with_ping(|ping| {
//!         ping.data_message = "ping-message".into();
//!         ping.interval = Duration::from_secs(5);
//!         ping.start();
//!     });
//!     sse.keep_alive().await;
//!     Ok(sse.close())
//! }
//! ```
//!
//! # Querying connections
//!
//! [`find`](HttpEventSourceCollection::find) selects connections by a predicate on their
//! identifier, to broadcast for example; [`all`](HttpEventSourceCollection::all) lists them
//! all.
//!
//! ```
//! use sisk_sse::prelude::*;
//!
//! fn broadcast(server: &HttpServer) {
//!     for sse in server.event_sources().find(|id| id.starts_with("my-connection-")) {
//!         sse.send("Broadcasting to all event sources that starts with 'my-connection-'");
//!     }
//! }
//! ```
//!
//! # Beyond Sisk
//!
//! - Full events: [`Event`] with `event`, `id`, `retry`, comments and multi-line data, whose
//!   values are checked so no text can inject a field or event.
//! - Bounded memory: every connection's queue is bounded; a client that stops reading is
//!   handled by the [`SlowClientPolicy`] and counted.
//! - Broadcast that reports what it did ([`BroadcastReport`]), encoding each event once.
//!
//! [`get_event_source`]: EventSourceRequestExt::get_event_source

mod close_reason;
mod collection;
mod encode;
mod error;
mod event;
mod ext;
mod ping;
mod slow_client;
mod source;

pub use self::close_reason::CloseReason;
pub use self::collection::{BroadcastReport, HttpEventSourceCollection};
pub use self::error::Error;
pub use self::event::Event;
pub use self::ext::{EventSourceRequestExt, EventSourceServerExt};
pub use self::ping::HttpStreamPingPolicy;
pub use self::slow_client::SlowClientPolicy;
pub use self::source::HttpRequestEventSource;

/// The event-source types and traits, plus the sisk-core types they work with.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// let mut router = Router::new();
/// router += Route::get("/events", |req: HttpRequest| async move {
///     let sse = req.get_event_source("the-only-client")?;
///     sse.send("Hello!");
///     Ok::<HttpResponse, sisk_sse::Error>(sse.close())
/// });
/// # Ok::<(), sisk_core::Error>(())
/// ```
pub mod prelude {
    pub use crate::{
        CloseReason, Event, EventSourceRequestExt, EventSourceServerExt, HttpEventSourceCollection,
        HttpRequestEventSource, HttpStreamPingPolicy,
    };
    pub use sisk_core::{HttpRequest, HttpResponse, HttpServer, Route, RouteMethod, Router};
}
