//! Strategies and targets: who may read or change a strategy (the one rule), and every change
//! to one — a target, a goal, an activity, the yearly analysis, a whole strategy file — with
//! its revisions and audit entry written in the same transaction as the change.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::{now_utc, units_of, FollowUpRun};
use etablera_domain::access::{allowed, Action};
use etablera_domain::{Sex, Strategy, Target, TargetKind};
use etablera_store::{AuditEntry, TargetComment, TargetRevision};
use std::collections::HashSet;

pub use etablera_store::StrategySummary;

/// Proof that an actor may do an action to a strategy: what [`check`] returns and the
/// operations that need the check take.
#[derive(Debug, Clone)]
pub struct Allowed {
    pub summary: StrategySummary,
    pub action: Action,
    /// The municipalities of the actor who was let in (see [`Actor::units`]): work done
    /// later on the proof (a refresh on another connection) acts for them.
    units: String,
}

/// The one rule for strategies. Refusals: an anonymous reader of a published strategy is
/// asked to log in; a strategy the actor may not even read looks missing (an unpublished
/// strategy of another municipality does not exist for them); otherwise forbidden.
pub fn check(conn: &mut Conn, actor: &Actor, id: &str, action: Action) -> Result<Allowed> {
    conn.act_as(actor)?;
    let summary = conn
        .store()
        .strategies()?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(Error::NotFound)?;
    let p = actor.principal();
    if allowed(p, action, &summary.owner, summary.published) {
        return Ok(Allowed {
            summary,
            action,
            units: actor.units(),
        });
    }
    let may_read = allowed(p, Action::ReadPublic, &summary.owner, summary.published);
    Err(match (p, may_read) {
        (None, true) => Error::Unauthorized,
        (Some(_), true) => Error::Forbidden,
        (_, false) => Error::NotFound,
    })
}

/// The strategy, if the actor may do `action` to it (see [`check`]).
pub fn open(conn: &mut Conn, actor: &Actor, id: &str, action: Action) -> Result<Strategy> {
    check(conn, actor, id, action)?;
    conn.store().strategy(id)?.ok_or(Error::NotFound)
}

/// Every strategy the actor may read at least the public pages of.
pub fn list(conn: &mut Conn, actor: &Actor) -> Result<Vec<StrategySummary>> {
    conn.act_as(actor)?;
    Ok(conn
        .store()
        .strategies()?
        .into_iter()
        .filter(|s| allowed(actor.principal(), Action::ReadPublic, &s.owner, s.published))
        .collect())
}

/// The version of the data and of the strategy a follow-up of it is computed from: equal
/// versions give equal runs (the web's cache keys on it).
pub fn data_version(conn: &mut Conn, allowed: &Allowed) -> Result<String> {
    conn.act_for(&allowed.units)?;
    // The strategy's saved version too: two edits within one second share an `updated_at`,
    // and a process that did not make them would not see the second.
    Ok(format!(
        "{}|{}|{}",
        conn.store().batches_version()?,
        conn.store().strategy_version(&allowed.summary.id)?,
        allowed.summary.updated_at
    ))
}

/// The follow-up of a strategy the actor was allowed to read.
pub fn follow_up(
    conn: &mut Conn,
    allowed: &Allowed,
    year: i32,
    group: Option<&str>,
    as_of: Option<&str>,
    sex: Option<Sex>,
) -> Result<FollowUpRun> {
    conn.act_for(&allowed.units)?;
    crate::run_followup_with(conn.store(), &allowed.summary.id, year, group, as_of, sex)
}

/// The latest year with data for the strategy: what a probe far in the future observes
/// (the strategy's last year when nothing is observed).
pub fn latest_year(run_2100: &FollowUpRun) -> i32 {
    run_2100
        .followup
        .results
        .iter()
        .filter_map(|r| r.observed.map(|o| o.period.year()))
        .max()
        .unwrap_or(run_2100.strategy.period_to)
}

