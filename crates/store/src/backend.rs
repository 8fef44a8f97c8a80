//! What SQLite and PostgreSQL have in common, so that an operation that reads alike on both
//! is written once (in `shared`) instead of once per backend.
//!
//! A backend gives three things: [`Sql`] (run one statement, read its rows through [`Get`]),
//! its connection as an `Sql`, and a transaction as an `Sql` ([`Backend::in_tx`]).
//! Parameters are [`P`] values: the types both databases bind alike (64-bit and 32-bit
//! integers, reals, text, booleans, each possibly null). Statements use PostgreSQL's `$1`,
//! `$2`, …, which SQLite binds by the order they first appear in, so each statement names
//! `$1` before `$2`.
//!
//! What the dialects do differently stays in the backend: migrations, bulk import (`COPY`
//! against multi-row inserts), the filters built from lists (`= any($1)` against `in (…)`),
//! and the session setting row-level security keys on.

use crate::{Result, StoreError};

/// A statement parameter.
#[derive(Debug, Clone, Copy)]
pub enum P<'a> {
    /// `bigint` / `integer`.
    Int(Option<i64>),
    /// PostgreSQL's 32-bit `integer` columns (a year, a version number).
    Int4(Option<i32>),
    Real(Option<f64>),
    Text(Option<&'a str>),
    Bool(Option<bool>),
    Bytes(Option<&'a [u8]>),
}

impl<'a> From<Option<&'a [u8]>> for P<'a> {
    fn from(v: Option<&'a [u8]>) -> Self {
        P::Bytes(v)
    }
}
impl<'a> From<Option<&'a i32>> for P<'a> {
    fn from(v: Option<&'a i32>) -> Self {
        P::Int4(v.copied())
    }
}
impl From<Option<i32>> for P<'_> {
    fn from(v: Option<i32>) -> Self {
        P::Int4(v)
    }
}

impl From<i64> for P<'_> {
    fn from(v: i64) -> Self {
        P::Int(Some(v))
    }
}
impl From<Option<i64>> for P<'_> {
    fn from(v: Option<i64>) -> Self {
        P::Int(v)
    }
}
impl From<&Option<i64>> for P<'_> {
    fn from(v: &Option<i64>) -> Self {
        P::Int(*v)
    }
}
impl From<i32> for P<'_> {
    fn from(v: i32) -> Self {
        P::Int4(Some(v))
    }
}
impl From<f64> for P<'_> {
    fn from(v: f64) -> Self {
        P::Real(Some(v))
    }
}
impl From<Option<f64>> for P<'_> {
    fn from(v: Option<f64>) -> Self {
        P::Real(v)
    }
}
impl From<bool> for P<'_> {
    fn from(v: bool) -> Self {
        P::Bool(Some(v))
    }
}
impl<'a> From<&'a str> for P<'a> {
    fn from(v: &'a str) -> Self {
        P::Text(Some(v))
    }
}
impl<'a> From<&'a String> for P<'a> {
    fn from(v: &'a String) -> Self {
        P::Text(Some(v))
    }
}
impl<'a> From<Option<&'a str>> for P<'a> {
    fn from(v: Option<&'a str>) -> Self {
        P::Text(v)
    }
}
impl<'a> From<&'a Option<String>> for P<'a> {
    fn from(v: &'a Option<String>) -> Self {
        P::Text(v.as_deref())
    }
}

/// The parameters of a statement: `p![a, b]` is `&[P::from(a), P::from(b)]`.
macro_rules! p {
    ($($e:expr),* $(,)?) => { &[$($crate::backend::P::from($e)),*] };
}
pub(crate) use p;

/// One row of a result, read by column index.
pub trait Get {
    fn int(&self, i: usize) -> Result<i64>;
    fn int4(&self, i: usize) -> Result<i32>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn real(&self, i: usize) -> Result<f64>;
    fn opt_real(&self, i: usize) -> Result<Option<f64>>;
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn boolean(&self, i: usize) -> Result<bool>;
    fn opt_int4(&self, i: usize) -> Result<Option<i32>>;
    fn bytes(&self, i: usize) -> Result<Vec<u8>>;
}

/// Runs statements: a connection or a transaction of either backend.
pub trait Sql {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, p: &[P]) -> Result<u64>;
    /// Runs statements separated by `;`, without parameters (a migration).
    fn script(&mut self, sql: &str) -> Result<()>;
    /// Runs a query and hands each row to `f`, in order.
    fn each(&mut self, sql: &str, p: &[P], f: &mut dyn FnMut(&dyn Get) -> Result<()>)
        -> Result<()>;
}

