//! A flag's tracking toggle over time. SDKs flush impressions minutes after evaluating them,
//! so whether one is kept depends on the toggle at the impression's own time, not at arrival.

use std::sync::Arc;

use imprint_store::flags::TrackingChangeRow;

/// The toggle's changes, oldest first. Flags start with tracking on (observed and defined
/// flags alike), so before the first change the toggle was on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackingHistory {
    /// `(changed_at ms, enabled)`, sorted by time.
    changes: Arc<[(i64, bool)]>,
}

impl TrackingHistory {
    pub fn from_changes(rows: &[TrackingChangeRow]) -> TrackingHistory {
        let mut changes: Vec<(i64, bool)> =
            rows.iter().map(|c| (c.changed_at, c.enabled)).collect();
        changes.sort_by_key(|(at, _)| *at);
        TrackingHistory {
            changes: changes.into(),
        }
    }

    /// The history with one more change (the newest).
    pub fn with_change(&self, changed_at: i64, enabled: bool) -> TrackingHistory {
        let mut changes = self.changes.to_vec();
        changes.push((changed_at, enabled));
        changes.sort_by_key(|(at, _)| *at);
        TrackingHistory {
            changes: changes.into(),
        }
    }

    /// Whether tracking was on at `at` (ms): the newest change at or before it decides.
    pub fn enabled_at(&self, at: i64) -> bool {
        let decided_by = self
            .changes
            .partition_point(|(changed_at, _)| *changed_at <= at);
        decided_by
            .checked_sub(1)
            .and_then(|index| self.changes.get(index))
            .is_none_or(|(_, enabled)| *enabled)
    }

    /// Whether tracking was off from `from` to `to` (ms, both inclusive) without a break.
    pub fn off_throughout(&self, from: i64, to: i64) -> bool {
        !self.enabled_at(from)
            && !self
                .changes
                .iter()
                .any(|&(at, enabled)| enabled && at > from && at <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_change_at_or_before_the_time_decides() {
        let history = TrackingHistory::default()
            .with_change(100, false)
            .with_change(200, true);
        assert!(history.enabled_at(99), "on before the first change");
        assert!(!history.enabled_at(100));
        assert!(!history.enabled_at(199));
        assert!(history.enabled_at(200));
        assert!(history.enabled_at(i64::MAX));
        assert!(TrackingHistory::default().enabled_at(0));
    }

    #[test]
    fn tracking_is_off_throughout_a_window_only_without_a_moment_on() {
        let history = TrackingHistory::default()
            .with_change(100, false)
            .with_change(200, true);
        assert!(history.off_throughout(100, 199));
        assert!(!history.off_throughout(100, 200), "turned on at the end");
        assert!(!history.off_throughout(50, 150), "on at the start");
        assert!(!history.off_throughout(250, 300));
        assert!(!TrackingHistory::default().off_throughout(0, 10));
    }
}
