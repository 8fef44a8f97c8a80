//! The harnesses: each takes bytes as a user could hand them in and calls the parser the
//! product calls. `true` when the input was accepted, `false` when refused with an error;
//! a panic is a finding.

use etablera_domain::{Date, UnitCode, Units};
use etablera_ingest::{csv_long, kolada, strategy_file, xlsx_wide, Known};
use std::sync::OnceLock;

pub struct Target {
    pub run: fn(&[u8]) -> bool,
    /// Pieces of the format that mutations insert.
    pub tokens: &'static [&'static [u8]],
    /// Whether inputs are zip archives (xlsx): mutations then also work on the entries.
    pub zipped: bool,
}

pub const NAMES: &[&str] = &[
    "kolada-data",
    "kolada-kpi",
    "csv",
    "xlsx",
    "strategy",
    "caseload",
    "multipart",
    "person-form",
    "library-text",
    "docx",
    "pdf",
    "round-form",
    "report-pdf",
];

fn units() -> &'static Units {
    static U: OnceLock<Units> = OnceLock::new();
    U.get_or_init(Units::sweden)
}

const JSON: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"null",
    b"true",
    b"1e309",
    b"-0",
    b"\"\\u0000\"",
    b"\"values\":",
    b"\"kpi\":\"N00973\"",
    b"\"municipality\":\"2380\"",
    b"\"ou\":\"V15E\"",
    b"\"period\":2023",
    b"\"gender\":\"T\"",
    b"\"value\":47.7",
    b"\"status\":\"Not applicable\"",
    b"\"isdeleted\":true",
    b"\"next_url\":",
    b"\"count\":",
    b"\"title\":",
    b"\"id\":",
];
const CSV: &[&[u8]] = &[
    b";",
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"N00973",
    b"2380",
    b"0000",
    b"2024",
    b"2024-03",
    b"T",
    b"K",
    b"M",
    b"47,7",
    b"1e999",
    b"NaN",
    b"-",
    b"final",
    b"prel",
    b"indikator;enhet;period;k\xc3\xb6n;v\xc3\xa4rde;status\n",
];
const XML: &[&[u8]] = &[
    b"<c r=\"XFD1048576\"><v>1</v></c>",
    b"<c r=\"A1\" t=\"s\"><v>0</v></c>",
    b"<row r=\"1048576\">",
    b"</row>",
    b"<si><t>",
    b"</t></si>",
    b"<v>",
    b"</v>",
    b"t=\"d\"",
    b"t=\"b\"",
    b"t=\"inlineStr\"",
    b"<is><t>x</t></is>",
    b"&amp;",
    b"&#0;",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    b"&a;",
    b"<![CDATA[",
    b"]]>",
    b"s=\"99999\"",
    b"r=\"A0\"",
    b"r=\"ZZZZ1\"",
];
const TOML: &[&[u8]] = &[
    b"[[targets]]\n",
    b"[[goals]]\n",
    b"[[areas]]\n",
    b"kind = \"level\"\n",
    b"kind = \"x\"\n",
    b"=",
    b"\"\"\"",
    b"'''",
    b"[",
    b"]",
    b"{",
    b"}",
    b"id = \"x\"\n",
    b"baseline_year = 2019\n",
    b"indicator = \"N00973\"\n",
    b"value = 1e308\n",
    b"year = 99999999999\n",
    b"\\u0000",
];
const MULTIPART: &[&[u8]] = &[
    b"--XyZ\r\n",
    b"--XyZ--\r\n",
    b"\r\n\r\n",
    b"Content-Disposition: form-data; name=\"fil\"; filename=\"a.csv\"\r\n",
    b"Content-Type: text/csv\r\n",
    b"name=\"csrf\"",
    b"filename*=UTF-8''%C3%A5.csv",
    b"\r\n",
];

