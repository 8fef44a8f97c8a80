//! The yearly reporting round of a strategy's follow-up, as municipalities run it: the
//! strategist opens a round with a deadline, each responsible department reports on its
//! activities and submits, the strategist returns a report with a comment or accepts it,
//! approves the whole follow-up, and the municipal board adopts it with a decision
//! reference. An approved or adopted round is reopened only by an administrator, with a
//! reason.
//!
//! This module holds the rules only (which step may follow which, what a decision must
//! say); the use-case layer stores the states and writes the audit entries.
//!
//! ```
//! use etablera_domain::round::{RoundState, TaskState};
//! let t = TaskState::Open.submit().unwrap();
//! let t = t.review(false, Some("Saknar kommentar om praktikplatser")).unwrap();
//! assert_eq!(t, TaskState::Returned);
//! let t = t.submit().unwrap().review(true, None).unwrap();
//! let r = RoundState::Open.approve(&[t]).unwrap();
//! assert_eq!(r, RoundState::Approved);
//! assert!(RoundState::Open.approve(&[TaskState::Submitted]).is_err());
//! ```

use crate::{Date, Lang};
use serde::{Deserialize, Serialize};

/// The departments an activity's `responsible` text names. Before a comma is the
/// department, after it a unit of it ("Kommunledningsförvaltningen, HR" is the
/// Kommunledningsförvaltningen's); several departments are separated by `;`, `/` or
/// " samt ". Whitespace is collapsed; the same department twice (any case) counts once.
///
/// ```
/// use etablera_domain::round::departments_named;
/// assert_eq!(departments_named("Kommunledningsförvaltningen, HR"), ["Kommunledningsförvaltningen"]);
/// assert_eq!(departments_named(" Socialförvaltningen /  Kultur- och fritidsförvaltningen"),
///            ["Socialförvaltningen", "Kultur- och fritidsförvaltningen"]);
/// assert!(departments_named(" , ").is_empty());
/// ```
pub fn departments_named(responsible: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let spaced = responsible.replace(" samt ", ";");
    for part in spaced.split([';', '/', '\n']) {
        let head = part.split(',').next().unwrap_or("");
        let name = head
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .filter(|c| !c.is_control())
            .take(DEPARTMENT_NAME_MAX)
            .collect::<String>();
        if name.is_empty() || out.iter().any(|o| o.to_lowercase() == name.to_lowercase()) {
            continue;
        }
        out.push(name);
    }
    out
}

/// The longest department name kept (characters).
pub const DEPARTMENT_NAME_MAX: usize = 120;

/// Where one department's task in a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Not yet submitted: the department's reporters fill it in.
    Open,
    /// Submitted, waiting for the strategist's review.
    Submitted,
    /// Returned by the strategist with a comment: the department fills it in again.
    Returned,
    /// Accepted by the strategist.
    Accepted,
}

impl TaskState {
    pub const ALL: [TaskState; 4] = [
        TaskState::Open,
        TaskState::Submitted,
        TaskState::Returned,
        TaskState::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Submitted => "submitted",
            TaskState::Returned => "returned",
            TaskState::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            TaskState::Open => lang.pick("ej inlämnad", "not submitted"),
            TaskState::Submitted => lang.pick("inlämnad", "submitted"),
            TaskState::Returned => lang.pick("återsänd", "returned"),
            TaskState::Accepted => lang.pick("godtagen", "accepted"),
        }
    }

    /// Whether the department may still change its report.
    pub fn editable(self) -> bool {
        matches!(self, TaskState::Open | TaskState::Returned)
    }

    /// The department submits its report.
    pub fn submit(self) -> Result<TaskState, RoundError> {
        if self.editable() {
            Ok(TaskState::Submitted)
        } else {
            Err(RoundError::TaskNotEditable(self))
        }
    }

    /// The strategist accepts a submitted report, or returns it with a comment: a submitted
    /// one, or an accepted one in a round that was reopened (to have it corrected).
    pub fn review(self, accept: bool, comment: Option<&str>) -> Result<TaskState, RoundError> {
        let may = match accept {
            true => self == TaskState::Submitted,
            false => matches!(self, TaskState::Submitted | TaskState::Accepted),
        };
        if !may {
            return Err(RoundError::TaskNotSubmitted(self));
        }
        if accept {
            return Ok(TaskState::Accepted);
        }
        match comment.map(str::trim) {
            Some(c) if !c.is_empty() => Ok(TaskState::Returned),
            _ => Err(RoundError::ReturnNeedsComment),
        }
    }
}

