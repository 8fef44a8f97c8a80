//! The store's operations that read alike on SQLite and PostgreSQL, written once over
//! [`Backend`] and [`Sql`]. The [`Store`](crate::Store) trait's provided methods call these;
//! a backend implements only what its dialect does differently.

use crate::backend::{is_unique_violation, p, Backend, Dialect, Get, Sql};
use crate::*;
use etablera_domain::access::{RegisterRole, Role};
use etablera_domain::{Direction, IndicatorSource, MeasureUnit};

/// Stores an audit entry (in the caller's transaction).
pub(crate) fn insert_audit(db: &mut dyn Sql, e: &AuditEntry) -> Result<()> {
    db.exec(
        "insert into audit_log (at, user_id, action, object, unit_code, before, after) values ($1, $2, $3, $4, $5, $6, $7)",
        p![&e.at, e.user_id, &e.action, &e.object, &e.unit_code, &e.before, &e.after],
    )?;
    Ok(())
}

/// Runs `write` and stores `audit` in one transaction.
pub(crate) fn audited<T: Default>(
    b: &mut (impl Backend + ?Sized),
    audit: &AuditEntry,
    mut write: impl FnMut(&mut dyn Sql) -> Result<T>,
) -> Result<T> {
    let mut out = T::default();
    b.in_tx(&mut |db| {
        out = write(db)?;
        insert_audit(db, audit)
    })?;
    Ok(out)
}

/// Runs `write` in one transaction and stores `audit` with it when `write` says it wrote.
pub(crate) fn audited_if(
    b: &mut (impl Backend + ?Sized),
    audit: &AuditEntry,
    mut write: impl FnMut(&mut dyn Sql) -> Result<bool>,
) -> Result<bool> {
    let mut wrote = false;
    b.in_tx(&mut |db| {
        wrote = write(db)?;
        if wrote {
            insert_audit(db, audit)?;
        }
        Ok(())
    })?;
    Ok(wrote)
}

pub(crate) fn append_audit(b: &mut (impl Backend + ?Sized), e: &AuditEntry) -> Result<()> {
    audited(b, e, |_| Ok(()))
}

// ---- accounts -------------------------------------------------------------------

const USER_SELECT: &str =
    "select id, username, display_name, password_hash, is_system_admin, disabled from app_user";

fn user_row(r: &dyn Get) -> Result<User> {
    Ok(User {
        id: r.int(0)?,
        username: r.text(1)?,
        display_name: r.text(2)?,
        password_hash: r.opt_text(3)?,
        system_admin: r.boolean(4)?,
        disabled: r.boolean(5)?,
    })
}

pub(crate) fn create_user(
    b: &mut (impl Backend + ?Sized),
    u: &NewUser,
    audit: &AuditEntry,
) -> Result<i64> {
    audited(b, audit, |db| {
        db.one(
            "insert into app_user (username, display_name, password_hash, is_system_admin, created_at) values ($1, $2, $3, $4, $5) returning id",
            p![&u.username, &u.display_name, &u.password_hash, u.system_admin, &audit.at],
            |r| r.int(0),
        )
    })
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!("the username `{}` is taken", u.username))
        } else {
            e
        }
    })
}

pub(crate) fn user(db: &mut dyn Sql, id: i64) -> Result<Option<User>> {
    db.opt(&format!("{USER_SELECT} where id = $1"), p![id], user_row)
}

pub(crate) fn user_by_name(db: &mut dyn Sql, username: &str) -> Result<Option<User>> {
    db.opt(
        &format!("{USER_SELECT} where username = $1"),
        p![username],
        user_row,
    )
}

pub(crate) fn users(db: &mut dyn Sql) -> Result<Vec<User>> {
    db.all(&format!("{USER_SELECT} order by username"), &[], user_row)
}

pub(crate) fn set_password(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    password_hash: &str,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        db.exec(
            "update app_user set password_hash = $1 where id = $2",
            p![password_hash, user_id],
        )?;
        // A new password ends every session of the account.
        db.exec("delete from app_session where user_id = $1", p![user_id])?;
        Ok(())
    })
}

/// Gives a user a role in a municipality (`Some`) or takes it away, in `table`
/// (`membership` or `register_membership`, which have the same columns).
fn set_membership(
    b: &mut (impl Backend + ?Sized),
    table: &str,
    user_id: i64,
    unit: &UnitCode,
    role: Option<&str>,
    audit: &AuditEntry,
) -> Result<()> {
    let upsert = format!("insert into {table} (user_id, unit_code, role) values ($1, $2, $3) on conflict (user_id, unit_code) do update set role = excluded.role");
    let delete = format!("delete from {table} where user_id = $1 and unit_code = $2");
    audited(b, audit, |db| {
        match role {
            Some(r) => db.exec(&upsert, p![user_id, unit.as_str(), r])?,
            None => db.exec(&delete, p![user_id, unit.as_str()])?,
        };
        Ok(())
    })
}

pub(crate) fn set_role(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    unit: &UnitCode,
    role: Option<Role>,
    audit: &AuditEntry,
) -> Result<()> {
    let role = role.map(|r| r.as_str());
    set_membership(b, "membership", user_id, unit, role, audit)
}

pub(crate) fn set_register_role(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    unit: &UnitCode,
    role: Option<RegisterRole>,
    audit: &AuditEntry,
) -> Result<()> {
    let role = role.map(|r| r.as_str());
    set_membership(b, "register_membership", user_id, unit, role, audit)
}

/// A user's roles in `table`, each read by `parse`.
fn memberships_in<R>(
    db: &mut dyn Sql,
    table: &str,
    user_id: i64,
    parse: impl Fn(&str) -> Option<R>,
) -> Result<Vec<(UnitCode, R)>> {
    db.all(
        &format!("select unit_code, role from {table} where user_id = $1 order by unit_code"),
        p![user_id],
        |r| {
            let (unit, role) = (r.text(0)?, r.text(1)?);
            Ok((
                UnitCode::parse(&unit).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown role `{role}`")))?,
            ))
        },
    )
}

pub(crate) fn memberships(db: &mut dyn Sql, user_id: i64) -> Result<Vec<(UnitCode, Role)>> {
    memberships_in(db, "membership", user_id, Role::parse)
}

pub(crate) fn register_memberships(
    db: &mut dyn Sql,
    user_id: i64,
) -> Result<Vec<(UnitCode, RegisterRole)>> {
    memberships_in(db, "register_membership", user_id, RegisterRole::parse)
}

// ---- sessions and logins ----------------------------------------------------------

pub(crate) fn create_session(db: &mut dyn Sql, s: &SessionRow) -> Result<()> {
    db.exec(
        "insert into app_session (id_hash, user_id, csrf_token, created_at, last_seen_at) values ($1, $2, $3, $4, $5)",
        p![&s.id_hash, s.user_id, &s.csrf_token, &s.created_at, &s.last_seen_at],
    )?;
    Ok(())
}

