//! Storage: one [`Store`] trait, with SQLite (the embedded default) and PostgreSQL behind it.
//!
//! This is the only crate that speaks SQL. Migrations are applied in order and never edited
//! once shipped. Each is one file for both databases (`migrations/shared`), with the lines
//! one dialect spells differently marked for it (see [`backend::render_migration`]).
//!
//! Observations are versioned: every import that changes something is a dated
//! [`Batch`], and a figure's current value is its version in the latest batch. Asking
//! for the data [`ObsQuery::as_of`] a date reproduces it as it stood then. Imports are
//! one transaction each and idempotent: the same file twice, or the same figures in
//! another file, change nothing.
//!
//! ```
//! use etablera_store::{open, Store};
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = open(dir.path().join("e.db").to_str().unwrap()).unwrap();
//! store.migrate().unwrap();
//! assert_eq!(store.counts().unwrap().observations, 0);
//! ```

pub mod backend;
pub mod ops;
mod pg;
mod pg_conn;
mod shared;
mod sqlite;
pub mod testing;

pub use pg::PgStore;
pub use sqlite::SqliteStore;

use etablera_domain::{
    Indicator, IndicatorId, ObsStatus, Observation, Period, Sex, Strategy, Unit, UnitCode,
    UnitGroup,
};
use std::collections::{HashMap, HashSet};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("unknown indicator `{0}`; import its metadata first")]
    UnknownIndicator(String),
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("the stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A unique key is taken (a username, a token); the message says which, for the user.
    #[error("{0}")]
    Conflict(String),
    #[error("the import was stopped: {0}")]
    Aborted(String),
    #[error("`{0}` is not a database address; give a file path for SQLite or a postgres:// URL")]
    BadAddress(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A batch about to be imported.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// `kolada`, `csv`, `xlsx`, `manual`, `demo`, …
    pub source: String,
    pub file_name: Option<String>,
    pub content_sha256: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub imported_at: String,
    /// The municipality whose figures the batch holds; `None` for the nation's, a
    /// county's or several municipalities' (imported by a system administrator).
    pub owner: Option<UnitCode>,
    /// The import's audit entry, written in the import's own transaction (alone when the
    /// import changes nothing). The store puts the outcome in front of its `after` (which
    /// may carry the reader's warnings).
    pub audit: Option<AuditEntry>,
}

impl NewBatch {
    /// The audit entry for `outcome`, if the batch has one.
    pub fn audit_of(&self, outcome: &ImportOutcome) -> Option<AuditEntry> {
        self.audit.clone().map(|mut a| {
            a.after = Some(match a.after.take().filter(|x| !x.is_empty()) {
                Some(more) => format!("{outcome}\n{more}"),
                None => outcome.to_string(),
            });
            a
        })
    }
}

/// A stored batch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Batch {
    pub id: i64,
    pub source: String,
    pub file_name: Option<String>,
    pub content_sha256: String,
    pub imported_at: String,
    pub row_count: i64,
    pub changed_count: i64,
    /// The owning municipality's code, if one owns it.
    pub owner: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new batch with this many changed figures out of the rows read.
    Imported {
        batch_id: i64,
        rows: usize,
        changed: usize,
    },
    /// Every figure was already stored with the same value and status.
    Unchanged { rows: usize },
    /// This very file was imported before, as that batch.
    AlreadyImported { batch_id: i64 },
}

impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Counts as a Swede reads them, in the terminal too: 100 002, not 100,002.
        let n =
            |v: &usize| etablera_domain::format::number(*v as f64, 0, etablera_domain::Lang::Sv);
        match self {
            ImportOutcome::Imported {
                batch_id,
                rows,
                changed,
            } => write!(
                f,
                "imported batch {batch_id}: {} values read, {} new or changed",
                n(rows),
                n(changed)
            ),
            ImportOutcome::Unchanged { rows } => write!(
                f,
                "nothing changed: all {} values were already stored",
                n(rows)
            ),
            ImportOutcome::AlreadyImported { batch_id } => write!(
                f,
                "nothing changed: this file was already imported as batch {batch_id}"
            ),
        }
    }
}

/// Which observations to read.
#[derive(Debug, Clone, Default)]
pub struct ObsQuery {
    pub indicators: Vec<IndicatorId>,
    /// Empty means every unit.
    pub units: Vec<UnitCode>,
    /// Only batches imported at or before this (an ISO date or timestamp).
    pub as_of: Option<String>,
}

/// A stored figure with the batch it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObservation {
    pub observation: Observation,
    pub batch_id: i64,
}

/// Row counts, for checks and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub units: i64,
    pub indicators: i64,
    pub batches: i64,
    pub observations: i64,
    pub strategies: i64,
}

/// A strategy in a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategySummary {
    pub id: String,
    pub owner: UnitCode,
    pub title: String,
    pub updated_at: String,
    /// Whether its overview and target pages are open to the public.
    pub published: bool,
}

/// A saved version of a strategy: its number (1, 2, …) and when it was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyVersion {
    pub version: i32,
    pub saved_at: String,
}

/// A strategy as it stood at a time: the newest version saved by then or, when the time
/// precedes every version, the first (`saved_after` says so).
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyAsOf {
    pub strategy: Strategy,
    pub version: StrategyVersion,
    pub saved_after: bool,
}

/// One changed field of a target: who, when, old and new value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetRevision {
    pub strategy_id: String,
    pub target_id: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub user_id: Option<i64>,
    pub changed_at: String,
}

/// A strategist's analysis of a target for one year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetComment {
    pub strategy_id: String,
    pub target_id: String,
    pub year: i32,
    pub body: String,
    pub author_id: Option<i64>,
    pub updated_at: String,
}

/// What the library knows of a document: what it is about and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LibraryMeta {
    /// The municipality the document is about.
    pub unit_code: String,
    pub title: String,
    pub year: Option<i32>,
    /// `strategi`, `program`, `handlingsplan` or `plan`.
    pub kind: String,
    /// Where the document was found (a URL or a reference).
    pub source: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub content_sha256: Option<String>,
    pub added_by: Option<i64>,
    /// The municipality of the one who added it (it may change or remove the entry).
    pub added_for: Option<String>,
    pub added_at: String,
    /// Shown to the public (without a login).
    pub published: bool,
}

