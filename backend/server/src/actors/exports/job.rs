//! Running one export job into its file, with a checkpoint after every page.
//!
//! A checkpoint records the rows written, the last id read and the file's length, after those
//! bytes are in the file. An interrupted NDJSON or CSV job (gzipped or not) resumes: the file
//! is cut back to the checkpoint's length (dropping anything written after it) and the scan
//! continues after the checkpoint's id. Gzip output ends a gzip member at every checkpoint for
//! this, so such a file is a multi-member gzip stream (what gzip itself writes when files are
//! concatenated; readers must read every member, e.g. flate2's `MultiGzDecoder`). A Parquet
//! job starts its file over, since the footer indexes every row group.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use imprint_store::export_jobs::{status, Checkpoint, ExportJobRow};
use imprint_store::impressions::ScanRange;
use imprint_store::{now_ms, Database};
use tokio::sync::mpsc;

use super::blocking;
use super::encode::Encoder;
use super::source::{read_ahead, ReadPage, Scan};
use super::spec::{ExportCriteria, ExportFormat, ExportKind, ExportSpec};

const DAY_MS: i64 = 86_400_000;

/// Checkpoints the writing thread may be ahead of the database by.
const CHECKPOINTS_AHEAD: usize = 4;

/// Where job files go and how long they stay.
#[derive(Debug, Clone)]
pub struct JobSettings {
    pub dir: PathBuf,
    pub ttl_days: u32,
    /// A job running longer fails (`IMPRINT_EXPORT_JOB_TIMEOUT_SECONDS`), so one huge export
    /// cannot hold the queue for ever.
    pub timeout: std::time::Duration,
}

/// The spec a job row stores.
pub fn spec_of(job: &ExportJobRow) -> anyhow::Result<ExportSpec> {
    let kind = ExportKind::parse(&job.kind).context("the job's kind is unknown")?;
    let format = ExportFormat::parse(&job.format).context("the job's format is unknown")?;
    let criteria: ExportCriteria =
        serde_json::from_str(&job.criteria).context("the job's criteria are unreadable")?;
    Ok(ExportSpec {
        kind,
        format,
        gzip: job.gzip,
        criteria,
    })
}

/// The job's file: `export-<id>.<format>[.gz]` in the export folder.
pub fn file_path(dir: &Path, job_id: i64, spec: &ExportSpec) -> PathBuf {
    dir.join(spec.file_name(&format!("export-{job_id}")))
}

struct Output {
    file: File,
    encoder: Encoder,
}

/// Runs the job to its end, from its checkpoint when it can continue one.
pub async fn run(db: &Database, job: &ExportJobRow, settings: &JobSettings) -> anyhow::Result<()> {
    let spec = spec_of(job)?;
    let path = file_path(&settings.dir, job.id, &spec);
    let resumable = resumable_range(job, &spec);
    let (scan, output, at) = match resumable {
        Some(range) => {
            let kept = job.bytes;
            let opened = blocking({
                let path = path.clone();
                move || reopen(&path, kept)
            })
            .await;
            match opened {
                Ok(file) => {
                    tracing::info!(job = job.id, rows = job.rows_written, "resuming an export");
                    let scan = Scan::resume(db, &spec, job.environment_id, range).await?;
                    // Nothing was checkpointed yet: the file starts over, CSV header included.
                    let encoder = if kept > 0 {
                        Encoder::continuing(&spec)?
                    } else {
                        Encoder::new(&spec)?
                    };
                    let output = Output { file, encoder };
                    let at = Checkpoint {
                        rows_written: job.rows_written,
                        last_id: job.last_id,
                        bytes: kept,
                    };
                    (scan, output, at)
                }
                Err(e) => {
                    tracing::warn!(job = job.id, error = %e, "the export restarts: its file cannot continue");
                    start(db, job, &spec, &path).await?
                }
            }
        }
        None => start(db, job, &spec, &path).await?,
    };

    // One thread encodes and writes every page (see the streaming export for why); this task
    // records each checkpoint it reports, after the checkpoint's bytes are in the file.
    let pages = read_ahead(scan);
    let (progress, mut checkpoints) = mpsc::channel(CHECKPOINTS_AHEAD);
    let writer =
        actix_web::rt::task::spawn_blocking(move || write_all(pages, output, at, &progress));
    while let Some(at) = checkpoints.recv().await {
        db.checkpoint_export_job(job.id, at).await?;
    }
    let at = writer.await.context("the export thread panicked")??;
    let ttl = i64::from(settings.ttl_days) * DAY_MS;
    db.finish_export_job(job.id, at, now_ms() + ttl).await?;
    tracing::info!(
        job = job.id,
        rows = at.rows_written,
        bytes = at.bytes,
        "export finished"
    );
    Ok(())
}