/// The number a target kind asks for.
pub fn value_of(kind: &TargetKind) -> Option<f64> {
    match kind {
        TargetKind::Threshold { value, .. } => Some(*value),
        TargetKind::Flow { per_year, .. } => Some(*per_year),
        TargetKind::Relative { margin, .. } => Some(*margin),
        TargetKind::Gap { at_most, .. } => *at_most,
        TargetKind::Change { by, .. } => Some(*by),
        TargetKind::Direction { .. } => None,
    }
}

/// The fields that differ, as (field, old, new) in text.
pub fn diff(old: &Target, new: &Target) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let mut d = Vec::new();
    let mut cmp = |f: &'static str, a: Option<String>, b: Option<String>| {
        if a != b {
            d.push((f, a, b));
        }
    };
    cmp("text", Some(old.text.clone()), Some(new.text.clone()));
    cmp(
        "value",
        value_of(&old.kind).map(|v| v.to_string()),
        value_of(&new.kind).map(|v| v.to_string()),
    );
    cmp(
        "target_year",
        Some(old.target_year.to_string()),
        Some(new.target_year.to_string()),
    );
    cmp(
        "baseline_year",
        old.baseline_year.map(|b| b.to_string()),
        new.baseline_year.map(|b| b.to_string()),
    );
    cmp("note", old.note.clone(), new.note.clone());
    d
}

fn revision(
    strategy: &str,
    target: &str,
    field: &str,
    old_value: Option<String>,
    new_value: Option<String>,
    user_id: Option<i64>,
    now: &str,
) -> TargetRevision {
    TargetRevision {
        strategy_id: strategy.to_string(),
        target_id: target.to_string(),
        field: field.to_string(),
        old_value,
        new_value,
        user_id,
        changed_at: now.to_string(),
    }
}

/// Replaces a target by `new` (same id): checks that the actor may write the strategy, that
/// the strategy stays valid (a problem comes back as [`Error::Fields`] naming the field),
/// and stores the change with one revision per changed field and an audit entry. Returns
/// whether anything changed.
pub fn save_target(conn: &mut Conn, actor: &Actor, id: &str, new: Target) -> Result<bool> {
    let mut strategy = open(conn, actor, id, Action::Write)?;
    let idx = strategy
        .targets
        .iter()
        .position(|t| t.id == new.id)
        .ok_or(Error::NotFound)?;
    let old = std::mem::replace(&mut strategy.targets[idx], new.clone());
    if let Some(p) = strategy
        .validate()
        .into_iter()
        .find(|p| p.item == etablera_domain::strategy::Item::Target(idx))
    {
        let field = match p.field {
            "baseline_year" | "target_year" | "value" => p.field,
            _ => "text",
        };
        return Err(Error::Fields(vec![(field.to_string(), p.problem)]));
    }
    let changes = diff(&old, &new);
    if changes.is_empty() {
        return Ok(false);
    }
    let now = now_utc();
    let user = actor.user_id();
    let revisions: Vec<TargetRevision> = changes
        .into_iter()
        .map(|(f, a, b)| revision(&strategy.id, &new.id, f, a, b, user, &now))
        .collect();
    let audit = AuditEntry::new(
        &now,
        user,
        "target.update",
        &format!("strategy:{}/target:{}", strategy.id, new.id),
        Some(&strategy.owner),
    )
    .change(
        serde_json::to_string(&old).ok(),
        serde_json::to_string(&new).ok(),
    );
    conn.store()
        .save_strategy_change(&strategy, &now, &revisions, Some(&audit))?;
    Ok(true)
}

