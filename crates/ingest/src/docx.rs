//! The text of a Word document (docx, Office Open XML WordprocessingML, ECMA-376 Part 1 §17):
//! its paragraphs (`w:p`) in order, each the text of its runs (`w:t`, tabs and line breaks
//! as spaces), with the page each stands on as Word last laid it out (`w:br w:type="page"`
//! and `w:lastRenderedPageBreak` end a page). The archive is read through the same bounded
//! reader as xlsx workbooks ([`crate::xlsx::Limits`]): a part that expands beyond its limit
//! ends the read with an error, so a decompression bomb costs no more than the limit.
//!
//! A password-protected document is not a zip archive but an OLE compound file holding the
//! encrypted package (as is an old .doc); it is refused as such.

use crate::xlsx::{Book, Limits};
use crate::{IngestError, Place};
use quick_xml::events::Event;

/// The limits for a document: a strategy is at most a few MiB of XML.
pub fn limits() -> Limits {
    Limits {
        part_bytes: 32 << 20,
        total_bytes: 48 << 20,
        max_entries: 2_000,
        ..Limits::default()
    }
}

/// The magic number of an OLE compound file (encrypted Office documents, .doc).
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The paragraphs of a docx with their pages (from 1), empty paragraphs left out.
pub fn paragraphs(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<(Option<i32>, String)>, IngestError> {
    if bytes.starts_with(&OLE) {
        return Err(IngestError::invalid(
            Place::file(file),
            "the document is encrypted (password protected) or an old Word 97–2003 file; save it as .docx without a password",
        ));
    }
    let mut book = Book::open(file, bytes, limits, "docx document")?;
    let part = "word/document.xml";
    if !book.has(part) {
        return Err(book.err(format!(
            "not a readable docx document: it has no part `{part}`"
        )));
    }
    let mut out: Vec<(Option<i32>, String)> = Vec::new();
    let mut page: i32 = 1;
    let mut current = String::new();
    let mut in_text = false;
    book.each_event(part, &mut |ev| {
        match &ev {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_text = false,
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| e.to_string())?;
                let s = quick_xml::escape::unescape(&s).map_err(|e| e.to_string())?;
                current.push_str(&s);
            }
            Event::GeneralRef(r) if in_text => {
                // The five predefined entities and character references; nothing else.
                let name = r.decode().map_err(|e| e.to_string())?;
                let c = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                if let Some(c) = c {
                    current.push(c);
                }
            }
            Event::Empty(e) | Event::Start(e) => match e.local_name().as_ref() {
                b"tab" | b"cr" => current.push(' '),
                b"br" => {
                    let is_page = e.attributes().flatten().any(|a| {
                        a.key.local_name().as_ref() == b"type" && a.value.as_ref() == b"page"
                    });
                    if is_page {
                        page = page.saturating_add(1);
                    }
                    current.push(' ');
                }
                b"lastRenderedPageBreak" => page = page.saturating_add(1),
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"p" => {
                let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
                current.clear();
                if !text.is_empty() {
                    out.push((Some(page), text));
                }
            }
            _ => {}
        }
        Ok(true)
    })?;
    Ok(out)
}
