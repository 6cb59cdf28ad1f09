//! The SQL of the writer's multi-row statements. Each table's rows are written by statements
//! of a few fixed sizes (powers of two up to `MAX_ROWS`), so the connection's statement cache
//! holds every one of them and nothing is parsed again after the first batches.

/// Rows per statement: 64 impressions bind 960 parameters. Larger statements gain little,
/// since SQLite's own work per row dominates once the per-statement overhead is amortised.
pub const MAX_ROWS: usize = 64;

/// A multi-row `INSERT OR FAIL INTO {head} (?,…),(?,…) {tail}`, `width` parameters per row.
///
/// `OR FAIL` rather than the default `OR ABORT`: undoing just the failed statement would need
/// a statement journal, a copy of every page the statement changes, which SQLite keeps for
/// every multi-row statement inside a transaction. It cost about 15% of the writer's time.
/// Any error rolls the whole transaction back anyway.
pub struct Insert {
    head: &'static str,
    width: usize,
    tail: &'static str,
}

pub const IMPRESSIONS: Insert = Insert {
    head: "impressions (environment_id, flag_id, key, bucketing_key, treatment_id, \
           label_id, change_number, ts, received_at, sdk_id, machine_ip_id, machine_name_id, \
           traffic_type_id, properties, impressions_mode_id) VALUES ",
    width: 15,
    tail: "",
};

pub const EVENTS: Insert = Insert {
    head: "events (environment_id, event_type_id, key, traffic_type_id, value, ts, \
           received_at, sdk_id, machine_ip_id, machine_name_id, properties) VALUES ",
    width: 11,
    tail: "",
};

pub const COUNTS: Insert = Insert {
    head: "impression_counts (environment_id, flag_id, hour, treatment_id, count) \
           VALUES ",
    width: 5,
    // Sums saturate: SDK counts are bounded, but an hour's total must never overflow.
    tail: " ON CONFLICT (environment_id, flag_id, hour, treatment_id) \
           DO UPDATE SET count = CASE \
             WHEN impression_counts.count > 9223372036854775807 - excluded.count \
             THEN 9223372036854775807 ELSE impression_counts.count + excluded.count END",
};

pub const USAGE: Insert = Insert {
    head: "usage_hourly (environment_id, hour, impressions_stored, \
           impressions_dropped_tracking_off, impressions_counted_by_sdk, events_stored) VALUES ",
    width: 6,
    tail: " ON CONFLICT (environment_id, hour) DO UPDATE SET \
           impressions_stored = usage_hourly.impressions_stored + excluded.impressions_stored, \
           impressions_dropped_tracking_off = usage_hourly.impressions_dropped_tracking_off \
             + excluded.impressions_dropped_tracking_off, \
           impressions_counted_by_sdk = CASE \
             WHEN usage_hourly.impressions_counted_by_sdk \
               > 9223372036854775807 - excluded.impressions_counted_by_sdk \
             THEN 9223372036854775807 \
             ELSE usage_hourly.impressions_counted_by_sdk + excluded.impressions_counted_by_sdk END, \
           events_stored = usage_hourly.events_stored + excluded.events_stored",
};

pub const UNIQUE_KEYS: Insert = Insert {
    head: "unique_keys (environment_id, month, key) VALUES ",
    width: 3,
    tail: " ON CONFLICT (environment_id, month, key) DO NOTHING",
};

pub const TELEMETRY: Insert = Insert {
    head: "sdk_telemetry (environment_id, kind, sdk, received_at, body) VALUES ",
    width: 5,
    tail: "",
};

/// Adds a string, or marks an existing one as used in the purge generation `?2`; its id.
pub const UPSERT_STRING: &str = "INSERT INTO strings (value, seen_generation) VALUES (?1, ?2) \
                                 ON CONFLICT (value) DO UPDATE \
                                 SET seen_generation = excluded.seen_generation RETURNING id";
/// Inside the writer's transaction, which holds SQLite's write lock: no purge can begin
/// until it commits.
pub const SELECT_GENERATION: &str = "SELECT generation FROM strings_generation WHERE id = 1";

impl Insert {
    /// The statement for `rows` rows.
    pub fn sql(&self, rows: usize) -> String {
        let row = format!("({})", vec!["?"; self.width].join(","));
        let values = vec![row; rows].join(",");
        format!("INSERT OR FAIL INTO {}{values}{}", self.head, self.tail)
    }
}

/// Splits `len` rows into statement sizes: `MAX_ROWS` while enough remain, then the powers of
/// two of the remainder, largest first.
pub fn chunk_sizes(mut len: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = match len {
            0 => return None,
            n if n >= MAX_ROWS => MAX_ROWS,
            n => 1 << n.ilog2(),
        };
        len -= size;
        Some(size)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_have_one_group_of_placeholders_per_row() {
        assert_eq!(
            UNIQUE_KEYS.sql(2),
            "INSERT OR FAIL INTO unique_keys (environment_id, month, key) VALUES (?,?,?),(?,?,?) \
             ON CONFLICT (environment_id, month, key) DO NOTHING"
        );
    }

    #[test]
    fn chunks_are_powers_of_two_that_add_up() {
        assert_eq!(chunk_sizes(0).count(), 0);
        let sizes: Vec<usize> = chunk_sizes(2 * MAX_ROWS + 11).collect();
        assert_eq!(sizes, vec![MAX_ROWS, MAX_ROWS, 8, 2, 1]);
        assert_eq!(chunk_sizes(1).collect::<Vec<_>>(), vec![1]);
    }
}