pub(crate) fn session(db: &mut dyn Sql, id_hash: &str) -> Result<Option<SessionRow>> {
    db.opt(
        "select id_hash, user_id, csrf_token, created_at, last_seen_at from app_session where id_hash = $1",
        p![id_hash],
        |r| {
            Ok(SessionRow {
                id_hash: r.text(0)?,
                user_id: r.int(1)?,
                csrf_token: r.text(2)?,
                created_at: r.text(3)?,
                last_seen_at: r.text(4)?,
            })
        },
    )
}

pub(crate) fn touch_session(db: &mut dyn Sql, id_hash: &str, at: &str) -> Result<()> {
    db.exec(
        "update app_session set last_seen_at = $1 where id_hash = $2",
        p![at, id_hash],
    )?;
    Ok(())
}

pub(crate) fn delete_session(db: &mut dyn Sql, id_hash: &str) -> Result<()> {
    db.exec("delete from app_session where id_hash = $1", p![id_hash])?;
    Ok(())
}

pub(crate) fn record_login(db: &mut dyn Sql, a: &LoginAttempt) -> Result<()> {
    db.exec(
        crate::sql::RECORD_LOGIN,
        p![&a.username, &a.address, &a.at, a.success, a.known],
    )?;
    Ok(())
}

pub(crate) fn login_failures(
    db: &mut dyn Sql,
    username: &str,
    address: &str,
    pair_since: &str,
    wide_since: &str,
) -> Result<LoginFailures> {
    db.one(
        crate::sql::LOGIN_FAILURES,
        p![username, address, pair_since, wide_since],
        |r| {
            Ok(LoginFailures {
                pair: r.int(0)?,
                pair_last: r.opt_text(1)?,
                address: r.int(2)?,
                account: r.int(3)?,
                known_address: r.int(4)? > 0,
            })
        },
    )
}

pub(crate) fn prune_login_attempts(
    db: &mut dyn Sql,
    failures_before: &str,
    successes_before: &str,
) -> Result<usize> {
    Ok(db.exec(
        crate::sql::PRUNE_LOGINS,
        p![failures_before, successes_before],
    )? as usize)
}

// ---- API tokens and publishing ------------------------------------------------------

const TOKEN_SELECT: &str =
    "select id, token_hash, user_id, unit_code, scope, name, created_at, revoked_at from api_token";

fn token_row(r: &dyn Get) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.int(0)?,
        token_hash: r.text(1)?,
        user_id: r.int(2)?,
        unit_code: r.text(3)?,
        scope: r.text(4)?,
        name: r.text(5)?,
        created_at: r.text(6)?,
        revoked_at: r.opt_text(7)?,
    })
}

pub(crate) fn create_token(
    b: &mut (impl Backend + ?Sized),
    t: &ApiToken,
    audit: &AuditEntry,
) -> Result<i64> {
    audited(b, audit, |db| {
        db.one(
            "insert into api_token (token_hash, user_id, unit_code, scope, name, created_at) values ($1, $2, $3, $4, $5, $6) returning id",
            p![&t.token_hash, t.user_id, &t.unit_code, &t.scope, &t.name, &t.created_at],
            |r| r.int(0),
        )
    })
}

pub(crate) fn token_by_hash(db: &mut dyn Sql, token_hash: &str) -> Result<Option<ApiToken>> {
    db.opt(
        &format!("{TOKEN_SELECT} where token_hash = $1"),
        p![token_hash],
        token_row,
    )
}

pub(crate) fn tokens(db: &mut dyn Sql, user_id: i64) -> Result<Vec<ApiToken>> {
    db.all(
        &format!("{TOKEN_SELECT} where user_id = $1 order by id"),
        p![user_id],
        token_row,
    )
}

pub(crate) fn revoke_token(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    token_id: i64,
    audit: &AuditEntry,
) -> Result<bool> {
    audited_if(b, audit, |db| {
        Ok(db.exec(
            "update api_token set revoked_at = $1 where id = $2 and user_id = $3 and revoked_at is null",
            p![&audit.at, token_id, user_id],
        )? > 0)
    })
}

pub(crate) fn set_published(
    b: &mut (impl Backend + ?Sized),
    strategy_id: &str,
    published: bool,
    audit: &AuditEntry,
) -> Result<bool> {
    audited_if(b, audit, |db| {
        Ok(db.exec(
            "update strategy set published = $1 where id = $2",
            p![published, strategy_id],
        )? > 0)
    })
}

