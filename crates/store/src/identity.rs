//! Logins through OpenID Connect providers, the password switch per municipality and the
//! operator's one-time logins (see migration 0020). SQL written once for both databases.

use crate::backend::{p, Backend, Sql};
use crate::shared::{audited, audited_if};
use crate::{AuditEntry, Result};

/// A login begun at a provider, until the browser comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcLoginRow {
    /// The SHA-256 of the `state` parameter.
    pub state_hash: String,
    /// The configured provider's id.
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go after the login (a path of this site).
    pub return_to: Option<String>,
    pub created_at: String,
    /// The client's address it was begun from (empty when unknown).
    pub address: String,
}

/// Whether a begun login was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutLogin {
    Kept,
    /// As many logins as the whole server keeps wait already.
    Full,
    /// As many logins as one address may have waiting wait already from this one.
    AddressFull,
}

/// An external identity linked to an account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkedIdentity {
    pub issuer: String,
    pub subject: String,
    pub user_id: i64,
    pub username: String,
    /// The configured provider that saw it.
    pub provider_id: String,
    pub linked_at: String,
    /// How: `email`, `personnummer` or `admin`.
    pub linked_by: String,
}

/// Keeps a login begun at a provider unless `max` wait already (`Ok(false)`); drops those
/// begun before `expired_before`.
pub(crate) fn put_oidc_login(
    db: &mut dyn Sql,
    row: &OidcLoginRow,
    expired_before: &str,
    max: i64,
    max_per_address: i64,
) -> Result<PutLogin> {
    db.exec(
        "delete from oidc_login where created_at < $1",
        p![expired_before],
    )?;
    if db.one("select count(*) from oidc_login", &[], |r| r.int(0))? >= max {
        return Ok(PutLogin::Full);
    }
    if !row.address.is_empty()
        && db.one(
            "select count(*) from oidc_login where address = $1",
            p![&row.address],
            |r| r.int(0),
        )? >= max_per_address
    {
        return Ok(PutLogin::AddressFull);
    }
    db.exec(
        "insert into oidc_login (state_hash, provider, nonce, pkce_verifier, return_to, created_at, address) values ($1, $2, $3, $4, $5, $6, $7)",
        p![&row.state_hash, &row.provider, &row.nonce, &row.pkce_verifier, &row.return_to, &row.created_at, &row.address],
    )?;
    Ok(PutLogin::Kept)
}

/// Takes (deletes and returns) a login by its state's hash, if it was begun at or after
/// `not_before`; a second take of the same state finds nothing.
pub(crate) fn take_oidc_login(
    db: &mut dyn Sql,
    state_hash: &str,
    not_before: &str,
) -> Result<Option<OidcLoginRow>> {
    let row = db.opt(
        "delete from oidc_login where state_hash = $1 returning state_hash, provider, nonce, pkce_verifier, return_to, created_at, address",
        p![state_hash],
        |r| {
            Ok(OidcLoginRow {
                state_hash: r.text(0)?,
                provider: r.text(1)?,
                nonce: r.text(2)?,
                pkce_verifier: r.text(3)?,
                return_to: r.opt_text(4)?,
                created_at: r.text(5)?,
                address: r.text(6)?,
            })
        },
    )?;
    Ok(row.filter(|r| r.created_at.as_str() >= not_before))
}

const IDENTITY_SELECT: &str = "select i.provider, i.subject, i.user_id, u.username, i.provider_id, i.linked_at, i.linked_by from user_identity i join app_user u on u.id = i.user_id";

fn identity_row(r: &dyn crate::backend::Get) -> Result<LinkedIdentity> {
    Ok(LinkedIdentity {
        issuer: r.text(0)?,
        subject: r.text(1)?,
        user_id: r.int(2)?,
        username: r.text(3)?,
        provider_id: r.text(4)?,
        linked_at: r.text(5)?,
        linked_by: r.text(6)?,
    })
}

/// The account an identity is linked to.
pub(crate) fn identity_user(db: &mut dyn Sql, issuer: &str, subject: &str) -> Result<Option<i64>> {
    db.opt(
        "select user_id from user_identity where provider = $1 and subject = $2",
        p![issuer, subject],
        |r| r.int(0),
    )
}

/// Every linked identity (of one user, or all), by username.
pub(crate) fn identities(db: &mut dyn Sql, user_id: Option<i64>) -> Result<Vec<LinkedIdentity>> {
    match user_id {
        Some(id) => db.all(
            &format!("{IDENTITY_SELECT} where i.user_id = $1 order by i.linked_at"),
            p![id],
            identity_row,
        ),
        None => db.all(
            &format!("{IDENTITY_SELECT} order by u.username, i.linked_at"),
            &[],
            identity_row,
        ),
    }
}

