//! The annual report's PDF, timed (`scripts/bench-reports`): a generated national database
//! — every one of the 290 municipalities with a strategy of 4 goals and 30 targets on the
//! curated Kolada indicators, and 2012–2024 figures for each (generated, fictitious) — in a
//! fresh SQLite file; then each municipality's annual report for 2024 is laid out as PDF
//! (charts included) and timed, from the follow-up run to the PDF's bytes.
//!
//! Writes to DIR: the HTML report of the first `--html N` municipalities (for the peer,
//! Chromium's print to PDF, in the same run), their PDFs, and `times.json` with each
//! report's milliseconds. Usage: `bench_reports DIR [--html 20] [--municipalities N]`.

use etablera_app::{
    import_bytes, init, load_strategy_str, render_board_document, render_report, run_followup,
    BoardFormat, Format, KOLADA_KPI_JSON,
};
use etablera_domain::access::Principal;
use etablera_domain::{
    Direction, Lang, MeasureUnit, ObsStatus, Observation, Period, Sex, UnitCode, Units,
};
use etablera_store::NewBatch;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;

const TARGETS: usize = 30;
const YEAR: i32 = 2024;

#[path = "shared/noise.rs"]
mod shared;
use shared::noise;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: bench_reports DIR [--html N]")?);
    let mut html_n = 20usize;
    let mut how_many = usize::MAX;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--html" => html_n = args.next().ok_or("--html N")?.parse()?,
            "--municipalities" => how_many = args.next().ok_or("--municipalities N")?.parse()?,
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);
    let mut store = etablera_store::open(&db.to_string_lossy())?;
    let store = store.as_mut();
    init(store)?;
    import_bytes(
        store,
        &Principal::system(),
        "data/kolada/kpi.json",
        KOLADA_KPI_JSON,
        None,
        &mut |_| {},
    )?;
    // Kolada indicators with a level a threshold makes sense for, one per target.
    let indicators: Vec<_> = store
        .indicators()?
        .into_iter()
        .filter(|i| i.id.as_str().starts_with('N') && i.area.is_some())
        .filter(|i| matches!(i.unit, MeasureUnit::Percent | MeasureUnit::Count))
        .take(TARGETS)
        .collect();
    if indicators.is_empty() {
        return Err("no curated Kolada indicators".into());
    }
    let units = Units::sweden();
    let municipalities: Vec<_> = units.municipalities().take(how_many).cloned().collect();
    eprintln!(
        "generating {} strategies of {TARGETS} targets on {} indicators",
        municipalities.len(),
        indicators.len()
    );
    let mut observations = Vec::new();
    for m in municipalities
        .iter()
        .map(|m| m.code.clone())
        .chain([UnitCode::nation()])
    {
        for ind in &indicators {
            let base = noise(&format!("{m}{}", ind.id)) * 60.0 + 20.0;
            for year in 2012..=YEAR {
                let v = base
                    + (year - 2012) as f64 * (noise(&format!("{}{m}", ind.id)) - 0.4)
                    + 3.0 * noise(&format!("{m}{}{year}", ind.id));
                let v = if ind.unit == MeasureUnit::Count {
                    (v * 10.0).round()
                } else {
                    (v * 10.0).round() / 10.0
                };
                observations.push(Observation::new(
                    ind.id.clone(),
                    m.clone(),
                    Period::Year(year),
                    Sex::Total,
                    Some(v),
                    ObsStatus::Final,
                )?);
            }
        }
    }
    store.import_observations(
        &NewBatch {
            source: "demo".into(),
            file_name: Some("genererade siffror för mätningen".into()),
            content_sha256: format!("bench-{}", observations.len()),
            imported_at: "2026-12-01T00:00:00Z".into(),
            owner: None,
            audit: None,
        },
        &observations,
        &mut |_| {},
    )?;
    for m in &municipalities {
        let mut toml = format!(
            "id = \"bench-{c}\"\nowner = \"{c}\"\ntitle = \"Integrationsstrategi 2021–2024\"\nperiod_from = 2021\nperiod_to = 2024\nvision = \"{n} är en kommun där alla kan bo, arbeta och trivas.\"\n",
            c = m.code,
            n = m.name
        );
        let goals = [
            "Fler i arbete och egen försörjning",
            "Utbildning som ger behörighet",
            "Boende och mottagande",
            "Delaktighet och social sammanhållning",
        ];
        for (g, title) in goals.iter().enumerate() {
            let _ = write!(
                toml,
                "\n[[goals]]\nid = \"m{g}\"\ntitle = \"{title}\"\nkind = \"long_term\"\n"
            );
        }
        for t in 0..TARGETS {
            let ind = &indicators[t % indicators.len()];
            let level = (noise(&format!("{}{t}", m.code)) * 60.0 + 20.0).round();
            let bound = if ind.direction == Direction::LowerIsBetter {
                "at_most"
            } else {
                "at_least"
            };
            let _ = write!(
                toml,
                "\n[[targets]]\nid = \"t{t}\"\ngoal = \"m{}\"\ntext = \"{} ska vara {} {level} år 2024 (mål {})\"\nseries = {{ indicator = \"{}\" }}\nkind = \"threshold\"\nbound = \"{bound}\"\nvalue = {level}.0\nbaseline_year = 2020\ntarget_year = 2024\n",
                t % goals.len(),
                ind.title.replace('"', "'"),
                if bound == "at_least" { "minst" } else { "högst" },
                t + 1,
                ind.id
            );
        }
        load_strategy_str(store, &format!("bench-{}.toml", m.code), &toml)?;
    }
    eprintln!("rendering {} annual reports as PDF", municipalities.len());
    let mut times = Vec::new();
    let mut followup_ms = Vec::new();
    for (i, m) in municipalities.iter().enumerate() {
        let id = format!("bench-{}", m.code);
        let start = Instant::now();
        let run = run_followup(store, &id, YEAR, None, None)?;
        followup_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        // Timed from the follow-up's result to the PDF's bytes, as Chromium's time runs from
        // the HTML to the PDF's bytes.
        let start = Instant::now();
        let pdf = render_board_document(&run, BoardFormat::Pdf, Lang::Sv, None)?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        if i < html_n {
            std::fs::write(dir.join(format!("{id}.pdf")), &pdf)?;
            std::fs::write(
                dir.join(format!("{id}.html")),
                render_report(&run, Format::Html, Lang::Sv, None),
            )?;
        }
    }
    let json = serde_json::json!({ "municipalities": municipalities.len(), "targets": TARGETS, "pdf_ms": times, "followup_ms": followup_ms, "html": html_n });
    std::fs::write(dir.join("times.json"), json.to_string())?;
    Ok(())
}
