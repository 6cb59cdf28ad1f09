//! Memory and CPU use of a process, read from Linux's /proc.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Resets the process's peak resident memory (VmHWM) to its current size, so that the next
/// reading is the peak of what happens from now on (Linux's `clear_refs`, value 5). Fails
/// where the kernel does not allow it; the sampled peak is then the only figure.
pub fn reset_peak_rss(pid: u32) -> anyhow::Result<()> {
    let path = format!("/proc/{pid}/clear_refs");
    std::fs::write(&path, "5").with_context(|| format!("writing {path}"))
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

/// CPU time all cores of the machine spent busy (not idle, not waiting for I/O), from the
/// first line of /proc/stat.
pub fn machine_busy_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("cpu "))
        .context("/proc/stat does not start with the all-CPU line")?
        .split_whitespace()
        .map(|field| field.parse().context("a /proc/stat field is not a number"))
        .collect::<anyhow::Result<_>>()?;
    // user nice system idle iowait irq softirq steal; guest time is already in user.
    let busy: u64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&index| ticks.get(index))
        .sum();
    Ok(Duration::from_secs_f64(
        busy as f64 / CLOCK_TICKS_PER_SECOND,
    ))
}

/// CPU used over one phase by the server (when there is one), by this process and by
/// everything else on the machine.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    taken_at: Instant,
    server_pid: Option<u32>,
    server: Duration,
    this_process: Duration,
    machine: Duration,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CpuUse {
    /// Average cores busy over the phase: 1.0 is one core the whole time.
    pub server_cores: f64,
    /// The benchmark's own process: the load generator, or the store during the ceiling.
    pub bench_cores: f64,
    /// The rest of the machine: PostgreSQL's processes, and anything else running, which
    /// skews the figures.
    pub other_cores: f64,
}

impl CpuMark {
    pub fn now(server_pid: Option<u32>) -> anyhow::Result<CpuMark> {
        Ok(CpuMark {
            taken_at: Instant::now(),
            server_pid,
            server: server_pid.map(cpu_time).transpose()?.unwrap_or_default(),
            this_process: cpu_time(std::process::id())?,
            machine: machine_busy_time()?,
        })
    }

    /// What was used since `self`, averaged over the time that passed.
    pub fn until_now(self) -> anyhow::Result<CpuUse> {
        let wall = self.taken_at.elapsed().as_secs_f64().max(f64::EPSILON);
        let now = CpuMark::now(self.server_pid)?;
        let cores =
            |later: Duration, earlier: Duration| later.saturating_sub(earlier).as_secs_f64() / wall;
        let server_cores = cores(now.server, self.server);
        let bench_cores = cores(now.this_process, self.this_process);
        let machine_cores = cores(now.machine, self.machine);
        Ok(CpuUse {
            server_cores,
            bench_cores,
            // The counters tick at different moments, so a small negative rest is noise.
            other_cores: (machine_cores - server_cores - bench_cores).max(0.0),
        })
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
