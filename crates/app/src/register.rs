//! The establishment register's use cases: persons in and out of the store with their
//! identity sealed, the read log, caseload import and export, GDPR export, gallring, key
//! rotation and the register's figures fed to the follow-up.
//!
//! Nothing here writes personal data to a log or an error: errors name the file, row and
//! field, never the value.

use crate::error::{Context, Error, Result};
#[allow(unused_imports)]
use crate::{bail, input};
use crate::{iso_utc, now_secs};
use etablera_domain::{Date, IndicatorId, ObsStatus, Observation, Period, Sex, UnitCode};
use etablera_register::stats::{self, Facts, Figures, RegIndicator};
use etablera_register::{
    default_catalogue, CatalogueEntry, Category, Education, Household, Identity, Person, PersonId,
    PlanLang, Pnr, Problem, RegisterError, Ssyk, SwedishLevel,
};
use etablera_store::{AuditEntry, HouseholdRow, PersonRow, ReadLogEntry, Store};
use etablera_vault::Keyring;
use serde::{Deserialize, Serialize};

/// A municipality's register settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Case workers see only their own caseload and the cases they are colleague on.
    #[serde(default)]
    pub caseload_only: bool,
    /// Figures on fewer people than this are suppressed.
    #[serde(default = "default_threshold")]
    pub threshold: u64,
    /// Gallring: closed cases older than this many years are removed or anonymised.
    #[serde(default = "default_retention")]
    pub retention_years: u32,
    /// Months between plan reviews for new cases.
    #[serde(default = "default_review")]
    pub review_months: u8,
    #[serde(default = "default_catalogue")]
    pub catalogue: Vec<CatalogueEntry>,
}

fn default_threshold() -> u64 {
    5
}
fn default_retention() -> u32 {
    5
}
fn default_review() -> u8 {
    3
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            caseload_only: false,
            threshold: default_threshold(),
            retention_years: default_retention(),
            review_months: default_review(),
            catalogue: default_catalogue(),
        }
    }
}

/// The municipality's settings; a threshold stored below the floor (before there was one)
/// is read as the floor.
pub fn settings(store: &mut dyn Store, unit: &UnitCode) -> Result<Settings> {
    let mut s: Settings = match store.register_settings(unit)? {
        Some(doc) => serde_json::from_str(&doc).context("register settings")?,
        None => Settings::default(),
    };
    s.threshold = s.threshold.max(etablera_register::stats::MIN_THRESHOLD);
    Ok(s)
}

pub fn save_settings(
    store: &mut dyn Store,
    unit: &UnitCode,
    s: &Settings,
    actor: Option<i64>,
) -> Result<()> {
    let min = etablera_register::stats::MIN_THRESHOLD;
    if s.threshold < min || s.threshold > 100 {
        bail!("field `threshold`: must be between {min} and 100");
    }
    if s.retention_years < 1 || s.retention_years > 100 {
        bail!("field `retention_years`: must be between 1 and 100");
    }
    let doc = serde_json::to_string(s)?;
    let before = store.register_settings(unit)?;
    let audit = AuditEntry::new(
        &now(),
        actor,
        "register.settings",
        &format!("register:{unit}"),
        Some(unit),
    )
    .change(before, Some(doc.clone()));
    store.save_register_settings(unit, &doc, &audit)?;
    Ok(())
}

pub fn now() -> String {
    iso_utc(now_secs())
}

pub fn today() -> Date {
    Date::from_unix_days(now_secs().div_euclid(86_400))
}

/// A fresh pseudonymous id.
pub fn new_person_id() -> PersonId {
    use rand::RngCore;
    let mut b = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut b);
    PersonId::from_random(b)
}

/// A person with the identity opened.
#[derive(Debug, Clone)]
pub struct Case {
    pub person: Person,
    /// `None` after anonymisation.
    pub identity: Option<Identity>,
}

/// What is sealed of a person: the identity and every free text ([`Person::free_text_mut`]).
#[derive(serde::Serialize, serde::Deserialize)]
struct Sealed {
    /// 2; a sealed value without it is an identity alone, as sealed before free text was.
    v: u8,
    identity: Option<Identity>,
    notes: Vec<String>,
}

/// Builds the stored row: the identity and the free text sealed under the person's id, the
/// personnummer's blind index beside it. The record in clear keeps its structure with every
/// free text empty, so statistics read it without a key.
pub fn to_row(keys: &Keyring, case: &Case) -> Result<PersonRow> {
    let mut p = case.person.clone();
    let notes: Vec<String> = p.free_text_mut().into_iter().map(std::mem::take).collect();
    let doc = serde_json::to_string(&p)?;
    let sealed = (case.identity.is_some() || notes.iter().any(|n| !n.is_empty())).then(|| Sealed {
        v: 2,
        identity: case.identity.clone(),
        notes,
    });
    let identity = match &sealed {
        Some(s) => Some(keys.seal(
            p.id.as_str().as_bytes(),
            serde_json::to_string(s)?.as_bytes(),
        )),
        None => None,
    };
    let pnr_index = case
        .identity
        .as_ref()
        .and_then(|i| i.pnr.as_ref())
        .map(|n| keys.blind_index(n.digits()));
    Ok(PersonRow {
        id: p.id.to_string(),
        unit: p.unit.clone(),
        case_worker: p.case_worker,
        closed_on: p.closed.map(|d| d.to_string()),
        anonymised: p.anonymised,
        doc,
        identity,
        pnr_index,
        updated_at: now(),
        household: p.household.clone().filter(|h| !h.is_empty()),
    })
}

