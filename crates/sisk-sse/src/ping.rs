//! The ping policy (Sisk's `HttpStreamPingPolicy`) and the shared tickers that run it.
//!
//! A ping is an SSE comment (`: :%ping%`), so listeners never see it; writing it is how a dead
//! peer is found (the write fails, the source ends) and how proxies are kept from closing an
//! idle connection. Pings of many connections cost one timer task per distinct interval, not
//! one per connection: every source pinging every 5 s joins the same 5 s ticker.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;

use crate::encode;
use crate::source::{FrameKind, Inner};

/// Sisk's default ping message.
const DEFAULT_MESSAGE: &str = "%ping%";
/// Sisk's default ping interval.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// The ping policy of one event source, as [`with_ping`](crate::HttpRequestEventSource::with_ping)
/// hands it to its callback (Sisk's `HttpStreamPingPolicy`).
///
/// Defaults are Sisk's: message `%ping%`, every 5 seconds. [`start`](Self::start) sends the
/// first ping at once, then one per `interval`; calling it again does not double the pings
/// (with a new interval, the source moves to that interval). The message may be changed by a
/// later `with_ping` and takes effect at the next ping. A failed ping ends the source as
/// [`CloseReason::Disconnected`](crate::CloseReason::Disconnected).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sisk_sse::prelude::*;
///
/// # fn f(sse: &HttpRequestEventSource) {
/// sse.with_ping(|ping| {
///     ping.data_message = "ping-message".into();
///     ping.interval = Duration::from_secs(5);
///     ping.start();
/// });
/// # }
/// ```
pub struct HttpStreamPingPolicy {
    /// The text of each ping (Sisk's `DataMessage`), sent as a comment.
    pub data_message: String,
    /// Time between pings (Sisk's `Interval`); read when [`start`](Self::start) runs.
    pub interval: Duration,
    source: Weak<Inner>,
}

/// The ping settings a source keeps between `with_ping` calls.
pub(crate) struct PingState {
    message: String,
    interval: Duration,
    /// The encoded ping, made once per message and shared by every tick.
    frame: Bytes,
    /// The interval of the ticker the source is in, once started.
    running: Option<Duration>,
}

impl Default for PingState {
    fn default() -> Self {
        Self {
            message: DEFAULT_MESSAGE.to_owned(),
            interval: DEFAULT_INTERVAL,
            frame: encode::ping(DEFAULT_MESSAGE),
            running: None,
        }
    }
}

impl HttpStreamPingPolicy {
    pub(crate) fn of(source: &Arc<Inner>) -> Self {
        let state = source.ping.lock();
        Self {
            data_message: state.message.clone(),
            interval: state.interval,
            source: Arc::downgrade(source),
        }
    }

    /// Stores the settings back into the source (the message applies from the next ping).
    pub(crate) fn store(&self) {
        if let Some(source) = self.source.upgrade() {
            let mut state = source.ping.lock();
            if state.message != self.data_message {
                state.frame = encode::ping(&self.data_message);
                state.message.clone_from(&self.data_message);
            }
            state.interval = self.interval;
        }
    }

    /// Starts pinging: one ping now, then one per [`interval`](Self::interval).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// sse.with_ping(|ping| {
    ///     ping.interval = Duration::from_secs(15);
    ///     ping.start(); // the first ping goes out at once
    /// });
    /// assert_eq!(sse.sent_content_length(), ": :%ping%\n\n".len() as u64);
    /// # Ok(()) }
    /// ```
    pub fn start(&mut self) {
        self.store();
        let Some(source) = self.source.upgrade() else {
            return;
        };
        let interval = self.interval.max(Duration::from_millis(1));
        let first_start = {
            let mut state = source.ping.lock();
            if state.running == Some(interval) {
                return;
            }
            let first = state.running.is_none();
            state.running = Some(interval);
            first
        };
        if first_start {
            ping(&source);
        }
        source.collection().pings().join(&source, interval);
    }

    /// Sets the message and interval, then starts (Sisk's `Start(dataMessage, interval)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// sse.with_ping(|ping| ping.start_with("keep-alive", Duration::from_secs(10)));
    /// assert_eq!(sse.sent_content_length(), ": :keep-alive\n\n".len() as u64);
    /// # Ok(()) }
    /// ```
    pub fn start_with(&mut self, data_message: impl Into<String>, interval: Duration) {
        self.data_message = data_message.into();
        self.interval = interval;
        self.start();
    }
}

impl fmt::Debug for HttpStreamPingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpStreamPingPolicy")
            .field("data_message", &self.data_message)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// Sends one ping; a source whose connection is gone ends as it fails.
fn ping(source: &Arc<Inner>) {
    let frame = source.ping.lock().frame.clone();
    source.push(frame, FrameKind::Ping);
}

/// One timer task per interval, shared by every source pinging at that interval.
#[derive(Default)]
pub(crate) struct PingScheduler {
    tickers: Mutex<HashMap<Duration, Arc<Ticker>>>,
}

struct Ticker {
    members: Mutex<Vec<Weak<Inner>>>,
}

impl PingScheduler {
    fn join(self: &Arc<Self>, source: &Arc<Inner>, interval: Duration) {
        let mut tickers = self.tickers.lock();
        let ticker = tickers.entry(interval).or_insert_with(|| {
            let ticker = Arc::new(Ticker {
                members: Mutex::new(Vec::new()),
            });
            tokio::spawn(run(Arc::downgrade(self), ticker.clone(), interval));
            ticker
        });
        ticker.members.lock().push(Arc::downgrade(source));
    }

    /// How many ticker tasks run (one per distinct interval in use).
    pub(crate) fn tickers(&self) -> usize {
        self.tickers.lock().len()
    }
}

impl fmt::Debug for PingScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PingScheduler")
            .field("tickers", &self.tickers())
            .finish()
    }
}

async fn run(scheduler: Weak<PingScheduler>, ticker: Arc<Ticker>, interval: Duration) {
    let start = tokio::time::Instant::now() + interval;
    let mut timer = tokio::time::interval_at(start, interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        let due: Vec<Arc<Inner>> = {
            let mut members = ticker.members.lock();
            let mut due = Vec::with_capacity(members.len());
            members.retain(|weak| match weak.upgrade() {
                Some(source)
                    if source.is_active() && source.ping.lock().running == Some(interval) =>
                {
                    due.push(source);
                    true
                }
                _ => false,
            });
            due
        };
        for source in &due {
            ping(source);
        }
        drop(due);
        // Leave when no source is left; joins hold the scheduler lock, so none can slip in.
        let Some(scheduler) = scheduler.upgrade() else {
            return;
        };
        let mut tickers = scheduler.tickers.lock();
        if ticker.members.lock().is_empty() {
            tickers.remove(&interval);
            return;
        }
    }
}
