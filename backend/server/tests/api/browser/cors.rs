use reqwest::{Method, StatusCode};

use super::header;
use crate::helpers::*;

const PAGE: &str = "http://shop.example.test:3000";

async fn preflight(app: &TestApp, path: &str, method: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, app.url(path))
        .header("Origin", PAGE)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "accept,authorization,content-type,splitsdkversion",
        )
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn sdk_endpoints_answer_preflights_for_any_origin() {
    let app = spawn_app().await;
    for (path, method) in [
        ("/api/splitChanges?s=1.3&since=-1&rbSince=-1", "GET"),
        ("/api/memberships/user-1", "GET"),
        ("/api/testImpressions/bulk", "POST"),
        ("/api/testImpressions/count", "POST"),
        ("/api/events/bulk", "POST"),
        ("/api/v1/keys/cs", "POST"),
        ("/api/v1/metrics/usage", "POST"),
        ("/api/v1/impressions", "POST"),
        ("/api/v1/events", "POST"),
        ("/api/v1/evaluate", "POST"),
        ("/ofrep/v1/evaluate/flags", "POST"),
    ] {
        let response = preflight(&app, path, method).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some("*"),
            "{path}"
        );
        let methods = header(&response, "access-control-allow-methods").unwrap();
        assert!(methods.contains(method), "{path}: {methods}");
        let allowed = header(&response, "access-control-allow-headers").unwrap();
        for sent in [
            "authorization",
            "content-type",
            "splitsdkversion",
            "splitsdkmachineip",
            "splitsdkmachinename",
            "splitsdkimpressionsmode",
        ] {
            assert!(allowed.contains(sent), "{path} allows {sent}: {allowed}");
        }
        let max_age: u32 = header(&response, "access-control-max-age")
            .unwrap()
            .parse()
            .unwrap();
        assert!(max_age >= 600, "{path}: browsers may cache the preflight");
        assert!(
            header(&response, "access-control-allow-credentials").is_none(),
            "SDK keys, not cookies"
        );
    }
}

#[actix_web::test]
async fn sdk_answers_carry_the_allow_origin_header_errors_included() {
    let app = spawn_app().await;
    let env = app.environment("web").await;
    let client = reqwest::Client::new();
    let feed = client
        .get(app.url("/api/splitChanges?s=1.3&since=-1&rbSince=-1"))
        .bearer_auth(&env.client_key)
        .header("Origin", PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        header(&feed, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(header(&feed, "access-control-expose-headers")
        .unwrap()
        .contains("etag"));

    let refused = client
        .post(app.url("/api/testImpressions/bulk"))
        .bearer_auth("not-a-key")
        .header("Origin", PAGE)
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        header(&refused, "access-control-allow-origin").as_deref(),
        Some("*"),
        "a page can read why it was refused"
    );
}

#[actix_web::test]
async fn the_console_api_gets_no_cors_at_all() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    for path in [
        "/api/v1/me",
        "/api/v1/auth/login",
        "/api/v1/environments",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/environments/web/impressions/export",
    ] {
        let response = preflight(&app, path, "POST").await;
        assert!(
            !response.status().is_success(),
            "{path}: a preflight must not succeed, got {}",
            response.status()
        );
        assert!(
            header(&response, "access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    let page = preflight(&app, "/", "GET").await;
    assert!(header(&page, "access-control-allow-origin").is_none());
    let me = admin
        .client
        .get(app.url("/api/v1/me"))
        .header("Origin", PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert!(
        header(&me, "access-control-allow-origin").is_none(),
        "a foreign page cannot read the console's answers"
    );
}
