//! HTTP tests against the real application on a random port, on every backend.
//!
//! Each test gets a fresh database with the shipped strategies, fictitious data and four
//! accounts; Östersund's strategy is published, Ljusnarsberg's is not.

mod common;

use common::{hidden, login, multipart, session_csrf, Client, Resp, PW};
use std::collections::HashMap;

type App = common::App;

/// Starts the application on 127.0.0.1:0 for each backend.
fn spawn_apps() -> Vec<App> {
    common::spawn_apps(|s| {
        use etablera_domain::access::Role;
        common::seed(
            s,
            true,
            &[
                ("sys", true, &[], &[]),
                ("viewer", false, &[("2380", Role::Viewer)], &[]),
                ("strategist", false, &[("2380", Role::Strategist)], &[]),
                ("ljadmin", false, &[("1864", Role::Admin)], &[]),
            ],
            &["ostersund-2020"],
        );
        let obs = etablera_app::demo::fictitious_observations().unwrap();
        let batch = etablera_store::NewBatch {
            source: "demo".into(),
            file_name: None,
            content_sha256: "demo".into(),
            imported_at: "2026-01-01T00:00:00Z".into(),
            owner: None,
            audit: None,
        };
        s.import_observations(&batch, &obs, &mut |_| {}).unwrap();
        (etablera_web::Config::default(), ())
    })
}

#[test]
fn pages_and_headers() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut anon = Client::default();
        let home = anon.get(&format!("{}/", app.base));
        assert_eq!(home.status, 200, "{b}");
        assert!(
            home.body.contains("Integrationsstrategi 2020") && !home.body.contains("Ljusnarsberg"),
            "{b}: only published strategies"
        );
        let csp = home.header("content-security-policy").unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{b}: {csp}"
        );
        assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
        let ov = anon.get(&format!("{}/s/ostersund-2020?year=2018", app.base));
        assert_eq!(ov.status, 200, "{b}");
        for goal in ["Fler nya Östersundare", "Ökad social sammanhållning"] {
            assert!(ov.body.contains(goal), "{b}: {goal}");
        }
        assert!(
            ov.body.contains("class=\"status ")
                && ov.body.contains("Förändringar sedan förra året"),
            "{b}"
        );
        let filtered = anon.get(&format!(
            "{}/s/ostersund-2020?year=2018&area=service",
            app.base
        ));
        assert!(
            filtered.body.contains("behörighet till gymnasieskolan")
                && !filtered.body.contains("Minst 8 %"),
            "{b}: area filter"
        );
        let tp = anon.get(&format!(
            "{}/s/ostersund-2020/t/m2-arbete-studier?year=2018",
            app.base
        ));
        assert_eq!(tp.status, 200, "{b}");
        assert!(
            tp.body.contains("<svg")
                && tp.body.contains("role=\"img\"")
                && tp.body.contains("Dataleveranser"),
            "{b}"
        );
        assert_eq!(
            anon.get(&format!("{}/s/ostersund-2020/t/nope", app.base))
                .status,
            404,
            "{b}"
        );
        assert_eq!(
            anon.get(&format!("{}/tillganglighet", app.base)).status,
            200,
            "{b}"
        );
        let css = anon.get(&format!("{}/static/app.css", app.base));
        assert!(
            css.status == 200 && css.header("content-type").unwrap().starts_with("text/css"),
            "{b}"
        );
        // Language switch, and only to same-site paths.
        let r = anon.get(&format!("{}/lang/en?next=/s/ostersund-2020", app.base));
        assert_eq!(
            (r.status, r.header("location")),
            (303, Some("/s/ostersund-2020")),
            "{b}"
        );
        assert!(
            anon.get(&format!("{}/s/ostersund-2020", app.base))
                .body
                .contains("Summary"),
            "{b}"
        );
        let r = anon.get(&format!("{}/lang/sv?next=https://evil.example/", app.base));
        assert_eq!(r.header("location"), Some("/"), "{b}: no open redirect");
        let r = anon.get(&format!("{}/lang/sv?next=//evil.example/", app.base));
        assert_eq!(r.header("location"), Some("/"), "{b}");
        // Hostile input is shown harmlessly.
        let r = anon.get(&format!(
            "{}/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            app.base
        ));
        assert_eq!(r.status, 404, "{b}");
        assert!(!r.body.contains("<script>"), "{b}");
        let r = anon.get(&format!(
            "{}/s/ostersund-2020?year=%27%20OR%201%3D1--",
            app.base
        ));
        assert!(r.status < 500, "{b}: {}", r.status);
        let r = anon.get(&format!("{}/s/ostersund-2020?year=99999", app.base));
        assert_eq!(r.status, 422, "{b}");
    }
}

#[test]
fn sessions_csrf_and_throttling() {
    for app in spawn_apps() {
        let b = app.backend;
        // A session id the client made up is never adopted: login makes a new one.
        let mut c = Client::default();
        c.cookies.insert("etablera_session".into(), "a".repeat(64));
        let page = c.get(&format!("{}/login", app.base));
        let csrf = hidden(&page.body, "csrf");
        let r = c.post_form(
            &format!("{}/login", app.base),
            &[("username", "viewer"), ("password", PW), ("csrf", &csrf)],
        );
        assert_eq!(r.status, 303, "{b}");
        assert_ne!(c.cookies["etablera_session"], "a".repeat(64), "{b}");
        let set = r.headers["set-cookie"]
            .iter()
            .find(|s| s.starts_with("etablera_session="))
            .unwrap()
            .clone();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{b}: {set}"
        );
        assert!(
            c.get(&format!("{}/", app.base))
                .body
                .contains("Inloggad som"),
            "{b}"
        );
        // Logout needs the CSRF token.
        let r = c.post_form(&format!("{}/logout", app.base), &[("csrf", "wrong")]);
        assert_eq!(r.status, 422, "{b}");
        assert!(
            c.get(&format!("{}/", app.base))
                .body
                .contains("Inloggad som"),
            "{b}: still logged in"
        );
        let token = session_csrf(&app, &mut c);
        let old = c.cookies["etablera_session"].clone();
        let r = c.post_form(&format!("{}/logout", app.base), &[("csrf", &token)]);
        assert_eq!(r.status, 303, "{b}");
        let mut replay = Client::default();
        replay.cookies.insert("etablera_session".into(), old);
        assert!(
            !replay
                .get(&format!("{}/", app.base))
                .body
                .contains("Inloggad som"),
            "{b}: the old session is gone"
        );
        // Login without the form's cookie token fails.
        let mut d = Client::default();
        let r = d.post_form(
            &format!("{}/login", app.base),
            &[("username", "viewer"), ("password", PW), ("csrf", "x")],
        );
        assert_eq!(r.status, 422, "{b}");
        // Wrong passwords, then a growing wait at this address, even for the right one.
        let mut e = Client::default();
        for _ in 0..etablera_web::auth::FREE_FAILURES {
            let csrf = hidden(&e.get(&format!("{}/login", app.base)).body, "csrf");
            let r = e.post_form(
                &format!("{}/login", app.base),
                &[
                    ("username", "strategist"),
                    ("password", "fel lösenord här"),
                    ("csrf", &csrf),
                ],
            );
            assert_eq!(r.status, 422, "{b}");
            assert!(r.body.contains("Fel användarnamn eller lösenord"), "{b}");
        }
        let csrf = hidden(&e.get(&format!("{}/login", app.base)).body, "csrf");
        let r = e.post_form(
            &format!("{}/login", app.base),
            &[
                ("username", "strategist"),
                ("password", PW),
                ("csrf", &csrf),
            ],
        );
        assert_eq!(r.status, 429, "{b}");
        assert!(matches!(r.header("retry-after"), Some("4" | "5")), "{b}");
        assert!(
            r.body.contains("sekunder och försök igen"),
            "{b}: {}",
            r.body
        );
    }
}

/// Every cell of role × route × own/other municipality × published/unpublished for the
/// routes that show a strategy; forbidden cells fail.
#[test]
fn authorization_matrix() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut clients: Vec<(&str, Client)> = vec![("anonymous", Client::default())];
        for u in ["viewer", "strategist", "ljadmin", "sys"] {
            clients.push((u, login(&app, u)));
        }
        // (strategy, published, owner members)
        let cases = [
            ("ostersund-2020", true, ["viewer", "strategist"]),
            ("ljusnarsberg-2016", false, ["ljadmin", "ljadmin"]),
        ];
        for (who, c) in clients.iter_mut() {
            for (id, published, members) in cases {
                let member = members.contains(who) || *who == "sys";
                let target = c.get(&format!("{}/s/{id}", app.base));
                let api = c.get(&format!("{}/api/v1/strategies/{id}", app.base));
                let fu = c.get(&format!(
                    "{}/api/v1/strategies/{id}/followup?year=2020",
                    app.base
                ));
                // Anonymous visitors too get 404: an unpublished strategy looks missing.
                let expect_page = if published || member { 200 } else { 404 };
                assert_eq!(target.status, expect_page, "{b}: {who} page {id}");
                assert_eq!(api.status, expect_page, "{b}: {who} api {id}");
                assert_eq!(fu.status, expect_page, "{b}: {who} followup {id}");
                if expect_page != 200 {
                    assert!(
                        !target.body.contains("Övergripande kännetecken")
                            && !api.body.contains("kännetecken"),
                        "{b}: nothing leaks"
                    );
                    assert_eq!(api.json()["error"]["status"], expect_page, "{b}");
                }
                let list = c.get(&format!("{}/api/v1/strategies", app.base)).json();
                let listed = list["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["id"] == id);
                assert_eq!(listed, published || member, "{b}: {who} lists {id}");
            }
            // The municipality's own figures (not Kolada): members only.
            let own = c.get(&format!(
                "{}/api/v1/observations?indicator=OSD-UTOMNORD-ANST&unit=2380",
                app.base
            ));
            let expect = match *who {
                "anonymous" => 401,
                "viewer" | "strategist" | "sys" => 200,
                _ => 403,
            };
            assert_eq!(own.status, expect, "{b}: {who} own figures");
            // Kolada's figures are public to any logged-in caller.
            let kolada = c.get(&format!(
                "{}/api/v1/observations?indicator=N00973&unit=2380&sex=T",
                app.base
            ));
            assert_eq!(
                kolada.status,
                if *who == "anonymous" { 401 } else { 200 },
                "{b}: {who} kolada"
            );
        }
    }
}

