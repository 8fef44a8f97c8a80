//! Bounds for delimited text (CSV with `;` or `,`), checked in one pass before a reader
//! builds records: a record longer than [`MAX_RECORD_BYTES`], with more than
//! [`MAX_FIELDS`] fields, or more than [`MAX_ROWS`] records is refused, naming the row. The
//! spreadsheet reader has the same column bound ([`crate::xlsx::Limits`]).

use crate::{IngestError, Place};

/// The longest record (one row, quoted line breaks included): no table Etablera reads has
/// rows anywhere near this.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// The most fields in a record, as in a spreadsheet (column AMJ).
pub const MAX_FIELDS: usize = 1024;
/// The most records in a file.
pub const MAX_ROWS: usize = 1_000_000;

/// Checks `bytes` as delimited text; quotes (`"…"`, `""` inside) are followed so that
/// delimiters and line breaks inside them are not counted.
pub fn check_delimited(file: &str, bytes: &[u8], delimiter: u8) -> Result<(), IngestError> {
    let (mut row, mut start, mut fields, mut quoted) = (1usize, 0usize, 1usize, false);
    let refuse = |row: usize, msg: String| {
        Err(IngestError::invalid(
            Place {
                row: Some(row),
                ..Place::file(file)
            },
            msg,
        ))
    };
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && b == delimiter {
            fields += 1;
            if fields > MAX_FIELDS {
                return refuse(row, format!("more than {MAX_FIELDS} columns"));
            }
        } else if !quoted && b == b'\n' {
            row += 1;
            start = i + 1;
            fields = 1;
            if row > MAX_ROWS {
                return refuse(row, format!("more than {MAX_ROWS} rows"));
            }
            continue;
        }
        if i + 1 - start > MAX_RECORD_BYTES {
            return refuse(
                row,
                format!(
                    "the row is longer than {} KiB{}",
                    MAX_RECORD_BYTES / 1024,
                    if quoted {
                        " (is a quote `\"` left open?)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_hide_delimiters_and_line_breaks() {
        let ok = "a;b\n\"x;y\ny\";2\n";
        assert!(check_delimited("f.csv", ok.as_bytes(), b';').is_ok());
        let wide = format!("a\n{}\n", ";".repeat(MAX_FIELDS));
        let e = check_delimited("f.csv", wide.as_bytes(), b';').unwrap_err();
        assert_eq!(e.to_string(), "f.csv, row 2: more than 1024 columns");
        let quoted_wide = format!("a\n\"{}\"\n", ";".repeat(MAX_FIELDS));
        assert!(check_delimited("f.csv", quoted_wide.as_bytes(), b';').is_ok());
    }
}
