//! The file sink: each batch becomes one NDJSON file (the export's fields, optionally
//! gzipped) in a folder below the server's sink file root, for log shippers to pick up.
//!
//! Files roll by rows (`max_rows`) and time (`flush_ms`): the runner hands over a batch when
//! it is full or its oldest row has waited that long. A file is named after its rows,
//! `{stream}-{first id}-{last id}.ndjson[.gz]`, written under a hidden temporary name in the
//! same folder, flushed to disk and renamed: readers never see half a file, and a retry of the
//! same rows writes the same name again instead of a second copy.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::delivery::{Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};
use crate::actors::exports::encode::Encoder;
use crate::actors::exports::spec::{ExportFormat, ExportKind, ExportSpec};
use imprint_store::sinks::Stream;

pub const SECRETS: &[&str] = &[];

/// Where `Send test` writes its sample: a folder inside the sink's, which shippers watching
/// the sink's folder (not recursively) never read.
const TEST_FOLDER: &str = "_imprint_test";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// The folder, relative to the server's sink file root.
    dir: String,
    #[serde(default = "default_max_rows")]
    max_rows: usize,
    #[serde(default = "default_flush_ms")]
    flush_ms: u64,
    #[serde(default)]
    gzip: bool,
}

fn default_max_rows() -> usize {
    10_000
}

fn default_flush_ms() -> u64 {
    10_000
}

pub struct FileSink {
    root: PathBuf,
    dir: PathBuf,
    gzip: bool,
    batching: Batching,
}

pub fn build(config: Value, ctx: &SinkContext) -> Result<Arc<dyn Destination>, String> {
    let config: Config = serde_json::from_value(config).map_err(|e| e.to_string())?;
    let relative = relative_dir(&config.dir)?;
    if !(1..=1_000_000).contains(&config.max_rows) {
        return Err("`max_rows` must be between 1 and 1000000".into());
    }
    if !(1..=3_600_000).contains(&config.flush_ms) {
        return Err("`flush_ms` must be between 1 and 3600000".into());
    }
    let dir = ctx.file_root.join(relative);
    // A link below the root could still lead out of it: follow what exists already.
    if let Some(existing) = dir.ancestors().find(|p| p.exists()) {
        if !inside(&ctx.file_root, existing).map_err(|e| e.to_string())? {
            return Err(format!(
                "`dir` leads out of the sink file root through {}",
                existing.display()
            ));
        }
    }
    Ok(Arc::new(FileSink {
        root: ctx.file_root.clone(),
        dir,
        gzip: config.gzip,
        batching: Batching {
            max_rows: config.max_rows,
            flush: Duration::from_millis(config.flush_ms),
        },
    }))
}

/// `dir` as a path below the root: relative, at least one folder, no `..`.
fn relative_dir(dir: &str) -> Result<PathBuf, String> {
    let path = Path::new(dir);
    let mut relative = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err("`dir` must not contain `..`: it stays below the sink file root".into())
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(
                    "`dir` must be relative: it names a folder below the sink file root".into(),
                )
            }
        }
    }
    if relative.as_os_str().is_empty() {
        return Err("`dir` must name a folder below the sink file root".into());
    }
    Ok(relative)
}

/// Whether `path` (which exists) is `root` or below it once links are followed. A root that
/// does not exist yet has nothing below it that could lead out.
fn inside(root: &Path, path: &Path) -> std::io::Result<bool> {
    if !root.exists() {
        return Ok(true);
    }
    let root = root.canonicalize()?;
    Ok(path.canonicalize()?.starts_with(root))
}

impl FileSink {
    fn file_name(&self, batch: &Batch) -> String {
        let gz = if self.gzip { ".gz" } else { "" };
        format!(
            "{}-{:020}-{:020}.ndjson{gz}",
            batch.stream().as_str(),
            batch.first_id(),
            batch.last_id()
        )
    }

