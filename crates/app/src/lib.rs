//! What Etablera does: every use case of the product, and the only caller of the store.
//!
//! The web application and the command line hold a [`Conn`] (an open database they cannot
//! reach into) and call the operations of this crate with the acting principal as an
//! [`Actor`] and typed input. Each operation checks access with the domain's one rule,
//! validates, writes and records its audit entry, and returns a typed [`Error`]: input
//! errors name their place, internal errors carry their causes for the log only. By area:
//! [`strategies`] (access to a strategy, targets, goals, activities, the yearly analysis),
//! [`uploads`] (figures with a preview kept in the database, manual entry, the API's
//! figures), [`cases`] (the establishment register), [`accounts`], [`sessions`],
//! [`tokens`], [`audit`], [`catalogue`] (units, indicators, published figures), and
//! [`operator`] (the command line's commands on the server).
//!
//! ```
//! use etablera_app::{operator, strategies, Actor, Conn, Error};
//! use etablera_domain::{access::Action, Lang};
//!
//! let dir = std::env::temp_dir().join(format!("etablera-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let mut conn = Conn::open_migrated(dir.join("doc.db").to_str().unwrap())?;
//! operator::init(&mut conn)?; // the units and Kolada's catalogue
//! let (_, src) = etablera_app::demo::STRATEGIES[0];
//! std::fs::write(dir.join("strategi.toml"), src).unwrap();
//! let s = operator::load_strategy(&mut conn, &dir.join("strategi.toml"))?;
//!
//! // An anonymous reader does not see an unpublished strategy at all ...
//! let anonymous = Actor::new(None, Lang::Sv);
//! let r = strategies::open(&mut conn, &anonymous, &s.id, Action::ReadPublic);
//! assert!(matches!(r, Err(Error::NotFound)));
//! // ... and reads its public pages once it is published; writing needs a login.
//! operator::publish(&mut conn, &s.id, true)?;
//! assert!(strategies::open(&mut conn, &anonymous, &s.id, Action::ReadPublic).is_ok());
//! let r = strategies::open(&mut conn, &anonymous, &s.id, Action::Write);
//! assert!(matches!(r, Err(Error::Unauthorized)));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), Error>(())
//! ```

pub mod accounts;
pub mod audit;
pub mod cases;
pub mod catalogue;
pub mod comparison;
mod conn;
pub mod drafts;
pub use conn::{Actor, Conn};
pub mod demo;
pub mod error;
pub mod health;
pub mod identity;
pub mod library;
pub mod mail;
pub mod matching;
pub mod matching_demo;
pub mod operator;
pub mod register;
pub mod register_demo;
pub mod rounds;
pub mod sessions;
pub mod strategies;
pub mod table;
pub mod tokens;
pub mod uploads;

pub use crate::error::{Context, Error, Result};
use etablera_domain::access::{may_write_figures, Principal};
use etablera_domain::{
    Indicator, IndicatorId, Lang, Strategy, UnitCode, UnitGroup, UnitKind, Units,
};
use etablera_followup::{follow_up, Dataset, FollowUp, Options};
use etablera_ingest::{detect, kolada, strategy_file, FileKind, Known};
use etablera_report::{BatchRef, ReportInput};
use etablera_store::{AuditEntry, ImportOutcome, NewBatch, ObsQuery, Store};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Kolada's KPI catalogue as shipped (`data/kolada/kpi.json`, CC BY 4.0, "Källa: Kolada").
pub const KOLADA_KPI_JSON: &[u8] = include_bytes!("../../../data/kolada/kpi.json");

/// The default SQLite file.
pub const DEFAULT_DATABASE: &str = "etablera.db";