/// Where a round stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    /// Departments report; the strategist reviews and writes the analysis.
    Open,
    /// The strategist has approved the follow-up; it waits for the board.
    Approved,
    /// Adopted by the board: frozen.
    Adopted,
}

impl RoundState {
    pub const ALL: [RoundState; 3] = [RoundState::Open, RoundState::Approved, RoundState::Adopted];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundState::Open => "open",
            RoundState::Approved => "approved",
            RoundState::Adopted => "adopted",
        }
    }

    pub fn parse(s: &str) -> Option<RoundState> {
        RoundState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The strategist approves: every department's report must be accepted.
    pub fn approve(self, tasks: &[TaskState]) -> Result<RoundState, RoundError> {
        if self != RoundState::Open {
            return Err(RoundError::NotOpen(self));
        }
        let accepted = tasks.iter().filter(|t| **t == TaskState::Accepted).count();
        if accepted < tasks.len() {
            return Err(RoundError::NotAllAccepted {
                accepted,
                of: tasks.len(),
            });
        }
        Ok(RoundState::Approved)
    }

    /// The board adopts an approved follow-up.
    pub fn adopt(self) -> Result<RoundState, RoundError> {
        match self {
            RoundState::Approved => Ok(RoundState::Adopted),
            other => Err(RoundError::NotApproved(other)),
        }
    }

    /// An administrator reopens an approved or adopted round, giving a reason.
    pub fn reopen(self, reason: &str) -> Result<RoundState, RoundError> {
        if self == RoundState::Open {
            return Err(RoundError::AlreadyOpen);
        }
        if reason.trim().is_empty() {
            return Err(RoundError::ReopenNeedsReason);
        }
        Ok(RoundState::Open)
    }
}

/// How far a round has come, for the progress at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    pub open: usize,
    pub submitted: usize,
    pub returned: usize,
    pub accepted: usize,
}

impl Progress {
    pub fn of(tasks: &[TaskState]) -> Progress {
        let mut p = Progress::default();
        for t in tasks {
            match t {
                TaskState::Open => p.open += 1,
                TaskState::Submitted => p.submitted += 1,
                TaskState::Returned => p.returned += 1,
                TaskState::Accepted => p.accepted += 1,
            }
        }
        p
    }

    pub fn total(&self) -> usize {
        self.open + self.submitted + self.returned + self.accepted
    }

    /// The round's phase as a reader names it: open, every department submitted,
    /// reviewed (all accepted), approved, adopted.
    pub fn phase(&self, state: RoundState, lang: Lang) -> &'static str {
        match state {
            RoundState::Adopted => lang.pick("antagen", "adopted"),
            RoundState::Approved => lang.pick("godkänd av strategen", "approved by the strategist"),
            RoundState::Open if self.accepted == self.total() => lang.pick("granskad", "reviewed"),
            RoundState::Open if self.open + self.returned == 0 => lang.pick(
                "alla förvaltningar har rapporterat",
                "every department has reported",
            ),
            RoundState::Open => lang.pick("öppen", "open"),
        }
    }
}

/// The board's decision that adopts a follow-up: the body, the date of the meeting, the
/// decision reference ("KS 2025-03-12 § 45") and the diarienummer ("KS 2025/123").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub body: String,
    pub date: Date,
    pub reference: String,
    pub diarienummer: String,
}

/// The longest text of a decision's fields (characters).
pub const DECISION_FIELD_MAX: usize = 80;

