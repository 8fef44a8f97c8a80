//! Imports end to end through the library the binary calls, on every backend: good files
//! import once, bad files fail with an error that names the place and change nothing.

use etablera_store::testing;

fn data(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The v2 file rewritten in the v3 shape: no count, `next_url` instead of `next_page`.
fn as_v3(v2: &[u8]) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(v2).unwrap();
    let o = doc.as_object_mut().unwrap();
    o.remove("count");
    o.remove("next_page");
    o.insert("next_url".into(), serde_json::Value::Null);
    serde_json::to_vec(&doc).unwrap()
}

#[test]
fn imports_on_every_backend() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let kpi = data("kolada/kpi.json");
        let r = imported(s, "kpi.json", &kpi);
        assert_eq!(
            r,
            etablera_app::ImportReport::Indicators {
                read: 5604,
                changed: 0
            },
            "{b}: init already loaded the catalogue"
        );
        let after_kpi = s.counts().unwrap();
        imported(s, "kpi.json", &kpi);
        assert_eq!(s.counts().unwrap(), after_kpi, "{b}");
        // The curated direction survives a re-import of Kolada's catalogue.
        let dir = s
            .indicators()
            .unwrap()
            .into_iter()
            .find(|i| i.id.as_str() == "N00973")
            .unwrap()
            .direction;
        assert_eq!(dir, etablera_domain::Direction::HigherIsBetter, "{b}");

        let v2 = data("kolada/data-N00945-v2.json");
        let r = imported(s, "data-N00945-v2.json", &v2);
        assert!(r.to_string().starts_with("imported batch"), "{b}: {r}");
        let once = s.counts().unwrap();
        assert_eq!(once.observations, 75, "{b}");
        let r = imported(s, "data-N00945-v2.json", &v2);
        assert!(r.to_string().contains("already imported"), "{b}: {r}");
        let r = imported(s, "data-N00945-v3.json", &as_v3(&v2));
        assert!(
            r.to_string().contains("all 75 values were already stored"),
            "{b}: {r}"
        );
        assert_eq!(
            s.counts().unwrap(),
            once,
            "{b}: twice, and in the v3 shape, the same rows"
        );

        // Bad inputs: each names its place and leaves the database as it was.
        let truncated = &v2[..v2.len() / 2];
        let e = refused(s, "truncated.json", truncated);
        assert!(
            e.starts_with("truncated.json, line ")
                && e.contains("column")
                && e.contains("truncated"),
            "{b}: {e}"
        );
        assert_eq!(s.counts().unwrap(), once, "{b}");

        let csv =
            b"indicator,unit,period,sex,value\nN00973,2380,2019,T,54.0\nN00973,2380,2020,T,5x.1\n";
        let e = refused(s, "bad.csv", csv);
        assert_eq!(
            e, "bad.csv, row 3, field `value`: `5x.1` is not a number",
            "{b}"
        );
        assert_eq!(s.counts().unwrap(), once, "{b}");

        let book = etablera_ingest::xlsx_wide::write(&[
            vec!["Kommun", "Indikator", "Kön", "2018", "2019"],
            vec!["Östersund", "N00973", "T", "45.5", "48.0"],
            vec!["Ankeborg", "N00973", "T", "40", "41"],
        ]);
        let e = refused(s, "bad.xlsx", &book);
        assert_eq!(e, "bad.xlsx, sheet `Blad1`, row 3, column A, field `Kommun`: unknown municipality `Ankeborg`", "{b}");
        assert_eq!(s.counts().unwrap(), once, "{b}");

        let bad_ind = b"indicator,unit,period,value\nN99999,2380,2019,1\n";
        let e = refused(s, "ind.csv", bad_ind);
        assert!(
            e.starts_with("ind.csv, row 2, field `indicator`: unknown indicator `N99999`"),
            "{b}: {e}"
        );
        assert_eq!(s.counts().unwrap(), once, "{b}");

        // A good xlsx and a good CSV import.
        let good = etablera_ingest::xlsx_wide::write(&[
            vec!["Kommun", "Indikator", "Kön", "2018", "2019"],
            vec!["2380", "N00973", "K", "41,5", ".."],
        ]);
        let r = imported(s, "good.xlsx", &good);
        assert!(
            r.to_string().contains("2 values read, 2 new or changed"),
            "{b}: {r}"
        );
        let r = imported(
            s,
            "good.csv",
            "indicator;unit;period;sex;value\nN00973;Östersund;2019Q1;T;54\n".as_bytes(),
        );
        assert!(r.to_string().contains("1 new or changed"), "{b}: {r}");
    }
}