/// Saves the strategists' analysis of a target for a year (1990–2100, at most 20 000
/// characters), with an audit entry holding the text before and after.
pub fn save_comment(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    target: &str,
    year: i32,
    body: &str,
) -> Result<TargetComment> {
    if !(1990..=2100).contains(&year) {
        return Err(Error::Fields(vec![(
            "year".into(),
            actor
                .t(
                    "Året saknas eller är fel (1990–2100).",
                    "The year is missing or wrong (1990–2100).",
                )
                .into(),
        )]));
    }
    if body.chars().count() > 20_000 {
        return Err(Error::Fields(vec![(
            "body".into(),
            actor
                .t(
                    "Analysen får vara högst 20 000 tecken.",
                    "The analysis may have at most 20,000 characters.",
                )
                .into(),
        )]));
    }
    let strategy = open(conn, actor, id, Action::Write)?;
    if !strategy.targets.iter().any(|t| t.id == target) {
        return Err(Error::NotFound);
    }
    let now = now_utc();
    let comment = TargetComment {
        strategy_id: id.to_string(),
        target_id: target.to_string(),
        year,
        body: body.trim().to_string(),
        author_id: actor.user_id(),
        updated_at: now.clone(),
    };
    let s = conn.store();
    let before = s.target_comment(id, target, year)?.map(|x| x.body);
    let audit = AuditEntry::new(
        &now,
        actor.user_id(),
        "target.comment",
        &format!("strategy:{id}/target:{target}/{year}"),
        Some(&strategy.owner),
    )
    .change(before, Some(comment.body.clone()));
    s.save_target_comment(&comment, &audit)?;
    Ok(comment)
}

/// What a change to a strategy reports for its audit entry: the object changed (after
/// `strategy:ID/`) and its text before and after.
#[derive(Debug)]
pub struct Changed {
    pub object: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Changes a strategy the actor may write with `change`, which refuses with a message in the
/// actor's language; the strategy must stay valid. Stores the change and an audit entry
/// `action` in one transaction.
pub fn change(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    action: &str,
    change: impl FnOnce(&mut Strategy) -> std::result::Result<Changed, String>,
) -> Result<()> {
    let mut strategy = open(conn, actor, id, Action::Write)?;
    let c = change(&mut strategy).map_err(Error::Input)?;
    let problems = strategy.validate();
    if !problems.is_empty() {
        return Err(Error::Input(
            problems
                .iter()
                .map(|p| p.problem.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    let now = now_utc();
    let audit = AuditEntry::new(
        &now,
        actor.user_id(),
        action,
        &format!("strategy:{}/{}", strategy.id, c.object),
        Some(&strategy.owner),
    )
    .change(c.before, c.after);
    conn.store()
        .save_strategy_change(&strategy, &now, &[], Some(&audit))?;
    Ok(())
}

/// Sets an activity's status and comment (at most 2 000 characters); returns the activity
/// as stored.
pub fn update_activity(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    activity: &str,
    status: etablera_domain::ActivityStatus,
    comment: Option<String>,
) -> Result<etablera_domain::Activity> {
    let comment = comment_field(actor, comment.as_deref())?;
    change_activity(conn, actor, id, "activity.update", activity, |a| {
        a.status = status;
        a.comment = comment;
    })
}

/// A comment on an activity or a report as a form gives it: trimmed, `None` when empty, at
/// most 2 000 characters (else a field error in the actor's language).
pub(crate) fn comment_field(actor: &Actor, comment: Option<&str>) -> Result<Option<String>> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 2000) {
        return Err(Error::Fields(vec![(
            "comment".into(),
            actor
                .t(
                    "Kommentaren får vara högst 2 000 tecken.",
                    "The comment may have at most 2,000 characters.",
                )
                .into(),
        )]));
    }
    Ok(comment.map(str::to_string))
}

/// Changes one activity with `edit` through [`change`], with its state before and after in
/// the audit entry; the activity as stored. `NotFound` when the strategy has no such one.
fn change_activity(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    action: &str,
    activity: &str,
    edit: impl FnOnce(&mut etablera_domain::Activity),
) -> Result<etablera_domain::Activity> {
    let mut saved = None;
    change(conn, actor, id, action, |s| {
        let a = s
            .activities
            .iter_mut()
            .find(|a| a.id == activity)
            .ok_or_else(|| format!("no activity `{activity}`"))?;
        let before = serde_json::to_string(&*a).ok();
        edit(a);
        saved = Some(a.clone());
        Ok(Changed {
            object: format!("activity:{activity}"),
            before,
            after: serde_json::to_string(&*a).ok(),
        })
    })
    .map_err(|e| match e {
        Error::Input(m) if m.starts_with("no activity") => Error::NotFound,
        other => other,
    })?;
    saved.ok_or(Error::NotFound)
}

/// An activity of the action plan as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub title: String,
    /// A goal of the strategy, or none.
    pub goal: Option<String>,
    /// The responsible department(s), as the round reads them ("Socialförvaltningen, IFO").
    pub responsible: String,
    pub year: String,
}

/// The checked fields of an activity form, or the fields that are wrong (in the actor's
/// language).
fn activity_fields(
    actor: &Actor,
    strategy: &etablera_domain::Strategy,
    input: &ActivityInput,
) -> Result<(String, Option<String>, String, i32)> {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = one_line(&input.title);
    let responsible = one_line(&input.responsible);
    let goal = input
        .goal
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_string);
    let mut bad = Vec::new();
    if title.is_empty() || title.chars().count() > 300 || title.chars().any(char::is_control) {
        bad.push((
            "title".to_string(),
            actor
                .t(
                    "Skriv aktiviteten (högst 300 tecken).",
                    "Write the activity (at most 300 characters).",
                )
                .to_string(),
        ));
    }
    if responsible.is_empty()
        || responsible.chars().count() > 200
        || responsible.chars().any(char::is_control)
    {
        bad.push((
            "responsible".to_string(),
            actor
                .t(
                    "Skriv den ansvariga förvaltningen (högst 200 tecken).",
                    "Write the responsible department (at most 200 characters).",
                )
                .to_string(),
        ));
    }
    let year = input
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y));
    if year.is_none() {
        bad.push((
            "year".to_string(),
            actor
                .t(
                    "Året saknas eller är fel (1990–2100).",
                    "The year is missing or wrong (1990–2100).",
                )
                .to_string(),
        ));
    }
    if goal.as_deref().is_some_and(|g| strategy.goal(g).is_none()) {
        bad.push((
            "goal".to_string(),
            actor
                .t(
                    "Välj ett av strategins mål.",
                    "Choose one of the strategy's goals.",
                )
                .to_string(),
        ));
    }
    match year {
        Some(year) if bad.is_empty() => Ok((title, goal, responsible, year)),
        _ => Err(Error::Fields(bad)),
    }
}

