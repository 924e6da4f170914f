//! Issue 5's real-browser test: the showcase page in headless Chromium (Debian's `chromium`,
//! driven over WebDriver by `chromedriver`), with the browser's own `EventSource`.
//!
//! Two pages open `/`; both reach `open`; page one broadcasts from its form and the message
//! arrives in both; page one's stream is then closed from the server and the page shows the
//! browser reconnecting; a broadcast from page two reaches it again. A screenshot of each page
//! is written to `target/browser/` for humans.
//!
//! Skips loudly without chromium/chromedriver; fails instead under `SISK_TEST_REQUIRE_ALL=1`.

mod support;

#[allow(dead_code)]
#[path = "../examples/showcase.rs"]
mod showcase;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use support::system::{self, ChildGuard, Needed, TempDir};
use support::*;

/// How long one wait on the browser may take. The reconnect waits out `EventSource`'s default
/// retry delay (about 3 s in Chromium), so this is well above it.
const BROWSER_PATIENCE: Duration = Duration::from_secs(30);

/// How often a wait looks at the page again.
const POLL: Duration = Duration::from_millis(50);

const CHROMIUM: Needed = Needed {
    names: &["chromium", "chromium-browser"],
    package: "chromium",
};
const CHROMEDRIVER: Needed = Needed {
    names: &["chromedriver"],
    package: "chromium-driver",
};

/// Where screenshots and the driver's log go: `target/browser/`.
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("browser");
    std::fs::create_dir_all(&dir).expect("create target/browser");
    dir
}

/// A headless Chromium session. Fields drop in order: the session, then the driver's process
/// group (the driver and the browser it started), then the profile directory.
struct Browser {
    client: Client,
    _driver: ChildGuard,
    _profile: TempDir,
}

impl Browser {
    async fn launch(chromium: &Path, chromedriver: &Path) -> Self {
        let out = output_dir();
        let profile = TempDir::new(&out, "profile");
        let (driver, port) = tokio::task::block_in_place(|| start_driver(chromedriver, &out));
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--window-size=1200,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": args }),
        );
        let client = within_browser(
            "a WebDriver session",
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .expect("chromedriver starts a Chromium session");
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }
}

/// Starts chromedriver on a free loopback port (a few tries, in case another process takes
/// the port first) and waits until it listens.
fn start_driver(chromedriver: &Path, out: &Path) -> (ChildGuard, u16) {
    for _ in 0..3 {
        let port = system::free_loopback_port();
        let mut command = Command::new(chromedriver);
        command
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                out.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut driver = ChildGuard::spawn("chromedriver", command).expect("spawn chromedriver");
        let addr = ([127, 0, 0, 1], port).into();
        if system::wait_for_listener(&mut driver, addr, Duration::from_secs(10)) {
            return (driver, port);
        }
    }
    panic!("chromedriver did not start listening (see target/browser/chromedriver.log)");
}

async fn within_browser<F: std::future::Future>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(BROWSER_PATIENCE, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {BROWSER_PATIENCE:?} waiting for {what}"))
}

/// One browser window showing the page. Every call switches the session to it first.
struct Page<'a> {
    name: &'static str,
    client: &'a Client,
    window: WindowHandle,
}

/// Records every state the page shows from now on in `window.seenStates`.
const RECORD_STATES: &str = "window.seenStates = []; new MutationObserver(() => \
    window.seenStates.push(document.body.dataset.state)).observe(document.body, \
    { attributes: true, attributeFilter: ['data-state'] });";

/// The page's event list, oldest first, as `[type, data]` pairs.
const EVENTS: &str = "return [...document.querySelectorAll('#events li')].reverse()\
    .map((li) => [li.querySelector('.type').textContent, li.querySelector('.data').textContent]);";

