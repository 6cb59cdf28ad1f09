//! Headers that tell browsers to hold Imprint's pages to a tighter standard: no framing
//! (clickjacking), no MIME sniffing, no full URLs leaked to other sites, HTTPS only once the
//! deployment says it is behind TLS, and a Content Security Policy that allows the console's
//! own scripts, its WebAssembly and nothing from elsewhere.

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;

/// The console loads its script, wasm, styles and API from its own origin only;
/// `'wasm-unsafe-eval'` lets the page compile its WebAssembly. Leptos bootstraps hydration with
/// inline scripts that carry a per-response nonce, which only the page knows: each page adds
/// `script-src 'self' 'nonce-…'` in a `<meta>` policy (`frontend/app/src/app.rs`), and browsers
/// enforce both policies, so inline scripts without the nonce are blocked.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Added to every answer that does not set them itself.
pub fn security_headers(https_only: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"));
    if https_only {
        // Only when cookies are marked Secure, i.e. the deployment serves HTTPS.
        headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}