pub fn by_name(name: &str) -> Option<Target> {
    Some(match name {
        "kolada-data" => Target {
            run: |b| kolada::parse_data("f.json", b, &Known::units(units())).is_ok(),
            tokens: JSON,
            zipped: false,
        },
        "kolada-kpi" => Target {
            run: |b| kolada::parse_kpis("kpi.json", b).is_ok(),
            tokens: JSON,
            zipped: false,
        },
        "csv" => Target {
            run: |b| {
                let a = csv_long::parse_report("f.csv", b, &Known::units(units()), 200).is_ok();
                let t = etablera_app::table::rows("f.csv", b).is_ok();
                a || t
            },
            tokens: CSV,
            zipped: false,
        },
        "xlsx" => Target {
            run: |b| {
                let a = xlsx_wide::parse_report("f.xlsx", b, &Known::units(units()), 200).is_ok();
                let t = xlsx_wide::first_sheet_rows("f.xlsx", b).is_ok();
                a || t
            },
            tokens: XML,
            zipped: true,
        },
        "strategy" => Target {
            run: |b| {
                let text = String::from_utf8_lossy(b);
                strategy_file::load("s.toml", &text, units(), None).is_ok()
            },
            tokens: TOML,
            zipped: false,
        },
        "caseload" => Target {
            run: |b| {
                let unit = UnitCode::parse("2380").expect("a unit code");
                let today = Date::new(2026, 11, 30).expect("a date");
                etablera_app::register::parse_caseload("c.csv", b, &unit, 3, today).is_ok()
            },
            tokens: CSV,
            zipped: false,
        },
        "multipart" => Target {
            run: multipart,
            tokens: MULTIPART,
            zipped: false,
        },
        "person-form" => Target {
            run: person_form,
            tokens: FORM,
            zipped: false,
        },
        "docx" => Target {
            run: |b| {
                etablera_ingest::docx::paragraphs("d.docx", b, &etablera_ingest::docx::limits())
                    .is_ok()
            },
            tokens: XML,
            zipped: true,
        },
        "pdf" => Target {
            run: |b| {
                etablera_pdf::pages(b, &etablera_pdf::Limits::default())
                    .is_ok_and(|p| !p.is_empty())
            },
            tokens: PDF,
            zipped: false,
        },
        "library-text" => Target {
            run: |b| {
                etablera_app::library::targets_of_text("s.txt", b, Some(2020))
                    .is_ok_and(|d| !d.is_empty())
            },
            tokens: TEXT,
            zipped: false,
        },
        // The yearly round's and the account's form fields: a decision (body, date,
        // reference, diarienummer, one per line), the responsible text the departments are
        // read from, and an e-mail address.
        "round-form" => Target {
            run: |b| {
                let text = String::from_utf8_lossy(b);
                let mut lines = text.split('\n');
                let mut next = || lines.next().unwrap_or("");
                let (body, date, reference, dnr) = (next(), next(), next(), next());
                let _ = etablera_domain::round::departments_named(&text);
                let _ = etablera_app::mail::valid_address(body);
                let _ = etablera_domain::round::paragraph(reference);
                etablera_domain::round::Decision::new(body, date, reference, dnr).is_ok()
            },
            tokens: ROUND,
            zipped: false,
        },
        // The annual report's PDF with any text in its fields (the strategy's, the year's
        // analysis, the action plan, a chart's labels): it must always be made, and conform.
        "report-pdf" => Target {
            run: report_pdf,
            tokens: REPORT,
            zipped: false,
        },
        _ => return None,
    })
}

/// Pieces of the round's form fields: dates, paragraph signs, diarienummer, separators of
/// departments, address syntax, control characters.
const ROUND: &[&[u8]] = &[
    b"\n",
    b"Kommunstyrelsen",
    b"2025-03-12",
    b"2025-02-30",
    b"KS 2025-03-12 \xc2\xa7 45",
    b"\xc2\xa7",
    b" \xc2\xa7 0",
    b"KS 2025/123",
    b", HR",
    b"; ",
    b" / ",
    b" samt ",
    b"@",
    b"<a@b.se>",
    b"\"",
    b"\r\n",
    b"\x00",
    b"\xe2\x80\xae",
];

