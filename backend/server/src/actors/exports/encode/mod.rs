//! Turning pages of stored rows into NDJSON, CSV or Parquet bytes, optionally gzipped.
//!
//! Rows are described once as typed columns ([`ExportRow`]); each format writes those columns
//! straight from the row's fields, without building a `serde_json::Value` per row. Encoders
//! append to a caller's buffer page by page, so a whole export never sits in memory (Parquet
//! holds one row group).

mod csv;
mod parquet;
mod rows;

use std::io::Write;

use anyhow::Context;
use flate2::write::GzEncoder;
use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;

use super::spec::{ExportFormat, ExportKind, ExportSpec};

/// A column's type, which fixes its Parquet type and its spelling in the text formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// A string that is always present.
    Text,
    OptText,
    /// An optional 64-bit integer.
    Int,
    /// ms since the epoch, always present.
    Time,
    /// An optional double.
    Float,
    /// An optional JSON object, stored as compact text.
    Json,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
}

/// One value of a row; the variant matches the column's type.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(Option<i64>),
    Time(i64),
    Float(Option<f64>),
    Json(Option<&'a str>),
}

/// A row type that can be exported.
pub trait ExportRow {
    const COLUMNS: &'static [Column];
    /// The value of column `i` of [`Self::COLUMNS`].
    fn cell(&self, i: usize) -> Cell<'_>;
}

/// Rows read from the database, one page at a time.
pub enum Page {
    Impressions(Vec<StoredImpression>),
    Events(Vec<StoredEvent>),
}

impl Page {
    pub fn len(&self) -> usize {
        match self {
            Page::Impressions(rows) => rows.len(),
            Page::Events(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the first `n` rows (all of them when there are fewer).
    pub fn prefix(&self, n: usize) -> Page {
        match self {
            Page::Impressions(rows) => Page::Impressions(rows[..n.min(rows.len())].to_vec()),
            Page::Events(rows) => Page::Events(rows[..n.min(rows.len())].to_vec()),
        }
    }

    /// The server-assigned id of the last row.
    pub fn last_id(&self) -> Option<i64> {
        match self {
            Page::Impressions(rows) => rows.last().map(|r| r.id),
            Page::Events(rows) => rows.last().map(|r| r.id),
        }
    }
}

enum Format {
    Ndjson,
    Csv { header_written: bool },
    Parquet(Box<parquet::ParquetEncoder>),
}

/// Encodes one export. Not `Sync`: it moves to a blocking thread for each page.
pub struct Encoder {
    format: Format,
    gzip: Option<GzEncoder<Vec<u8>>>,
}

fn new_gzip() -> GzEncoder<Vec<u8>> {
    // The fast level: exports are bound by throughput, and level 6 costs about three times
    // the CPU for a file some 10% smaller.
    GzEncoder::new(Vec::new(), flate2::Compression::fast())
}

impl Encoder {
    pub fn new(spec: &ExportSpec) -> anyhow::Result<Encoder> {
        let format = match spec.format {
            ExportFormat::Ndjson => Format::Ndjson,
            ExportFormat::Csv => Format::Csv {
                header_written: false,
            },
            ExportFormat::Parquet => {
                let columns = match spec.kind {
                    ExportKind::Impressions => StoredImpression::COLUMNS,
                    ExportKind::Events => StoredEvent::COLUMNS,
                };
                let encoder = parquet::ParquetEncoder::new(spec.kind.as_str(), columns)?;
                Format::Parquet(Box::new(encoder))
            }
        };
        Ok(Encoder {
            format,
            gzip: spec.gzip.then(new_gzip),
        })
    }

    /// An encoder continuing a text file whose beginning (the CSV header too) is written.
    pub fn continuing(spec: &ExportSpec) -> anyhow::Result<Encoder> {
        let mut encoder = Encoder::new(spec)?;
        if let Format::Csv { header_written } = &mut encoder.format {
            *header_written = true;
        }
        Ok(encoder)
    }

    /// Encodes a page, appending the bytes that are ready to `out`.
    pub fn write_page(&mut self, page: &Page, out: &mut Vec<u8>) -> anyhow::Result<()> {
        match page {
            Page::Impressions(rows) => self.write_rows(rows, out),
            Page::Events(rows) => self.write_rows(rows, out),
        }
    }

    fn write_rows<R: ExportRow>(&mut self, rows: &[R], out: &mut Vec<u8>) -> anyhow::Result<()> {
        let mut plain = Vec::new();
        let target = if self.gzip.is_some() {
            &mut plain
        } else {
            &mut *out
        };
        match &mut self.format {
            Format::Ndjson => {
                for row in rows {
                    write_ndjson(row, target);
                }
            }
            Format::Csv { header_written } => {
                csv::write(rows, !*header_written, target)?;
                *header_written = true;
            }
            Format::Parquet(encoder) => encoder.write(rows, target)?,
        }
        self.compress(&plain, out)
    }

    /// Makes the output so far a complete file prefix that later output can follow even from
    /// a new encoder: a gzip stream ends its member (a file of several members is still one
    /// valid gzip file). Parquet output can never be continued, whatever is done here.
    pub fn checkpoint(&mut self, out: &mut Vec<u8>) -> anyhow::Result<()> {
        if let Some(gzip) = &mut self.gzip {
            let member = std::mem::replace(gzip, new_gzip());
            out.extend(member.finish().context("finishing a gzip member")?);
        }
        Ok(())
    }

    /// Writes whatever the format keeps for the end (Parquet's last row group and footer).
    pub fn finish(self, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let Encoder { format, gzip } = self;
        let mut plain = Vec::new();
        if let Format::Parquet(encoder) = format {
            let target = if gzip.is_some() {
                &mut plain
            } else {
                &mut *out
            };
            encoder.finish(target)?;
        }
        if let Some(mut gzip) = gzip {
            gzip.write_all(&plain).context("compressing")?;
            out.extend(gzip.finish().context("finishing the gzip stream")?);
        }
        Ok(())
    }

    fn compress(&mut self, plain: &[u8], out: &mut Vec<u8>) -> anyhow::Result<()> {
        if let Some(gzip) = &mut self.gzip {
            gzip.write_all(plain).context("compressing")?;
            // Whatever deflate has emitted so far; it keeps the rest until it has a block.
            out.append(gzip.get_mut());
        }
        Ok(())
    }
}

/// One JSON object per line, fields in column order.
fn write_ndjson<R: ExportRow>(row: &R, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, column) in R::COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(column.name.as_bytes());
        out.extend_from_slice(b"\":");
        match row.cell(i) {
            Cell::Text(s) | Cell::OptText(Some(s)) => json_string(s, out),
            Cell::Int(Some(n)) | Cell::Time(n) => {
                let _ = write!(out, "{n}");
            }
            Cell::Float(Some(f)) if f.is_finite() => {
                let _ = write!(out, "{f}");
            }
            // Stored properties were checked to be a JSON object when they arrived; anything
            // else (never expected) goes out as a string rather than breaking the line.
            Cell::Json(Some(raw)) => {
                match serde_json::from_str::<&serde_json::value::RawValue>(raw) {
                    Ok(_) => out.extend_from_slice(raw.as_bytes()),
                    Err(_) => json_string(raw, out),
                }
            }
            Cell::OptText(None) | Cell::Int(None) | Cell::Float(_) | Cell::Json(None) => {
                out.extend_from_slice(b"null")
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

fn json_string(s: &str, out: &mut Vec<u8>) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}