fn unit_code(s: &str) -> Result<UnitCode> {
    UnitCode::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `$start+1, …, $start+n`: the parameters of a list that follows `start` others.
fn dollar_list(start: usize, n: usize) -> String {
    (start + 1..=start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- units, indicators, batches -------------------------------------------------------

pub(crate) fn upsert_units(b: &mut (impl Backend + ?Sized), units: &[Unit]) -> Result<usize> {
    let mut n = 0;
    b.in_tx(&mut |db| {
        n = 0;
        for u in units {
            n += db.exec(
                "insert into unit (code, name, kind, county) values ($1, $2, $3, $4)
                 on conflict (code) do update set name = excluded.name, kind = excluded.kind, county = excluded.county
                 where unit.name is distinct from excluded.name or unit.kind is distinct from excluded.kind
                   or unit.county is distinct from excluded.county",
                p![u.code.as_str(), &u.name, u.kind.as_str(), &u.county],
            )? as usize;
        }
        Ok(())
    })?;
    Ok(n)
}

pub(crate) fn units(db: &mut dyn Sql) -> Result<Vec<Unit>> {
    db.all(
        "select code, name, kind, county from unit order by code",
        &[],
        |r| {
            let kind = r.text(2)?;
            Ok(Unit {
                code: unit_code(&r.text(0)?)?,
                name: r.text(1)?,
                kind: etablera_domain::UnitKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unit kind `{kind}`")))?,
                county: r.opt_text(3)?,
            })
        },
    )
}

pub(crate) fn save_group(b: &mut (impl Backend + ?Sized), g: &UnitGroup) -> Result<()> {
    b.in_tx(&mut |db| {
        db.exec(
            "insert into unit (code, name, kind) values ($1, $2, 'group') on conflict (code) do update set name = excluded.name",
            p![g.code.as_str(), &g.name],
        )?;
        db.exec(
            "delete from unit_group_member where group_code = $1",
            p![g.code.as_str()],
        )?;
        for m in &g.members {
            let known = db.opt("select code from unit where code = $1", p![m.as_str()], |_| Ok(()))?;
            if known.is_none() {
                return Err(StoreError::UnknownUnit(m.to_string()));
            }
            db.exec(
                "insert into unit_group_member (group_code, member_code) values ($1, $2)",
                p![g.code.as_str(), m.as_str()],
            )?;
        }
        Ok(())
    })
}

pub(crate) fn groups(db: &mut dyn Sql) -> Result<Vec<UnitGroup>> {
    let mut out: Vec<UnitGroup> = Vec::new();
    db.each(
        "select u.code, u.name, m.member_code from unit u left join unit_group_member m on m.group_code = u.code
         where u.kind = 'group' order by u.code, m.member_code",
        &[],
        &mut |r| {
            let code = r.text(0)?;
            if out.last().is_none_or(|g| g.code.as_str() != code) {
                out.push(UnitGroup {
                    code: unit_code(&code)?,
                    name: r.text(1)?,
                    members: vec![],
                });
            }
            if let (Some(m), Some(g)) = (r.opt_text(2)?, out.last_mut()) {
                g.members.push(unit_code(&m)?);
            }
            Ok(())
        },
    )?;
    Ok(out)
}

pub(crate) fn upsert_indicators(
    b: &mut (impl Backend + ?Sized),
    indicators: &[Indicator],
) -> Result<usize> {
    let mut n = 0;
    b.in_tx(&mut |db| {
        n = 0;
        for i in indicators {
            n += db.exec(
                "insert into indicator (id, title, measure_unit, direction, source, divided_by_sex, description, area)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)
                 on conflict (id) do update set title = excluded.title, measure_unit = excluded.measure_unit,
                   direction = excluded.direction, source = excluded.source, divided_by_sex = excluded.divided_by_sex,
                   description = excluded.description, area = excluded.area
                 where indicator.title is distinct from excluded.title
                   or indicator.measure_unit is distinct from excluded.measure_unit
                   or indicator.direction is distinct from excluded.direction
                   or indicator.source is distinct from excluded.source
                   or indicator.divided_by_sex is distinct from excluded.divided_by_sex
                   or indicator.description is distinct from excluded.description
                   or indicator.area is distinct from excluded.area",
                p![
                    i.id.as_str(),
                    &i.title,
                    &*i.unit.as_str(),
                    i.direction.as_str(),
                    i.source.as_str(),
                    i.divided_by_sex,
                    &i.description,
                    &i.area,
                ],
            )? as usize;
        }
        Ok(())
    })?;
    Ok(n)
}

#[allow(clippy::too_many_arguments)]
fn indicator_from_row(
    id: String,
    title: String,
    unit: String,
    dir: String,
    src: String,
    divided: bool,
    description: String,
    area: Option<String>,
) -> Result<Indicator> {
    Ok(Indicator {
        id: IndicatorId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        title,
        unit: MeasureUnit::parse(&unit),
        direction: Direction::parse(&dir)
            .ok_or_else(|| StoreError::Corrupt(format!("direction `{dir}`")))?,
        source: IndicatorSource::parse(&src)
            .ok_or_else(|| StoreError::Corrupt(format!("source `{src}`")))?,
        divided_by_sex: divided,
        description,
        area,
    })
}

fn indicator_row(r: &dyn Get) -> Result<Indicator> {
    indicator_from_row(
        r.text(0)?,
        r.text(1)?,
        r.text(2)?,
        r.text(3)?,
        r.text(4)?,
        r.boolean(5)?,
        r.text(6)?,
        r.opt_text(7)?,
    )
}

pub(crate) fn indicator(db: &mut dyn Sql, id: &IndicatorId) -> Result<Option<Indicator>> {
    db.opt(crate::sql::INDICATOR_BY_ID, p![id.as_str()], indicator_row)
}

pub(crate) fn indicators(db: &mut dyn Sql) -> Result<Vec<Indicator>> {
    db.all(
        "select id, title, measure_unit, direction, source, divided_by_sex, description, area from indicator order by id",
        &[],
        indicator_row,
    )
}

pub(crate) fn add_accessibility_report(db: &mut dyn Sql, r: &AccessibilityReport) -> Result<i64> {
    db.one(
        "insert into accessibility_report (at, page, message, contact, user_id) values ($1, $2, $3, $4, $5) returning id",
        p![&r.at, &r.page, &r.message, &r.contact, r.user_id],
        |r| r.int(0),
    )
}

pub(crate) fn accessibility_reports(
    db: &mut dyn Sql,
    limit: i64,
) -> Result<Vec<AccessibilityReport>> {
    db.all(
        "select id, at, page, message, contact, user_id from accessibility_report order by id desc limit $1",
        p![limit.clamp(1, 1000)],
        |r| {
            Ok(AccessibilityReport {
                id: r.int(0)?,
                at: r.text(1)?,
                page: r.opt_text(2)?,
                message: r.text(3)?,
                contact: r.opt_text(4)?,
                user_id: r.opt_int(5)?,
            })
        },
    )
}

pub(crate) fn batches_version(db: &mut dyn Sql) -> Result<i64> {
    db.one(
        "select cast(coalesce(max(id), 0) as bigint) from batch",
        &[],
        |r| r.int(0),
    )
}

pub(crate) fn batches(db: &mut dyn Sql) -> Result<Vec<Batch>> {
    db.all(
        "select id, source, file_name, content_sha256, imported_at, row_count, changed_count, owner_unit from batch order by id",
        &[],
        |r| {
            Ok(Batch {
                id: r.int(0)?,
                source: r.text(1)?,
                file_name: r.opt_text(2)?,
                content_sha256: r.text(3)?,
                imported_at: r.text(4)?,
                row_count: r.int(5)?,
                changed_count: r.int(6)?,
                owner: r.opt_text(7)?,
            })
        },
    )
}

pub(crate) fn counts(db: &mut dyn Sql) -> Result<Counts> {
    let mut c = |table: &str| db.one(&format!("select count(*) from {table}"), &[], |r| r.int(0));
    Ok(Counts {
        units: c("unit")?,
        indicators: c("indicator")?,
        batches: c("batch")?,
        observations: c("observation")?,
        strategies: c("strategy")?,
    })
}

pub(crate) fn audit_log(db: &mut dyn Sql, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut sql = String::from(
        "select id, at, user_id, action, object, unit_code, before, after from audit_log where 1 = 1",
    );
    let mut args: Vec<crate::backend::P> = Vec::new();
    if let Some(u) = f.user_id {
        args.push(u.into());
        sql.push_str(&format!(" and user_id = ${}", args.len()));
    }
    if let Some(a) = &f.action {
        args.push(a.into());
        sql.push_str(&format!(" and action = ${}", args.len()));
    }
    if let Some(units) = &f.units {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(
            " and unit_code in ({})",
            dollar_list(args.len(), units.len())
        ));
        args.extend(units.iter().map(crate::backend::P::from));
    }
    sql.push_str(&format!(
        " order by id desc limit ${} offset ${}",
        args.len() + 1,
        args.len() + 2
    ));
    args.push(f.limit.clamp(1, 1000).into());
    args.push(f.offset.max(0).into());
    db.all(&sql, &args, |r| {
        Ok(AuditEntry {
            id: r.int(0)?,
            at: r.text(1)?,
            user_id: r.opt_int(2)?,
            action: r.text(3)?,
            object: r.text(4)?,
            unit_code: r.opt_text(5)?,
            before: r.opt_text(6)?,
            after: r.opt_text(7)?,
        })
    })
}

// ---- strategies ---------------------------------------------------------------------

pub(crate) fn save_strategy_change(
    b: &mut (impl Backend + ?Sized),
    s: &Strategy,
    updated_at: &str,
    revisions: &[TargetRevision],
    audit: Option<&AuditEntry>,
) -> Result<()> {
    let doc = serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    b.in_tx(&mut |db| write_strategy_change(db, s, &doc, updated_at, revisions, audit))
}

/// The writes of [`save_strategy_change`], inside a transaction the caller holds.
pub(crate) fn write_strategy_change(
    db: &mut dyn Sql,
    s: &Strategy,
    doc: &str,
    updated_at: &str,
    revisions: &[TargetRevision],
    audit: Option<&AuditEntry>,
) -> Result<()> {
    {
        for i in s.indicators() {
            let known = db.opt(
                "select id from indicator where id = $1",
                p![i.as_str()],
                |_| Ok(()),
            )?;
            if known.is_none() {
                return Err(StoreError::UnknownIndicator(i.to_string()));
            }
        }
        db.exec(
            "delete from strategy_indicator where strategy_id = $1",
            p![&s.id],
        )?;
        db.exec(
            "insert into strategy (id, owner_code, title, document, updated_at) values ($1, $2, $3, $4, $5)
             on conflict (id) do update set owner_code = excluded.owner_code, title = excluded.title,
               document = excluded.document, updated_at = excluded.updated_at",
            p![&s.id, s.owner.as_str(), &s.title, doc, updated_at],
        )?;
        for i in s.indicators() {
            db.exec(
                "insert into strategy_indicator (strategy_id, indicator_id) values ($1, $2)",
                p![&s.id, i.as_str()],
            )?;
        }
        let latest = db.opt(crate::sql::LATEST_STRATEGY_VERSION, p![&s.id], |r| {
            Ok((r.int4(0)?, r.text(1)?))
        })?;
        if latest.as_ref().is_none_or(|(_, d)| *d != doc) {
            let next = latest.map_or(1, |(v, _)| v + 1);
            db.exec(
                crate::sql::INSERT_STRATEGY_VERSION,
                p![&s.id, next, doc, updated_at],
            )?;
        }
        for r in revisions {
            db.exec(
                "insert into target_revision (strategy_id, target_id, field, old_value, new_value, user_id, changed_at) values ($1, $2, $3, $4, $5, $6, $7)",
                p![&r.strategy_id, &r.target_id, &r.field, &r.old_value, &r.new_value, r.user_id, &r.changed_at],
            )?;
        }
        if let Some(a) = audit {
            insert_audit(db, a)?;
        }
        Ok(())
    }
}

/// Records a municipality's review of a library draft — for an accepted one together with
/// the strategy it went into — and its audit entry, in one transaction. A draft the
/// municipality has reviewed before is a [`StoreError::Conflict`].
pub(crate) fn review_library_draft(
    b: &mut (impl Backend + ?Sized),
    r: &DraftReview,
    strategy: Option<(&Strategy, &str)>,
    audit: &AuditEntry,
) -> Result<()> {
    let doc = match strategy {
        Some((s, _)) => {
            Some(serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        }
        None => None,
    };
    b.in_tx(&mut |db| {
        // Checked inside the transaction: two reviews at once cannot both pass.
        let held = db.opt(
            "select state from library_draft_review where entry_id = $1 and n = $2 and unit_code = $3",
            p![r.entry_id, r.n, &r.unit_code],
            |row| row.text(0),
        )?;
        if let Some(state) = held {
            return Err(StoreError::Conflict(format!(
                "the draft was already reviewed ({state})"
            )));
        }
        if let (Some((s, at)), Some(doc)) = (strategy, &doc) {
            write_strategy_change(db, s, doc, at, &[], None)?;
        }
        db.exec(
            "insert into library_draft_review (entry_id, n, sentence_sha256, unit_code, state, strategy_id, target_id, reviewed_by, reviewed_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            p![r.entry_id, r.n, &r.sentence_sha256, &r.unit_code, &r.state, &r.strategy_id, &r.target_id, r.reviewed_by, &r.reviewed_at],
        )?;
        insert_audit(db, audit)
    })
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict("the draft was already reviewed".into())
        } else {
            e
        }
    })
}

