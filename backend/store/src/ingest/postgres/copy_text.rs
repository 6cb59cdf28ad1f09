//! Rows in the text format of `COPY … FROM STDIN`: columns separated by tabs, rows ended by a
//! newline, `\N` for NULL, and backslash escapes for the characters that would otherwise end a
//! column or a row.

use std::io::Write;

#[derive(Debug, Default)]
pub struct CopyText {
    buf: Vec<u8>,
}

impl CopyText {
    pub fn with_capacity(bytes: usize) -> CopyText {
        CopyText {
            buf: Vec::with_capacity(bytes),
        }
    }

    pub fn int(&mut self, value: i64) {
        // Writing into a Vec cannot fail.
        let _ = write!(self.buf, "{value}\t");
    }

    pub fn opt_int(&mut self, value: Option<i64>) {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub fn opt_float(&mut self, value: Option<f64>) {
        match value {
            // Rust prints the shortest form that reads back as the same double.
            Some(v) => {
                let _ = write!(self.buf, "{v}\t");
            }
            None => self.null(),
        }
    }

    pub fn text(&mut self, value: &str) {
        let needs_escape = |b: &u8| matches!(b, b'\\' | b'\t' | b'\n' | b'\r');
        if !value.as_bytes().iter().any(needs_escape) {
            self.buf.extend_from_slice(value.as_bytes());
        } else {
            for &b in value.as_bytes() {
                match b {
                    b'\\' => self.buf.extend_from_slice(b"\\\\"),
                    b'\t' => self.buf.extend_from_slice(b"\\t"),
                    b'\n' => self.buf.extend_from_slice(b"\\n"),
                    b'\r' => self.buf.extend_from_slice(b"\\r"),
                    _ => self.buf.push(b),
                }
            }
        }
        self.buf.push(b'\t');
    }

    pub fn opt_text(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(b"\\N\t");
    }

    /// Ends the row: its last column's tab becomes the newline.
    pub fn end_row(&mut self) {
        if let Some(last) = self.buf.last_mut() {
            *last = b'\n';
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_escape_delimiters_and_mark_nulls() {
        let mut text = CopyText::default();
        text.int(-7);
        text.opt_int(None);
        text.text("a\tb\\c\nd\re");
        text.opt_float(Some(1.5));
        text.end_row();
        text.opt_text(Some("plain"));
        text.end_row();
        assert_eq!(
            text.as_bytes(),
            b"-7\t\\N\ta\\tb\\\\c\\nd\\re\t1.5\nplain\n"
        );
    }
}
