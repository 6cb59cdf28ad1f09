//! What SDKs send, normalised: impressions, events, SDK-side counts and unique keys, from the
//! Split wire format and from Imprint's native API. Parsing and per-item validation only; no
//! I/O. The HTTP layer feeds raw bodies in and the write path takes the results.

mod amplitude;
pub mod codes;
mod items;
mod limits;
mod model;
mod native;
mod split;
pub mod text;
mod validate;

pub use amplitude::{
    amplitude_api_key, parse_amplitude_exposures, AmplitudeExposures, AMPLITUDE_SDK,
};
pub use limits::IngestLimits;
pub use model::*;
pub use native::{
    parse_native_events, parse_native_impressions, parse_native_impressions_in, NativeFormat,
};
pub use split::{
    parse_split_counts, parse_split_events, parse_split_impressions, parse_split_keys_client,
    parse_split_keys_server,
};
