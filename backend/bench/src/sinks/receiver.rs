//! A webhook receiver in the load generator's process: it takes Imprint's webhook posts
//! (Split's JSON body or NDJSON, gzipped or not), answers 200 at once, and measures each
//! impression's delay from its post to Imprint until its delivery here.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::live::micros_since;
use crate::live::sent_micros;
use crate::load::LatencySummary;

struct Tally {
    delays_us: Histogram<u64>,
    impressions: u64,
    posts: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

/// What a receiver counted so far.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Received {
    pub impressions: u64,
    pub posts: u64,
    /// From the post to Imprint to the delivery here.
    pub delay: LatencySummary,
    /// Impressions per second between the first delivery and the last.
    pub impressions_per_sec: f64,
}

#[derive(Clone)]
pub struct Receiver {
    pub address: SocketAddr,
    tally: Arc<Mutex<Tally>>,
}

impl Receiver {
    /// Listens on a free local port; `clock` is the time base of the keys' send stamps.
    pub async fn start(clock: Instant) -> anyhow::Result<Receiver> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let tally = Arc::new(Mutex::new(Tally {
            delays_us: Histogram::new_with_bounds(1, 600_000_000, 3)?,
            impressions: 0,
            posts: 0,
            first: None,
            last: None,
        }));
        let shared = Arc::clone(&tally);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let tally = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let tally = Arc::clone(&tally);
                        async move { receive(request, &tally, clock).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Receiver { address, tally })
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    pub fn impressions(&self) -> u64 {
        self.tally.lock().map_or(0, |t| t.impressions)
    }

    pub fn received(&self) -> Received {
        let Ok(tally) = self.tally.lock() else {
            return Received {
                impressions: 0,
                posts: 0,
                delay: LatencySummary::default(),
                impressions_per_sec: 0.0,
            };
        };
        let span = match (tally.first, tally.last) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64(),
            _ => 0.0,
        };
        Received {
            impressions: tally.impressions,
            posts: tally.posts,
            delay: LatencySummary::of_micros(&tally.delays_us),
            impressions_per_sec: if span > 0.0 {
                tally.impressions as f64 / span
            } else {
                0.0
            },
        }
    }
}

async fn receive(
    request: Request<Incoming>,
    tally: &Mutex<Tally>,
    clock: Instant,
) -> anyhow::Result<Response<Full<Bytes>>> {
    let gzipped = request
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "gzip");
    let body = request.into_body().collect().await?.to_bytes();
    let now_us = micros_since(clock);
    let plain = if gzipped {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .context("un-gzipping a webhook body")?;
        plain
    } else {
        body.to_vec()
    };
    let keys = keys_of(&plain);
    if let Ok(mut tally) = tally.lock() {
        let now = Instant::now();
        tally.first.get_or_insert(now);
        tally.last = Some(now);
        tally.posts += 1;
        for key in &keys {
            tally.impressions += 1;
            if let Some(sent) = sent_micros(key) {
                let _ = tally.delays_us.record(now_us.saturating_sub(sent).max(1));
            }
        }
    }
    Ok(Response::new(Full::new(Bytes::from_static(b"ok"))))
}

/// The impression keys of a Split JSON array or of NDJSON lines.
fn keys_of(body: &[u8]) -> Vec<String> {
    let key_of = |v: &serde_json::Value| v["key"].as_str().map(str::to_owned);
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => items.iter().filter_map(key_of).collect(),
        _ => body
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .filter_map(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
            .filter_map(|v| key_of(&v))
            .collect(),
    }
}
