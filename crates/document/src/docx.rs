//! The annual report as a Word document (Office Open XML), written with docx-rs: the same
//! content as the PDF and the HTML, with Word's own heading styles (so the navigation pane,
//! the table of contents and a screen reader find the structure), a table of contents Word
//! fills in when the document is opened, page numbers, and each chart as a picture
//! rasterised from the report's SVG by resvg, with its text alternative.
//!
//! docx-rs writes neither a picture's text alternative (`descr` on `wp:docPr`) nor the
//! document's title and language; [`finish`] adds them to the packed file's XML.

use crate::Error;
use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, PageNum, Paragraph, Pic, Run, RunFonts, Style,
    StyleType, Table, TableCell, TableOfContents, TableRow,
};
use etablera_report::model::{Report, Target};
use std::io::{Cursor, Read, Write};
use std::sync::{Arc, LazyLock};

/// The chart's width in the document (16 cm) and the pixels it is rasterised to (150 dpi).
const CHART_WIDTH_EMU: u32 = 5_760_000;
const CHART_PIXELS: u32 = 945;

/// The fonts resvg sets the charts' text in: the documents' own.
static FONTDB: LazyLock<Arc<resvg::usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = resvg::usvg::fontdb::Database::new();
    for f in crate::FONTS {
        db.load_font_data(f.to_vec());
    }
    db.set_sans_serif_family("Liberation Sans");
    db.set_serif_family("Liberation Sans");
    Arc::new(db)
});

/// A text as a paragraph: its line breaks kept (docx-rs drops a `\n` inside a text), its
/// control characters left out (XML has no place for them).
fn text(s: &str) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(plain(line));
    }
    Paragraph::new().add_run(run)
}

fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect()
}

fn bold(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(plain(s)).bold())
}

fn heading(level: usize, s: &str) -> Paragraph {
    text(s).style(&format!("Heading{level}"))
}

fn bullet(s: &str) -> Paragraph {
    text(&format!("• {s}")).style("ListParagraph")
}

/// A table with a header row and its rows. The header row is marked as one (`w:tblHeader`,
/// added by [`finish`]: a screen reader announces it, Word repeats it on each page).
fn table(header: &[&str], rows: &[Vec<String>]) -> Table {
    let head = TableRow::new(
        header
            .iter()
            .map(|h| TableCell::new().add_paragraph(bold(h)))
            .collect(),
    )
    .cant_split();
    let mut all = vec![head];
    for r in rows {
        all.push(TableRow::new(
            r.iter()
                .map(|c| TableCell::new().add_paragraph(text(c)))
                .collect(),
        ));
    }
    Table::new(all)
}

/// The chart's SVG as a PNG picture 16 cm wide.
fn chart(svg: &str) -> Result<Pic, Error> {
    let options = resvg::usvg::Options {
        fontdb: FONTDB.clone(),
        font_family: "Liberation Sans".into(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| Error(e.to_string()))?;
    let size = tree.size();
    let scale = CHART_PIXELS as f32 / size.width();
    let height = (size.height() * scale).ceil().max(1.0) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(CHART_PIXELS, height)
        .ok_or_else(|| Error("chart too large".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| Error(e.to_string()))?;
    let emu_height = (CHART_WIDTH_EMU as u64 * height as u64 / CHART_PIXELS as u64) as u32;
    Ok(Pic::new_with_dimensions(png, CHART_PIXELS, height).size(CHART_WIDTH_EMU, emu_height))
}

fn target(doc: Docx, report: &Report, t: &Target, alts: &mut Vec<String>) -> Result<Docx, Error> {
    let l = &report.labels;
    let mut doc = doc
        .add_paragraph(heading(2, &t.text))
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(t.status_label).bold())
                .add_run(Run::new().add_text(plain(&format!(" – {}: {}", l.target, t.kind)))),
        )
        .add_paragraph(text(&format!("{}: {}", l.indicator, t.indicator)))
        .add_paragraph(text(&t.explanation));
    if !t.analysis.is_empty() {
        doc = doc.add_paragraph(heading(3, l.analysis));
        for p in &t.analysis {
            doc = doc.add_paragraph(text(p));
        }
    }
    alts.push(t.chart_alt.clone());
    doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_image(chart(&t.chart_svg)?)));
    let mut caption = match &t.projection {
        Some(p) => format!("{p}. {}", t.sources),
        None => t.sources.clone(),
    };
    if let Some(f) = t.fictitious {
        caption.push_str(". ");
        caption.push_str(f);
    }
    doc = doc.add_paragraph(text(&caption).style("Caption"));
    if !t.table_rows.is_empty() {
        let header: Vec<&str> = std::iter::once(l.period)
            .chain(t.table_header.iter().map(String::as_str))
            .collect();
        let rows: Vec<Vec<String>> = t
            .table_rows
            .iter()
            .map(|(p, cells)| {
                std::iter::once(p.clone())
                    .chain(cells.iter().cloned())
                    .collect()
            })
            .collect();
        doc = doc
            .add_paragraph(text(&format!("{} – {}", l.data, t.text)).style("Caption"))
            .add_table(table(&header, &rows));
    }
    if let Some(n) = &t.note {
        doc = doc.add_paragraph(text(&format!("{}: {n}", l.note)));
    }
    Ok(doc)
}

