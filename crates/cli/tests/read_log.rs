//! Finding 13 of the hardening issue: the read log is append-only, but whoever owns the
//! database can drop the trigger and delete rows without trace. The log must be
//! tamper-evident: `etablera register verify-log` checks a chain of HMACs keyed outside the
//! database, prints its head, and names the first row where the chain breaks.

use std::process::Command;

const KEY: &str = "t1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn etablera(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["--database", db])
        .args(args)
        .env("ETABLERA_REGISTER_KEYS", KEY)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn tamper(backend: &str, address: &str, sql: &str) {
    if backend == "sqlite" {
        let conn = rusqlite::Connection::open(address).unwrap();
        conn.execute_batch(sql).unwrap();
    } else {
        let mut c = postgres::Client::connect(address, postgres::NoTls).unwrap();
        c.batch_execute(sql).unwrap();
    }
}

#[test]
fn a_removed_or_changed_read_is_found() {
    for t in etablera_store::testing::all() {
        let b = t.backend;
        let db = t.address.clone();
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("caseload.csv");
        std::fs::write(
            &csv,
            "namn;personnummer;kon;fodelseland;kategori;ankomst\n\
             Amal Test;19811218-9876;K;Syrien;anvisad;2025-01-02\n\
             Omar Test;19810278-9875;M;Irak;anvisad;2025-02-03\n",
        )
        .unwrap();
        let (ok, out) = etablera(&db, &["init"]);
        assert!(ok, "{b}: {out}");
        let (ok, out) = etablera(
            &db,
            &[
                "register",
                "import",
                csv.to_str().unwrap(),
                "--municipality",
                "2380",
            ],
        );
        assert!(ok, "{b}: {out}");
        // Three exports of two persons: six reads.
        for _ in 0..3 {
            let (ok, out) = etablera(&db, &["register", "export", "--municipality", "2380"]);
            assert!(ok, "{b}: {out}");
        }
        let (ok, out) = etablera(&db, &["register", "verify-log"]);
        assert!(ok, "{b}: {out}");
        assert!(out.contains("6 rader"), "{b}: {out}");
        let head = out
            .lines()
            .find_map(|l| l.split("huvud: ").nth(1))
            .unwrap_or_else(|| panic!("{b}: no head in {out}"))
            .trim()
            .to_string();
        // The owner of the database drops the guard and removes one read in the middle.
        let (drop_guard, path) = if b == "sqlite" {
            (
                "drop trigger read_log_keep; drop trigger read_log_no_update;",
                db.clone(),
            )
        } else {
            // As the owner: the application's role may not drop a trigger.
            (
                "drop trigger read_log_guard on read_log;",
                t.owner_address.clone(),
            )
        };
        tamper(
            b,
            &path,
            &format!("{drop_guard} delete from read_log where id = 3;"),
        );
        let (ok, out) = etablera(&db, &["register", "verify-log"]);
        assert!(!ok, "{b}: a removed row must fail the check: {out}");
        assert!(out.contains("rad 4"), "{b}: names where it breaks: {out}");
        // Changing a row instead is found as well.
        tamper(b, &path, "update read_log set view = 'GET /' where id = 5;");
        let (ok, out) = etablera(&db, &["register", "verify-log"]);
        assert!(!ok, "{b}: {out}");
        // Removing the newest rows leaves a whole chain; the head kept elsewhere shows it.
        tamper(b, &path, "delete from read_log where id >= 3;");
        let (ok, out) = etablera(&db, &["register", "verify-log", "--expect-head", &head]);
        assert!(!ok, "{b}: the kept head is gone: {out}");
    }
}
