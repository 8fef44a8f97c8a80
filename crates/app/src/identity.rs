//! eID login through OpenID Connect providers, linked identities, the password switch per
//! municipality and the operator's break-glass login.
//!
//! A login is two requests, which may reach two server processes: [`begin_login`] stores the
//! login's state (as its SHA-256), nonce and PKCE verifier and sends the browser to the
//! provider; [`finish_login`] takes that row (once: a replayed state finds nothing), has the
//! provider exchange the code and check the ID token ([`etablera_oidc`]), finds the account
//! the identity (issuer, subject) is linked to — or links it by the provider's configured
//! claim to an account an administrator made — and starts a session as a password login
//! does. Linking never creates an account or a right.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::sessions::{random_token, sha256_hex, start_session};
use crate::{iso_utc, now_secs, now_utc};
use etablera_domain::access::{allowed, Action};
use etablera_domain::Lang;
use etablera_oidc::{Identity, Link, Provider};

use etablera_store::{AuditEntry, LinkedIdentity, OidcLoginRow, PutLogin, User};

pub use etablera_oidc::ProviderSettings;

/// How long a begun login waits for the browser to come back.
pub const LOGIN_LIFETIME_SECS: i64 = 10 * 60;
/// How long a break-glass ticket may wait to be used.
pub const TICKET_LIFETIME_SECS: i64 = 15 * 60;

/// The prefix of a staff member's personnummer in the blind index, so that the index of a
/// staff member never equals that of a newcomer with the same number.
const STAFF_INDEX_PREFIX: &str = "staff:";

/// A path of this site to go to after login: `/…` but not `//…` (another host) or anything
/// with a backslash or control character. Anything else is dropped.
pub fn safe_return_to(path: &str) -> Option<String> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 512
        && !path.chars().any(|c| c == '\\' || c.is_control());
    ok.then(|| path.to_string())
}

/// Logins begun and not yet finished, over all providers, beyond which new ones are
/// refused for a while (a flood of starts cannot grow the table without bound).
pub const MAX_PENDING_LOGINS: i64 = 10_000;

/// The first step, without the database: the provider's address with a fresh state, nonce
/// and PKCE challenge. It may read the provider's discovery document, so the adapter runs
/// it without holding a database connection.
pub fn start(provider: &Provider, redirect_uri: &str, lang: Lang) -> Result<Started> {
    provider
        .start(redirect_uri, lang.code())
        .map_err(|e| unavailable(&provider.settings, &e, lang))
}

pub use etablera_oidc::{Identity as ProvenIdentity, Started};

/// Where a login is begun from: the client's address, and how many begun and unfinished
/// logins that address may have at once (a flood from one address stops there, and the
/// others can still log in). Many staff behind one address of their own network are seen by
/// their own addresses when the server trusts the proxy in front of it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub address: String,
    pub max_pending: i64,
}

/// Stores a begun login (its state only as SHA-256) so that any process can finish it.
pub fn begin_login(
    conn: &mut Conn,
    provider: &ProviderSettings,
    started: &Started,
    return_to: Option<&str>,
    origin: &Origin,
    lang: Lang,
) -> Result<()> {
    let now = now_secs();
    let stored = conn.store().put_oidc_login(
        &OidcLoginRow {
            state_hash: sha256_hex(&started.state),
            provider: provider.id.clone(),
            nonce: started.nonce.clone(),
            pkce_verifier: started.pkce_verifier.clone(),
            return_to: return_to.and_then(safe_return_to),
            created_at: iso_utc(now),
            address: origin.address.clone(),
        },
        &iso_utc(now - LOGIN_LIFETIME_SECS),
        MAX_PENDING_LOGINS,
        origin.max_pending,
    )?;
    if stored == PutLogin::AddressFull {
        tracing::warn!(provider = %provider.id, "too many eID logins begun from one address");
        return Err(Error::Throttled(
            lang.pick(
                "Många inloggningar har påbörjats härifrån utan att avslutas. Vänta några minuter och försök igen.",
                "Many logins have been started from here without being finished. Wait a few minutes and try again.",
            )
            .into(),
            LOGIN_LIFETIME_SECS as u64,
        ));
    }
    if stored == PutLogin::Full {
        tracing::warn!(provider = %provider.id, "too many eID logins begun and not finished");
        return Err(Error::Unavailable(
            lang.pick(
                "Just nu påbörjas väldigt många inloggningar. Försök igen om några minuter.",
                "A great many logins are being started just now. Try again in a few minutes.",
            )
            .into(),
        ));
    }
    Ok(())
}

