//! The review of targets read out of library documents: a strategist sees an entry's drafts
//! with their municipality's decisions, accepts one (edited if need be) into one of their
//! own municipality's strategies — with its provenance in the target's note — or rejects
//! it. Each municipality reviews for itself; acceptance needs the right to write the
//! strategy, so a draft goes only into the acceptor's own municipality's strategy.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::library::{self, WithKpis};
use etablera_domain::access::{allowed, Action, Role};
use etablera_domain::{IndicatorId, Lang, SeriesRef, Sex, Target, UnitCode};
use etablera_library::targets;
pub use etablera_library::targets::Comparator;
pub use etablera_store::{DraftReview, LibraryEntry, StrategySummary};

/// A draft of an entry with the reviewing municipality's decision.
#[derive(Debug, Clone)]
pub struct Reviewed {
    /// Its place among the entry's drafts (from 0).
    pub n: usize,
    pub page: Option<i32>,
    pub draft: WithKpis,
    /// The level in words, in the actor's language.
    pub level: String,
    pub review: Option<DraftReview>,
}

/// What a page needs to review an entry's drafts.
#[derive(Debug, Clone)]
pub struct Review {
    pub entry: LibraryEntry,
    /// The municipality reviewing: the actor's first one where they are a strategist or
    /// administrator (`None`: the actor reads, but reviews for nobody).
    pub unit: Option<UnitCode>,
    pub drafts: Vec<Reviewed>,
    /// The strategies the actor may write, with their goals (id, title).
    pub strategies: Vec<(StrategySummary, Vec<(String, String)>)>,
}

/// The municipality an actor reviews for.
fn reviewing_unit(actor: &Actor) -> Option<UnitCode> {
    actor.principal().and_then(|p| {
        p.memberships
            .iter()
            .find(|(_, r)| matches!(r, Role::Strategist | Role::Admin))
            .map(|(u, _)| u.clone())
    })
}

fn sha(s: &str) -> String {
    crate::sessions::sha256_hex(s.as_bytes())
}

/// An entry's drafts with the actor's municipality's reviews and the strategies they may
/// accept into. Every logged-in user reads them.
pub fn review(conn: &mut Conn, actor: &Actor, entry_id: i64) -> Result<Review> {
    let entry = library::get(conn, actor, entry_id)?;
    let unit = reviewing_unit(actor);
    let (_, drafts) = library::entry_drafts(conn, &entry, None)?;
    let reviews = match &unit {
        Some(u) => conn.store().library_draft_reviews(entry_id, u.as_str())?,
        None => Vec::new(),
    };
    let lang = actor.lang;
    let drafts = drafts
        .into_iter()
        .enumerate()
        .map(|(n, (page, d))| Reviewed {
            n,
            page,
            level: library::describe(&d.draft, lang),
            // A review counts only for the sentence it was made on.
            review: reviews
                .iter()
                .find(|r| r.n as usize == n && r.sentence_sha256 == sha(&d.draft.sentence))
                .cloned(),
            draft: d,
        })
        .collect();
    let mut strategies = Vec::new();
    for s in crate::strategies::list(conn, actor)? {
        if allowed(actor.principal(), Action::Write, &s.owner, s.published) {
            let full = conn.store().strategy(&s.id)?.ok_or(Error::NotFound)?;
            let goals = full
                .goals
                .iter()
                .map(|g| (g.id.clone(), g.title.clone()))
                .collect();
            strategies.push((s, goals));
        }
    }
    Ok(Review {
        entry,
        unit,
        drafts,
        strategies,
    })
}

/// How a draft is accepted: into which strategy and goal, measured by which indicator, with
/// the strategist's edits of its comparator, value and year (`None`: as read).
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub strategy_id: String,
    pub goal: String,
    pub indicator: String,
    pub comparator: Option<Comparator>,
    pub value: Option<f64>,
    pub year: Option<i32>,
}

fn field(name: &str, lang: Lang, sv: &str, en: &str) -> Error {
    Error::Fields(vec![(name.to_string(), lang.pick(sv, en).to_string())])
}

