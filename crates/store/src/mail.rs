//! Users' e-mail addresses and the outbox (see migration 0018). SQL written once; the one
//! difference is the claim's row lock, which PostgreSQL takes with `FOR UPDATE SKIP LOCKED`
//! (SQLite has one writer at a time, so its transaction alone keeps two claims apart).

use crate::backend::{p, Backend, Dialect, Get, Sql};
use crate::shared::insert_audit;
use crate::{AuditEntry, Result};

/// A message to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The same key twice is one message (a reminder asked for again is not sent again).
    pub dedupe_key: String,
    pub unit_code: Option<String>,
    /// What it is about: `round.returned`, `round.deadline`, `email.verify`, …
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub id: i64,
    pub dedupe_key: String,
    pub unit_code: Option<String>,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

const MESSAGE_SELECT: &str =
    "select id, dedupe_key, unit_code, kind, to_address, subject, body, created_at,
    cast(attempts as bigint), next_attempt_at, sent_at, last_error from outbox";

fn message_row(r: &dyn Get) -> Result<Message> {
    Ok(Message {
        id: r.int(0)?,
        dedupe_key: r.text(1)?,
        unit_code: r.opt_text(2)?,
        kind: r.text(3)?,
        to_address: r.text(4)?,
        subject: r.text(5)?,
        body: r.text(6)?,
        created_at: r.text(7)?,
        attempts: r.int(8)?,
        next_attempt_at: r.text(9)?,
        sent_at: r.opt_text(10)?,
        last_error: r.opt_text(11)?,
    })
}

/// Puts messages in the outbox inside a transaction the caller holds; a message whose key
/// is already there is left out. The number put in.
pub(crate) fn enqueue(db: &mut dyn Sql, msgs: &[NewMessage], now: &str) -> Result<u64> {
    let mut n = 0;
    for m in msgs {
        n += db.exec(
            "insert into outbox (dedupe_key, unit_code, kind, to_address, subject, body, created_at, next_attempt_at)
             values ($1, $2, $3, $4, $5, $6, $7, $7) on conflict (dedupe_key) do nothing",
            p![&m.dedupe_key, &m.unit_code, &m.kind, &m.to_address, &m.subject, &m.body, now],
        )?;
    }
    Ok(n)
}

/// Puts messages in the outbox, with an audit entry when one is given, in one transaction.
pub(crate) fn enqueue_all(
    b: &mut (impl Backend + ?Sized),
    msgs: &[NewMessage],
    now: &str,
    audit: Option<&AuditEntry>,
) -> Result<u64> {
    let mut n = 0;
    b.in_tx(&mut |db| {
        n = enqueue(db, msgs, now)?;
        if let Some(a) = audit {
            insert_audit(db, a)?;
        }
        Ok(())
    })?;
    Ok(n)
}

/// Claims up to `limit` due messages (not sent, due by `now`, not claimed by another
/// process until after `now`) until `until`, in one transaction.
pub(crate) fn claim(
    b: &mut (impl Backend + ?Sized),
    dialect: Dialect,
    now: &str,
    until: &str,
    limit: i64,
) -> Result<Vec<Message>> {
    let lock = match dialect {
        Dialect::Postgres => " for update skip locked",
        Dialect::Sqlite => "",
    };
    let select = format!(
        "{MESSAGE_SELECT} where sent_at is null and next_attempt_at <= $1
           and (claimed_until is null or claimed_until <= $1)
         order by id limit $2{lock}"
    );
    let mut out = Vec::new();
    b.in_tx(&mut |db| {
        out = db.all(&select, p![now, limit], message_row)?;
        for m in &out {
            db.exec(
                "update outbox set claimed_until = $1 where id = $2",
                p![until, m.id],
            )?;
        }
        Ok(())
    })?;
    Ok(out)
}

/// Marks a message sent that this sender still holds (claimed until `until`); false when
/// its claim ran out and another sender took it. A link to confirm an address is blanked
/// once sent: its token is kept only as a hash.
pub(crate) fn mark_sent(db: &mut dyn Sql, id: i64, now: &str, until: &str) -> Result<bool> {
    Ok(db.exec(
        "update outbox set sent_at = $1, claimed_until = null, attempts = attempts + 1, last_error = null,
           body = case when kind = 'email.verify' then '' else body end
         where id = $2 and claimed_until = $3",
        p![now, id, until],
    )? == 1)
}

