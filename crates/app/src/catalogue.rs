//! What every reader may look up: the units, the indicator catalogue, published figures;
//! and the public's reports of accessibility problems (DOS-lagen), which only system
//! administrators read.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::strategies;
use etablera_domain::access::{allowed, Action};
use etablera_domain::{
    Indicator, IndicatorId, IndicatorSource, Observation, Unit, UnitCode, Units,
};
use std::collections::HashMap;

pub use etablera_store::{AccessibilityReport, TargetComment, TargetRevision};

/// Every unit: the nation, regions, municipalities and groups.
pub fn units(conn: &mut Conn) -> Result<Vec<Unit>> {
    Ok(conn.store().units()?)
}

/// The units as a lookup by code or name.
pub fn units_by_code(conn: &mut Conn) -> Result<Units> {
    crate::units_of(conn.store())
}

/// The indicators whose id or words match `text` (all for an empty text), best first.
pub fn search_indicators(conn: &mut Conn, text: &str) -> Result<Vec<Indicator>> {
    let all = conn.store().indicators()?;
    Ok(etablera_store::search_indicators(&all, text, usize::MAX)
        .into_iter()
        .cloned()
        .collect())
}

/// The stored figures of an indicator for a unit (as of a date, when given). Kolada's
/// figures and those of regions and the nation are public; a municipality's own figures
/// are its members'.
pub fn observations(
    conn: &mut Conn,
    actor: &Actor,
    indicator: &IndicatorId,
    unit: &UnitCode,
    as_of: Option<String>,
) -> Result<Vec<Observation>> {
    conn.act_as(actor)?;
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    let store = conn.store();
    let ind = store.indicator(indicator)?.ok_or(Error::NotFound)?;
    if store.units()?.iter().all(|u| &u.code != unit) {
        return Err(Error::NotFound);
    }
    let public = ind.source == IndicatorSource::Kolada || !unit.is_municipality();
    if !public && !allowed(Some(p), Action::Read, unit, false) {
        return Err(Error::Forbidden);
    }
    let stored = store.observations(&etablera_store::ObsQuery {
        indicators: vec![indicator.clone()],
        units: vec![unit.clone()],
        as_of,
    })?;
    Ok(stored.into_iter().map(|x| x.observation).collect())
}

/// The strategies the actor may read, each with its municipality's official name.
pub fn strategies_with_owner(
    conn: &mut Conn,
    actor: &Actor,
) -> Result<Vec<(strategies::StrategySummary, String)>> {
    let list = strategies::list(conn, actor)?;
    let units = crate::units_of(conn.store())?;
    Ok(list
        .into_iter()
        .map(|x| {
            let name = units
                .official_name(x.owner.as_str())
                .unwrap_or_else(|| x.owner.to_string());
            (x, name)
        })
        .collect())
}

/// What a target's page shows besides its follow-up: the analysis for the year, the
/// revisions with their authors' names (for members of the municipality only), and the
/// comparison groups to choose from.
#[derive(Debug)]
pub struct TargetExtras {
    pub comment: Option<TargetComment>,
    pub revisions: Vec<TargetRevision>,
    pub names: HashMap<i64, String>,
    pub groups: Vec<(String, String)>,
}

pub fn target_extras(
    conn: &mut Conn,
    actor: &Actor,
    strategy: &str,
    target: &str,
    year: i32,
) -> Result<TargetExtras> {
    let allowed_to_read = strategies::check(conn, actor, strategy, Action::ReadPublic)?;
    let id = &allowed_to_read.summary.id;
    let is_member = allowed(
        actor.principal(),
        Action::Read,
        &allowed_to_read.summary.owner,
        false,
    );
    let store = conn.store();
    let comment = store.target_comment(id, target, year)?;
    let (revisions, names) = if is_member {
        let names = store
            .users()?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        (store.target_revisions(id, target)?, names)
    } else {
        (Vec::new(), HashMap::new())
    };
    let groups = store
        .groups()?
        .into_iter()
        .map(|g| (g.code.to_string(), g.name))
        .collect();
    Ok(TargetExtras {
        comment,
        revisions,
        names,
        groups,
    })
}

