//! The yearly reporting round of a strategy's follow-up (issue 13): the strategist opens a
//! round with a deadline, a task goes to each department the action plan names, the
//! department's reporters report on its activities and submit, the strategist returns or
//! accepts each report, approves the follow-up, and records the board's adoption. Adoption
//! freezes the follow-up: the data and the strategy version as of the adoption time, and the
//! PDF and DOCX bytes handed to the board with their SHA-256. Later imports and edits show as
//! "changed since adoption" while the adopted documents stay downloadable, byte for byte.
//! Only an administrator reopens an approved or adopted round, with a reason.
//!
//! Each operation takes the actor, checks access, validates, and writes its change with the
//! audit entry in one transaction; the rules of which step may follow which are in
//! [`etablera_domain::round`].

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::strategies::{self, Allowed};
use crate::{now_utc, BoardFormat};
use etablera_domain::access::{allowed as may, Action};
use etablera_domain::round::{departments_named, Decision, Progress, RoundError, RoundState};
use etablera_domain::{Activity, ActivityStatus, Date, Lang, Strategy, UnitCode};
use etablera_store::{AdoptionRow, AuditEntry, Department, RoundRow, TaskRow};
use sha2::{Digest, Sha256};

/// A round as its pages show it.
#[derive(Debug, Clone)]
pub struct RoundView {
    pub round: RoundRow,
    pub tasks: Vec<TaskRow>,
    pub progress: Progress,
    /// The phase in the reader's language ("öppen", "granskad", "antagen" …).
    pub phase: String,
    /// The adoption in force, if the round is adopted.
    pub adoption: Option<AdoptionSummary>,
    /// Whether figures or the strategy changed after the adoption in force.
    pub changed_since_adoption: bool,
    /// The departments among the round's tasks the actor may report for.
    pub may_report: Vec<i64>,
    /// Whether the actor may review, approve and adopt (a strategist or admin).
    pub may_review: bool,
    /// Whether the actor may reopen (an admin).
    pub may_reopen: bool,
    /// The activities the round asks about, each with the departments (task ids) it
    /// belongs to, as the strategy stands now.
    pub activities: Vec<(Activity, Vec<i64>)>,
}

/// An adoption without its documents' bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionSummary {
    pub body: String,
    pub decided_on: String,
    pub reference: String,
    pub diarienummer: String,
    pub adopted_at: String,
    pub strategy_version: i64,
    pub pdf_sha256: String,
    pub docx_sha256: String,
}

impl From<&AdoptionRow> for AdoptionSummary {
    fn from(a: &AdoptionRow) -> AdoptionSummary {
        AdoptionSummary {
            body: a.body.clone(),
            decided_on: a.decided_on.clone(),
            reference: a.reference.clone(),
            diarienummer: a.diarienummer.clone(),
            adopted_at: a.adopted_at.clone(),
            strategy_version: a.strategy_version,
            pdf_sha256: a.pdf_sha256.clone(),
            docx_sha256: a.docx_sha256.clone(),
        }
    }
}

fn refused(e: RoundError, lang: Lang) -> Error {
    Error::Conflict(e.message(lang))
}

/// A store's refusal because the round, a task or the strategy moved between reading and
/// writing (someone else acted at the same moment), in the actor's language.
fn moved(e: etablera_store::StoreError, actor: &Actor) -> Error {
    match e {
        etablera_store::StoreError::Conflict(_) => Error::Conflict(
            actor
                .t(
                    "Någon annan ändrade omgången samtidigt. Ladda om sidan och försök igen.",
                    "Someone else changed the round at the same moment. Reload the page and try again.",
                )
                .into(),
        ),
        other => other.into(),
    }
}

fn audit(actor: &Actor, now: &str, action: &str, object: String, owner: &UnitCode) -> AuditEntry {
    AuditEntry::new(now, actor.user_id(), action, &object, Some(owner))
}

/// The round of a strategy's year; `NotFound` when it has none.
fn round_of(conn: &mut Conn, strategy_id: &str, year: i32) -> Result<RoundRow> {
    conn.store()
        .round(strategy_id, year)?
        .ok_or(Error::NotFound)
}

fn object(strategy_id: &str, year: i32) -> String {
    format!("strategy:{strategy_id}/round:{year}")
}

