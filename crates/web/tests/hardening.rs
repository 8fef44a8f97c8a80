//! The findings of trying Etablera as an attacker would, each reproduced over HTTP on every
//! backend: hostile workbooks, writes across municipalities, an open redirect, a login CSRF
//! token the server never issued, suppression switched off, and the existence of an
//! unpublished strategy told apart from a missing one.

mod common;

use common::{hidden, login, multipart, register_person, session_csrf, store, Client, Resp};
use etablera_app::accounts::Password;
use etablera_domain::access::{RegisterRole, Role};
use etablera_store::testing;
use std::sync::Arc;

type App = common::App;

use common::PW;
const KEY: &str = "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn spawn_apps() -> Vec<App> {
    common::spawn_apps(|s| {
        let keys = Arc::new(etablera_vault::Keyring::parse(KEY).unwrap());
        common::seed(
            s,
            true,
            &[
                ("strategist", false, &[("2380", Role::Strategist)], &[]),
                ("ljstrat", false, &[("1864", Role::Strategist)], &[]),
                ("admin", false, &[("2380", Role::Admin)], &[]),
                ("cw", false, &[], &[("2380", RegisterRole::CaseWorker)]),
                (
                    "mgr",
                    false,
                    &[],
                    &[("2380", RegisterRole::ReceptionManager)],
                ),
                ("ljcw", false, &[], &[("1864", RegisterRole::CaseWorker)]),
            ],
            &["ostersund-2020"],
        );
        let config = etablera_web::Config {
            register_keys: Some(keys),
            // The tests play a proxy on 127.0.0.1 that names the client in
            // X-Forwarded-For; a small budget per address keeps them short.
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            login_failures_per_address: 20,
            ..Default::default()
        };
        (config, ())
    })
}

fn post_bytes(c: &Client, url: &str, ctype: &str, body: &[u8]) -> Resp {
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let r = match ureq::AgentBuilder::new()
        .redirects(0)
        .build()
        .post(url)
        .set("Cookie", &cookies.join("; "))
        .set("Content-Type", ctype)
        .send_bytes(body)
    {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{url}: {e}"),
    };
    Resp {
        status: r.status(),
        headers: Default::default(),
        body: r.into_string().unwrap_or_default(),
    }
}

/// A workbook with cells A1 and XFD1048576 only, written from the format's specification.
fn corner_xlsx() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            (
                "xl/worksheets/sheet1.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Kommun</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#,
            ),
        ] {
            z.start_file(name, o).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// Finding 2: a 2 KB workbook once made the server ask for 512 GiB and abort.
#[test]
fn a_far_corner_workbook_is_refused_and_the_server_lives() {
    for app in spawn_apps() {
        let b = app.backend;
        let book = corner_xlsx();
        assert!(book.len() < 4096, "{b}");
        let mut c = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut c);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("hörn.xlsx", &book)));
        let r = post_bytes(
            &c,
            &format!("{}/s/ostersund-2020/data/preview", app.base),
            &ct,
            &body,
        );
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        assert!(r.body.contains("XFD1048576"), "{b}: names the cell");
        let mut cw = login(&app, "cw");
        let csrf = session_csrf(&app, &mut cw);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("hörn.xlsx", &book)));
        let r = post_bytes(
            &cw,
            &format!("{}/register/2380/import", app.base),
            &ct,
            &body,
        );
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        assert_eq!(c.get(&format!("{}/", app.base)).status, 200, "{b}: alive");
    }
}

