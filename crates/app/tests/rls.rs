//! Row-level security for the register on PostgreSQL, as defence in depth: connected as the
//! application's role (which owns no table and cannot bypass row-level security), a query
//! on the register's tables without any municipality filter returns no rows until the
//! session names its municipalities, then only theirs; a newcomer's session sees the one
//! person it named; a write into another municipality is refused by the database itself.
//! The same query as the tables' owner shows that the rows exist.

use etablera_store::testing;

fn count(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn a_register_query_without_its_filter_returns_nothing_to_the_application() {
    let Some(mut t) = testing::all().into_iter().find(|t| t.backend == "postgres") else {
        eprintln!("skipped: no PostgreSQL ({})", testing::PG_ENV);
        return;
    };
    etablera_app::init(t.store.as_mut()).unwrap();
    let mut owner = postgres::Client::connect(&t.owner_address, postgres::NoTls).unwrap();
    owner
        .batch_execute(
            "insert into person (id, unit_code, doc, updated_at) values
               ('p-ostersund', '2380', '{}', '2026-12-02T00:00:00Z'),
               ('p-ljusnarsberg', '1864', '{}', '2026-12-02T00:00:00Z');
             insert into household (unit_code, id, doc) values
               ('2380', 'h1', '{}'), ('1864', 'h1', '{}');",
        )
        .unwrap();
    // The owner (here the server's superuser) sees both municipalities' rows.
    assert_eq!(count(&mut owner, "select count(*) from person"), 2);
    assert_eq!(count(&mut owner, "select count(*) from household"), 2);

    let mut app = postgres::Client::connect(&t.address, postgres::NoTls).unwrap();
    let role = app
        .query_one(
            "select rolsuper, rolbypassrls from pg_roles where rolname = current_user",
            &[],
        )
        .unwrap();
    assert!(!role.get::<_, bool>(0) && !role.get::<_, bool>(1));
    assert_eq!(
        app.query_one("select current_user::text", &[])
            .unwrap()
            .get::<_, String>(0),
        testing::APP_ROLE
    );
    for table in ["person", "household", "registration_request"] {
        let forced: bool = app
            .query_one(
                "select relforcerowsecurity from pg_class where oid = to_regclass($1)",
                &[&table],
            )
            .unwrap()
            .get(0);
        assert!(forced, "{table}");
    }

    // No municipality named: the forgotten filter finds no one.
    assert_eq!(count(&mut app, "select count(*) from person"), 0);
    assert_eq!(count(&mut app, "select count(*) from household"), 0);
    // One municipality: its rows only.
    app.batch_execute("select set_config('etablera.units', '2380', false)")
        .unwrap();
    assert_eq!(count(&mut app, "select count(*) from person"), 1);
    assert_eq!(
        count(
            &mut app,
            "select count(*) from person where unit_code = '1864'"
        ),
        0
    );
    assert_eq!(count(&mut app, "select count(*) from household"), 1);
    // A write into another municipality is refused by the database.
    let err = app
        .batch_execute(
            "insert into person (id, unit_code, doc, updated_at) values ('x', '1864', '{}', 'now')",
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("row-level security") || format!("{err:?}").contains("42501"),
        "{err:?}"
    );
    // Nor can it move a visible person into another municipality.
    let err = app
        .batch_execute("update person set unit_code = '1864' where id = 'p-ostersund'")
        .unwrap_err();
    assert!(format!("{err:?}").contains("42501"), "{err:?}");
    // An update of the other municipality's person changes nothing.
    app.batch_execute("update person set doc = '{\"x\":1}' where id = 'p-ljusnarsberg'")
        .unwrap();
    assert_eq!(
        count(
            &mut owner,
            "select count(*) from person where doc = '{\"x\":1}'"
        ),
        0
    );
    // Several, and the system.
    app.batch_execute("select set_config('etablera.units', '1864,2380', false)")
        .unwrap();
    assert_eq!(count(&mut app, "select count(*) from person"), 2);
    app.batch_execute("select set_config('etablera.units', '*', false)")
        .unwrap();
    assert_eq!(count(&mut app, "select count(*) from person"), 2);
    // A newcomer's session: no municipality, one person.
    app.batch_execute(
        "select set_config('etablera.units', '', false), set_config('etablera.person', 'p-ljusnarsberg', false)",
    )
    .unwrap();
    assert_eq!(count(&mut app, "select count(*) from person"), 1);
    assert_eq!(count(&mut app, "select count(*) from household"), 0);

    // Through the application: a connection from the pool acts for nobody until an
    // operation names its actor, and the newcomer's person is forgotten by the next one.
    let mut conn = etablera_app::Conn::open(&t.address).unwrap();
    conn.act_for_nobody().unwrap();
    assert_eq!(conn.acting_units().unwrap(), "");
}
