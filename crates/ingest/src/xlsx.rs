//! A bounded reader for the first sheet of an xlsx workbook (Office Open XML, ECMA-376).
//!
//! A workbook is a zip archive of XML parts, and both layers can claim more than they hold:
//! a deflated part can expand a thousandfold, and a sheet's cell references can span a box
//! of 16 384 × 1 048 576 cells with two cells in it. So this reader never sizes anything
//! from what the file says about itself:
//!
//! * every part is read through a counting reader that stops at [`Limits::part_bytes`]
//!   decompressed bytes (and all parts together at [`Limits::total_bytes`]), shared strings
//!   included;
//! * the sheet is read as a stream of cells, kept sparse per row; a cell beyond
//!   [`Limits::max_column`] or [`Limits::max_row`], or more than [`Limits::max_cells`]
//!   cells, ends the read with an error that names the cell;
//! * XML entities other than the five predefined ones and character references are never
//!   expanded (no DTD is read).
//!
//! ```
//! let bytes = etablera_ingest::xlsx_wide::write(&[vec!["Kommun", "2024"], vec!["Östersund", "47,7"]]);
//! let sheet = etablera_ingest::xlsx::read_first_sheet("a.xlsx", &bytes, &Default::default()).unwrap();
//! assert_eq!(sheet.rows[1].cells[0], etablera_ingest::xlsx::Value::Text("Östersund".into()));
//! ```

use crate::{IngestError, Place};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};

/// How much a workbook may hold. The defaults fit any real statistics or caseload file
/// (hundreds of thousands of cells) with room to spare, and keep one upload within a few
/// hundred MiB of memory at worst.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Decompressed bytes of any one part (the sheet, the shared strings, …).
    pub part_bytes: u64,
    /// Decompressed bytes of all parts read.
    pub total_bytes: u64,
    /// Non-empty cells in the sheet.
    pub max_cells: usize,
    /// Highest 1-based row number.
    pub max_row: u32,
    /// Highest 1-based column number (1 024 is column AMJ).
    pub max_column: u32,
    /// Entries in the shared string table.
    pub max_shared_strings: usize,
    /// Parts in the archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            part_bytes: 64 << 20,
            total_bytes: 128 << 20,
            max_cells: 1_000_000,
            max_row: 1_048_576,
            max_column: 1_024,
            max_shared_strings: 1_000_000,
            max_entries: 10_000,
        }
    }
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A number in a date format, as `YYYY-MM-DD`.
    Date(String),
    /// An error value such as `#DIV/0!`.
    Error(String),
}

impl Value {
    /// The cell as text: dates as `YYYY-MM-DD`, whole numbers without decimals.
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.trim().to_string(),
            Value::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Value::Number(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Date(d) => d.clone(),
            Value::Error(e) => e.clone(),
        }
    }
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A row that has at least one cell: its 1-based number and its cells from column A (empty
/// up to the first cell that has a value).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Value>,
}

/// The first sheet: its name and its rows in order.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// The spreadsheet name of a 0-based column: 0 → `A`, 26 → `AA`.
pub fn column_name(c: usize) -> String {
    let mut n = c + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Splits `AB12` into a 1-based column and row; `None` if it is not a cell reference or
/// lies beyond the largest sheet a spreadsheet program makes.
fn parse_ref(r: &str) -> Option<(u32, u32)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = letters
        .bytes()
        .fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1));
    let row: u32 = digits.parse().ok()?;
    ((1..=1_048_576).contains(&row) && col <= 16_384).then_some((col, row))
}

/// Reads a part through a counter that stops at the part's and the workbook's limits.
struct Counted<R> {
    inner: R,
    part: String,
    read: u64,
    limit: u64,
    total: std::rc::Rc<std::cell::Cell<u64>>,
    total_limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.total.set(self.total.get() + n as u64);
        if self.read > self.limit {
            return Err(std::io::Error::other(format!(
                "part `{}` expands to more than {} MiB",
                self.part,
                self.limit >> 20
            )));
        }
        if self.total.get() > self.total_limit {
            return Err(std::io::Error::other(format!(
                "the workbook expands to more than {} MiB",
                self.total_limit >> 20
            )));
        }
        Ok(n)
    }
}