/// Finding 6: Östersund's strategist, through the data page or the API, may not store
/// Ljusnarsberg's figures, Kolada's indicators included; Ljusnarsberg's data page does not
/// list Östersund's batches.
#[test]
fn figures_are_written_only_for_ones_own_municipality() {
    for app in spawn_apps() {
        let b = app.backend;
        let count = |app: &App| store(app).counts().unwrap().observations;
        let before = count(&app);
        let mut c = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut c);
        let data = format!("{}/s/ostersund-2020/data", app.base);
        let csv = b"indicator,unit,period,sex,value,status\nN00973,1864,2024,T,99.9,final\n";
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("lj.csv", csv)));
        let r = post_bytes(&c, &format!("{data}/preview"), &ct, &body);
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        assert!(r.body.contains("1864"), "{b}: names the unit");
        assert_eq!(count(&app), before, "{b}");
        // Their own municipality's Kolada figures are fine.
        let own = b"indicator,unit,period,sex,value,status\nN00973,2380,2024,T,47.5,final\n";
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("osd.csv", own)));
        let r = post_bytes(&c, &format!("{data}/preview"), &ct, &body);
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        let token = hidden(&r.body, "token");
        let r = c.post_form(
            &format!("{data}/import"),
            &[("csrf", &csrf), ("token", &token)],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert_eq!(count(&app), before + 1, "{b}");

        // A write token scoped to 2380 naming 1864.
        let r = c.post_json(
            &format!("{}/api/v1/tokens", app.base),
            serde_json::json!({"unit": "2380", "scope": "write", "name": "skriv"}),
        );
        let token = serde_json::from_str::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| v["token"].as_str().map(String::from))
            .unwrap_or_else(|| panic!("{b}: no token: {} {}", r.status, r.body));
        let mut api = Client {
            bearer: Some(token),
            ..Default::default()
        };
        let r = api.post_json(
            &format!("{}/api/v1/observations", app.base),
            serde_json::json!([{"indicator": "N00973", "unit": "1864", "period": "2024", "value": 99.9}]),
        );
        assert_eq!(r.status, 403, "{b}: {}", r.body);
        assert_eq!(count(&app), before + 1, "{b}");

        // The batch belongs to Östersund: Ljusnarsberg's data page does not list it.
        let mut lj = login(&app, "ljstrat");
        let page = lj.get(&format!("{}/s/ljusnarsberg-2016/data", app.base));
        assert_eq!(page.status, 200, "{b}");
        assert!(
            !page.body.contains("osd.csv"),
            "{b}: another's batch listed"
        );
        let page = c.get(&data);
        assert!(page.body.contains("osd.csv"), "{b}");
        // And its audit entry is Östersund's.
        let log = store(&app)
            .audit_log(&etablera_store::AuditFilter {
                limit: 100,
                ..Default::default()
            })
            .unwrap();
        let e = log
            .iter()
            .find(|e| e.action == "data.import")
            .unwrap_or_else(|| panic!("{b}: no audit entry"));
        assert_eq!(e.unit_code.as_deref(), Some("2380"), "{b}");
    }
}

/// Finding 5: household ids are the municipality's own.
#[test]
fn a_household_id_is_scoped_by_municipality() {
    for app in spawn_apps() {
        let b = app.backend;
        let create = |who: &str, unit: &str, name: &str| {
            let mut c = login(&app, who);
            let csrf = session_csrf(&app, &mut c);
            let r = c.post_form(
                &format!("{}/register/{unit}/persons", app.base),
                &[
                    ("csrf", &csrf),
                    ("namn", name),
                    ("fodelsear", "1990"),
                    ("fodelseland", "Eritrea"),
                    ("kon", "K"),
                    ("kategori", "anvisad"),
                    ("ankomst", "2025-02-01"),
                    ("hushall", "H-SHARED1"),
                ],
            );
            assert_eq!(r.status, 303, "{b}: {}", r.body);
            let to = r.header("location").unwrap().to_string();
            (c, csrf, to)
        };
        let (mut lj, ljcsrf, ljperson) = create("ljcw", "1864", "Tesfay Ljusnar");
        let r = lj.post_form(
            &format!("{}{ljperson}/household", app.base),
            &[
                ("csrf", &ljcsrf),
                ("storlek", "4"),
                ("rum", "3"),
                ("bostadsbehov", "Nära skolan i Kopparberg"),
            ],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let (mut osd, csrf, person) = create("cw", "2380", "Hawo Kale");
        let r = osd.post_form(
            &format!("{}{person}/household", app.base),
            &[("csrf", &csrf), ("storlek", "1"), ("bostadsbehov", "Annat")],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let mut s = store(&app);
        let lju = etablera_domain::UnitCode::parse("1864").unwrap();
        let h = etablera_app::register::household(
            s.as_mut(),
            &etablera_vault::Keyring::parse(KEY).unwrap(),
            &lju,
            "H-SHARED1",
        )
        .unwrap()
        .unwrap_or_else(|| panic!("{b}: Ljusnarsberg's household is gone"));
        assert_eq!(h.size, 4, "{b}: Ljusnarsberg's household was changed");
        let osdu = etablera_domain::UnitCode::parse("2380").unwrap();
        let mine = etablera_app::register::household(
            s.as_mut(),
            &etablera_vault::Keyring::parse(KEY).unwrap(),
            &osdu,
            "H-SHARED1",
        )
        .unwrap()
        .unwrap();
        assert_eq!(mine.size, 1, "{b}");
    }
}

/// Finding 7: `next` may only lead to a path on this site.
#[test]
fn no_open_redirect() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut c = Client::default();
        for next in [
            "/%09/evil.example",
            "/%5C/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/%0d%0a/evil.example",
        ] {
            let r = c.get(&format!("{}/lang/en?next={next}", app.base));
            let loc = r.header("location").unwrap_or("").to_string();
            assert!(
                loc.starts_with('/')
                    && !loc.starts_with("//")
                    && !loc.contains('\\')
                    && !loc.chars().any(|ch| ch.is_control())
                    && !loc.contains("evil"),
                "{b}: {next} → {loc:?}"
            );
        }
        let page = c.get(&format!("{}/login", app.base));
        let csrf = hidden(&page.body, "csrf");
        let r = c.post_form(
            &format!("{}/login", app.base),
            &[
                ("username", "strategist"),
                ("password", PW),
                ("csrf", &csrf),
                ("next", "/\t/evil.example"),
            ],
        );
        assert_eq!(r.status, 303, "{b}");
        let loc = r.header("location").unwrap_or("");
        assert!(!loc.contains("evil") && !loc.contains('\t'), "{b}: {loc:?}");
    }
}