/// Opens a stored row.
pub fn from_row(keys: &Keyring, row: &PersonRow) -> Result<Case> {
    let mut person: Person = serde_json::from_str(&row.doc)
        .with_context(|| format!("person {}: the stored record is damaged", row.id))?;
    let identity = match &row.identity {
        Some(s) => {
            let plain = keys
                .open(row.id.as_bytes(), s)
                .map_err(|e| Error::internal(format!("person {}: {e}", row.id)))?;
            let value: serde_json::Value = serde_json::from_slice(&plain)
                .with_context(|| format!("person {}: identity", row.id))?;
            if value.get("v").is_some() {
                let sealed: Sealed = serde_json::from_value(value)
                    .with_context(|| format!("person {}: identity", row.id))?;
                let slots = person.free_text_mut();
                if slots.len() != sealed.notes.len() {
                    bail!(
                        "person {}: the sealed free text does not fit the record",
                        row.id
                    );
                }
                for (slot, note) in slots.into_iter().zip(sealed.notes) {
                    *slot = note;
                }
                sealed.identity
            } else {
                // Sealed before free text was: the identity alone, the text still in clear
                // until the row is saved again (`etablera register rotate-keys` does it).
                Some(
                    serde_json::from_value(value)
                        .with_context(|| format!("person {}: identity", row.id))?,
                )
            }
        }
        None => None,
    };
    Ok(Case { person, identity })
}

/// Whether a row still holds free text in clear (stored before free text was sealed).
fn text_in_clear(row: &PersonRow) -> bool {
    person_of(row).is_ok_and(|mut p| p.free_text_mut().iter().any(|t| !t.is_empty()))
}

/// Only the pseudonymous part, for statistics (no key needed).
pub fn person_of(row: &PersonRow) -> Result<Person> {
    serde_json::from_str(&row.doc)
        .with_context(|| format!("person {}: the stored record is damaged", row.id))
}

/// Loads one person of a municipality.
pub fn load(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
) -> Result<Option<Case>> {
    match store.person(id)? {
        Some(row) if &row.unit == unit => Ok(Some(from_row(keys, &row)?)),
        _ => Ok(None),
    }
}

/// What saving a person did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Stored,
    /// The personnummer is already in the municipality's register: nothing was stored; a
    /// request waits for the reception manager. The answer is the same whichever case holds
    /// the number and whether or not the one who asked may read it.
    NeedsCheck,
}

/// A registration request as the reception manager sees it.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub id: i64,
    pub requested_by: Option<i64>,
    pub created_at: String,
    /// The case as submitted.
    pub case: Case,
    /// The case that already holds the personnummer (if it is still there).
    pub existing: Option<String>,
    /// The change that was asked for: `person.create` or `person.details`.
    pub what: String,
}

#[derive(Serialize, Deserialize)]
struct RequestDoc {
    person: Person,
    identity: Option<Identity>,
    what: String,
}

fn request_aad(unit: &UnitCode, pnr_index: &str) -> String {
    format!("registration_request:{unit}:{pnr_index}")
}

/// Saves a new or changed person. A personnummer already registered in the municipality
/// for another person makes the registration a request for the reception manager
/// ([`Saved::NeedsCheck`]); only its blind index reaches the audit log. `what` goes to the
/// audit log (no personal data in it).
pub fn save(
    store: &mut dyn Store,
    keys: &Keyring,
    case: &Case,
    actor: Option<i64>,
    what: &str,
) -> Result<Saved> {
    case.person.validate(today())?;
    let row = to_row(keys, case)?;
    if let Some(ix) = &row.pnr_index {
        if let Some(other) = store.person_id_by_pnr_index(&row.unit, ix)? {
            if other != row.id {
                let doc = RequestDoc {
                    person: case.person.clone(),
                    identity: case.identity.clone(),
                    what: what.to_string(),
                };
                let sealed = keys.seal(
                    request_aad(&row.unit, ix).as_bytes(),
                    serde_json::to_string(&doc)?.as_bytes(),
                );
                let audit = AuditEntry::new(
                    &now(),
                    actor,
                    "person.registration_request",
                    "registration_request",
                    Some(&row.unit),
                )
                .change(None, Some(format!("pnr_index {ix}")));
                store.create_registration_request(
                    &etablera_store::RegistrationRequestRow {
                        id: 0,
                        unit: row.unit.clone(),
                        requested_by: actor,
                        created_at: now(),
                        pnr_index: ix.clone(),
                        sealed,
                        resolved_at: None,
                        resolved_by: None,
                        resolution: None,
                    },
                    &audit,
                )?;
                return Ok(Saved::NeedsCheck);
            }
        }
    }
    let audit = AuditEntry::new(
        &now(),
        actor,
        what,
        &format!("person:{}", row.id),
        Some(&row.unit),
    );
    store.save_persons(&[row], &audit)?;
    Ok(Saved::Stored)
}

/// The municipality's open registration requests, opened.
pub fn open_requests(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
) -> Result<Vec<OpenRequest>> {
    let mut out = Vec::new();
    for r in store.registration_requests(unit, true)? {
        let plain = keys
            .open(request_aad(unit, &r.pnr_index).as_bytes(), &r.sealed)
            .map_err(|e| Error::internal(format!("registration request {}: {e}", r.id)))?;
        let doc: RequestDoc = serde_json::from_slice(&plain)
            .with_context(|| format!("registration request {}: damaged", r.id))?;
        out.push(OpenRequest {
            id: r.id,
            requested_by: r.requested_by,
            created_at: r.created_at,
            existing: store.person_id_by_pnr_index(unit, &r.pnr_index)?,
            case: Case {
                person: doc.person,
                identity: doc.identity,
            },
            what: doc.what,
        });
    }
    Ok(out)
}