/// A document of the strategy library, or a catalogue entry still without its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LibraryEntry {
    pub id: i64,
    #[serde(flatten)]
    pub meta: LibraryMeta,
    /// How many paragraphs of text it has (none: "text missing").
    pub paragraphs: i64,
}

/// A library entry to store, with its original file when there is one.
#[derive(Debug, Clone)]
pub struct NewLibraryEntry {
    pub meta: LibraryMeta,
    pub original: Option<Vec<u8>>,
}

/// A document another library document lists: a catalogue entry without its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LibraryListing {
    /// The document that lists it ("Östersund, Integrationsstrategi 2020").
    pub listed_in: String,
    /// The line of that document it stands on.
    pub line: i32,
    pub title: String,
    /// The municipality the title names, if it names one.
    pub unit_code: Option<String>,
    /// The year the title states, if it states one.
    pub year: Option<i32>,
    pub kind: String,
}

/// A municipality's review of one target read out of a library document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DraftReview {
    pub entry_id: i64,
    /// The draft's place among the entry's drafts (from 0).
    pub n: i32,
    /// The sha256 of the draft's sentence.
    pub sentence_sha256: String,
    /// The reviewing municipality.
    pub unit_code: String,
    /// `accepted` or `rejected`.
    pub state: String,
    pub strategy_id: Option<String>,
    pub target_id: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: String,
}

/// One paragraph of a library document, with the page it stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryParagraph {
    pub entry_id: i64,
    /// Its place in the document, from 0.
    pub n: i32,
    pub page: Option<i32>,
    pub body: String,
}

/// A visitor's report of an accessibility problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessibilityReport {
    pub id: i64,
    pub at: String,
    pub page: Option<String>,
    pub message: String,
    /// How to answer, if the visitor wants an answer.
    pub contact: Option<String>,
    pub user_id: Option<i64>,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// An argon2id PHC string; `None` for accounts that log in through an identity provider.
    pub password_hash: Option<String>,
    pub system_admin: bool,
    pub disabled: bool,
}

/// A user account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub system_admin: bool,
}

/// A server-side session. Only the hash of the session id is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
}

/// An upload read for its preview and kept, parsed, until the user confirms it. Only the
/// hash of its token is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingUploadRow {
    pub token_hash: String,
    pub user_id: i64,
    pub strategy_id: String,
    /// The municipality whose figures these are (the strategy's owner).
    pub unit: UnitCode,
    pub file_name: String,
    /// `kolada`, `csv` or `xlsx`.
    pub kind: String,
    pub content_sha256: String,
    /// The observations as JSON.
    pub observations: String,
    /// The reader's warnings as JSON.
    pub warnings: String,
    pub created_at: String,
    pub expires_at: String,
}

/// One line of the audit log: who did what, when, to what, and the value before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Assigned by the store; 0 for an entry not yet stored.
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub action: String,
    pub object: String,
    pub unit_code: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEntry {
    pub fn new(
        at: &str,
        user_id: Option<i64>,
        action: &str,
        object: &str,
        unit: Option<&UnitCode>,
    ) -> AuditEntry {
        AuditEntry {
            id: 0,
            at: at.to_string(),
            user_id,
            action: action.to_string(),
            object: object.to_string(),
            unit_code: unit.map(|u| u.to_string()),
            before: None,
            after: None,
        }
    }
    pub fn change(mut self, before: Option<String>, after: Option<String>) -> AuditEntry {
        self.before = before;
        self.after = after;
        self
    }
}

/// An API token for a machine client. Only the hash of the token is stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: String,
    pub user_id: i64,
    pub unit_code: String,
    /// `read` or `write`.
    pub scope: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    /// Only these municipalities; `None` for all.
    pub units: Option<Vec<String>>,
    pub action: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub mod identity;
pub mod mail;
pub mod register;
pub use identity::{LinkedIdentity, OidcLoginRow, PutLogin};
pub use mail::{Message, NewMessage};
pub mod rounds;
use etablera_domain::round::{RoundState, TaskState};
pub use rounds::{AdoptionRow, Department, RoundRow, TaskRow};
mod sql;
pub use register::{
    ChainMac, ChainedRead, HouseholdRow, PersonRow, PlanLinkRow, ReadLogCheckpoint, ReadLogEntry,
    ReadLogFilter, RegistrationRequestRow,
};

