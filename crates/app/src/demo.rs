//! `etablera demo`: a fresh SQLite database with the strategies of Östersund, Ljusnarsberg
//! and Luleå, Kolada's real catalogue and data file, figures quoted in the source
//! documents, and fictitious observations for 2014–2024 — stored as a batch whose source is
//! `demo`, so every report marks them as fictitious — and the follow-up reports.

use crate::error::{Context, Error, Result};
#[allow(unused_imports)]
use crate::{bail, input};
use crate::{
    import_bytes, init, load_strategy_str, render_board_document, render_report, run_followup,
    BoardFormat, Format, ImportReport,
};
use etablera_domain::{IndicatorId, Lang, ObsStatus, Observation, Period, Sex, UnitCode, Units};
use etablera_store::{NewBatch, Store};
use std::path::{Path, PathBuf};

/// The shipped strategy files.
pub const STRATEGIES: [(&str, &str); 3] = [
    (
        "data/strategies/ostersund-2020.toml",
        include_str!("../../../data/strategies/ostersund-2020.toml"),
    ),
    (
        "data/strategies/ljusnarsberg-2016.toml",
        include_str!("../../../data/strategies/ljusnarsberg-2016.toml"),
    ),
    (
        "data/strategies/lulea-2019.toml",
        include_str!("../../../data/strategies/lulea-2019.toml"),
    ),
];

/// The strategy texts the demo adds to the strategy library (`data/library`): file, the
/// municipality, title, year, the text.
pub const LIBRARY: [(&str, &str, &str, Option<i32>, &str); 2] = [
    (
        "ostersund-integrationsstrategi-2020.txt",
        "Östersund",
        "Integrationsstrategi 2020",
        Some(2016),
        include_str!("../../../data/library/ostersund-integrationsstrategi-2020.txt"),
    ),
    (
        "ljusnarsberg-integrationsstrategi.txt",
        "Ljusnarsberg",
        "Strategi för integration i Ljusnarsbergs kommun 2016–2020",
        Some(2016),
        include_str!("../../../data/library/ljusnarsberg-integrationsstrategi.txt"),
    ),
];

/// Kolada's real data response for N00945 (API v2 shape), as shipped.
pub const KOLADA_N00945_V2: &[u8] = include_bytes!("../../../data/kolada/data-N00945-v2.json");

/// How a fictitious series runs: a level in 2014, a yearly change, noise, and the offsets
/// of women and men from the total.
#[derive(Debug, Clone, Copy)]
struct Profile {
    base: f64,
    slope: f64,
    noise: f64,
    women: f64,
    men: f64,
    percent: bool,
}

const fn p(base: f64, slope: f64, noise: f64, women: f64, men: f64, percent: bool) -> Profile {
    Profile {
        base,
        slope,
        noise,
        women,
        men,
        percent,
    }
}

/// (unit, indicator, profile, sex split, from year)
fn profiles() -> Vec<(&'static str, &'static str, Profile, bool, i32)> {
    vec![
        (
            "2380",
            "N02926",
            p(7.6, 0.45, 0.08, 0.3, -0.3, true),
            true,
            2014,
        ),
        (
            "2380",
            "N00973",
            p(34.0, 2.6, 1.5, -9.0, 7.0, true),
            true,
            2014,
        ),
        (
            "2380",
            "N00700",
            p(30.0, 2.1, 0.8, -8.0, 7.0, true),
            true,
            2014,
        ),
        (
            "2380",
            "OSD-ARBL-UTR-1824",
            p(22.0, -1.6, 0.7, -1.5, 1.5, true),
            true,
            2014,
        ),
        (
            "2380",
            "OSD-ARBL-INR-1824",
            p(7.5, -0.35, 0.3, -0.8, 0.8, true),
            true,
            2014,
        ),
        (
            "2380",
            "OSD-UTOMNORD-ANST",
            p(5.2, 0.45, 0.15, 0.9, -1.2, true),
            true,
            2014,
        ),
        (
            "2380",
            "OSD-BEH-GY-UTR",
            p(46.0, 1.4, 2.5, 3.0, -3.0, true),
            true,
            2014,
        ),
        (
            "2380",
            "OSD-BEH-HS-UTR",
            p(58.0, -0.4, 1.5, 4.0, -4.0, true),
            true,
            2014,
        ),
        (
            "0000",
            "OSD-SOCREL-UTR",
            p(61.0, 0.5, 0.4, 0.5, -0.5, false),
            true,
            2014,
        ),
        (
            "0000",
            "OSD-SOCREL-SVF",
            p(77.0, 0.05, 0.3, 0.6, -0.6, false),
            true,
            2014,
        ),
        (
            "1864",
            "N02926",
            p(16.8, 0.9, 0.2, 0.2, -0.2, true),
            true,
            2014,
        ),
        (
            "1864",
            "N00973",
            p(28.0, 2.0, 3.0, -12.0, 9.0, true),
            true,
            2014,
        ),
        (
            "1864",
            "N00700",
            p(24.0, 1.9, 1.5, -9.0, 8.0, true),
            true,
            2014,
        ),
        (
            "1864",
            "N18409",
            p(38.0, 1.0, 3.0, 2.0, -2.0, true),
            true,
            2014,
        ),
        (
            "2580",
            "N00973",
            p(38.0, 2.3, 1.2, -13.0, 8.0, true),
            true,
            2014,
        ),
        (
            "2580",
            "LUL-KVAR-ETABL",
            p(78.0, 1.2, 1.0, 1.0, -1.0, true),
            true,
            2016,
        ),
        (
            "0000",
            "N02926",
            p(16.5, 0.45, 0.05, 0.2, -0.2, true),
            true,
            2014,
        ),
        (
            "0000",
            "N00973",
            p(31.0, 2.5, 0.6, -12.0, 9.0, true),
            true,
            2014,
        ),
        (
            "0000",
            "N00700",
            p(35.0, 2.0, 0.4, -8.0, 7.0, true),
            true,
            2014,
        ),
        (
            "0000",
            "N18409",
            p(40.0, 0.8, 0.5, 2.0, -2.0, true),
            true,
            2014,
        ),
    ]
}

