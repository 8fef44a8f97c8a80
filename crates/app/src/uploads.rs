//! Uploads with a preview: a file is read once, its figures kept parsed in the database
//! under a random token, and confirming imports exactly what the preview showed — through
//! any server process of the same database, within [`PREVIEW_MINUTES`].

use crate::conn::{Actor, Conn};
use crate::error::{Context, Error, Result};
use crate::strategies;
use crate::{figures_owner, iso_utc, now_secs, preview_bytes, units_of, ImportReport, Preview};
use etablera_domain::access::Action;
use etablera_domain::{
    Indicator, IndicatorId, ObsStatus, Observation, Period, Sex, Strategy, Units,
};
use etablera_ingest::kolada::ReadWarning;
use etablera_store::{AuditEntry, NewBatch, PendingUploadRow};
use std::collections::{HashMap, HashSet};

pub use etablera_store::{Batch, ImportOutcome};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a preview can be confirmed.
pub const PREVIEW_MINUTES: i64 = 30;

/// Previews kept per user; an older one than these can no longer be confirmed.
const KEEP_PER_USER: i64 = 5;

/// A preview kept for confirmation.
#[derive(Debug, Clone)]
pub struct Previewed {
    /// The secret the confirmation names (only its hash is stored).
    pub token: String,
    pub preview: Preview,
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A strategy's data page: the strategy (if the actor may change its data) and the batches
/// it lists — the municipality's own and those a system administrator imported for no one
/// municipality (Kolada's, the nation's), never another municipality's.
pub fn data_page(conn: &mut Conn, actor: &Actor, id: &str) -> Result<(Strategy, Vec<Batch>)> {
    let strategy = strategies::open(conn, actor, id, Action::Write)?;
    let batches = conn
        .store()
        .batches()?
        .into_iter()
        .filter(|b| {
            b.owner
                .as_deref()
                .is_none_or(|o| o == strategy.owner.as_str())
        })
        .collect();
    Ok((strategy, batches))
}

/// What a preview shows: the strategy's page and either the kept preview with the units and
/// indicators it names, or the file's problems (nothing kept).
#[derive(Debug)]
pub struct PreviewPage {
    pub strategy: Strategy,
    pub batches: Vec<Batch>,
    pub outcome: std::result::Result<Shown, Vec<String>>,
}

/// A kept preview with what it takes to show it.
#[derive(Debug)]
pub struct Shown {
    pub previewed: Previewed,
    pub units: Units,
    pub indicators: HashMap<IndicatorId, Indicator>,
}

/// Reads an upload to a strategy whose data the actor may change and keeps its figures for
/// confirmation. Bad rows come back as messages naming their place; nothing is kept then.
pub fn preview_upload(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    name: &str,
    bytes: &[u8],
) -> Result<PreviewPage> {
    let (strategy, batches) = data_page(conn, actor, id)?;
    let who = actor.principal().ok_or(Error::Unauthorized)?;
    let store = conn.store();
    let preview = match preview_bytes(store, who, name, bytes) {
        Ok(p) => p,
        Err(errs) => {
            return Ok(PreviewPage {
                strategy,
                batches,
                outcome: Err(errs),
            })
        }
    };
    let token = new_token();
    let now = now_secs();
    store.put_pending_upload(
        &PendingUploadRow {
            token_hash: token_hash(&token),
            user_id: who.user_id,
            strategy_id: id.to_string(),
            unit: strategy.owner.clone(),
            file_name: name.to_string(),
            kind: preview.kind.to_string(),
            // The same hash an import of the file would record, so a file confirmed twice
            // (or imported on the command line too) is one batch.
            content_sha256: crate::batch_hash(Some(&strategy.owner), bytes),
            observations: serde_json::to_string(&preview.observations)?,
            warnings: serde_json::to_string(&preview.warnings)?,
            created_at: iso_utc(now),
            expires_at: iso_utc(now + PREVIEW_MINUTES * 60),
        },
        &iso_utc(now),
        KEEP_PER_USER,
    )?;
    let units = units_of(store)?;
    // The indicators the file names, each read by id (not the whole catalogue).
    let mut indicators = HashMap::new();
    for o in &preview.observations {
        if !indicators.contains_key(&o.indicator) {
            if let Some(i) = store.indicator(&o.indicator)? {
                indicators.insert(o.indicator.clone(), i);
            }
        }
    }
    Ok(PreviewPage {
        strategy,
        batches,
        outcome: Ok(Shown {
            previewed: Previewed { token, preview },
            units,
            indicators,
        }),
    })
}

/// Imports the figures the actor previewed under `token` for strategy `id`, as one batch
/// owned as an import of the same file would be, and records it in the audit log. A token
/// is good for one confirmation; an expired or used one is refused in the actor's language.
pub fn confirm_upload(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    token: &str,
) -> Result<ImportReport> {
    strategies::check(conn, actor, id, Action::Write)?;
    let who = actor.principal().ok_or(Error::Unauthorized)?;
    let store = conn.store();
    let now = iso_utc(now_secs());
    let Some(row) = store.take_pending_upload(&token_hash(token), who.user_id, id, &now)? else {
        return Err(Error::Input(
            actor
                .t(
                    "Förhandsvisningen har gått ut eller är redan sparad. Ladda upp filen igen.",
                    "The preview has expired or was already stored. Upload the file again.",
                )
                .into(),
        ));
    };
    let observations: Vec<Observation> = serde_json::from_str(&row.observations)
        .with_context(|| format!("{}: the kept preview is unreadable", row.file_name))?;
    let warnings: Vec<ReadWarning> = serde_json::from_str(&row.warnings)
        .with_context(|| format!("{}: the kept preview is unreadable", row.file_name))?;
    let units = units_of(store)?;
    let owner = figures_owner(who, &observations, &units).map_err(Error::Input)?;
    let audit = AuditEntry::new(
        &now,
        actor.user_id(),
        "data.import",
        &format!("file:{}", row.file_name),
        Some(&row.unit),
    )
    .change(None, Some(warning_lines(&warnings)));
    let batch = NewBatch {
        source: row.kind.clone(),
        file_name: Some(row.file_name.clone()),
        content_sha256: row.content_sha256.clone(),
        imported_at: now.clone(),
        owner,
        audit: Some(audit),
    };
    let outcome = store
        .import_observations(&batch, &observations, &mut |_| {})
        .with_context(|| format!("{}: the import was not stored", row.file_name))?;
    Ok(ImportReport::Observations(outcome, warnings))
}

/// One value entered by hand for one of the strategy's indicators, for the strategy's
/// municipality.
#[derive(Debug, Clone)]
pub struct ManualEntry {
    pub indicator: IndicatorId,
    pub period: Period,
    pub sex: Sex,
    pub value: Option<f64>,
    pub status: ObsStatus,
}

/// Stores a value entered by hand as a batch of its own (the same value entered again
/// changes nothing), with an audit entry.
pub fn enter_value(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    e: &ManualEntry,
) -> Result<ImportReport> {
    let strategy = strategies::open(conn, actor, id, Action::Write)?;
    let who = actor.principal().ok_or(Error::Unauthorized)?;
    if !strategy.indicators().contains(&e.indicator) {
        return Err(Error::Fields(vec![(
            "indicator".into(),
            format!(
                "{} `{}`",
                actor.t(
                    "Indikatorn hör inte till strategin:",
                    "The indicator is not one of the strategy's:"
                ),
                e.indicator
            ),
        )]));
    }
    let obs = Observation::new(
        e.indicator.clone(),
        strategy.owner.clone(),
        e.period,
        e.sex,
        e.value,
        e.status,
    )
    .map_err(|x| Error::Fields(vec![("value".into(), x.to_string())]))?;
    let store = conn.store();
    if !etablera_domain::access::may_write_figures(who, &strategy.owner) {
        return Err(Error::Forbidden);
    }
    let now = crate::now_utc();
    let key = format!("{}:{}:{}", e.indicator, e.period, e.sex.code());
    let shown = format!(
        "{} {}",
        e.value.map(|v| v.to_string()).unwrap_or_default(),
        e.status.as_str()
    );
    let batch = NewBatch {
        source: "manual".into(),
        file_name: Some(actor.t("manuell inmatning", "manual entry").into()),
        content_sha256: etablera_ingest::sha256_hex(&[
            key.as_bytes(),
            shown.as_bytes(),
            now.as_bytes(),
        ]),
        imported_at: now.clone(),
        owner: Some(strategy.owner.clone()),
        audit: Some(
            AuditEntry::new(
                &now,
                actor.user_id(),
                "data.manual",
                &key,
                Some(&strategy.owner),
            )
            .change(None, Some(shown.clone())),
        ),
    };
    let outcome = store.import_observations(&batch, &[obs], &mut |_| {})?;
    Ok(ImportReport::Observations(outcome, Vec::new()))
}

/// One figure as a machine client sends it, before it is read.
#[derive(Debug, Clone)]
pub struct FigureIn {
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub sex: Option<String>,
    pub value: Option<f64>,
    pub status: Option<String>,
}

/// Stores figures sent by a machine client as one batch: each must name a known indicator
/// and a unit the actor may write figures for. A problem names its place (`[3].period`).
pub fn store_figures(conn: &mut Conn, actor: &Actor, rows: &[FigureIn]) -> Result<ImportOutcome> {
    conn.act_as(actor)?;
    let who = actor.principal().ok_or(Error::Unauthorized)?;
    if rows.is_empty() || rows.len() > 100_000 {
        return Err(Error::input("send 1 to 100,000 observations"));
    }
    let store = conn.store();
    let known: HashSet<IndicatorId> = store.indicators()?.into_iter().map(|i| i.id).collect();
    let units = units_of(store)?;
    let mut obs = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let at = |f: &str, m: String| Error::Input(format!("[{i}].{f}: {m}"));
        let ind = IndicatorId::parse(&r.indicator).map_err(|e| at("indicator", e.to_string()))?;
        if !known.contains(&ind) {
            return Err(at("indicator", format!("unknown indicator `{ind}`")));
        }
        let unit = units
            .get(&r.unit)
            .ok_or_else(|| at("unit", format!("unknown unit `{}`", r.unit)))?
            .code
            .clone();
        if !etablera_domain::access::may_write_figures(who, &unit) {
            return Err(Error::Forbidden);
        }
        let period = Period::parse(&r.period).map_err(|e| at("period", e.to_string()))?;
        let sex =
            Sex::parse(r.sex.as_deref().unwrap_or("T")).map_err(|e| at("sex", e.to_string()))?;
        let status = match r.status.as_deref() {
            Some(st) => ObsStatus::parse(st)
                .ok_or_else(|| at("status", format!("unknown status `{st}`")))?,
            None if r.value.is_some() => ObsStatus::Final,
            None => ObsStatus::Missing,
        };
        obs.push(
            Observation::new(ind, unit, period, sex, r.value, status)
                .map_err(|e| at("value", e.to_string()))?,
        );
    }
    let owner = figures_owner(who, &obs, &units).map_err(|_| Error::Forbidden)?;
    let now = crate::now_utc();
    let batch = NewBatch {
        source: "api".into(),
        file_name: None,
        content_sha256: token_hash(&format!("{obs:?}{now}{}", new_token())),
        imported_at: now.clone(),
        audit: Some(AuditEntry::new(
            &now,
            actor.user_id(),
            "data.api",
            "observations",
            owner.as_ref(),
        )),
        owner,
    };
    Ok(store.import_observations(&batch, &obs, &mut |_| {})?)
}

/// A reader's warnings as lines for an audit entry.
pub(crate) fn warning_lines(warnings: &[ReadWarning]) -> String {
    warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect::<Vec<_>>()
        .join("\n")
}