/// How the reception manager resolves a registration request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The same person: nothing more is stored.
    Discard,
    /// The same person, and the one who asked works with them: they become a named
    /// colleague on the existing case.
    GrantAccess,
}

/// Resolves an open request; `false` if the municipality has no such open request.
pub fn resolve_request(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
    id: i64,
    how: Resolution,
    actor: Option<i64>,
) -> Result<bool> {
    let Some(req) = open_requests(store, keys, unit)?
        .into_iter()
        .find(|r| r.id == id)
    else {
        return Ok(false);
    };
    let (label, action) = match how {
        Resolution::Discard => ("discarded", "registration_request.discard"),
        Resolution::GrantAccess => ("access_granted", "registration_request.grant"),
    };
    if how == Resolution::GrantAccess {
        let (Some(existing), Some(user)) = (&req.existing, req.requested_by) else {
            bail!("the case holding the number, or the user who asked, is gone");
        };
        let Some(mut case) = load(store, keys, unit, existing)? else {
            bail!("the case holding the number is gone");
        };
        if case.person.case_worker != Some(user) && !case.person.colleagues.contains(&user) {
            case.person.colleagues.push(user);
            let row = to_row(keys, &case)?;
            let audit = AuditEntry::new(
                &now(),
                actor,
                "person.assign",
                &format!("person:{existing}"),
                Some(unit),
            )
            .change(None, Some(format!("colleague {user}")));
            store.save_persons(&[row], &audit)?;
        }
    }
    let audit = AuditEntry::new(
        &now(),
        actor,
        action,
        &format!("registration_request:{id}"),
        Some(unit),
    );
    Ok(store.resolve_registration_request(unit, id, label, actor, &audit)?)
}

/// The largest household the register takes.
pub const MAX_HOUSEHOLD: u32 = 30;

/// A municipality's household by id, its housing need opened.
pub fn household(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
) -> Result<Option<Household>> {
    let Some(r) = store.household(unit, id)? else {
        return Ok(None);
    };
    let mut h = serde_json::from_str::<Household>(&r.doc)
        .with_context(|| format!("household {}: the stored document is unreadable", r.id))?;
    // Stored before the housing need was sealed: clear text, sealed at the next save.
    if h.housing_need.starts_with("v1.") {
        let plain = keys
            .open(household_aad(unit, &h.id).as_bytes(), &h.housing_need)
            .map_err(|e| Error::internal(format!("household {}: {e}", h.id)))?;
        h.housing_need = String::from_utf8(plain).map_err(|_| {
            Error::internal(format!("household {}: the housing need is damaged", h.id))
        })?;
    }
    Ok(Some(h))
}

/// What a household's sealed text is bound to: another row's copy does not open.
fn household_aad(unit: &UnitCode, id: &str) -> String {
    format!("household:{unit}:{id}")
}

/// Checks and saves a household (size 1–30, rooms needed 1–20, housing need at most 500
/// characters). Errors name the field.
pub fn save_household(
    store: &mut dyn Store,
    keys: &Keyring,
    h: &Household,
    actor: Option<i64>,
) -> Result<()> {
    if !(1..=MAX_HOUSEHOLD).contains(&h.size) {
        bail!("field `storlek`: a household has 1 to {MAX_HOUSEHOLD} members");
    }
    if h.rooms_needed.is_some_and(|r| !(1..=20).contains(&r)) {
        bail!("field `rum`: 1 to 20 rooms");
    }
    if h.housing_need.chars().count() > 500 {
        bail!("field `bostadsbehov`: at most 500 characters");
    }
    if h.id.is_empty()
        || h.id.len() > 40
        || !h.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        bail!("field `hushall`: an id of letters, digits and `-`, at most 40");
    }
    let mut sealed = h.clone();
    if !sealed.housing_need.is_empty() {
        sealed.housing_need = keys.seal(
            household_aad(&h.unit, &h.id).as_bytes(),
            h.housing_need.as_bytes(),
        );
    }
    put_household(store, &sealed, actor)
}

/// Stores a household whose housing need is sealed or empty.
fn put_household(store: &mut dyn Store, sealed: &Household, actor: Option<i64>) -> Result<()> {
    let h = sealed;
    let row = HouseholdRow {
        id: h.id.clone(),
        unit: h.unit.clone(),
        doc: serde_json::to_string(sealed)?,
    };
    let audit = AuditEntry::new(
        &now(),
        actor,
        "household.save",
        &format!("household:{}", h.id),
        Some(&h.unit),
    );
    store.save_household(&row, &audit)?;
    Ok(())
}

/// Drops a household's housing need without opening it (gallring needs no key).
fn clear_housing_need(
    store: &mut dyn Store,
    unit: &UnitCode,
    id: &str,
    actor: Option<i64>,
) -> Result<()> {
    let Some(r) = store.household(unit, id)? else {
        return Ok(());
    };
    let mut h = serde_json::from_str::<Household>(&r.doc)
        .with_context(|| format!("household {}: the stored document is unreadable", r.id))?;
    if h.housing_need.is_empty() {
        return Ok(());
    }
    h.housing_need.clear();
    put_household(store, &h, actor)
}

/// The rooms a household needs under crowding norm 2 (see
/// [`etablera_matching::score::rooms_needed`]).
pub fn rooms_by_norm(size: u32) -> u32 {
    etablera_matching::score::rooms_needed(size)
}