/// Finding 4: a login CSRF pair made up by the client is refused.
#[test]
fn a_login_csrf_token_must_be_the_servers() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut c = Client::default();
        c.cookies
            .insert("etablera_login_csrf".into(), "ab".repeat(16));
        let r = c.post_form(
            &format!("{}/login", app.base),
            &[
                ("username", "strategist"),
                ("password", PW),
                ("csrf", &"ab".repeat(16)),
                ("next", "/"),
            ],
        );
        assert!(
            matches!(r.status, 400 | 403 | 422) && r.body.contains("Formuläret har gått ut"),
            "{b}: forged pair accepted: {}",
            r.status
        );
        assert!(!c.cookies.contains_key("etablera_session"), "{b}");
        // A flood of logins with random names and a real token: every answer is a refusal
        // or "busy", never a crash, and the real user still logs in afterwards.
        let page = c.get(&format!("{}/login", app.base));
        let csrf = hidden(&page.body, "csrf");
        let statuses: Vec<u16> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..40)
                .map(|i| {
                    let mut c = c.clone();
                    let (base, csrf) = (app.base.clone(), csrf.clone());
                    sc.spawn(move || {
                        c.post_form(
                            &format!("{base}/login"),
                            &[
                                ("username", &format!("slump{i}")),
                                ("password", "fel lösenord igen"),
                                ("csrf", &csrf),
                            ],
                        )
                        .status
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(
            statuses.iter().all(|s| matches!(s, 422 | 429 | 503)),
            "{b}: {statuses:?}"
        );
        login_from(&app, "strategist", PW, "198.51.100.4");
    }
}

/// Finding 11: the disclosure threshold cannot be set below 3.
#[test]
fn suppression_cannot_be_switched_off() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut m = login(&app, "mgr");
        let url = format!("{}/register/2380/installningar", app.base);
        let page = m.get(&url);
        assert_eq!(page.status, 200, "{b}");
        let csrf = hidden(&page.body, "csrf");
        for low in ["1", "2"] {
            let r = m.post_form(
                &url,
                &[
                    ("csrf", &csrf),
                    ("threshold", low),
                    ("retention_years", "5"),
                    ("review_months", "3"),
                ],
            );
            assert_eq!(r.status, 422, "{b}: threshold {low}: {}", r.body);
        }
        let mut s = store(&app);
        let unit = etablera_domain::UnitCode::parse("2380").unwrap();
        assert_eq!(
            etablera_app::register::settings(s.as_mut(), &unit)
                .unwrap()
                .threshold,
            5,
            "{b}"
        );
        // Settings stored before the floor existed are read with the floor.
        s.save_register_settings(
            &unit,
            r#"{"threshold":1}"#,
            &etablera_store::AuditEntry::new(
                "2026-01-01T00:00:00Z",
                None,
                "test",
                "x",
                Some(&unit),
            ),
        )
        .unwrap();
        assert!(
            etablera_app::register::settings(s.as_mut(), &unit)
                .unwrap()
                .threshold
                >= 3,
            "{b}"
        );
    }
}

/// Finding 12: anonymous visitors cannot tell an unpublished strategy from a missing one.
#[test]
fn unpublished_and_missing_strategies_look_the_same() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut c = Client::default();
        for path in [
            "/s/ljusnarsberg-2016",
            "/api/v1/strategies/ljusnarsberg-2016",
        ] {
            let unpublished = c.get(&format!("{}{path}", app.base)).status;
            let missing = c
                .get(&format!(
                    "{}{}",
                    app.base,
                    path.replace("ljusnarsberg-2016", "finns-inte")
                ))
                .status;
            assert_eq!((unpublished, missing), (404, 404), "{b}: {path}");
        }
    }
}