/// The repository: everything Etablera stores.
pub trait Store: Send + backend::Backend {
    /// Applies the migrations not yet applied.
    fn migrate(&mut self) -> Result<()>;
    /// Names the municipalities the acting principal acts for, for this connection's work
    /// until the next call: codes separated by commas, `*` for every one (a system
    /// administrator, the operator), empty for an anonymous reader. On PostgreSQL it is the
    /// session setting `etablera.units`, which row-level security policies can key on; SQLite
    /// keeps it for the same answers (it has no policies).
    fn set_acting_units(&mut self, units: &str) -> Result<()>;
    /// The municipalities last named by [`Store::set_acting_units`] (empty before).
    fn acting_units(&mut self) -> Result<String>;
    /// Inserts or updates units (reference data and groups' own rows).
    fn upsert_units(&mut self, units: &[Unit]) -> Result<usize> {
        shared::upsert_units(self, units)
    }
    fn units(&mut self) -> Result<Vec<Unit>> {
        shared::units(self.sql())
    }
    /// Stores a group (a unit of kind group) and its members, replacing earlier members.
    fn save_group(&mut self, group: &UnitGroup) -> Result<()> {
        shared::save_group(self, group)
    }
    fn groups(&mut self) -> Result<Vec<UnitGroup>> {
        shared::groups(self.sql())
    }
    /// Inserts new and updates changed indicators in one transaction; returns how many changed.
    fn upsert_indicators(&mut self, indicators: &[Indicator]) -> Result<usize> {
        shared::upsert_indicators(self, indicators)
    }
    fn indicators(&mut self) -> Result<Vec<Indicator>> {
        shared::indicators(self.sql())
    }
    /// One indicator by id (the catalogue holds thousands: a request that needs one reads one).
    fn indicator(&mut self, id: &IndicatorId) -> Result<Option<Indicator>> {
        shared::indicator(self.sql(), id)
    }
    /// Imports observations as one batch, in one transaction: a stream of one chunk.
    fn import_observations(
        &mut self,
        batch: &NewBatch,
        obs: &[Observation],
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome> {
        let mut one = std::iter::once(Ok(obs.to_vec()));
        self.import_stream(batch, &mut one, progress)
    }
    /// Imports observations that arrive in chunks (while a large file is still being
    /// read) as one batch, in one transaction. An `Err` chunk aborts the import and
    /// leaves the store as it was.
    fn import_stream(
        &mut self,
        batch: &NewBatch,
        chunks: &mut dyn Iterator<Item = std::result::Result<Vec<Observation>, String>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportOutcome>;
    /// The latest version of each matching figure (as of a date, if asked).
    fn observations(&mut self, q: &ObsQuery) -> Result<Vec<StoredObservation>>;
    fn batches(&mut self) -> Result<Vec<Batch>> {
        shared::batches(self.sql())
    }
    /// Stores a visitor's report of an accessibility problem.
    fn add_accessibility_report(&mut self, report: &AccessibilityReport) -> Result<i64> {
        shared::add_accessibility_report(self.sql(), report)
    }
    /// The newest reports first.
    fn accessibility_reports(&mut self, limit: i64) -> Result<Vec<AccessibilityReport>> {
        shared::accessibility_reports(self.sql(), limit)
    }
    /// The id of the newest batch (0 when none): any import changes it.
    fn batches_version(&mut self) -> Result<i64> {
        shared::batches_version(self.sql())
    }
    /// Stores a strategy, replacing an earlier one with the same id, in one transaction.
    fn save_strategy(&mut self, s: &Strategy, updated_at: &str) -> Result<()> {
        self.save_strategy_change(s, updated_at, &[], None)
    }
    /// Stores a changed strategy with the revisions of its targets and the audit entry, in
    /// one transaction.
    fn save_strategy_change(
        &mut self,
        s: &Strategy,
        updated_at: &str,
        revisions: &[TargetRevision],
        audit: Option<&AuditEntry>,
    ) -> Result<()> {
        shared::save_strategy_change(self, s, updated_at, revisions, audit)
    }
    /// The revision history of a target, oldest first.
    fn target_revisions(
        &mut self,
        strategy_id: &str,
        target_id: &str,
    ) -> Result<Vec<TargetRevision>> {
        shared::target_revisions(self.sql(), strategy_id, target_id)
    }
    /// Stores (or, with an empty body, removes) the yearly comment on a target.
    fn save_target_comment(&mut self, c: &TargetComment, audit: &AuditEntry) -> Result<()> {
        shared::save_target_comment(self, c, audit)
    }
    fn target_comment(
        &mut self,
        strategy_id: &str,
        target_id: &str,
        year: i32,
    ) -> Result<Option<TargetComment>> {
        shared::target_comment(self.sql(), strategy_id, target_id, year)
    }
    fn strategy(&mut self, id: &str) -> Result<Option<Strategy>> {
        shared::strategy(self.sql(), id)
    }
    /// The strategy as it stood at `as_of` (a date covers its whole day; see
    /// [`StrategyAsOf`]). Each save that changes a strategy keeps a version.
    fn strategy_as_of(&mut self, id: &str, as_of: &str) -> Result<Option<StrategyAsOf>> {
        shared::strategy_as_of(self.sql(), id, as_of)
    }
    /// The saved versions of a strategy, oldest first.
    fn strategy_versions(&mut self, id: &str) -> Result<Vec<StrategyVersion>> {
        shared::strategy_versions(self.sql(), id)
    }
    fn strategies(&mut self) -> Result<Vec<StrategySummary>> {
        shared::strategies(self.sql())
    }
    fn counts(&mut self) -> Result<Counts> {
        shared::counts(self.sql())
    }

    // Accounts, sessions and the audit log. Writes that change accounts take the audit
    // entry and store it in the same transaction.
    /// Creates a user; a taken username is a [`StoreError::Conflict`].
    fn create_user(&mut self, user: &NewUser, audit: &AuditEntry) -> Result<i64> {
        shared::create_user(self, user, audit)
    }
    fn user(&mut self, id: i64) -> Result<Option<User>> {
        shared::user(self.sql(), id)
    }
    fn user_by_name(&mut self, username: &str) -> Result<Option<User>> {
        shared::user_by_name(self.sql(), username)
    }
    fn users(&mut self) -> Result<Vec<User>> {
        shared::users(self.sql())
    }
    fn set_password(
        &mut self,
        user_id: i64,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        shared::set_password(self, user_id, password_hash, audit)
    }
    /// Gives a user a role in a municipality, or removes it with `None`.
    fn set_role(
        &mut self,
        user_id: i64,
        unit: &UnitCode,
        role: Option<etablera_domain::access::Role>,
        audit: &AuditEntry,
    ) -> Result<()> {
        shared::set_role(self, user_id, unit, role, audit)
    }
    fn memberships(
        &mut self,
        user_id: i64,
    ) -> Result<Vec<(UnitCode, etablera_domain::access::Role)>> {
        shared::memberships(self.sql(), user_id)
    }
    fn create_session(&mut self, s: &SessionRow) -> Result<()> {
        shared::create_session(self.sql(), s)
    }
    fn session(&mut self, id_hash: &str) -> Result<Option<SessionRow>> {
        shared::session(self.sql(), id_hash)
    }
    fn touch_session(&mut self, id_hash: &str, at: &str) -> Result<()> {
        shared::touch_session(self.sql(), id_hash, at)
    }
    fn delete_session(&mut self, id_hash: &str) -> Result<()> {
        shared::delete_session(self.sql(), id_hash)
    }
    /// Keeps an upload's preview; drops expired ones (`expires_at` before `now`) and the
    /// user's oldest beyond `keep_per_user`.
    fn put_pending_upload(
        &mut self,
        row: &PendingUploadRow,
        now: &str,
        keep_per_user: i64,
    ) -> Result<()> {
        shared::put_pending_upload(self, row, now, keep_per_user)
    }
    /// Takes (and deletes) a preview by token hash if it belongs to the user and the
    /// strategy and has not expired at `now`; a second take of the same token finds nothing.
    fn take_pending_upload(
        &mut self,
        token_hash: &str,
        user_id: i64,
        strategy_id: &str,
        now: &str,
    ) -> Result<Option<PendingUploadRow>> {
        shared::take_pending_upload(self.sql(), token_hash, user_id, strategy_id, now)
    }
    fn record_login(&mut self, attempt: &LoginAttempt) -> Result<()> {
        shared::record_login(self.sql(), attempt)
    }
    /// What throttling needs about a login from `address` as `username`: the pair's
    /// failures since `pair_since` (after its last success), and the address's and the
    /// account's failures since `wide_since`.
    fn login_failures(
        &mut self,
        username: &str,
        address: &str,
        pair_since: &str,
        wide_since: &str,
    ) -> Result<LoginFailures> {
        shared::login_failures(self.sql(), username, address, pair_since, wide_since)
    }
    /// Drops failed attempts older than `failures_before` and successful ones older than
    /// `successes_before`; returns how many went.
    fn prune_login_attempts(
        &mut self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<usize> {
        shared::prune_login_attempts(self.sql(), failures_before, successes_before)
    }
    fn append_audit(&mut self, entry: &AuditEntry) -> Result<()> {
        shared::append_audit(self, entry)
    }
    fn audit_log(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        shared::audit_log(self.sql(), filter)
    }
    /// Stores a new API token (its hash); `token.id` is ignored.
    fn create_token(&mut self, token: &ApiToken, audit: &AuditEntry) -> Result<i64> {
        shared::create_token(self, token, audit)
    }
    fn token_by_hash(&mut self, token_hash: &str) -> Result<Option<ApiToken>> {
        shared::token_by_hash(self.sql(), token_hash)
    }
    fn tokens(&mut self, user_id: i64) -> Result<Vec<ApiToken>> {
        shared::tokens(self.sql(), user_id)
    }
    /// Revokes a token of a user; `Ok(false)` when there is no such token.
    fn revoke_token(&mut self, user_id: i64, token_id: i64, audit: &AuditEntry) -> Result<bool> {
        shared::revoke_token(self, user_id, token_id, audit)
    }
    /// Opens or closes a strategy's public pages. An unknown strategy is `Ok(false)`.
    fn set_published(
        &mut self,
        strategy_id: &str,
        published: bool,
        audit: &AuditEntry,
    ) -> Result<bool> {
        shared::set_published(self, strategy_id, published, audit)
    }

    // --- the strategy library -------------------------------------------------------

    /// Stores a library entry and its paragraphs (page, text) with its audit entry (whose
    /// object becomes `library:<id>`), in one transaction. Content stored before is a
    /// [`StoreError::Conflict`] that names the entry holding it.
    fn add_library_entry(
        &mut self,
        entry: &NewLibraryEntry,
        paragraphs: &[(Option<i32>, String)],
        audit: &AuditEntry,
    ) -> Result<i64> {
        shared::add_library_entry(self, entry, paragraphs, audit)
    }
    /// Changes an entry's municipality, title, year, kind, source and publication (the rest
    /// of `meta` is not read), with its audit entry, in one transaction; `false` when there
    /// is none.
    fn change_library_entry(
        &mut self,
        id: i64,
        meta: &LibraryMeta,
        audit: &AuditEntry,
    ) -> Result<bool> {
        shared::change_library_entry(self, id, meta, audit)
    }
    /// Removes an entry with its paragraphs and original, with its audit entry, in one
    /// transaction; `false` when there is none.
    fn remove_library_entry(&mut self, id: i64, audit: &AuditEntry) -> Result<bool> {
        shared::remove_library_entry(self, id, audit)
    }
    /// Records a municipality's review of a library draft, for an accepted one with the
    /// strategy (and its update time) it went into, with the audit entry, in one
    /// transaction; a draft the municipality reviewed before is a conflict.
    fn review_library_draft(
        &mut self,
        review: &DraftReview,
        strategy: Option<(&Strategy, &str)>,
        audit: &AuditEntry,
    ) -> Result<()> {
        shared::review_library_draft(self, review, strategy, audit)
    }
    /// A municipality's reviews of an entry's drafts.
    fn library_draft_reviews(
        &mut self,
        entry_id: i64,
        unit_code: &str,
    ) -> Result<Vec<DraftReview>> {
        shared::library_draft_reviews(self.sql(), entry_id, unit_code)
    }
    /// Every entry, by municipality and title.
    fn library_entries(&mut self) -> Result<Vec<LibraryEntry>> {
        shared::library_entries(self.sql())
    }
    /// Every paragraph of every document, in order (to build the search index from), or
    /// of one entry's document.
    fn library_paragraphs(&mut self, entry: Option<i64>) -> Result<Vec<LibraryParagraph>> {
        shared::library_paragraphs(self.sql(), entry)
    }
    /// Stores the listings not stored before (known by the listing document and line), in
    /// one transaction; how many were new.
    fn add_library_listings(&mut self, listings: &[LibraryListing]) -> Result<usize> {
        shared::add_library_listings(self, listings)
    }
    /// Every listing, by the document that lists them and their line.
    fn library_listings(&mut self) -> Result<Vec<LibraryListing>> {
        shared::library_listings(self.sql())
    }
    /// What the library holds, as a number that changes when an entry is added or removed
    /// (a search index built for one number is current while it stands).
    fn library_version(&mut self) -> Result<(i64, i64)> {
        shared::library_version(self.sql())
    }

    // --- the establishment register -------------------------------------------------

    fn register_memberships(
        &mut self,
        user_id: i64,
    ) -> Result<Vec<(UnitCode, etablera_domain::access::RegisterRole)>> {
        shared::register_memberships(self.sql(), user_id)
    }
    fn set_register_role(
        &mut self,
        user_id: i64,
        unit: &UnitCode,
        role: Option<etablera_domain::access::RegisterRole>,
        audit: &AuditEntry,
    ) -> Result<()> {
        shared::set_register_role(self, user_id, unit, role, audit)
    }
    /// Inserts or replaces persons, all or none, with one audit entry.
    fn save_persons(&mut self, rows: &[PersonRow], audit: &AuditEntry) -> Result<()> {
        shared::save_persons(self, rows, audit)
    }
    fn person(&mut self, id: &str) -> Result<Option<PersonRow>> {
        shared::person(self.sql(), id)
    }
    /// A municipality's persons, oldest first.
    fn persons(&mut self, unit: &UnitCode) -> Result<Vec<PersonRow>> {
        shared::persons(self.sql(), unit)
    }
    /// Every person, for key rotation.
    fn all_persons(&mut self) -> Result<Vec<PersonRow>> {
        shared::all_persons(self.sql())
    }
    fn person_id_by_pnr_index(&mut self, unit: &UnitCode, index: &str) -> Result<Option<String>> {
        shared::person_id_by_pnr_index(self.sql(), unit, index)
    }
    /// Deletes persons (gallring), their households if left empty and their plan links.
    fn delete_persons(&mut self, ids: &[String], audit: &AuditEntry) -> Result<usize> {
        shared::delete_persons(self, ids, audit)
    }
    fn save_household(&mut self, row: &HouseholdRow, audit: &AuditEntry) -> Result<()> {
        shared::save_household(self, row, audit)
    }
    fn households(&mut self, unit: &UnitCode) -> Result<Vec<HouseholdRow>> {
        shared::households(self.sql(), unit)
    }
    /// Every municipality's households, for key rotation (the session must act for all).
    fn all_households(&mut self) -> Result<Vec<HouseholdRow>> {
        shared::all_households(self.sql())
    }
    /// One household of a municipality.
    fn household(&mut self, unit: &UnitCode, id: &str) -> Result<Option<HouseholdRow>> {
        shared::household(self.sql(), unit, id)
    }
    /// The persons of a municipality in one household, by id.
    fn household_members(&mut self, unit: &UnitCode, household: &str) -> Result<Vec<PersonRow>> {
        shared::household_members(self.sql(), unit, household)
    }
    fn register_settings(&mut self, unit: &UnitCode) -> Result<Option<String>> {
        shared::register_settings(self.sql(), unit)
    }
    fn save_register_settings(
        &mut self,
        unit: &UnitCode,
        doc: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        shared::save_register_settings(self, unit, doc, audit)
    }
    fn create_plan_link(&mut self, link: &PlanLinkRow, audit: &AuditEntry) -> Result<i64> {
        shared::create_plan_link(self, link, audit)
    }
    fn plan_link_by_hash(&mut self, code_hash: &str) -> Result<Option<PlanLinkRow>> {
        shared::plan_link_by_hash(self.sql(), code_hash)
    }
    fn plan_links(&mut self, person_id: &str) -> Result<Vec<PlanLinkRow>> {
        shared::plan_links(self.sql(), person_id)
    }
    fn revoke_plan_link(
        &mut self,
        person_id: &str,
        id: i64,
        at: &str,
        audit: &AuditEntry,
    ) -> Result<bool> {
        shared::revoke_plan_link(self, person_id, id, at, audit)
    }
    /// Appends reads to the read log (the only write the log accepts), each chained to the
    /// one before by `mac`; writers are serialised so the chain does not fork.
    fn log_reads(&mut self, entries: &[ReadLogEntry], mac: ChainMac) -> Result<()>;
    /// Read-log rows with their chain HMACs, oldest first, after row `after_id`.
    fn read_log_chain(&mut self, after_id: i64, limit: i64) -> Result<Vec<ChainedRead>> {
        shared::read_log_chain(self.sql(), after_id, limit)
    }
    /// Where gallring cut the read log, oldest first.
    fn read_log_checkpoints(&mut self) -> Result<Vec<ReadLogCheckpoint>> {
        shared::read_log_checkpoints(self.sql())
    }
    /// Stores a registration request with its audit entry; returns its id.
    fn create_registration_request(
        &mut self,
        row: &RegistrationRequestRow,
        audit: &AuditEntry,
    ) -> Result<i64> {
        shared::create_registration_request(self, row, audit)
    }
    /// Every municipality's registration requests (key rotation; the session must act for
    /// all).
    fn all_registration_requests(&mut self) -> Result<Vec<RegistrationRequestRow>> {
        shared::all_registration_requests(self.sql())
    }
    /// Key rotation's writes in one transaction with the audit entry: persons (new row,
    /// the row as read), households (with the document they had) and
    /// registration requests (id, new index, new sealed contents, the sealed contents they
    /// had). A row changed since it was read is left alone. The number written.
    fn rotate_register(
        &mut self,
        persons: &[(PersonRow, PersonRow)],
        households: &[(HouseholdRow, String)],
        requests: &[(i64, String, String, String)],
        audit: &AuditEntry,
    ) -> Result<usize> {
        shared::rotate(self, persons, households, requests, audit)
    }
    /// A municipality's registration requests, newest first; only open ones if `open_only`.
    fn registration_requests(
        &mut self,
        unit: &UnitCode,
        open_only: bool,
    ) -> Result<Vec<RegistrationRequestRow>> {
        shared::registration_requests(self.sql(), unit, open_only)
    }
    /// Resolves an open request of the municipality; `false` if there is none open.
    fn resolve_registration_request(
        &mut self,
        unit: &UnitCode,
        id: i64,
        resolution: &str,
        by: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<bool> {
        shared::resolve_registration_request(self, (unit, id), (resolution, by), audit)
    }
    fn read_log(&mut self, filter: &ReadLogFilter) -> Result<Vec<ReadLogEntry>> {
        shared::read_log(self.sql(), filter)
    }
    fn read_log_retention_years(&mut self) -> Result<i64> {
        shared::read_log_retention_years(self.sql())
    }
    /// Sets the retention (the database refuses fewer than five years).
    fn set_read_log_retention_years(&mut self, years: i64, audit: &AuditEntry) -> Result<()> {
        shared::set_read_log_retention_years(self, years, audit)
    }
    /// Deletes the oldest reads, up to the first one younger than the retention (the
    /// database refuses younger ones), leaving a checkpoint with the last removed row's HMAC.
    fn purge_read_log(&mut self) -> Result<usize>;

    // ---- the yearly reporting round (see [`rounds`]) ----------------------------------

    /// A municipality's departments, by name.
    fn departments(&mut self, owner: &UnitCode) -> Result<Vec<Department>> {
        rounds::departments(self.sql(), owner)
    }
    /// Makes the departments named that do not exist yet; returns all of them in order.
    fn ensure_departments(
        &mut self,
        owner: &UnitCode,
        names: &[String],
        now: &str,
    ) -> Result<Vec<Department>> {
        rounds::ensure_departments(self, owner, names, now)
    }
    /// Makes a user a reporter of a department, or (`on` false) no longer one.
    fn set_department_reporter(
        &mut self,
        user_id: i64,
        department_id: i64,
        on: bool,
        audit: &AuditEntry,
    ) -> Result<()> {
        rounds::set_reporter(self, user_id, department_id, on, audit)
    }
    /// The departments a user reports for.
    fn reporter_of(&mut self, user_id: i64) -> Result<Vec<Department>> {
        rounds::reporter_of(self.sql(), user_id)
    }
    /// A strategy's rounds, the newest year first.
    fn rounds(&mut self, strategy_id: &str) -> Result<Vec<RoundRow>> {
        rounds::rounds(self.sql(), strategy_id)
    }
    fn round(&mut self, strategy_id: &str, year: i32) -> Result<Option<RoundRow>> {
        rounds::round(self.sql(), strategy_id, year)
    }
    /// Opens a round with a task per department; `Conflict` when the year has one.
    #[allow(clippy::too_many_arguments)]
    fn open_round(
        &mut self,
        strategy_id: &str,
        year: i32,
        deadline: &str,
        activities: &[String],
        departments: &[i64],
        now: &str,
        by: i64,
        audit: &AuditEntry,
    ) -> Result<i64> {
        rounds::open_round(
            self,
            strategy_id,
            year,
            deadline,
            activities,
            departments,
            now,
            by,
            audit,
        )
    }
    /// A round's tasks, by department name.
    fn round_tasks(&mut self, round_id: i64) -> Result<Vec<TaskRow>> {
        rounds::tasks(self.sql(), round_id)
    }
    /// Moves a task that still stands at `from`; `Conflict` when it no longer does.
    #[allow(clippy::too_many_arguments)]
    fn move_task(
        &mut self,
        round_id: i64,
        department_id: i64,
        from: TaskState,
        to: TaskState,
        comment: Option<&str>,
        now: &str,
        by: i64,
        mail: &[NewMessage],
        audit: &AuditEntry,
    ) -> Result<()> {
        rounds::move_task(
            self,
            round_id,
            department_id,
            from,
            to,
            comment,
            now,
            by,
            mail,
            audit,
        )
    }
    /// Moves a round that still stands at `from`; `Conflict` when it no longer does.
    fn move_round(
        &mut self,
        round_id: i64,
        from: RoundState,
        to: RoundState,
        now: &str,
        by: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        rounds::move_round(self, round_id, from, to, now, by, audit)
    }
    /// Records the board's adoption of an approved round with the documents' bytes.
    fn adopt_round(&mut self, a: &AdoptionRow, audit: &AuditEntry) -> Result<()> {
        rounds::adopt(self, a, audit)
    }
    /// Reopens an approved or adopted round; the adoption in force is kept, marked reopened.
    #[allow(clippy::too_many_arguments)]
    fn reopen_round(
        &mut self,
        round_id: i64,
        from: RoundState,
        reason: &str,
        now: &str,
        by: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        rounds::reopen(self, round_id, from, reason, now, by, audit)
    }
    /// Every adoption of a round, the newest first.
    fn adoptions(&mut self, round_id: i64) -> Result<Vec<AdoptionRow>> {
        rounds::adoptions(self.sql(), round_id)
    }
    /// The adoption in force of a round; its documents' bytes only when asked.
    fn adoption_in_force(
        &mut self,
        round_id: i64,
        with_bytes: bool,
    ) -> Result<Option<AdoptionRow>> {
        rounds::adoption_in_force(self.sql(), round_id, with_bytes)
    }
    /// Stores a department's report on an activity if neither the strategy nor the task has
    /// moved since `before` was read (see [`rounds::save_report`]).
    #[allow(clippy::too_many_arguments)]
    fn save_round_report(
        &mut self,
        before: &Strategy,
        after: &Strategy,
        updated_at: &str,
        round_id: i64,
        department_id: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        rounds::save_report(
            self,
            before,
            after,
            updated_at,
            round_id,
            department_id,
            audit,
        )
    }
    /// The newest stored version of a strategy (0 when none).
    fn strategy_version(&mut self, strategy_id: &str) -> Result<i64> {
        rounds::strategy_version(self.sql(), strategy_id)
    }
    /// A strategy's open rounds' unsubmitted tasks are asked about by the reminders: every
    /// open round of every strategy.
    fn open_rounds(&mut self) -> Result<Vec<RoundRow>> {
        rounds::open_rounds(self.sql())
    }

    // ---- e-mail (see [`mail`]) ---------------------------------------------------------

    /// Which SQL dialect this store speaks (the outbox's claim differs).
    fn dialect(&self) -> backend::Dialect;

    // ---- operations (see [`ops`]) ------------------------------------------------------

    /// Names to the database session the one person a newcomer's checked plan link opens
    /// (row-level security's `etablera.person` on PostgreSQL); cleared by the next
    /// [`Store::set_acting_units`].
    fn set_acting_person(&mut self, _person_id: &str) -> Result<()> {
        Ok(())
    }

    /// Whether the database answers (`select 1`).
    fn ping(&mut self) -> Result<()> {
        self.sql()
            .one("select cast(1 as bigint)", &[], |r| r.int(0))
            .map(|_| ())
    }
    /// The schema's migrations, applied and pending, read without writing.
    fn schema_status(&mut self) -> Result<ops::SchemaStatus> {
        let d = self.dialect();
        ops::schema_status(self.sql(), d)
    }
    /// Every table's row count and digest (see [`ops::TableDigest`]).
    fn table_digests(&mut self) -> Result<Vec<ops::TableDigest>> {
        let d = self.dialect();
        ops::table_digests(self.sql(), d)
    }
    /// Whether the connection is gone (the server closed it): a pool drops it.
    fn is_closed(&self) -> bool {
        false
    }
    // Logins through identity providers (see `identity`).
    /// Keeps a login begun at a provider unless `max` wait already, or `max_per_address`
    /// from the row's address; drops those begun before `expired_before`.
    fn put_oidc_login(
        &mut self,
        row: &OidcLoginRow,
        expired_before: &str,
        max: i64,
        max_per_address: i64,
    ) -> Result<PutLogin> {
        identity::put_oidc_login(self.sql(), row, expired_before, max, max_per_address)
    }
    /// Takes a begun login by its state's hash (once), if begun at or after `not_before`.
    fn take_oidc_login(
        &mut self,
        state_hash: &str,
        not_before: &str,
    ) -> Result<Option<OidcLoginRow>> {
        identity::take_oidc_login(self.sql(), state_hash, not_before)
    }
    /// The account an identity (issuer, subject) is linked to.
    fn identity_user(&mut self, issuer: &str, subject: &str) -> Result<Option<i64>> {
        identity::identity_user(self.sql(), issuer, subject)
    }
    /// Linked identities of one user, or of all.
    fn identities(&mut self, user_id: Option<i64>) -> Result<Vec<LinkedIdentity>> {
        identity::identities(self.sql(), user_id)
    }
    fn link_identity(&mut self, id: &LinkedIdentity, audit: &AuditEntry) -> Result<()> {
        identity::link_identity(self, id, audit)
    }
    /// Removes a linked identity; `Ok(false)` when there was none.
    fn unlink_identity(&mut self, issuer: &str, subject: &str, audit: &AuditEntry) -> Result<bool> {
        identity::unlink_identity(self, issuer, subject, audit)
    }
    /// Enabled accounts whose verified e-mail address is `email` (any case).
    fn users_by_verified_email(&mut self, email: &str) -> Result<Vec<i64>> {
        identity::users_by_verified_email(self.sql(), email)
    }
    /// The account whose personnummer index is one of `indexes`, and which one it is.
    fn user_by_personnummer_index(&mut self, indexes: &[String]) -> Result<Option<(i64, String)>> {
        identity::user_by_personnummer_index(self.sql(), indexes)
    }
    fn set_personnummer_index(
        &mut self,
        user_id: i64,
        index: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<()> {
        identity::set_personnummer_index(self, user_id, index, audit)
    }
    /// Whether the user belongs to a municipality whose staff may not use passwords.
    fn password_login_refused(&mut self, user_id: i64) -> Result<bool> {
        identity::password_login_refused(self.sql(), user_id)
    }
    /// Municipalities with password login off, with the time it was switched off.
    fn password_login_off(&mut self) -> Result<Vec<(String, String)>> {
        identity::password_login_off(self.sql())
    }
    fn set_password_login(&mut self, unit: &str, allowed: bool, audit: &AuditEntry) -> Result<()> {
        identity::set_password_login(self, unit, allowed, audit)
    }
    fn create_login_ticket(
        &mut self,
        token_hash: &str,
        user_id: i64,
        expires_at: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        identity::create_login_ticket(self, token_hash, user_id, expires_at, audit)
    }
    /// Takes a one-time login ticket not expired at `now`: its user.
    fn take_login_ticket(&mut self, token_hash: &str, now: &str) -> Result<Option<i64>> {
        identity::take_login_ticket(self.sql(), token_hash, now)
    }
    /// Puts messages in the outbox (a key already there is left out), with an audit entry
    /// when given, in one transaction; the number put in.
    fn enqueue_mail(
        &mut self,
        msgs: &[NewMessage],
        now: &str,
        audit: Option<&AuditEntry>,
    ) -> Result<u64> {
        mail::enqueue_all(self, msgs, now, audit)
    }
    /// Claims up to `limit` due messages until `until` (see [`mail::claim`]).
    fn claim_mail(&mut self, now: &str, until: &str, limit: i64) -> Result<Vec<Message>> {
        let d = self.dialect();
        mail::claim(self, d, now, until, limit)
    }
    /// Marks a message sent if this sender's claim (until `until`) still holds.
    fn mark_mail_sent(&mut self, id: i64, now: &str, until: &str) -> Result<bool> {
        mail::mark_sent(self.sql(), id, now, until)
    }
    /// Counts a failed attempt if this sender's claim (until `until`) still holds.
    fn mark_mail_failed(&mut self, id: i64, until: &str, next: &str, error: &str) -> Result<bool> {
        mail::mark_failed(self.sql(), id, until, next, error)
    }
    /// The newest messages first, of the municipalities named (all with `None`).
    fn mail_messages(&mut self, units: Option<&[String]>, limit: i64) -> Result<Vec<Message>> {
        mail::messages(self.sql(), units, limit)
    }
    /// A user's address and whether it is verified.
    fn user_email(&mut self, user_id: i64) -> Result<Option<(String, bool)>> {
        mail::user_email(self.sql(), user_id)
    }
    /// Sets (or with `None` removes) a user's address, unverified, with the verification
    /// message and the audit entry, in one transaction.
    #[allow(clippy::too_many_arguments)]
    fn set_user_email(
        &mut self,
        user_id: i64,
        email: Option<&str>,
        token_hash: Option<&str>,
        message: Option<&NewMessage>,
        now: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        mail::set_email(self, user_id, email, token_hash, message, now, audit)
    }
    /// Verifies the address waiting for the token with this hash: its user's id.
    fn verify_user_email(&mut self, token_hash: &str, now: &str) -> Result<Option<i64>> {
        mail::verify_email(self, token_hash, now)
    }
    /// Messages waiting, of them failed at least once, and sent (the metrics).
    fn outbox_counts(&mut self) -> Result<(i64, i64, i64)> {
        mail::counts(self.sql())
    }
    /// The verified addresses of a department's reporters.
    fn reporter_addresses(&mut self, department_id: i64) -> Result<Vec<String>> {
        mail::reporter_addresses(self.sql(), department_id)
    }
}

/// One login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    pub username: String,
    /// The client's address (see the web's trusted-proxy setting); empty if unknown.
    pub address: String,
    pub at: String,
    pub success: bool,
    /// Whether the account existed.
    pub known: bool,
}

/// Failed logins counted for throttling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// Of this account from this address, since its last success there.
    pub pair: i64,
    /// When the last of those was.
    pub pair_last: Option<String>,
    /// From this address, any account.
    pub address: i64,
    /// Against this account, from anywhere, while it existed.
    pub account: i64,
    /// Whether this account has logged in from this address before.
    pub known_address: bool,
}

/// Opens a store: a `postgres://` or `postgresql://` URL for PostgreSQL, anything else is
/// an SQLite file path (created if missing).
pub fn open(address: &str) -> Result<Box<dyn Store>> {
    if address.starts_with("postgres://") || address.starts_with("postgresql://") {
        Ok(Box::new(PgStore::connect(address)?))
    } else if address.trim().is_empty() {
        Err(StoreError::BadAddress(address.to_string()))
    } else {
        Ok(Box::new(SqliteStore::open(address)?))
    }
}

/// Searches indicators by id or by all words of the query in the title or description,
/// case-insensitively; exact id matches first, then title matches.
pub fn search_indicators<'a>(
    all: &'a [Indicator],
    query: &str,
    limit: usize,
) -> Vec<&'a Indicator> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return all.iter().take(limit).collect();
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    let mut hits: Vec<(u8, &Indicator)> = all
        .iter()
        .filter_map(|i| {
            let id = i.id.as_str().to_lowercase();
            if id == q {
                return Some((0, i));
            }
            let title = i.title.to_lowercase();
            if words.iter().all(|w| title.contains(w) || id.contains(w)) {
                return Some((1, i));
            }
            let desc = i.description.to_lowercase();
            words
                .iter()
                .all(|w| title.contains(w) || desc.contains(w))
                .then_some((2, i))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    hits.into_iter().take(limit).map(|(_, i)| i).collect()
}

type Key = (IndicatorId, UnitCode, Period, Sex);

/// The rows of an import that differ from what is stored, after removing repeats within
/// the import (the last one wins). Shared by both backends so they agree exactly.
pub(crate) fn changed_rows<'a>(
    obs: &'a [Observation],
    current: &HashMap<Key, (Option<f64>, ObsStatus)>,
) -> Vec<&'a Observation> {
    let mut last: HashMap<Key, usize> = HashMap::with_capacity(obs.len());
    for (i, o) in obs.iter().enumerate() {
        last.insert((o.indicator.clone(), o.unit.clone(), o.period, o.sex), i);
    }
    let mut idx: Vec<usize> = last
        .into_iter()
        .filter(|(k, i)| {
            let o = &obs[*i];
            match current.get(k) {
                Some((v, s)) => *s != o.status() || !same_value(*v, o.value()),
                None => true,
            }
        })
        .map(|(_, i)| i)
        .collect();
    idx.sort_unstable();
    idx.into_iter().map(|i| &obs[i]).collect()
}

fn same_value(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
        (None, None) => true,
        _ => false,
    }
}

