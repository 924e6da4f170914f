//! The ping policy on controlled time: Sisk's defaults, the first ping at `start()`, no
//! doubled pings, message changes, and one shared ticker per interval however many sources.

use std::time::Duration;

mod common;

use common::server;
use common::source;
use sisk_sse::prelude::*;

/// The bytes of one default ping: `: :%ping%\n\n`.
const PING: u64 = 11;

/// The first ping goes out at `start()`, then one per interval; starting again (in the same
/// or another `with_ping`) does not add a second timer.
#[tokio::test(start_paused = true)]
async fn starting_twice_does_not_double_the_pings() {
    let server = server();
    let sse = source(&server, None);
    sse.with_ping(|ping| {
        assert_eq!(ping.data_message, "%ping%", "Sisk's default message");
        assert_eq!(
            ping.interval,
            Duration::from_secs(5),
            "Sisk's default interval"
        );
        ping.interval = Duration::from_secs(1);
        ping.start();
        ping.start();
    });
    sse.with_ping(|ping| ping.start());
    assert_eq!(sse.sent_content_length(), PING, "one ping at start");
    // Controlled time: this advances the clock, it does not wait.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(sse.sent_content_length(), 4 * PING);
    assert_eq!(server.event_sources().ping_tickers(), 1);
}

/// A changed message applies from the next ping; pings are not events sent by the
/// application, so they never count as activity for `wait_for_fail`.
#[tokio::test(start_paused = true)]
async fn a_new_message_applies_from_the_next_ping() {
    let server = server();
    let sse = source(&server, None);
    sse.with_ping(|ping| {
        ping.interval = Duration::from_secs(1);
        ping.start();
    });
    sse.with_ping(|ping| ping.data_message = "x".into());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sse.sent_content_length(), PING + b": :x\n\n".len() as u64);
    // Pings keep going, yet the idle limit still passes: pings are not application events.
    assert_eq!(
        sse.wait_for_fail(Duration::from_secs(3)).await,
        CloseReason::IdleTimeout
    );
}

/// A thousand sources at one interval share one ticker; a second interval adds one more;
/// when every source has ended, the tickers stop.
#[tokio::test(start_paused = true)]
async fn many_sources_share_one_ticker_per_interval() {
    let server = server();
    let sources: Vec<_> = (0..1000)
        .map(|i| {
            let sse = source(&server, Some(&format!("s{i}")));
            let interval = if i % 2 == 0 { 5 } else { 2 };
            sse.with_ping(|ping| {
                ping.interval = Duration::from_secs(interval);
                ping.start();
            });
            sse
        })
        .collect();
    let collection = server.event_sources();
    assert_eq!(collection.len(), 1000);
    assert_eq!(collection.ping_tickers(), 2);
    tokio::time::sleep(Duration::from_millis(10_500)).await;
    for (i, sse) in sources.iter().enumerate() {
        let expected = if i % 2 == 0 { 3 } else { 6 };
        assert_eq!(sse.sent_content_length(), expected * PING, "source {i}");
    }
    for sse in &sources {
        let _ = sse.close();
    }
    assert!(collection.is_empty());
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(collection.ping_tickers(), 0);
}