/// Finding 14: `etablera user role anna Östersund viewer`, as the README shows it, takes the
/// municipality's name as well as its code.
#[test]
fn a_role_is_given_by_the_municipalitys_name() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let id =
            etablera_app::accounts::add_user(s, "anna", "Anna", &Password::new(PW), false, None)
                .unwrap();
        etablera_app::accounts::set_role(s, "anna", "Östersund", Some(Role::Viewer), None)
            .unwrap_or_else(|e| panic!("{b}: {e:?}"));
        let m = s.memberships(id).unwrap();
        assert_eq!(m.len(), 1, "{b}");
        assert_eq!(m[0].0.as_str(), "2380", "{b}");
        assert!(
            etablera_app::accounts::set_role(s, "anna", "Ankeborg", Some(Role::Viewer), None)
                .is_err(),
            "{b}"
        );
    }
}

/// Finding 1: a real-shaped Kolada v3 response with a status text Etablera does not know,
/// an `ou` row and an `isdeleted` value is previewed, not refused; the Swedish page says
/// what was read differently, in Swedish.
#[test]
fn a_kolada_v3_response_with_unknown_statuses_is_previewed_with_warnings() {
    let v3 = r#"{"values": [
      {"kpi": "N00973", "municipality": "2380", "period": 2023, "values": [
        {"gender": "T", "value": 47.7, "status": "", "count": 1, "isdeleted": false},
        {"gender": "K", "value": null, "status": "Not applicable", "count": 0, "isdeleted": false},
        {"gender": "M", "value": 51.2, "status": "Revised later", "count": 1, "isdeleted": false}]},
      {"kpi": "N00973", "ou": "V15E238000101", "period": 2023, "values": [
        {"gender": "T", "value": 80.0, "status": "", "count": 1, "isdeleted": false}]}
    ], "next_url": null}"#;
    for app in spawn_apps() {
        let b = app.backend;
        let mut c = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut c);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("kolada-v3.json", v3.as_bytes())));
        let r = post_bytes(
            &c,
            &format!("{}/s/ostersund-2020/data/preview", app.base),
            &ct,
            &body,
        );
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert!(
            r.body.contains("statusen ”Revised later”"),
            "{b}: {}",
            r.body
        );
        assert!(r.body.contains("organisatoriska enheter"), "{b}");
        assert!(r.body.contains("3 värden"), "{b}: three values read");
    }
}

