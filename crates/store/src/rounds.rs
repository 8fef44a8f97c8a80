//! The yearly reporting round's rows: departments and their reporters, rounds, each
//! department's task, and the board's adoptions with the documents' bytes. SQL written once
//! for both databases. Every state change is a compare-and-set (`where state = $old`), so
//! two reviewers acting at once cannot both move the same task: the second finds nothing
//! changed and is told so ([`StoreError::Conflict`]).

use crate::backend::{p, Backend, Get, Sql};
use crate::shared::insert_audit;
use crate::{AuditEntry, Result, StoreError};
use etablera_domain::round::{RoundState, TaskState};
use etablera_domain::UnitCode;

/// A department (förvaltning) of a municipality.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Department {
    pub id: i64,
    pub unit: UnitCode,
    pub name: String,
}

/// A round of a strategy's yearly follow-up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoundRow {
    pub id: i64,
    pub strategy_id: String,
    pub year: i32,
    /// The deadline for the departments' reports (YYYY-MM-DD).
    pub deadline: String,
    /// The ids of the activities the round asks about, fixed when it opened.
    pub activities: Vec<String>,
    pub state: RoundState,
    pub opened_at: String,
    pub approved_at: Option<String>,
}

/// A department's task in a round.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskRow {
    pub round_id: i64,
    pub department: Department,
    pub state: TaskState,
    /// The strategist's comment when the report was returned.
    pub review_comment: Option<String>,
    pub submitted_at: Option<String>,
    pub reviewed_at: Option<String>,
}

/// An adoption by the board: the decision, the time the follow-up is frozen at, and the
/// documents as they were handed to the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionRow {
    pub id: i64,
    pub round_id: i64,
    pub body: String,
    pub decided_on: String,
    pub reference: String,
    pub diarienummer: String,
    /// The as-of time of the frozen follow-up (and when it was recorded).
    pub adopted_at: String,
    pub adopted_by: Option<i64>,
    pub strategy_version: i64,
    /// The data version ([`crate::Store::batches_version`]) at adoption.
    pub data_version: String,
    pub pdf: Vec<u8>,
    pub pdf_sha256: String,
    pub docx: Vec<u8>,
    pub docx_sha256: String,
    pub reopened_at: Option<String>,
    pub reopen_reason: Option<String>,
}

fn unit(s: &str) -> Result<UnitCode> {
    UnitCode::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} `{v}`"))
}

pub(crate) fn departments(db: &mut dyn Sql, owner: &UnitCode) -> Result<Vec<Department>> {
    db.all(
        "select id, unit_code, name from department where unit_code = $1 order by name",
        p![owner.as_str()],
        |r| {
            Ok(Department {
                id: r.int(0)?,
                unit: unit(&r.text(1)?)?,
                name: r.text(2)?,
            })
        },
    )
}

/// Makes the departments named that do not exist yet; all of them, in the order named.
pub(crate) fn ensure_departments(
    b: &mut (impl Backend + ?Sized),
    owner: &UnitCode,
    names: &[String],
    now: &str,
) -> Result<Vec<Department>> {
    let mut out = Vec::new();
    b.in_tx(&mut |db| {
        out.clear();
        for n in names {
            db.exec(
                "insert into department (unit_code, name, created_at) values ($1, $2, $3) on conflict (unit_code, name) do nothing",
                p![owner.as_str(), n, now],
            )?;
        }
        let all = departments(db, owner)?;
        for n in names {
            if let Some(d) = all.iter().find(|d| &d.name == n) {
                out.push(d.clone());
            }
        }
        Ok(())
    })?;
    Ok(out)
}

pub(crate) fn set_reporter(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    department_id: i64,
    on: bool,
    audit: &AuditEntry,
) -> Result<()> {
    b.in_tx(&mut |db| {
        if on {
            db.exec(
                "insert into department_reporter (user_id, department_id) values ($1, $2) on conflict (user_id, department_id) do nothing",
                p![user_id, department_id],
            )?;
        } else {
            db.exec(
                "delete from department_reporter where user_id = $1 and department_id = $2",
                p![user_id, department_id],
            )?;
        }
        insert_audit(db, audit)
    })
}

/// The departments a user reports for.
pub(crate) fn reporter_of(db: &mut dyn Sql, user_id: i64) -> Result<Vec<Department>> {
    db.all(
        "select d.id, d.unit_code, d.name from department_reporter r join department d on d.id = r.department_id
         where r.user_id = $1 order by d.unit_code, d.name",
        p![user_id],
        |r| {
            Ok(Department {
                id: r.int(0)?,
                unit: unit(&r.text(1)?)?,
                name: r.text(2)?,
            })
        },
    )
}

