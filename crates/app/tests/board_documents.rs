//! The board's documents: the annual report as PDF (own layout, krilla) and DOCX (docx-rs), read back
//! by a second implementation — the library's own PDF text reader for the PDF, the zip and
//! XML of the Word file for the DOCX. (The demo's documents are also read by poppler,
//! pikepdf, python-docx and LibreOffice in CI: `tests/documents/check.py`.)

use etablera_app::{
    load_strategy_str, render_board_document, run_followup, BoardFormat, FollowUpRun,
};
use etablera_domain::Lang;
use etablera_store::{testing, NewBatch};
use std::io::Read;

fn pdf_text(bytes: &[u8]) -> String {
    let pages = etablera_pdf::pages(bytes, &etablera_pdf::Limits::default()).unwrap();
    flat(&pages.join(" "))
}

/// Text as letters and digits only: the reader may drop a hard hyphen that ends a line
/// ("18-" / "24") or join words at a line's end, so a comparison that is not to fail on line
/// breaks compares letters and digits.
fn flat(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Östersund's strategy with the demo's fictitious figures, followed up for 2020.
fn ostersund(s: &mut dyn etablera_store::Store) -> FollowUpRun {
    etablera_app::init(s).unwrap();
    let (name, src) = etablera_app::demo::STRATEGIES[0];
    let strategy = load_strategy_str(s, name, src).unwrap();
    let fict = etablera_app::demo::fictitious_observations().unwrap();
    s.import_observations(
        &NewBatch {
            source: "demo".into(),
            file_name: Some("fiktiva demodata".into()),
            content_sha256: "test".into(),
            imported_at: "2026-12-01T00:00:00Z".into(),
            owner: None,
            audit: None,
        },
        &fict,
        &mut |_| {},
    )
    .unwrap();
    run_followup(s, &strategy.id, 2020, None, None).unwrap()
}

#[test]
fn the_pdf_holds_every_goal_and_target_and_is_the_same_each_time() {
    let mut t = testing::sqlite();
    let run = ostersund(t.store.as_mut());
    let pdf = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    let roots: Vec<_> = run.strategy.root_goals().collect();
    assert_eq!(roots.len(), 4);
    for g in roots {
        // In the contents, the list of goals and as the section's heading.
        assert!(
            text.matches(&flat(&g.title)).count() >= 3,
            "goal {:?} missing",
            g.title
        );
    }
    for target in &run.strategy.targets {
        // In the contents and as the target's heading (and its table's caption).
        assert!(
            text.matches(&flat(&target.text)).count() >= 2,
            "target {:?} missing",
            target.text
        );
    }
    for expected in [
        "Uppföljning av integrationsstrategin 2020",
        "Innehåll",
        "Källa: Kolada",
        "Fiktiva demodata",
        "Handlingsplan",
        "Sida 2",
    ] {
        assert!(text.contains(&flat(expected)), "{expected:?} missing");
    }
    // Tagged: a structure tree, the language, the title shown, alternative texts.
    let raw = String::from_utf8_lossy(&pdf);
    for marker in [
        "/StructTreeRoot",
        "/Lang",
        "/DisplayDocTitle",
        "/Alt",
        "pdfuaid",
    ] {
        assert!(raw.contains(marker), "{marker} missing");
    }
    // The same report on the same day gives the same bytes (an adopted report's PDF can be
    // made again and compared).
    let again = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None).unwrap();
    assert!(pdf == again, "two renderings differ");
    // English.
    let en = pdf_text(&render_board_document(&run, BoardFormat::Pdf, Lang::En, None).unwrap());
    assert!(
        en.contains(&flat("Follow-up of the integration strategy 2020")),
        "{en}"
    );
    assert!(en.contains(&flat("Contents")) && en.contains(&flat("Page 2")));
}

#[test]
fn the_docx_has_the_same_headings_with_title_language_and_alternative_texts() {
    let mut t = testing::sqlite();
    let run = ostersund(t.store.as_mut());
    let docx = render_board_document(&run, BoardFormat::Docx, Lang::Sv, None).unwrap();
    let body = docx_part(&docx, "word/document.xml");
    for g in run.strategy.root_goals() {
        assert!(body.contains(&g.title), "goal {:?} missing", g.title);
    }
    for target in &run.strategy.targets {
        assert!(
            body.contains(&target.text),
            "target {:?} missing",
            target.text
        );
    }
    assert!(body.contains("w:pStyle w:val=\"Heading1\""));
    assert!(body.contains("w:pStyle w:val=\"Heading2\""));
    let pictures = body.matches("<wp:docPr ").count();
    assert_eq!(pictures, run.strategy.targets.len());
    assert_eq!(body.matches(" descr=\"").count(), pictures);
    assert!(!body.contains("descr=\"\""));
    let core = docx_part(&docx, "docProps/core.xml");
    assert!(core.contains("<dc:title>Uppföljning av integrationsstrategin 2020"));
    assert!(core.contains("<dc:language>sv-SE</dc:language>"));
    assert!(docx_part(&docx, "word/styles.xml").contains("w:lang w:val=\"sv-SE\""));
}

