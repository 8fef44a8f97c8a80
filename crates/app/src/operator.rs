//! The operator's use cases: what the command line does on the server, as the one who runs
//! it (a system administrator without an account, who holds the database and the register's
//! keys). Each write records an audit entry with no user.

use crate::conn::{Actor, Conn};
use crate::error::{Context, Error, Result};
use crate::register::{self as reg, ChainReport, GallringMode, GallringPlan};
use crate::{accounts, strategies, FollowUpRun, ImportReport, InitReport};
use etablera_domain::access::{RegisterRole, Role};
use etablera_domain::{Date, Indicator, Strategy, UnitCode, UnitGroup};
use etablera_register::stats::Figures;
use etablera_store::AuditEntry;
use etablera_vault::Keyring;
use std::path::Path;

pub use etablera_store::{StrategySummary, User};

fn audit(conn: &mut Conn, action: &str, object: &str, after: &str) -> Result<()> {
    let e = AuditEntry::new(&crate::now_utc(), None, action, object, None)
        .change(None, Some(after.to_string()));
    Ok(conn.store().append_audit(&e)?)
}

/// Loads or updates the reference data (units, counties, Kolada's catalogue).
pub fn init(conn: &mut Conn) -> Result<InitReport> {
    conn.act_as(&Actor::system())?;
    crate::init(conn.store())
}

/// Brings the schema up to date and refuses a database without reference data.
pub fn require_initialised(conn: &mut Conn) -> Result<()> {
    conn.store().migrate()?;
    conn.act_as(&Actor::system())?;
    crate::require_initialised(conn.store())
}

