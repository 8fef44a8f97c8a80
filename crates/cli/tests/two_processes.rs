//! Two server processes on one database (use-case issue): an upload previewed through one
//! is confirmed through the other, and imports exactly the figures the preview showed —
//! the preview is kept in the database, not in the memory of the process that read it.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PW: &str = "ett långt testlösenord";

fn etablera(db: &str, args: &[&str], stdin: Option<&str>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["--database", db])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{s}\n").as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "etablera {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args([
            "--database",
            db,
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while ureq::get(&format!("{base}/")).call().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, base }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

fn hidden(body: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden field {name}"))
        + needle.len();
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

fn cookie_of(resp: &ureq::Response, name: &str) -> String {
    resp.all("set-cookie")
        .into_iter()
        .filter_map(|c| c.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no cookie {name}"))
        .to_string()
}

/// Status and body, whatever the status.
fn send(req: ureq::Request, ctype: &str, body: &[u8]) -> (u16, String) {
    match req.set("Content-Type", ctype).send_bytes(body) {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Logs in through `base`; the session cookie and its CSRF token.
fn login(base: &str, user: &str) -> (String, String) {
    let a = agent();
    let page = a.get(&format!("{base}/login")).call().unwrap();
    let form_cookie = cookie_of(&page, "etablera_login_csrf");
    let token = hidden(&page.into_string().unwrap(), "csrf");
    let r = a
        .post(&format!("{base}/login"))
        .set("Cookie", &form_cookie)
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(&format!(
            "username={user}&password={}&csrf={token}&next=/",
            urlencode(PW)
        ))
        .unwrap();
    let cookie = cookie_of(&r, "etablera_session");
    let home = a
        .get(&format!("{base}/"))
        .set("Cookie", &cookie)
        .call()
        .unwrap();
    let csrf = hidden(&home.into_string().unwrap(), "csrf");
    (cookie, csrf)
}

fn stored_values(base: &str, cookie: &str) -> String {
    agent()
        .get(&format!(
            "{base}/api/v1/observations?indicator=N00973&unit=2380&period=2024"
        ))
        .set("Cookie", cookie)
        .call()
        .unwrap()
        .into_string()
        .unwrap()
}

/// Östersund's strategy and a strategist, Anna, in the database; two server processes on
/// it, and Anna logged in through the first (her session cookie and CSRF token).
fn two_servers(db: &str) -> (Server, Server, String, String) {
    let strategy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/strategies/ostersund-2020.toml"
    );
    etablera(db, &["init"], None);
    etablera(db, &["strategy", "load", strategy], None);
    etablera(db, &["user", "add", "anna", "--name", "Anna"], Some(PW));
    etablera(db, &["user", "role", "anna", "2380", "strategist"], None);
    let (one, two) = (serve(db), serve(db));
    let (cookie, csrf) = login(&one.base, "anna");
    (one, two, cookie, csrf)
}

#[test]
fn a_preview_shown_by_one_process_is_confirmed_by_another() {
    for t in etablera_store::testing::all() {
        let b = t.backend;
        let (one, two, cookie, csrf) = two_servers(&t.address);

        let csv = "indikator;enhet;period;värde\nN00973;2380;2024;47.5\n";
        let body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"figures.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--XyZ--\r\n"
        )
        .into_bytes();
        let (status, page) = send(
            agent()
                .post(&format!("{}/s/ostersund-2020/data/preview", one.base))
                .set("Cookie", &cookie),
            "multipart/form-data; boundary=XyZ",
            &body,
        );
        assert_eq!(status, 200, "{b}: the preview: {page}");
        assert!(page.contains("47,5"), "{b}: the preview shows the value");
        let token = hidden(&page, "token");
        assert!(
            !stored_values(&one.base, &cookie).contains("47.5"),
            "{b}: nothing is stored by the preview"
        );

        let confirm = format!("csrf={csrf}&token={token}");
        let (status, page) = send(
            agent()
                .post(&format!("{}/s/ostersund-2020/data/import", two.base))
                .set("Cookie", &cookie),
            "application/x-www-form-urlencoded",
            confirm.as_bytes(),
        );
        assert_eq!(
            status, 303,
            "{b}: confirmed through the other process: {page}"
        );
        let values = stored_values(&one.base, &cookie);
        assert!(
            values.contains("47.5"),
            "{b}: the previewed value is stored: {values}"
        );

        // A token is good for one confirmation, through either process.
        for server in [&one, &two] {
            let (status, page) = send(
                agent()
                    .post(&format!("{}/s/ostersund-2020/data/import", server.base))
                    .set("Cookie", &cookie),
                "application/x-www-form-urlencoded",
                confirm.as_bytes(),
            );
            assert!(
                (400..500).contains(&status) && page.contains("Ladda upp filen igen"),
                "{b}: a second confirmation imports nothing: {status} {page}"
            );
        }
        // A made-up token likewise.
        let (status, _) = send(
            agent()
                .post(&format!("{}/s/ostersund-2020/data/import", two.base))
                .set("Cookie", &cookie),
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&token={}", "ab".repeat(32)).as_bytes(),
        );
        assert!((400..500).contains(&status), "{b}: {status}");
    }
}

/// A page of `base` as the logged-in user.
fn page(base: &str, cookie: &str, path: &str) -> String {
    agent()
        .get(&format!("{base}{path}"))
        .set("Cookie", cookie)
        .call()
        .unwrap()
        .into_string()
        .unwrap()
}

/// Each process caches follow-up runs; a run made before an edit through the other process
/// is never shown after it, twice in a row within one second included.
#[test]
fn a_target_edited_through_one_process_is_seen_at_once_through_the_other() {
    for t in etablera_store::testing::all() {
        let b = t.backend;
        let (one, two, cookie, csrf) = two_servers(&t.address);
        let target = "/s/ostersund-2020/t/m1-andel-utrikes-fodda";
        // The other process has the run cached.
        for path in [target, "/s/ostersund-2020"] {
            assert!(page(&two.base, &cookie, path).contains("Minst 10 %"), "{b}");
        }
        for pct in [12, 14] {
            let form = format!(
                "csrf={csrf}&text={}&value={pct}&target_year=2022&baseline_year=2015&note=",
                urlencode(&format!(
                    "Minst {pct} % av befolkningen är utrikes födda år 2022"
                ))
            );
            let (status, body) = send(
                agent()
                    .post(&format!("{}{target}/edit", one.base))
                    .set("Cookie", &cookie),
                "application/x-www-form-urlencoded",
                form.as_bytes(),
            );
            assert_eq!(status, 303, "{b}: {body}");
            for path in [target, "/s/ostersund-2020"] {
                let p = page(&two.base, &cookie, path);
                let new = format!("Minst {pct} % av befolkningen är utrikes födda år 2022");
                assert!(
                    p.contains(&new),
                    "{b}: {path} through the other process after the edit to {pct} %: {p}"
                );
            }
        }
    }
}