/// Appends a read of a person's data to the read log.
pub fn log_read(
    store: &mut dyn Store,
    keys: &Keyring,
    user: Option<i64>,
    via: &str,
    persons: &[(&Person, bool)],
    view: &str,
) -> Result<()> {
    let at = now();
    let entries: Vec<ReadLogEntry> = persons
        .iter()
        .map(|(p, related)| ReadLogEntry {
            id: 0,
            at: at.clone(),
            user_id: user,
            via: via.into(),
            person_id: p.id.to_string(),
            unit_code: p.unit.to_string(),
            view: view.into(),
            related: *related,
        })
        .collect();
    store.log_reads(&entries, &|prev, e| keys.chain_mac(prev, &e.chain_bytes()))?;
    Ok(())
}

/// Why the read log's chain breaks at a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// A row without HMAC after chained rows: inserted by hand.
    NoMac,
    /// Rows before this one are gone.
    RowsRemoved,
    /// The first rows are gone and gallring left no checkpoint for them.
    NoCheckpoint,
    /// The HMAC does not fit the row and the one before it: one of them was changed.
    Changed,
}

impl ChainBreak {
    pub fn text(self, lang: etablera_domain::Lang) -> &'static str {
        match self {
            ChainBreak::NoMac => lang.pick(
                "en rad utan HMAC mitt i kedjan (tillagd för hand)",
                "a row without HMAC inside the chain (added by hand)",
            ),
            ChainBreak::RowsRemoved => lang.pick(
                "rader före den har tagits bort",
                "rows before it were removed",
            ),
            ChainBreak::NoCheckpoint => lang.pick(
                "de första raderna har tagits bort utan gallringspunkt",
                "the first rows were removed without a gallring checkpoint",
            ),
            ChainBreak::Changed => lang.pick(
                "raden eller raden före den har ändrats",
                "the row or the one before it was changed",
            ),
        }
    }
}

/// What `verify_read_log` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Rows in the chain.
    pub rows: u64,
    /// Rows written before the chain existed (no HMAC), at its start.
    pub unchained: u64,
    /// The last row's id and HMAC: keep it elsewhere, and a later `--expect-head` shows
    /// whether rows after it were removed.
    pub head: Option<(i64, String)>,
    /// The first row whose HMAC does not follow from the row before it (changed, removed,
    /// inserted or reordered rows), with why.
    pub broken: Option<(i64, ChainBreak)>,
    /// Gallring checkpoints the chain passes.
    pub checkpoints: usize,
    /// Whether an expected head (an earlier run's) is still in the chain.
    pub expected_head_found: Option<bool>,
}

/// Walks the whole read log and checks each row's HMAC against the row before it (or the
/// last gallring checkpoint before the first row).
pub fn verify_read_log(
    store: &mut dyn Store,
    keys: &Keyring,
    expect_head: Option<&str>,
) -> Result<ChainReport> {
    let checkpoints = store.read_log_checkpoints()?;
    let mut report = ChainReport {
        rows: 0,
        unchained: 0,
        head: None,
        broken: None,
        checkpoints: checkpoints.len(),
        expected_head_found: expect_head.map(|_| false),
    };
    let mut after = 0i64;
    // The last chained row's id and HMAC.
    let mut prev: Option<(i64, String)> = None;
    let mut last_id: Option<i64> = None;
    loop {
        let page = store.read_log_chain(after, 10_000)?;
        if page.is_empty() {
            break;
        }
        for r in page {
            let id = r.entry.id;
            after = id;
            let follows = last_id.is_none_or(|l| l + 1 == id);
            last_id = Some(id);
            let Some(mac) = &r.mac else {
                if prev.is_none() {
                    report.unchained += 1;
                } else {
                    report.broken.get_or_insert((id, ChainBreak::NoMac));
                }
                continue;
            };
            let before = match &prev {
                Some((_, p)) if follows => p.clone(),
                Some(_) => {
                    report.broken.get_or_insert((id, ChainBreak::RowsRemoved));
                    String::new()
                }
                // The first chained row follows the unchained rows (""), the gallring
                // checkpoint that cut the log just before it, or nothing.
                None if report.unchained > 0 || id == 1 => String::new(),
                None => match checkpoints.iter().rev().find(|c| c.through_id == id - 1) {
                    Some(c) => c.mac.clone(),
                    None => {
                        report.broken.get_or_insert((id, ChainBreak::NoCheckpoint));
                        String::new()
                    }
                },
            };
            let ok = keys
                .check_chain_mac(&before, &r.entry.chain_bytes(), mac)
                .map_err(|e| Error::internal(format!("read log row {id}: {e}")))?;
            if !ok {
                report.broken.get_or_insert((id, ChainBreak::Changed));
            }
            if expect_head == Some(mac.as_str()) {
                report.expected_head_found = Some(true);
            }
            report.rows += 1;
            report.head = Some((id, mac.clone()));
            prev = Some((id, mac.clone()));
        }
    }
    Ok(report)
}

/// The fields of a person as text, by name: a form or a CSV row.
pub trait Fields {
    fn get(&self, name: &str) -> Option<&str>;
    fn text(&self, name: &str) -> &str {
        self.get(name).map(str::trim).unwrap_or("")
    }
}

impl Fields for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        std::collections::HashMap::get(self, name).map(|s| s.as_str())
    }
}

fn opt_date(f: &dyn Fields, name: &str) -> Result<Option<Date>, RegisterError> {
    match f.text(name) {
        "" => Ok(None),
        t => Date::parse(t)
            .map(Some)
            .map_err(|_| RegisterError::new(name, Problem::NotADate)),
    }
}