/// Finding 9: a personnummer oracle. With caseload-only on and a restricted case (GDPR
/// art. 18) the case worker may not read, registering its personnummer must answer exactly
/// as registering the number of a case the case worker may read: the registration becomes a
/// request the reception manager resolves, no case id is named, and only the blind index
/// reaches the audit log.
#[test]
fn a_registration_does_not_reveal_a_case_one_may_not_read() {
    for app in spawn_apps() {
        let b = app.backend;
        let url = format!("{}/register/2380/persons", app.base);
        let register = |c: &mut Client, csrf: &str, name: &str, pnr: &str| {
            register_person(
                &app,
                c,
                csrf,
                &[
                    ("namn", name),
                    ("personnummer", pnr),
                    ("kategori", "sjalvbosatt"),
                ],
            )
        };
        // The reception manager registers a case, restricts it and limits case workers to
        // their own caseload.
        let mut mgr = login(&app, "mgr");
        let csrf_m = session_csrf(&app, &mut mgr);
        let r = register(&mut mgr, &csrf_m, "Hemlig Person", "19811218-9876");
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let secret_case = r
            .header("location")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let r = mgr.post_form(
            &format!("{url}/{secret_case}/restrict"),
            &[("csrf", &csrf_m), ("restricted", "1")],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let r = mgr.post_form(
            &format!("{}/register/2380/installningar", app.base),
            &[
                ("csrf", &csrf_m),
                ("threshold", "5"),
                ("retention_years", "5"),
                ("review_months", "3"),
                ("caseload_only", "1"),
            ],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        // The case worker registers a case of their own.
        let mut cw = login(&app, "cw");
        let csrf = session_csrf(&app, &mut cw);
        let r = register(&mut cw, &csrf, "Egen Person", "19810278-9875");
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let own_case = r
            .header("location")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(cw.get(&format!("{url}/{secret_case}")).status, 403, "{b}");
        // The same number as the case they may read, and as the one they may not.
        let readable = register(&mut cw, &csrf, "Dubblett Ett", "19810278-9875");
        let hidden_one = register(&mut cw, &csrf, "Dubblett Två", "19811218-9876");
        assert_eq!(readable.status, hidden_one.status, "{b}");
        let strip = |s: &str| s.replace("Dubblett Ett", "X").replace("Dubblett Två", "X");
        assert_eq!(
            strip(&readable.body),
            strip(&hidden_one.body),
            "{b}: the same answer"
        );
        for (what, body) in [("readable", &readable.body), ("hidden", &hidden_one.body)] {
            assert!(
                !body.contains(&secret_case) && !body.contains(&own_case),
                "{b} {what}: no case id"
            );
            assert!(body.contains("mottagningsansvarig"), "{b} {what}: {body}");
        }
        // Only the blind index is logged; the reception manager sees both requests.
        let mut s = store(&app);
        let audit = s
            .audit_log(&etablera_store::AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .unwrap();
        let text = format!("{audit:?}");
        for clear in ["198112189876", "8112189876", "811218-9876"] {
            assert!(!text.contains(clear), "{b}: `{clear}` in the audit log");
        }
        let requests: Vec<_> = audit
            .iter()
            .filter(|a| a.action == "person.registration_request")
            .collect();
        assert_eq!(requests.len(), 2, "{b}: {requests:?}");
        for a in requests {
            let t = format!("{a:?}");
            assert!(
                !t.contains(&secret_case) && !t.contains(&own_case),
                "{b}: {t}"
            );
        }
        drop(s);
        let page = mgr.get(&format!("{}/register/2380/kontroll", app.base));
        assert_eq!(page.status, 200, "{b}");
        assert!(
            page.body.contains("Dubblett Två") && page.body.contains(&secret_case),
            "{b}: {}",
            page.body
        );
        assert_eq!(
            cw.get(&format!("{}/register/2380/kontroll", app.base))
                .status,
            403,
            "{b}"
        );
        // The manager finds it is the same person and lets the case worker work with it.
        let row = page
            .body
            .split("<tr>")
            .find(|r| r.contains("Dubblett Två"))
            .unwrap();
        let action = row
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let r = mgr.post_form(
            &format!("{}{action}", app.base),
            &[("csrf", &csrf_m), ("how", "grant")],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert_eq!(
            cw.get(&format!("{url}/{secret_case}")).status,
            200,
            "{b}: now a colleague"
        );
        let page = mgr.get(&format!("{}/register/2380/kontroll", app.base));
        assert!(
            !page.body.contains("Dubblett Två") && page.body.contains("Dubblett Ett"),
            "{b}"
        );
    }
}

fn login_attempt(app: &App, address: &str, user: &str, password: &str) -> (Client, Resp) {
    let mut c = Client::default();
    c.extra.push(("X-Forwarded-For".into(), address.into()));
    let page = c.get(&format!("{}/login", app.base));
    let csrf = hidden(&page.body, "csrf");
    let r = c.post_form(
        &format!("{}/login", app.base),
        &[
            ("username", user),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/"),
        ],
    );
    (c, r)
}

fn login_from(app: &App, user: &str, password: &str, address: &str) -> Client {
    let (c, r) = login_attempt(app, address, user, password);
    assert_eq!(
        r.status, 303,
        "{}: login as {user} from {address}: {}",
        app.backend, r.body
    );
    c
}

/// Finding 8: throttling per (account, address) with growing delays and a budget per
/// address. A wrong-password flood slows the attacker's address, not the real user
/// elsewhere; failures against a name before its account exists do not lock the account;
/// one password tried on many accounts from one address stops at the budget.
#[test]
fn throttling_slows_the_attacker_not_the_user() {
    for app in spawn_apps() {
        let b = app.backend;
        // A wrong-password flood against the strategist from one address.
        let statuses: Vec<Resp> = (0..8)
            .map(|_| login_attempt(&app, "203.0.113.7", "strategist", "fel lösenord").1)
            .collect();
        let limited: Vec<&Resp> = statuses.iter().filter(|r| r.status == 429).collect();
        assert!(
            !limited.is_empty(),
            "{b}: {:?}",
            statuses.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        let retry: u64 = limited[0]
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry), "{b}: {retry}");
        // Even the right password waits at that address …
        assert_eq!(
            login_attempt(&app, "203.0.113.7", "strategist", PW)
                .1
                .status,
            429,
            "{b}"
        );
        // … but the real user, elsewhere, logs in at once.
        login_from(&app, "strategist", PW, "198.51.100.20");
        // Failures against a name that does not exist yet do not lock the account made later.
        for _ in 0..8 {
            login_attempt(&app, "203.0.113.8", "nykomling", "gissning");
        }
        {
            let mut s = store(&app);
            etablera_app::accounts::add_user(
                s.as_mut(),
                "nykomling",
                "Ny Kommande",
                &Password::new(PW),
                false,
                None,
            )
            .unwrap();
        }
        login_from(&app, "nykomling", PW, "198.51.100.21");
        // Spraying: one password on many accounts from one address stops at its budget.
        let spray: Vec<u16> = (0..30)
            .map(|i| {
                login_attempt(&app, "203.0.113.9", &format!("konto{i}"), "Sommar2026!")
                    .1
                    .status
            })
            .collect();
        assert_eq!(
            spray.iter().filter(|s| **s == 422).count(),
            20,
            "{b}: {spray:?}"
        );
        assert!(spray[20..].iter().all(|s| *s == 429), "{b}: {spray:?}");
        // The same address cannot then test the password on a real account either.
        assert_eq!(
            login_attempt(&app, "203.0.113.9", "strategist", PW)
                .1
                .status,
            429,
            "{b}"
        );
    }
}

/// Finding 4, the rest: request ids, compression and security headers come from tower-http
/// layers on every answer, the API's included.
#[test]
fn every_answer_has_a_request_id_security_headers_and_compression() {
    for app in spawn_apps() {
        let b = app.backend;
        for path in ["/", "/indikatorer", "/api/v1/strategies", "/finns-inte"] {
            let mut c = Client::default();
            c.extra.push(("Accept-Encoding".into(), "gzip".into()));
            let r = c.get(&format!("{}{path}", app.base));
            let id = r
                .header("x-request-id")
                .unwrap_or_else(|| panic!("{b} {path}: no request id"));
            assert!(id.len() >= 16, "{b} {path}: {id}");
            for h in [
                "content-security-policy",
                "x-content-type-options",
                "x-frame-options",
                "referrer-policy",
            ] {
                assert!(r.header(h).is_some(), "{b} {path}: no {h}");
            }
            if path == "/indikatorer" {
                assert_eq!(r.header("content-encoding"), Some("gzip"), "{b} {path}");
            }
        }
        // A request id the client sends is kept, so a proxy's id follows the request.
        let mut c = Client::default();
        c.extra
            .push(("X-Request-Id".into(), "proxy-abc-123".into()));
        assert_eq!(
            c.get(&format!("{}/", app.base)).header("x-request-id"),
            Some("proxy-abc-123"),
            "{b}"
        );
    }
}

/// Finding 3 for forms: a form body is at most 256 KiB (uploads have their own limit), so
/// a flood of large forms cannot each make the server build a large map of fields.
#[test]
fn a_form_body_is_small() {
    for app in spawn_apps() {
        let b = app.backend;
        let body: String = (0..100_000).map(|i| format!("k{i}=v&")).collect();
        assert!(body.len() > 256 * 1024);
        // The server answers before the body is all sent: read that answer (finding 15).
        let status = common::post_reading_early_answer(
            &format!("{}/login", app.base),
            &Default::default(),
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        );
        assert_eq!(status, 413, "{b}");
        let mut c = Client::default();
        assert_eq!(c.get(&format!("{}/", app.base)).status, 200, "{b}: alive");
    }
}

/// Finding 14: a form with an error comes back with what the user wrote and the error
/// above it (not a bare error page that drops the form), shows the logged-in user as
/// logged in (not "Logga in"), and a Swedish page names fields by their labels, never by
/// code names (`personnummer`, `sjalvbosatt`).
#[test]
fn error_pages_speak_to_the_logged_in_user_in_swedish() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut cw = login(&app, "cw");
        let csrf = session_csrf(&app, &mut cw);
        let r = register_person(
            &app,
            &mut cw,
            &csrf,
            &[
                ("namn", "Fel Siffra"),
                ("personnummer", "19811218-9875"),
                ("fodelseland", "Eritrea"),
                ("sprak", "tigrinja, arabiska"),
                ("telefon", "070-123 45 67"),
            ],
        );
        assert_eq!(r.status, 422, "{b}: {}", r.body);
        for v in [
            "value=\"Fel Siffra\"",
            "value=\"19811218-9875\"",
            "value=\"Eritrea\"",
            "value=\"tigrinja, arabiska\"",
            "value=\"070-123 45 67\"",
        ] {
            assert!(r.body.contains(v), "{b}: {v} kept: {}", r.body);
        }
        assert!(
            r.body.contains("action=\"/register/2380/persons\""),
            "{b}: the form itself, to send again"
        );
        assert!(
            r.body.contains("role=\"alert\""),
            "{b}: the error is announced"
        );
        assert!(r.body.contains("Personnummer"), "{b}: {}", r.body);
        // The whole sentence is Swedish, with the field named as the form shows it (it
        // was "fältet ”Personnummer”: the check digit (the last digit) is wrong").
        assert!(
            r.body
                .contains("Fältet ”Personnummer” har fel kontrollsiffra (den sista siffran)."),
            "{b}: a Swedish sentence: {}",
            r.body
        );
        assert!(
            !r.body.contains("check digit"),
            "{b}: no English on a Swedish page"
        );
        assert!(
            r.body.contains("aria-invalid=\"true\""),
            "{b}: the field in error is marked"
        );
        // The CSRF token in the form is the session's, so sending it again works.
        let again = hidden(&r.body, "csrf");
        assert_eq!(again, csrf, "{b}");
        assert!(r.body.contains("Logga ut"), "{b}: shown as logged in");
        assert!(!r.body.contains(">Logga in<"), "{b}: {}", r.body);
        assert!(
            !r.body.contains("field `"),
            "{b}: no code names: {}",
            r.body
        );
        let r = register_person(
            &app,
            &mut cw,
            &csrf,
            &[
                ("namn", "Fel Kategori"),
                ("fodelsear", "1990"),
                ("kategori", "turist"),
            ],
        );
        assert_eq!(r.status, 422, "{b}");
        assert!(
            r.body.contains("självbosatt")
                && !r
                    .body
                    .replace("value=\"sjalvbosatt\"", "")
                    .contains("sjalvbosatt"),
            "{b}: {}",
            r.body
        );
        assert!(r.body.contains("Kategori"), "{b}: {}", r.body);
        assert_eq!(
            store(&app)
                .persons(&etablera_domain::UnitCode::parse("2380").unwrap())
                .unwrap()
                .len(),
            0,
            "{b}: nothing stored"
        );
    }
}

/// Where a page shows a stored UTC time as text (`2026-12-01T02:40:00Z`), not inside an
/// attribute; `None` when every time is shown as Swedish time.
fn iso_time_in_text(body: &str) -> Option<String> {
    let b = body.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    (1..b.len().saturating_sub(shape.len())).find_map(|i| {
        let fits = shape.iter().enumerate().all(|(k, &c)| {
            let x = b[i + k];
            if c == b'd' {
                x.is_ascii_digit()
            } else {
                x == c
            }
        });
        (fits && b[i - 1] != b'"').then(|| body[i.saturating_sub(60)..i + shape.len()].to_string())
    })
}

/// Finding 14: times are shown as Swedish time (`2026-12-01 03:40`), not as ISO UTC
/// strings, on the read log, a target's change history and its analysis.
#[test]
fn times_are_shown_in_swedish_time() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut mgr = login(&app, "mgr");
        let csrf = session_csrf(&app, &mut mgr);
        let r = register_person(
            &app,
            &mut mgr,
            &csrf,
            &[
                ("namn", "Tid Testsson"),
                ("personnummer", "19811218-9876"),
                ("kon", "M"),
            ],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let person = r.header("location").unwrap().to_string();
        assert_eq!(mgr.get(&format!("{}{person}", app.base)).status, 200, "{b}");
        // The read log is the municipality administrator's to check.
        let mut admin = login(&app, "admin");
        let log = admin.get(&format!("{}/register/2380/lasloggen", app.base));
        assert_eq!(log.status, 200, "{b}");
        assert!(log.body.contains("<time datetime="), "{b}: {}", log.body);
        assert_eq!(iso_time_in_text(&log.body), None, "{b}: read log");

        let mut st = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut st);
        let url = format!("{}/s/ostersund-2020/t/m2-arbete-studier", app.base);
        let r = st.post_form(
            &format!("{url}/comment"),
            &[("csrf", &csrf), ("year", "2018"), ("body", "Analys.")],
        );
        assert_eq!(r.status, 303, "{b}");
        let page = st.get(&format!("{url}?year=2018"));
        assert!(page.body.contains("Senast ändrad"), "{b}");
        assert_eq!(iso_time_in_text(&page.body), None, "{b}: target page");
    }
}

