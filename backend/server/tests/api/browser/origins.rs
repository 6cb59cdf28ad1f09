//! Environments limited to a list of web origins refuse SDK calls from other pages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::now_ms;
use crate::helpers::*;

const SHOP: &str = "https://shop.example.test";

async fn set_origins(app: &TestApp, origins: Value) -> reqwest::Response {
    let admin = app.admin_session().await;
    admin
        .client
        .patch(app.url("/api/v1/environments/web"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "allowed_origins": origins }))
        .send()
        .await
        .unwrap()
}

async fn feed_from(app: &TestApp, key: &str, origin: Option<&str>) -> StatusCode {
    let mut request = reqwest::Client::new()
        .get(app.url("/api/splitChanges?s=1.3&since=-1&rbSince=-1"))
        .bearer_auth(key);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap().status()
}

#[actix_web::test]
async fn an_environment_can_be_limited_to_its_origins() {
    let app = spawn_app().await;
    let env = app.environment("web").await;
    assert_eq!(
        feed_from(&app, &env.client_key, Some("https://elsewhere.test")).await,
        StatusCode::OK,
        "any origin by default"
    );

    let updated = set_origins(
        &app,
        json!(["https://Shop.Example.test/", "http://localhost:3000"]),
    )
    .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let view: Value = updated.json().await.unwrap();
    assert_eq!(
        view["allowed_origins"],
        json!([SHOP, "http://localhost:3000"])
    );

    assert_eq!(
        feed_from(&app, &env.client_key, Some(SHOP)).await,
        StatusCode::OK
    );
    assert_eq!(
        feed_from(&app, &env.client_key, Some("https://elsewhere.test")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        feed_from(&app, &env.server_key, None).await,
        StatusCode::OK,
        "server-side SDKs send no Origin"
    );

    // A beacon needs no preflight, so the server itself must refuse to store it.
    let beacon = json!({
        "token": env.client_key,
        "entries": [{"f": "hero", "i": [{"k": "u1", "t": "on", "m": now_ms(), "c": 1, "r": "default rule"}]}],
    });
    for (origin, expected) in [
        ("https://elsewhere.test", StatusCode::FORBIDDEN),
        (SHOP, StatusCode::OK),
    ] {
        let sent = reqwest::Client::new()
            .post(app.url("/api/testImpressions/beacon"))
            .header("content-type", "text/plain;charset=UTF-8")
            .header("Origin", origin)
            .body(beacon.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), expected, "{origin}");
    }
    assert_eq!(
        app.exported("web", "").await.len(),
        1,
        "only the allowed page's beacon is stored"
    );

    let cleared = set_origins(&app, json!([])).await;
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(
        feed_from(&app, &env.client_key, Some("https://elsewhere.test")).await,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn allowed_origins_must_be_origins() {
    let app = spawn_app().await;
    app.environment("web").await;
    for bad in [
        json!(["shop.example.test"]),
        json!(["https://shop.example.test/checkout"]),
        json!(["*"]),
    ] {
        let refused = set_origins(&app, bad.clone()).await;
        assert_eq!(
            error_code(refused, StatusCode::BAD_REQUEST).await,
            "invalid_origin",
            "{bad}"
        );
    }
    let editor = app.user_with_role("editor").await;
    let by_editor = editor
        .client
        .patch(app.url("/api/v1/environments/web"))
        .header("X-CSRF-Token", &editor.csrf)
        .json(&json!({ "allowed_origins": [SHOP] }))
        .send()
        .await
        .unwrap();
    assert_eq!(by_editor.status(), StatusCode::FORBIDDEN, "admins only");
}
