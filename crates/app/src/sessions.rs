//! Sessions and logins: a password checked with throttling, a session started with a fresh
//! id, a session resumed within its lifetimes, the principal an API token stands for. The
//! database keeps only the SHA-256 of session ids and tokens. The web application keeps the
//! cookies; every read and write of sessions is here.
//!
//! Login is an [`Authenticator`] step that ends in [`start_session`]: an OpenID Connect
//! provider (Sweden Connect, Freja) is added by another authenticator that finds the account
//! through `user_identity` and starts the session the same way.

use crate::accounts::{verify_password, Password};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::{iso_utc, now_secs};
use etablera_domain::access::{Principal, Role};
use etablera_domain::{Lang, UnitCode};
use etablera_store::{AuditEntry, Store};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use etablera_store::{SessionRow, User};

pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 8 * 3600;
/// Failed logins of one account from one address that cost nothing; after them each
/// attempt waits [`first_delay`] doubled per failure, up to [`MAX_DELAY_SECS`].
pub const FREE_FAILURES: i64 = 3;
/// The longest wait between attempts of one account from one address.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// How far back failures of an (account, address) pair count.
pub const PAIR_WINDOW_SECS: i64 = 60 * 60;
/// How far back failures of an address or against an account count.
pub const WIDE_WINDOW_SECS: i64 = 60 * 60;
/// Failures against one account from anywhere in an hour after which only addresses the
/// account has logged in from before may try (a spread-out attack on one account).
pub const ACCOUNT_FAILURES: i64 = 50;

/// The wait after `failures` failures of one account from one address.
pub fn first_delay(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        0
    } else {
        (5i64 << (failures - FREE_FAILURES).min(10)).min(MAX_DELAY_SECS)
    }
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The SHA-256 of a text or of bytes, as hex.
pub fn sha256_hex(s: impl AsRef<[u8]>) -> String {
    Sha256::digest(s.as_ref())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn principal_for(store: &mut dyn Store, user: &User) -> Result<Principal> {
    Ok(Principal {
        user_id: user.id,
        system_admin: user.system_admin,
        memberships: store.memberships(user.id)?,
        register: store.register_memberships(user.id)?,
    })
}

/// The session with this id (from the cookie), its user and principal, if the session is
/// within its idle and absolute lifetimes and the user is not disabled; an expired session
/// is ended. Use is noted at most once a minute, to keep reads from writing.
pub fn resume(conn: &mut Conn, sid: &str) -> Result<Option<(SessionRow, User, Principal)>> {
    let store = conn.store();
    let hash = sha256_hex(sid);
    let Some(s) = store.session(&hash)? else {
        return Ok(None);
    };
    let now = now_secs();
    let idle_limit = iso_utc(now - IDLE_TIMEOUT_SECS);
    let absolute_limit = iso_utc(now - ABSOLUTE_TIMEOUT_SECS);
    if s.last_seen_at < idle_limit || s.created_at < absolute_limit {
        store.delete_session(&hash)?;
        return Ok(None);
    }
    let Some(user) = store.user(s.user_id)?.filter(|u| !u.disabled) else {
        store.delete_session(&hash)?;
        return Ok(None);
    };
    if s.last_seen_at < iso_utc(now - 60) {
        store.touch_session(&hash, &iso_utc(now))?;
    }
    let p = principal_for(store, &user)?;
    Ok(Some((s, user, p)))
}

/// The principal an API token stands for (see [`principal_for_token`]).
pub fn for_token(conn: &mut Conn, token: &str) -> Result<Option<(User, Principal)>> {
    principal_for_token(conn.store(), token)
}

/// Proves a login with `auth` and starts a session, ending the old one (`old_sid`) if any:
/// a new id at every login. Returns the user and the new session id for the cookie.
pub fn login(
    conn: &mut Conn,
    auth: &dyn Authenticator,
    old_sid: Option<&str>,
) -> Result<(User, String)> {
    let store = conn.store();
    let user = auth.authenticate(store)?;
    if let Some(old) = old_sid {
        store.delete_session(&sha256_hex(old))?;
    }
    let sid = start_session(store, &user)?;
    Ok((user, sid))
}

/// Ends a session, with an audit entry.
pub fn logout(conn: &mut Conn, session: &SessionRow, user: &User) -> Result<()> {
    let store = conn.store();
    store.delete_session(&session.id_hash)?;
    store.append_audit(&AuditEntry::new(
        &crate::now_utc(),
        Some(user.id),
        "session.logout",
        &format!("user:{}", user.username),
        None,
    ))?;
    Ok(())
}

/// How a login was proven. Local passwords now; an identity provider later.
pub trait Authenticator {
    /// The account the credentials prove, or why not.
    fn authenticate(&self, store: &mut dyn Store) -> Result<User>;
}

/// A username and password checked against the stored Argon2id hash, with throttling.
#[derive(Debug)]
pub struct PasswordLogin {
    pub username: String,
    pub password: Password,
    pub lang: Lang,
    /// The client's address ([`client_address`]).
    pub address: String,
    /// The per-address budget of failures in an hour.
    pub failures_per_address: i64,
}

impl Authenticator for PasswordLogin {
    fn authenticate(&self, store: &mut dyn Store) -> Result<User> {
        let now = now_secs();
        let name = self.username.trim().to_lowercase();
        let f = store.login_failures(
            &name,
            &self.address,
            &iso_utc(now - PAIR_WINDOW_SECS),
            &iso_utc(now - WIDE_WINDOW_SECS),
        )?;
        let wait = |secs: i64| {
            let minutes = (secs + 59) / 60;
            Error::Throttled(
                match self.lang {
                    Lang::Sv => format!(
                        "För många misslyckade inloggningar. Vänta {} och försök igen.",
                        if secs < 60 {
                            format!("{secs} sekunder")
                        } else {
                            format!("{minutes} minuter")
                        }
                    ),
                    Lang::En => format!(
                        "Too many failed logins. Wait {} and try again.",
                        if secs < 60 {
                            format!("{secs} seconds")
                        } else {
                            format!("{minutes} minutes")
                        }
                    ),
                },
                secs.max(1) as u64,
            )
        };
        // A budget per address: spraying one password over many accounts stops here.
        if f.address >= self.failures_per_address {
            return Err(wait(MAX_DELAY_SECS / 3));
        }
        // Growing delays per (account, address): a flood slows its own address only.
        let delay = first_delay(f.pair);
        if delay > 0 {
            let last = f
                .pair_last
                .as_deref()
                .and_then(crate::parse_iso_utc)
                .unwrap_or(now);
            let left = last + delay - now;
            if left > 0 {
                return Err(wait(left));
            }
        }
        // Many failures against one account from many addresses: only addresses it has
        // logged in from before may go on trying for a while.
        if f.account >= ACCOUNT_FAILURES && !f.known_address {
            return Err(wait(MAX_DELAY_SECS / 3));
        }
        // Now and then, forget old attempts (the table would otherwise grow for ever).
        if now % 97 == 0 {
            store
                .prune_login_attempts(&iso_utc(now - 24 * 3600), &iso_utc(now - 180 * 24 * 3600))?;
        }
        let user = store.user_by_name(&name)?;
        // A member of a municipality whose staff log in through an identity provider only
        // (see `identity::set_password_login`): the same answer whatever the password, so
        // the form cannot be used to test one, and counted as a failed attempt.
        if let Some(u) = user.as_ref().filter(|u| !u.system_admin && !u.disabled) {
            if store.password_login_refused(u.id)? {
                let _ = verify_password(DUMMY_HASH, &self.password);
                store.record_login(&etablera_store::LoginAttempt {
                    username: name.clone(),
                    address: self.address.clone(),
                    at: iso_utc(now),
                    success: false,
                    known: true,
                })?;
                return Err(Error::Input(
                    self.lang
                        .pick(
                            "I din kommun loggar personalen in med e-legitimation. Välj e-legitimation på inloggningssidan.",
                            "In your municipality, staff log in with an e-identity. Choose one on the login page.",
                        )
                        .into(),
                ));
            }
        }
        let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(h) => verify_password(h, &self.password),
            None => {
                // Spend the same time on unknown names, so timing does not tell which exist.
                let _ = verify_password(DUMMY_HASH, &self.password);
                false
            }
        };
        let known = user.is_some();
        let user = user.filter(|u| ok && !u.disabled);
        store.record_login(&etablera_store::LoginAttempt {
            username: name.clone(),
            address: self.address.clone(),
            at: iso_utc(now),
            success: user.is_some(),
            known,
        })?;
        user.ok_or_else(|| {
            Error::Input(
                self.lang
                    .pick(
                        "Fel användarnamn eller lösenord.",
                        "Wrong username or password.",
                    )
                    .into(),
            )
        })
    }
}

