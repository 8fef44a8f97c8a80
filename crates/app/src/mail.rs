//! E-mail that is sent: users' verified addresses, the reminders of the yearly round
//! (deadlines, returned reports) and the outbox's sender.
//!
//! Every message goes through the outbox table: written in the same transaction as what it
//! tells about (a returned report), or by the reminder job under a key that makes a
//! reminder asked for twice one message. [`send_due`] claims due messages for a while
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two server processes never claim the same
//! one), sends each through a [`Mailer`], and marks it sent, or counts the attempt and tries
//! again later (1, 2, 4 … minutes, at most six hours apart). Without SMTP settings the outbox
//! waits, and the admin's page says so.
//!
//! No message carries a newcomer's data, a comment or a reason: only a department's and a
//! strategy's names as the strategy has them, a deadline, a count and a link; what was
//! written is read on the page behind the link, after logging in.

use crate::conn::{Actor, Conn};
use crate::error::{Error, Result};
use crate::sessions::{random_token, sha256_hex};
use crate::{iso_utc, now_utc};
use etablera_domain::access::{allowed, Action};
use etablera_domain::round::TaskState;
use etablera_domain::{Date, UnitCode};
use etablera_store::{AuditEntry, Message, NewMessage};

/// Sends one message; the error says why not (for the outbox's `last_error` and the log).
pub trait Mailer: Send + Sync {
    fn send(&self, to: &str, subject: &str, body: &str) -> std::result::Result<(), String>;
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// STARTTLS on the submission port (587): the usual relay.
    #[default]
    Starttls,
    /// TLS from the start (465).
    Tls,
    /// No encryption: only for a relay on the same host or a test sink.
    None,
}

/// The SMTP settings of the configuration file's `[smtp]` table.
#[derive(Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// Better given as `ETABLERA_SMTP_PASSWORD` than in the file.
    pub password: Option<String>,
    /// The sender: "Etablera <etablera@kommun.se>".
    pub from: String,
    /// Seconds to wait for the server (default 20, at most 25: a claimed batch must be sent
    /// within its claim).
    pub timeout_secs: Option<u64>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .finish()
    }
}

/// A mailer over SMTP (lettre).
pub struct Smtp {
    transport: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("from", &self.from).finish()
    }
}

impl Smtp {
    /// The transport the settings describe; an error names the setting that is wrong.
    pub fn new(s: &SmtpSettings) -> std::result::Result<Smtp, String> {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Tls, TlsParameters};
        let from: lettre::message::Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("smtp.from `{}`: {e}", s.from))?;
        let tls = || TlsParameters::new(s.host.clone()).map_err(|e| format!("smtp.host: {e}"));
        let (tls, port) = match s.security {
            SmtpSecurity::Starttls => (Tls::Required(tls()?), 587),
            SmtpSecurity::Tls => (Tls::Wrapper(tls()?), 465),
            SmtpSecurity::None => (Tls::None, 25),
        };
        let mut b = lettre::SmtpTransport::builder_dangerous(s.host.as_str())
            .port(s.port.unwrap_or(port))
            .tls(tls)
            .timeout(Some(std::time::Duration::from_secs(
                s.timeout_secs.unwrap_or(20).clamp(1, 25),
            )));
        if let Some(user) = &s.username {
            let pw = std::env::var("ETABLERA_SMTP_PASSWORD")
                .ok()
                .or_else(|| s.password.clone())
                .unwrap_or_default();
            b = b.credentials(Credentials::new(user.clone(), pw));
        }
        Ok(Smtp {
            transport: b.build(),
            from,
        })
    }
}

