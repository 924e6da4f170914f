//! The collection without sockets: what it lists, that predicates and callbacks may use it
//! (no lock is held while they run), slow-client policies and broadcast reports.

use std::sync::{Arc, Mutex};

mod common;

use common::source;
use sisk_core::HttpServer;
use sisk_sse::prelude::*;
use sisk_sse::SlowClientPolicy;

/// Anonymous sources are counted as connections but never listed.
#[tokio::test]
async fn only_identified_sources_are_listed() {
    let server = HttpServer::builder().build().unwrap();
    let anonymous = source(&server, None);
    let named = source(&server, Some("named"));
    let sources = server.event_sources();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources.active_connections(), 2);
    assert_eq!(sources.all()[0].identifier(), Some("named"));
    assert!(sources
        .find(|_| true)
        .iter()
        .all(|s| s.identifier().is_some()));
    let _ = anonymous.close();
    let _ = named.close();
    assert_eq!(sources.active_connections(), 0);
}

/// Predicates and callbacks run with no lock held: they may look up, list, send and close
/// through the same collection without deadlocking.
#[tokio::test]
async fn predicates_and_callbacks_may_use_the_collection() {
    let server = HttpServer::builder().build().unwrap();
    let sources = server.event_sources();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (inner, log) = (sources.clone(), seen.clone());
    sources.on_registered(move |s| {
        let listed = inner.get_by_identifier(s.identifier().unwrap()).is_some();
        log.lock().unwrap().push(format!(
            "+{} listed={listed} len={}",
            s.identifier().unwrap(),
            inner.len()
        ));
    });
    let (inner, log) = (sources.clone(), seen.clone());
    sources.on_unregistered(move |s| {
        log.lock().unwrap().push(format!(
            "-{} len={}",
            s.identifier().unwrap(),
            inner.all().len()
        ));
    });
    let a = source(&server, Some("a"));
    let _b = source(&server, Some("b"));
    let found = sources.find(|id| {
        // The predicate itself uses the collection.
        sources
            .get_by_identifier(id)
            .is_some_and(|s| s.send("from the predicate"))
            && id == "a"
    });
    assert_eq!(found.len(), 1);
    let _ = a.close();
    assert_eq!(
        *seen.lock().unwrap(),
        ["+a listed=true len=1", "+b listed=true len=2", "-a len=1"]
    );
    // Snapshots: a list taken before a close still holds its handles.
    let snapshot = sources.all();
    sources.drop_all();
    assert_eq!(snapshot.len(), 1);
    assert!(!snapshot[0].is_active());
    assert!(sources.is_empty());
}

/// Under `DropEvents`, a full queue drops the event and keeps the connection; under the
/// default `Close`, it closes the connection as a slow client. Broadcasts report both.
#[tokio::test]
async fn slow_client_policies_drop_or_close_and_broadcast_reports_it() {
    let server = HttpServer::builder().build().unwrap();
    let sources = server.event_sources();
    let keeper = source(&server, Some("keeper"));
    keeper.set_queue_capacity(64);
    keeper.set_slow_client_policy(SlowClientPolicy::DropEvents);
    let closer = source(&server, Some("closer"));
    closer.set_queue_capacity(64);
    let event = "x".repeat(40);
    let report = sources.broadcast(&event);
    assert_eq!((report.delivered, report.not_delivered()), (2, 0));
    let report = sources.broadcast(&event);
    assert_eq!((report.delivered, report.dropped, report.closed), (0, 1, 1));
    assert!(keeper.is_active());
    assert_eq!(closer.close_reason(), Some(CloseReason::SlowClient));
    assert_eq!(sources.slow_clients_closed(), 1);
    assert_eq!(sources.dropped_events(), 1);
    assert!(!keeper.send(&event), "still full: dropped again");
    assert_eq!(sources.dropped_events(), 2);
    assert_eq!(sources.len(), 1);
}
