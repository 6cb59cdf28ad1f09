//! The S3 sink: each batch becomes one object in an S3-compatible bucket, Parquet (zstd, the
//! export's typed columns) or gzipped NDJSON (the export's fields), laid out for tools that
//! read Hive-style partitions:
//!
//! `{prefix}/env={environment}/dt=YYYY-MM-DD/hr=HH/{stream}-{first id}-{last id}.parquet`
//!
//! The date and hour are those of the batch's first row's reception (UTC), and the ids are
//! zero-padded so names sort in id order. A name depends on the batch's rows alone, so a retry
//! of a batch the store took but did not confirm overwrites the same object.

mod config;
mod failure;

use std::sync::Arc;

use object_store::aws::AmazonS3;
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, PutOptions, PutPayload};
use serde_json::Value;

use super::delivery::{Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};
use crate::actors::exports::encode::{Encoder, Page};
use crate::actors::exports::spec::{ExportFormat, ExportKind, ExportSpec};
use config::{Config, Format};
use imprint_store::sinks::Stream;

pub const SECRETS: &[&str] = &["secret_access_key", "session_token"];

/// Batches of more rows than this are encoded on the blocking pool: all sinks share one
/// thread, and a large Parquet file takes it long enough to hold the others up.
const ENCODE_INLINE_ROWS: usize = 10_000;

/// Where `Send test` writes its sample: beside the data, under a folder that Hive-style
/// readers (Athena, Spark, DuckDB's hive partitioning) skip because it starts with `_`.
const TEST_FOLDER: &str = "_imprint_test";

pub struct S3 {
    store: Arc<AmazonS3>,
    bucket: String,
    prefix: Path,
    format: Format,
    max_bytes: usize,
    batching: Batching,
}

pub fn build(config: Value, ctx: &SinkContext) -> Result<Arc<dyn Destination>, String> {
    let config = Config::parse(config)?;
    Ok(Arc::new(S3 {
        store: config.store(&ctx.http)?,
        bucket: config.bucket.clone(),
        prefix: config.prefix_path()?,
        format: config.format,
        max_bytes: config.max_bytes,
        batching: Batching {
            max_rows: config.max_rows,
            flush: config.batching_flush(),
        },
    }))
}

impl S3 {
    fn spec(&self, stream: Stream) -> ExportSpec {
        let kind = match stream {
            Stream::Impressions => ExportKind::Impressions,
            Stream::Events => ExportKind::Events,
        };
        let (format, gzip) = match self.format {
            Format::Parquet => (ExportFormat::Parquet, false),
            Format::Ndjson => (ExportFormat::Ndjson, true),
        };
        ExportSpec {
            kind,
            format,
            gzip,
            ..ExportSpec::default()
        }
    }

    /// The object's name, from the batch alone (see the module's documentation).
    pub fn object_path(&self, batch: &Batch) -> Path {
        object_path(&self.prefix, self.format, batch)
    }

    async fn encode(&self, batch: &Batch) -> anyhow::Result<Vec<u8>> {
        let spec = self.spec(batch.stream());
        if batch.len() <= ENCODE_INLINE_ROWS {
            return encode(&spec, &batch.rows);
        }
        let rows = match &batch.rows {
            Page::Impressions(rows) => Page::Impressions(rows.clone()),
            Page::Events(rows) => Page::Events(rows.clone()),
        };
        tokio::task::spawn_blocking(move || encode(&spec, &rows)).await?
    }
}

fn encode(spec: &ExportSpec, rows: &Page) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(spec)?;
    encoder.write_page(rows, &mut out)?;
    encoder.finish(&mut out)?;
    Ok(out)
}

