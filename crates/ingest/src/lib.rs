//! Reading the outside world's files into domain types.
//!
//! * [`kolada`]: Kolada's data and KPI metadata documents, in the API v2 shape
//!   (`{count, values, next_page}`) and the v3 shape (`{values, next_url}`), from a file
//!   or over HTTP following the pages ([`http`]);
//! * [`csv_long`]: a long CSV (indicator, unit, period, sex, value);
//! * [`xlsx`]: a bounded reader of a workbook's first sheet, cell by cell;
//! * [`xlsx_wide`]: the wide spreadsheet analysts keep (a row per unit and indicator, a
//!   column per year);
//! * [`strategy_file`]: the strategy as a TOML file people edit;
//! * [`catalogue`]: the curated integration indicator set shipped with Etablera.
//!
//! Readers never touch the database; they return values or an [`IngestError`] that names
//! the file, the row or line, and the field.
//!
//! ```
//! use etablera_ingest::{csv_long, Known};
//! let units = etablera_domain::Units::sweden();
//! let known = Known::units(&units);
//! let obs = csv_long::parse("a.csv", b"indicator,unit,period,sex,value\nN02926,2380,2020,T,\"9,5\"\n", &known).unwrap();
//! assert_eq!(obs[0].value(), Some(9.5));
//! let err = csv_long::parse("a.csv", b"indicator,unit,period,sex,value\nN02926,2380,2020,T,9x\n", &known).unwrap_err();
//! assert_eq!(err.to_string(), "a.csv, row 2, field `value`: `9x` is not a number");
//! ```

/// The two entry points of a reader of rows over its `parse_rows(file, bytes, known,
/// max_errors, errs)`: `parse` (the first problem) and `parse_report` (up to `max_errors`
/// bad rows, each with its place, so a user can correct them all at once).
macro_rules! row_reader_entry_points {
    () => {
        /// Reads the file; the first problem is the error.
        pub fn parse(
            file: &str,
            bytes: &[u8],
            known: &$crate::Known,
        ) -> Result<Vec<etablera_domain::Observation>, $crate::IngestError> {
            parse_report(file, bytes, known, 1).map_err(|mut e| e.remove(0))
        }

        /// Reads the whole file and reports up to `max_errors` bad rows (each with its
        /// place), so a user can correct them all at once.
        pub fn parse_report(
            file: &str,
            bytes: &[u8],
            known: &$crate::Known,
            max_errors: usize,
        ) -> Result<Vec<etablera_domain::Observation>, Vec<$crate::IngestError>> {
            $crate::report_rows(max_errors, |max, errs| {
                parse_rows(file, bytes, known, max, errs)
            })
        }
    };
}

pub mod catalogue;
pub mod csv_long;
pub mod docx;
pub mod http;
pub mod kolada;
pub mod strategy_file;
pub mod text_limits;
pub mod xlsx;
pub mod xlsx_wide;

use etablera_domain::{IndicatorId, Observation, Units};
use std::collections::HashSet;
use std::fmt;

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    pub file: String,
    pub line: Option<usize>,
    pub row: Option<usize>,
    pub column: Option<String>,
    /// A field name, or a path into a JSON document (`values[3].municipality`).
    pub field: Option<String>,
}

impl Place {
    pub fn file(file: &str) -> Place {
        Place {
            file: file.to_string(),
            ..Place::default()
        }
    }
    pub fn row(file: &str, row: usize, field: &str) -> Place {
        Place {
            file: file.to_string(),
            row: Some(row),
            field: Some(field.to_string()),
            ..Place::default()
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(x) = &self.field {
            write!(f, ", field `{x}`")?;
        }
        Ok(())
    }
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("{place}: {message}")]
    Invalid { place: Box<Place>, message: String },
    #[error("{file}: could not read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
}

impl IngestError {
    pub fn invalid(place: Place, message: impl Into<String>) -> IngestError {
        IngestError::Invalid {
            place: Box::new(place),
            message: message.into(),
        }
    }
    /// The place, when the error is about one.
    pub fn place(&self) -> Option<&Place> {
        match self {
            IngestError::Invalid { place, .. } => Some(place.as_ref()),
            _ => None,
        }
    }
}

