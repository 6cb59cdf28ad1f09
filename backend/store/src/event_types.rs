//! What the Events page reads: per `track()` event type of an environment, its volume over
//! time and the raw properties of its most recent events. Everything is grouped in the
//! database; only the small property sample comes back as rows.

use sea_orm::{DbErr, FromQueryResult};

use crate::Database;

/// One event type's totals in a window.
#[derive(Debug, Clone, FromQueryResult)]
pub struct EventTypeTotals {
    pub event_type_id: i64,
    pub name: String,
    pub event_count: i64,
    pub distinct_keys: i64,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// Events of one type in one bucket, numbered from the window's start.
#[derive(Debug, Clone, FromQueryResult)]
pub struct EventTypeBucket {
    pub event_type_id: i64,
    pub bucket: i64,
    pub event_count: i64,
}

#[derive(FromQueryResult)]
struct PropertiesRow {
    properties: Option<String>,
}

impl Database {
    /// The event types seen in `[from, to)`, busiest first, at most `limit`.
    pub async fn event_type_totals(
        &self,
        environment_id: i64,
        from: i64,
        to: i64,
        limit: u64,
    ) -> Result<Vec<EventTypeTotals>, DbErr> {
        self.query(
            "SELECT t.event_type_id, s.value AS name, t.event_count, t.distinct_keys, \
             t.first_seen, t.last_seen FROM ( \
               SELECT event_type_id, CAST(COUNT(*) AS BIGINT) AS event_count, \
               CAST(COUNT(DISTINCT key) AS BIGINT) AS distinct_keys, \
               MIN(ts) AS first_seen, MAX(ts) AS last_seen FROM events \
               WHERE environment_id = {} AND ts >= {} AND ts < {} GROUP BY event_type_id \
             ) t JOIN strings s ON s.id = t.event_type_id \
             ORDER BY t.event_count DESC, s.value LIMIT {}",
            vec![
                environment_id.into(),
                from.into(),
                to.into(),
                (limit as i64).into(),
            ],
        )
        .await
    }

    /// Events per type and bucket of `bucket_ms` in `[from, to)`; bucket 0 starts at `from`.
    pub async fn event_type_volume(
        &self,
        environment_id: i64,
        from: i64,
        to: i64,
        bucket_ms: i64,
    ) -> Result<Vec<EventTypeBucket>, DbErr> {
        self.query(
            "SELECT event_type_id, bucket, CAST(COUNT(*) AS BIGINT) AS event_count FROM ( \
               SELECT event_type_id, CAST((ts - {}) / {} AS BIGINT) AS bucket FROM events \
               WHERE environment_id = {} AND ts >= {} AND ts < {} \
             ) b GROUP BY event_type_id, bucket",
            vec![
                from.into(),
                bucket_ms.into(),
                environment_id.into(),
                from.into(),
                to.into(),
            ],
        )
        .await
    }

    /// The raw properties (JSON objects) of the type's `limit` most recent events in
    /// `[from, to)` that had any; the (environment, event type, time) index keeps it cheap.
    pub async fn recent_event_properties(
        &self,
        environment_id: i64,
        event_type_id: i64,
        from: i64,
        to: i64,
        limit: u64,
    ) -> Result<Vec<String>, DbErr> {
        let rows: Vec<PropertiesRow> = self
            .query(
                "SELECT properties FROM events \
                 WHERE environment_id = {} AND event_type_id = {} AND ts >= {} AND ts < {} \
                 AND properties IS NOT NULL ORDER BY ts DESC LIMIT {}",
                vec![
                    environment_id.into(),
                    event_type_id.into(),
                    from.into(),
                    to.into(),
                    (limit as i64).into(),
                ],
            )
            .await?;
        Ok(rows.into_iter().filter_map(|r| r.properties).collect())
    }
}
