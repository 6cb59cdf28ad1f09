//! Reading stored impressions back for exports.
//!
//! A scan reads pages in id order (keyset pagination, never OFFSET) within an id range fixed
//! when it opens: the rows stored at that moment, found through the indexes when the criteria
//! allow. The scan itself walks the primary key, so a page costs the same at the end of ten
//! million rows as at the start. Dictionary-encoded strings are decoded from an in-memory cache
//! of `strings` filled as new ids show up, instead of six joins per row.

use std::sync::Arc;

use sea_orm::{DbBackend, DbErr, FromQueryResult};

use crate::Database;

mod keyset;

pub use keyset::properties_match;
pub(crate) use keyset::{id_bounds, ids_of, query_all, Conditions, Keyset, Names};

/// One stored impression with its strings decoded.
#[derive(Debug, Clone)]
pub struct StoredImpression {
    pub id: i64,
    /// The environment's name (shared by every row of a scan).
    pub environment: Arc<str>,
    pub flag: String,
    pub key: String,
    pub bucketing_key: Option<String>,
    pub treatment: String,
    pub label: Option<String>,
    pub change_number: Option<i64>,
    pub timestamp: i64,
    pub received_at: i64,
    pub sdk: Option<String>,
    pub machine_ip: Option<String>,
    pub machine_name: Option<String>,
    pub traffic_type: Option<String>,
    pub properties: Option<String>,
    /// The SDK's impressions mode (`OPTIMIZED`, `DEBUG`, `NONE`), when it said.
    pub impressions_mode: Option<String>,
}

/// Which clock `from` and `to` bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeField {
    /// When the SDK evaluated the flag (or tracked the event).
    #[default]
    Timestamp,
    /// When Imprint stored it: windows by reception time miss no late arrivals.
    ReceivedAt,
}

impl TimeField {
    pub(crate) fn column(self) -> &'static str {
        match self {
            TimeField::Timestamp => "ts",
            TimeField::ReceivedAt => "received_at",
        }
    }
}

/// Which impressions to read. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct ImpressionQuery {
    pub environment_id: i64,
    /// Flag names.
    pub flags: Vec<String>,
    /// Time bounds in ms, `from` inclusive and `to` exclusive, on `time_field`.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub time_field: TimeField,
    pub treatments: Vec<String>,
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    pub sdks: Vec<String>,
    /// `(name, value)` pairs the properties must all hold (see [`properties_match`]).
    pub properties: Vec<(String, String)>,
}

/// The ids a scan has left to read: `after < id <= until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanRange {
    pub after: i64,
    pub until: i64,
}

#[derive(FromQueryResult)]
struct RawImpression {
    id: i64,
    flag_id: i64,
    key: String,
    bucketing_key: Option<String>,
    treatment_id: i64,
    label_id: Option<i64>,
    change_number: Option<i64>,
    ts: i64,
    received_at: i64,
    sdk_id: Option<i64>,
    machine_ip_id: Option<i64>,
    machine_name_id: Option<i64>,
    traffic_type_id: Option<i64>,
    properties: Option<String>,
    impressions_mode_id: Option<i64>,
}

const IMPRESSION_COLUMNS: &str = "id, flag_id, key, bucketing_key, treatment_id, label_id, \
     change_number, ts, received_at, sdk_id, machine_ip_id, machine_name_id, traffic_type_id, \
     properties, impressions_mode_id";

/// A scan over the impressions matching a query; see the module docs.
pub struct ImpressionScan {
    db: Database,
    environment: Arc<str>,
    keyset: Keyset,
    properties: Vec<(String, String)>,
    flags: Names,
    strings: Names,
}

impl ImpressionScan {
    /// Plans the scan and fixes its id range to the matching rows stored now.
    pub async fn open(db: &Database, query: &ImpressionQuery) -> Result<Self, DbErr> {
        Self::start(db, query, None).await
    }

    /// Continues a scan from a checkpoint (a range an earlier scan reported).
    pub async fn resume(
        db: &Database,
        query: &ImpressionQuery,
        range: ScanRange,
    ) -> Result<Self, DbErr> {
        Self::start(db, query, Some(range)).await
    }

