//! The establishment register's use cases as the web and the API call them: each takes the
//! acting principal, checks it with the register's one rule
//! ([`etablera_domain::access::register_allowed`]), reads or changes the case, and writes
//! the read log or the audit entry before it returns. Refusals do not tell a stranger that a
//! municipality's register or a person exists.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::register::{self as reg, Case, ChainReport, OpenRequest, Resolution, Saved, Settings};
use etablera_domain::access::{register_allowed, CaseRelation, RegisterAction as A, RegisterRole};
use etablera_domain::{Date, UnitCode};
use etablera_register::stats::Figures;
use etablera_register::{
    Assessment, AssessmentItem, Category, Consent, Event, EventKind, Household, Intervention,
    InterventionOutcome, InterventionStatus, NeedLevel, Outcome, OutcomeAt, OutcomeStatus, Person,
    PlanLang, Problem, Referral, ReferralStatus, RegisterError, Review,
};
use etablera_store::{AuditEntry, ReadLogFilter};
use etablera_vault::Keyring;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub use etablera_store::{PlanLinkRow, ReadLogEntry};

/// Refuses a municipality-level action: a login is needed without one; members of the
/// municipality are forbidden; everyone else learns nothing (not found).
fn deny(actor: &Actor, unit: &UnitCode) -> Error {
    match actor.principal() {
        None => Error::Unauthorized,
        Some(p)
            if p.system_admin
                || p.role_in(unit).is_some()
                || p.register_role_in(unit).is_some() =>
        {
            Error::Forbidden
        }
        Some(_) => Error::NotFound,
    }
}

/// How the actor stands to a person: case worker or colleague, and whether the case is
/// restricted.
pub fn relation(actor: &Actor, p: &Person) -> CaseRelation {
    CaseRelation {
        related: actor.user_id().is_some_and(|u| p.related(u)),
        restricted: p.restricted,
    }
}

/// Whether the actor may do `action` to person `p` (or to the register when `None`).
pub fn may(
    actor: &Actor,
    action: A,
    unit: &UnitCode,
    p: Option<&Person>,
    settings: &Settings,
) -> bool {
    register_allowed(
        actor.principal(),
        action,
        unit,
        p.map(|p| relation(actor, p)),
        settings.caseload_only,
    )
}

/// The municipality's register settings, if the actor may do `action` to its register.
pub fn check_unit(conn: &mut Conn, actor: &Actor, unit: &UnitCode, action: A) -> Result<Settings> {
    conn.act_as(actor)?;
    let settings = reg::settings(conn.store(), unit)?;
    if may(actor, action, unit, None, &settings) {
        Ok(settings)
    } else {
        Err(deny(actor, unit))
    }
}

/// A person the actor may `action`, opened, with the settings. Logs nothing: the caller
/// logs the read when it shows the person.
fn open_case(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
    action: A,
) -> Result<(Case, Settings)> {
    conn.act_as(actor)?;
    let settings = reg::settings(conn.store(), unit)?;
    let row = conn.store().person(id)?.filter(|r| &r.unit == unit);
    let Some(row) = row else {
        // Members of the register learn that the person does not exist; others nothing.
        return Err(match check_unit(conn, actor, unit, A::ListCases) {
            Ok(_) => Error::NotFound,
            Err(e) => e,
        });
    };
    let p = reg::person_of(&row)?;
    if !may(actor, action, unit, Some(&p), &settings) {
        return Err(if may(actor, A::ListCases, unit, None, &settings) {
            Error::Forbidden
        } else {
            deny(actor, unit)
        });
    }
    Ok((reg::from_row(keys, &row)?, settings))
}

/// Appends the reads of `persons` by the actor to the read log.
fn log(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    via: &str,
    persons: &[&Person],
    view: &str,
) -> Result<()> {
    let list: Vec<(&Person, bool)> = persons
        .iter()
        .map(|p| (*p, relation(actor, p).related))
        .collect();
    reg::log_read(conn.store(), keys, actor.user_id(), via, &list, view)
}

