//! The yearly reporting round on both databases: open, two departments report (one is
//! returned once), approve, adopt with a § number; after adoption an import changes the
//! figures, the round says "changed since adoption", and the adopted PDF is byte-identical
//! to the one downloaded before; reopening is refused without an administrator, and audited
//! with one. Another municipality neither sees nor moves the round.

use etablera_app::rounds::{self, DecisionInput};
use etablera_app::{Actor, BoardFormat, Conn, Error};
use etablera_domain::access::{Principal, Role};
use etablera_domain::round::{RoundState, TaskState};
use etablera_domain::Observation;
use etablera_domain::{ActivityStatus, Lang, UnitCode};
use etablera_store::{testing, AuditEntry, AuditFilter, NewBatch, NewUser, Store};

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).unwrap()
}

/// A user stored with a role in a municipality, and the actor they are.
fn user(s: &mut dyn Store, name: &str, code: &str, role: Role) -> Actor {
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
    s.set_role(id, &unit(code), Some(role), &audit).unwrap();
    Actor::new(
        Some(Principal {
            user_id: id,
            system_admin: false,
            memberships: vec![(unit(code), role)],
            register: vec![],
        }),
        Lang::Sv,
    )
}

fn import(s: &mut dyn Store, at: &str, more: f64) {
    let obs: Vec<Observation> = etablera_app::demo::fictitious_observations()
        .unwrap()
        .into_iter()
        .map(|o| {
            let (v, status) = (o.value().map(|v| v + more), o.status());
            Observation::new(o.indicator, o.unit, o.period, o.sex, v, status).unwrap()
        })
        .collect();
    s.import_observations(
        &NewBatch {
            source: "demo".into(),
            file_name: Some("fiktiva demodata".into()),
            content_sha256: format!("test {at}"),
            imported_at: at.into(),
            owner: None,
            audit: None,
        },
        &obs,
        &mut |_| {},
    )
    .unwrap();
}

fn decision() -> DecisionInput {
    DecisionInput {
        body: "Kommunstyrelsen".into(),
        date: "2021-03-12".into(),
        reference: "KS 2021-03-12 § 45".into(),
        diarienummer: "KS 2021/123".into(),
    }
}

