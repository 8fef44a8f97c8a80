//! PDFs built here by hand from the format's specification (ISO 32000-1: §7.3 objects, §7.5
//! file structure with its cross-reference table, §7.8 content streams, §9 text with a
//! standard 14 font in WinAnsiEncoding), and the ones a second implementation makes
//! (`tests/pdf/make.py`: pikepdf encrypts, img2pdf makes a scan), each read or refused.

use etablera_pdf::{pages, Limits, PdfError};
use std::io::Write;

/// A PDF file from its objects (numbered from 1; object 1 is the catalogue), with a correct
/// cross-reference table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

fn o(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// Text in a literal string, WinAnsiEncoding (å ä ö and the en dash as octal escapes).
fn lit(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '–' => out.push_str("\\226"),
            c if (c as u32) < 128 => out.push(c),
            c => out.push_str(&format!("\\{:03o}", c as u32)),
        }
    }
    out.push(')');
    out
}

/// Lines of text at 12 pt from the top of an A4 page; an empty line is a paragraph gap.
fn content(lines: &[&str]) -> Vec<u8> {
    let mut c = String::from("BT /F1 12 Tf 14 TL 72 770 Td\n");
    for l in lines {
        if l.is_empty() {
            c.push_str("0 -14 Td\n");
        } else {
            c.push_str(&format!("{} Tj T*\n", lit(l)));
        }
    }
    c.push_str("ET\n");
    c.into_bytes()
}

const FONT: &str =
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

const PAGE: &str = "/Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]";

/// Two pages of a strategy: a heading and two paragraphs, then a target.
fn strategy() -> Vec<u8> {
    let p1 = content(&[
        "Integrationsstrategi för Exempelby",
        "",
        "Strategin gäller för perioden 2021–2025 och",
        "omfattar alla förvaltningar.",
        "",
        "Kommunen välkomnar nyanlända.",
    ]);
    let p2 = content(&["Andelen i arbete eller studier ska öka till minst 60 procent år 2025."]);
    pdf(&[
        o("<< /Type /Catalog /Pages 2 0 R >>"),
        o("<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>"),
        o(&format!(
            "<< {PAGE} /Resources << /Font << /F1 5 0 R >> >> /Contents 6 0 R >>"
        )),
        o(&format!(
            "<< {PAGE} /Resources << /Font << /F1 5 0 R >> >> /Contents 7 0 R >>"
        )),
        o(FONT),
        stream("", &p1),
        stream("", &p2),
    ])
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A page whose content is `data` under `dict` (e.g. a filter); `extra` objects from 6 on.
fn one_page(dict: &str, data: &[u8], extra: &[Vec<u8>], resources: &str) -> Vec<u8> {
    let mut objects = vec![
        o("<< /Type /Catalog /Pages 2 0 R >>"),
        o("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        o(&format!(
            "<< {PAGE} /Resources << /Font << /F1 5 0 R >> {resources} >> /Contents 4 0 R >>"
        )),
        stream(dict, data),
        o(FONT),
    ];
    objects.extend(extra.iter().cloned());
    pdf(&objects)
}

fn paragraphs(page: &str) -> Vec<String> {
    page.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

#[test]
fn a_strategy_is_read_page_by_page_with_its_paragraphs_and_swedish_letters() {
    let texts = pages(&strategy(), &Limits::default()).unwrap();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert_eq!(
        paragraphs(&texts[0]),
        [
            "Integrationsstrategi för Exempelby",
            "Strategin gäller för perioden 2021–2025 och omfattar alla förvaltningar.",
            "Kommunen välkomnar nyanlända."
        ],
        "{:?}",
        texts[0]
    );
    assert_eq!(
        paragraphs(&texts[1]),
        ["Andelen i arbete eller studier ska öka till minst 60 procent år 2025."]
    );
}

#[test]
fn a_compressed_page_is_read_and_a_decompression_bomb_is_refused() {
    let text = content(&["Målet är att öka andelen."]);
    let ok = one_page("/Filter /FlateDecode", &deflate(&text), &[], "");
    let texts = pages(&ok, &Limits::default()).unwrap();
    assert_eq!(paragraphs(&texts[0]), ["Målet är att öka andelen."]);

    // 300 MiB of spaces after the text: a few hundred KiB compressed.
    let mut bomb = text.clone();
    bomb.resize(300 << 20, b' ');
    let bomb = one_page("/Filter /FlateDecode", &deflate(&bomb), &[], "");
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let e = pages(&bomb, &Limits::default()).unwrap_err();
    assert!(matches!(e, PdfError::TooLarge(_)), "{e:?}");
    assert!(e.to_string().contains("decompression bomb"), "{e}");

    // The same bomb inside an object stream, which lopdf expands while it loads.
    let mut objstm = b"10 0 ".to_vec();
    objstm.resize(300 << 20, b' ');
    let hidden = stream(
        "/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode",
        &deflate(&objstm),
    );
    let e = pages(&one_page("", &text, &[hidden], ""), &Limits::default()).unwrap_err();
    assert!(matches!(e, PdfError::TooLarge(_)), "{e:?}");
}

#[test]
fn a_predictor_with_enormous_rows_is_refused() {
    let doc = one_page(
        "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4000000000 /Colors 4 >>",
        &deflate(&content(&["Text."])),
        &[],
        "",
    );
    let e = pages(&doc, &Limits::default()).unwrap_err();
    assert!(matches!(e, PdfError::TooLarge(_)), "{e:?}");
}

#[test]
fn loops_that_would_recurse_without_end_are_refused() {
    // A form XObject that draws itself (no resources of its own: it draws with the page's).
    let form = stream("/Type /XObject /Subtype /Form /BBox [0 0 10 10]", b"/X1 Do");
    let doc = one_page("", b"/X1 Do", &[form], "/XObject << /X1 6 0 R >>");
    let e = pages(&doc, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("loop"), "{e}");

    // Two forms drawing each other through their own resources.
    let a = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /B 7 0 R >> >>",
        b"/B Do",
    );
    let b = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /A 6 0 R >> >>",
        b"/A Do",
    );
    let doc = one_page("", b"/A Do", &[a, b], "/XObject << /A 6 0 R >>");
    let e = pages(&doc, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("loop"), "{e}");

    // A page that is its own parent (pdf-extract looks inherited keys up the chain).
    let doc = pdf(&[
        o("<< /Type /Catalog /Pages 2 0 R >>"),
        o("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        o("<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"),
        stream("", &content(&["Text."])),
    ]);
    assert!(pages(&doc, &Limits::default()).is_err());
}

