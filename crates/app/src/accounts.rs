//! Accounts: creating users, passwords, roles in a municipality and its register, and
//! publishing a strategy. The command line (`etablera user …`) and the admin pages call
//! these; each check, write and audit entry is here once.

use crate::{now_utc, units_of};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use etablera_domain::access::{RegisterRole, Role};
use etablera_domain::{Lang, UnitCode};
use etablera_store::{AuditEntry, NewUser, Store, StoreError};

/// A password, which never prints.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Password {
        Password(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why an account operation did nothing. [`AccountError::text`] says it in the reader's
/// language; `Display` is English (the command line, logs).
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The username is not 2–64 of a–z, digits, `.`, `_`, `-`, `@`.
    #[error("{}", self.text(Lang::En))]
    Username,
    #[error("{}", self.text(Lang::En))]
    PasswordTooShort { chars: usize },
    #[error("{}", self.text(Lang::En))]
    PasswordTooLong,
    #[error("{}", self.text(Lang::En))]
    DisplayName,
    #[error("{}", self.text(Lang::En))]
    UsernameTaken(String),
    #[error("{}", self.text(Lang::En))]
    NoSuchUser(String),
    #[error("{}", self.text(Lang::En))]
    NoSuchMunicipality(String),
    #[error("{}", self.text(Lang::En))]
    NoSuchStrategy(String),
    /// A fault of ours (the store, hashing); its cause is for the log.
    #[error("{0}")]
    Internal(String),
}

impl AccountError {
    pub fn text(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        match self {
            AccountError::Username => lang
                .pick(
                    "Användarnamnet ska ha 2–64 tecken: bokstäver a–z, siffror, punkt, _, - eller @.",
                    "The username must have 2–64 characters: letters a–z, digits, `.`, `_`, `-` or `@`.",
                )
                .into(),
            AccountError::PasswordTooShort { chars } => {
                if sv {
                    format!("Lösenordet har {chars} tecken; använd minst 12.")
                } else {
                    format!("The password has {chars} characters; use at least 12.")
                }
            }
            AccountError::PasswordTooLong => lang
                .pick(
                    "Lösenordet är längre än 256 tecken.",
                    "The password is longer than 256 characters.",
                )
                .into(),
            AccountError::DisplayName => lang
                .pick(
                    "Namnet ska ha 1–100 tecken.",
                    "The display name must have 1 to 100 characters.",
                )
                .into(),
            AccountError::UsernameTaken(u) => {
                if sv {
                    format!("Användarnamnet ”{u}” är upptaget.")
                } else {
                    format!("The username `{u}` is taken.")
                }
            }
            AccountError::NoSuchUser(u) => {
                if sv {
                    format!("Det finns ingen användare ”{u}”.")
                } else {
                    format!("There is no user `{u}`.")
                }
            }
            AccountError::NoSuchMunicipality(u) => {
                if sv {
                    format!("Okänd kommun ”{u}”.")
                } else {
                    format!("Unknown municipality `{u}`.")
                }
            }
            AccountError::NoSuchStrategy(s) => {
                if sv {
                    format!("Det finns ingen strategi ”{s}”.")
                } else {
                    format!("There is no strategy `{s}`.")
                }
            }
            AccountError::Internal(e) => e.clone(),
        }
    }
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        AccountError::Internal(format!("{e:#}"))
    }
}

impl From<crate::Error> for AccountError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Account(a) => a,
            other => AccountError::Internal(other.to_string()),
        }
    }
}

/// Why a password is not accepted.
pub fn check_password_rules(p: &Password) -> Result<(), AccountError> {
    let n = p.expose().chars().count();
    if n < 12 {
        return Err(AccountError::PasswordTooShort { chars: n });
    }
    if n > 256 {
        return Err(AccountError::PasswordTooLong);
    }
    Ok(())
}

/// An Argon2id hash in PHC form.
pub fn hash_password(p: &Password) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(p.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Internal(format!("hashing a password: {e}")))
}