    async fn start(
        db: &Database,
        query: &ImpressionQuery,
        range: Option<ScanRange>,
    ) -> Result<Self, DbErr> {
        let keyset = match impression_conditions(db, query).await? {
            None => Keyset::empty(),
            Some((filter, index)) => {
                let range = match range {
                    Some(range) => Some(range),
                    None => id_bounds(db, "impressions", index.as_ref()).await?,
                };
                Keyset::new("impressions", IMPRESSION_COLUMNS, filter, range)
            }
        };
        Ok(ImpressionScan {
            db: db.clone(),
            environment: db.environment_name(query.environment_id).await?,
            keyset,
            properties: query.properties.clone(),
            flags: Names::new("SELECT id, name FROM flags WHERE id IN "),
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

    /// The next page (possibly empty when a property filter rejected all its rows), or `None`
    /// once the range is exhausted. `limit` bounds the rows read, not the rows returned.
    pub async fn next_page(&mut self, limit: u64) -> Result<Option<Vec<StoredImpression>>, DbErr> {
        let Some(raw) = self
            .keyset
            .next::<RawImpression>(&self.db, limit, |r| r.id)
            .await?
        else {
            return Ok(None);
        };
        self.decode(raw).await.map(Some)
    }

    /// The newest matching rows, at most `limit` read, oldest first. A property filter
    /// applies to the rows read, so with one fewer may come back.
    pub async fn latest(&mut self, limit: u64) -> Result<Vec<StoredImpression>, DbErr> {
        let raw = self.keyset.latest::<RawImpression>(&self.db, limit).await?;
        self.decode(raw).await
    }

    /// Applies the property filter and decodes flag names and dictionary strings.
    async fn decode(&mut self, raw: Vec<RawImpression>) -> Result<Vec<StoredImpression>, DbErr> {
        let raw: Vec<RawImpression> = raw
            .into_iter()
            .filter(|r| properties_match(r.properties.as_deref(), &self.properties))
            .collect();
        self.flags
            .learn(&self.db, raw.iter().map(|r| Some(r.flag_id)))
            .await?;
        self.strings
            .learn(
                &self.db,
                raw.iter().flat_map(|r| {
                    [
                        Some(r.treatment_id),
                        r.label_id,
                        r.sdk_id,
                        r.machine_ip_id,
                        r.machine_name_id,
                        r.traffic_type_id,
                        r.impressions_mode_id,
                    ]
                }),
            )
            .await?;
        let (flags, strings) = (&self.flags, &self.strings);
        Ok(raw
            .into_iter()
            .map(|r| StoredImpression {
                id: r.id,
                environment: self.environment.clone(),
                flag: flags.get(Some(r.flag_id)).unwrap_or_default(),
                key: r.key,
                bucketing_key: r.bucketing_key,
                treatment: strings.get(Some(r.treatment_id)).unwrap_or_default(),
                label: strings.get(r.label_id),
                change_number: r.change_number,
                timestamp: r.ts,
                received_at: r.received_at,
                sdk: strings.get(r.sdk_id),
                machine_ip: strings.get(r.machine_ip_id),
                machine_name: strings.get(r.machine_name_id),
                traffic_type: strings.get(r.traffic_type_id),
                properties: r.properties,
                impressions_mode: strings.get(r.impressions_mode_id),
            })
            .collect())
    }
}

/// The scan's row filter, and the conditions that find its id range through an index (`None`
/// when no index narrows it). `None` overall when a named value is unknown, so nothing matches.
async fn impression_conditions(
    db: &Database,
    q: &ImpressionQuery,
) -> Result<Option<(Conditions, Option<Conditions>)>, DbErr> {
    let env = q.environment_id;
    // The unary `+` keeps the planners from trading the primary-key walk for a secondary
    // index plus a sort on every page.
    let mut filter = Conditions::new("+environment_id = {}", env);
    let mut flag_ids = Vec::new();
    if !q.flags.is_empty() {
        flag_ids = ids_of(db, "flags", "name", &q.flags, Some(env)).await?;
        if flag_ids.is_empty() {
            return Ok(None);
        }
        filter.push_in("+flag_id", &flag_ids);
    }
    for (column, values) in [
        ("+treatment_id", &q.treatments),
        ("+label_id", &q.labels),
        ("+sdk_id", &q.sdks),
    ] {
        if !values.is_empty() {
            let ids = ids_of(db, "strings", "value", values, None).await?;
            if ids.is_empty() {
                return Ok(None);
            }
            filter.push_in(column, &ids);
        }
    }
    if !q.keys.is_empty() {
        filter.push_in("key", &q.keys);
    }
    filter.push_time_bounds(&format!("+{}", q.time_field.column()), q.from, q.to);

    let bounded = q.from.is_some() || q.to.is_some();
    let index = if q.time_field == TimeField::ReceivedAt && bounded {
        let mut index = Conditions::new("environment_id = {}", env);
        index.push_time_bounds("received_at", q.from, q.to);
        Some(index)
    } else if !flag_ids.is_empty() {
        let mut index = Conditions::new("environment_id = {}", env);
        index.push_in("flag_id", &flag_ids);
        if q.time_field == TimeField::Timestamp {
            index.push_time_bounds("ts", q.from, q.to);
        }
        Some(index)
    } else {
        None
    };
    Ok(Some((filter, index)))
}

impl Database {
    /// One page of matching impressions after id `after`, in id order. Property filters apply
    /// within the page, so with them a short page need not be the last: use [`ImpressionScan`].
    pub async fn impressions_page(
        &self,
        query: &ImpressionQuery,
        after: i64,
        limit: u64,
    ) -> Result<Vec<StoredImpression>, DbErr> {
        let mut scan = ImpressionScan::open(self, query).await?;
        scan.keyset.range.after = scan.keyset.range.after.max(after);
        Ok(scan.next_page(limit).await?.unwrap_or_default())
    }
}

/// Replaces each `{}` with the backend's next placeholder.
pub(crate) fn number_placeholders(backend: DbBackend, sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut rest = sql;
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        n += 1;
        match backend {
            DbBackend::Postgres => out.push_str(&format!("${n}")),
            _ => out.push('?'),
        }
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}