impl Decision {
    /// Checks each field; the errors name the field (`body`, `date`, `reference`,
    /// `diarienummer`). The reference must carry a paragraph number ("§ 45"), the
    /// diarienummer a digit.
    pub fn new(
        body: &str,
        date: &str,
        reference: &str,
        diarienummer: &str,
    ) -> Result<Decision, Vec<(&'static str, RoundError)>> {
        let mut errs = Vec::new();
        let mut text = |field: &'static str, s: &str| {
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if s.is_empty() {
                errs.push((field, RoundError::Missing(field)));
            } else if s.chars().count() > DECISION_FIELD_MAX || s.chars().any(char::is_control) {
                errs.push((field, RoundError::TooLong(field)));
            }
            s
        };
        let body = text("body", body);
        let reference = text("reference", reference);
        let diarienummer = text("diarienummer", diarienummer);
        if !reference.is_empty() && paragraph(&reference).is_none() {
            errs.push(("reference", RoundError::NoParagraph));
        }
        if !diarienummer.is_empty() && !diarienummer.chars().any(|c| c.is_ascii_digit()) {
            errs.push(("diarienummer", RoundError::NoDigit));
        }
        let date = match Date::parse(date.trim()) {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(("date", RoundError::BadDate));
                None
            }
        };
        match date {
            Some(date) if errs.is_empty() => Ok(Decision {
                body,
                date,
                reference,
                diarienummer,
            }),
            _ => Err(errs),
        }
    }
}

/// The paragraph number of a decision reference: "KS 2025-03-12 § 45" → 45.
pub fn paragraph(reference: &str) -> Option<u32> {
    let after = reference.split('§').nth(1)?;
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok().filter(|n| *n > 0)
}

/// Why a step of a round is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoundError {
    #[error("the round is {0:?}, not open")]
    NotOpen(RoundState),
    #[error("the task is {0:?} and cannot be changed")]
    TaskNotEditable(TaskState),
    #[error("the task is {0:?}, not submitted")]
    TaskNotSubmitted(TaskState),
    #[error("a returned report needs a comment")]
    ReturnNeedsComment,
    #[error("{accepted} of {of} reports are accepted")]
    NotAllAccepted { accepted: usize, of: usize },
    #[error("the round is {0:?}, not approved")]
    NotApproved(RoundState),
    #[error("the round is already open")]
    AlreadyOpen,
    #[error("reopening needs a reason")]
    ReopenNeedsReason,
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{0} is too long or holds control characters")]
    TooLong(&'static str),
    #[error("the decision reference has no paragraph number")]
    NoParagraph,
    #[error("the diarienummer has no digit")]
    NoDigit,
    #[error("the date is not a date (YYYY-MM-DD)")]
    BadDate,
}