const ROUND_SELECT: &str =
    "select id, strategy_id, year, deadline, state, opened_at, approved_at, activities from report_round";

fn round_row(r: &dyn Get) -> Result<RoundRow> {
    let state = r.text(4)?;
    Ok(RoundRow {
        id: r.int(0)?,
        strategy_id: r.text(1)?,
        year: r.int4(2)?,
        deadline: r.text(3)?,
        state: RoundState::parse(&state).ok_or_else(|| corrupt("round state", &state))?,
        opened_at: r.text(5)?,
        approved_at: r.opt_text(6)?,
        activities: serde_json::from_str(&r.text(7)?)
            .map_err(|e| StoreError::Corrupt(format!("a round's activities: {e}")))?,
    })
}

pub(crate) fn rounds(db: &mut dyn Sql, strategy_id: &str) -> Result<Vec<RoundRow>> {
    db.all(
        &format!("{ROUND_SELECT} where strategy_id = $1 order by year desc"),
        p![strategy_id],
        round_row,
    )
}

pub(crate) fn open_rounds(db: &mut dyn Sql) -> Result<Vec<RoundRow>> {
    db.all(
        &format!("{ROUND_SELECT} where state = 'open' order by id"),
        &[],
        round_row,
    )
}

pub(crate) fn round(db: &mut dyn Sql, strategy_id: &str, year: i32) -> Result<Option<RoundRow>> {
    db.opt(
        &format!("{ROUND_SELECT} where strategy_id = $1 and year = $2"),
        p![strategy_id, year],
        round_row,
    )
}

/// Opens a round with a task for each department; `Conflict` when the strategy already has
/// a round for the year.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_round(
    b: &mut (impl Backend + ?Sized),
    strategy_id: &str,
    year: i32,
    deadline: &str,
    activities: &[String],
    departments: &[i64],
    now: &str,
    by: i64,
    audit: &AuditEntry,
) -> Result<i64> {
    let activities =
        serde_json::to_string(activities).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut id = 0;
    b.in_tx(&mut |db| {
        if round(db, strategy_id, year)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "the strategy already has a round for {year}"
            )));
        }
        db.exec(
            "insert into report_round (strategy_id, year, deadline, activities, state, opened_at, opened_by) values ($1, $2, $3, $4, 'open', $5, $6)",
            p![strategy_id, year, deadline, &activities, now, by],
        )
        .map_err(|e| {
            // Two openings at once: the second finds the year taken.
            if crate::backend::is_unique_violation(&e) {
                StoreError::Conflict(format!("the strategy already has a round for {year}"))
            } else {
                e
            }
        })?;
        id = round(db, strategy_id, year)?
            .ok_or_else(|| StoreError::Corrupt("the round just made is gone".into()))?
            .id;
        for d in departments {
            db.exec(
                "insert into round_task (round_id, department_id, state) values ($1, $2, 'open')",
                p![id, *d],
            )?;
        }
        insert_audit(db, audit)
    })?;
    Ok(id)
}

pub(crate) fn tasks(db: &mut dyn Sql, round_id: i64) -> Result<Vec<TaskRow>> {
    db.all(
        "select t.round_id, d.id, d.unit_code, d.name, t.state, t.review_comment, t.submitted_at, t.reviewed_at
         from round_task t join department d on d.id = t.department_id
         where t.round_id = $1 order by d.name",
        p![round_id],
        |r| {
            let state = r.text(4)?;
            Ok(TaskRow {
                round_id: r.int(0)?,
                department: Department {
                    id: r.int(1)?,
                    unit: unit(&r.text(2)?)?,
                    name: r.text(3)?,
                },
                state: TaskState::parse(&state).ok_or_else(|| corrupt("task state", &state))?,
                review_comment: r.opt_text(5)?,
                submitted_at: r.opt_text(6)?,
                reviewed_at: r.opt_text(7)?,
            })
        },
    )
}

