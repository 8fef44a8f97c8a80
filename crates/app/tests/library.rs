//! The strategy library on every backend: who may add a document, what is refused with
//! nothing stored, the same content never twice, and Swedish search over what was added.

use etablera_app::library::{self, NewDocument};
use etablera_app::{Actor, Conn, Error};
use etablera_domain::access::{Principal, Role};
use etablera_domain::{Lang, UnitCode};
use etablera_store::testing;

fn member(id: i64, role: Role) -> Actor {
    Actor::new(
        Some(Principal {
            user_id: id,
            system_admin: false,
            memberships: vec![(UnitCode::parse("1864").unwrap(), role)],
            register: vec![],
        }),
        Lang::Sv,
    )
}

fn doc(file: &str, bytes: &[u8]) -> NewDocument {
    NewDocument {
        municipality: "Östersund".into(),
        title: "Integrationsstrategi 2020".into(),
        year: Some(2016),
        kind: "strategi".into(),
        source: None,
        file_name: file.into(),
        bytes: bytes.to_vec(),
    }
}

const TEXT: &str = "Integrationsstrategi 2020\n\nKvantitativa mål Minst 10 % av befolkningen är utrikes födda år 2020.\n\u{c}Strategi för bostäder och arbete.\n";

#[test]
fn documents_are_added_by_strategists_and_found_in_swedish() {
    for t in testing::all() {
        let b = t.backend;
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        let anna = etablera_app::operator::add_user(
            &mut conn,
            "anna",
            "Anna",
            &etablera_app::accounts::Password::new("ett långt testlösenord"),
            false,
        )
        .unwrap();
        // A strategist of another municipality (Ljusnarsberg) adds Östersund's document:
        // library entries are public documents about the municipality they name.
        let strategist = member(anna, Role::Strategist);
        let id = library::add(
            &mut conn,
            &strategist,
            doc("ostersund.txt", TEXT.as_bytes()),
        )
        .unwrap();
        // Refused, and nothing stored: a viewer, nobody, the same content again, a broken PDF, a
        // text that is not UTF-8, an unknown kind or municipality, a year out of range.
        let refusals: Vec<(Actor, NewDocument, &str)> = vec![
            (
                member(anna, Role::Viewer),
                doc("v.txt", b"Annan text."),
                "forbidden",
            ),
            (
                Actor::new(None, Lang::Sv),
                doc("n.txt", b"Annan text."),
                "unauthorized",
            ),
            (
                strategist.clone(),
                doc("igen.txt", TEXT.as_bytes()),
                "already in the library (entry",
            ),
            (
                strategist.clone(),
                doc("s.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"),
                "s.pdf: the PDF is broken or cannot be read",
            ),
            (
                strategist.clone(),
                doc("s.txt", &[b'a', 0xff]),
                "s.txt: not UTF-8 text (byte 1)",
            ),
            (
                strategist.clone(),
                NewDocument {
                    kind: "roman".into(),
                    ..doc("k.txt", b"Text.")
                },
                "--kind: `roman`",
            ),
            (
                strategist.clone(),
                NewDocument {
                    municipality: "Atlantis".into(),
                    ..doc("m.txt", b"Text.")
                },
                "unknown municipality `Atlantis`",
            ),
            (
                strategist.clone(),
                NewDocument {
                    year: Some(1066),
                    ..doc("y.txt", b"Text.")
                },
                "--year: 1066",
            ),
            (
                strategist.clone(),
                doc("tom.txt", b"\n\n  \n"),
                "tom.txt: the file has no text",
            ),
        ];
        for (actor, d, says) in refusals {
            let e = library::add(&mut conn, &actor, d).unwrap_err();
            let text = match &e {
                Error::Forbidden => "forbidden".to_string(),
                Error::Unauthorized => "unauthorized".to_string(),
                e => e.to_string(),
            };
            assert!(text.contains(says), "{b}: {text}");
        }
        // Every logged-in user reads the library (a viewer of another municipality too);
        // the public reads only published entries: none yet.
        let actor = member(anna, Role::Viewer);
        let nobody = Actor::new(None, Lang::Sv);
        assert!(
            library::entries(&mut conn, &nobody).unwrap().is_empty(),
            "{b}"
        );
        assert!(library::search(&mut conn, &nobody, "strategi", 10)
            .unwrap()
            .is_empty());
        assert!(matches!(
            library::get(&mut conn, &nobody, id),
            Err(Error::Unauthorized)
        ));
        // Published by the adder's municipality (not by a viewer), the public finds it.
        assert!(matches!(
            library::publish(&mut conn, &actor, id, true),
            Err(Error::Forbidden)
        ));
        library::publish(&mut conn, &strategist, id, true).unwrap();
        assert_eq!(
            library::entries(&mut conn, &nobody).unwrap().len(),
            1,
            "{b}"
        );
        assert_eq!(
            library::search(&mut conn, &nobody, "strategi", 10).unwrap()[0]
                .entry
                .id,
            id
        );
        assert!(library::get(&mut conn, &nobody, id).unwrap().meta.published);
        let entries = library::entries(&mut conn, &actor).unwrap();
        assert_eq!(entries.len(), 1, "{b}: only the first document");
        assert_eq!(entries[0].id, id);
        assert_eq!(entries[0].meta.added_for.as_deref(), Some("1864"), "{b}");
        // Three paragraphs, the last on page 2 (after the form feed).
        assert_eq!(entries[0].paragraphs, 3, "{b}");
        let found = library::search(&mut conn, &actor, "strategi för integration", 10).unwrap();
        assert_eq!(found[0].entry.id, id, "{b}");
        assert_eq!(found[0].hit.page, Some(1), "{b}");
        let found = library::search(&mut conn, &actor, "bostadsstrategi", 10).unwrap();
        assert_eq!(found[0].hit.page, Some(2), "{b}: {found:?}");
        assert!(
            found[0].hit.snippet.contains("«bostäder»")
                || found[0].hit.snippet.contains("«Strategi»"),
            "{b}: {found:?}"
        );
        // Another process (another connection) adds a document: the index follows.
        let mut other = Conn::open(&t.address).unwrap();
        library::add(
            &mut other,
            &Actor::system(),
            NewDocument {
                municipality: "Luleå".into(),
                ..doc("lulea.txt", "Kommunens mål är att 80% stannar.".as_bytes())
            },
        )
        .unwrap();
        let found = library::search(&mut conn, &actor, "stannar", 10).unwrap();
        assert_eq!(found.len(), 1, "{b}");
        assert_eq!(found[0].entry.meta.unit_code, "2580", "{b}");
        // Removed, then another added with no search between (SQLite may give it the same
        // id): the index follows the library's change sequence, not the ids.
        let gone = library::add(
            &mut conn,
            &Actor::system(),
            NewDocument {
                municipality: "Luleå".into(),
                ..doc("gammal.txt", "Ett ord som heter flamingo.".as_bytes())
            },
        )
        .unwrap();
        assert_eq!(
            library::search(&mut conn, &actor, "flamingo", 10)
                .unwrap()
                .len(),
            1
        );
        library::remove(&mut conn, &Actor::system(), gone).unwrap();
        library::add(
            &mut conn,
            &Actor::system(),
            NewDocument {
                municipality: "Luleå".into(),
                ..doc("ny.txt", "Ett ord som heter pelikan.".as_bytes())
            },
        )
        .unwrap();
        assert!(
            library::search(&mut conn, &actor, "flamingo", 10)
                .unwrap()
                .is_empty(),
            "{b}"
        );
        assert_eq!(
            library::search(&mut conn, &actor, "pelikan", 10)
                .unwrap()
                .len(),
            1,
            "{b}"
        );
        let last = library::entries(&mut conn, &actor)
            .unwrap()
            .into_iter()
            .max_by_key(|e| e.id)
            .unwrap();
        library::remove(&mut conn, &Actor::system(), last.id).unwrap();
        // Filters: municipality, county (by code or region name), years, kind.
        let filtered = |conn: &mut Conn, f: library::Filter| {
            library::search_filtered(conn, &actor, "strategi stannar", &f, 10).map(|v| {
                v.iter()
                    .map(|x| x.entry.meta.unit_code.clone())
                    .collect::<Vec<_>>()
            })
        };
        let all = filtered(&mut conn, library::Filter::default()).unwrap();
        assert_eq!(all.len(), 2, "{b}: {all:?}");
        let mut only = |f| filtered(&mut conn, f).unwrap();
        assert_eq!(
            only(library::Filter {
                municipality: Some("Luleå".into()),
                ..Default::default()
            }),
            ["2580"],
            "{b}"
        );
        assert_eq!(
            only(library::Filter {
                county: Some("25".into()),
                ..Default::default()
            }),
            ["2580"],
            "{b}"
        );
        assert_eq!(
            only(library::Filter {
                county: Some("Jämtland".into()),
                ..Default::default()
            }),
            ["2380"],
            "{b}"
        );
        assert!(
            only(library::Filter {
                kind: Some("plan".into()),
                ..Default::default()
            })
            .is_empty(),
            "{b}"
        );
        assert_eq!(
            only(library::Filter {
                from_year: Some(2016),
                to_year: Some(2016),
                ..Default::default()
            })
            .len(),
            2,
            "{b}"
        );
        assert!(
            only(library::Filter {
                from_year: Some(2017),
                ..Default::default()
            })
            .is_empty(),
            "{b}"
        );
        let e = filtered(
            &mut conn,
            library::Filter {
                county: Some("Atlantis".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("--county: no county `Atlantis`"),
            "{b}: {e}"
        );
        // Has targets, and an indicator that may measure one of them: Östersund's text
        // states "Minst 10 % av befolkningen är utrikes födda år 2020"; Luleå's states
        // none that has a measure named ("80% stannar" of whom?) or does: whichever the
        // extraction says, the filter agrees with the targets page.
        let mut with_targets: Vec<String> = Vec::new();
        for (m, code) in [("Östersund", "2380"), ("Luleå", "2580")] {
            if library::targets_of_municipality(&mut conn, &actor, m, None)
                .unwrap()
                .iter()
                .any(|e| !e.targets.is_empty())
            {
                with_targets.push(code.to_string());
            }
        }
        assert!(with_targets.contains(&"2380".to_string()), "{b}");
        let mut got = filtered(
            &mut conn,
            library::Filter {
                has_targets: true,
                ..Default::default()
            },
        )
        .unwrap();
        got.sort();
        assert_eq!(got, with_targets, "{b}");
        let ostersund =
            library::targets_of_municipality(&mut conn, &actor, "Östersund", None).unwrap();
        let kpi = ostersund[0].targets[0].1.kpis[0].id.clone();
        let got = filtered(
            &mut conn,
            library::Filter {
                indicator: Some(kpi.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(got.contains(&"2380".to_string()), "{b}: {kpi} {got:?}");
        assert!(filtered(
            &mut conn,
            library::Filter {
                indicator: Some("U99999".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .is_empty());
        let e = filtered(
            &mut conn,
            library::Filter {
                indicator: Some("N0'; drop table x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("--indicator"), "{b}: {e}");
    }
}

/// The documents Östersund's strategy lists ship as catalogue entries ("text missing"):
/// sixty municipal strategies, programmes, plans and policies, each with the line of the
/// seed it stands on, the municipality and year where the title states them. `init` stores
/// them once, however often it runs; every logged-in user reads them.
#[test]
fn the_documents_ostersund_lists_are_catalogue_entries() {
    let shipped = library::shipped_listings().unwrap();
    assert_eq!(shipped.len(), 60);
    let units = etablera_domain::Units::sweden();
    let mut lines = std::collections::HashSet::new();
    for l in &shipped {
        assert!(lines.insert(l.line), "line {} twice", l.line);
        if let Some(code) = &l.unit_code {
            assert!(units.get(code).is_some(), "{code} is not a municipality");
        }
        assert!(
            [
                "strategi",
                "program",
                "plan",
                "policy",
                "riktlinjer",
                "handlingsplan",
                "styrdokument",
                "uppföljning"
            ]
            .contains(&l.kind.as_str()),
            "{}",
            l.kind
        );
    }
    // The seed's own lines: each title is read from the line it names.
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds/003_0331436ce3dbd4ab.txt"
    ));
    if let Ok(seed) = seed {
        let seed: Vec<&str> = seed.lines().collect();
        let tomelilla = shipped
            .iter()
            .find(|l| l.unit_code.as_deref() == Some("1270"))
            .unwrap();
        assert!(seed[tomelilla.line as usize - 1].contains("Tomelilla"));
        assert_eq!(tomelilla.year, Some(2017));
    }
    for t in testing::all() {
        let b = t.backend;
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        let reader = member(1, Role::Viewer);
        let listed = library::listings(&mut conn, &reader).unwrap();
        assert_eq!(listed.len(), 60, "{b}: stored once");
        assert!(
            listed.iter().any(|l| l.unit_code.is_none()),
            "{b}: unknown municipalities kept"
        );
        // The titles come from a published strategy's own list: the public reads them.
        assert_eq!(
            library::listings(&mut conn, &Actor::new(None, Lang::Sv))
                .unwrap()
                .len(),
            60,
            "{b}"
        );
    }
}

/// A PDF as a real producer writes it (Ljusnarsberg's strategy printed to PDF by Chromium:
/// subset TrueType fonts with ToUnicode maps, compressed streams): added through the same
/// use case, its paragraphs kept with their pages, found by search; a scan-like PDF
/// without text and a truncated one are refused with nothing stored.
#[test]
fn a_pdf_is_added_with_its_pages_and_found() {
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/pdf/ljusnarsberg-chromium.pdf"
    ))
    .unwrap();
    for t in testing::all() {
        let b = t.backend;
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        let before = library::entries(&mut conn, &Actor::system()).unwrap().len();
        for (name, bytes, says) in [
            ("halv.pdf", &pdf[..pdf.len() / 2], "halv.pdf: the PDF"),
            ("tom.pdf", &pdf[..0], "tom.pdf: not a PDF"),
        ] {
            let e = library::add(&mut conn, &Actor::system(), doc(name, bytes)).unwrap_err();
            assert!(e.to_string().contains(says), "{b}: {e}");
        }
        assert_eq!(
            library::entries(&mut conn, &Actor::system()).unwrap().len(),
            before,
            "{b}: nothing stored"
        );
        let id = library::add(
            &mut conn,
            &Actor::system(),
            NewDocument {
                municipality: "Ljusnarsberg".into(),
                ..doc("ljusnarsberg.pdf", &pdf)
            },
        )
        .unwrap();
        let entry = library::entries(&mut conn, &Actor::system())
            .unwrap()
            .into_iter()
            .find(|e| e.id == id)
            .unwrap();
        assert_eq!(
            entry.meta.media_type.as_deref(),
            Some("application/pdf"),
            "{b}"
        );
        assert!(entry.paragraphs > 40, "{b}: {}", entry.paragraphs);
        let found = library::search(&mut conn, &Actor::system(), "aktivitetsplan", 10).unwrap();
        assert_eq!(found[0].entry.id, id, "{b}");
        assert_eq!(found[0].hit.page, Some(1), "{b}: {found:?}");
        let found = library::search(&mut conn, &Actor::system(), "ensamkommande", 10).unwrap();
        assert!(found.iter().any(|f| f.entry.id == id), "{b}");
        let pages: Vec<i32> = found.iter().filter_map(|f| f.hit.page).collect();
        assert!(pages.iter().all(|p| (1..=10).contains(p)), "{b}: {pages:?}");
    }
}