fn styles(doc: Docx) -> Docx {
    let mut doc = doc
        .default_fonts(
            RunFonts::new()
                .ascii("Liberation Sans")
                .hi_ansi("Liberation Sans")
                .cs("Liberation Sans"),
        )
        .default_size(21);
    for (level, size) in [(1, 34), (2, 26), (3, 23)] {
        doc = doc.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("Heading {level}"))
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .size(size)
                .bold()
                .color("1F4E9A")
                .outline_lvl(level - 1),
        );
    }
    doc.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .size(52)
            .bold()
            .color("1F4E9A"),
    )
    .add_style(
        Style::new("Caption", StyleType::Paragraph)
            .name("Caption")
            .based_on("Normal")
            .size(18)
            .italic(),
    )
    .add_style(
        Style::new("ListParagraph", StyleType::Paragraph)
            .name("List Paragraph")
            .based_on("Normal")
            .indent(Some(360), None, None, None),
    )
}

/// The report as a Word document.
pub fn docx(report: &Report) -> Result<Vec<u8>, Error> {
    let l = &report.labels;
    let mut doc = styles(Docx::new()).footer(
        Footer::new().add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(Run::new().add_text(plain(&format!(
                    "{} – {}   {} ",
                    report.owner, report.title, l.page
                ))))
                .add_page_num(PageNum::new()),
        ),
    );
    // The cover.
    doc = doc
        .add_paragraph(text(&report.owner))
        .add_paragraph(text(&report.title).style("Title"))
        .add_paragraph(text(&report.strategy));
    if let Some(a) = &report.adoption {
        doc = doc.add_paragraph(text(a));
    }
    if let Some(d) = &report.decision {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(d).bold()));
    }
    doc = doc.add_paragraph(text(&report.produced));
    if let Some(n) = &report.fictitious_notice {
        doc = doc
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(n).bold().color("8B0000")));
    }
    doc = doc
        .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
        .add_paragraph(bold(l.contents))
        .add_table_of_contents(
            TableOfContents::new()
                .heading_styles_range(1, 2)
                .auto()
                .dirty(),
        );

    // Summary.
    doc = doc.add_paragraph(heading(1, l.summary).page_break_before(true));
    if let Some(v) = &report.vision {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(format!("{}: ", l.vision)).bold())
                .add_run(Run::new().add_text(plain(v))),
        );
    }
    let rows: Vec<Vec<String>> = report
        .summary
        .iter()
        .map(|s| vec![s.label.to_string(), s.count.to_string()])
        .collect();
    doc = doc
        .add_paragraph(text(l.status_of_the_targets).style("Caption"))
        .add_table(table(&[l.status, l.targets], &rows))
        .add_paragraph(bold(l.long_term_goals));
    for g in &report.goals {
        doc = doc.add_paragraph(bullet(&g.title));
    }

    let mut alts = Vec::new();
    for g in &report.goals {
        doc = doc.add_paragraph(heading(1, &g.title).page_break_before(true));
        if let Some(d) = &g.description {
            doc = doc.add_paragraph(text(d));
        }
        if !g.sub_goals.is_empty() {
            doc = doc.add_paragraph(bold(l.sub_goals));
            for s in &g.sub_goals {
                doc = doc.add_paragraph(bullet(s));
            }
        }
        if !g.strategies.is_empty() {
            doc = doc.add_paragraph(bold(l.strategy));
            for s in &g.strategies {
                doc = doc.add_paragraph(bullet(s));
            }
        }
        if g.targets.is_empty() {
            doc = doc.add_paragraph(text(l.no_targets));
        }
        for t in &g.targets {
            doc = target(doc, report, t, &mut alts)?;
        }
    }
    if !report.areas.is_empty() {
        doc = doc.add_paragraph(heading(1, l.indicators_by_area).page_break_before(true));
        for a in &report.areas {
            doc = doc.add_paragraph(heading(2, &a.name));
            for i in &a.indicators {
                doc = doc.add_paragraph(bullet(i));
            }
        }
    }
    if !report.activities.is_empty() {
        let rows: Vec<Vec<String>> = report.activities.iter().map(|r| r.to_vec()).collect();
        doc = doc
            .add_paragraph(heading(1, l.action_plan).page_break_before(true))
            .add_table(table(
                &[
                    l.year,
                    l.activity,
                    l.goal,
                    l.responsible,
                    l.status,
                    l.comment,
                ],
                &rows,
            ));
    }
    doc = doc
        .add_paragraph(heading(1, l.sources).page_break_before(true))
        .add_paragraph(text(&report.kolada));
    if let Some(s) = &report.strategy_source {
        doc = doc.add_paragraph(text(&format!("{}: {s}", l.strategy_document)));
    }
    let rows: Vec<Vec<String>> = report.batches.iter().map(|r| r.to_vec()).collect();
    doc = doc
        .add_paragraph(text(l.batches).style("Caption"))
        .add_table(table(&[l.no, l.source, l.file, l.imported], &rows));

    let mut packed = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(|e| Error(e.to_string()))?;
    finish(&packed.into_inner(), report, &alts)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Adds what docx-rs does not write: each picture's text alternative and a unique id, the