/// Stores a visitor's report of an accessibility problem (anyone may send one).
pub fn report_accessibility(
    conn: &mut Conn,
    actor: &Actor,
    page: Option<String>,
    message: String,
    contact: Option<String>,
) -> Result<i64> {
    conn.act_as(actor)?;
    let clip = |s: Option<String>, n: usize| {
        s.map(|x| x.trim().chars().take(n).collect::<String>())
            .filter(|x| !x.is_empty())
    };
    Ok(conn
        .store()
        .add_accessibility_report(&AccessibilityReport {
            id: 0,
            at: crate::now_utc(),
            page: clip(page, 300),
            message,
            contact: clip(contact, 200),
            user_id: actor.user_id(),
        })?)
}

/// The newest reports of accessibility problems, for system administrators.
pub fn accessibility_reports(conn: &mut Conn, actor: &Actor) -> Result<Vec<AccessibilityReport>> {
    conn.act_as(actor)?;
    match actor.principal() {
        None => Err(Error::Unauthorized),
        Some(p) if !p.system_admin => Err(Error::Forbidden),
        Some(_) => Ok(conn.store().accessibility_reports(200)?),
    }
}

/// What an indicator's page shows: the indicator, the targets on it in the strategies the
/// actor may read, and its figures for the nation, the actor's own municipalities and the
/// municipalities of those strategies (a municipality's own figures only for its members;
/// Kolada's and the nation's are public).
#[derive(Debug)]
pub struct IndicatorPage {
    pub indicator: Indicator,
    /// (strategy id, strategy title, its municipality's name, target id, target text).
    pub targets: Vec<(String, String, String, String, String)>,
    /// (unit, its name, the figures for both sexes together, by period).
    pub series: Vec<(UnitCode, String, Vec<Observation>)>,
}

/// The page of one indicator; `NotFound` for an unknown id. Read by anyone: the public
/// sees the published strategies' targets and the public figures.
pub fn indicator_page(conn: &mut Conn, actor: &Actor, id: &str) -> Result<IndicatorPage> {
    conn.act_as(actor)?;
    let id = IndicatorId::parse(id.trim()).map_err(|_| Error::NotFound)?;
    let indicator = conn.store().indicator(&id)?.ok_or(Error::NotFound)?;
    let units = crate::units_of(conn.store())?;
    let name = |u: &UnitCode| {
        units
            .official_name(u.as_str())
            .unwrap_or_else(|| u.to_string())
    };
    let mut targets = Vec::new();
    let mut wanted: Vec<UnitCode> = vec![UnitCode::nation()];
    if let Some(p) = actor.principal() {
        wanted.extend(p.memberships.iter().map(|(u, _)| u.clone()));
    }
    for s in strategies::list(conn, actor)? {
        let Some(strategy) = conn.store().strategy(&s.id)? else {
            continue;
        };
        for t in strategy.targets.iter().filter(|t| t.series.indicator == id) {
            targets.push((
                strategy.id.clone(),
                strategy.title.clone(),
                name(&strategy.owner),
                t.id.clone(),
                t.text.clone(),
            ));
            wanted.push(t.series.unit_or(&strategy.owner).clone());
        }
    }
    wanted.sort();
    wanted.dedup();
    let principal = actor.principal();
    let public = indicator.source == IndicatorSource::Kolada;
    wanted.retain(|u| {
        public
            || !u.is_municipality()
            || principal.is_some_and(|p| allowed(Some(p), Action::Read, u, false))
    });
    let stored = conn.store().observations(&etablera_store::ObsQuery {
        indicators: vec![id.clone()],
        units: wanted.clone(),
        as_of: None,
    })?;
    let mut series: Vec<(UnitCode, String, Vec<Observation>)> = wanted
        .into_iter()
        .map(|u| {
            let mut obs: Vec<Observation> = stored
                .iter()
                .map(|x| &x.observation)
                .filter(|o| o.unit == u && o.sex == etablera_domain::Sex::Total)
                .cloned()
                .collect();
            obs.sort_by_key(|o| o.period);
            let n = name(&u);
            (u, n, obs)
        })
        .filter(|(_, _, obs)| !obs.is_empty())
        .collect();
    // The nation first, then by name.
    series.sort_by(|a, b| {
        (a.0 != UnitCode::nation())
            .cmp(&(b.0 != UnitCode::nation()))
            .then(a.1.cmp(&b.1))
    });
    Ok(IndicatorPage {
        indicator,
        targets,
        series,
    })
}
