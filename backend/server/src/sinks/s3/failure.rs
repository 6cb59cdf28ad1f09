//! What an object store's refusal means for the sink, and the words the console shows.
//!
//! object_store sorts 401, 403 and 404 into their own error variants but leaves every other
//! status inside a generic error whose type it keeps private, so the status and S3's error
//! code are read from the error's text: `… status code: 503 Service Unavailable: <Error>…`.

use object_store::client::{HttpError, HttpErrorKind};

use crate::sinks::delivery::{Answer, Delivery, FailureKind};

pub fn classify(error: &object_store::Error) -> Delivery {
    let text = error_chain(error);
    let status = status_in(&text);
    let mut answer = Answer::error(readable(&text));
    answer.status = status;
    let kind = match error {
        // Wrong keys, a policy without s3:PutObject, a bucket that does not exist: nothing
        // gets through until someone fixes the settings.
        object_store::Error::Unauthenticated { .. }
        | object_store::Error::PermissionDenied { .. }
        | object_store::Error::NotFound { .. } => FailureKind::Misconfigured,
        _ if network_failure(error) => FailureKind::Transient { retry_after: None },
        _ => match status {
            Some(413) => FailureKind::TooLarge,
            _ if text.contains("EntityTooLarge") => FailureKind::TooLarge,
            // A plain PUT of bytes under max_bytes is never itself wrong: a 400 from S3 is a
            // setting (a region that does not match the bucket, a malformed bucket name).
            Some(400 | 301 | 405 | 411) => FailureKind::Misconfigured,
            _ => FailureKind::Transient { retry_after: None },
        },
    };
    Delivery::failed(kind, answer)
}

/// Connection refused, reset, timed out: the store was not reached, or stopped answering.
fn network_failure(error: &object_store::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(http) = cause.downcast_ref::<HttpError>() {
            return !matches!(http.kind(), HttpErrorKind::Decode);
        }
        source = cause.source();
    }
    false
}

fn error_chain(error: &object_store::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let more = cause.to_string();
        // object_store repeats a cause's text in its own message.
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

fn status_in(text: &str) -> Option<u16> {
    let (_, after) = text.split_once("status code: ")?;
    after.get(..3)?.parse().ok()
}

fn tag<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let (_, after) = text.split_once(&format!("<{name}>"))?;
    let (value, _) = after.split_once(&format!("</{name}>"))?;
    Some(value.trim())
}

/// S3's own `Code: Message` first when the answer has them, then object_store's account of
/// the request (method and URL), which is long but names the object.
fn readable(text: &str) -> String {
    match (tag(text, "Code"), tag(text, "Message")) {
        (Some(code), Some(message)) => format!("{code}: {message} ({text})"),
        (Some(code), None) => format!("{code} ({text})"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_error_bodies_are_read_for_their_code_and_message() {
        let text = "Generic S3 error: Error performing PUT http://x/b/k in 1ms - Server returned \
                    non-2xx status code: 400 Bad Request: <?xml version=\"1.0\"?><Error>\
                    <Code>AuthorizationHeaderMalformed</Code><Message>The region is wrong\
                    </Message></Error>";
        assert_eq!(status_in(text), Some(400));
        assert!(readable(text).starts_with("AuthorizationHeaderMalformed: The region is wrong ("));
        assert_eq!(status_in("no status here"), None);
        assert_eq!(readable("plain"), "plain");
    }
}
