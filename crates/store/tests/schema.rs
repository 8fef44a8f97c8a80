//! The two backends' schemas are one schema (use-case issue, point 4): after migrating both,
//! every table has the same columns with the same type family and nullability, the same
//! primary key, unique constraints, foreign keys and indexes. And a shipped migration is
//! never edited: each file's SHA-256 is pinned below; a change to the schema is a new file.

use etablera_store::testing;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// One table as both backends can describe it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// column → (type family, not null)
    columns: BTreeMap<String, (&'static str, bool)>,
    primary_key: Vec<String>,
    /// Column sets that are unique (unique constraints and unique indexes, primary key aside).
    unique: BTreeSet<Vec<String>>,
    /// (columns, referenced table, referenced columns)
    foreign_keys: BTreeSet<(Vec<String>, String, Vec<String>)>,
    /// Column lists of the non-unique indexes.
    indexes: BTreeSet<Vec<String>>,
}

/// The family of a declared type. SQLite has no boolean: an `integer` column is a boolean
/// where PostgreSQL says so, which [`same_family`] allows.
fn family(declared: &str) -> &'static str {
    let t = declared.to_lowercase();
    if t.contains("bool") {
        "bool"
    } else if t.contains("int") || t == "serial" || t == "bigserial" {
        "int"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("float")
        || t.contains("numeric")
    {
        "float"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("timestamp") || t == "date" {
        "time"
    } else if t.contains("json") {
        "json"
    } else {
        "other"
    }
}

fn same_family(sqlite: &str, pg: &str) -> bool {
    sqlite == pg || (sqlite == "int" && pg == "bool")
}

fn sqlite_tables(path: &str) -> BTreeMap<String, Table> {
    let c = rusqlite::Connection::open(path).unwrap();
    let names: Vec<String> = c
        .prepare(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for name in names {
        let mut t = Table::default();
        let mut pk: Vec<(i64, String)> = Vec::new();
        let mut st = c
            .prepare(&format!(
                "select name, type, \"notnull\", pk from pragma_table_info('{name}')"
            ))
            .unwrap();
        let cols = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .unwrap();
        for col in cols {
            let (col, ty, notnull, pk_pos) = col.unwrap();
            // A primary key column is never null (SQLite's `integer primary key` says 0).
            t.columns
                .insert(col.clone(), (family(&ty), notnull == 1 || pk_pos > 0));
            if pk_pos > 0 {
                pk.push((pk_pos, col));
            }
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        let mut st = c
            .prepare(&format!(
                "select name, \"unique\", origin from pragma_index_list('{name}')"
            ))
            .unwrap();
        let idx: Vec<(String, i64, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (iname, unique, origin) in idx {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> = c
                .prepare(&format!(
                    "select name from pragma_index_info('{iname}') order by seqno"
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            if unique == 1 {
                t.unique.insert(cols);
            } else {
                t.indexes.insert(cols);
            }
        }
        let mut fks: BTreeMap<i64, (Vec<String>, String, Vec<String>)> = BTreeMap::new();
        let mut st = c
            .prepare(&format!(
                "select id, \"table\", \"from\", \"to\" from pragma_foreign_key_list('{name}') order by id, seq"
            ))
            .unwrap();
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (id, table, from, to) = row.unwrap();
            let e = fks.entry(id).or_insert_with(|| (vec![], table, vec![]));
            e.0.push(from);
            // `references t` without columns means t's primary key.
            e.2.push(to.unwrap_or_default());
        }
        out.insert(name.clone(), t);
        let t = out.get_mut(&name).unwrap();
        for (_, (from, table, to)) in fks {
            t.foreign_keys.insert((from, table, to));
        }
    }
    // Resolve `references t` (no columns) to t's primary key.
    let pks: BTreeMap<String, Vec<String>> = out
        .iter()
        .map(|(n, t)| (n.clone(), t.primary_key.clone()))
        .collect();
    for t in out.values_mut() {
        t.foreign_keys = std::mem::take(&mut t.foreign_keys)
            .into_iter()
            .map(|(from, table, to)| {
                let to = if to.iter().all(String::is_empty) {
                    pks.get(&table).cloned().unwrap_or(to)
                } else {
                    to
                };
                (from, table, to)
            })
            .collect();
    }
    out
}

fn pg_tables(address: &str) -> BTreeMap<String, Table> {
    let (url, schema) = etablera_store::testing::pg_server_and_schema(address);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut out: BTreeMap<String, Table> = BTreeMap::new();
    for r in c
        .query(
            "select table_name::text, column_name::text, data_type::text, is_nullable::text
             from information_schema.columns c
             where table_schema = $1
               and exists (select 1 from information_schema.tables t where t.table_schema = c.table_schema
                           and t.table_name = c.table_name and t.table_type = 'BASE TABLE')",
            &[&schema],
        )
        .unwrap()
    {
        let (table, col, ty, nullable): (String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        out.entry(table)
            .or_default()
            .columns
            .insert(col, (family(&ty), nullable == "NO"));
    }
    // Constraints: p(rimary), u(nique), f(oreign), with their columns in key order.
    for r in c
        .query(
            "select cl.relname::text, con.contype::text,
                    array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o)
                          join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o),
                    coalesce(fcl.relname::text, ''),
                    array(select a.attname::text from unnest(coalesce(con.confkey, '{}')) with ordinality k(n, o)
                          join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o)
             from pg_constraint con
             join pg_class cl on cl.oid = con.conrelid
             join pg_namespace ns on ns.oid = cl.relnamespace
             left join pg_class fcl on fcl.oid = con.confrelid
             where ns.nspname = $1 and con.contype in ('p', 'u', 'f')",
            &[&schema],
        )
        .unwrap()
    {
        let (table, kind, cols, ftable, fcols): (String, String, Vec<String>, String, Vec<String>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        let t = out.entry(table).or_default();
        match kind.as_str() {
            "p" => t.primary_key = cols,
            "u" => {
                t.unique.insert(cols);
            }
            _ => {
                t.foreign_keys.insert((cols, ftable, fcols));
            }
        }
    }
    // Indexes not backing a constraint.
    for r in c
        .query(
            "select tcl.relname::text, ix.indisunique,
                    array(select a.attname::text from unnest(ix.indkey::int2[]) with ordinality k(n, o)
                          join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.n order by k.o)
             from pg_index ix
             join pg_class icl on icl.oid = ix.indexrelid
             join pg_class tcl on tcl.oid = ix.indrelid
             join pg_namespace ns on ns.oid = tcl.relnamespace
             where ns.nspname = $1
               and not exists (select 1 from pg_constraint con where con.conindid = ix.indexrelid)",
            &[&schema],
        )
        .unwrap()
    {
        let (table, unique, cols): (String, bool, Vec<String>) = (r.get(0), r.get(1), r.get(2));
        let t = out.entry(table).or_default();
        if unique {
            t.unique.insert(cols);
        } else {
            t.indexes.insert(cols);
        }
    }
    out
}

#[test]
fn both_backends_have_the_same_schema() {
    let sqlite = testing::sqlite();
    let Some(pg) = testing::postgres() else {
        panic!(
            "the schema comparison needs PostgreSQL: set {} (scripts/test does)",
            testing::PG_ENV
        );
    };
    // `schema_migration` is each backend's own bookkeeping, made by the store's code before
    // any migration runs (its time column is each database's native type); every table the
    // migrations make is compared.
    let mut a = sqlite_tables(&sqlite.address);
    let mut b = pg_tables(&pg.address);
    a.remove("schema_migration");
    b.remove("schema_migration");
    let names_a: BTreeSet<&String> = a.keys().collect();
    let names_b: BTreeSet<&String> = b.keys().collect();
    assert_eq!(names_a, names_b, "the same tables");
    let mut differences = Vec::new();
    for (name, ta) in &a {
        let tb = &b[name];
        let cols_a: BTreeSet<&String> = ta.columns.keys().collect();
        let cols_b: BTreeSet<&String> = tb.columns.keys().collect();
        if cols_a != cols_b {
            differences.push(format!("{name}: columns {cols_a:?} / {cols_b:?}"));
            continue;
        }
        for (col, (fa, na)) in &ta.columns {
            let (fb, nb) = tb.columns[col];
            if !same_family(fa, fb) {
                differences.push(format!("{name}.{col}: type {fa} / {fb}"));
            }
            if *na != nb {
                differences.push(format!("{name}.{col}: not null {na} / {nb}"));
            }
        }
        for (what, x, y) in [
            (
                "primary key",
                format!("{:?}", ta.primary_key),
                format!("{:?}", tb.primary_key),
            ),
            (
                "unique",
                format!("{:?}", ta.unique),
                format!("{:?}", tb.unique),
            ),
            (
                "foreign keys",
                format!("{:?}", ta.foreign_keys),
                format!("{:?}", tb.foreign_keys),
            ),
            (
                "indexes",
                format!("{:?}", ta.indexes),
                format!("{:?}", tb.indexes),
            ),
        ] {
            if x != y {
                differences.push(format!("{name}: {what} {x} (SQLite) / {y} (PostgreSQL)"));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "the schemas differ:\n{}",
        differences.join("\n")
    );
    eprintln!("{} tables alike on both backends", a.len());
}

/// Each shipped migration's SHA-256: of its file (`shared/…`) and of the SQL it renders for
/// each database (`sqlite/…`, `postgres/…`). A migration that has shipped is never edited
/// (one was: `0002_accounts.sql` gained `api_token` after it shipped, which `0009` repairs);
/// add a new file instead, and its lines here. The files up to `0011` were first written
/// one per database; they became one file each with the lines of one dialect marked, and
/// the SQL each database runs kept the checksum it shipped with.
const SHIPPED: &[(&str, &str)] = &include!("migration_checksums.in");

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn shipped_migrations_are_never_edited() {
    use etablera_store::backend::{render_migration, Dialect, MIGRATIONS};
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let mut found = BTreeMap::new();
    let mut files = BTreeSet::new();
    for e in std::fs::read_dir(format!("{root}/shared")).unwrap() {
        let p = e.unwrap().path();
        let file = p.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&p).unwrap();
        found.insert(format!("shared/{file}"), sha256_hex(text.as_bytes()));
        for (dir, dialect) in [("sqlite", Dialect::Sqlite), ("postgres", Dialect::Postgres)] {
            let sql = render_migration(&text, dialect);
            found.insert(format!("{dir}/{file}"), sha256_hex(sql.as_bytes()));
        }
        files.insert(file);
    }
    assert_eq!(
        std::fs::read_dir(root).unwrap().count(),
        1,
        "migrations live in migrations/shared only"
    );
    for (name, sum) in SHIPPED {
        match found.get(*name) {
            None => panic!("shipped migration {name} is gone"),
            Some(s) if s != sum => panic!(
                "shipped migration {name} was edited (sha256 {s}, shipped {sum}); write a new migration instead"
            ),
            _ => {}
        }
    }
    let pinned: BTreeSet<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
    let unpinned: Vec<&String> = found
        .keys()
        .filter(|n| !pinned.contains(n.as_str()))
        .collect();
    assert!(
        unpinned.is_empty(),
        "migrations without a pinned checksum (add them to tests/migration_checksums.in): {unpinned:?}"
    );
    // Every file runs, in the order of its number, and nothing runs that is not a file.
    let listed: BTreeSet<String> = MIGRATIONS.iter().map(|(_, f, _)| f.to_string()).collect();
    assert_eq!(listed, files);
    for (i, (version, file, _)) in MIGRATIONS.iter().enumerate() {
        assert_eq!(*version, i as i64 + 1);
        assert!(file.starts_with(&format!("{version:04}_")), "{file}");
    }
}

/// A database migrated while `0002_accounts.sql` was still as first shipped (without
/// `api_token`) gets the table from `0009` and then works like any other.
/// `0002_accounts.sql` as it first shipped: the edit after shipping appended the
/// `api_token` table and nothing else, so the first version is the file up to that block.
fn first_shipped_0002() -> String {
    let now = render_migration_for_sqlite(include_str!("../migrations/shared/0002_accounts.sql"));
    let cut = now
        .find("\n-- tokens for machine clients")
        .expect("the appended block is still there");
    let (first, appended) = now.split_at(cut);
    // The appended part is exactly the one table (the edit 0009 repairs).
    assert!(appended.contains("create table api_token ("));
    assert_eq!(appended.matches("create table").count(), 1);
    assert!(appended.trim_end().ends_with(");"));
    first.to_string()
}

fn render_migration_for_sqlite(sql: &str) -> String {
    etablera_store::backend::render_migration(sql, etablera_store::backend::Dialect::Sqlite)
}

#[test]
fn a_database_from_before_the_edit_of_0002_is_repaired() {
    use etablera_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let path = path.to_str().unwrap();
    {
        let c = rusqlite::Connection::open(path).unwrap();
        c.execute_batch(
            "create table schema_migration (version integer primary key, applied_at text not null default current_timestamp)",
        )
        .unwrap();
        c.execute_batch(&render_migration_for_sqlite(include_str!(
            "../migrations/shared/0001_init.sql"
        )))
        .unwrap();
        c.execute_batch(&first_shipped_0002()).unwrap();
        c.execute_batch("insert into schema_migration (version) values (1), (2)")
            .unwrap();
        let has: i64 = c
            .query_row(
                "select count(*) from sqlite_master where name = 'api_token'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has, 0, "the first 0002 had no api_token");
    }
    let mut s = etablera_store::SqliteStore::open(path).unwrap();
    s.migrate().unwrap();
    let c = rusqlite::Connection::open(path).unwrap();
    let has: i64 = c
        .query_row(
            "select count(*) from sqlite_master where name = 'api_token'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(has, 1, "0009 created api_token");
    assert!(s.tokens(1).unwrap().is_empty());
}
