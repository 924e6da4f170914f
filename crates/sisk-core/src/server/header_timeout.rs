//! The header-read timeout of an HTTP/1.1 connection, kept by the connection's own task.
//!
//! hyper can keep this timeout itself, but then it asks its timer for a new sleep for every
//! request head, and polls the connection once more after every response only to start that
//! sleep: about a tenth of a small request's cost. Here the connection's [`Activity`] counts
//! its requests in flight and flags that one began; one tokio timer per connection looks at
//! it once per timeout period. Idle means no request in flight: the connection is waiting for
//! (the rest of) a request head — the span hyper's own timeout covers.
//!
//! A connection idle for a whole period is closed. One that served a request during the
//! period gets another period from when the timer finds it idle, so an idle connection is
//! closed between one and two timeouts after its last response: one after its accept if it
//! never sent a request, one after a response that outlasted the period. Exactly one would
//! need the time of every response, and reading the clock per request cost more than all the
//! rest of this bookkeeping.

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

    /// Ready once the connection has been idle for a whole timeout period.
    ///
    /// Call it after every poll of the connection (that is when requests begin and end);
    /// while the timer is armed for this task it costs an atomic load and a look at the timer.
    pub(super) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.activity.is_busy() {
            // Busy: the timer may fire meanwhile; it is looked at again once the connection
            // is idle.
            return Poll::Pending;
        }
        let armed = self
            .armed_for
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        if armed && !self.sleep.is_elapsed() {
            return Poll::Pending;
        }
        // The timer fired, or does not hold this task's waker yet.
        if self.activity.take_active() {
            // A request came since the timer was last looked at: the connection has been
            // idle for less than the timeout. Another period, from now.
            self.sleep
                .as_mut()
                .reset(tokio::time::Instant::now() + self.timeout);
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

    /// Whether `timeout` has expired, polled once from this task, as the connection's task
    /// polls it after each poll of the connection.
    async fn expired_now(timeout: &mut HeaderTimeout) -> bool {
        poll_fn(|cx| Poll::Ready(timeout.poll_expired(cx).is_ready())).await
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
        assert!(!expired_now(&mut timeout).await);
        let request = activity.begin();
        tokio::time::advance(TIMEOUT * 5).await;
        assert!(!expired_now(&mut timeout).await);
        drop(request);
        let ended = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(ended.elapsed(), TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_period_with_a_request_gives_the_connection_another_period() {
        let accepted = Instant::now();
        let (mut timeout, activity) = timeout_for(accepted);
        assert!(!expired_now(&mut timeout).await);
        // Requests at 4 and 8 s: at 10 the connection has been idle for only two.
        for _ in 0..2 {
            tokio::time::advance(Duration::from_secs(4)).await;
            drop(activity.begin());
            assert!(!expired_now(&mut timeout).await);
        }
        let last = Instant::now();
        expired(&mut timeout).await;
        // Looked at again at 20, after a period without a request: closed then, twelve
        // seconds after the last response (between one and two timeouts).
        assert_eq!(accepted.elapsed(), Duration::from_secs(20));
        assert_eq!(last.elapsed(), Duration::from_secs(12));
    }

    #[tokio::test(start_paused = true)]
    async fn overlapping_requests_keep_the_connection_busy_until_the_last_ends() {
        let (mut timeout, activity) = timeout_for(Instant::now());
        let first = activity.begin();
        let second = activity.begin();
        drop(first);
        tokio::time::advance(TIMEOUT * 2).await;
        assert!(!expired_now(&mut timeout).await);
        drop(second);
        let ended = Instant::now();
        expired(&mut timeout).await;
        assert_eq!(ended.elapsed(), TIMEOUT);
    }
}
