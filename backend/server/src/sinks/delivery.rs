//! What a destination is asked to do and what it answers: a batch of rows in id order, and
//! whether the receiver took it, with the receiver's own words for the console.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;
use imprint_store::sinks::Stream;

use crate::actors::exports::encode::Page;

/// Rows of one stream and one environment, in id order, never empty.
pub struct Batch {
    pub environment_id: i64,
    pub environment: Arc<str>,
    pub rows: Page,
}

impl Batch {
    pub fn stream(&self) -> Stream {
        match self.rows {
            Page::Impressions(_) => Stream::Impressions,
            Page::Events(_) => Stream::Events,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The server-assigned id of row `i`.
    pub fn id(&self, i: usize) -> i64 {
        match &self.rows {
            Page::Impressions(rows) => rows[i].id,
            Page::Events(rows) => rows[i].id,
        }
    }

    pub fn first_id(&self) -> i64 {
        self.id(0)
    }

    pub fn last_id(&self) -> i64 {
        self.id(self.len().saturating_sub(1))
    }

    /// The same on every retry of these rows, different for any other rows: receivers that
    /// deduplicate on it (Standard Webhooks' `webhook-id`, object keys) see a retry as one.
    pub fn key(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            self.stream().as_str(),
            self.environment_id,
            self.first_id(),
            self.last_id()
        )
    }

    /// The idempotency key of row `i`: its environment, stream and id.
    pub fn row_key(&self, i: usize) -> String {
        row_key(self.environment_id, self.stream(), self.id(i))
    }

    /// Two batches, the rows before `mid` and the rest.
    pub fn split_at(self, mid: usize) -> (Batch, Batch) {
        let Batch {
            environment_id,
            environment,
            rows,
        } = self;
        let (first, second) = match rows {
            Page::Impressions(mut rows) => {
                let rest = rows.split_off(mid);
                (Page::Impressions(rows), Page::Impressions(rest))
            }
            Page::Events(mut rows) => {
                let rest = rows.split_off(mid);
                (Page::Events(rows), Page::Events(rest))
            }
        };
        let half = |rows| Batch {
            environment_id,
            environment: environment.clone(),
            rows,
        };
        (half(first), half(second))
    }

    /// A batch of the rows whose indices are not in `rejected`, in order.
    pub fn without(&self, rejected: &[usize]) -> Batch {
        fn keep<T: Clone>(rows: &[T], rejected: &[usize]) -> Vec<T> {
            rows.iter()
                .enumerate()
                .filter(|(i, _)| !rejected.contains(i))
                .map(|(_, row)| row.clone())
                .collect()
        }
        let rows = match &self.rows {
            Page::Impressions(rows) => Page::Impressions(keep(rows, rejected)),
            Page::Events(rows) => Page::Events(keep(rows, rejected)),
        };
        Batch {
            environment_id: self.environment_id,
            environment: self.environment.clone(),
            rows,
        }
    }

    pub fn impressions(&self) -> &[StoredImpression] {
        match &self.rows {
            Page::Impressions(rows) => rows,
            Page::Events(_) => &[],
        }
    }

    pub fn events(&self) -> &[StoredEvent] {
        match &self.rows {
            Page::Events(rows) => rows,
            Page::Impressions(_) => &[],
        }
    }
}

/// One id per stored row, stable across retries and replays: `imp-<env>-<id>` for an
/// impression, `evt-<env>-<id>` for an event.
pub fn row_key(environment_id: i64, stream: Stream, id: i64) -> String {
    let prefix = match stream {
        Stream::Impressions => "imp",
        Stream::Events => "evt",
    };
    format!("{prefix}-{environment_id}-{id}")
}

/// What the receiver said: its HTTP status when there was one, and the start of its body (or
/// the error that kept it from answering).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub status: Option<u16>,
    pub text: String,
}

/// Bodies are kept to this many bytes: enough to read an error, not a whole echo.
const ANSWER_LIMIT: usize = 512;

impl Answer {
    pub fn http(status: u16, body: &str) -> Answer {
        Answer {
            status: Some(status),
            text: truncate(body.trim(), ANSWER_LIMIT),
        }
    }