impl dyn Sql + '_ {
    /// Every row, each read by `f`.
    pub fn all<T>(
        &mut self,
        sql: &str,
        p: &[P],
        mut f: impl FnMut(&dyn Get) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, p, &mut |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, if there is one.
    pub fn opt<T>(
        &mut self,
        sql: &str,
        p: &[P],
        mut f: impl FnMut(&dyn Get) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut out = None;
        self.each(sql, p, &mut |r| {
            if out.is_none() {
                out = Some(f(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, which must be there (an aggregate, a `returning` clause).
    pub fn one<T>(
        &mut self,
        sql: &str,
        p: &[P],
        f: impl FnMut(&dyn Get) -> Result<T>,
    ) -> Result<T> {
        self.opt(sql, p, f)?.ok_or_else(|| {
            StoreError::Corrupt("a statement that returns a row returned none".into())
        })
    }
}

/// A database the shared operations run on.
pub trait Backend {
    /// The connection, outside any transaction of ours.
    fn sql(&mut self) -> &mut dyn Sql;
    /// Runs `f` in one transaction: committed when `f` returns `Ok`, rolled back otherwise.
    fn in_tx(&mut self, f: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()>;
}

/// `Backend` for a store whose connection is the field `$conn`: a connection that is an
/// [`Sql`] and whose `transaction()` gives one that is too.
macro_rules! backend_on {
    ($store:ty, $conn:ident) => {
        impl $crate::backend::Backend for $store {
            fn sql(&mut self) -> &mut dyn $crate::backend::Sql {
                &mut self.$conn
            }

            fn in_tx(
                &mut self,
                f: &mut dyn FnMut(&mut dyn $crate::backend::Sql) -> $crate::Result<()>,
            ) -> $crate::Result<()> {
                let mut tx = self.$conn.transaction()?;
                f(&mut tx)?;
                tx.commit()?;
                Ok(())
            }
        }
    };
}
pub(crate) use backend_on;

/// The two SQL dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// `(version, file name, text)` of a file in `migrations/shared/`.
macro_rules! migration {
    ($version:literal, $file:literal) => {
        (
            $version,
            $file,
            include_str!(concat!("../migrations/shared/", $file)),
        )
    };
}

/// Every migration, in order: each written once for both databases (see
/// [`render_migration`]). Shipped ones are never edited; `tests/migration_checksums.in` pins
/// each file and the SQL it renders for each database.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    migration!(1, "0001_init.sql"),
    migration!(2, "0002_accounts.sql"),
    migration!(3, "0003_accessibility_reports.sql"),
    migration!(4, "0004_register.sql"),
    migration!(5, "0005_tenant_keys.sql"),
    migration!(6, "0006_requests_and_log_chain.sql"),
    migration!(7, "0007_login_throttle.sql"),
    migration!(8, "0008_strategy_versions.sql"),
    migration!(9, "0009_repair_api_token.sql"),
    migration!(10, "0010_person_household.sql"),
    migration!(11, "0011_pending_upload.sql"),
    migration!(12, "0012_library.sql"),
    migration!(13, "0013_library_listing.sql"),
    migration!(14, "0014_library_draft_review.sql"),
    migration!(15, "0015_library_entry_published.sql"),
    migration!(16, "0016_library_change.sql"),
    migration!(17, "0017_rounds.sql"),
    migration!(18, "0018_mail.sql"),
    migration!(19, "0019_register_rls.sql"),
    migration!(20, "0020_identities.sql"),
    migration!(21, "0021_oidc_login_address.sql"),
];

/// A migration's text for a dialect. Each migration is one file for both databases
/// (`migrations/shared/`):
///
/// - a line that begins `--postgres:` or `--sqlite:` belongs to that database only (the
///   tag and one space after it are removed; the other database does not see the line) —
///   how the files up to `0011`, first written one per database, keep exactly the SQL they
///   shipped with;
/// - `{key}` (the auto-numbered primary key), `{int64}` (a 64-bit integer, as a reference to
///   such a key) and `{bytes}` (a byte string) name the types the dialects spell
///   differently, for migrations written once from `0012` on.
///
/// ```
/// use etablera_store::backend::{render_migration, Dialect};
/// let sql = "create table t (\n--postgres:     done boolean,\n--sqlite:     done integer,\n    id {key}\n);\n";
/// assert_eq!(
///     render_migration(sql, Dialect::Sqlite),
///     "create table t (\n    done integer,\n    id integer primary key\n);\n"
/// );
/// assert_eq!(
///     render_migration(sql, Dialect::Postgres),
///     "create table t (\n    done boolean,\n    id bigserial primary key\n);\n"
/// );
/// ```
pub fn render_migration(sql: &str, dialect: Dialect) -> String {
    let (mine, theirs, key, int64, bytes) = match dialect {
        Dialect::Sqlite => (
            "--sqlite:",
            "--postgres:",
            "integer primary key",
            "integer",
            "blob",
        ),
        Dialect::Postgres => (
            "--postgres:",
            "--sqlite:",
            "bigserial primary key",
            "bigint",
            "bytea",
        ),
    };
    let mut out = String::with_capacity(sql.len());
    for line in sql.split_inclusive('\n') {
        if line.starts_with(theirs) {
            continue;
        }
        match line.strip_prefix(mine) {
            Some(rest) => out.push_str(rest.strip_prefix(' ').unwrap_or(rest)),
            None => out.push_str(line),
        }
    }
    out.replace("{key}", key)
        .replace("{int64}", int64)
        .replace("{bytes}", bytes)
}

/// Whether an error is a unique key that is already taken.
pub(crate) fn is_unique_violation(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
            f.code == rusqlite::ErrorCode::ConstraintViolation
        }
        StoreError::Postgres(p) => p.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
        _ => false,
    }
}

// ---- SQLite ----

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            P::Int(Some(v)) => ToSqlOutput::Owned(Value::Integer(v)),
            P::Int4(Some(v)) => ToSqlOutput::Owned(Value::Integer(v.into())),
            P::Real(Some(v)) => ToSqlOutput::Owned(Value::Real(v)),
            P::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            P::Bool(Some(b)) => ToSqlOutput::Owned(Value::Integer(b.into())),
            P::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            P::Int(None)
            | P::Int4(None)
            | P::Real(None)
            | P::Text(None)
            | P::Bool(None)
            | P::Bytes(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

impl Get for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.get(i)?)
    }
    fn int4(&self, i: usize) -> Result<i32> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn real(&self, i: usize) -> Result<f64> {
        Ok(self.get(i)?)
    }
    fn opt_real(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.get(i)?)
    }
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }
    fn boolean(&self, i: usize) -> Result<bool> {
        Ok(self.get(i)?)
    }
    fn opt_int4(&self, i: usize) -> Result<Option<i32>> {
        Ok(self.get(i)?)
    }
    fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        Ok(self.get(i)?)
    }
}