/// Whether the password fits the stored Argon2id hash.
pub fn verify_password(hash: &str, p: &Password) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(p.expose().as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn valid_username(u: &str) -> Result<String, AccountError> {
    let u = u.trim().to_lowercase();
    let ok = (2..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if ok {
        Ok(u)
    } else {
        Err(AccountError::Username)
    }
}

fn user_named(store: &mut dyn Store, username: &str) -> Result<etablera_store::User, AccountError> {
    store
        .user_by_name(&username.trim().to_lowercase())?
        .ok_or_else(|| AccountError::NoSuchUser(username.trim().to_string()))
}

/// Creates an account with a password. `actor` is who does it (`None` on the command line).
pub fn add_user(
    store: &mut dyn Store,
    username: &str,
    display_name: &str,
    password: &Password,
    system_admin: bool,
    actor: Option<i64>,
) -> Result<i64, AccountError> {
    let username = valid_username(username)?;
    check_password_rules(password)?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(AccountError::DisplayName);
    }
    let user = NewUser {
        username: username.clone(),
        display_name: display_name.to_string(),
        password_hash: Some(hash_password(password)?),
        system_admin,
    };
    let audit = AuditEntry::new(
        &now_utc(),
        actor,
        "user.create",
        &format!("user:{username}"),
        None,
    )
    .change(
        None,
        Some(format!(
            "display_name={display_name}; system_admin={system_admin}"
        )),
    );
    match store.create_user(&user, &audit) {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(_)) => Err(AccountError::UsernameTaken(username)),
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password, which ends the account's sessions.
pub fn set_password(
    store: &mut dyn Store,
    username: &str,
    password: &Password,
    actor: Option<i64>,
) -> Result<(), AccountError> {
    check_password_rules(password)?;
    let user = user_named(store, username)?;
    let audit = AuditEntry::new(
        &now_utc(),
        actor,
        "user.password",
        &format!("user:{}", user.username),
        None,
    );
    Ok(store.set_password(user.id, &hash_password(password)?, &audit)?)
}

/// The municipality (or region) a code or a name stands for, as the README shows
/// (`etablera user role anna Östersund viewer`).
fn municipality(
    store: &mut dyn Store,
    unit: &str,
    regions_too: bool,
) -> Result<etablera_domain::UnitCode, AccountError> {
    units_of(store)?
        .find(unit)
        .filter(|u| u.code.is_municipality() || (regions_too && u.code.is_region()))
        .map(|u| u.code.clone())
        .ok_or_else(|| AccountError::NoSuchMunicipality(unit.trim().to_string()))
}

/// A kind of role a user holds per municipality (a strategy role or a register role): how
/// the store reads and sets it, and how the audit log names the change.
struct RoleKind<R: 'static> {
    action: &'static str,
    /// Whether a region can grant it (strategy roles) or only a municipality (the register).
    regions_too: bool,
    name: fn(R) -> &'static str,
    held: fn(&mut dyn Store, i64) -> Result<Vec<(UnitCode, R)>, StoreError>,
    set: fn(&mut dyn Store, i64, &UnitCode, Option<R>, &AuditEntry) -> Result<(), StoreError>,
}

const STRATEGY_ROLE: RoleKind<Role> = RoleKind {
    action: "user.role",
    regions_too: true,
    name: Role::as_str,
    held: |s, u| s.memberships(u),
    set: |s, u, c, r, a| s.set_role(u, c, r, a),
};

const REGISTER_ROLE: RoleKind<RegisterRole> = RoleKind {
    action: "user.register_role",
    regions_too: false,
    name: RegisterRole::as_str,
    held: |s, u| s.register_memberships(u),
    set: |s, u, c, r, a| s.set_register_role(u, c, r, a),
};

/// Gives a role of a kind in a municipality, or takes it away with `None`; the change,
/// with the role before it, goes to the audit log.
fn change_role<R: Copy + 'static>(
    store: &mut dyn Store,
    kind: &RoleKind<R>,
    username: &str,
    unit: &str,
    role: Option<R>,
    actor: Option<i64>,
) -> Result<(), AccountError> {
    let user = user_named(store, username)?;
    let code = municipality(store, unit, kind.regions_too)?;
    let before = (kind.held)(store, user.id)?
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, r)| (kind.name)(r).to_string());
    let audit = AuditEntry::new(
        &now_utc(),
        actor,
        kind.action,
        &format!("user:{}", user.username),
        Some(&code),
    )
    .change(before, role.map(|r| (kind.name)(r).to_string()));
    Ok((kind.set)(store, user.id, &code, role, &audit)?)
}

