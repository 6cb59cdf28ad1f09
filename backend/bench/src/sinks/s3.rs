//! The S3 half of the backfill: moto's S3 server (installed by scripts/bootstrap.sh) on a free
//! port, a bucket, and an S3 sink replaying everything stored into it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{json, Value};

use crate::setup::{AdminSession, ENVIRONMENT};

const BUCKET: &str = "imprint-bench";

/// A moto S3 server, stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> anyhow::Result<PathBuf> {
    let venv = std::env::var_os("IMPRINT_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/imprint/venv")))
        .context("neither IMPRINT_VENV nor HOME is set")?;
    let server = venv.join("bin/moto_server");
    anyhow::ensure!(
        server.exists(),
        "the sinks benchmark needs moto's S3 server at {}: run `bash scripts/bootstrap.sh`",
        server.display()
    );
    Ok(server)
}

impl Moto {
    pub async fn start() -> anyhow::Result<Moto> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(moto_server()?)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting moto_server")?;
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            let bucket = client
                .put(format!("{}/{BUCKET}", moto.endpoint))
                .send()
                .await;
            if bucket.is_ok_and(|r| r.status().is_success()) {
                return Ok(moto);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!(
            "moto_server did not answer on {} within 30 s",
            moto.endpoint
        )
    }
}

/// Creates an S3 sink writing Parquet into the bucket and replays everything into it; returns
/// the sink's id and the rows the replay covers.
pub async fn replaying_sink(session: &AdminSession, moto: &Moto) -> anyhow::Result<(i64, i64)> {
    let sinks = format!("/api/v1/environments/{ENVIRONMENT}/sinks");
    let created: Value = session
        .post(&sinks)
        .json(&json!({
            "kind": "s3",
            "name": "lake",
            "config": {
                "bucket": BUCKET, "endpoint": moto.endpoint, "prefix": "bench/",
                "access_key_id": "bench", "secret_access_key": "bench",
                "format": "parquet", "flush_ms": 1000,
            },
        }))
        .send()
        .await
        .context("creating the S3 sink")?
        .json()
        .await?;
    let id = created["id"]
        .as_i64()
        .with_context(|| format!("the S3 sink was not created: {created}"))?;
    let replay: Value = session
        .post(&format!("{sinks}/{id}/replay"))
        .json(&json!({ "from": 0 }))
        .send()
        .await
        .context("replaying into the S3 sink")?
        .json()
        .await?;
    Ok((id, replay["rows_to_deliver"].as_i64().unwrap_or(0)))
}

/// Polls the sink's `delivered` until it reaches `expected` (or a minute passes); returns the
/// rows delivered and the time they took from `start`.
pub async fn delivered_by(
    session: &AdminSession,
    id: i64,
    expected: i64,
    start: Instant,
) -> anyhow::Result<(i64, Duration)> {
    let path = format!("/api/v1/environments/{ENVIRONMENT}/sinks/{id}");
    let deadline = start + Duration::from_secs(120);
    loop {
        let sink: Value = session.get(&path).send().await?.json().await?;
        let delivered = sink["delivered"].as_i64().unwrap_or(0);
        if delivered >= expected || Instant::now() >= deadline {
            return Ok((delivered, start.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