/// A municipality's reviews of one entry's drafts, in draft order.
pub(crate) fn library_draft_reviews(
    db: &mut dyn Sql,
    entry_id: i64,
    unit_code: &str,
) -> Result<Vec<DraftReview>> {
    db.all(
        "select entry_id, n, sentence_sha256, unit_code, state, strategy_id, target_id, reviewed_by, reviewed_at
         from library_draft_review where entry_id = $1 and unit_code = $2 order by n",
        p![entry_id, unit_code],
        |r| {
            Ok(DraftReview {
                entry_id: r.int(0)?,
                n: r.int4(1)?,
                sentence_sha256: r.text(2)?,
                unit_code: r.text(3)?,
                state: r.text(4)?,
                strategy_id: r.opt_text(5)?,
                target_id: r.opt_text(6)?,
                reviewed_by: r.opt_int(7)?,
                reviewed_at: r.text(8)?,
            })
        },
    )
}

pub(crate) fn target_revisions(
    db: &mut dyn Sql,
    strategy_id: &str,
    target_id: &str,
) -> Result<Vec<TargetRevision>> {
    db.all(
        "select strategy_id, target_id, field, old_value, new_value, user_id, changed_at from target_revision
         where strategy_id = $1 and target_id = $2 order by id",
        p![strategy_id, target_id],
        |r| {
            Ok(TargetRevision {
                strategy_id: r.text(0)?,
                target_id: r.text(1)?,
                field: r.text(2)?,
                old_value: r.opt_text(3)?,
                new_value: r.opt_text(4)?,
                user_id: r.opt_int(5)?,
                changed_at: r.text(6)?,
            })
        },
    )
}

pub(crate) fn save_target_comment(
    b: &mut (impl Backend + ?Sized),
    c: &TargetComment,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        if c.body.trim().is_empty() {
            db.exec(
                "delete from target_comment where strategy_id = $1 and target_id = $2 and year = $3",
                p![&c.strategy_id, &c.target_id, c.year],
            )?;
        } else {
            db.exec(
                "insert into target_comment (strategy_id, target_id, year, body, author_id, updated_at) values ($1, $2, $3, $4, $5, $6)
                 on conflict (strategy_id, target_id, year) do update set body = excluded.body, author_id = excluded.author_id, updated_at = excluded.updated_at",
                p![&c.strategy_id, &c.target_id, c.year, &c.body, c.author_id, &c.updated_at],
            )?;
        }
        Ok(())
    })
}

pub(crate) fn target_comment(
    db: &mut dyn Sql,
    strategy_id: &str,
    target_id: &str,
    year: i32,
) -> Result<Option<TargetComment>> {
    db.opt(
        "select strategy_id, target_id, year, body, author_id, updated_at from target_comment where strategy_id = $1 and target_id = $2 and year = $3",
        p![strategy_id, target_id, year],
        |r| {
            Ok(TargetComment {
                strategy_id: r.text(0)?,
                target_id: r.text(1)?,
                year: r.int4(2)?,
                body: r.text(3)?,
                author_id: r.opt_int(4)?,
                updated_at: r.text(5)?,
            })
        },
    )
}

pub(crate) fn strategy(db: &mut dyn Sql, id: &str) -> Result<Option<Strategy>> {
    db.opt("select document from strategy where id = $1", p![id], |r| {
        serde_json::from_str(&r.text(0)?)
            .map_err(|e| StoreError::Corrupt(format!("strategy `{id}`: {e}")))
    })
}