/// A stored observation row: indicator, unit, period, sex, value, status, batch id.
pub(crate) type Row = (String, String, String, String, Option<f64>, String, i64);

/// The rows an import must write; empty when everything is already stored. Both backends
/// plan an import here so they agree exactly. `latest` reads the stored rows of the given
/// indicators. When nothing is stored for them and `repeats_resolved_by_backend` is set,
/// every row is new and repeats within the import are left to the backend's
/// insert-or-replace, which saves building a map of every key of a large import.
pub(crate) fn plan_import<'a>(
    obs: &'a [Observation],
    known_indicators: &HashSet<String>,
    known_units: &HashSet<String>,
    repeats_resolved_by_backend: bool,
    latest: impl FnOnce(ObsQuery) -> Result<Vec<Row>>,
) -> Result<Vec<&'a Observation>> {
    check_known(obs, known_indicators, known_units)?;
    let indicators: Vec<IndicatorId> = obs
        .iter()
        .map(|o| o.indicator.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if indicators.is_empty() {
        return Ok(Vec::new());
    }
    let current: HashMap<Key, (Option<f64>, ObsStatus)> = latest_per_key(latest(ObsQuery {
        indicators,
        ..Default::default()
    })?)?
    .into_iter()
    .map(|s| {
        let o = s.observation;
        (
            (o.indicator.clone(), o.unit.clone(), o.period, o.sex),
            (o.value(), o.status()),
        )
    })
    .collect();
    if current.is_empty() && repeats_resolved_by_backend {
        return Ok(obs.iter().collect());
    }
    Ok(changed_rows(obs, &current))
}