/// What the provider sent the browser back with.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub state: String,
    pub code: Option<String>,
    /// `error` of the redirect (the user cancelled, the provider refused).
    pub error: Option<String>,
}

/// A returned login taken from the database (once): what the code exchange needs.
#[derive(Debug, Clone)]
pub struct Taken {
    pub code: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: Option<String>,
}

/// A finished login: the account, the new session id, where to go.
#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    pub session_id: String,
    pub return_to: Option<String>,
}

/// The second step: takes the login the callback's state names — once, within
/// [`LOGIN_LIFETIME_SECS`], begun at this provider — and checks the callback.
pub fn take_login(
    conn: &mut Conn,
    provider: &ProviderSettings,
    callback: &Callback,
    lang: Lang,
) -> Result<Taken> {
    let again = || {
        Error::Input(
            lang.pick(
                "Inloggningen har gått ut eller har redan använts. Börja om från inloggningssidan.",
                "The login has expired or was already used. Start again from the login page.",
            )
            .into(),
        )
    };
    if callback.state.is_empty() || callback.state.len() > 512 {
        return Err(again());
    }
    let row = conn
        .store()
        .take_oidc_login(
            &sha256_hex(&callback.state),
            &iso_utc(now_secs() - LOGIN_LIFETIME_SECS),
        )?
        .filter(|r| r.provider == provider.id)
        .ok_or_else(again)?;
    if callback.error.is_some() {
        return Err(Error::Input(format!(
            "{} {}.",
            lang.pick("Inloggningen avbröts hos", "The login was cancelled at"),
            provider.name
        )));
    }
    let code = callback
        .code
        .clone()
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(again)?;
    Ok(Taken {
        code,
        nonce: row.nonce,
        pkce_verifier: row.pkce_verifier,
        return_to: row.return_to,
    })
}

/// The third step, without the database: the provider exchanges the code and the ID token
/// is checked. The adapter runs it without holding a database connection.
pub fn exchange(
    provider: &Provider,
    redirect_uri: &str,
    taken: &Taken,
) -> std::result::Result<Identity, etablera_oidc::Error> {
    provider.finish(
        redirect_uri,
        &taken.code,
        &taken.pkce_verifier,
        &taken.nonce,
    )
}

/// The last step: what the exchange proved becomes a session. A refused token or code is
/// recorded (which check failed, never a claim's value); an identity seen for the first
/// time is linked by the provider's configured claim, if it names exactly one account that
/// may be linked (see [`link`]); a disabled account does not log in. Ends `old_sid`.
#[allow(clippy::too_many_arguments)]
pub fn complete_login(
    conn: &mut Conn,
    provider: &ProviderSettings,
    proven: std::result::Result<Identity, etablera_oidc::Error>,
    return_to: Option<String>,
    old_sid: Option<&str>,
    keys: Option<&etablera_vault::Keyring>,
    lang: Lang,
) -> Result<LoggedIn> {
    let id = &provider.id;
    let store = conn.store();
    let identity = match proven {
        Ok(i) => i,
        Err(etablera_oidc::Error::Token(kind, detail)) => {
            refused(store, id, &format!("{kind:?}"), &detail)?;
            return Err(not_proven(provider, lang));
        }
        Err(etablera_oidc::Error::Refused(detail)) => {
            refused(store, id, "code", &detail)?;
            return Err(not_proven(provider, lang));
        }
        Err(e) => return Err(unavailable(provider, &e, lang)),
    };
    let user = match store.identity_user(&identity.issuer, &identity.subject)? {
        Some(user_id) => store.user(user_id)?,
        None => match link(store, provider, &identity, keys)? {
            Some(user_id) => store.user(user_id)?,
            None => {
                store.append_audit(
                    &AuditEntry::new(
                        &now_utc(),
                        None,
                        "session.login_unlinked",
                        &format!("provider:{id}"),
                        None,
                    )
                    .change(None, Some(format!("provider:{id}"))),
                )?;
                return Err(Error::Input(
                    lang.pick(
                        "Din e-legitimation är inte kopplad till något konto i Etablera. Be administratören i din kommun att koppla den till ditt konto.",
                        "Your e-identity is not linked to an account in Etablera. Ask your municipality's administrator to link it to your account.",
                    )
                    .into(),
                ));
            }
        },
    };
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Err(Error::Input(
            lang.pick("Kontot är avstängt.", "The account is disabled.")
                .into(),
        ));
    };
    if let Some(old) = old_sid {
        store.delete_session(&sha256_hex(old))?;
    }
    let session_id = start_session(store, &user)?;
    store.append_audit(
        &AuditEntry::new(
            &now_utc(),
            Some(user.id),
            "session.login_eid",
            &format!("user:{}", user.username),
            None,
        )
        .change(None, Some(format!("provider:{id}"))),
    )?;
    Ok(LoggedIn {
        user,
        session_id,
        return_to,
    })
}

