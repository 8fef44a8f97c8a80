//! Tables users hand in (caseloads, households, dwellings, departments, kommuntal): CSV with
//! `;` or `,`, an xlsx workbook's first sheet, or JSON (an array of objects), every error
//! naming the file, row and field.

use anyhow::{anyhow, bail, Result};

/// A row: its number in the file and its cells, or why it could not be read.
pub type Row = (usize, std::result::Result<Vec<String>, String>);

/// The rows of a table file, CSV (`;` or `,`, UTF-8) or xlsx (the first sheet), each with
/// its row number; the first row is the header. Also the place to name in errors: the file,
/// and for xlsx the sheet.
pub fn rows(file_name: &str, bytes: &[u8]) -> Result<(String, Vec<Row>)> {
    if etablera_ingest::xlsx_wide::looks_like_xlsx(bytes) {
        let (sheet, rows) = etablera_ingest::xlsx_wide::first_sheet_rows(file_name, bytes)?;
        let rows = rows.into_iter().map(|(n, r)| (n, Ok(r))).collect();
        return Ok((format!("{file_name}, sheet `{sheet}`"), rows));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| anyhow!("{file_name}: not UTF-8 text (byte {})", e.valid_up_to()))?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        return json_rows(file_name, text);
    }
    let first = text.lines().next().unwrap_or("");
    let delim = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows = rdr
        .records()
        .enumerate()
        .map(|(i, rec)| {
            let row = rec
                .map(|r| r.iter().map(String::from).collect())
                .map_err(|_| "cannot be read".to_string());
            (i + 1, row)
        })
        .collect();
    Ok((file_name.to_string(), rows))
}

/// A JSON array of objects as rows: the header is the union of the objects' keys (in the
/// order first seen), row 1 the header, row k + 1 the k-th object. Numbers and booleans become
/// text, `null` an empty cell, arrays their items joined by ", ".
fn json_rows(file_name: &str, text: &str) -> Result<(String, Vec<Row>)> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        anyhow!(
            "{file_name}, line {}, column {}: not valid JSON ({e})",
            e.line(),
            e.column()
        )
    })?;
    let items = value
        .as_array()
        .ok_or_else(|| anyhow!("{file_name}: JSON must be an array of objects"))?;
    let mut header: Vec<String> = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let obj = item
            .as_object()
            .ok_or_else(|| anyhow!("{file_name}, row {}: not a JSON object", k + 2))?;
        for key in obj.keys() {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
    }
    fn cell(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => (if *b { "ja" } else { "nej" }).into(),
            serde_json::Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        }
    }
    let mut rows: Vec<Row> = vec![(1, Ok(header.clone()))];
    for (k, item) in items.iter().enumerate() {
        let obj = item.as_object().expect("checked above");
        rows.push((
            k + 2,
            Ok(header
                .iter()
                .map(|h| obj.get(h).map(cell).unwrap_or_default())
                .collect()),
        ));
    }
    Ok((file_name.to_string(), rows))
}