/// Adds an activity to the action plan (planned); its id is made from the year
/// ("hp-2026-3"). Returns the id.
pub fn add_activity(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    input: &ActivityInput,
) -> Result<String> {
    let strategy = open(conn, actor, id, Action::Write)?;
    let (title, goal, responsible, year) = activity_fields(actor, &strategy, input)?;
    let mut new_id = String::new();
    change(conn, actor, id, "activity.add", |s| {
        // The id is made from the strategy as it is changed, not as it was read.
        new_id = (1..)
            .map(|n| format!("hp-{year}-{n}"))
            .find(|c| !s.activities.iter().any(|a| &a.id == c))
            .unwrap_or_default();
        let activity = etablera_domain::Activity {
            id: new_id.clone(),
            title,
            goal,
            responsible,
            year,
            status: etablera_domain::ActivityStatus::Planned,
            comment: None,
        };
        let after = serde_json::to_string(&activity).ok();
        s.activities.push(activity);
        Ok(Changed {
            object: format!("activity:{new_id}"),
            before: None,
            after,
        })
    })?;
    Ok(new_id)
}

/// Changes an activity's title, goal, responsible department and year (its status and
/// comment are changed with [`update_activity`]).
pub fn edit_activity(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    activity: &str,
    input: &ActivityInput,
) -> Result<()> {
    let strategy = open(conn, actor, id, Action::Write)?;
    if !strategy.activities.iter().any(|a| a.id == activity) {
        return Err(Error::NotFound);
    }
    let (title, goal, responsible, year) = activity_fields(actor, &strategy, input)?;
    change_activity(conn, actor, id, "activity.edit", activity, |a| {
        a.title = title;
        a.goal = goal;
        a.responsible = responsible;
        a.year = year;
    })
    .map(|_| ())
}

/// Removes an activity entered by mistake (an activity that ends is set done or cancelled
/// with [`update_activity`] and stays in the plan); the audit entry keeps what it was.
pub fn remove_activity(conn: &mut Conn, actor: &Actor, id: &str, activity: &str) -> Result<()> {
    let strategy = open(conn, actor, id, Action::Write)?;
    if !strategy.activities.iter().any(|a| a.id == activity) {
        return Err(Error::NotFound);
    }
    change(conn, actor, id, "activity.remove", |s| {
        let i = s
            .activities
            .iter()
            .position(|a| a.id == activity)
            .ok_or_else(|| format!("no activity `{activity}`"))?;
        let removed = s.activities.remove(i);
        Ok(Changed {
            object: format!("activity:{activity}"),
            before: serde_json::to_string(&removed).ok(),
            after: None,
        })
    })
}

