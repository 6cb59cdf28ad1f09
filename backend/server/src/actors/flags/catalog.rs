//! An environment's definitions, segments and SDK feed, built from the database whenever one
//! of them changes and published as an immutable snapshot. Evaluations and SDK polls read it
//! without locks or queries.

use std::collections::{HashMap, HashSet};

use imprint_domain::definitions::{to_split_json, EvaluationContext, FlagDefinition};
use imprint_store::flags::FlagRow;
use imprint_store::{Database, DbErr};

/// One flag in Split's SDK format, serialised once per change.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub name: String,
    pub change_number: i64,
    pub sets: Vec<String>,
    pub json: String,
}

#[derive(Debug, Default)]
pub struct EnvCatalog {
    /// Defined flags, archived ones included (the SDKs must learn they are gone).
    pub definitions: HashMap<String, FlagDefinition>,
    pub segments: HashMap<String, HashSet<String>>,
    pub segment_change_numbers: HashMap<String, i64>,
    /// Sorted by change number, oldest first.
    pub feed: Vec<FeedEntry>,
    /// The newest flag change number (what `splitChanges` answers as `till`), -1 when none.
    pub till: i64,
    /// The full answer to `splitChanges?since=-1` without filters, the most common poll of
    /// a starting SDK, serialised once.
    pub full_feed: String,
}

impl EnvCatalog {
    pub async fn load(db: &Database, environment_id: i64) -> Result<EnvCatalog, DbErr> {
        let flags = db.list_flags(environment_id).await?;
        let segments = db.list_segments(environment_id).await?;
        let members = db.segment_members(environment_id).await?;
        let mut catalog = EnvCatalog::from_rows(&flags);
        for segment in segments {
            catalog
                .segment_change_numbers
                .insert(segment.name.clone(), segment.change_number);
            catalog.segments.entry(segment.name).or_default();
        }
        for (segment, key) in members {
            catalog.segments.entry(segment).or_default().insert(key);
        }
        Ok(catalog)
    }

    fn from_rows(flags: &[FlagRow]) -> EnvCatalog {
        let mut catalog = EnvCatalog {
            till: -1,
            ..EnvCatalog::default()
        };
        for row in flags {
            let Some(json) = &row.definition else {
                continue;
            };
            let Ok(stored) = serde_json::from_str::<FlagDefinition>(json) else {
                tracing::error!(flag = %row.name, "a stored definition no longer parses; it is not served");
                continue;
            };
            // Definitions saved before labels hid key values get labels without them.
            let mut definition = stored
                .without_key_revealing_labels()
                .with_materialised_labels();
            // Tracking changes bump the row's change number without rewriting the document.
            definition.change_number = row.change_number;
            let split = to_split_json(&definition, !row.tracking_enabled);
            catalog.feed.push(FeedEntry {
                name: row.name.clone(),
                change_number: row.change_number,
                sets: definition.sets.clone(),
                json: split.to_string(),
            });
            catalog.till = catalog.till.max(row.change_number);
            catalog.definitions.insert(row.name.clone(), definition);
        }
        catalog.feed.sort_by_key(|e| e.change_number);
        catalog.full_feed = catalog.split_changes(-1, -1, &FeedFilter::default());
        catalog
    }

    /// The `splitChanges` answer (spec 1.3) for an SDK that has everything up to `since`.
    pub fn split_changes(&self, since: i64, rb_since: i64, filter: &FeedFilter) -> String {
        let changed: Vec<&str> = self
            .feed
            .iter()
            .filter(|e| e.change_number > since && filter.admits(e))
            .map(|e| e.json.as_str())
            .collect();
        let till = if changed.is_empty() {
            since
        } else {
            self.till.max(since)
        };
        format!(
            r#"{{"ff":{{"d":[{}],"s":{since},"t":{till}}},"rbs":{{"d":[],"s":{rb_since},"t":{rb_since}}}}}"#,
            changed.join(",")
        )
    }

    /// Newest change number over segments, -1 without segments.
    pub fn segments_till(&self) -> i64 {
        self.segment_change_numbers
            .values()
            .copied()
            .max()
            .unwrap_or(-1)
    }
}

impl EvaluationContext for EnvCatalog {
    fn in_segment(&self, segment: &str, key: &str) -> bool {
        self.segments
            .get(segment)
            .is_some_and(|keys| keys.contains(key))
    }

    fn flag(&self, name: &str) -> Option<&FlagDefinition> {
        self.definitions.get(name)
    }
}

/// The `sets=`, `names=` and `prefixes=` filters of `splitChanges`.
#[derive(Debug, Default, Clone)]
pub struct FeedFilter {
    pub sets: Vec<String>,
    pub names: Vec<String>,
    pub prefixes: Vec<String>,
}

impl FeedFilter {
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.names.is_empty() && self.prefixes.is_empty()
    }

    fn admits(&self, entry: &FeedEntry) -> bool {
        if self.is_empty() {
            return true;
        }
        entry.sets.iter().any(|s| self.sets.contains(s))
            || self.names.contains(&entry.name)
            || self
                .prefixes
                .iter()
                .any(|p| entry.name.starts_with(p.as_str()))
    }
}