#[test]
fn api_lists_errors_and_tokens() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut anon = Client::default();
        let units = anon
            .get(&format!(
                "{}/api/v1/units?kind=municipality&per_page=500",
                app.base
            ))
            .json();
        assert_eq!(units["total"], 290, "{b}");
        let p2 = anon
            .get(&format!(
                "{}/api/v1/units?kind=municipality&page=2&per_page=100",
                app.base
            ))
            .json();
        assert_eq!(p2["items"].as_array().unwrap().len(), 100, "{b}");
        let found = anon
            .get(&format!(
                "{}/api/v1/indicators?q=etableringsuppdraget%20arbeta",
                app.base
            ))
            .json();
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == "N00973"),
            "{b}"
        );
        // SQL in a parameter is just text.
        let sql = anon.get(&format!(
            "{}/api/v1/indicators?q=%27%20OR%201%3D1--",
            app.base
        ));
        assert_eq!(
            (sql.status, sql.json()["total"].as_u64()),
            (200, Some(0)),
            "{b}"
        );
        for bad in ["per_page=0", "per_page=501", "page=-1", "kind=planet"] {
            let r = anon.get(&format!("{}/api/v1/units?{bad}", app.base));
            assert_eq!(r.status, 422, "{b}: {bad}");
            assert_eq!(r.json()["error"]["code"], "invalid_input", "{b}: {bad}");
        }
        let r = anon.get(&format!("{}/api/v1/nothing", app.base));
        assert_eq!(
            (r.status, r.json()["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{b}"
        );
        let doc = anon
            .get(&format!("{}/api/v1/openapi.json", app.base))
            .json();
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        let routes = [
            "/units",
            "/indicators",
            "/observations",
            "/strategies",
            "/strategies/{id}",
            "/strategies/{id}/followup",
            "/strategies/{id}/targets/{target}",
            "/strategies/{id}/targets/{target}/comments",
            "/strategies/{id}/activities/{activity}",
            "/tokens",
            "/tokens/{id}/revoke",
            "/register/{unit}/persons",
            "/register/{unit}/persons/{id}",
            "/register/{unit}/statistics",
            "/library/comparison/{indicator}",
        ];
        for p in routes {
            assert!(paths.iter().any(|x| *x == p), "{b}: {p} documented");
        }
        assert_eq!(
            paths.len(),
            routes.len(),
            "{b}: no undocumented or stale paths"
        );

        // Tokens: a viewer may not make a write token; a strategist may; it reads its own
        // municipality, nothing else, and stops working when revoked.
        let mut viewer = login(&app, "viewer");
        let r = viewer.post_json(
            &format!("{}/api/v1/tokens", app.base),
            serde_json::json!({"unit": "2380", "scope": "write", "name": "x"}),
        );
        assert_eq!(r.status, 403, "{b}");
        let mut strategist = login(&app, "strategist");
        let r = strategist.post_json(
            &format!("{}/api/v1/tokens", app.base),
            serde_json::json!({"unit": "2380", "scope": "read", "name": "export"}),
        );
        assert_eq!(r.status, 201, "{b}: {}", r.body);
        let created = r.json();
        let secret = created["token"].as_str().unwrap().to_string();
        let r = strategist.post_json(
            &format!("{}/api/v1/tokens", app.base),
            serde_json::json!({"unit": "1864", "scope": "read", "name": "x"}),
        );
        assert_eq!(r.status, 403, "{b}: not for another municipality");
        let r = strategist.send(
            "POST",
            &format!("{}/api/v1/tokens", app.base),
            Some(("application/json", "{not json".into())),
        );
        assert_eq!(r.status, 422, "{b}");
        let mut machine = Client {
            bearer: Some(secret.clone()),
            ..Default::default()
        };
        assert_eq!(
            machine
                .get(&format!(
                    "{}/api/v1/observations?indicator=OSD-UTOMNORD-ANST&unit=2380",
                    app.base
                ))
                .status,
            200,
            "{b}"
        );
        assert_eq!(
            machine
                .get(&format!("{}/api/v1/strategies/ljusnarsberg-2016", app.base))
                .status,
            404,
            "{b}"
        );
        let r = machine.post_json(
            &format!("{}/api/v1/tokens", app.base),
            serde_json::json!({"unit": "2380", "scope": "read", "name": "y"}),
        );
        assert_eq!(r.status, 401, "{b}: a token cannot make tokens");
        let listed = strategist
            .get(&format!("{}/api/v1/tokens", app.base))
            .json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{b}");
        assert!(
            !listed.to_string().contains(&secret),
            "{b}: the secret is shown once"
        );
        let id = created["id"].as_i64().unwrap();
        assert_eq!(
            viewer
                .send(
                    "POST",
                    &format!("{}/api/v1/tokens/{id}/revoke", app.base),
                    None
                )
                .status,
            404,
            "{b}: not the viewer's token"
        );
        assert_eq!(
            strategist
                .send(
                    "POST",
                    &format!("{}/api/v1/tokens/{id}/revoke", app.base),
                    None
                )
                .status,
            200,
            "{b}"
        );
        assert_eq!(
            machine
                .get(&format!(
                    "{}/api/v1/observations?indicator=OSD-UTOMNORD-ANST&unit=2380",
                    app.base
                ))
                .status,
            401,
            "{b}: revoked"
        );
        let mut bogus = Client {
            bearer: Some("0".repeat(64)),
            ..Default::default()
        };
        assert_eq!(
            bogus
                .get(&format!(
                    "{}/api/v1/observations?indicator=N00973&unit=2380",
                    app.base
                ))
                .status,
            401,
            "{b}"
        );
    }
}

#[test]
fn editing_a_target_and_its_analysis() {
    for app in spawn_apps() {
        let b = app.backend;
        let url = format!("{}/s/ostersund-2020/t/m2-arbete-studier", app.base);
        let status = |c: &mut Client| {
            let body = c.get(&format!("{url}?year=2018")).body;
            let at = body.find("class=\"status ").unwrap();
            body[at + 14..at + 14 + body[at + 14..].find('"').unwrap()].to_string()
        };
        let mut anon = Client::default();
        assert_eq!(anon.get(&format!("{url}/edit")).status, 401, "{b}");
        let mut viewer = login(&app, "viewer");
        assert_eq!(
            viewer.get(&format!("{url}/edit")).status,
            403,
            "{b}: a viewer may not edit"
        );
        assert!(
            !viewer.get(&url).body.contains("/edit"),
            "{b}: no edit link for a viewer"
        );
        let mut other = login(&app, "ljadmin");
        assert_eq!(
            other.get(&format!("{url}/edit")).status,
            403,
            "{b}: another municipality may not edit a published strategy"
        );
        assert_eq!(
            other
                .get(&format!("{}/s/ljusnarsberg-2016", app.base))
                .status,
            200,
            "{b}"
        );
        let mut strategist = login(&app, "strategist");
        let form = strategist.get(&format!("{url}/edit"));
        assert_eq!(form.status, 200, "{b}");
        let csrf = hidden(&form.body, "csrf");
        let before = status(&mut strategist);
        // A wrong number is refused with the field named; nothing changes.
        let r = strategist.post_form(
            &format!("{url}/edit"),
            &[
                ("csrf", &csrf),
                ("text", "Nyanlända i arbete eller studier"),
                ("value", "femtio"),
                ("target_year", "2020"),
                ("baseline_year", "2015"),
            ],
        );
        assert_eq!(r.status, 422, "{b}");
        assert!(
            r.body.contains("femtio") && r.body.contains("aria-invalid=\"true\""),
            "{b}"
        );
        assert_eq!(status(&mut strategist), before, "{b}");
        // Without the CSRF token nothing is saved either.
        let r = strategist.post_form(
            &format!("{url}/edit"),
            &[
                ("csrf", "x"),
                ("text", "t"),
                ("value", "90"),
                ("target_year", "2020"),
            ],
        );
        assert_eq!(r.status, 422, "{b}");
        // Raising the target from 50 to 90 % turns the verdict for 2018.
        let r = strategist.post_form(
            &format!("{url}/edit"),
            &[
                ("csrf", &csrf),
                ("text", "Minst 90 procent i arbete eller studier år 2020"),
                ("value", "90,0"),
                ("target_year", "2020"),
                ("baseline_year", "2015"),
                ("note", ""),
            ],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let after = status(&mut strategist);
        assert_ne!(before, after, "{b}: the status changed");
        assert_eq!(after, "off_track", "{b}");
        let page = strategist.get(&url).body;
        assert!(
            page.contains("Ändringshistorik") && page.contains("strategist") && page.contains("90"),
            "{b}: the history shows who and what"
        );
        assert!(
            !anon.get(&url).body.contains("Ändringshistorik"),
            "{b}: the public does not see staff names"
        );
        // The yearly analysis.
        let r = strategist.post_form(
            &format!("{url}/comment"),
            &[
                ("csrf", &csrf),
                ("year", "2018"),
                ("body", "Andelen ökar, men <b>kvinnorna</b> släpar efter."),
            ],
        );
        assert_eq!(r.status, 303, "{b}");
        let public = anon.get(&format!("{url}?year=2018")).body;
        assert!(
            public.contains("kvinnorna") && public.contains("&lt;b&gt;"),
            "{b}: shown to the public, escaped"
        );
        let viewer_csrf = session_csrf(&app, &mut viewer);
        let r = viewer.post_form(
            &format!("{url}/comment"),
            &[("csrf", &viewer_csrf), ("year", "2018"), ("body", "x")],
        );
        assert_eq!(r.status, 403, "{b}");
        // Both writes are in the audit log, with who, before and after.
        let mut store = etablera_store::open(&app.store.owner_address).unwrap();
        let log = store
            .audit_log(&etablera_store::AuditFilter {
                units: Some(vec!["2380".into()]),
                limit: 50,
                ..Default::default()
            })
            .unwrap();
        let update = log
            .iter()
            .find(|e| e.action == "target.update")
            .expect("target.update audited");
        assert!(
            update.before.as_deref().unwrap().contains("\"value\":50.0")
                && update.after.as_deref().unwrap().contains("\"value\":90.0"),
            "{b}: {update:?}"
        );
        assert!(update.user_id.is_some(), "{b}");
        assert!(log.iter().any(|e| e.action == "target.comment"), "{b}");
    }
}

impl Client {
    fn post_bytes(&mut self, url: &str, ctype: &str, body: Vec<u8>) -> Resp {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let c: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let r = match agent
            .post(url)
            .set("Cookie", &c.join("; "))
            .set("Content-Type", ctype)
            .send_bytes(&body)
        {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{url}: {e}"),
        };
        let status = r.status();
        Resp {
            status,
            headers: HashMap::new(),
            body: r.into_string().unwrap_or_default(),
        }
    }
}

#[test]
fn uploads_with_preview_and_manual_entry() {
    for app in spawn_apps() {
        let b = app.backend;
        let data = format!("{}/s/ostersund-2020/data", app.base);
        let count = || {
            etablera_store::open(&app.store.owner_address)
                .unwrap()
                .counts()
                .unwrap()
                .observations
        };
        let mut viewer = login(&app, "viewer");
        assert_eq!(viewer.get(&data).status, 403, "{b}");
        let mut c = login(&app, "strategist");
        let page = c.get(&data);
        assert_eq!(page.status, 200, "{b}");
        let csrf = hidden(&page.body, "csrf");
        let before = count();
        // An xlsx with an unknown municipality in row 3: the error names the row; nothing stored.
        let bad = etablera_ingest::xlsx_wide::write(&[
            vec!["Kommun", "Indikator", "Kön", "2024"],
            vec!["Östersund", "OSD-UTOMNORD-ANST", "T", "11.5"],
            vec!["Ankeborg", "OSD-UTOMNORD-ANST", "T", "3"],
            vec!["Östersund", "OSD-UTOMNORD-ANST", "K", "tolv"],
        ]);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("personal.xlsx", &bad)));
        let r = c.post_bytes(&format!("{data}/preview"), &ct, body);
        assert_eq!(r.status, 422, "{b}");
        assert!(
            r.body
                .contains("row 3, column A, field `Kommun`: unknown municipality `Ankeborg`"),
            "{b}: {}",
            r.body
        );
        assert!(
            r.body
                .contains("row 4, column D, field `2024`: `tolv` is not a number"),
            "{b}: every bad row"
        );
        assert_eq!(count(), before, "{b}");
        // Another municipality's own figures may not be stored by Östersund's strategist.
        let foreign = etablera_ingest::xlsx_wide::write(&[
            vec!["Kommun", "Indikator", "2024"],
            vec!["Ljusnarsberg", "OSD-UTOMNORD-ANST", "9"],
        ]);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("f.xlsx", &foreign)));
        let r = c.post_bytes(&format!("{data}/preview"), &ct, body);
        assert_eq!(r.status, 422, "{b}");
        assert!(
            r.body.contains("OSD-UTOMNORD-ANST") && r.body.contains("1864"),
            "{b}"
        );
        // A good file: preview, then store; the target's value follows.
        let good = etablera_ingest::xlsx_wide::write(&[
            vec!["Kommun", "Indikator", "Kön", "2025"],
            vec!["Östersund", "OSD-UTOMNORD-ANST", "T", "3,5"],
        ]);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("good.xlsx", &good)));
        let r = c.post_bytes(&format!("{data}/preview"), &ct, body);
        assert_eq!(r.status, 200, "{b}: {}", r.body);
        assert!(
            r.body.contains("Förhandsvisning") && r.body.contains("3,5"),
            "{b}"
        );
        assert_eq!(count(), before, "{b}: a preview stores nothing");
        let token = hidden(&r.body, "token");
        let mut other = login(&app, "viewer");
        let vcsrf = session_csrf(&app, &mut other);
        assert_eq!(
            other
                .post_form(
                    &format!("{data}/import"),
                    &[("csrf", &vcsrf), ("token", &token)]
                )
                .status,
            403,
            "{b}: not the viewer's upload"
        );
        let r = c.post_form(
            &format!("{data}/import"),
            &[("csrf", &csrf), ("token", &token)],
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert_eq!(count(), before + 1, "{b}");
        let tp = c
            .get(&format!(
                "{}/s/ostersund-2020/t/m2-utomnordiskt-anstallda?year=2025",
                app.base
            ))
            .body;
        assert!(
            tp.contains("3,5\u{a0}%") && tp.contains("good.xlsx"),
            "{b}: the chart and batches show the new value"
        );
        let r = c.post_form(
            &format!("{data}/import"),
            &[("csrf", &csrf), ("token", &token)],
        );
        assert_eq!(r.status, 422, "{b}: a token is used once");
        // Oversized and wrongly typed uploads.
        let big = vec![b'x'; 21 * 1024 * 1024];
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("big.csv", &big)));
        // The server answers 413 and closes before the body is all sent: read the answer
        // whatever happens to the rest of the body (a client that gives up on the broken
        // pipe made this test flaky).
        let status =
            common::post_reading_early_answer(&format!("{data}/preview"), &c.cookies, &ct, &body);
        assert_eq!(status, 413, "{b}");
        let r = c.post_bytes(&format!("{data}/preview"), "text/plain", b"hello".to_vec());
        assert_eq!(r.status, 415, "{b}");
        // Manual entry, with the same checks: (indicator, value), the answer, what the page
        // says (Swedish, naming the field as the form does), and the stored batches after.
        let cases: [(&str, &str, u16, &str, i64, &str); 5] = [
            (
                "OSD-PRAKTIK-KOMMUN",
                "9x",
                422,
                "Värde: `9x` är inget tal",
                1,
                "not a number",
            ),
            (
                "OSD-PRAKTIK-KOMMUN",
                "\",\"2380",
                422,
                "",
                1,
                "a quote cannot add a column",
            ),
            ("N99999", "1", 422, "", 1, "an unknown indicator"),
            ("OSD-PRAKTIK-KOMMUN", "112", 303, "", 2, "a value"),
            (
                "OSD-PRAKTIK-KOMMUN",
                "112",
                303,
                "",
                2,
                "the same value again changes nothing",
            ),
        ];
        for (indicator, value, status, says, batches, why) in cases {
            let r = c.post_form(
                &format!("{data}/manual"),
                &[
                    ("csrf", &csrf),
                    ("indicator", indicator),
                    ("period", "2025"),
                    ("sex", "T"),
                    ("value", value),
                    ("status", "final"),
                ],
            );
            assert_eq!(r.status, status, "{b}: {why}");
            assert!(r.body.contains(says), "{b}: {why}: {}", r.body);
            assert_eq!(count(), before + batches, "{b}: {why}");
        }
    }
}

