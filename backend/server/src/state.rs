//! What every request handler can reach. Built once, before the HTTP workers start.

use std::time::Duration;

use imprint_store::Database;

use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;

pub struct AppState {
    pub db: Database,
    pub settings: Settings,
    pub login_throttle: LoginThrottle,
}

impl AppState {
    pub fn new(db: Database, settings: Settings) -> Self {
        let login_throttle = LoginThrottle::new(
            settings.login_failures_before_lockout,
            Duration::from_secs(settings.login_lockout_seconds),
        );
        AppState {
            db,
            settings,
            login_throttle,
        }
    }
}
