//! Preparing the server through its public API, as an operator would: sign in as the first
//! admin, create the environment (or a key for a seeded one), take its server-side SDK key.
//! Afterwards, read back what the server says it stored.

use anyhow::Context;
use imprint_types::{
    CreateEnvironmentRequest, CreateSdkKeyRequest, CreatedEnvironment, LoginRequest, LoginResponse,
    NewSdkKey, SdkKeyKind, UsageView,
};
use reqwest::StatusCode;

use crate::server::{ADMIN_EMAIL, ADMIN_PASSWORD};

pub const ENVIRONMENT: &str = "bench";

/// A signed-in console session of the first admin: what the benchmarks read and administer
/// the server with.
#[derive(Clone)]
pub struct AdminSession {
    client: reqwest::Client,
    csrf_token: String,
    base_url: String,
}

impl AdminSession {
    pub async fn sign_in(base_url: &str) -> anyhow::Result<AdminSession> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .context("building the setup client")?;
        let login = client
            .post(format!("{base_url}/api/v1/auth/login"))
            .json(&LoginRequest {
                email: ADMIN_EMAIL.into(),
                password: ADMIN_PASSWORD.into(),
            })
            .send()
            .await
            .context("signing in")?;
        let login: LoginResponse = expect_json(login, StatusCode::OK, "signing in").await?;
        Ok(AdminSession {
            client,
            csrf_token: login.csrf_token,
            base_url: base_url.to_owned(),
        })
    }

    /// A GET of an API path (`/api/v1/…`) under the session cookie.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.base_url))
    }

    /// A POST of an API path, with the CSRF token cookie-authenticated writes must echo.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base_url))
            .header("X-CSRF-Token", &self.csrf_token)
    }

    /// A PUT of an API path, with the CSRF token.
    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .put(format!("{}{path}", self.base_url))
            .header("X-CSRF-Token", &self.csrf_token)
    }

    /// Creates an environment; returns its server-side SDK key.
    pub async fn create_environment(
        &self,
        name: &str,
        retention_days: i32,
    ) -> anyhow::Result<String> {
        let created = self
            .post("/api/v1/environments")
            .json(&CreateEnvironmentRequest {
                name: name.into(),
                retention_days: Some(retention_days),
            })
            .send()
            .await
            .context("creating the environment")?;
        let created: CreatedEnvironment =
            expect_json(created, StatusCode::CREATED, "creating the environment").await?;
        created
            .sdk_keys
            .into_iter()
            .find(|k| k.kind == SdkKeyKind::Server)
            .map(|k| k.key)
            .context("the new environment came without a server-side SDK key")
    }

    /// A new server-side SDK key for an environment that exists already (a seeded one, whose
    /// keys were never shown).
    pub async fn new_server_key(&self, environment: &str) -> anyhow::Result<String> {
        let created = self
            .post(&format!("/api/v1/environments/{environment}/keys"))
            .json(&CreateSdkKeyRequest {
                kind: SdkKeyKind::Server,
            })
            .send()
            .await
            .context("creating an SDK key")?;
        let created: NewSdkKey =
            expect_json(created, StatusCode::CREATED, "creating an SDK key").await?;
        Ok(created.key)
    }
}

/// The environment under load and a signed-in console session to query it with.
pub struct BenchEnvironment {
    pub server_key: String,
    pub session: AdminSession,
}

impl BenchEnvironment {
    pub async fn create(base_url: &str) -> anyhow::Result<BenchEnvironment> {
        let session = AdminSession::sign_in(base_url).await?;
        // The longest retention, so no impression of the run is ever too old.
        let server_key = session.create_environment(ENVIRONMENT, 3650).await?;
        Ok(BenchEnvironment {
            server_key,
            session,
        })
    }

    /// Impressions the server's usage counters say it stored this month.
    pub async fn stored_impressions(&self) -> anyhow::Result<i64> {
        let response = self
            .session
            .get(&format!("/api/v1/environments/{ENVIRONMENT}/usage"))
            .send()
            .await
            .context("reading the environment's usage")?;
        let usage: UsageView =
            expect_json(response, StatusCode::OK, "reading the environment's usage").await?;
        Ok(usage.impressions_stored)
    }
}

pub async fn expect_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    expected: StatusCode,
    doing: &str,
) -> anyhow::Result<T> {
    let status = response.status();
    let body = response
        .text()
        .await
        .with_context(|| format!("{doing}: reading the answer"))?;
    anyhow::ensure!(
        status == expected,
        "{doing}: expected {expected}, got {status}: {body}"
    );
    serde_json::from_str(&body).with_context(|| format!("{doing}: unexpected answer {body}"))
}
