//! The hostile share of the hostile mix: bodies that every SDK key holder could send and the
//! server must refuse (a NUL in a key or flag, a bidi override, huge and negative numbers, a
//! bad group), posted with the same headers as the valid load. Their answers only have to be
//! a 4xx or a report that accepted nothing; a 5xx or an accepted item is a failure.

use bytes::Bytes;
use serde_json::json;

use crate::workload::SplitBody;

pub fn bodies(now_ms: i64) -> Vec<SplitBody> {
    let impression = |k: &str, t: &str, m: serde_json::Value| json!({ "k": k, "t": t, "m": m });
    [
        json!([{ "f": "bench-flag", "i": [impression("nul\u{0}key", "on", json!(now_ms))] }]),
        json!([{ "f": "nul\u{0}flag", "i": [impression("u", "on", json!(now_ms))] }]),
        json!([{ "f": "bidi\u{202E}flag", "i": [impression("u", "on", json!(now_ms))] }]),
        json!([{ "f": "bench-flag", "i": [impression("u", "o\u{1b}n", json!(now_ms))] }]),
        json!([{ "f": "bench-flag", "i": [impression("u", "on", json!(i64::MAX))] }]),
        json!([{ "f": "bench-flag", "i": [impression("u", "on", json!(-1))] }]),
        json!([{ "f": 7, "i": [1, 2, 3] }]),
    ]
    .into_iter()
    .enumerate()
    .map(|(machine, body)| SplitBody {
        json: Bytes::from(body.to_string()),
        machine,
    })
    .collect()
}