/// Seconds since 1970-01-01 UTC, now.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A time as `YYYY-MM-DDTHH:MM:SSZ`, the form stored everywhere; such strings sort in time order.
pub fn iso_utc(secs: i64) -> String {
    let date = etablera_domain::Date::from_unix_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// Reads a time written by [`iso_utc`] back into seconds since 1970.
///
/// ```
/// assert_eq!(etablera_app::parse_iso_utc(&etablera_app::iso_utc(1_700_000_123)), Some(1_700_000_123));
/// assert_eq!(etablera_app::parse_iso_utc("2026-13-01T00:00:00Z"), None);
/// ```
pub fn parse_iso_utc(s: &str) -> Option<i64> {
    etablera_domain::date::parse_utc(s)
}

/// Checks an as-of time: a date (`YYYY-MM-DD`, the whole day) or a time
/// (`YYYY-MM-DDTHH:MM:SSZ`, UTC). The error is a Swedish sentence without the option's name.
pub fn check_as_of(s: &str) -> std::result::Result<&str, String> {
    if etablera_domain::Date::parse(s).is_ok() || parse_iso_utc(s).is_some() {
        Ok(s)
    } else {
        Err(format!(
            "«{}» är varken ett datum (ÅÅÅÅ-MM-DD) eller en tidpunkt i UTC (ÅÅÅÅ-MM-DDTTT:MM:SSZ)",
            s.chars().take(40).collect::<String>()
        ))
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    iso_utc(now_secs())
}

/// What `init` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitReport {
    pub units: usize,
    pub indicators_changed: usize,
    pub indicators_total: usize,
}

/// Creates or updates the schema and the reference data: units, county groups, Kolada's
/// catalogue and the curated integration set. Safe to run again.
pub fn init(store: &mut dyn Store) -> Result<InitReport> {
    store.migrate().context("could not migrate the database")?;
    let units = Units::sweden();
    let n_units = store.upsert_units(units.all())?;
    for c in units.all().iter().filter(|u| u.kind == UnitKind::Region) {
        let county = c.county.clone().unwrap_or_default();
        let g = UnitGroup {
            code: UnitCode::parse(&format!("GL{county}")).map_err(Error::internal)?,
            name: format!("Kommunerna i {}", c.name),
            members: units.county_members(&county),
        };
        store.save_group(&g)?;
    }
    let kolada = kolada::parse_kpis("data/kolada/kpi.json", KOLADA_KPI_JSON)?.indicators;
    let by_id: HashMap<IndicatorId, Indicator> =
        kolada.iter().map(|i| (i.id.clone(), i.clone())).collect();
    let curated = etablera_ingest::catalogue::curated(&by_id)?;
    let curated_ids: HashSet<&IndicatorId> = curated.iter().map(|i| &i.id).collect();
    let mut all: Vec<Indicator> = kolada
        .iter()
        .filter(|i| !curated_ids.contains(&i.id))
        .cloned()
        .collect();
    all.extend(curated.iter().cloned());
    let changed = store.upsert_indicators(&all)?;
    store.add_library_listings(&library::shipped_listings()?)?;
    Ok(InitReport {
        units: n_units,
        indicators_changed: changed,
        indicators_total: all.len(),
    })
}

/// The units the store knows, groups included.
pub fn units_of(store: &mut dyn Store) -> Result<Units> {
    let mut units = Units::sweden();
    for g in store
        .units()?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Group)
    {
        units.add(g);
    }
    Ok(units)
}

fn indicator_set(store: &mut dyn Store) -> Result<HashSet<IndicatorId>> {
    Ok(store.indicators()?.into_iter().map(|i| i.id).collect())
}

/// What an import did, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportReport {
    /// What was stored, and what was read but not as asked (Kolada's unknown status texts,
    /// skipped `ou` rows, retracted values).
    Observations(ImportOutcome, Vec<kolada::ReadWarning>),
    Indicators {
        read: usize,
        changed: usize,
    },
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportReport::Observations(outcome, warnings) => {
                write!(f, "{outcome}")?;
                for w in warnings {
                    write!(f, "\nwarning: {w}")?;
                }
                Ok(())
            }
            ImportReport::Indicators { read, changed } => write!(
                f,
                "indicator metadata: {read} read, {changed} new or changed"
            ),
        }
    }
}