/// A checked table: known columns, every row as long as the header.
#[derive(Debug, Clone)]
pub struct Table {
    pub place: String,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Reads a table and checks its columns: `required` must be there, nothing outside
    /// `required` and `optional` may be. Empty rows are skipped; ragged rows are refused
    /// with their numbers.
    pub fn read(
        file_name: &str,
        bytes: &[u8],
        required: &[&str],
        optional: &[&str],
    ) -> Result<Table> {
        let (place, all) = rows(file_name, bytes)?;
        let headers: Vec<String> = match all.first() {
            Some((_, Ok(h))) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
            _ => bail!("{place}, row 1: no header row"),
        };
        for h in &headers {
            if !required.contains(&h.as_str()) && !optional.contains(&h.as_str()) {
                bail!(
                    "{place}, row 1: unknown column `{h}`; the columns are {}",
                    required
                        .iter()
                        .chain(optional)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        for r in required {
            if !headers.iter().any(|h| h == r) {
                bail!("{place}, row 1: the column `{r}` is missing");
            }
        }
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (n, r) in all.into_iter().skip(1) {
            match r {
                Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {}
                Ok(r) if r.len() != headers.len() => errors.push(format!(
                    "{place}, row {n}: has {} fields, the header has {}",
                    r.len(),
                    headers.len()
                )),
                Ok(r) => out.push((n, r.into_iter().map(|c| c.trim().to_string()).collect())),
                Err(e) => errors.push(format!("{place}, row {n}: {e}")),
            }
        }
        if !errors.is_empty() {
            bail!("{}", errors.join("\n"));
        }
        Ok(Table {
            place,
            headers,
            rows: out,
        })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The cell of row `k` (an index into `rows`) in column `name`; empty if the column is absent.
    pub fn get(&self, k: usize, name: &str) -> &str {
        self.col(name)
            .map(|c| self.rows[k].1[c].as_str())
            .unwrap_or("")
    }

    /// The place of a cell, for errors: "file, row 3, field `rum`".
    pub fn at(&self, k: usize, name: &str) -> String {
        format!("{}, row {}, field `{name}`", self.place, self.rows[k].0)
    }

    /// A number (decimal comma or point, spaces as thousands separators); errors name the cell.
    pub fn num(&self, k: usize, name: &str) -> Result<f64> {
        let raw = self.get(k, name);
        let v: f64 = parse_number(raw)
            .ok_or_else(|| anyhow!("{}: `{raw}` is not a number", self.at(k, name)))?;
        if !v.is_finite() {
            bail!("{}: `{raw}` is not a finite number", self.at(k, name));
        }
        Ok(v)
    }

    /// A number that may not be negative.
    pub fn non_negative(&self, k: usize, name: &str) -> Result<f64> {
        let v = self.num(k, name)?;
        if v < 0.0 {
            bail!("{}: `{}` is negative", self.at(k, name), self.get(k, name));
        }
        Ok(v)
    }

    /// A whole number from 0 up.
    pub fn count(&self, k: usize, name: &str) -> Result<u32> {
        let v = self.non_negative(k, name)?;
        if v.fract() != 0.0 || v > u32::MAX as f64 {
            bail!(
                "{}: `{}` is not a whole number",
                self.at(k, name),
                self.get(k, name)
            );
        }
        Ok(v as u32)
    }

    /// An optional number: empty is `None`.
    pub fn opt_num(&self, k: usize, name: &str) -> Result<Option<f64>> {
        if self.get(k, name).is_empty() {
            Ok(None)
        } else {
            self.num(k, name).map(Some)
        }
    }

    /// Yes or no: ja/nej, yes/no, 1/0, sant/falskt; empty is no.
    pub fn flag(&self, k: usize, name: &str) -> Result<bool> {
        match self.get(k, name).to_lowercase().as_str() {
            "" | "nej" | "no" | "0" | "false" | "falskt" | "n" => Ok(false),
            "ja" | "yes" | "1" | "true" | "sant" | "j" | "y" => Ok(true),
            other => bail!("{}: `{other}` is not ja or nej", self.at(k, name)),
        }
    }

    /// The ids in column `name`: none empty, none twice (errors name both rows).
    pub fn ids(&self, name: &str) -> Result<Vec<String>> {
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(self.rows.len());
        for k in 0..self.rows.len() {
            let id = self.get(k, name);
            if id.is_empty() {
                bail!("{}: empty", self.at(k, name));
            }
            if let Some(first) = seen.insert(id, self.rows[k].0) {
                bail!("{}: `{id}` is also on row {first}", self.at(k, name));
            }
            out.push(id.to_string());
        }
        Ok(out)
    }
}

/// Parses "1 234,5", "1234.5", "47,7 %" (as 47.7).
pub fn parse_number(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if t.is_empty() {
        return None;
    }
    t.replace(',', ".").parse().ok()
}