/// Imports a file of figures (Kolada JSON, CSV, xlsx) or Kolada's catalogue.
pub fn import_file(
    conn: &mut Conn,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport> {
    crate::import_file(conn.store(), path, None, progress)
}

/// Fetches figures from Kolada (or a mirror) and imports them as one batch.
pub fn import_url(
    conn: &mut Conn,
    url: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<ImportReport> {
    crate::import_url(conn.store(), url, progress)
}

/// Loads a strategy file, replacing the strategy with the same id.
pub fn load_strategy(conn: &mut Conn, path: &Path) -> Result<Strategy> {
    let s = crate::load_strategy(conn.store(), path)?;
    audit(
        conn,
        "strategy.load",
        &format!("strategy:{}", s.id),
        &path.display().to_string(),
    )?;
    Ok(s)
}

/// Checks a strategy file against the database's units and indicators; stores nothing.
pub fn check_strategy_file(conn: &mut Conn, path: &Path) -> Result<Strategy> {
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .with_context(|| format!("{name}: could not read the file"))?;
    let units = crate::units_of(conn.store())?;
    let known = conn
        .store()
        .indicators()?
        .into_iter()
        .map(|i| i.id)
        .collect();
    Ok(etablera_ingest::strategy_file::load(
        &name,
        &src,
        &units,
        Some(&known),
    )?)
}

pub fn strategies(conn: &mut Conn) -> Result<Vec<StrategySummary>> {
    strategies::list(conn, &Actor::system())
}

pub fn strategy(conn: &mut Conn, id: &str) -> Result<Strategy> {
    crate::get_strategy(conn.store(), id)
}

/// Opens or closes a strategy's public pages.
pub fn publish(conn: &mut Conn, id: &str, published: bool) -> Result<()> {
    accounts::set_published(conn, &Actor::system(), id, published)
}

/// The indicators matching `query`, best first, at most `limit`.
pub fn search_indicators(conn: &mut Conn, query: &str, limit: usize) -> Result<Vec<Indicator>> {
    let mut found = crate::catalogue::search_indicators(conn, query)?;
    found.truncate(limit);
    Ok(found)
}

/// A strategy's follow-up for a year, beside a comparison group, as of a time.
pub fn followup(
    conn: &mut Conn,
    id: &str,
    year: i32,
    group: Option<&str>,
    as_of: Option<&str>,
) -> Result<FollowUpRun> {
    crate::run_followup(conn.store(), id, year, group, as_of)
}

/// A municipality by code or name.
pub fn municipality(conn: &mut Conn, name: &str) -> Result<UnitCode> {
    crate::units_of(conn.store())?
        .find(name)
        .filter(|u| u.code.is_municipality())
        .map(|u| u.code.clone())
        .ok_or_else(|| crate::input!("unknown municipality `{name}`"))
}

/// Saves a comparison group (code `G…`) of municipalities by code or name; returns how many.
pub fn save_group(conn: &mut Conn, code: &str, name: &str, members: &[String]) -> Result<usize> {
    let code = UnitCode::parse(code).map_err(Error::input)?;
    if !code.is_group() {
        crate::bail!("a group code starts with G, not `{code}`");
    }
    let mut codes = Vec::new();
    for m in members {
        codes.push(municipality(conn, m)?);
    }
    codes.sort();
    codes.dedup();
    let n = codes.len();
    conn.store().save_group(&UnitGroup {
        code: code.clone(),
        name: name.to_string(),
        members: codes,
    })?;
    audit(
        conn,
        "group.save",
        &format!("group:{code}"),
        &format!("{name}: {n} municipalities"),
    )?;
    Ok(n)
}

pub fn groups(conn: &mut Conn) -> Result<Vec<UnitGroup>> {
    Ok(conn.store().groups()?)
}

/// Every user with their strategy roles.
pub fn users(conn: &mut Conn) -> Result<Vec<(User, Vec<(UnitCode, Role)>)>> {
    Ok(accounts::users_page(conn, &Actor::system())?.rows)
}

/// Creates an account.
pub fn add_user(
    conn: &mut Conn,
    username: &str,
    display_name: &str,
    password: &accounts::Password,
    system_admin: bool,
) -> Result<i64> {
    accounts::create(
        conn,
        &Actor::system(),
        &accounts::NewAccount {
            username: username.into(),
            display_name: display_name.into(),
            password: password.clone(),
            system_admin,
        },
    )
}

/// Sets a password; the user's sessions end.
pub fn set_password(conn: &mut Conn, username: &str, password: &accounts::Password) -> Result<()> {
    accounts::change_password(conn, &Actor::system(), username, password)
}

/// Gives or takes a strategy role.
pub fn set_role(conn: &mut Conn, username: &str, unit: &str, role: Option<Role>) -> Result<()> {
    accounts::grant(conn, &Actor::system(), username, unit, role)
}

/// Gives or takes a role in the establishment register.
pub fn set_register_role(
    conn: &mut Conn,
    username: &str,
    unit: &str,
    role: Option<RegisterRole>,
) -> Result<()> {
    accounts::grant_register(conn, &Actor::system(), username, unit, role)
}

/// Reads a caseload file into a municipality's register (all rows or none).
pub fn register_import(
    conn: &mut Conn,
    keys: &Keyring,
    unit: &UnitCode,
    file_name: &str,
    bytes: &[u8],
) -> Result<usize> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::import_caseload(conn.store(), keys, unit, file_name, bytes, None)
}

/// A municipality's caseload as CSV (the export is audited).
pub fn register_export(conn: &mut Conn, keys: &Keyring, unit: &UnitCode) -> Result<String> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::export_caseload(conn.store(), keys, unit, None)
}

/// The register's figures for a municipality today, small counts suppressed.
pub fn register_figures(conn: &mut Conn, unit: &UnitCode) -> Result<Option<Figures>> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::figures(conn.store(), unit, reg::today())
}

/// Stores the register's figures as a source for the follow-up.
pub fn register_feed(conn: &mut Conn, unit: &UnitCode) -> Result<usize> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::feed_followup(conn.store(), unit, reg::today())
}

/// Seals every identity and free text again with the current key.
pub fn rotate_keys(conn: &mut Conn, keys: &Keyring) -> Result<usize> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::rotate_keys(conn.store(), keys, None)
}

/// Checks the read log's chain.
pub fn verify_read_log(
    conn: &mut Conn,
    keys: &Keyring,
    expect_head: Option<&str>,
) -> Result<ChainReport> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::verify_read_log(conn.store(), keys, expect_head)
}

/// Sets how many years reads of person data are kept (at least 5) when `years` is given,
/// and removes older reads; returns the years kept and how many reads were removed.
pub fn read_log_retention(conn: &mut Conn, years: Option<i64>) -> Result<(i64, usize)> {
    let store = conn.store();
    if let Some(y) = years {
        if y < 5 {
            crate::bail!("reads of person data are kept at least 5 years");
        }
        let a = AuditEntry::new(
            &crate::now_utc(),
            None,
            "register.log_retention",
            "read_log",
            None,
        )
        .change(
            Some(store.read_log_retention_years()?.to_string()),
            Some(y.to_string()),
        );
        store.set_read_log_retention_years(y, &a)?;
    }
    let removed = store.purge_read_log()?;
    Ok((store.read_log_retention_years()?, removed))
}

