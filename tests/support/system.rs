//! Tests that need a system binary (chromium, chromedriver, redis-server, ...): find it, skip
//! loudly when it is missing, fail instead under `SISK_TEST_REQUIRE_ALL=1` (DESIGN.md §7), and
//! own the processes such a test starts so that they end with it, also when it fails.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The variable that turns a skip into a failure (CI sets it).
pub const REQUIRE_ALL: &str = "SISK_TEST_REQUIRE_ALL";

/// Whether every system-binary test must run (`SISK_TEST_REQUIRE_ALL=1`).
pub fn require_all() -> bool {
    std::env::var(REQUIRE_ALL).is_ok_and(|v| v == "1")
}

/// The first of `names` found as an executable file on `PATH`.
pub fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// One binary a test needs: the names it may go by, and the packages that provide it.
#[derive(Debug, Clone, Copy)]
pub struct Needed {
    pub names: &'static [&'static str],
    pub package: &'static str,
}

/// Finds every binary in `needed`, in order. When one is missing: under
/// `SISK_TEST_REQUIRE_ALL=1` the test fails; otherwise a loud message goes straight to the
/// terminal (past the test harness's output capture) and `None` tells the test to return.
pub fn require(test: &str, needed: &[Needed]) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for need in needed {
        match find_binary(need.names) {
            Some(path) => found.push(path),
            None => missing.push(need),
        }
    }
    if missing.is_empty() {
        return Some(found);
    }
    let names = missing
        .iter()
        .map(|n| n.names[0])
        .collect::<Vec<_>>()
        .join(", ");
    let packages = missing
        .iter()
        .map(|n| n.package)
        .collect::<Vec<_>>()
        .join(" ");
    let message = format!("{test}: {names} not found on PATH (Debian: apt-get install {packages})");
    if require_all() {
        panic!("{message}; {REQUIRE_ALL}=1 makes a missing binary a failure");
    }
    let bar = "!".repeat(78);
    // Written to the process's own stderr, not with `eprintln!`, so that it shows even when
    // the harness captures the output of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\n!! SKIPPED {message}; set {REQUIRE_ALL}=1 to make this a failure\n{bar}\n"
    );
    None
}

/// A loopback port that was free a moment ago (bound, then released), for a server that
/// cannot be told to pick its own. Callers retry when another process takes it first.
pub fn free_loopback_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Waits until something accepts TCP connections at `addr`, `child` exits (`false`), or
/// `patience` passes (`false`).
pub fn wait_for_listener(child: &mut ChildGuard, addr: SocketAddr, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if child.has_exited() {
            return false;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// A child process started by a test, in a process group of its own, that ends with the
/// guard: on `Drop` (a passing test, a failing assertion, a panic) the whole group is killed
/// by its id, so that whatever the child started (a browser under its driver) goes too.
#[derive(Debug)]
pub struct ChildGuard {
    child: Child,
    what: String,
}

impl ChildGuard {
    /// Starts `command` in a new process group.
    pub fn spawn(what: &str, mut command: Command) -> std::io::Result<Self> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        let child = command.spawn()?;
        Ok(Self {
            child,
            what: what.to_owned(),
        })
    }

    /// The child's process id (also its process group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the child has exited already.
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        // The group first (the child and everything it started), then the child itself in
        // case `kill` is unavailable; both by id, never by name.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.child.kill();
        if self.child.wait().is_err() {
            let _ = writeln!(std::io::stderr(), "could not reap {}", self.what);
        }
    }
}

/// A directory that is removed with the guard (a browser profile, a server's data).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a new empty directory named after `prefix` under `parent`.
    pub fn new(parent: &Path, prefix: &str) -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = parent.join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
