/// Per-item limits. Items past them are rejected with a reason; the batch goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestLimits {
    /// Longest key, bucketing key, flag, treatment, label or event type, in bytes.
    pub max_key_bytes: usize,
    /// Largest serialised properties object, in bytes.
    pub max_properties_bytes: usize,
    /// How far past the server's clock a timestamp may be (clock skew), in ms.
    pub max_future_ms: i64,
    /// Timestamps older than this (ms since the epoch) are `expired`: the environment's
    /// retention would purge them at once.
    pub oldest_timestamp_ms: i64,
    /// The server's clock, ms since the epoch.
    pub now_ms: i64,
    /// Largest `rc` of one SDK count (evaluations of one flag in one hour by one SDK).
    pub max_sdk_count: i64,
    /// Rejections listed one by one in an answer; past them they are only counted by code,
    /// so a body of a million bad items cannot make a million-entry answer.
    pub max_listed_rejections: usize,
}

impl IngestLimits {
    pub const DEFAULT_MAX_KEY_BYTES: usize = 250;
    pub const DEFAULT_MAX_PROPERTIES_BYTES: usize = 32 * 1024;
    pub const DEFAULT_MAX_FUTURE_MS: i64 = 60 * 60 * 1000;
    pub const DEFAULT_MAX_SDK_COUNT: i64 = 1_000_000_000;
    pub const DEFAULT_MAX_LISTED_REJECTIONS: usize = 100;

    /// Limits for an environment keeping data `retention_days`, at time `now_ms`.
    pub fn new(now_ms: i64, retention_days: i64) -> Self {
        IngestLimits {
            max_key_bytes: Self::DEFAULT_MAX_KEY_BYTES,
            max_properties_bytes: Self::DEFAULT_MAX_PROPERTIES_BYTES,
            max_future_ms: Self::DEFAULT_MAX_FUTURE_MS,
            oldest_timestamp_ms: now_ms
                .saturating_sub(retention_days.saturating_mul(24 * 60 * 60 * 1000)),
            now_ms,
            max_sdk_count: Self::DEFAULT_MAX_SDK_COUNT,
            max_listed_rejections: Self::DEFAULT_MAX_LISTED_REJECTIONS,
        }
    }
}
