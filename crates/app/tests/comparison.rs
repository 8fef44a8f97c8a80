//! Other municipalities' targets for one indicator (the library issue's comparison), on
//! every backend, over the demo's data: strategies kept in Etablera judged by their own
//! follow-up, targets read out of library documents judged by the same engine, and
//! nothing of an unpublished strategy of another municipality.

use etablera_app::comparison::{compare, Source};
use etablera_app::library::{self, NewDocument};
use etablera_app::{Actor, Conn, Error};
use etablera_domain::access::{Principal, Role};
use etablera_domain::{Lang, UnitCode};
use etablera_store::testing;

fn member(unit: &str, role: Role) -> Actor {
    member_as(1, unit, role)
}

fn member_as(user_id: i64, unit: &str, role: Role) -> Actor {
    Actor::new(
        Some(Principal {
            user_id,
            system_admin: false,
            memberships: vec![(UnitCode::parse(unit).unwrap(), role)],
            register: vec![],
        }),
        Lang::Sv,
    )
}

#[test]
fn targets_on_n00973_across_municipalities() {
    for t in testing::all() {
        let b = t.backend;
        let out = tempfile::tempdir().unwrap();
        etablera_app::demo::run(out.path(), Some(&t.address)).unwrap();
        let mut conn = Conn::open(&t.address).unwrap();
        etablera_app::operator::publish(&mut conn, "ostersund-2020", true).unwrap();
        etablera_app::operator::publish(&mut conn, "lulea-2019", true).unwrap();
        // A document about Luleå whose target the KPI's own words describe.
        library::add(
            &mut conn,
            &Actor::system(),
            NewDocument {
                municipality: "Luleå".into(),
                title: "Handlingsplan för etablering 2019–2022".into(),
                year: Some(2019),
                kind: "handlingsplan".into(),
                source: None,
                file_name: "lulea.txt".into(),
                bytes: "Andelen nyanlända som lämnat etableringsuppdraget och börjat arbeta eller studera ska vara minst 55 procent år 2022.\n".into(),
            },
        )
        .unwrap();
        let ostersund = member("2380", Role::Strategist);
        let c = compare(&mut conn, &ostersund, "N00973").unwrap();
        let describe: Vec<String> = c
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{} {:?} {} {:?} {:?}",
                    r.unit_name, r.status, r.level, r.latest, r.source
                )
            })
            .collect();
        let own = c
            .rows
            .iter()
            .find(|r| matches!(&r.source, Source::Strategy { target_id, .. } if target_id == "m2-arbete-studier"))
            .unwrap_or_else(|| panic!("{b}: {describe:#?}"));
        assert_eq!(own.unit.as_str(), "2380");
        assert!(
            own.status.is_some() && own.latest.is_some() && own.fictitious,
            "{b}: {describe:#?}"
        );
        assert!(
            c.rows
                .iter()
                .any(|r| r.unit.as_str() == "2580" && matches!(r.source, Source::Strategy { .. })),
            "{b}: Luleå's published strategy: {describe:#?}"
        );
        let drafted = c
            .rows
            .iter()
            .find(|r| matches!(r.source, Source::Library { .. }) && r.unit.as_str() == "2580")
            .unwrap_or_else(|| panic!("{b}: {describe:#?}"));
        assert_eq!(drafted.level, "minst 55\u{a0}% år 2022", "{b}");
        assert!(
            drafted.status.is_some() && drafted.latest.is_some(),
            "{b}: {describe:#?}"
        );

        // Unpublished, Luleå's strategy is Luleå's own: gone for Östersund, there for Luleå.
        etablera_app::operator::publish(&mut conn, "lulea-2019", false).unwrap();
        let c = compare(&mut conn, &ostersund, "N00973").unwrap();
        assert!(
            !c.rows.iter().any(|r| matches!(&r.source, Source::Strategy { strategy_id, .. } if strategy_id == "lulea-2019")),
            "{b}"
        );
        let c = compare(&mut conn, &member("2580", Role::Viewer), "N00973").unwrap();
        assert!(
            c.rows.iter().any(|r| matches!(&r.source, Source::Strategy { strategy_id, .. } if strategy_id == "lulea-2019")),
            "{b}"
        );
        assert!(matches!(
            compare(&mut conn, &Actor::new(None, Lang::Sv), "N00973"),
            Err(Error::Unauthorized)
        ));
        assert!(matches!(
            compare(&mut conn, &ostersund, "N99999"),
            Err(Error::NotFound)
        ));
        assert!(matches!(
            compare(&mut conn, &ostersund, "<script>"),
            Err(Error::NotFound)
        ));
    }
}

