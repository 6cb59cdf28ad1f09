use reqwest::StatusCode;

use crate::helpers::*;

#[actix_web::test]
async fn health_answers_while_the_database_does() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[actix_web::test]
async fn unknown_api_paths_answer_404_in_the_json_shape() {
    let app = spawn_app().await;
    for path in ["/api/v1/nothing-here", "/api/nothing"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(
            error_code(response, StatusCode::NOT_FOUND).await,
            "not_found"
        );
    }
}

#[actix_web::test]
async fn unparseable_json_is_a_400_with_the_json_error() {
    let app = spawn_app().await;
    let response = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "invalid_json"
    );
}

#[actix_web::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let app = spawn_app_with(|s| s.max_body_bytes = 1024).await;
    let big = format!(r#"{{"email":"{}","password":"x"}}"#, "a".repeat(4096));
    let response = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(response, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
}
