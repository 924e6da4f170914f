//! The timer behind hyper's header-read timeout: one tokio timer per connection, re-armed
//! lazily, instead of a new one registered and cancelled for every request.
//!
//! hyper asks for a fresh sleep each time it starts reading a request head and drops it once
//! the head is in. With tokio's timer that is an allocation, a runtime-handle lookup, and two
//! trips through the timer wheel's lock per request: a measurable share of a small request's
//! cost. Here each sleep only records its deadline; the connection's one tokio timer stays
//! armed at an earlier deadline, and is moved to the latest one when it fires early. Deadlines
//! only move forward, so it fires at most once per timeout period while a connection is busy.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use parking_lot::Mutex;

/// The timer of one connection.
pub(super) struct HeaderTimer {
    shared: Arc<Shared>,
}

/// The connection's tokio timer, created on first use.
#[derive(Default)]
struct Shared {
    sleep: Mutex<Option<Pin<Box<tokio::time::Sleep>>>>,
}

impl HeaderTimer {
    pub(super) fn new() -> Self {
        Self {
            shared: Arc::default(),
        }
    }
}

impl Timer for HeaderTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeaderSleep {
            deadline: deadline.into(),
            shared: self.shared.clone(),
        })
    }

    /// tokio's clock, so that deadlines agree with the timer's (and with paused time).
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// One head's deadline, on the connection's shared timer.
struct HeaderSleep {
    deadline: tokio::time::Instant,
    shared: Arc<Shared>,
}

impl Future for HeaderSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slot = self.shared.sleep.lock();
        let sleep = slot.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(self.deadline)));
        loop {
            let armed = sleep.deadline();
            // Re-arm only when the timer would fire after this deadline, or has already fired
            // for an earlier one; an earlier pending deadline just wakes the task once more.
            if armed > self.deadline || (armed < self.deadline && sleep.is_elapsed()) {
                sleep.as_mut().reset(self.deadline);
            }
            match sleep.as_mut().poll(cx) {
                Poll::Ready(()) if sleep.deadline() >= self.deadline => return Poll::Ready(()),
                Poll::Ready(()) => continue,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl Sleep for HeaderSleep {}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    fn deadline_in(secs: u64) -> Instant {
        tokio::time::Instant::now().into_std() + Duration::from_secs(secs)
    }

    #[tokio::test(start_paused = true)]
    async fn a_sleep_ends_at_its_deadline() {
        let timer = HeaderTimer::new();
        let start = tokio::time::Instant::now();
        timer.sleep_until(deadline_in(10)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_later_sleep_waits_past_the_timer_armed_for_an_earlier_one() {
        let timer = HeaderTimer::new();
        let start = tokio::time::Instant::now();
        let mut first = timer.sleep_until(deadline_in(10));
        // Registers the shared timer at +10 s, then drops it as hyper does once a head is in.
        assert!(first.as_mut().now_or_never().is_none());
        drop(first);
        tokio::time::advance(Duration::from_secs(4)).await;
        timer.sleep_until(deadline_in(10)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(14));
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_sleep_moves_the_timer_forward() {
        let timer = HeaderTimer::new();
        let start = tokio::time::Instant::now();
        let mut late = timer.sleep_until(deadline_in(30));
        assert!(late.as_mut().now_or_never().is_none());
        drop(late);
        timer.sleep_until(deadline_in(5)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_fired_timer_is_rearmed_for_the_next_head() {
        let timer = HeaderTimer::new();
        timer.sleep_until(deadline_in(1)).await;
        let start = tokio::time::Instant::now();
        timer.sleep(Duration::from_secs(3)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