/// The activities a round of `year` asks about: the year's, and earlier ones not yet done
/// or cancelled (they carry over); every activity when none of those are left.
pub fn activities_of(strategy: &Strategy, year: i32) -> Vec<&Activity> {
    use ActivityStatus::{Cancelled, Done};
    let of_year: Vec<_> = strategy
        .activities
        .iter()
        .filter(|a| a.year == year || (a.year < year && !matches!(a.status, Done | Cancelled)))
        .collect();
    if of_year.is_empty() {
        strategy.activities.iter().collect()
    } else {
        of_year
    }
}

/// The ids of the activities a round asks about: those [`activities_of`] the strategy when
/// the round opened (kept with the round, so a report that sets one done does not take it
/// out), and the year's activities added since.
fn asked_about(round: &RoundRow, now: &Strategy) -> Vec<String> {
    let mut ids = round.activities.clone();
    for a in now.activities.iter().filter(|a| a.year == round.year) {
        if !ids.contains(&a.id) {
            ids.push(a.id.clone());
        }
    }
    ids
}

/// The departments a round of `year` asks to report, as the `responsible` texts of its
/// activities ([`activities_of`]) name them.
pub fn departments_of(strategy: &Strategy, year: i32) -> Vec<String> {
    let activities = activities_of(strategy, year);
    let mut names: Vec<String> = Vec::new();
    for a in activities {
        for n in departments_named(&a.responsible) {
            if !names.iter().any(|x| x.to_lowercase() == n.to_lowercase()) {
                names.push(n);
            }
        }
    }
    names
}

/// The round of a strategy's year, with what the actor may do in it.
pub fn view(conn: &mut Conn, actor: &Actor, strategy_id: &str, year: i32) -> Result<RoundView> {
    let allowed = strategies::check(conn, actor, strategy_id, Action::Read)?;
    let round = round_of(conn, strategy_id, year)?;
    view_of(conn, actor, &allowed, round)
}

/// Every round of a strategy, the newest year first.
pub fn list(conn: &mut Conn, actor: &Actor, strategy_id: &str) -> Result<Vec<RoundRow>> {
    strategies::check(conn, actor, strategy_id, Action::Read)?;
    Ok(conn.store().rounds(strategy_id)?)
}

fn view_of(
    conn: &mut Conn,
    actor: &Actor,
    allowed: &Allowed,
    round: RoundRow,
) -> Result<RoundView> {
    let owner = allowed.summary.owner.clone();
    let tasks = conn.store().round_tasks(round.id)?;
    let states: Vec<_> = tasks.iter().map(|t| t.state).collect();
    let progress = Progress::of(&states);
    let s = conn.store();
    let adoption = if round.state == RoundState::Adopted {
        s.adoption_in_force(round.id, false)?
    } else {
        None
    };
    let changed_since_adoption = match &adoption {
        Some(a) => {
            s.batches_version()?.to_string() != a.data_version
                || s.strategy_version(&round.strategy_id)? != a.strategy_version
        }
        None => false,
    };
    let strategy = conn
        .store()
        .strategy(&round.strategy_id)?
        .ok_or(Error::NotFound)?;
    let asked = asked_about(&round, &strategy);
    let activities = strategy
        .activities
        .iter()
        .filter(|a| asked.contains(&a.id))
        .map(|a| {
            let named: Vec<String> = departments_named(&a.responsible)
                .iter()
                .map(|n| n.to_lowercase())
                .collect();
            let ids = tasks
                .iter()
                .filter(|t| named.contains(&t.department.name.to_lowercase()))
                .map(|t| t.department.id)
                .collect();
            (a.clone(), ids)
        })
        .collect();
    let mine = reporter_departments(conn, actor, &owner)?;
    let p = actor.principal();
    let may_review = may(p, Action::Write, &owner, false);
    let may_report = tasks
        .iter()
        .filter(|t| may_review || mine.contains(&t.department.id))
        .map(|t| t.department.id)
        .collect();
    Ok(RoundView {
        phase: progress.phase(round.state, actor.lang).to_string(),
        progress,
        adoption: adoption.as_ref().map(AdoptionSummary::from),
        changed_since_adoption,
        may_report,
        may_review,
        may_reopen: may(p, Action::Administer, &owner, false),
        activities,
        round,
        tasks,
    })
}

/// The departments of `owner` the actor reports for.
fn reporter_departments(conn: &mut Conn, actor: &Actor, owner: &UnitCode) -> Result<Vec<i64>> {
    let Some(user) = actor.user_id() else {
        return Ok(vec![]);
    };
    Ok(conn
        .store()
        .reporter_of(user)?
        .into_iter()
        .filter(|d| &d.unit == owner)
        .map(|d| d.id)
        .collect())
}