#[test]
fn action_plan_reports_and_audit_log() {
    for app in spawn_apps() {
        let b = app.backend;
        let plan = format!("{}/s/ostersund-2020/plan", app.base);
        let mut anon = Client::default();
        assert_eq!(anon.get(&plan).status, 401, "{b}: the plan is not public");
        let mut other = login(&app, "ljadmin");
        assert_eq!(other.get(&plan).status, 403, "{b}: another municipality");
        assert_eq!(
            other
                .get(&format!("{}/s/ljusnarsberg-2016/plan", app.base))
                .status,
            200,
            "{b}"
        );
        let mut viewer = login(&app, "viewer");
        let page = viewer.get(&plan);
        assert_eq!(page.status, 200, "{b}");
        assert!(
            page.body.contains("Status per mål") && !page.body.contains("<select id=\"st-"),
            "{b}: read-only for a viewer"
        );
        let filtered = viewer.get(&format!("{plan}?department=Upphandlingsenheten"));
        assert!(
            filtered.body.contains("Social hänsyn") && !filtered.body.contains("E-tjänster"),
            "{b}: department filter"
        );
        let vcsrf = session_csrf(&app, &mut viewer);
        assert_eq!(
            viewer
                .post_form(
                    &format!("{plan}/hp-2019-2"),
                    &[("csrf", &vcsrf), ("status", "done")]
                )
                .status,
            403,
            "{b}"
        );
        let mut s = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut s);
        assert_eq!(
            s.post_form(
                &format!("{plan}/hp-2019-2"),
                &[("csrf", &csrf), ("status", "exploded")]
            )
            .status,
            422,
            "{b}"
        );
        assert_eq!(
            s.post_form(
                &format!("{plan}/nope"),
                &[("csrf", &csrf), ("status", "done")]
            )
            .status,
            404,
            "{b}"
        );
        let r = s.post_form(
            &format!("{plan}/hp-2019-2"),
            &[
                ("csrf", &csrf),
                ("status", "done"),
                ("comment", "Klart i mars"),
            ],
        );
        assert_eq!(r.status, 303, "{b}");
        assert!(viewer.get(&plan).body.contains("Klart i mars"), "{b}");
        // Reports: public for a published strategy, members only otherwise.
        let r = anon.get(&format!(
            "{}/s/ostersund-2020/report?year=2018&format=md&lang=en",
            app.base
        ));
        assert_eq!(r.status, 200, "{b}");
        assert!(
            r.header("content-disposition")
                .unwrap()
                .contains("uppfoljning-ostersund-2020-2018.md"),
            "{b}"
        );
        assert!(
            r.body
                .starts_with("# Follow-up of the integration strategy 2018"),
            "{b}"
        );
        // A target page says the projection in words, as the chart draws it.
        let page = anon.get(&format!(
            "{}/s/ostersund-2020/t/m1-andel-utrikes-fodda?year=2018",
            app.base
        ));
        assert!(page.body.contains("Prognos 2020: "), "{b}: {}", page.body);
        // The board's documents: the same access, their own media types.
        let r = anon.get(&format!(
            "{}/s/ostersund-2020/report?year=2020&format=pdf",
            app.base
        ));
        assert_eq!(r.status, 200, "{b}");
        assert_eq!(r.header("content-type").unwrap(), "application/pdf", "{b}");
        assert!(r.body.starts_with("%PDF-"), "{b}");
        assert!(
            r.header("content-disposition")
                .unwrap()
                .contains("uppfoljning-ostersund-2020-2020.pdf"),
            "{b}"
        );
        let r = anon.get(&format!(
            "{}/s/ostersund-2020/report?year=2020&format=docx&lang=en",
            app.base
        ));
        assert_eq!(r.status, 200, "{b}");
        assert!(
            r.header("content-type")
                .unwrap()
                .contains("wordprocessingml"),
            "{b}"
        );
        assert!(r.body.starts_with("PK"), "{b}");
        for format in ["pdf", "docx"] {
            assert_eq!(
                anon.get(&format!(
                    "{}/s/ljusnarsberg-2016/report?year=2018&format={format}",
                    app.base
                ))
                .status,
                404,
                "{b}: {format}"
            );
        }
        assert_eq!(
            anon.get(&format!(
                "{}/s/ljusnarsberg-2016/report?year=2018",
                app.base
            ))
            .status,
            404,
            "{b}"
        );
        assert_eq!(
            viewer
                .get(&format!(
                    "{}/s/ljusnarsberg-2016/report?year=2018",
                    app.base
                ))
                .status,
            404,
            "{b}"
        );
        assert_eq!(
            anon.get(&format!("{}/s/ostersund-2020/report?year=1066", app.base))
                .status,
            422,
            "{b}"
        );
        assert_eq!(
            anon.get(&format!("{}/s/ostersund-2020/reports", app.base))
                .status,
            200,
            "{b}"
        );
        // The audit log.
        assert_eq!(
            anon.get(&format!("{}/admin/audit", app.base)).status,
            401,
            "{b}"
        );
        assert_eq!(
            viewer.get(&format!("{}/admin/audit", app.base)).status,
            403,
            "{b}"
        );
        let own = other.get(&format!("{}/admin/audit", app.base));
        assert_eq!(own.status, 200, "{b}");
        assert!(
            own.body.contains("1864") && !own.body.contains("activity.update"),
            "{b}: an admin sees only their municipality"
        );
        assert_eq!(
            other
                .get(&format!("{}/admin/audit?unit=2380", app.base))
                .status,
            403,
            "{b}"
        );
        let mut sys = login(&app, "sys");
        let all = sys.get(&format!("{}/admin/audit?action=activity.update", app.base));
        assert!(
            all.body.contains("activity.update")
                && all.body.contains("strategist")
                && all.body.contains("Klart i mars"),
            "{b}"
        );
    }
}