/// A refused token or code, in the audit log and the server log: which provider and why,
/// never a claim's value.
fn refused(
    store: &mut dyn etablera_store::Store,
    provider: &str,
    why: &str,
    detail: &str,
) -> Result<()> {
    tracing::warn!(provider, why, detail, "an eID login was refused");
    store.append_audit(
        &AuditEntry::new(
            &now_utc(),
            None,
            "session.login_refused",
            &format!("provider:{provider}"),
            None,
        )
        .change(None, Some(why.to_string())),
    )?;
    Ok(())
}

fn not_proven(provider: &ProviderSettings, lang: Lang) -> Error {
    Error::Input(match lang {
        Lang::Sv => format!(
            "Inloggningen med {} kunde inte godkännas. Försök igen från inloggningssidan.",
            provider.name
        ),
        Lang::En => format!(
            "The login with {} could not be accepted. Try again from the login page.",
            provider.name
        ),
    })
}

fn unavailable(provider: &ProviderSettings, e: &etablera_oidc::Error, lang: Lang) -> Error {
    tracing::warn!(provider = %provider.id, error = %e, "an identity provider could not be used");
    Error::Unavailable(format!(
        "{} {}",
        provider.name,
        lang.pick(
            "svarar inte just nu. Försök igen om en stund.",
            "does not answer at the moment. Try again in a while.",
        )
    ))
}

