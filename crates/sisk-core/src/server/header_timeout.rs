//! The header-read timeout of an HTTP/1.1 connection, kept by the connection's own task.
//!
//! hyper can keep this timeout itself, but then it asks its timer for a new sleep for every
//! request head, and polls the connection once more after every response only to start that
//! sleep: about a tenth of a small request's cost. Here the connection's [`Activity`] counts
//! its requests in flight and notes when the last one ended; one tokio timer per connection,
//! re-armed lazily (at most once per timeout period while the connection is busy), closes the
//! connection once it has been idle for the timeout. Idle means no request in flight: the
//! connection is waiting for (the rest of) a request head, since it was accepted or since its
//! last response was handed over to be written — the span hyper's own timeout covers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::time::Sleep;

use super::activity::Activity;

/// The timeout of one connection, polled by the task that drives it.
pub(super) struct HeaderTimeout {
    activity: Arc<Activity>,
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
    /// The waker the sleep holds, to wake at its deadline; `None` when it holds none.
    armed_for: Option<Waker>,
}

impl HeaderTimeout {
    /// The timeout of the connection `activity` reports on.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime with its timer enabled (the server runs in one).
    pub(super) fn new(activity: Arc<Activity>, timeout: Duration) -> Self {
        let first = activity.accepted() + timeout;
        Self {
            activity,
            timeout,
            sleep: Box::pin(tokio::time::sleep_until(first)),
            armed_for: None,
        }
    }

    /// Ready once the connection has been idle for the whole timeout.
    ///
    /// Call it after every poll of the connection (that is when requests begin and end);
    /// while the timer is armed for this task it costs two atomic loads.
    pub(super) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.activity.is_busy() {
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
    use tokio::time::Instant;

    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(10);

    fn timeout_for(accepted: Instant) -> (HeaderTimeout, Arc<Activity>) {
        let activity = Activity::new(accepted);
        (HeaderTimeout::new(activity.clone(), TIMEOUT), activity)
    }

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
        let (mut timeout, _) = timeout_for(accepted);
        expired(&mut timeout).await;
        assert_eq!(accepted.elapsed(), TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_holds_the_timeout_off_however_long_it_takes() {
        let accepted = Instant::now();
        let (mut timeout, activity) = timeout_for(accepted);
        assert!(!expired_now(&mut timeout));
        let request = activity.begin();
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
        let (mut timeout, activity) = timeout_for(accepted);
        assert!(!expired_now(&mut timeout));
        // Three quick requests, each 4 s after the last: twelve seconds, none of them idle
        // for ten.
        for _ in 0..3 {
            tokio::time::advance(Duration::from_secs(4)).await;
            drop(activity.begin());
            assert!(!expired_now(&mut timeout));
        }
        let last = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(last.elapsed(), TIMEOUT);
        assert_eq!(accepted.elapsed(), Duration::from_secs(22));
    }

    #[tokio::test(start_paused = true)]
    async fn overlapping_requests_keep_the_connection_busy_until_the_last_ends() {
        let (mut timeout, activity) = timeout_for(Instant::now());
        let first = activity.begin();
        let second = activity.begin();
        drop(first);
        tokio::time::advance(TIMEOUT * 2).await;
        assert!(!expired_now(&mut timeout));
        drop(second);
        let ended = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(ended.elapsed(), TIMEOUT);
    }
}
