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
