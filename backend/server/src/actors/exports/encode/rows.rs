//! The exported columns of impressions and events, in file order. Names are the documented
//! field names of the NDJSON export; CSV headers and Parquet columns use the same.

use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;

use super::{Cell, Column, ColumnType as T, ExportRow};

const fn col(name: &'static str, ty: T) -> Column {
    Column { name, ty }
}

impl ExportRow for StoredImpression {
    const COLUMNS: &'static [Column] = &[
        col("flag", T::Text),
        col("key", T::Text),
        col("bucketing_key", T::OptText),
        col("treatment", T::Text),
        col("label", T::OptText),
        col("change_number", T::Int),
        col("timestamp", T::Time),
        col("received_at", T::Time),
        col("sdk", T::OptText),
        col("machine_ip", T::OptText),
        col("machine_name", T::OptText),
        col("traffic_type", T::OptText),
        col("properties", T::Json),
        col("impressions_mode", T::OptText),
        col("environment", T::Text),
    ];

    fn cell(&self, i: usize) -> Cell<'_> {
        match i {
            0 => Cell::Text(&self.flag),
            1 => Cell::Text(&self.key),
            2 => Cell::OptText(self.bucketing_key.as_deref()),
            3 => Cell::Text(&self.treatment),
            4 => Cell::OptText(self.label.as_deref()),
            5 => Cell::Int(self.change_number),
            6 => Cell::Time(self.timestamp),
            7 => Cell::Time(self.received_at),
            8 => Cell::OptText(self.sdk.as_deref()),
            9 => Cell::OptText(self.machine_ip.as_deref()),
            10 => Cell::OptText(self.machine_name.as_deref()),
            11 => Cell::OptText(self.traffic_type.as_deref()),
            12 => Cell::Json(self.properties.as_deref()),
            13 => Cell::OptText(self.impressions_mode.as_deref()),
            _ => Cell::Text(&self.environment),
        }
    }
}

impl ExportRow for StoredEvent {
    const COLUMNS: &'static [Column] = &[
        col("event_type", T::Text),
        col("key", T::Text),
        col("traffic_type", T::OptText),
        col("value", T::Float),
        col("timestamp", T::Time),
        col("received_at", T::Time),
        col("sdk", T::OptText),
        col("machine_ip", T::OptText),
        col("machine_name", T::OptText),
        col("properties", T::Json),
        col("environment", T::Text),
    ];

    fn cell(&self, i: usize) -> Cell<'_> {
        match i {
            0 => Cell::Text(&self.event_type),
            1 => Cell::Text(&self.key),
            2 => Cell::OptText(self.traffic_type.as_deref()),
            3 => Cell::Float(self.value),
            4 => Cell::Time(self.timestamp),
            5 => Cell::Time(self.received_at),
            6 => Cell::OptText(self.sdk.as_deref()),
            7 => Cell::OptText(self.machine_ip.as_deref()),
            8 => Cell::OptText(self.machine_name.as_deref()),
            9 => Cell::Json(self.properties.as_deref()),
            _ => Cell::Text(&self.environment),
        }
    }
}
