//! Memory and CPU use of a process, read from Linux's /proc.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::task::JoinHandle;

/// Clock ticks per second in /proc/<pid>/stat. The kernel reports user-space times in
/// USER_HZ, which is 100 on every architecture Linux exports it to user space for.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// A `kB` field of /proc/<pid>/status, e.g. `VmRSS` (resident now) or `VmHWM` (peak resident).
pub fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("{path} has no {field} in kB"))
}

/// User plus system CPU time the process has used since it started.
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // The command name (field 2) is in parentheses and may hold spaces; count after it.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("{path} is not in the expected format"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks = |index: usize| -> anyhow::Result<u64> {
        fields
            .get(index)
            .and_then(|f| f.parse().ok())
            .with_context(|| format!("{path} has no CPU time field {index}"))
    };
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_secs_f64(
        total as f64 / CLOCK_TICKS_PER_SECOND,
    ))
}

/// CPU used by the server (the child) and by this load generator over one phase.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    server: Duration,
    client: Duration,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CpuUse {
    /// Average cores busy over the phase: 1.0 is one core the whole time.
    pub server_cores: f64,
    pub client_cores: f64,
}

impl CpuMark {
    pub fn now(server_pid: u32) -> anyhow::Result<CpuMark> {
        Ok(CpuMark {
            server: cpu_time(server_pid)?,
            client: cpu_time(std::process::id())?,
        })
    }

    pub fn since(self, earlier: CpuMark, wall: Duration) -> CpuUse {
        let wall = wall.as_secs_f64().max(f64::EPSILON);
        CpuUse {
            server_cores: self.server.saturating_sub(earlier.server).as_secs_f64() / wall,
            client_cores: self.client.saturating_sub(earlier.client).as_secs_f64() / wall,
        }
    }
}

/// Samples a process's resident memory in the background and keeps the largest value, as a
/// cross-check of the kernel's own high-water mark (VmHWM).
pub struct RssSampler {
    peak_kib: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl RssSampler {
    pub fn start(pid: u32, every: Duration) -> RssSampler {
        let peak_kib = Arc::new(AtomicU64::new(0));
        let peak = Arc::clone(&peak_kib);
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            loop {
                ticker.tick().await;
                // The process is gone once it has stopped; the last sample stands.
                let Ok(rss) = status_kib(pid, "VmRSS") else {
                    return;
                };
                peak.fetch_max(rss, Ordering::Relaxed);
            }
        });
        RssSampler { peak_kib, task }
    }

    pub fn peak_kib(&self) -> u64 {
        self.peak_kib.load(Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}
