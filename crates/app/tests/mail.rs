//! E-mail against a local SMTP sink the test starts (a small SMTP server speaking RFC 5321
//! on a free port), on both databases: a user's address is verified by the link sent to it;
//! a deadline reminder and a returned report arrive once each, however often the reminder
//! job and the sender run; a server that refuses a message (451) gets it again later, once;
//! an unverified reporter gets nothing; no newcomer's name is in any message; two senders at
//! once send each message once.

use etablera_app::mail::{self, Mailer, Smtp, SmtpSecurity, SmtpSettings};
use etablera_app::{rounds, Actor, Conn};
use etablera_domain::access::{Principal, Role};
use etablera_domain::{ActivityStatus, Date, Lang, UnitCode};
use etablera_store::{testing, AuditEntry, NewMessage, NewUser, Store};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A message as the sink received it: recipients and the decoded text.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: String,
}

struct Sink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    /// How many of the next messages to refuse with 451.
    refuse: Arc<AtomicUsize>,
}

fn sink() -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let refuse = Arc::new(AtomicUsize::new(0));
    let (r2, f2) = (received.clone(), refuse.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (r, f) = (r2.clone(), f2.clone());
            std::thread::spawn(move || {
                let mut w = stream.try_clone().unwrap();
                let mut rd = BufReader::new(stream);
                let mut to = Vec::new();
                let _ = w.write_all(b"220 sink ESMTP\r\n");
                let mut line = String::new();
                loop {
                    line.clear();
                    if rd.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let answer: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    } else if cmd.starts_with("HELO")
                        || cmd.starts_with("MAIL")
                        || cmd.starts_with("RSET")
                        || cmd.starts_with("NOOP")
                    {
                        b"250 OK\r\n"
                    } else if cmd.starts_with("RCPT") {
                        let addr = line.split(['<', '>']).nth(1).unwrap_or("").to_string();
                        to.push(addr);
                        b"250 OK\r\n"
                    } else if cmd == "DATA" {
                        if f.load(Ordering::SeqCst) > 0 {
                            f.fetch_sub(1, Ordering::SeqCst);
                            to.clear();
                            b"451 4.3.0 try again later\r\n"
                        } else {
                            let _ = w.write_all(b"354 go ahead\r\n");
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if rd.read_line(&mut l).unwrap_or(0) == 0 {
                                    return;
                                }
                                if l == ".\r\n" {
                                    break;
                                }
                                data.push_str(
                                    l.strip_prefix('.')
                                        .filter(|_| l.starts_with(".."))
                                        .unwrap_or(&l),
                                );
                            }
                            r.lock().unwrap().push(Received {
                                to: std::mem::take(&mut to),
                                data: decode(&data),
                            });
                            b"250 OK queued\r\n"
                        }
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        b"502 not implemented\r\n"
                    };
                    let _ = w.write_all(answer);
                }
            });
        }
    });
    Sink {
        port,
        received,
        refuse,
    }
}

/// The message's headers and body, the body decoded from quoted-printable or base64 (RFC
/// 2045) as the header says, and encoded words in the subject (RFC 2047, base64) decoded.
fn decode(data: &str) -> String {
    let (head, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    let lower = head.to_ascii_lowercase();
    let body = if lower.contains("content-transfer-encoding: base64") {
        String::from_utf8(b64(&body.replace("\r\n", ""))).unwrap()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let b = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                if let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    };
    let mut head_out = String::new();
    for part in head.split("=?") {
        if let Some(rest) = part
            .strip_prefix("utf-8?b?")
            .or_else(|| part.strip_prefix("utf-8?B?"))
        {
            let (enc, after) = rest.split_once("?=").unwrap_or((rest, ""));
            head_out.push_str(&String::from_utf8_lossy(&b64(enc)));
            head_out.push_str(after);
        } else {
            head_out.push_str(part);
        }
    }
    format!("{head_out}\n\n{body}")
}

fn b64(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = alphabet.iter().position(|a| *a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn smtp(port: u16) -> Smtp {
    Smtp::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Etablera <etablera@kommun.example>".into(),
        timeout_secs: Some(5),
    })
    .unwrap()
}

fn user(s: &mut dyn Store, name: &str, role: Role) -> Actor {
    let audit = AuditEntry::new("2026-12-01T00:00:00Z", None, "user.create", name, None);
    let id = s
        .create_user(
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                password_hash: None,
                system_admin: false,
            },
            &audit,
        )
        .unwrap();
    let osd = UnitCode::parse("2380").unwrap();
    s.set_role(id, &osd, Some(role), &audit).unwrap();
    Actor::new(
        Some(Principal {
            user_id: id,
            system_admin: false,
            memberships: vec![(osd, role)],
            register: vec![],
        }),
        Lang::Sv,
    )
}

const BASE: &str = "https://etablera.kommun.example";