/// Östersund's reception (N01986), fictitious but shaped like the years after 2015.
const OSTERSUND_RECEIVED: [(i32, f64); 11] = [
    (2014, 262.0),
    (2015, 371.0),
    (2016, 522.0),
    (2017, 408.0),
    (2018, 254.0),
    (2019, 188.0),
    (2020, 141.0),
    (2021, 133.0),
    (2022, 168.0),
    (2023, 121.0),
    (2024, 104.0),
];

/// Östersund's internships for people in establishment (OSD-PRAKTIK-KOMMUN), fictitious.
const OSTERSUND_INTERNSHIPS: [(i32, f64); 9] = [
    (2016, 58.0),
    (2017, 86.0),
    (2018, 104.0),
    (2019, 97.0),
    (2020, 71.0),
    (2021, 88.0),
    (2022, 102.0),
    (2023, 95.0),
    (2024, 90.0),
];

/// A deterministic noise in [-1, 1] from a text key (FNV-1a), so the demo is the same every run.
fn noise(key: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % 20_001) as f64 / 10_000.0 - 1.0
}

fn obs(ind: &str, unit: &str, year: i32, sex: Sex, v: f64) -> Result<Observation> {
    Ok(Observation::value_of(
        IndicatorId::parse(ind).map_err(Error::input)?,
        UnitCode::parse(unit).map_err(Error::input)?,
        Period::Year(year),
        sex,
        (v * 10.0).round() / 10.0,
    )?)
}

/// The fictitious observations.
pub fn fictitious_observations() -> Result<Vec<Observation>> {
    let mut out = Vec::new();
    let units = Units::sweden();
    let mut all = profiles();
    // Peers: the other municipalities in the owners' counties, around the owner's level.
    let mut peers = Vec::new();
    for (owner, county) in [("2380", "23"), ("1864", "18"), ("2580", "25")] {
        for m in units.county_members(county) {
            if m.as_str() == owner {
                continue;
            }
            for (u, ind, prof, split, from) in
                all.iter().filter(|x| x.0 == owner && x.1.starts_with('N'))
            {
                let shift = noise(&format!("{}{}", m, ind)) * prof.base * 0.2;
                let _ = u;
                peers.push((
                    m.as_str().to_string(),
                    *ind,
                    Profile {
                        base: prof.base + shift,
                        ..*prof
                    },
                    *split,
                    *from,
                ));
            }
        }
    }
    for (unit, ind, prof, split, from) in all
        .drain(..)
        .map(|(u, i, p, s, f)| (u.to_string(), i, p, s, f))
        .chain(peers)
    {
        for year in from..=2024 {
            let t = (year - 2014) as f64;
            let total =
                prof.base + prof.slope * t + prof.noise * noise(&format!("{unit}{ind}{year}"));
            let clamp = |v: f64| {
                if prof.percent {
                    v.clamp(0.0, 100.0)
                } else {
                    v.max(0.0)
                }
            };
            // A missing year now and then, as real series have.
            if [2017, 2021, 2023].contains(&year)
                && noise(&format!("gap{unit}{ind}{year}")) > 0.8
                && year > from
            {
                out.push(Observation::new(
                    IndicatorId::parse(ind).map_err(Error::input)?,
                    UnitCode::parse(&unit).map_err(Error::input)?,
                    Period::Year(year),
                    Sex::Total,
                    None,
                    ObsStatus::Missing,
                )?);
                continue;
            }
            out.push(obs(ind, &unit, year, Sex::Total, clamp(total))?);
            if split {
                let narrowing = if ind == "N00973" { 1.0 - 0.05 * t } else { 1.0 };
                out.push(obs(
                    ind,
                    &unit,
                    year,
                    Sex::Women,
                    clamp(total + prof.women * narrowing),
                )?);
                out.push(obs(
                    ind,
                    &unit,
                    year,
                    Sex::Men,
                    clamp(total + prof.men * narrowing),
                )?);
            }
        }
    }
    for (y, v) in OSTERSUND_RECEIVED {
        out.push(obs("N01986", "2380", y, Sex::Total, v)?);
        out.push(obs("N01986", "2380", y, Sex::Women, (v * 0.46).round())?);
        out.push(obs("N01986", "2380", y, Sex::Men, v - (v * 0.46).round())?);
    }
    for (y, v) in OSTERSUND_INTERNSHIPS {
        out.push(obs("OSD-PRAKTIK-KOMMUN", "2380", y, Sex::Total, v)?);
    }
    // A suppressed cell, as small municipalities have: shown as suppressed, never as 0.
    out.push(Observation::new(
        IndicatorId::parse("N18409").map_err(Error::input)?,
        UnitCode::parse("1864").map_err(Error::input)?,
        Period::Year(2024),
        Sex::Men,
        None,
        ObsStatus::Suppressed,
    )?);
    Ok(out)
}

