//! The register's use cases on every backend: gallring (dry run, then run) with dates, the
//! GDPR export, caseload import with row errors, key rotation, figures fed to the follow-up.

use etablera_app::register::{self as reg, GallringMode};
use etablera_domain::{Date, UnitCode};
use etablera_store::testing;

const K1: &str = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const K2: &str = "k2:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// Runs `test` on every backend with an initialised database and the register's key.
fn on_every_backend(
    mut test: impl FnMut(&str, &mut dyn etablera_store::Store, etablera_vault::Keyring),
) {
    for mut t in testing::all() {
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let keys = etablera_vault::Keyring::parse(K1).unwrap();
        test(t.backend, s, keys);
    }
}

#[test]
fn gallring_dry_run_then_run() {
    on_every_backend(|b, s, keys| {
        let unit = UnitCode::parse("2380").unwrap();
        let mut cases = etablera_app::register_demo::caseload(&unit, 6, 7, 2015, d("2026-01-01"));
        // Closed: 2019-06-30 and 2020-12-31 (old), 2021-02-01 (young), the rest open.
        let closed = [
            Some("2019-06-30"),
            Some("2020-12-31"),
            Some("2021-02-01"),
            None,
            None,
            None,
        ];
        for (c, cl) in cases.iter_mut().zip(closed) {
            c.person.closed = cl.map(d);
        }
        // The first (old) case and the fourth (open) one each head a household with a note.
        for i in [0, 3] {
            let h = etablera_register::Household {
                id: format!("H-{i}"),
                unit: unit.clone(),
                size: 3,
                rooms_needed: Some(3),
                housing_need: "Nära skolan".into(),
            };
            reg::save_household(s, &keys, &h, None).unwrap();
            cases[i].person.household = Some(h.id);
        }
        store_cases(s, &keys, &unit, &cases);
        let today = d("2026-01-15");
        // Dry run: lists the two cases closed more than five years before today, changes nothing.
        let plan =
            reg::gallra(s, &unit, None, GallringMode::Anonymise, today, false, None).unwrap();
        assert_eq!(plan.cutoff, d("2021-01-15"), "{b}");
        let ids: Vec<&str> = plan.persons.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(ids.len(), 2, "{b}: {ids:?}");
        assert!(!plan.done);
        let before: Vec<_> = s.persons(&unit).unwrap();
        assert!(
            before.iter().all(|r| r.identity.is_some()),
            "{b}: dry run changed nothing"
        );
        // Run: anonymised — identity, pnr index and free text gone, statistics kept.
        let done = reg::gallra(s, &unit, None, GallringMode::Anonymise, today, true, None).unwrap();
        assert!(done.done && done.persons.len() == 2);
        let h0 = reg::household(s, &keys, &unit, "H-0").unwrap().unwrap();
        let h3 = reg::household(s, &keys, &unit, "H-3").unwrap().unwrap();
        assert_eq!(
            (h0.size, h0.housing_need.as_str(), h3.housing_need.as_str()),
            (3, "", "Nära skolan"),
            "{b}: the gallrad household loses its text, the open one keeps it"
        );
        for r in s.persons(&unit).unwrap() {
            let gone = ids.contains(&r.id.as_str());
            assert_eq!(r.identity.is_none(), gone, "{b} {}", r.id);
            assert_eq!(r.anonymised, gone);
            if gone {
                let p = reg::person_of(&r).unwrap();
                assert!(
                    p.case_worker.is_none()
                        && p.reviews.is_empty()
                        && p.interventions.iter().all(|i| i.contact.is_empty())
                );
                assert!(
                    p.interventions.iter().any(|i| i.kind == "sfi"),
                    "{b}: what the figures need stays"
                );
            }
        }
        // Running again finds nothing more to anonymise.
        assert!(
            reg::gallra(s, &unit, None, GallringMode::Anonymise, today, false, None)
                .unwrap()
                .persons
                .is_empty()
        );
        // A year later the 2021 case is due too; delete mode removes the rows.
        let later = reg::gallra(
            s,
            &unit,
            Some(5),
            GallringMode::Delete,
            d("2026-03-01"),
            true,
            None,
        )
        .unwrap();
        assert_eq!(
            later.persons.len(),
            3,
            "{b}: two anonymised and the one closed 2021-02-01"
        );
        assert_eq!(s.persons(&unit).unwrap().len(), 3, "{b}");
        let audit = s
            .audit_log(&etablera_store::AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert!(
            audit
                .iter()
                .filter(|a| a.action == "register.gallring")
                .count()
                >= 2,
            "{b}"
        );
    });
}

#[test]
fn export_contains_everything_stored() {
    on_every_backend(|b, s, keys| {
        let unit = UnitCode::parse("2380").unwrap();
        let mut case =
            etablera_app::register_demo::caseload(&unit, 1, 3, 2024, d("2026-06-01")).remove(0);
        case.person.household = Some("H1".into());
        case.identity.as_mut().unwrap().phone = Some("070-555".into());
        reg::save(s, &keys, &case, None, "person.create").unwrap();
        let hh = etablera_store::HouseholdRow {
            id: "H1".into(),
            unit: unit.clone(),
            doc: r#"{"id":"H1","unit":"2380","size":4,"rooms_needed":null,"housing_need":""}"#
                .into(),
        };
        s.save_household(
            &hh,
            &etablera_store::AuditEntry::new(
                "2026-01-01T00:00:00Z",
                None,
                "household.save",
                "household:H1",
                Some(&unit),
            ),
        )
        .unwrap();
        reg::log_read(
            s,
            &keys,
            Some(1),
            "web",
            &[(&case.person, true)],
            "GET /register/{unit}/persons/{id}",
        )
        .unwrap();
        let link = etablera_store::PlanLinkRow {
            id: 0,
            person_id: case.person.id.to_string(),
            code_hash: "h".into(),
            lang: "so".into(),
            created_by: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-02-01T00:00:00Z".into(),
            revoked_at: None,
        };
        s.create_plan_link(
            &link,
            &etablera_store::AuditEntry::new(
                "2026-01-01T00:00:00Z",
                None,
                "plan_link.create",
                &format!("person:{}", case.person.id),
                Some(&unit),
            ),
        )
        .unwrap();
        let v = reg::export_person(s, &keys, &unit, case.person.id.as_str()).unwrap();
        let stored = s.person(case.person.id.as_str()).unwrap().unwrap();
        // Every field of the stored record (its free text opened), the identity, household,
        // links, reads and changes.
        let doc = serde_json::to_value(reg::from_row(&keys, &stored).unwrap().person).unwrap();
        assert!(
            !stored.doc.contains("Vuxenutbildningens expedition"),
            "{b}: sealed at rest"
        );
        assert_eq!(v["person"], doc, "{b}");
        assert_eq!(
            v["identity"]["name"],
            case.identity.as_ref().unwrap().name.as_str()
        );
        assert_eq!(v["identity"]["phone"], "070-555");
        assert_eq!(v["household"]["size"], 4);
        assert_eq!(v["plan_links"][0]["lang"], "so");
        assert_eq!(v["reads"].as_array().unwrap().len(), 1);
        let actions: Vec<&str> = v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"person.create") && actions.contains(&"plan_link.create"),
            "{b}: {actions:?}"
        );
    });
}