/// Where an interrupted text job can continue from, if it can.
fn resumable_range(job: &ExportJobRow, spec: &ExportSpec) -> Option<ScanRange> {
    if job.status != status::RUNNING || spec.format == ExportFormat::Parquet {
        return None;
    }
    Some(ScanRange {
        after: job.last_id,
        until: job.until_id?,
    })
    .filter(|_| job.first_id.is_some())
}

/// Starts the job from nothing: a new scan and an empty file.
async fn start(
    db: &Database,
    job: &ExportJobRow,
    spec: &ExportSpec,
    path: &Path,
) -> anyhow::Result<(Scan, Output, Checkpoint)> {
    let scan = Scan::open(db, spec, job.environment_id)
        .await
        .context("planning the export")?;
    let range = scan.range();
    let file = blocking({
        let path = path.to_owned();
        move || create(&path)
    })
    .await?;
    db.start_export_job(job.id, &path.to_string_lossy(), range)
        .await?;
    let at = Checkpoint {
        rows_written: 0,
        last_id: range.after,
        bytes: 0,
    };
    let encoder = Encoder::new(spec)?;
    Ok((scan, Output { file, encoder }, at))
}

fn create(path: &Path) -> anyhow::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the export folder {}", dir.display()))?;
    }
    File::create(path).with_context(|| format!("creating the export file {}", path.display()))
}

/// Opens a job's file for appending after its first `kept` bytes, dropping the rest.
fn reopen(path: &Path, kept: i64) -> anyhow::Result<File> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let length = file.metadata()?.len();
    let kept = u64::try_from(kept).context("a negative checkpoint")?;
    anyhow::ensure!(
        length >= kept,
        "the file is shorter ({length} bytes) than its checkpoint ({kept} bytes)"
    );
    file.set_len(kept)?;
    file.seek(SeekFrom::End(0))?;
    Ok(file)
}

/// Encodes every page into the file, reporting a checkpoint after each.
fn write_all(
    mut pages: mpsc::Receiver<ReadPage>,
    mut output: Output,
    mut at: Checkpoint,
    progress: &mpsc::Sender<Checkpoint>,
) -> anyhow::Result<Checkpoint> {
    while let Some(next) = pages.blocking_recv() {
        let (page, range) = next.context("reading the rows to export")?;
        let mut bytes = Vec::new();
        output.encoder.write_page(&page, &mut bytes)?;
        output.encoder.checkpoint(&mut bytes)?;
        output
            .file
            .write_all(&bytes)
            .context("writing the export file")?;
        at.rows_written += page.len() as i64;
        at.bytes += bytes.len() as i64;
        at.last_id = range.after;
        anyhow::ensure!(
            progress.blocking_send(at).is_ok(),
            "the export was abandoned"
        );
    }
    at.bytes += finish(output)? as i64;
    Ok(at)
}

fn finish(mut output: Output) -> anyhow::Result<usize> {
    let mut bytes = Vec::new();
    output.encoder.finish(&mut bytes)?;
    output
        .file
        .write_all(&bytes)
        .context("writing the export file")?;
    output.file.sync_all().context("syncing the export file")?;
    Ok(bytes.len())
}