impl Page<'_> {
    async fn focus(&self) {
        within_browser(
            "a window switch",
            self.client.switch_to_window(self.window.clone()),
        )
        .await
        .expect("switch window");
    }

    async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.focus().await;
        within_browser("a script", self.client.execute(script, args))
            .await
            .unwrap_or_else(|e| panic!("{}: script {script:?} failed: {e}", self.name))
    }

    async fn state(&self) -> String {
        let v = self
            .run("return document.body.dataset.state;", vec![])
            .await;
        v.as_str().unwrap_or("(none)").to_owned()
    }

    async fn events(&self) -> Vec<(String, String)> {
        serde_json::from_value(self.run(EVENTS, vec![]).await).expect("events as pairs")
    }

    async fn screenshot(&self, file: &str) -> PathBuf {
        self.focus().await;
        let png = within_browser("a screenshot", self.client.screenshot())
            .await
            .expect("screenshot");
        let path = output_dir().join(file);
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }

    /// Polls `script` (a function body; `arguments` are `args`) until it returns something
    /// truthy, and returns that; after [`BROWSER_PATIENCE`] the test fails with the page's
    /// state, its events and a screenshot.
    async fn wait_until(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + BROWSER_PATIENCE;
        loop {
            let value = self.run(script, args.clone()).await;
            if !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!("")
                && value != json!(0)
            {
                return value;
            }
            if Instant::now() >= deadline {
                let shot = self.screenshot(&format!("failure-{}.png", self.name)).await;
                panic!(
                    "{}: timed out after {BROWSER_PATIENCE:?} waiting for {what}; state {:?}, \
                     events {:?}; screenshot {}",
                    self.name,
                    self.state().await,
                    self.events().await,
                    shot.display()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_for_state(&self, state: &str) {
        self.wait_until(
            &format!("state {state:?}"),
            "return document.body.dataset.state === arguments[0] \
             && document.getElementById('state').textContent === arguments[0] \
             && document.getElementById('state').classList.contains(arguments[0]);",
            vec![json!(state)],
        )
        .await;
    }

    /// Waits until the event list holds an item of `kind` whose data is exactly `data`.
    async fn wait_for_event(&self, kind: &str, data: &str) {
        self.wait_until(
            &format!("a {kind:?} event with data {data:?}"),
            "return [...document.querySelectorAll('#events li')].some((li) => \
             li.querySelector('.type').textContent === arguments[0] \
             && li.querySelector('.data').textContent === arguments[1]);",
            vec![json!(kind), json!(data)],
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        within_browser(css, element.text())
            .await
            .unwrap_or_else(|e| panic!("{}: no text in {css}: {e}", self.name))
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        within_browser("a click", element.click())
            .await
            .unwrap_or_else(|e| panic!("{}: cannot click {css}: {e}", self.name));
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.focus().await;
        within_browser(css, self.client.find(Locator::Css(css)))
            .await
            .unwrap_or_else(|e| panic!("{}: no {css}: {e}", self.name))
    }

    /// Types `message` into `#message` and submits `#broadcast` with its button, as a user.
    async fn broadcast(&self, message: &str) {
        let textarea = self.find("#message").await;
        within_browser("typing", textarea.clear())
            .await
            .expect("clear");
        within_browser("typing", textarea.send_keys(message))
            .await
            .expect("type the message");
        self.click("#broadcast button[type=submit]").await;
    }
}

/// The identifiers the server lists under `GET /sse/connections`.
async fn listed(addr: std::net::SocketAddr) -> Vec<String> {
    let res = get(addr, "/sse/connections").await;
    assert_eq!(res.status, 200);
    serde_json::from_str(&res.text()).expect("a JSON array of identifiers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pages_share_a_broadcast_and_a_closed_stream_reconnects() {
    let Some(found) = system::require("browser test", &[CHROMIUM, CHROMEDRIVER]) else {
        return;
    };
    let started = Instant::now();
    let server = start(showcase::router()).await;
    let addr = server.local_addr();
    let url = format!("http://{addr}/");

    let browser = Browser::launch(&found[0], &found[1]).await;
    let client = &browser.client;

    // Page one in the first window, page two in a second one.
    let first = within_browser("the first window", client.window())
        .await
        .expect("window");
    within_browser("page one to load", client.goto(&url))
        .await
        .expect("open / in page one");
    let second = within_browser("a second window", client.new_window(false))
        .await
        .expect("new window")
        .handle;
    within_browser("a window switch", client.switch_to_window(second.clone()))
        .await
        .expect("switch");
    within_browser("resizing", client.set_window_size(1200, 900))
        .await
        .expect("resize");
    within_browser("page two to load", client.goto(&url))
        .await
        .expect("open / in page two");
    let one = Page {
        name: "page-one",
        client,
        window: first,
    };
    let two = Page {
        name: "page-two",
        client,
        window: second,
    };

    // Both streams open: the badge, its class and the body's data-state all say so.
    one.wait_for_state("open").await;
    two.wait_for_state("open").await;
    let id_one = one.text("#me").await;
    let id_two = two.text("#me").await;
    assert!(id_one.starts_with("page-") && id_two.starts_with("page-"));
    assert_ne!(id_one, id_two);
    let ids = listed(addr).await;
    assert!(
        ids.contains(&id_one) && ids.contains(&id_two),
        "the server lists both pages: {ids:?}"
    );

    // Page one broadcasts from its form; the message (two lines) arrives in both pages.
    let message = "Hello from page one!\nThis line came through the same event.";
    one.broadcast(message).await;
    one.wait_for_event("message", message).await;
    two.wait_for_event("message", message).await;
    one.wait_for_event("sent", "broadcast reached 2 page(s)")
        .await;

    // Close page one's stream from the server (its own button DELETEs it). The browser sees
    // the stream end, the page shows `reconnecting`, and `EventSource` connects again after
    // its retry delay. Every state the page shows from here on is recorded, so that the
    // transient `reconnecting` is seen however the polling falls.
    one.run(RECORD_STATES, vec![]).await;
    let closing = Instant::now();
    one.click("#close").await;
    let closed_note = "the server closed the stream; the browser reconnects";
    one.wait_for_event("closed", closed_note).await;
    one.wait_for_event("reconnected", "the stream is open")
        .await;
    one.wait_for_state("open").await;
    let reconnect_took = closing.elapsed();
    let seen = one.run("return window.seenStates;", vec![]).await;
    assert_eq!(seen, json!(["reconnecting", "open"]), "page one's states");
    let mut kinds: Vec<String> = one.events().await.into_iter().map(|(k, _)| k).collect();
    // The broadcast's event and the page's own `sent` note come over two connections, in
    // either order.
    kinds[1..3].sort();
    assert_eq!(
        kinds,
        ["open", "message", "sent", "closed", "reconnected"],
        "page one's events, oldest first"
    );
    // The same identifier is registered again on the server.
    assert!(listed(addr).await.contains(&id_one));
    // Page two was not touched.
    assert_eq!(two.state().await, "open");
    let kinds_two: Vec<String> = two.events().await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds_two, ["open", "message"], "page two's events");

    // The reconnected stream takes broadcasts again: page two sends, page one receives.
    let again = "And hello back from page two, after the reconnect.";
    two.broadcast(again).await;
    one.wait_for_event("message", again).await;
    two.wait_for_event("message", again).await;
    two.wait_for_event("sent", "broadcast reached 2 page(s)")
        .await;

    let shot_one = one.screenshot("showcase.png").await;
    let shot_two = two.screenshot("showcase-page-two.png").await;
    within_browser("the browser to quit", browser.client.clone().close())
        .await
        .expect("end the WebDriver session");
    drop(browser);
    server.shutdown(Duration::from_secs(2)).await;

    let _ = writeln!(
        std::io::stderr(),
        "browser test passed in {:.1?} (the reconnect took {reconnect_took:.1?}); \
         screenshots: {} {}",
        started.elapsed(),
        shot_one.display(),
        shot_two.display()
    );
}