/// Who owns a set of figures, if `who` may store them all (see
/// [`etablera_domain::access::may_write_figures`]): the one municipality they belong to, or
/// `None` when they span several units or none is a municipality. The error lists every
/// unit `who` may not write for, by name and code.
pub fn figures_owner(
    who: &Principal,
    obs: &[etablera_domain::Observation],
    units: &Units,
) -> std::result::Result<Option<UnitCode>, String> {
    let mut all: BTreeSet<&UnitCode> = BTreeSet::new();
    for o in obs {
        all.insert(&o.unit);
    }
    let refused: Vec<String> = all
        .iter()
        .filter(|u| !may_write_figures(who, u))
        .map(|u| match units.get(u.as_str()) {
            Some(x) => format!("{} ({u})", x.name),
            None => u.to_string(),
        })
        .collect();
    if !refused.is_empty() {
        return Err(format!(
            "figures may be stored only for your own municipality; not for {}",
            refused.join(", ")
        ));
    }
    Ok(match all.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if one.is_municipality() => Some((*one).clone()),
        _ => None,
    })
}

/// The content hash that identifies a batch: a municipality's upload is its own, so the
/// same file from another municipality is not "already imported".
pub(crate) fn batch_hash(owner: Option<&UnitCode>, bytes: &[u8]) -> String {
    match owner {
        Some(u) => etablera_ingest::sha256_hex(&[b"owner:", u.as_str().as_bytes(), b"\n", bytes]),
        None => etablera_ingest::sha256_hex(&[bytes]),
    }
}

/// Imports one file (Kolada JSON data or metadata, long CSV, wide xlsx) as one batch, as
/// the operator at the command line ([`Principal::system`]).
pub fn import_file(
    store: &mut dyn Store,
    path: &Path,
    source: Option<&str>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{name}: could not read the file"))?;
    import_bytes(store, &Principal::system(), &name, &bytes, source, progress)
}

/// The user id for the audit log: none for the operator (`Principal::system`).
fn actor_id(who: &Principal) -> Option<i64> {
    Some(who.user_id).filter(|id| *id != 0)
}