/// Moves a task from `from` to `to` (submitted or reviewed by `by` at `now`) if it still
/// stands at `from`, with the messages it sends and the audit entry, in one transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn move_task(
    b: &mut (impl Backend + ?Sized),
    round_id: i64,
    department_id: i64,
    from: TaskState,
    to: TaskState,
    comment: Option<&str>,
    now: &str,
    by: i64,
    mail: &[crate::mail::NewMessage],
    audit: &AuditEntry,
) -> Result<()> {
    let sql = if to == TaskState::Submitted {
        "update round_task set state = $1, review_comment = $2, submitted_at = $3, submitted_by = $4
         where round_id = $5 and department_id = $6 and state = $7"
    } else {
        "update round_task set state = $1, review_comment = $2, reviewed_at = $3, reviewed_by = $4
         where round_id = $5 and department_id = $6 and state = $7"
    };
    // A submitted report keeps the comment it was returned with, for the reviewer to see.
    let keep;
    let comment = if to == TaskState::Submitted {
        keep = b.sql().opt(
            "select review_comment from round_task where round_id = $1 and department_id = $2",
            p![round_id, department_id],
            |r| r.opt_text(0),
        )?;
        keep.flatten()
    } else {
        comment.map(str::to_string)
    };
    b.in_tx(&mut |db| {
        let n = db.exec(
            sql,
            p![
                to.as_str(),
                &comment,
                now,
                by,
                round_id,
                department_id,
                from.as_str()
            ],
        )?;
        if n != 1 {
            return Err(StoreError::Conflict("the task changed meanwhile".into()));
        }
        crate::mail::enqueue(db, mail, now)?;
        insert_audit(db, audit)
    })
}

/// Stores a department's report on an activity: the changed strategy, if the stored one is
/// still `before` (the strategy's row is locked first, so on PostgreSQL a second report at
/// the same moment waits and then finds it changed) and the department's task is still open
/// or returned in an open round; with the audit entry, in one transaction. `Conflict` when
/// either has moved.
#[allow(clippy::too_many_arguments)]
pub(crate) fn save_report(
    b: &mut (impl Backend + ?Sized),
    before: &etablera_domain::Strategy,
    after: &etablera_domain::Strategy,
    updated_at: &str,
    round_id: i64,
    department_id: i64,
    audit: &AuditEntry,
) -> Result<()> {
    let doc = serde_json::to_string(after).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    b.in_tx(&mut |db| {
        db.exec(
            "update strategy set updated_at = updated_at where id = $1",
            p![&after.id],
        )?;
        let stored = db.opt(
            "select document from strategy where id = $1",
            p![&after.id],
            |r| r.text(0),
        )?;
        let same = stored
            .and_then(|d| serde_json::from_str::<etablera_domain::Strategy>(&d).ok())
            .is_some_and(|s| &s == before);
        if !same {
            return Err(StoreError::Conflict(
                "the strategy changed meanwhile".into(),
            ));
        }
        let task = db.opt(
            "select t.state from round_task t join report_round r on r.id = t.round_id
             where t.round_id = $1 and t.department_id = $2 and r.state = 'open'",
            p![round_id, department_id],
            |r| r.text(0),
        )?;
        if !matches!(task.as_deref(), Some("open" | "returned")) {
            return Err(StoreError::Conflict("the task changed meanwhile".into()));
        }
        crate::shared::write_strategy_change(db, after, &doc, updated_at, &[], Some(audit))
    })
}

/// Moves a round from `from` to `to` if it still stands at `from`, with the audit entry.
pub(crate) fn move_round(
    b: &mut (impl Backend + ?Sized),
    round_id: i64,
    from: RoundState,
    to: RoundState,
    now: &str,
    by: i64,
    audit: &AuditEntry,
) -> Result<()> {
    b.in_tx(&mut |db| {
        let n = set_round_state(db, round_id, from, to, now, by)?;
        if n != 1 {
            return Err(StoreError::Conflict("the round changed meanwhile".into()));
        }
        insert_audit(db, audit)
    })
}

fn set_round_state(
    db: &mut dyn Sql,
    round_id: i64,
    from: RoundState,
    to: RoundState,
    now: &str,
    by: i64,
) -> Result<u64> {
    let (at, who) = if to == RoundState::Approved {
        (Some(now), Some(by))
    } else if to == RoundState::Open {
        (None, None)
    } else {
        // Adopted keeps when and by whom it was approved.
        return db.exec(
            "update report_round set state = $1 where id = $2 and state = $3",
            p![to.as_str(), round_id, from.as_str()],
        );
    };
    db.exec(
        "update report_round set state = $1, approved_at = $2, approved_by = $3 where id = $4 and state = $5",
        p![to.as_str(), at, who, round_id, from.as_str()],
    )
}

