//! Parquet with typed columns, written with the low-level column writers (no arrow).
//!
//! Rows are buffered column by column until a row group is full; the group is then written
//! and its bytes handed on, so memory holds one row group whatever the export's size. Times
//! are INT64 with the TIMESTAMP(millis, UTC) logical type, strings BYTE_ARRAY UTF8 (dictionary
//! encoded by default), `change_number` an optional INT64, `value` an optional DOUBLE and
//! `properties` a UTF8 column holding the JSON text. Pages are zstd-compressed.

use std::sync::Arc;

use anyhow::Context;
use parquet::basic::{
    Compression, LogicalType, Repetition, TimeUnit, Type as PhysicalType, ZstdLevel,
};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::{Cell, Column, ColumnType, ExportRow};

/// Rows per row group: large enough for good compression and fast scans, small enough that
/// the buffered group stays in the tens of megabytes.
const ROW_GROUP_ROWS: usize = 65_536;

enum Values {
    Bytes(Vec<ByteArray>),
    Int64(Vec<i64>),
    Double(Vec<f64>),
}

struct ColumnBuffer {
    values: Values,
    /// Definition levels of an optional column: 1 where a value is present, 0 for null.
    levels: Option<Vec<i16>>,
    /// The last string pushed: a repeat (the same label, SDK, machine… row after row) shares
    /// its bytes instead of allocating a copy, which keeps a buffered row group small.
    last: Option<ByteArray>,
}

pub struct ParquetEncoder {
    writer: SerializedFileWriter<Vec<u8>>,
    columns: Vec<ColumnBuffer>,
    buffered: usize,
}

impl ParquetEncoder {
    pub fn new(message: &str, columns: &'static [Column]) -> anyhow::Result<ParquetEncoder> {
        let fields = columns
            .iter()
            .map(|c| schema_field(c).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Type::group_type_builder(message)
            .with_fields(fields)
            .build()
            .context("building the Parquet schema")?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
            .set_created_by(format!("imprint {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(properties))
            .context("starting the Parquet file")?;
        let buffers = columns
            .iter()
            .map(|c| ColumnBuffer {
                values: match c.ty {
                    ColumnType::Text | ColumnType::OptText | ColumnType::Json => {
                        Values::Bytes(Vec::new())
                    }
                    ColumnType::Int | ColumnType::Time => Values::Int64(Vec::new()),
                    ColumnType::Float => Values::Double(Vec::new()),
                },
                levels: (!matches!(c.ty, ColumnType::Text | ColumnType::Time)).then(Vec::new),
                last: None,
            })
            .collect();
        Ok(ParquetEncoder {
            writer,
            columns: buffers,
            buffered: 0,
        })
    }

    pub fn write<R: ExportRow>(&mut self, rows: &[R], out: &mut Vec<u8>) -> anyhow::Result<()> {
        for row in rows {
            for (i, buffer) in self.columns.iter_mut().enumerate() {
                buffer.push(row.cell(i));
            }
            self.buffered += 1;
            if self.buffered >= ROW_GROUP_ROWS {
                self.write_row_group(out)?;
            }
        }
        Ok(())
    }

    pub fn finish(mut self, out: &mut Vec<u8>) -> anyhow::Result<()> {
        if self.buffered > 0 {
            self.write_row_group(out)?;
        }
        self.writer.finish().context("writing the Parquet footer")?;
        out.append(self.writer.inner_mut());
        Ok(())
    }

    fn write_row_group(&mut self, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let mut group = self.writer.next_row_group()?;
        for buffer in &mut self.columns {
            let mut column = group
                .next_column()?
                .context("the Parquet schema has fewer columns than the rows")?;
            let levels = buffer.levels.as_deref();
            match &mut buffer.values {
                Values::Bytes(values) => {
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(values, levels, None)?;
                    values.clear();
                }
                Values::Int64(values) => {
                    column
                        .typed::<Int64Type>()
                        .write_batch(values, levels, None)?;
                    values.clear();
                }
                Values::Double(values) => {
                    column
                        .typed::<DoubleType>()
                        .write_batch(values, levels, None)?;
                    values.clear();
                }
            }
            if let Some(levels) = &mut buffer.levels {
                levels.clear();
            }
            column.close()?;
        }
        group.close()?;
        self.buffered = 0;
        // The writer tracks offsets itself, so taking the bytes it has written so far out of
        // its Vec leaves the file consistent; only its own buffer must be flushed first.
        self.writer.flush()?;
        out.append(self.writer.inner_mut());
        Ok(())
    }
}

impl ColumnBuffer {
    fn push(&mut self, cell: Cell<'_>) {
        let present = match (&mut self.values, cell) {
            (Values::Bytes(v), Cell::Text(s) | Cell::OptText(Some(s)) | Cell::Json(Some(s))) => {
                let repeated = self
                    .last
                    .as_ref()
                    .filter(|last| last.data() == s.as_bytes());
                let value = match repeated {
                    Some(last) => last.clone(),
                    None => {
                        let value = ByteArray::from(s);
                        self.last = Some(value.clone());
                        value
                    }
                };
                v.push(value);
                true
            }
            (Values::Bytes(_), Cell::OptText(None) | Cell::Json(None)) => false,
            (Values::Int64(v), Cell::Int(n)) => {
                v.extend(n);
                n.is_some()
            }
            (Values::Int64(v), Cell::Time(t)) => {
                v.push(t);
                true
            }
            (Values::Double(v), Cell::Float(f)) => {
                v.extend(f);
                f.is_some()
            }
            // The columns and the cells come from the same `ExportRow` table.
            _ => false,
        };
        if let Some(levels) = &mut self.levels {
            levels.push(i16::from(present));
        }
    }
}

fn schema_field(column: &Column) -> anyhow::Result<Type> {
    let (physical, logical, repetition) = match column.ty {
        ColumnType::Text => (
            PhysicalType::BYTE_ARRAY,
            Some(LogicalType::String),
            Repetition::REQUIRED,
        ),
        ColumnType::OptText | ColumnType::Json => (
            PhysicalType::BYTE_ARRAY,
            Some(LogicalType::String),
            Repetition::OPTIONAL,
        ),
        ColumnType::Int => (PhysicalType::INT64, None, Repetition::OPTIONAL),
        ColumnType::Time => (
            PhysicalType::INT64,
            Some(LogicalType::timestamp(true, TimeUnit::MILLIS)),
            Repetition::REQUIRED,
        ),
        ColumnType::Float => (PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
    };
    Type::primitive_type_builder(column.name, physical)
        .with_logical_type(logical)
        .with_repetition(repetition)
        .build()
        .with_context(|| format!("the Parquet column {}", column.name))
}
