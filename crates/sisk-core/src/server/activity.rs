//! What an HTTP/1.1 connection reports about itself: its requests in flight (for the
//! header-read timeout) and whether its client still takes the bytes written to it (for its
//! response streams, to tell a client that stopped reading from a server that is busy).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

/// One connection's report, shared by its task, its service and its requests.
pub(crate) struct Activity {
    /// Requests whose head was read and whose response hyper has not let go of yet.
    in_flight: AtomicUsize,
    /// When the last request in flight ended, in nanoseconds after `accepted`.
    idle_since: AtomicU64,
    accepted: Instant,
    /// The socket's last write would have blocked: the client's receive window is full.
    refused_write: AtomicBool,
}

impl Activity {
    pub(crate) fn new(accepted: Instant) -> Arc<Self> {
        Arc::new(Self {
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            accepted,
            refused_write: AtomicBool::new(false),
        })
    }

    pub(super) fn accepted(&self) -> Instant {
        self.accepted
    }

    /// A request's head was read: the connection is busy until the guard is dropped.
    pub(super) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// Whether a request is in flight.
    pub(super) fn is_busy(&self) -> bool {
        // Acquire: pairs with the guard's release, so `idle_since` is current once this is
        // false.
        self.in_flight.load(Ordering::Acquire) > 0
    }

    /// When the last request in flight ended (the accept, if none has).
    pub(super) fn idle_since(&self) -> Instant {
        self.accepted + Duration::from_nanos(self.idle_since.load(Ordering::Relaxed))
    }

    /// Whether the client took the last bytes written to it: it is reading, and whatever is
    /// still queued for it waits on the server, not on the client.
    pub(crate) fn client_takes_writes(&self) -> bool {
        !self.refused_write.load(Ordering::Relaxed)
    }

    /// Records whether the socket's last write went through.
    pub(crate) fn note_write(&self, went_through: bool) {
        self.refused_write.store(!went_through, Ordering::Relaxed);
    }
}

/// One request in flight; dropped with its response body, once hyper is done with it (or
/// with the request, if the connection ends first).
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        let since = Instant::now().saturating_duration_since(activity.accepted);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX);
        activity.idle_since.fetch_max(nanos, Ordering::Relaxed);
        // Release: whoever sees the count drop sees the time above.
        activity.in_flight.fetch_sub(1, Ordering::Release);
    }
}
