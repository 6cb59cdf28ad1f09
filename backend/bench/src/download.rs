//! Counting a streamed export's rows and bytes while throwing the bytes away: the client must
//! not hold gigabytes, nor spend its single thread parsing what it only needs to count.

use anyhow::Context;
use parquet::file::metadata::{FooterTail, ParquetMetaDataReader};

use crate::scenario_args::ExportFormat;

/// Bytes of a Parquet file's end kept to read its footer. The footer indexes every row group
/// (65,536 rows each) and column; for 10M rows it is a few hundred KiB.
const PARQUET_TAIL_BYTES: usize = 16 << 20;
const PARQUET_FOOTER_BYTES: usize = 8;

pub struct RowCounter {
    format: ExportFormat,
    bytes: u64,
    newlines: u64,
    /// The last bytes seen, for Parquet only.
    tail: Vec<u8>,
}

impl RowCounter {
    pub fn new(format: ExportFormat) -> RowCounter {
        RowCounter {
            format,
            bytes: 0,
            newlines: 0,
            tail: Vec::new(),
        }
    }

    pub fn add(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        match self.format {
            // Neither format puts a raw newline inside a row: NDJSON escapes it, and the
            // generated properties hold none for CSV to quote.
            ExportFormat::Csv | ExportFormat::Ndjson => {
                self.newlines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
            }
            ExportFormat::Parquet => {
                self.tail.extend_from_slice(chunk);
                // Trimmed only once it is twice the size kept, so copying stays rare.
                if self.tail.len() > 2 * PARQUET_TAIL_BYTES {
                    let excess = self.tail.len() - PARQUET_TAIL_BYTES;
                    self.tail.drain(..excess);
                }
            }
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Data rows: lines less CSV's header, or the row count in the Parquet footer.
    pub fn rows(&self) -> anyhow::Result<u64> {
        match self.format {
            ExportFormat::Csv => Ok(self.newlines.saturating_sub(1)),
            ExportFormat::Ndjson => Ok(self.newlines),
            ExportFormat::Parquet => parquet_rows(&self.tail),
        }
    }
}

/// The row count of a Parquet file, from its footer: metadata, its length, then `PAR1`.
fn parquet_rows(tail: &[u8]) -> anyhow::Result<u64> {
    anyhow::ensure!(
        tail.len() >= PARQUET_FOOTER_BYTES,
        "the Parquet export is too short to have a footer ({} bytes)",
        tail.len()
    );
    let (rest, footer) = tail.split_at(tail.len() - PARQUET_FOOTER_BYTES);
    let footer = FooterTail::try_from(footer).context("the Parquet export has no footer")?;
    let length = footer.metadata_length();
    anyhow::ensure!(
        length <= rest.len(),
        "the Parquet footer's metadata ({length} bytes) is larger than the {} bytes kept",
        rest.len()
    );
    let metadata = ParquetMetaDataReader::decode_metadata(&rest[rest.len() - length..])
        .context("decoding the Parquet footer")?;
    u64::try_from(metadata.file_metadata().num_rows()).context("a negative Parquet row count")
}