fn lite_exec(c: &rusqlite::Connection, sql: &str, p: &[P]) -> Result<u64> {
    let mut st = c.prepare_cached(sql)?;
    Ok(st.execute(rusqlite::params_from_iter(p.iter()))? as u64)
}

fn lite_each(
    c: &rusqlite::Connection,
    sql: &str,
    p: &[P],
    f: &mut dyn FnMut(&dyn Get) -> Result<()>,
) -> Result<()> {
    let mut st = c.prepare_cached(sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(p.iter()))?;
    while let Some(r) = rows.next()? {
        f(r)?;
    }
    Ok(())
}

/// `Sql` for a type, through three functions: one that runs a statement, one that reads a
/// query's rows and one that runs a script.
macro_rules! sql_via {
    ($ty:ty, $exec:path, $each:path, $script:path) => {
        impl $crate::backend::Sql for $ty {
            fn exec(&mut self, sql: &str, p: &[$crate::backend::P]) -> $crate::Result<u64> {
                $exec(self, sql, p)
            }
            fn script(&mut self, sql: &str) -> $crate::Result<()> {
                $script(self, sql)
            }
            fn each(
                &mut self,
                sql: &str,
                p: &[$crate::backend::P],
                f: &mut dyn FnMut(&dyn $crate::backend::Get) -> $crate::Result<()>,
            ) -> $crate::Result<()> {
                $each(self, sql, p, f)
            }
        }
    };
}
pub(crate) use sql_via;

fn lite_script(c: &rusqlite::Connection, sql: &str) -> Result<()> {
    Ok(c.execute_batch(sql)?)
}

sql_via!(rusqlite::Connection, lite_exec, lite_each, lite_script);
sql_via!(rusqlite::Transaction<'_>, lite_exec, lite_each, lite_script);

// ---- PostgreSQL ----

impl postgres::types::ToSql for P<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        match *self {
            P::Int(v) => v.to_sql(ty, out),
            P::Int4(v) => v.to_sql(ty, out),
            P::Real(v) => v.to_sql(ty, out),
            P::Text(v) => v.to_sql(ty, out),
            P::Bool(v) => v.to_sql(ty, out),
            P::Bytes(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    /// Checks the type as the value inside would: an `i64` goes only to a `bigint`.
    fn to_sql_checked(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        match *self {
            P::Int(v) => v.to_sql_checked(ty, out),
            P::Int4(v) => v.to_sql_checked(ty, out),
            P::Real(v) => v.to_sql_checked(ty, out),
            P::Text(v) => v.to_sql_checked(ty, out),
            P::Bool(v) => v.to_sql_checked(ty, out),
            P::Bytes(v) => v.to_sql_checked(ty, out),
        }
    }
}

impl Get for postgres::Row {
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.try_get(i)?)
    }
    fn int4(&self, i: usize) -> Result<i32> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.try_get(i)?)
    }
    fn real(&self, i: usize) -> Result<f64> {
        Ok(self.try_get(i)?)
    }
    fn opt_real(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.try_get(i)?)
    }
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.try_get(i)?)
    }
    fn boolean(&self, i: usize) -> Result<bool> {
        Ok(self.try_get(i)?)
    }
    fn opt_int4(&self, i: usize) -> Result<Option<i32>> {
        Ok(self.try_get(i)?)
    }
    fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        Ok(self.try_get(i)?)
    }
}

/// The parameters as the `postgres` crate takes them.
pub(crate) fn pg_params<'a>(p: &'a [P<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    p.iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}
