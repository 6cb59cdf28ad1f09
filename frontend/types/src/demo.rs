use serde::{Deserialize, Serialize};

/// The demo traffic simulator of `imprint serve --demo`: what it does and whether it runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemoStatus {
    /// The server was started with `--demo`: only then can the simulator run.
    pub available: bool,
    pub running: bool,
    /// The environment the simulated traffic goes to.
    pub environment: Option<String>,
    /// Simulated visits per second; each visit evaluates the environment's flags and tracks
    /// a page view and sometimes a checkout.
    pub visits_per_second: f64,
    /// Impressions and events the ingestion API accepted from the simulator since the server
    /// started.
    pub impressions_sent: u64,
    pub events_sent: u64,
    /// When the simulator was last started (RFC 3339), while it runs.
    pub started_at: Option<String>,
}
