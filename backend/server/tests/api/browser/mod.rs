//! What web pages need: CORS on the SDK endpoints (and none on the console's API), the Split
//! browser SDK's `sendBeacon` endpoints, and origin limits per environment.

mod beacons;
mod cors;
mod headers;
mod origins;
