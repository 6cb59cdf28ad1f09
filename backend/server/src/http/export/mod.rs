//! Streaming exports of stored impressions and events, as NDJSON, CSV or Parquet, optionally
//! gzipped. Any size streams in constant memory: pages of a few thousand rows are read ahead
//! by id, encoded off the async workers, and sent as they are ready; the client's pace holds
//! the reading back. An export holds the rows stored when it started.

mod count;
pub(crate) mod criteria;

pub use count::{__path_count_events, __path_count_impressions, count_events, count_impressions};

use actix_web::http::header::{self, ContentEncoding};
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use std::time::Duration;

use futures::Stream;
use tokio::sync::mpsc;

use super::environments::find_environment;
use super::ApiResult;
use crate::actors::exports::encode::Encoder;
use crate::actors::exports::source::{read_ahead, ReadPage, Scan};
use crate::actors::exports::spec::{ExportKind, ExportSpec};
use crate::auth::Identity;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/environments/{env}/impressions/export", tag = "impressions",
    params(("env" = String, Path),
        ("format" = Option<String>, Query, description = "ndjson (default), csv or parquet"),
        ("gzip" = Option<bool>, Query, description = "gzip the file (application/gzip)"),
        ("flag" = Option<String>, Query, description = "flag names, repeated or comma-separated"),
        ("from" = Option<String>, Query, description = "inclusive; ms since the epoch or RFC 3339"),
        ("to" = Option<String>, Query, description = "exclusive; ms since the epoch or RFC 3339"),
        ("time_field" = Option<String>, Query, description = "timestamp (default) or received_at"),
        ("treatment" = Option<String>, Query), ("key" = Option<String>, Query),
        ("label" = Option<String>, Query), ("sdk" = Option<String>, Query),
        ("property.NAME" = Option<String>, Query, description = "properties[NAME] equals the value")),
    responses((status = 200, description = "The rows, streamed"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/impressions/export")]
pub async fn export_impressions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    stream_export(&req, &state, &path, ExportKind::Impressions).await
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/events/export", tag = "events",
    params(("env" = String, Path),
        ("format" = Option<String>, Query, description = "ndjson (default), csv or parquet"),
        ("gzip" = Option<bool>, Query, description = "gzip the file (application/gzip)"),
        ("event_type" = Option<String>, Query, description = "event types, repeated or comma-separated"),
        ("from" = Option<String>, Query, description = "inclusive; ms since the epoch or RFC 3339"),
        ("to" = Option<String>, Query, description = "exclusive; ms since the epoch or RFC 3339"),
        ("time_field" = Option<String>, Query, description = "timestamp (default) or received_at"),
        ("key" = Option<String>, Query),
        ("property.NAME" = Option<String>, Query, description = "properties[NAME] equals the value")),
    responses((status = 200, description = "The rows, streamed"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/events/export")]
pub async fn export_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    stream_export(&req, &state, &path, ExportKind::Events).await
}

async fn stream_export(
    req: &HttpRequest,
    state: &AppState,
    env_name: &str,
    kind: ExportKind,
) -> ApiResult<HttpResponse> {
    let env = find_environment(state, env_name).await?;
    let spec = criteria::parse(req.query_string(), kind)?;
    // Planned before the 200 goes out, so that a failure here is still a proper error.
    let scan = Scan::open(&state.db, &spec, env.id).await?;
    let encoder = Encoder::new(&spec)?;
    let name = spec.file_name(&format!("{}-{}", kind.as_str(), env.name));
    let stall = Duration::from_secs(state.settings.accounts.stream_stall_timeout_seconds.max(1));
    Ok(
        download_headers(HttpResponse::Ok(), &spec, &name).streaming(encoded(
            read_ahead(scan),
            encoder,
            stall,
        )),
    )
}

/// Content type, file name, and no second compression of compressed bytes by the middleware.
pub fn download_headers(
    mut response: actix_web::HttpResponseBuilder,
    spec: &ExportSpec,
    file_name: &str,
) -> actix_web::HttpResponseBuilder {
    response.content_type(spec.content_type()).insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{file_name}\""),
    ));
    if spec.is_compressed() {
        response.insert_header(ContentEncoding::Identity);
    }
    response
}

/// Encoded chunks waiting for the client, at most.
const CHUNKS_AHEAD: usize = 2;

/// The encoded bytes of the pages, as they are ready. A failure after the headers are sent can
/// only cut the body short; it is logged.
fn encoded(
    pages: mpsc::Receiver<ReadPage>,
    encoder: Encoder,
    stall: Duration,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let (chunks, receiver) = mpsc::channel(CHUNKS_AHEAD);
    // One thread encodes the whole export: a Parquet row group is built and written where its
    // memory was allocated (one malloc arena, not one per pool thread), and no thread hop per
    // page. It stops when the client goes away (the receiver is dropped), or when the client
    // stays connected but takes nothing for `stall`: a blocking thread is never pinned by a
    // reader that stopped reading.
    actix_web::rt::task::spawn_blocking(move || {
        let out = Chunks {
            sender: chunks,
            runtime: tokio::runtime::Handle::current(),
            stall,
        };
        if let Err(e) = encode_all(pages, encoder, &out) {
            out.send(Err(e));
        }
    });
    futures::stream::unfold(receiver, |mut receiver| async move {
        let chunk = receiver.recv().await?;
        Some((chunk.map_err(cut_short), receiver))
    })
}

/// Where the encoding thread sends its chunks, waiting at most `stall` for room.
struct Chunks {
    sender: mpsc::Sender<anyhow::Result<Bytes>>,
    runtime: tokio::runtime::Handle,
    stall: Duration,
}

impl Chunks {
    /// False when the client is gone or has taken nothing for `stall`.
    fn send(&self, chunk: anyhow::Result<Bytes>) -> bool {
        match self
            .runtime
            .block_on(self.sender.send_timeout(chunk, self.stall))
        {
            Ok(()) => true,
            Err(mpsc::error::SendTimeoutError::Timeout(_)) => {
                tracing::info!(
                    stall_seconds = self.stall.as_secs(),
                    "an export's reader stopped reading: export abandoned"
                );
                false
            }
            Err(mpsc::error::SendTimeoutError::Closed(_)) => false,
        }
    }
}

fn encode_all(
    mut pages: mpsc::Receiver<ReadPage>,
    mut encoder: Encoder,
    chunks: &Chunks,
) -> anyhow::Result<()> {
    while let Some(next) = pages.blocking_recv() {
        let (page, _) = next?;
        let mut out = Vec::new();
        encoder.write_page(&page, &mut out)?;
        // Parquet keeps rows until a row group is full: often nothing to send yet.
        if !out.is_empty() && !chunks.send(Ok(Bytes::from(out))) {
            return Ok(());
        }
    }
    let mut out = Vec::new();
    encoder.finish(&mut out)?;
    chunks.send(Ok(Bytes::from(out)));
    Ok(())
}

fn cut_short(error: anyhow::Error) -> actix_web::Error {
    tracing::error!(error = ?error, "an export stream failed");
    actix_web::error::ErrorInternalServerError("the export failed")
}
