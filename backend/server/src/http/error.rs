//! The one error shape of the HTTP edge: `{"code": "...", "message": "..."}`.
//!
//! Codes are stable and documented; messages are for people. A 5xx never carries its cause in
//! the body: the cause is logged instead.

use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use imprint_types::ApiErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("the email or password is wrong")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("the request is missing a valid CSRF token")]
    CsrfRejected,
    #[error("{message}")]
    Invalid {
        message: String,
        errors: Vec<FieldProblem>,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A change made against an outdated change number (409 `conflict` with the current one).
    #[error("{message}")]
    ChangedMeanwhile {
        message: String,
        current_change_number: Option<i64>,
    },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after: Duration,
    },
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after: Duration,
    },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::CsrfRejected => "csrf_rejected",
            ApiError::Invalid { .. } => "validation_failed",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) | ApiError::ChangedMeanwhile { .. } => "conflict",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::TooManyRequests { retry_after, .. }
            | ApiError::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// How long clients are asked to wait when the database or the writer is in trouble.
const RETRY_AFTER_TROUBLE: Duration = Duration::from_secs(2);

impl ApiError {
    /// 503 with `Retry-After`: the request may well succeed later as it is.
    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError::Unavailable {
            message: message.into(),
            retry_after: RETRY_AFTER_TROUBLE,
        }
    }
}

impl From<imprint_store::DbErr> for ApiError {
    fn from(err: imprint_store::DbErr) -> Self {
        if imprint_store::transient::is_transient(&err) {
            tracing::warn!(error = %err, "the database is in trouble");
            return ApiError::unavailable("The database is unavailable right now; retry shortly.");
        }
        ApiError::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl From<crate::actors::ActorError> for ApiError {
    fn from(err: crate::actors::ActorError) -> Self {
        use crate::actors::ActorError;
        match err {
            ActorError::Busy | ActorError::Timeout => ApiError::Unavailable {
                message: format!("Imprint is overloaded ({err}); retry shortly"),
                retry_after: Duration::from_secs(1),
            },
            ActorError::Stopped => ApiError::unavailable(format!(
                "Imprint cannot serve this right now ({err}); retry shortly"
            )),
        }
    }
}

impl From<crate::actors::flags::ResolveError> for ApiError {
    fn from(err: crate::actors::flags::ResolveError) -> Self {
        use crate::actors::flags::ResolveError;
        match err {
            ResolveError::Actor(e) => e.into(),
            ResolveError::Db(e) => e.into(),
        }
    }
}

impl From<crate::actors::impact::ImpactError> for ApiError {
    fn from(err: crate::actors::impact::ImpactError) -> Self {
        use crate::actors::impact::ImpactError;
        use crate::impact::ComputeError;
        match err {
            ImpactError::Actor(e) => e.into(),
            ImpactError::Compute(ComputeError::Gone(message)) => ApiError::NotFound(message),
            ImpactError::Compute(ComputeError::Db(cause)) => {
                if imprint_store::transient::is_transient(&cause) {
                    tracing::warn!(error = %cause, "the database is in trouble");
                    return ApiError::unavailable(
                        "The database is unavailable right now; retry shortly.",
                    );
                }
                ApiError::Internal(anyhow::anyhow!("computing an impact: {cause}"))
            }
        }
    }
}

impl From<crate::ingest::IngestError> for ApiError {
    fn from(err: crate::ingest::IngestError) -> Self {
        use crate::ingest::IngestError;
        match err {
            IngestError::Write(e) => e.into(),
            IngestError::Flags(e) => e.into(),
        }
    }
}

impl From<crate::actors::writer::WriteError> for ApiError {
    fn from(err: crate::actors::writer::WriteError) -> Self {
        use crate::actors::writer::WriteError;
        match err {
            WriteError::Overloaded => ApiError::Unavailable {
                message: "Imprint is writing as fast as it can; retry this batch shortly".into(),
                retry_after: Duration::from_secs(1),
            },
            WriteError::Rejected(cause) => {
                tracing::warn!(cause = %cause, "the database refused a validated batch");
                ApiError::bad_request(
                    imprint_domain::ingest::codes::REJECTED_BY_DATABASE,
                    "The database refused this batch's values; the items are not stored.",
                )
            }
            WriteError::Unavailable | WriteError::TimedOut(_) | WriteError::Stopped => {
                ApiError::unavailable(format!(
                    "The batch was not stored ({err}); retry it shortly."
                ))
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } | ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::CsrfRejected => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::ChangedMeanwhile { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                "Something went wrong on the server. It has been logged.".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = HttpResponse::build(self.status_code());
        if let Some(wait) = self.retry_after() {
            response.insert_header((header::RETRY_AFTER, wait.as_secs().max(1).to_string()));
        }
        if let ApiError::Invalid { errors, .. } = self {
            // The usual shape, plus one entry per offending field for forms to show inline.
            return response.json(serde_json::json!({
                "code": self.code(),
                "message": message,
                "errors": errors,
            }));
        }
        if let ApiError::ChangedMeanwhile {
            current_change_number,
            ..
        } = self
        {
            // The client reloads from this number instead of overwriting what it never saw.
            return response.json(serde_json::json!({
                "code": self.code(),
                "message": message,
                "current_change_number": current_change_number,
            }));
        }
        response.json(ApiErrorBody {
            code: self.code().to_owned(),
            message,
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// One invalid field of a request body.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}
