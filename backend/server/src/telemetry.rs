//! Logging through `tracing`. `RUST_LOG` overrides the default filter.

use tracing_subscriber::EnvFilter;

pub fn init() {
    init_with_default("info,sqlx=warn,sea_orm=warn,actix_server=warn");
}

/// Starts logging with `default` as the filter unless `RUST_LOG` says otherwise.
pub fn init_with_default(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // A second init (tests start many apps in one process) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