/// The strategy file (TOML) of a strategy the actor may read: (id, text).
pub fn export_file(conn: &mut Conn, actor: &Actor, id: &str) -> Result<(String, String)> {
    let strategy = open(conn, actor, id, Action::Read)?;
    let text = etablera_ingest::strategy_file::export(&strategy).map_err(Error::internal)?;
    Ok((strategy.id, text))
}

/// Replaces a strategy by an uploaded strategy file for the same strategy and municipality.
/// A file with errors comes back as [`Error::Lines`], one message per problem; nothing is
/// stored. Every target added, removed or changed gets its revisions; returns their number.
pub fn replace_from_file(conn: &mut Conn, actor: &Actor, id: &str, text: &str) -> Result<usize> {
    let old = open(conn, actor, id, Action::Write)?;
    let units = units_of(conn.store())?;
    let known: HashSet<_> = conn
        .store()
        .indicators()?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let new = etablera_ingest::strategy_file::load("strategi.toml", text, &units, Some(&known))
        .map_err(|errs| Error::Lines(errs.0.iter().map(|e| e.to_string()).collect()))?;
    if new.id != old.id || new.owner != old.owner {
        return Err(Error::Lines(vec![format!(
            "{} `{}` ({})",
            actor.t(
                "Filen måste gälla samma strategi och kommun:",
                "The file must be for the same strategy and municipality:"
            ),
            old.id,
            old.owner
        )]));
    }
    let now = now_utc();
    let user = actor.user_id();
    let mut revisions = Vec::new();
    for nt in &new.targets {
        match old.targets.iter().find(|o| o.id == nt.id) {
            Some(ot) => revisions.extend(
                diff(ot, nt)
                    .into_iter()
                    .map(|(f, a, b)| revision(&new.id, &nt.id, f, a, b, user, &now)),
            ),
            None => revisions.push(revision(
                &new.id,
                &nt.id,
                "target",
                None,
                Some(nt.text.clone()),
                user,
                &now,
            )),
        }
    }
    for ot in old
        .targets
        .iter()
        .filter(|o| !new.targets.iter().any(|n| n.id == o.id))
    {
        revisions.push(revision(
            &new.id,
            &ot.id,
            "target",
            Some(ot.text.clone()),
            None,
            user,
            &now,
        ));
    }
    let audit = AuditEntry::new(
        &now,
        user,
        "strategy.upload",
        &format!("strategy:{}", new.id),
        Some(&new.owner),
    )
    .change(
        serde_json::to_string(&old).ok(),
        serde_json::to_string(&new).ok(),
    );
    conn.store()
        .save_strategy_change(&new, &now, &revisions, Some(&audit))?;
    Ok(revisions.len())
}

/// A strategy's follow-up beside a comparison group: the run for `year` (the latest year
/// with data when `None`) and the groups to choose from. An unknown group is refused in the
/// actor's language.
pub fn compare(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
    year: Option<i32>,
    group: Option<&str>,
) -> Result<(FollowUpRun, Vec<etablera_domain::UnitGroup>, i32)> {
    let allowed = check(conn, actor, id, Action::Read)?;
    let groups = conn.store().groups()?;
    if let Some(g) = group {
        if !groups.iter().any(|x| x.code.to_string() == g) {
            return Err(Error::Fields(vec![(
                "group".into(),
                format!(
                    "{} `{g}`",
                    actor.t("Okänd jämförelsegrupp", "Unknown comparison group")
                ),
            )]));
        }
    }
    let y = match year {
        Some(y) => y,
        None => latest_year(&follow_up(conn, &allowed, 2100, group, None, None)?),
    };
    let run = follow_up(conn, &allowed, y, group, None, None)?;
    Ok((run, groups, y))
}