/// Every strategy route × every kind of user × own/other municipality × published
/// (Östersund) / unpublished (Ljusnarsberg). Allowed cells succeed; forbidden cells fail
/// with 401 (not logged in), 403 (may see but not do) or 404 (may not know it exists).
#[test]
fn authorization_matrix_every_route() {
    #[derive(Clone, Copy, PartialEq)]
    enum Need {
        Public,
        Read,
        Write,
    }
    for app in spawn_apps() {
        let b = app.backend;
        let users = ["anonymous", "viewer", "strategist", "ljadmin", "sys"];
        let mut clients: Vec<(&str, Client, String)> = Vec::new();
        for u in users {
            let mut c = if u == "anonymous" {
                Client::default()
            } else {
                login(&app, u)
            };
            let csrf = if u == "anonymous" {
                String::new()
            } else {
                session_csrf(&app, &mut c)
            };
            clients.push((u, c, csrf));
        }
        // (strategy, owner's members, published, a target, an activity)
        let strategies = [
            (
                "ostersund-2020",
                vec!["viewer", "strategist"],
                true,
                "m1-andel-utrikes-fodda",
                "hp-2019-1",
                "m3-d1",
                "service",
            ),
            (
                "ljusnarsberg-2016",
                vec!["ljadmin"],
                false,
                "none",
                "boende-policy",
                "oppen-1",
                "oppen",
            ),
        ];
        for (sid, members, published, tid, aid, gid, area) in &strategies {
            for (who, c, csrf) in clients.iter_mut() {
                let member = members.contains(who) || *who == "sys";
                let writer = *who == "sys" || (member && *who != "viewer");
                let expect = |need: Need, ok: u16| -> u16 {
                    let allowed = match need {
                        Need::Public => *published || member,
                        Need::Read => member,
                        Need::Write => writer,
                    };
                    if allowed {
                        ok
                    } else if *who == "anonymous" && !*published {
                        404
                    } else if *who == "anonymous" {
                        401
                    } else if *published || member {
                        403
                    } else {
                        404
                    }
                };
                let has_target = *tid != "none";
                let target_ok = |ok: u16| if has_target { ok } else { 404 };
                let base = format!("{}/s/{sid}", app.base);
                let cases: Vec<(&str, String, Need, u16, Resp)> = vec![
                    (
                        "GET overview",
                        base.clone(),
                        Need::Public,
                        200,
                        c.get(&base),
                    ),
                    (
                        "GET target",
                        format!("{base}/t/{tid}"),
                        Need::Public,
                        target_ok(200),
                        c.get(&format!("{base}/t/{tid}")),
                    ),
                    (
                        "GET reports",
                        format!("{base}/reports"),
                        Need::Public,
                        200,
                        c.get(&format!("{base}/reports")),
                    ),
                    (
                        "GET report",
                        format!("{base}/report"),
                        Need::Public,
                        200,
                        c.get(&format!("{base}/report?year=2018")),
                    ),
                    (
                        "GET api strategy",
                        String::new(),
                        Need::Public,
                        200,
                        c.get(&format!("{}/api/v1/strategies/{sid}", app.base)),
                    ),
                    (
                        "GET api followup",
                        String::new(),
                        Need::Public,
                        200,
                        c.get(&format!("{}/api/v1/strategies/{sid}/followup", app.base)),
                    ),
                    (
                        "GET plan",
                        format!("{base}/plan"),
                        Need::Read,
                        200,
                        c.get(&format!("{base}/plan")),
                    ),
                    (
                        "GET rounds",
                        format!("{base}/omgangar"),
                        Need::Read,
                        200,
                        c.get(&format!("{base}/omgangar")),
                    ),
                    (
                        "GET activity edit",
                        format!("{base}/plan/{aid}/andra"),
                        Need::Write,
                        200,
                        c.get(&format!("{base}/plan/{aid}/andra")),
                    ),
                    (
                        "GET data",
                        format!("{base}/data"),
                        Need::Write,
                        200,
                        c.get(&format!("{base}/data")),
                    ),
                    (
                        "GET edit",
                        String::new(),
                        Need::Write,
                        target_ok(200),
                        c.get(&format!("{base}/t/{tid}/edit")),
                    ),
                    (
                        "POST edit",
                        String::new(),
                        Need::Write,
                        target_ok(303),
                        c.post_form(
                            &format!("{base}/t/{tid}/edit"),
                            &[
                                ("csrf", csrf),
                                ("text", "Minst 10 % utrikes födda år 2020"),
                                ("value", "10"),
                                ("target_year", "2020"),
                                ("baseline_year", "2015"),
                            ],
                        ),
                    ),
                    (
                        "POST comment",
                        String::new(),
                        Need::Write,
                        target_ok(303),
                        c.post_form(
                            &format!("{base}/t/{tid}/comment"),
                            &[("csrf", csrf), ("year", "2018"), ("body", "Analys")],
                        ),
                    ),
                    (
                        "POST plan",
                        String::new(),
                        Need::Write,
                        303,
                        c.post_form(
                            &format!("{base}/plan/{aid}"),
                            &[("csrf", csrf), ("status", "ongoing")],
                        ),
                    ),
                    (
                        "POST manual",
                        String::new(),
                        Need::Write,
                        303,
                        c.post_form(
                            &format!("{base}/data/manual"),
                            &[
                                ("csrf", csrf),
                                ("indicator", "N02926"),
                                ("period", "2025"),
                                ("sex", "T"),
                                ("value", "12"),
                                ("status", "final"),
                            ],
                        ),
                    ),
                    (
                        "POST import",
                        String::new(),
                        Need::Write,
                        422,
                        c.post_form(
                            &format!("{base}/data/import"),
                            &[("csrf", csrf), ("token", "0")],
                        ),
                    ),
                    (
                        "GET strategy",
                        String::new(),
                        Need::Read,
                        200,
                        c.get(&format!("{base}/strategy")),
                    ),
                    (
                        "GET strategy.toml",
                        String::new(),
                        Need::Read,
                        200,
                        c.get(&format!("{base}/strategy.toml")),
                    ),
                    (
                        "GET compare",
                        String::new(),
                        Need::Read,
                        200,
                        c.get(&format!("{base}/compare?year=2018")),
                    ),
                    (
                        "POST goal",
                        String::new(),
                        Need::Write,
                        303,
                        c.post_form(
                            &format!("{base}/goals/{gid}"),
                            &[("csrf", csrf), ("title", "Ett mål")],
                        ),
                    ),
                    (
                        "POST sub-goal",
                        String::new(),
                        Need::Write,
                        303,
                        c.post_form(
                            &format!("{base}/goals"),
                            &[("csrf", csrf), ("parent", gid), ("title", "Ett delmål")],
                        ),
                    ),
                    (
                        "POST link",
                        String::new(),
                        Need::Write,
                        303,
                        c.post_form(
                            &format!("{base}/areas/{area}/indicators"),
                            &[
                                ("csrf", csrf),
                                (
                                    "indicator",
                                    match *who {
                                        "strategist" => "N01802",
                                        "ljadmin" => "N02006",
                                        "sys" => "N01987",
                                        _ => "N01990",
                                    },
                                ),
                                ("op", "add"),
                            ],
                        ),
                    ),
                ];
                for (name, _, need, ok, r) in cases {
                    // Ljusnarsberg's strategy has no N02926 figures of its own to write; it
                    // does follow N02926, so manual entry is allowed there too.
                    let want = if *who == "anonymous"
                        && name.starts_with("POST")
                        && !(*published && need == Need::Public)
                    {
                        401
                    } else {
                        expect(need, ok)
                    };
                    assert_eq!(r.status, want, "{b}: {who} {name} {sid}");
                }
                // Multipart upload preview.
                let good = etablera_ingest::xlsx_wide::write(&[
                    vec!["Kommun", "Indikator", "2026"],
                    // The strategy's own municipality: figures are stored only for one's own.
                    vec![
                        if sid.starts_with("ljusnarsberg") {
                            "Ljusnarsberg"
                        } else {
                            "Östersund"
                        },
                        "N02926",
                        "12",
                    ],
                ]);
                let (ct, body) = multipart(&[("csrf", csrf)], Some(("g.xlsx", &good)));
                let r = c.post_bytes(&format!("{base}/data/preview"), &ct, body);
                let want = if *who == "anonymous" {
                    401
                } else {
                    expect(Need::Write, 200)
                };
                assert_eq!(r.status, want, "{b}: {who} POST preview {sid}");
            }
        }
    }
}

#[test]
fn comparison_and_strategy_file() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut anon = Client::default();
        assert_eq!(
            anon.get(&format!("{}/s/ostersund-2020/compare", app.base))
                .status,
            401,
            "{b}"
        );
        let mut viewer = login(&app, "viewer");
        let cmp = viewer.get(&format!("{}/s/ostersund-2020/compare?year=2018", app.base));
        assert_eq!(cmp.status, 200, "{b}");
        assert!(
            cmp.body.contains("(8/8)") && cmp.body.contains("svg class=\"bars\""),
            "{b}: county group with member counts, and charts"
        );
        let peer = viewer.get(&format!(
            "{}/s/ostersund-2020/compare?year=2018&group=GL25",
            app.base
        ));
        assert!(
            peer.status == 200 && peer.body.contains("(14/14)"),
            "{b}: another group"
        );
        assert_eq!(
            viewer
                .get(&format!(
                    "{}/s/ostersund-2020/compare?group=G%27%3B--",
                    app.base
                ))
                .status,
            422,
            "{b}"
        );
        // Download, change, upload: the target's history shows the moved target year.
        let file = viewer.get(&format!("{}/s/ostersund-2020/strategy.toml", app.base));
        assert_eq!(file.status, 200, "{b}");
        assert!(file.body.contains("id = \"ostersund-2020\""), "{b}");
        assert_eq!(
            anon.get(&format!("{}/s/ostersund-2020/strategy.toml", app.base))
                .status,
            401,
            "{b}"
        );
        let mut s = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut s);
        let changed = file
            .body
            .replacen("target_year = 2020", "target_year = 2022", 1);
        let bad = file.body.replacen("goal = \"m1\"", "goal = \"m9\"", 1);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("s.toml", bad.as_bytes())));
        let r = s.post_bytes(
            &format!("{}/s/ostersund-2020/strategy", app.base),
            &ct,
            body,
        );
        assert_eq!(r.status, 422, "{b}");
        assert!(
            r.body.contains("strategi.toml, line ") && r.body.contains("m9"),
            "{b}: the error points at the line"
        );
        let other = file
            .body
            .replacen("owner = \"2380\"", "owner = \"1864\"", 1);
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("s.toml", other.as_bytes())));
        assert_eq!(
            s.post_bytes(
                &format!("{}/s/ostersund-2020/strategy", app.base),
                &ct,
                body
            )
            .status,
            422,
            "{b}: not another municipality's"
        );
        let (ct, body) = multipart(&[("csrf", &csrf)], Some(("s.toml", changed.as_bytes())));
        let r = s.post_bytes(
            &format!("{}/s/ostersund-2020/strategy", app.base),
            &ct,
            body,
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let hist = s
            .get(&format!(
                "{}/s/ostersund-2020/t/m1-andel-utrikes-fodda",
                app.base
            ))
            .body;
        assert!(
            hist.contains("target_year") && hist.contains("2022"),
            "{b}: the history shows the board moving the target year"
        );
        let vcsrf = session_csrf(&app, &mut viewer);
        let (ct, body) = multipart(&[("csrf", &vcsrf)], Some(("s.toml", changed.as_bytes())));
        assert_eq!(
            viewer
                .post_bytes(
                    &format!("{}/s/ostersund-2020/strategy", app.base),
                    &ct,
                    body
                )
                .status,
            403,
            "{b}: a viewer may not replace the strategy"
        );
    }
}

