//! A live tail client: reads `GET …/impressions/live` as a browser would, times each
//! impression from its stamped send to its arrival, and adds up what the stream says about
//! itself (`stats`, `notice`, `diagnostic`).

use std::time::Instant;

use anyhow::Context;
use hdrhistogram::Histogram;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::sender::{micros_since, sent_micros};
use crate::load::LatencySummary;
use crate::setup::AdminSession;

/// Delays are kept in microseconds, up to a minute.
const HIGHEST_DELAY_US: u64 = 60_000_000;

pub struct TailStream {
    query: String,
    response: reqwest::Response,
    /// Bytes of an event not complete yet.
    pending: Vec<u8>,
}

/// What one tail saw, over the whole run.
#[derive(Debug, Serialize)]
pub struct TailReport {
    pub query: String,
    pub impressions_received: u64,
    /// Send-to-arrival delay of the impressions sent after the warm-up.
    pub latency: LatencySummary,
    pub latency_samples: u64,
    /// Sums of the stream's `stats` events.
    pub matched: u64,
    pub sent: u64,
    pub skipped: u64,
    pub skipped_over_rate: u64,
    pub skipped_slow_client: u64,
    /// Seconds whose `stats` said the stream was sampling.
    pub seconds_sampling: u64,
    pub notices: u64,
    pub first_notice: Option<String>,
    pub diagnostics: u64,
}

#[derive(Deserialize)]
struct ImpressionData {
    key: String,
}

#[derive(Deserialize, Default)]
struct StatsData {
    matched: u64,
    sent: u64,
    skipped: u64,
    skipped_over_rate: u64,
    skipped_slow_client: u64,
    sampling: bool,
}

impl TailStream {
    /// Opens the tail of the environment and waits for its `ready` event: from then on every
    /// committed impression reaches it.
    pub async fn open(
        session: &AdminSession,
        environment: &str,
        query: &str,
    ) -> anyhow::Result<TailStream> {
        let response = session
            .get(&format!(
                "/api/v1/environments/{environment}/impressions/live?{query}"
            ))
            .send()
            .await
            .context("opening the live tail")?;
        anyhow::ensure!(
            response.status() == StatusCode::OK,
            "the live tail answered {}",
            response.status()
        );
        let mut stream = TailStream {
            query: query.to_owned(),
            response,
            pending: Vec::new(),
        };
        loop {
            let events = stream.next_events().await?;
            let events = events.context("the live tail ended before it was ready")?;
            if events.iter().any(|(event, _)| event == "ready") {
                return Ok(stream);
            }
        }
    }

    /// The complete events of the next chunk, as (event, data); `None` at the end.
    async fn next_events(&mut self) -> anyhow::Result<Option<Vec<(String, String)>>> {
        let Some(chunk) = self.response.chunk().await.context("reading the tail")? else {
            return Ok(None);
        };
        self.pending.extend_from_slice(&chunk);
        let events = take_events(&mut self.pending);
        Ok(Some(events))
    }

    /// Reads until `stop` turns true. Delays are recorded for impressions sent at or after
    /// `record_from_us` (on `clock`), so the warm-up does not count.
    pub async fn follow(
        mut self,
        clock: Instant,
        record_from_us: u64,
        mut stop: watch::Receiver<bool>,
    ) -> anyhow::Result<TailReport> {
        let mut delays = Histogram::<u64>::new_with_bounds(1, HIGHEST_DELAY_US, 3)?;
        let mut report = TailReport {
            query: self.query.clone(),
            impressions_received: 0,
            latency: LatencySummary::default(),
            latency_samples: 0,
            matched: 0,
            sent: 0,
            skipped: 0,
            skipped_over_rate: 0,
            skipped_slow_client: 0,
            seconds_sampling: 0,
            notices: 0,
            first_notice: None,
            diagnostics: 0,
        };
        loop {
            let events = tokio::select! {
                events = self.next_events() => events?,
                _ = stop.wait_for(|stop| *stop) => break,
            };
            let Some(events) = events else { break };
            // Every event of a chunk arrived together.
            let arrived_us = micros_since(clock);
            for (event, data) in events {
                match event.as_str() {
                    "impression" => {
                        report.impressions_received += 1;
                        let impression: ImpressionData = serde_json::from_str(&data)
                            .context("an impression event that is not an impression")?;
                        match sent_micros(&impression.key) {
                            Some(sent) if sent >= record_from_us => {
                                delays.saturating_record(arrived_us.saturating_sub(sent).max(1));
                            }
                            _ => {}
                        }
                    }
                    "stats" => {
                        let stats: StatsData = serde_json::from_str(&data).unwrap_or_default();
                        report.matched += stats.matched;
                        report.sent += stats.sent;
                        report.skipped += stats.skipped;
                        report.skipped_over_rate += stats.skipped_over_rate;
                        report.skipped_slow_client += stats.skipped_slow_client;
                        report.seconds_sampling += u64::from(stats.sampling);
                    }
                    "notice" => {
                        report.notices += 1;
                        report.first_notice.get_or_insert(data);
                    }
                    "diagnostic" => report.diagnostics += 1,
                    _ => {}
                }
            }
        }
        report.latency = LatencySummary::of_micros(&delays);
        report.latency_samples = delays.len();
        Ok(report)
    }
}

/// The complete events at the start of `pending`, as (event, data), removed from it; an
/// event's last bytes may come in a later chunk.
fn take_events(pending: &mut Vec<u8>) -> Vec<(String, String)> {
    let mut events = Vec::new();
    let mut consumed = 0;
    while let Some(end) = find(&pending[consumed..], b"\n\n") {
        let block = String::from_utf8_lossy(&pending[consumed..consumed + end]);
        let mut event = String::from("message");
        let mut data = String::new();
        // Comment lines (`: keep-alive`) and other fields are ignored, as browsers do.
        for line in block.lines() {
            if let Some(name) = line.strip_prefix("event:") {
                event = name.trim().to_owned();
            } else if let Some(value) = line.strip_prefix("data:") {
                data.push_str(value.trim_start());
            }
        }
        if !data.is_empty() {
            events.push((event, data));
        }
        consumed += end + 2;
    }
    pending.drain(..consumed);
    events
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::take_events;

    #[test]
    fn events_split_across_chunks_are_kept_whole() {
        let mut pending =
            b": keep-alive\n\nevent: stats\ndata: {\"sent\":1}\n\nevent: impr".to_vec();
        let events = take_events(&mut pending);
        assert_eq!(
            events,
            vec![("stats".to_owned(), "{\"sent\":1}".to_owned())]
        );
        pending.extend_from_slice(b"ession\ndata: {}\n\n");
        let events = take_events(&mut pending);
        assert_eq!(events, vec![("impression".to_owned(), "{}".to_owned())]);
        assert!(pending.is_empty());
    }
}