fn list(f: &dyn Fields, name: &str) -> Vec<String> {
    f.text(name)
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The field names a form or a caseload file uses.
pub const FIELDS: &[&str] = &[
    "namn",
    "personnummer",
    "fodelsear",
    "kon",
    "fodelseland",
    "sprak",
    "planens_sprak",
    "utbildning",
    "ssyk",
    "svenska",
    "kategori",
    "uppehallstillstand",
    "ankomst",
    "folkbokford",
    "etablering_start",
    "telefon",
    "epost",
    "adress",
    "hushall",
];

/// Reads a person's fields (for a new person, or over an existing one when `base` is given).
/// Errors name the field and never repeat its value.
pub fn parse_fields(
    f: &dyn Fields,
    unit: &UnitCode,
    base: Option<&Case>,
    review_months: u8,
    today: Date,
) -> Result<Case, RegisterError> {
    let name = f.text("namn");
    if name.is_empty() {
        return Err(RegisterError::new("namn", Problem::Needed));
    }
    if name.chars().count() > 200 {
        return Err(RegisterError::new("namn", Problem::TooLong { max: 200 }));
    }
    let pnr = match f.text("personnummer") {
        "" => None,
        t => Some(
            Pnr::parse(t, today)
                .map_err(|e| RegisterError::new("personnummer", Problem::Pnr(e)))?,
        ),
    };
    let birth_year = match (f.text("fodelsear"), &pnr) {
        ("", Some(p)) => p.birth_date().year(),
        ("", None) => return Err(RegisterError::new("fodelsear", Problem::NeededWithoutPnr)),
        (t, _) => t
            .parse::<i32>()
            .map_err(|_| RegisterError::new("fodelsear", Problem::NotAYear))?,
    };
    if let Some(p) = &pnr {
        if p.birth_date().year() != birth_year {
            return Err(RegisterError::new("fodelsear", Problem::DoesNotMatchPnr));
        }
    }
    let sex = match f.text("kon").to_uppercase().as_str() {
        "K" | "KVINNA" | "F" => Sex::Women,
        "M" | "MAN" => Sex::Men,
        _ => return Err(RegisterError::new("kon", Problem::NotInList)),
    };
    let code = |field: &str, t: &str, ok: Option<()>| -> Result<(), RegisterError> {
        if ok.is_none() && !t.is_empty() {
            return Err(RegisterError::new(field, Problem::NotInList));
        }
        Ok(())
    };
    let edu_t = f.text("utbildning");
    let education = Education::parse(edu_t);
    code("utbildning", edu_t, education.map(|_| ()))?;
    let sw_t = f.text("svenska");
    let swedish = if sw_t.is_empty() {
        Some(SwedishLevel::None)
    } else {
        SwedishLevel::parse(sw_t)
    };
    code("svenska", sw_t, swedish.map(|_| ()))?;
    let cat_t = f.text("kategori");
    let category =
        Category::parse(cat_t).ok_or_else(|| RegisterError::new("kategori", Problem::NotInList))?;
    let mut ssyk = Vec::new();
    for s in list(f, "ssyk") {
        ssyk.push(Ssyk::parse(&s).ok_or_else(|| RegisterError::new("ssyk", Problem::Ssyk))?);
    }
    let plan_language = match f.text("planens_sprak") {
        "" => base.map(|b| b.person.plan_language).unwrap_or_default(),
        t => PlanLang::parse(t)
            .ok_or_else(|| RegisterError::new("planens_sprak", Problem::NotInList))?,
    };
    let arrival_date =
        opt_date(f, "ankomst")?.ok_or_else(|| RegisterError::new("ankomst", Problem::Needed))?;
    let country = f.text("fodelseland");
    let household = match f.text("hushall") {
        "" => None,
        t if t.len() <= 40
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Some(t.to_string())
        }
        _ => return Err(RegisterError::new("hushall", Problem::Household)),
    };
    let contact = |n: &str, max: usize| -> Result<Option<String>, RegisterError> {
        match f.text(n) {
            "" => Ok(None),
            t if t.chars().count() <= max => Ok(Some(t.to_string())),
            _ => Err(RegisterError::new(n, Problem::TooLong { max })),
        }
    };
    let identity = Identity {
        name: name.to_string(),
        pnr,
        phone: contact("telefon", 40)?,
        email: contact("epost", 200)?,
        address: contact("adress", 300)?,
    };
    let mut person = match base {
        Some(b) => b.person.clone(),
        None => Person {
            review_months,
            ..Person::new(
                new_person_id(),
                unit.clone(),
                birth_year,
                sex,
                category,
                arrival_date,
                plan_language,
            )
        },
    };
    person.birth_year = birth_year;
    person.sex = sex;
    person.country_of_birth = country.to_string();
    person.languages = list(f, "sprak");
    person.plan_language = plan_language;
    person.education = education;
    person.ssyk = ssyk;
    person.swedish = swedish.unwrap_or(SwedishLevel::None);
    person.household = household;
    person.category = category;
    person.permit_date = opt_date(f, "uppehallstillstand")?;
    person.arrival_date = arrival_date;
    person.registered_date = opt_date(f, "folkbokford")?;
    person.establishment_start = opt_date(f, "etablering_start")?;
    person.validate(today)?;
    Ok(Case {
        person,
        identity: Some(identity),
    })
}