/// Accepts draft `n` of an entry into a strategy the actor may write (their own
/// municipality's): the target is added with the draft's sentence as its text and its
/// provenance as its note, and the review is recorded, in one transaction. Returns the new
/// target's id.
pub fn accept(
    conn: &mut Conn,
    actor: &Actor,
    entry_id: i64,
    n: usize,
    a: Acceptance,
) -> Result<String> {
    let lang = actor.lang;
    let entry = library::get(conn, actor, entry_id)?;
    let (_, drafts) = library::entry_drafts(conn, &entry, None)?;
    let (page, d) = drafts.get(n).cloned().ok_or(Error::NotFound)?;
    let mut strategy = crate::strategies::open(conn, actor, &a.strategy_id, Action::Write)?;
    if !strategy.goals.iter().any(|g| g.id == a.goal) {
        return Err(field(
            "goal",
            lang,
            "Välj ett mål i strategin.",
            "Choose a goal of the strategy.",
        ));
    }
    let indicator = IndicatorId::parse(a.indicator.trim()).map_err(|_| {
        field(
            "indicator",
            lang,
            "Ange en indikator (t.ex. N00973).",
            "Give an indicator (e.g. N00973).",
        )
    })?;
    let known = conn.store().indicators()?;
    let Some(ind) = known.iter().find(|i| i.id == indicator) else {
        return Err(field(
            "indicator",
            lang,
            "Okänd indikator.",
            "Unknown indicator.",
        ));
    };
    let mut draft = d.draft.clone();
    if let Some(c) = a.comparator {
        draft.comparator = c;
    }
    if a.value.is_some() {
        draft.value = a.value;
    }
    if let Some(y) = a.year {
        if !(1990..=2100).contains(&y) {
            return Err(field(
                "year",
                lang,
                "Året ska ligga mellan 1990 och 2100.",
                "The year must be between 1990 and 2100.",
            ));
        }
        draft.year = Some(y);
    }
    let sex = match draft.sex {
        Some(s) if ind.divided_by_sex => s,
        _ => Sex::Total,
    };
    let series = SeriesRef::new(indicator, None, sex);
    let kind = targets::kind(&draft, &series).ok_or_else(|| {
        field(
            "comparator",
            lang,
            "Målet kan inte uttryckas så som det står; välj minst, högst, öka eller minska och ange värdet.",
            "The target cannot be stated as written; choose at least, at most, increase or decrease and give the value.",
        )
    })?;
    let Some(target_year) = draft.year else {
        return Err(field(
            "year",
            lang,
            "Ange målåret.",
            "Give the target year.",
        ));
    };
    let base = format!("bibl-{entry_id}-{n}");
    let mut id = base.clone();
    let mut k = 2;
    while strategy.targets.iter().any(|t| t.id == id) {
        id = format!("{base}-{k}");
        k += 1;
    }
    let m = &entry.meta;
    let note = format!(
        "{} «{}» ({}{}{}): «{}»",
        lang.pick("Ur strategibiblioteket:", "From the strategy library:"),
        m.title,
        m.unit_code,
        m.year.map(|y| format!(", {y}")).unwrap_or_default(),
        page.map(|p| format!(", {} {p}", lang.pick("s.", "p.")))
            .unwrap_or_default(),
        d.draft.sentence
    );
    let target = Target {
        id: id.clone(),
        goal: a.goal,
        text: d.draft.sentence.clone(),
        series,
        kind,
        baseline_year: Some(strategy.period_from).filter(|y| *y < target_year),
        target_year,
        note: Some(note),
    };
    strategy.targets.push(target.clone());
    if let Some(p) = strategy.validate().into_iter().next() {
        return Err(Error::Fields(vec![(p.field.to_string(), p.problem)]));
    }
    let now = crate::now_utc();
    let review = DraftReview {
        entry_id,
        n: i32::try_from(n).map_err(|_| Error::NotFound)?,
        sentence_sha256: sha(&d.draft.sentence),
        unit_code: strategy.owner.as_str().to_string(),
        state: "accepted".into(),
        strategy_id: Some(strategy.id.clone()),
        target_id: Some(id.clone()),
        reviewed_by: actor.user_id(),
        reviewed_at: now.clone(),
    };
    let audit = etablera_store::AuditEntry::new(
        &now,
        actor.user_id(),
        "library.accept",
        &format!("strategy:{}/target:{id}", strategy.id),
        Some(&strategy.owner),
    )
    .change(None, serde_json::to_string(&target).ok());
    conn.store()
        .review_library_draft(&review, Some((&strategy, &now)), &audit)
        .map_err(conflict)?;
    Ok(id)
}

fn conflict(e: etablera_store::StoreError) -> Error {
    match e {
        etablera_store::StoreError::Conflict(m) => Error::Conflict(m),
        e => e.into(),
    }
}

/// Rejects draft `n` of an entry for the actor's municipality (a strategist or
/// administrator's).
pub fn reject(conn: &mut Conn, actor: &Actor, entry_id: i64, n: usize) -> Result<()> {
    let entry = library::get(conn, actor, entry_id)?;
    let unit = reviewing_unit(actor).ok_or(Error::Forbidden)?;
    conn.act_as(actor)?;
    let (_, drafts) = library::entry_drafts(conn, &entry, None)?;
    let (_, d) = drafts.get(n).cloned().ok_or(Error::NotFound)?;
    let now = crate::now_utc();
    let review = DraftReview {
        entry_id,
        n: i32::try_from(n).map_err(|_| Error::NotFound)?,
        sentence_sha256: sha(&d.draft.sentence),
        unit_code: unit.as_str().to_string(),
        state: "rejected".into(),
        strategy_id: None,
        target_id: None,
        reviewed_by: actor.user_id(),
        reviewed_at: now.clone(),
    };
    let audit = etablera_store::AuditEntry::new(
        &now,
        actor.user_id(),
        "library.reject",
        &format!("library:{entry_id}/draft:{n}"),
        Some(&unit),
    );
    conn.store()
        .review_library_draft(&review, None, &audit)
        .map_err(conflict)
}