/// Gallring: closed cases older than the retention, anonymised or deleted (a dry run
/// unless `execute`).
pub fn gallra(
    conn: &mut Conn,
    unit: &UnitCode,
    years: Option<u32>,
    mode: GallringMode,
    today: Date,
    execute: bool,
) -> Result<GallringPlan> {
    // The operator acts for every municipality (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    reg::gallra(conn.store(), unit, years, mode, today, execute, None)
}

/// The demo's register for a municipality: a fictitious caseload of `n` persons, half of
/// them on `worker`'s caseload, their households, and the figures fed to the follow-up.
/// Returns (persons, households, figures).
pub fn demo_register(
    conn: &mut Conn,
    keys: &Keyring,
    unit: &UnitCode,
    n: usize,
    worker: &str,
) -> Result<(usize, usize, usize)> {
    conn.act_as(&Actor::system())?;
    let store = conn.store();
    let today = reg::today();
    let worker = store.user_by_name(worker)?.map(|u| u.id);
    let seed = unit.as_str().parse::<u64>().unwrap_or(1);
    let mut cases = crate::register_demo::caseload(unit, n, seed, 2021, today);
    for (i, c) in cases.iter_mut().enumerate() {
        if i % 2 == 0 {
            c.person.case_worker = worker;
            for r in &mut c.person.reviews {
                r.by = worker.unwrap_or(0);
            }
        }
    }
    let households = crate::register_demo::households(&mut cases, seed);
    for h in &households {
        reg::save_household(store, keys, h, None)?;
    }
    let rows: Vec<_> = cases
        .iter()
        .map(|c| reg::to_row(keys, c))
        .collect::<Result<_>>()?;
    let audit = AuditEntry::new(
        &crate::now_utc(),
        None,
        "register.demo",
        &format!("register:{unit}"),
        Some(unit),
    );
    store.save_persons(&rows, &audit)?;
    let figures = reg::feed_followup(store, unit, today)?;
    Ok((cases.len(), households.len(), figures))
}

// ---- the database itself: schema, backup, restore ---------------------------------------

pub use etablera_store::ops::{SchemaStatus, TableDigest};

/// The schema's migrations, applied and pending, without changing anything
/// (`etablera migrate --check`).
pub fn schema_status(conn: &mut Conn) -> Result<SchemaStatus> {
    Ok(conn.store().schema_status()?)
}

/// Applies the pending migrations (several processes at once wait for each other on
/// PostgreSQL); the status before and after.
pub fn migrate(conn: &mut Conn) -> Result<(SchemaStatus, SchemaStatus)> {
    let before = conn.store().schema_status()?;
    conn.store().migrate()?;
    let after = conn.store().schema_status()?;
    if !before.pending.is_empty() {
        audit(
            conn,
            "schema.migrate",
            "database",
            &format!(
                "applied {}",
                before
                    .pending
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )?;
    }
    Ok((before, after))
}

/// Every table's row count and digest: what a restored database is compared with.
pub fn table_digests(conn: &mut Conn) -> Result<Vec<TableDigest>> {
    // Every row, the register's included (row-level security on PostgreSQL).
    conn.act_as(&Actor::system())?;
    Ok(conn.store().table_digests()?)
}

fn backup_error(e: etablera_store::ops::BackupError) -> Error {
    use etablera_store::ops::BackupError as B;
    match e {
        B::Refused(m) => Error::Input(m),
        B::Io { path, error } => Error::Input(format!("{path}: {error}")),
        B::Tool { tool, message } => Error::Unavailable(format!("{tool}: {message}")),
        B::Store(s) => Error::from(s),
    }
}

/// Writes a consistent copy of the database at `address` to the new file `archive` while
/// the server goes on (SQLite's online backup, or `pg_dump`). The register's keys are not
/// in it: back them up apart (docs/deployment.md).
pub fn backup(address: &str, archive: &Path) -> Result<()> {
    etablera_store::ops::backup(address, archive).map_err(backup_error)
}

/// Restores `archive` into the database at `address`, which holds no Etablera tables yet
/// unless `replace`; the restored database's table digests.
pub fn restore(archive: &Path, address: &str, replace: bool) -> Result<Vec<TableDigest>> {
    etablera_store::ops::restore(archive, address, replace).map_err(backup_error)
}
