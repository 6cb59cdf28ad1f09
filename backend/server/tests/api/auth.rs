use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn a_wrong_password_is_refused_with_401_and_the_json_error() {
    let app = spawn_app().await;
    let response = app
        .login(&app.client(), ADMIN_EMAIL, "not the password")
        .await;
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "invalid_credentials"
    );
}

#[actix_web::test]
async fn an_unknown_email_is_refused_exactly_like_a_wrong_password() {
    let app = spawn_app().await;
    let response = app
        .login(&app.client(), "nobody@example.com", ADMIN_PASSWORD)
        .await;
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "invalid_credentials"
    );
}

#[actix_web::test]
async fn signing_in_sets_an_http_only_lax_session_cookie_and_identifies_the_user() {
    let app = spawn_app().await;
    let client = app.client();
    let response = app
        .login(&client, " Admin@Example.com ", ADMIN_PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("imprint_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("imprint_csrf="))
        .unwrap();
    assert!(
        !csrf.contains("HttpOnly"),
        "the page script must read the CSRF cookie"
    );

    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(body["user"]["role"], "admin");

    let me: Value = client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], ADMIN_EMAIL);
}

#[actix_web::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let session = app.admin_session().await;
    let response = session.post(&app, "/api/v1/auth/logout", &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = session.get(&app, "/api/v1/me").await;
    assert_eq!(
        error_code(me, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
}

#[actix_web::test]
async fn cookie_authenticated_writes_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let session = app.admin_session().await;
    let without = session
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(without, StatusCode::FORBIDDEN).await,
        "csrf_rejected"
    );
    let wrong = session
        .client
        .post(app.url("/api/v1/tokens"))
        .header("X-CSRF-Token", "forged")
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(wrong, StatusCode::FORBIDDEN).await,
        "csrf_rejected"
    );
    let with = session
        .post(&app, "/api/v1/tokens", &json!({ "name": "x" }))
        .await;
    assert_eq!(with.status(), StatusCode::CREATED);
}

#[actix_web::test]
async fn repeated_failed_sign_ins_are_throttled_even_with_the_right_password_next() {
    // A long first delay, so the throttle is still on however slow hashing is here.
    let app = spawn_app_with(|s| s.accounts.login_delay_base_seconds = 600).await;
    let client = app.client();
    for _ in 0..5 {
        let response = app.login(&client, ADMIN_EMAIL, "guess guess guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app.login(&client, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0);
    assert_eq!(
        error_code(response, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_requests"
    );
}

#[actix_web::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = spawn_app().await;
    let admin = app
        .db
        .find_user_by_email(ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap();
    assert!(admin.password_hash.starts_with("$argon2id$"));
    assert!(!admin.password_hash.contains(ADMIN_PASSWORD));
}