pub(crate) fn strategy_as_of(
    db: &mut dyn Sql,
    id: &str,
    as_of: &str,
) -> Result<Option<StrategyAsOf>> {
    let bound = crate::as_of_bound(as_of);
    db.opt(crate::sql::STRATEGY_VERSION_AS_OF, p![id, &bound], |r| {
        crate::strategy_version(id, r.int4(0)?, &r.text(1)?, r.text(2)?, r.boolean(3)?)
    })
}

pub(crate) fn strategy_versions(db: &mut dyn Sql, id: &str) -> Result<Vec<StrategyVersion>> {
    db.all(crate::sql::STRATEGY_VERSIONS, p![id], |r| {
        Ok(StrategyVersion {
            version: r.int4(0)?,
            saved_at: r.text(1)?,
        })
    })
}

pub(crate) fn strategies(db: &mut dyn Sql) -> Result<Vec<StrategySummary>> {
    db.all(
        "select id, owner_code, title, updated_at, published from strategy order by id",
        &[],
        |r| {
            Ok(StrategySummary {
                id: r.text(0)?,
                owner: unit_code(&r.text(1)?)?,
                title: r.text(2)?,
                updated_at: r.text(3)?,
                published: r.boolean(4)?,
            })
        },
    )
}

// ---- the establishment register ---------------------------------------------------------

fn person_row(r: &dyn Get) -> Result<PersonRow> {
    Ok(PersonRow {
        id: r.text(0)?,
        unit: unit_code(&r.text(1)?)?,
        case_worker: r.opt_int(2)?,
        closed_on: r.opt_text(3)?,
        anonymised: r.boolean(4)?,
        doc: r.text(5)?,
        identity: r.opt_text(6)?,
        pnr_index: r.opt_text(7)?,
        updated_at: r.text(8)?,
        household: r.opt_text(9)?,
    })
}

pub(crate) fn save_persons(
    b: &mut (impl Backend + ?Sized),
    rows: &[PersonRow],
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        for p in rows {
            let n = db.exec(
                crate::sql::SAVE_PERSON,
                p![
                    &p.id,
                    p.unit.as_str(),
                    p.case_worker,
                    &p.closed_on,
                    p.anonymised,
                    &p.doc,
                    &p.identity,
                    &p.pnr_index,
                    &p.updated_at,
                    &p.household,
                ],
            )?;
            if n != 1 {
                return Err(crate::register::foreign_person(&p.id));
            }
        }
        Ok(())
    })
}

pub(crate) fn person(db: &mut dyn Sql, id: &str) -> Result<Option<PersonRow>> {
    db.opt(
        &format!("{} where id = $1", crate::sql::PERSON_COLUMNS),
        p![id],
        person_row,
    )
}

pub(crate) fn persons(db: &mut dyn Sql, unit: &UnitCode) -> Result<Vec<PersonRow>> {
    db.all(
        &format!(
            "{} where unit_code = $1 order by id",
            crate::sql::PERSON_COLUMNS
        ),
        p![unit.as_str()],
        person_row,
    )
}

pub(crate) fn all_persons(db: &mut dyn Sql) -> Result<Vec<PersonRow>> {
    db.all(
        &format!("{} order by id", crate::sql::PERSON_COLUMNS),
        &[],
        person_row,
    )
}

pub(crate) fn person_id_by_pnr_index(
    db: &mut dyn Sql,
    unit: &UnitCode,
    index: &str,
) -> Result<Option<String>> {
    db.opt(
        "select id from person where unit_code = $1 and pnr_index = $2",
        p![unit.as_str(), index],
        |r| r.text(0),
    )
}

pub(crate) fn delete_persons(
    b: &mut (impl Backend + ?Sized),
    ids: &[String],
    audit: &AuditEntry,
) -> Result<usize> {
    audited(b, audit, |db| {
        let mut n = 0;
        for id in ids {
            db.exec("delete from plan_link where person_id = $1", p![id])?;
            n += db.exec("delete from person where id = $1", p![id])? as usize;
        }
        // A household nobody belongs to any more goes with its last member.
        db.exec(
            "delete from household where not exists (select 1 from person p
               where p.household_id = household.id and p.unit_code = household.unit_code)",
            &[],
        )?;
        Ok(n)
    })
}

pub(crate) fn save_household(
    b: &mut (impl Backend + ?Sized),
    row: &HouseholdRow,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        db.exec(
            "insert into household (id, unit_code, doc) values ($1, $2, $3) on conflict (unit_code, id) do update set doc = excluded.doc",
            p![&row.id, row.unit.as_str(), &row.doc],
        )?;
        Ok(())
    })
}

pub(crate) fn households(db: &mut dyn Sql, unit: &UnitCode) -> Result<Vec<HouseholdRow>> {
    db.all(
        "select id, doc from household where unit_code = $1 order by id",
        p![unit.as_str()],
        |r| {
            Ok(HouseholdRow {
                id: r.text(0)?,
                unit: unit.clone(),
                doc: r.text(1)?,
            })
        },
    )
}

/// Every municipality's households (key rotation).
pub(crate) fn all_households(db: &mut dyn Sql) -> Result<Vec<HouseholdRow>> {
    db.all(
        "select unit_code, id, doc from household order by unit_code, id",
        &[],
        |r| {
            Ok(HouseholdRow {
                unit: UnitCode::parse(&r.text(0)?)
                    .map_err(|e| StoreError::Corrupt(format!("household unit: {e}")))?,
                id: r.text(1)?,
                doc: r.text(2)?,
            })
        },
    )
}

pub(crate) fn household(
    db: &mut dyn Sql,
    unit: &UnitCode,
    id: &str,
) -> Result<Option<HouseholdRow>> {
    db.opt(crate::sql::HOUSEHOLD_BY_ID, p![unit.as_str(), id], |r| {
        Ok(HouseholdRow {
            id: r.text(0)?,
            unit: unit.clone(),
            doc: r.text(1)?,
        })
    })
}

pub(crate) fn household_members(
    db: &mut dyn Sql,
    unit: &UnitCode,
    household: &str,
) -> Result<Vec<PersonRow>> {
    db.all(
        crate::sql::PERSONS_OF_HOUSEHOLD,
        p![unit.as_str(), household],
        person_row,
    )
}

pub(crate) fn put_pending_upload(
    b: &mut (impl Backend + ?Sized),
    r: &PendingUploadRow,
    now: &str,
    keep_per_user: i64,
) -> Result<()> {
    b.in_tx(&mut |db| {
        db.exec(crate::sql::PRUNE_PENDING_UPLOADS, p![now])?;
        db.exec(
            crate::sql::INSERT_PENDING_UPLOAD,
            p![
                &r.token_hash,
                r.user_id,
                &r.strategy_id,
                r.unit.as_str(),
                &r.file_name,
                &r.kind,
                &r.content_sha256,
                &r.observations,
                &r.warnings,
                &r.created_at,
                &r.expires_at,
            ],
        )?;
        db.exec(
            crate::sql::TRIM_PENDING_UPLOADS,
            p![r.user_id, keep_per_user],
        )?;
        Ok(())
    })
}

