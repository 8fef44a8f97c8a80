//! The long CSV layout: one row per figure.
//!
//! ```text
//! indicator,unit,period,sex,value,status
//! N00973,2380,2019,T,54.0,
//! OSD-SOCREL,2380,2019Q1,K,"61,5",preliminary
//! ```
//!
//! Swedish headers (`indikator;enhet;period;kön;värde;status`) and a semicolon delimiter
//! with decimal commas, as Excel writes CSV in Sweden, are read too. `unit` takes a code
//! or a name. `sex` and `status` may be left out. An empty value is missing.

use crate::{IngestError, Known, Place};
use etablera_domain::{IndicatorId, ObsStatus, Observation, Period, Sex};

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        names.contains(
            &h.trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
                .as_str(),
        )
    })
}

row_reader_entry_points!();

/// Reads the file; a problem with the file as a whole is the error, problems with rows
/// go to `errs` (at most `max_errors`).
fn parse_rows(
    file: &str,
    bytes: &[u8],
    known: &Known,
    max_errors: usize,
    errs: &mut Vec<IngestError>,
) -> Result<Vec<Observation>, IngestError> {
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    crate::text_limits::check_delimited(file, bytes, delimiter)?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let headers = rdr.headers().map_err(|e| csv_error(file, e))?.clone();
    let need = |names: &[&str], field: &str| {
        column(&headers, names).ok_or_else(|| {
            IngestError::invalid(
                Place {
                    row: Some(1),
                    ..Place::file(file)
                },
                format!("the header has no `{field}` column"),
            )
        })
    };
    let c_ind = need(&["indicator", "indikator", "kpi"], "indicator")?;
    let c_unit = need(
        &["unit", "enhet", "kommun", "municipality", "kommunkod"],
        "unit",
    )?;
    let c_per = need(&["period", "year", "år"], "period")?;
    let c_val = need(&["value", "värde"], "value")?;
    let c_sex = column(&headers, &["sex", "kön", "gender"]);
    let c_status = column(&headers, &["status"]);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let one = (|| -> Result<Observation, IngestError> {
            let rec = rec.map_err(|e| csv_error(file, e))?;
            let at = |field: &str| Place::row(file, row, field);
            let get = |c: usize| rec.get(c).unwrap_or("").trim();
            let indicator = IndicatorId::parse(get(c_ind))
                .map_err(|e| IngestError::invalid(at("indicator"), e.to_string()))?;
            known.check_indicator(&indicator, || at("indicator"))?;
            let unit = known
                .units
                .find(get(c_unit))
                .ok_or_else(|| {
                    IngestError::invalid(
                        at("unit"),
                        format!("unknown municipality or unit `{}`", get(c_unit)),
                    )
                })?
                .code
                .clone();
            let period = Period::parse(get(c_per))
                .map_err(|e| IngestError::invalid(at("period"), e.to_string()))?;
            let sex = match c_sex {
                Some(c) => Sex::parse(get(c))
                    .map_err(|e| IngestError::invalid(at("sex"), e.to_string()))?,
                None => Sex::Total,
            };
            let raw = get(c_val);
            let stated = match c_status.map(get) {
                Some(s) if !s.is_empty() => Some(ObsStatus::parse(s).ok_or_else(|| {
                    IngestError::invalid(at("status"), format!("unknown status `{s}`"))
                })?),
                _ => None,
            };
            let (value, status) = crate::value_and_status(raw, stated).ok_or_else(|| {
                IngestError::invalid(at("value"), format!("`{raw}` is not a number"))
            })?;
            let o = Observation::new(indicator, unit, period, sex, value, status)
                .map_err(|e| IngestError::invalid(at("value"), e.to_string()))?;
            Ok(o)
        })();
        match one {
            Ok(o) => out.push(o),
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

fn csv_error(file: &str, e: csv::Error) -> IngestError {
    let row = e.position().map(|p| p.line() as usize);
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    IngestError::invalid(
        Place {
            row,
            ..Place::file(file)
        },
        msg,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use etablera_domain::Units;

    #[test]
    fn swedish_excel_csv() {
        let units = Units::sweden();
        let k = Known::units(&units);
        let src = "\u{feff}Indikator;Enhet;Period;Kön;Värde\nN00973;Östersund;2019Q1;K;47,7\nN00973;2380;2019;T;..\n";
        let obs = parse("s.csv", src.as_bytes(), &k).unwrap();
        assert_eq!(obs[0].value(), Some(47.7));
        assert_eq!(obs[0].sex, Sex::Women);
        assert_eq!(obs[0].period, Period::Quarter(2019, 1));
        assert_eq!(obs[1].status(), ObsStatus::Missing);
    }

    #[test]
    fn errors_name_the_row() {
        let units = Units::sweden();
        let k = Known::units(&units);
        let e = parse(
            "r.csv",
            b"indicator,unit,period,value\nN1,2380,2019,1\nN1,2380,2019\n",
            &k,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv, row 3: the row has 3 fields but the header has 4"
        );
        let e = parse(
            "u.csv",
            b"indicator,unit,period,value\nN1,Gotham,2019,1\n",
            &k,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "u.csv, row 2, field `unit`: unknown municipality or unit `Gotham`"
        );
        let e = parse("h.csv", b"indicator,unit,value\n", &k).unwrap_err();
        assert_eq!(
            e.to_string(),
            "h.csv, row 1: the header has no `period` column"
        );
    }
}

#[cfg(test)]
mod report_tests {
    use super::*;
    use etablera_domain::Units;

    #[test]
    fn every_bad_row_is_reported() {
        let units = Units::sweden();
        let k = Known::units(&units);
        let src = "indicator,unit,period,value\nN1,2380,2019,1\nN1,Gotham,2019,1\nN1,2380,20x9,1\nN1,2380,2019\nN1,2380,2020,2\n";
        let errs = parse_report("r.csv", src.as_bytes(), &k, 100).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].starts_with("r.csv, row 3, field `unit`"));
        assert!(msgs[1].starts_with("r.csv, row 4, field `period`"));
        assert!(msgs[2].starts_with("r.csv, row 5: the row has 3 fields"));
        assert_eq!(
            parse_report("r.csv", src.as_bytes(), &k, 2)
                .unwrap_err()
                .len(),
            2
        );
    }
}
