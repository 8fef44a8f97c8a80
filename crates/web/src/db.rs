//! The databases the web application works with: a few open connections
//! ([`etablera_app::Conn`]), handed to blocking tasks so the synchronous drivers never hold
//! up the async runtime. Handlers get a connection only to call `etablera_app`'s use cases.

use crate::error::AppError;
use etablera_app::Conn;
use std::sync::{Arc, Mutex};

/// A connection idle longer than this is asked whether the server still has it before it
/// is handed out.
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// A small pool of open stores for one database address. At most `max_idle` connections
/// exist at once: a request waits for one rather than opening more, so a burst neither
/// floods the database with connections nor makes the process grow.
pub struct Db {
    address: String,
    /// Idle connections with the time each was given back.
    idle: Mutex<Vec<(Conn, std::time::Instant)>>,
    max_idle: usize,
    slots: Arc<tokio::sync::Semaphore>,
    metrics: Arc<crate::metrics::Metrics>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("max_idle", &self.max_idle)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Opens one store to check the address and migrates the database. A role that may
    /// not change the schema (the application's, on PostgreSQL) starts on a database with
    /// migrations pending, logs it, and `/readyz` answers 503 `behind` until the owner has
    /// run `etablera migrate`.
    pub fn open(
        address: &str,
        max_idle: usize,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Result<Arc<Db>, etablera_app::Error> {
        let first = match Conn::open_migrated(address) {
            Ok(c) => c,
            // Only a role without the right to change the schema (PostgreSQL's "permission
            // denied" or "must be owner", SQLSTATE 42501) starts without migrating; any other
            // failure (a broken migration, a full disk) stops the start.
            Err(e)
                if !(address.starts_with("postgres")
                    && ["42501", "permission denied", "must be owner"]
                        .iter()
                        .any(|w| format!("{e:?} {e}").contains(w))) =>
            {
                return Err(e)
            }
            Err(e) => {
                let mut c = Conn::open(address)?;
                let status = etablera_app::operator::schema_status(&mut c)?;
                if status.current() {
                    return Err(e);
                }
                tracing::error!(
                    error = %e,
                    pending = ?status.pending,
                    "migrations are pending and could not be applied: run `etablera migrate` as the database's owner; /readyz answers 503 until then"
                );
                c
            }
        };
        Ok(Arc::new(Db {
            address: address.to_string(),
            idle: Mutex::new(vec![(first, std::time::Instant::now())]),
            max_idle: max_idle.max(1),
            slots: Arc::new(tokio::sync::Semaphore::new(max_idle.max(1))),
            metrics,
        }))
    }

    /// A connection from the pool (or a new one), acting for nobody until an operation
    /// names its actor: no request inherits the municipalities of the one before it.
    fn take(&self) -> Result<Conn, AppError> {
        // A connection the server closed (a database restart) is dropped. The driver
        // notices that only when the connection is used, so one that has been idle for a
        // while is asked first.
        loop {
            let next = self
                .idle
                .lock()
                .map_err(|_| AppError::internal("the store pool is poisoned"))?
                .pop();
            let Some((mut c, since)) = next else { break };
            if c.is_closed() || (since.elapsed() > IDLE_CHECK && c.ping().is_err()) {
                continue;
            }
            if c.act_for_nobody().is_ok() {
                return Ok(c);
            }
        }
        let mut c = Conn::open(&self.address)
            .map_err(|e| AppError::internal(format!("could not open the database: {e}")))?;
        c.act_for_nobody()?;
        Ok(c)
    }

    fn give(&self, s: Conn) {
        if s.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_idle {
                idle.push((s, std::time::Instant::now()));
            }
        }
    }

    /// Runs `f`, which calls the use cases of `app`, with an open database on a blocking
    /// thread.
    pub async fn app<T, F>(self: &Arc<Self>, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    {
        let db = self.clone();
        let waited = std::time::Instant::now();
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::internal("the store pool is closed"))?;
        self.metrics.pool_waited(waited.elapsed());
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let mut s = db.take()?;
            let r = f(&mut s);
            db.give(s);
            r
        })
        .await
        .map_err(|e| AppError::internal(format!("a database task failed: {e}")))?
    }
}
