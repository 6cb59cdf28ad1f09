use serde::{Deserialize, Serialize};

/// The one error shape every API endpoint answers with.
///
/// `code` is stable and meant for programs; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub code: String,
    pub message: String,
}
