//! Reading raw request bodies with the configured size limit, for endpoints that parse their
//! bodies themselves (the ingestion formats).

use actix_web::web::{self, Bytes, BytesMut};
use futures::StreamExt;

use super::ApiError;
use crate::state::AppState;

pub async fn read_body(mut payload: web::Payload, state: &AppState) -> Result<Bytes, ApiError> {
    let limit = state.settings.max_body_bytes;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("invalid_body", format!("could not read the body: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
