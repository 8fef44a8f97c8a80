//! Fresh, migrated stores for tests, on every backend the environment offers.
//!
//! SQLite is always there (a file in a temporary folder). PostgreSQL is used when
//! `ETABLERA_TEST_POSTGRES` holds a server URL; each store gets its own schema, dropped
//! when the [`TestStore`] is dropped.

use crate::{PgStore, SqliteStore, Store};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "ETABLERA_TEST_POSTGRES";

/// A store for one test, with what must be cleaned up after it.
pub struct TestStore {
    pub backend: &'static str,
    /// The address `open` takes for this store.
    pub address: String,
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
    let address = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let mut store: Box<dyn Store> =
        Box::new(PgStore::connect(&address).expect("connect with schema"));
    store.migrate().expect("migrate postgres");
    Some(TestStore {
        backend: "postgres",
        address,
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
    let schema = address
        .rsplit("search_path%3D")
        .next()
        .unwrap_or_default()
        .to_string();
    (url, schema)
}
