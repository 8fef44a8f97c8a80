//! The board's documents: the annual follow-up report as a tagged, accessible PDF and as a
//! Word document, with the same content as the HTML report.
//!
//! The PDF is laid out by our own code (`pdf.rs`) from the report's
//! [model](etablera_report::model::Report) and written by krilla, which also checks PDF/UA-1
//! and PDF/A-2a as it writes: structure tree in reading order, `/Alt` on figures, `/Lang`,
//! the title shown, every mark either tagged or an artifact. Text from a strategy is only
//! ever set as text. The charts are drawn as vectors from the same shapes the HTML report's
//! SVGs are written from. The fonts (Liberation Sans, SIL OFL 1.1, `data/fonts/`) are
//! compiled in; nothing is read from the machine, and nothing runs outside the process.
//!
//! The Word document is written with docx-rs ([`docx`]); its charts are the same SVGs
//! rasterised by resvg, with the same text alternative.

pub mod docx;
mod pdf;

use etablera_report::model::Report;
use std::fmt;

/// The fonts the documents are set in (Liberation Sans 2.1.5, SIL Open Font License 1.1;
/// see `data/fonts/README.md`).
pub(crate) const FONTS: [&[u8]; 3] = [
    include_bytes!("../../../data/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../../data/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../../data/fonts/LiberationSans-Italic.ttf"),
];

/// Why a document could not be made. These are faults of the program (a layout that
/// overflows, a PDF that would not conform), never of the user's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the document could not be made: {}", self.0)
    }
}

impl std::error::Error for Error {}

/// The report as PDF: A4, a cover, a table of contents with page numbers and links,
/// bookmarks, each goal and target with its status, explanation, chart and table, the
/// action plan and the sources, page numbers in the footer. Tagged and conforming to
/// PDF/UA-1 and PDF/A-2a. `made_on` (`YYYY-MM-DD`) is the document's date, so the same report
/// on the same day gives the same bytes.
pub fn pdf(report: &Report, made_on: &str) -> Result<Vec<u8>, Error> {
    pdf::pdf(report, made_on)
}