#[test]
fn caseload_import_refuses_bad_rows_and_stores_nothing() {
    on_every_backend(|b, s, keys| {
        let unit = UnitCode::parse("2380").unwrap();
        let bad = "namn;personnummer;fodelsear;kon;fodelseland;kategori;ankomst\n\
                   Amal Ok;811218-9876;;K;Syrien;anvisad;2025-01-02\n\
                   Fel Siffra;811218-9875;;K;Syrien;anvisad;2025-01-02\n\
                   Fel Kategori;;1990;M;Irak;turist;2025-01-02\n\
                   Kort Rad;;M\n";
        let e = reg::import_caseload(s, &keys, &unit, "ärenden.csv", bad.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ärenden.csv, row 3, field `personnummer`: has a wrong check digit"),
            "{b}: {e}"
        );
        assert!(e.contains("row 4, field `kategori`"), "{b}: {e}");
        assert!(
            e.contains("row 5") && e.contains("has 3 fields"),
            "{b}: {e}"
        );
        assert!(
            !e.contains("9875") && !e.contains("Fel Siffra"),
            "{b}: no personal data in errors: {e}"
        );
        assert!(s.persons(&unit).unwrap().is_empty(), "{b}: nothing stored");
        let dup = "namn;personnummer;kon;fodelseland;kategori;ankomst\nA B;811218-9876;K;Syrien;anvisad;2025-01-02\nC D;19811218-9876;K;Syrien;anvisad;2025-01-02\n";
        let e = reg::import_caseload(s, &keys, &unit, "dubbel.csv", dup.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 3, field `personnummer`: the same number as row 2"),
            "{b}: {e}"
        );
        let good = "namn;personnummer;kon;fodelseland;kategori;ankomst\nA B;811218-9876;K;Syrien;anvisad;2025-01-02\nC D;;M;Irak;sjalvbosatt;2025-03-02\n";
        let e = reg::import_caseload(s, &keys, &unit, "ok.csv", good.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 3, field `fodelsear`"), "{b}: {e}");
        let good = good
            .replace("namn;", "fodelsear;namn;")
            .replace("\nA B", "\n;A B")
            .replace("\nC D", "\n1990;C D");
        assert_eq!(
            reg::import_caseload(s, &keys, &unit, "ok.csv", good.as_bytes(), None).unwrap(),
            2,
            "{b}"
        );
        // The same from an xlsx workbook: errors name the sheet, row and field; nothing is
        // stored until every row is good.
        let header = vec![
            "namn",
            "personnummer",
            "fodelsear",
            "kon",
            "fodelseland",
            "kategori",
            "ankomst",
        ];
        let good_row = vec![
            "E F",
            "",
            "1979",
            "K",
            "Eritrea",
            "kvotflykting",
            "2025-04-01",
        ];
        let book = etablera_ingest::xlsx_wide::write(&[
            header.clone(),
            good_row.clone(),
            vec!["G H", "", "1985", "X", "Eritrea", "anvisad", "2025-04-01"],
        ]);
        let e = reg::import_caseload(s, &keys, &unit, "ärenden.xlsx", &book, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ärenden.xlsx, sheet `Blad1`, row 3, field `kon`"),
            "{b}: {e}"
        );
        assert_eq!(s.persons(&unit).unwrap().len(), 2, "{b}: nothing stored");
        // Re-importing the same personnummer is refused.
        assert!(reg::import_caseload(s, &keys, &unit, "ok.csv", good.as_bytes(), None).is_err());
        assert_eq!(s.persons(&unit).unwrap().len(), 2);
        let book = etablera_ingest::xlsx_wide::write(&[header, good_row]);
        assert_eq!(
            reg::import_caseload(s, &keys, &unit, "ärenden.xlsx", &book, None).unwrap(),
            1,
            "{b}"
        );
        assert_eq!(s.persons(&unit).unwrap().len(), 3);
        // Export round-trips through import's format and logs each read.
        let csv = reg::export_caseload(s, &keys, &unit, None).unwrap();
        assert!(
            csv.contains("19811218-9876") && csv.starts_with("namn;personnummer"),
            "{b}"
        );
        assert_eq!(
            s.read_log(&etablera_store::ReadLogFilter {
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
            3,
            "{b}"
        );
    });
}

#[test]
fn key_rotation_reseals_everything() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let unit = UnitCode::parse("2380").unwrap();
        let old = etablera_vault::Keyring::parse(K1).unwrap();
        // Six cases; the first and the last with the same personnummer, so the last is a
        // registration request for the reception manager, not a sixth person.
        let mut cases = etablera_app::register_demo::caseload(&unit, 6, 9, 2023, d("2026-01-01"));
        let pnr = etablera_register::Pnr::parse("19811218-9876", d("2026-01-01")).unwrap();
        for i in [0, 5] {
            cases[i].identity.as_mut().unwrap().pnr = Some(pnr.clone());
        }
        for (i, c) in cases.iter().enumerate() {
            let saved = reg::save(s, &old, c, None, "person.create").unwrap();
            assert_eq!(saved == reg::Saved::NeedsCheck, i == 5, "{b}: case {i}");
        }
        // Two households, one with a housing need sealed under the old key and one without.
        for (id, need) in [("H-1", "Fyra rum nära skolan, hiss behövs"), ("H-2", "")] {
            let h = etablera_register::model::Household {
                id: id.into(),
                unit: unit.clone(),
                size: 3,
                rooms_needed: Some(2),
                housing_need: need.into(),
            };
            reg::save_household(s, &old, &h, None).unwrap();
        }
        let both = etablera_vault::Keyring::parse(&format!("{K2},{K1}")).unwrap();
        assert_eq!(
            reg::rotate_keys(s, &both, None).unwrap(),
            7,
            "{b}: five identities, the one household with a sealed housing need and the request"
        );
        assert_eq!(
            reg::rotate_keys(s, &both, None).unwrap(),
            0,
            "{b}: nothing stale left"
        );
        let new_only = etablera_vault::Keyring::parse(K2).unwrap();
        // The request opens with the new key alone and still finds its person by the new
        // blind index of the personnummer.
        let open = reg::open_requests(s, &new_only, &unit).unwrap();
        assert_eq!(open.len(), 1, "{b}");
        let index = new_only.blind_index(pnr.digits());
        assert!(
            s.person_id_by_pnr_index(&unit, &index).unwrap().is_some(),
            "{b}: the person is found by the new index"
        );
        let h = reg::household(s, &new_only, &unit, "H-1").unwrap().unwrap();
        assert_eq!(h.housing_need, "Fyra rum nära skolan, hiss behövs", "{b}");
        assert!(
            reg::household(s, &old, &unit, "H-1").is_err(),
            "{b}: the old key no longer opens the housing need"
        );
        for r in s.persons(&unit).unwrap() {
            assert!(
                reg::from_row(&new_only, &r).unwrap().identity.is_some(),
                "{b}"
            );
            assert!(
                reg::from_row(&old, &r).is_err(),
                "{b}: the old key no longer opens it"
            );
        }
    }
}

#[test]
fn figures_feed_the_follow_up_as_a_source() {
    on_every_backend(|b, s, keys| {
        let unit = UnitCode::parse("2380").unwrap();
        store_cases(
            s,
            &keys,
            &unit,
            &etablera_app::register_demo::caseload(&unit, 300, 1, 2021, d("2026-06-30")),
        );
        let n = reg::feed_followup(s, &unit, d("2026-06-30")).unwrap();
        assert!(n > 0, "{b}");
        assert_eq!(
            reg::feed_followup(s, &unit, d("2026-06-30")).unwrap(),
            0,
            "{b}: idempotent"
        );
        let obs = s
            .observations(&etablera_store::ObsQuery {
                indicators: vec![etablera_domain::IndicatorId::parse("REG-N01986").unwrap()],
                units: vec![unit.clone()],
                ..Default::default()
            })
            .unwrap();
        assert!(!obs.is_empty(), "{b}");
        for o in &obs {
            let v = o.observation.value();
            assert!(
                v.is_none_or(|v| v == 0.0 || v >= 5.0),
                "{b}: a count under the threshold is never stored: {v:?}"
            );
        }
    });
}

/// Tenant isolation (hardening issue, the class of finding 5): a person's id is global, and
/// saving a case whose id is already another municipality's moved the row there — the first
/// municipality's case, its identity and its personnummer index were gone. A save never
/// crosses municipalities: it is refused and both registers stay as they were.
#[test]
fn a_person_id_of_another_municipality_is_never_overwritten() {
    on_every_backend(|b, s, keys| {
        let ostersund = UnitCode::parse("2380").unwrap();
        let ljusnarsberg = UnitCode::parse("1864").unwrap();
        let case = etablera_app::register_demo::caseload(&ostersund, 1, 7, 2024, d("2026-01-01"))
            .remove(0);
        reg::save(s, &keys, &case, None, "person.create").unwrap();
        let before = s.persons(&ostersund).unwrap();
        let mut theirs = case.clone();
        theirs.person.unit = ljusnarsberg.clone();
        let err = reg::save(s, &keys, &theirs, None, "person.create");
        assert!(
            err.is_err(),
            "{b}: a save into another municipality's id is refused"
        );
        assert_eq!(
            s.persons(&ostersund).unwrap(),
            before,
            "{b}: Östersund's case as it was"
        );
        assert!(
            s.persons(&ljusnarsberg).unwrap().is_empty(),
            "{b}: nothing in Ljusnarsberg"
        );
    });
}

/// Stores cases as they are, sealed with `keys` (a test's fixture, not a use case).
fn store_cases(
    s: &mut dyn etablera_store::Store,
    keys: &etablera_vault::Keyring,
    unit: &UnitCode,
    cases: &[reg::Case],
) {
    let rows: Vec<_> = cases
        .iter()
        .map(|c| reg::to_row(keys, c).unwrap())
        .collect();
    s.save_persons(
        &rows,
        &etablera_store::AuditEntry::new("2026-01-01T00:00:00Z", None, "test", "x", Some(unit)),
    )
    .unwrap();
}

/// `cases::change` checks what it is given whoever calls it: another municipality's case
/// worker learns nothing, a text over its length, a referral without consent and an
/// unknown user are refused naming the field, and nothing is stored.
#[test]
fn a_change_to_a_case_is_checked_by_the_use_case() {
    use etablera_app::cases::{self, Change};
    use etablera_app::{Actor, Conn, Error};
    use etablera_domain::access::{Principal, RegisterRole};
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let keys = etablera_vault::Keyring::parse(K1).unwrap();
        let unit = UnitCode::parse("2380").unwrap();
        let cases_ = etablera_app::register_demo::caseload(&unit, 1, 3, 2024, d("2026-01-01"));
        store_cases(s, &keys, &unit, &cases_);
        let id = cases_[0].person.id.to_string();
        let before = reg::load(s, &keys, &unit, &id).unwrap().unwrap().person;
        let actor = |unit: &str| {
            Actor::new(
                Some(Principal {
                    user_id: 41,
                    system_admin: false,
                    memberships: vec![],
                    register: vec![(
                        UnitCode::parse(unit).unwrap(),
                        RegisterRole::ReceptionManager,
                    )],
                }),
                etablera_domain::Lang::Sv,
            )
        };
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        let mut change =
            |who: &Actor, c: Change| cases::change(&mut conn, who, &keys, &unit, &id, c);
        let review = |note: String| Change::Review {
            date: d("2026-01-02"),
            note,
        };
        assert!(
            matches!(
                change(&actor("1864"), review("ok".into())),
                Err(Error::NotFound)
            ),
            "{b}: another municipality's register does not exist for them"
        );
        let e = change(&actor("2380"), review("x".repeat(2001))).unwrap_err();
        assert!(
            matches!(&e, Error::Invalid(r) if r.field == "note"),
            "{b}: {e}"
        );
        let e = change(
            &actor("2380"),
            Change::Referral {
                consent: 99,
                purpose: "Praktik".into(),
            },
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid(r) if r.field == "consent"),
            "{b}: {e}"
        );
        let e = change(
            &actor("2380"),
            Change::Assign {
                case_worker: "ingen-sadan".into(),
                colleagues: vec![],
            },
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid(r) if r.field == "case_worker"),
            "{b}: {e}"
        );
        let after = reg::load(t.store.as_mut(), &keys, &unit, &id)
            .unwrap()
            .unwrap()
            .person;
        assert_eq!(after, before, "{b}: nothing stored");
        assert_eq!(
            cases::change(
                &mut conn,
                &actor("2380"),
                &keys,
                &unit,
                &id,
                review("Bra".into())
            )
            .unwrap(),
            cases::Changed::Saved,
            "{b}"
        );
    }
}