/// Text from a strategy is set as text: markup of typesetters (typst's), XML's and a zip's special
/// characters in titles and targets come out as written, in both documents.
#[test]
fn hostile_text_is_printed_as_written() {
    let mut t = testing::sqlite();
    let s = t.store.as_mut();
    etablera_app::init(s).unwrap();
    let hostile = [
        r#"#set page(width: 1pt) #panic("x")"#,
        r#"*fet* _kursiv_ $x^2$ `kod` <etikett> @ref // inte en kommentar"#,
        r#"]"} \ & <w:p> ]]> "citat" 'apostrof'"#,
    ];
    let src = format!(
        r#"id = "fientlig"
owner = "2380"
title = {t0:?}
period_from = 2020
period_to = 2024

[[goals]]
id = "g"
title = {t1:?}
kind = "long_term"

[[targets]]
id = "t"
goal = "g"
text = {t2:?}
series = {{ indicator = "N00973" }}
kind = "threshold"
bound = "at_least"
value = 50.0
target_year = 2024

[[targets]]
id = "tom"
goal = "g"
text = ""
series = {{ indicator = "N00973" }}
kind = "threshold"
bound = "at_least"
value = 1.7e308
target_year = 2024

[[targets]]
id = "skrift"
goal = "g"
text = "Mål 🎯 för العربية och \uF0B7 punkt, kontroll\u0001tecken"
note = "rad ett\nrad två"
series = {{ indicator = "N00973" }}
kind = "threshold"
bound = "at_least"
value = 50.0
target_year = 2024
"#,
        t0 = hostile[0],
        t1 = hostile[1],
        t2 = hostile[2],
    );
    load_strategy_str(s, "fientlig.toml", &src).unwrap();
    let run = run_followup(s, "fientlig", 2024, None, None).unwrap();
    let pdf = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None).unwrap();
    let text = pdf_text(&pdf);
    for h in hostile {
        assert!(text.contains(&flat(h)), "{h:?} not in {text}");
    }
    // The marks themselves are printed: markup would have been consumed.
    let raw = etablera_pdf::pages(&pdf, &etablera_pdf::Limits::default())
        .unwrap()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for mark in [
        "#set page(width: 1pt)",
        "#panic(\"x\")",
        "*fet*",
        "_kursiv_",
        "$x^2$",
        "`kod`",
        "<etikett>",
        "@ref",
        "// inte en kommentar",
        "<w:p>",
        "]]>",
    ] {
        assert!(raw.contains(mark), "{mark:?} not in {raw}");
    }
    // An empty target, an emoji, Arabic (no glyphs in the fonts), a private-use character
    // and a control character make a PDF all the same, with «?» for what the fonts lack.
    assert!(raw.contains("Mål ? för ?"), "{raw}");
    assert!(raw.contains("punkt, kontrolltecken"), "{raw}");
    let docx = render_board_document(&run, BoardFormat::Docx, Lang::Sv, None).unwrap();
    let body = docx_part(&docx, "word/document.xml");
    assert!(!body.contains('\u{1}'));
    assert!(body.contains("rad ett</w:t>") && body.contains("<w:br w:type=\"textWrapping\""));
    assert!(
        body.contains("#set page(width: 1pt) #panic(&quot;x&quot;)")
            || body.contains("#set page(width: 1pt) #panic(\"x\")")
    );
    assert!(body.contains("&lt;w:p&gt;"));
}

