//! `CloseReason`: how an event source ended.

use sisk_core::StreamEnd;

/// How an event source's connection ended: what
/// [`wait_for_fail`](crate::HttpRequestEventSource::wait_for_fail) and
/// [`keep_alive`](crate::HttpRequestEventSource::keep_alive) return.
///
/// Every end goes the same way, whatever its reason: the source turns inactive, leaves the
/// collection (firing its "unregistered" callbacks), wakes every waiter and stops its pings.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// async fn events(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
///     let sse = req.get_event_source("my-index-connection")?;
///     match sse.wait_for_fail(std::time::Duration::from_secs(15)).await {
///         CloseReason::IdleTimeout => println!("nothing sent for 15 s"),
///         CloseReason::Disconnected => println!("the client went away"),
///         other => println!("ended: {other:?}"),
///     }
///     Ok(sse.close())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client went away: a write failed, a ping failed, or the connection closed.
    Disconnected,
    /// The server closed it: [`close`](crate::HttpRequestEventSource::close) from any task,
    /// the last handle dropped, or the handler returned.
    Closed,
    /// `wait_for_fail(idle)` saw no frame sent for `idle` and closed the connection.
    IdleTimeout,
    /// A new source registered the same identifier and replaced this one.
    Replaced,
    /// The client read too slowly: its queue filled and the slow-client policy closed it.
    SlowClient,
    /// The server is shutting down.
    Shutdown,
}

impl From<StreamEnd> for CloseReason {
    fn from(end: StreamEnd) -> Self {
        match end {
            StreamEnd::Disconnected => CloseReason::Disconnected,
            StreamEnd::Shutdown => CloseReason::Shutdown,
            _ => CloseReason::Closed,
        }
    }
}
