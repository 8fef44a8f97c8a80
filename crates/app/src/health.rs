//! Whether this process can serve: the database answers and its schema is the one this
//! program expects (the web's `/readyz`). Reads nothing of anyone's data.

use crate::conn::Conn;
use etablera_store::ops::SchemaStatus;

/// What `/readyz` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The database answers and every migration this program knows is applied.
    Ready { schema: SchemaStatus },
    /// The database does not answer (the error, for the log only).
    Unreachable(String),
    /// The database answers but lacks migrations this program needs (`etablera migrate`).
    Behind { pending: Vec<i64> },
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready { .. })
    }
}

/// Asks the database: `select 1`, then the schema's migrations.
pub fn ready(conn: &mut Conn) -> Readiness {
    if let Err(e) = conn.store().ping() {
        return Readiness::Unreachable(e.to_string());
    }
    match conn.store().schema_status() {
        Ok(s) if s.current() => Readiness::Ready { schema: s },
        Ok(s) => Readiness::Behind { pending: s.pending },
        Err(e) => Readiness::Unreachable(e.to_string()),
    }
}

/// The outbox at a glance (the metrics): waiting, of them failed at least once, and sent.
/// Counts only: no address, subject or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub waiting: i64,
    pub failed: i64,
    pub sent: i64,
}

pub fn outbox_counts(conn: &mut Conn) -> crate::Result<OutboxCounts> {
    let (waiting, failed, sent) = conn.store().outbox_counts()?;
    Ok(OutboxCounts {
        waiting,
        failed,
        sent,
    })
}