#[test]
fn strategies_load_and_follow_up_on_every_backend() {
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        for (name, src) in etablera_app::demo::STRATEGIES {
            etablera_app::load_strategy_str(s, name, src)
                .unwrap_or_else(|e| panic!("{b}: {name}: {e}"));
        }
        let before = s.counts().unwrap();
        let bad = etablera_app::demo::STRATEGIES[0]
            .1
            .replace("goal = \"m2-d8\"", "goal = \"m9\"");
        let e = etablera_app::load_strategy_str(s, "bad.toml", &bad)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad.toml, line ") && e.contains("names goal `m9`"),
            "{b}: {e}"
        );
        assert_eq!(s.counts().unwrap(), before, "{b}");
        let exported = etablera_ingest::strategy_file::export(
            &etablera_app::get_strategy(s, "ostersund-2020").unwrap(),
        )
        .unwrap();
        let again = etablera_app::load_strategy_str(s, "exported.toml", &exported).unwrap();
        assert_eq!(
            again,
            etablera_app::get_strategy(s, "ostersund-2020").unwrap(),
            "{b}"
        );
        let run = etablera_app::run_followup(s, "ostersund-2020", 2018, None, None).unwrap();
        assert_eq!(run.followup.results.len(), 10, "{b}");
        assert!(
            run.followup
                .results
                .iter()
                .all(|r| r.status == etablera_followup::Status::NoData),
            "{b}: no data yet"
        );
    }
}

#[test]
fn imports_from_a_kolada_server_on_every_backend() {
    // The real v2 file split in two pages, served locally.
    let v2: serde_json::Value =
        serde_json::from_slice(&data("kolada/data-N00945-v2.json")).unwrap();
    let values = v2["values"].as_array().unwrap();
    let (a, b) = values.split_at(40);
    let page1 =
        serde_json::json!({"count": 75, "values": a, "next_page": "{base}/v2/page2"}).to_string();
    let page2 = serde_json::json!({"count": 75, "values": b, "next_page": null}).to_string();
    let base = etablera_ingest::http::mock::serve(vec![
        ("/v2/data/kpi/N00945".into(), page1),
        ("/v2/page2".into(), page2),
    ]);
    for mut t in testing::all() {
        let b = t.backend;
        let s = t.store.as_mut();
        etablera_app::init(s).unwrap();
        let url = format!("{base}/v2/data/kpi/N00945");
        let r = etablera_app::import_url(s, &url, &mut |_, _| {}).unwrap();
        assert!(
            r.to_string().contains("75 values read, 75 new or changed"),
            "{b}: {r}"
        );
        let r = etablera_app::import_url(s, &url, &mut |_, _| {}).unwrap();
        assert!(r.to_string().contains("already imported"), "{b}: {r}");
        assert_eq!(s.counts().unwrap().observations, 75, "{b}");
    }
}

/// Imports `bytes` as the operator.
fn import(
    s: &mut dyn etablera_store::Store,
    name: &str,
    bytes: &[u8],
) -> etablera_app::Result<etablera_app::ImportReport> {
    let system = etablera_domain::access::Principal::system();
    etablera_app::import_bytes(s, &system, name, bytes, None, &mut |_| {})
}

/// The error of importing `bytes`: the import must be refused.
fn refused(s: &mut dyn etablera_store::Store, name: &str, bytes: &[u8]) -> String {
    import(s, name, bytes).unwrap_err().to_string()
}

/// The report of importing `bytes`: the import must succeed.
fn imported(
    s: &mut dyn etablera_store::Store,
    name: &str,
    bytes: &[u8],
) -> etablera_app::ImportReport {
    import(s, name, bytes).unwrap()
}
