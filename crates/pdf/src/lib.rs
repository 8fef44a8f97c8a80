//! The text of a PDF, page by page, for the strategy library.
//!
//! The text is laid out by `pdf-extract` (fonts, encodings, positions) over `lopdf`'s object
//! model. Neither was written for hostile files, so this crate checks what could make them
//! allocate without bound or recurse without end *before* they see the file:
//!
//! - every stream's filters (FlateDecode, LZWDecode, ASCII85Decode — the ones lopdf
//!   decodes) are run once into a counting sink, per stream and in total bounded, first over
//!   the raw file (lopdf expands object and cross-reference streams while it loads) and
//!   again over the loaded objects with their parsed dictionaries (the page contents and
//!   fonts pdf-extract expands later); a PNG predictor's row is bounded too;
//! - the page tree's `/Parent` chains (pdf-extract follows them for inherited resources
//!   without a limit) and the form XObjects a page draws (`Do`, which pdf-extract follows
//!   recursively) are walked with a depth limit and a loop check;
//! - the layout runs on a thread of its own with a large stack, and a panic in it (the
//!   libraries unwrap freely) becomes an error naming the file.
//!
//! Object nesting is bounded by lopdf's parser itself (it refuses beyond its depth limit).
//! A PDF with no text on any page is "scanned": it is refused with what to do (OCR first);
//! one that needs a password to open is refused as encrypted.

use lopdf::{Document, Object, ObjectId};
use std::collections::HashSet;
use std::fmt;
use std::io::Read;

/// Bounds for one PDF.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest file read.
    pub file_bytes: usize,
    /// The most one stream may expand to.
    pub stream_bytes: u64,
    /// The most all streams together may expand to.
    pub total_bytes: u64,
    /// The most pages read.
    pub pages: usize,
    /// How deep form XObjects may draw each other, and page-tree parents may go.
    pub depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_bytes: 20 << 20,
            stream_bytes: 32 << 20,
            total_bytes: 128 << 20,
            pages: 2_000,
            depth: 32,
        }
    }
}

