//! `HttpEventSourceCollection`: the server's live, identified event sources.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use sisk_core::HttpServer;

use crate::encode;
use crate::ping::PingScheduler;
use crate::source::{Delivery, FrameKind, HttpRequestEventSource, Inner};
use crate::SlowClientPolicy;

type Callback = Arc<dyn Fn(&HttpRequestEventSource) + Send + Sync>;

/// The server's live event sources (Sisk's `HttpServer.EventSources`): look one up by
/// identifier, find several by a predicate, broadcast, count.
///
/// Only sources opened with an identifier are listed; every source that ends, for whatever
/// reason, leaves at once (Sisk keeps failed ones as stale entries; this does not). Lookups
/// return snapshots and never hold a lock a sender needs: sending touches no collection lock
/// at all, and predicates and callbacks run with no lock held.
///
/// A new source with an identifier already in use replaces the old one (Sisk's rule): the old
/// one ends with [`CloseReason::Replaced`](crate::CloseReason::Replaced), its "unregistered"
/// callbacks run, then the new one's "registered" callbacks.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// fn notify(server: &HttpServer) {
///     let sources = server.event_sources();
///     // Sisk: server.EventSources.GetByIdentifier("my-index-connection")?.Send("Hello again!")
///     if let Some(sse) = sources.get_by_identifier("my-index-connection") {
///         sse.send("Hello again!");
///     }
///     // Sisk: foreach (var e in server.EventSources.Find(id => id.StartsWith("my-connection-")))
///     for sse in sources.find(|id| id.starts_with("my-connection-")) {
///         sse.send("Broadcasting to all event sources that starts with 'my-connection-'");
///     }
///     println!("{} identified, {} open", sources.len(), sources.active_connections());
/// }
/// ```
#[derive(Clone)]
pub struct HttpEventSourceCollection {
    inner: Arc<Shared>,
}

struct Shared {
    sources: RwLock<HashMap<Arc<str>, Arc<Inner>>>,
    /// Open sources, identified or not.
    active: AtomicUsize,
    on_registered: RwLock<Vec<Callback>>,
    on_unregistered: RwLock<Vec<Callback>>,
    pings: Arc<PingScheduler>,
    slow_policy: Mutex<SlowClientPolicy>,
    slow_closed: AtomicU64,
    dropped: AtomicU64,
}

/// What a broadcast did, connection by connection.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// # fn f(server: &HttpServer) {
/// let report = server.event_sources().broadcast("tick");
/// println!("{} delivered, {} not", report.delivered, report.not_delivered());
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BroadcastReport {
    /// Connections that took the event.
    pub delivered: usize,
    /// Connections whose queue was full and that kept the connection
    /// ([`SlowClientPolicy::DropEvents`]).
    pub dropped: usize,
    /// Connections that were closed, or that the slow-client policy closed now.
    pub closed: usize,
}

impl BroadcastReport {
    /// Connections that did not take the event.
    pub fn not_delivered(&self) -> usize {
        self.dropped + self.closed
    }
}

impl HttpEventSourceCollection {
    /// The collection of `server` (one per server, made on first use).
    pub(crate) fn of(server: &HttpServer) -> Self {
        server
            .extensions()
            .get_or_insert_with(|| HttpEventSourceCollection {
                inner: Arc::new(Shared {
                    sources: RwLock::new(HashMap::new()),
                    active: AtomicUsize::new(0),
                    on_registered: RwLock::new(Vec::new()),
                    on_unregistered: RwLock::new(Vec::new()),
                    pings: Arc::new(PingScheduler::default()),
                    slow_policy: Mutex::new(SlowClientPolicy::default()),
                    slow_closed: AtomicU64::new(0),
                    dropped: AtomicU64::new(0),
                }),
            })
            .as_ref()
            .clone()
    }

    /// The open source registered under `identifier` (Sisk's `GetByIdentifier`).
    pub fn get_by_identifier(&self, identifier: &str) -> Option<HttpRequestEventSource> {
        let source = self.inner.sources.read().get(identifier).cloned()?;
        source
            .is_active()
            .then(|| HttpRequestEventSource::from_inner(&source))
    }

    /// The open sources whose identifier satisfies `predicate` (Sisk's `Find`), as a snapshot.
    /// The predicate runs with no lock held, so it may use the collection itself.
    pub fn find(&self, mut predicate: impl FnMut(&str) -> bool) -> Vec<HttpRequestEventSource> {
        self.snapshot()
            .into_iter()
            .filter(|s| s.identifier().is_some_and(|id| predicate(id)))
            .map(|s| HttpRequestEventSource::from_inner(&s))
            .collect()
    }

    /// Every open identified source (Sisk's `All()`), as a snapshot.
    pub fn all(&self) -> Vec<HttpRequestEventSource> {
        self.snapshot()
            .iter()
            .map(HttpRequestEventSource::from_inner)
            .collect()
    }

    /// How many identified sources are open (those `all()` lists).
    pub fn len(&self) -> usize {
        self.inner.sources.read().len()
    }

    /// Whether no identified source is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many event-source connections are open, identified or not (Sisk's
    /// `ActiveConnections`).
    pub fn active_connections(&self) -> usize {
        self.inner.active.load(Ordering::Relaxed)
    }