/// Users' display names by id (case workers on pages; no personal data of newcomers).
pub fn user_names(conn: &mut Conn) -> Result<HashMap<i64, String>> {
    Ok(conn
        .store()
        .users()?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// A municipality's name, or its code when unknown.
pub fn unit_name(conn: &mut Conn, unit: &UnitCode) -> String {
    crate::units_of(conn.store())
        .ok()
        .and_then(|u| u.get(unit.as_str()).map(|u| u.name.clone()))
        .unwrap_or_else(|| unit.to_string())
}

/// What the caseload shows: filters as typed values.
#[derive(Debug, Clone, Default)]
pub struct CaseloadFilter {
    pub mine: bool,
    /// Matches the pseudonym or the name (lower case).
    pub needle: Option<String>,
    pub category: Option<Category>,
    /// At most this many days left of the establishment period.
    pub max_days_left: Option<i64>,
    /// Only cases whose review is due within [`DUE_WITHIN_DAYS`] or overdue.
    pub due: bool,
    pub closed: bool,
}

/// How many days ahead a review counts as due.
pub const DUE_WITHIN_DAYS: i64 = 14;

/// Whether a person's review is due within [`DUE_WITHIN_DAYS`] of `today` or overdue.
pub fn review_due(p: &Person, today: Date) -> bool {
    p.next_review()
        .is_some_and(|r| r.to_unix_days() <= today.to_unix_days() + DUE_WITHIN_DAYS)
}

/// The caseload page.
#[derive(Debug)]
pub struct Caseload {
    pub settings: Settings,
    pub unit_name: String,
    pub names: HashMap<i64, String>,
    /// The cases shown, open ones first by next review; each read is logged.
    pub cases: Vec<Case>,
}

/// The cases of a municipality the actor may read, filtered; every case returned is
/// written to the read log under `view`.
pub fn caseload(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    filter: &CaseloadFilter,
    via: &str,
    view: &str,
) -> Result<Caseload> {
    let settings = check_unit(conn, actor, unit, A::ListCases)?;
    let today = reg::today();
    let mut cases: Vec<Case> = Vec::new();
    for row in conn.store().persons(unit)? {
        let p = reg::person_of(&row)?;
        if !may(actor, A::ReadPerson, unit, Some(&p), &settings) {
            continue;
        }
        if (filter.mine && !relation(actor, &p).related)
            || filter.category.is_some_and(|k| p.category != k)
            || (!filter.closed && p.closed.is_some())
            || (filter.due && (p.closed.is_some() || !review_due(&p, today)))
            || filter
                .max_days_left
                .is_some_and(|m| p.days_left(today).is_none_or(|d| d > m))
        {
            continue;
        }
        cases.push(reg::from_row(keys, &row)?);
    }
    if let Some(n) = &filter.needle {
        cases.retain(|c| {
            c.person.id.as_str().to_lowercase().contains(n)
                || c.identity
                    .as_ref()
                    .is_some_and(|i| i.name.to_lowercase().contains(n))
        });
    }
    cases.sort_by_key(|c| (c.person.closed.is_some(), c.person.next_review()));
    let refs: Vec<&Person> = cases.iter().map(|c| &c.person).collect();
    log(conn, actor, keys, via, &refs, view)?;
    let names = user_names(conn)?;
    Ok(Caseload {
        settings,
        unit_name: unit_name(conn, unit),
        names,
        cases,
    })
}

/// A person's household as their page shows it: the household and the pseudonyms of the
/// members the reader may open (others are only counted; no names, so no reads to log).
#[derive(Debug, Default)]
pub struct HouseholdView {
    pub household: Option<Household>,
    pub members: Vec<String>,
    pub hidden_members: usize,
}

/// A person's page.
#[derive(Debug)]
pub struct PersonPage {
    pub case: Case,
    pub settings: Settings,
    pub names: HashMap<i64, String>,
    pub links: Vec<PlanLinkRow>,
    pub household: HouseholdView,
    /// May assign, close, restrict, export.
    pub manage: bool,
    /// May change the person's plan.
    pub write: bool,
}

/// One person the actor may read, with what their page shows; the read is logged.
pub fn person(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
    via: &str,
    view: &str,
) -> Result<PersonPage> {
    let (case, settings) = open_case(conn, actor, keys, unit, id, A::ReadPerson)?;
    log(conn, actor, keys, via, &[&case.person], view)?;
    let names = user_names(conn)?;
    let links = conn.store().plan_links(id)?;
    let household = household_view(conn, actor, keys, unit, &case.person, &settings)?;
    let manage = may(actor, A::ManageCase, unit, Some(&case.person), &settings);
    let write = may(actor, A::WritePerson, unit, Some(&case.person), &settings);
    Ok(PersonPage {
        case,
        settings,
        names,
        links,
        household,
        manage,
        write,
    })
}

fn household_view(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    p: &Person,
    settings: &Settings,
) -> Result<HouseholdView> {
    let Some(hid) = p.household.as_deref().filter(|h| !h.is_empty()) else {
        return Ok(HouseholdView::default());
    };
    let household = reg::household(conn.store(), keys, unit, hid)?;
    let mut members = Vec::new();
    let mut hidden_members = 0;
    for row in conn.store().household_members(unit, hid)? {
        let other = reg::person_of(&row)?;
        if other.id == p.id || other.household.as_deref() != Some(hid) {
            continue;
        }
        if may(actor, A::ReadPerson, unit, Some(&other), settings) {
            members.push(other.id.to_string());
        } else {
            hidden_members += 1;
        }
    }
    Ok(HouseholdView {
        household,
        members,
        hidden_members,
    })
}

/// Everything Etablera stores about a person (GDPR art. 15 and 20), for those who manage
/// the case; the read is logged.
pub fn export(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
    view: &str,
) -> Result<serde_json::Value> {
    let (case, _) = open_case(conn, actor, keys, unit, id, A::ManageCase)?;
    log(conn, actor, keys, "web", &[&case.person], view)?;
    reg::export_person(conn.store(), keys, unit, id)
}

/// What registering a person came to.
#[derive(Debug)]
pub enum Created {
    /// Stored under this pseudonym.
    Stored(String),
    /// The personnummer is already in the register: a request waits for the reception
    /// manager; nothing is stored.
    NeedsCheck,
}

/// Registers a person from a form's fields (the same reader as a caseload file's rows);
/// the actor becomes the case worker. A field that is wrong comes back as
/// [`Error::Invalid`], naming it.
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    fields: &dyn reg::Fields,
) -> Result<Created> {
    let settings = check_unit(conn, actor, unit, A::CreatePerson)?;
    let mut case = reg::parse_fields(fields, unit, None, settings.review_months, reg::today())?;
    case.person.case_worker = actor.user_id();
    Ok(
        match reg::save(conn.store(), keys, &case, actor.user_id(), "person.create")? {
            Saved::Stored => Created::Stored(case.person.id.to_string()),
            Saved::NeedsCheck => Created::NeedsCheck,
        },
    )
}

/// Whether the actor may register persons in the municipality (the empty form).
pub fn may_create(conn: &mut Conn, actor: &Actor, unit: &UnitCode) -> Result<()> {
    check_unit(conn, actor, unit, A::CreatePerson).map(|_| ())
}

/// Reads a caseload file into the register; nothing is stored unless every row is right.
pub fn import(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    file_name: &str,
    bytes: &[u8],
) -> Result<usize> {
    check_unit(conn, actor, unit, A::CreatePerson)?;
    reg::import_caseload(conn.store(), keys, unit, file_name, bytes, actor.user_id())
}

/// The reception manager's open registration requests, with the names of who asked; each
/// existing case named is a read, and logged.
#[derive(Debug)]
pub struct Requests {
    pub open: Vec<OpenRequest>,
    pub names: HashMap<i64, String>,
}

pub fn requests(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    view: &str,
) -> Result<Requests> {
    check_unit(conn, actor, unit, A::ManageCase)?;
    let open = reg::open_requests(conn.store(), keys, unit)?;
    let mut existing = Vec::new();
    for r in &open {
        if let Some(id) = &r.existing {
            if let Some(case) = reg::load(conn.store(), keys, unit, id)? {
                existing.push(case.person);
            }
        }
    }
    let refs: Vec<&Person> = existing.iter().collect();
    log(conn, actor, keys, "web", &refs, view)?;
    let names = user_names(conn)?;
    Ok(Requests { open, names })
}

/// Resolves an open registration request.
pub fn resolve(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    id: i64,
    how: Resolution,
) -> Result<()> {
    check_unit(conn, actor, unit, A::ManageCase)?;
    if reg::resolve_request(conn.store(), keys, unit, id, how, actor.user_id())? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// The register's figures, small counts suppressed.
#[derive(Debug)]
pub struct Statistics {
    pub settings: Settings,
    pub figures: Option<Figures>,
    /// May send the figures to the follow-up.
    pub configure: bool,
    pub unit_name: String,
}

pub fn statistics(conn: &mut Conn, actor: &Actor, unit: &UnitCode) -> Result<Statistics> {
    let settings = check_unit(conn, actor, unit, A::ReadAggregates)?;
    let figures = reg::figures(conn.store(), unit, reg::today())?;
    let configure = may(actor, A::Configure, unit, None, &settings);
    Ok(Statistics {
        figures,
        configure,
        unit_name: unit_name(conn, unit),
        settings,
    })
}

/// Sends the register's figures to the follow-up as a source; returns the number of
/// figures.
pub fn feed_followup(conn: &mut Conn, actor: &Actor, unit: &UnitCode) -> Result<usize> {
    check_unit(conn, actor, unit, A::Configure)?;
    reg::feed_followup(conn.store(), unit, reg::today())
}

/// The settings page: the settings and who has which register role.
pub fn settings(
    conn: &mut Conn,
    actor: &Actor,
    unit: &UnitCode,
) -> Result<(Settings, Vec<(String, RegisterRole)>)> {
    let settings = check_unit(conn, actor, unit, A::Configure)?;
    let mut members = Vec::new();
    for u in conn.store().users()? {
        for (unit2, role) in conn.store().register_memberships(u.id)? {
            if &unit2 == unit {
                members.push((u.display_name.clone(), role));
            }
        }
    }
    Ok((settings, members))
}

/// A change to the settings; `new_entry` adds (code, Swedish name) to the catalogue.
#[derive(Debug, Clone)]
pub struct SettingsChange {
    pub caseload_only: bool,
    pub threshold: u64,
    pub retention_years: u32,
    pub review_months: u8,
    pub new_entry: Option<(String, String)>,
}

pub fn save_settings(
    conn: &mut Conn,
    actor: &Actor,
    unit: &UnitCode,
    change: SettingsChange,
) -> Result<()> {
    let mut st = check_unit(conn, actor, unit, A::Configure)?;
    st.caseload_only = change.caseload_only;
    st.threshold = change.threshold;
    st.retention_years = change.retention_years;
    st.review_months = change.review_months.clamp(1, 24);
    if let Some((code, name)) = change.new_entry {
        if !etablera_register::CatalogueEntry::valid_code(&code) {
            return Err(RegisterError::new("new_code", Problem::Code).into());
        }
        if name.is_empty() {
            return Err(RegisterError::new("new_name", Problem::Needed).into());
        }
        if st.catalogue.iter().any(|e| e.code == code) {
            return Err(Error::Conflict(format!(
                "field `new_code`: `{code}` is already in the catalogue"
            )));
        }
        st.catalogue.push(etablera_register::CatalogueEntry {
            code,
            names: vec![("sv".into(), name)],
            provider: String::new(),
        });
    }
    reg::save_settings(conn.store(), unit, &st, actor.user_id())
}

/// Which reads the read log page lists.
#[derive(Debug, Clone, Default)]
pub struct ReadLogQuery {
    pub user: Option<String>,
    pub person: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub unrelated_only: bool,
}

/// The read log (loggkontroll) with the chain's state.
#[derive(Debug)]
pub struct ReadLog {
    pub chain: ChainReport,
    pub rows: Vec<ReadLogEntry>,
    pub retention_years: i64,
    /// Usernames by id.
    pub names: HashMap<i64, String>,
}

pub fn read_log(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    q: &ReadLogQuery,
) -> Result<ReadLog> {
    check_unit(conn, actor, unit, A::ReadAccessLog)?;
    let chain = reg::verify_read_log(conn.store(), keys, None)?;
    let users = conn.store().users()?;
    let user_id = q.user.as_ref().map(|n| {
        users
            .iter()
            .find(|u| &u.username == n)
            .map(|u| u.id)
            .unwrap_or(-1)
    });
    let rows = conn.store().read_log(&ReadLogFilter {
        unit: Some(unit.to_string()),
        user_id,
        person_id: q.person.clone(),
        from: q.from.map(|d| d.to_string()),
        to: q.to.map(|d| d.to_string()),
        unrelated_only: q.unrelated_only,
        limit: 500,
        offset: 0,
    })?;
    let retention_years = conn.store().read_log_retention_years()?;
    let names = users.into_iter().map(|u| (u.id, u.username)).collect();
    Ok(ReadLog {
        chain,
        rows,
        retention_years,
        names,
    })
}

/// A change to a person's case, as typed values read from a form.
#[derive(Debug, Clone)]
pub enum Change {
    /// The person's details, read by the same reader as a caseload file's row.
    Details(HashMap<String, String>),
    /// The needs assessment: (area code, need, note) for every area.
    Assessment(Vec<(String, NeedLevel, String)>),
    Intervention {
        kind: String,
        provider: String,
        detail: String,
        start: Option<Date>,
        end: Option<Date>,
        contact: String,
    },
    InterventionStatus {
        id: u32,
        status: InterventionStatus,
        outcome: Option<InterventionOutcome>,
        outcome_date: Option<Date>,
    },
    Consent {
        organisation: String,
        given: Date,
    },
    Referral {
        consent: u32,
        purpose: String,
    },
    ReferralStatus {
        id: u32,
        status: ReferralStatus,
        reason: String,
    },
    Review {
        date: Date,
        note: String,
    },
    Outcome {
        at: OutcomeAt,
        status: OutcomeStatus,
        date: Date,
    },
    Event {
        kind: EventKind,
        date: Date,
        note: String,
    },
    /// A link and code to the newcomer's own plan, valid for 1–90 days.
    Link {
        lang: PlanLang,
        days: i64,
    },
    RevokeLink {
        id: i64,
    },
    /// Case worker and colleagues by username (an empty case worker leaves it as it is).
    Assign {
        case_worker: String,
        colleagues: Vec<String>,
    },
    Household {
        size: u32,
        rooms: Option<u32>,
        housing_need: String,
    },
    Close(Option<Date>),
    Restrict(bool),
}

impl Change {
    /// The change's name in the audit log (`person.NAME`) and in the form's address.
    pub fn name(&self) -> &'static str {
        match self {
            Change::Details(_) => "details",
            Change::Assessment(_) => "assessment",
            Change::Intervention { .. } => "intervention",
            Change::InterventionStatus { .. } => "intervention-status",
            Change::Consent { .. } => "consent",
            Change::Referral { .. } => "referral",
            Change::ReferralStatus { .. } => "referral-status",
            Change::Review { .. } => "review",
            Change::Outcome { .. } => "outcome",
            Change::Event { .. } => "event",
            Change::Link { .. } => "link",
            Change::RevokeLink { .. } => "revoke-link",
            Change::Assign { .. } => "assign",
            Change::Household { .. } => "household",
            Change::Close(_) => "close",
            Change::Restrict(_) => "restrict",
        }
    }

    /// Assigning, closing and restricting manage the case; the rest write the plan.
    fn action(&self) -> A {
        match self {
            Change::Assign { .. } | Change::Close(_) | Change::Restrict(_) => A::ManageCase,
            _ => A::WritePerson,
        }
    }
}

/// What a change to a case came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Changed {
    Saved,
    /// The new personnummer is already in the register: a request waits; nothing stored.
    NeedsCheck,
    /// A plan link was made: its code, shown once (only its hash is stored).
    LinkCode(String),
}

