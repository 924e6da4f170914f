//! The side-by-side comparison, in one command:
//!
//! ```text
//! cargo run --release -p sisk-benches --bin compare -- --clients 1000 [--runs 5]
//!     [--broadcasts 200] [--hello-requests 100000] [--servers axum,hyper,sisk]
//!     [--stalled 100] [--threads 1] [--hello-rounds 20] [--hello-batch 20000]
//!     [--no-build] [--out reports.jsonl]
//! ```
//!
//! It builds the three servers (the axum and hyper baselines of this crate, and the root
//! package's `bench_server` example) and the load generator in release mode, then `runs`
//! times, for each server in turn (the order rotates from run to run): starts the server as
//! a child process on a free loopback port, runs `loadgen` against it, and kills that child
//! by its process id. It prints one line per run, then the table of medians with the ratios
//! against axum and the issue's targets, and how much each figure moved between runs. Last,
//! `GET /hello` batch by batch on every server at once (`interleaved.rs`; `--hello-rounds 0`
//! skips it), which is what its target is judged by.

mod interleaved;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sisk_benches::args::Args;
use sisk_benches::load::Report;
use sisk_benches::stats::{median, spread};

/// One server under test.
struct Server {
    name: &'static str,
    exe: PathBuf,
}

fn main() {
    let args = Args::from_env();
    let clients: usize = args.get("clients", 1000);
    let runs: usize = args.get("runs", 5);
    let broadcasts: u32 = args.get("broadcasts", 200);
    let hello_requests: u64 = args.get("hello-requests", 100_000);
    let threads: usize = args.get("threads", 1);
    let patience: u64 = args.get("patience-secs", 60);
    let stalled: usize = args.get("stalled", 100);
    let hello_rounds: usize = args.get("hello-rounds", 20);
    let hello_batch: u64 = args.get("hello-batch", 20_000);
    let wanted = args
        .value("servers")
        .unwrap_or("axum,hyper,sisk")
        .to_owned();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ sits in the workspace")
        .to_path_buf();
    if !args.flag("no-build") {
        build(&root);
    }
    let exe = std::env::current_exe().expect("the path of this binary");
    let bin_dir = exe.parent().expect("a target directory");
    let loadgen = bin_dir.join("loadgen");
    let servers: Vec<Server> = [
        ("axum", bin_dir.join("axum_baseline")),
        ("hyper", bin_dir.join("hyper_baseline")),
        ("sisk", bin_dir.join("examples").join("bench_server")),
    ]
    .into_iter()
    .filter(|(name, _)| wanted.split(',').any(|w| w.trim() == *name))
    .map(|(name, exe)| Server { name, exe })
    .collect();
    for server in servers.iter().map(|s| &s.exe).chain([&loadgen]) {
        assert!(
            server.exists(),
            "{} is missing: build it, or run without --no-build",
            server.display()
        );
    }

    eprintln!(
        "compare: {clients} clients x {broadcasts} broadcasts, {hello_requests} hello requests, \
         {runs} runs of {}, loadgen {threads} thread(s)",
        servers
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Each loadgen run gets its own 127.{block}.0.0/16 source range, so that the TIME_WAITs
    // a run leaves never collide with the next run's connections.
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut block = (seed % 200) as usize;
    let mut results: Vec<Vec<Report>> = servers.iter().map(|_| Vec::new()).collect();
    let mut lines = Vec::new();
    for run in 0..runs {
        for k in 0..servers.len() {
            let which = (k + run) % servers.len();
            let server = &servers[which];
            block = block % 250 + 1;
            let loadgen_args = [
                "--clients".to_owned(),
                clients.to_string(),
                "--broadcasts".to_owned(),
                broadcasts.to_string(),
                "--hello-requests".to_owned(),
                hello_requests.to_string(),
                "--threads".to_owned(),
                threads.to_string(),
                "--source-block".to_owned(),
                (block + 1).to_string(),
                "--patience-secs".to_owned(),
                patience.to_string(),
                "--stalled".to_owned(),
                stalled.to_string(),
            ];
            match measure(server, &loadgen, &loadgen_args) {
                Ok((report, line)) => {
                    eprintln!(
                        "run {}/{runs} {:>5}: idle {:>6.0} B/conn, {:>9.0} ev/s, {:>5.0} ns/ev \
                         ({:.0}% kernel, loadgen {:.2} cores), p50 {:>6.1} ms, p99 {:>6.1} ms, \
                         hello {:>5.0} ns/req, stalled +{:.0} KiB/client{}",
                        run + 1,
                        server.name,
                        report.idle_bytes_per_conn,
                        report.events_per_sec,
                        report.cpu_ns_per_event,
                        report.system_share * 100.0,
                        report.loadgen_cores,
                        report.latency_p50_ms,
                        report.latency_p99_ms,
                        report.cpu_ns_per_hello,
                        report.stall_rss_per_client / 1024.0,
                        if report.is_correct() {
                            String::new()
                        } else {
                            format!(
                                "  INCORRECT: lost {}, disordered {}, cut {}, mismatches {}, \
                                 removal {}, connected {}/{}, hello errors {}, \
                                 stalled phase: reader lost {}",
                                report.lost_events,
                                report.disordered_events,
                                report.cut_streams,
                                report.post_count_mismatches,
                                report.removal_ok,
                                report.connected,
                                report.clients,
                                report.hello_errors,
                                report.stall_reader_lost
                            )
                        }
                    );
                    lines.push(format!(
                        "{{\"server\":\"{}\",\"report\":{line}}}",
                        server.name
                    ));
                    results[which].push(report);
                }
                Err(err) => eprintln!("run {}/{runs} {:>5}: FAILED: {err}", run + 1, server.name),
            }
        }
    }
    if let Some(path) = args.value("out") {
        let mut text = lines.join("\n");
        text.push('\n');
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("cannot write {path}: {err}");
        }
    }
    print_table(&servers, &results, clients, broadcasts);
    if hello_rounds > 0 {
        interleaved::run(&servers, hello_rounds, hello_batch);
    }
}

