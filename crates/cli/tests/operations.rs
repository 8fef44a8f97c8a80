//! The operator's commands as the real binary runs them: `migrate --check` (exit 1 while
//! migrations are pending, writing nothing) and `migrate`; `backup` and `restore` of a
//! served database; and `serve` with JSON log lines (`ETABLERA_LOG_FORMAT=json`) and its
//! metrics on an address of their own (`ETABLERA_METRICS_ADDR`), counted by declared route.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn etablera(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["--database", db])
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn migrate_check_backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db").to_string_lossy().into_owned();
    // A new file: every migration pending; --check says so, exits 1 and applies nothing.
    let o = etablera(&db, &["migrate", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("pending"), "{}", text(&o));
    let o = etablera(&db, &["migrate", "--check"]);
    assert_eq!(o.status.code(), Some(1), "still pending: {}", text(&o));
    let o = etablera(&db, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("applied"), "{}", text(&o));
    let o = etablera(&db, &["migrate", "--check"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("current"), "{}", text(&o));
    let o = etablera(&db, &["init"]);
    assert!(o.status.success(), "{}", text(&o));

    let archive = dir.path().join("backup.db");
    let a = archive.to_str().unwrap();
    let o = etablera(&db, &["backup", a]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("keys are not in it"), "{}", text(&o));
    // Not over an existing file.
    let o = etablera(&db, &["backup", a]);
    assert!(!o.status.success());
    assert!(text(&o).contains("exists"), "{}", text(&o));

    let restored = dir
        .path()
        .join("restored.db")
        .to_string_lossy()
        .into_owned();
    let o = etablera(&restored, &["restore", a]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("tables"), "{}", text(&o));
    // Into a database that has the tables already: refused, unless --replace.
    let o = etablera(&restored, &["restore", a]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--replace"), "{}", text(&o));
    let o = etablera(&restored, &["restore", a, "--replace"]);
    assert!(o.status.success(), "{}", text(&o));
    // The restored database is current and holds the reference data.
    let o = etablera(&restored, &["indicators", "N00973"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("N00973"), "{}", text(&o));
}

#[test]
fn serve_logs_json_and_serves_metrics_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db").to_string_lossy().into_owned();
    assert!(etablera(&db, &["init"]).status.success());
    let (port, mport) = (free_port(), free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["--database", &db, "serve", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .env("ETABLERA_LOG_FORMAT", "json")
        .env("ETABLERA_METRICS_ADDR", format!("127.0.0.1:{mport}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "no answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    for _ in 0..3 {
        ureq::get(&format!("{base}/indikatorer/N00973"))
            .call()
            .unwrap();
    }
    assert_eq!(
        ureq::get(&format!("{base}/readyz"))
            .call()
            .unwrap()
            .status(),
        200
    );
    // Not on the application's address without a token.
    match ureq::get(&format!("{base}/metrics")).call() {
        Err(ureq::Error::Status(404, _)) => {}
        other => panic!("{other:?}"),
    }
    let m = ureq::get(&format!("http://127.0.0.1:{mport}/metrics"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        m.contains(
            r#"etablera_http_requests_total{method="GET",route="/indikatorer/{id}",status="200"} 3"#
        ),
        "{m}"
    );
    assert!(
        m.contains("etablera_http_request_duration_seconds_bucket"),
        "{m}"
    );
    assert!(m.contains("etablera_db_pool_wait_seconds_count"), "{m}");
    assert!(
        m.contains(r#"etablera_outbox_messages{state="waiting"} 0"#),
        "{m}"
    );
    assert!(!m.contains("N00973"), "no path with its ids: {m}");
    // Only /metrics there.
    match ureq::get(&format!("http://127.0.0.1:{mport}/")).call() {
        Err(ureq::Error::Status(404, _)) => {}
        other => panic!("{other:?}"),
    }

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success());
    let answered: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
        })
        .filter(|v| v["message"] == "answered")
        .collect();
    assert!(answered.len() >= 5, "{stderr}");
    let one = answered
        .iter()
        .find(|v| v["span"]["route"] == "/indikatorer/{id}")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(one["status"], 200);
    assert!(
        one["span"]["id"].as_str().is_some_and(|s| s.len() >= 32),
        "{one}"
    );
}

/// The eID commands: linking by hand, listing, removing; the password switch; break-glass
/// (a reason needed, the OS user recorded, a code of 64 hex digits printed once); a
/// personnummer read from standard input, refused when wrong, never printed.
#[test]
fn identity_and_break_glass_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db").to_string_lossy().into_owned();
    assert!(etablera(&db, &["init"]).status.success());
    let add = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["--database", &db, "user", "add", "anna", "--name", "Anna"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(b"ett langt testlosenord\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(add.status.success(), "{}", text(&add));
    let o = etablera(&db, &["user", "role", "anna", "2380", "strategist"]);
    assert!(o.status.success(), "{}", text(&o));

    let issuer = "https://idp.kommun.example";
    let o = etablera(
        &db,
        &[
            "identity",
            "link",
            "anna",
            "--provider",
            "kommun",
            "--issuer",
            issuer,
            "--subject",
            "sub-1",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = etablera(
        &db,
        &[
            "identity",
            "link",
            "anna",
            "--provider",
            "kommun",
            "--issuer",
            issuer,
            "--subject",
            "sub-1",
        ],
    );
    assert!(!o.status.success(), "linked twice: {}", text(&o));
    let o = etablera(&db, &["identity", "list"]);
    assert!(
        text(&o).contains("anna\tkommun\thttps://idp.kommun.example\tsub-1\tadmin"),
        "{}",
        text(&o)
    );
    let o = etablera(
        &db,
        &[
            "identity",
            "unlink",
            "--issuer",
            issuer,
            "--subject",
            "sub-1",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&etablera(&db, &["identity", "list"])).contains("sub-1"));

    let o = etablera(&db, &["identity", "passwords", "2380", "off"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("switched off"), "{}", text(&o));
    let o = etablera(&db, &["identity", "passwords", "9999", "off"]);
    assert!(!o.status.success(), "an unknown municipality: {}", text(&o));

    let o = etablera(&db, &["break-glass", "anna", "--reason", " "]);
    assert!(!o.status.success(), "no reason: {}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args([
            "--database",
            &db,
            "break-glass",
            "anna",
            "--reason",
            "IdP nere",
        ])
        .env("SUDO_USER", "driftansvarig")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let code = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();
    assert!(
        code.len() == 64 && code.bytes().all(|b| b.is_ascii_hexdigit()),
        "{code}"
    );
    let log: Vec<String> = rusqlite::Connection::open(&db)
        .unwrap()
        .prepare("select action || ' ' || coalesce(after, '') from audit_log")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        log.iter()
            .any(|l| l == "session.break_glass_issued IdP nere (OS user driftansvarig)"),
        "{log:?}"
    );
    assert!(
        !log.iter().any(|l| l.contains(&code)),
        "the code is not in the audit log"
    );

    // A personnummer needs the register's keys and is read from standard input.
    let key = String::from_utf8_lossy(&etablera(&db, &["register", "keygen"]).stdout)
        .trim()
        .to_string();
    let set = |pnr: &str| {
        Command::new(env!("CARGO_BIN_EXE_etablera"))
            .args(["--database", &db, "identity", "personnummer", "anna"])
            .env("ETABLERA_REGISTER_KEYS", &key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin
                    .take()
                    .unwrap()
                    .write_all(format!("{pnr}\n").as_bytes())?;
                c.wait_with_output()
            })
            .unwrap()
    };
    let o = set("19811218-9876");
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        !text(&o).contains("9876"),
        "the number is not echoed: {}",
        text(&o)
    );
    let o = set("19811218-9875");
    assert!(!o.status.success(), "a wrong check digit: {}", text(&o));
    assert!(text(&o).contains("kontrollsiffra"), "{}", text(&o));
}
