//! `etablera backup` and `etablera restore` round-trip the demo database, on SQLite (the
//! online backup API) and PostgreSQL (pg_dump and pg_restore): every table of the restored
//! database equals the original's, row for row. A restore never overwrites a database that
//! holds Etablera's tables unless asked to, and a file that is not a backup (random bytes,
//! a truncated copy, the other database's archive) is refused before anything is written.
//! The schema's status (`etablera migrate --check`, `/readyz`) sees a pending migration.

use etablera_app::health::{ready, Readiness};
use etablera_app::{demo, operator, Conn, Error};
use etablera_store::testing;
use std::path::Path;

fn digests(address: &str) -> Vec<operator::TableDigest> {
    let mut c = Conn::open(address).unwrap();
    operator::table_digests(&mut c).unwrap()
}

fn refused(r: Result<Vec<operator::TableDigest>, Error>, words: &str) {
    match r {
        Err(Error::Input(m)) => assert!(m.contains(words), "{m:?} should say {words:?}"),
        other => panic!("expected a refusal saying {words:?}, got {other:?}"),
    }
}

#[test]
fn backup_and_restore_round_trip_the_demo_database() {
    for t in testing::all() {
        let dir = tempfile::tempdir().unwrap();
        demo::run(&dir.path().join("out"), Some(&t.address)).unwrap();
        let before = digests(&t.address);
        let tables: Vec<&str> = before.iter().map(|d| d.table.as_str()).collect();
        for needed in ["strategy", "observation", "audit_log", "schema_migration"] {
            assert!(tables.contains(&needed), "{}: {tables:?}", t.backend);
        }
        assert!(
            before.iter().filter(|d| d.rows > 0).count() > 10,
            "{before:?}"
        );

        let archive = dir.path().join("etablera.backup");
        // On PostgreSQL as the application's role, which reads every row only because the
        // backup acts for every municipality (row-level security).
        operator::backup(&t.address, &archive).unwrap();
        assert!(archive.exists());
        assert!(!Path::new(&format!("{}.partial", archive.display())).exists());
        // A second backup to the same name is refused; the first stays.
        let len = std::fs::metadata(&archive).unwrap().len();
        match operator::backup(&t.address, &archive) {
            Err(Error::Input(m)) => assert!(m.contains("exists"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::metadata(&archive).unwrap().len(), len);

        // Files that are not a backup: nothing is written anywhere.
        let junk = dir.path().join("junk.backup");
        std::fs::write(&junk, b"\x00\x01 this is not a backup of anything at all").unwrap();
        let half = dir.path().join("half.backup");
        let bytes = std::fs::read(&archive).unwrap();
        std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();

        if t.backend == "sqlite" {
            let target = dir.path().join("restored.db");
            let target = target.to_string_lossy().into_owned();
            refused(operator::restore(&junk, &target, false), "not a backup");
            refused(operator::restore(&half, &target, false), "half.backup");
            assert!(
                !Path::new(&target).exists(),
                "a refused restore made the file"
            );

            let restored = operator::restore(&archive, &target, false).unwrap();
            assert_eq!(restored, before, "every table equal after the restore");
            assert_eq!(digests(&target), before);

            // Into a database that holds Etablera's tables: refused unless replacing.
            refused(operator::restore(&archive, &target, false), "--replace");
            let restored = operator::restore(&archive, &target, true).unwrap();
            assert_eq!(restored, before);
        } else {
            refused(
                operator::restore(&junk, &t.owner_address, false),
                "not a backup",
            );
            // Into the database it came from, which still holds everything: refused.
            refused(
                operator::restore(&archive, &t.owner_address, false),
                "--replace",
            );
            assert_eq!(digests(&t.address), before);
            // A truncated archive: pg_restore fails in one transaction; nothing changes.
            let r = operator::restore(&half, &t.owner_address, true);
            assert!(r.is_err(), "{r:?}");
            assert_eq!(digests(&t.address), before);

            // Another schema's address, even with --replace: refused, since pg_restore would
            // write into the archive's own schema (this one), not the address's.
            let other = testing::postgres().unwrap();
            match operator::restore(&archive, &other.owner_address, true) {
                Err(Error::Input(m)) => assert!(m.contains("would be restored into"), "{m}"),
                other => panic!("{other:?}"),
            }
            assert_eq!(digests(&t.address), before);

            // The disaster: the schema is gone. The archive brings it back whole (restored
            // by the schema's owner; the application's role may not create schemas).
            let (server, schema) = testing::pg_server_and_schema(&t.address);
            let mut admin = etablera_store::PgStore::connect(&server).unwrap();
            admin
                .execute_batch(&format!("drop schema {schema} cascade"))
                .unwrap();
            let restored = operator::restore(&archive, &t.owner_address, false).unwrap();
            assert_eq!(restored, before, "every table equal after the restore");
            assert_eq!(digests(&t.address), before);
            // Replacing in place gives the same again.
            let restored = operator::restore(&archive, &t.owner_address, true).unwrap();
            assert_eq!(restored, before);
        }
        // The restored database works: the schema is current and the demo's strategy is
        // there.
        let mut c = Conn::open(&t.address).unwrap();
        assert!(ready(&mut c).is_ready());
    }
}

#[test]
fn a_pending_migration_is_seen_without_writing() {
    for t in testing::all() {
        let mut c = Conn::open(&t.address).unwrap();
        let s = operator::schema_status(&mut c).unwrap();
        assert!(s.current(), "{s:?}");
        assert!(s.applied.len() >= 18, "{s:?}");
        let r = ready(&mut c);
        assert!(matches!(r, Readiness::Ready { .. }), "{r:?}");

        // The newest migration's line removed: pending, and not ready.
        let newest = *s.applied.last().unwrap();
        let mut raw = etablera_store::open(&t.address).unwrap();
        raw.sql()
            .script(&format!(
                "delete from schema_migration where version = {newest}"
            ))
            .unwrap();
        let s = operator::schema_status(&mut c).unwrap();
        assert_eq!(s.pending, vec![newest]);
        assert_eq!(
            ready(&mut c),
            Readiness::Behind {
                pending: vec![newest]
            }
        );
        // A line from a newer program is unknown, not pending.
        raw.sql()
            .script("insert into schema_migration (version) values (9999)")
            .unwrap();
        let s = operator::schema_status(&mut c).unwrap();
        assert_eq!(s.unknown, vec![9999]);
        // Reading the status wrote nothing: still pending.
        assert_eq!(
            operator::schema_status(&mut c).unwrap().pending,
            vec![newest]
        );
    }
}