/// What a reader checks names against: the units, and (when given) the indicators the
/// catalogue knows.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub units: &'a Units,
    pub indicators: Option<&'a HashSet<IndicatorId>>,
}

impl<'a> Known<'a> {
    pub fn units(units: &'a Units) -> Known<'a> {
        Known {
            units,
            indicators: None,
        }
    }

    fn check_indicator(
        &self,
        id: &IndicatorId,
        place: impl FnOnce() -> Place,
    ) -> Result<(), IngestError> {
        match self.indicators {
            Some(set) if !set.contains(id) => Err(IngestError::invalid(
                place(),
                format!("unknown indicator `{id}`; import its metadata first (etablera import kpi.json) or add it to the catalogue"),
            )),
            _ => Ok(()),
        }
    }
}

/// Reads a file of rows with `read`, which returns the problem with the file as a whole
/// or the observations, and puts the problems with rows in its second argument (at most
/// the first argument, `max_errors`): all the bad rows (up to `max_errors`, each with its
/// place), so a user can correct them at once, or the observations.
pub(crate) fn report_rows(
    max_errors: usize,
    read: impl FnOnce(usize, &mut Vec<IngestError>) -> Result<Vec<Observation>, IngestError>,
) -> Result<Vec<Observation>, Vec<IngestError>> {
    let mut errs = Vec::new();
    match read(max_errors.max(1), &mut errs) {
        Err(e) => Err(vec![e]),
        Ok(out) if errs.is_empty() => Ok(out),
        Ok(_) => Err(errs),
    }
}

/// A figure's value and status as a file or a form gives them: an empty value is missing
/// (or the status stated, if it is one without a value); a status in the value field (`..`,
/// `missing`) stands for itself; otherwise a number, with the status stated or final.
/// `None` when the value is not a number.
pub fn value_and_status(
    raw: &str,
    stated: Option<etablera_domain::ObsStatus>,
) -> Option<(Option<f64>, etablera_domain::ObsStatus)> {
    use etablera_domain::ObsStatus;
    let raw = raw.trim();
    if raw.is_empty() {
        return Some((
            None,
            stated
                .filter(|s| !s.has_value())
                .unwrap_or(ObsStatus::Missing),
        ));
    }
    if let Some(st) = ObsStatus::parse(raw).filter(|s| !s.has_value()) {
        return Some((None, st));
    }
    let v = parse_number(raw)?;
    Some((Some(v), stated.unwrap_or(ObsStatus::Final)))
}

/// A parsed number as analysts write it: `47,7`, `47.7`, `1 234`, `1 234,5`.
pub fn parse_number(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let t = t.trim_end_matches('%');
    if t.is_empty() {
        return None;
    }
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The kind of file, by name and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    KoladaData,
    KoladaKpi,
    Csv,
    Xlsx,
}

/// Guesses what a file is from its name and first bytes.
pub fn detect(name: &str, bytes: &[u8]) -> Option<FileKind> {
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        return Some(FileKind::Xlsx);
    }
    if lower.ends_with(".csv") || lower.ends_with(".txt") {
        return Some(FileKind::Csv);
    }
    if lower.ends_with(".json") || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        // Data documents have "kpi" in their values; metadata documents have "title".
        let head = &bytes[..bytes.len().min(4096)];
        let head = String::from_utf8_lossy(head);
        return Some(
            if head.contains("\"title\"") && !head.contains("\"period\"") {
                FileKind::KoladaKpi
            } else {
                FileKind::KoladaData
            },
        );
    }
    None
}

/// What one import read: the observations and, for the batch record, a content hash.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub observations: Vec<Observation>,
    /// What was read but not as asked (Kolada's unknown status texts, skipped rows).
    pub warnings: Vec<crate::kolada::ReadWarning>,
    pub sha256: String,
}

/// The hex SHA-256 of some bytes, which identifies an imported file.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("47,7"), Some(47.7));
        assert_eq!(parse_number("1 234,5"), Some(1234.5));
        assert_eq!(parse_number("1\u{a0}234"), Some(1234.0));
        assert_eq!(parse_number("12.5%"), Some(12.5));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number(""), None);
    }
}
