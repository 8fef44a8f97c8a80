//! Operating the database: whether it answers and its schema is current (the server's
//! `/readyz`, `etablera migrate --check`), a digest of every table (what a restore is
//! compared with), and backup and restore — SQLite's online backup API for a file, and
//! PostgreSQL's own `pg_dump`/`pg_restore` for a server, so an archive is restored by
//! the tools an operator already trusts.
//!
//! An archive holds the database only. The register's keys live in their own file
//! (`ETABLERA_REGISTER_KEYS_FILE`) and are backed up apart from it: an archive that leaks
//! shows the sealed columns as ciphertext.

use crate::backend::{Dialect, Sql, MIGRATIONS};
use crate::{Result, StoreError};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// The schema's migrations as the database has them and as this program knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Applied, and known to this program.
    pub applied: Vec<i64>,
    /// Known to this program and not applied: `etablera migrate` applies them.
    pub pending: Vec<i64>,
    /// Applied by a newer program this one does not know (a rolling upgrade under way).
    pub unknown: Vec<i64>,
}

impl SchemaStatus {
    /// Whether every migration this program knows has been applied.
    pub fn current(&self) -> bool {
        self.pending.is_empty()
    }
}

/// Reads the schema's status without writing anything (a database never migrated has
/// every migration pending).
pub(crate) fn schema_status(db: &mut dyn Sql, dialect: Dialect) -> Result<SchemaStatus> {
    let exists = match dialect {
        Dialect::Sqlite => db.one(
            "select count(*) from sqlite_master where type = 'table' and name = 'schema_migration'",
            &[],
            |r| r.int(0),
        )?,
        Dialect::Postgres => db.one(
            "select count(*) from pg_tables where schemaname = current_schema() and tablename = 'schema_migration'",
            &[],
            |r| r.int(0),
        )?,
    } > 0;
    let done: Vec<i64> = if exists {
        db.all(
            "select version from schema_migration order by version",
            &[],
            |r| r.int(0),
        )?
    } else {
        Vec::new()
    };
    let known: Vec<i64> = MIGRATIONS.iter().map(|(v, _, _)| *v).collect();
    Ok(SchemaStatus {
        applied: done.iter().copied().filter(|v| known.contains(v)).collect(),
        pending: known
            .iter()
            .copied()
            .filter(|v| !done.contains(v))
            .collect(),
        unknown: done
            .iter()
            .copied()
            .filter(|v| !known.contains(v))
            .collect(),
    })
}

/// One table's rows: how many, and a SHA-256 over every row's values in a canonical
/// order. Two databases with equal digests for every table hold the same data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub table: String,
    pub rows: i64,
    pub sha256: String,
}

/// Every table of the database (the current schema's on PostgreSQL), by name.
pub(crate) fn table_digests(db: &mut dyn Sql, dialect: Dialect) -> Result<Vec<TableDigest>> {
    let tables: Vec<String> = match dialect {
        Dialect::Sqlite => db.all(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
            &[],
            |r| r.text(0),
        )?,
        Dialect::Postgres => db.all(
            "select tablename::text from pg_tables where schemaname = current_schema() order by tablename",
            &[],
            |r| r.text(0),
        )?,
    };
    let mut out = Vec::new();
    for table in tables {
        if !table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Corrupt(format!(
                "a table has an unexpected name: {table:?}"
            )));
        }
        // Each row as one text: SQLite's quote() of every column, PostgreSQL's text form
        // of the row; sorted here, so the order does not depend on a collation.
        let row_text = match dialect {
            Dialect::Sqlite => {
                let cols: Vec<String> = db.all(
                    &format!("select name from pragma_table_info('{table}') order by cid"),
                    &[],
                    |r| r.text(0),
                )?;
                let expr = cols
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || ',' || ");
                format!("select {expr} from \"{table}\"")
            }
            Dialect::Postgres => format!("select t::text from \"{table}\" t"),
        };
        let mut rows: Vec<String> = db.all(&row_text, &[], |r| r.text(0))?;
        rows.sort_unstable();
        let mut h = Sha256::new();
        for r in &rows {
            h.update(r.as_bytes());
            h.update(b"\n");
        }
        out.push(TableDigest {
            table,
            rows: rows.len() as i64,
            sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        });
    }
    Ok(out)
}

/// Why a backup or restore did not happen; nothing was written where it failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{0}")]
    Refused(String),
    #[error("{tool} failed: {message}")]
    Tool { tool: String, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |error| BackupError::Io {
        path: path.display().to_string(),
        error,
    }
}

