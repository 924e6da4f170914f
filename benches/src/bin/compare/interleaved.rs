//! `GET /hello`, batch by batch: every server started at once, then rounds in which each
//! server in turn answers one batch. The machine these benchmarks share has slow spells
//! (other work on the host can double every figure for seconds), long enough to fall on one
//! server's whole load-generator run; here a spell falls on the batches of one or two
//! rounds, and the ratio of two servers' batches in the same round, measured moments apart,
//! stays meaningful. The verdict is the median of those per-round ratios.

use sisk_benches::load::hello_batch;
use sisk_benches::stats::median;

use super::{start, Server};

/// Connections per batch, as `wrk -t1 -c64`.
const CONNECTIONS: usize = 64;
/// The bound: sisk's server CPU per request at most this times the hyper baseline's.
const BOUND: f64 = 1.05;

/// Runs one warm-up batch and then `rounds` counted batches of `batch` requests against each
/// of `servers` (the order rotates every round), and prints the table.
pub(crate) fn run(servers: &[Server], rounds: usize, batch: u64) {
    let mut running = Vec::with_capacity(servers.len());
    for server in servers {
        match start(server) {
            Ok(started) => running.push(started),
            Err(err) => {
                eprintln!("interleaved hello: {err}");
                return;
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    // Server CPU per request, per server, per counted round.
    let mut figures: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); servers.len()];
    for round in 0..=rounds {
        for k in 0..servers.len() {
            let which = (k + round) % servers.len();
            let (child, addr) = &running[which];
            match runtime.block_on(hello_batch(*addr, child.0.id(), CONNECTIONS, batch)) {
                // Round 0 warms every server up and is not counted.
                Ok(ns) if round > 0 => figures[which].push(ns),
                Ok(_) => {}
                Err(err) => {
                    eprintln!("interleaved hello, {}: {err}", servers[which].name);
                    return;
                }
            }
        }
    }
    drop(running);
    print(servers, &figures, batch);
}

/// The ratio of `server`'s batch to `base`'s, round by round, sorted.
fn ratios(figures: &[Vec<f64>], server: usize, base: usize) -> Vec<f64> {
    let mut ratios: Vec<f64> = figures[server]
        .iter()
        .zip(&figures[base])
        .map(|(s, b)| s / b)
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios
}

fn print(servers: &[Server], figures: &[Vec<f64>], batch: u64) {
    let index = |name: &str| servers.iter().position(|s| s.name == name);
    let rounds = figures.first().map_or(0, Vec::len);
    let names: Vec<&str> = servers.iter().map(|s| s.name).collect();
    println!();
    println!(
        "`GET /hello` interleaved: {rounds} rounds of {batch} requests over {CONNECTIONS} \
         connections, each server in turn, on servers started for it; ratios are medians of \
         the per-round ratios"
    );
    println!();
    println!(
        "| | {} | sisk / axum | sisk / hyper | target | met |",
        names.join(" | ")
    );
    println!("|---|{}---|---|---|---|", "---|".repeat(names.len()));
    let per_round = |base: &str| match (index("sisk"), index(base)) {
        (Some(s), Some(b)) => ratios(figures, s, b),
        _ => Vec::new(),
    };
    let (to_axum, to_hyper) = (per_round("axum"), per_round("hyper"));
    let show = |r: f64| {
        if r.is_nan() {
            "–".to_owned()
        } else {
            format!("{r:.2}×")
        }
    };
    let verdict = median(&to_hyper);
    println!(
        "| server CPU per request, median | {} | {} | {} | ≤ {BOUND:.2}× hyper | {} |",
        figures
            .iter()
            .map(|f| format!("{:.2} µs", median(f) / 1e3))
            .collect::<Vec<_>>()
            .join(" | "),
        show(median(&to_axum)),
        show(verdict),
        if verdict.is_nan() {
            "–"
        } else if verdict <= BOUND {
            "yes"
        } else {
            "**no**"
        }
    );
    let range = |r: &[f64], lo: usize, hi: usize| match (r.get(lo), r.get(hi)) {
        (Some(a), Some(b)) => format!("{a:.2}–{b:.2}×"),
        _ => "–".to_owned(),
    };
    let blanks = " |".repeat(names.len());
    let middle_half = |r: &[f64]| range(r, r.len() / 4, (3 * r.len()) / 4);
    let all = |r: &[f64]| range(r, 0, r.len().saturating_sub(1));
    println!(
        "| per-round ratio, middle half |{blanks} {} | {} | | |",
        middle_half(&to_axum),
        middle_half(&to_hyper)
    );
    println!(
        "| per-round ratio, lowest to highest |{blanks} {} | {} | | |",
        all(&to_axum),
        all(&to_hyper)
    );
}
