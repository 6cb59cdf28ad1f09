//! What a live tail streams: impressions or `track()` events. The two share the connection,
//! the buffering and the status bar; they differ in URL, columns and filters.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TailKind {
    #[default]
    Impressions,
    Events,
}

impl TailKind {
    /// `/api/v1/environments/{env}/…/live`
    pub fn url(self, env: &str) -> String {
        let what = match self {
            TailKind::Impressions => "impressions",
            TailKind::Events => "events",
        };
        format!("/api/v1/environments/{env}/{what}/live")
    }

    /// The rows' name in sentences: "impressions", "events".
    pub fn noun(self) -> &'static str {
        match self {
            TailKind::Impressions => "impressions",
            TailKind::Events => "events",
        }
    }

    /// "Impressions", "Events".
    pub fn title(self) -> &'static str {
        match self {
            TailKind::Impressions => "Impressions",
            TailKind::Events => "Events",
        }
    }
}
