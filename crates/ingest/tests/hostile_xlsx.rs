//! Hostile workbooks, written part by part from the Office Open XML spreadsheet format
//! (ECMA-376 part 1, §18: `xl/workbook.xml`, `xl/worksheets/sheetN.xml`,
//! `xl/sharedStrings.xml`, `xl/styles.xml`), not with Etablera's own writer.
//!
//! Each one must be refused with an error that names the file and what was too large, in
//! bounded memory, instead of aborting the process: a far corner cell (a 1.9 KB file once
//! asked for 512 GiB), a shared string that inflates to hundreds of megabytes, millions of
//! rows from half a megabyte.

use etablera_domain::Units;
use etablera_ingest::{xlsx_wide, Known};
use std::io::Write;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId7"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
/// Style 0 is General; style 1 is the built-in date format 14 (`m/d/yyyy`); style 2 a
/// custom `yyyy-mm-dd` (id 164, the first id for custom formats).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// A workbook whose sheet and shared strings are written by the callbacks, deflated.
fn book(sheet: &mut dyn FnMut(&mut dyn Write), strings: &mut dyn FnMut(&mut dyn Write)) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(true);
        for (name, body) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ] {
            z.start_file(name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.start_file("xl/sharedStrings.xml", opts).unwrap();
        strings(&mut z);
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        sheet(&mut z);
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn sst(w: &mut dyn Write, items: &[&str]) {
    write!(
        w,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        items.len()
    )
    .unwrap();
    for s in items {
        write!(w, "<si><t>{s}</t></si>").unwrap();
    }
    w.write_all(b"</sst>").unwrap();
}

#[path = "support/memory.rs"]
mod memory;
use memory::peak_mib;

fn read(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, String> {
    xlsx_wide::first_sheet_rows("hostile.xlsx", bytes)
        .map(|(_, rows)| rows)
        .map_err(|e| e.to_string())
}

#[test]
fn a_far_corner_cell_is_refused_not_allocated() {
    // Two cells, A1 and the last cell Excel allows: a box of 16 384 × 1 048 576 cells.
    let bytes = book(
        &mut |w| {
            write!(
                w,
                r#"{SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>{SHEET_TAIL}"#
            )
            .unwrap()
        },
        &mut |w| sst(w, &["Kommun"]),
    );
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
    let err = read(&bytes).unwrap_err();
    assert!(err.starts_with("hostile.xlsx"), "{err}");
    assert!(
        err.contains("XFD1048576"),
        "the error names the cell: {err}"
    );
    let units = Units::sweden();
    let err = xlsx_wide::parse("hostile.xlsx", &bytes, &Known::units(&units))
        .unwrap_err()
        .to_string();
    assert!(err.contains("XFD1048576"), "{err}");
}

#[test]
fn a_far_row_alone_is_fine() {
    // Rows far apart are not a grid: a header in row 1 and data in row 1 000 000 read as
    // two rows.
    let bytes = book(
        &mut |w| {
            write!(
                w,
                r#"{SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Indikator</t></is></c><c r="C1"><v>2024</v></c></row><row r="1000000"><c r="A1000000" t="inlineStr"><is><t>Östersund</t></is></c><c r="B1000000" t="inlineStr"><is><t>N00973</t></is></c><c r="C1000000"><v>47.7</v></c></row>{SHEET_TAIL}"#
            )
            .unwrap()
        },
        &mut |w| sst(w, &["Kommun"]),
    );
    let rows = read(&bytes).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        (1, vec!["Kommun".into(), "Indikator".into(), "2024".into()])
    );
    assert_eq!(rows[1].0, 1_000_000);
    assert_eq!(rows[1].1[2], "47.7");
}

#[test]
fn a_shared_string_bomb_is_refused_in_bounded_memory() {
    // 300 MB of one letter in one shared string deflates to about 300 KB.
    let bytes = book(
        &mut |w| {
            write!(
                w,
                r#"{SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row>{SHEET_TAIL}"#
            )
            .unwrap()
        },
        &mut |w| {
            w.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#).unwrap();
            let chunk = vec![b'a'; 1 << 20];
            for _ in 0..300 {
                w.write_all(&chunk).unwrap();
            }
            w.write_all(b"</t></si></sst>").unwrap();
        },
    );
    assert!(bytes.len() < 1_000_000, "{} bytes", bytes.len());
    let before = peak_mib();
    let err = read(&bytes).unwrap_err();
    assert!(
        err.contains("xl/sharedStrings.xml") && err.contains("MiB"),
        "the error names the part and the limit: {err}"
    );
    let grew = peak_mib().saturating_sub(before);
    assert!(grew < 200, "reading took {grew} MiB more");
}

#[test]
fn millions_of_rows_are_refused_in_bounded_memory() {
    let bytes = book(
        &mut |w| {
            w.write_all(SHEET_HEAD.as_bytes()).unwrap();
            // Row and cell references are optional (ECMA-376 §18.3.1.73, §18.3.1.4): a
            // repeated row compresses to almost nothing.
            for _ in 0..3_000_000u32 {
                w.write_all(b"<row><c><v>1</v></c></row>").unwrap();
            }
            w.write_all(SHEET_TAIL.as_bytes()).unwrap();
        },
        &mut |w| sst(w, &[]),
    );
    assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());
    let before = peak_mib();
    let err = read(&bytes).unwrap_err();
    assert!(
        err.contains("cells"),
        "the error says what was too many: {err}"
    );
    let grew = peak_mib().saturating_sub(before);
    assert!(grew < 200, "reading took {grew} MiB more");
}

#[test]
fn shared_strings_rich_text_dates_and_booleans() {
    let bytes = book(
        &mut |w| {
            write!(
                w,
                r#"{SHEET_HEAD}<row r="2" spans="1:4"><c r="B2" t="s"><v>1</v></c><c r="C2" s="1"><v>45658</v></c><c r="D2" s="2"><v>45689.5</v></c><c r="E2" t="b"><v>1</v></c><c r="F2" t="str"><f>A1</f><v>x &amp; y</v></c><c r="G2" t="s"><v>2</v></c></row>{SHEET_TAIL}"#
            )
            .unwrap()
        },
        &mut |w| {
            w.write_all(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>a</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">Öster</t></r><r><t>sund &lt;3&#x2764;</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si><si><t/></si></sst>"#.as_bytes()).unwrap();
        },
    );
    let rows = read(&bytes).unwrap();
    assert_eq!(rows.len(), 1);
    let (n, cells) = &rows[0];
    assert_eq!(*n, 2);
    assert_eq!(
        cells,
        &vec![
            String::new(),
            "Östersund <3\u{2764}".to_string(),
            "2025-01-01".into(),
            "2025-02-01".into(),
            "true".into(),
            "x & y".into(),
            String::new(),
        ]
    );
}

#[test]
fn broken_workbooks_get_an_error_naming_the_file() {
    for (what, bytes) in [
        ("not a zip", b"PK\x03\x04 nothing else".to_vec()),
        (
            "bad shared string index",
            book(
                &mut |w| {
                    write!(
                        w,
                        r#"{SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>99</v></c></row>{SHEET_TAIL}"#
                    )
                    .unwrap()
                },
                &mut |w| sst(w, &["a"]),
            ),
        ),
        (
            "bad cell reference",
            book(
                &mut |w| {
                    write!(
                        w,
                        r#"{SHEET_HEAD}<row r="1"><c r="1A"><v>1</v></c></row>{SHEET_TAIL}"#
                    )
                    .unwrap()
                },
                &mut |w| sst(w, &[]),
            ),
        ),
        (
            "unclosed tags",
            book(
                &mut |w| write!(w, r#"{SHEET_HEAD}<row r="1"><c r="A1"><v>1</c>"#).unwrap(),
                &mut |w| sst(w, &[]),
            ),
        ),
    ] {
        let err = read(&bytes).unwrap_err();
        assert!(err.starts_with("hostile.xlsx"), "{what}: {err}");
    }
}