impl RoundError {
    /// The refusal in the reader's language.
    pub fn message(&self, lang: Lang) -> String {
        let sv = match self {
            RoundError::NotOpen(RoundState::Approved) => {
                "Omgången är godkänd och kan inte ändras utan att öppnas igen.".to_string()
            }
            RoundError::NotOpen(_) => {
                "Uppföljningen är antagen och låst; en administratör kan öppna den igen.".into()
            }
            RoundError::TaskNotEditable(t) => {
                format!("Rapporten är {} och kan inte ändras.", t.label(Lang::Sv))
            }
            RoundError::TaskNotSubmitted(t) => {
                format!(
                    "Rapporten är {} – bara en inlämnad rapport granskas.",
                    t.label(Lang::Sv)
                )
            }
            RoundError::ReturnNeedsComment => {
                "Skriv en kommentar om vad förvaltningen ska komplettera.".into()
            }
            RoundError::NotAllAccepted { accepted, of } => format!(
                "{accepted} av {of} förvaltningars rapporter är godtagna; alla ska vara det."
            ),
            RoundError::NotApproved(_) => {
                "Bara en uppföljning som strategen godkänt kan antas.".into()
            }
            RoundError::AlreadyOpen => "Omgången är redan öppen.".into(),
            RoundError::ReopenNeedsReason => "Ange skälet till att omgången öppnas igen.".into(),
            RoundError::Missing(f) => format!("{} saknas.", field_sv(f)),
            RoundError::TooLong(f) => format!(
                "{} får vara högst {DECISION_FIELD_MAX} tecken utan styrtecken.",
                field_sv(f)
            ),
            RoundError::NoParagraph => {
                "Beslutsreferensen ska ha en paragraf, till exempel ”KS 2025-03-12 § 45”.".into()
            }
            RoundError::NoDigit => {
                "Diarienumret ska ha ett nummer, till exempel ”KS 2025/123”.".into()
            }
            RoundError::BadDate => "Datumet ska skrivas ÅÅÅÅ-MM-DD.".into(),
        };
        match lang {
            Lang::Sv => sv,
            Lang::En => match self {
                RoundError::NotOpen(RoundState::Approved) => {
                    "The round is approved and cannot change unless reopened.".into()
                }
                RoundError::NotOpen(_) => {
                    "The follow-up is adopted and locked; an administrator can reopen it.".into()
                }
                RoundError::TaskNotEditable(t) => {
                    format!("The report is {} and cannot change.", t.label(Lang::En))
                }
                RoundError::TaskNotSubmitted(t) => format!(
                    "The report is {}: only a submitted report is reviewed.",
                    t.label(Lang::En)
                ),
                RoundError::ReturnNeedsComment => {
                    "Write a comment on what the department is to add.".into()
                }
                RoundError::NotAllAccepted { accepted, of } => {
                    format!("{accepted} of {of} departments' reports are accepted; all must be.")
                }
                RoundError::NotApproved(_) => {
                    "Only a follow-up the strategist has approved can be adopted.".into()
                }
                RoundError::AlreadyOpen => "The round is already open.".into(),
                RoundError::ReopenNeedsReason => "Give the reason for reopening the round.".into(),
                RoundError::Missing(f) => format!("The {} is missing.", field_en(f)),
                RoundError::TooLong(f) => format!(
                    "The {} may have at most {DECISION_FIELD_MAX} characters and no control characters.",
                    field_en(f)
                ),
                RoundError::NoParagraph => {
                    "The decision reference needs a paragraph, e.g. \"KS 2025-03-12 § 45\".".into()
                }
                RoundError::NoDigit => {
                    "The diarienummer needs a number, e.g. \"KS 2025/123\".".into()
                }
                RoundError::BadDate => "Write the date as YYYY-MM-DD.".into(),
            },
        }
    }
}

fn field_sv(f: &str) -> &'static str {
    match f {
        "body" => "Beslutande organ",
        "reference" => "Beslutsreferensen",
        "diarienummer" => "Diarienumret",
        _ => "Fältet",
    }
}