/// Use-case issue: an internal failure (here a table dropped under the running application)
/// answers 500 with a reference id the user can quote, never the cause; the cause is in the
/// server's log under the same reference.
#[test]
fn an_internal_failure_answers_500_with_a_reference_and_no_cause() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut st = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut st);
        let drop_sql = "drop table target_comment";
        if b == "sqlite" {
            let c = rusqlite::Connection::open(&app.store.address).unwrap();
            c.execute_batch(drop_sql).unwrap();
        } else {
            let (url, schema) = testing::pg_server_and_schema(&app.store.address);
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("set search_path = {schema}; {drop_sql}"))
                .unwrap();
        }
        let r = st.post_form(
            &format!("{}/s/ostersund-2020/t/m2-arbete-studier/comment", app.base),
            &[("csrf", &csrf), ("year", "2018"), ("body", "Analys.")],
        );
        assert_eq!(r.status, 500, "{b}: {}", r.body);
        assert!(r.body.contains("Referens"), "{b}: {}", r.body);
        for cause in [
            "target_comment",
            "no such table",
            "does not exist",
            "database error",
        ] {
            assert!(!r.body.contains(cause), "{b}: the cause «{cause}» is shown");
        }
        let api = {
            let mut c = st.clone();
            c.send(
                "POST",
                &format!(
                    "{}/api/v1/strategies/ostersund-2020/targets/m2-arbete-studier/comments",
                    app.base
                ),
                Some((
                    "application/json",
                    serde_json::json!({"year": 2019, "body": "x"}).to_string(),
                )),
            )
        };
        assert_eq!(api.status, 500, "{b}: {}", api.body);
        let reference = api.json()["error"]["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("{b}: a reference in {}", api.body))
            .to_string();
        assert!(!api.body.contains("target_comment"), "{b}: {}", api.body);
        assert!(reference.len() >= 8, "{b}: {reference}");
    }
}

