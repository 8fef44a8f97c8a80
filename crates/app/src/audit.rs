//! The audit log as administrators read it: all of it for system administrators, their own
//! municipalities' for municipality administrators.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use etablera_domain::access::{allowed, Action};
use etablera_store::AuditFilter;
use std::collections::HashMap;

pub use etablera_store::AuditEntry;

/// Entries per page.
pub const PAGE: i64 = 50;

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// One municipality's; `None` for all the actor may read.
    pub unit: Option<String>,
    /// One user's, by username.
    pub user: Option<String>,
    pub action: Option<String>,
    /// From 1.
    pub page: i64,
}

/// A page of the audit log.
#[derive(Debug)]
pub struct Page {
    pub entries: Vec<AuditEntry>,
    /// Usernames by id.
    pub names: HashMap<i64, String>,
    /// The municipalities the actor administers (all, for a system administrator: empty).
    pub admin_units: Vec<String>,
}

/// The municipalities whose audit log the actor may read; `None` for every one.
fn readable_units(actor: &Actor) -> Result<Option<Vec<String>>> {
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    if p.system_admin {
        return Ok(None);
    }
    let units: Vec<String> = p
        .memberships
        .iter()
        .filter(|(u, _)| allowed(Some(p), Action::ReadAudit, u, false))
        .map(|(u, _)| u.to_string())
        .collect();
    if units.is_empty() {
        return Err(Error::Forbidden);
    }
    Ok(Some(units))
}

/// A page of the audit log the actor may read.
pub fn page(conn: &mut Conn, actor: &Actor, q: &Query) -> Result<Page> {
    conn.act_as(actor)?;
    let readable = readable_units(actor)?;
    let units = match (&q.unit, &readable) {
        (Some(u), None) => Some(vec![u.clone()]),
        (None, None) => None,
        (Some(u), Some(mine)) if mine.contains(u) => Some(vec![u.clone()]),
        (Some(_), Some(_)) => return Err(Error::Forbidden),
        (None, Some(mine)) => Some(mine.clone()),
    };
    let store = conn.store();
    let names: HashMap<i64, String> = store
        .users()?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let user_id = q.user.as_ref().map(|n| {
        names
            .iter()
            .find(|(_, v)| *v == n)
            .map(|(k, _)| *k)
            .unwrap_or(-1)
    });
    let entries = store.audit_log(&AuditFilter {
        user_id,
        units,
        action: q.action.clone(),
        limit: PAGE,
        offset: (q.page.max(1) - 1) * PAGE,
    })?;
    Ok(Page {
        entries,
        names,
        admin_units: readable.unwrap_or_default(),
    })
}
