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
        // Every page in one step, under one read snapshot: in WAL mode that does not hold
        // up the server's writers, and a write between steps cannot restart the copy.
        let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(StoreError::from)?;
        copy_all(&b)?;
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

/// Copies every page in one step (`sqlite3_backup_step(-1)`), waiting a little while the
/// source or the destination is locked by a writer, for at most half a minute.
fn copy_all(b: &rusqlite::backup::Backup) -> std::result::Result<(), BackupError> {
    use rusqlite::backup::StepResult;
    for _ in 0..600 {
        match b.step(-1).map_err(StoreError::from)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    Err(BackupError::Refused(
        "the database stayed locked for half a minute; try again".into(),
    ))
}

/// The current schema of a PostgreSQL address (`public`, or the URL's `search_path`);
/// `None` when the schema the address names does not exist (yet).
fn pg_schema(address: &str) -> Result<Option<String>> {
    let mut c = postgres::Client::connect(address, postgres::NoTls)?;
    let row = c.query_one("select current_schema()::text", &[])?;
    Ok(row.get(0))
}

/// The schema an address means: its current schema, or, when that does not exist yet, the
/// first schema its `search_path` names.
fn pg_target_schema(address: &str) -> Result<String> {
    if let Some(s) = pg_schema(address)? {
        return Ok(s);
    }
    let mut c = postgres::Client::connect(address, postgres::NoTls)?;
    let path: String = c
        .query_one("select current_setting('search_path')", &[])?
        .get(0);
    let user: String = c.query_one("select current_user::text", &[])?.get(0);
    Ok(path
        .split(',')
        .map(|p| p.trim().trim_matches('"').replace("$user", &user))
        .find(|p| !p.is_empty())
        .unwrap_or_else(|| "public".into()))
}

/// A URL without its password, and the password (handed to pg_dump and pg_restore in
/// `PGPASSWORD`, so that it is not on a command line other users can read).
fn split_password(address: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = address.split_once("://") else {
        return (address.to_string(), None);
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (address.to_string(), None);
    };
    match userinfo.split_once(':') {
        Some((user, password)) => {
            let password = percent_decode(password);
            (format!("{scheme}://{user}@{host}{tail}"), Some(password))
        }
        None => (address.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1..i + 3].iter().all(u8::is_ascii_hexdigit) {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A pg_dump or pg_restore for `address`: the URL (acting for every municipality) without
/// its password, which goes in the environment; never a password prompt.
fn pg_command(tool: &str, address: &str) -> Command {
    let (url, password) = split_password(&for_all_units(address));
    let mut cmd = pg_tool(tool);
    cmd.arg("--no-password").arg(format!("--dbname={url}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd
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
    // The dump must see every row: with row-level security a session that does not act for
    // every municipality would dump the register empty and still succeed (a pooler that
    // drops the connection's options would do that).
    let mut c = postgres::Client::connect(&for_all_units(address), postgres::NoTls)
        .map_err(StoreError::from)?;
    let units: Option<String> = c
        .query_one("select current_setting('etablera.units', true)", &[])
        .map_err(StoreError::from)?
        .get(0);
    drop(c);
    if units.as_deref() != Some("*") {
        return Err(BackupError::Refused(
            "the database session did not take the setting etablera.units = * from the address's options (a connection pooler in between?): connect pg_dump to the server directly".into(),
        ));
    }
    run(
        "pg_dump",
        pg_command("pg_dump", address)
            .arg("--format=custom")
            .arg("--no-owner")
            .arg("--enable-row-security")
            // Quoted: the exact name, not a pattern.
            .arg(format!("--schema=\"{}\"", schema.replace('"', "\"\"")))
            .arg(format!("--file={}", dest.display())),
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
        let target_schema = pg_target_schema(address)?;
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
        let listing = String::from_utf8_lossy(&listed.stdout).into_owned();
        // pg_restore puts every object in the schema the archive names, whatever the
        // address says: an archive of another schema would be restored there (and with
        // --replace would overwrite it). Every entry must be in the target's schema.
        archive_in_schema(&listing, &target_schema)
            .map_err(|m| BackupError::Refused(format!("{}: {m}", archive.display())))?;
        let contents: String = listing
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
        let mut cmd = pg_command("pg_restore", address);
        cmd.arg("--no-owner")
            .arg("--single-transaction")
            .arg("--exit-on-error")
            .arg("--enable-row-security")
            .arg(format!("--use-list={}", list.path().display()));
        if replace {
            cmd.arg("--clean").arg("--if-exists");
        }
        let restored = run("pg_restore", cmd.arg(archive));
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
            copy_all(&b)?;
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

/// The object types of pg_restore's listing, longest first: the word after the type is
/// the object's schema (`-` for objects of no schema).
const ENTRY_TYPES: &[&str] = &[
    "SEQUENCE OWNED BY",
    "MATERIALIZED VIEW",
    "FK CONSTRAINT",
    "ROW SECURITY",
    "SEQUENCE SET",
    "TABLE DATA",
    "DEFAULT ACL",
    "CONSTRAINT",
    "EXTENSION",
    "FUNCTION",
    "SEQUENCE",
    "TRIGGER",
    "COMMENT",
    "DEFAULT",
    "POLICY",
    "SCHEMA",
    "INDEX",
    "TABLE",
    "TYPE",
    "VIEW",
    "ACL",
];

/// Checks a pg_restore listing: an Etablera archive (it holds `schema_migration`'s data)
/// whose every object is in `schema` or in none.
fn archive_in_schema(listing: &str, schema: &str) -> std::result::Result<(), String> {
    let mut ours = false;
    for line in listing.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        // `123; 2615 16385 TYPE schema name owner`
        let Some((_, rest)) = line.split_once("; ") else {
            return Err(format!("an entry it cannot read: {line}"));
        };
        let rest = rest.splitn(3, ' ').nth(2).unwrap_or("");
        let Some(kind) = ENTRY_TYPES.iter().find(|k| {
            rest.strip_prefix(**k)
                .is_some_and(|after| after.starts_with(' '))
        }) else {
            return Err(format!(
                "an entry of a kind an Etablera backup does not hold: {line}"
            ));
        };
        let after = &rest[kind.len() + 1..];
        let ns = after.split(' ').next().unwrap_or("");
        // The one schema the archive may create is the target's.
        if *kind == "SCHEMA" && !after.starts_with(&format!("- {schema} ")) {
            let other = after.split(' ').nth(1).unwrap_or("");
            return Err(format!(
                "the archive creates the schema `{other}`, and the address names `{schema}`: it would be restored into `{other}`; give an address whose search_path names `{other}`"
            ));
        }
        if ns != "-" && ns != schema {
            return Err(format!(
                "the archive holds objects of the schema `{ns}`, and the address names `{schema}`: it would be restored into `{ns}`; give an address whose search_path names `{ns}`"
            ));
        }
        if *kind == "TABLE DATA" && after.starts_with(&format!("{schema} schema_migration ")) {
            ours = true;
        }
    }
    if ours {
        Ok(())
    } else {
        Err("not an Etablera backup (it holds no schema_migration table)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = ";
; Archive created at 2026-12-02 10:00:00 UTC
;     dbname: test
;
3; 2615 16385 SCHEMA - etablera_a postgres
215; 1259 16386 TABLE etablera_a person postgres
216; 1259 16390 TABLE etablera_a schema_migration postgres
217; 1255 16400 FUNCTION etablera_a etablera_acts_for(text) postgres
3370; 0 16386 TABLE DATA etablera_a person postgres
3371; 0 16390 TABLE DATA etablera_a schema_migration postgres
3380; 2606 16500 CONSTRAINT etablera_a person person_pkey postgres
3390; 3256 16600 POLICY etablera_a person person_of_the_session postgres
3391; 0 16386 ROW SECURITY etablera_a person postgres
3400; 0 0 ACL - SCHEMA etablera_a postgres
3401; 0 0 ACL etablera_a TABLE person postgres
";

    #[test]
    fn an_archive_is_restored_only_into_its_own_schema() {
        assert_eq!(archive_in_schema(LISTING, "etablera_a"), Ok(()));
        let e = archive_in_schema(LISTING, "public").unwrap_err();
        assert!(e.contains("`etablera_a`") && e.contains("`public`"), "{e}");
        let other = LISTING.replace(
            "216; 1259 16390 TABLE etablera_a schema_migration postgres",
            "216; 1259 16390 TABLE public accounts postgres",
        );
        assert!(archive_in_schema(&other, "etablera_a").is_err());
        let two_schemas = format!("{LISTING}4; 2615 16999 SCHEMA - elsewhere postgres\n");
        assert!(archive_in_schema(&two_schemas, "etablera_a")
            .unwrap_err()
            .contains("`elsewhere`"));
        let foreign = LISTING.replace("schema_migration", "something_else");
        assert!(archive_in_schema(&foreign, "etablera_a")
            .unwrap_err()
            .contains("not an Etablera backup"));
    }

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password(
                "postgres://etablera:s%40cret@db.kommun.se:5432/etablera?options=-cx%3Dy"
            ),
            (
                "postgres://etablera@db.kommun.se:5432/etablera?options=-cx%3Dy".into(),
                Some("s@cret".into())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1/test"),
            ("postgres://postgres@127.0.0.1/test".into(), None)
        );
    }

    #[test]
    fn every_municipality_is_added_to_the_options() {
        assert_eq!(
            for_all_units("postgres://u@h/db?options=-csearch_path%3Ds&x=1"),
            "postgres://u@h/db?options=-csearch_path%3Ds%20-cetablera.units%3D*&x=1"
        );
        assert_eq!(
            for_all_units("postgres://u@h/db"),
            "postgres://u@h/db?options=-cetablera.units%3D*"
        );
    }
}
