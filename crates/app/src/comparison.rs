//! Other municipalities' targets for one indicator: every strategy in Etablera the actor may
//! read with a target on the indicator, and every library document whose text states a
//! target the indicator may measure (one of the three KPIs suggested for it) — each with its
//! level and year, the municipality's latest value and its status under its own target.
//!
//! Strategy targets are judged by their strategy's own follow-up (the status its pages
//! show). Targets read out of texts are drafts: the ones Etablera's algebra can state from
//! the text alone (`etablera_library::targets::kind`) are judged by the same engine over the
//! municipality's series; the others are listed without a status.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::library;
use etablera_domain::access::Action;
use etablera_domain::{
    GoalId, Indicator, IndicatorId, IndicatorSource, Lang, SeriesRef, Sex, Strategy, Target,
    UnitCode, Units,
};
use etablera_followup::{Point, Status};

/// Where a compared target comes from.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A target of a strategy kept in Etablera.
    Strategy {
        strategy_id: String,
        strategy_title: String,
        target_id: String,
    },
    /// A target read out of a library document's text (a draft, not reviewed).
    Library {
        entry_id: i64,
        entry_title: String,
        page: Option<i32>,
        /// How well the indicator's title matched the sentence (see `kpis::Suggestion`).
        kpi_score: f64,
    },
}

/// One municipality's target on the indicator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Compared {
    pub unit: UnitCode,
    pub unit_name: String,
    pub source: Source,
    /// The target's wording: the strategy's text, or the sentence of the document.
    pub text: String,
    /// The level in words ("minst 50 % år 2020"), in the actor's language.
    pub level: String,
    pub target_year: Option<i32>,
    pub sex: Sex,
    /// The municipality's latest value of its series.
    pub latest: Option<Point>,
    /// Whether that value is fictitious (demo data).
    pub fictitious: bool,
    /// The status under its own target; `None` when it cannot be judged from the text.
    pub status: Option<Status>,
    pub explanation: Option<String>,
}

/// The comparison for one indicator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comparison {
    pub indicator: Indicator,
    /// The latest year with a value among the compared series.
    pub year: Option<i32>,
    pub rows: Vec<Compared>,
}

