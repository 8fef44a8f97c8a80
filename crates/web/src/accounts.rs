//! Managing accounts: the command line (`etablera user …`) and the admin pages call these.

use crate::auth::{check_password_rules, hash_password, Password};
use crate::error::AppError;
use etablera_domain::access::Role;
use etablera_store::{AuditEntry, NewUser, Store};

fn valid_username(u: &str) -> Result<String, AppError> {
    let u = u.trim().to_lowercase();
    let ok = (2..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if ok {
        Ok(u)
    } else {
        Err(AppError::BadRequest(format!(
            "the username `{u}` must be 2–64 characters: letters a–z, digits, `.`, `_`, `-` or `@`"
        )))
    }
}

/// Creates an account with a password. `actor` is who does it (`None` on the command line).
pub fn add_user(
    store: &mut dyn Store,
    username: &str,
    display_name: &str,
    password: &Password,
    system_admin: bool,
    actor: Option<i64>,
) -> Result<i64, AppError> {
    let username = valid_username(username)?;
    check_password_rules(password).map_err(AppError::BadRequest)?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "the display name must have 1 to 100 characters".into(),
        ));
    }
    let user = NewUser {
        username: username.clone(),
        display_name: display_name.to_string(),
        password_hash: Some(hash_password(password)?),
        system_admin,
    };
    let audit = AuditEntry::new(
        &etablera_app::now_utc(),
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
    Ok(store.create_user(&user, &audit)?)
}

/// Sets a new password, which ends the account's sessions.
pub fn set_password(
    store: &mut dyn Store,
    username: &str,
    password: &Password,
    actor: Option<i64>,
) -> Result<(), AppError> {
    check_password_rules(password).map_err(AppError::BadRequest)?;
    let user = store
        .user_by_name(&username.trim().to_lowercase())?
        .ok_or_else(|| AppError::BadRequest(format!("no user `{username}`")))?;
    let audit = AuditEntry::new(
        &etablera_app::now_utc(),
        actor,
        "user.password",
        &format!("user:{}", user.username),
        None,
    );
    Ok(store.set_password(user.id, &hash_password(password)?, &audit)?)
}

/// Gives a user a role in a municipality, or takes it away with `None`.
pub fn set_role(
    store: &mut dyn Store,
    username: &str,
    unit: &str,
    role: Option<Role>,
    actor: Option<i64>,
) -> Result<(), AppError> {
    let user = store
        .user_by_name(&username.trim().to_lowercase())?
        .ok_or_else(|| AppError::BadRequest(format!("no user `{username}`")))?;
    // A code or a name, as the README shows (`etablera user role anna Östersund viewer`).
    let units = etablera_app::units_of(store)?;
    let u = units
        .find(unit)
        .filter(|u| u.code.is_municipality() || u.code.is_region())
        .ok_or_else(|| AppError::BadRequest(format!("unknown municipality `{unit}`")))?;
    let before = store
        .memberships(user.id)?
        .into_iter()
        .find(|(c, _)| *c == u.code)
        .map(|(_, r)| r.as_str().to_string());
    let audit = AuditEntry::new(
        &etablera_app::now_utc(),
        actor,
        "user.role",
        &format!("user:{}", user.username),
        Some(&u.code),
    )
    .change(before, role.map(|r| r.as_str().to_string()));
    Ok(store.set_role(user.id, &u.code, role, &audit)?)
}

/// Opens or closes a strategy's overview and target pages to the public.
pub fn publish(
    store: &mut dyn Store,
    strategy_id: &str,
    published: bool,
    actor: Option<i64>,
) -> Result<(), AppError> {
    let s = store
        .strategies()?
        .into_iter()
        .find(|s| s.id == strategy_id)
        .ok_or(AppError::NotFound)?;
    let audit = AuditEntry::new(
        &etablera_app::now_utc(),
        actor,
        "strategy.publish",
        &format!("strategy:{strategy_id}"),
        Some(&s.owner),
    )
    .change(Some(s.published.to_string()), Some(published.to_string()));
    store.set_published(strategy_id, published, &audit)?;
    Ok(())
}

/// Gives a role in a municipality's establishment register, or removes it.
pub fn set_register_role(
    store: &mut dyn Store,
    username: &str,
    unit: &str,
    role: Option<etablera_domain::access::RegisterRole>,
    actor: Option<i64>,
) -> Result<(), AppError> {
    let user = store
        .user_by_name(&username.trim().to_lowercase())?
        .ok_or_else(|| AppError::BadRequest(format!("no user `{username}`")))?;
    let units = etablera_app::units_of(store)?;
    let u = units
        .find(unit)
        .filter(|u| u.code.is_municipality())
        .ok_or_else(|| AppError::BadRequest(format!("unknown municipality `{unit}`")))?;
    let code = u.code.clone();
    let before = store
        .register_memberships(user.id)?
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, r)| r.as_str().to_string());
    let audit = AuditEntry::new(
        &etablera_app::now_utc(),
        actor,
        "user.register_role",
        &format!("user:{}", user.username),
        Some(&code),
    )
    .change(before, role.map(|r| r.as_str().to_string()));
    Ok(store.set_register_role(user.id, &code, role, &audit)?)
}