#[test]
fn a_whole_round_from_opening_to_adoption_and_reopening() {
    for mut t in testing::all() {
        let b = t.backend;
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("strategi.toml");
        std::fs::write(&file, etablera_app::demo::STRATEGIES[0].1).unwrap();
        let s = etablera_app::operator::load_strategy(&mut conn, &file).unwrap();
        let st = t.store.as_mut();
        import(st, "2021-01-01T00:00:00Z", 0.0);

        let strategist = user(st, "strateg", "2380", Role::Strategist);
        let admin = user(st, "admin", "2380", Role::Admin);
        let hr = user(st, "hr", "2380", Role::Viewer);
        let bun = user(st, "bun", "2380", Role::Viewer);
        let other = user(st, "annan", "1864", Role::Admin);

        // Opening: a strategist only, a date for the deadline, a year of the period.
        let year = 2020;
        assert!(matches!(
            rounds::open(&mut conn, &hr, &s.id, year, "2021-02-15"),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            rounds::open(&mut conn, &other, &s.id, year, "2021-02-15"),
            Err(Error::NotFound)
        ));
        match rounds::open(&mut conn, &strategist, &s.id, 1999, "15/2") {
            Err(Error::Fields(f)) => {
                let names: Vec<_> = f.iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(names, ["year", "deadline"], "{b}");
            }
            other => panic!("{b}: {other:?}"),
        }
        let v = rounds::open(&mut conn, &strategist, &s.id, year, "2021-02-15").unwrap();
        assert!(matches!(
            rounds::open(&mut conn, &strategist, &s.id, year, "2021-02-15"),
            Err(Error::Conflict(_))
        ));
        // The action plan's responsible texts became the municipality's departments: the
        // year's activities and those of 2019 not yet done (HR's is done: no task).
        let mut names: Vec<_> = v.tasks.iter().map(|t| t.department.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "Barn- och utbildningsförvaltningen",
                "Kommunikationsenheten",
                "Kultur- och fritidsförvaltningen",
                "Upphandlingsenheten"
            ],
            "{b}"
        );
        let strategy = st.strategy(&s.id).unwrap().unwrap();
        assert_eq!(
            rounds::departments_of(&strategy, 2019),
            [
                "Kommunledningsförvaltningen",
                "Upphandlingsenheten",
                "Kommunikationsenheten"
            ]
        );
        assert_eq!(v.progress.open, v.tasks.len(), "{b}");
        assert_eq!(v.phase, "öppen");
        let dept = |name: &str| {
            v.tasks
                .iter()
                .find(|t| t.department.name == name)
                .unwrap()
                .department
                .id
        };
        let (klf, buf) = (
            dept("Upphandlingsenheten"),
            dept("Barn- och utbildningsförvaltningen"),
        );

        // Reporters: an admin names them; another municipality's admin cannot.
        assert!(matches!(
            rounds::set_reporter(
                &mut conn,
                &other,
                &unit("2380"),
                hr.user_id().unwrap(),
                klf,
                true
            ),
            Err(Error::NotFound)
        ));
        assert!(matches!(
            rounds::set_reporter(
                &mut conn,
                &strategist,
                &unit("2380"),
                hr.user_id().unwrap(),
                klf,
                true
            ),
            Err(Error::Forbidden)
        ));
        rounds::set_reporter(
            &mut conn,
            &admin,
            &unit("2380"),
            hr.user_id().unwrap(),
            klf,
            true,
        )
        .unwrap();
        rounds::set_reporter(
            &mut conn,
            &admin,
            &unit("2380"),
            bun.user_id().unwrap(),
            buf,
            true,
        )
        .unwrap();
        // A user of another municipality is never made a reporter here.
        assert!(matches!(
            rounds::set_reporter(
                &mut conn,
                &admin,
                &unit("2380"),
                other.user_id().unwrap(),
                klf,
                true
            ),
            Err(Error::Input(_))
        ));

        // Procurement (user `hr`) reports on its activity; it cannot report for another department's.
        let act_of = |d: &str| {
            strategy
                .activities
                .iter()
                .find(|a| a.responsible.starts_with(d))
                .unwrap()
                .id
                .clone()
        };
        let (hr_act, bun_act) = (act_of("Upphandlingsenheten"), act_of("Barn- och"));
        rounds::report_activity(
            &mut conn,
            &hr,
            &s.id,
            year,
            klf,
            &hr_act,
            ActivityStatus::Done,
            Some("Klart i oktober"),
        )
        .unwrap();
        assert!(matches!(
            rounds::report_activity(
                &mut conn,
                &hr,
                &s.id,
                year,
                buf,
                &bun_act,
                ActivityStatus::Done,
                None
            ),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            rounds::report_activity(
                &mut conn,
                &hr,
                &s.id,
                year,
                klf,
                &bun_act,
                ActivityStatus::Done,
                None
            ),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            rounds::report_activity(
                &mut conn,
                &other,
                &s.id,
                year,
                klf,
                &hr_act,
                ActivityStatus::Done,
                None
            ),
            Err(Error::NotFound)
        ));
        let stored = st.strategy(&s.id).unwrap().unwrap();
        let a = stored.activities.iter().find(|a| a.id == hr_act).unwrap();
        assert_eq!(
            (a.status, a.comment.as_deref()),
            (ActivityStatus::Done, Some("Klart i oktober")),
            "{b}"
        );

        // Submit, returned once with a comment, submitted again, accepted.
        rounds::submit(&mut conn, &hr, &s.id, year, klf).unwrap();
        assert!(matches!(
            rounds::report_activity(
                &mut conn,
                &hr,
                &s.id,
                year,
                klf,
                &hr_act,
                ActivityStatus::Ongoing,
                None
            ),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            rounds::review(&mut conn, &hr, &s.id, year, klf, true, None),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            rounds::review(&mut conn, &strategist, &s.id, year, klf, false, Some("  ")),
            Err(Error::Fields(_))
        ));
        let v = rounds::review(
            &mut conn,
            &strategist,
            &s.id,
            year,
            klf,
            false,
            Some("Ange antal deltagare"),
        )
        .unwrap();
        let task = v.tasks.iter().find(|t| t.department.id == klf).unwrap();
        assert_eq!(task.state, TaskState::Returned, "{b}");
        assert_eq!(task.review_comment.as_deref(), Some("Ange antal deltagare"));
        rounds::report_activity(
            &mut conn,
            &hr,
            &s.id,
            year,
            klf,
            &hr_act,
            ActivityStatus::Done,
            Some("12 deltagare"),
        )
        .unwrap();
        rounds::submit(&mut conn, &hr, &s.id, year, klf).unwrap();
        rounds::review(&mut conn, &strategist, &s.id, year, klf, true, None).unwrap();
        rounds::submit(&mut conn, &bun, &s.id, year, buf).unwrap();
        rounds::review(&mut conn, &strategist, &s.id, year, buf, true, None).unwrap();

        // Approval waits for every department.
        match rounds::approve(&mut conn, &strategist, &s.id, year) {
            Err(Error::Conflict(m)) => assert!(m.contains("av"), "{b}: {m}"),
            other => panic!("{b}: {other:?}"),
        }
        let rest: Vec<i64> = rounds::view(&mut conn, &strategist, &s.id, year)
            .unwrap()
            .tasks
            .iter()
            .filter(|t| t.state != TaskState::Accepted)
            .map(|t| t.department.id)
            .collect();
        for d in rest {
            rounds::submit(&mut conn, &strategist, &s.id, year, d).unwrap();
            rounds::review(&mut conn, &strategist, &s.id, year, d, true, None).unwrap();
        }
        // Adoption needs approval first; then a decision with a § number.
        assert!(matches!(
            rounds::adopt(&mut conn, &strategist, &s.id, year, &decision(), Lang::Sv),
            Err(Error::Conflict(_))
        ));
        let v = rounds::approve(&mut conn, &strategist, &s.id, year).unwrap();
        assert_eq!(v.round.state, RoundState::Approved, "{b}");
        let bad = DecisionInput {
            reference: "KS 2021-03-12".into(),
            ..decision()
        };
        match rounds::adopt(&mut conn, &strategist, &s.id, year, &bad, Lang::Sv) {
            Err(Error::Fields(f)) => assert_eq!(f[0].0, "reference", "{b}"),
            other => panic!("{b}: {other:?}"),
        }
        let v = rounds::adopt(&mut conn, &strategist, &s.id, year, &decision(), Lang::Sv).unwrap();
        assert_eq!(v.round.state, RoundState::Adopted, "{b}");
        assert_eq!(v.phase, "antagen");
        assert!(!v.changed_since_adoption, "{b}");
        let a = v.adoption.clone().unwrap();
        assert_eq!(a.reference, "KS 2021-03-12 § 45");
        let (pdf, sha) =
            rounds::adopted_document(&mut conn, &strategist, &s.id, year, BoardFormat::Pdf)
                .unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{b}");
        // The board's decision is on the cover.
        let text: String = etablera_pdf::pages(&pdf, &etablera_pdf::Limits::default())
            .unwrap()
            .join(" ")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        assert!(
            text.contains(
                "uppföljningenantagenavkommunstyrelsen20210312ks2021031245diarienummerks2021123"
            ),
            "{b}: no decision on the cover"
        );
        assert_eq!(sha, a.pdf_sha256);
        let (docx, _) =
            rounds::adopted_document(&mut conn, &strategist, &s.id, year, BoardFormat::Docx)
                .unwrap();
        assert!(docx.starts_with(b"PK"), "{b}");
        // Locked: no report, review or approval moves it now.
        assert!(matches!(
            rounds::report_activity(
                &mut conn,
                &hr,
                &s.id,
                year,
                klf,
                &hr_act,
                ActivityStatus::Ongoing,
                None
            ),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            rounds::approve(&mut conn, &strategist, &s.id, year),
            Err(Error::Conflict(_))
        ));
        // Another municipality: not there at all (the strategy is unpublished).
        assert!(matches!(
            rounds::view(&mut conn, &other, &s.id, year),
            Err(Error::NotFound)
        ));
        assert!(matches!(
            rounds::adopted_document(&mut conn, &other, &s.id, year, BoardFormat::Pdf),
            Err(Error::NotFound)
        ));

        // A later import: the round says so, the adopted PDF is the same bytes.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        import(st, &etablera_app::now_utc(), 5.0);
        let v = rounds::view(&mut conn, &strategist, &s.id, year).unwrap();
        assert!(v.changed_since_adoption, "{b}");
        let (again, _) =
            rounds::adopted_document(&mut conn, &strategist, &s.id, year, BoardFormat::Pdf)
                .unwrap();
        assert!(again == pdf, "{b}: the adopted PDF changed");

        // Reopening: refused to a strategist, needs a reason, audited with an admin.
        assert!(matches!(
            rounds::reopen(&mut conn, &strategist, &s.id, year, "Fel siffra"),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            rounds::reopen(&mut conn, &admin, &s.id, year, "  "),
            Err(Error::Fields(_))
        ));
        let v = rounds::reopen(&mut conn, &admin, &s.id, year, "Fel siffra i mål 3").unwrap();
        assert_eq!(v.round.state, RoundState::Open, "{b}");
        assert!(v.adoption.is_none());
        // Reopened to be corrected: an accepted report is returned, and reported again.
        rounds::review(
            &mut conn,
            &strategist,
            &s.id,
            year,
            klf,
            false,
            Some("Rätta antalet"),
        )
        .unwrap();
        rounds::report_activity(
            &mut conn,
            &hr,
            &s.id,
            year,
            klf,
            &hr_act,
            ActivityStatus::Done,
            Some("Tio avtal"),
        )
        .unwrap();
        // An activity the round does not ask about (HR's, done in 2019) is not reported here.
        assert!(matches!(
            rounds::report_activity(
                &mut conn,
                &strategist,
                &s.id,
                year,
                klf,
                "hp-2019-1",
                ActivityStatus::Done,
                None
            ),
            Err(Error::NotFound)
        ));
        assert!(matches!(
            rounds::adopted_document(&mut conn, &strategist, &s.id, year, BoardFormat::Pdf),
            Err(Error::NotFound)
        ));
        let log = st
            .audit_log(&AuditFilter {
                user_id: None,
                units: Some(vec!["2380".into()]),
                action: None,
                limit: 200,
                offset: 0,
            })
            .unwrap();
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        for want in [
            "round.open",
            "department.reporter.add",
            "round.report",
            "round.submit",
            "round.return",
            "round.accept",
            "round.approve",
            "round.adopt",
            "round.reopen",
        ] {
            assert!(actions.contains(&want), "{b}: no {want} in {actions:?}");
        }
        let reopen = log.iter().find(|e| e.action == "round.reopen").unwrap();
        assert_eq!(reopen.user_id, admin.user_id(), "{b}");
        // The adoption in force before is kept, marked reopened with the reason.
        let round = st.round(&s.id, year).unwrap().unwrap();
        let kept = st.adoptions(round.id).unwrap();
        assert_eq!(kept.len(), 1, "{b}");
        assert_eq!(kept[0].reopen_reason.as_deref(), Some("Fel siffra i mål 3"));
        assert!(kept[0].pdf == pdf, "{b}");
    }
}