/// Figures quoted in the source documents (not fictitious).
pub fn seed_observations() -> Result<Vec<Observation>> {
    let q =
        |ind: &str, unit: &str, period: Period, v: f64, status: ObsStatus| -> Result<Observation> {
            Ok(Observation::new(
                IndicatorId::parse(ind).map_err(Error::input)?,
                UnitCode::parse(unit).map_err(Error::input)?,
                period,
                Sex::Total,
                Some(v),
                status,
            )?)
        };
    Ok(vec![
        // Luleå (000_…): "Under första kvartalet 2019 har 54 % … Motsvarande siffra för riket är 47,7 %."
        q(
            "N00973",
            "2580",
            Period::Quarter(2019, 1),
            54.0,
            ObsStatus::Final,
        )?,
        q(
            "N00973",
            "0000",
            Period::Quarter(2019, 1),
            47.7,
            ObsStatus::Final,
        )?,
        // Luleå (001_…): "Uppskattat antal för 2019 är 108 personer".
        q(
            "N01986",
            "2580",
            Period::Year(2019),
            108.0,
            ObsStatus::Preliminary,
        )?,
        // Ljusnarsberg (004_…): "16,8 % (823 personer) … utrikesfödda år 2014".
        q("N02926", "1864", Period::Year(2014), 16.8, ObsStatus::Final)?,
    ])
}

/// What the demo made.
#[derive(Debug, Clone)]
pub struct DemoOutput {
    /// Where the demo was built: the SQLite file or the address given.
    pub database: String,
    pub reports: Vec<PathBuf>,
    pub summary: Vec<String>,
}