pub(crate) struct Book<'a> {
    file: &'a str,
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    total: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<'a> Book<'a> {
    /// An Office Open XML package (a zip archive of XML parts), refused when it is no zip
    /// archive or has more parts than the limits allow. `what` names the kind of file in
    /// the errors ("xlsx workbook", "docx document").
    pub(crate) fn open(
        file: &'a str,
        bytes: &'a [u8],
        limits: &Limits,
        what: &str,
    ) -> Result<Book<'a>, IngestError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            IngestError::invalid(Place::file(file), format!("not a readable {what}: {e}"))
        })?;
        if zip.len() > limits.max_entries {
            return Err(IngestError::invalid(
                Place::file(file),
                format!("the {what} has more than {} parts", limits.max_entries),
            ));
        }
        Ok(Book {
            file,
            zip,
            limits: *limits,
            total: Default::default(),
        })
    }

    pub(crate) fn err(&self, msg: impl Into<String>) -> IngestError {
        IngestError::invalid(Place::file(self.file), msg)
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// Streams the events of one part to `f`; `f` returns `Ok(false)` to stop early.
    pub(crate) fn each_event(
        &mut self,
        name: &str,
        f: &mut dyn FnMut(Event<'_>) -> Result<bool, String>,
    ) -> Result<(), IngestError> {
        let file = self.file;
        let entry = self
            .zip
            .by_name(name)
            .map_err(|e| IngestError::invalid(Place::file(file), format!("part `{name}`: {e}")))?;
        let counted = Counted {
            inner: entry,
            part: name.to_string(),
            read: 0,
            limit: self.limits.part_bytes,
            total: self.total.clone(),
            total_limit: self.limits.total_bytes,
        };
        let mut reader = quick_xml::Reader::from_reader(BufReader::new(counted));
        reader.config_mut().trim_text(false);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let ev = reader.read_event_into(&mut buf).map_err(|e| {
                let msg = match &e {
                    quick_xml::Error::Io(io) => io.to_string(),
                    other => format!("not well-formed XML: {other}"),
                };
                IngestError::invalid(
                    Place::file(file),
                    format!("part `{name}`, byte {}: {msg}", reader.buffer_position()),
                )
            })?;
            if matches!(ev, Event::Eof) {
                return Ok(());
            }
            if !f(ev).map_err(|m| {
                IngestError::invalid(Place::file(file), format!("part `{name}`: {m}"))
            })? {
                return Ok(());
            }
        }
    }
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            a.unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
        })
    })
}

/// Text of a text or reference event (`&amp;`, `&#x2764;`).
fn text_of(ev: &Event<'_>) -> Result<Option<String>, String> {
    match ev {
        Event::Text(t) => Ok(Some(t.decode().map_err(|e| e.to_string())?.into_owned())),
        Event::CData(t) => Ok(Some(t.decode().map_err(|e| e.to_string())?.into_owned())),
        Event::GeneralRef(r) => {
            if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                return Ok(Some(c.to_string()));
            }
            let name = r.decode().map_err(|e| e.to_string())?;
            quick_xml::escape::resolve_predefined_entity(&name)
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| format!("unknown entity `&{name};`"))
        }
        _ => Ok(None),
    }
}

/// Relationship ids to targets, resolved against `base` (`xl/`).
fn relationships(
    book: &mut Book<'_>,
    part: &str,
    base: &str,
) -> Result<HashMap<String, String>, IngestError> {
    let mut out = HashMap::new();
    if !book.has(part) {
        return Ok(out);
    }
    book.each_event(part, &mut |ev| {
        if let Event::Start(e) | Event::Empty(e) = &ev {
            if e.local_name().as_ref() == b"Relationship" {
                if let (Some(id), Some(target)) = (attr(e, b"Id"), attr(e, b"Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("{base}{target}"),
                    };
                    if out.len() < 10_000 {
                        out.insert(id, path);
                    }
                }
            }
        }
        Ok(true)
    })?;
    Ok(out)
}

