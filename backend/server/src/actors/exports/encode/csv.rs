//! CSV: a header row of the column names, then one record per row. Absent values are empty
//! fields; properties are one column holding their JSON text.

use std::fmt::Write as _;

use anyhow::Context;

use super::{Cell, ExportRow};

pub fn write<R: ExportRow>(rows: &[R], header: bool, out: &mut Vec<u8>) -> anyhow::Result<()> {
    let mut writer = ::csv::WriterBuilder::new().from_writer(&mut *out);
    if header {
        writer
            .write_record(R::COLUMNS.iter().map(|c| c.name))
            .context("writing the CSV header")?;
    }
    let mut number = String::new();
    for row in rows {
        for i in 0..R::COLUMNS.len() {
            let field: &str = match row.cell(i) {
                Cell::Text(s) | Cell::OptText(Some(s)) | Cell::Json(Some(s)) => s,
                Cell::Int(Some(n)) | Cell::Time(n) => {
                    number.clear();
                    let _ = write!(number, "{n}");
                    &number
                }
                Cell::Float(Some(f)) => {
                    number.clear();
                    let _ = write!(number, "{f}");
                    &number
                }
                Cell::OptText(None) | Cell::Int(None) | Cell::Float(None) | Cell::Json(None) => "",
            };
            writer.write_field(field).context("writing a CSV field")?;
        }
        writer
            .write_record(None::<&[u8]>)
            .context("ending a CSV record")?;
    }
    writer.flush().context("flushing CSV")?;
    Ok(())
}
