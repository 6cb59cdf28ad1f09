//! What an export reads and how it writes it, shared by streaming exports and export jobs (which
//! store their criteria as this JSON).

use std::collections::BTreeMap;

use imprint_store::events_read::EventQuery;
use imprint_store::impressions::{ImpressionQuery, TimeField};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    #[default]
    Impressions,
    Events,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Impressions => "impressions",
            ExportKind::Events => "events",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "impressions" => Some(ExportKind::Impressions),
            "events" => Some(ExportKind::Events),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Ndjson,
    Csv,
    Parquet,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
            ExportFormat::Parquet => "parquet",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ndjson" => Some(ExportFormat::Ndjson),
            "csv" => Some(ExportFormat::Csv),
            "parquet" => Some(ExportFormat::Parquet),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Parquet => "application/vnd.apache.parquet",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeFieldName {
    /// When the SDK evaluated the flag or tracked the event.
    #[default]
    Timestamp,
    /// When Imprint stored it: windowed exports by reception time miss no late arrival.
    ReceivedAt,
}

/// Which rows to export. Empty lists mean "any"; several values of one criterion mean "any of
/// them"; different criteria must all hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExportCriteria {
    /// Flag names (impressions only).
    pub flag: Vec<String>,
    /// Treatments (impressions only).
    pub treatment: Vec<String>,
    /// Targeting-rule labels (impressions only).
    pub label: Vec<String>,
    /// SDK names with their version, e.g. `nodejs-11.11.2` (impressions only).
    pub sdk: Vec<String>,
    /// Event types (events only).
    pub event_type: Vec<String>,
    pub key: Vec<String>,
    /// Inclusive lower bound: ms since the epoch, or an RFC 3339 time.
    #[serde(deserialize_with = "time_bound")]
    #[schema(value_type = Option<String>)]
    pub from: Option<i64>,
    /// Exclusive upper bound: ms since the epoch, or an RFC 3339 time.
    #[serde(deserialize_with = "time_bound")]
    #[schema(value_type = Option<String>)]
    pub to: Option<i64>,
    /// The clock `from` and `to` bound.
    pub time_field: TimeFieldName,
    /// Property name → value; a string property matches its text, other JSON values their
    /// JSON spelling (`3`, `true`).
    pub properties: BTreeMap<String, String>,
}

impl ExportCriteria {
    /// Refuses criteria that do not apply to `kind`, rather than silently ignoring them.
    pub fn check(&self, kind: ExportKind) -> Result<(), String> {
        let misplaced = match kind {
            ExportKind::Impressions => (!self.event_type.is_empty()).then_some("event_type"),
            ExportKind::Events => [
                ("flag", &self.flag),
                ("treatment", &self.treatment),
                ("label", &self.label),
                ("sdk", &self.sdk),
            ]
            .into_iter()
            .find(|(_, values)| !values.is_empty())
            .map(|(name, _)| name),
        };
        if let Some(name) = misplaced {
            return Err(format!("`{name}` does not apply to {}", kind.as_str()));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err("`from` is after `to`".into());
            }
        }
        Ok(())
    }

    fn time_field(&self) -> TimeField {
        match self.time_field {
            TimeFieldName::Timestamp => TimeField::Timestamp,
            TimeFieldName::ReceivedAt => TimeField::ReceivedAt,
        }
    }

    fn property_pairs(&self) -> Vec<(String, String)> {
        self.properties
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn impression_query(&self, environment_id: i64) -> ImpressionQuery {
        ImpressionQuery {
            environment_id,
            flags: self.flag.clone(),
            from: self.from,
            to: self.to,
            time_field: self.time_field(),
            treatments: self.treatment.clone(),
            keys: self.key.clone(),
            labels: self.label.clone(),
            sdks: self.sdk.clone(),
            properties: self.property_pairs(),
        }
    }

    pub fn event_query(&self, environment_id: i64) -> EventQuery {
        EventQuery {
            environment_id,
            event_types: self.event_type.clone(),
            keys: self.key.clone(),
            from: self.from,
            to: self.to,
            time_field: self.time_field(),
            properties: self.property_pairs(),
        }
    }
}

/// One export: what to read and how to write it.
#[derive(Debug, Clone, Default)]
pub struct ExportSpec {
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub gzip: bool,
    pub criteria: ExportCriteria,
}

impl ExportSpec {
    /// The download's file name, e.g. `impressions-production.csv.gz`.
    pub fn file_name(&self, stem: &str) -> String {
        let gz = if self.gzip { ".gz" } else { "" };
        format!("{stem}.{}{gz}", self.format.as_str())
    }

    pub fn content_type(&self) -> &'static str {
        if self.gzip {
            "application/gzip"
        } else {
            self.format.content_type()
        }
    }

    /// Whether the bytes are compressed already, so the HTTP layer must not compress them again.
    pub fn is_compressed(&self) -> bool {
        self.gzip || self.format == ExportFormat::Parquet
    }
}

/// Milliseconds since the epoch, or an RFC 3339 time.
pub fn parse_time(value: &str) -> Option<i64> {
    value.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

fn time_bound<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Bound {
        Ms(i64),
        Text(String),
    }
    match Option::<Bound>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Bound::Ms(ms)) => Ok(Some(ms)),
        Some(Bound::Text(text)) => parse_time(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is neither ms since the epoch nor an RFC 3339 time"
            ))
        }),
    }
}