/// document's title, and its language (core properties and the default run language).
fn finish(packed: &[u8], report: &Report, alts: &[String]) -> Result<Vec<u8>, Error> {
    let err = |e: zip::result::ZipError| Error(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(packed)).map_err(err)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let lang = match report.lang {
        "sv" => "sv-SE",
        _ => "en-GB",
    };
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(err)?;
        let name = file.name().to_string();
        if file.is_dir() {
            out.add_directory(name, options).map_err(err)?;
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| Error(e.to_string()))?;
        let bytes = match name.as_str() {
            "word/document.xml" => {
                let xml = String::from_utf8(bytes).map_err(|e| Error(e.to_string()))?;
                let pictures = xml.matches("<wp:docPr id=\"1\" name=\"Figure\"").count();
                if pictures != alts.len() {
                    return Err(Error(format!(
                        "{pictures} pictures in the Word document, {} text alternatives",
                        alts.len()
                    )));
                }
                // Header rows: the only rows docx-rs writes with cantSplit here.
                let xml = xml
                    .replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
                    .replace("<w:cantSplit/>", "<w:cantSplit/><w:tblHeader/>");
                let mut parts = xml.split("<wp:docPr id=\"1\" name=\"Figure\"");
                let mut o = parts.next().unwrap_or_default().to_string();
                for (n, rest) in parts.enumerate() {
                    let alt = alts.get(n).map(String::as_str).unwrap_or("");
                    o.push_str(&format!(
                        "<wp:docPr id=\"{}\" name=\"Diagram {}\" descr=\"{}\"",
                        n + 1,
                        n + 1,
                        xml_escape(&plain(alt))
                    ));
                    o.push_str(rest);
                }
                o.into_bytes()
            }
            "docProps/core.xml" => {
                let xml = String::from_utf8(bytes).map_err(|e| Error(e.to_string()))?;
                xml.replacen(
                    "</cp:coreProperties>",
                    &format!(
                        "<dc:title>{}</dc:title><dc:language>{lang}</dc:language></cp:coreProperties>",
                        xml_escape(&plain(&format!("{} – {}", report.title, report.owner)))
                    ),
                    1,
                )
                .into_bytes()
            }
            "word/styles.xml" => {
                let xml = String::from_utf8(bytes).map_err(|e| Error(e.to_string()))?;
                xml.replacen(
                    "<w:rPrDefault><w:rPr>",
                    &format!("<w:rPrDefault><w:rPr><w:lang w:val=\"{lang}\" w:eastAsia=\"{lang}\" w:bidi=\"{lang}\" />"),
                    1,
                )
                .into_bytes()
            }
            _ => bytes,
        };
        out.start_file(name, options).map_err(err)?;
        out.write_all(&bytes).map_err(|e| Error(e.to_string()))?;
    }
    Ok(out.finish().map_err(err)?.into_inner())
}
