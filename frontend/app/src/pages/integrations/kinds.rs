//! The kinds of sink the form offers, and the settings each one asks for. The form is drawn
//! from these tables and turns what was typed into the API's `config` object, so adding a
//! setting is one line here.

/// How a setting is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    /// Typed into a password field; sent once, never shown again.
    Secret,
    /// A positive whole number; left out when empty (the server's default applies).
    Number,
    /// One of (value, label); the first is the default.
    Choice(&'static [(&'static str, &'static str)]),
    Checkbox,
}

/// One setting of a kind: its `config` key, how it is asked for, whether it must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
    /// A placeholder or the default, shown in the empty field.
    pub hint: &'static str,
}

const fn setting(key: &'static str, label: &'static str, input: Input) -> Setting {
    Setting {
        key,
        label,
        input,
        required: false,
        hint: "",
    }
}

const fn required(key: &'static str, label: &'static str, input: Input) -> Setting {
    Setting {
        required: true,
        ..setting(key, label, input)
    }
}

const fn hinted(mut s: Setting, hint: &'static str) -> Setting {
    s.hint = hint;
    s
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The API's `kind`.
    pub value: &'static str,
    pub label: &'static str,
    /// What it does, in one line.
    pub summary: &'static str,
    pub settings: &'static [Setting],
}

const WEBHOOK: &[Setting] = &[
    hinted(
        required("url", "URL", Input::Text),
        "https://example.com/imprint",
    ),
    setting(
        "format",
        "Body format",
        Input::Choice(&[
            ("split", "Split's impressions webhook (JSON)"),
            ("ndjson", "NDJSON with the export's fields"),
        ]),
    ),
    setting("gzip", "Compress bodies with gzip", Input::Checkbox),
    hinted(
        setting("max_batch", "Rows per request", Input::Number),
        "1000",
    ),
    hinted(
        setting("flush_ms", "Wait for a full batch (ms)", Input::Number),
        "1000",
    ),
];

const S3: &[Setting] = &[
    required("bucket", "Bucket", Input::Text),
    hinted(setting("region", "Region", Input::Text), "us-east-1"),
    hinted(
        setting("endpoint", "Endpoint", Input::Text),
        "AWS when empty; an S3-compatible server's URL",
    ),
    hinted(setting("prefix", "Key prefix", Input::Text), "imprint/"),
    required("access_key_id", "Access key ID", Input::Text),
    required("secret_access_key", "Secret access key", Input::Secret),
    setting(
        "format",
        "Object format",
        Input::Choice(&[("parquet", "Parquet (zstd)"), ("ndjson", "NDJSON (gzip)")]),
    ),
];

const AMPLITUDE: &[Setting] = &[
    required("api_key", "API key", Input::Secret),
    setting(
        "region",
        "Data center",
        Input::Choice(&[("us", "US"), ("eu", "EU")]),
    ),
    setting(
        "preset",
        "Events",
        Input::Choice(&[
            (
                "experiment",
                "[Experiment] Impression (Amplitude Experiment)",
            ),
            ("split", "get_treatment (as Split's integration)"),
        ]),
    ),
];

const SEGMENT: &[Setting] = &[
    required("write_key", "Write key", Input::Secret),
    hinted(
        setting("event", "Event name", Input::Text),
        "get_treatment, or Experiment Viewed",
    ),
];

const FILE: &[Setting] = &[
    hinted(
        required("dir", "Folder", Input::Text),
        "below the server's sink folder, e.g. impressions",
    ),
    hinted(setting("max_rows", "Rows per file", Input::Number), "10000"),
];

const MIXPANEL: &[Setting] = &[
    required("secret", "API secret", Input::Secret),
    hinted(
        setting("username", "Service account user name", Input::Text),
        "empty: the secret is the project's API secret",
    ),
    hinted(
        setting("project_id", "Project ID", Input::Text),
        "required with a service account",
    ),
    setting(
        "region",
        "Data residency",
        Input::Choice(&[("us", "US"), ("eu", "EU"), ("in", "India")]),
    ),
    hinted(
        setting("event", "Event name", Input::Text),
        "$experiment_started",
    ),
];

pub const KINDS: [Kind; 6] = [
    Kind {
        value: "webhook",
        label: "Webhook",
        summary: "POSTs batches to your URL, signed (Standard Webhooks).",
        settings: WEBHOOK,
    },
    Kind {
        value: "s3",
        label: "Amazon S3",
        summary: "Writes Parquet or NDJSON objects to a bucket (any S3-compatible storage).",
        settings: S3,
    },
    Kind {
        value: "amplitude",
        label: "Amplitude",
        summary: "Sends impressions as Amplitude events (HTTP V2 API).",
        settings: AMPLITUDE,
    },
    Kind {
        value: "segment",
        label: "Segment",
        summary: "Sends impressions as Segment track calls.",
        settings: SEGMENT,
    },
    Kind {
        value: "mixpanel",
        label: "Mixpanel",
        summary: "Imports impressions as Mixpanel events (Import API).",
        settings: MIXPANEL,
    },
    Kind {
        value: "file",
        label: "File",
        summary: "Writes NDJSON files in a folder on the server, for log shippers.",
        settings: FILE,
    },
];

pub fn kind(value: &str) -> Kind {
    KINDS
        .into_iter()
        .find(|k| k.value == value)
        .unwrap_or(KINDS[0])
}

/// "webhook" → "Webhook"; an unknown kind is shown as the API names it.
pub fn kind_label(value: &str) -> String {
    KINDS
        .into_iter()
        .find(|k| k.value == value)
        .map_or_else(|| value.to_owned(), |k| k.label.to_owned())
}
