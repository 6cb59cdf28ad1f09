//! Turns parsed SDK posts into a write batch: flags resolved (and registered when new, up to
//! the environment's cap), new dictionary strings held to theirs, the tracking toggle
//! enforced, counters and unique keys derived. Then the writer stores it, and the answer
//! reports every item: accepted, dropped by the toggle, or rejected with a code.

mod bounds;
mod report;
mod strings;

use std::collections::{HashMap, HashSet};

use imprint_domain::ingest::{codes, Event, Impression, Parsed, SdkCount, SeenKey};
use imprint_store::ingest::{
    hour_of, month_of, CountDelta, EventRecord, ImpressionRecord, TelemetryRecord, UniqueKey,
    UsageDelta, WriteBatch,
};
use imprint_types::IngestReport;

use crate::actors::environments::EnvInfo;
use crate::actors::flags::Flags;
use crate::actors::writer::Writer;
use report::{event_strings, impression_strings, report};
pub use strings::StringBudget;

/// Why a post was not stored; `http/error.rs` turns it into an answer.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Write(#[from] crate::actors::writer::WriteError),
    #[error(transparent)]
    Flags(#[from] crate::actors::flags::ResolveError),
}

/// The per-environment bounds of ingestion (see the configuration table in the README).
#[derive(Debug, Clone, Copy)]
pub struct IngestBounds {
    pub max_flags_per_environment: usize,
    pub max_distinct_strings_per_environment: usize,
}

#[derive(Clone)]
pub struct Ingest {
    pub flags: Flags,
    pub writer: Writer,
    pub activity: crate::activity::Activity,
    bounds: IngestBounds,
    strings: StringBudget,
}

impl Ingest {
    pub fn new(flags: Flags, writer: Writer, bounds: IngestBounds) -> Ingest {
        Ingest {
            flags,
            writer,
            activity: Default::default(),
            strings: StringBudget::new(bounds.max_distinct_strings_per_environment),
            bounds,
        }
    }

    /// The per-environment count of distinct strings, which retention recounts.
    pub fn string_budget(&self) -> StringBudget {
        self.strings.clone()
    }

    pub async fn impressions(
        &self,
        env: &EnvInfo,
        parsed: Parsed<Impression>,
        now: i64,
    ) -> Result<IngestReport, IngestError> {
        self.impressions_in_mode(env, parsed, now, None).await
    }

    /// Impressions from an SDK that named its impressions mode (`SplitSDKImpressionsMode`),
    /// which is kept with each of them. Only the modes Split defines are kept: the header is
    /// the caller's to choose, and anything else would grow the string dictionary.
    pub async fn impressions_in_mode(
        &self,
        env: &EnvInfo,
        parsed: Parsed<Impression>,
        now: i64,
        impressions_mode: Option<&str>,
    ) -> Result<IngestReport, IngestError> {
        let impressions_mode: Option<std::sync::Arc<str>> = impressions_mode
            .and_then(|mode| {
                ["OPTIMIZED", "DEBUG", "NONE"]
                    .into_iter()
                    .find(|known| known.eq_ignore_ascii_case(mode.trim()))
            })
            .map(Into::into);
        self.activity.touch(env.id, now);
        let Parsed {
            items: impressions,
            indices,
            mut rejected,
        } = parsed;
        let flags = self
            .flag_states(env, impressions.iter().map(|i| i.flag.as_str()))
            .await?;
        let refused = self
            .strings
            .admit(env.id, impressions.iter().flat_map(impression_strings));
        let mut admitted = Vec::with_capacity(impressions.len());
        for (index, impression) in indices.into_iter().zip(impressions) {
            let Some(flag) = flags.get(impression.flag.as_str()) else {
                rejected.add(index, codes::TOO_MANY_FLAGS, self.too_many_flags());
                continue;
            };
            if !refused.is_empty() && impression_strings(&impression).any(|s| refused.contains(s)) {
                rejected.add(
                    index,
                    codes::TOO_MANY_DISTINCT_STRINGS,
                    self.too_many_strings(),
                );
                continue;
            }
            admitted.push((flag, impression));
        }
        let keys: HashSet<UniqueKey> = admitted
            .iter()
            .map(|(_, impression)| UniqueKey {
                environment_id: env.id,
                month: month_of(impression.timestamp),
                key: impression.key.clone(),
            })
            .collect();
        let mut dropped_tracking_off = 0;
        let mut batch = WriteBatch::default();
        let mut counts: HashMap<(i64, i64, &str), i64> = HashMap::new();
        // Split's bulk format has no traffic type: it belongs to the flag's definition.
        let catalog = self.flags.catalog(env.id);
        let mut stored = Vec::with_capacity(admitted.len());
        for (flag, mut impression) in admitted {
            // SDKs flush minutes after evaluating: the toggle at the impression's own time
            // decides, so a toggle never reaches back or forward over impressions in flight.
            if !flag.tracking_at(impression.timestamp) {
                dropped_tracking_off += 1;
                continue;
            }
            if impression.traffic_type.is_none() {
                impression.traffic_type = catalog
                    .definitions
                    .get(&impression.flag)
                    .map(|d| d.traffic_type.clone());
            }
            stored.push((flag.id, impression));
        }
        for (flag_id, impression) in &stored {
            *counts
                .entry((
                    *flag_id,
                    hour_of(impression.timestamp),
                    &impression.treatment,
                ))
                .or_default() += 1;
        }
        batch.counts = counts
            .into_iter()
            .map(|((flag_id, hour, treatment), count)| CountDelta {
                environment_id: env.id,
                flag_id,
                hour,
                treatment: Some(treatment.to_owned()),
                count,
            })
            .collect();
        let accepted = stored.len();
        batch.impressions = stored
            .into_iter()
            .map(|(flag_id, impression)| ImpressionRecord {
                environment_id: env.id,
                flag_id,
                received_at: now,
                impression,
                impressions_mode: impressions_mode.clone(),
            })
            .collect();
        batch.unique_keys = keys.into_iter().collect();
        batch.usage = vec![UsageDelta {
            environment_id: env.id,
            hour: hour_of(now),
            impressions_stored: accepted as i64,
            impressions_dropped_tracking_off: dropped_tracking_off as i64,
            ..UsageDelta::default()
        }];
        self.writer.record(batch).await?;
        Ok(report(accepted, dropped_tracking_off, rejected))
    }

