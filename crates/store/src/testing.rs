//! Fresh, migrated stores for tests, on every backend the environment offers.
//!
//! SQLite is always there (a file in a temporary folder). PostgreSQL is used when
//! `ETABLERA_TEST_POSTGRES` holds a server URL; each store gets its own schema, dropped
//! when the [`TestStore`] is dropped. The schema is created and migrated by the URL's
//! role (its owner); [`TestStore::address`] connects as [`APP_ROLE`], a role that owns
//! nothing and cannot bypass row-level security, as a deployment's application does
//! (docs/deployment.md), so every test through the address runs under the register's
//! policies. [`TestStore::store`] is the owner's connection, for setting up.

use crate::{PgStore, SqliteStore, Store};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "ETABLERA_TEST_POSTGRES";

/// The role the tests' application connects as on PostgreSQL: it may read and write the
/// tables, and owns none (NOBYPASSRLS).
pub const APP_ROLE: &str = "etablera_app";

/// A store for one test, with what must be cleaned up after it.
pub struct TestStore {
    pub backend: &'static str,
    /// The address `open` takes for this store: on PostgreSQL as [`APP_ROLE`].
    pub address: String,
    /// The same database as its owner (on SQLite the same as `address`): for backups,
    /// restores and changes to the schema.
    pub owner_address: String,
    pub store: Box<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl std::fmt::Debug for TestStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestStore({})", self.backend)
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg {
            if let Ok(mut admin) = PgStore::connect(url) {
                let _ = admin.execute_batch(&format!("drop schema if exists {schema} cascade"));
            }
        }
    }
}

/// A fresh SQLite store.
pub fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary folder");
    let address = dir.path().join("test.db").to_string_lossy().into_owned();
    let mut store: Box<dyn Store> = Box::new(SqliteStore::open(&address).expect("open sqlite"));
    store.migrate().expect("migrate sqlite");
    TestStore {
        backend: "sqlite",
        owner_address: address.clone(),
        address,
        store,
        _dir: Some(dir),
        pg: None,
    }
}

/// A fresh PostgreSQL store in its own schema, when the environment names a server.
pub fn postgres() -> Option<TestStore> {
    let url = std::env::var(PG_ENV).ok().filter(|s| !s.is_empty())?;
    let n: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let schema = format!(
        "etablera_test_{}_{}",
        std::process::id(),
        n % 1_000_000_000_000
    );
    let mut admin = PgStore::connect(&url).expect("connect to the test PostgreSQL server");
    admin
        .execute_batch(&format!("create schema {schema}"))
        .expect("create schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    // `pg_server_and_schema` reads this back.
    let owner_address = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let mut store: Box<dyn Store> =
        Box::new(PgStore::connect(&owner_address).expect("connect with schema"));
    store.migrate().expect("migrate postgres");
    grant_app_role(&schema);
    let address = format!(
        "{}{sep}options=-csearch_path%3D{schema}",
        with_user(&url, APP_ROLE)
    );
    Some(TestStore {
        backend: "postgres",
        address,
        owner_address,
        store,
        _dir: None,
        pg: Some((url, schema)),
    })
}

/// One fresh store per available backend. When `ETABLERA_REQUIRE_POSTGRES` is set, a
/// missing PostgreSQL is a failure rather than a skip, so CI cannot pass on SQLite alone.
pub fn all() -> Vec<TestStore> {
    let mut v = vec![sqlite()];
    match postgres() {
        Some(p) => v.push(p),
        None if std::env::var("ETABLERA_REQUIRE_POSTGRES").is_ok() => {
            panic!("{PG_ENV} is not set but ETABLERA_REQUIRE_POSTGRES is")
        }
        None => {}
    }
    v
}

/// The server's URL and the schema of a test database's address (as
/// [`TestStore::address`] gives it for PostgreSQL): what a test needs to reach the tables
/// behind the store's back (to dump them, or to break them on purpose).
pub fn pg_server_and_schema(address: &str) -> (String, String) {
    let url = address.split('?').next().unwrap_or(address).to_string();
    // The server as the tests' owner role, not as the application's.
    let url = match std::env::var(PG_ENV) {
        Ok(env) if url.contains(&format!("{APP_ROLE}@")) => {
            env.split('?').next().unwrap_or(&env).to_string()
        }
        _ => url,
    };
    let schema = address
        .rsplit("search_path%3D")
        .next()
        .unwrap_or_default()
        .to_string();
    (url, schema)
}

/// Creates [`APP_ROLE`] on the test server if it is missing (tests racing to create it
/// both succeed) and gives it the rights to the tables of `schema`, and no more.
pub fn grant_app_role(schema: &str) {
    let url = std::env::var(PG_ENV).expect(PG_ENV);
    let mut admin = PgStore::connect(&url).expect("connect to the test PostgreSQL server");
    admin
        .execute_batch(&format!(
            "do $$ begin
               create role {APP_ROLE} login nosuperuser nocreatedb nocreaterole nobypassrls;
             exception when duplicate_object or unique_violation then null;
             end $$;
             grant usage on schema {schema} to {APP_ROLE};
             grant select, insert, update, delete on all tables in schema {schema} to {APP_ROLE};
             grant usage, select, update on all sequences in schema {schema} to {APP_ROLE};"
        ))
        .expect("the application's role");
}

/// A PostgreSQL URL with another user (and no password): `postgres://USER@host/db`.
fn with_user(url: &str, user: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    format!("{scheme}://{user}@{host}{path}")
}