#[test]
fn sessions_time_out() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut store = etablera_store::open(&app.store.owner_address).unwrap();
        // Idle: not used for more than 30 minutes.
        let mut c = login(&app, "viewer");
        let hash = etablera_web::auth::sha256_hex(&c.cookies["etablera_session"]);
        let old = etablera_app::iso_utc(etablera_app::now_secs() - 31 * 60);
        store.touch_session(&hash, &old).unwrap();
        let r = c.get(&format!("{}/s/ostersund-2020/plan", app.base));
        assert_eq!(r.status, 401, "{b}: idle session ended");
        assert!(store.session(&hash).unwrap().is_none(), "{b}: and removed");
        // Absolute: more than 8 hours after login, however active.
        let mut d = login(&app, "viewer");
        let hash = etablera_web::auth::sha256_hex(&d.cookies["etablera_session"]);
        let s = store.session(&hash).unwrap().unwrap();
        store.delete_session(&hash).unwrap();
        store
            .create_session(&etablera_store::SessionRow {
                created_at: etablera_app::iso_utc(etablera_app::now_secs() - 9 * 3600),
                last_seen_at: etablera_app::now_utc(),
                ..s
            })
            .unwrap();
        assert_eq!(
            d.get(&format!("{}/s/ostersund-2020/plan", app.base)).status,
            401,
            "{b}: absolute timeout"
        );
        // A fresh session works.
        let mut e = login(&app, "viewer");
        assert_eq!(
            e.get(&format!("{}/s/ostersund-2020/plan", app.base)).status,
            200,
            "{b}"
        );
    }
}

#[test]
fn reporting_an_accessibility_problem() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut anon = Client::default();
        let page = anon.get(&format!("{}/tillganglighet", app.base));
        let csrf = hidden(&page.body, "csrf");
        let r = anon.post_form(
            &format!("{}/tillganglighet", app.base),
            &[
                ("csrf", &csrf),
                ("page", "/s/ostersund-2020"),
                ("message", "Diagrammet <b>saknar</b> kontrast"),
                ("contact", ""),
            ],
        );
        assert_eq!(r.status, 200, "{b}");
        assert!(r.body.contains("Tack!"), "{b}");
        let r = anon.post_form(
            &format!("{}/tillganglighet", app.base),
            &[("csrf", "fel"), ("message", "x")],
        );
        assert_eq!(r.status, 422, "{b}: the form token is checked");
        let csrf = hidden(
            &anon.get(&format!("{}/tillganglighet", app.base)).body,
            "csrf",
        );
        let r = anon.post_form(
            &format!("{}/tillganglighet", app.base),
            &[("csrf", &csrf), ("message", "   ")],
        );
        assert_eq!(r.status, 422, "{b}: a message is needed");
        assert_eq!(
            anon.get(&format!("{}/admin/tillganglighet", app.base))
                .status,
            401,
            "{b}"
        );
        let mut viewer = login(&app, "viewer");
        assert_eq!(
            viewer
                .get(&format!("{}/admin/tillganglighet", app.base))
                .status,
            403,
            "{b}"
        );
        let mut sys = login(&app, "sys");
        let list = sys.get(&format!("{}/admin/tillganglighet", app.base));
        assert!(
            list.body.contains("&lt;b&gt;saknar&lt;/b&gt;")
                && list.body.contains("/s/ostersund-2020"),
            "{b}: stored and shown escaped"
        );
    }
}