fn bad(field: &str, problem: Problem) -> Error {
    RegisterError::new(field, problem).into()
}

/// Checks the lengths of a change's texts: (field, text, most characters).
fn within(limits: &[(&str, &str, usize)]) -> Result<()> {
    for (field, text, max) in limits {
        if text.chars().count() > *max {
            return Err(bad(field, Problem::TooLong { max: *max }));
        }
    }
    Ok(())
}

impl Change {
    /// The lengths a form allows, checked again here whoever calls (the web's form reader
    /// checks them too, to answer before any work).
    fn check_lengths(&self) -> Result<()> {
        match self {
            Change::Assessment(items) => {
                for (area, _, note) in items {
                    within(&[(&format!("note_{area}"), note, 1000)])?;
                }
                Ok(())
            }
            Change::Intervention {
                kind,
                provider,
                detail,
                contact,
                ..
            } => within(&[
                ("kind", kind, 40),
                ("provider", provider, 200),
                ("detail", detail, 500),
                ("contact", contact, 200),
            ]),
            Change::Consent { organisation, .. } => within(&[("organisation", organisation, 200)]),
            Change::Referral { purpose, .. } => within(&[("purpose", purpose, 300)]),
            Change::ReferralStatus { reason, .. } => within(&[("reason", reason, 500)]),
            Change::Review { note, .. } => within(&[("note", note, 2000)]),
            Change::Event { note, .. } => within(&[("note", note, 500)]),
            Change::Assign {
                case_worker,
                colleagues,
            } => within(&[
                ("case_worker", case_worker, 100),
                ("colleagues", &colleagues.join(","), 500),
            ]),
            Change::Household { housing_need, .. } => {
                within(&[("bostadsbehov", housing_need, 500)])
            }
            _ => Ok(()),
        }
    }
}

