//! The server's log (use-case issue, point 5): one structured line per request with its id,
//! route, status and time, and an internal error with its causes — and never personal data:
//! a register write and a failed login leave no personnummer, name, free text, username or
//! password in it.

mod common;

use common::{hidden, login_at, Client};
use etablera_app::accounts::Password;
use etablera_domain::access::RegisterRole;
use std::io::Write;
use std::sync::{Arc, Mutex};

const PW: &str = "ett långt testlösenord";
const KEY: &str = "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// Everything logged in this process.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[test]
fn the_log_has_requests_and_no_personal_data() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .init();
    for mut t in etablera_store::testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        etablera_app::accounts::add_user(s, "cw", "cw", &Password::new(PW), false, None).unwrap();
        etablera_app::accounts::set_register_role(
            s,
            "cw",
            "2380",
            Some(RegisterRole::CaseWorker),
            None,
        )
        .unwrap();
        let (base, _stop) = common::serve(etablera_web::Config {
            database: t.address.clone(),
            register_keys: Some(Arc::new(etablera_vault::Keyring::parse(KEY).unwrap())),
            ..Default::default()
        });
        captured.0.lock().unwrap().clear();

        let mut cw = login_at(&base, b, "cw", PW);
        let csrf = hidden(&cw.get(&format!("{base}/")).body, "csrf");
        let r = cw.post_form(
            &format!("{base}/register/2380/persons"),
            &[
                ("csrf", &csrf),
                ("namn", "Zlatan Loggsson"),
                ("personnummer", "19811218-9876"),
                ("kon", "M"),
                ("fodelseland", "Syrien"),
                ("kategori", "anvisad"),
                ("ankomst", "2025-05-01"),
                ("telefon", "070-999 88 77"),
                ("adress", "Hemligvägen 12"),
            ],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let person = r.header("location").unwrap().to_string();
        let r = cw.post_form(
            &format!("{base}{person}/assessment"),
            &[
                ("csrf", &csrf),
                ("need_language", "large"),
                ("note_language", "känslig-anteckning-om-hälsa"),
            ],
        );
        assert!(r.status < 400, "{b}: {}", r.body);
        // A failed login.
        let mut anon = Client::default();
        let page = anon.get(&format!("{base}/login")).body;
        let token = hidden(&page, "csrf");
        let r = anon.post_form(
            &format!("{base}/login"),
            &[
                ("csrf", &token),
                ("username", "okänd-användare-x"),
                ("password", "fel-lösenord-xyz"),
            ],
        );
        assert!(r.status >= 400 || r.status == 200, "{b}: {}", r.status);

        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            log.contains("route=\"/register/{unit}/persons\"") && log.contains("status=303"),
            "{b}: the register write is logged by route and status:\n{log}"
        );
        assert!(
            log.contains("route=\"/login\"") && log.contains("method=POST"),
            "{b}: the login is logged:\n{log}"
        );
        assert!(log.contains("id="), "{b}: with the request id:\n{log}");
        let person_id = person.rsplit('/').next().unwrap();
        for secret in [
            "Zlatan",
            "Loggsson",
            "19811218",
            "18-9876",
            "070-999",
            "Hemligvägen",
            "känslig-anteckning",
            "okänd-användare",
            "fel-lösenord",
            PW,
            person_id,
            &csrf,
        ] {
            assert!(!log.contains(secret), "{b}: «{secret}» in the log:\n{log}");
        }
    }
}