fn field_en(f: &str) -> &'static str {
    match f {
        "body" => "deciding body",
        "reference" => "decision reference",
        "diarienummer" => "diarienummer",
        _ => "field",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responsible_texts_of_the_seed_strategies_map_to_departments() {
        assert_eq!(
            departments_named("Upphandlingsenheten"),
            ["Upphandlingsenheten"]
        );
        assert_eq!(
            departments_named("Kommunledningsförvaltningen, HR"),
            ["Kommunledningsförvaltningen"]
        );
        assert_eq!(
            departments_named(
                "Socialförvaltningen samt Barn- och utbildningsförvaltningen; socialförvaltningen"
            ),
            ["Socialförvaltningen", "Barn- och utbildningsförvaltningen"]
        );
        // Hostile text: control characters dropped, length bounded.
        let long = "Å".repeat(10_000);
        assert_eq!(
            departments_named(&long)[0].chars().count(),
            DEPARTMENT_NAME_MAX
        );
        assert_eq!(departments_named("Fastighet\u{7}\u{0}"), ["Fastighet"]);
    }

    #[test]
    fn a_task_goes_open_submitted_returned_submitted_accepted() {
        let t = TaskState::Open;
        assert_eq!(t.review(true, None), Err(RoundError::TaskNotSubmitted(t)));
        let t = t.submit().unwrap();
        assert_eq!(t.submit(), Err(RoundError::TaskNotEditable(t)));
        assert_eq!(
            t.review(false, Some("  ")),
            Err(RoundError::ReturnNeedsComment)
        );
        let t = t.review(false, Some("Komplettera")).unwrap();
        assert!(t.editable());
        let t = t.submit().unwrap().review(true, None).unwrap();
        assert_eq!(t, TaskState::Accepted);
        assert!(!t.editable());
        assert!(t.submit().is_err());
        assert!(t.review(true, None).is_err());
        // An accepted report is returned again once its round is reopened.
        assert_eq!(t.review(false, Some("Fel siffra")), Ok(TaskState::Returned));
        assert_eq!(
            TaskState::Returned.review(false, Some("x")),
            Err(RoundError::TaskNotSubmitted(TaskState::Returned))
        );
    }

    #[test]
    fn a_round_is_approved_only_when_all_are_accepted_and_adopted_only_when_approved() {
        use TaskState::*;
        assert_eq!(
            RoundState::Open.approve(&[Accepted, Submitted, Returned]),
            Err(RoundError::NotAllAccepted { accepted: 1, of: 3 })
        );
        assert_eq!(
            RoundState::Open.adopt(),
            Err(RoundError::NotApproved(RoundState::Open))
        );
        let r = RoundState::Open.approve(&[Accepted, Accepted]).unwrap();
        assert_eq!(
            r.approve(&[]),
            Err(RoundError::NotOpen(RoundState::Approved))
        );
        let r = r.adopt().unwrap();
        assert_eq!(r.adopt(), Err(RoundError::NotApproved(RoundState::Adopted)));
        assert_eq!(r.reopen(" "), Err(RoundError::ReopenNeedsReason));
        assert_eq!(r.reopen("Fel siffra i mål 3").unwrap(), RoundState::Open);
        assert_eq!(RoundState::Open.reopen("x"), Err(RoundError::AlreadyOpen));
        // A round with no department to report approves at once.
        assert_eq!(RoundState::Open.approve(&[]), Ok(RoundState::Approved));
    }

    #[test]
    fn progress_names_the_phase() {
        use TaskState::*;
        let p = Progress::of(&[Open, Submitted, Accepted, Returned]);
        assert_eq!(
            (p.open, p.submitted, p.accepted, p.returned, p.total()),
            (1, 1, 1, 1, 4)
        );
        assert_eq!(p.phase(RoundState::Open, Lang::Sv), "öppen");
        let p = Progress::of(&[Submitted, Accepted]);
        assert_eq!(
            p.phase(RoundState::Open, Lang::Sv),
            "alla förvaltningar har rapporterat"
        );
        let p = Progress::of(&[Accepted, Accepted]);
        assert_eq!(p.phase(RoundState::Open, Lang::En), "reviewed");
        assert_eq!(p.phase(RoundState::Adopted, Lang::Sv), "antagen");
    }

    #[test]
    fn a_decision_names_each_wrong_field() {
        let d = Decision::new(
            "Kommunstyrelsen",
            "2025-03-12",
            "KS 2025-03-12 § 45",
            "KS 2025/123",
        )
        .unwrap();
        assert_eq!(paragraph(&d.reference), Some(45));
        assert_eq!(d.date.to_string(), "2025-03-12");
        let errs = Decision::new("", "2025-02-30", "KS 2025-03-12", "KS").unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["body", "reference", "diarienummer", "date"]);
        assert!(errs[1].1.message(Lang::Sv).contains("§ 45"));
        let errs = Decision::new(&"K".repeat(81), "2025-03-12", "§ 0", "1\u{0}").unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["body", "diarienummer", "reference"]);
        // Whitespace is collapsed.
        let d = Decision::new(" Kommun-\n fullmäktige ", "2025-03-12", "KF §12", "2025/7").unwrap();
        assert_eq!(d.body, "Kommun- fullmäktige");
        assert_eq!(paragraph("KF §12"), Some(12));
    }
}
