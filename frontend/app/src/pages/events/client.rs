//! The typed call behind the Events page (backend/server/src/http/event_types.rs).

use imprint_types::EventTypesView;

use crate::api::{self, ApiError};

/// The event types seen in `[from, to)` (ms since the epoch).
pub async fn event_types(env: &str, from: i64, to: i64) -> Result<EventTypesView, ApiError> {
    api::get(&format!(
        "/api/v1/environments/{env}/event-types?from={from}&to={to}"
    ))
    .await
}
