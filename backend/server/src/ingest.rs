//! Turns parsed SDK posts into a write batch: flags resolved (and registered when new), the
//! tracking toggle enforced, counters and unique keys derived. Then the writer stores it.

use std::collections::{HashMap, HashSet};

use imprint_domain::ingest::{Event, Impression, SdkCount, SeenKey};
use imprint_store::ingest::{
    hour_of, month_of, CountDelta, EventRecord, ImpressionRecord, TelemetryRecord, UniqueKey,
    UsageDelta, WriteBatch,
};

use crate::actors::environments::EnvInfo;
use crate::actors::flags::{FlagState, Flags, ResolveError};
use crate::actors::writer::{WriteError, Writer};
use crate::http::ApiError;

#[derive(Clone)]
pub struct Ingest {
    pub flags: Flags,
    pub writer: Writer,
    pub activity: crate::activity::Activity,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImpressionOutcome {
    pub accepted: usize,
    pub dropped_tracking_off: usize,
}

impl Ingest {
    pub async fn impressions(
        &self,
        env: &EnvInfo,
        impressions: Vec<Impression>,
        now: i64,
    ) -> Result<ImpressionOutcome, ApiError> {
        self.activity.touch(env.id, now);
        let flags = self
            .flag_states(env, impressions.iter().map(|i| i.flag.as_str()))
            .await?;
        let mut outcome = ImpressionOutcome::default();
        let mut batch = WriteBatch::default();
        let mut counts: HashMap<(i64, i64, &str), i64> = HashMap::new();
        let mut keys: HashSet<UniqueKey> = HashSet::new();
        for impression in &impressions {
            keys.insert(UniqueKey {
                environment_id: env.id,
                month: month_of(impression.timestamp),
                key: impression.key.clone(),
            });
        }
        // Split's bulk format has no traffic type: it belongs to the flag's definition.
        let catalog = self.flags.catalog(env.id);
        let mut stored = Vec::with_capacity(impressions.len());
        for mut impression in impressions {
            let Some(flag) = flags.get(impression.flag.as_str()) else {
                continue;
            };
            if !flag.tracking_enabled {
                outcome.dropped_tracking_off += 1;
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
        outcome.accepted = stored.len();
        batch.impressions = stored
            .into_iter()
            .map(|(flag_id, impression)| ImpressionRecord {
                environment_id: env.id,
                flag_id,
                received_at: now,
                impression,
            })
            .collect();
        batch.unique_keys = keys.into_iter().collect();
        batch.usage = vec![UsageDelta {
            environment_id: env.id,
            hour: hour_of(now),
            impressions_stored: outcome.accepted as i64,
            impressions_dropped_tracking_off: outcome.dropped_tracking_off as i64,
            ..UsageDelta::default()
        }];
        self.store(batch).await?;
        Ok(outcome)
    }

    pub async fn events(
        &self,
        env: &EnvInfo,
        events: Vec<Event>,
        now: i64,
    ) -> Result<usize, ApiError> {
        let accepted = events.len();
        let batch = WriteBatch {
            events: events
                .into_iter()
                .map(|event| EventRecord {
                    environment_id: env.id,
                    received_at: now,
                    event,
                })
                .collect(),
            usage: vec![UsageDelta {
                environment_id: env.id,
                hour: hour_of(now),
                events_stored: accepted as i64,
                ..UsageDelta::default()
            }],
            ..WriteBatch::default()
        };
        self.store(batch).await?;
        Ok(accepted)
    }

    /// Evaluations the SDK counted instead of sending; they count whatever the toggle says.
    pub async fn sdk_counts(
        &self,
        env: &EnvInfo,
        counts: Vec<SdkCount>,
        now: i64,
    ) -> Result<(), ApiError> {
        let flags = self
            .flag_states(env, counts.iter().map(|c| c.flag.as_str()))
            .await?;
        let total: i64 = counts.iter().map(|c| c.count).sum();
        let batch = WriteBatch {
            counts: counts
                .iter()
                .filter_map(|c| {
                    Some(CountDelta {
                        environment_id: env.id,
                        flag_id: flags.get(c.flag.as_str())?.id,
                        hour: hour_of(c.hour),
                        treatment: None,
                        count: c.count,
                    })
                })
                .collect(),
            usage: vec![UsageDelta {
                environment_id: env.id,
                hour: hour_of(now),
                impressions_counted_by_sdk: total,
                ..UsageDelta::default()
            }],
            ..WriteBatch::default()
        };
        self.store(batch).await
    }

    /// Keys that evaluated flags (MTK), from `/v1/keys/*`.
    pub async fn seen_keys(
        &self,
        env: &EnvInfo,
        seen: Vec<SeenKey>,
        now: i64,
    ) -> Result<(), ApiError> {
        self.flag_states(env, seen.iter().map(|k| k.flag.as_str()))
            .await?;
        let month = month_of(now);
        let keys: HashSet<UniqueKey> = seen
            .into_iter()
            .map(|s| UniqueKey {
                environment_id: env.id,
                month,
                key: s.key,
            })
            .collect();
        self.store(WriteBatch {
            unique_keys: keys.into_iter().collect(),
            ..WriteBatch::default()
        })
        .await
    }

    pub async fn telemetry(&self, record: TelemetryRecord) -> Result<(), ApiError> {
        self.store(WriteBatch {
            telemetry: vec![record],
            ..WriteBatch::default()
        })
        .await
    }

    async fn flag_states<'a>(
        &self,
        env: &EnvInfo,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<String, FlagState>, ApiError> {
        let distinct: HashSet<&str> = names.collect();
        let names = distinct.into_iter().map(str::to_owned).collect();
        self.flags
            .resolve(env.id, names)
            .await
            .map_err(|e| match e {
                ResolveError::Actor(e) => e.into(),
                ResolveError::Db(e) => e.into(),
            })
    }

    async fn store(&self, batch: WriteBatch) -> Result<(), ApiError> {
        self.writer.record(batch).await.map_err(|e| match e {
            WriteError::Overloaded => ApiError::Unavailable {
                message: "Imprint is writing as fast as it can; retry this batch shortly".into(),
                retry_after: std::time::Duration::from_secs(1),
            },
            WriteError::Failed(cause) => ApiError::Internal(anyhow::anyhow!(cause)),
        })
    }
}
