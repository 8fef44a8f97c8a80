//! A Kolada API v3 data response as the API documents it (`/v3/data/kpi/{id}/municipality/
//! {ids}`): `{"values": [{"kpi", "municipality" | "ou", "period", "values": [{"gender",
//! "value", "status", "count", "isdeleted"}]}], "next_url"}`. Real responses carry status
//! texts a reader may not know yet; none may make the file be refused.

use etablera_domain::{ObsStatus, Sex, Units};
use etablera_ingest::{kolada, Known};

const V3: &str = r#"{
  "values": [
    {"kpi": "N00973", "municipality": "2380", "period": 2023,
     "values": [
       {"gender": "T", "value": 47.7, "status": "", "count": 1, "isdeleted": false},
       {"gender": "K", "value": null, "status": "Not applicable", "count": 0, "isdeleted": false},
       {"gender": "M", "value": 51.2, "status": "Revised later", "count": 1, "isdeleted": false}
     ]},
    {"kpi": "N00973", "municipality": "1864", "period": 2023,
     "values": [
       {"gender": "T", "value": 12.0, "status": "", "count": 1, "isdeleted": true},
       {"gender": "K", "value": null, "status": "Confidential", "count": 0, "isdeleted": false},
       {"gender": "M", "value": 3.0, "status": "Revised later", "count": 1, "isdeleted": false}
     ]},
    {"kpi": "N00973", "ou": "V15E238000101", "period": 2023,
     "values": [{"gender": "T", "value": 80.0, "status": "", "count": 1, "isdeleted": false}]},
    {"kpi": "N00973", "municipality": "0000", "period": "2023",
     "values": [{"gender": "T", "value": 55.1, "status": "Preliminary", "count": 1}]}
  ],
  "next_url": "https://api.kolada.se/v3/data/kpi/N00973/year/2023?page=2&per_page=5000"
}"#;

#[test]
fn unknown_statuses_isdeleted_and_ou_rows_import_with_warnings() {
    let units = Units::sweden();
    let page = kolada::parse_data("v3.json", V3.as_bytes(), &Known::units(&units)).unwrap();
    let find = |unit: &str, sex: Sex| {
        page.observations
            .iter()
            .find(|o| o.unit.as_str() == unit && o.sex == sex)
            .unwrap_or_else(|| panic!("{unit} {sex:?}"))
    };
    assert_eq!(page.observations.len(), 7, "the ou row is skipped");
    assert_eq!(find("2380", Sex::Total).value(), Some(47.7));
    assert_eq!(find("2380", Sex::Women).status(), ObsStatus::NotApplicable);
    let flagged = find("2380", Sex::Men);
    assert_eq!(
        (flagged.value(), flagged.status()),
        (Some(51.2), ObsStatus::Flagged)
    );
    let retracted = find("1864", Sex::Total);
    assert_eq!(
        (retracted.value(), retracted.status()),
        (None, ObsStatus::Missing)
    );
    assert_eq!(find("1864", Sex::Women).status(), ObsStatus::Suppressed);
    assert_eq!(find("0000", Sex::Total).status(), ObsStatus::Preliminary);
    assert_eq!(
        page.next.as_deref(),
        Some("https://api.kolada.se/v3/data/kpi/N00973/year/2023?page=2&per_page=5000")
    );
    let w = page
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        w.contains("2 values have the status `Revised later`"),
        "{w}"
    );
    assert!(
        w.contains("values[0].values[2].status"),
        "names the first place: {w}"
    );
    assert!(w.contains("1 rows of organisational units"), "{w}");
    assert!(w.contains("1 values marked `isdeleted`"), "{w}");
}

#[test]
fn deeply_nested_and_truncated_json_is_an_error_not_a_crash() {
    let units = Units::sweden();
    let deep = format!(
        "{{\"values\": {}{}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = kolada::parse_data("deep.json", deep.as_bytes(), &Known::units(&units)).unwrap_err();
    assert!(e.to_string().starts_with("deep.json"), "{e}");
    let e =
        kolada::parse_data("cut.json", &V3.as_bytes()[..300], &Known::units(&units)).unwrap_err();
    assert!(e.to_string().starts_with("cut.json"), "{e}");
}
