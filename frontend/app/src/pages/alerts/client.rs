//! One typed call per alert endpoint of the REST API: policies (`…/alert-policies`) and the
//! alerts they fired (`…/alerts`).

use imprint_types::{
    AlertPolicyView, AlertView, CreateAlertPolicyRequest, CreatedAlertPolicy,
    UpdateAlertPolicyRequest,
};

use crate::api::{self, ApiError};

fn policies_path(env: &str) -> String {
    format!("/api/v1/environments/{env}/alert-policies")
}

pub async fn list_policies(env: &str) -> Result<Vec<AlertPolicyView>, ApiError> {
    api::get(&policies_path(env)).await
}

/// The answer carries the webhook's signing secret, this once.
pub async fn create_policy(
    env: &str,
    request: &CreateAlertPolicyRequest,
) -> Result<CreatedAlertPolicy, ApiError> {
    api::post(&policies_path(env), request).await
}

pub async fn update_policy(
    env: &str,
    id: i64,
    request: &UpdateAlertPolicyRequest,
) -> Result<AlertPolicyView, ApiError> {
    api::patch(&format!("{}/{id}", policies_path(env)), request).await
}

pub async fn delete_policy(env: &str, id: i64) -> Result<(), ApiError> {
    api::delete(&format!("{}/{id}", policies_path(env))).await
}

/// Evaluates the policy now; the answer is its alerts firing afterwards.
pub async fn evaluate_policy(env: &str, id: i64) -> Result<Vec<AlertView>, ApiError> {
    api::post(&format!("{}/{id}/evaluate", policies_path(env)), &()).await
}

/// Alerts newest first; `status` is `firing` or `resolved`, `flag` a flag's key.
pub async fn list_alerts(
    env: &str,
    status: Option<&str>,
    flag: Option<&str>,
) -> Result<Vec<AlertView>, ApiError> {
    let mut query = Vec::new();
    if let Some(status) = status {
        query.push(format!("status={status}"));
    }
    if let Some(flag) = flag {
        query.push(format!("flag={flag}"));
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    api::get(&format!("/api/v1/environments/{env}/alerts{query}")).await
}