/// Gives a user a role in a municipality, or takes it away with `None`.
pub fn set_role(
    store: &mut dyn Store,
    username: &str,
    unit: &str,
    role: Option<Role>,
    actor: Option<i64>,
) -> Result<(), AccountError> {
    change_role(store, &STRATEGY_ROLE, username, unit, role, actor)
}

/// Gives a role in a municipality's establishment register, or removes it.
pub fn set_register_role(
    store: &mut dyn Store,
    username: &str,
    unit: &str,
    role: Option<RegisterRole>,
    actor: Option<i64>,
) -> Result<(), AccountError> {
    change_role(store, &REGISTER_ROLE, username, unit, role, actor)
}

/// Opens or closes a strategy's overview and target pages to the public.
pub fn publish(
    store: &mut dyn Store,
    strategy_id: &str,
    published: bool,
    actor: Option<i64>,
) -> Result<(), AccountError> {
    let s = store
        .strategies()?
        .into_iter()
        .find(|s| s.id == strategy_id)
        .ok_or_else(|| AccountError::NoSuchStrategy(strategy_id.to_string()))?;
    let audit = AuditEntry::new(
        &now_utc(),
        actor,
        "strategy.publish",
        &format!("strategy:{strategy_id}"),
        Some(&s.owner),
    )
    .change(Some(s.published.to_string()), Some(published.to_string()));
    store.set_published(strategy_id, published, &audit)?;
    Ok(())
}

// The operations the adapters call: each checks who acts before it calls the steps above
// (which the operator's set-up and the tests call directly on a store).

use crate::conn::{Actor, Conn};
use crate::error::Error;
use etablera_domain::access::{allowed, Action, Principal};

pub use etablera_store::User;

/// The municipalities the principal administers (every one, for a system admin: `None`).
pub fn administered(p: &Principal) -> Option<Vec<UnitCode>> {
    if p.system_admin {
        None
    } else {
        Some(
            p.memberships
                .iter()
                .filter(|(u, _)| allowed(Some(p), Action::Administer, u, false))
                .map(|(u, _)| u.clone())
                .collect(),
        )
    }
}

/// The actor, if they administer at least one municipality (or all).
fn administrator(actor: &Actor) -> crate::Result<&Principal> {
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    if administered(p).is_some_and(|u| u.is_empty()) {
        return Err(Error::Forbidden);
    }
    Ok(p)
}

/// The municipality (by code or name) if the actor may administer it.
fn administrable(
    conn: &mut Conn,
    actor: &Actor,
    unit: &str,
    regions_too: bool,
) -> crate::Result<UnitCode> {
    conn.act_as(actor)?;
    let p = administrator(actor)?;
    let code = municipality(conn.store(), unit, regions_too)?;
    if !allowed(Some(p), Action::Administer, &code, false) {
        return Err(Error::Forbidden);
    }
    Ok(code)
}

/// The users page: each user with their roles in the municipalities the actor administers
/// (users without one are left out for a municipality admin), the units, and which
/// municipalities the actor may give roles in (`None`: every one).
#[derive(Debug)]
pub struct UsersPage {
    pub rows: Vec<(User, Vec<(UnitCode, Role)>)>,
    pub units: etablera_domain::Units,
    pub scope: Option<Vec<UnitCode>>,
}