/// Builds the servers and the load generator (release), exiting on failure.
fn build(root: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for args in [
        &[
            "build",
            "--release",
            "-p",
            "sisk",
            "--example",
            "bench_server",
        ][..],
        &["build", "--release", "-p", "sisk-benches", "--bins"][..],
    ] {
        let status = Command::new(&cargo)
            .args(args)
            .current_dir(root)
            .status()
            .expect("cargo runs");
        if !status.success() {
            eprintln!("compare: `cargo {}` failed", args.join(" "));
            std::process::exit(1);
        }
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Ends the child we started, by its own handle (its process id), and reaps it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `server` on a free loopback port and waits until it listens.
fn start(server: &Server) -> Result<(Running, SocketAddr), String> {
    let port = free_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let child = Command::new(&server.exe)
        .env("BENCH_ADDR", addr.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server.exe.display()))?;
    let running = Running(child);
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("{} did not listen on {addr}", server.name));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((running, addr))
}

/// Starts `server`, runs the load generator against it, stops it.
fn measure(server: &Server, loadgen: &Path, args: &[String]) -> Result<(Report, String), String> {
    let (running, addr) = start(server)?;
    let pid = running.0.id();
    let mut generator = Command::new(loadgen)
        .args(["--addr", &addr.to_string(), "--pid", &pid.to_string()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start loadgen: {e}"))?;
    let mut last = String::new();
    if let Some(stdout) = generator.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            last = line;
        }
    }
    let mut log = String::new();
    if let Some(stderr) = generator.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            log.push_str("    ");
            log.push_str(&line);
            log.push('\n');
        }
    }
    let status = generator.wait().map_err(|e| e.to_string())?;
    drop(running);
    match serde_json::from_str::<Report>(&last) {
        Ok(report) => {
            if !status.success() {
                eprint!("{log}");
            }
            Ok((report, last))
        }
        Err(_) => Err(format!("loadgen gave no report ({status}):\n{log}")),
    }
}

/// One row of the table: a figure per server, formatted.
struct Row {
    label: &'static str,
    figure: fn(&Report) -> f64,
    format: fn(f64) -> String,
    /// The ratio to compare against (sisk over the baseline named) and its bound.
    target: Option<Target>,
    /// For the best-run table: whether a higher figure is better (`None`: not shown there).
    higher_is_better: Option<bool>,
}

struct Target {
    against: &'static str,
    bound: f64,
    at_most: bool,
}