    fn contents(&self, batch: &Batch) -> anyhow::Result<Vec<u8>> {
        let spec = ExportSpec {
            kind: match batch.stream() {
                Stream::Impressions => ExportKind::Impressions,
                Stream::Events => ExportKind::Events,
            },
            format: ExportFormat::Ndjson,
            gzip: self.gzip,
            ..ExportSpec::default()
        };
        let mut out = Vec::new();
        let mut encoder = Encoder::new(&spec)?;
        encoder.write_page(&batch.rows, &mut out)?;
        encoder.finish(&mut out)?;
        Ok(out)
    }
}

/// Why a write did not happen.
enum WriteError {
    /// The folder leads out of the root (a link made after the sink was set up).
    Escapes(PathBuf),
    Io(std::io::Error),
}

impl From<std::io::Error> for WriteError {
    fn from(error: std::io::Error) -> Self {
        WriteError::Io(error)
    }
}

/// Writes `contents` as `dir/name` all at once: to a temporary file beside it, synced, then
/// renamed over any earlier copy, and the folder synced so the rename survives a crash.
fn write_atomically(
    root: &Path,
    dir: &Path,
    name: &str,
    contents: &[u8],
) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir)?;
    if !inside(root, dir)? {
        return Err(WriteError::Escapes(dir.to_path_buf()));
    }
    // Hidden and not ending in `.ndjson`, so shippers' globs skip it; the same name on a retry
    // of the same rows, so a crash leaves no pile of them.
    let temporary = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, dir.join(name))?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&temporary);
    }
    Ok(result?)
}

#[async_trait::async_trait]
impl Destination for FileSink {
    async fn deliver(&self, batch: &Batch) -> Delivery {
        let contents = match self.contents(batch) {
            Ok(contents) => contents,
            Err(error) => return Delivery::failed(FailureKind::Rejected, Answer::error(error)),
        };
        let name = self.file_name(batch);
        // Stored rows have positive ids; only `Send test`'s sample has id 0.
        let dir = match batch.first_id() {
            0 => self.dir.join(TEST_FOLDER),
            _ => self.dir.clone(),
        };
        let (root, folder, file) = (self.root.clone(), dir.clone(), name.clone());
        let written =
            tokio::task::spawn_blocking(move || write_atomically(&root, &folder, &file, &contents))
                .await;
        match written {
            Ok(Ok(())) => Delivery::Accepted(Answer {
                status: None,
                text: format!("wrote {}", dir.join(&name).display()),
            }),
            Ok(Err(WriteError::Escapes(dir))) => Delivery::failed(
                FailureKind::Misconfigured,
                Answer::error(format!("{} leads out of the sink file root", dir.display())),
            ),
            // A full or read-only disk, or a folder someone removed: worth trying again.
            Ok(Err(WriteError::Io(error))) => {
                Delivery::unreachable(format!("writing {}: {error}", dir.join(&name).display()))
            }
            Err(error) => Delivery::unreachable(error),
        }
    }

    fn batching(&self) -> Batching {
        self.batching
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_stay_below_the_root() {
        assert_eq!(
            relative_dir("shipper/imprint").unwrap(),
            Path::new("shipper/imprint")
        );
        assert_eq!(relative_dir("./a/./b").unwrap(), Path::new("a/b"));
        for bad in ["", ".", "/var/log", "../elsewhere", "a/../../b", "a/.."] {
            assert!(relative_dir(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_out_of_the_root_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        let ctx = SinkContext::new(Duration::from_secs(1), root.path().to_path_buf()).unwrap();
        let error = build(serde_json::json!({ "dir": "link/sub" }), &ctx)
            .err()
            .unwrap();
        assert!(error.contains("leads out"), "{error}");
        assert!(build(serde_json::json!({ "dir": "fine/sub" }), &ctx).is_ok());
    }

    #[test]
    fn a_file_replaces_its_earlier_copy_and_leaves_no_temporary() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        for contents in [&b"first\n"[..], b"second\n"] {
            assert!(write_atomically(root.path(), &dir, "f.ndjson", contents).is_ok());
        }
        assert_eq!(std::fs::read(dir.join("f.ndjson")).unwrap(), b"second\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["f.ndjson"]);
    }
}