/// Whether the address is a PostgreSQL URL.
pub fn is_postgres(address: &str) -> bool {
    address.starts_with("postgres://") || address.starts_with("postgresql://")
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_MAGIC: &[u8] = b"PGDMP";

/// Writes a consistent copy of the database at `address` to `archive`, while the server
/// goes on: SQLite's online backup API into a new file, or `pg_dump --format=custom` of
/// the address's schema. An existing `archive` is not overwritten.
pub fn backup(address: &str, archive: &Path) -> std::result::Result<(), BackupError> {
    if archive.exists() {
        return Err(BackupError::Refused(format!(
            "{} exists already; give a new file name",
            archive.display()
        )));
    }
    let partial = partial_name(archive);
    let _ = std::fs::remove_file(&partial);
    let made = if is_postgres(address) {
        pg_dump(address, &partial)
    } else {
        sqlite_backup(address, &partial)
    };
    match made {
        Ok(()) => std::fs::rename(&partial, archive).map_err(io(archive)),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// The archive is written under this name and renamed when whole, so a backup that
/// stopped half-way never looks like one that finished.
fn partial_name(archive: &Path) -> std::path::PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(".partial");
    name.into()
}

fn sqlite_backup(address: &str, dest: &Path) -> std::result::Result<(), BackupError> {
    if !Path::new(address).exists() {
        return Err(BackupError::Refused(format!(
            "{address}: no such database file"
        )));
    }
    let src = rusqlite::Connection::open_with_flags(
        address,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(StoreError::from)?;
    src.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(StoreError::from)?;
    let mut dst = rusqlite::Connection::open(dest).map_err(StoreError::from)?;
    {
        // Pages in steps, letting writers in between: the server keeps serving.
        let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(StoreError::from)?;
        b.run_to_completion(256, std::time::Duration::from_millis(5), None)
            .map_err(StoreError::from)?;
    }
    // The archive is a plain database file, not in WAL mode, checked whole.
    dst.execute_batch("pragma journal_mode = delete")
        .map_err(StoreError::from)?;
    let ok: String = dst
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .map_err(StoreError::from)?;
    if ok != "ok" {
        return Err(BackupError::Refused(format!(
            "the copy failed its integrity check: {ok}"
        )));
    }
    Ok(())
}

/// The current schema of a PostgreSQL address (`public`, or the URL's `search_path`);
/// `None` when the schema the address names does not exist (yet).
fn pg_schema(address: &str) -> Result<Option<String>> {
    let mut c = postgres::Client::connect(address, postgres::NoTls)?;
    let row = c.query_one("select current_schema()::text", &[])?;
    Ok(row.get(0))
}

fn pg_tool(tool: &str) -> Command {
    // Debian installs the client tools of each version under /usr/lib/postgresql/N/bin and
    // links the newest into /usr/bin; PG_BIN names another directory.
    let dir = std::env::var("PG_BIN").unwrap_or_default();
    if dir.is_empty() {
        Command::new(tool)
    } else {
        Command::new(Path::new(&dir).join(tool))
    }
}

fn run(tool: &str, cmd: &mut Command) -> std::result::Result<(), BackupError> {
    let out = cmd.output().map_err(|e| BackupError::Tool {
        tool: tool.into(),
        message: format!("could not start it ({e}); install the PostgreSQL client tools of the server's version, or name their directory in PG_BIN"),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool: tool.into(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The address with the session acting for every municipality (`etablera.units = *`),
/// so the register's row-level security lets pg_dump read, and pg_restore write, every
/// row (`--enable-row-security`) with any role that has the table rights, instead of
/// needing a superuser or BYPASSRLS.
fn for_all_units(address: &str) -> String {
    const ALL: &str = "-cetablera.units%3D*";
    match address.find("options=") {
        Some(i) => {
            let start = i + "options=".len();
            let end = address[start..]
                .find('&')
                .map(|j| start + j)
                .unwrap_or(address.len());
            format!("{}%20{ALL}{}", &address[..end], &address[end..])
        }
        None => {
            let sep = if address.contains('?') { '&' } else { '?' };
            format!("{address}{sep}options={ALL}")
        }
    }
}

/// libpq reads a URL's `options` itself; pg_dump and pg_restore take the URL as it is.
/// The grants are kept (the application's role's rights come back with a restore; on
/// another server, create the roles first: docs/deployment.md); the owner is whoever
/// restores.
fn pg_dump(address: &str, dest: &Path) -> std::result::Result<(), BackupError> {
    let schema = pg_schema(address)?.ok_or_else(|| {
        BackupError::Refused("the schema the address names does not exist".into())
    })?;
    run(
        "pg_dump",
        pg_tool("pg_dump")
            .arg("--format=custom")
            .arg("--no-owner")
            .arg("--enable-row-security")
            .arg(format!("--schema={schema}"))
            .arg(format!("--file={}", dest.display()))
            .arg(format!("--dbname={}", for_all_units(address))),
    )
}

/// Restores `archive` into the database at `address`, which must hold no Etablera schema
/// yet (a new file, an empty database or schema) unless `replace` is given. On SQLite the
/// archive is copied in with the backup API and checked first; on PostgreSQL `pg_restore`
/// runs in one transaction, so a failure leaves the database as it was. Returns the
/// restored database's table digests.
pub fn restore(
    archive: &Path,
    address: &str,
    replace: bool,
) -> std::result::Result<Vec<TableDigest>, BackupError> {
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(archive).map_err(io(archive))?;
        let n = f.read(&mut head).map_err(io(archive))?;
        if n < PG_MAGIC.len() {
            return Err(BackupError::Refused(format!(
                "{} is not an Etablera backup (too short)",
                archive.display()
            )));
        }
    }
    let pg = is_postgres(address);
    if (pg && !head.starts_with(PG_MAGIC)) || (!pg && head != SQLITE_MAGIC) {
        return Err(BackupError::Refused(format!(
            "{} is not a backup for {}: a PostgreSQL database is restored from pg_dump's archive, an SQLite file from an SQLite backup",
            archive.display(),
            if pg { "PostgreSQL" } else { "SQLite" }
        )));
    }
    if !pg {
        check_sqlite_archive(archive)?;
    }
    // The target holds nothing of ours, unless replacing was asked for.
    let mut target = crate::open(address)?;
    let status = target.schema_status()?;
    if (!status.applied.is_empty() || !status.unknown.is_empty()) && !replace {
        {
            return Err(BackupError::Refused(format!(
                "the database at the target already holds Etablera's tables ({} migrations applied); restore into a new database, or give --replace to overwrite it",
                status.applied.len() + status.unknown.len()
            )));
        }
    }
    if pg {
        let schema = pg_schema(address)?;
        drop(target);
        // The archive creates its schema; where the target's exists already (an empty
        // `public`), that one entry of the archive's contents is left out.
        let listed = pg_tool("pg_restore")
            .arg("--list")
            .arg(archive)
            .output()
            .map_err(|e| BackupError::Tool {
                tool: "pg_restore".into(),
                message: format!("could not start it ({e}); install the PostgreSQL client tools of the server's version, or name their directory in PG_BIN"),
            })?;
        if !listed.status.success() {
            return Err(BackupError::Refused(format!(
                "{}: {}",
                archive.display(),
                String::from_utf8_lossy(&listed.stderr).trim()
            )));
        }
        let contents: String = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .filter(|l| match &schema {
                Some(s) => !l.contains(&format!(" SCHEMA - {s} ")),
                None => true,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let list = tempfile::Builder::new()
            .prefix("etablera-restore-")
            .tempfile()
            .map_err(io(Path::new("(temporary list)")))?;
        std::fs::write(list.path(), contents).map_err(io(list.path()))?;
        let mut cmd = pg_tool("pg_restore");
        cmd.arg("--no-owner")
            .arg("--single-transaction")
            .arg("--exit-on-error")
            .arg("--enable-row-security")
            .arg(format!("--use-list={}", list.path().display()));
        if replace {
            cmd.arg("--clean").arg("--if-exists");
        }
        let restored = run(
            "pg_restore",
            cmd.arg(format!("--dbname={}", for_all_units(address)))
                .arg(archive),
        );
        drop(list);
        restored?;
        let schema = schema.unwrap_or_else(|| "(missing)".into());
        let mut restored = crate::open(address)?;
        restored.set_acting_units("*")?;
        let status = restored.schema_status()?;
        if status.applied.is_empty() {
            return Err(BackupError::Refused(format!(
                "pg_restore finished, but the schema `{schema}` the address names has no Etablera tables: the archive was made from another schema"
            )));
        }
        Ok(restored.table_digests()?)
    } else {
        drop(target);
        let src = rusqlite::Connection::open_with_flags(
            archive,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(StoreError::from)?;
        let mut dst = rusqlite::Connection::open(address).map_err(StoreError::from)?;
        dst.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StoreError::from)?;
        {
            let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(StoreError::from)?;
            b.run_to_completion(1024, std::time::Duration::from_millis(0), None)
                .map_err(StoreError::from)?;
        }
        drop(dst);
        let mut restored = crate::open(address)?;
        restored.set_acting_units("*")?;
        Ok(restored.table_digests()?)
    }
}

/// An SQLite archive is whole (its integrity check passes) and is an Etablera database.
fn check_sqlite_archive(archive: &Path) -> std::result::Result<(), BackupError> {
    let refused = |e: rusqlite::Error| BackupError::Refused(format!("{}: {e}", archive.display()));
    let src = rusqlite::Connection::open_with_flags(
        archive,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(refused)?;
    let ok: String = src
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .map_err(refused)?;
    if ok != "ok" {
        return Err(BackupError::Refused(format!(
            "{} fails its integrity check: {ok}",
            archive.display()
        )));
    }
    let ours: i64 = src
        .query_row(
            "select count(*) from sqlite_master where type = 'table' and name = 'schema_migration'",
            [],
            |r| r.get(0),
        )
        .map_err(refused)?;
    if ours == 0 {
        return Err(BackupError::Refused(format!(
            "{} is an SQLite file but not an Etablera database",
            archive.display()
        )));
    }
    Ok(())
}
