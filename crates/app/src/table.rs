//! Tables users hand in (caseloads, households, dwellings, departments, kommuntal): CSV with
//! `;` or `,`, an xlsx workbook's first sheet, or JSON (an array of objects), every error
//! naming the file, row and field.

use crate::error::Result;
#[allow(unused_imports)]
use crate::{bail, input};

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
        .map_err(|e| input!("{file_name}: not UTF-8 text (byte {})", e.valid_up_to()))?;
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
    etablera_ingest::text_limits::check_delimited(file_name, text.as_bytes(), delim)?;
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
/// text, `null` an empty cell, arrays their items joined by ", ". Read as a stream with the
/// bounds of delimited text: at most [`etablera_ingest::text_limits::MAX_ROWS`] objects and
/// [`etablera_ingest::text_limits::MAX_FIELDS`] distinct keys, so no shape of JSON makes
/// the reader grow beyond them.
fn json_rows(file_name: &str, text: &str) -> Result<(String, Vec<Row>)> {
    use etablera_ingest::text_limits::{MAX_FIELDS, MAX_ROWS};
    use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
    use std::collections::HashMap;

    /// The header so far: each key's column.
    #[derive(Default)]
    struct Header {
        names: Vec<String>,
        index: HashMap<String, usize>,
        /// A problem with a row, said with its row number rather than a JSON position.
        problem: Option<String>,
    }
    struct Objects<'h>(&'h mut Header);
    struct Object<'h>(&'h mut Header, usize);

    fn cell(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => (if *b { "ja" } else { "nej" }).into(),
            serde_json::Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        }
    }

    impl<'de> Visitor<'de> for Objects<'_> {
        type Value = Vec<Vec<(usize, String)>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(obj) = seq.next_element_seed(Object(self.0, out.len() + 2))? {
                if out.len() == MAX_ROWS {
                    let msg = format!("row {}: more than {MAX_ROWS} rows", out.len() + 2);
                    self.0.problem = Some(msg.clone());
                    return Err(de::Error::custom(msg));
                }
                out.push(obj);
            }
            Ok(out)
        }
    }
    impl<'de> DeserializeSeed<'de> for Object<'_> {
        type Value = Vec<(usize, String)>;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl Object<'_> {
        fn not_an_object<T, E: de::Error>(self) -> Result<T, E> {
            let msg = format!("row {}: not a JSON object", self.1);
            self.0.problem = Some(msg.clone());
            Err(E::custom(msg))
        }
    }
    impl<'de> Visitor<'de> for Object<'_> {
        type Value = Vec<(usize, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "row {} as a JSON object", self.1)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.not_an_object()
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            self.not_an_object()
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            self.not_an_object()
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            self.not_an_object()
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            self.not_an_object()
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            self.not_an_object()
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            self.not_an_object()
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let header = self.0;
            let mut cells = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                let col = match header.index.get(&key) {
                    Some(c) => *c,
                    None => {
                        if header.names.len() == MAX_FIELDS {
                            let msg =
                                format!("row {}: more than {MAX_FIELDS} different keys", self.1);
                            header.problem = Some(msg.clone());
                            return Err(de::Error::custom(msg));
                        }
                        header.index.insert(key.clone(), header.names.len());
                        header.names.push(key);
                        header.names.len() - 1
                    }
                };
                let value: serde_json::Value = map.next_value()?;
                cells.push((col, cell(&value)));
            }
            Ok(cells)
        }
    }

    let mut header = Header::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let objects = de::Deserializer::deserialize_seq(&mut de, Objects(&mut header))
        .and_then(|o| de.end().map(|_| o));
    let objects = match (objects, header.problem.take()) {
        (Ok(o), _) => o,
        (Err(_), Some(problem)) => bail!("{file_name}, {problem}"),
        (Err(e), None) => bail!(
            "{file_name}, line {}, column {}: not valid JSON ({e})",
            e.line(),
            e.column()
        ),
    };
    let mut rows: Vec<Row> = vec![(1, Ok(header.names.clone()))];
    for (k, cells) in objects.into_iter().enumerate() {
        let mut row = vec![String::new(); header.names.len()];
        for (c, v) in cells {
            row[c] = v;
        }
        rows.push((k + 2, Ok(row)));
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
            .ok_or_else(|| input!("{}: `{raw}` is not a number", self.at(k, name)))?;
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