pub fn users_page(conn: &mut Conn, actor: &Actor) -> crate::Result<UsersPage> {
    conn.act_as(actor)?;
    let scope = administered(administrator(actor)?);
    let store = conn.store();
    let units = units_of(store)?;
    let mut rows = Vec::new();
    for u in store.users()? {
        let roles: Vec<(UnitCode, Role)> = store
            .memberships(u.id)?
            .into_iter()
            .filter(|(c, _)| scope.as_ref().is_none_or(|sc| sc.contains(c)))
            .collect();
        if scope.is_none() || !roles.is_empty() {
            rows.push((u, roles));
        }
    }
    Ok(UsersPage { rows, units, scope })
}

/// A new account. Only a system administrator creates another.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: Password,
    pub system_admin: bool,
}

/// Creates an account: a system administrator any, a municipality administrator one that
/// they then give a role in their municipality (see [`create_member`]).
pub fn create(conn: &mut Conn, actor: &Actor, a: &NewAccount) -> crate::Result<i64> {
    conn.act_as(actor)?;
    let p = administrator(actor)?;
    if a.system_admin && !p.system_admin {
        return Err(Error::Forbidden);
    }
    Ok(add_user(
        conn.store(),
        &a.username,
        &a.display_name,
        &a.password,
        a.system_admin,
        actor.user_id(),
    )?)
}

/// Creates an account with a role in a municipality the actor administers.
pub fn create_member(
    conn: &mut Conn,
    actor: &Actor,
    a: &NewAccount,
    unit: &str,
    role: Role,
) -> crate::Result<i64> {
    let code = administrable(conn, actor, unit, true)?;
    let id = create(conn, actor, a)?;
    set_role(
        conn.store(),
        &a.username,
        code.as_str(),
        Some(role),
        actor.user_id(),
    )?;
    Ok(id)
}

/// Sets a user's password: the user themself or a system administrator.
pub fn change_password(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    password: &Password,
) -> crate::Result<()> {
    conn.act_as(actor)?;
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    if !p.system_admin && !user_named(conn.store(), username).is_ok_and(|u| u.id == p.user_id) {
        return Err(Error::Forbidden);
    }
    Ok(set_password(
        conn.store(),
        username,
        password,
        actor.user_id(),
    )?)
}

/// Gives a role of a kind in a municipality the actor administers, or takes it away.
fn grant_kind<R: Copy + 'static>(
    conn: &mut Conn,
    actor: &Actor,
    kind: &RoleKind<R>,
    username: &str,
    unit: &str,
    role: Option<R>,
) -> crate::Result<()> {
    let code = administrable(conn, actor, unit, kind.regions_too)?;
    let s = conn.store();
    Ok(change_role(
        s,
        kind,
        username,
        code.as_str(),
        role,
        actor.user_id(),
    )?)
}

/// Gives a strategy role in a municipality (or region) the actor administers, or takes it
/// away with `None`.
pub fn grant(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    unit: &str,
    role: Option<Role>,
) -> crate::Result<()> {
    grant_kind(conn, actor, &STRATEGY_ROLE, username, unit, role)
}

/// Gives a role in the establishment register of a municipality the actor administers,
/// or takes it away with `None`.
pub fn grant_register(
    conn: &mut Conn,
    actor: &Actor,
    username: &str,
    unit: &str,
    role: Option<RegisterRole>,
) -> crate::Result<()> {
    grant_kind(conn, actor, &REGISTER_ROLE, username, unit, role)
}

/// Opens or closes the public pages of a strategy the actor administers.
pub fn set_published(
    conn: &mut Conn,
    actor: &Actor,
    strategy_id: &str,
    published: bool,
) -> crate::Result<()> {
    conn.act_as(actor)?;
    let owner = conn
        .store()
        .strategies()?
        .into_iter()
        .find(|s| s.id == strategy_id)
        .map(|s| s.owner)
        .ok_or_else(|| AccountError::NoSuchStrategy(strategy_id.to_string()))?;
    if !allowed(actor.principal(), Action::Administer, &owner, false) {
        return Err(Error::Forbidden);
    }
    Ok(publish(
        conn.store(),
        strategy_id,
        published,
        actor.user_id(),
    )?)
}