#[test]
fn municipality_admins_manage_their_users() {
    for app in spawn_apps() {
        let b = app.backend;
        let users = format!("{}/admin/users", app.base);
        assert_eq!(Client::default().get(&users).status, 401, "{b}");
        let mut viewer = login(&app, "viewer");
        assert_eq!(viewer.get(&users).status, 403, "{b}");
        let mut lj = login(&app, "ljadmin");
        let page = lj.get(&users);
        assert_eq!(page.status, 200, "{b}");
        assert!(
            page.body.contains("ljadmin") && !page.body.contains(">viewer<"),
            "{b}: only their municipality's users"
        );
        let csrf = session_csrf(&app, &mut lj);
        // (username, display name, password, municipality, role): status, and what the
        // page says, in Swedish on a Swedish page.
        let cases: [(&str, &str, &str, &str, &str, u16, &str); 5] = [
            (
                "nyanstalld",
                "Ny Anställd",
                "kort",
                "1864",
                "viewer",
                422,
                "använd minst 12",
            ),
            ("nyanstalld", "Ny Anställd", PW, "2380", "viewer", 403, ""),
            (
                "nyanstalld",
                "Ny Anställd",
                PW,
                "1864",
                "strategist",
                303,
                "",
            ),
            (
                "nyanstalld",
                "X",
                PW,
                "1864",
                "viewer",
                409,
                "Användarnamnet ”nyanstalld” är upptaget.",
            ),
            (
                "kortlosen",
                "Kort",
                "kort",
                "1864",
                "viewer",
                422,
                "Lösenordet har 4 tecken; använd minst 12.",
            ),
        ];
        for (username, name, password, unit, role, status, says) in cases {
            let r = lj.post_form(
                &users,
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("display_name", name),
                    ("password", password),
                    ("unit", unit),
                    ("role", role),
                ],
            );
            let case = format!("{b}: {username} {unit} {role}");
            assert_eq!(r.status, status, "{case}");
            assert!(r.body.contains(says), "{case}: {}", r.body);
        }
        let mut new = login(&app, "nyanstalld");
        assert_eq!(
            new.get(&format!("{}/s/ljusnarsberg-2016/data", app.base))
                .status,
            200,
            "{b}: the new strategist may write"
        );
        let role = format!("{users}/-/role");
        let r = lj.post_form(
            &role,
            &[
                ("csrf", &csrf),
                ("username", "viewer"),
                ("unit", "2380"),
                ("role", "admin"),
            ],
        );
        assert_eq!(r.status, 403, "{b}: no roles in another municipality");
        let r = lj.post_form(
            &role,
            &[
                ("csrf", &csrf),
                ("username", "nyanstalld"),
                ("unit", "1864"),
                ("role", "none"),
            ],
        );
        assert_eq!(r.status, 200, "{b}");
        assert_eq!(
            new.get(&format!("{}/s/ljusnarsberg-2016/data", app.base))
                .status,
            404,
            "{b}: the role is gone"
        );
        let r = lj.post_form(
            &role,
            &[
                ("csrf", &csrf),
                ("username", "ingen"),
                ("unit", "1864"),
                ("role", "viewer"),
            ],
        );
        assert_eq!(r.status, 422, "{b}: unknown user");
        let mut store = etablera_store::open(&app.store.owner_address).unwrap();
        let log = store
            .audit_log(&etablera_store::AuditFilter {
                units: Some(vec!["1864".into()]),
                action: Some("user.role".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            log.len(),
            3,
            "{b}: given, and taken, with who did it (plus the set-up)"
        );
    }
}

#[test]
fn api_writes() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut s = login(&app, "strategist");
        let write = s
            .post_json(
                &format!("{}/api/v1/tokens", app.base),
                serde_json::json!({"unit": "2380", "scope": "write", "name": "w"}),
            )
            .json()["token"]
            .as_str()
            .unwrap()
            .to_string();
        let read = s
            .post_json(
                &format!("{}/api/v1/tokens", app.base),
                serde_json::json!({"unit": "2380", "scope": "read", "name": "r"}),
            )
            .json()["token"]
            .as_str()
            .unwrap()
            .to_string();
        let mut w = Client {
            bearer: Some(write),
            ..Default::default()
        };
        let mut r = Client {
            bearer: Some(read),
            ..Default::default()
        };
        let target = format!(
            "{}/api/v1/strategies/ostersund-2020/targets/m2-arbete-studier",
            app.base
        );
        let put = |c: &mut Client, body: serde_json::Value| {
            c.send("PUT", &target, Some(("application/json", body.to_string())))
        };
        assert_eq!(
            put(&mut r, serde_json::json!({"value": 90})).status,
            403,
            "{b}: a read token cannot write"
        );
        assert_eq!(
            put(&mut Client::default(), serde_json::json!({"value": 90})).status,
            401,
            "{b}"
        );
        assert_eq!(
            put(&mut w, serde_json::json!({"target_year": 1800})).status,
            422,
            "{b}"
        );
        assert_eq!(
            w.send("PUT", &target, Some(("application/json", "{".into())))
                .status,
            422,
            "{b}"
        );
        let ok = put(
            &mut w,
            serde_json::json!({"value": 90, "target_year": 2022}),
        );
        assert_eq!(ok.status, 200, "{b}: {}", ok.body);
        assert_eq!(ok.json()["value"], 90.0, "{b}");
        let fu = r
            .get(&format!(
                "{}/api/v1/strategies/ostersund-2020/followup?year=2018",
                app.base
            ))
            .json();
        let res = fu["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["target_id"] == "m2-arbete-studier")
            .unwrap()
            .clone();
        assert_eq!(
            res["target_value"], 90.0,
            "{b}: the follow-up uses the new value"
        );
        let c = w.post_json(
            &format!("{target}/comments"),
            serde_json::json!({"year": 2018, "body": "Via API"}),
        );
        assert_eq!(c.status, 200, "{b}");
        let a = w.send(
            "PUT",
            &format!(
                "{}/api/v1/strategies/ostersund-2020/activities/hp-2020-1",
                app.base
            ),
            Some(("application/json", r#"{"status":"done"}"#.into())),
        );
        assert_eq!(a.status, 200, "{b}");
        assert_eq!(
            w.send(
                "PUT",
                &format!(
                    "{}/api/v1/strategies/ljusnarsberg-2016/activities/boende-policy",
                    app.base
                ),
                Some(("application/json", r#"{"status":"done"}"#.into()))
            )
            .status,
            404,
            "{b}"
        );
        let obs = format!("{}/api/v1/observations", app.base);
        let o = w.post_json(&obs, serde_json::json!([{"indicator": "OSD-UTOMNORD-ANST", "unit": "2380", "period": "2025", "value": 10.5}]));
        assert_eq!(o.status, 201, "{b}: {}", o.body);
        assert_eq!(o.json()["changed"], 1, "{b}");
        assert_eq!(w.post_json(&obs, serde_json::json!([{"indicator": "OSD-UTOMNORD-ANST", "unit": "1864", "period": "2025", "value": 1}])).status, 403, "{b}: not another municipality's own figures");
        assert_eq!(r.post_json(&obs, serde_json::json!([{"indicator": "N02926", "unit": "2380", "period": "2025", "value": 1}])).status, 403, "{b}: read token");
        let bad = w.post_json(&obs, serde_json::json!([{"indicator": "N02926", "unit": "2380", "period": "2025", "value": 1}, {"indicator": "N02926", "unit": "2380", "period": "2025", "status": "final"}]));
        assert_eq!(bad.status, 422, "{b}");
        assert!(
            bad.json()["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("[1].value"),
            "{b}: {}",
            bad.body
        );
    }
}

#[test]
fn editing_goals_and_indicator_links() {
    for app in spawn_apps() {
        let b = app.backend;
        let base = format!("{}/s/ostersund-2020", app.base);
        let mut s = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut s);
        let page = s.get(&format!("{base}/strategy")).body;
        assert!(
            page.contains("Lägg till delmålet") && page.contains("Koppla"),
            "{b}"
        );
        // Goal title and a new sub-goal.
        let r = s.post_form(
            &format!("{base}/goals/m1"),
            &[
                ("csrf", &csrf),
                ("title", "Fler nya Östersundare 2030"),
                ("description", ""),
            ],
        );
        assert_eq!(r.status, 303, "{b}");
        let r = s.post_form(
            &format!("{base}/goals"),
            &[
                ("csrf", &csrf),
                ("parent", "m1"),
                ("title", "Fler väljer att bosätta sig på egen hand"),
            ],
        );
        assert_eq!(r.status, 303, "{b}");
        let strategy = s
            .get(&format!("{}/api/v1/strategies/ostersund-2020", app.base))
            .json();
        let goals = strategy["goals"].as_array().unwrap();
        assert!(
            goals
                .iter()
                .any(|g| g["id"] == "m1" && g["title"] == "Fler nya Östersundare 2030"),
            "{b}"
        );
        assert!(
            goals
                .iter()
                .any(|g| g["id"] == "m1-d1" && g["parent"] == "m1"),
            "{b}"
        );
        // A goal with targets cannot be removed; the new sub-goal can.
        let r = s.post_form(&format!("{base}/goals/m1/delete"), &[("csrf", &csrf)]);
        assert_eq!(r.status, 422, "{b}");
        assert!(r.body.contains("kan inte tas bort"), "{b}");
        assert_eq!(
            s.post_form(&format!("{base}/goals/m1-d1/delete"), &[("csrf", &csrf)])
                .status,
            303,
            "{b}"
        );
        // Indicator links: known ids only; add and remove.
        let link = format!("{base}/areas/inflyttning/indicators");
        let r = s.post_form(
            &link,
            &[("csrf", &csrf), ("indicator", "X99999"), ("op", "add")],
        );
        assert_eq!(r.status, 422, "{b}: unknown indicator");
        assert_eq!(
            s.post_form(
                &link,
                &[("csrf", &csrf), ("indicator", "N02006"), ("op", "add")]
            )
            .status,
            303,
            "{b}"
        );
        assert_eq!(
            s.post_form(
                &link,
                &[("csrf", &csrf), ("indicator", "N02006"), ("op", "add")]
            )
            .status,
            422,
            "{b}: twice"
        );
        let areas = s
            .get(&format!("{}/api/v1/strategies/ostersund-2020", app.base))
            .json()["areas"]
            .clone();
        assert!(areas.to_string().contains("N02006"), "{b}");
        assert_eq!(
            s.post_form(
                &link,
                &[("csrf", &csrf), ("indicator", "N02006"), ("op", "remove")]
            )
            .status,
            303,
            "{b}"
        );
        // Viewers and other municipalities may not.
        let mut v = login(&app, "viewer");
        let vc = session_csrf(&app, &mut v);
        assert_eq!(
            v.post_form(
                &format!("{base}/goals/m1"),
                &[("csrf", &vc), ("title", "x")]
            )
            .status,
            403,
            "{b}"
        );
        let mut o = login(&app, "ljadmin");
        let oc = session_csrf(&app, &mut o);
        assert_eq!(
            o.post_form(
                &link,
                &[("csrf", &oc), ("indicator", "N02006"), ("op", "add")]
            )
            .status,
            403,
            "{b}"
        );
        let mut store = etablera_store::open(&app.store.owner_address).unwrap();
        let log = store
            .audit_log(&etablera_store::AuditFilter {
                units: Some(vec!["2380".into()]),
                limit: 50,
                ..Default::default()
            })
            .unwrap();
        for a in [
            "goal.update",
            "goal.create",
            "goal.delete",
            "area.indicators",
        ] {
            assert!(log.iter().any(|e| e.action == a), "{b}: {a} audited");
        }
    }
}

/// The strategy library (`/bibliotek`): every logged-in user reads and searches it, in
/// Swedish, whichever municipality they belong to; without a login it answers 401. The
/// search marks its matches, and a hostile query comes back as text.
#[test]
fn the_strategy_library_is_read_by_every_logged_in_user() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut conn = etablera_app::Conn::open(&app.address).unwrap();
        let (file_name, municipality, title, year, text) = etablera_app::demo::LIBRARY[0];
        let doc = etablera_app::library::NewDocument {
            municipality: municipality.into(),
            title: title.into(),
            year,
            kind: "strategi".into(),
            source: None,
            file_name: file_name.into(),
            bytes: text.as_bytes().to_vec(),
        };
        etablera_app::library::add(&mut conn, &etablera_app::Actor::system(), doc).unwrap();
        let url = format!("{}/bibliotek?q=integrationsstrategi", app.base);
        // The public reads only published entries: not this one, until it is published.
        let anonymous = Client::default().get(&url);
        assert_eq!(anonymous.status, 200, "{b}");
        assert!(!anonymous.body.contains("<mark>"), "{b}");
        let entry = etablera_app::library::entries(&mut conn, &etablera_app::Actor::system())
            .unwrap()
            .into_iter()
            .find(|e| e.paragraphs > 0)
            .unwrap();
        etablera_app::library::publish(&mut conn, &etablera_app::Actor::system(), entry.id, true)
            .unwrap();
        let anonymous = Client::default().get(&url);
        assert!(anonymous.body.contains("<mark>"), "{b}: published");
        assert!(!anonymous.body.contains("action=\"/bibliotek/ny\""), "{b}");
        for who in ["viewer", "strategist", "ljadmin", "sys"] {
            let mut c = login(&app, who);
            let page = c.get(&url);
            assert_eq!(page.status, 200, "{b}: {who}");
            assert!(
                page.body.contains("Integrationsstrategi 2020"),
                "{b}: {who}"
            );
            assert!(page.body.contains("Östersund"), "{b}: {who}");
            assert!(page.body.contains("<mark>"), "{b}: {who}: {}", page.body);
            assert!(
                page.body.contains("href=\"/bibliotek\""),
                "{b}: in the menu"
            );
        }
        let mut c = login(&app, "viewer");
        let hostile = format!("<script>alert(1)</script>{}", "ö".repeat(5000));
        let query: String = hostile.bytes().map(|b| format!("%{b:02X}")).collect();
        let page = c.get(&format!("{}/bibliotek?q={query}", app.base));
        assert_eq!(page.status, 200, "{b}");
        assert!(!page.body.contains("<script>alert"), "{b}: escaped");
        assert!(page.body.contains("&lt;script&gt;"), "{b}");
        // Filters: the county of Östersund finds it, another municipality's does not; an
        // unknown county is refused, named.
        let page = c.get(&format!(
            "{}/bibliotek?q=integrationsstrategi&lan=23",
            app.base
        ));
        assert!(page.body.contains("<mark>"), "{b}");
        let page = c.get(&format!(
            "{}/bibliotek?q=integrationsstrategi&kommun=1864",
            app.base
        ));
        assert_eq!(page.status, 200, "{b}");
        assert!(!page.body.contains("<mark>"), "{b}: filtered out");
        let page = c.get(&format!(
            "{}/bibliotek?q=integrationsstrategi&lan=Atlantis&fran=abc",
            app.base
        ));
        assert_eq!(page.status, 422, "{b}");
        assert!(page.body.contains("Atlantis"), "{b}");
        // Malformed: a broken percent-escape, bytes that are not UTF-8, the field twice.
        for q in ["q=%", "q=%FF%FE", "q=a&q=b", "q[]=x"] {
            let page = c.get(&format!("{}/bibliotek?{q}", app.base));
            assert!(page.status < 500, "{b}: {q}: {}", page.status);
        }
    }
}

/// Other municipalities' targets for one indicator: a page and an API answer for every
/// logged-in user, none for the public; the strategy's own target links to its page, the
/// target page links here, and a hostile indicator id is answered as unknown, escaped.
/// A municipality's administrator publishes its strategy from the web and stops publishing
/// it; the public's pages follow; a strategist may not; each change is audited.
#[test]
fn an_admin_publishes_and_unpublishes_from_the_web() {
    for app in spawn_apps() {
        let b = app.backend;
        let overview = format!("{}/s/ljusnarsberg-2016", app.base);
        assert_eq!(Client::default().get(&overview).status, 404, "{b}");
        let mut strategist = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut strategist);
        let r = strategist.post_form(
            &format!("{}/s/ljusnarsberg-2016/publicera", app.base),
            &[("csrf", &csrf), ("published", "1")],
        );
        assert!(matches!(r.status, 403 | 404), "{b}: {}", r.status);
        let mut admin = login(&app, "ljadmin");
        let page = admin.get(&format!("{}/s/ljusnarsberg-2016/strategy", app.base));
        assert!(page.body.contains("Strategin är inte publicerad"), "{b}");
        assert!(
            page.body
                .contains("action=\"/s/ljusnarsberg-2016/publicera\""),
            "{b}"
        );
        let csrf = session_csrf(&app, &mut admin);
        for (value, public) in [("1", 200), ("0", 404)] {
            let r = admin.post_form(
                &format!("{}/s/ljusnarsberg-2016/publicera", app.base),
                &[("csrf", &csrf), ("published", value)],
            );
            assert_eq!(r.status, 303, "{b}: {}", r.body);
            assert_eq!(
                Client::default().get(&overview).status,
                public,
                "{b}: {value}"
            );
        }
        let r = admin.post_form(
            &format!("{}/s/ljusnarsberg-2016/publicera", app.base),
            &[("csrf", &csrf), ("published", "ja")],
        );
        assert_eq!(r.status, 422, "{b}");
        let audited = common::store(&app)
            .audit_log(&etablera_store::AuditFilter {
                action: Some("strategy.publish".into()),
                limit: 50,
                ..Default::default()
            })
            .unwrap();
        assert!(audited.len() >= 2, "{b}: {audited:?}");
    }
}

/// An indicator's page: its definition and source, the targets on it (published
/// strategies for the public), its figures; unknown and hostile ids are not found.
#[test]
fn an_indicators_page_shows_its_targets_and_figures() {
    for app in spawn_apps() {
        let b = app.backend;
        let page = Client::default().get(&format!("{}/indikatorer/N02926", app.base));
        assert_eq!(page.status, 200, "{b}");
        assert!(page.body.contains("Källa: Kolada"), "{b}");
        assert!(
            page.body
                .contains("href=\"/s/ostersund-2020/t/m1-andel-utrikes-fodda\""),
            "{b}: {}",
            page.body
        );
        assert!(page.body.contains("<table"), "{b}: the figures");
        assert!(
            page.body
                .contains("href=\"/bibliotek/jamforelse?indikator=N02926\""),
            "{b}"
        );
        for bad in [
            "N99999",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "..%2F..%2Fetc",
        ] {
            let r = Client::default().get(&format!("{}/indikatorer/{bad}", app.base));
            assert_eq!(r.status, 404, "{b}: {bad}");
            assert!(!r.body.contains("<script>alert"), "{b}");
        }
        let list = Client::default().get(&format!("{}/indikatorer?q=N02926", app.base));
        assert!(list.body.contains("href=\"/indikatorer/N02926\""), "{b}");
        // A municipality's own indicator: its figures are its members' only, though the
        // published strategy's target on it is listed for everyone.
        let path = format!("{}/indikatorer/OSD-UTOMNORD-ANST", app.base);
        for (who, figures) in [("anonymous", false), ("ljadmin", false), ("viewer", true)] {
            let mut c = if who == "anonymous" {
                Client::default()
            } else {
                login(&app, who)
            };
            let page = c.get(&path);
            assert_eq!(page.status, 200, "{b}: {who}");
            assert!(
                page.body
                    .contains("href=\"/s/ostersund-2020/t/m2-utomnordiskt-anstallda\""),
                "{b}: {who}"
            );
            assert_eq!(page.body.contains("<table"), figures, "{b}: {who}");
        }
    }
}

#[test]
fn targets_on_one_indicator_across_municipalities() {
    for app in spawn_apps() {
        let b = app.backend;
        let url = format!("{}/bibliotek/jamforelse?indikator=N00973", app.base);
        assert_eq!(Client::default().get(&url).status, 401, "{b}");
        let api = format!("{}/api/v1/library/comparison/N00973", app.base);
        assert_eq!(Client::default().get(&api).status, 401, "{b}");
        let mut c = login(&app, "strategist");
        let page = c.get(&url);
        assert_eq!(page.status, 200, "{b}");
        assert!(
            page.body
                .contains("Andra kommuners mål för samma indikator"),
            "{b}"
        );
        assert!(
            page.body
                .contains("href=\"/s/ostersund-2020/t/m2-arbete-studier\""),
            "{b}: {}",
            page.body
        );
        assert!(page.body.contains("Fiktiva demodata"), "{b}");
        let json = c.get(&api);
        assert_eq!(json.status, 200, "{b}");
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert!(
            v["rows"].as_array().unwrap().iter().any(|r| r["source"]["target_id"] == "m2-arbete-studier" && r["status"].is_string()),
            "{b}: {v}"
        );
        let target = c.get(&format!(
            "{}/s/ostersund-2020/t/m2-arbete-studier",
            app.base
        ));
        assert!(
            target
                .body
                .contains("href=\"/bibliotek/jamforelse?indikator=N00973\""),
            "{b}"
        );
        let hostile = c.get(&format!(
            "{}/bibliotek/jamforelse?indikator=%3Cscript%3Ealert(1)%3C/script%3E",
            app.base
        ));
        assert_eq!(hostile.status, 200, "{b}");
        assert!(!hostile.body.contains("<script>alert"), "{b}");
        assert!(hostile.body.contains("Ingen indikator med id"), "{b}");
        assert_eq!(
            c.get(&format!("{}/api/v1/library/comparison/N99999", app.base))
                .status,
            404,
            "{b}"
        );
    }
}

/// The library's routes by kind of user, on both databases: every logged-in user reads;
/// strategists and administrators add (a viewer does not); an entry is changed or removed
/// by its adder's municipality (strategist or admin), an admin of the municipality it is
/// about, or a system admin — not by another municipality's admin; every refusal leaves
/// the entries as they were.
#[test]
fn library_routes_authorization() {
    for app in spawn_apps() {
        let b = app.backend;
        let base = &app.base;
        let entries = || common::store(&app).library_entries().unwrap();
        let find = |title: &str| entries().into_iter().find(|e| e.meta.title == title);
        let add = |c: &mut Client, title: &str, municipality: &str, text: &str| {
            let csrf = if c.cookies.is_empty() {
                "x".to_string()
            } else {
                session_csrf(&app, c)
            };
            let (ct, body) = multipart(
                &[
                    ("csrf", &csrf),
                    ("municipality", municipality),
                    ("title", title),
                    ("year", "2021"),
                    ("kind", "program"),
                    ("source", ""),
                ],
                Some(("program.txt", text.as_bytes())),
            );
            c.post_bytes(&format!("{base}/bibliotek/ny"), &ct, body)
        };
        // Reading: every logged-in user; the public reads the published entries and is
        // asked to log in for the comparison.
        for (path, public) in [
            ("/bibliotek", 200),
            ("/bibliotek/jamforelse?indikator=N00973", 401),
        ] {
            assert_eq!(
                Client::default().get(&format!("{base}{path}")).status,
                public,
                "{b}: {path}"
            );
            for who in ["viewer", "strategist", "ljadmin", "sys"] {
                assert_eq!(
                    login(&app, who).get(&format!("{base}{path}")).status,
                    200,
                    "{b}: {who} {path}"
                );
            }
        }
        // Adding: strategists and admins of any municipality, and system admins.
        let mut strategist = login(&app, "strategist");
        let mut ljadmin = login(&app, "ljadmin");
        let mut viewer = login(&app, "viewer");
        let mut sys = login(&app, "sys");
        let before = entries().len();
        let r = add(
            &mut viewer,
            "Visningsprogram",
            "2380",
            "Ett program som en läsare skickar.",
        );
        assert_eq!(r.status, 403, "{b}");
        let r = add(
            &mut Client::default(),
            "Anonymt program",
            "2380",
            "Anonym text.",
        );
        assert!(r.status == 401 || r.status == 403, "{b}: {}", r.status);
        assert_eq!(entries().len(), before, "{b}: nothing stored");
        let r = add(
            &mut strategist,
            "Östersunds program",
            "2380",
            "Andelen ska vara minst 60 procent år 2025.",
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        let r = add(
            &mut ljadmin,
            "Luleås program",
            "2580",
            "Luleå ska vara öppet för alla.",
        );
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        // A wrong year and an unknown municipality: refused, named, nothing stored.
        let r = add(&mut strategist, "Fel", "9999", "Annan text här.");
        assert_eq!(r.status, 422, "{b}: {}", r.status);
        assert!(r.body.contains("9999"), "{b}");
        assert_eq!(entries().len(), before + 2, "{b}");
        let ost = find("Östersunds program").unwrap();
        let lul = find("Luleås program").unwrap();
        assert_eq!(ost.meta.added_for.as_deref(), Some("2380"), "{b}");
        assert_eq!(lul.meta.added_for.as_deref(), Some("1864"), "{b}");
        // The filters "has targets" and "indicator": Östersund's program states a target,
        // Luleå's a vision; an id that is not one is refused with the field named.
        let page = strategist.get(&format!("{base}/bibliotek?q=andelen+lule%C3%A5"));
        assert!(page.body.contains("<strong>Luleås program</strong>"), "{b}");
        let page = strategist.get(&format!("{base}/bibliotek?q=andelen+lule%C3%A5&mal=1"));
        assert_eq!(page.status, 200, "{b}");
        assert!(
            page.body.contains("<strong>Östersunds program</strong>"),
            "{b}"
        );
        assert!(
            !page.body.contains("<strong>Luleås program</strong>"),
            "{b}"
        );
        assert!(page.body.contains("id=\"lib-mal\""), "{b}");
        let page = strategist.get(&format!(
            "{base}/bibliotek?q=andelen+lule%C3%A5&indikator=%3Cscript%3E"
        ));
        assert_eq!(page.status, 422, "{b}");
        assert!(
            page.body.contains("--indicator") && !page.body.contains("<script>"),
            "{b}"
        );
        // The list offers "Ändra" only where the user may change.
        let page = strategist.get(&format!("{base}/bibliotek"));
        assert!(
            page.body.contains(&format!("/bibliotek/{}/andra", ost.id)),
            "{b}"
        );
        assert!(
            !page.body.contains(&format!("/bibliotek/{}/andra", lul.id)),
            "{b}"
        );
        assert!(
            page.body.contains("action=\"/bibliotek/ny\""),
            "{b}: the add form"
        );
        let page = viewer.get(&format!("{base}/bibliotek"));
        assert!(
            !page.body.contains("action=\"/bibliotek/ny\""),
            "{b}: no add form for a viewer"
        );
        // Changing: (user, entry, allowed).
        for (who, id, allowed) in [
            ("viewer", ost.id, false),
            ("ljadmin", ost.id, false),
            ("strategist", lul.id, false),
            ("strategist", ost.id, true),
            ("ljadmin", lul.id, true),
            ("sys", ost.id, true),
        ] {
            let mut c = login(&app, who);
            let page = c.get(&format!("{base}/bibliotek/{id}/andra"));
            assert_eq!(
                page.status == 200,
                allowed,
                "{b}: {who} {id}: {}",
                page.status
            );
            let csrf = session_csrf(&app, &mut c);
            let title = format!("Ändrad av {who}");
            let before = entries();
            let r = c.post_form(
                &format!("{base}/bibliotek/{id}/andra"),
                &[
                    ("csrf", &csrf),
                    ("municipality", if id == ost.id { "2380" } else { "2580" }),
                    ("title", &title),
                    ("year", "2022"),
                    ("kind", "plan"),
                    ("source", "KS 2022-01-01 § 1"),
                ],
            );
            if allowed {
                assert_eq!(r.status, 303, "{b}: {who}: {}", r.body);
                let e = find(&title).unwrap();
                assert_eq!(
                    (e.id, e.meta.year, e.meta.kind.as_str()),
                    (id, Some(2022), "plan"),
                    "{b}"
                );
            } else {
                assert_eq!(r.status, 403, "{b}: {who} {id}");
                assert_eq!(entries(), before, "{b}: {who}: unchanged");
            }
        }
        assert_eq!(
            strategist
                .get(&format!("{base}/bibliotek/999999/andra"))
                .status,
            404,
            "{b}"
        );
        // Removing: refused for another municipality's admin, done by the adder.
        let csrf = session_csrf(&app, &mut ljadmin);
        let r = ljadmin.post_form(
            &format!("{base}/bibliotek/{}/ta-bort", ost.id),
            &[("csrf", &csrf)],
        );
        assert_eq!(r.status, 403, "{b}");
        assert!(entries().iter().any(|e| e.id == ost.id), "{b}");
        let csrf = session_csrf(&app, &mut strategist);
        let r = strategist.post_form(
            &format!("{base}/bibliotek/{}/ta-bort", ost.id),
            &[("csrf", "fel")],
        );
        assert_ne!(r.status, 303, "{b}: a wrong CSRF token removes nothing");
        assert!(entries().iter().any(|e| e.id == ost.id), "{b}");
        let r = strategist.post_form(
            &format!("{base}/bibliotek/{}/ta-bort", ost.id),
            &[("csrf", &csrf)],
        );
        assert_eq!(r.status, 303, "{b}");
        assert!(!entries().iter().any(|e| e.id == ost.id), "{b}: removed");
        let found = strategist.get(&format!("{base}/bibliotek?q=procent"));
        assert!(
            !found.body.contains("Östersunds program"),
            "{b}: not found any more"
        );
        let r = add(
            &mut sys,
            "Systemets program",
            "2380",
            "En text som systemadministratören lägger till.",
        );
        assert_eq!(r.status, 303, "{b}");
    }
}

/// The review of targets read out of a library text, on the web: every logged-in user reads
/// the drafts; a strategist accepts one (with an edited value in Swedish form) into their
/// own municipality's strategy; another municipality's admin cannot accept into it; a
/// viewer gets no forms; a wrong value is refused with the field named.
#[test]
fn library_drafts_are_reviewed_on_the_web() {
    for app in spawn_apps() {
        let b = app.backend;
        let base = &app.base;
        let mut conn = etablera_app::Conn::open(&app.address).unwrap();
        let id = etablera_app::library::add(
            &mut conn,
            &etablera_app::Actor::system(),
            etablera_app::library::NewDocument {
                municipality: "Östersund".into(),
                title: "Handlingsplan 2022".into(),
                year: Some(2022),
                kind: "handlingsplan".into(),
                source: None,
                file_name: "plan.txt".into(),
                bytes: "Andelen i arbete eller studier ska vara minst 55 procent år 2024.\n".into(),
            },
        )
        .unwrap();
        let url = format!("{base}/bibliotek/{id}/utkast");
        assert_eq!(Client::default().get(&url).status, 401, "{b}");
        let page = login(&app, "viewer").get(&url);
        assert_eq!(page.status, 200, "{b}");
        assert!(page.body.contains("minst 55"), "{b}");
        assert!(
            !page.body.contains("/utkast/0/godta"),
            "{b}: no forms for a viewer"
        );
        let mut strategist = login(&app, "strategist");
        let page = strategist.get(&url);
        assert!(page.body.contains("/utkast/0/godta"), "{b}");
        let accept = format!("{base}/bibliotek/{id}/utkast/0/godta");
        let fields = |csrf: &str, value: &str| {
            vec![
                ("csrf".to_string(), csrf.to_string()),
                ("place".into(), "ostersund-2020|m2".into()),
                ("indicator".into(), "N00973".into()),
                ("comparator".into(), String::new()),
                ("value".into(), value.to_string()),
                ("year".into(), "2024".into()),
            ]
        };
        let post = |c: &mut Client, f: Vec<(String, String)>| {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post_form(&accept, &f)
        };
        let targets = || {
            common::store(&app)
                .strategy("ostersund-2020")
                .unwrap()
                .unwrap()
                .targets
                .len()
        };
        let before = targets();
        let mut lj = login(&app, "ljadmin");
        let csrf = session_csrf(&app, &mut lj);
        let r = post(&mut lj, fields(&csrf, "57,5"));
        assert!(r.status == 403 || r.status == 404, "{b}: {}", r.status);
        let csrf = session_csrf(&app, &mut strategist);
        let r = post(&mut strategist, fields(&csrf, "<script>"));
        assert_eq!(r.status, 422, "{b}");
        assert!(!r.body.contains("<script>"), "{b}");
        assert_eq!(targets(), before, "{b}: nothing stored");
        let r = post(&mut strategist, fields(&csrf, "57,5"));
        assert_eq!(r.status, 303, "{b}: {}", r.body);
        assert_eq!(targets(), before + 1, "{b}");
        let page = strategist.get(&url);
        assert!(page.body.contains("Godtaget"), "{b}");
        assert!(page.body.contains("/s/ostersund-2020/t/bibl-"), "{b}");
        let r = post(&mut strategist, fields(&csrf, "57,5"));
        assert_eq!(r.status, 409, "{b}: reviewed once");
    }
}

#[test]
fn an_email_address_is_verified_by_its_link_and_the_outbox_is_for_admins() {
    for app in spawn_apps() {
        let b = app.backend;
        assert_eq!(
            Client::default().get(&format!("{}/konto", app.base)).status,
            401,
            "{b}"
        );
        let mut viewer = login(&app, "viewer");
        let csrf = session_csrf(&app, &mut viewer);
        let page = viewer.get(&format!("{}/konto", app.base));
        assert!(
            page.status == 200 && page.body.contains("ingen e-postadress"),
            "{b}"
        );
        let bad = viewer.post_form(
            &format!("{}/konto", app.base),
            &[("csrf", &csrf), ("email", "inte en adress")],
        );
        assert_eq!(bad.status, 422, "{b}");
        let ok = viewer.post_form(
            &format!("{}/konto", app.base),
            &[("csrf", &csrf), ("email", "lars@kommun.example")],
        );
        assert_eq!(ok.status, 303, "{b}");
        let page = viewer.get(&format!("{}/konto", app.base));
        assert!(
            page.body.contains("lars@kommun.example") && page.body.contains("inte bekräftad"),
            "{b}"
        );
        // The link is in the outbox only (SMTP is not set up here): the admin sees the
        // message waiting, and the page says why.
        assert_eq!(
            viewer.get(&format!("{}/admin/utkorg", app.base)).status,
            403,
            "{b}"
        );
        let mut sys = login(&app, "sys");
        let outbox = sys.get(&format!("{}/admin/utkorg", app.base));
        assert!(
            outbox.status == 200 && outbox.body.contains("SMTP är inte inställt"),
            "{b}"
        );
        assert!(
            outbox.body.contains("lars@kommun.example") && outbox.body.contains("email.verify"),
            "{b}"
        );
        let mut s = etablera_store::open(&app.store.owner_address).unwrap();
        let msg = s.mail_messages(None, 10).unwrap().remove(0);
        let at = msg.body.find("/konto/epost/").unwrap() + "/konto/epost/".len();
        let token = &msg.body[at..at + 64];
        assert!(
            msg.body.contains(etablera_app::mail::BASE),
            "{b}: the address is put in when sent"
        );
        // A wrong token is not found; the right one verifies, once.
        let wrong = Client::default().get(&format!("{}/konto/epost/{}", app.base, "a".repeat(64)));
        assert_eq!(wrong.status, 404, "{b}");
        let right = Client::default().get(&format!("{}/konto/epost/{token}", app.base));
        assert!(
            right.status == 200 && right.body.contains("bekräftad"),
            "{b}"
        );
        assert_eq!(
            Client::default()
                .get(&format!("{}/konto/epost/{token}", app.base))
                .status,
            404,
            "{b}"
        );
        let page = viewer.get(&format!("{}/konto", app.base));
        assert!(page.body.contains("lars@kommun.example – bekräftad"), "{b}");
    }
}

#[test]
fn activities_are_added_changed_and_removed_on_the_web() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut st = login(&app, "strategist");
        let csrf = session_csrf(&app, &mut st);
        let plan = format!("{}/s/ostersund-2020/plan", app.base);
        let add = format!("{}/s/ostersund-2020/plan-ny", app.base);
        let fields = |title: &str, year: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("title", title.to_string()),
                ("goal", "m2".to_string()),
                ("responsible", "Socialförvaltningen, IFO".to_string()),
                ("year", year.to_string()),
            ]
        };
        let send = |c: &mut Client, url: &str, f: Vec<(&str, String)>| {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.post_form(url, &refs)
        };
        let bad = send(&mut st, &add, fields("", "tjugo"));
        assert_eq!(bad.status, 422, "{b}");
        assert!(
            bad.body.contains("Skriv aktiviteten") && bad.body.contains("Året"),
            "{b}"
        );
        assert_eq!(
            send(&mut st, &add, fields("Språkcafé på biblioteket", "2021")).status,
            303,
            "{b}"
        );
        let page = st.get(&plan).body;
        assert!(
            page.contains("Språkcafé på biblioteket") && page.contains("Socialförvaltningen, IFO"),
            "{b}"
        );
        // The new activity's id is made from its year.
        let edit = format!("{}/s/ostersund-2020/plan/hp-2021-1/andra", app.base);
        assert_eq!(st.get(&edit).status, 200, "{b}");
        assert_eq!(
            send(&mut st, &edit, fields("Språkcafé på två bibliotek", "2021")).status,
            303,
            "{b}"
        );
        assert!(
            st.get(&plan).body.contains("Språkcafé på två bibliotek"),
            "{b}"
        );
        // A viewer may neither see the form nor change it.
        let mut viewer = login(&app, "viewer");
        assert_eq!(viewer.get(&edit).status, 403, "{b}");
        let remove = format!("{}/s/ostersund-2020/plan/hp-2021-1/ta-bort", app.base);
        assert_eq!(st.post_form(&remove, &[("csrf", &csrf)]).status, 303, "{b}");
        assert!(!st.get(&plan).body.contains("Språkcafé"), "{b}");
        assert_eq!(st.post_form(&remove, &[("csrf", &csrf)]).status, 404, "{b}");
    }
}
