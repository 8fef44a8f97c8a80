//! The board's documents: the annual follow-up report as a tagged, accessible PDF and as a
//! Word document, with the same content as the HTML report.
//!
//! The PDF is laid out by [typst](https://typst.app) used as a library: the layout is a
//! typst file (`report.typ`) compiled into the program, its content is the report's
//! [model](etablera_report::model::Report) handed over as JSON (so no text from a strategy is
//! ever read as markup), and the charts are the HTML report's SVGs, drawn as vectors. typst
//! writes tagged PDF (structure tree, reading order, `/Alt` on figures, `/Lang`, the title
//! shown) and checks conformance with PDF/UA-1 and PDF/A-2a as it writes. The fonts
//! (Liberation Sans, SIL OFL 1.1, `data/fonts/`) are compiled in; nothing is read from the
//! machine, and nothing runs outside the process.
//!
//! The Word document is written with docx-rs ([`docx`]); its charts are the same SVGs
//! rasterised by resvg, with the same text alternative.

pub mod docx;
mod world;

use etablera_report::model::Report;
use std::fmt;

/// The fonts the documents are set in (Liberation Sans 2.1.5, SIL Open Font License 1.1;
/// see `data/fonts/README.md`).
pub(crate) const FONTS: [&[u8]; 3] = [
    include_bytes!("../../../data/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../../data/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../../data/fonts/LiberationSans-Italic.ttf"),
];

/// The layout of the annual report.
const REPORT_TYP: &str = include_str!("report.typ");

/// Why a document could not be made. These are faults of the program (a layout that does
/// not compile, a PDF that would not conform), never of the user's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the document could not be made: {}", self.0)
    }
}

impl std::error::Error for Error {}

/// The report as PDF: A4, a cover, a table of contents, page numbers, each goal and target
/// with its status, explanation, chart and table, the action plan and the sources. Tagged
/// and conforming to PDF/UA-1 and PDF/A-2a. `made_on` (`YYYY-MM-DD`) is the document's
/// date, so the same report on the same day gives the same bytes.
pub fn pdf(report: &Report, made_on: &str) -> Result<Vec<u8>, Error> {
    let made = lay_out(report, made_on);
    // typst memoises across compilations; keep its cache from growing with every report,
    // whether this one was made or not.
    typst::comemo::evict(3);
    made
}

fn lay_out(report: &Report, made_on: &str) -> Result<Vec<u8>, Error> {
    let mut json = serde_json::to_value(report).map_err(|e| Error(e.to_string()))?;
    clean(&mut json);
    let world = world::ReportWorld::new(REPORT_TYP, json.to_string());
    let out = typst::compile::<typst_layout::PagedDocument>(&world);
    let document = out.output.map_err(|e| diagnostics(&e))?;
    let timestamp = date(made_on).map(typst_pdf::Timestamp::new_utc);
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!(
            "etablera:{}:{}",
            report.owner, report.title
        )),
        creator: typst::foundations::Smart::Custom(Some("Etablera".into())),
        timestamp,
        page_ranges: None,
        standards: typst_pdf::PdfStandards::new(&[
            typst_pdf::PdfStandard::Ua_1,
            typst_pdf::PdfStandard::A_2a,
        ])
        .map_err(|e| Error(e.message().to_string()))?,
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(&document, &options).map_err(|e| diagnostics(&e))
}

/// Every text of the report as the PDF can set it: control and private-use characters
/// (a Word bullet pasted in, U+F0B7) left out, and a character none of the fonts has
/// (an emoji, a script Liberation Sans lacks) shown as «?» — PDF/A allows no glyph that is
/// missing, and the HTML report keeps the text as written. The charts' SVGs are cleaned
/// the same way (their markup is ASCII).
fn clean(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if s.chars().any(|c| !settable(c)) => {
            *s = s
                .chars()
                .filter_map(|c| {
                    let control = c.is_control() && !matches!(c, '\n' | '\t');
                    let private = ('\u{e000}'..='\u{f8ff}').contains(&c) || c >= '\u{f0000}';
                    if control || private {
                        None
                    } else if settable(c) {
                        Some(c)
                    } else {
                        Some('?')
                    }
                })
                .collect();
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean),
        _ => {}
    }
}

/// Whether the compiled-in fonts have the character (white space and line breaks pass).
fn settable(c: char) -> bool {
    matches!(c, '\n' | '\t' | ' ') || world::covered(c)
}

fn diagnostics(errors: &[typst::diag::SourceDiagnostic]) -> Error {
    Error(
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// `YYYY-MM-DD` (or a longer ISO time) as typst's date.
fn date(iso: &str) -> Option<typst::foundations::Datetime> {
    let y = iso.get(0..4)?.parse().ok()?;
    let m = iso.get(5..7)?.parse().ok()?;
    let d = iso.get(8..10)?.parse().ok()?;
    typst::foundations::Datetime::from_ymd(y, m, d)
}
