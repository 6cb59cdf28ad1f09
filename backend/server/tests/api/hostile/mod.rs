//! Hostile input, as anyone holding a (public) client-side SDK key could send it: every
//! ingestion, evaluation, OFREP and query endpoint answers it with a 4xx and a code (or, for
//! batches, refuses each bad item with a code), and valid requests sent at the same time are
//! all stored. Runs on SQLite and on PostgreSQL (IMPRINT_TEST_DB=postgres).

mod bounds;
mod characters;
mod supervision;
mod writer;

use reqwest::Response;
use serde_json::Value;

/// A refused request: a 4xx with a JSON code, or a 2xx ingestion report that accepted nothing
/// and gave every refused item a code. Returns the codes seen.
pub async fn assert_refused(what: &str, response: Response) -> Vec<String> {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: the answer is not JSON ({e}): {status} {text}"));
    if status.is_client_error() {
        let code = body["code"]
            .as_str()
            .or_else(|| body["errorCode"].as_str())
            .unwrap_or_else(|| panic!("{what}: a 4xx without a code: {text}"));
        return vec![code.to_owned()];
    }
    assert!(status.is_success(), "{what}: {status} {text}");
    assert_eq!(
        body["accepted"], 0,
        "{what}: accepted hostile items: {text}"
    );
    let rejected = body["rejected"].as_array().unwrap();
    assert!(!rejected.is_empty(), "{what}: nothing was refused: {text}");
    rejected
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}