/// Drafts read out of a library document, reviewed: a strategist accepts one (edited) into
/// their own municipality's strategy, with its provenance; another municipality's strategist
/// cannot accept into that strategy, but reviews for their own municipality; a draft is
/// reviewed once per municipality; a viewer reviews nothing.
#[test]
fn drafts_are_accepted_only_into_the_acceptors_own_strategy() {
    use etablera_app::drafts::{self, Acceptance};
    for t in testing::all() {
        let b = t.backend;
        let out = tempfile::tempdir().unwrap();
        etablera_app::demo::run(out.path(), Some(&t.address)).unwrap();
        let mut conn = Conn::open(&t.address).unwrap();
        let id = library::add(
            &mut conn,
            &Actor::system(),
            NewDocument {
                municipality: "Östersund".into(),
                title: "Handlingsplan 2022".into(),
                year: Some(2022),
                kind: "handlingsplan".into(),
                source: None,
                file_name: "plan.txt".into(),
                bytes: "Andelen nyanlända i arbete eller studier ska vara minst 55 procent år 2024.\n\nAndelen ska öka.\n".into(),
            },
        )
        .unwrap();
        let mut user = |name: &str| {
            etablera_app::operator::add_user(
                &mut conn,
                name,
                name,
                &etablera_app::accounts::Password::new("ett långt testlösenord"),
                false,
            )
            .unwrap()
        };
        let (anna, lars) = (user("anna"), user("lars"));
        let ostersund = member_as(anna, "2380", Role::Strategist);
        let r = drafts::review(&mut conn, &ostersund, id).unwrap();
        assert_eq!(r.drafts.len(), 2, "{b}: {:?}", r.drafts);
        assert_eq!(r.unit.as_ref().map(|u| u.as_str()), Some("2380"));
        assert!(
            r.strategies.iter().any(|(s, _)| s.id == "ostersund-2020"),
            "{b}"
        );
        let accept = |year| Acceptance {
            strategy_id: "ostersund-2020".into(),
            goal: "m2".into(),
            indicator: "N00973".into(),
            comparator: None,
            value: Some(57.0),
            year,
        };
        // Ljusnarsberg's strategist may not write Östersund's strategy.
        let lj = member_as(lars, "1864", Role::Strategist);
        let e = drafts::accept(&mut conn, &lj, id, 0, accept(None)).unwrap_err();
        assert!(
            matches!(e, Error::NotFound | Error::Forbidden),
            "{b}: {e:?}"
        );
        assert!(matches!(
            drafts::accept(
                &mut conn,
                &member("2380", Role::Viewer),
                id,
                0,
                accept(None)
            ),
            Err(Error::Forbidden)
        ));
        let before = etablera_app::operator::strategy(&mut conn, "ostersund-2020").unwrap();
        // A wrong year is refused with the field named, nothing stored.
        let e = drafts::accept(&mut conn, &ostersund, id, 0, accept(Some(1066))).unwrap_err();
        assert!(
            matches!(&e, Error::Fields(f) if f[0].0 == "year"),
            "{b}: {e:?}"
        );
        assert_eq!(
            etablera_app::operator::strategy(&mut conn, "ostersund-2020").unwrap(),
            before
        );
        let tid = drafts::accept(&mut conn, &ostersund, id, 0, accept(None)).unwrap();
        let s = etablera_app::operator::strategy(&mut conn, "ostersund-2020").unwrap();
        let target = s.targets.iter().find(|t| t.id == tid).unwrap();
        assert_eq!(target.target_year, 2024, "{b}");
        assert_eq!(
            target.kind,
            etablera_domain::TargetKind::Threshold {
                bound: etablera_domain::Bound::AtLeast,
                value: 57.0
            },
            "{b}: edited"
        );
        assert!(
            target
                .note
                .as_deref()
                .unwrap()
                .contains("Handlingsplan 2022"),
            "{b}"
        );
        // Once per municipality.
        let e = drafts::accept(&mut conn, &ostersund, id, 0, accept(None)).unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{b}: {e:?}");
        drafts::reject(&mut conn, &lj, id, 0).unwrap();
        drafts::reject(&mut conn, &ostersund, id, 1).unwrap();
        assert!(matches!(
            drafts::reject(&mut conn, &member("2380", Role::Viewer), id, 1),
            Err(Error::Forbidden)
        ));
        let r = drafts::review(&mut conn, &ostersund, id).unwrap();
        let states: Vec<Option<&str>> = r
            .drafts
            .iter()
            .map(|d| d.review.as_ref().map(|x| x.state.as_str()))
            .collect();
        assert_eq!(states, [Some("accepted"), Some("rejected")], "{b}");
        let r = drafts::review(&mut conn, &lj, id).unwrap();
        let states: Vec<Option<&str>> = r
            .drafts
            .iter()
            .map(|d| d.review.as_ref().map(|x| x.state.as_str()))
            .collect();
        assert_eq!(
            states,
            [Some("rejected"), None],
            "{b}: Ljusnarsberg's own review"
        );
        assert!(matches!(
            drafts::reject(&mut conn, &ostersund, id, 9),
            Err(Error::NotFound)
        ));
    }
}