pub(crate) fn take_pending_upload(
    db: &mut dyn Sql,
    token_hash: &str,
    user_id: i64,
    strategy_id: &str,
    now: &str,
) -> Result<Option<PendingUploadRow>> {
    db.opt(
        crate::sql::TAKE_PENDING_UPLOAD,
        p![token_hash, user_id, strategy_id, now],
        |r| {
            Ok(PendingUploadRow {
                token_hash: r.text(0)?,
                user_id: r.int(1)?,
                strategy_id: r.text(2)?,
                unit: unit_code(&r.text(3)?)?,
                file_name: r.text(4)?,
                kind: r.text(5)?,
                content_sha256: r.text(6)?,
                observations: r.text(7)?,
                warnings: r.text(8)?,
                created_at: r.text(9)?,
                expires_at: r.text(10)?,
            })
        },
    )
}

pub(crate) fn register_settings(db: &mut dyn Sql, unit: &UnitCode) -> Result<Option<String>> {
    db.opt(
        "select doc from register_settings where unit_code = $1",
        p![unit.as_str()],
        |r| r.text(0),
    )
}

pub(crate) fn save_register_settings(
    b: &mut (impl Backend + ?Sized),
    unit: &UnitCode,
    doc: &str,
    audit: &AuditEntry,
) -> Result<()> {
    audited(b, audit, |db| {
        db.exec(
            "insert into register_settings (unit_code, doc) values ($1, $2) on conflict (unit_code) do update set doc = excluded.doc",
            p![unit.as_str(), doc],
        )?;
        Ok(())
    })
}

const PLAN_LINK_COLUMNS: &str = "select id, person_id, code_hash, lang, created_by, created_at, expires_at, revoked_at from plan_link";

fn plan_link_row(r: &dyn Get) -> Result<PlanLinkRow> {
    Ok(PlanLinkRow {
        id: r.int(0)?,
        person_id: r.text(1)?,
        code_hash: r.text(2)?,
        lang: r.text(3)?,
        created_by: r.opt_int(4)?,
        created_at: r.text(5)?,
        expires_at: r.text(6)?,
        revoked_at: r.opt_text(7)?,
    })
}

pub(crate) fn create_plan_link(
    b: &mut (impl Backend + ?Sized),
    l: &PlanLinkRow,
    audit: &AuditEntry,
) -> Result<i64> {
    audited(b, audit, |db| {
        db.one(
            "insert into plan_link (person_id, code_hash, lang, created_by, created_at, expires_at) values ($1, $2, $3, $4, $5, $6) returning id",
            p![&l.person_id, &l.code_hash, &l.lang, l.created_by, &l.created_at, &l.expires_at],
            |r| r.int(0),
        )
    })
}

pub(crate) fn plan_link_by_hash(db: &mut dyn Sql, code_hash: &str) -> Result<Option<PlanLinkRow>> {
    db.opt(
        &format!("{PLAN_LINK_COLUMNS} where code_hash = $1"),
        p![code_hash],
        plan_link_row,
    )
}

pub(crate) fn plan_links(db: &mut dyn Sql, person_id: &str) -> Result<Vec<PlanLinkRow>> {
    db.all(
        &format!("{PLAN_LINK_COLUMNS} where person_id = $1 order by id"),
        p![person_id],
        plan_link_row,
    )
}

pub(crate) fn revoke_plan_link(
    b: &mut (impl Backend + ?Sized),
    person_id: &str,
    id: i64,
    at: &str,
    audit: &AuditEntry,
) -> Result<bool> {
    audited_if(b, audit, |db| {
        Ok(db.exec(
            "update plan_link set revoked_at = $1 where id = $2 and person_id = $3 and revoked_at is null",
            p![at, id, person_id],
        )? > 0)
    })
}

fn read_log_row(r: &dyn Get) -> Result<ReadLogEntry> {
    Ok(ReadLogEntry {
        id: r.int(0)?,
        at: r.text(1)?,
        user_id: r.opt_int(2)?,
        via: r.text(3)?,
        person_id: r.text(4)?,
        unit_code: r.text(5)?,
        view: r.text(6)?,
        related: r.boolean(7)?,
    })
}

pub(crate) fn read_log_chain(
    db: &mut dyn Sql,
    after_id: i64,
    limit: i64,
) -> Result<Vec<ChainedRead>> {
    db.all(
        "select id, at, user_id, via, person_id, unit_code, view, related, mac from read_log
         where id > $1 order by id limit $2",
        p![after_id, limit.clamp(1, 100_000)],
        |r| {
            Ok(ChainedRead {
                entry: read_log_row(r)?,
                mac: r.opt_text(8)?,
            })
        },
    )
}

pub(crate) fn read_log_checkpoints(db: &mut dyn Sql) -> Result<Vec<ReadLogCheckpoint>> {
    db.all(
        "select id, at, through_id, mac from read_log_checkpoint order by id",
        &[],
        |r| {
            Ok(ReadLogCheckpoint {
                id: r.int(0)?,
                at: r.text(1)?,
                through_id: r.int(2)?,
                mac: r.text(3)?,
            })
        },
    )
}

pub(crate) fn read_log(db: &mut dyn Sql, f: &ReadLogFilter) -> Result<Vec<ReadLogEntry>> {
    // A bare date as the end covers that whole day.
    let to = f.to.as_ref().map(|t| {
        if t.len() == 10 {
            format!("{t}T99")
        } else {
            t.clone()
        }
    });
    db.all(
        "select id, at, user_id, via, person_id, unit_code, view, related from read_log
         where (cast($1 as text) is null or unit_code = $1) and (cast($2 as bigint) is null or user_id = $2)
           and (cast($3 as text) is null or person_id = $3)
           and (cast($4 as text) is null or at >= $4) and (cast($5 as text) is null or at <= $5)
           and (not $6 or not related)
         order by id desc limit $7 offset $8",
        p![
            &f.unit,
            f.user_id,
            &f.person_id,
            &f.from,
            &to,
            f.unrelated_only,
            f.limit.clamp(1, 10_000),
            f.offset.max(0),
        ],
        read_log_row,
    )
}

pub(crate) fn read_log_retention_years(db: &mut dyn Sql) -> Result<i64> {
    db.one(
        "select years from read_log_retention where id = 1",
        &[],
        |r| Ok(r.int4(0)?.into()),
    )
}

pub(crate) fn set_read_log_retention_years(
    b: &mut (impl Backend + ?Sized),
    years: i64,
    audit: &AuditEntry,
) -> Result<()> {
    let years =
        i32::try_from(years).map_err(|_| StoreError::Corrupt("retention out of range".into()))?;
    audited(b, audit, |db| {
        db.exec(
            "update read_log_retention set years = $1 where id = 1",
            p![years],
        )?;
        Ok(())
    })
}

pub(crate) fn create_registration_request(
    b: &mut (impl Backend + ?Sized),
    row: &RegistrationRequestRow,
    audit: &AuditEntry,
) -> Result<i64> {
    let mut id = 0;
    b.in_tx(&mut |db| {
        id = db.one(
            "insert into registration_request (unit_code, requested_by, created_at, pnr_index, sealed) values ($1, $2, $3, $4, $5) returning id",
            p![row.unit.as_str(), row.requested_by, &row.created_at, &row.pnr_index, &row.sealed],
            |r| r.int(0),
        )?;
        let audit = AuditEntry {
            object: format!("registration_request:{id}"),
            ..audit.clone()
        };
        insert_audit(db, &audit)
    })?;
    Ok(id)
}