fn object_path(prefix: &Path, format: Format, batch: &Batch) -> Path {
    let received_at = match &batch.rows {
        Page::Impressions(rows) => rows.first().map(|r| r.received_at),
        Page::Events(rows) => rows.first().map(|r| r.received_at),
    };
    let received = received_at
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_default();
    let extension = match format {
        Format::Parquet => "parquet",
        Format::Ndjson => "ndjson.gz",
    };
    let file = format!(
        "{}-{:020}-{:020}.{extension}",
        batch.stream().as_str(),
        batch.first_id(),
        batch.last_id()
    );
    // Stored rows have positive ids; only `Send test`'s sample has id 0.
    let test = (batch.first_id() == 0).then_some(TEST_FOLDER);
    let parts = [
        format!("env={}", batch.environment),
        received.format("dt=%Y-%m-%d").to_string(),
        received.format("hr=%H").to_string(),
        file,
    ];
    let folder = match test {
        Some(test) => prefix.clone().join(test),
        None => prefix.clone(),
    };
    parts.into_iter().fold(folder, |path, part| path.join(part))
}

#[async_trait::async_trait]
impl Destination for S3 {
    async fn deliver(&self, batch: &Batch) -> Delivery {
        let body = match self.encode(batch).await {
            Ok(body) => body,
            Err(error) => return Delivery::failed(FailureKind::Rejected, Answer::error(error)),
        };
        if body.len() > self.max_bytes {
            return Delivery::failed(
                FailureKind::TooLarge,
                Answer::error(format!(
                    "the object would be {} bytes, over max_bytes {}",
                    body.len(),
                    self.max_bytes
                )),
            );
        }
        let path = self.object_path(batch);
        let spec = self.spec(batch.stream());
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, spec.content_type().into());
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        let size = body.len();
        match self
            .store
            .put_opts(&path, PutPayload::from(body), options)
            .await
        {
            Ok(_) => Delivery::Accepted(Answer {
                status: None,
                text: format!("wrote s3://{}/{path} ({size} bytes)", self.bucket),
            }),
            Err(error) => failure::classify(&error),
        }
    }

    fn batching(&self) -> Batching {
        self.batching
    }
}

#[cfg(test)]
mod tests {
    use imprint_store::impressions::StoredImpression;

    use super::*;

    fn impression(id: i64, received_at: i64) -> StoredImpression {
        StoredImpression {
            id,
            environment: Arc::from("production"),
            flag: "checkout".into(),
            key: "u1".into(),
            bucketing_key: None,
            treatment: "on".into(),
            label: None,
            change_number: None,
            timestamp: received_at,
            received_at,
            sdk: None,
            machine_ip: None,
            machine_name: None,
            traffic_type: None,
            properties: None,
            impressions_mode: None,
        }
    }

    fn batch(ids: &[i64], received_at: i64) -> Batch {
        Batch {
            environment_id: 1,
            environment: Arc::from("production"),
            rows: Page::Impressions(ids.iter().map(|&id| impression(id, received_at)).collect()),
        }
    }

    #[test]
    fn objects_are_named_by_environment_reception_hour_and_id_range() {
        // 2026-12-01T23:59:59.999Z
        let at = 1_796_169_599_999;
        let prefix = Path::parse("lake/imprint/").unwrap();
        let path = object_path(&prefix, Format::Parquet, &batch(&[7, 8, 12], at));
        assert_eq!(
            path.as_ref(),
            "lake/imprint/env=production/dt=2026-12-01/hr=23/\
             impressions-00000000000000000007-00000000000000000012.parquet"
        );
        let path = object_path(&Path::default(), Format::Ndjson, &batch(&[5], at + 1));
        assert_eq!(
            path.as_ref(),
            "env=production/dt=2026-12-02/hr=00/\
             impressions-00000000000000000005-00000000000000000005.ndjson.gz"
        );
    }

    #[test]
    fn the_sample_of_send_test_goes_to_a_folder_readers_skip() {
        let path = object_path(&Path::default(), Format::Parquet, &batch(&[0], 0));
        assert_eq!(
            path.as_ref(),
            "_imprint_test/env=production/dt=1970-01-01/hr=00/\
             impressions-00000000000000000000-00000000000000000000.parquet"
        );
    }
}
