//! What the HTTP test files share: a cookie-keeping client that does not follow redirects,
//! hidden form fields, logging in.
#![allow(dead_code)]

use std::collections::HashMap;

pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, Vec<String>>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.first())
            .map(|s| s.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A client that keeps its cookies and does not follow redirects.
#[derive(Default, Clone)]
pub struct Client {
    pub cookies: HashMap<String, String>,
    pub bearer: Option<String>,
    /// Headers sent with every request (e.g. `X-Forwarded-For` as a proxy would set it).
    pub extra: Vec<(String, String)>,
}

impl Client {
    pub fn send(&mut self, method: &str, url: &str, body: Option<(&str, String)>) -> Resp {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let mut req = agent.request(method, url);
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.set("Cookie", &c.join("; "));
        }
        if let Some(t) = &self.bearer {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        for (k, v) in &self.extra {
            req = req.set(k, v);
        }
        let result = match body {
            Some((ctype, b)) => req.set("Content-Type", ctype).send_string(&b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {url}: {e}"),
        };
        let mut headers: HashMap<String, Vec<String>> = HashMap::new();
        for name in resp.headers_names() {
            headers.insert(
                name.to_lowercase(),
                resp.all(&name).iter().map(|s| s.to_string()).collect(),
            );
        }
        for c in headers.get("set-cookie").cloned().unwrap_or_default() {
            let first = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = resp.status();
        let body = resp.into_string().unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }
    pub fn get(&mut self, url: &str) -> Resp {
        self.send("GET", url, None)
    }
    pub fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", etablera_web::pages::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            "POST",
            url,
            Some(("application/x-www-form-urlencoded", body)),
        )
    }
    pub fn post_json(&mut self, url: &str, body: serde_json::Value) -> Resp {
        self.send("POST", url, Some(("application/json", body.to_string())))
    }
}

pub fn hidden(body: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + needle.len();
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

/// Logs `user` in with `password` on the application at `base` and returns the client with
/// its session cookie.
pub fn login_at(base: &str, backend: &str, user: &str, password: &str) -> Client {
    let mut c = Client::default();
    let page = c.get(&format!("{base}/login"));
    let csrf = hidden(&page.body, "csrf");
    let r = c.post_form(
        &format!("{base}/login"),
        &[
            ("username", user),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/"),
        ],
    );
    assert_eq!(r.status, 303, "{backend}: login as {user}: {}", r.body);
    assert!(c.cookies.contains_key("etablera_session"));
    c
}

/// POSTs `body` over a plain TCP connection and returns the answer's status, even when the
/// server answers (413) and closes before the whole body is sent: writing stops at the
/// first error, and the answer already sent is read.
pub fn post_reading_early_answer(
    url: &str,
    cookies: &HashMap<String, String>,
    ctype: &str,
    body: &[u8],
) -> u16 {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    let cookie: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
        body.len(),
        cookie.join("; ")
    );
    // Read while writing, so the answer is taken in before a reset can discard it.
    let mut r = s.try_clone().expect("clone the socket");
    let reader = std::thread::spawn(move || {
        let mut answer = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        answer
    });
    s.write_all(head.as_bytes()).expect("headers");
    for chunk in body.chunks(64 * 1024) {
        if s.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = s.shutdown(std::net::Shutdown::Write);
    let answer = reader.join().expect("the reader");
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("{url}: no answer: {text:?}"))
}

/// Serves the application with `config` on a random local port, on a runtime of its own;
/// the server stops when the returned sender is dropped. Gives the base URL.
pub fn serve(config: etablera_web::Config) -> (String, tokio::sync::oneshot::Sender<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            etablera_web::serve_on(config, listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    (format!("http://{addr}"), stop)
}

/// The password of every test account.
pub const PW: &str = "ett långt testlösenord";

/// A test account: username, system administrator, strategy roles, register roles.
pub type Account<'a> = (
    &'a str,
    bool,
    &'a [(&'a str, etablera_domain::access::Role)],
    &'a [(&'a str, etablera_domain::access::RegisterRole)],
);