/// An Argon2id hash of a random password, verified against for unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2bH8oWsJ8o3b0S7wO0rGvXl2tA3kB1v7d5bR2eYc6jM";

/// Starts a session for a proven account: a fresh id (never one the client chose), a CSRF
/// token, and an audit entry. Returns the session id for the cookie.
pub fn start_session(store: &mut dyn Store, user: &User) -> Result<String> {
    let sid = random_token();
    let now = iso_utc(now_secs());
    store.create_session(&SessionRow {
        id_hash: sha256_hex(&sid),
        user_id: user.id,
        csrf_token: random_token(),
        created_at: now.clone(),
        last_seen_at: now.clone(),
    })?;
    store.append_audit(&AuditEntry::new(
        &now,
        Some(user.id),
        "session.login",
        &format!("user:{}", user.username),
        None,
    ))?;
    Ok(sid)
}

/// The principal a bearer token stands for: the token's user, limited to the token's
/// municipality and scope. `None` for unknown or revoked tokens and disabled users.
pub fn principal_for_token(
    store: &mut dyn Store,
    token: &str,
) -> Result<Option<(User, Principal)>> {
    let Some(t) = store
        .token_by_hash(&sha256_hex(token))?
        .filter(|t| t.revoked_at.is_none())
    else {
        return Ok(None);
    };
    let Some(user) = store.user(t.user_id)?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let unit = UnitCode::parse(&t.unit_code).map_err(Error::internal)?;
    let ceiling = if t.scope == "write" {
        Role::Strategist
    } else {
        Role::Viewer
    };
    let role = if user.system_admin {
        Some(ceiling)
    } else {
        store
            .memberships(user.id)?
            .into_iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, r)| r.min(ceiling))
    };
    Ok(role.map(|r| {
        (
            user.clone(),
            Principal {
                user_id: user.id,
                system_admin: false,
                memberships: vec![(unit, r)],
                // Tokens for machine clients never reach person data.
                register: vec![],
            },
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_longest() {
        assert_eq!(first_delay(2), 0);
        assert_eq!(first_delay(3), 5);
        assert_eq!(first_delay(4), 10);
        assert_eq!(first_delay(40), MAX_DELAY_SECS);
    }
}
