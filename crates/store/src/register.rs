//! Rows of the establishment register, as the store keeps them. Person documents are JSON
//! without direct identifiers; the identity is sealed by the application before it gets here.

use etablera_domain::UnitCode;

/// A person as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: String,
    pub unit: UnitCode,
    pub case_worker: Option<i64>,
    pub closed_on: Option<String>,
    pub anonymised: bool,
    /// The person as JSON (`etablera_register::Person`).
    pub doc: String,
    /// The sealed identity; `None` after anonymisation.
    pub identity: Option<String>,
    pub pnr_index: Option<String>,
    pub updated_at: String,
    /// The household id, also inside `doc`: a column so a household's members are found
    /// by an index.
    pub household: Option<String>,
}

impl std::fmt::Debug for PersonRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonRow({})", self.id)
    }
}

/// A household as stored (JSON document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRow {
    pub id: String,
    pub unit: UnitCode,
    pub doc: String,
}

/// One read of a person's data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadLogEntry {
    /// Assigned by the store.
    pub id: i64,
    pub at: String,
    /// The user who read; `None` when read through a newcomer's own plan link.
    pub user_id: Option<i64>,
    /// `web`, `api`, `cli` or `plan-link`.
    pub via: String,
    pub person_id: String,
    pub unit_code: String,
    /// The page or API call, e.g. `GET /register/2380/persons/{id}`.
    pub view: String,
    /// Whether the reader was the case worker or a named colleague at the time.
    pub related: bool,
}

/// Which reads to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct ReadLogFilter {
    pub unit: Option<String>,
    pub user_id: Option<i64>,
    pub person_id: Option<String>,
    /// ISO dates or timestamps, inclusive bounds compared as text.
    pub from: Option<String>,
    pub to: Option<String>,
    pub unrelated_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A newcomer's plan link; only the hash of the code is stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanLinkRow {
    pub id: i64,
    pub person_id: String,
    #[serde(skip)]
    pub code_hash: String,
    pub lang: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

impl ReadLogEntry {
    /// The bytes the read log's chain HMAC covers: every field, the id included, so a
    /// removed, changed or renumbered row breaks the chain.
    pub fn chain_bytes(&self) -> Vec<u8> {
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.id,
            self.at,
            self.user_id.map(|u| u.to_string()).unwrap_or_default(),
            self.via,
            self.person_id,
            self.unit_code,
            self.view,
            self.related
        )
        .into_bytes()
    }
}

/// Computes a read-log row's chain HMAC from the previous row's (empty for the first).
pub type ChainMac<'a> = &'a dyn Fn(&str, &ReadLogEntry) -> String;

/// A read-log row with its chain HMAC (`None` for rows written before the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedRead {
    pub entry: ReadLogEntry,
    pub mac: Option<String>,
}

/// Where gallring cut the read log: the chain goes on from `mac`, the HMAC of row
/// `through_id`, the last one removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLogCheckpoint {
    pub id: i64,
    pub at: String,
    pub through_id: i64,
    pub mac: String,
}

/// A registration that named a personnummer already in the municipality's register: the
/// submitted case sealed, the number only as its blind index.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrationRequestRow {
    /// Assigned by the store.
    pub id: i64,
    pub unit: UnitCode,
    pub requested_by: Option<i64>,
    pub created_at: String,
    pub pnr_index: String,
    pub sealed: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<i64>,
    /// `discarded` or `access_granted`.
    pub resolution: Option<String>,
}

impl std::fmt::Debug for RegistrationRequestRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RegistrationRequestRow({} in {})", self.id, self.unit)
    }
}

/// The error for a save of a person whose id another municipality holds: refused whole.
pub(crate) fn foreign_person(id: &str) -> crate::StoreError {
    crate::StoreError::Conflict(format!(
        "person `{id}` belongs to another municipality; nothing was saved"
    ))
}