/// One refused row of a caseload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// Reads a caseload CSV (`;` or `,` separated, a header with the names in [`FIELDS`]): every
/// row is checked and all errors are listed; nothing is stored unless every row is right.
pub fn import_caseload(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
    file_name: &str,
    bytes: &[u8],
    actor: Option<i64>,
) -> Result<usize> {
    let settings = settings(store, unit)?;
    let cases = parse_caseload(file_name, bytes, unit, settings.review_months, today())?;
    let mut seen = std::collections::HashMap::new();
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (row_no, c) in &cases {
        let row = to_row(keys, c)?;
        if let Some(ix) = &row.pnr_index {
            if let Some(first) = seen.insert(ix.clone(), *row_no) {
                errors.push(format!("{file_name}, row {row_no}, field `personnummer`: the same number as row {first}"));
            } else if store.person_id_by_pnr_index(unit, ix)?.is_some() {
                // The same words as the form's answer: which case holds the number, and
                // whether the importer may read it, is for the reception manager.
                errors.push(format!(
                    "{file_name}, row {row_no}, field `personnummer`: the number needs checking; register this person on the form and the reception manager resolves it"
                ));
            }
        }
        rows.push(row);
    }
    if !errors.is_empty() {
        bail!(
            "{} row(s) refused, nothing was stored:\n{}",
            errors.len(),
            errors.join("\n")
        );
    }
    let audit = AuditEntry::new(
        &now(),
        actor,
        "register.import",
        &format!("register:{unit}"),
        Some(unit),
    )
    .change(
        None,
        Some(format!("{} persons from {file_name}", rows.len())),
    );
    store.save_persons(&rows, &audit)?;
    Ok(rows.len())
}

/// Parses a caseload file into cases, or lists every refused row.
pub fn parse_caseload(
    file_name: &str,
    bytes: &[u8],
    unit: &UnitCode,
    review_months: u8,
    today: Date,
) -> Result<Vec<(usize, Case)>> {
    let (place, table) = crate::table::rows(file_name, bytes)?;
    let headers: Vec<String> = match table.first() {
        Some((_, Ok(h))) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
        _ => bail!("{place}, row 1: no header row"),
    };
    for h in &headers {
        if !FIELDS.contains(&h.as_str()) {
            bail!(
                "{place}, row 1: unknown column `{h}`; the columns are {}",
                FIELDS.join(", ")
            );
        }
    }
    for needed in ["namn", "kon", "kategori", "ankomst"] {
        if !headers.iter().any(|h| h == needed) {
            bail!("{place}, row 1: the column `{needed}` is missing");
        }
    }
    let mut out = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    for (row, rec) in table.into_iter().skip(1) {
        let rec = match rec {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(r) if r.len() != headers.len() => {
                errors.push(RowError {
                    row,
                    field: "-".into(),
                    message: format!("has {} fields, the header has {}", r.len(), headers.len()),
                });
                continue;
            }
            Ok(r) => r,
            Err(message) => {
                errors.push(RowError {
                    row,
                    field: "-".into(),
                    message,
                });
                continue;
            }
        };
        let map: std::collections::HashMap<String, String> =
            headers.iter().cloned().zip(rec).collect();
        match parse_fields(&map, unit, None, review_months, today) {
            Ok(c) => out.push((row, c)),
            Err(e) => errors.push(RowError {
                row,
                message: match (&e.problem, accepted_codes(&e.field)) {
                    // A file has no list to choose from: name the codes it may hold.
                    (Problem::NotInList, Some(codes)) => {
                        format!("must be one of {codes}")
                    }
                    (p, _) => p.text(etablera_domain::Lang::En),
                },
                field: e.field,
            }),
        }
    }
    if !errors.is_empty() {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{place}, row {}, field `{}`: {}", e.row, e.field, e.message))
            .collect();
        bail!(
            "{} row(s) refused, nothing was stored:\n{}",
            errors.len(),
            lines.join("\n")
        );
    }
    Ok(out)
}

/// The codes a caseload file may hold in a field with a fixed list of answers.
fn accepted_codes(field: &str) -> Option<String> {
    Some(match field {
        "kon" => "K, M".to_string(),
        "kategori" => Category::codes(),
        "utbildning" => Education::codes(),
        "svenska" => SwedishLevel::codes(),
        "planens_sprak" => "sv, en, ar, prs, so, ti".to_string(),
        _ => return None,
    })
}

/// Writes the municipality's caseload as CSV in the import format (reads are logged).
pub fn export_caseload(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
    actor: Option<i64>,
) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(FIELDS)?;
    let rows = store.persons(unit)?;
    let mut cases = Vec::new();
    for row in &rows {
        let c = from_row(keys, row)?;
        let Some(i) = &c.identity else { continue };
        let p = &c.person;
        let d = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
            i.name.clone(),
            i.pnr.as_ref().map(|p| p.display()).unwrap_or_default(),
            p.birth_year.to_string(),
            if p.sex == Sex::Women {
                "K".into()
            } else {
                "M".into()
            },
            p.country_of_birth.clone(),
            p.languages.join(", "),
            p.plan_language.tag().into(),
            p.education
                .map(|e| e.code().to_string())
                .unwrap_or_default(),
            p.ssyk
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            p.swedish.code().into(),
            p.category.code().into(),
            d(p.permit_date),
            p.arrival_date.to_string(),
            d(p.registered_date),
            d(p.establishment_start),
            i.phone.clone().unwrap_or_default(),
            i.email.clone().unwrap_or_default(),
            i.address.clone().unwrap_or_default(),
            p.household.clone().unwrap_or_default(),
        ])?;
        cases.push(c);
    }
    let refs: Vec<(&Person, bool)> = cases.iter().map(|c| (&c.person, false)).collect();
    log_read(store, keys, actor, "cli", &refs, "etablera register export")?;
    Ok(String::from_utf8(w.into_inner().map_err(Error::internal)?)?)
}