/// A register page checks access before it reads its filters: a stranger's malformed
/// filter is answered as a stranger (404, or 401 without a login), never with a 422 that
/// tells them the page would have read it.
#[test]
fn register_filters_are_read_after_the_access_check() {
    for app in spawn_apps() {
        let b = app.backend;
        let bad_caseload = format!("{}/register/2380?category=turist&days_left=-4", app.base);
        let bad_log = format!("{}/register/2380/lasloggen?from=igår", app.base);
        let mut anon = Client::default();
        assert_eq!(anon.get(&bad_caseload).status, 401, "{b}");
        assert_eq!(anon.get(&bad_log).status, 401, "{b}");
        let mut stranger = login(&app, "ljcw");
        assert_eq!(stranger.get(&bad_caseload).status, 404, "{b}");
        assert_eq!(stranger.get(&bad_log).status, 404, "{b}");
        // The municipality's own staff get the field named.
        let mut cw = login(&app, "cw");
        let r = cw.get(&bad_caseload);
        assert_eq!(r.status, 422, "{b}");
        assert!(r.body.contains("Kategori"), "{b}: {}", r.body);
        // The municipality's admin reviews the read log: the date is named to them.
        let mut admin = login(&app, "admin");
        assert_eq!(admin.get(&bad_log).status, 422, "{b}");
    }
}

