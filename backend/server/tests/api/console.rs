use reqwest::StatusCode;

use crate::helpers::*;

#[actix_web::test]
async fn signed_out_visitors_are_sent_to_the_login_page() {
    let app = spawn_app().await;
    let response = app.client().get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");
}

#[actix_web::test]
async fn the_login_page_is_server_rendered_with_its_form_and_hydration_script() {
    let app = spawn_app().await;
    let response = app.client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("Sign in to your console"), "{html}");
    assert!(html.contains(r#"id="password""#));
    assert!(
        html.contains("/pkg/imprint.js"),
        "the page loads the hydration script"
    );
}

#[actix_web::test]
async fn the_signed_in_shell_is_rendered_on_the_server_with_the_user() {
    let app = spawn_app().await;
    let session = app.admin_session().await;
    let response = session.get(&app, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(ADMIN_EMAIL),
        "the shell names the signed-in user"
    );
    assert!(html.contains("Sign out"));
    // A signed-in visit to /login goes to the console instead.
    let login = session.get(&app, "/login").await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_stylesheet_is_served() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/assets/imprint.css")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
}