/// Everything stored about one person (GDPR art. 15 and 20): the record, the identity, the
/// household, plan links, every logged read and every change made.
pub fn export_person(
    store: &mut dyn Store,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
) -> Result<serde_json::Value> {
    let case = load(store, keys, unit, id)?.ok_or(Error::NotFound)?;
    let household = match &case.person.household {
        Some(h) => household(store, keys, unit, h)?
            .map(|h| serde_json::to_value(&h))
            .transpose()?,
        None => None,
    };
    let links = store.plan_links(id)?;
    let reads = store.read_log(&etablera_store::ReadLogFilter {
        person_id: Some(id.to_string()),
        limit: 10_000,
        ..Default::default()
    })?;
    let changes: Vec<AuditEntry> = store
        .audit_log(&etablera_store::AuditFilter {
            units: Some(vec![unit.to_string()]),
            limit: 1000,
            ..Default::default()
        })?
        .into_iter()
        .filter(|a| a.object == format!("person:{id}"))
        .collect();
    let identity = case.identity.as_ref().map(|i| {
        serde_json::json!({
            "name": i.name,
            "personnummer": i.pnr.as_ref().map(|p| p.display()),
            "phone": i.phone, "email": i.email, "address": i.address,
        })
    });
    Ok(serde_json::json!({
        "exported_at": now(),
        "person": case.person,
        "identity": identity,
        "household": household,
        "plan_links": links,
        "reads": reads,
        "changes": changes,
    }))
}

/// What gallring will do or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GallringPlan {
    /// Closed before this day.
    pub cutoff: Date,
    pub mode: GallringMode,
    /// Person ids and the day each case was closed.
    pub persons: Vec<(String, Date)>,
    pub done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GallringMode {
    /// Delete the person and their plan links.
    Delete,
    /// Remove identity, free text and case workers; keep what the statistics need.
    Anonymise,
}

/// Finds cases closed more than `years` years before `today` (per municipality's setting
/// when `years` is `None`); runs the gallring when `execute` is set, otherwise only plans it.
pub fn gallra(
    store: &mut dyn Store,
    unit: &UnitCode,
    years: Option<u32>,
    mode: GallringMode,
    today: Date,
    execute: bool,
    actor: Option<i64>,
) -> Result<GallringPlan> {
    let years = match years {
        Some(y) => y,
        None => settings(store, unit)?.retention_years,
    };
    let cutoff = etablera_register::add_months(today, -12 * years as i32);
    let mut persons = Vec::new();
    let mut rows = Vec::new();
    for row in store.persons(unit)? {
        let p = person_of(&row)?;
        if let Some(closed) = p.closed {
            if closed < cutoff && !(mode == GallringMode::Anonymise && p.anonymised) {
                persons.push((row.id.clone(), closed));
                rows.push((row, p));
            }
        }
    }
    let their_households: std::collections::BTreeSet<String> = rows
        .iter()
        .filter_map(|(_, p)| p.household.clone())
        .collect();
    if execute && !persons.is_empty() {
        let audit = AuditEntry::new(
            &now(),
            actor,
            "register.gallring",
            &format!("register:{unit}"),
            Some(unit),
        )
        .change(
            None,
            Some(format!(
                "{:?}: {} persons closed before {cutoff}",
                mode,
                persons.len()
            )),
        );
        match mode {
            GallringMode::Delete => {
                let ids: Vec<String> = persons.iter().map(|(i, _)| i.clone()).collect();
                store.delete_persons(&ids, &audit)?;
            }
            GallringMode::Anonymise => {
                let mut out = Vec::new();
                for (row, mut p) in rows {
                    anonymise(&mut p);
                    out.push(PersonRow {
                        household: p.household.clone().filter(|h| !h.is_empty()),
                        doc: serde_json::to_string(&p)?,
                        identity: None,
                        pnr_index: None,
                        case_worker: None,
                        anonymised: true,
                        updated_at: now(),
                        ..row
                    });
                }
                store.save_persons(&out, &audit)?;
                for (id, _) in &persons {
                    for l in store.plan_links(id)? {
                        if l.revoked_at.is_none() {
                            store.revoke_plan_link(
                                id,
                                l.id,
                                &now(),
                                &AuditEntry::new(
                                    &now(),
                                    actor,
                                    "register.gallring",
                                    &format!("person:{id}"),
                                    Some(unit),
                                ),
                            )?;
                        }
                    }
                }
            }
        }
        // A household nobody in the register belongs to any more keeps its size and rooms
        // (no one can be told from them) but loses its free text.
        let still: std::collections::BTreeSet<String> = store
            .persons(unit)?
            .iter()
            .map(person_of)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|p| p.household)
            .collect();
        for hid in their_households.difference(&still) {
            clear_housing_need(store, unit, hid, actor)?;
        }
    }
    Ok(GallringPlan {
        cutoff,
        mode,
        persons,
        done: execute,
    })
}

/// Removes what can identify a person and keeps what the figures need.
fn anonymise(p: &mut Person) {
    p.case_worker = None;
    p.colleagues.clear();
    p.household = None;
    p.languages.clear();
    p.ssyk.clear();
    p.country_of_birth = "-".into();
    p.birth_year = p.birth_year - p.birth_year.rem_euclid(5);
    p.assessment = None;
    p.consents.clear();
    p.referrals.clear();
    p.reviews.clear();
    for i in &mut p.interventions {
        i.detail.clear();
        i.contact.clear();
        i.provider = "-".into();
    }
    for e in &mut p.events {
        e.note.clear();
    }
    p.anonymised = true;
}

