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
    Actor::new(
        Some(Principal {
            user_id: 1,
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