#[test]
fn reminders_and_returned_reports_arrive_once_and_a_refusing_server_gets_them_later() {
    for mut t in testing::all() {
        let b = t.backend;
        let sink = sink();
        let mailer = smtp(sink.port);
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("strategi.toml");
        std::fs::write(&file, etablera_app::demo::STRATEGIES[0].1).unwrap();
        let s = etablera_app::operator::load_strategy(&mut conn, &file).unwrap();
        let st = t.store.as_mut();
        let strategist = user(st, "strateg", Role::Strategist);
        let admin = user(st, "admin", Role::Admin);
        let upph = user(st, "upph", Role::Viewer);
        let quiet = user(st, "tyst", Role::Viewer);
        // A fictitious caseload: its names must be in no message.
        let keys = etablera_vault::Keyring::parse(
            "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        )
        .unwrap();
        let osd = UnitCode::parse("2380").unwrap();
        let today = etablera_app::register::today();
        let caseworker = user(st, "handlaggare", Role::Viewer);
        let mut names = Vec::new();
        let mut due = 0;
        for mut case in etablera_app::register_demo::caseload(&osd, 20, 3, 2024, today) {
            if let Some(id) = &case.identity {
                names.push(id.name.clone());
            }
            case.person.case_worker = caseworker.user_id();
            if case.person.closed.is_none() && etablera_app::cases::review_due(&case.person, today)
            {
                due += 1;
            }
            etablera_app::register::save(st, &keys, &case, None, "person.create").unwrap();
        }
        assert!(names.len() >= 20 && due > 0, "{b}: {due} due");

        // The address is verified by the link sent to it; an address that is not an
        // address is refused.
        assert!(mail::set_own_email(&mut conn, &upph, "inte en adress").is_err());
        mail::set_own_email(&mut conn, &upph, "ulla@kommun.example").unwrap();
        mail::set_own_email(&mut conn, &quiet, "tyst@kommun.example").unwrap();
        mail::set_own_email(&mut conn, &caseworker, "hanna@kommun.example").unwrap();
        let sent = mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs(), 50).unwrap();
        assert_eq!((sent.sent, sent.failed), (3, 0), "{b}");
        let verify = sink.received.lock().unwrap()[0].clone();
        assert_eq!(verify.to, ["ulla@kommun.example"], "{b}");
        let at = verify.data.find(&format!("{BASE}/konto/epost/")).unwrap();
        let token: String = verify.data[at + BASE.len() + 13..]
            .chars()
            .take(64)
            .collect();
        assert!(matches!(
            mail::verify_email(&mut conn, &"0".repeat(64)),
            Err(etablera_app::Error::NotFound)
        ));
        mail::verify_email(&mut conn, &token).unwrap();
        assert_eq!(
            mail::own_email(&mut conn, &upph).unwrap(),
            Some(("ulla@kommun.example".into(), true))
        );
        assert_eq!(
            mail::own_email(&mut conn, &quiet).unwrap(),
            Some(("tyst@kommun.example".into(), false))
        );
        // A link is good once.
        assert!(mail::verify_email(&mut conn, &token).is_err());
        let hanna = sink.received.lock().unwrap()[2].clone();
        assert_eq!(hanna.to, ["hanna@kommun.example"], "{b}");
        let at = hanna.data.find(&format!("{BASE}/konto/epost/")).unwrap();
        let token: String = hanna.data[at + BASE.len() + 13..]
            .chars()
            .take(64)
            .collect();
        mail::verify_email(&mut conn, &token).unwrap();
        // The register's reviews that fall due: a count and a link to the case worker, once
        // a week however often asked.
        assert_eq!(mail::review_reminders(&mut conn, today).unwrap(), 1, "{b}");
        assert_eq!(mail::review_reminders(&mut conn, today).unwrap(), 0, "{b}");
        let sent = mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs(), 50).unwrap();
        assert_eq!(sent.sent, 1, "{b}");

        // A round with its deadline in three days; both are reporters of procurement.
        let deadline = Date::from_unix_days(today.to_unix_days() + 3);
        let v = rounds::open(&mut conn, &strategist, &s.id, 2020, &deadline.to_string()).unwrap();
        let dept = v
            .tasks
            .iter()
            .find(|t| t.department.name == "Upphandlingsenheten")
            .unwrap()
            .department
            .id;
        for u in [&upph, &quiet] {
            rounds::set_reporter(&mut conn, &admin, &osd, u.user_id().unwrap(), dept, true)
                .unwrap();
        }
        // Too early (deadline more than a day away with a one-day window): nothing.
        assert_eq!(
            mail::deadline_reminders(&mut conn, today, 1).unwrap(),
            0,
            "{b}"
        );
        assert_eq!(
            mail::deadline_reminders(&mut conn, today, 7).unwrap(),
            1,
            "{b}"
        );
        assert_eq!(
            mail::deadline_reminders(&mut conn, today, 7).unwrap(),
            0,
            "{b}: asked twice, put in once"
        );
        let sent = mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs(), 50).unwrap();
        assert_eq!(sent.sent, 1, "{b}");
        assert_eq!(
            mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs(), 50)
                .unwrap()
                .sent,
            0,
            "{b}"
        );

        // The report is returned while the server refuses: tried again later, arrives once.
        rounds::report_activity(
            &mut conn,
            &upph,
            &s.id,
            2020,
            dept,
            "hp-2019-2",
            ActivityStatus::Done,
            Some("Klart"),
        )
        .unwrap();
        rounds::submit(&mut conn, &upph, &s.id, 2020, dept).unwrap();
        rounds::review(
            &mut conn,
            &strategist,
            &s.id,
            2020,
            dept,
            false,
            Some("Ange antal avtal"),
        )
        .unwrap();
        sink.refuse.store(1, Ordering::SeqCst);
        let sent = mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs(), 50).unwrap();
        assert_eq!((sent.sent, sent.failed), (0, 1), "{b}");
        assert_eq!(
            mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs() + 10, 50).unwrap(),
            mail::Sent::default(),
            "{b}: not yet due again"
        );
        let sent =
            mail::send_due(&mut conn, &mailer, BASE, etablera_app::now_secs() + 61, 50).unwrap();
        assert_eq!((sent.sent, sent.failed), (1, 0), "{b}");
        let outbox = mail::outbox(&mut conn, &admin, 100).unwrap();
        let returned = outbox.iter().find(|m| m.kind == "round.returned").unwrap();
        assert_eq!(returned.attempts, 2, "{b}");
        assert!(
            returned.sent_at.is_some() && returned.last_error.is_none(),
            "{b}"
        );
        // A strategist is not shown the outbox.
        assert!(mail::outbox(&mut conn, &strategist, 100).is_err());

        let got = sink.received.lock().unwrap().clone();
        let kinds: Vec<(&str, &str)> = got
            .iter()
            .map(|m| {
                let kind = if m.data.contains("/konto/epost/") {
                    "verify"
                } else if m.data.contains("har inte lämnat in") {
                    "deadline"
                } else if m.data.contains("har skickat tillbaka") {
                    "returned"
                } else if m.data.contains("av dina ärenden") {
                    "review"
                } else {
                    "other"
                };
                (m.to[0].as_str(), kind)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("ulla@kommun.example", "verify"),
                ("tyst@kommun.example", "verify"),
                ("hanna@kommun.example", "verify"),
                ("hanna@kommun.example", "review"),
                ("ulla@kommun.example", "deadline"),
                ("ulla@kommun.example", "returned"),
            ],
            "{b}: the unverified reporter gets no reminder"
        );
        for m in &got {
            assert!(
                m.data.contains(&format!("{BASE}/")),
                "{b}: a link on the public address"
            );
            assert!(!m.data.contains(mail::BASE), "{b}");
            assert!(
                !m.data.contains("Ange antal avtal"),
                "{b}: no free text in an e-mail"
            );
            for n in &names {
                assert!(
                    !m.data.contains(n.as_str()),
                    "{b}: a newcomer's name in a message"
                );
            }
        }
        assert!(
            got[4].data.contains("Upphandlingsenheten")
                && got[4].data.contains(&deadline.to_string())
                && got[3].data.contains(&format!("{due} av dina ärenden"))
                && got[3].data.contains("/register/2380?mine=1&due=1"),
            "{b}"
        );
    }
}

