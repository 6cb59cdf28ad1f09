//! What web pages need: CORS on the SDK endpoints (and none on the console's API), the Split
//! browser SDK's `sendBeacon` endpoints, and origin limits per environment.

mod beacons;
mod cors;
mod headers;
mod origins;

/// A response header as text.
fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The time SDKs stamp on what they send.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