/// Why a PDF's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// Not a PDF at all.
    NotPdf,
    /// It needs a password to open.
    Encrypted,
    /// Every page is without text: a scan or images of text.
    Scanned { pages: usize },
    /// Beyond one of the limits (what, and the limit).
    TooLarge(String),
    /// Broken or built in a way that is not read (what was found).
    Broken(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::NotPdf => write!(f, "not a PDF file (it does not begin with %PDF-)"),
            PdfError::Encrypted => write!(
                f,
                "the PDF is encrypted (it needs a password to open); save or print it as a PDF without a password"
            ),
            PdfError::Scanned { pages } => write!(
                f,
                "the PDF is scanned: none of its {pages} pages has a text layer, only images; run text recognition (OCR, e.g. ocrmypdf -l swe) first"
            ),
            PdfError::TooLarge(m) => write!(f, "{m}"),
            PdfError::Broken(m) => write!(f, "the PDF is broken or cannot be read: {m}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// The text of each page (index 0 is page 1): lines end with `\n`, a paragraph with a blank
/// line.
pub fn pages(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, PdfError> {
    if bytes.len() > limits.file_bytes {
        return Err(PdfError::TooLarge(format!(
            "the file is {} bytes; at most {} are read",
            bytes.len(),
            limits.file_bytes
        )));
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    let mut budget = Budget::new(limits);
    raw_streams(bytes, &mut budget)?;
    let owned = bytes.to_vec();
    let limits = *limits;
    let worker = std::thread::Builder::new()
        .name("pdf-text".into())
        .stack_size(64 << 20)
        .spawn(move || {
            std::panic::catch_unwind(move || read(&owned, &limits, budget)).unwrap_or_else(|p| {
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(PdfError::Broken(format!(
                    "the text could not be laid out ({})",
                    what.chars().take(120).collect::<String>()
                )))
            })
        })
        .map_err(|e| PdfError::Broken(format!("no thread to read it on: {e}")))?;
    worker
        .join()
        .unwrap_or_else(|_| Err(PdfError::Broken("the text could not be laid out".into())))
}

fn read(bytes: &[u8], limits: &Limits, mut budget: Budget) -> Result<Vec<String>, PdfError> {
    let encrypted_trailer = has_encrypt_key(bytes);
    let mut doc = Document::load_mem(bytes).map_err(|e| {
        if encrypted_trailer {
            PdfError::Encrypted
        } else {
            PdfError::Broken(e.to_string())
        }
    })?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(PdfError::Encrypted);
    }
    budget.reset();
    for object in doc.objects.values() {
        if let Object::Stream(s) = object {
            budget.stream(&s.dict, &s.content)?;
        }
    }
    // The page tree walked with a bound before anything builds it whole: a tree that lists
    // one node many times (2^k pages from k levels) is refused.
    let mut distinct = HashSet::new();
    for id in doc.page_iter().take(limits.pages + 1) {
        if !distinct.insert(id) {
            return Err(PdfError::Broken("the page tree lists a page twice".into()));
        }
    }
    if distinct.len() > limits.pages {
        return Err(PdfError::TooLarge(format!(
            "the PDF has more than {} pages; at most {} are read",
            limits.pages, limits.pages
        )));
    }
    let pages = doc.get_pages();
    for (&number, &id) in &pages {
        parents(&doc, id, limits.depth)
            .map_err(|m| PdfError::Broken(format!("page {number}: {m}")))?;
        forms(&doc, id, limits.depth)
            .map_err(|m| PdfError::Broken(format!("page {number}: {m}")))?;
    }
    let mut out = Pages::default();
    pdf_extract::output_doc(&doc, &mut out).map_err(|e| PdfError::Broken(e.to_string()))?;
    let mut texts = out.pages;
    texts.resize(pages.len().max(texts.len()), String::new());
    if texts.iter().all(|t| t.trim().is_empty()) {
        return Err(PdfError::Scanned { pages: pages.len() });
    }
    Ok(texts)
}

/// Whether the trailer names an `/Encrypt` dictionary (looked for in the file's last part
/// and in cross-reference stream dictionaries, where it stands).
fn has_encrypt_key(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| w == b"/Encrypt")
}

/// The page's `/Parent` chain: no loop, no deeper than `depth`.
fn parents(doc: &Document, page: ObjectId, depth: usize) -> Result<(), String> {
    let mut seen = HashSet::new();
    let mut at = page;
    loop {
        if !seen.insert(at) || seen.len() > depth.max(1) * 8 {
            return Err("the page tree's parents form a loop or are nested too deep".into());
        }
        match doc
            .get_dictionary(at)
            .ok()
            .and_then(|d| d.get(b"Parent").ok())
            .and_then(|p| p.as_reference().ok())
        {
            Some(parent) => at = parent,
            None => return Ok(()),
        }
    }
}

/// The form XObjects a page draws, followed as pdf-extract follows them (`Do` looks the
/// name up in the current resources; a form with no `/Resources` draws with its caller's):
/// no form may draw itself (directly or through others), and no chain is deeper than
/// `depth`.
fn forms(doc: &Document, page: ObjectId, depth: usize) -> Result<(), String> {
    let Ok(page_dict) = doc.get_dictionary(page) else {
        return Ok(());
    };
    let resources = inherited(doc, page_dict, b"Resources", depth);
    let streams = doc.get_page_contents(page);
    if streams.len() > 1_000 {
        return Err(format!(
            "the page has {} content streams; at most 1 000 are read",
            streams.len()
        ));
    }
    let mut content = Vec::new();
    for id in streams {
        if let Ok(s) = doc.get_object(id).and_then(Object::as_stream) {
            content.extend_from_slice(&drawn(s));
            content.push(b'\n');
        }
    }
    let mut stack = Vec::new();
    let mut walks = 0;
    walk(doc, &content, resources, &mut stack, depth, &mut walks)
}

/// A stream's content as pdf-extract reads it: decoded, or as it stands when it cannot be.
fn drawn(s: &lopdf::Stream) -> Vec<u8> {
    if s.filters().is_ok() {
        s.decompressed_content()
            .unwrap_or_else(|_| s.content.clone())
    } else {
        s.content.clone()
    }
}

fn walk<'a>(
    doc: &'a Document,
    content: &[u8],
    resources: Option<&'a lopdf::Dictionary>,
    stack: &mut Vec<ObjectId>,
    depth: usize,
    walks: &mut usize,
) -> Result<(), String> {
    let Ok(ops) = lopdf::content::Content::decode(content) else {
        return Ok(());
    };
    for op in ops.operations.iter().filter(|o| o.operator == "Do") {
        let Some(name) = op.operands.first().and_then(|n| n.as_name().ok()) else {
            continue;
        };
        let Some(id) = resources
            .and_then(|r| deref(doc, r.get(b"XObject").ok()?))
            .and_then(|x| x.as_dict().ok())
            .and_then(|x| x.get(name).ok())
            .and_then(|o| o.as_reference().ok())
        else {
            continue;
        };
        // Any stream drawn is followed, whatever its subtype: pdf-extract does.
        let Ok(form) = doc.get_object(id).and_then(Object::as_stream) else {
            continue;
        };
        *walks += 1;
        if *walks > 10_000 {
            return Err("the page draws more than 10 000 forms".into());
        }
        if stack.contains(&id) {
            return Err("a form XObject draws itself (a loop)".into());
        }
        if stack.len() >= depth {
            return Err(format!("form XObjects are nested more than {depth} deep"));
        }
        let own = form
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| deref(doc, r))
            .and_then(|r| r.as_dict().ok());
        let inner = drawn(form);
        stack.push(id);
        walk(doc, &inner, own.or(resources), stack, depth, walks)?;
        stack.pop();
    }
    Ok(())
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        o => Some(o),
    }
}