/// A mailer that counts each message it is handed, slowly.
struct Counting(Mutex<Vec<String>>);

impl Mailer for Counting {
    fn send(&self, to: &str, _subject: &str, _body: &str) -> Result<(), String> {
        std::thread::sleep(std::time::Duration::from_millis(5));
        self.0.lock().unwrap().push(to.to_string());
        Ok(())
    }
}

#[test]
fn two_senders_at_once_send_each_message_once() {
    for t in testing::all() {
        let b = t.backend;
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        let mut st = etablera_store::open(&t.address).unwrap();
        let msgs: Vec<NewMessage> = (0..60)
            .map(|i| NewMessage {
                dedupe_key: format!("test:{i}"),
                unit_code: Some("2380".into()),
                kind: "test".into(),
                to_address: format!("m{i}@kommun.example"),
                subject: "Test".into(),
                body: "Test".into(),
            })
            .collect();
        assert_eq!(
            st.enqueue_mail(&msgs, "2026-01-01T00:00:00Z", None)
                .unwrap(),
            60
        );
        assert_eq!(
            st.enqueue_mail(&msgs, "2026-01-01T00:00:00Z", None)
                .unwrap(),
            0,
            "{b}: a key twice is one message"
        );
        let counting = Arc::new(Counting(Mutex::new(Vec::new())));
        let now = etablera_app::now_secs();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (address, counting) = (t.address.clone(), counting.clone());
                std::thread::spawn(move || {
                    let mut conn = Conn::open(&address).unwrap();
                    let mut total = 0;
                    for _ in 0..10 {
                        total += mail::send_due(&mut conn, counting.as_ref(), BASE, now, 7)
                            .unwrap()
                            .sent;
                    }
                    total
                })
            })
            .collect();
        let sent: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
        let mut seen = counting.0.lock().unwrap().clone();
        assert_eq!(sent, 60, "{b}");
        seen.sort();
        let n = seen.len();
        seen.dedup();
        assert_eq!((n, seen.len()), (60, 60), "{b}: every message once");
    }
}