/// Builds the demo: its reports in `out`, its data in `database` (an SQLite path or a
/// PostgreSQL URL) or, without one, in a fresh `out/etablera-demo.db`. A given database
/// that already holds strategies is refused, never wiped.
pub fn run(out: &Path, database: Option<&str>) -> Result<DemoOutput> {
    std::fs::create_dir_all(out).with_context(|| format!("could not create {}", out.display()))?;
    let db = match database {
        Some(d) => d.to_string(),
        None => {
            let db = out.join("etablera-demo.db");
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", db.display()));
                if p.exists() {
                    std::fs::remove_file(&p)
                        .with_context(|| format!("could not remove the old {}", p.display()))?;
                }
            }
            db.to_string_lossy().into_owned()
        }
    };
    let mut store = etablera_store::open(&db)?;
    let store: &mut dyn Store = store.as_mut();
    if database.is_some() {
        init(store)?;
        if !store.strategies()?.is_empty() {
            bail!("the database already holds strategies; the demo is built only in an empty database (or leave out --database for a fresh demo-output/etablera-demo.db)");
        }
    }
    let mut summary = Vec::new();
    let i = init(store)?;
    summary.push(format!(
        "reference data: {} units, {} indicators",
        i.units, i.indicators_total
    ));
    let r = import_bytes(
        store,
        &etablera_domain::access::Principal::system(),
        "data/kolada/kpi.json",
        crate::KOLADA_KPI_JSON,
        None,
        &mut |_| {},
    )?;
    summary.push(format!("data/kolada/kpi.json: {r}"));
    let r = import_bytes(
        store,
        &etablera_domain::access::Principal::system(),
        "data/kolada/data-N00945-v2.json",
        KOLADA_N00945_V2,
        None,
        &mut |_| {},
    )?;
    summary.push(format!("data/kolada/data-N00945-v2.json: {r}"));
    for (name, src) in STRATEGIES {
        let s = load_strategy_str(store, name, src)?;
        summary.push(format!(
            "strategy {}: {} goals, {} targets, {} activities",
            s.id,
            s.goals.len(),
            s.targets.len(),
            s.activities.len()
        ));
    }
    let fict = fictitious_observations()?;
    let batch = NewBatch {
        source: "demo".into(),
        file_name: Some("fiktiva demodata 2014–2024".into()),
        content_sha256: etablera_ingest::sha256_hex(&[format!("{fict:?}").as_bytes()]),
        imported_at: crate::now_utc(),
        owner: None,
        audit: None,
    };
    let r = store.import_observations(&batch, &fict, &mut |_| {})?;
    summary.push(format!(
        "fictitious demo observations: {}",
        ImportReport::Observations(r, Vec::new())
    ));
    let seeds = seed_observations()?;
    let batch = NewBatch {
        source: "manual".into(),
        file_name: Some("uppgifter ur källdokumenten (Luleå, Ljusnarsberg)".into()),
        content_sha256: etablera_ingest::sha256_hex(&[format!("{seeds:?}").as_bytes()]),
        imported_at: crate::now_utc(),
        owner: None,
        audit: None,
    };
    let r = store.import_observations(&batch, &seeds, &mut |_| {})?;
    summary.push(format!(
        "figures quoted in the source documents: {}",
        ImportReport::Observations(r, Vec::new())
    ));

    let mut reports = Vec::new();
    for (id, year) in [
        ("ostersund-2020", 2018),
        ("ostersund-2020", 2020),
        ("ljusnarsberg-2016", 2020),
        ("lulea-2019", 2022),
    ] {
        let run = run_followup(store, id, year, None, None)?;
        for (format, ext) in [(Format::Html, "html"), (Format::Markdown, "md")] {
            let path = out.join(format!("uppfoljning-{id}-{year}.{ext}"));
            std::fs::write(&path, render_report(&run, format, Lang::Sv, None))
                .with_context(|| format!("could not write {}", path.display()))?;
            reports.push(path);
        }
        // The board's documents: the annual report as tagged PDF and as Word.
        for format in [BoardFormat::Pdf, BoardFormat::Docx] {
            let path = out.join(format!("uppfoljning-{id}-{year}.{}", format.extension()));
            let bytes = render_board_document(&run, format, Lang::Sv, None)
                .map_err(|e| Error::Internal(e.to_string()))?;
            std::fs::write(&path, bytes)
                .with_context(|| format!("could not write {}", path.display()))?;
            reports.push(path);
        }
        if id == "ostersund-2020" && year == 2020 {
            let path = out.join(format!("follow-up-{id}-{year}.en.pdf"));
            let bytes = render_board_document(&run, BoardFormat::Pdf, Lang::En, None)
                .map_err(|e| Error::Internal(e.to_string()))?;
            std::fs::write(&path, bytes)
                .with_context(|| format!("could not write {}", path.display()))?;
            reports.push(path);
            let path = out.join(format!("follow-up-{id}-{year}.en.html"));
            std::fs::write(&path, render_report(&run, Format::Html, Lang::En, None))?;
            reports.push(path);
        }
        let f = &run.followup;
        summary.push(format!(
            "follow-up {id} {year}: {}",
            etablera_followup::Status::ALL
                .iter()
                .map(|s| format!("{} {}", s.label(Lang::Sv).to_lowercase(), f.count(*s)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // The strategy library: two of the strategies' own texts, searchable, their targets
    // read out as drafts.
    let mut conn = crate::Conn::open(&db)?;
    for (file_name, municipality, title, year, text) in LIBRARY {
        let doc = crate::library::NewDocument {
            municipality: municipality.into(),
            title: title.into(),
            year,
            kind: "strategi".into(),
            source: Some(format!("data/library/{file_name}")),
            file_name: file_name.into(),
            bytes: text.as_bytes().to_vec(),
        };
        let id = crate::library::add(&mut conn, &crate::Actor::system(), doc)?;
        // A municipality's adopted strategy is a public document: shown without a login.
        crate::library::publish(&mut conn, &crate::Actor::system(), id, true)?;
        summary.push(format!("strategy library: {title} (entry {id})"));
    }
    Ok(DemoOutput {
        database: db,
        reports,
        summary,
    })
}
