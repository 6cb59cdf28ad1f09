//! CORS for the SDK endpoints, and only for them.
//!
//! Browser SDKs run on a web page's origin and call Imprint cross-origin. Their requests carry
//! `Authorization` and `SplitSDK*` headers, so browsers send a preflight first. Client-side keys
//! are public and carry no cookies, so any origin may call these endpoints without credentials
//! (`Access-Control-Allow-Origin: *`); an environment that lists allowed origins refuses the
//! others when the key is checked (`sdk_auth`). The console and its API get no CORS headers at
//! all: they stay same-origin, behind cookies and CSRF tokens.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

/// Request headers the Split browser SDK, the OFREP web provider and beacon-less `fetch`
/// callers send.
const ALLOWED_HEADERS: &str = "accept, authorization, content-type, if-none-match, \
    splitsdkversion, splitsdkmachineip, splitsdkmachinename, splitsdkimpressionsmode, \
    splitsdkclientkey";
/// Response headers pages may read: OFREP's ETag and the backpressure hint.
const EXPOSED_HEADERS: &str = "etag, retry-after";
/// Browsers cache a preflight this long (Chromium caps it at 2 hours, Firefox at 24).
const PREFLIGHT_MAX_AGE_SECONDS: &str = "86400";

/// The paths SDKs call: the Split feed and ingestion, their beacons, Imprint's native
/// ingestion and evaluator, and OFREP.
pub fn is_sdk_path(path: &str) -> bool {
    const EXACT: [&str; 6] = [
        "/api/splitChanges",
        "/api/v2/auth",
        "/api/v1/impressions",
        "/api/v1/exposures",
        "/api/v1/events",
        "/api/v1/evaluate",
    ];
    const PREFIXES: [&str; 7] = [
        "/api/segmentChanges/",
        "/api/memberships/",
        "/api/testImpressions/",
        "/api/events/",
        "/api/v1/keys/",
        "/api/v1/metrics/",
        "/ofrep/",
    ];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

pub async fn sdk_cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if !is_sdk_path(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    if req.method() == Method::OPTIONS {
        let preflight = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECONDS))
            .finish();
        return Ok(req.into_response(preflight).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::is_sdk_path;

    #[test]
    fn sdk_paths_are_the_sdk_endpoints_only() {
        for path in [
            "/api/splitChanges",
            "/api/memberships/user%201",
            "/api/testImpressions/bulk",
            "/api/testImpressions/count/beacon",
            "/api/events/beacon",
            "/api/v1/keys/cs",
            "/api/v1/metrics/usage/beacon",
            "/api/v1/impressions",
            "/api/v1/events",
            "/api/v1/evaluate",
            "/ofrep/v1/evaluate/flags",
        ] {
            assert!(is_sdk_path(path), "{path} is an SDK endpoint");
        }
        for path in [
            "/api/v1/me",
            "/api/v1/auth/login",
            "/api/v1/environments",
            "/api/v1/environments/prod/events/export",
            "/api/v1/environments/prod/impressions/live",
            "/api/v1/eventsx",
            "/api/v1/users",
            "/",
            "/login",
        ] {
            assert!(!is_sdk_path(path), "{path} is not an SDK endpoint");
        }
    }
}