/// A municipality's departments (a member of it reads them).
pub fn departments(conn: &mut Conn, actor: &Actor, unit: &UnitCode) -> Result<Vec<Department>> {
    conn.act_as(actor)?;
    if !may(actor.principal(), Action::Read, unit, false) {
        return Err(Error::NotFound);
    }
    Ok(conn.store().departments(unit)?)
}

/// Makes a member of the municipality a reporter of one of its departments, or no longer one
/// (an administrator of the municipality).
pub fn set_reporter(
    conn: &mut Conn,
    actor: &Actor,
    unit: &UnitCode,
    user_id: i64,
    department_id: i64,
    on: bool,
) -> Result<()> {
    conn.act_as(actor)?;
    let p = actor.principal();
    if !may(p, Action::Administer, unit, false) {
        return Err(if may(p, Action::Read, unit, false) {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    let s = conn.store();
    let dept = s
        .departments(unit)?
        .into_iter()
        .find(|d| d.id == department_id)
        .ok_or(Error::NotFound)?;
    if on && !s.memberships(user_id)?.iter().any(|(u, _)| u == unit) {
        return Err(Error::Input(
            actor
                .t(
                    "Användaren måste vara medlem i kommunen för att rapportera för en förvaltning.",
                    "The user must be a member of the municipality to report for a department.",
                )
                .into(),
        ));
    }
    let now = now_utc();
    let entry = audit(
        actor,
        &now,
        if on {
            "department.reporter.add"
        } else {
            "department.reporter.remove"
        },
        format!("department:{}/user:{user_id}", dept.id),
        unit,
    );
    s.set_department_reporter(user_id, dept.id, on, &entry)?;
    Ok(())
}

/// [`set_reporter`] for a user named by their username.
pub fn set_reporter_named(
    conn: &mut Conn,
    actor: &Actor,
    unit: &UnitCode,
    username: &str,
    department_id: i64,
    on: bool,
) -> Result<()> {
    conn.act_as(actor)?;
    if !may(actor.principal(), Action::Administer, unit, false) {
        return set_reporter(conn, actor, unit, 0, department_id, on);
    }
    let user = conn
        .store()
        .user_by_name(&username.trim().to_lowercase())?
        .ok_or_else(|| {
            Error::Fields(vec![(
                "username".into(),
                actor
                    .t(
                        "Det finns ingen användare med det namnet.",
                        "There is no user by that name.",
                    )
                    .into(),
            )])
        })?;
    set_reporter(conn, actor, unit, user.id, department_id, on)
}

/// Opens the round of a year with a deadline (a strategist): a task for each department the
/// action plan names. The year must lie in the strategy's period (or the year after, when
/// its last year is followed up); the deadline is a date.
pub fn open(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    deadline: &str,
) -> Result<RoundView> {
    let allowed = strategies::check(conn, actor, strategy_id, Action::Write)?;
    let strategy = conn.store().strategy(strategy_id)?.ok_or(Error::NotFound)?;
    let mut fields = Vec::new();
    if !(strategy.period_from..=strategy.period_to + 1).contains(&year) {
        fields.push((
            "year".to_string(),
            format!(
                "{} {}–{}.",
                actor.t(
                    "Året ska ligga i strategins period,",
                    "The year must lie in the strategy's period,"
                ),
                strategy.period_from,
                strategy.period_to + 1
            ),
        ));
    }
    if Date::parse(deadline.trim()).is_err() {
        fields.push((
            "deadline".to_string(),
            actor
                .t(
                    "Sista dag ska skrivas ÅÅÅÅ-MM-DD.",
                    "Write the deadline as YYYY-MM-DD.",
                )
                .to_string(),
        ));
    }
    if !fields.is_empty() {
        return Err(Error::Fields(fields));
    }
    let names = departments_of(&strategy, year);
    let asked: Vec<String> = activities_of(&strategy, year)
        .iter()
        .map(|a| a.id.clone())
        .collect();
    let now = now_utc();
    let s = conn.store();
    let depts = s.ensure_departments(&strategy.owner, &names, &now)?;
    let ids: Vec<i64> = depts.iter().map(|d| d.id).collect();
    let entry = audit(
        actor,
        &now,
        "round.open",
        object(strategy_id, year),
        &strategy.owner,
    )
    .change(
        None,
        Some(format!(
            "deadline {}; {} departments",
            deadline.trim(),
            ids.len()
        )),
    );
    s.open_round(
        strategy_id,
        year,
        deadline.trim(),
        &asked,
        &ids,
        &now,
        actor.user_id().unwrap_or(0),
        &entry,
    )
    .map_err(|e| match e {
        etablera_store::StoreError::Conflict(_) => Error::Conflict(
            actor
                .t(
                    "Strategin har redan en omgång för året.",
                    "The strategy already has a round for the year.",
                )
                .into(),
        ),
        other => other.into(),
    })?;
    let round = s.round(strategy_id, year)?.ok_or(Error::NotFound)?;
    view_of(conn, actor, &allowed, round)
}

/// The round and the task of a department the actor may report for (a reporter of it, or a
/// strategist); the round must be open and the task editable.
fn reporting(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    department_id: i64,
) -> Result<(Allowed, RoundRow, TaskRow)> {
    let allowed = strategies::check(conn, actor, strategy_id, Action::Read)?;
    let owner = allowed.summary.owner.clone();
    let round = round_of(conn, strategy_id, year)?;
    let task = conn
        .store()
        .round_tasks(round.id)?
        .into_iter()
        .find(|t| t.department.id == department_id)
        .ok_or(Error::NotFound)?;
    let strategist = may(actor.principal(), Action::Write, &owner, false);
    if !strategist && !reporter_departments(conn, actor, &owner)?.contains(&department_id) {
        return Err(Error::Forbidden);
    }
    if round.state != RoundState::Open {
        return Err(refused(RoundError::NotOpen(round.state), actor.lang));
    }
    if !task.state.editable() {
        return Err(refused(RoundError::TaskNotEditable(task.state), actor.lang));
    }
    Ok((allowed, round, task))
}

/// A department reports on one of its activities: status and comment (at most 2 000
/// characters). The activity must name the department among its responsible.
#[allow(clippy::too_many_arguments)]
pub fn report_activity(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    department_id: i64,
    activity: &str,
    status: ActivityStatus,
    comment: Option<&str>,
) -> Result<()> {
    let (allowed, round, task) = reporting(conn, actor, strategy_id, year, department_id)?;
    let comment = strategies::comment_field(actor, comment)?;
    let comment = comment.as_deref();
    let stored = conn.store().strategy(strategy_id)?.ok_or(Error::NotFound)?;
    // Only the activities the round asks about (not an earlier year's finished ones).
    if !asked_about(&round, &stored).iter().any(|a| a == activity) {
        return Err(Error::NotFound);
    }
    let mut strategy = stored.clone();
    let a = strategy
        .activities
        .iter_mut()
        .find(|a| a.id == activity)
        .ok_or(Error::NotFound)?;
    let dept = task.department.name.to_lowercase();
    if !departments_named(&a.responsible)
        .iter()
        .any(|n| n.to_lowercase() == dept)
    {
        return Err(Error::Forbidden);
    }
    let before = serde_json::to_string(&*a).ok();
    a.status = status;
    a.comment = comment.map(str::to_string);
    let after = serde_json::to_string(&*a).ok();
    let now = now_utc();
    let entry = audit(
        actor,
        &now,
        "round.report",
        format!("{}/activity:{activity}", object(strategy_id, year)),
        &allowed.summary.owner,
    )
    .change(before, after);
    conn.store()
        .save_round_report(&stored, &strategy, &now, round.id, department_id, &entry)
        .map_err(|e| moved(e, actor))?;
    Ok(())
}

/// A department submits its report.
pub fn submit(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    department_id: i64,
) -> Result<RoundView> {
    let (allowed, round, task) = reporting(conn, actor, strategy_id, year, department_id)?;
    let to = task.state.submit().map_err(|e| refused(e, actor.lang))?;
    let now = now_utc();
    let entry = audit(
        actor,
        &now,
        "round.submit",
        format!("{}/department:{department_id}", object(strategy_id, year)),
        &allowed.summary.owner,
    );
    conn.store()
        .move_task(
            round.id,
            department_id,
            task.state,
            to,
            None,
            &now,
            actor.user_id().unwrap_or(0),
            &[],
            &entry,
        )
        .map_err(|e| moved(e, actor))?;
    view_of(conn, actor, &allowed, round)
}

/// The round of a year for a strategist's step (review, approve, adopt).
fn reviewing(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
) -> Result<(Allowed, RoundRow)> {
    let allowed = strategies::check(conn, actor, strategy_id, Action::Write)?;
    let round = round_of(conn, strategy_id, year)?;
    Ok((allowed, round))
}

/// The strategist accepts a submitted report, or returns it with a comment (at most 2 000
/// characters) saying what to add.
pub fn review(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    department_id: i64,
    accept: bool,
    comment: Option<&str>,
) -> Result<RoundView> {
    let (allowed, round) = reviewing(conn, actor, strategy_id, year)?;
    if round.state != RoundState::Open {
        return Err(refused(RoundError::NotOpen(round.state), actor.lang));
    }
    let comment = strategies::comment_field(actor, comment)?;
    let comment = comment.as_deref();
    let task = conn
        .store()
        .round_tasks(round.id)?
        .into_iter()
        .find(|t| t.department.id == department_id)
        .ok_or(Error::NotFound)?;
    let to = task.state.review(accept, comment).map_err(|e| match e {
        RoundError::ReturnNeedsComment => {
            Error::Fields(vec![("comment".into(), e.message(actor.lang))])
        }
        e => refused(e, actor.lang),
    })?;
    let now = now_utc();
    // The department's reporters hear that their report came back (the comment itself is
    // read on the page): in the outbox, in the same transaction as the move.
    let mail = if accept {
        vec![]
    } else {
        let title = conn
            .store()
            .strategy(strategy_id)?
            .map(|s| s.title)
            .unwrap_or_default();
        crate::mail::returned_messages(
            conn,
            &allowed.summary.owner,
            &title,
            &format!("/s/{strategy_id}/omgangar/{year}"),
            year,
            (department_id, &task.department.name),
            &now,
        )?
    };
    let entry = audit(
        actor,
        &now,
        if accept {
            "round.accept"
        } else {
            "round.return"
        },
        format!("{}/department:{department_id}", object(strategy_id, year)),
        &allowed.summary.owner,
    )
    .change(None, comment.map(str::to_string));
    conn.store()
        .move_task(
            round.id,
            department_id,
            task.state,
            to,
            if accept { None } else { comment },
            &now,
            actor.user_id().unwrap_or(0),
            &mail,
            &entry,
        )
        .map_err(|e| moved(e, actor))?;
    view_of(conn, actor, &allowed, round)
}

/// The strategist approves the follow-up: every department's report must be accepted.
pub fn approve(conn: &mut Conn, actor: &Actor, strategy_id: &str, year: i32) -> Result<RoundView> {
    let (allowed, round) = reviewing(conn, actor, strategy_id, year)?;
    let states: Vec<_> = conn
        .store()
        .round_tasks(round.id)?
        .iter()
        .map(|t| t.state)
        .collect();
    let to = round
        .state
        .approve(&states)
        .map_err(|e| refused(e, actor.lang))?;
    let now = now_utc();
    let entry = audit(
        actor,
        &now,
        "round.approve",
        object(strategy_id, year),
        &allowed.summary.owner,
    );
    conn.store()
        .move_round(
            round.id,
            round.state,
            to,
            &now,
            actor.user_id().unwrap_or(0),
            &entry,
        )
        .map_err(|e| moved(e, actor))?;
    let round = round_of(conn, strategy_id, year)?;
    view_of(conn, actor, &allowed, round)
}

/// The board's decision as a form gives it: each field checked, errors naming the field.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub body: String,
    pub date: String,
    pub reference: String,
    pub diarienummer: String,
}

/// Records the board's adoption of an approved follow-up: the follow-up is frozen as of
/// now, rendered as PDF and DOCX in `lang`, and the bytes stored with their SHA-256.
pub fn adopt(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    decision: &DecisionInput,
    lang: Lang,
) -> Result<RoundView> {
    let (allowed, round) = reviewing(conn, actor, strategy_id, year)?;
    let d = Decision::new(
        &decision.body,
        &decision.date,
        &decision.reference,
        &decision.diarienummer,
    )
    .map_err(|errs| {
        Error::Fields(
            errs.into_iter()
                .map(|(f, e)| (f.to_string(), e.message(actor.lang)))
                .collect(),
        )
    })?;
    round.state.adopt().map_err(|e| refused(e, actor.lang))?;
    let now = now_utc();
    // The versions the frozen follow-up rests on, read before it is computed: an import or
    // an edit after this point shows as a change since adoption.
    let (strategy_version, data_version) = {
        let s = conn.store();
        (
            s.strategy_version(strategy_id)?,
            s.batches_version()?.to_string(),
        )
    };
    // The frozen follow-up: data and strategy as of this second, rendered now and kept.
    let run = strategies::follow_up(conn, &allowed, year, None, Some(&now), None)?;
    let said = match lang {
        Lang::Sv => format!(
            "Uppföljningen antagen av {} {}, {}, diarienummer {}.",
            d.body, d.date, d.reference, d.diarienummer
        ),
        Lang::En => format!(
            "Follow-up adopted by {} on {}, {}, registration number {}.",
            d.body, d.date, d.reference, d.diarienummer
        ),
    };
    let pdf = crate::render_adopted_document(&run, BoardFormat::Pdf, lang, Some(&now), Some(&said))
        .map_err(|e| Error::internal(format!("the adopted PDF: {e}")))?;
    let docx =
        crate::render_adopted_document(&run, BoardFormat::Docx, lang, Some(&now), Some(&said))
            .map_err(|e| Error::internal(format!("the adopted DOCX: {e}")))?;
    let s = conn.store();
    let row = AdoptionRow {
        id: 0,
        round_id: round.id,
        body: d.body.clone(),
        decided_on: d.date.to_string(),
        reference: d.reference.clone(),
        diarienummer: d.diarienummer.clone(),
        adopted_at: now.clone(),
        adopted_by: actor.user_id(),
        strategy_version,
        data_version,
        pdf_sha256: hex(&Sha256::digest(&pdf)),
        docx_sha256: hex(&Sha256::digest(&docx)),
        pdf,
        docx,
        reopened_at: None,
        reopen_reason: None,
    };
    let entry = audit(
        actor,
        &now,
        "round.adopt",
        object(strategy_id, year),
        &allowed.summary.owner,
    )
    .change(
        None,
        Some(format!(
            "{} {} {}, dnr {}; pdf sha256 {}",
            d.body, d.date, d.reference, d.diarienummer, row.pdf_sha256
        )),
    );
    s.adopt_round(&row, &entry).map_err(|e| moved(e, actor))?;
    let round = s.round(strategy_id, year)?.ok_or(Error::NotFound)?;
    view_of(conn, actor, &allowed, round)
}

/// Reopens an approved or adopted round (an administrator of the municipality), with a
/// reason; the adoption in force stays stored, marked reopened.
pub fn reopen(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    reason: &str,
) -> Result<RoundView> {
    let allowed = strategies::check(conn, actor, strategy_id, Action::Administer)?;
    let round = round_of(conn, strategy_id, year)?;
    let reason = reason.trim();
    round.state.reopen(reason).map_err(|e| match e {
        RoundError::ReopenNeedsReason => {
            Error::Fields(vec![("reason".into(), e.message(actor.lang))])
        }
        e => refused(e, actor.lang),
    })?;
    if reason.chars().count() > 2000 {
        return Err(Error::Fields(vec![(
            "reason".into(),
            actor
                .t(
                    "Skälet får vara högst 2 000 tecken.",
                    "The reason may have at most 2,000 characters.",
                )
                .into(),
        )]));
    }
    let now = now_utc();
    let entry = audit(
        actor,
        &now,
        "round.reopen",
        object(strategy_id, year),
        &allowed.summary.owner,
    )
    .change(
        Some(round.state.as_str().to_string()),
        Some(reason.to_string()),
    );
    conn.store()
        .reopen_round(
            round.id,
            round.state,
            reason,
            &now,
            actor.user_id().unwrap_or(0),
            &entry,
        )
        .map_err(|e| moved(e, actor))?;
    let round = round_of(conn, strategy_id, year)?;
    view_of(conn, actor, &allowed, round)
}

/// The adopted document of a year's follow-up, as the board received it: its bytes and
/// SHA-256. Readable by whoever may read the strategy's public pages once it is published.
pub fn adopted_document(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    year: i32,
    format: BoardFormat,
) -> Result<(Vec<u8>, String)> {
    strategies::check(conn, actor, strategy_id, Action::ReadPublic)?;
    let round = round_of(conn, strategy_id, year)?;
    if round.state != RoundState::Adopted {
        return Err(Error::NotFound);
    }
    let a = conn
        .store()
        .adoption_in_force(round.id, true)?
        .ok_or(Error::NotFound)?;
    Ok(match format {
        BoardFormat::Pdf => (a.pdf, a.pdf_sha256),
        BoardFormat::Docx => (a.docx, a.docx_sha256),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
