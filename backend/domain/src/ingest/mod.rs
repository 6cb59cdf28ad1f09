//! What SDKs send, normalised: impressions, events, SDK-side counts and unique keys, from the
//! Split wire format and from Imprint's native API. Parsing and per-item validation only; no
//! I/O. The HTTP layer feeds raw bodies in and the write path takes the results.

pub mod codes;
mod items;
mod limits;
mod model;
mod native;
mod split;
pub mod text;
mod validate;

pub use limits::IngestLimits;
pub use model::*;
pub use native::{parse_native_events, parse_native_impressions, NativeFormat};
pub use split::{
    parse_split_counts, parse_split_events, parse_split_impressions, parse_split_keys_client,
    parse_split_keys_server,
};