/// Checks that every indicator and unit of an import is known.
pub(crate) fn check_known(
    obs: &[Observation],
    indicators: &HashSet<String>,
    units: &HashSet<String>,
) -> Result<()> {
    let mut seen_i: HashSet<&str> = HashSet::new();
    let mut seen_u: HashSet<&str> = HashSet::new();
    for o in obs {
        if seen_i.insert(o.indicator.as_str()) && !indicators.contains(o.indicator.as_str()) {
            return Err(StoreError::UnknownIndicator(o.indicator.to_string()));
        }
        if seen_u.insert(o.unit.as_str()) && !units.contains(o.unit.as_str()) {
            return Err(StoreError::UnknownUnit(o.unit.to_string()));
        }
    }
    Ok(())
}

/// Turns stored rows, ordered by key and newest batch first, into the latest per key.
pub(crate) fn latest_per_key(
    rows: Vec<(String, String, String, String, Option<f64>, String, i64)>,
) -> Result<Vec<StoredObservation>> {
    let mut out: Vec<StoredObservation> = Vec::new();
    let mut prev: Option<(String, String, String, String)> = None;
    for (ind, unit, period, sex, value, status, batch_id) in rows {
        let key = (ind, unit, period, sex);
        if prev.as_ref() == Some(&key) {
            continue;
        }
        let bad = |what: &str| StoreError::Corrupt(format!("{what} in stored observation {key:?}"));
        let o = Observation::new(
            IndicatorId::parse(&key.0).map_err(|_| bad("bad indicator id"))?,
            UnitCode::parse(&key.1).map_err(|_| bad("bad unit code"))?,
            Period::parse(&key.2).map_err(|_| bad("bad period"))?,
            Sex::parse(&key.3).map_err(|_| bad("bad sex"))?,
            value,
            ObsStatus::parse(&status).ok_or_else(|| bad("bad status"))?,
        )
        .map_err(|e| bad(&e.to_string()))?;
        out.push(StoredObservation {
            observation: o,
            batch_id,
        });
        prev = Some(key);
    }
    Ok(out)
}

/// A stored strategy version, read back.
pub(crate) fn strategy_version(
    id: &str,
    version: i32,
    doc: &str,
    saved_at: String,
    saved_after: bool,
) -> Result<StrategyAsOf> {
    let strategy = serde_json::from_str(doc)
        .map_err(|e| StoreError::Corrupt(format!("strategy `{id}` version {version}: {e}")))?;
    Ok(StrategyAsOf {
        strategy,
        version: StrategyVersion { version, saved_at },
        saved_after,
    })
}

/// The upper bound for `imported_at` of an as-of date: a bare date covers its whole day.
pub(crate) fn as_of_bound(as_of: &str) -> String {
    if as_of.len() == 10 {
        format!("{as_of}T23:59:59Z")
    } else {
        as_of.to_string()
    }
}

#[cfg(test)]
mod tests;
