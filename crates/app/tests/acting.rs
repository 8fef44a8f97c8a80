//! A store connection knows the municipalities of the principal it acts for (use-case issue,
//! point 1): every access check of `app` names them to the store before it reads, on
//! PostgreSQL as the session setting `etablera.units` that row-level security can key on.

use etablera_app::{strategies, Actor, Conn};
use etablera_domain::access::{Action, Principal, RegisterRole, Role};
use etablera_domain::{Lang, UnitCode};
use etablera_store::testing;

fn member(id: i64, roles: &[(&str, Role)], register: &[(&str, RegisterRole)]) -> Actor {
    Actor::new(
        Some(Principal {
            user_id: id,
            system_admin: false,
            memberships: roles
                .iter()
                .map(|(u, r)| (UnitCode::parse(u).unwrap(), *r))
                .collect(),
            register: register
                .iter()
                .map(|(u, r)| (UnitCode::parse(u).unwrap(), *r))
                .collect(),
        }),
        Lang::Sv,
    )
}

#[test]
fn the_connection_acts_for_the_principals_municipalities() {
    for t in testing::all() {
        let b = t.backend;
        let mut conn = Conn::open_migrated(&t.address).unwrap();
        etablera_app::operator::init(&mut conn).unwrap();
        assert_eq!(conn.acting_units().unwrap(), "*", "{b}: the operator");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("strategi.toml");
        std::fs::write(&file, etablera_app::demo::STRATEGIES[0].1).unwrap();
        let s = etablera_app::operator::load_strategy(&mut conn, &file).unwrap();

        let strategist = member(7, &[("2380", Role::Strategist)], &[]);
        strategies::open(&mut conn, &strategist, &s.id, Action::Write).unwrap();
        assert_eq!(conn.acting_units().unwrap(), "2380", "{b}");

        // A pool hands a connection out acting for nobody; work done later on a proof of
        // access (a refresh on another connection) acts for the one who was let in.
        let allowed = strategies::check(&mut conn, &strategist, &s.id, Action::Read).unwrap();
        conn.act_for_nobody().unwrap();
        assert_eq!(conn.acting_units().unwrap(), "", "{b}");
        strategies::follow_up(&mut conn, &allowed, 2020, None, None, None).unwrap();
        assert_eq!(conn.acting_units().unwrap(), "2380", "{b}");

        let two = member(
            8,
            &[("2380", Role::Viewer), ("1864", Role::Viewer)],
            &[("2380", RegisterRole::CaseWorker)],
        );
        strategies::open(&mut conn, &two, &s.id, Action::Read).unwrap();
        assert_eq!(conn.acting_units().unwrap(), "1864,2380", "{b}");

        // Refused, and still named: a query that forgot its filter would see nothing of
        // another municipality under row-level security.
        let other = member(9, &[("1864", Role::Strategist)], &[]);
        assert!(strategies::open(&mut conn, &other, &s.id, Action::Write).is_err());
        assert_eq!(conn.acting_units().unwrap(), "1864", "{b}");

        let anonymous = Actor::new(None, Lang::Sv);
        let _ = strategies::open(&mut conn, &anonymous, &s.id, Action::ReadPublic);
        assert_eq!(conn.acting_units().unwrap(), "", "{b}");
    }
}