/// Imports file contents as `who`; `name` is used in messages and the batch record. Every
/// figure must be one `who` may store ([`figures_owner`]); otherwise nothing is stored.
/// Indicator metadata only a system administrator imports.
pub fn import_bytes(
    store: &mut dyn Store,
    who: &Principal,
    name: &str,
    bytes: &[u8],
    source: Option<&str>,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport> {
    let kind = detect(name, bytes).ok_or_else(|| {
        input!("{name}: unknown kind of file; expected .json (Kolada), .csv or .xlsx")
    })?;
    if kind == FileKind::KoladaKpi {
        if !who.system_admin {
            bail!("{name}: indicator metadata is imported by a system administrator");
        }
        let mut page = kolada::parse_kpis(name, bytes)?;
        // Kolada has no notion of which direction is better, nor of SKR's integration
        // areas: keep what the curated set (or a user) stored for those.
        let stored: HashMap<IndicatorId, Indicator> = store
            .indicators()?
            .into_iter()
            .map(|i| (i.id.clone(), i))
            .collect();
        for i in &mut page.indicators {
            if let Some(old) = stored.get(&i.id) {
                i.direction = old.direction;
                if old
                    .area
                    .as_deref()
                    .is_some_and(|a| etablera_ingest::catalogue::SKR_AREAS.contains(&a))
                {
                    i.area = old.area.clone();
                }
            }
        }
        let changed = store.upsert_indicators(&page.indicators)?;
        let report = ImportReport::Indicators {
            read: page.indicators.len(),
            changed,
        };
        store.append_audit(
            &AuditEntry::new(
                &now_utc(),
                actor_id(who),
                "data.import",
                &format!("file:{name}"),
                None,
            )
            .change(None, Some(report.to_string())),
        )?;
        return Ok(report);
    }
    let units = units_of(store)?;
    let known_ind = indicator_set(store)?;
    let known = Known {
        units: &units,
        indicators: Some(&known_ind),
    };
    // The import's audit entry goes into the import's own transaction.
    let batch = |src: &str, owner: Option<UnitCode>, warnings: &[kolada::ReadWarning]| {
        let now = now_utc();
        let audit = AuditEntry::new(
            &now,
            actor_id(who),
            "data.import",
            &format!("file:{name}"),
            owner.as_ref(),
        )
        .change(None, Some(uploads::warning_lines(warnings)));
        NewBatch {
            source: source.unwrap_or(src).to_string(),
            file_name: Some(
                Path::new(name)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| name.to_string()),
            ),
            content_sha256: batch_hash(owner.as_ref(), bytes),
            imported_at: now,
            owner,
            audit: Some(audit),
        }
    };
    if kind == FileKind::KoladaData && who.system_admin {
        // Read and store at once: the reader hands over chunks while the store writes the
        // previous one, so a large file costs about the longer of the two, not their sum.
        let batch = batch("kolada", None, &[]);
        let (tx, rx) = std::sync::mpsc::sync_channel::<
            std::result::Result<Vec<etablera_domain::Observation>, String>,
        >(4);
        let (read, stored) = std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                let sent = kolada::parse_data_chunked(name, bytes, &known, 50_000, |chunk| {
                    // A closed channel means the store stopped (already imported, or an
                    // error); the store's answer is what counts then.
                    let _ = tx.send(Ok(chunk));
                    Ok(())
                });
                if let Err(e) = &sent {
                    let _ = tx.send(Err(e.to_string()));
                }
                sent
            });
            let stored = store.import_stream(&batch, &mut rx.into_iter(), progress);
            (reader.join(), stored)
        });
        let read = read.map_err(|_| input!("{name}: the reader stopped unexpectedly"))?;
        let meta = read?;
        let outcome = stored.with_context(|| format!("{name}: the import was not stored"))?;
        return Ok(ImportReport::Observations(outcome, meta.warnings));
    }
    let mut warnings = Vec::new();
    let (obs, src) = match kind {
        FileKind::Csv => (
            etablera_ingest::csv_long::parse(name, bytes, &known)?,
            "csv",
        ),
        FileKind::Xlsx => (
            etablera_ingest::xlsx_wide::parse(name, bytes, &known)?,
            "xlsx",
        ),
        FileKind::KoladaData => {
            let page = kolada::parse_data(name, bytes, &known)?;
            warnings = page.warnings;
            (page.observations, "kolada")
        }
        FileKind::KoladaKpi => unreachable!("handled above"),
    };
    let owner = figures_owner(who, &obs, &units).map_err(|e| input!("{name}: {e}"))?;
    let outcome = store
        .import_observations(&batch(src, owner, &warnings), &obs, progress)
        .with_context(|| format!("{name}: the import was not stored"))?;
    Ok(ImportReport::Observations(outcome, warnings))
}

/// What an upload would import, read but not stored.
#[derive(Debug, Clone)]
pub struct Preview {
    /// `kolada`, `csv` or `xlsx`.
    pub kind: &'static str,
    pub observations: Vec<etablera_domain::Observation>,
    /// What was read but not as asked (see [`ImportReport::Observations`]).
    pub warnings: Vec<kolada::ReadWarning>,
}

/// Reads an uploaded file as an import would, without storing anything. Every bad row is
/// reported (up to 200), each message naming its place.
pub fn preview_bytes(
    store: &mut dyn Store,
    who: &Principal,
    name: &str,
    bytes: &[u8],
) -> std::result::Result<Preview, Vec<String>> {
    let kind = detect(name, bytes).ok_or_else(|| {
        vec![format!(
            "{name}: unknown kind of file; expected .json (Kolada), .csv or .xlsx"
        )]
    })?;
    let units = units_of(store).map_err(|e| vec![e.to_string()])?;
    let known_ind = indicator_set(store).map_err(|e| vec![e.to_string()])?;
    let known = Known {
        units: &units,
        indicators: Some(&known_ind),
    };
    let msgs = |errs: Vec<etablera_ingest::IngestError>| {
        errs.into_iter().map(|e| e.to_string()).collect::<Vec<_>>()
    };
    let preview = match kind {
        FileKind::KoladaData => kolada::parse_data(name, bytes, &known)
            .map(|p| Preview { kind: "kolada", observations: p.observations, warnings: p.warnings })
            .map_err(|e| vec![e.to_string()]),
        FileKind::Csv => etablera_ingest::csv_long::parse_report(name, bytes, &known, 200).map(|o| Preview { kind: "csv", observations: o, warnings: Vec::new() }).map_err(msgs),
        FileKind::Xlsx => etablera_ingest::xlsx_wide::parse_report(name, bytes, &known, 200).map(|o| Preview { kind: "xlsx", observations: o, warnings: Vec::new() }).map_err(msgs),
        FileKind::KoladaKpi => Err(vec![format!("{name}: this is indicator metadata, not figures; the catalogue is updated with `etablera import` on the server")]),
    }?;
    figures_owner(who, &preview.observations, &units).map_err(|e| vec![format!("{name}: {e}")])?;
    Ok(preview)
}

