//! Finding 3 of the hardening issue, for text: hostile *shapes* of CSV, JSON and TOML
//! within the 20 MB upload limit — millions of empty fields on one line, one endless line,
//! millions of tiny JSON objects, thousands of distinct keys, nesting far deeper than any
//! real file — are refused with an error that names the place, quickly and without the
//! process growing by more than a bounded amount.

use etablera_app::table;
use etablera_domain::Units;
use etablera_ingest::{csv_long, strategy_file, Known};

#[path = "../../ingest/tests/support/memory.rs"]
mod memory;
use memory::peak_mib;

/// Runs `f` and checks the process grew by less than `mib` MiB while it ran.
fn bounded<T>(what: &str, mib: u64, f: impl FnOnce() -> T) -> T {
    let before = peak_mib();
    let out = f();
    let grew = peak_mib().saturating_sub(before);
    assert!(grew < mib, "{what}: grew {grew} MiB");
    out
}

const MB20: usize = 20 * 1024 * 1024 - 1024;

/// The error, or a panic that does not print the (huge) accepted value.
fn refused<T, E>(what: &str, r: Result<T, E>) -> E {
    match r {
        Ok(_) => panic!("{what}: accepted"),
        Err(e) => e,
    }
}

#[test]
fn a_line_of_twenty_million_empty_fields_is_refused() {
    let mut csv = "indikator;enhet;period;värde\n".as_bytes().to_vec();
    csv.resize(MB20, b';');
    let units = Units::sweden();
    let e = bounded("csv_long", 100, || {
        refused(
            "csv_long",
            csv_long::parse("brett.csv", &csv, &Known::units(&units)),
        )
    });
    assert!(e.to_string().starts_with("brett.csv, row 2"), "{e}");
    let e = bounded("table", 100, || {
        refused("table", table::rows("brett.csv", &csv))
    });
    assert!(e.to_string().contains("brett.csv, row 2"), "{e}");
}

#[test]
fn one_endless_line_is_refused() {
    let mut csv = b"namn;kon\n\"".to_vec();
    csv.resize(MB20, b'a');
    let e = bounded("table", 100, || {
        refused("table", table::rows("lang.csv", &csv))
    });
    assert!(e.to_string().contains("lang.csv, row 2"), "{e}");
    let units = Units::sweden();
    let e = bounded("csv_long", 100, || {
        refused(
            "csv_long",
            csv_long::parse("lang.csv", &csv, &Known::units(&units)),
        )
    });
    assert!(e.to_string().starts_with("lang.csv, row 2"), "{e}");
}

#[test]
fn millions_of_tiny_json_objects_are_refused() {
    let mut json = String::from("[");
    while json.len() < MB20 - 4 {
        json.push_str("{},");
    }
    json.push_str("{}]");
    let e = bounded("json rows", 150, || {
        refused("json", table::rows("många.json", json.as_bytes()))
    });
    assert!(e.to_string().contains("många.json"), "{e}");
}

#[test]
fn thousands_of_distinct_keys_are_refused_quickly() {
    let mut json = String::from("[{");
    let mut i = 0;
    while json.len() < 4 * 1024 * 1024 {
        json.push_str(&format!("\"k{i}\":1,"));
        i += 1;
    }
    json.push_str("\"sist\":1}]");
    let t = std::time::Instant::now();
    let e = refused("json", table::rows("nycklar.json", json.as_bytes()));
    assert!(e.to_string().contains("nycklar.json"), "{e}");
    // Not quadratic in the number of keys: this is a functional bound, not a benchmark.
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep_json = "[".repeat(1_000_000);
    let e = table::rows("djup.json", deep_json.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("djup.json"), "{e}");
    let units = Units::sweden();
    let e = etablera_ingest::kolada::parse_data(
        "djup.json",
        format!("{{\"values\":{deep_json}").as_bytes(),
        &Known::units(&units),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("djup.json"), "{e}");
    let deep_toml = format!("id = \"x\"\nkey = {}", "[".repeat(1_000_000));
    let e = strategy_file::load("djup.toml", &deep_toml, &units, None).unwrap_err();
    assert!(e.to_string().starts_with("djup.toml"), "{e}");
    let deep_inline = format!("id = \"x\"\nkey = {}", "{a=".repeat(200_000));
    let e = strategy_file::load("djup2.toml", &deep_inline, &units, None).unwrap_err();
    assert!(e.to_string().starts_with("djup2.toml"), "{e}");
}