    /// Sends `data` to every open identified source, encoding it once.
    pub fn broadcast(&self, data: impl AsRef<str>) -> BroadcastReport {
        self.broadcast_where(|_| true, data)
    }

    /// Sends `data` to the open identified sources whose identifier satisfies `predicate`,
    /// encoding it once.
    pub fn broadcast_where(
        &self,
        mut predicate: impl FnMut(&str) -> bool,
        data: impl AsRef<str>,
    ) -> BroadcastReport {
        let frame = encode::message(data.as_ref());
        let mut report = BroadcastReport::default();
        for source in self.snapshot() {
            if !source.identifier().is_some_and(|id| predicate(id)) {
                continue;
            }
            match source.deliver(frame.clone(), FrameKind::Application) {
                Delivery::Accepted => report.delivered += 1,
                Delivery::Dropped => report.dropped += 1,
                Delivery::Closed => report.closed += 1,
            }
        }
        report
    }

    /// Closes every open identified source (Sisk's `DropAll`, but closing for real: each
    /// leaves the collection and its waiters wake with `Closed`).
    pub fn drop_all(&self) {
        for source in self.snapshot() {
            source.finish(crate::CloseReason::Closed);
        }
    }

    /// Runs `callback` for each source added to the collection (Sisk's
    /// `OnEventSourceRegistered`), with no lock held.
    pub fn on_registered(
        &self,
        callback: impl Fn(&HttpRequestEventSource) + Send + Sync + 'static,
    ) {
        self.inner.on_registered.write().push(Arc::new(callback));
    }

    /// Runs `callback` for each source that leaves the collection, whatever the reason
    /// (Sisk's `OnEventSourceUnregistration`), with no lock held.
    pub fn on_unregistered(
        &self,
        callback: impl Fn(&HttpRequestEventSource) + Send + Sync + 'static,
    ) {
        self.inner.on_unregistered.write().push(Arc::new(callback));
    }

    /// The policy for clients that read too slowly (default [`SlowClientPolicy::Close`]).
    pub fn set_slow_client_policy(&self, policy: SlowClientPolicy) {
        *self.inner.slow_policy.lock() = policy;
    }

    /// The current slow-client policy.
    pub fn slow_client_policy(&self) -> SlowClientPolicy {
        *self.inner.slow_policy.lock()
    }

    /// How many connections the slow-client policy closed so far.
    pub fn slow_clients_closed(&self) -> u64 {
        self.inner.slow_closed.load(Ordering::Relaxed)
    }

    /// How many events were dropped for slow clients under [`SlowClientPolicy::DropEvents`].
    pub fn dropped_events(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// How many ping timer tasks run: one per distinct ping interval in use, however many
    /// sources ping.
    pub fn ping_tickers(&self) -> usize {
        self.inner.pings.tickers()
    }

    fn snapshot(&self) -> Vec<Arc<Inner>> {
        self.inner.sources.read().values().cloned().collect()
    }

    pub(crate) fn pings(&self) -> &Arc<PingScheduler> {
        &self.inner.pings
    }

    pub(crate) fn count_slow_closed(&self) {
        self.inner.slow_closed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_dropped(&self) {
        self.inner.dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// A source was opened: count it, and register it if it has an identifier.
    pub(crate) fn opened(&self, source: &Arc<Inner>) {
        self.inner.active.fetch_add(1, Ordering::Relaxed);
        let Some(id) = source.identifier().cloned() else {
            return;
        };
        // Replace whoever holds the identifier: the old source ends (and fires its
        // "unregistered") before the new one is registered, as in Sisk.
        loop {
            let previous = self.inner.sources.write().remove(&id);
            match previous {
                Some(old) => {
                    old.finish(crate::CloseReason::Replaced);
                }
                None => {
                    let mut sources = self.inner.sources.write();
                    if sources.contains_key(&id) {
                        continue;
                    }
                    source.set_registered(true);
                    sources.insert(id, source.clone());
                    break;
                }
            }
        }
        if source.is_active() {
            self.fire(&self.inner.on_registered, source);
        }
    }

    /// A source ended: it leaves the map (if it is the one registered) and its
    /// "unregistered" callbacks run.
    pub(crate) fn closed(&self, source: &Arc<Inner>) {
        self.inner.active.fetch_sub(1, Ordering::Relaxed);
        if !source.set_registered(false) {
            return;
        }
        if let Some(id) = source.identifier() {
            let mut sources = self.inner.sources.write();
            // A replacement may already hold the identifier: remove only this source.
            if sources
                .get(id)
                .is_some_and(|entry| Arc::ptr_eq(entry, source))
            {
                sources.remove(id);
            }
        }
        self.fire(&self.inner.on_unregistered, source);
    }

    fn fire(&self, callbacks: &RwLock<Vec<Callback>>, source: &Arc<Inner>) {
        let callbacks = callbacks.read().clone();
        if callbacks.is_empty() {
            return;
        }
        let handle = HttpRequestEventSource::from_inner(source);
        for callback in callbacks {
            callback(&handle);
        }
    }
}

impl fmt::Debug for HttpEventSourceCollection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpEventSourceCollection")
            .field("len", &self.len())
            .field("active_connections", &self.active_connections())
            .field("slow_clients_closed", &self.slow_clients_closed())
            .finish_non_exhaustive()
    }
}
