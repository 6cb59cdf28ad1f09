use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{create_metric, patch, METRICS};
use crate::helpers::*;

fn purchases() -> Value {
    json!({ "name": "Purchases", "event_type": "purchase", "aggregation": "count",
            "direction": "increase", "description": "Purchases per user" })
}

#[actix_web::test]
async fn editors_write_metrics_every_role_reads_them_and_each_change_is_audited() {
    let app = spawn_app().await;
    app.environment("production").await;
    let editor = app.user_with_role("editor").await;
    let viewer = app.user_with_role("viewer").await;

    let refused = viewer.post(&app, METRICS, &purchases()).await;
    assert_eq!(
        error_code(refused, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let id = create_metric(&app, &editor, purchases()).await;
    let price = json!({ "name": "Price", "event_type": "purchase", "aggregation": "property_mean",
                        "property": "price", "filter": { "plan": "pro", "seats": 3, "trial": false },
                        "direction": "decrease" });
    create_metric(&app, &editor, price).await;

    let listed: Vec<Value> = viewer.get(&app, METRICS).await.json().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Price", "Purchases"]);
    assert_eq!(
        listed[0]["filter"],
        json!({ "plan": "pro", "seats": 3, "trial": false })
    );
    assert_eq!(listed[0]["property"], "price");
    let one: Value = viewer
        .get(&app, &format!("{METRICS}/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["aggregation"], "count");
    assert_eq!(one["description"], "Purchases per user");
    assert_eq!(one["filter"], json!({}));

    let path = format!("{METRICS}/{id}");
    let renamed = patch(
        &editor,
        &app,
        &path,
        &json!({ "name": "Orders", "description": "" }),
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(
        (renamed["name"].as_str(), renamed["description"].as_null()),
        (Some("Orders"), Some(()))
    );
    assert_eq!(
        renamed["event_type"], "purchase",
        "fields not given are kept"
    );
    let refused = patch(&viewer, &app, &path, &json!({ "name": "x" })).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    assert_eq!(
        viewer.delete(&app, &path).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor.delete(&app, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    let gone = viewer.get(&app, &path).await;
    assert_eq!(error_code(gone, StatusCode::NOT_FOUND).await, "not_found");

    let audit: Vec<Value> = app
        .admin_session()
        .await
        .get(&app, "/api/v1/audit?action=metric.")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["target"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("metric.delete", "metric Orders"),
            ("metric.update", "metric Orders"),
            ("metric.create", "metric Price"),
            ("metric.create", "metric Purchases"),
        ]
    );
}

#[actix_web::test]
async fn invalid_metrics_are_refused_with_a_code_per_field() {
    let app = spawn_app().await;
    app.environment("production").await;
    let editor = app.user_with_role("editor").await;
    let with = |change: Value| {
        let mut body = purchases();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        body
    };
    let cases = [
        (with(json!({ "name": "  " })), "invalid_name"),
        (with(json!({ "name": "x".repeat(101) })), "invalid_name"),
        (with(json!({ "event_type": "" })), "invalid_event_type"),
        (
            with(json!({ "event_type": "e".repeat(251) })),
            "invalid_event_type",
        ),
        (
            with(json!({ "event_type": "bad\u{0}type" })),
            "invalid_event_type",
        ),
        (
            with(json!({ "aggregation": "property_mean" })),
            "invalid_property",
        ),
        (with(json!({ "property": "price" })), "invalid_property"),
        (
            with(json!({ "aggregation": "property_mean", "property": "a\"b" })),
            "invalid_property",
        ),
        (
            with(json!({ "filter": { "plan": ["pro"] } })),
            "invalid_filter",
        ),
        (
            with(json!({ "filter": { "plan": { "tier": 1 } } })),
            "invalid_filter",
        ),
        (
            with(json!({ "filter": { "plan": null } })),
            "invalid_filter",
        ),
        (with(json!({ "filter": { "": "pro" } })), "invalid_filter"),
    ];
    for (body, code) in cases {
        let response = editor.post(&app, METRICS, &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            code,
            "{body}"
        );
    }
    for body in [
        with(json!({ "aggregation": "median" })),
        with(json!({ "direction": "up" })),
    ] {
        let response = editor.post(&app, METRICS, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }

    let id = create_metric(&app, &editor, purchases()).await;
    let taken = editor.post(&app, METRICS, &purchases()).await;
    assert_eq!(error_code(taken, StatusCode::CONFLICT).await, "conflict");
    let other = create_metric(&app, &editor, with(json!({ "name": "Other" }))).await;
    let renamed = patch(
        &editor,
        &app,
        &format!("{METRICS}/{other}"),
        &json!({ "name": "Purchases" }),
    )
    .await;
    assert_eq!(error_code(renamed, StatusCode::CONFLICT).await, "conflict");

    // A property_mean turned into a count drops its property; the reverse needs one.
    let path = format!("{METRICS}/{id}");
    let to_mean = patch(
        &editor,
        &app,
        &path,
        &json!({ "aggregation": "property_mean" }),
    )
    .await;
    assert_eq!(
        error_code(to_mean, StatusCode::BAD_REQUEST).await,
        "invalid_property"
    );
    let body = json!({ "aggregation": "property_mean", "property": "price" });
    assert_eq!(
        patch(&editor, &app, &path, &body).await.status(),
        StatusCode::OK
    );
    let back: Value = patch(&editor, &app, &path, &json!({ "aggregation": "sum" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (back["aggregation"].as_str(), back["property"].as_null()),
        (Some("sum"), Some(()))
    );

    app.admin_session()
        .await
        .post(&app, "/api/v1/environments", &json!({ "name": "staging" }))
        .await;
    let same_name_elsewhere = editor
        .post(&app, "/api/v1/environments/staging/metrics", &purchases())
        .await;
    assert_eq!(same_name_elsewhere.status(), StatusCode::CREATED);
    let missing = editor
        .get(&app, "/api/v1/environments/nowhere/metrics")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