/// Links an identity seen for the first time, by the provider's configured claim, to the
/// one account it names; `None` when it names none, more than one, or one that may not be
/// linked by a claim: a disabled account, a system administrator's (linked only by the
/// operator), or — for a provider limited to some municipalities (`units`) — one with a
/// role outside them or none at all.
fn link(
    store: &mut dyn etablera_store::Store,
    provider: &ProviderSettings,
    identity: &Identity,
    keys: Option<&etablera_vault::Keyring>,
) -> Result<Option<i64>> {
    let s = provider;
    let found = match s.link {
        Link::None => None,
        Link::Email => match (&identity.email, s.trust_email && identity.email_verified) {
            (Some(email), true) => match store.users_by_verified_email(email)?.as_slice() {
                [one] => Some((*one, "email")),
                _ => None,
            },
            _ => None,
        },
        Link::Personnummer => match (&identity.personnummer, keys) {
            (Some(pnr), Some(keys)) if pnr.len() == 12 => {
                let value = format!("{STAFF_INDEX_PREFIX}{pnr}");
                match store.user_by_personnummer_index(&keys.blind_indexes(&value))? {
                    Some((user_id, index)) => {
                        // An index made with an older key is made again with the current one.
                        if keys.is_stale_index(&index) {
                            store.set_personnummer_index(
                                user_id,
                                Some(&keys.blind_index(&value)),
                                &AuditEntry::new(
                                    &now_utc(),
                                    None,
                                    "user.personnummer_reindex",
                                    &format!("user_id:{user_id}"),
                                    None,
                                ),
                            )?;
                        }
                        Some((user_id, "personnummer"))
                    }
                    None => None,
                }
            }
            _ => None,
        },
    };
    let Some((user_id, how)) = found else {
        return Ok(None);
    };
    let Some(user) = store.user(user_id)? else {
        return Ok(None);
    };
    if user.disabled || user.system_admin {
        return Ok(None);
    }
    if !s.units.is_empty() {
        let mut units: Vec<String> = store
            .memberships(user_id)?
            .into_iter()
            .map(|(u, _)| u.to_string())
            .collect();
        units.extend(
            store
                .register_memberships(user_id)?
                .into_iter()
                .map(|(u, _)| u.to_string()),
        );
        if units.is_empty() || !units.iter().all(|u| s.units.contains(u)) {
            return Ok(None);
        }
    }
    let linked = store.link_identity(
        &LinkedIdentity {
            issuer: identity.issuer.clone(),
            subject: identity.subject.clone(),
            user_id,
            username: String::new(),
            provider_id: s.id.clone(),
            linked_at: now_utc(),
            linked_by: how.into(),
        },
        &AuditEntry::new(
            &now_utc(),
            Some(user_id),
            "identity.link",
            &format!("user_id:{user_id}"),
            None,
        )
        .change(None, Some(format!("provider:{} by:{how}", s.id))),
    );
    match linked {
        Ok(()) => Ok(Some(user_id)),
        // Two first logins of one identity at once: the other linked it.
        Err(_) if store.identity_user(&identity.issuer, &identity.subject)? == Some(user_id) => {
            Ok(Some(user_id))
        }
        Err(e) => Err(e.into()),
    }
}

/// Linked identities the actor may see: every one for a system administrator, those of
/// the users with a role in a municipality they administer for a municipality admin.
pub fn identities(conn: &mut Conn, actor: &Actor) -> Result<Vec<LinkedIdentity>> {
    conn.act_as(actor)?;
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    let all = conn.store().identities(None)?;
    if p.system_admin {
        return Ok(all);
    }
    let mut out = Vec::new();
    for i in all {
        if administers_user(conn, actor, i.user_id)? {
            out.push(i);
        }
    }
    if out.is_empty() && crate::accounts::administered(p).is_some_and(|u| u.is_empty()) {
        return Err(Error::Forbidden);
    }
    Ok(out)
}

/// Whether the actor administers the user: a system administrator always; a
/// municipality's administrator when the user is no system administrator, has a role
/// somewhere, and every role (strategy or register) is in a municipality the actor
/// administers — so one municipality's administrator cannot lock out staff who also work
/// for another.
fn administers_user(conn: &mut Conn, actor: &Actor, user_id: i64) -> Result<bool> {
    let Some(p) = actor.principal() else {
        return Ok(false);
    };
    if p.system_admin {
        return Ok(true);
    }
    let store = conn.store();
    if store.user(user_id)?.is_none_or(|u| u.system_admin) {
        return Ok(false);
    }
    let mut units: Vec<_> = store
        .memberships(user_id)?
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    units.extend(
        store
            .register_memberships(user_id)?
            .into_iter()
            .map(|(u, _)| u),
    );
    Ok(!units.is_empty()
        && units
            .iter()
            .all(|u| allowed(Some(p), Action::Administer, u, false)))
}

/// An opaque key of a linked identity, for forms: the page need not carry the subject
/// (some providers' subjects are stable personal identifiers).
pub fn identity_key(i: &LinkedIdentity) -> String {
    sha256_hex(format!("{}\n{}", i.issuer, i.subject))
}

/// Removes a linked identity named by its [`identity_key`], among those the actor may see.
pub fn unlink_by_key(conn: &mut Conn, actor: &Actor, key: &str) -> Result<()> {
    let found = identities(conn, actor)?
        .into_iter()
        .find(|i| identity_key(i) == key)
        .ok_or(Error::NotFound)?;
    unlink(conn, actor, &found.issuer, &found.subject)
}

