//! Tells a policy's webhook when one of its alerts fires or resolves, signed as Standard
//! Webhooks exactly like the webhook sink. The message is `{"type": "alert.fired" |
//! "alert.resolved", "timestamp", "data": <the alert as the API shows it>}`; its `webhook-id`
//! names the alert and the change, the same on every retry, so a receiver can drop repeats.
//!
//! Network errors, 408, 429 and 5xx are retried with exponential backoff (honouring
//! `Retry-After` up to a minute); other answers are final. A failure is logged without the
//! URL's query or the secret.

use std::time::Duration;

use imprint_types::AlertView;
use reqwest::StatusCode;

use crate::sinks::delivery::retry_after;
use crate::standard_webhooks::{secret_key, signature};

/// Tries per message, the first included.
const ATTEMPTS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// One message for a receiver.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub url: String,
    pub secret: String,
    pub alert: AlertView,
}

impl Delivery {
    fn kind(&self) -> &'static str {
        if self.alert.status == imprint_store::alerts::RESOLVED {
            "alert.resolved"
        } else {
            "alert.fired"
        }
    }

    fn id(&self) -> String {
        format!(
            "alert_{}_{}",
            self.alert.id,
            self.kind().trim_start_matches("alert.")
        )
    }

    fn body(&self) -> Vec<u8> {
        let at = match (&self.alert.resolved_at, self.kind()) {
            (Some(resolved), "alert.resolved") => resolved.clone(),
            _ => self.alert.fired_at.clone(),
        };
        serde_json::json!({ "type": self.kind(), "timestamp": at, "data": self.alert })
            .to_string()
            .into_bytes()
    }
}

/// The URL without query or credentials, for logs.
fn printable(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_query(None);
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("");
            parsed.to_string()
        }
        Err(_) => "(invalid URL)".to_owned(),
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// Sends `delivery`, retrying as the module says. Returns whether the receiver accepted it.
pub async fn deliver(http: &reqwest::Client, delivery: &Delivery) -> bool {
    let key = match secret_key(&delivery.secret) {
        Ok(key) => key,
        Err(_) => {
            tracing::warn!(url = %printable(&delivery.url), "alert webhook secret is unusable");
            return false;
        }
    };
    let (id, body) = (delivery.id(), delivery.body());
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        let timestamp = chrono::Utc::now().timestamp();
        let sent = http
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature(&key, &id, timestamp, &body))
            .body(body.clone())
            .send()
            .await;
        let wait = match sent {
            Ok(response) if response.status().is_success() => return true,
            Ok(response) if retryable(response.status()) => retry_after(response.headers())
                .map_or(backoff, |wait| wait.min(MAX_RETRY_AFTER))
                .max(backoff),
            Ok(response) => {
                tracing::warn!(url = %printable(&delivery.url), status = %response.status(),
                    alert = delivery.alert.id, "alert webhook refused the message");
                return false;
            }
            Err(err) => {
                tracing::debug!(url = %printable(&delivery.url), error = %err.without_url(),
                    attempt, "alert webhook unreachable");
                backoff
            }
        };
        if attempt < ATTEMPTS {
            tokio::time::sleep(wait).await;
            backoff *= 2;
        }
    }
    tracing::warn!(url = %printable(&delivery.url), alert = delivery.alert.id,
        "alert webhook failed after {ATTEMPTS} attempts");
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn alert(status: &str) -> AlertView {
        AlertView {
            id: 7,
            policy_id: 1,
            flag: "checkout".into(),
            metric_id: 2,
            metric: "Conversion".into(),
            treatment: "on".into(),
            baseline: "off".into(),
            status: status.into(),
            relative_lift: Some(-0.2),
            p_value: Some(0.001),
            method: crate::alerts::METHOD.into(),
            summary: "Conversion is 20% lower".into(),
            fired_at: "2026-12-02T00:00:00.000Z".into(),
            resolved_at: (status == "resolved").then(|| "2026-12-02T01:00:00.000Z".into()),
        }
    }

    #[test]
    fn messages_name_the_alert_and_the_change() {
        let delivery = |status| Delivery {
            url: "http://x".into(),
            secret: "whsec_x".into(),
            alert: alert(status),
        };
        let fired = delivery("firing");
        assert_eq!(fired.id(), "alert_7_fired");
        let body: serde_json::Value = serde_json::from_slice(&fired.body()).unwrap();
        assert_eq!(body["type"], "alert.fired");
        assert_eq!(body["timestamp"], "2026-12-02T00:00:00.000Z");
        assert_eq!(body["data"]["treatment"], "on");
        let resolved = delivery("resolved");
        assert_eq!(resolved.id(), "alert_7_resolved");
        let body: serde_json::Value = serde_json::from_slice(&resolved.body()).unwrap();
        assert_eq!(body["timestamp"], "2026-12-02T01:00:00.000Z");
    }

    #[test]
    fn logged_urls_lose_their_query_and_credentials() {
        assert_eq!(
            printable("https://user:pw@hooks.example.com/a?token=s3cret"),
            "https://hooks.example.com/a"
        );
    }
}
