//! Who is calling: console sessions, personal API tokens, passwords and sign-in throttling.

pub mod cleanup;
pub mod client_address;
pub mod console_gate;
pub mod identity;
pub mod password;
pub mod secrets;
pub mod throttle;

pub use identity::{Credential, Identity};

pub const SESSION_COOKIE: &str = "imprint_session";
/// Readable by the page's script, which echoes it in `X-CSRF-Token` on writes.
pub const CSRF_COOKIE: &str = "imprint_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long an unused session lives (`IMPRINT_SESSION_IDLE_MINUTES`), in ms.
pub fn session_idle_ms(state: &crate::state::AppState) -> i64 {
    state
        .settings
        .accounts
        .session_idle_minutes
        .max(1)
        .saturating_mul(60_000)
}
