//! Combining the batches of many requests into one transaction's worth.

use std::collections::HashMap;

use super::{CountDelta, UsageDelta, WriteBatch};

impl WriteBatch {
    /// Merges batches, summing counters that share a key: a multi-row upsert may not touch
    /// the same row twice (PostgreSQL refuses), and fewer rows are cheaper anyway.
    pub fn merge(batches: impl IntoIterator<Item = WriteBatch>) -> WriteBatch {
        let mut merged = WriteBatch::default();
        let mut counts: HashMap<(i64, i64, i64, Option<String>), i64> = HashMap::new();
        let mut usage: HashMap<(i64, i64), UsageDelta> = HashMap::new();
        for batch in batches {
            merged.impressions.extend(batch.impressions);
            merged.events.extend(batch.events);
            merged.telemetry.extend(batch.telemetry);
            merged.unique_keys.extend(batch.unique_keys);
            for c in batch.counts {
                *counts
                    .entry((c.environment_id, c.flag_id, c.hour, c.treatment))
                    .or_default() += c.count;
            }
            for u in batch.usage {
                let total = usage
                    .entry((u.environment_id, u.hour))
                    .or_insert_with(|| UsageDelta {
                        environment_id: u.environment_id,
                        hour: u.hour,
                        ..UsageDelta::default()
                    });
                total.impressions_stored += u.impressions_stored;
                total.impressions_dropped_tracking_off += u.impressions_dropped_tracking_off;
                total.impressions_counted_by_sdk += u.impressions_counted_by_sdk;
                total.events_stored += u.events_stored;
            }
        }
        merged.unique_keys.sort_unstable_by(|a, b| {
            (a.environment_id, a.month, &a.key).cmp(&(b.environment_id, b.month, &b.key))
        });
        merged.unique_keys.dedup();
        merged.counts = counts
            .into_iter()
            .map(
                |((environment_id, flag_id, hour, treatment), count)| CountDelta {
                    environment_id,
                    flag_id,
                    hour,
                    treatment,
                    count,
                },
            )
            .collect();
        merged.usage = usage.into_values().collect();
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::UniqueKey;

    fn batch(count: i64, key: &str) -> WriteBatch {
        WriteBatch {
            counts: vec![CountDelta {
                environment_id: 1,
                flag_id: 2,
                hour: 0,
                treatment: Some("on".into()),
                count,
            }],
            usage: vec![UsageDelta {
                environment_id: 1,
                hour: 0,
                impressions_stored: count,
                ..Default::default()
            }],
            unique_keys: vec![UniqueKey {
                environment_id: 1,
                month: 202611,
                key: key.into(),
            }],
            ..WriteBatch::default()
        }
    }

    #[test]
    fn merging_sums_shared_counters_and_dedups_keys() {
        let merged = WriteBatch::merge([batch(2, "a"), batch(3, "a"), batch(1, "b")]);
        assert_eq!(merged.counts.len(), 1);
        assert_eq!(merged.counts[0].count, 6);
        assert_eq!(merged.usage.len(), 1);
        assert_eq!(merged.usage[0].impressions_stored, 6);
        assert_eq!(merged.unique_keys.len(), 2);
    }
}