/// A key of a page, or of the first ancestor that has it (as pdf-extract looks it up).
fn inherited<'a>(
    doc: &'a Document,
    dict: &'a lopdf::Dictionary,
    key: &[u8],
    depth: usize,
) -> Option<&'a lopdf::Dictionary> {
    let mut at = dict;
    for _ in 0..depth * 8 {
        if let Ok(v) = at.get(key) {
            return deref(doc, v).and_then(|v| v.as_dict().ok());
        }
        let parent = at.get(b"Parent").ok()?.as_reference().ok()?;
        at = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The expansion budget: per stream and in total.
#[derive(Debug)]
struct Budget {
    stream: u64,
    total: u64,
    used: u64,
}

impl Budget {
    fn new(limits: &Limits) -> Budget {
        Budget {
            stream: limits.stream_bytes,
            total: limits.total_bytes,
            used: 0,
        }
    }

    fn reset(&mut self) {
        self.used = 0;
    }

    fn stream(&mut self, dict: &lopdf::Dictionary, content: &[u8]) -> Result<(), PdfError> {
        let filters: Vec<Vec<u8>> = match dict.get(b"Filter") {
            Ok(Object::Name(n)) => vec![n.clone()],
            Ok(Object::Array(a)) => a
                .iter()
                .filter_map(|f| f.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
            _ => Vec::new(),
        };
        let params = dict.get(b"DecodeParms").ok();
        let row = params.and_then(|p| p.as_dict().ok()).map(|p| {
            let n = |k: &[u8], d: i64| p.get(k).and_then(Object::as_i64).unwrap_or(d);
            (n(b"Columns", 1), n(b"Colors", 1), n(b"BitsPerComponent", 8))
        });
        self.check(&filters, row, content)
    }

    /// Runs `filters` over `content` into a counting sink; refuses when the output passes
    /// a limit or a predictor's row would be too large.
    fn check(
        &mut self,
        filters: &[Vec<u8>],
        row: Option<(i64, i64, i64)>,
        content: &[u8],
    ) -> Result<(), PdfError> {
        if let Some((columns, colors, bits)) = row {
            let row_bytes =
                (columns.max(1) as i128) * (colors.max(1) as i128) * (bits.max(8) as i128) / 8;
            if row_bytes > 1 << 24 {
                return Err(PdfError::TooLarge(format!(
                    "a stream's predictor rows are {row_bytes} bytes long; at most {} are read",
                    1 << 24
                )));
            }
        }
        if filters.is_empty() {
            return Ok(());
        }
        let mut data: Vec<u8> = content.to_vec();
        for (i, f) in filters.iter().enumerate() {
            let last = i + 1 == filters.len();
            let cap = self.stream.min(self.total.saturating_sub(self.used));
            let (out, n) = match f.as_slice() {
                b"FlateDecode" => inflate(&data, cap, last),
                b"LZWDecode" => lzw(&data, cap, last),
                b"ASCII85Decode" => {
                    // At most four bytes out of one in (`z`).
                    let n = (data.len() as u64) * 4;
                    if last {
                        (Vec::new(), n)
                    } else {
                        (ascii85(&data), n)
                    }
                }
                _ => return Ok(()),
            };
            if n > cap {
                return Err(PdfError::TooLarge(format!(
                    "a stream expands beyond {} bytes (a decompression bomb?); at most {} per stream and {} in all are read",
                    cap, self.stream, self.total
                )));
            }
            if last {
                self.used += n;
            }
            data = out;
        }
        Ok(())
    }
}

/// Inflates into a counting sink (keeping the output only when another filter follows),
/// reading at most `cap + 1` bytes.
fn inflate(data: &[u8], cap: u64, last: bool) -> (Vec<u8>, u64) {
    let mut z = flate2::read::ZlibDecoder::new(data).take(cap + 1);
    drain(&mut z, last).unwrap_or_else(|| {
        if data.len() > 2 {
            let mut raw = flate2::read::DeflateDecoder::new(&data[2..]).take(cap + 1);
            drain(&mut raw, last).unwrap_or_default()
        } else {
            (Vec::new(), 0)
        }
    })
}

fn drain(r: &mut impl Read, last: bool) -> Option<(Vec<u8>, u64)> {
    let mut kept = Vec::new();
    let mut n = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Some((kept, n)),
            Ok(k) => {
                n += k as u64;
                if !last {
                    kept.extend_from_slice(&buf[..k]);
                }
            }
            Err(_) if n > 0 => return Some((kept, n)),
            Err(_) => return None,
        }
    }
}