/// Fetches from Kolada (or a mirror) over HTTP, following the pages, and imports it as one batch.
pub fn import_url(
    store: &mut dyn Store,
    url: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<ImportReport> {
    let units = units_of(store)?;
    let known_ind = indicator_set(store)?;
    let known = Known {
        units: &units,
        indicators: Some(&known_ind),
    };
    let parsed = etablera_ingest::http::fetch_data(url, &known, progress)?;
    let now = now_utc();
    let batch = NewBatch {
        source: "kolada".into(),
        file_name: Some(url.to_string()),
        content_sha256: parsed.sha256,
        imported_at: now.clone(),
        owner: None,
        audit: Some(
            AuditEntry::new(&now, None, "data.import", &format!("url:{url}"), None)
                .change(None, Some(uploads::warning_lines(&parsed.warnings))),
        ),
    };
    let outcome = store.import_observations(&batch, &parsed.observations, &mut |_| {})?;
    Ok(ImportReport::Observations(outcome, parsed.warnings))
}

/// Loads and validates a strategy file and stores it.
pub fn load_strategy(store: &mut dyn Store, path: &Path) -> Result<Strategy> {
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .with_context(|| format!("{name}: could not read the file"))?;
    load_strategy_str(store, &name, &src)
}

pub fn load_strategy_str(store: &mut dyn Store, name: &str, src: &str) -> Result<Strategy> {
    let units = units_of(store)?;
    let known = indicator_set(store)?;
    let s = strategy_file::load(name, src, &units, Some(&known))?;
    store.save_strategy(&s, &now_utc())?;
    Ok(s)
}

pub fn get_strategy(store: &mut dyn Store, id: &str) -> Result<Strategy> {
    store.strategy(id)?.ok_or_else(|| {
        let known = store
            .strategies()
            .map(|v| v.into_iter().map(|s| s.id).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        input!(
            "no strategy `{id}`; stored strategies: {}",
            if known.is_empty() {
                "none".into()
            } else {
                known
            }
        )
    })
}

/// Everything a follow-up run produced, with what the report needs.
#[derive(Debug, Clone)]
pub struct FollowUpRun {
    pub strategy: Strategy,
    pub followup: FollowUp,
    pub indicators: HashMap<IndicatorId, Indicator>,
    pub batches: Vec<BatchRef>,
    pub fictitious: BTreeSet<IndicatorId>,
    pub owner_name: String,
    /// The strategists' analysis of each target for the run's year (target id → text).
    pub analyses: HashMap<String, String>,
    /// For a run as of a time: the version of the strategy it judges against.
    pub version: Option<etablera_store::StrategyAsOf>,
}

/// Reads what a strategy needs from the store and runs the engine.
pub fn run_followup(
    store: &mut dyn Store,
    strategy_id: &str,
    year: i32,
    group: Option<&str>,
    as_of: Option<&str>,
) -> Result<FollowUpRun> {
    run_followup_with(store, strategy_id, year, group, as_of, None)
}

/// As [`run_followup`], for women or men: every target whose series is the total of an
/// indicator divided by sex follows that sex instead.
pub fn run_followup_with(
    store: &mut dyn Store,
    strategy_id: &str,
    year: i32,
    group: Option<&str>,
    as_of: Option<&str>,
    sex: Option<etablera_domain::Sex>,
) -> Result<FollowUpRun> {
    let mut strategy = get_strategy(store, strategy_id)?;
    // As of a time, the strategy as it stood then (finding 14 of the hardening issue).
    let version = match as_of {
        Some(a) => {
            check_as_of(a).map_err(|e| input!("as-of: {e}"))?;
            let v = store
                .strategy_as_of(strategy_id, a)?
                .ok_or_else(|| input!("strategin `{strategy_id}` har ingen sparad version"))?;
            strategy = v.strategy.clone();
            Some(v)
        }
        None => None,
    };
    run_loaded(store, strategy, version, year, group, as_of, sex)
}

/// Runs the engine over a strategy already in hand (stored, as it stood at a time, or made
/// for a comparison): its indicators' observations as of `as_of`, the comparison group.
pub(crate) fn run_loaded(
    store: &mut dyn Store,
    mut strategy: Strategy,
    version: Option<etablera_store::StrategyAsOf>,
    year: i32,
    group: Option<&str>,
    as_of: Option<&str>,
    sex: Option<etablera_domain::Sex>,
) -> Result<FollowUpRun> {
    let indicators: HashMap<IndicatorId, Indicator> = store
        .indicators()?
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();
    if let Some(sex) = sex {
        for t in &mut strategy.targets {
            let divided = indicators
                .get(&t.series.indicator)
                .is_some_and(|i| i.divided_by_sex);
            if divided && t.series.sex == etablera_domain::Sex::Total {
                t.series.sex = sex;
            }
        }
    }
    let ids = strategy.indicators();
    let group = match group {
        Some(code) => Some(
            store
                .groups()?
                .into_iter()
                .find(|g| g.code.as_str() == code)
                .ok_or_else(|| input!("no group `{code}`; see `etablera group list`"))?,
        ),
        None => {
            // The owner's county is the default comparison, as Kolada offers.
            let county = strategy.owner.county().map(|c| format!("GL{c}"));
            store
                .groups()?
                .into_iter()
                .find(|g| Some(g.code.as_str()) == county.as_deref())
        }
    };
    let stored = store.observations(&ObsQuery {
        indicators: ids,
        units: vec![],
        as_of: as_of.map(str::to_string),
    })?;
    let all_batches = store.batches()?;
    let used: HashSet<i64> = stored.iter().map(|s| s.batch_id).collect();
    let demo_batches: HashSet<i64> = all_batches
        .iter()
        .filter(|b| b.source == "demo")
        .map(|b| b.id)
        .collect();
    let fictitious = stored
        .iter()
        .filter(|s| demo_batches.contains(&s.batch_id))
        .map(|s| s.observation.indicator.clone())
        .collect();
    let data = Dataset::from_observations(stored.iter().map(|s| &s.observation));
    let mut opts = Options::for_year(year);
    opts.group = group;
    let followup = follow_up(&strategy, &indicators, &data, &opts);
    let batches = all_batches
        .into_iter()
        .filter(|b| used.contains(&b.id))
        .map(|b| BatchRef {
            id: b.id,
            source: b.source,
            file_name: b.file_name,
            imported_at: b.imported_at,
        })
        .collect();
    let owner_name = Units::sweden()
        .official_name(strategy.owner.as_str())
        .unwrap_or_else(|| strategy.owner.to_string());
    let mut analyses = HashMap::new();
    for t in &strategy.targets {
        if let Some(c) = store.target_comment(&strategy.id, &t.id, year)? {
            if !c.body.trim().is_empty() {
                analyses.insert(t.id.clone(), c.body);
            }
        }
    }
    Ok(FollowUpRun {
        strategy,
        followup,
        indicators,
        batches,
        fictitious,
        owner_name,
        analyses,
        version,
    })
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

/// What a report of a follow-up run is made from.
fn report_input<'a>(run: &'a FollowUpRun, lang: Lang, as_of: Option<&str>) -> ReportInput<'a> {
    ReportInput {
        strategy: &run.strategy,
        owner_name: run.owner_name.clone(),
        followup: &run.followup,
        indicators: &run.indicators,
        batches: run.batches.clone(),
        fictitious: run.fictitious.clone(),
        analyses: &run.analyses,
        made_on: now_utc()[..10].to_string(),
        as_of: as_of.map(str::to_string),
        decision: None,
        strategy_version: run.version.as_ref().map(|v| etablera_report::VersionUsed {
            version: v.version.version,
            saved_at: v.version.saved_at.clone(),
            saved_after: v.saved_after,
        }),
        lang,
    }
}

/// Renders a follow-up run as a report.
pub fn render_report(run: &FollowUpRun, format: Format, lang: Lang, as_of: Option<&str>) -> String {
    let input = report_input(run, lang, as_of);
    match format {
        Format::Html => etablera_report::render_html(&input),
        Format::Markdown => etablera_report::render_markdown(&input),
    }
}

/// The board's document formats of the annual report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardFormat {
    /// Tagged PDF (PDF/UA-1, PDF/A-2a), laid out by `etablera-document` and written by krilla.
    Pdf,
    /// Word (Office Open XML).
    Docx,
}