impl Mailer for Smtp {
    fn send(&self, to: &str, subject: &str, body: &str) -> std::result::Result<(), String> {
        use lettre::Transport;
        let to: lettre::message::Mailbox = to.parse().map_err(|e| format!("to: {e}"))?;
        let msg = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(&msg)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What [`send_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub failed: usize,
}

/// How long a process holds the messages it claimed before another may take them.
const LEASE_SECS: i64 = 300;

/// How many messages a sender claims at once.
const CLAIM_BATCH: i64 = 10;

/// The delay before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes, at
/// most six hours.
pub fn retry_delay_secs(attempts: i64) -> i64 {
    (60i64 << attempts.clamp(0, 20)).min(6 * 3600)
}

/// Sends the due messages of the outbox (at most `limit`) through `mailer`.
/// Links go to `base_url` (the server's public address, such as
/// `https://etablera.kommun.se`); `now` is the clock (seconds since 1970; the server passes
/// `app::now_secs`).
pub fn send_due(
    conn: &mut Conn,
    mailer: &dyn Mailer,
    base_url: &str,
    now: i64,
    limit: i64,
) -> Result<Sent> {
    let base_url = base_url.trim_end_matches('/');
    conn.act_for("*")?;
    let s = conn.store();
    let mut out = Sent::default();
    let mut left = limit.clamp(1, 500);
    // A few at a time, so that a batch is sent well within its claim (at most
    // CLAIM_BATCH × the SMTP timeout of 25 s, under LEASE_SECS): a claim never runs out
    // while its sender is still at it, so no other process sends the same message.
    while left > 0 {
        let until = iso_utc(now + LEASE_SECS);
        let claimed = s.claim_mail(&iso_utc(now), &until, left.min(CLAIM_BATCH))?;
        if claimed.is_empty() {
            break;
        }
        left -= claimed.len() as i64;
        for m in claimed {
            match mailer.send(&m.to_address, &m.subject, &m.body.replace(BASE, base_url)) {
                Ok(()) => {
                    if s.mark_mail_sent(m.id, &iso_utc(now), &until)? {
                        out.sent += 1;
                    }
                }
                Err(e) => {
                    let next = iso_utc(now + retry_delay_secs(m.attempts));
                    let e: String = e.chars().filter(|c| !c.is_control()).take(500).collect();
                    tracing::warn!(message = m.id, kind = %m.kind, error = %e, "an e-mail was not sent; it is tried again later");
                    if s.mark_mail_failed(m.id, &until, &next, &e)? {
                        out.failed += 1;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The outbox as an administrator sees it: a municipality's admin their municipalities'
/// messages, a system administrator all.
pub fn outbox(conn: &mut Conn, actor: &Actor, limit: i64) -> Result<Vec<Message>> {
    conn.act_as(actor)?;
    let p = actor.principal().ok_or(Error::Unauthorized)?;
    let units: Option<Vec<String>> = if p.system_admin {
        None
    } else {
        let mine: Vec<String> = p
            .memberships
            .iter()
            .filter(|(u, _)| allowed(Some(p), Action::Administer, u, false))
            .map(|(u, _)| u.as_str().to_string())
            .collect();
        if mine.is_empty() {
            return Err(Error::Forbidden);
        }
        Some(mine)
    };
    Ok(conn
        .store()
        .mail_messages(units.as_deref(), limit.clamp(1, 1000))?)
}

/// Where a message's links name the server's public address: put in when it is sent
/// ([`send_due`]), so a message written inside an operation needs no configuration.
pub const BASE: &str = "{base}";

/// The link of a page, on the server's public address.
fn link(path: &str) -> String {
    format!("{BASE}{path}")
}

/// Checks an e-mail address as SMTP will take it: at most 254 characters, no spaces or
/// control characters.
pub fn valid_address(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.parse::<lettre::Address>().is_ok())
    .then(|| s.to_string())
}

/// Sets the actor's own e-mail address: stored unverified, with a message holding the link
/// that verifies it (`/konto/epost/{token}`). An empty address removes it.
pub fn set_own_email(conn: &mut Conn, actor: &Actor, address: &str) -> Result<()> {
    conn.act_as(actor)?;
    let user = actor.user_id().ok_or(Error::Unauthorized)?;
    let now = now_utc();
    let audit = AuditEntry::new(
        &now,
        Some(user),
        "user.email.set",
        &format!("user:{user}"),
        None,
    );
    if address.trim().is_empty() {
        conn.store()
            .set_user_email(user, None, None, None, &now, &audit)?;
        return Ok(());
    }
    let Some(address) = valid_address(address) else {
        return Err(Error::Fields(vec![(
            "email".into(),
            actor
                .t(
                    "Skriv en e-postadress som namn@kommun.se.",
                    "Write an e-mail address such as name@municipality.se.",
                )
                .into(),
        )]));
    };
    let token = random_token();
    let message = NewMessage {
        dedupe_key: format!("email.verify:{user}:{}", sha256_hex(&token)),
        unit_code: None,
        kind: "email.verify".into(),
        to_address: address.clone(),
        subject: "Bekräfta din e-postadress i Etablera / Confirm your e-mail address".into(),
        body: format!(
            "Bekräfta att adressen är din genom att öppna länken:\n{0}\n\nConfirm that the address is yours by opening the link:\n{0}\n\nOm du inte bad om detta kan du bortse från meddelandet. / If you did not ask for this, ignore the message.\n",
            link(&format!("/konto/epost/{token}"))
        ),
    };
    conn.store().set_user_email(
        user,
        Some(&address),
        Some(&sha256_hex(&token)),
        Some(&message),
        &now,
        &audit,
    )?;
    Ok(())
}

/// Verifies the address waiting for this link token; `NotFound` when none is.
pub fn verify_email(conn: &mut Conn, token: &str) -> Result<()> {
    conn.act_for("")?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound);
    }
    conn.store()
        .verify_user_email(&sha256_hex(token), &now_utc())?
        .map(|_| ())
        .ok_or(Error::NotFound)
}

/// The actor's own address and whether it is verified.
pub fn own_email(conn: &mut Conn, actor: &Actor) -> Result<Option<(String, bool)>> {
    conn.act_as(actor)?;
    let user = actor.user_id().ok_or(Error::Unauthorized)?;
    Ok(conn.store().user_email(user)?)
}

/// The message to a department's reporters that the strategist returned its report: the
/// strategy, the year, the department and a link; the comment itself is read on the page.
pub(crate) fn returned_messages(
    conn: &mut Conn,
    unit: &UnitCode,
    strategy_title: &str,
    path: &str,
    year: i32,
    department: (i64, &str),
    at: &str,
) -> Result<Vec<NewMessage>> {
    let (dept, name) = department;
    Ok(conn
        .store()
        .reporter_addresses(dept)?
        .into_iter()
        .map(|to| NewMessage {
            dedupe_key: format!("round.returned:{path}:{dept}:{at}:{to}"),
            unit_code: Some(unit.as_str().to_string()),
            kind: "round.returned".into(),
            subject: format!("Rapporten för {name} har skickats tillbaka / The report was returned"),
            body: format!(
                "Strategen har skickat tillbaka rapporten för {name} i uppföljningen {year} av {strategy_title} med en kommentar om vad som ska kompletteras. Läs kommentaren och lämna in rapporten igen:\n{0}\n\nThe strategist returned the report of {name} in the {year} follow-up of {strategy_title} with a comment on what to add. Read the comment and submit the report again:\n{0}\n",
                link(path)
            ),
            to_address: to,
        })
        .collect())
}

/// Puts the deadline reminders of every open round in the outbox: to the reporters of each
/// department that has not submitted (or was returned), once a day from `days` days before
/// the deadline and after it. The number of messages put in (a reminder already there for
/// the day is not put in again).
pub fn deadline_reminders(conn: &mut Conn, today: Date, days: i64) -> Result<u64> {
    conn.act_for("*")?;
    let s = conn.store();
    let mut msgs = Vec::new();
    for round in s.open_rounds()? {
        let Ok(deadline) = Date::parse(&round.deadline) else {
            continue;
        };
        let left = deadline.to_unix_days() - today.to_unix_days();
        if left > days {
            continue;
        }
        let Some(summary) = s
            .strategies()?
            .into_iter()
            .find(|x| x.id == round.strategy_id)
        else {
            continue;
        };
        let path = format!("/s/{}/omgangar/{}", round.strategy_id, round.year);
        for t in s.round_tasks(round.id)? {
            if !matches!(t.state, TaskState::Open | TaskState::Returned) {
                continue;
            }
            let name = &t.department.name;
            let when = if left >= 0 {
                format!("senast {deadline} ({left} dagar kvar) / by {deadline} ({left} days left)")
            } else {
                format!("{deadline}, som har passerat / {deadline}, which has passed")
            };
            for to in s.reporter_addresses(t.department.id)? {
                msgs.push(NewMessage {
                    dedupe_key: format!("round.deadline:{}:{}:{today}:{to}", round.id, t.department.id),
                    unit_code: Some(summary.owner.as_str().to_string()),
                    kind: "round.deadline".into(),
                    subject: format!("Påminnelse: uppföljningen {} för {name} / Reminder: the {} follow-up", round.year, round.year),
                    body: format!(
                        "{name} har inte lämnat in sin rapport i uppföljningen {year} av {title}. Sista dag: {when}.\n{link}\n\n{name} has not submitted its report in the {year} follow-up of {title}.\n{link}\n",
                        year = round.year,
                        title = summary.title,
                        link = link(&path),
                    ),
                    to_address: to,
                });
            }
        }
    }
    let now = now_utc();
    Ok(s.enqueue_mail(&msgs, &now, None)?)
}

/// Puts the register's review reminders in the outbox: to each case worker with a
/// confirmed address, the number of their open cases whose review is due within
/// [`crate::cases::DUE_WITHIN_DAYS`] days or overdue, per municipality, and the link to that
/// list; once a week (the key names the week's Monday). A count and a link, never a name:
/// nothing sealed is read, so nothing is written to the read log. The number put in.
pub fn review_reminders(conn: &mut Conn, today: Date) -> Result<u64> {
    conn.act_for("*")?;
    let monday =
        Date::from_unix_days(today.to_unix_days() - (today.to_unix_days() + 3).rem_euclid(7));
    let s = conn.store();
    let mut due: std::collections::BTreeMap<(String, i64), usize> = Default::default();
    for row in s.all_persons()? {
        let Some(cw) = row.case_worker else { continue };
        if row.closed_on.is_some() || row.anonymised {
            continue;
        }
        let p = crate::register::person_of(&row)?;
        if p.closed.is_none() && crate::cases::review_due(&p, today) {
            *due.entry((row.unit.as_str().to_string(), cw)).or_default() += 1;
        }
    }
    let mut msgs = Vec::new();
    for ((unit, user), n) in due {
        let Some((to, true)) = s.user_email(user)? else {
            continue;
        };
        msgs.push(NewMessage {
            dedupe_key: format!("register.review:{unit}:{user}:{monday}"),
            unit_code: Some(unit.clone()),
            kind: "register.review".into(),
            subject: format!("{n} uppföljningar av individuella planer förfaller / {n} plan reviews fall due"),
            body: format!(
                "{n} av dina ärenden har en uppföljning av den individuella planen som förfaller inom {days} dagar eller har passerat:\n{link}\n\n{n} of your cases have a review of the individual plan due within {days} days or overdue:\n{link}\n",
                days = crate::cases::DUE_WITHIN_DAYS,
                link = link(&format!("/register/{unit}?mine=1&due=1")),
            ),
            to_address: to,
        });
    }
    let now = now_utc();
    Ok(s.enqueue_mail(&msgs, &now, None)?)
}
