//! Security headers on the console's pages and the API.

use super::header;
use crate::helpers::*;

#[actix_web::test]
async fn pages_and_api_answers_carry_security_headers() {
    let app = spawn_app().await;
    for path in ["/login", "/api/v1/me", "/healthz"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        let csp = header(&response, "content-security-policy").unwrap_or_default();
        for directive in [
            "frame-ancestors 'none'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "default-src 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert_eq!(
            header(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&response, "x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy").as_deref(),
            Some("same-origin"),
            "{path}"
        );
        assert!(
            header(&response, "strict-transport-security").is_none(),
            "{path}: plain HTTP by default"
        );
    }
}

#[actix_web::test]
async fn https_deployments_get_hsts() {
    let app = spawn_app_with(|s| s.secure_cookies = true).await;
    let response = app.client().get(app.url("/login")).send().await.unwrap();
    let hsts = header(&response, "strict-transport-security").unwrap();
    assert!(hsts.contains("max-age="), "{hsts}");
}

#[actix_web::test]
async fn console_pages_allow_only_their_own_nonced_inline_scripts() {
    let app = spawn_app().await;
    let html = app
        .client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let policy_start = html
        .find("content=\"script-src 'self' 'nonce-")
        .expect("the page declares its script policy");
    let nonce_start = policy_start + "content=\"script-src 'self' 'nonce-".len();
    let nonce = &html[nonce_start..nonce_start + html[nonce_start..].find('\'').unwrap()];
    assert!(nonce.len() >= 16, "a real nonce: {nonce}");
    let first_script = html.find("<script").unwrap();
    assert!(
        policy_start < first_script,
        "the policy precedes every script"
    );
    assert!(
        html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    let again = app
        .client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains(nonce), "a new nonce per response");
}