/// Counts a failed attempt at a message this sender still holds and sets when to try
/// again; false when its claim ran out.
pub(crate) fn mark_failed(
    db: &mut dyn Sql,
    id: i64,
    until: &str,
    next: &str,
    error: &str,
) -> Result<bool> {
    Ok(db.exec(
        "update outbox set claimed_until = null, attempts = attempts + 1, next_attempt_at = $1, last_error = $2
         where id = $3 and claimed_until = $4",
        p![next, error, id, until],
    )? == 1)
}

/// The newest messages first (the admin's view), of the municipalities named, or all.
pub(crate) fn messages(
    db: &mut dyn Sql,
    units: Option<&[String]>,
    limit: i64,
) -> Result<Vec<Message>> {
    match units {
        None => db.all(
            &format!("{MESSAGE_SELECT} order by id desc limit $1"),
            p![limit],
            message_row,
        ),
        Some(u) => {
            // One query per municipality (an admin has few), each its newest `limit`.
            let mut out = Vec::new();
            for code in u {
                out.extend(db.all(
                    &format!("{MESSAGE_SELECT} where unit_code = $1 order by id desc limit $2"),
                    p![code, limit],
                    message_row,
                )?);
            }
            out.sort_by_key(|m| std::cmp::Reverse(m.id));
            out.truncate(limit.max(0) as usize);
            Ok(out)
        }
    }
}

/// A user's address and whether it is verified (never for a disabled account: it gets no
/// mail).
pub(crate) fn user_email(db: &mut dyn Sql, user_id: i64) -> Result<Option<(String, bool)>> {
    Ok(db
        .opt(
            "select email, case when disabled = false then email_verified_at end from app_user where id = $1",
            p![user_id],
            |r| {
                let verified = r.opt_text(1)?.is_some();
                Ok(r.opt_text(0)?.map(|e| (e, verified)))
            },
        )?
        .flatten())
}

/// Sets a user's address (unverified, with the hash of the link's token) and puts the
/// verification message in the outbox, with the audit entry, in one transaction. `None`
/// removes the address.
pub(crate) fn set_email(
    b: &mut (impl Backend + ?Sized),
    user_id: i64,
    email: Option<&str>,
    token_hash: Option<&str>,
    message: Option<&NewMessage>,
    now: &str,
    audit: &AuditEntry,
) -> Result<()> {
    b.in_tx(&mut |db| {
        db.exec(
            "update app_user set email = $1, email_verified_at = null, email_token_hash = $2 where id = $3",
            p![email, token_hash, user_id],
        )?;
        if let Some(m) = message {
            enqueue(db, std::slice::from_ref(m), now)?;
        }
        insert_audit(db, audit)
    })
}

/// Verifies the address whose link token hashes to `token_hash`: the user's id, or `None`
/// when no address waits for that token.
pub(crate) fn verify_email(
    b: &mut (impl Backend + ?Sized),
    token_hash: &str,
    now: &str,
) -> Result<Option<i64>> {
    let mut who = None;
    b.in_tx(&mut |db| {
        who = db.opt(
            "select id from app_user where email_token_hash = $1 and email is not null",
            p![token_hash],
            |r| r.int(0),
        )?;
        if let Some(id) = who {
            db.exec(
                "update app_user set email_verified_at = $1, email_token_hash = null where id = $2",
                p![now, id],
            )?;
            insert_audit(
                db,
                &AuditEntry::new(
                    now,
                    Some(id),
                    "user.email.verify",
                    &format!("user:{id}"),
                    None,
                ),
            )?;
        }
        Ok(())
    })?;
    Ok(who)
}

/// The verified addresses of a department's reporters.
pub(crate) fn reporter_addresses(db: &mut dyn Sql, department_id: i64) -> Result<Vec<String>> {
    db.all(
        "select u.email from department_reporter r join app_user u on u.id = r.user_id
           join department d on d.id = r.department_id
         where r.department_id = $1 and u.email is not null and u.email_verified_at is not null
           and u.disabled = false
           and exists (select 1 from membership m where m.user_id = u.id and m.unit_code = d.unit_code)
         order by u.id",
        p![department_id],
        |r| r.text(0),
    )
}

/// The outbox at a glance, for the metrics: messages waiting (not sent), of them those
/// that failed at least once, and messages sent.
pub(crate) fn counts(db: &mut dyn Sql) -> Result<(i64, i64, i64)> {
    db.one(
        "select cast(coalesce(sum(case when sent_at is null then 1 else 0 end), 0) as bigint),
                cast(coalesce(sum(case when sent_at is null and attempts > 0 then 1 else 0 end), 0) as bigint),
                cast(coalesce(sum(case when sent_at is not null then 1 else 0 end), 0) as bigint)
         from outbox",
        &[],
        |r| Ok((r.int(0)?, r.int(1)?, r.int(2)?)),
    )
}
