//! Finding 14 of the hardening issue: `--as-of` reproduced the data as it stood on a date but
//! judged it against the target as edited later. A follow-up as of a date must use the
//! strategy as it stood then: every saved strategy is kept as a version.

use std::process::Command;
use std::time::Duration;

fn etablera(db: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["--database", db])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The target value the follow-up's JSON gives for the target `id`.
fn target_value(json: &str, id: &str) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let targets = v["results"].as_array().expect("results in the follow-up");
    let t = targets
        .iter()
        .find(|t| t["target_id"] == id)
        .unwrap_or_else(|| panic!("no target {id}"));
    t["target_value"].as_f64()
}

/// Seconds-precision UTC time now, in the form `--as-of` accepts.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn a_follow_up_as_of_a_date_judges_against_the_strategy_as_it_stood_then() {
    let original = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/strategies/ostersund-2020.toml"
    ))
    .unwrap();
    let edited = original.replacen(
        "series = { indicator = \"N00973\" }\nkind = \"threshold\"\nbound = \"at_least\"\nvalue = 50.0",
        "series = { indicator = \"N00973\" }\nkind = \"threshold\"\nbound = \"at_least\"\nvalue = 40.0",
        1,
    );
    assert_ne!(
        original, edited,
        "the edit must change the target m2-arbete-studier"
    );
    for t in etablera_store::testing::all() {
        let b = t.backend;
        let db = t.address.clone();
        let dir = tempfile::tempdir().unwrap();
        let (v1, v2, csv) = (
            dir.path().join("v1.toml"),
            dir.path().join("v2.toml"),
            dir.path().join("figures.csv"),
        );
        std::fs::write(&v1, &original).unwrap();
        std::fs::write(&v2, &edited).unwrap();
        std::fs::write(
            &csv,
            "indicator,unit,period,sex,value\nN00973,2380,2020,T,47.0\n",
        )
        .unwrap();
        let (ok, _, err) = etablera(&db, &["init"]);
        assert!(ok, "{b}: {err}");
        let (ok, _, err) = etablera(&db, &["import", csv.to_str().unwrap()]);
        assert!(ok, "{b}: {err}");
        let (ok, _, err) = etablera(&db, &["strategy", "load", v1.to_str().unwrap()]);
        assert!(ok, "{b}: {err}");
        std::thread::sleep(Duration::from_millis(1100));
        let then = utc_now();
        std::thread::sleep(Duration::from_millis(1100));
        let (ok, _, err) = etablera(&db, &["strategy", "load", v2.to_str().unwrap()]);
        assert!(ok, "{b}: {err}");

        // `etablera followup ostersund-2020 --year 2020 --json`, and what follows.
        let follow_up = |more: &[&str]| {
            let mut args = vec!["followup", "ostersund-2020", "--year", "2020", "--json"];
            args.extend_from_slice(more);
            etablera(&db, &args)
        };
        let (ok, now_json, err) = follow_up(&[]);
        assert!(ok, "{b}: {err}");
        assert_eq!(
            target_value(&now_json, "m2-arbete-studier"),
            Some(40.0),
            "{b}: today's follow-up uses today's target"
        );
        let (ok, then_json, err) = follow_up(&["--as-of", &then]);
        assert!(ok, "{b}: {err}");
        assert_eq!(
            target_value(&then_json, "m2-arbete-studier"),
            Some(50.0),
            "{b}: as of {then}, the target was still 50 %"
        );

        // The report says which version of the strategy it judges against.
        let out = dir.path().join("r.md");
        let (ok, _, err) = etablera(
            &db,
            &[
                "report",
                "ostersund-2020",
                "--year",
                "2020",
                "--format",
                "md",
                "--as-of",
                &then,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(ok, "{b}: {err}");
        let md = std::fs::read_to_string(&out).unwrap();
        assert!(
            md.contains("strategin som den var sparad"),
            "{b}: the report names the strategy's version: {md}"
        );

        // Before the strategy was first saved, the follow-up says so and uses the first version.
        let (ok, early, err) = follow_up(&["--as-of", "2001-01-01"]);
        assert!(ok, "{b}: {err}");
        assert_eq!(target_value(&early, "m2-arbete-studier"), Some(50.0), "{b}");

        // A date that is no date is refused with a Swedish message naming the option.
        let (ok, _, err) = follow_up(&["--as-of", "igår"]);
        assert!(!ok, "{b}: `igår` is not a date");
        assert!(err.contains("--as-of"), "{b}: {err}");
    }
}
