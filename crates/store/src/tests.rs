//! One scenario, run against every backend.

use crate::testing;
use crate::*;
use etablera_domain::Units;
use etablera_ingest::{kolada, Known};

fn shared(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn batch(sha: &str, at: &str) -> NewBatch {
    NewBatch {
        source: "test".into(),
        file_name: Some("f".into()),
        content_sha256: sha.into(),
        imported_at: at.into(),
        owner: None,
        audit: None,
    }
}

#[test]
fn scenario_on_every_backend() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = &mut t.store;
        s.migrate().unwrap();
        let units = Units::sweden();
        assert_eq!(s.upsert_units(units.all()).unwrap(), 312, "{b}");
        assert_eq!(
            s.upsert_units(units.all()).unwrap(),
            0,
            "{b}: units again change nothing"
        );

        let kpis = kolada::parse_kpis("kpi.json", &shared("kolada/kpi.json"))
            .unwrap()
            .indicators;
        assert_eq!(kpis.len(), 5604);
        assert_eq!(s.upsert_indicators(&kpis).unwrap(), 5604, "{b}");
        assert_eq!(
            s.upsert_indicators(&kpis).unwrap(),
            0,
            "{b}: the catalogue again changes nothing"
        );

        let v2 = shared("kolada/data-N00945-v2.json");
        let obs = kolada::parse_data("v2", &v2, &Known::units(&units))
            .unwrap()
            .observations;
        let first = s
            .import_observations(&batch("sha-v2", "2024-01-10T10:00:00Z"), &obs, &mut |_| {})
            .unwrap();
        let ImportOutcome::Imported {
            batch_id, changed, ..
        } = first
        else {
            panic!("{b}: {first:?}")
        };
        assert_eq!(changed, obs.len());
        let c1 = s.counts().unwrap();
        assert_eq!(c1.observations as usize, obs.len(), "{b}");
        assert_eq!(
            s.import_observations(&batch("sha-v2", "2024-01-11T10:00:00Z"), &obs, &mut |_| {})
                .unwrap(),
            ImportOutcome::AlreadyImported { batch_id },
            "{b}"
        );
        // The same figures from another file change nothing either.
        assert_eq!(
            s.import_observations(&batch("sha-v3", "2024-01-11T10:00:00Z"), &obs, &mut |_| {})
                .unwrap(),
            ImportOutcome::Unchanged { rows: obs.len() },
            "{b}"
        );
        assert_eq!(s.counts().unwrap(), c1, "{b}");

        // A revision: one figure changes; the latest shows it, as-of the earlier date does not.
        let mut revised = obs.clone();
        let i = revised.iter().position(|o| o.value().is_some()).unwrap();
        let old = revised[i].clone();
        revised[i] = Observation::new(
            old.indicator.clone(),
            old.unit.clone(),
            old.period,
            old.sex,
            Some(old.value().unwrap() + 1.0),
            ObsStatus::Preliminary,
        )
        .unwrap();
        let r = s
            .import_observations(
                &batch("sha-rev", "2024-06-01T08:00:00Z"),
                &revised,
                &mut |_| {},
            )
            .unwrap();
        assert!(
            matches!(r, ImportOutcome::Imported { changed: 1, .. }),
            "{b}: {r:?}"
        );
        let q = ObsQuery {
            indicators: vec![old.indicator.clone()],
            units: vec![old.unit.clone()],
            as_of: None,
        };
        let now = s.observations(&q).unwrap();
        let find = |v: &[StoredObservation]| {
            v.iter()
                .find(|x| x.observation.period == old.period && x.observation.sex == old.sex)
                .unwrap()
                .observation
                .clone()
        };
        assert_eq!(find(&now).value(), Some(old.value().unwrap() + 1.0), "{b}");
        assert_eq!(find(&now).status(), ObsStatus::Preliminary, "{b}");
        let then = s
            .observations(&ObsQuery {
                as_of: Some("2024-05-31".into()),
                ..q.clone()
            })
            .unwrap();
        assert_eq!(find(&then), old, "{b}");
        assert_eq!(now.len(), then.len(), "{b}");

        // A failing import leaves everything as it was.
        let before = s.counts().unwrap();
        let mut bad = obs.clone();
        bad.push(
            Observation::value_of(
                IndicatorId::parse("X99999").unwrap(),
                UnitCode::parse("2380").unwrap(),
                Period::Year(2020),
                Sex::Total,
                1.0,
            )
            .unwrap(),
        );
        let e = s
            .import_observations(&batch("sha-bad", "2024-07-01T00:00:00Z"), &bad, &mut |_| {})
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown indicator `X99999`; import its metadata first",
            "{b}"
        );
        assert_eq!(s.counts().unwrap(), before, "{b}");

        // A streamed import that fails half-way leaves everything as it was.
        let before = s.counts().unwrap();
        let mut chunks = vec![
            Ok(obs[..10].to_vec()),
            Err("the file ends too early".to_string()),
        ]
        .into_iter();
        let e = s
            .import_stream(
                &batch("sha-stream-bad", "2024-07-02T00:00:00Z"),
                &mut chunks,
                &mut |_| {},
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the import was stopped: the file ends too early",
            "{b}"
        );
        assert_eq!(s.counts().unwrap(), before, "{b}");

        // A streamed import mixing a stored indicator (compared) and a new one (written at
        // once, a repeat within the import resolved to its last value).
        let fresh = |v: f64, y: i32| {
            Observation::value_of(
                IndicatorId::parse("N00973").unwrap(),
                UnitCode::parse("2380").unwrap(),
                Period::Year(y),
                Sex::Total,
                v,
            )
            .unwrap()
        };
        let mut chunks = vec![
            Ok(revised[..20].to_vec()),
            Ok(vec![fresh(40.0, 2019), fresh(41.0, 2020)]),
            Ok(vec![fresh(42.0, 2020)]),
        ]
        .into_iter();
        let r = s
            .import_stream(
                &batch("sha-stream", "2024-07-03T00:00:00Z"),
                &mut chunks,
                &mut |_| {},
            )
            .unwrap();
        assert!(
            matches!(r, ImportOutcome::Imported { rows: 23, .. }),
            "{b}: {r:?}"
        );
        let now = s
            .observations(&ObsQuery {
                indicators: vec![IndicatorId::parse("N00973").unwrap()],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            now.iter()
                .map(|o| o.observation.value())
                .collect::<Vec<_>>(),
            vec![Some(40.0), Some(42.0)],
            "{b}"
        );
        assert_eq!(
            s.counts().unwrap().observations,
            before.observations + 2,
            "{b}: the 20 stored rows were unchanged"
        );

        // Groups.
        let g = UnitGroup {
            code: UnitCode::parse("Gjamt").unwrap(),
            name: "Jämtlands län".into(),
            members: units.county_members("23"),
        };
        s.save_group(&g).unwrap();
        s.save_group(&g).unwrap();
        assert_eq!(s.groups().unwrap(), vec![g.clone()], "{b}");
        let bad_group = UnitGroup {
            members: vec![UnitCode::parse("9999").unwrap()],
            ..g.clone()
        };
        assert!(
            matches!(s.save_group(&bad_group), Err(StoreError::UnknownUnit(_))),
            "{b}"
        );
        assert_eq!(
            s.groups().unwrap(),
            vec![g],
            "{b}: a failed group save changes nothing"
        );

        // Strategies round-trip and are listed.
        let strat: Strategy = serde_json::from_str(
            r#"{"id":"t","owner":"2380","title":"Test","period_from":2016,"period_to":2020,
                "goals":[{"id":"g","title":"Mål","kind":"long_term"}],
                "targets":[{"id":"t1","goal":"g","text":"x","series":{"indicator":"N00945"},"kind":"threshold","bound":"at_least","value":1.0,"target_year":2020}]}"#,
        )
        .unwrap();
        s.save_strategy(&strat, "2024-01-01T00:00:00Z").unwrap();
        s.save_strategy(&strat, "2024-01-02T00:00:00Z").unwrap();
        assert_eq!(s.strategy("t").unwrap(), Some(strat.clone()), "{b}");
        assert_eq!(s.strategies().unwrap().len(), 1, "{b}");
        assert_eq!(s.strategy("nope").unwrap(), None, "{b}");
        let mut unknown = strat.clone();
        unknown.targets[0].series.indicator = IndicatorId::parse("X00001").unwrap();
        assert!(
            matches!(
                s.save_strategy(&unknown, "2024-01-03T00:00:00Z"),
                Err(StoreError::UnknownIndicator(_))
            ),
            "{b}"
        );
        assert_eq!(s.strategy("t").unwrap(), Some(strat.clone()), "{b}");

        // Each save that changes the strategy keeps a version; an unchanged save does not.
        let mut v2 = strat.clone();
        if let etablera_domain::TargetKind::Threshold { value, .. } = &mut v2.targets[0].kind {
            *value = 2.0;
        }
        s.save_strategy(&v2, "2025-03-01T12:00:00Z").unwrap();
        let versions = s.strategy_versions("t").unwrap();
        assert_eq!(
            versions,
            vec![
                StrategyVersion {
                    version: 1,
                    saved_at: "2024-01-01T00:00:00Z".into()
                },
                StrategyVersion {
                    version: 2,
                    saved_at: "2025-03-01T12:00:00Z".into()
                },
            ],
            "{b}"
        );
        let at = |s: &mut Box<dyn Store>, when: &str| {
            let a = s.strategy_as_of("t", when).unwrap().unwrap();
            (a.version.version, a.saved_after, a.strategy)
        };
        assert_eq!(at(s, "2024-06-30"), (1, false, strat.clone()), "{b}");
        assert_eq!(
            at(s, "2025-03-01T11:59:59Z"),
            (1, false, strat.clone()),
            "{b}"
        );
        assert_eq!(at(s, "2025-03-01T12:00:00Z"), (2, false, v2.clone()), "{b}");
        assert_eq!(
            at(s, "2025-03-01"),
            (2, false, v2.clone()),
            "{b}: a date is its whole day"
        );
        assert_eq!(
            at(s, "2023-12-31"),
            (1, true, strat.clone()),
            "{b}: before the first"
        );
        assert_eq!(s.strategy_as_of("nope", "2025-01-01").unwrap(), None, "{b}");

        let found = search_indicators(
            &s.indicators().unwrap(),
            "kommunmottagna flyktingmottagandet",
            50,
        )
        .into_iter()
        .map(|i| i.id.to_string())
        .collect::<Vec<_>>();
        assert!(found.contains(&"N01986".to_string()), "{b}: {found:?}");
        assert_eq!(
            search_indicators(&s.indicators().unwrap(), "n00973", 5)[0]
                .id
                .as_str(),
            "N00973"
        );
    }
}