    pub async fn events(
        &self,
        env: &EnvInfo,
        parsed: Parsed<Event>,
        now: i64,
    ) -> Result<IngestReport, IngestError> {
        let Parsed {
            items: events,
            indices,
            mut rejected,
        } = parsed;
        let refused = self
            .strings
            .admit(env.id, events.iter().flat_map(event_strings));
        let mut records = Vec::with_capacity(events.len());
        for (index, event) in indices.into_iter().zip(events) {
            if !refused.is_empty() && event_strings(&event).any(|s| refused.contains(s)) {
                rejected.add(
                    index,
                    codes::TOO_MANY_DISTINCT_STRINGS,
                    self.too_many_strings(),
                );
                continue;
            }
            records.push(EventRecord {
                environment_id: env.id,
                received_at: now,
                event,
            });
        }
        let accepted = records.len();
        let batch = WriteBatch {
            events: records,
            usage: vec![UsageDelta {
                environment_id: env.id,
                hour: hour_of(now),
                events_stored: accepted as i64,
                ..UsageDelta::default()
            }],
            ..WriteBatch::default()
        };
        self.writer.record(batch).await?;
        Ok(report(accepted, 0, rejected))
    }

    /// Evaluations the SDK counted instead of sending; they count whatever the toggle says.
    pub async fn sdk_counts(
        &self,
        env: &EnvInfo,
        parsed: Parsed<SdkCount>,
        now: i64,
    ) -> Result<IngestReport, IngestError> {
        let Parsed {
            items: counts,
            indices,
            mut rejected,
        } = parsed;
        let flags = self
            .flag_states(env, counts.iter().map(|c| c.flag.as_str()))
            .await?;
        let mut deltas = Vec::with_capacity(counts.len());
        for (index, count) in indices.into_iter().zip(counts) {
            let Some(flag) = flags.get(count.flag.as_str()) else {
                rejected.add(index, codes::TOO_MANY_FLAGS, self.too_many_flags());
                continue;
            };
            deltas.push(CountDelta {
                environment_id: env.id,
                flag_id: flag.id,
                hour: hour_of(count.hour),
                treatment: None,
                count: count.count,
            });
        }
        // Each count is bounded, but a body of many may not overflow the total either.
        let total = deltas
            .iter()
            .fold(0_i64, |sum, c| sum.saturating_add(c.count));
        let accepted = deltas.len();
        let batch = WriteBatch {
            counts: deltas,
            usage: vec![UsageDelta {
                environment_id: env.id,
                hour: hour_of(now),
                impressions_counted_by_sdk: total,
                ..UsageDelta::default()
            }],
            ..WriteBatch::default()
        };
        self.writer.record(batch).await?;
        Ok(report(accepted, 0, rejected))
    }

    /// Keys that evaluated flags (MTK), from `/v1/keys/*`.
    pub async fn seen_keys(
        &self,
        env: &EnvInfo,
        parsed: Parsed<SeenKey>,
        now: i64,
    ) -> Result<IngestReport, IngestError> {
        let Parsed {
            items: seen,
            indices,
            mut rejected,
        } = parsed;
        let flags = self
            .flag_states(env, seen.iter().map(|k| k.flag.as_str()))
            .await?;
        let month = month_of(now);
        let mut accepted = 0;
        let mut keys = HashSet::new();
        for (index, s) in indices.into_iter().zip(seen) {
            if !flags.contains_key(s.flag.as_str()) {
                rejected.add(index, codes::TOO_MANY_FLAGS, self.too_many_flags());
                continue;
            }
            accepted += 1;
            keys.insert(UniqueKey {
                environment_id: env.id,
                month,
                key: s.key,
            });
        }
        self.writer
            .record(WriteBatch {
                unique_keys: keys.into_iter().collect(),
                ..WriteBatch::default()
            })
            .await?;
        Ok(report(accepted, 0, rejected))
    }

    pub async fn telemetry(&self, record: TelemetryRecord) -> Result<(), IngestError> {
        self.writer
            .record(WriteBatch {
                telemetry: vec![record],
                ..WriteBatch::default()
            })
            .await?;
        Ok(())
    }
}