/// Removes a linked identity: the user can no longer log in with it (until linked again).
/// A system administrator, or an administrator of a municipality the user has a role in.
pub fn unlink(conn: &mut Conn, actor: &Actor, issuer: &str, subject: &str) -> Result<()> {
    conn.act_as(actor)?;
    actor.principal().ok_or(Error::Unauthorized)?;
    let Some(user_id) = conn.store().identity_user(issuer, subject)? else {
        return Err(Error::NotFound);
    };
    if !administers_user(conn, actor, user_id)? {
        return Err(Error::Forbidden);
    }
    conn.store().unlink_identity(
        issuer,
        subject,
        &AuditEntry::new(
            &now_utc(),
            actor.user_id(),
            "identity.unlink",
            &format!("user_id:{user_id}"),
            None,
        ),
    )?;
    Ok(())
}

/// Links an identity to an account by hand (at the command line: the operator).
pub fn link_by_hand(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    provider_id: &str,
    issuer: &str,
    subject: &str,
) -> Result<()> {
    conn.act_as(actor)?;
    // Only a system administrator (the operator): whoever links an identity can log in as
    // the account.
    if !actor.principal().is_some_and(|p| p.system_admin) {
        return Err(Error::Forbidden);
    }
    let user = user_named(conn, username, actor.lang)?;
    if issuer.is_empty() || subject.is_empty() || subject.len() > 255 || issuer.len() > 512 {
        return Err(Error::Input(
            actor
                .t(
                    "Utfärdare och subjekt behövs.",
                    "An issuer and a subject are needed.",
                )
                .into(),
        ));
    }
    let store = conn.store();
    if store.identity_user(issuer, subject)?.is_some() {
        return Err(Error::Conflict(
            actor
                .t(
                    "Identiteten är redan kopplad till ett konto.",
                    "The identity is already linked to an account.",
                )
                .into(),
        ));
    }
    store.link_identity(
        &LinkedIdentity {
            issuer: issuer.into(),
            subject: subject.into(),
            user_id: user.id,
            username: user.username.clone(),
            provider_id: provider_id.into(),
            linked_at: now_utc(),
            linked_by: "admin".into(),
        },
        &AuditEntry::new(
            &now_utc(),
            actor.user_id(),
            "identity.link",
            &format!("user:{}", user.username),
            None,
        )
        .change(None, Some(format!("provider:{provider_id} by:admin"))),
    )?;
    Ok(())
}

fn user_named(conn: &mut Conn, username: &str, lang: Lang) -> Result<User> {
    conn.store()
        .user_by_name(&username.trim().to_lowercase())?
        .ok_or_else(|| {
            Error::Input(format!(
                "{} `{}`",
                lang.pick("Det finns ingen användare", "There is no user"),
                username.trim()
            ))
        })
}

/// Sets (or clears, with `None`) a staff member's personnummer, kept only as a blind index
/// under the register's keys, for providers that link by personnummer. The operator only.
pub fn set_staff_personnummer(
    conn: &mut Conn,
    actor: &Actor,
    keys: &etablera_vault::Keyring,
    username: &str,
    personnummer: Option<&str>,
) -> Result<()> {
    conn.act_as(actor)?;
    // Only a system administrator (the operator), as for linking by hand.
    if !actor.principal().is_some_and(|p| p.system_admin) {
        return Err(Error::Forbidden);
    }
    let user = user_named(conn, username, actor.lang)?;
    let index = match personnummer {
        None => None,
        Some(text) => {
            let pnr = etablera_register::pnr::Pnr::parse(text, crate::register::today())
                .map_err(|e| Error::Input(format!("personnummer: {}", e.text(actor.lang))))?;
            Some(keys.blind_index(&format!("{STAFF_INDEX_PREFIX}{}", pnr.digits())))
        }
    };
    conn.store()
        .set_personnummer_index(
            user.id,
            index.as_deref(),
            &AuditEntry::new(
                &now_utc(),
                actor.user_id(),
                if index.is_some() {
                    "user.personnummer_set"
                } else {
                    "user.personnummer_clear"
                },
                &format!("user:{}", user.username),
                None,
            ),
        )
        .map_err(|e| match e {
            etablera_store::StoreError::Conflict(_) => Error::Conflict(
                actor
                    .t(
                        "Personnumret hör redan till ett annat konto.",
                        "The personnummer already belongs to another account.",
                    )
                    .into(),
            ),
            other => other.into(),
        })
}

