//! Preparing the server through its public API, as an operator would: sign in as the first
//! admin, create the environment, take its server-side SDK key. Afterwards, read back what the
//! server says it stored.

use anyhow::Context;
use imprint_types::{
    CreateEnvironmentRequest, CreatedEnvironment, LoginRequest, LoginResponse, SdkKeyKind,
    UsageView,
};
use reqwest::StatusCode;

use crate::server::{ADMIN_EMAIL, ADMIN_PASSWORD};

pub const ENVIRONMENT: &str = "bench";

/// The environment under load and a signed-in console session to query it with.
pub struct BenchEnvironment {
    pub server_key: String,
    session: reqwest::Client,
    base_url: String,
}

impl BenchEnvironment {
    pub async fn create(base_url: &str) -> anyhow::Result<BenchEnvironment> {
        let session = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .context("building the setup client")?;

        let login = session
            .post(format!("{base_url}/api/v1/auth/login"))
            .json(&LoginRequest {
                email: ADMIN_EMAIL.into(),
                password: ADMIN_PASSWORD.into(),
            })
            .send()
            .await
            .context("signing in")?;
        let login: LoginResponse = expect_json(login, StatusCode::OK, "signing in").await?;

        let created = session
            .post(format!("{base_url}/api/v1/environments"))
            .header("X-CSRF-Token", &login.csrf_token)
            .json(&CreateEnvironmentRequest {
                name: ENVIRONMENT.into(),
                // The longest retention, so no impression of the run is ever too old.
                retention_days: Some(3650),
            })
            .send()
            .await
            .context("creating the environment")?;
        let created: CreatedEnvironment =
            expect_json(created, StatusCode::CREATED, "creating the environment").await?;
        let server_key = created
            .sdk_keys
            .into_iter()
            .find(|k| k.kind == SdkKeyKind::Server)
            .map(|k| k.key)
            .context("the new environment came without a server-side SDK key")?;

        Ok(BenchEnvironment {
            server_key,
            session,
            base_url: base_url.to_owned(),
        })
    }

    /// Impressions the server's usage counters say it stored this month.
    pub async fn stored_impressions(&self) -> anyhow::Result<i64> {
        let response = self
            .session
            .get(format!(
                "{}/api/v1/environments/{ENVIRONMENT}/usage",
                self.base_url
            ))
            .send()
            .await
            .context("reading the environment's usage")?;
        let usage: UsageView =
            expect_json(response, StatusCode::OK, "reading the environment's usage").await?;
        Ok(usage.impressions_stored)
    }
}

async fn expect_json<T: serde::de::DeserializeOwned>(
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
