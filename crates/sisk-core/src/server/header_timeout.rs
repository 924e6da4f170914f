//! The header-read timeout of an HTTP/1.1 connection, kept by the connection's own task.
//!
//! hyper can keep this timeout itself, but then it asks its timer for a new sleep for every
//! request head, and polls the connection once more after every response only to start that
//! sleep: about a tenth of a small request's cost. Here the connection counts its requests in
//! flight and notes when the last one ended; one tokio timer per connection, re-armed lazily
//! (at most once per timeout period while the connection is busy), closes the connection once
//! it has been idle for the timeout. Idle means no request in flight: the connection is
//! waiting for (the rest of) a request head, since it was accepted or since its last response
//! was handed over to be written — the span hyper's own timeout covers.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// What the connection's requests tell its timeout.
pub(crate) struct Activity {
    /// Requests whose head was read and whose response hyper has not let go of yet.
    in_flight: AtomicUsize,
    /// When the last request in flight ended, in nanoseconds after `accepted`.
    idle_since: AtomicU64,
    accepted: Instant,
}

impl Activity {
    /// A request's head was read: the connection is busy until the guard is dropped.
    pub(super) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    fn idle_since(&self) -> Instant {
        self.accepted + Duration::from_nanos(self.idle_since.load(Ordering::Relaxed))
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

/// The timeout of one connection, polled by the task that drives it.
pub(super) struct HeaderTimeout {
    activity: Arc<Activity>,
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
    /// The waker the sleep holds, to wake at its deadline; `None` when it holds none.
    armed_for: Option<Waker>,
}

impl HeaderTimeout {
    /// The timeout of a connection accepted at `accepted`.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime with its timer enabled (the server runs in one).
    pub(super) fn new(accepted: Instant, timeout: Duration) -> Self {
        let activity = Arc::new(Activity {
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            accepted,
        });
        Self {
            activity,
            timeout,
            sleep: Box::pin(tokio::time::sleep_until(accepted + timeout)),
            armed_for: None,
        }
    }

    /// What the connection's service reports its requests to.
    pub(super) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }

    /// Ready once the connection has been idle for the whole timeout.
    ///
    /// Call it after every poll of the connection (that is when requests begin and end);
    /// while the timer is armed for this task it costs two atomic loads.
    pub(super) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.activity.in_flight.load(Ordering::Acquire) > 0 {
            // Busy: the timer may fire meanwhile; it is re-armed once the connection is idle.
            return Poll::Pending;
        }
        let armed = self
            .armed_for
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        if armed && !self.sleep.is_elapsed() {
            // It fires at or before this idle span's deadline, and is looked at again then.
            return Poll::Pending;
        }
        let deadline = self.activity.idle_since() + self.timeout;
        // Deadlines only move forward: a timer that fired at this one means time is up.
        if deadline > self.sleep.deadline() {
            self.sleep.as_mut().reset(deadline);
        }
        let fired = self.sleep.as_mut().poll(cx);
        // A task out of its cooperative budget gets `Pending` without the waker registered
        // (and is woken to be polled again): then the timer must be polled again too.
        let registered = fired.is_pending() && tokio::task::coop::has_budget_remaining();
        self.armed_for = registered.then(|| cx.waker().clone());
        fired
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use futures_util::FutureExt;

    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(10);

    /// Resolves when `timeout` expires.
    async fn expired(timeout: &mut HeaderTimeout) {
        poll_fn(|cx| timeout.poll_expired(cx)).await;
    }

    /// Whether `timeout` has expired, polled once.
    fn expired_now(timeout: &mut HeaderTimeout) -> bool {
        expired(timeout).now_or_never().is_some()
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_never_sends_a_head_expires_one_timeout_after_it_was_accepted() {
        let accepted = Instant::now();
        let mut timeout = HeaderTimeout::new(accepted, TIMEOUT);
        expired(&mut timeout).await;
        assert_eq!(accepted.elapsed(), TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_holds_the_timeout_off_however_long_it_takes() {
        let accepted = Instant::now();
        let mut timeout = HeaderTimeout::new(accepted, TIMEOUT);
        assert!(!expired_now(&mut timeout));
        let request = timeout.activity().begin();
        tokio::time::advance(TIMEOUT * 5).await;
        assert!(!expired_now(&mut timeout));
        drop(request);
        let ended = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(ended.elapsed(), TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn each_response_restarts_the_timeout_though_the_timer_was_armed_earlier() {
        let accepted = Instant::now();
        let mut timeout = HeaderTimeout::new(accepted, TIMEOUT);
        assert!(!expired_now(&mut timeout));
        // Three quick requests, each 4 s after the last: twelve seconds, none of them idle
        // for ten.
        for _ in 0..3 {
            tokio::time::advance(Duration::from_secs(4)).await;
            drop(timeout.activity().begin());
            assert!(!expired_now(&mut timeout));
        }
        let last = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(last.elapsed(), TIMEOUT);
        assert_eq!(accepted.elapsed(), Duration::from_secs(22));
    }

    #[tokio::test(start_paused = true)]
    async fn overlapping_requests_keep_the_connection_busy_until_the_last_ends() {
        let mut timeout = HeaderTimeout::new(Instant::now(), TIMEOUT);
        let first = timeout.activity().begin();
        let second = timeout.activity().begin();
        drop(first);
        tokio::time::advance(TIMEOUT * 2).await;
        assert!(!expired_now(&mut timeout));
        drop(second);
        let ended = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(ended.elapsed(), TIMEOUT);
    }
}
