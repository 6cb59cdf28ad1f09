//! Sign-in limits: growing delays per account across addresses and per address across
//! accounts, `X-Forwarded-For` believed only from trusted proxies, a global cap on password
//! hashing, and the same throttle on `/me/password`.

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// A sign-in that claims to be forwarded for `address`.
async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Response {
    Client::new()
        .post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", format!("{address}, 127.0.0.1"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn assert_throttled(response: Response) {
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        error_code(response, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_requests"
    );
}

#[actix_web::test]
async fn failures_from_many_addresses_throttle_the_account_but_not_others() {
    let app = spawn_app_with(|s| {
        s.accounts.trusted_proxies = "127.0.0.1".into();
        s.accounts.login_account_free_failures = 3;
        s.accounts.login_delay_base_seconds = 600;
    })
    .await;
    let viewer_email = "viewer-throttle@example.com";
    let admin = app.admin_session().await;
    let created = admin
        .post(
            &app,
            "/api/v1/users",
            &json!({ "email": viewer_email, "password": "a long enough password", "role": "viewer" }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
        let response = login_from(&app, address, ADMIN_EMAIL, "a guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // The right password from a fresh address must wait too: the account is throttled.
    assert_throttled(login_from(&app, "10.0.0.4", ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
    // Another account from that address is not.
    let other = login_from(&app, "10.0.0.4", viewer_email, "a long enough password").await;
    assert_eq!(other.status(), StatusCode::OK);
}

#[actix_web::test]
async fn one_address_spraying_many_accounts_is_throttled() {
    let app = spawn_app_with(|s| {
        s.accounts.trusted_proxies = "127.0.0.0/8".into();
        s.accounts.login_address_free_failures = 3;
        s.accounts.login_delay_base_seconds = 600;
    })
    .await;
    for i in 0..3 {
        let email = format!("nobody{i}@example.com");
        let response = login_from(&app, "203.0.113.9", &email, "a guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(login_from(&app, "203.0.113.9", ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
    // The admin is not throttled elsewhere: only that address is.
    let elsewhere = login_from(&app, "198.51.100.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(elsewhere.status(), StatusCode::OK);
}

#[actix_web::test]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    // No trusted proxies: every request's address is the peer's, whatever the header says.
    let app = spawn_app_with(|s| {
        s.accounts.login_address_free_failures = 3;
        s.accounts.login_delay_base_seconds = 600;
    })
    .await;
    for (i, claimed) in ["10.1.1.1", "10.1.1.2", "10.1.1.3"].iter().enumerate() {
        let email = format!("nobody{i}@example.com");
        let response = login_from(&app, claimed, &email, "a guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_throttled(login_from(&app, "10.1.1.4", ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
}

#[actix_web::test]
async fn password_hashing_past_its_cap_is_refused_with_429_naming_the_limit() {
    let app = spawn_app_with(|s| {
        s.accounts.login_max_concurrent_hashes = 1;
        s.accounts.login_hash_wait_ms = 0;
    })
    .await;
    let attempts = (0..12).map(|_| login_from(&app, "10.0.0.1", ADMIN_EMAIL, ADMIN_PASSWORD));
    let responses = futures::future::join_all(attempts).await;
    let mut refused = 0;
    for response in responses {
        match response.status() {
            StatusCode::OK => {}
            StatusCode::TOO_MANY_REQUESTS => {
                refused += 1;
                assert!(response.headers().contains_key("retry-after"));
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["code"], "too_many_requests");
                let message = body["message"].as_str().unwrap();
                assert!(
                    message.contains("IMPRINT_LOGIN_MAX_CONCURRENT_HASHES"),
                    "{message}"
                );
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(refused > 0, "12 sign-ins at once with room for one hash");
    // Once the burst is over, signing in works again.
    let after = app.login(&app.client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(after.status(), StatusCode::OK);
}

#[actix_web::test]
async fn wrong_current_passwords_on_me_password_are_throttled() {
    let app = spawn_app_with(|s| {
        s.accounts.login_account_free_failures = 3;
        s.accounts.login_delay_base_seconds = 600;
    })
    .await;
    let admin = app.admin_session().await;
    let change = |current: &str| json!({ "current_password": current, "new_password": "a brand new password" });
    for _ in 0..3 {
        let response = admin
            .post(&app, "/api/v1/me/password", &change("a guess"))
            .await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "wrong_password"
        );
    }
    let right = admin
        .post(&app, "/api/v1/me/password", &change(ADMIN_PASSWORD))
        .await;
    assert_throttled(right).await;
}