/// Records the board's adoption of an approved round, in one transaction with the round's
/// move to adopted and the audit entry.
pub(crate) fn adopt(
    b: &mut (impl Backend + ?Sized),
    a: &AdoptionRow,
    audit: &AuditEntry,
) -> Result<()> {
    b.in_tx(&mut |db| {
        let n = set_round_state(
            db,
            a.round_id,
            RoundState::Approved,
            RoundState::Adopted,
            &a.adopted_at,
            a.adopted_by.unwrap_or(0),
        )?;
        if n != 1 {
            return Err(StoreError::Conflict("the round changed meanwhile".into()));
        }
        db.exec(
            "insert into adoption (round_id, body, decided_on, reference, diarienummer, adopted_at, adopted_by,
               strategy_version, data_version, pdf, pdf_sha256, docx, docx_sha256)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            p![
                a.round_id,
                &a.body,
                &a.decided_on,
                &a.reference,
                &a.diarienummer,
                &a.adopted_at,
                a.adopted_by,
                a.strategy_version,
                &a.data_version,
                Some(a.pdf.as_slice()),
                &a.pdf_sha256,
                Some(a.docx.as_slice()),
                &a.docx_sha256
            ],
        )?;
        insert_audit(db, audit)
    })
}

/// Reopens an approved or adopted round: the adoption in force (if any) is marked reopened
/// with who and why; it stays stored.
pub(crate) fn reopen(
    b: &mut (impl Backend + ?Sized),
    round_id: i64,
    from: RoundState,
    reason: &str,
    now: &str,
    by: i64,
    audit: &AuditEntry,
) -> Result<()> {
    b.in_tx(&mut |db| {
        let n = set_round_state(db, round_id, from, RoundState::Open, now, by)?;
        if n != 1 {
            return Err(StoreError::Conflict("the round changed meanwhile".into()));
        }
        db.exec(
            "update adoption set reopened_at = $1, reopened_by = $2, reopen_reason = $3 where round_id = $4 and reopened_at is null",
            p![now, by, reason, round_id],
        )?;
        insert_audit(db, audit)
    })
}

/// An adoption's columns but its documents' bytes (which follow as `pdf, docx` when read).
const ADOPTION_COLUMNS: &str =
    "id, round_id, body, decided_on, reference, diarienummer, adopted_at, adopted_by,
    strategy_version, data_version, pdf_sha256, docx_sha256, reopened_at, reopen_reason";

fn adoption_row(r: &dyn Get, with_bytes: bool) -> Result<AdoptionRow> {
    let bytes = |i| {
        if with_bytes {
            r.bytes(i)
        } else {
            Ok(Vec::new())
        }
    };
    Ok(AdoptionRow {
        id: r.int(0)?,
        round_id: r.int(1)?,
        body: r.text(2)?,
        decided_on: r.text(3)?,
        reference: r.text(4)?,
        diarienummer: r.text(5)?,
        adopted_at: r.text(6)?,
        adopted_by: r.opt_int(7)?,
        strategy_version: r.int(8)?,
        data_version: r.text(9)?,
        pdf_sha256: r.text(10)?,
        docx_sha256: r.text(11)?,
        reopened_at: r.opt_text(12)?,
        reopen_reason: r.opt_text(13)?,
        pdf: bytes(14)?,
        docx: bytes(15)?,
    })
}

/// The adoption in force of a round, with its documents' bytes, or (`with_bytes` false, for
/// a page) with empty ones: a page view never reads the documents.
pub(crate) fn adoption_in_force(
    db: &mut dyn Sql,
    round_id: i64,
    with_bytes: bool,
) -> Result<Option<AdoptionRow>> {
    let columns = if with_bytes {
        format!("{ADOPTION_COLUMNS}, pdf, docx")
    } else {
        ADOPTION_COLUMNS.to_string()
    };
    db.opt(
        &format!(
            "select {columns} from adoption where round_id = $1 and reopened_at is null order by id desc limit 1"
        ),
        p![round_id],
        |r| adoption_row(r, with_bytes),
    )
}

/// Every adoption of a round, the newest first (the one in force has no `reopened_at`).
pub(crate) fn adoptions(db: &mut dyn Sql, round_id: i64) -> Result<Vec<AdoptionRow>> {
    db.all(
        &format!("select {ADOPTION_COLUMNS}, pdf, docx from adoption where round_id = $1 order by id desc"),
        p![round_id],
        |r| adoption_row(r, true),
    )
}

/// The newest version number of a strategy (0 when it has none).
pub(crate) fn strategy_version(db: &mut dyn Sql, strategy_id: &str) -> Result<i64> {
    db.one(
        "select cast(coalesce(max(version), 0) as bigint) from strategy_version where strategy_id = $1",
        p![strategy_id],
        |r| r.int(0),
    )
}