/// Every municipality's registration requests, oldest first (key rotation).
pub(crate) fn all_registration_requests(db: &mut dyn Sql) -> Result<Vec<RegistrationRequestRow>> {
    db.all(&format!("{REQUEST_COLUMNS} order by id"), &[], request_row)
}

const REQUEST_COLUMNS: &str = "select id, unit_code, requested_by, created_at, pnr_index, sealed, resolved_at, resolved_by, resolution from registration_request";

fn request_row(r: &dyn Get) -> Result<RegistrationRequestRow> {
    Ok(RegistrationRequestRow {
        id: r.int(0)?,
        unit: UnitCode::parse(&r.text(1)?)
            .map_err(|e| StoreError::Corrupt(format!("registration request unit: {e}")))?,
        requested_by: r.opt_int(2)?,
        created_at: r.text(3)?,
        pnr_index: r.text(4)?,
        sealed: r.text(5)?,
        resolved_at: r.opt_text(6)?,
        resolved_by: r.opt_int(7)?,
        resolution: r.opt_text(8)?,
    })
}

/// Key rotation's writes, all in one transaction with its audit entry: persons, households
/// and registration requests sealed again. Each row is written only if it is still as it
/// was read (`before`), so an edit made meanwhile is not undone and a person removed
/// meanwhile is not brought back; such a row is left for the next rotation. The number of
/// rows written.
pub(crate) fn rotate(
    b: &mut (impl Backend + ?Sized),
    persons: &[(PersonRow, PersonRow)],
    households: &[(HouseholdRow, String)],
    requests: &[(i64, String, String, String)],
    audit: &AuditEntry,
) -> Result<usize> {
    let mut n = 0;
    audited(b, audit, |db| {
        n = 0;
        for (p, before) in persons {
            n += db.exec(
                "update person set doc = $1, identity = $2, pnr_index = $3
                 where id = $4 and unit_code = $5 and doc = $6 and identity is not distinct from $7",
                p![
                    &p.doc,
                    &p.identity,
                    &p.pnr_index,
                    &before.id,
                    before.unit.as_str(),
                    &before.doc,
                    &before.identity
                ],
            )? as usize;
        }
        for (h, before) in households {
            n += db.exec(
                "update household set doc = $1 where unit_code = $2 and id = $3 and doc = $4",
                p![&h.doc, h.unit.as_str(), &h.id, before],
            )? as usize;
        }
        for (id, index, sealed, before) in requests {
            n += db.exec(
                "update registration_request set pnr_index = $1, sealed = $2 where id = $3 and sealed = $4",
                p![index, sealed, *id, before],
            )? as usize;
        }
        Ok(())
    })?;
    Ok(n)
}

pub(crate) fn registration_requests(
    db: &mut dyn Sql,
    unit: &UnitCode,
    open_only: bool,
) -> Result<Vec<RegistrationRequestRow>> {
    db.all(
        &format!(
            "{REQUEST_COLUMNS} where unit_code = $1 and (not $2 or resolved_at is null) order by id desc limit 1000"
        ),
        p![unit.as_str(), open_only],
        request_row,
    )
}

/// Resolves open request `id` of the municipality as `resolution`, by user `by`.
pub(crate) fn resolve_registration_request(
    b: &mut (impl Backend + ?Sized),
    (unit, id): (&UnitCode, i64),
    (resolution, by): (&str, Option<i64>),
    audit: &AuditEntry,
) -> Result<bool> {
    audited_if(b, audit, |db| {
        Ok(db.exec(
            "update registration_request set resolved_at = $1, resolved_by = $2, resolution = $3
             where id = $4 and unit_code = $5 and resolved_at is null",
            p![&audit.at, by, resolution, id, unit.as_str()],
        )? > 0)
    })
}

// ---- parts of the backends' own operations ----------------------------------------------

/// The ids of the known indicators and the codes of the known units.
pub(crate) fn known_sets(db: &mut dyn Sql) -> Result<(HashSet<String>, HashSet<String>)> {
    let ind = db.all("select id from indicator", &[], |r| r.text(0))?;
    let units = db.all("select code from unit", &[], |r| r.text(0))?;
    Ok((ind.into_iter().collect(), units.into_iter().collect()))
}

/// The batch that imported a file with this content before, if one did.
pub(crate) fn imported_batch(db: &mut dyn Sql, content_sha256: &str) -> Result<Option<i64>> {
    db.opt(
        "select id from batch where content_sha256 = $1",
        p![content_sha256],
        |r| r.int(0),
    )
}

/// The audit entry of an import that changed nothing, on its own.
pub(crate) fn audit_alone(
    b: &mut (impl Backend + ?Sized),
    batch: &NewBatch,
    outcome: &ImportOutcome,
) -> Result<()> {
    match batch.audit_of(outcome) {
        Some(a) => append_audit(b, &a),
        None => Ok(()),
    }
}

/// Appends reads to the read log's chain, each with the HMAC of the one before. The caller
/// holds the table's write lock in its transaction, so two writers cannot read the same
/// head and fork the chain.
pub(crate) fn append_reads(
    db: &mut dyn Sql,
    entries: &[ReadLogEntry],
    mac: ChainMac,
) -> Result<()> {
    let last = db.opt(
        "select id, mac from read_log order by id desc limit 1",
        &[],
        |r| Ok((r.opt_text(1)?.unwrap_or_default(), r.int(0)? + 1)),
    )?;
    let (mut prev, mut next) = match last {
        Some(head) => head,
        None => db
            .opt(
                "select through_id, mac from read_log_checkpoint order by id desc limit 1",
                &[],
                |r| Ok((r.text(1)?, r.int(0)? + 1)),
            )?
            .unwrap_or((String::new(), 1)),
    };
    for e in entries {
        let e = ReadLogEntry {
            id: next,
            ..e.clone()
        };
        let m = mac(&prev, &e);
        db.exec(
            "insert into read_log (id, at, user_id, via, person_id, unit_code, view, related, mac) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            p![e.id, &e.at, e.user_id, &e.via, &e.person_id, &e.unit_code, &e.view, e.related, &m],
        )?;
        prev = m;
        next += 1;
    }
    Ok(())
}

// ---- the strategy library ----------------------------------------------------------------