fn lzw(data: &[u8], cap: u64, last: bool) -> (Vec<u8>, u64) {
    let mut decoder = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let mut kept = Vec::new();
    let mut n = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    let mut input = data;
    loop {
        let r = decoder.decode_bytes(input, &mut buf);
        input = &input[r.consumed_in..];
        n += r.consumed_out as u64;
        if !last {
            kept.extend_from_slice(&buf[..r.consumed_out]);
        }
        if n > cap {
            break;
        }
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in > 0 || r.consumed_out > 0 => {}
            _ => break,
        }
    }
    (kept, n)
}

fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut group = 0u32;
    let mut count = 0;
    for &c in data {
        if c == b'~' {
            break;
        }
        if c == b'z' && count == 0 {
            out.extend_from_slice(&[0; 4]);
            continue;
        }
        if !(b'!'..=b'u').contains(&c) {
            continue;
        }
        group = group.wrapping_mul(85).wrapping_add(u32::from(c - b'!'));
        count += 1;
        if count == 5 {
            out.extend_from_slice(&group.to_be_bytes());
            group = 0;
            count = 0;
        }
    }
    out
}

/// Every stream in the raw file, its filters read from the dictionary before it: lopdf
/// expands object and cross-reference streams while it loads, before any of its objects
/// can be checked.
fn raw_streams(bytes: &[u8], budget: &mut Budget) -> Result<(), PdfError> {
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"stream").map(|i| i + from) {
        from = at + 6;
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        // Spaces may stand between the keyword and its end of line (lopdf takes them).
        let mut eol = at + 6;
        while matches!(bytes.get(eol), Some(b' ' | b'\t')) {
            eol += 1;
        }
        let start = match bytes.get(eol..eol + 2) {
            Some([b'\r', b'\n']) => eol + 2,
            Some([b'\n', _]) | Some([b'\r', _]) => eol + 1,
            _ => continue,
        };
        let back = at.saturating_sub(4096);
        let dict_start = rfind(&bytes[back..at], b"obj").map_or(back, |i| back + i);
        let dict = &bytes[dict_start..at];
        let Some(len) = find(&bytes[start..], b"endstream") else {
            break;
        };
        let content = &bytes[start..start + len];
        if find(dict, b"/XRef").is_some() {
            xref_widths(dict)?;
        }
        let filters = raw_filters(dict);
        let row = if find(dict, b"/Predictor").is_some() {
            let n = |k: &[u8], d: i64| raw_number(dict, k).unwrap_or(d);
            Some((
                n(b"/Columns", 1),
                n(b"/Colors", 1),
                n(b"/BitsPerComponent", 8),
            ))
        } else {
            None
        };
        budget.check(&filters, row, content)?;
        from = start + len + 9;
    }
    Ok(())
}

