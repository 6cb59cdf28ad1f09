//! Argon2id password hashing, always off the async workers: a hash takes tens of milliseconds
//! of CPU by design.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

use crate::http::{ApiError, ApiResult};

/// OWASP's baseline for argon2id: 19 MiB of memory, 2 passes, 1 lane.
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).context("argon2 parameters")?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        let hash = hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
        Ok(hash.to_string())
    })
    .await
    .context("password hashing task")?
}

/// Checks a password against a stored hash. With no hash (unknown user) it checks against a
/// dummy one, so a wrong email takes as long as a wrong password and reveals nothing.
pub async fn verify_password(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known_user = stored.is_some();
        let stored = match stored {
            Some(hash) => hash,
            None => dummy_hash()?.to_owned(),
        };
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let matches = hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known_user && matches)
    })
    .await
    .context("password verification task")?
}

/// Caps the argon2 work running at once, server-wide: each hash holds 19 MiB and a core for
/// tens of milliseconds, so unbounded sign-in attempts would exhaust memory and starve every
/// other request. A caller that cannot get a slot in time is told to retry (429).
pub struct PasswordWork {
    slots: tokio::sync::Semaphore,
    capacity: usize,
    wait: Duration,
}

impl PasswordWork {
    pub fn new(capacity: usize, wait: Duration) -> Self {
        PasswordWork {
            slots: tokio::sync::Semaphore::new(capacity),
            capacity,
            wait,
        }
    }

    async fn slot(&self) -> ApiResult<tokio::sync::SemaphorePermit<'_>> {
        let busy = || {
            ApiError::TooManyRequests {
            message: format!(
                "too many passwords are being checked at once (IMPRINT_LOGIN_MAX_CONCURRENT_HASHES = {}): \
                 retry shortly",
                self.capacity
            ),
            retry_after: Duration::from_secs(1),
        }
        };
        match tokio::time::timeout(self.wait, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }

    pub async fn hash(&self, password: String) -> ApiResult<String> {
        let _slot = self.slot().await?;
        Ok(hash_password(password).await?)
    }

    pub async fn verify(&self, password: String, stored: Option<String>) -> ApiResult<bool> {
        let _slot = self.slot().await?;
        Ok(verify_password(password, stored).await?)
    }
}

fn dummy_hash() -> anyhow::Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(b"imprint-dummy-password", &salt)
        .map_err(|e| anyhow::anyhow!("dummy hash: {e}"))?
        .to_string();
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse battery".into(), Some(hash))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        assert!(!verify_password("imprint-dummy-password".into(), None)
            .await
            .unwrap());
    }
}