/// Pieces of PDF syntax (ISO 32000-1 §7): objects, streams and their filters, the page tree,
/// text and form operators.
const PDF: &[&[u8]] = &[
    b" 0 obj\n",
    b"endobj\n",
    b"stream\n",
    b"\nendstream",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b" 0 R",
    b"/Filter /FlateDecode",
    b"/Filter /LZWDecode",
    b"/DecodeParms << /Predictor 12 /Columns 99999 >>",
    b"/Type /ObjStm /N 1 /First 5",
    b"/Parent 3 0 R",
    b"/Kids [3 0 R 3 0 R]",
    b"/Resources << /XObject << /X1 6 0 R >> >>",
    b"/Subtype /Form",
    b"/X1 Do",
    b"BT /F1 12 Tf (\\351t\\344) Tj ET",
    b"[(a) -250 (b)] TJ",
    b"/Encrypt",
    b"/ToUnicode",
    b"xref\n0 1\n",
    b"trailer\n",
    b"startxref\n",
    b"%%EOF",
    b"99999999999",
    b"-1",
];

/// Pieces of Swedish strategy texts the target reader looks for.
const TEXT: &[&[u8]] = &[
    b". ",
    b"\n\n",
    b"\n1. ",
    b"\n\xe2\x80\xa2 ",
    b"bl.a.",
    b"t.ex.",
    b"Kvantitativa m\xc3\xa5l ",
    b"Strategi ",
    b"L\xc3\xa5ngsiktigt m\xc3\xa5l 1: ",
    b" ska ",
    b" minst ",
    b" h\xc3\xb6gst ",
    b" \xc3\xb6ka ",
    b" minska ",
    b" halveras",
    b" p\xc3\xa5 samma niv\xc3\xa5 som ",
    b" riksgenomsnittet",
    b" \xc3\xa5r 2020",
    b" under perioden 2016\xe2\x80\x932020",
    b" 47,7 %",
    b" 5 000 ",
    b" procentenheter",
    b" \xc3\xa5rligen",
    b" kvinnor",
    b"Alla ",
    b" inom ",
];

/// A field name of every part of the person form, and values the readers look for.
const FORM: &[&[u8]] = &[
    b"&",
    b"=",
    b"%",
    b"%00",
    b"%C3%A5",
    b"+",
    b"need_sprak=",
    b"kind=sfi",
    b"start=2025-03-01",
    b"end=",
    b"status=",
    b"purpose=",
    b"to=",
    b"date=",
    b"user=",
    b"household=",
    b"closed=2025-13-40",
    b"restricted=1",
    b"months=",
    b"99999999999999999999",
    b"-1",
    b"1e309",
];

/// The person page's form reader (`register::person::parse_change`), over a body read by
/// axum's form extractor as the page's handler reads it; the first byte picks the part.
fn person_form(b: &[u8]) -> bool {
    use axum::extract::FromRequest;
    use std::collections::HashMap;
    let Some((first, body)) = b.split_first() else {
        return false;
    };
    let parts = etablera_web::register::PERSON_FORM_PARTS;
    let part = parts[usize::from(*first) % parts.len()];
    let req = axum::http::Request::builder()
        .method("POST")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.to_vec()))
        .expect("a request");
    let form = RT.with(|rt| {
        rt.block_on(axum::Form::<HashMap<String, String>>::from_request(
            req,
            &(),
        ))
    });
    match form {
        Ok(axum::Form(f)) => etablera_web::register::reads_as_change(part, f),
        Err(_) => false,
    }
}

thread_local! {
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
}

/// The multipart reader the upload handlers use (axum's), over a body as a browser or an
/// attacker sends it.
fn multipart(b: &[u8]) -> bool {
    use axum::extract::FromRequest;
    let req = axum::http::Request::builder()
        .method("POST")
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(axum::body::Body::from(b.to_vec()))
        .expect("a request");
    RT.with(|rt| {
        rt.block_on(async {
            let Ok(mut mp) = axum::extract::Multipart::from_request(req, &()).await else {
                return false;
            };
            let mut ok = true;
            loop {
                match mp.next_field().await {
                    Ok(Some(f)) => {
                        let _ = (f.name().map(str::len), f.file_name().map(str::len));
                        ok &= f.bytes().await.is_ok();
                    }
                    Ok(None) => return ok,
                    Err(_) => return false,
                }
            }
        })
    })
}

/// Separates the fields of a `report-pdf` input (ASCII's record separator, so a field may
/// hold line breaks).
const FIELD: char = '\u{1e}';

