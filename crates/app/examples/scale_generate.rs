//! A national database for `scripts/scale`, on top of the demo already built in it: every
//! municipality a strategy of 4 goals and 30 targets on the curated indicators
//! (`data/indicators/integration.toml`); 20 years (2005–2024) of every curated indicator for every municipality, county and the
//! nation (generated, fictitious); and PERSONS register persons spread over the 290
//! municipalities (the demo's generator: sealed identities, plans, reviews), written in
//! batches as the operator would import them.
//!
//! Usage: `scale_generate ADDRESS KEYS_FILE [--persons N]`. Prints what it wrote and how
//! long each part took.

use etablera_app::{import_bytes, load_strategy_str, KOLADA_KPI_JSON};
use etablera_domain::access::Principal;
use etablera_domain::{Direction, ObsStatus, Observation, Period, Sex, UnitCode, Units};
use etablera_store::{AuditEntry, NewBatch};
use std::fmt::Write;
use std::time::Instant;

#[path = "shared/noise.rs"]
mod shared;
use shared::noise;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let address = args
        .next()
        .ok_or("usage: scale_generate ADDRESS KEYS_FILE [--persons N]")?;
    let keys_file = args
        .next()
        .ok_or("usage: scale_generate ADDRESS KEYS_FILE [--persons N]")?;
    let mut persons = 1_000_000usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--persons" => persons = args.next().ok_or("--persons N")?.parse()?,
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let keys = etablera_vault::Keyring::parse(std::fs::read_to_string(&keys_file)?.trim())?;
    let mut store = etablera_store::open(&address)?;
    let store = store.as_mut();
    // The generator writes as the operator does: for every municipality.
    store.set_acting_units("*")?;
    import_bytes(
        store,
        &Principal::system(),
        "data/kolada/kpi.json",
        KOLADA_KPI_JSON,
        None,
        &mut |_| {},
    )?;
    // The curated integration set (data/indicators/integration.toml).
    let by_id: std::collections::HashMap<_, _> = store
        .indicators()?
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();
    let indicators = etablera_ingest::catalogue::curated(&by_id)?;
    let units = Units::sweden();
    let municipalities: Vec<_> = units.municipalities().cloned().collect();

    // Figures: every curated indicator, every unit, 2005–2024.
    let t = Instant::now();
    let mut observations = Vec::new();
    let all_units: Vec<UnitCode> = municipalities
        .iter()
        .map(|m| m.code.clone())
        .chain(
            units
                .all()
                .iter()
                .filter(|u| u.kind == etablera_domain::UnitKind::Region)
                .map(|c| c.code.clone()),
        )
        .chain([UnitCode::nation()])
        .collect();
    for m in &all_units {
        for ind in &indicators {
            let base = noise(&format!("{m}{}", ind.id)) * 60.0 + 20.0;
            for year in 2005..=2024 {
                let v = base
                    + (year - 2005) as f64 * (noise(&format!("{}{m}", ind.id)) - 0.4)
                    + 3.0 * noise(&format!("{m}{}{year}", ind.id));
                observations.push(Observation::new(
                    ind.id.clone(),
                    m.clone(),
                    Period::Year(year),
                    Sex::Total,
                    Some((v * 10.0).round() / 10.0),
                    ObsStatus::Final,
                )?);
            }
        }
    }
    let n_obs = observations.len();
    store.import_observations(
        &NewBatch {
            source: "demo".into(),
            file_name: Some("scripts/scale: generated figures".into()),
            content_sha256: format!("scale-{n_obs}"),
            imported_at: "2026-12-02T00:00:00Z".into(),
            owner: None,
            audit: None,
        },
        &observations,
        &mut |_| {},
    )?;
    drop(observations);
    println!(
        "figures: {n_obs} observations ({} indicators × {} units × 20 years) in {:.1} s",
        indicators.len(),
        all_units.len(),
        t.elapsed().as_secs_f64()
    );

    // A strategy per municipality.
    let t = Instant::now();
    let goals = [
        "Fler i arbete och egen försörjning",
        "Utbildning som ger behörighet",
        "Boende och mottagande",
        "Delaktighet och social sammanhållning",
    ];
    for m in &municipalities {
        let mut toml = format!(
            "id = \"scale-{c}\"\nowner = \"{c}\"\ntitle = \"Integrationsstrategi 2021–2024\"\nperiod_from = 2021\nperiod_to = 2024\n",
            c = m.code
        );
        for (g, title) in goals.iter().enumerate() {
            let _ = write!(
                toml,
                "\n[[goals]]\nid = \"m{g}\"\ntitle = \"{title}\"\nkind = \"long_term\"\n"
            );
        }
        for t in 0..30 {
            let ind = &indicators[t % indicators.len()];
            let level = (noise(&format!("{}{t}", m.code)) * 60.0 + 20.0).round();
            let bound = if ind.direction == Direction::LowerIsBetter {
                "at_most"
            } else {
                "at_least"
            };
            let _ = write!(
                toml,
                "\n[[targets]]\nid = \"t{t}\"\ngoal = \"m{}\"\ntext = \"Mål {}\"\nseries = {{ indicator = \"{}\" }}\nkind = \"threshold\"\nbound = \"{bound}\"\nvalue = {level}.0\nbaseline_year = 2020\ntarget_year = 2024\n",
                t % goals.len(),
                t + 1,
                ind.id
            );
        }
        load_strategy_str(store, &format!("scale-{}.toml", m.code), &toml)?;
    }
    println!(
        "strategies: {} of 30 targets in {:.1} s",
        municipalities.len(),
        t.elapsed().as_secs_f64()
    );

    // Register persons, spread over the municipalities, in batches of 5 000.
    let t = Instant::now();
    let today = etablera_app::register::today();
    let per = persons / municipalities.len();
    let mut extra = persons % municipalities.len();
    let mut written = 0usize;
    for m in &municipalities {
        let n = per + usize::from(extra > 0);
        extra = extra.saturating_sub(1);
        let seed = 1_000_003 * m.code.as_str().parse::<u64>().unwrap_or(1) + 17;
        let cases = etablera_app::register_demo::caseload(&m.code, n, seed, 2021, today);
        for chunk in cases.chunks(5_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|c| etablera_app::register::to_row(&keys, c))
                .collect::<Result<_, _>>()?;
            let audit = AuditEntry::new(
                "2026-12-02T00:00:00Z",
                None,
                "register.import",
                &format!("register:{}", m.code),
                Some(&m.code),
            );
            store.save_persons(&rows, &audit)?;
            written += rows.len();
        }
    }
    println!(
        "register: {written} persons in {} municipalities in {:.1} s",
        municipalities.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