/// A cross-reference stream's field widths (`/W`) and ranges (`/Index`): lopdf allocates a
/// field of each width and an entry for each number in the ranges before reading any.
fn xref_widths(dict: &[u8]) -> Result<(), PdfError> {
    let numbers = |key: &[u8]| -> Vec<i64> {
        let Some(i) = find(dict, key) else {
            return Vec::new();
        };
        let rest = &dict[i + key.len()..];
        let Some(open) = rest.iter().position(|c| *c == b'[') else {
            return Vec::new();
        };
        let close = rest[open..]
            .iter()
            .position(|c| *c == b']')
            .map_or(rest.len(), |c| open + c);
        String::from_utf8_lossy(&rest[open + 1..close])
            .split_whitespace()
            .map(|n| n.parse::<i64>().unwrap_or(i64::MAX))
            .collect()
    };
    let w = numbers(b"/W");
    if w.iter().any(|x| !(0..=8).contains(x)) || (!w.is_empty() && w.iter().sum::<i64>() == 0) {
        return Err(PdfError::Broken(
            "a cross-reference stream's field widths (/W) are impossible".into(),
        ));
    }
    let index = numbers(b"/Index");
    let entries: i64 = index
        .iter()
        .skip(1)
        .step_by(2)
        .map(|c| (*c).max(0))
        .fold(0, i64::saturating_add);
    if entries > 5_000_000 {
        return Err(PdfError::TooLarge(format!(
            "a cross-reference stream names {entries} objects; at most 5 000 000 are read"
        )));
    }
    Ok(())
}

