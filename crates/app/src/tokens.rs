//! API tokens for machine clients: made, listed and revoked by their user in a session (a
//! token cannot make tokens), each limited to one municipality and a scope. Only the
//! token's SHA-256 is stored; the token itself is shown once.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::sessions::{random_token, sha256_hex};
use etablera_domain::access::{allowed, Action};
use etablera_domain::UnitCode;
use etablera_store::AuditEntry;

pub use etablera_store::ApiToken;

/// What a token may do: read, or also write the municipality's strategy and figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }
}

fn user(actor: &Actor) -> Result<i64> {
    actor.user_id().ok_or(Error::Unauthorized)
}

/// The actor's tokens.
pub fn list(conn: &mut Conn, actor: &Actor) -> Result<Vec<ApiToken>> {
    conn.act_as(actor)?;
    let u = user(actor)?;
    Ok(conn.store().tokens(u)?)
}

/// Makes a token for a municipality the actor may read (scope read) or write (scope
/// write), named 1–100 characters. Returns its id and the token, shown once.
pub fn create(
    conn: &mut Conn,
    actor: &Actor,
    unit: &UnitCode,
    scope: Scope,
    name: &str,
) -> Result<(i64, String)> {
    conn.act_as(actor)?;
    let u = user(actor)?;
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::input("`name` must have 1 to 100 characters"));
    }
    let need = match scope {
        Scope::Read => Action::Read,
        Scope::Write => Action::Write,
    };
    if !allowed(actor.principal(), need, unit, false) {
        return Err(Error::Forbidden);
    }
    let secret = random_token();
    let now = crate::now_utc();
    let t = ApiToken {
        id: 0,
        token_hash: sha256_hex(&secret),
        user_id: u,
        unit_code: unit.to_string(),
        scope: scope.as_str().into(),
        name: name.clone(),
        created_at: now.clone(),
        revoked_at: None,
    };
    let audit = AuditEntry::new(
        &now,
        Some(u),
        "token.create",
        &format!("token:{name}"),
        Some(unit),
    )
    .change(None, Some(format!("scope={}", scope.as_str())));
    let id = conn.store().create_token(&t, &audit)?;
    Ok((id, secret))
}

/// Revokes one of the actor's tokens.
pub fn revoke(conn: &mut Conn, actor: &Actor, id: i64) -> Result<()> {
    conn.act_as(actor)?;
    let u = user(actor)?;
    let audit = AuditEntry::new(
        &crate::now_utc(),
        Some(u),
        "token.revoke",
        &format!("token:{id}"),
        None,
    );
    if conn.store().revoke_token(u, id, &audit)? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}
