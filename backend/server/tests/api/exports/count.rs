//! The matched count next to an export's preview: the same criteria, the same rows.

use reqwest::StatusCode;
use serde_json::Value;

use super::*;
use crate::helpers::*;

const COUNT: &str = "/api/v1/environments/production/impressions/count";

#[actix_web::test]
async fn counts_equal_the_rows_the_export_streams() {
    let (app, _exports) = app_with_samples(7).await;
    let viewer = app.user_with_role("viewer").await;
    for criteria in [
        "",
        "flag=checkout",
        "flag=checkout&treatment=on",
        "label=default%20rule",
        "property.plan=pro",
        "property.plan=free&property.seats=5",
        "flag=search,checkout&label=in%20segment%20beta&treatment=off",
        "time_field=received_at&from=0",
        "treatment=never-served",
        "flag=unknown",
    ] {
        let exported = ndjson(
            &get_bytes(&app, &viewer, &format!("{EXPORT}?{criteria}"))
                .await
                .1,
        );
        let response = viewer.get(&app, &format!("{COUNT}?{criteria}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{criteria}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["count"], exported.len(), "{criteria}");
    }
    let events: Value = viewer
        .get(&app, "/api/v1/environments/production/events/count")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(events["count"], 0);

    let bad = viewer.get(&app, &format!("{COUNT}?from=yesterday")).await;
    assert_eq!(
        error_code(bad, StatusCode::BAD_REQUEST).await,
        "invalid_query"
    );
}