/// Pieces of text that are hard to set: line breaks, tabs, long words, invisible and
/// combining characters, right-to-left and private-use characters, an emoji.
const REPORT: &[&[u8]] = &[
    b"\x1e",
    b"\n",
    b"\n\n\n",
    b"\t",
    b" ",
    b"\xc2\xa0",
    b"\xc2\xad",
    b"\xe2\x80\x8b",
    b"\xef\xbb\xbf",
    b"\xcc\x81\xcc\x81\xcc\x81\xcc\x81",
    b"\xe2\x80\xa8",
    b"\xef\x82\xb7",
    b"\xf0\x9f\x8e\xaf",
    b"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
    b"\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9",
    b"Arbetsmarknadsutbildningsdeltagarf\xc3\xb6rvaltningen",
    b"47,7 %",
    b"\x00",
];

/// The report's fields from the input, one per field separator, reused round when there
/// are more fields than parts. Returns whether a PDF was made; one not made is a finding.
fn report_pdf(b: &[u8]) -> bool {
    use etablera_report::chart::{Anchor, Scene, Shape, Stroke};
    use etablera_report::model::{Goal, Labels, Report, SummaryRow, Target};
    let text = String::from_utf8_lossy(b);
    // Each part fills several of the report's sixty-odd fields, so parts are cut at 5 000
    // characters: the report's text stays near the input's size, as a user's would.
    let parts: Vec<String> = text
        .split(FIELD)
        .map(|p| p.chars().take(5_000).collect())
        .collect();
    let mut k = 0;
    let mut next = || {
        k += 1;
        parts[(k - 1) % parts.len()].clone()
    };
    let target = |next: &mut dyn FnMut() -> String| Target {
        id: "t".into(),
        text: next(),
        status_code: "on_track",
        status_label: "På väg",
        kind: next(),
        indicator: next(),
        explanation: next(),
        analysis: vec![next(), next()],
        chart: Scene {
            width: 700.0,
            height: 300.0,
            shapes: vec![
                Shape::Line {
                    points: vec![(60.0, 260.0), (300.0, 100.0), (500.0, 40.0)],
                    stroke: Stroke {
                        colour: "#1f4e9a",
                        width: 2.0,
                        dash: "6 3",
                    },
                },
                Shape::Text {
                    x: 512.0,
                    y: 26.0,
                    anchor: Anchor::Start,
                    lines: vec![next(), next()],
                    line: 13.0,
                },
                Shape::Text {
                    x: 54.0,
                    y: 264.0,
                    anchor: Anchor::End,
                    lines: vec![next()],
                    line: 0.0,
                },
            ],
        },
        chart_svg: String::new(),
        chart_alt: next(),
        projection: Some(next()),
        sources: next(),
        fictitious: Some("Fiktiva demodata."),
        table_header: vec![next(), next()],
        table_rows: vec![
            (next(), vec![next(), next()]),
            (next(), vec![next(), next()]),
        ],
        note: Some(next()),
    };
    let goals: Vec<Goal> = (0..2)
        .map(|_| Goal {
            id: "g".into(),
            title: next(),
            description: Some(next()),
            sub_goals: vec![next()],
            strategies: vec![next()],
            targets: vec![target(&mut next), target(&mut next)],
        })
        .collect();
    let report = Report {
        lang: "sv",
        title: next(),
        owner: next(),
        strategy: next(),
        adoption: Some(next()),
        decision: Some(next()),
        produced: next(),
        fictitious_notice: Some(next()),
        vision: Some(next()),
        summary: vec![SummaryRow {
            code: "on_track",
            label: "På väg",
            count: 4,
        }],
        goals,
        areas: Vec::new(),
        activities: vec![[next(), next(), next(), next(), next(), next()]],
        kolada: next(),
        strategy_source: Some(next()),
        batches: vec![[next(), next(), next(), next()]],
        labels: Labels::of(etablera_domain::Lang::Sv),
    };
    match etablera_document::pdf(&report, "2026-12-02") {
        Ok(pdf) => pdf.starts_with(b"%PDF-"),
        Err(e) => panic!("no PDF for text a user could write: {e}"),
    }
}
