//! A process's resident memory and CPU time, read from `/proc` (Linux).

use std::fs;
use std::io;

/// Clock ticks per second of `utime`/`stime` in `/proc/<pid>/stat` (`USER_HZ`, 100 on every
/// Linux architecture the benches run on).
const TICKS_PER_SEC: u64 = 100;

/// One reading of a process's memory and CPU counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcSample {
    /// Resident set size (`VmRSS` of `/proc/<pid>/status`), in bytes.
    pub rss_bytes: u64,
    /// User-mode CPU time (`utime` of `/proc/<pid>/stat`), in nanoseconds (10 ms resolution).
    pub user_ns: u64,
    /// Kernel-mode CPU time (`stime`), in nanoseconds (10 ms resolution).
    pub system_ns: u64,
    /// On-CPU time summed over the process's threads (`/proc/<pid>/task/*/schedstat`), in
    /// nanoseconds: precise, but only threads alive now count.
    pub sched_ns: u64,
}

impl ProcSample {
    /// Reads the counters of `pid` (`"self"` works through [`ProcSample::of_self`]).
    ///
    /// # Errors
    ///
    /// When `/proc/<pid>` cannot be read (the process is gone).
    pub fn of(pid: u32) -> io::Result<Self> {
        Self::read(&pid.to_string())
    }

    /// Reads the counters of the calling process.
    ///
    /// # Errors
    ///
    /// When `/proc/self` cannot be read.
    pub fn of_self() -> io::Result<Self> {
        Self::read("self")
    }

    fn read(pid: &str) -> io::Result<Self> {
        let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
        let rss_kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // After the name: state is field 3, utime 14 and stime 15 (1-based, as in proc(5)).
        let ticks = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
        let to_ns = |t: u64| t * (1_000_000_000 / TICKS_PER_SEC);
        let mut sched_ns = 0;
        if let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                let path = task.path().join("schedstat");
                if let Ok(text) = fs::read_to_string(path) {
                    sched_ns += text
                        .split_whitespace()
                        .next()
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0);
                }
            }
        }
        Ok(ProcSample {
            rss_bytes: rss_kb * 1024,
            user_ns: ticks(14).map_or(0, to_ns),
            system_ns: ticks(15).map_or(0, to_ns),
            sched_ns,
        })
    }

    /// CPU time used between `earlier` and `self`, in nanoseconds: the precise per-thread
    /// figure when available, else user + system.
    pub fn cpu_since(&self, earlier: &ProcSample) -> u64 {
        let sched = self.sched_ns.saturating_sub(earlier.sched_ns);
        if sched > 0 {
            sched
        } else {
            (self.user_ns + self.system_ns).saturating_sub(earlier.user_ns + earlier.system_ns)
        }
    }

    /// The share of CPU time between `earlier` and `self` spent in the kernel (0 to 1).
    pub fn system_share_since(&self, earlier: &ProcSample) -> f64 {
        let user = self.user_ns.saturating_sub(earlier.user_ns);
        let system = self.system_ns.saturating_sub(earlier.system_ns);
        if user + system == 0 {
            0.0
        } else {
            system as f64 / (user + system) as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let sample = ProcSample::of_self().expect("/proc/self");
        assert!(sample.rss_bytes > 0);
        assert_eq!(
            ProcSample::of(std::process::id())
                .map(|s| s.rss_bytes > 0)
                .ok(),
            Some(true)
        );
    }
}
