//! The kinds of sink, their settings and which of those settings are secrets.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::destination::{Destination, SinkContext};
use super::{amplitude, file, mixpanel, s3, segment, webhook};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkKind {
    Webhook,
    S3,
    Amplitude,
    Segment,
    File,
    Mixpanel,
}

impl SinkKind {
    pub const ALL: [SinkKind; 6] = [
        SinkKind::Webhook,
        SinkKind::S3,
        SinkKind::Amplitude,
        SinkKind::Segment,
        SinkKind::File,
        SinkKind::Mixpanel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Webhook => "webhook",
            SinkKind::S3 => "s3",
            SinkKind::Amplitude => "amplitude",
            SinkKind::Segment => "segment",
            SinkKind::File => "file",
            SinkKind::Mixpanel => "mixpanel",
        }
    }

    pub fn parse(text: &str) -> Option<SinkKind> {
        SinkKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Settings that are secrets: accepted when a sink is created or changed, stored apart
    /// from the rest, and never shown again.
    pub fn secret_fields(self) -> &'static [&'static str] {
        match self {
            SinkKind::Webhook => webhook::SECRETS,
            SinkKind::S3 => s3::SECRETS,
            SinkKind::Amplitude => amplitude::SECRETS,
            SinkKind::Segment => segment::SECRETS,
            SinkKind::File => file::SECRETS,
            SinkKind::Mixpanel => mixpanel::SECRETS,
        }
    }

    /// A secret Imprint makes up when the creator gives none (shown once, in the answer).
    pub fn generated_secret(self) -> Option<(&'static str, String)> {
        match self {
            SinkKind::Webhook => Some(("secret", webhook::new_secret())),
            _ => None,
        }
    }

    /// The destination for these settings, or what is wrong with them.
    pub fn build(
        self,
        config: &Map<String, Value>,
        secrets: &Map<String, Value>,
        ctx: &SinkContext,
    ) -> Result<Arc<dyn Destination>, String> {
        let mut merged = config.clone();
        merged.extend(secrets.iter().map(|(k, v)| (k.clone(), v.clone())));
        let merged = Value::Object(merged);
        match self {
            SinkKind::Webhook => webhook::build(merged, ctx),
            SinkKind::S3 => s3::build(merged, ctx),
            SinkKind::Amplitude => amplitude::build(merged, ctx),
            SinkKind::Segment => segment::build(merged, ctx),
            SinkKind::File => file::build(merged, ctx),
            SinkKind::Mixpanel => mixpanel::build(merged, ctx),
        }
    }
}

/// Splits submitted settings into the public part and the secrets of `kind`.
pub fn split_secrets(
    kind: SinkKind,
    mut config: Map<String, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    let mut secrets = Map::new();
    for field in kind.secret_fields() {
        if let Some(value) = config.remove(*field) {
            secrets.insert((*field).to_owned(), value);
        }
    }
    (config, secrets)
}