fn print_table(servers: &[Server], results: &[Vec<Report>], clients: usize, broadcasts: u32) {
    let rows = [
        Row {
            label: "idle memory per SSE connection (RSS delta / N)",
            figure: |r| r.idle_bytes_per_conn,
            format: |v| format!("{:.1} KiB", v / 1024.0),
            target: Some(Target {
                against: "axum",
                bound: 0.45,
                at_most: true,
            }),
            higher_is_better: Some(false),
        },
        Row {
            label: "events delivered per second",
            figure: |r| r.events_per_sec,
            format: |v| format!("{:.2} M", v / 1e6),
            target: Some(Target {
                against: "axum",
                bound: 1.5,
                at_most: false,
            }),
            higher_is_better: Some(true),
        },
        Row {
            label: "server CPU per delivered event",
            figure: |r| r.cpu_ns_per_event,
            format: |v| format!("{v:.0} ns"),
            target: Some(Target {
                against: "axum",
                bound: 0.5,
                at_most: true,
            }),
            higher_is_better: Some(false),
        },
        Row {
            label: "p50 latency post → receive",
            figure: |r| r.latency_p50_ms,
            format: |v| format!("{v:.1} ms"),
            target: None,
            higher_is_better: Some(false),
        },
        Row {
            label: "p99 latency post → receive",
            figure: |r| r.latency_p99_ms,
            format: |v| format!("{v:.1} ms"),
            target: Some(Target {
                against: "axum",
                bound: 0.4,
                at_most: true,
            }),
            higher_is_better: Some(false),
        },
        Row {
            // Its target is judged by the interleaved batches printed after these tables.
            label: "`GET /hello` after the fan-out, server CPU per request (64 conns)",
            figure: |r| r.cpu_ns_per_hello,
            format: |v| format!("{:.2} µs", v / 1e3),
            target: None,
            higher_is_better: Some(false),
        },
        Row {
            label: "server RSS growth per stalled client (8 MiB posted to each)",
            figure: |r| r.stall_rss_per_client,
            format: |v| format!("{:.0} KiB", v / 1024.0),
            target: None,
            higher_is_better: Some(false),
        },
        Row {
            label: "kernel share of server CPU (fan-out)",
            figure: |r| r.system_share * 100.0,
            format: |v| format!("{v:.0} %"),
            target: None,
            higher_is_better: None,
        },
        Row {
            label: "load generator CPU (fan-out)",
            figure: |r| r.loadgen_cores,
            format: |v| format!("{v:.2} cores"),
            target: None,
            higher_is_better: None,
        },
    ];
    let runs = results.iter().map(Vec::len).max().unwrap_or(0);
    println!();
    println!("{clients} clients × {broadcasts} broadcasts of 64 bytes, medians of {runs} runs");
    println!();
    print_ratios(servers, &rows, |row| {
        results
            .iter()
            .map(|runs| median(&runs.iter().map(row.figure).collect::<Vec<_>>()))
            .collect()
    });
    println!(
        "| correct runs (no lost event, removal, counts) | {} | | | every run | |",
        results
            .iter()
            .map(|runs| format!(
                "{}/{}",
                runs.iter().filter(|r| r.is_correct()).count(),
                runs.len()
            ))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!();
    println!(
        "Best run of each server (lowest cost, highest rate): interference from other work \
         only adds cost, so these ratios are the steadier ones on a shared machine"
    );
    println!();
    let best_rows: Vec<&Row> = rows
        .iter()
        .filter(|r| r.higher_is_better.is_some())
        .collect();
    print_ratios(servers, &best_rows, |row| {
        results
            .iter()
            .map(|runs| {
                let values = runs.iter().map(row.figure);
                if row.higher_is_better == Some(true) {
                    values.fold(f64::NAN, f64::max)
                } else {
                    values.fold(f64::NAN, f64::min)
                }
            })
            .collect()
    });
    println!();
    println!("Noise: (max - min) / median over the runs");
    let names: Vec<&str> = servers.iter().map(|s| s.name).collect();
    println!();
    println!("| | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for row in &rows {
        println!(
            "| {} | {} |",
            row.label,
            results
                .iter()
                .map(|runs| format!(
                    "{:.0} %",
                    spread(&runs.iter().map(row.figure).collect::<Vec<_>>()) * 100.0
                ))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
}

/// Prints one table: a column per server (figures from `values`), the ratios of sisk to axum
/// and to hyper, and each row's target.
fn print_ratios<R: std::borrow::Borrow<Row>>(
    servers: &[Server],
    rows: &[R],
    values: impl Fn(&Row) -> Vec<f64>,
) {
    let index = |name: &str| servers.iter().position(|s| s.name == name);
    let names: Vec<&str> = servers.iter().map(|s| s.name).collect();
    println!(
        "| | {} | sisk / axum | sisk / hyper | target | met |",
        names.join(" | ")
    );
    println!("|---|{}---|---|---|---|", "---|".repeat(names.len()));
    for row in rows {
        let row = row.borrow();
        let values = values(row);
        let ratio = |base: &str| match (index("sisk"), index(base)) {
            (Some(s), Some(b)) if values[b] != 0.0 => Some(values[s] / values[b]),
            _ => None,
        };
        let show = |r: Option<f64>| r.map_or("–".to_owned(), |r| format!("{r:.2}×"));
        let (target, met) = match &row.target {
            Some(t) => {
                let met = ratio(t.against).map(|r| {
                    if t.at_most {
                        r <= t.bound
                    } else {
                        r >= t.bound
                    }
                });
                (
                    format!(
                        "{} {:.2}× {}",
                        if t.at_most { "≤" } else { "≥" },
                        t.bound,
                        t.against
                    ),
                    match met {
                        Some(true) => "yes",
                        Some(false) => "**no**",
                        None => "–",
                    },
                )
            }
            None => ("".to_owned(), ""),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            row.label,
            values
                .iter()
                .map(|v| (row.format)(*v))
                .collect::<Vec<_>>()
                .join(" | "),
            show(ratio("axum")),
            show(ratio("hyper")),
            target,
            met
        );
    }
}