    /// No answer came: the connection failed, timed out, or the write failed locally.
    pub fn error(error: impl fmt::Display) -> Answer {
        Answer {
            status: None,
            text: truncate(&error.to_string(), ANSWER_LIMIT),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, self.text.is_empty()) {
            (Some(status), true) => write!(f, "HTTP {status}"),
            (Some(status), false) => write!(f, "HTTP {status}: {}", self.text),
            (None, _) => f.write_str(&self.text),
        }
    }
}

fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Why a delivery failed, which decides what happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Network errors, timeouts, 408, 429 and 5xx: try again later, after the receiver's
    /// `Retry-After` when it gave one.
    Transient { retry_after: Option<Duration> },
    /// The batch is larger than the receiver takes (413, or over its documented limit): split.
    TooLarge,
    /// The receiver will never take these rows (400): set them aside as a dead letter.
    Rejected,
    /// The receiver refuses the sink itself (401, 403, 404): nothing can get through until
    /// someone fixes the configuration, so the sink pauses rather than dead-letter everything.
    Misconfigured,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Accepted(Answer),
    /// The receiver took every row but these (indices into the batch), which it never will.
    PartlyRejected {
        rejected: Vec<usize>,
        answer: Answer,
    },
    Failed {
        kind: FailureKind,
        answer: Answer,
    },
}

impl Delivery {
    pub fn failed(kind: FailureKind, answer: Answer) -> Delivery {
        Delivery::Failed { kind, answer }
    }

    /// A failure to reach the receiver at all, which is worth retrying.
    pub fn unreachable(error: impl fmt::Display) -> Delivery {
        Delivery::failed(
            FailureKind::Transient { retry_after: None },
            Answer::error(error),
        )
    }

    /// The usual meaning of an HTTP status: 2xx accepted, 413 too large, 400/422 rejected,
    /// 401/403/404 misconfigured, everything else (408, 429, 5xx, odd codes) transient.
    pub fn from_status(status: u16, retry_after: Option<Duration>, body: &str) -> Delivery {
        let answer = Answer::http(status, body);
        let kind = match status {
            200..=299 => return Delivery::Accepted(answer),
            413 => FailureKind::TooLarge,
            400 | 422 => FailureKind::Rejected,
            401 | 403 | 404 | 405 | 410 => FailureKind::Misconfigured,
            _ => FailureKind::Transient { retry_after },
        };
        Delivery::failed(kind, answer)
    }
}

/// Reads a `Retry-After` header in either of its forms (seconds, or an HTTP date).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(wait.max(0) as u64))
}

/// Sends a request and classifies the answer the usual way (see [`Delivery::from_status`]).
pub async fn send(request: reqwest::RequestBuilder) -> Delivery {
    match request.send().await {
        Err(error) => Delivery::unreachable(describe(&error)),
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            Delivery::from_status(status, retry_after, &body)
        }
    }
}

/// reqwest's error with its causes, which name the actual problem ("connection refused").
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_as_the_receivers_document_them() {
        let kind = |status| match Delivery::from_status(status, None, "") {
            Delivery::Failed { kind, .. } => Some(kind),
            _ => None,
        };
        assert_eq!(kind(200), None);
        assert_eq!(kind(204), None);
        assert_eq!(kind(413), Some(FailureKind::TooLarge));
        assert_eq!(kind(400), Some(FailureKind::Rejected));
        for status in [401, 403, 404] {
            assert_eq!(kind(status), Some(FailureKind::Misconfigured));
        }
        for status in [408, 429, 500, 502, 503] {
            assert_eq!(
                kind(status),
                Some(FailureKind::Transient { retry_after: None })
            );
        }
    }

    #[test]
    fn answers_are_short_and_readable() {
        let long = "é".repeat(1000);
        let answer = Answer::http(500, &long);
        assert!(answer.text.len() <= ANSWER_LIMIT + "…".len());
        assert!(answer.to_string().starts_with("HTTP 500: é"));
        assert_eq!(Answer::http(502, "").to_string(), "HTTP 502");
    }
}
