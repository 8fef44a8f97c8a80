//! `/healthz` and `/readyz` from the outside. `/healthz` answers without the database and
//! sets no cookie; `/readyz` is 200 while the database answers with a current schema, 503
//! when a migration is missing, and on PostgreSQL it follows the database through a TCP
//! proxy this test owns and cuts: 503 while the database cannot be reached, 200 again
//! once it can (the pool drops the connections the cut closed). The shared server the
//! other tests use is never stopped.

mod common;

use common::Client;
use etablera_store::testing;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A TCP proxy to `upstream` that can be cut (every connection closed, new ones refused
/// at once) and mended.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
        let (c, o) = (cut.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if c.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                {
                    let mut o = o.lock().unwrap();
                    o.push(client.try_clone().unwrap());
                    o.push(server.try_clone().unwrap());
                }
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    if to.write_all(&buf[..n]).is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn get(base: &str, path: &str) -> common::Resp {
    Client::default().send("GET", &format!("{base}{path}"), None)
}

/// Asks `/readyz` until it gives `status` (or 20 seconds pass).
fn readyz_becomes(base: &str, status: u16) -> common::Resp {
    let start = Instant::now();
    loop {
        let r = get(base, "/readyz");
        if r.status == status || start.elapsed() > Duration::from_secs(20) {
            return r;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn healthz_and_readyz_follow_the_database() {
    for mut t in testing::all() {
        etablera_app::init(t.store.as_mut()).unwrap();
        if t.backend == "sqlite" {
            let (base, _stop) = common::serve(etablera_web::Config {
                database: t.address.clone(),
                ..Default::default()
            });
            let r = get(&base, "/healthz");
            assert_eq!(r.status, 200);
            assert_eq!(r.json()["status"], "ok");
            assert!(r.header("set-cookie").is_none(), "{:?}", r.headers);
            let r = get(&base, "/readyz");
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(r.json()["status"], "ready");
            // A migration's line removed: the schema is behind this program.
            let newest = etablera_store::backend::MIGRATIONS.last().unwrap().0;
            t.store
                .sql()
                .script(&format!(
                    "delete from schema_migration where version = {newest}"
                ))
                .unwrap();
            let r = get(&base, "/readyz");
            assert_eq!(r.status, 503, "{}", r.body);
            assert_eq!(r.json()["status"], "behind");
            assert_eq!(r.json()["pending"][0], newest);
            assert_eq!(get(&base, "/healthz").status, 200);
            continue;
        }
        // PostgreSQL through the proxy: postgres://user@HOST:PORT/db?options=…
        let (before_at, rest) = t.address.split_once('@').unwrap();
        let (hostport, path) = rest.split_once('/').unwrap();
        let proxy = Proxy::start(hostport.to_string());
        let through = format!("{before_at}@127.0.0.1:{}/{path}", proxy.port);
        let (base, _stop) = common::serve(etablera_web::Config {
            database: through,
            ..Default::default()
        });
        assert_eq!(get(&base, "/readyz").status, 200);
        // The public overview works through the proxy too.
        assert_eq!(get(&base, "/").status, 200);

        proxy.cut();
        let r = readyz_becomes(&base, 503);
        assert_eq!(r.status, 503, "{}", r.body);
        assert_eq!(r.json()["status"], "unreachable");
        // Alive, though not ready; no detail of the failure is shown.
        assert_eq!(get(&base, "/healthz").status, 200);
        assert!(!r.body.contains("127.0.0.1"), "{}", r.body);

        proxy.mend();
        let r = readyz_becomes(&base, 200);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "ready");
        assert_eq!(get(&base, "/").status, 200);
    }
}

/// `/metrics` on the application's address answers only the bearer of the configured token
/// (compared in constant time), and says nothing of the data.
#[test]
fn metrics_need_the_token() {
    let mut t = testing::sqlite();
    etablera_app::init(t.store.as_mut()).unwrap();
    let token = "ett-langt-matvardestoken-0123";
    let (base, _stop) = common::serve(etablera_web::Config {
        database: t.address.clone(),
        metrics_token: Some(etablera_app::accounts::Password::new(token)),
        ..Default::default()
    });
    assert_eq!(get(&base, "/healthz").status, 200);
    assert_eq!(get(&base, "/metrics").status, 401);
    let mut wrong = Client {
        bearer: Some("ett-langt-matvardestoken-0124".into()),
        ..Default::default()
    };
    assert_eq!(
        wrong.send("GET", &format!("{base}/metrics"), None).status,
        401
    );
    let mut right = Client {
        bearer: Some(token.into()),
        ..Default::default()
    };
    let r = right.send("GET", &format!("{base}/metrics"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains(
            r#"etablera_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{}",
        r.body
    );
    // A made-up method is counted, under one label whatever it is.
    let _ = Client::default().send("BREW", &format!("{base}/healthz"), None);
    let r = right.send("GET", &format!("{base}/metrics"), None);
    assert!(!r.body.contains("BREW"), "{}", r.body);
    assert!(r.body.contains(r#"method="OTHER""#), "{}", r.body);
}

/// The operations routes for every role: `/healthz` and `/readyz` answer anyone (they say
/// nothing about data), `/metrics` is not there without a configured token, for anyone —
/// a logged-in system administrator included. Other methods and oversized bodies are
/// refused, and a flood of readiness checks is answered (200, or 503 when shed), never left
/// hanging.
#[test]
fn health_routes_for_every_role_hostile_input_and_a_flood() {
    use etablera_domain::access::Role;
    let apps = common::spawn_apps(|s| {
        common::seed(
            s,
            true,
            &[
                ("viewer", false, &[("2380", Role::Viewer)], &[]),
                ("sys", true, &[], &[]),
            ],
            &[],
        );
        (etablera_web::Config::default(), ())
    });
    for app in apps {
        let b = app.backend;
        for who in ["anonymous", "viewer", "sys"] {
            let mut c = if who == "anonymous" {
                Client::default()
            } else {
                common::login(&app, who)
            };
            assert_eq!(
                c.get(&format!("{}/healthz", app.base)).status,
                200,
                "{b} {who}"
            );
            assert_eq!(
                c.get(&format!("{}/readyz", app.base)).status,
                200,
                "{b} {who}"
            );
            assert_eq!(
                c.get(&format!("{}/metrics", app.base)).status,
                404,
                "{b} {who}: no token configured, no metrics"
            );
        }
        let mut c = Client::default();
        for path in ["/healthz", "/readyz"] {
            let r = c.send(
                "POST",
                &format!("{}{path}", app.base),
                Some(("application/json", "{}".into())),
            );
            assert_eq!(r.status, 405, "{b} {path}");
            // An oversized body: refused, or the connection closed before it is all sent.
            match ureq::post(&format!("{}{path}", app.base)).send_string(&"{".repeat(300_000)) {
                Err(ureq::Error::Status(s, _)) => assert!(matches!(s, 405 | 413), "{b} {s}"),
                Err(ureq::Error::Transport(_)) => {}
                Ok(r) => panic!("{b} {path}: {}", r.status()),
            }
        }
        assert_eq!(
            c.get(&format!("{}/readyz/../../etc", app.base)).status,
            404,
            "{b}"
        );
        // A flood: 400 readiness checks from 16 threads at once.
        let base = app.base.clone();
        let answers: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    let base = base.clone();
                    s.spawn(move || {
                        (0..25)
                            .map(|_| get(&base, "/readyz").status)
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert_eq!(answers.len(), 400, "{b}");
        assert!(
            answers.iter().all(|s| matches!(s, 200 | 503)),
            "{b}: {answers:?}"
        );
        assert!(answers.iter().filter(|s| **s == 200).count() > 200, "{b}");
        assert_eq!(
            get(&base, "/healthz").status,
            200,
            "{b}: alive after the flood"
        );
    }
}