/// Whether a number format shows a date: the built-in date formats, or a custom code with
/// day, month or year letters outside quotes and brackets.
fn is_date_format(id: u32, custom: &HashMap<u32, String>) -> bool {
    if matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58) {
        return true;
    }
    let Some(code) = custom.get(&id) else {
        return false;
    };
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// A date serial as `YYYY-MM-DD` (the 1900 system, with its phantom 29 February 1900, or
/// the 1904 system).
fn serial_date(serial: f64, date1904: bool) -> Option<String> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    if date1904 {
        days += 1462;
    }
    if days >= 60 {
        days -= 1;
    }
    // Serial 1 is 1900-01-01, 25 567 days before 1970-01-01.
    let civil = days - 25_568;
    let d = etablera_domain::Date::from_unix_days(civil);
    Some(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
}

/// Reads the first sheet of the workbook within `limits`.
pub fn read_first_sheet(file: &str, bytes: &[u8], limits: &Limits) -> Result<Sheet, IngestError> {
    let mut book = Book::open(file, bytes, limits, "xlsx workbook")?;
    if !book.has("xl/workbook.xml") {
        return Err(book.err("not a readable xlsx workbook: it has no part `xl/workbook.xml`"));
    }
    // The workbook: the first sheet's name and relationship, and the date system.
    let mut first: Option<(String, String)> = None;
    let mut date1904 = false;
    book.each_event("xl/workbook.xml", &mut |ev| {
        if let Event::Start(e) | Event::Empty(e) = &ev {
            match e.local_name().as_ref() {
                b"workbookPr" => {
                    date1904 = matches!(attr(e, b"date1904").as_deref(), Some("1" | "true"))
                }
                b"sheet" if first.is_none() => {
                    let name = attr(e, b"name").unwrap_or_default();
                    let id = attr(e, b"id").unwrap_or_default();
                    first = Some((name, id));
                }
                _ => {}
            }
        }
        Ok(true)
    })?;
    let (name, rid) = first.ok_or_else(|| book.err("the workbook has no sheets"))?;
    let rels = relationships(&mut book, "xl/_rels/workbook.xml.rels", "xl/")?;
    let sheet_part = rels
        .get(&rid)
        .cloned()
        .or_else(|| {
            book.has("xl/worksheets/sheet1.xml")
                .then(|| "xl/worksheets/sheet1.xml".to_string())
        })
        .ok_or_else(|| book.err(format!("sheet `{name}` has no part in the workbook")))?;
    let find_rel = |suffix: &str, fallback: &str| {
        rels.values()
            .find(|t| t.ends_with(suffix))
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    let strings_part = find_rel("sharedStrings.xml", "xl/sharedStrings.xml");
    let styles_part = find_rel("styles.xml", "xl/styles.xml");

    // Styles: which cell formats show dates.
    let mut date_styles: Vec<bool> = Vec::new();
    if book.has(&styles_part) {
        let mut custom: HashMap<u32, String> = HashMap::new();
        let mut xf_formats: Vec<u32> = Vec::new();
        let mut in_cell_xfs = false;
        book.each_event(&styles_part, &mut |ev| {
            match &ev {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    b"numFmt" => {
                        if let (Some(id), Some(code)) = (
                            attr(e, b"numFmtId").and_then(|v| v.parse().ok()),
                            attr(e, b"formatCode"),
                        ) {
                            if custom.len() < 10_000 {
                                custom.insert(id, code);
                            }
                        }
                    }
                    b"cellXfs" => in_cell_xfs = matches!(ev, Event::Start(_)),
                    b"xf" if in_cell_xfs => {
                        if xf_formats.len() >= 100_000 {
                            return Err("more than 100 000 cell formats".into());
                        }
                        xf_formats.push(
                            attr(e, b"numFmtId")
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(0),
                        );
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
                _ => {}
            }
            Ok(true)
        })?;
        date_styles = xf_formats
            .iter()
            .map(|id| is_date_format(*id, &custom))
            .collect();
    }

    // Shared strings: the text of each `<si>`, rich-text runs joined, phonetic runs left out.
    let mut strings: Vec<String> = Vec::new();
    if book.has(&strings_part) {
        let max = limits.max_shared_strings;
        let mut cur: Option<String> = None;
        let mut in_t = false;
        let mut phonetic = 0usize;
        book.each_event(&strings_part, &mut |ev| {
            match &ev {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"si" => {
                        if strings.len() >= max {
                            return Err(format!("more than {max} shared strings"));
                        }
                        cur = Some(String::new());
                    }
                    b"t" => in_t = true,
                    b"rPh" => phonetic += 1,
                    _ => {}
                },
                Event::Empty(e) if e.local_name().as_ref() == b"si" => {
                    if strings.len() >= max {
                        return Err(format!("more than {max} shared strings"));
                    }
                    strings.push(String::new());
                }
                Event::End(e) => match e.local_name().as_ref() {
                    b"si" => strings.push(cur.take().unwrap_or_default()),
                    b"t" => in_t = false,
                    b"rPh" => phonetic = phonetic.saturating_sub(1),
                    _ => {}
                },
                other => {
                    if in_t && phonetic == 0 {
                        if let (Some(s), Some(t)) = (cur.as_mut(), text_of(other)?) {
                            s.push_str(&t);
                        }
                    }
                }
            }
            Ok(true)
        })?;
    }

    // The sheet, cell by cell.
    let mut rows: Vec<Row> = Vec::new();
    let mut cells = 0usize;
    // Cells kept, empty ones before a row's last cell included: rows are sparse between
    // each other, dense within, so this bounds the memory of a sheet of scattered cells.
    let mut slots = 0usize;
    let mut row_number = 0u32;
    let mut next_col = 1u32;
    // The cell being read: reference, type, style, collected value text.
    struct Open {
        col: u32,
        row: u32,
        kind: String,
        style: usize,
        text: String,
        capture: bool,
    }
    let mut open: Option<Open> = None;
    let lim = *limits;
    let mut push = |rows: &mut Vec<Row>, row: u32, col: u32, v: Value| -> Result<(), String> {
        if matches!(v, Value::Empty) {
            return Ok(());
        }
        cells += 1;
        if cells > lim.max_cells {
            return Err(format!(
                "the sheet has more than {} cells with values",
                lim.max_cells
            ));
        }
        if rows.last().map(|r| r.number) != Some(row) {
            if rows.last().is_some_and(|r| r.number > row) {
                return Err(format!(
                    "row {row} comes after row {}",
                    rows.last().map(|r| r.number).unwrap_or(0)
                ));
            }
            rows.push(Row {
                number: row,
                cells: Vec::new(),
            });
        }
        let r = rows.last_mut().expect("just pushed");
        let idx = (col - 1) as usize;
        if r.cells.len() <= idx {
            slots += idx + 1 - r.cells.len();
            if slots > 2 * lim.max_cells {
                return Err(format!(
                    "the sheet's rows span more than {} cells (cell {}{row})",
                    2 * lim.max_cells,
                    column_name(idx)
                ));
            }
            r.cells.resize(idx + 1, Value::Empty);
        }
        r.cells[idx] = v;
        Ok(())
    };
    book.each_event(&sheet_part, &mut |ev| {
        match &ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"row" => {
                    row_number = match attr(e, b"r") {
                        Some(r) => r
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=1_048_576).contains(n))
                            .ok_or_else(|| format!("`{r}` is not a row number"))?,
                        None => row_number + 1,
                    };
                    if row_number > lim.max_row {
                        return Err(format!("row {row_number} lies beyond row {}", lim.max_row));
                    }
                    next_col = 1;
                }
                b"c" => {
                    let (col, row) = match attr(e, b"r") {
                        Some(r) => parse_ref(&r).ok_or_else(|| format!("`{r}` is not a cell reference"))?,
                        None => (next_col, row_number.max(1)),
                    };
                    if col > lim.max_column || row > lim.max_row {
                        return Err(format!(
                            "cell {}{row} lies beyond column {} or row {}; only a sheet up to {}{} is read",
                            column_name(col as usize - 1),
                            column_name(lim.max_column as usize - 1),
                            lim.max_row,
                            column_name(lim.max_column as usize - 1),
                            lim.max_row
                        ));
                    }
                    next_col = col + 1;
                    let o = Open {
                        col,
                        row,
                        kind: attr(e, b"t").unwrap_or_else(|| "n".into()),
                        style: attr(e, b"s").and_then(|s| s.parse().ok()).unwrap_or(0),
                        text: String::new(),
                        capture: false,
                    };
                    if matches!(ev, Event::Empty(_)) {
                        return Ok(true);
                    }
                    open = Some(o);
                }
                b"v" | b"t" => {
                    if let Some(o) = open.as_mut() {
                        o.capture = matches!(ev, Event::Start(_));
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"v" | b"t" => {
                    if let Some(o) = open.as_mut() {
                        o.capture = false;
                    }
                }
                b"c" => {
                    if let Some(o) = open.take() {
                        let cell = format!("{}{}", column_name(o.col as usize - 1), o.row);
                        let v = match o.kind.as_str() {
                            "s" => {
                                let i: usize = o.text.trim().parse().map_err(|_| {
                                    format!("cell {cell}: `{}` is not a shared string index", o.text)
                                })?;
                                Value::Text(strings.get(i).cloned().ok_or_else(|| {
                                    format!("cell {cell}: shared string {i} does not exist")
                                })?)
                            }
                            "inlineStr" | "str" => Value::Text(o.text),
                            "b" => Value::Bool(o.text.trim() == "1"),
                            "e" => Value::Error(o.text),
                            "d" => Value::Date(o.text.trim().chars().take(10).collect()),
                            _ if o.text.trim().is_empty() => Value::Empty,
                            _ => {
                                let f: f64 = o.text.trim().parse().map_err(|_| {
                                    format!("cell {cell}: `{}` is not a number", o.text)
                                })?;
                                if date_styles.get(o.style).copied().unwrap_or(false) {
                                    serial_date(f, date1904).map(Value::Date).unwrap_or(Value::Number(f))
                                } else {
                                    Value::Number(f)
                                }
                            }
                        };
                        push(&mut rows, o.row, o.col, v)?;
                    }
                }
                _ => {}
            },
            other => {
                if let Some(o) = open.as_mut() {
                    if o.capture {
                        if let Some(t) = text_of(other)? {
                            o.text.push_str(&t);
                        }
                    }
                }
            }
        }
        Ok(true)
    })?;
    Ok(Sheet { name, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(parse_ref("A1"), Some((1, 1)));
        assert_eq!(parse_ref("XFD1048576"), Some((16_384, 1_048_576)));
        assert_eq!(parse_ref("XFE1"), None);
        assert_eq!(parse_ref("A0"), None);
        assert_eq!(parse_ref("a1"), None);
        assert_eq!(parse_ref("1A"), None);
        assert_eq!(parse_ref("A99999999"), None);
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn dates() {
        assert_eq!(serial_date(1.0, false).unwrap(), "1900-01-01");
        assert_eq!(serial_date(61.0, false).unwrap(), "1900-03-01");
        assert_eq!(serial_date(45658.0, false).unwrap(), "2025-01-01");
        assert_eq!(serial_date(0.0, true).unwrap(), "1904-01-01");
        assert!(is_date_format(14, &HashMap::new()));
        assert!(!is_date_format(2, &HashMap::new()));
        let custom = HashMap::from([
            (164, "yyyy\\-mm\\-dd".to_string()),
            (165, "0.0\" dagar\"".to_string()),
            (166, "[Red]0.0".to_string()),
        ]);
        assert!(is_date_format(164, &custom));
        assert!(!is_date_format(165, &custom));
        assert!(!is_date_format(166, &custom));
    }
}
