//! Small pieces of the ingestion pipeline: the dictionary strings of an item, and the answer
//! a post gets.

use imprint_domain::ingest::{Event, Impression, Rejections};
use imprint_types::{IngestReport, RejectedItem};

/// The strings of an impression that the writer stores in its dictionary.
pub fn impression_strings(i: &Impression) -> impl Iterator<Item = &str> {
    [
        Some(i.treatment.as_str()),
        i.label.as_deref(),
        i.sdk.as_deref(),
        i.machine_ip.as_deref(),
        i.machine_name.as_deref(),
        i.traffic_type.as_deref(),
    ]
    .into_iter()
    .flatten()
}

pub fn event_strings(e: &Event) -> impl Iterator<Item = &str> {
    [
        Some(e.event_type.as_str()),
        e.traffic_type.as_deref(),
        e.sdk.as_deref(),
        e.machine_ip.as_deref(),
        e.machine_name.as_deref(),
    ]
    .into_iter()
    .flatten()
}

pub fn report(accepted: usize, dropped_tracking_off: usize, rejected: Rejections) -> IngestReport {
    let (listed, counts) = rejected.into_parts();
    IngestReport {
        accepted,
        dropped_tracking_off,
        rejected: listed
            .into_iter()
            .map(|r| RejectedItem {
                index: r.index,
                code: r.code.to_owned(),
                message: r.message,
            })
            .collect(),
        rejected_counts: counts
            .into_iter()
            .map(|(code, n)| (code.to_owned(), n))
            .collect(),
    }
}