/// Switches password login on or off for a municipality's staff (its administrator or a
/// system administrator). With it off, a member of the municipality logs in only through
/// an identity provider; the operator's [`break_glass`] still works.
pub fn set_password_login(
    conn: &mut Conn,
    actor: &Actor,
    unit: &str,
    allowed_: bool,
) -> Result<()> {
    conn.act_as(actor)?;
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    let code = etablera_domain::UnitCode::parse(unit).map_err(|e| Error::Input(e.to_string()))?;
    if !allowed(Some(p), Action::Administer, &code, false) {
        return Err(Error::Forbidden);
    }
    conn.store().set_password_login(
        code.as_str(),
        allowed_,
        &AuditEntry::new(
            &now_utc(),
            actor.user_id(),
            if allowed_ {
                "unit.password_login_on"
            } else {
                "unit.password_login_off"
            },
            &format!("unit:{}", code.as_str()),
            None,
        ),
    )?;
    Ok(())
}

/// The municipalities whose staff may not log in with a password (public: the login page
/// says which).
pub fn password_login_off(conn: &mut Conn) -> Result<Vec<String>> {
    Ok(conn
        .store()
        .password_login_off()?
        .into_iter()
        .map(|(u, _)| u)
        .collect())
}

/// Break-glass: the operator at the command line (who holds the server) makes a one-time
/// login for an account, for when the identity provider is down or misconfigured and
/// passwords are switched off. The ticket works once, within [`TICKET_LIFETIME_SECS`], and
/// both its making and its use are in the audit log. Returns the ticket.
/// `requested_by` is who asked, as the operating system knows them (the operator has no
/// account), recorded with the reason.
pub fn break_glass(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    reason: &str,
    requested_by: Option<&str>,
) -> Result<String> {
    conn.act_as(actor)?;
    if !actor.principal().is_some_and(|p| p.system_admin) {
        return Err(Error::Forbidden);
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::Input(
            "a reason (1–500 characters) is needed: it goes into the audit log".into(),
        ));
    }
    let user = user_named(conn, username, actor.lang)?;
    if user.disabled {
        return Err(Error::Input(format!(
            "the account `{}` is disabled",
            user.username
        )));
    }
    let ticket = random_token();
    let now = now_secs();
    conn.store().create_login_ticket(
        &sha256_hex(&ticket),
        user.id,
        &iso_utc(now + TICKET_LIFETIME_SECS),
        &AuditEntry::new(
            &iso_utc(now),
            actor.user_id(),
            "session.break_glass_issued",
            &format!("user:{}", user.username),
            None,
        )
        .change(
            None,
            Some(match requested_by {
                Some(who) => format!("{reason} (OS user {who})"),
                None => reason.to_string(),
            }),
        ),
    )?;
    Ok(ticket)
}

/// Logs in with a break-glass ticket (once), ending `old_sid` if any.
pub fn ticket_login(
    conn: &mut Conn,
    ticket: &str,
    old_sid: Option<&str>,
    lang: Lang,
) -> Result<(User, String)> {
    let store = conn.store();
    let refused = || {
        Error::Input(
            lang.pick(
                "Engångskoden gäller inte. Den kan vara felskriven, redan använd eller för gammal.",
                "The one-time login is not valid (wrong, already used or too old).",
            )
            .into(),
        )
    };
    if ticket.len() != 64 {
        return Err(refused());
    }
    let user_id = store
        .take_login_ticket(&sha256_hex(ticket), &iso_utc(now_secs()))?
        .ok_or_else(refused)?;
    let user = store
        .user(user_id)?
        .filter(|u| !u.disabled)
        .ok_or_else(refused)?;
    if let Some(old) = old_sid {
        store.delete_session(&sha256_hex(old))?;
    }
    let sid = start_session(store, &user)?;
    store.append_audit(&AuditEntry::new(
        &now_utc(),
        Some(user.id),
        "session.break_glass_used",
        &format!("user:{}", user.username),
        None,
    ))?;
    Ok((user, sid))
}
