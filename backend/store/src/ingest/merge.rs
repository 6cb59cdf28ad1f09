//! Combining the batches of many requests into one transaction's worth, and taking them apart
//! again when that transaction fails, so each request can be written alone.

use std::collections::HashMap;

use super::{CountDelta, UsageDelta, WriteBatch};

/// What one request brought to a merged batch: how many of the appended rows are its own,
/// and its counters, which the merge sums with the others'.
#[derive(Debug, Clone)]
pub struct Part {
    impressions: usize,
    events: usize,
    telemetry: usize,
    unique_keys: usize,
    counts: Vec<CountDelta>,
    usage: Vec<UsageDelta>,
}

impl WriteBatch {
    /// Merges batches, summing counters that share a key: a multi-row upsert may not touch
    /// the same row twice (PostgreSQL refuses), and fewer rows are cheaper anyway. Rows are
    /// moved, not copied; only the few counters are kept aside per request, for `split`.
    /// Unique keys may repeat across requests: their inserts ignore duplicates.
    pub fn merge(batches: impl IntoIterator<Item = WriteBatch>) -> (WriteBatch, Vec<Part>) {
        let mut merged = WriteBatch::default();
        let mut parts = Vec::new();
        let mut counts: HashMap<(i64, i64, i64, Option<String>), i64> = HashMap::new();
        let mut usage: HashMap<(i64, i64), UsageDelta> = HashMap::new();
        for batch in batches {
            parts.push(Part {
                impressions: batch.impressions.len(),
                events: batch.events.len(),
                telemetry: batch.telemetry.len(),
                unique_keys: batch.unique_keys.len(),
                counts: batch.counts.clone(),
                usage: batch.usage.clone(),
            });
            merged.impressions.extend(batch.impressions);
            merged.events.extend(batch.events);
            merged.telemetry.extend(batch.telemetry);
            merged.unique_keys.extend(batch.unique_keys);
            for c in batch.counts {
                let total = counts
                    .entry((c.environment_id, c.flag_id, c.hour, c.treatment))
                    .or_default();
                *total = total.saturating_add(c.count);
            }
            for u in batch.usage {
                let total = usage
                    .entry((u.environment_id, u.hour))
                    .or_insert_with(|| UsageDelta {
                        environment_id: u.environment_id,
                        hour: u.hour,
                        ..UsageDelta::default()
                    });
                total.add(&u);
            }
        }
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
        (merged, parts)
    }

    /// The requests' own batches again, from a merged batch and its parts.
    pub fn split(mut self, parts: Vec<Part>) -> Vec<WriteBatch> {
        let mut impressions = self.impressions.drain(..);
        let mut events = self.events.drain(..);
        let mut telemetry = self.telemetry.drain(..);
        let mut unique_keys = self.unique_keys.drain(..);
        parts
            .into_iter()
            .map(|part| WriteBatch {
                impressions: impressions.by_ref().take(part.impressions).collect(),
                events: events.by_ref().take(part.events).collect(),
                telemetry: telemetry.by_ref().take(part.telemetry).collect(),
                unique_keys: unique_keys.by_ref().take(part.unique_keys).collect(),
                counts: part.counts,
                usage: part.usage,
            })
            .collect()
    }
}

impl UsageDelta {
    fn add(&mut self, other: &UsageDelta) {
        let sum = |a: &mut i64, b: i64| *a = a.saturating_add(b);
        sum(&mut self.impressions_stored, other.impressions_stored);
        sum(
            &mut self.impressions_dropped_tracking_off,
            other.impressions_dropped_tracking_off,
        );
        sum(
            &mut self.impressions_counted_by_sdk,
            other.impressions_counted_by_sdk,
        );
        sum(&mut self.events_stored, other.events_stored);
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
    fn merging_sums_shared_counters_and_splitting_gives_each_request_its_own() {
        let (merged, parts) = WriteBatch::merge([batch(2, "a"), batch(3, "a"), batch(1, "b")]);
        assert_eq!(merged.counts.len(), 1);
        assert_eq!(merged.counts[0].count, 6);
        assert_eq!(merged.usage.len(), 1);
        assert_eq!(merged.usage[0].impressions_stored, 6);
        assert_eq!(merged.unique_keys.len(), 3);

        let split = merged.split(parts);
        assert_eq!(split.len(), 3);
        assert_eq!(split[1].counts[0].count, 3);
        assert_eq!(split[2].unique_keys[0].key, "b");
    }

    #[test]
    fn merged_counters_saturate() {
        let (merged, _) = WriteBatch::merge([batch(i64::MAX, "a"), batch(5, "a")]);
        assert_eq!(merged.counts[0].count, i64::MAX);
        assert_eq!(merged.usage[0].impressions_stored, i64::MAX);
    }
}