/// Seeds a test database: the reference data, the demo's strategies when `strategies`, the
/// accounts (password [`PW`]) with their roles, and the strategies to publish. Returns the
/// accounts' ids by username.
pub fn seed(
    s: &mut dyn etablera_store::Store,
    strategies: bool,
    accounts: &[Account],
    published: &[&str],
) -> HashMap<String, i64> {
    use etablera_app::accounts;
    etablera_app::init(s).unwrap();
    if strategies {
        for (name, src) in etablera_app::demo::STRATEGIES {
            etablera_app::load_strategy_str(s, name, src).unwrap();
        }
    }
    let pw = accounts::Password::new(PW);
    let mut ids = HashMap::new();
    for (user, sysadm, roles, register) in accounts {
        let id = accounts::add_user(s, user, user, &pw, *sysadm, None).unwrap();
        ids.insert(user.to_string(), id);
        for (unit, role) in *roles {
            accounts::set_role(s, user, unit, Some(*role), None).unwrap();
        }
        for (unit, role) in *register {
            accounts::set_register_role(s, user, unit, Some(*role), None).unwrap();
        }
    }
    for id in published {
        accounts::publish(s, id, true, None).unwrap();
    }
    ids
}

/// The application on a random port over one backend's test database, with what the test
/// file prepared beside it (`extra`, reachable as if its fields were the app's own).
pub struct App<E = ()> {
    pub base: String,
    pub backend: &'static str,
    pub address: String,
    pub store: etablera_store::testing::TestStore,
    pub extra: E,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl<E> std::ops::Deref for App<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.extra
    }
}

/// Starts the application for each backend after `prepare` has filled its database; the
/// configuration `prepare` returns is served with the database set to the test's.
pub fn spawn_apps<E>(
    mut prepare: impl FnMut(&mut dyn etablera_store::Store) -> (etablera_web::Config, E),
) -> Vec<App<E>> {
    etablera_store::testing::all()
        .into_iter()
        .map(|mut t| {
            let (config, extra) = prepare(t.store.as_mut());
            let (base, stop) = serve(etablera_web::Config {
                database: t.address.clone(),
                ..config
            });
            App {
                base,
                backend: t.backend,
                address: t.address.clone(),
                store: t,
                extra,
                _stop: stop,
            }
        })
        .collect()
}

/// A logged-in client of the app.
pub fn login<E>(app: &App<E>, user: &str) -> Client {
    login_at(&app.base, app.backend, user, PW)
}

/// The CSRF token of the client's session, from the page's logout form.
pub fn session_csrf<E>(app: &App<E>, c: &mut Client) -> String {
    hidden(&c.get(&format!("{}/", app.base)).body, "csrf")
}

/// A connection of the test's own to the app's database, as its owner (on PostgreSQL the
/// application's role sees no register rows its session has not named).
pub fn store<E>(app: &App<E>) -> Box<dyn etablera_store::Store> {
    etablera_store::open(&app.store.owner_address).unwrap()
}

/// The register form's usual fields: a woman born 1990 in Syria, placed by the state
/// (anvisad), arrived 2025-05-01.
pub const PERSON_DEFAULTS: &[(&str, &str)] = &[
    ("kon", "K"),
    ("fodelsear", "1990"),
    ("fodelseland", "Syrien"),
    ("kategori", "anvisad"),
    ("ankomst", "2025-05-01"),
];

/// Registers a person in Östersund's register through the form: `fields` (a name, a
/// personnummer, …) and, for each field they leave out, the usual value. With a
/// personnummer the birth year is left empty, as a case worker does (it follows from the
/// number).
pub fn register_person<E>(
    app: &App<E>,
    c: &mut Client,
    csrf: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let given = |k: &str| fields.iter().any(|(f, _)| *f == k);
    let left_out = |k: &str| given(k) || (k == "fodelsear" && given("personnummer"));
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    form.extend(PERSON_DEFAULTS.iter().filter(|(k, _)| !left_out(k)));
    c.post_form(&format!("{}/register/2380/persons", app.base), &form)
}

/// A `multipart/form-data` body (RFC 7578) with text fields and at most one file, named
/// `file`: its content type (with the boundary) and its bytes.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----etablera-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
