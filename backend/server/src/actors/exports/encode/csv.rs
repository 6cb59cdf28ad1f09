//! CSV: a header row of the column names, then one record per row. Absent values are empty
//! fields; properties are one column holding their JSON text.
//!
//! Text comes from SDKs, which anyone holding a public client-side key can call, and CSV files
//! are opened in spreadsheets: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
//! would run as a formula there. Such text cells get a leading `'` (OWASP's advice), which the
//! spreadsheet shows as text. Numbers are written by us and stay as they are.

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
    let mut neutralised = String::new();
    for row in rows {
        for i in 0..R::COLUMNS.len() {
            let field: &str = match row.cell(i) {
                Cell::Text(s) | Cell::OptText(Some(s)) | Cell::Json(Some(s)) => {
                    if starts_like_a_formula(s) {
                        neutralised.clear();
                        neutralised.push('\'');
                        neutralised.push_str(s);
                        &neutralised
                    } else {
                        s
                    }
                }
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

/// Whether a spreadsheet would read this text as a formula.
fn starts_like_a_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::starts_like_a_formula;

    #[test]
    fn formula_starts_are_recognised() {
        for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(starts_like_a_formula(text), "{text:?}");
        }
        for text in ["", "on", "1=1", " =1", "'=1"] {
            assert!(!starts_like_a_formula(text), "{text:?}");
        }
    }
}
