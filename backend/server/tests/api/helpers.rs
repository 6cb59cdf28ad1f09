use std::sync::atomic::{AtomicU32, Ordering};

use imprint_server::config::Settings;
use imprint_server::startup::Application;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin password 123";

/// A running server on a random port with a database of its own.
pub struct TestApp {
    pub address: String,
    pub db: imprint_store::Database,
    _data_dir: Option<tempfile::TempDir>,
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// A fresh database URL for the backend this run tests.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("IMPRINT_TEST_DB").as_deref() {
        Ok("postgres") => {
            let server = std::env::var("IMPRINT_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!(
                "imprint_t_{}_{}_{}",
                std::process::id(),
                NEXT_DB.fetch_add(1, Ordering::Relaxed),
                uuid::Uuid::new_v4().simple()
            );
            let url = imprint_store::provision::create_postgres_database(&server, &name)
                .await
                .expect("PostgreSQL must be reachable for IMPRINT_TEST_DB=postgres");
            (url, None)
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/imprint.db", dir.path().display());
            (url, Some(dir))
        }
    }
}

pub fn test_settings(database_url: String) -> Settings {
    Settings {
        database_url,
        bind: "127.0.0.1:0".into(),
        admin_email: Some(ADMIN_EMAIL.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (url, data_dir) = fresh_database().await;
    spawn_app_on(url, data_dir, adjust).await
}

/// A server on the database at `url`, which may be in use by another test server already.
/// `data_dir` (a SQLite file's directory) lives as long as the returned app.
pub async fn spawn_app_on(
    url: String,
    data_dir: Option<tempfile::TempDir>,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    imprint_server::telemetry::init_with_default("error");
    let mut settings = test_settings(url);
    adjust(&mut settings);
    let app = Application::build(settings, false)
        .await
        .expect("the app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.database().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        _data_dir: data_dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A client with its own cookie jar, not following redirects, so tests see them.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn login(&self, client: &Client, email: &str, password: &str) -> Response {
        client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in as the bootstrap admin; returns the client and its CSRF token.
    pub async fn admin_session(&self) -> Session {
        self.session(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn session(&self, email: &str, password: &str) -> Session {
        let client = self.client();
        let response = self.login(&client, email, password).await;
        assert_eq!(response.status(), StatusCode::OK, "signing in as {email}");
        let body: Value = response.json().await.unwrap();
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        Session { client, csrf }
    }

    /// Creates a user with this role (as the admin) and signs them in.
    pub async fn user_with_role(&self, role: &str) -> Session {
        let admin = self.admin_session().await;
        let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
        let password = "a long enough password";
        let created = admin
            .post(
                self,
                "/api/v1/users",
                &json!({ "email": email, "password": password, "role": role }),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        self.session(&email, password).await
    }
}

/// A signed-in browser-like client that sends its CSRF token on writes.
pub struct Session {
    pub client: Client,
    pub csrf: String,
}

impl Session {
    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.client.get(app.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, app: &TestApp, path: &str, body: &Value) -> Response {
        self.client
            .post(app.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, app: &TestApp, path: &str) -> Response {
        self.client
            .delete(app.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .send()
            .await
            .unwrap()
    }
}

/// Asserts the API's error shape and returns its code.
pub async fn error_code(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("errors are JSON");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["code"]
        .as_str()
        .expect("errors carry a code")
        .to_owned()
}

/// An environment's two SDK keys, as created by the admin.
pub struct TestEnvironment {
    pub server_key: String,
    pub client_key: String,
}

impl TestApp {
    /// Creates an environment that keeps data for ten years, so the captured SDK bodies
    /// (from November 2026) never count as expired.
    pub async fn environment(&self, name: &str) -> TestEnvironment {
        let admin = self.admin_session().await;
        let response = admin
            .post(
                self,
                "/api/v1/environments",
                &json!({ "name": name, "retention_days": 3650 }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        let key = |kind: &str| {
            body["sdk_keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["kind"] == kind)
                .unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        TestEnvironment {
            server_key: key("server"),
            client_key: key("client"),
        }
    }

    /// Posts `body` to an SDK endpoint with the key and any extra headers.
    pub async fn sdk_post(
        &self,
        path: &str,
        key: &str,
        headers: &[(&str, &str)],
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut request = reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// Every stored impression of the environment, through the export API.
    pub async fn exported(&self, env: &str, query: &str) -> Vec<Value> {
        let admin = self.admin_session().await;
        let response = admin
            .get(
                self,
                &format!("/api/v1/environments/{env}/impressions/export?format=ndjson{query}"),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub async fn usage(&self, env: &str) -> Value {
        let admin = self.admin_session().await;
        admin
            .get(self, &format!("/api/v1/environments/{env}/usage"))
            .await
            .json()
            .await
            .unwrap()
    }
}

/// A captured SDK request from `backend/domain/tests/fixtures/split`.
pub struct Captured {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

pub fn captured(file: &str) -> Vec<Captured> {
    let path = format!(
        "{}/../domain/tests/fixtures/split/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let requests: Vec<Value> = serde_json::from_str(&text).unwrap();
    requests
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .map(|r| Captured {
            path: r["path"].as_str().unwrap().to_owned(),
            headers: r["headers"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.starts_with("SplitSDK"))
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
            body: r["body"].clone(),
        })
        .collect()
}

impl Captured {
    pub async fn replay(&self, app: &TestApp, key: &str) -> Response {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        app.sdk_post(
            &self.path,
            key,
            &headers,
            "application/json",
            self.body.to_string(),
        )
        .await
    }
}
