//! Reading stored events back for exports, the same way as impressions (see
//! [`crate::impressions`]): a keyset scan by id within a fixed range, strings decoded from a
//! cache of the dictionary.

use std::sync::Arc;

use sea_orm::{DbErr, FromQueryResult};

use crate::impressions::{
    id_bounds, ids_of, properties_match, Conditions, Keyset, Names, ScanRange, TimeField,
};
use crate::Database;

/// One stored event with its strings decoded.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    /// The environment's name (shared by every row of a scan).
    pub environment: Arc<str>,
    pub event_type: String,
    pub key: String,
    pub traffic_type: Option<String>,
    pub value: Option<f64>,
    pub timestamp: i64,
    pub received_at: i64,
    pub sdk: Option<String>,
    pub machine_ip: Option<String>,
    pub machine_name: Option<String>,
    pub properties: Option<String>,
}

/// Which events to read. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub environment_id: i64,
    pub event_types: Vec<String>,
    pub keys: Vec<String>,
    /// Time bounds in ms, `from` inclusive and `to` exclusive, on `time_field`.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub time_field: TimeField,
    pub properties: Vec<(String, String)>,
}

#[derive(FromQueryResult)]
struct RawEvent {
    id: i64,
    event_type_id: i64,
    key: String,
    traffic_type_id: Option<i64>,
    value: Option<f64>,
    ts: i64,
    received_at: i64,
    sdk_id: Option<i64>,
    machine_ip_id: Option<i64>,
    machine_name_id: Option<i64>,
    properties: Option<String>,
}

const EVENT_COLUMNS: &str = "id, event_type_id, key, traffic_type_id, value, ts, received_at, \
     sdk_id, machine_ip_id, machine_name_id, properties";

/// A scan over the events matching a query.
pub struct EventScan {
    db: Database,
    environment: Arc<str>,
    keyset: Keyset,
    properties: Vec<(String, String)>,
    strings: Names,
}

impl EventScan {
    /// Plans the scan and fixes its id range to the matching rows stored now.
    pub async fn open(db: &Database, query: &EventQuery) -> Result<Self, DbErr> {
        Self::start(db, query, None).await
    }

    /// Continues a scan from a checkpoint.
    pub async fn resume(
        db: &Database,
        query: &EventQuery,
        range: ScanRange,
    ) -> Result<Self, DbErr> {
        Self::start(db, query, Some(range)).await
    }

    async fn start(db: &Database, q: &EventQuery, range: Option<ScanRange>) -> Result<Self, DbErr> {
        let env = q.environment_id;
        let mut filter = Conditions::new("+environment_id = {}", env);
        let mut matches_nothing = false;
        if !q.event_types.is_empty() {
            let ids = ids_of(db, "strings", "value", &q.event_types, None).await?;
            matches_nothing = ids.is_empty();
            filter.push_in("+event_type_id", &ids);
        }
        if !q.keys.is_empty() {
            filter.push_in("key", &q.keys);
        }
        let column = q.time_field.column();
        filter.push_time_bounds(&format!("+{column}"), q.from, q.to);
        // Both clocks have an (environment_id, …) index on events.
        let index = (q.from.is_some() || q.to.is_some()).then(|| {
            let mut index = Conditions::new("environment_id = {}", env);
            index.push_time_bounds(column, q.from, q.to);
            index
        });
        let keyset = if matches_nothing {
            Keyset::empty()
        } else {
            let range = match range {
                Some(range) => Some(range),
                None => id_bounds(db, "events", index.as_ref()).await?,
            };
            Keyset::new("events", EVENT_COLUMNS, filter, range)
        };
        Ok(EventScan {
            db: db.clone(),
            environment: db.environment_name(env).await?,
            keyset,
            properties: q.properties.clone(),
            strings: Names::strings(),
        })
    }

    /// How many rows the scan would return, counted without reading them all.
    pub async fn count(&self) -> Result<u64, DbErr> {
        self.keyset.count(&self.db, &self.properties).await
    }

    /// Where the scan stands: every matching row up to `after` has been returned.
    pub fn range(&self) -> ScanRange {
        self.keyset.range
    }

    /// The next page (possibly empty), or `None` once the range is exhausted.
    pub async fn next_page(&mut self, limit: u64) -> Result<Option<Vec<StoredEvent>>, DbErr> {
        let Some(raw) = self
            .keyset
            .next::<RawEvent>(&self.db, limit, |r| r.id)
            .await?
        else {
            return Ok(None);
        };
        self.decode(raw).await.map(Some)
    }

    /// The newest matching rows, at most `limit` read, oldest first (a live tail's replay).
    pub async fn latest(&mut self, limit: u64) -> Result<Vec<StoredEvent>, DbErr> {
        let raw = self.keyset.latest::<RawEvent>(&self.db, limit).await?;
        self.decode(raw).await
    }

    /// Applies the property filter and decodes the dictionary strings.
    async fn decode(&mut self, raw: Vec<RawEvent>) -> Result<Vec<StoredEvent>, DbErr> {
        let raw: Vec<RawEvent> = raw
            .into_iter()
            .filter(|r| properties_match(r.properties.as_deref(), &self.properties))
            .collect();
        self.strings
            .learn(
                &self.db,
                raw.iter().flat_map(|r| {
                    [
                        Some(r.event_type_id),
                        r.traffic_type_id,
                        r.sdk_id,
                        r.machine_ip_id,
                        r.machine_name_id,
                    ]
                }),
            )
            .await?;
        let strings = &self.strings;
        Ok(raw
            .into_iter()
            .map(|r| StoredEvent {
                id: r.id,
                environment: self.environment.clone(),
                event_type: strings.get(Some(r.event_type_id)).unwrap_or_default(),
                key: r.key,
                traffic_type: strings.get(r.traffic_type_id),
                value: r.value,
                timestamp: r.ts,
                received_at: r.received_at,
                sdk: strings.get(r.sdk_id),
                machine_ip: strings.get(r.machine_ip_id),
                machine_name: strings.get(r.machine_name_id),
                properties: r.properties,
            })
            .collect())
    }
}