#[test]
fn accounts_on_every_backend() {
    use etablera_domain::access::Role;
    for mut t in testing::all() {
        let b = t.backend;
        let s = &mut t.store;
        s.upsert_units(Units::sweden().all()).unwrap();
        let at = "2026-01-01T10:00:00Z";
        let new = NewUser {
            username: "anna".into(),
            display_name: "Anna Strateg".into(),
            password_hash: Some("$argon2id$x".into()),
            system_admin: false,
        };
        let id = s
            .create_user(
                &new,
                &AuditEntry::new(at, None, "user.create", "user:anna", None),
            )
            .unwrap();
        let e = s
            .create_user(
                &new,
                &AuditEntry::new(at, None, "user.create", "user:anna", None),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "the username `anna` is taken", "{b}");
        assert_eq!(s.user_by_name("anna").unwrap().unwrap().id, id, "{b}");
        assert_eq!(
            s.user(id).unwrap().unwrap().display_name,
            "Anna Strateg",
            "{b}"
        );
        let osd = UnitCode::parse("2380").unwrap();
        s.set_role(
            id,
            &osd,
            Some(Role::Viewer),
            &AuditEntry::new(at, None, "role.set", "user:anna", Some(&osd)),
        )
        .unwrap();
        s.set_role(
            id,
            &osd,
            Some(Role::Strategist),
            &AuditEntry::new(at, None, "role.set", "user:anna", Some(&osd)),
        )
        .unwrap();
        assert_eq!(
            s.memberships(id).unwrap(),
            vec![(osd.clone(), Role::Strategist)],
            "{b}"
        );
        s.create_session(&SessionRow {
            id_hash: "h1".into(),
            user_id: id,
            csrf_token: "c".into(),
            created_at: at.into(),
            last_seen_at: at.into(),
        })
        .unwrap();
        s.touch_session("h1", "2026-01-01T10:05:00Z").unwrap();
        assert_eq!(
            s.session("h1").unwrap().unwrap().last_seen_at,
            "2026-01-01T10:05:00Z",
            "{b}"
        );
        s.set_password(
            id,
            "$argon2id$y",
            &AuditEntry::new(at, Some(id), "user.password", "user:anna", None),
        )
        .unwrap();
        assert!(
            s.session("h1").unwrap().is_none(),
            "{b}: a new password ends the sessions"
        );
        let attempt =
            |name: &str, address: &str, at: &str, success: bool, known: bool| LoginAttempt {
                username: name.into(),
                address: address.into(),
                at: at.into(),
                success,
                known,
            };
        for a in [
            attempt("anna", "10.0.0.1", "2026-01-01T10:00:00Z", false, true),
            attempt("anna", "10.0.0.1", "2026-01-01T10:01:00Z", false, true),
            attempt("anna", "10.0.0.1", "2026-01-01T10:02:00Z", true, true),
            attempt("anna", "10.0.0.1", "2026-01-01T10:03:00Z", false, true),
            attempt("anna", "10.0.0.2", "2026-01-01T10:04:00Z", false, true),
            attempt("bertil", "10.0.0.2", "2026-01-01T10:05:00Z", false, false),
        ] {
            s.record_login(&a).unwrap();
        }
        // The pair counts only failures after its last success.
        let f = s
            .login_failures(
                "anna",
                "10.0.0.1",
                "2026-01-01T09:00:00Z",
                "2026-01-01T09:00:00Z",
            )
            .unwrap();
        assert_eq!(
            f,
            LoginFailures {
                pair: 1,
                pair_last: Some("2026-01-01T10:03:00Z".into()),
                address: 3,
                account: 4,
                known_address: true,
            },
            "{b}"
        );
        let f = s
            .login_failures(
                "anna",
                "10.0.0.2",
                "2026-01-01T09:00:00Z",
                "2026-01-01T10:04:30Z",
            )
            .unwrap();
        assert_eq!(
            (f.pair, f.address, f.account, f.known_address),
            (1, 1, 0, false),
            "{b}"
        );
        assert_eq!(
            s.prune_login_attempts("2026-01-01T10:04:00Z", "2026-01-01T10:02:30Z")
                .unwrap(),
            4,
            "{b}: the three failures before 10:04 and the success before 10:02:30 go"
        );
        let log = s
            .audit_log(&AuditFilter {
                units: Some(vec!["2380".into()]),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log.len(), 2, "{b}");
        assert_eq!(log[0].action, "role.set", "{b}");
        assert!(
            s.audit_log(&AuditFilter {
                units: Some(vec![]),
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .is_empty(),
            "{b}"
        );
        assert_eq!(
            s.audit_log(&AuditFilter {
                user_id: Some(id),
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .len(),
            1,
            "{b}"
        );
        assert!(
            !s.set_published(
                "nope",
                true,
                &AuditEntry::new(at, Some(id), "strategy.publish", "strategy:nope", None)
            )
            .unwrap(),
            "{b}"
        );
    }
}

/// An import's audit entry is written in the import's transaction: one entry with the
/// outcome for a stored batch, one for an import that changed nothing, none for an import
/// that failed (no batch, no entry).
#[test]
fn an_import_and_its_audit_entry_are_one_transaction() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = &mut t.store;
        s.migrate().unwrap();
        let units = Units::sweden();
        s.upsert_units(units.all()).unwrap();
        let kpis = kolada::parse_kpis("kpi.json", &shared("kolada/kpi.json"))
            .unwrap()
            .indicators;
        s.upsert_indicators(&kpis).unwrap();
        let obs = kolada::parse_data(
            "v2",
            &shared("kolada/data-N00945-v2.json"),
            &Known::units(&units),
        )
        .unwrap()
        .observations;
        let audited = |sha: &str| NewBatch {
            audit: Some(
                AuditEntry::new("2024-01-10T10:00:00Z", None, "data.import", "file:f", None)
                    .change(None, Some("warning: one".into())),
            ),
            ..batch(sha, "2024-01-10T10:00:00Z")
        };
        let imports = |s: &mut Box<dyn Store>| {
            s.audit_log(&AuditFilter {
                user_id: None,
                units: None,
                action: Some("data.import".into()),
                limit: 100,
                offset: 0,
            })
            .unwrap()
        };
        // A failed import (the reader stops half-way): no batch, no entry.
        let mut chunks = vec![
            Ok(obs[..10].to_vec()),
            Err("the reader stopped".to_string()),
        ]
        .into_iter();
        assert!(s
            .import_stream(&audited("sha-a"), &mut chunks, &mut |_| {})
            .is_err());
        assert!(imports(s).is_empty(), "{b}: no entry for a failed import");
        assert_eq!(s.batches().unwrap().len(), 0, "{b}");
        // Stored: one entry, the outcome first, then what the caller added.
        let first = s
            .import_observations(&audited("sha-a"), &obs, &mut |_| {})
            .unwrap();
        let log = imports(s);
        assert_eq!(log.len(), 1, "{b}");
        assert_eq!(
            log[0].after.as_deref(),
            Some(format!("{first}\nwarning: one").as_str()),
            "{b}"
        );
        assert!(
            first.to_string().starts_with("imported batch"),
            "{b}: {first}"
        );
        // The same file again, and the same figures as another file: entries, no batch.
        s.import_observations(&audited("sha-a"), &obs, &mut |_| {})
            .unwrap();
        s.import_observations(&audited("sha-b"), &obs, &mut |_| {})
            .unwrap();
        let log = imports(s);
        assert_eq!(log.len(), 3, "{b}");
        assert!(log.iter().any(|e| e
            .after
            .as_deref()
            .is_some_and(|a| a.starts_with("nothing changed: this file was already imported"))));
        assert!(log.iter().any(|e| e
            .after
            .as_deref()
            .is_some_and(|a| a.starts_with("nothing changed: all"))));
        assert_eq!(s.batches().unwrap().len(), 1, "{b}");
    }
}

#[test]
fn library_on_every_backend() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = &mut t.store;
        s.migrate().unwrap();
        s.upsert_units(Units::sweden().all()).unwrap();
        let entry = |sha: Option<&str>| NewLibraryEntry {
            meta: LibraryMeta {
                unit_code: "2380".into(),
                title: "Integrationsstrategi 2020".into(),
                year: Some(2016),
                kind: "strategi".into(),
                source: Some("https://www.ostersund.se".into()),
                file_name: Some("strategi.txt".into()),
                media_type: Some("text/plain".into()),
                content_sha256: sha.map(String::from),
                added_by: None,
                added_for: None,
                added_at: "2026-12-01T10:00:00Z".into(),
                published: sha.is_some(),
            },
            original: sha.map(|_| b"Minst 10 %.\n".to_vec()),
        };
        let audit = AuditEntry::new("2026-12-01T10:00:00Z", None, "library.add", "library", None);
        assert_eq!(s.library_version().unwrap(), (0, 0), "{b}");
        let paragraphs = vec![
            (Some(1), "Minst 10 %.".to_string()),
            (Some(2), "Strategi".to_string()),
        ];
        let id = s
            .add_library_entry(&entry(Some("abc")), &paragraphs, &audit)
            .unwrap();
        let again = s.add_library_entry(&entry(Some("abc")), &paragraphs, &audit);
        assert!(
            matches!(&again, Err(StoreError::Conflict(m)) if m.contains(&format!("entry {id}"))),
            "{b}: {again:?}"
        );
        // A catalogue entry without a text.
        s.add_library_entry(&entry(None), &[], &audit).unwrap();
        let all = s.library_entries().unwrap();
        assert_eq!(all.len(), 2, "{b}");
        assert_eq!(all[0].paragraphs + all[1].paragraphs, 2, "{b}");
        assert_eq!(all[0].meta.year, Some(2016), "{b}");
        let p = s.library_paragraphs(None).unwrap();
        assert_eq!(s.library_paragraphs(Some(id)).unwrap(), p, "{b}");
        assert!(
            s.library_paragraphs(Some(id + 1)).unwrap().is_empty(),
            "{b}"
        );
        assert_eq!(p.len(), 2, "{b}");
        assert_eq!((p[1].entry_id, p[1].n, p[1].page), (id, 1, Some(2)), "{b}");
        assert_eq!(s.library_version().unwrap().0, 2, "{b}");
        let log = s
            .audit_log(&AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log[1].object, format!("library:{id}"), "{b}");
        // Listings: catalogue entries another document lists, with or without a
        // municipality and year; loading the same list again adds nothing.
        let listing = |line: i32, unit: Option<&str>, year: Option<i32>| LibraryListing {
            listed_in: "Östersund, Integrationsstrategi 2020".into(),
            line,
            title: format!("Integrationsstrategi {line}"),
            unit_code: unit.map(str::to_string),
            year,
            kind: "strategi".into(),
        };
        let list = [
            listing(12, Some("1270"), Some(2017)),
            listing(40, None, None),
        ];
        assert_eq!(s.add_library_listings(&list).unwrap(), 2, "{b}");
        assert_eq!(s.add_library_listings(&list).unwrap(), 0, "{b}");
        assert_eq!(s.library_listings().unwrap(), list.to_vec(), "{b}");
        // A municipality code that is not a unit is refused, and nothing of the list stays.
        let bad = [listing(50, None, None), listing(51, Some("9999"), None)];
        assert!(s.add_library_listings(&bad).is_err(), "{b}");
        assert_eq!(s.library_listings().unwrap().len(), 2, "{b}");
    }
}