/// Links an identity to an account, with its audit entry.
pub(crate) fn link_identity(
    b: &mut (impl Backend + ?Sized),
    id: &LinkedIdentity,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        db.exec(
            "insert into user_identity (provider, subject, user_id, provider_id, linked_at, linked_by) values ($1, $2, $3, $4, $5, $6)",
            p![&id.issuer, &id.subject, id.user_id, &id.provider_id, &id.linked_at, &id.linked_by],
        )?;
        Ok(())
    })
}

/// Removes a linked identity; `Ok(false)` when there is none.
pub(crate) fn unlink_identity(
    b: &mut (impl Backend + ?Sized),
    issuer: &str,
    subject: &str,
    audit: &AuditEntry,
) -> Result<bool> {
    audited_if(b, audit, |db| {
        Ok(db.exec(
            "delete from user_identity where provider = $1 and subject = $2",
            p![issuer, subject],
        )? > 0)
    })
}

/// The accounts (not disabled) whose verified e-mail address is `email`, ignoring case.
pub(crate) fn users_by_verified_email(db: &mut dyn Sql, email: &str) -> Result<Vec<i64>> {
    db.all(
        "select id from app_user where lower(email) = lower($1) and email_verified_at is not null and disabled = $2 order by id",
        p![email, false],
        |r| r.int(0),
    )
}

/// The account whose personnummer index is one of `indexes`, and the index it has.
pub(crate) fn user_by_personnummer_index(
    db: &mut dyn Sql,
    indexes: &[String],
) -> Result<Option<(i64, String)>> {
    for index in indexes {
        if let Some(id) = db.opt(
            "select id from app_user where personnummer_index = $1 and disabled = $2",
            p![index, false],
            |r| r.int(0),
        )? {
            return Ok(Some((id, index.clone())));
        }
    }
    Ok(None)
}

/// Sets (or with `None` clears) an account's personnummer index.
pub(crate) fn set_personnummer_index(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    index: Option<&str>,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        db.exec(
            "update app_user set personnummer_index = $1 where id = $2",
            p![index, user_id],
        )?;
        Ok(())
    })
}

/// Whether the user is a member (strategy or register) of a municipality whose staff may
/// not log in with a password.
pub(crate) fn password_login_refused(db: &mut dyn Sql, user_id: i64) -> Result<bool> {
    db.one(
        "select count(*) from password_login_off o where o.unit_code in (select unit_code from membership where user_id = $1 union select unit_code from register_membership where user_id = $1)",
        p![user_id],
        |r| Ok(r.int(0)? > 0),
    )
}

/// The municipalities with password login switched off, and since when.
pub(crate) fn password_login_off(db: &mut dyn Sql) -> Result<Vec<(String, String)>> {
    db.all(
        "select unit_code, since from password_login_off order by unit_code",
        &[],
        |r| Ok((r.text(0)?, r.text(1)?)),
    )
}

/// Switches password login for a municipality's staff on (`true`) or off.
pub(crate) fn set_password_login(
    b: &mut (impl Backend + ?Sized),
    unit: &str,
    allowed: bool,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        if allowed {
            db.exec(
                "delete from password_login_off where unit_code = $1",
                p![unit],
            )?;
        } else {
            db.exec(
                "insert into password_login_off (unit_code, since) values ($1, $2) on conflict (unit_code) do nothing",
                p![unit, &audit.at],
            )?;
        }
        Ok(())
    })
}

/// Stores a one-time login ticket (its hash), with its audit entry; drops expired ones.
pub(crate) fn create_login_ticket(
    b: &mut (impl Backend + ?Sized),
    token_hash: &str,
    user_id: i64,
    expires_at: &str,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        db.exec(
            "delete from login_ticket where expires_at < $1",
            p![&audit.at],
        )?;
        db.exec(
            "insert into login_ticket (token_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)",
            p![token_hash, user_id, &audit.at, expires_at],
        )?;
        Ok(())
    })
}

/// Takes (deletes) a ticket that has not expired at `now`; its user.
pub(crate) fn take_login_ticket(
    db: &mut dyn Sql,
    token_hash: &str,
    now: &str,
) -> Result<Option<i64>> {
    let row = db.opt(
        "delete from login_ticket where token_hash = $1 returning user_id, expires_at",
        p![token_hash],
        |r| Ok((r.int(0)?, r.text(1)?)),
    )?;
    Ok(row.filter(|(_, exp)| exp.as_str() >= now).map(|(u, _)| u))
}