/// A code of 12 characters from an alphabet without look-alikes, in groups of four.
fn plan_code_new() -> String {
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let a = etablera_register::ID_ALPHABET;
    let chars: String = b
        .iter()
        .map(|x| a[(*x as usize) % a.len()] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
}

/// A plan code as typed, without separators and in upper case.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn code_hash(code: &str) -> String {
    Sha256::digest(normalise_code(code).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Changes a person's case: checks the actor may (managing or writing), applies the change,
/// checks it against the case and the municipality's settings, and saves it with its audit
/// entry (`person.NAME`, or `plan_link.create`/`plan_link.revoke`).
pub fn change(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
    change: Change,
) -> Result<Changed> {
    let name = change.name();
    let (mut case, settings) = open_case(conn, actor, keys, unit, id, change.action())?;
    change.check_lengths()?;
    let me = actor.user_id().unwrap_or(0);
    let today = reg::today();
    let p = &mut case.person;
    match change {
        Change::Details(fields) => {
            case = reg::parse_fields(&fields, unit, Some(&case), settings.review_months, today)?;
        }
        Change::Assessment(items) => {
            p.assessment = Some(Assessment {
                date: today,
                by: me,
                items: items
                    .into_iter()
                    .map(|(area, need, note)| AssessmentItem { area, need, note })
                    .collect(),
            });
        }
        Change::Intervention {
            kind,
            provider,
            detail,
            start,
            end,
            contact,
        } => {
            if !settings.catalogue.iter().any(|e| e.code == kind) {
                return Err(bad("kind", Problem::NotInList));
            }
            let id = p.next_id();
            p.interventions.push(Intervention {
                id,
                kind,
                provider,
                detail,
                start,
                end,
                status: InterventionStatus::Planned,
                outcome: None,
                outcome_date: None,
                contact,
            });
        }
        Change::InterventionStatus {
            id,
            status,
            outcome,
            outcome_date,
        } => {
            let i = p
                .interventions
                .iter_mut()
                .find(|i| i.id == id)
                .ok_or(Error::NotFound)?;
            i.status = status;
            i.outcome = outcome;
            i.outcome_date = outcome_date.or(outcome.map(|_| today));
        }
        Change::Consent {
            organisation,
            given,
        } => {
            if given > today {
                return Err(bad("given", Problem::InFuture));
            }
            if organisation.is_empty() {
                return Err(bad("organisation", Problem::Needed));
            }
            let id = p.next_id();
            p.consents.push(Consent {
                id,
                organisation,
                given,
                withdrawn: None,
                recorded_by: me,
            });
        }
        Change::Referral { consent, purpose } => {
            let organisation = p
                .consents
                .iter()
                .find(|k| k.id == consent)
                .map(|k| k.organisation.clone())
                .ok_or_else(|| bad("consent", Problem::NoConsent))?;
            let id = p.next_id();
            p.referrals.push(Referral {
                id,
                organisation,
                consent,
                purpose,
                sent: today,
                status: ReferralStatus::Sent,
                reason: String::new(),
                updated: today,
            });
        }
        Change::ReferralStatus { id, status, reason } => {
            let r = p
                .referrals
                .iter_mut()
                .find(|r| r.id == id)
                .ok_or(Error::NotFound)?;
            r.status = status;
            r.reason = reason;
            r.updated = today;
        }
        Change::Review { date, note } => p.reviews.push(Review { date, by: me, note }),
        Change::Outcome { at, status, date } => {
            p.outcomes.retain(|o| o.at != at);
            p.outcomes.push(Outcome { at, date, status });
        }
        Change::Event { kind, date, note } => p.events.push(Event { kind, date, note }),
        Change::Link { lang, days } => {
            if !(1..=90).contains(&days) {
                return Err(bad("days", Problem::WholeNumber { min: 1, max: 90 }));
            }
            let code = plan_code_new();
            let now = crate::now_secs();
            let row = PlanLinkRow {
                id: 0,
                person_id: p.id.to_string(),
                code_hash: code_hash(&code),
                lang: lang.tag().into(),
                created_by: actor.user_id(),
                created_at: crate::iso_utc(now),
                expires_at: crate::iso_utc(now + days * 86_400),
                revoked_at: None,
            };
            let audit = AuditEntry::new(
                &row.created_at,
                actor.user_id(),
                "plan_link.create",
                &format!("person:{}", p.id),
                Some(unit),
            );
            conn.store().create_plan_link(&row, &audit)?;
            return Ok(Changed::LinkCode(code));
        }
        Change::RevokeLink { id: lid } => {
            let at = crate::now_utc();
            let audit = AuditEntry::new(
                &at,
                actor.user_id(),
                "plan_link.revoke",
                &format!("person:{}", p.id),
                Some(unit),
            );
            return if conn
                .store()
                .revoke_plan_link(p.id.as_str(), lid, &at, &audit)?
            {
                Ok(Changed::Saved)
            } else {
                Err(Error::NotFound)
            };
        }
        Change::Assign {
            case_worker,
            colleagues,
        } => {
            let users = conn.store().users()?;
            let find = |n: &str| users.iter().find(|u| u.username == n.trim()).map(|u| u.id);
            if !case_worker.trim().is_empty() {
                p.case_worker = Some(
                    find(&case_worker).ok_or_else(|| bad("case_worker", Problem::NoSuchUser))?,
                );
            }
            p.colleagues = colleagues
                .iter()
                .map(|n| find(n).ok_or_else(|| bad("colleagues", Problem::NoSuchUser)))
                .collect::<Result<_>>()?;
        }
        Change::Household {
            size,
            rooms,
            housing_need,
        } => {
            let hid = p
                .household
                .clone()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| format!("H-{}", p.id));
            let h = Household {
                id: hid.clone(),
                unit: unit.clone(),
                size,
                rooms_needed: rooms.or(Some(reg::rooms_by_norm(size))),
                housing_need,
            };
            reg::save_household(conn.store(), keys, &h, actor.user_id())?;
            p.household = Some(hid);
        }
        Change::Close(d) => p.closed = d,
        Change::Restrict(r) => p.restricted = r,
    }
    Ok(
        match reg::save(
            conn.store(),
            keys,
            &case,
            actor.user_id(),
            &format!("person.{name}"),
        )? {
            Saved::Stored => Changed::Saved,
            Saved::NeedsCheck => Changed::NeedsCheck,
        },
    )
}

/// The newcomer's own plan behind a link code: the case, the link, the settings and the
/// case workers' names; `None` for a code that is unknown, expired or revoked, or a case
/// that is anonymised or restricted. The read is logged (by the link, no user).
pub fn plan_by_code(
    conn: &mut Conn,
    keys: &Keyring,
    code: &str,
) -> Result<Option<(Case, PlanLinkRow, Settings, HashMap<i64, String>)>> {
    let now = crate::now_utc();
    let link = conn
        .store()
        .plan_link_by_hash(&code_hash(code))?
        .filter(|l| l.revoked_at.is_none() && l.expires_at > now);
    let Some(link) = link else { return Ok(None) };
    conn.act_for_person(&link.person_id)?;
    let Some(row) = conn.store().person(&link.person_id)? else {
        return Ok(None);
    };
    let case = reg::from_row(keys, &row)?;
    if case.person.anonymised || case.person.restricted {
        return Ok(None);
    }
    reg::log_read(
        conn.store(),
        keys,
        None,
        "plan-link",
        &[(&case.person, false)],
        "GET /min-plan/{code}",
    )?;
    let settings = reg::settings(conn.store(), &case.person.unit)?;
    let names = user_names(conn)?;
    Ok(Some((case, link, settings, names)))
}