/// Every page of the register read by every kind of visitor: the municipality's case
/// worker, a case worker of another municipality (who learns nothing: 404), and an
/// anonymous visitor (401).
#[test]
fn register_pages_by_visitor() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut cw = login(&app, "cw");
        let csrf = session_csrf(&app, &mut cw);
        let r = register_person(&app, &mut cw, &csrf, &[("namn", "Sida Läsare")]);
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let person = r.header("location").unwrap().to_string();
        let pages = [
            "/register/2380".to_string(),
            "/register/2380/ny".to_string(),
            "/register/2380/statistik".to_string(),
            person.clone(),
        ];
        for page in &pages {
            let url = format!("{}{page}", app.base);
            assert_eq!(cw.get(&url).status, 200, "{b}: {page}");
            assert_eq!(Client::default().get(&url).status, 401, "{b}: {page}");
            let mut stranger = login(&app, "ljcw");
            assert_eq!(stranger.get(&url).status, 404, "{b}: {page}");
        }
        // The reception manager's pages, and the person's export (managing the case).
        let mut mgr = login(&app, "mgr");
        for page in [
            "/register/2380/kontroll".to_string(),
            format!("{person}/export"),
        ] {
            let url = format!("{}{page}", app.base);
            assert_eq!(mgr.get(&url).status, 200, "{b}: {page}");
            assert_eq!(Client::default().get(&url).status, 401, "{b}: {page}");
            assert_eq!(login(&app, "ljcw").get(&url).status, 404, "{b}: {page}");
        }
        let log = format!("{}/register/2380/lasloggen", app.base);
        assert_eq!(login(&app, "admin").get(&log).status, 200, "{b}");
        assert_eq!(Client::default().get(&log).status, 401, "{b}");
        assert_eq!(login(&app, "ljcw").get(&log).status, 404, "{b}");
    }
}
