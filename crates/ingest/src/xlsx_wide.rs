//! The wide spreadsheet analysts keep: a row per unit and indicator, a column per year.
//!
//! | Kommun | Indikator | Kön | 2016 | 2017 | 2018 |
//! |---|---|---|---|---|---|
//! | Östersund | N00973 | T | 41,2 | 45 | 48,1 |
//!
//! The first sheet is read. The header row is the first row; it must have a unit column
//! (`Kommun`, `Enhet`, `Kommunkod`, `Unit`), an indicator column (`Indikator`, `KPI`,
//! `Indicator`), optionally a sex column (`Kön`, `Sex`), and period columns (`2016`,
//! `2019Q1`, …). Empty cells are skipped; `..` or `x` mark missing and suppressed values.

use crate::xlsx::{self, column_name as col_name, Value};
use crate::{parse_number, IngestError, Known, Place};
use etablera_domain::{IndicatorId, ObsStatus, Observation, Period, Sex};

/// Reads the first sheet within the default limits (see [`xlsx::Limits`]).
fn open_first_sheet(file: &str, bytes: &[u8]) -> Result<xlsx::Sheet, IngestError> {
    xlsx::read_first_sheet(file, bytes, &xlsx::Limits::default())
}

/// The first sheet of a workbook as text rows (dates as `YYYY-MM-DD`, whole numbers without
/// decimals), for importers that read a table of their own. Returns the sheet's name too.
/// Each row comes with its 1-based row number in the sheet; rows without values are left out.
pub fn first_sheet_rows(
    file: &str,
    bytes: &[u8],
) -> Result<(String, Vec<(usize, Vec<String>)>), IngestError> {
    let sheet = open_first_sheet(file, bytes)?;
    let rows = sheet
        .rows
        .into_iter()
        .map(|r| (r.number as usize, r.cells.iter().map(Value::text).collect()))
        .collect();
    Ok((sheet.name, rows))
}

/// Whether the bytes are a zip archive, as an xlsx workbook is.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

row_reader_entry_points!();

/// Reads the sheet; a problem with the sheet as a whole is the error, problems with rows
/// go to `errs` (at most `max_errors`).
fn parse_rows(
    file: &str,
    bytes: &[u8],
    known: &Known,
    max_errors: usize,
    errs: &mut Vec<IngestError>,
) -> Result<Vec<Observation>, IngestError> {
    let sheet = open_first_sheet(file, bytes)?;
    let file_sheet = format!("{file}, sheet `{}`", sheet.name);
    let mut rows = sheet.rows.iter();
    let first = rows
        .next()
        .ok_or_else(|| IngestError::invalid(Place::file(&file_sheet), "the sheet is empty"))?;
    let r0 = first.number as usize - 1;
    let header: Vec<String> = first.cells.iter().map(Value::text).collect();
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.to_lowercase().as_str()))
    };
    let hplace = |field: &str| Place {
        row: Some(r0 + 1),
        field: Some(field.into()),
        ..Place::file(&file_sheet)
    };
    let c_unit =
        find(&["kommun", "enhet", "kommunkod", "unit", "municipality"]).ok_or_else(|| {
            IngestError::invalid(
                hplace("Kommun"),
                "the header row has no unit column (Kommun, Enhet, Kommunkod)",
            )
        })?;
    let c_ind = find(&["indikator", "kpi", "indicator", "nyckeltal"]).ok_or_else(|| {
        IngestError::invalid(
            hplace("Indikator"),
            "the header row has no indicator column (Indikator, KPI)",
        )
    })?;
    let c_sex = find(&["kön", "sex", "gender"]);
    let periods: Vec<(usize, Period)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Period::parse(h).ok().map(|p| (i, p)))
        .collect();
    if periods.is_empty() {
        return Err(IngestError::invalid(
            hplace("2019"),
            "the header row has no period columns (2019, 2019Q1, …)",
        ));
    }
    let mut out = Vec::new();
    for r in rows {
        let row = &r.cells;
        if row.iter().all(Value::is_empty) {
            continue;
        }
        let one = (|| -> Result<Vec<Observation>, IngestError> {
            let mut out = Vec::new();
            let rownum = r.number as usize;
            let at = |c: usize, field: &str| Place {
                row: Some(rownum),
                column: Some(col_name(c)),
                field: Some(field.to_string()),
                ..Place::file(&file_sheet)
            };
            let get = |c: usize| row.get(c).map(Value::text).unwrap_or_default();
            let unit_text = get(c_unit);
            let unit = known
                .units
                .find(&unit_text)
                .ok_or_else(|| {
                    IngestError::invalid(
                        at(c_unit, &header[c_unit]),
                        format!("unknown municipality `{unit_text}`"),
                    )
                })?
                .code
                .clone();
            let indicator = IndicatorId::parse(&get(c_ind))
                .map_err(|e| IngestError::invalid(at(c_ind, &header[c_ind]), e.to_string()))?;
            known.check_indicator(&indicator, || at(c_ind, &header[c_ind]))?;
            let sex = match c_sex {
                Some(c) => Sex::parse(&get(c))
                    .map_err(|e| IngestError::invalid(at(c, &header[c]), e.to_string()))?,
                None => Sex::Total,
            };
            for (c, period) in &periods {
                let cell = row.get(*c).unwrap_or(&Value::Empty);
                let (value, status) = match cell {
                    Value::Empty => continue,
                    Value::Number(f) => (Some(*f), ObsStatus::Final),
                    Value::Text(s) if s.trim().is_empty() => continue,
                    Value::Text(s) => match ObsStatus::parse(s).filter(|st| !st.has_value()) {
                        Some(st) => (None, st),
                        None => (
                            Some(parse_number(s).ok_or_else(|| {
                                IngestError::invalid(
                                    at(*c, &header[*c]),
                                    format!("`{}` is not a number", s.trim()),
                                )
                            })?),
                            ObsStatus::Final,
                        ),
                    },
                    other => {
                        return Err(IngestError::invalid(
                            at(*c, &header[*c]),
                            format!("`{}` is not a number", other.text()),
                        ))
                    }
                };
                let o =
                    Observation::new(indicator.clone(), unit.clone(), *period, sex, value, status)
                        .map_err(|e| IngestError::invalid(at(*c, &header[*c]), e.to_string()))?;
                out.push(o);
            }
            Ok(out)
        })();
        match one {
            Ok(o) => out.extend(o),
            Err(e) => {
                errs.push(e);
                if errs.len() >= max_errors {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// Writes a one-sheet workbook (sheet `Blad1`) of inline strings and numbers, laid out as
/// Excel lays out a workbook: for templates users fill in, and for tests of the reader.
/// A cell that parses as a number is written as a number.
pub fn write(rows: &[Vec<&str>]) -> Vec<u8> {
    use std::io::Write;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            let cell = format!("{}{}", col_name(c), r + 1);
            if v.is_empty() {
                continue;
            } else if v.parse::<f64>().is_ok_and(|x| x.is_finite()) {
                sheet.push_str(&format!(r#"<c r="{cell}"><v>{v}</v></c>"#));
            } else {
                let text = v
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                sheet.push_str(&format!(
                    r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, body) in files {
            z.start_file(name, opts).expect("writing to memory");
            z.write_all(body.as_bytes()).expect("writing to memory");
        }
        z.finish().expect("writing to memory");
    }
    buf.into_inner()
}