/// Every target on `indicator` the actor may see (see the module).
pub fn compare(conn: &mut Conn, actor: &Actor, indicator: &str) -> Result<Comparison> {
    actor.principal().ok_or(Error::Unauthorized)?;
    conn.act_as(actor)?;
    let id = IndicatorId::parse(indicator.trim()).map_err(|_| Error::NotFound)?;
    let ind = conn
        .store()
        .indicators()?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(Error::NotFound)?;
    let lang = actor.lang;
    let units = Units::sweden();
    let name = |u: &UnitCode| {
        units
            .official_name(u.as_str())
            .unwrap_or_else(|| u.to_string())
    };
    let mut rows = Vec::new();

    // Strategies kept in Etablera, judged by their own follow-up.
    for summary in crate::strategies::list(conn, actor)? {
        let allowed = match crate::strategies::check(conn, actor, &summary.id, Action::Read) {
            Ok(a) => a,
            Err(Error::Forbidden | Error::Unauthorized) => {
                crate::strategies::check(conn, actor, &summary.id, Action::ReadPublic)?
            }
            Err(e) => return Err(e),
        };
        let strategy = conn.store().strategy(&summary.id)?.ok_or(Error::NotFound)?;
        if !strategy.targets.iter().any(|t| t.series.indicator == id) {
            continue;
        }
        let probe = crate::strategies::follow_up(conn, &allowed, 2100, None, None, None)?;
        let year = crate::strategies::latest_year(&probe);
        let run = crate::strategies::follow_up(conn, &allowed, year, None, None, None)?;
        for t in run
            .strategy
            .targets
            .iter()
            .filter(|t| t.series.indicator == id)
        {
            let Some(r) = run.followup.results.iter().find(|r| r.target_id == t.id) else {
                continue;
            };
            let unit = t.series.unit_or(&run.strategy.owner).clone();
            rows.push(Compared {
                unit_name: name(&unit),
                unit,
                source: Source::Strategy {
                    strategy_id: run.strategy.id.clone(),
                    strategy_title: run.strategy.title.clone(),
                    target_id: t.id.clone(),
                },
                text: t.text.clone(),
                level: t.text.clone(),
                target_year: Some(t.target_year),
                sex: t.series.sex,
                latest: r.observed,
                fictitious: run.fictitious.contains(&id),
                status: Some(r.status),
                explanation: Some(r.explanation.get(lang).to_string()),
            });
        }
    }

    // Targets read out of library documents, for the municipality each document is about.
    // The figures shown are Kolada's (public) or, for other sources, only the actor's own
    // municipality's: a library row never shows another municipality's own data.
    let own: Vec<UnitCode> = actor
        .principal()
        .map(|p| p.memberships.iter().map(|(u, _)| u.clone()).collect())
        .unwrap_or_default();
    let mut synthetic: Vec<(Compared, Option<Target>)> = Vec::new();
    for entry in library::entries(conn, actor)? {
        if entry.paragraphs == 0 {
            continue;
        }
        let Ok(unit) = UnitCode::parse(&entry.meta.unit_code) else {
            continue;
        };
        let figures = ind.source == IndicatorSource::Kolada || own.contains(&unit);
        let drafts = library::cached_drafts(conn, &entry)?;
        for (n, (page, d)) in drafts.1.iter().enumerate() {
            let page = *page;
            let Some(score) = d.kpis.iter().find(|k| k.id == id.as_str()).map(|k| k.score) else {
                continue;
            };
            let sex = match d.draft.sex {
                Some(s) if ind.divided_by_sex => s,
                _ => Sex::Total,
            };
            let series = SeriesRef::new(id.clone(), Some(unit.clone()), sex);
            let target = match (figures, d.draft.year) {
                (true, Some(year)) => etablera_library::targets::kind(&d.draft, &series)
                    // A change or a direction is judged from the baseline year: without
                    // the document's year there is none to judge from.
                    .filter(|k| {
                        !matches!(
                            k,
                            etablera_domain::TargetKind::Change { .. }
                                | etablera_domain::TargetKind::Direction { .. }
                        ) || entry.meta.year.is_some_and(|y| y < year)
                    })
                    .map(|kind| Target {
                        id: format!("e{}-{n}", entry.id),
                        goal: GoalId::from("jamforelse"),
                        text: d.draft.sentence.clone(),
                        series: series.clone(),
                        kind,
                        baseline_year: entry.meta.year.filter(|y| *y < year),
                        target_year: year,
                        note: None,
                    }),
                _ => None,
            };
            synthetic.push((
                Compared {
                    unit_name: name(&unit),
                    unit: unit.clone(),
                    source: Source::Library {
                        entry_id: entry.id,
                        entry_title: entry.meta.title.clone(),
                        page,
                        kpi_score: score,
                    },
                    text: d.draft.sentence.clone(),
                    level: library::describe(&d.draft, lang),
                    target_year: d.draft.year,
                    sex,
                    latest: None,
                    fictitious: false,
                    status: None,
                    explanation: None,
                },
                target,
            ));
        }
    }
    // One engine run judges every draft that can be judged: each target names its own
    // municipality's series.
    let targets: Vec<Target> = synthetic.iter().filter_map(|(_, t)| t.clone()).collect();
    if !targets.is_empty() {
        let from = targets
            .iter()
            .map(|t| t.baseline_year.unwrap_or(t.target_year))
            .min()
            .unwrap_or(2000);
        let to = targets.iter().map(|t| t.target_year).max().unwrap_or(from);
        let mut s = Strategy::new(
            "jamforelse",
            UnitCode::nation(),
            ind.title.clone(),
            from,
            to.max(from),
        );
        s.targets = targets;
        let probe = crate::run_loaded(conn.store(), s.clone(), None, 2100, None, None, None)?;
        let year = crate::strategies::latest_year(&probe);
        let run = crate::run_loaded(conn.store(), s, None, year, None, None, None)?;
        for (row, target) in &mut synthetic {
            let Some(t) = target else { continue };
            if let Some(r) = run.followup.results.iter().find(|r| r.target_id == t.id) {
                row.latest = r.observed;
                row.fictitious = run.fictitious.contains(&id);
                row.status = Some(r.status);
                row.explanation = Some(r.explanation.get(lang).to_string());
            }
        }
    }
    rows.extend(synthetic.into_iter().map(|(row, _)| row));
    rows.sort_by(|a, b| {
        a.unit_name
            .cmp(&b.unit_name)
            .then(a.target_year.cmp(&b.target_year))
    });
    let year = rows
        .iter()
        .filter_map(|r| r.latest.map(|p| p.period.year()))
        .max();
    Ok(Comparison {
        indicator: ind,
        year,
        rows,
    })
}

/// A status in words, or why there is none.
pub fn status_label(status: Option<Status>, lang: Lang) -> &'static str {
    match status {
        Some(s) => s.label(lang),
        None => lang.pick(
            "bedöms inte (målet behöver granskas)",
            "not judged (the target needs review)",
        ),
    }
}
