//! The first admin. With IMPRINT_ADMIN_EMAIL and IMPRINT_ADMIN_PASSWORD set, an empty
//! database gets that admin. Without them, `serve --demo-admin` creates one with a random
//! password and prints it once.

use anyhow::Context;
use imprint_domain::account::{check_password_strength, normalize_email};
use imprint_store::users::NewUser;
use imprint_store::Database;
use imprint_types::Role;

use crate::auth::password::hash_password;
use crate::auth::secrets::new_secret;
use crate::config::Settings;

pub const DEMO_ADMIN_EMAIL: &str = "admin@imprint.local";

pub async fn ensure_admin(db: &Database, settings: &Settings, demo: bool) -> anyhow::Result<()> {
    if db.count_users().await? > 0 {
        return Ok(());
    }
    let (email, password, announce) = match (&settings.admin_email, &settings.admin_password) {
        (Some(email), Some(password)) => (email.clone(), password.clone(), false),
        (Some(_), None) | (None, Some(_)) => {
            anyhow::bail!("set both IMPRINT_ADMIN_EMAIL and IMPRINT_ADMIN_PASSWORD, or neither")
        }
        (None, None) if demo => (
            DEMO_ADMIN_EMAIL.to_owned(),
            new_secret("").chars().take(20).collect(),
            true,
        ),
        (None, None) => {
            tracing::warn!(
                "no users exist: set IMPRINT_ADMIN_EMAIL and IMPRINT_ADMIN_PASSWORD to create the first admin"
            );
            return Ok(());
        }
    };
    let email = normalize_email(&email).context("IMPRINT_ADMIN_EMAIL")?;
    check_password_strength(&password).context("IMPRINT_ADMIN_PASSWORD")?;
    let hash = hash_password(password.clone()).await?;
    db.insert_user(NewUser {
        email: &email,
        password_hash: &hash,
        role: Role::Admin.as_str(),
    })
    .await?;
    tracing::info!(%email, "created the first admin");
    if announce {
        // Printed, not logged: this is the one moment the password is shown.
        println!("\n  Imprint demo admin (shown once):\n    email:    {email}\n    password: {password}\n");
    }
    Ok(())
}
