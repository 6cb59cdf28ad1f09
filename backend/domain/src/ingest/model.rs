use std::collections::BTreeMap;

use serde::Serialize;

/// Who sent a batch: read from the `SplitSDK*` headers, or given per item in the native API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdkMetadata {
    /// Language and version as one string, e.g. `nodejs-11.11.2`.
    pub sdk: Option<String>,
    pub machine_ip: Option<String>,
    pub machine_name: Option<String>,
    /// `OPTIMIZED`, `DEBUG` or `NONE`, from `SplitSDKImpressionsMode`.
    pub impressions_mode: Option<String>,
}

/// One flag evaluation, as stored. Every field of the seeds' impression table except the
/// environment (known from the SDK key) and the reception time (the server's clock).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impression {
    pub flag: String,
    pub key: String,
    pub bucketing_key: Option<String>,
    pub treatment: String,
    /// The targeting rule that matched; absent when the SDK runs with labels disabled.
    pub label: Option<String>,
    pub change_number: Option<i64>,
    /// Evaluation time, ms since the epoch.
    pub timestamp: i64,
    pub traffic_type: Option<String>,
    /// A JSON object, serialised. Split sends it as a string; it is checked to be an object.
    pub properties: Option<String>,
    pub sdk: Option<String>,
    pub machine_ip: Option<String>,
    pub machine_name: Option<String>,
}

/// A `track()` call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub event_type: String,
    pub key: String,
    pub traffic_type: Option<String>,
    pub value: Option<f64>,
    pub timestamp: i64,
    /// A JSON object, serialised.
    pub properties: Option<String>,
    pub sdk: Option<String>,
    pub machine_ip: Option<String>,
    pub machine_name: Option<String>,
}

/// How many evaluations of a flag an SDK counted in one hour without sending them
/// (`/testImpressions/count`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkCount {
    pub flag: String,
    /// Start of the hour, ms since the epoch.
    pub hour: i64,
    pub count: i64,
}

/// A key that evaluated a flag (`/v1/keys/ss`, `/v1/keys/cs`): it counts toward MTK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenKey {
    pub flag: String,
    pub key: String,
}

/// Why one item of a batch was refused; the rest of the batch is still stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRejection {
    pub index: usize,
    pub code: &'static str,
    pub message: String,
}

/// A batch after parsing: the valid items and the refused ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub items: Vec<T>,
    /// The index in the body of each of `items`, so a later stage can still reject one.
    pub indices: Vec<usize>,
    pub rejected: Rejections,
}

impl<T> Parsed<T> {
    /// Items built by the server itself (evaluations), all valid.
    pub fn from_items(items: Vec<T>) -> Self {
        Parsed {
            indices: (0..items.len()).collect(),
            items,
            rejected: Rejections::default(),
        }
    }
}

/// The refused items of a batch: the first `cap` listed, every one counted by code. Reads as
/// the slice of listed rejections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejections {
    listed: Vec<ItemRejection>,
    counts: BTreeMap<&'static str, usize>,
    cap: usize,
}

impl Default for Rejections {
    fn default() -> Self {
        Rejections::new(super::IngestLimits::DEFAULT_MAX_LISTED_REJECTIONS)
    }
}

impl Rejections {
    pub fn new(cap: usize) -> Self {
        Rejections {
            listed: Vec::new(),
            counts: BTreeMap::new(),
            cap,
        }
    }

    pub fn add(&mut self, index: usize, code: &'static str, message: String) {
        *self.counts.entry(code).or_default() += 1;
        if self.listed.len() < self.cap {
            self.listed.push(ItemRejection {
                index,
                code,
                message,
            });
        }
    }

    /// Every refused item, listed or not, counted by code.
    pub fn counts(&self) -> &BTreeMap<&'static str, usize> {
        &self.counts
    }

    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn into_parts(self) -> (Vec<ItemRejection>, BTreeMap<&'static str, usize>) {
        (self.listed, self.counts)
    }
}

impl std::ops::Deref for Rejections {
    type Target = [ItemRejection];

    fn deref(&self) -> &[ItemRejection] {
        &self.listed
    }
}

/// A body that could not be read at all (not the expected JSON shape). One item's problems are
/// an `ItemRejection` instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BodyError {
    pub code: &'static str,
    pub message: String,
}