/// The filter names a raw dictionary names, in order.
fn raw_filters(dict: &[u8]) -> Vec<Vec<u8>> {
    let mut found: Vec<(usize, Vec<u8>)> = Vec::new();
    for name in [b"/FlateDecode".as_slice(), b"/LZWDecode", b"/ASCII85Decode"] {
        let mut from = 0;
        while let Some(i) = find(&dict[from..], name) {
            found.push((from + i, name[1..].to_vec()));
            from += i + name.len();
        }
    }
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

fn raw_number(dict: &[u8], key: &[u8]) -> Option<i64> {
    let i = find(dict, key)? + key.len();
    let rest = &dict[i..];
    let digits: Vec<u8> = rest
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(|c| c.is_ascii_digit())
        .take(18)
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// pdf-extract's plain-text layout (its `PlainTextOutput`), page by page, with a blank line
/// where the gap between lines is wider than one and a half lines (a new paragraph).
#[derive(Debug, Default)]
struct Pages {
    pages: Vec<String>,
    flip: Option<(f64, f64, f64, f64, f64, f64)>,
    last_end: f64,
    last_y: f64,
    first_char: bool,
    chars: usize,
}

/// The most characters read out of one PDF.
const MAX_CHARS: usize = 16_000_000;

impl pdf_extract::OutputDev for Pages {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.pages.push(String::new());
        self.flip = Some((1., 0., 0., -1., 0., media_box.ury - media_box.lly));
        self.last_end = 100_000.;
        self.last_y = 0.;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let (a, b, c, d, e, f) = self.flip.unwrap_or((1., 0., 0., 1., 0., 0.));
        let flip = pdf_extract::Transform::row_major(a, b, c, d, e, f);
        let position = trm.post_transform(&flip);
        let v = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (v.x * v.y).abs().sqrt();
        let (x, y) = (position.m31, position.m32);
        let Some(page) = self.pages.last_mut() else {
            return Ok(());
        };
        self.chars += 1;
        if self.chars > MAX_CHARS {
            return Err(pdf_extract::OutputError::IoError(std::io::Error::other(
                "the PDF holds more text than is read (16 million characters)",
            )));
        }
        if self.first_char && !page.is_empty() {
            let dy = (y - self.last_y).abs();
            if dy > size * 1.5 {
                page.push_str("\n\n");
            } else if x < self.last_end && dy > size * 0.5 {
                page.push('\n');
            } else if x > self.last_end + size * 0.1 {
                page.push(' ');
            }
        }
        page.push_str(char);
        self.first_char = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.first_char = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// The environment variable that makes a binary the PDF reader's child process: a binary
/// that reads PDFs through [`pages_isolated`] calls [`child_main`] first thing when it is
/// set, and [`isolate_with`] with its own path otherwise.
pub const CHILD_ENV: &str = "ETABLERA_PDF_CHILD";

static HELPER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Reads PDFs in a child process from now on: `exe` run with [`CHILD_ENV`] set.
pub fn isolate_with(exe: std::path::PathBuf) {
    let _ = HELPER.set(exe);
}

/// The address space and CPU time a child process may use.
const CHILD_BYTES: u64 = 2 << 30;
const CHILD_SECONDS: u64 = 30;

/// The child process: limits its own address space and CPU time (an allocation beyond them,
/// a stack overflow or an endless loop ends this process, not the server), reads a PDF from
/// standard input and writes its pages or its error to standard output.
pub fn child_main() -> ! {
    use std::io::Write;
    let _ = rlimit::setrlimit(rlimit::Resource::AS, CHILD_BYTES, CHILD_BYTES);
    let _ = rlimit::setrlimit(rlimit::Resource::CPU, CHILD_SECONDS, CHILD_SECONDS);
    let limits = Limits::default();
    let mut bytes = Vec::new();
    let _ = std::io::stdin()
        .take(limits.file_bytes as u64 + 1)
        .read_to_end(&mut bytes);
    let out = match pages(&bytes, &limits) {
        Ok(p) => {
            let texts: Vec<String> = p.iter().map(|t| t.replace('\u{c}', " ")).collect();
            format!("OK\n{}", texts.join("\u{c}"))
        }
        Err(PdfError::NotPdf) => "ERR notpdf\n".into(),
        Err(PdfError::Encrypted) => "ERR encrypted\n".into(),
        Err(PdfError::Scanned { pages }) => format!("ERR scanned {pages}\n"),
        Err(PdfError::TooLarge(m)) => format!("ERR toolarge\n{m}"),
        Err(PdfError::Broken(m)) => format!("ERR broken\n{m}"),
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    let _ = std::io::stdout().flush();
    std::process::exit(0)
}

/// [`pages`] in a child process when [`isolate_with`] was called (a server or the CLI),
/// so that nothing a hostile PDF does to the libraries reaches the calling process; in
/// this process otherwise (tests, the fuzzer), behind the same checks.
pub fn pages_isolated(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, PdfError> {
    let Some(exe) = HELPER.get() else {
        return pages(bytes, limits);
    };
    if bytes.len() > limits.file_bytes {
        return pages(bytes, limits);
    }
    let stopped = || {
        PdfError::Broken(
            "reading it was stopped (it needed more memory or time than a strategy document does)"
                .into(),
        )
    };
    let mut child = std::process::Command::new(exe)
        .env(CHILD_ENV, "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| PdfError::Broken(format!("no process to read it in: {e}")))?;
    let input = bytes.to_vec();
    let mut stdin = child.stdin.take().ok_or_else(stopped)?;
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let mut out = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = stdout
            .take((MAX_CHARS as u64) * 4 + (1 << 20))
            .read_to_end(&mut out);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|_| stopped())?;
    if !status.success() {
        return Err(stopped());
    }
    let text = String::from_utf8(out).map_err(|_| stopped())?;
    let (head, body) = text.split_once('\n').ok_or_else(stopped)?;
    match head.split_once(' ').unwrap_or((head, "")) {
        ("OK", _) => Ok(body.split('\u{c}').map(str::to_string).collect()),
        ("ERR", "notpdf") => Err(PdfError::NotPdf),
        ("ERR", "encrypted") => Err(PdfError::Encrypted),
        ("ERR", "toolarge") => Err(PdfError::TooLarge(body.to_string())),
        ("ERR", "broken") => Err(PdfError::Broken(body.to_string())),
        ("ERR", s) if s.starts_with("scanned ") => Err(PdfError::Scanned {
            pages: s[8..].parse().unwrap_or(0),
        }),
        _ => Err(stopped()),
    }
}