pub(crate) fn add_library_entry(
    b: &mut (impl Backend + ?Sized),
    e: &NewLibraryEntry,
    paragraphs: &[(Option<i32>, String)],
    audit: &AuditEntry,
) -> Result<i64> {
    let original = e.original.as_deref();
    let e = &e.meta;
    if let Some(sha) = &e.content_sha256 {
        let held = b.sql().opt(
            "select id from library_entry where content_sha256 = $1",
            p![sha],
            |r| r.int(0),
        )?;
        if let Some(id) = held {
            return Err(StoreError::Conflict(format!(
                "the same document is already in the library (entry {id})"
            )));
        }
    }
    let mut id = 0;
    b.in_tx(&mut |db| {
        id = db.one(
            "insert into library_entry (unit_code, title, year, kind, source, file_name, media_type, content_sha256, original, added_by, added_for, added_at, published)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
            p![
                &e.unit_code,
                &e.title,
                e.year,
                &e.kind,
                &e.source,
                &e.file_name,
                &e.media_type,
                &e.content_sha256,
                original,
                e.added_by,
                &e.added_for,
                &e.added_at,
                e.published,
            ],
            |r| r.int(0),
        )?;
        for (n, (page, body)) in paragraphs.iter().enumerate() {
            let n = i32::try_from(n).map_err(|_| StoreError::Corrupt("too many paragraphs".into()))?;
            db.exec(
                "insert into library_paragraph (entry_id, n, page, body) values ($1, $2, $3, $4)",
                p![id, n, *page, body],
            )?;
        }
        library_changed(db, id, "add", &e.added_at)?;
        let audit = AuditEntry {
            object: format!("library:{id}"),
            ..audit.clone()
        };
        insert_audit(db, &audit)
    })?;
    Ok(id)
}

pub(crate) fn library_entries(db: &mut dyn Sql) -> Result<Vec<LibraryEntry>> {
    db.all(
        "select e.id, e.unit_code, e.title, e.year, e.kind, e.source, e.file_name, e.media_type, e.content_sha256,
                e.added_by, e.added_for, e.added_at,
                (select count(*) from library_paragraph p where p.entry_id = e.id), e.published
         from library_entry e order by e.unit_code, e.title, e.id",
        &[],
        |r| {
            Ok(LibraryEntry {
                id: r.int(0)?,
                meta: LibraryMeta {
                unit_code: r.text(1)?,
                title: r.text(2)?,
                year: r.opt_int4(3)?,
                kind: r.text(4)?,
                source: r.opt_text(5)?,
                file_name: r.opt_text(6)?,
                media_type: r.opt_text(7)?,
                content_sha256: r.opt_text(8)?,
                added_by: r.opt_int(9)?,
                added_for: r.opt_text(10)?,
                added_at: r.text(11)?,
                published: r.boolean(13)?,
                },
                paragraphs: r.int(12)?,
            })
        },
    )
}

pub(crate) fn library_paragraphs(
    db: &mut dyn Sql,
    entry: Option<i64>,
) -> Result<Vec<LibraryParagraph>> {
    db.all(
        "select entry_id, n, page, body from library_paragraph
         where cast($1 as bigint) is null or entry_id = $1 order by entry_id, n",
        p![entry],
        |r| {
            Ok(LibraryParagraph {
                entry_id: r.int(0)?,
                n: r.int4(1)?,
                page: r.opt_int4(2)?,
                body: r.text(3)?,
            })
        },
    )
}

pub(crate) fn add_library_listings(
    b: &mut (impl Backend + ?Sized),
    listings: &[LibraryListing],
) -> Result<usize> {
    let mut added = 0;
    b.in_tx(&mut |db| {
        added = 0;
        for l in listings {
            added += db.exec(
                "insert into library_listing (listed_in, line, title, unit_code, year, kind)
                 values ($1, $2, $3, $4, $5, $6)
                 on conflict (listed_in, line) do nothing",
                p![
                    &l.listed_in,
                    l.line,
                    &l.title,
                    &l.unit_code,
                    l.year,
                    &l.kind
                ],
            )? as usize;
        }
        Ok(())
    })?;
    Ok(added)
}

pub(crate) fn library_listings(db: &mut dyn Sql) -> Result<Vec<LibraryListing>> {
    db.all(
        "select listed_in, line, title, unit_code, year, kind from library_listing
         order by listed_in, line",
        &[],
        |r| {
            Ok(LibraryListing {
                listed_in: r.text(0)?,
                line: r.int4(1)?,
                title: r.text(2)?,
                unit_code: r.opt_text(3)?,
                year: r.opt_int4(4)?,
                kind: r.text(5)?,
            })
        },
    )
}

/// Changes what an entry says it is (municipality, title, year, kind, source), with its
/// audit entry, in one transaction; `false` when there is no such entry.
pub(crate) fn change_library_entry(
    b: &mut (impl Backend + ?Sized),
    id: i64,
    m: &LibraryMeta,
    audit: &AuditEntry,
) -> Result<bool> {
    let mut changed = false;
    b.in_tx(&mut |db| {
        changed = db.exec(
            "update library_entry set unit_code = $1, title = $2, year = $3, kind = $4, source = $5, published = $6 where id = $7",
            p![&m.unit_code, &m.title, m.year, &m.kind, &m.source, m.published, id],
        )? == 1;
        if changed {
            library_changed(db, id, "change", &audit.at)?;
            insert_audit(db, audit)?;
        }
        Ok(())
    })?;
    Ok(changed)
}

/// Removes an entry, its paragraphs and its original, with its audit entry, in one
/// transaction; `false` when there is no such entry.
pub(crate) fn remove_library_entry(
    b: &mut (impl Backend + ?Sized),
    id: i64,
    audit: &AuditEntry,
) -> Result<bool> {
    let mut removed = false;
    b.in_tx(&mut |db| {
        db.exec("delete from library_paragraph where entry_id = $1", p![id])?;
        db.exec(
            "delete from library_draft_review where entry_id = $1",
            p![id],
        )?;
        removed = db.exec("delete from library_entry where id = $1", p![id])? == 1;
        if removed {
            library_changed(db, id, "remove", &audit.at)?;
            insert_audit(db, audit)?;
        }
        Ok(())
    })?;
    Ok(removed)
}

pub(crate) fn library_version(db: &mut dyn Sql) -> Result<(i64, i64)> {
    db.one(
        "select (select count(*) from library_entry),
                (select cast(coalesce(max(id), 0) as bigint) from library_change)",
        &[],
        |r| Ok((r.int(0)?, r.int(1)?)),
    )
}

/// A row of the library's change sequence, inside the caller's transaction.
fn library_changed(db: &mut dyn Sql, entry_id: i64, action: &str, at: &str) -> Result<()> {
    db.exec(
        "insert into library_change (entry_id, action, at) values ($1, $2, $3)",
        p![entry_id, action, at],
    )?;
    Ok(())
}

/// Applies the migrations not yet applied, each in its own transaction with its line in
/// `schema_migration` (which `log_table` creates where it is missing).
pub(crate) fn migrate(b: &mut dyn Backend, dialect: Dialect, log_table: &str) -> Result<()> {
    b.sql().script(log_table)?;
    for (version, _, sql) in crate::backend::MIGRATIONS {
        let done = b.sql().opt(
            "select version from schema_migration where version = $1",
            p![*version],
            |r| r.int(0),
        )?;
        if done.is_none() {
            let sql = crate::backend::render_migration(sql, dialect);
            b.in_tx(&mut |tx| {
                tx.script(&sql)?;
                tx.exec(
                    "insert into schema_migration (version) values ($1)",
                    p![*version],
                )?;
                Ok(())
            })?;
        }
    }
    Ok(())
}