/// Re-seals every identity and free text, every household's housing need and every
/// registration request with the current key and recomputes blind indexes, in one
/// transaction; a row changed since it was read is left for the next rotation. Returns how
/// many rows were re-sealed.
pub fn rotate_keys(store: &mut dyn Store, keys: &Keyring, actor: Option<i64>) -> Result<usize> {
    let mut out = Vec::new();
    for row in store.all_persons()? {
        let stale = row.identity.as_deref().is_some_and(|s| keys.is_stale(s))
            || row
                .pnr_index
                .as_deref()
                .is_some_and(|s| keys.is_stale_index(s))
            || text_in_clear(&row);
        if stale {
            let case = from_row(keys, &row)?;
            let mut new = to_row(keys, &case)?;
            new.updated_at = row.updated_at.clone();
            out.push((new, row));
        }
    }
    // Households' housing needs, sealed under an older key (or stored in clear before they
    // were sealed), are sealed again with the current one.
    let mut households = Vec::new();
    for row in store.all_households()? {
        let doc = serde_json::from_str::<Household>(&row.doc)
            .with_context(|| format!("household {}: the stored document is unreadable", row.id))?;
        let sealed = doc.housing_need.starts_with("v1.");
        if doc.housing_need.is_empty() || (sealed && !keys.is_stale(&doc.housing_need)) {
            continue;
        }
        let Some(open) = household(store, keys, &row.unit, &row.id)? else {
            continue;
        };
        let mut resealed = open.clone();
        resealed.housing_need = keys.seal(
            household_aad(&open.unit, &open.id).as_bytes(),
            open.housing_need.as_bytes(),
        );
        let new = HouseholdRow {
            id: row.id.clone(),
            unit: row.unit.clone(),
            doc: serde_json::to_string(&resealed)?,
        };
        households.push((new, row.doc));
    }
    // Registration requests: sealed under their personnummer's blind index, which changes
    // with the key; both are made again, so a request still finds its person afterwards.
    let mut requests = Vec::new();
    for r in store.all_registration_requests()? {
        if !keys.is_stale(&r.sealed) && !keys.is_stale_index(&r.pnr_index) {
            continue;
        }
        let plain = keys
            .open(request_aad(&r.unit, &r.pnr_index).as_bytes(), &r.sealed)
            .map_err(|e| Error::internal(format!("registration request {}: {e}", r.id)))?;
        let doc: RequestDoc = serde_json::from_slice(&plain)
            .with_context(|| format!("registration request {}: damaged", r.id))?;
        let Some(index) = doc
            .identity
            .as_ref()
            .and_then(|i| i.pnr.as_ref())
            .map(|n| keys.blind_index(n.digits()))
        else {
            return Err(Error::internal(format!(
                "registration request {}: no personnummer in it",
                r.id
            )));
        };
        let sealed = keys.seal(request_aad(&r.unit, &index).as_bytes(), &plain);
        requests.push((r.id, index, sealed, r.sealed));
    }
    let audit = AuditEntry::new(&now(), actor, "register.rotate_keys", "register", None).change(
        None,
        Some(format!(
            "{} identities, {} households and {} registration requests sealed with key {}",
            out.len(),
            households.len(),
            requests.len(),
            keys.current()
        )),
    );
    Ok(store.rotate_register(&out, &households, &requests, &audit)?)
}

/// The register's figures for a municipality, for the years its cases cover up to `as_of`.
pub fn figures(store: &mut dyn Store, unit: &UnitCode, as_of: Date) -> Result<Option<Figures>> {
    let threshold = settings(store, unit)?.threshold;
    let persons: Vec<Person> = store
        .persons(unit)?
        .iter()
        .map(person_of)
        .collect::<Result<_>>()?;
    let Some(first) = persons.iter().map(|p| p.arrival_date.year()).min() else {
        return Ok(None);
    };
    let facts: Vec<Facts> = persons.iter().map(Facts::of).collect();
    Ok(Some(stats::compute(
        &facts,
        first,
        as_of.year(),
        as_of,
        threshold,
    )))
}

/// Stores the register's figures as observations (source `register`), beside Kolada's, so
/// strategies can follow them up. Suppressed cells are stored as suppressed, with no value.
/// Returns how many observations the batch holds (0 when nothing changed).
pub fn feed_followup(store: &mut dyn Store, unit: &UnitCode, as_of: Date) -> Result<usize> {
    let Some(fig) = figures(store, unit, as_of)? else {
        return Ok(0);
    };
    let mut obs = Vec::new();
    for c in &fig.cells {
        if c.n == 0 && c.suppressed.is_none() && c.indicator != RegIndicator::Received {
            continue;
        }
        let id = IndicatorId::parse(c.indicator.id()).expect("valid id");
        let (value, status) = match (c.suppressed, c.value) {
            (Some(_), _) => (None, ObsStatus::Suppressed),
            (None, Some(v)) => (Some((v * 10.0).round() / 10.0), ObsStatus::Final),
            (None, None) => (None, ObsStatus::Missing),
        };
        obs.push(Observation::new(
            id,
            unit.clone(),
            Period::Year(c.year),
            c.sex,
            value,
            status,
        )?);
    }
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for o in &obs {
        h.update(format!("{o:?}\n").as_bytes());
    }
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let batch = etablera_store::NewBatch {
        source: "register".into(),
        file_name: Some(format!("etableringsregistret {unit} {as_of}")),
        content_sha256: digest,
        imported_at: now(),
        owner: Some(unit.clone()),
        audit: None,
    };
    match store.import_observations(&batch, &obs, &mut |_| {})? {
        etablera_store::ImportOutcome::Imported { changed, .. } => Ok(changed),
        _ => Ok(0),
    }
}