impl BoardFormat {
    pub fn extension(self) -> &'static str {
        match self {
            BoardFormat::Pdf => "pdf",
            BoardFormat::Docx => "docx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            BoardFormat::Pdf => "application/pdf",
            BoardFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

/// Renders a follow-up run as the board's document: the same content as the HTML report.
pub fn render_board_document(
    run: &FollowUpRun,
    format: BoardFormat,
    lang: Lang,
    as_of: Option<&str>,
) -> Result<Vec<u8>, etablera_document::Error> {
    render_adopted_document(run, format, lang, as_of, None)
}

/// [`render_board_document`] with the board's decision that adopted the follow-up on its
/// cover (the adopted documents of a round).
pub fn render_adopted_document(
    run: &FollowUpRun,
    format: BoardFormat,
    lang: Lang,
    as_of: Option<&str>,
    decision: Option<&str>,
) -> Result<Vec<u8>, etablera_document::Error> {
    let mut input = report_input(run, lang, as_of);
    input.decision = decision.map(str::to_string);
    let report = etablera_report::model::report(&input);
    match format {
        BoardFormat::Pdf => etablera_document::pdf(&report, &input.made_on),
        BoardFormat::Docx => etablera_document::docx::docx(&report),
    }
}

/// A terminal table of a follow-up.
pub fn followup_table(run: &FollowUpRun, lang: Lang) -> String {
    let mut out = String::new();
    let f = &run.followup;
    out.push_str(&format!(
        "{} – {} ({}), {}\n\n",
        run.owner_name, run.strategy.title, run.strategy.id, f.year
    ));
    for r in &f.results {
        let t = run.strategy.targets.iter().find(|t| t.id == r.target_id);
        let unit = run
            .indicators
            .get(&r.indicator)
            .map(|i| i.unit.clone())
            .unwrap_or(etablera_domain::MeasureUnit::Index);
        let observed = r
            .observed
            .map(|o| {
                format!(
                    "{} ({})",
                    etablera_domain::format::value(o.value, &unit, lang),
                    o.period.label(lang)
                )
            })
            .unwrap_or_else(|| "–".into());
        out.push_str(&format!(
            "{} {:<11} {:<32} {}\n    {}\n",
            r.status.icon(),
            r.status.label(lang),
            r.target_id,
            observed,
            t.map(|t| t.text.as_str()).unwrap_or("")
        ));
        out.push_str(&format!("    {}\n\n", r.explanation.get(lang)));
    }
    let counts: Vec<String> = etablera_followup::Status::ALL
        .iter()
        .map(|s| format!("{} {}", s.label(lang), f.count(*s)))
        .collect();
    out.push_str(&counts.join(" · "));
    out.push('\n');
    out
}

/// Checks an address before opening it, so a typo does not silently create a new file
/// in the wrong place for commands that need an initialised database.
pub fn require_initialised(store: &mut dyn Store) -> Result<()> {
    store.migrate()?;
    if store.counts()?.units == 0 {
        bail!("the database has no reference data; run `etablera init` first");
    }
    Ok(())
}