/// Text too big for its place: a comment longer than a page in a narrow column of the
/// action plan, a target of 30 000 characters, a word wider than any line and a
/// title of one long word. The PDF is made (conforming, as every PDF is checked as it is
/// written), every word of them is in it, and the pages grow with the text, not without end.
#[test]
fn text_longer_than_a_page_or_a_line_is_set_whole() {
    let mut t = testing::sqlite();
    let s = t.store.as_mut();
    etablera_app::init(s).unwrap();
    let comment: String = (0..1500).map(|i| format!("ord{i} ")).collect();
    // Longer than the 32 767 bytes PDF/A allows a string (the heading's title, the chart's
    // text alternative), so those are shortened while the text is set whole.
    let target: String = (0..4000).map(|i| format!("mål{i} ")).collect();
    let word: String = "Långtord".repeat(300);
    let src = format!(
        r#"id = "stor"
owner = "2380"
title = {word:?}
period_from = 2020
period_to = 2024

[[goals]]
id = "g"
title = "Ett mål"
kind = "long_term"

[[targets]]
id = "t"
goal = "g"
text = {target:?}
note = {word:?}
series = {{ indicator = "N00973" }}
kind = "threshold"
bound = "at_least"
value = 50.0
target_year = 2024

[[activities]]
id = "a"
title = {word:?}
goal = "g"
responsible = "Kommunledningsförvaltningen"
year = 2024
status = "done"
comment = {comment:?}
"#
    );
    load_strategy_str(s, "stor.toml", &src).unwrap();
    let run = run_followup(s, "stor", 2024, None, None).unwrap();
    let pdf = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None).unwrap();
    let pages = etablera_pdf::pages(&pdf, &etablera_pdf::Limits::default()).unwrap();
    assert!(pages.len() < 60, "{} pages", pages.len());
    let text = flat(&pages.join(" "));
    for i in [0, 1, 700, 1499] {
        assert!(text.contains(&format!("ord{i}")), "ord{i} missing");
    }
    for i in [0, 2500, 3999] {
        assert!(text.contains(&format!("mål{i}")), "mål{i} missing");
    }
    assert!(
        text.matches(&flat(&word)).count() >= 2,
        "the long word is cut"
    );
}

/// A field longer than a board's document can use (a description of 300 000 characters) is
/// cut at 50 000 with «…»: the PDF is made with bounded work, and shows where it cut.
#[test]
fn a_field_of_hundreds_of_thousands_of_characters_is_cut() {
    let mut t = testing::sqlite();
    let s = t.store.as_mut();
    etablera_app::init(s).unwrap();
    let description: String = (0..30_000).map(|i| format!("o{i:07} ")).collect();
    let src = format!(
        r#"id = "enorm"
owner = "2380"
title = "Enorm"
period_from = 2020
period_to = 2024

[[goals]]
id = "g"
title = "Ett mål"
kind = "long_term"
description = "{description}"
"#
    );
    load_strategy_str(s, "enorm.toml", &src).unwrap();
    let run = run_followup(s, "enorm", 2024, None, None).unwrap();
    let pdf = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None).unwrap();
    let pages = etablera_pdf::pages(&pdf, &etablera_pdf::Limits::default()).unwrap();
    let text = pages.join(" ");
    // 50 000 characters are the first 5 555 words of eight characters and a space.
    assert!(text.contains("o0005554"), "cut too early");
    assert!(!text.contains("o0005556"), "not cut");
    assert!(text.contains('…'));
    assert!(pages.len() < 40, "{} pages", pages.len());
}

/// Text of hostile shapes: a goal whose title is only a pasted Word bullet (nothing a font can
/// set), a description of a hundred thousand line breaks, a target of invisible characters,
/// an activity of one letter with twenty thousand combining accents, a comment of
/// byte-order marks and line breaks. The PDF is made and conforms (a heading is never empty; blank lines do
/// not make pages; no string outgrows PDF/A's limit), and its pages stay few.
#[test]
fn hostile_shapes_of_text_make_a_small_conforming_pdf() {
    let mut t = testing::sqlite();
    let s = t.store.as_mut();
    etablera_app::init(s).unwrap();
    // As TOML writes them: a line break escaped, the other characters as they are.
    let newlines = "\\n".repeat(100_000);
    let accents = format!("a{}", "\u{301}".repeat(20_000));
    let invisible = "\u{200b}\u{feff}\u{2060}\u{fe0f}";
    let src = format!(
        r#"id = "former"
owner = "2380"
title = "Former"
period_from = 2020
period_to = 2024

[[goals]]
id = "g"
title = "\uF0B7"
kind = "long_term"
description = "{newlines}"

[[targets]]
id = "t"
goal = "g"
text = "{invisible}"
note = "rad\u2028ny rad"
series = {{ indicator = "N00973" }}
kind = "threshold"
bound = "at_least"
value = 50.0
target_year = 2024

[[activities]]
id = "a"
title = "{accents}"
goal = "g"
responsible = "Kommunledningsförvaltningen"
year = 2024
status = "done"
comment = "\uFEFF{newlines}\uFEFF"
"#
    );
    load_strategy_str(s, "former.toml", &src).unwrap();
    let run = run_followup(s, "former", 2024, None, None).unwrap();
    let pdf = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None).unwrap();
    let pages = etablera_pdf::pages(&pdf, &etablera_pdf::Limits::default()).unwrap();
    assert!(pages.len() <= 12, "{} pages", pages.len());
    let text = pages.join(" ");
    assert!(text.contains("rad") && text.contains("ny rad"), "{text}");
    assert!(!text.contains('\u{feff}') && !text.contains('\u{200b}'));
}
