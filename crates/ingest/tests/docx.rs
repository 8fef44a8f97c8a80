//! Word documents written here from ECMA-376 Part 1 (WordprocessingML: the package's
//! content types, the document part with paragraphs, runs, text, tabs and breaks), and
//! hostile ones: broken, a decompression bomb, encrypted, not a Word document.

use etablera_ingest::docx;
use std::io::Write;

fn package(document_xml: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
        z.start_file("_rels/.rels", opts).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#).unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(document_xml).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="Rubrik1"/></w:pPr><w:r><w:t>Integrationsstrategi</w:t></w:r><w:r><w:t xml:space="preserve"> 2020</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>Minst 10 % av befolkningen är utrikes födda år 2020 &amp; fler</w:t></w:r><w:r><w:tab/><w:t>– mål 1.</w:t></w:r></w:p>
<w:p><w:r><w:br w:type="page"/><w:t>Andelen ska öka.</w:t></w:r></w:p>
<w:p><w:r><w:lastRenderedPageBreak/><w:t>Sidan tre.</w:t></w:r></w:p>
<w:sectPr/></w:body></w:document>"#;

#[test]
fn paragraphs_and_pages_of_a_document() {
    let p = docx::paragraphs("s.docx", &package(DOCUMENT.as_bytes()), &docx::limits()).unwrap();
    assert_eq!(
        p,
        vec![
            (Some(1), "Integrationsstrategi 2020".to_string()),
            (
                Some(1),
                "Minst 10 % av befolkningen är utrikes födda år 2020 & fler – mål 1.".to_string()
            ),
            (Some(2), "Andelen ska öka.".to_string()),
            (Some(3), "Sidan tre.".to_string()),
        ]
    );
}

#[test]
fn hostile_documents_are_refused_with_their_name() {
    let good = package(DOCUMENT.as_bytes());
    // Broken: the archive cut in half.
    let e = docx::paragraphs("halv.docx", &good[..good.len() / 2], &docx::limits()).unwrap_err();
    assert!(
        e.to_string()
            .contains("halv.docx: not a readable docx document"),
        "{e}"
    );
    // A decompression bomb: 200 MiB of one character in a paragraph, deflated to a few
    // hundred KiB; the reader stops at the part's limit.
    let mut bomb = String::from(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#,
    );
    bomb.push_str(&"a".repeat(200 << 20));
    bomb.push_str("</w:t></w:r></w:p></w:body></w:document>");
    let bomb = package(bomb.as_bytes());
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let e = docx::paragraphs("bomb.docx", &bomb, &docx::limits()).unwrap_err();
    assert!(e.to_string().contains("expands to more than 32 MiB"), "{e}");
    // Encrypted: Office writes the encrypted package into an OLE compound file.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0u8; 504]);
    let e = docx::paragraphs("hemlig.docx", &ole, &docx::limits()).unwrap_err();
    assert!(
        e.to_string()
            .contains("hemlig.docx: the document is encrypted"),
        "{e}"
    );
    // A zip that is no Word document (an xlsx workbook).
    let xlsx = etablera_ingest::xlsx_wide::write(&[vec!["a"]]);
    let e = docx::paragraphs("tabell.docx", &xlsx, &docx::limits()).unwrap_err();
    assert!(e.to_string().contains("no part `word/document.xml`"), "{e}");
    // XML that is not well-formed names the part and the byte.
    let e = docx::paragraphs(
        "trasig.docx",
        &package(b"<w:document><w:p></w:x>"),
        &docx::limits(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("trasig.docx: part `word/document.xml`, byte"),
        "{e}"
    );
}
