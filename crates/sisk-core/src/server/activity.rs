//! What an HTTP/1.1 connection reports about itself: its requests in flight (for the
//! header-read timeout) and whether its client still takes the bytes written to it (for its
//! response streams, to tell a client that stopped reading from a server that is busy).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::time::Instant;

/// One connection's report, shared by its task, its service and its requests.
pub(crate) struct Activity {
    /// Requests whose head was read and whose response hyper has not let go of yet.
    in_flight: AtomicUsize,
    /// A request began since the header-read timeout last looked. A flag rather than the
    /// time the request ended: reading the clock for every request cost more than the rest
    /// of this bookkeeping together.
    active: AtomicBool,
    accepted: Instant,
    /// The socket's last write would have blocked: the client's receive window is full.
    refused_write: AtomicBool,
}

impl Activity {
    pub(crate) fn new(accepted: Instant) -> Arc<Self> {
        Arc::new(Self {
            in_flight: AtomicUsize::new(0),
            active: AtomicBool::new(false),
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
        self.active.store(true, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// Whether a request is in flight.
    pub(super) fn is_busy(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) > 0
    }

    /// Whether a request began since the last call.
    pub(super) fn take_active(&self) -> bool {
        self.active.swap(false, Ordering::Relaxed)
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
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}