#[test]
fn deep_nesting_broken_and_foreign_files_give_errors_not_crashes() {
    let mut deep = String::from("BT /F1 12 Tf 72 770 Td ");
    deep.push_str(&"[".repeat(200_000));
    deep.push_str(&"]".repeat(200_000));
    deep.push_str(" TJ (Efter.) Tj ET");
    let _ = pages(&one_page("", deep.as_bytes(), &[], ""), &Limits::default());
    let mut deep_obj = "[".repeat(200_000);
    deep_obj.push_str(&"]".repeat(200_000));
    let _ = pages(&one_page("", b"", &[o(&deep_obj)], ""), &Limits::default());

    let whole = strategy();
    for cut in [10, whole.len() / 3, whole.len() / 2, whole.len() - 20] {
        let _ = pages(&whole[..cut], &Limits::default());
    }
    assert_eq!(
        pages(b"PK\x03\x04 not a pdf", &Limits::default()),
        Err(PdfError::NotPdf)
    );
    let limits = Limits {
        file_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(pages(&whole, &limits), Err(PdfError::TooLarge(_))));
}

#[test]
fn encrypted_and_scanned_pdfs_made_by_pikepdf_and_img2pdf() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("text.pdf");
    std::fs::write(&text, strategy()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/pdf/make.py");
    let status = std::process::Command::new("python3")
        .arg(script)
        .arg(&text)
        .arg(dir.path())
        .status()
        .expect("python3");
    assert!(
        status.success(),
        "tests/pdf/make.py failed: python3 -m pip install pikepdf img2pdf (scripts/test does)"
    );
    let read = |n: &str| {
        pages(
            &std::fs::read(dir.path().join(n)).unwrap(),
            &Limits::default(),
        )
    };
    assert_eq!(read("encrypted.pdf"), Err(PdfError::Encrypted));
    let owner_only = read("owner-only.pdf").unwrap();
    assert!(owner_only[1].contains("minst 60 procent"), "{owner_only:?}");
    let e = read("scanned.pdf").unwrap_err();
    assert_eq!(e, PdfError::Scanned { pages: 1 });
    assert!(e.to_string().contains("OCR"), "{e}");
}

/// What a review found: pdf-extract follows any drawn stream whatever its subtype, a page
/// tree can list a node many times, and lopdf allocates a cross-reference stream's fields
/// by their declared widths.
#[test]
fn images_that_draw_themselves_repeated_pages_and_impossible_xref_widths() {
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 1 /Height 1",
        b"/X1 Do",
    );
    let doc = one_page("", b"/X1 Do", &[image], "/XObject << /X1 6 0 R >>");
    let e = pages(&doc, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("loop"), "{e}");

    let doc = pdf(&[
        o("<< /Type /Catalog /Pages 2 0 R >>"),
        o("<< /Type /Pages /Kids [3 0 R 3 0 R 3 0 R] /Count 3 >>"),
        o(&format!("<< {PAGE} /Contents 4 0 R >>")),
        stream("", &content(&["Text."])),
    ]);
    let e = pages(&doc, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");

    let xref = stream("/Type /XRef /W [1 99999999999 1] /Size 3", b"\x01\x00\x00");
    let e = pages(&one_page("", b"", &[xref], ""), &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("/W"), "{e}");
    let xref = stream(
        "/Type /XRef /W [1 2 1] /Index [0 2147483647]",
        b"\x01\x00\x00\x00",
    );
    let e = pages(&one_page("", b"", &[xref], ""), &Limits::default()).unwrap_err();
    assert!(matches!(e, PdfError::TooLarge(_)), "{e:?}");
}
