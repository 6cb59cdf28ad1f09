//! The server under test: the real `imprint` binary as a child process, so the figures are
//! those of what ships, not of an in-process test harness.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

use crate::process_stats::{status_kib, RssSampler};

/// The first admin the server creates on its empty database; the setup signs in as it.
pub const ADMIN_EMAIL: &str = "bench@imprint.local";
pub const ADMIN_PASSWORD: &str = "bench password 1234";

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(15);
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(100);

pub struct ServerProcess {
    child: Child,
    pid: u32,
    address: SocketAddr,
    log_path: PathBuf,
    rss: RssSampler,
}

/// Peak resident memory of the server, two ways.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct MemoryPeak {
    /// The kernel's high-water mark (VmHWM), read just before the server is stopped.
    pub peak_rss_mib: f64,
    /// The largest VmRSS seen by sampling every 100 ms.
    pub sampled_peak_rss_mib: f64,
}

impl ServerProcess {
    /// Starts `imprint serve` on a free loopback port and waits until /healthz answers 200.
    pub async fn start(
        binary: &Path,
        database_url: &str,
        log_path: &Path,
    ) -> anyhow::Result<ServerProcess> {
        let address = free_loopback_port()?;
        let log = std::fs::File::create(log_path)
            .with_context(|| format!("creating the server log {}", log_path.display()))?;
        let log_err = log.try_clone().context("sharing the server log")?;
        let child = Command::new(binary)
            .arg("serve")
            .env("IMPRINT_DATABASE_URL", database_url)
            .env("IMPRINT_BIND", address.to_string())
            .env("IMPRINT_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("IMPRINT_ADMIN_PASSWORD", ADMIN_PASSWORD)
            // The impact benchmark times computations it asks for: no scheduled refresh of
            // the same results may run beside them.
            .env("IMPRINT_IMPACT_REFRESH_SECONDS", "3600")
            // Per-request info logs would cost the server CPU the benchmark wants measured.
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            // Error paths drop the handle without `stop`; the server must not outlive us.
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child
            .id()
            .context("the server exited before its id could be read")?;
        let mut server = ServerProcess {
            child,
            pid,
            address,
            log_path: log_path.to_owned(),
            rss: RssSampler::start(pid, RSS_SAMPLE_EVERY),
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn memory_peak(&self) -> anyhow::Result<MemoryPeak> {
        let hwm = status_kib(self.pid, "VmHWM")?;
        Ok(MemoryPeak {
            peak_rss_mib: hwm as f64 / 1024.0,
            sampled_peak_rss_mib: self.rss.peak_kib() as f64 / 1024.0,
        })
    }

    async fn wait_until_healthy(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let url = format!("{}/healthz", self.base_url());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "the server exited during startup ({status}); its log:\n{}",
                    self.log_tail()
                );
            }
            let healthy = client
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == reqwest::StatusCode::OK);
            if healthy {
                return Ok(());
            }
            if started.elapsed() > STARTUP_TIMEOUT {
                anyhow::bail!(
                    "the server did not answer {url} within {STARTUP_TIMEOUT:?}; its log:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Asks the server to shut down (SIGTERM, as a service manager would) and waits for it;
    /// kills it if it does not exit in time.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let pid = i32::try_from(self.pid).context("the server's pid does not fit a pid_t")?;
        kill(Pid::from_raw(pid), Signal::SIGTERM).context("sending SIGTERM to the server")?;
        match tokio::time::timeout(SHUTDOWN_TIMEOUT, self.child.wait()).await {
            Ok(status) => {
                status.context("waiting for the server to exit")?;
                Ok(())
            }
            Err(_) => {
                self.child
                    .kill()
                    .await
                    .context("killing the server after it ignored SIGTERM")?;
                anyhow::bail!("the server did not stop within {SHUTDOWN_TIMEOUT:?} of SIGTERM")
            }
        }
    }

    /// Lines of the server's log at WARN or ERROR: the server runs with RUST_LOG=warn, so
    /// anything there is worth a look.
    pub fn log_problem_lines(&self) -> usize {
        std::fs::read_to_string(&self.log_path)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains("WARN") || line.contains("ERROR"))
            .count()
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

/// A port nothing listens on right now. Another process could take it before the server
/// binds it, but on a benchmark machine that race is not worth a protocol to read the port
/// back from the server.
fn free_loopback_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    listener.local_addr().context("reading the free port")
}
