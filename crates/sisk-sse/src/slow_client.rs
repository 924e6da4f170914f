//! `SlowClientPolicy`: what happens when a client reads slower than events are sent.

/// What a send does when the connection's queue is full because the client stopped reading
/// (or reads slower than events are sent).
///
/// The queue is bounded (the server's
/// [`stream_buffer`](sisk_core::HttpServerBuilder::stream_buffer), or
/// [`set_queue_capacity`](crate::HttpRequestEventSource::set_queue_capacity)), so memory per
/// connection stays bounded whatever the policy; the policy decides between losing the
/// connection and losing events.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
/// use sisk_sse::SlowClientPolicy;
///
/// # fn f(server: &HttpServer) {
/// server.event_sources().set_slow_client_policy(SlowClientPolicy::DropEvents);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SlowClientPolicy {
    /// Close the connection (its source ends with
    /// [`CloseReason::SlowClient`](crate::CloseReason::SlowClient)) and count it. The browser
    /// reconnects and, with `Last-Event-ID`, can catch up. The default: no event is silently
    /// lost on a connection that stays open.
    #[default]
    Close,
    /// Keep the connection and drop the event that did not fit (the send returns `false`);
    /// counted as a dropped event.
    DropEvents,
}
