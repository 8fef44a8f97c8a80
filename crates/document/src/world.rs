//! The typst "world" a report is compiled in: the layout as its one source file, the
//! report's JSON (with the charts' SVGs) as its only other file, the compiled-in fonts, and no
//! access to the file system, the network or the clock.

use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The standard library and the fonts, made once per process.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = crate::FONTS
        .iter()
        .flat_map(|b| Font::iter(Bytes::new(*b)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// A file's id in the project: the same names for every report, so typst's global table
/// of file ids does not grow with the number of reports made.
fn id(name: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(name).expect("a plain file name"),
    )
    .intern()
}

/// Whether one of the fonts has a glyph for the character.
pub(crate) fn covered(c: char) -> bool {
    FONTS.1.iter().any(|f| f.info().coverage.contains(c as u32))
}

pub(crate) struct ReportWorld {
    main: Source,
    json: (FileId, Bytes),
}

impl ReportWorld {
    /// The layout and the report's JSON; the charts' SVGs are inside the JSON, so a report
    /// interns two file ids however many targets it has (typst's table holds 65 535).
    pub(crate) fn new(layout: &str, json: String) -> ReportWorld {
        ReportWorld {
            main: Source::new(id("report.typ"), layout.to_string()),
            json: (id("report.json"), Bytes::from_string(json)),
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.json.0 {
            Ok(self.json.1.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
