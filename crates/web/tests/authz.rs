//! The authorization matrix over every write route and every API write (hardening issue):
//! each cell of role × own/other municipality is sent, its answer asserted, and the stored
//! rows compared before and after — a refused write leaves every table exactly as it was,
//! an allowed one succeeds and changes them. Both databases.

mod common;

use common::{hidden, login_at, Client, Resp};
use etablera_domain::access::{RegisterRole, Role};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use common::PW;
const KEY: &str = "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// What the cells need beside the app.
struct Prepared {
    /// A person of Östersund (2380) and one of Ljusnarsberg (1864).
    persons: HashMap<&'static str, String>,
    /// An open registration request for each (user, municipality) to resolve.
    requests: HashMap<(String, &'static str), i64>,
    /// Library entries about each municipality, one per user and cell, by title
    /// ("change anonymous 2380"): added by no municipality, so only the municipality's
    /// admin and a system admin may change or remove them; each states one target.
    library: HashMap<String, i64>,
    /// The department each municipality's round cells report for, by code.
    departments: HashMap<&'static str, i64>,
}

type App = common::App<Prepared>;

/// (user, strategy role, register role); every role is in Östersund (2380) except
/// `ljadmin` (Ljusnarsberg's administrator); `sys` is a system administrator.
const USERS: &[(&str, Option<(&str, Role)>, Option<RegisterRole>)] = &[
    ("viewer", Some(("2380", Role::Viewer)), None),
    ("strategist", Some(("2380", Role::Strategist)), None),
    ("admin", Some(("2380", Role::Admin)), None),
    ("ljadmin", Some(("1864", Role::Admin)), None),
    ("sys", None, None),
    ("cw", None, Some(RegisterRole::CaseWorker)),
    ("mgr", None, Some(RegisterRole::ReceptionManager)),
    ("analyst", None, Some(RegisterRole::Analyst)),
    // A viewer of Östersund who reports for its procurement unit in the yearly round.
    ("reporter", Some(("2380", Role::Viewer)), None),
];

fn spawn_apps() -> Vec<App> {
    common::spawn_apps(|s| {
        let keys = Arc::new(etablera_vault::Keyring::parse(KEY).unwrap());
        let accounts: Vec<_> = USERS
            .iter()
            .map(|(user, role, reg)| {
                (
                    *user,
                    *user == "sys",
                    role.iter().copied().collect::<Vec<_>>(),
                    reg.iter().map(|r| ("2380", *r)).collect::<Vec<_>>(),
                )
            })
            .collect();
        let accounts: Vec<common::Account> = accounts
            .iter()
            .map(|(u, sys, r, g)| (*u, *sys, r.as_slice(), g.as_slice()))
            .collect();
        common::seed(s, true, &accounts, &["ostersund-2020"]);
        let today = etablera_app::register::today();
        let cw = s.user_by_name("cw").unwrap().unwrap().id;
        let mut persons = HashMap::new();
        for (unit, seed) in [("2380", 1u64), ("1864", 2)] {
            let u = etablera_domain::UnitCode::parse(unit).unwrap();
            let mut case =
                etablera_app::register_demo::caseload(&u, 1, seed, 2024, today).remove(0);
            case.person.case_worker = (unit == "2380").then_some(cw);
            case.person.closed = None;
            case.person.restricted = false;
            etablera_app::register::save(s, &keys, &case, None, "person.create").unwrap();
            persons.insert(unit_name(unit), case.person.id.to_string());
        }
        // Registrations of a number already in the register wait for the reception
        // manager: one open request per user and municipality, for the cells that
        // resolve them.
        let mut requests = HashMap::new();
        for (unit, pnr) in [("2380", "19811218-9876"), ("1864", "19810278-9875")] {
            let u = etablera_domain::UnitCode::parse(unit).unwrap();
            let mut first =
                etablera_app::register_demo::caseload(&u, 1, 7 + seed_of(unit), 2024, today)
                    .remove(0);
            first.person.closed = None;
            first.person.restricted = false;
            first.identity.as_mut().unwrap().pnr =
                Some(etablera_register::Pnr::parse(pnr, today).unwrap());
            etablera_app::register::save(s, &keys, &first, None, "person.create").unwrap();
            for user in std::iter::once("anonymous").chain(USERS.iter().map(|u| u.0)) {
                let mut again = first.clone();
                again.person.id = etablera_app::register::new_person_id();
                let saved =
                    etablera_app::register::save(s, &keys, &again, Some(cw), "person.create")
                        .unwrap();
                assert!(matches!(saved, etablera_app::register::Saved::NeedsCheck));
                let newest = s.registration_requests(&u, true).unwrap()[0].id;
                requests.insert((user.to_string(), unit_name(unit)), newest);
            }
            for r in etablera_app::register::open_requests(s, &keys, &u).unwrap() {
                assert!(
                    r.existing.is_some() && r.requested_by == Some(cw),
                    "request {}: {:?} {:?}",
                    r.id,
                    r.existing,
                    r.requested_by
                );
            }
        }
        // A goal of each strategy for each user to delete (a goal with nothing under it).
        for sid in ["ostersund-2020", "ljusnarsberg-2016"] {
            let mut st = s.strategy(sid).unwrap().unwrap();
            // The activity the round cells report on: planned from 2016, so every year's
            // round (2016–2021) asks about it; the cells set it ongoing, never done.
            st.activities.push(
                serde_json::from_value(serde_json::json!({
                    "id": "rapport-aktivitet",
                    "title": "Aktiviteten omgångarna frågar om",
                    "responsible": if sid == "ostersund-2020" { "Upphandlingsenheten" } else { "Kommunstyrelsen" },
                    "year": 2016,
                    "status": "planned",
                }))
                .unwrap(),
            );
            for user in std::iter::once("anonymous").chain(USERS.iter().map(|u| u.0)) {
                // An activity for each user to remove, of a department the rounds ask anyway.
                st.activities.push(
                    serde_json::from_value(serde_json::json!({
                        "id": format!("rm-{user}"),
                        "title": format!("Att ta bort ({user})"),
                        "responsible": if sid == "ostersund-2020" { "Upphandlingsenheten" } else { "Kommunstyrelsen" },
                        "year": 2016,
                        "status": "planned",
                    }))
                    .unwrap(),
                );
                st.goals.push(
                    serde_json::from_value(serde_json::json!({
                        "id": format!("del-{user}"),
                        "title": format!("Att ta bort ({user})"),
                        "kind": "long_term",
                    }))
                    .unwrap(),
                );
            }
            s.save_strategy(&st, "2026-01-01T00:00:00Z").unwrap();
        }
        let mut library = HashMap::new();
        for unit in ["2380", "1864"] {
            let u = etablera_domain::UnitCode::parse(unit).unwrap();
            for user in std::iter::once("anonymous").chain(USERS.iter().map(|u| u.0)) {
                for cell in ["change", "remove", "reject", "accept"] {
                    let title = format!("{cell} {user} {unit}");
                    let meta = etablera_store::LibraryMeta {
                        unit_code: unit.into(),
                        title: title.clone(),
                        year: Some(2020),
                        kind: "program".into(),
                        source: None,
                        file_name: Some("program.txt".into()),
                        media_type: Some("text/plain".into()),
                        content_sha256: None,
                        added_by: None,
                        added_for: None,
                        added_at: "2026-01-01T00:00:00Z".into(),
                        published: false,
                    };
                    let text = format!(
                        "Andelen nyanlända i arbete eller studier ska vara minst 60 procent år 2025 ({title})."
                    );
                    let id = s
                        .add_library_entry(
                            &etablera_store::NewLibraryEntry {
                                meta,
                                original: None,
                            },
                            &[(Some(1), text)],
                            &etablera_store::AuditEntry::new(
                                "2026-01-01T00:00:00Z",
                                None,
                                "library.add",
                                "library",
                                Some(&u),
                            ),
                        )
                        .unwrap();
                    library.insert(title, id);
                }
            }
        }
        let departments = prepare_rounds(s);
        let config = etablera_web::Config {
            register_keys: Some(keys),
            ..Default::default()
        };
        (
            config,
            Prepared {
                persons,
                requests,
                library,
                departments,
            },
        )
    })
}

/// The department whose task each round cell reports on, and its activity (one the other
/// cells never set done, so the department has a task in every year's round).
const ROUND_DEPARTMENT: [(&str, &str, &str, &str); 2] = [
    (
        "2380",
        "ostersund-2020",
        "Upphandlingsenheten",
        "rapport-aktivitet",
    ),
    (
        "1864",
        "ljusnarsberg-2016",
        "Kommunstyrelsen",
        "rapport-aktivitet",
    ),
];

/// A cell's year in the rounds (the strategies' periods are 2016–2020; a round may be
/// opened up to the year after): each user who may open, approve, adopt or reopen has a
/// year of its own; the reporter reports in the round prepared for 2017.
fn round_year(user: &str, n: usize) -> i32 {
    if user == "reporter" {
        2017
    } else {
        2016 + (n % 6) as i32
    }
}

/// The rounds' fixtures: the departments of both municipalities; the reporter made one of
/// Östersund's procurement unit, in an open round of 2017; and for the later steps, copies
/// of each strategy (`…-approve`, `…-adopt`, `…-reopen`) with a round in every year of
/// 2016–2021 standing where that step starts: every report accepted, approved, adopted.
fn prepare_rounds(s: &mut dyn etablera_store::Store) -> HashMap<&'static str, i64> {
    use etablera_domain::round::{RoundState, TaskState};
    let at = "2026-01-01T00:00:00Z";
    let audit = |what: &str| etablera_store::AuditEntry::new(at, None, what, "round", None);
    let mut out = HashMap::new();
    for (code, sid, dept_name, _) in ROUND_DEPARTMENT {
        let unit = etablera_domain::UnitCode::parse(code).unwrap();
        let base = s.strategy(sid).unwrap().unwrap();
        let mut names: Vec<String> = Vec::new();
        for y in 2016..=2021 {
            let of_year = etablera_app::rounds::departments_of(&base, y);
            assert!(
                of_year.iter().any(|n| n == dept_name),
                "{sid} {y}: {of_year:?}"
            );
            for n in of_year {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        let depts = s.ensure_departments(&unit, &names, at).unwrap();
        let id_of = |name: &str| depts.iter().find(|d| d.name == name).unwrap().id;
        out.insert(code, id_of(dept_name));
        let open = |s: &mut dyn etablera_store::Store, sid: &str, y: i32| {
            let ids: Vec<i64> = etablera_app::rounds::departments_of(&base, y)
                .iter()
                .map(|n| id_of(n))
                .collect();
            let asked: Vec<String> = etablera_app::rounds::activities_of(&base, y)
                .iter()
                .map(|a| a.id.clone())
                .collect();
            let round = s
                .open_round(
                    sid,
                    y,
                    "2027-02-15",
                    &asked,
                    &ids,
                    at,
                    0,
                    &audit("round.open"),
                )
                .unwrap();
            (round, ids)
        };
        if code == "2380" {
            let reporter = s.user_by_name("reporter").unwrap().unwrap().id;
            s.set_department_reporter(reporter, id_of(dept_name), true, &audit("reporter"))
                .unwrap();
            open(s, sid, 2017);
        }
        for (step, reached) in [
            ("approve", RoundState::Open),
            ("adopt", RoundState::Approved),
            ("reopen", RoundState::Adopted),
        ] {
            let mut copy = base.clone();
            copy.id = format!("{sid}-{step}");
            s.save_strategy(&copy, at).unwrap();
            for y in 2016..=2021 {
                let (round, ids) = open(s, &copy.id, y);
                for d in ids {
                    for (from, to) in [
                        (TaskState::Open, TaskState::Submitted),
                        (TaskState::Submitted, TaskState::Accepted),
                    ] {
                        s.move_task(round, d, from, to, None, at, 0, &[], &audit("round.task"))
                            .unwrap();
                    }
                }
                if reached == RoundState::Open {
                    continue;
                }
                s.move_round(
                    round,
                    RoundState::Open,
                    RoundState::Approved,
                    at,
                    0,
                    &audit("round.approve"),
                )
                .unwrap();
                if reached == RoundState::Adopted {
                    s.adopt_round(
                        &etablera_store::AdoptionRow {
                            id: 0,
                            round_id: round,
                            body: "Kommunstyrelsen".into(),
                            decided_on: "2027-03-12".into(),
                            reference: "KS 2027-03-12 § 45".into(),
                            diarienummer: "KS 2027/1".into(),
                            adopted_at: at.into(),
                            adopted_by: None,
                            strategy_version: 1,
                            data_version: "0".into(),
                            pdf: b"%PDF-1.7 fixture".to_vec(),
                            pdf_sha256: "fixture".into(),
                            docx: b"PK fixture".to_vec(),
                            docx_sha256: "fixture".into(),
                            reopened_at: None,
                            reopen_reason: None,
                        },
                        &audit("round.adopt"),
                    )
                    .unwrap();
                }
            }
        }
    }
    out
}

/// Distinct demo seeds per municipality (person ids come from the seed).
fn seed_of(code: &str) -> u64 {
    if code == "2380" {
        0
    } else {
        100
    }
}

fn unit_name(code: &str) -> &'static str {
    if code == "2380" {
        "own"
    } else {
        "other"
    }
}

/// Every table's rows, as text, but those a refused request may touch without changing
/// data: sessions (last seen), login attempts, and the read log.
fn stored(app: &App) -> BTreeMap<String, Vec<String>> {
    const VOLATILE: &[&str] = &[
        "app_session",
        "login_attempt",
        "read_log",
        "read_log_checkpoint",
    ];
    let mut out = BTreeMap::new();
    if app.backend == "sqlite" {
        let conn = rusqlite::Connection::open(app.address.trim_start_matches("sqlite://")).unwrap();
        let tables: Vec<String> = conn
            .prepare(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for t in tables
            .into_iter()
            .filter(|t| !VOLATILE.contains(&t.as_str()))
        {
            let mut st = conn.prepare(&format!("select * from \"{t}\"")).unwrap();
            let n = st.column_count();
            let mut rows: Vec<String> = st
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            out.insert(t, rows);
        }
    } else {
        let (url, schema) = etablera_store::testing::pg_server_and_schema(&app.address);
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let tables: Vec<String> = c
            .query(
                "select table_name::text from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'",
                &[&schema],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        for t in tables
            .into_iter()
            .filter(|t| !VOLATILE.contains(&t.as_str()))
        {
            let mut rows: Vec<String> = c
                .query(&format!("select x::text from \"{schema}\".\"{t}\" x"), &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            rows.sort();
            out.insert(t, rows);
        }
    }
    out
}

/// What a request needs, as the product's rules say.
#[derive(Clone, Copy, Debug)]
enum Need {
    /// Write a strategy or figures of the unit: its strategist or admin, or a system admin.
    WriteUnit,
    /// Administer the unit's users: its admin, or a system admin.
    AdministerUnit,
    /// Create or change a person of the unit: its case worker or reception manager.
    RegisterWrite,
    /// Manage cases and configure the register: the unit's reception manager.
    RegisterManage,
    /// Anyone, anonymous visitors too (the public accessibility feedback form).
    Anyone,
    /// Add to the strategy library: a strategist or admin of any municipality, or a
    /// system admin (entries are public documents about a municipality, shared by all).
    LibraryAdd,
    /// Review a library draft for one's own municipality: a strategist or admin of one.
    LibraryReview,
    /// Report for a department in the yearly round: a writer of the unit, or the
    /// department's reporter.
    ReportFor,
    /// Any logged-in user (their own account).
    LoggedIn,
}

fn allowed(user: &str, need: Need, unit: &str) -> bool {
    let (role, reg) = USERS
        .iter()
        .find(|(u, _, _)| *u == user)
        .map(|(_, r, g)| (*r, *g))
        .unwrap_or((None, None));
    let role_here = role.filter(|(u, _)| *u == unit).map(|(_, r)| r);
    let reg_here = reg.filter(|_| unit == "2380");
    match need {
        Need::WriteUnit => {
            user == "sys" || matches!(role_here, Some(Role::Strategist | Role::Admin))
        }
        Need::AdministerUnit => user == "sys" || role_here == Some(Role::Admin),
        Need::RegisterWrite => matches!(
            reg_here,
            Some(RegisterRole::CaseWorker | RegisterRole::ReceptionManager)
        ),
        Need::RegisterManage => reg_here == Some(RegisterRole::ReceptionManager),
        Need::Anyone => true,
        Need::LibraryAdd => {
            user == "sys" || matches!(role, Some((_, Role::Strategist | Role::Admin)))
        }
        Need::LibraryReview => matches!(role, Some((_, Role::Strategist | Role::Admin))),
        Need::LoggedIn => true,
        Need::ReportFor => {
            allowed(user, Need::WriteUnit, unit) || (user == "reporter" && unit == "2380")
        }
    }
}

enum Body {
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    /// A file sent with the form (multipart): csrf, file name, content.
    File(String, &'static str, Vec<u8>),
    /// A file sent with these fields (multipart; the csrf among them).
    Upload(Vec<(String, String)>, &'static str, Vec<u8>),
    /// A public form: its token is fetched from the form's page first.
    Public(&'static str, Vec<(String, String)>),
    /// An upload previewed, then confirmed with the preview's token: (csrf, file, the
    /// confirming path).
    Previewed(String, Vec<u8>, String),
}

struct Req {
    name: String,
    method: &'static str,
    path: String,
    body: Body,
    need: Need,
    unit: &'static str,
}

fn form(csrf: &str, fields: &[(&str, &str)]) -> Body {
    let mut v = vec![("csrf".to_string(), csrf.to_string())];
    v.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Body::Form(v)
}

/// Every write route and API write, for the unit `code` (its strategy, person, figures).
fn requests(app: &App, user: &str, csrf: &str, code: &'static str, n: usize) -> Vec<Req> {
    let (sid, target, activity, goal, area) = if code == "2380" {
        (
            "ostersund-2020",
            "m1-andel-utrikes-fodda",
            "hp-2019-1",
            "m3-d1",
            "service",
        )
    } else {
        ("ljusnarsberg-2016", "", "boende-policy", "oppen-1", "oppen")
    };
    let person = &app.persons[unit_name(code)];
    let s = format!("/s/{sid}");
    let p = format!("/register/{code}/persons/{person}");
    let tag = format!("{user}{n}");
    let mut v = vec![
        (
            "POST plan",
            format!("{s}/plan/{activity}"),
            form(
                csrf,
                &[
                    (
                        "status",
                        if n.is_multiple_of(2) {
                            "ongoing"
                        } else {
                            "done"
                        },
                    ),
                    ("comment", &tag),
                ],
            ),
            Need::WriteUnit,
        ),
        (
            "POST manual",
            format!("{s}/data/manual"),
            form(
                csrf,
                &[
                    ("indicator", "N02926"),
                    ("period", &format!("{}", 2000 + n)),
                    ("sex", "T"),
                    ("value", "12"),
                    ("status", "final"),
                ],
            ),
            Need::WriteUnit,
        ),
        (
            "POST goal",
            format!("{s}/goals/{goal}"),
            form(csrf, &[("title", &format!("Mål {tag}"))]),
            Need::WriteUnit,
        ),
        (
            "POST sub-goal",
            format!("{s}/goals"),
            form(
                csrf,
                &[("parent", goal), ("title", &format!("Delmål {tag}"))],
            ),
            Need::WriteUnit,
        ),
        (
            "POST link indicator",
            format!("{s}/areas/{area}/indicators"),
            form(
                csrf,
                &[
                    (
                        "indicator",
                        ["N01802", "N02006", "N01987", "N01990", "N00945"][n % 5],
                    ),
                    ("op", "add"),
                ],
            ),
            Need::WriteUnit,
        ),
        (
            "POST user",
            "/admin/users".to_string(),
            form(
                csrf,
                &[
                    ("username", &format!("ny-{tag}-{code}")),
                    ("display_name", "Ny"),
                    ("password", "ett nytt långt lösenord"),
                    ("unit", code),
                    ("role", "viewer"),
                ],
            ),
            Need::AdministerUnit,
        ),
        (
            "POST role",
            "/admin/users/viewer/role".to_string(),
            form(
                csrf,
                &[
                    ("username", "viewer"),
                    ("unit", code),
                    (
                        "role",
                        if n.is_multiple_of(2) {
                            "viewer"
                        } else {
                            "strategist"
                        },
                    ),
                ],
            ),
            Need::AdministerUnit,
        ),
        (
            // Allowing passwords (already allowed) changes nothing but the audit log, so the
            // logins of the cells after it are not affected.
            "POST password login",
            "/admin/identiteter/losenord".to_string(),
            form(csrf, &[("unit", code), ("allowed", "on")]),
            Need::AdministerUnit,
        ),
        (
            "POST person",
            format!("/register/{code}/persons"),
            form(
                csrf,
                &[
                    ("namn", &format!("Ny {tag}")),
                    ("kon", "K"),
                    ("fodelsear", "1990"),
                    ("fodelseland", "Syrien"),
                    ("kategori", "anvisad"),
                    ("ankomst", "2025-05-01"),
                ],
            ),
            Need::RegisterWrite,
        ),
        (
            "POST assessment",
            format!("{p}/assessment"),
            form(csrf, &[("need_language", "large"), ("note_language", &tag)]),
            Need::RegisterWrite,
        ),
        (
            "POST intervention",
            format!("{p}/intervention"),
            form(
                csrf,
                &[
                    ("kind", "sfi"),
                    ("provider", "Vux"),
                    ("detail", &tag),
                    ("contact", "Exp"),
                ],
            ),
            Need::RegisterWrite,
        ),
        (
            "POST consent",
            format!("{p}/consent"),
            form(
                csrf,
                &[
                    ("given", "2025-01-10"),
                    ("organisation", &format!("Org {tag}")),
                ],
            ),
            Need::RegisterWrite,
        ),
        (
            "POST review",
            format!("{p}/review"),
            form(csrf, &[("date", "2025-03-01"), ("note", &tag)]),
            Need::RegisterWrite,
        ),
        (
            "POST outcome",
            format!("{p}/outcome"),
            form(
                csrf,
                &[
                    ("at", "90"),
                    ("status", ["work", "studies"][n % 2]),
                    ("date", "2025-06-01"),
                ],
            ),
            Need::RegisterWrite,
        ),
        (
            "POST event",
            format!("{p}/event"),
            form(
                csrf,
                &[
                    ("kind", "employment"),
                    ("date", "2025-04-01"),
                    ("note", &tag),
                ],
            ),
            Need::RegisterWrite,
        ),
        (
            "POST household",
            format!("{p}/household"),
            form(
                csrf,
                &[
                    ("storlek", &format!("{}", 1 + n % 9)),
                    ("bostadsbehov", &tag),
                ],
            ),
            Need::RegisterWrite,
        ),
        (
            "POST plan link",
            format!("{p}/link"),
            form(csrf, &[("lang", "sv"), ("days", "30")]),
            Need::RegisterWrite,
        ),
        (
            "POST assign",
            format!("{p}/assign"),
            form(
                csrf,
                &[
                    ("case_worker", "cw"),
                    ("colleagues", if n.is_multiple_of(2) { "mgr" } else { "" }),
                ],
            ),
            Need::RegisterManage,
        ),
        (
            "POST settings",
            format!("/register/{code}/installningar"),
            form(
                csrf,
                &[
                    ("threshold", &format!("{}", 3 + n % 5)),
                    ("retention_years", "5"),
                    ("review_months", "3"),
                ],
            ),
            Need::RegisterManage,
        ),
        (
            "POST feed",
            format!("/register/{code}/statistik"),
            form(csrf, &[]),
            Need::RegisterManage,
        ),
    ];
    if !target.is_empty() {
        v.push((
            "POST comment",
            format!("{s}/t/{target}/comment"),
            form(
                csrf,
                &[("year", "2018"), ("body", &format!("Analys {tag}"))],
            ),
            Need::WriteUnit,
        ));
        v.push((
            "POST target edit",
            format!("{s}/t/{target}/edit"),
            form(
                csrf,
                &[
                    ("text", "Minst 10 % utrikes födda år 2020"),
                    ("value", &format!("{}", 10 + n)),
                    ("target_year", "2020"),
                    ("baseline_year", "2015"),
                ],
            ),
            Need::WriteUnit,
        ));
    }
    v.push((
        "POST activity add",
        format!("{s}/plan-ny"),
        form(
            csrf,
            &[
                ("title", &format!("Ny aktivitet {tag}")),
                ("goal", ""),
                ("responsible", "Kultur- och fritidsförvaltningen"),
                ("year", "2020"),
            ],
        ),
        Need::WriteUnit,
    ));
    v.push((
        "POST activity edit",
        format!(
            "{s}/plan/{}/andra",
            if code == "2380" {
                "hp-2019-3"
            } else {
                "boende-policy"
            }
        ),
        form(
            csrf,
            &[
                ("title", &format!("Ändrad aktivitet {tag}")),
                ("goal", ""),
                (
                    "responsible",
                    if code == "2380" {
                        "Kommunikationsenheten"
                    } else {
                        "Fastighet"
                    },
                ),
                ("year", if code == "2380" { "2019" } else { "2016" }),
            ],
        ),
        Need::WriteUnit,
    ));
    v.push((
        "POST activity remove",
        format!("{s}/plan/rm-{user}/ta-bort"),
        form(csrf, &[]),
        Need::WriteUnit,
    ));
    v.push((
        "POST goal delete",
        format!("{s}/goals/del-{user}/delete"),
        form(csrf, &[]),
        Need::WriteUnit,
    ));
    v.push((
        "POST resolve request",
        format!(
            "/register/{code}/kontroll/{}",
            app.requests[&(user.to_string(), unit_name(code))]
        ),
        form(
            csrf,
            &[(
                "how",
                if n.is_multiple_of(2) {
                    "discard"
                } else {
                    "grant"
                },
            )],
        ),
        Need::RegisterManage,
    ));
    // The strategy file as stored now, with a title of this cell's own.
    let mut store = etablera_store::open(&app.store.owner_address).unwrap();
    let current = store.strategy(sid).unwrap().unwrap();
    let toml = etablera_ingest::strategy_file::export(&current).unwrap();
    let title_line = format!("title = \"{}\"", current.title);
    assert!(toml.contains(&title_line), "{toml}");
    let toml = toml.replacen(
        &title_line,
        &format!("title = \"{} {tag}\"", current.title),
        1,
    );
    v.push((
        "POST strategy file",
        format!("{s}/strategy"),
        Body::File(csrf.to_string(), "strategi.toml", toml.into_bytes()),
        Need::WriteUnit,
    ));
    v.push((
        "POST upload preview and confirm",
        format!("{s}/data/preview"),
        Body::Previewed(
            csrf.to_string(),
            format!(
                "indikator;enhet;period;värde\nN02926;{code};{};{}\n",
                1960 + n,
                5 + n
            )
            .into_bytes(),
            format!("{s}/data/import"),
        ),
        Need::WriteUnit,
    ));
    v.push((
        "POST caseload import",
        format!("/register/{code}/import"),
        Body::File(
            csrf.to_string(),
            "arenden.csv",
            format!(
                "namn;fodelsear;kon;fodelseland;kategori;ankomst\nImport {tag};1991;M;Irak;anvisad;2025-03-01\n"
            )
            .into_bytes(),
        ),
        Need::RegisterWrite,
    ));
    v.push((
        "POST details",
        p.clone(),
        form(
            csrf,
            &[
                ("namn", &format!("Rättad {tag}")),
                ("fodelsear", "1988"),
                ("kon", "K"),
                ("fodelseland", "Syrien"),
                ("kategori", "anvisad"),
                ("ankomst", "2024-02-01"),
            ],
        ),
        Need::RegisterWrite,
    ));
    v.push((
        "POST close",
        format!("{p}/close"),
        form(csrf, &[("closed", &format!("2025-12-{:02}", 1 + n % 28))]),
        Need::RegisterManage,
    ));
    // Last: restricting the case (GDPR art. 18) keeps case workers from writing it.
    v.push((
        "POST restrict",
        format!("{p}/restrict"),
        form(
            csrf,
            &[("restricted", if n.is_multiple_of(2) { "0" } else { "1" })],
        ),
        Need::RegisterManage,
    ));
    // Publication of the strategy, set to what it is (Östersund's published, Ljusnarsberg's
    // not), so that later cells see the same pages: the audit entry is what is stored.
    v.push((
        "POST publish",
        format!("{s}/publicera"),
        form(
            csrf,
            &[("published", if code == "2380" { "1" } else { "0" })],
        ),
        Need::AdministerUnit,
    ));
    // The strategy library: adding an entry about the municipality, and changing,
    // removing and reviewing the drafts of entries about it.
    let entry = |cell: &str| app.library[&format!("{cell} {user} {code}")];
    v.push((
        "POST library add",
        "/bibliotek/ny".into(),
        Body::Upload(
            [
                ("csrf", csrf),
                ("municipality", code),
                ("title", &format!("Program {tag} {code}")),
                ("year", "2021"),
                ("kind", "program"),
                ("source", ""),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            "program.txt",
            format!("Ett program om integration ({tag} {code}).").into_bytes(),
        ),
        Need::LibraryAdd,
    ));
    v.push((
        "POST library change",
        format!("/bibliotek/{}/andra", entry("change")),
        form(
            csrf,
            &[
                ("municipality", code),
                ("title", &format!("Ändrad {tag} {code}")),
                ("year", "2022"),
                ("kind", "plan"),
                ("source", ""),
            ],
        ),
        Need::AdministerUnit,
    ));
    v.push((
        "POST library remove",
        format!("/bibliotek/{}/ta-bort", entry("remove")),
        form(csrf, &[]),
        Need::AdministerUnit,
    ));
    v.push((
        "POST library draft reject",
        format!("/bibliotek/{}/utkast/0/avvisa", entry("reject")),
        form(csrf, &[]),
        Need::LibraryReview,
    ));
    v.push((
        "POST library draft accept",
        format!("/bibliotek/{}/utkast/0/godta", entry("accept")),
        form(
            csrf,
            &[
                ("place", &format!("{sid}|{goal}")),
                ("indicator", "N00973"),
                ("comparator", "at_least"),
                ("value", "60"),
                ("year", "2025"),
            ],
        ),
        Need::WriteUnit,
    ));
    // The yearly round: open a year, report on the department's activity and submit it,
    // accept it, name a reporter; approve, adopt and reopen on the copies whose rounds stand
    // where those steps start (see `prepare_rounds`).
    {
        let y = round_year(user, n);
        let (_, _, _, round_activity) = ROUND_DEPARTMENT.iter().find(|r| r.0 == code).unwrap();
        let dept = app.departments[code];
        let r = |sid: &str| format!("/s/{sid}/omgangar/{y}");
        v.push((
            "POST round open",
            format!("{s}/omgangar"),
            form(
                csrf,
                &[("year", &y.to_string()), ("deadline", "2027-02-15")],
            ),
            Need::WriteUnit,
        ));
        v.push((
            "POST round report",
            format!("{}/{dept}/aktivitet/{round_activity}", r(sid)),
            form(
                csrf,
                &[
                    ("status", "ongoing"),
                    ("comment", &format!("Rapport {tag}")),
                ],
            ),
            Need::ReportFor,
        ));
        v.push((
            "POST round submit",
            format!("{}/{dept}/lamna-in", r(sid)),
            form(csrf, &[]),
            Need::ReportFor,
        ));
        v.push((
            "POST round review",
            format!("{}/{dept}/granska", r(sid)),
            form(csrf, &[("decision", "accept"), ("comment", "")]),
            Need::WriteUnit,
        ));
        v.push((
            "POST round reporter",
            format!("{}/{dept}/rapportor", r(sid)),
            form(
                csrf,
                &[(
                    "username",
                    if code == "2380" { "viewer" } else { "ljadmin" },
                )],
            ),
            Need::AdministerUnit,
        ));
        v.push((
            "POST round approve",
            format!("{}/godkann", r(&format!("{sid}-approve"))),
            form(csrf, &[]),
            Need::WriteUnit,
        ));
        v.push((
            "POST round adopt",
            format!("{}/anta", r(&format!("{sid}-adopt"))),
            form(
                csrf,
                &[
                    ("body", "Kommunstyrelsen"),
                    ("date", "2027-03-12"),
                    ("reference", &format!("KS 2027-03-12 § {}", 10 + n)),
                    ("diarienummer", "KS 2027/12"),
                ],
            ),
            Need::WriteUnit,
        ));
        v.push((
            "POST round reopen",
            format!("{}/oppna-igen", r(&format!("{sid}-reopen"))),
            form(csrf, &[("reason", &format!("Fel siffra ({tag})"))]),
            Need::AdministerUnit,
        ));
    }
    if code == "2380" {
        v.push((
            "POST own e-mail address",
            "/konto".into(),
            form(csrf, &[("email", &format!("{tag}@kommun.example"))]),
            Need::LoggedIn,
        ));
        v.push((
            "POST accessibility feedback",
            "/tillganglighet".into(),
            Body::Public(
                "/tillganglighet",
                vec![("message".into(), format!("Kontrasten är för låg ({tag})"))],
            ),
            Need::Anyone,
        ));
    }
    let mut reqs: Vec<Req> = v
        .into_iter()
        .map(|(name, path, body, need)| Req {
            name: name.into(),
            method: "POST",
            path,
            body,
            need,
            unit: code,
        })
        .collect();
    let api =
        |name: &str, method: &'static str, path: String, json: serde_json::Value, need: Need| Req {
            name: name.into(),
            method,
            path,
            body: Body::Json(json),
            need,
            unit: code,
        };
    if !target.is_empty() {
        reqs.push(api(
            "PUT api target",
            "PUT",
            format!("/api/v1/strategies/{sid}/targets/{target}"),
            serde_json::json!({"value": 20 + n}),
            Need::WriteUnit,
        ));
        reqs.push(api(
            "POST api comment",
            "POST",
            format!("/api/v1/strategies/{sid}/targets/{target}/comments"),
            serde_json::json!({"year": 2019, "body": format!("API {tag}")}),
            Need::WriteUnit,
        ));
    }
    reqs.push(api(
        "PUT api activity",
        "PUT",
        format!("/api/v1/strategies/{sid}/activities/{activity}"),
        serde_json::json!({"status": (["ongoing", "done"][n % 2]), "comment": tag}),
        Need::WriteUnit,
    ));
    reqs.push(api(
        "POST api observations",
        "POST",
        "/api/v1/observations".into(),
        serde_json::json!([{"indicator": "N02926", "unit": code, "period": format!("{}", 1990 + n), "sex": "T", "value": 7.5}]),
        Need::WriteUnit,
    ));
    reqs.push(api(
        "POST api token",
        "POST",
        "/api/v1/tokens".into(),
        serde_json::json!({"unit": code, "scope": "write", "name": tag}),
        Need::WriteUnit,
    ));
    reqs
}

fn send(app: &App, c: &mut Client, r: &Req) -> Resp {
    let url = format!("{}{}", app.base, r.path);
    match &r.body {
        Body::Form(f) => {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post_form(&url, &refs)
        }
        Body::Json(j) => c.send(r.method, &url, Some(("application/json", j.to_string()))),
        Body::File(csrf, file_name, bytes) => {
            let (ctype, body) = common::multipart(&[("csrf", csrf)], Some((file_name, bytes)));
            c.send(
                "POST",
                &url,
                Some((&ctype, String::from_utf8(body).unwrap())),
            )
        }
        Body::Upload(fields, file_name, bytes) => {
            let refs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (ctype, body) = common::multipart(&refs, Some((file_name, bytes)));
            c.send(
                "POST",
                &url,
                Some((&ctype, String::from_utf8(body).unwrap())),
            )
        }
        Body::Previewed(csrf, bytes, confirm) => {
            let preview = send(
                app,
                c,
                &Req {
                    name: r.name.clone(),
                    method: "POST",
                    path: r.path.clone(),
                    body: Body::File(csrf.clone(), "data.csv", bytes.clone()),
                    need: r.need,
                    unit: r.unit,
                },
            );
            if preview.status != 200 {
                return preview;
            }
            let token = hidden(&preview.body, "token");
            c.post_form(
                &format!("{}{confirm}", app.base),
                &[("csrf", csrf), ("token", &token)],
            )
        }
        Body::Public(page, fields) => {
            // The token of the form itself (a logged-in page has the logout form's first).
            let html = c.get(&format!("{}{page}", app.base)).body;
            let form_at = html.find(&format!("action=\"{}\"", r.path)).unwrap();
            let token = hidden(&html[form_at..], "csrf");
            let mut refs: Vec<(&str, &str)> = vec![("csrf", &token)];
            refs.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            c.post_form(&url, &refs)
        }
    }
}

#[test]
fn every_write_route_by_role_and_municipality() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut clients: Vec<(&str, Client, String)> =
            vec![("anonymous", Client::default(), String::new())];
        for (u, _, _) in USERS {
            let mut c = login_at(&app.base, b, u, PW);
            let csrf = hidden(&c.get(&format!("{}/", app.base)).body, "csrf");
            clients.push((u, c, csrf));
        }
        let mut cells = 0;
        // Each cell's rows after are the next cell's rows before (nothing else writes
        // between them): one snapshot a cell.
        let mut after = stored(&app);
        for (n, (user, c, csrf)) in clients.iter_mut().enumerate() {
            for code in ["2380", "1864"] {
                for r in requests(&app, user, csrf, code, n) {
                    let before = std::mem::take(&mut after);
                    let resp = send(&app, c, &r);
                    after = stored(&app);
                    let cell = format!("{b}: {user} × {} ({}) {}", r.name, unit_name(code), r.path);
                    let may = (*user != "anonymous" || matches!(r.need, Need::Anyone))
                        && allowed(user, r.need, r.unit);
                    if may {
                        assert!(
                            resp.status < 400,
                            "{cell}: allowed, but {} {}",
                            resp.status,
                            resp.body
                                .split("role=\"alert\">")
                                .nth(1)
                                .unwrap_or(&resp.body)
                                .chars()
                                .take(300)
                                .collect::<String>()
                        );
                        assert_ne!(before, after, "{cell}: allowed, but nothing was stored");
                    } else {
                        assert!(
                            matches!(resp.status, 401 | 403 | 404 | 422),
                            "{cell}: refused with {}",
                            resp.status
                        );
                        if before != after {
                            let changed: Vec<&String> = after
                                .keys()
                                .filter(|t| before.get(*t) != after.get(*t))
                                .collect();
                            panic!(
                                "{cell}: refused ({}) but stored rows changed in {changed:?}",
                                resp.status
                            );
                        }
                    }
                    cells += 1;
                }
            }
        }
        assert!(cells > 400, "{b}: {cells} cells");
        eprintln!("{b}: {cells} cells of role × route × municipality");
    }
}

/// Every write route's form is refused with a forged CSRF token, even for the users who
/// may make the change, and nothing is stored: the check is part of reading the form
/// (`ui::Checked`, the register's `csrf`), so no handler can leave it out.
#[test]
fn every_form_route_refuses_a_forged_csrf_token() {
    for app in spawn_apps() {
        let b = app.backend;
        let mut checked = 0;
        for user in ["sys", "mgr"] {
            let mut c = login_at(&app.base, b, user, PW);
            for code in ["2380", "1864"] {
                for r in requests(&app, user, "forged", code, 0) {
                    if matches!(r.body, Body::Json(_) | Body::Public(..)) {
                        continue; // the API uses tokens, public forms their own cookie
                    }
                    let before = stored(&app);
                    let resp = send(&app, &mut c, &r);
                    let cell = format!("{b}: {user} {} {}", r.name, r.path);
                    assert_eq!(resp.status, 422, "{cell}: {}", resp.status);
                    assert!(
                        resp.body.contains("Formuläret har gått ut"),
                        "{cell}: {}",
                        resp.body.chars().take(300).collect::<String>()
                    );
                    assert_eq!(before, stored(&app), "{cell}: stored rows changed");
                    checked += 1;
                }
            }
        }
        assert!(checked > 40, "{b}: {checked} forms");
    }
}
