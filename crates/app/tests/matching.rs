//! Matching and allocation from files: the worked examples give sensible results, and bad
//! input (ragged rows, duplicate ids, NaN, negative numbers, unknown municipalities,
//! infeasible problems) is refused with the file, row, field or people named.

use etablera_app::matching as m;
use etablera_matching::apportion::{FactorWeights, Method};
use etablera_matching::score::HousingWeights;

fn example(name: &str) -> Vec<u8> {
    etablera_app::matching_demo::files()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap()
        .1
        .into_bytes()
}

fn housing(
    h: &str,
    d: &str,
    caps: Option<&str>,
    penalty: Option<f64>,
) -> etablera_app::Result<m::MatchReport> {
    m::match_housing(
        ("hushall.csv", h.as_bytes()),
        ("bostader.csv", d.as_bytes()),
        caps.map(|c| ("tak.csv", c.as_bytes())),
        penalty,
        &HousingWeights::default(),
    )
}

#[test]
fn housing_example_respects_caps_and_explains() {
    let h = String::from_utf8(example("hushall.csv")).unwrap();
    let d = String::from_utf8(example("bostader.csv")).unwrap();
    let c = String::from_utf8(example("tak.csv")).unwrap();
    let r = housing(&h, &d, Some(&c), Some(1000.0)).unwrap();
    assert_eq!(r.proposals.len(), 100);
    assert!(r.placed >= 85, "{}", r.placed);
    for (g, used, cap) in &r.caps {
        assert!(used <= cap, "{g}: {used} > {cap}");
    }
    assert!(
        r.caps.iter().any(|(_, u, c)| u == c),
        "a cap binds in the example"
    );
    for p in &r.proposals {
        match &p.to {
            Some(_) => assert!(
                p.parts.contains("rum +") && p.why_unassigned.is_none(),
                "{p:?}"
            ),
            None => assert!(
                p.why_unassigned.as_ref().is_some_and(|w| !w.is_empty()),
                "{p:?}"
            ),
        }
    }
    // Without caps at least as many are housed and the total score is at least as high.
    let free = housing(&h, &d, None, Some(1000.0)).unwrap();
    assert!(free.placed >= r.placed && free.total_score >= r.total_score - 1e-6);
}

#[test]
fn housing_refuses_bad_input_naming_the_place() {
    let h = "id;storlek;hyresbudget\nA;3;9000\nB;2;8000\n";
    let d = "id;omrade;rum;hyra;lat;lon\nX;Lugnvik;3;8000;63.19;14.67\n";
    // A household with no acceptable dwelling when everyone must be housed.
    let e = housing(h, d, None, None).unwrap_err().to_string();
    assert!(e.contains("`B`") || e.contains("`A`"), "{e}");
    // (households, dwellings, caps, the whole error)
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        (
            "id;storlek;hyresbudget\nA;3;9000\nB;x;8000\n",
            d,
            None,
            "hushall.csv, row 3, field `storlek`: `x` is not a number",
        ),
        (
            "id;storlek;hyresbudget\nA;3;9000\nB;2\n",
            d,
            None,
            "hushall.csv, row 3: has 2 fields, the header has 3",
        ),
        (
            "id;storlek;hyresbudget\nA;3;9000\nA;2;8000\n",
            d,
            None,
            "hushall.csv, row 3, field `id`: `A` is also on row 2",
        ),
        (
            h,
            "id;omrade;rum;hyra;lat;lon\nX;Lugnvik;3;NaN;63.19;14.67\n",
            None,
            "bostader.csv, row 2, field `hyra`: `NaN` is not a finite number",
        ),
        (
            h,
            "id;omrade;rum;hyra;lat;lon\nX;Lugnvik;3;-5;63.19;14.67\n",
            None,
            "bostader.csv, row 2, field `hyra`: `-5` is negative",
        ),
        (
            h,
            d,
            Some("grupp;tak;inom\nLugnvik;2;Ingenstans\n"),
            "tak.csv, row 2, field `inom`: no group `Ingenstans` in the file",
        ),
    ];
    for (households, dwellings, caps, error) in cases {
        let e = housing(households, dwellings, *caps, Some(1.0))
            .unwrap_err()
            .to_string();
        assert_eq!(&e, error);
    }
    let e = housing("id;storlek;budget\n", d, None, Some(1.0))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("hushall.csv, row 1: unknown column `budget`"),
        "{e}"
    );
}

#[test]
fn quotas_example_and_bad_input() {
    let q = |body: &[u8], total: u32, method: Method| {
        m::quotas(
            ("forvaltningar.csv", body),
            total,
            method,
            0.08,
            FactorWeights::default(),
        )
    };
    let r = q(
        &example("forvaltningar.csv"),
        100,
        Method::sainte_lague_swedish(),
    )
    .unwrap();
    assert_eq!(r.result.places.iter().sum::<u32>(), 100);
    assert!(r.result.places.iter().all(|&p| p >= 2), "minimum 2 each");
    let text = r.to_text();
    assert!(
        text.contains("första divisor 1,2") && text.contains("jämförelsetal"),
        "{text}"
    );
    let lr = q(&example("forvaltningar.csv"), 100, Method::LargestRemainder).unwrap();
    assert!(lr.to_text().contains("rest"));
    let e = q(
        b"forvaltning;vikt;min\nA;1;60\nB;1;50\n",
        100,
        Method::DHondt,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("the minimums add up to 110, more than the 100 places"),
        "{e}"
    );
    let e = q(
        b"forvaltning;anstallda;utomnordiskt_fodda\nA;10;12\n",
        10,
        Method::DHondt,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "forvaltningar.csv, row 2, field `utomnordiskt_fodda`: 12 is more than the 10 employees"
    );
    let e = q(b"forvaltning;vikt\nA;inf\n", 10, Method::DHondt)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "forvaltningar.csv, row 2, field `vikt`: `inf` is not a finite number"
    );
}

#[test]
fn placement_example_beats_the_baselines_and_bad_input_is_named() {
    let r = m::place_people(
        ("personer.csv", &example("personer.csv")),
        ("kommuntal.csv", &example("kommuntal.csv")),
        None,
        Some(("tidigare_utfall.csv", &example("tidigare_utfall.csv"))),
        None,
    )
    .unwrap();
    assert_eq!((r.units, r.municipalities.len()), (8000, 290));
    let x = &r.result;
    assert!(x.expected <= x.bound + 1e-6);
    assert!(x.expected > x.baseline_random && x.expected > x.baseline_arrival);
    for (_, _, cap, placed, _) in &r.municipalities {
        assert!(placed <= cap);
    }
    let people = b"id;storlek\nA;1\nB;2\n";
    let caps = "kommun;platser\nÖstersund;2\nKrokom;1\n".as_bytes();
    let probs =
        "id;kommun;sannolikhet\nA;Östersund;0,5\nA;Krokom;0,4\nB;Östersund;0,6\nB;2309;0,3\n";
    let run = |p: &[u8], c: &[u8], pr: &str| {
        m::place_people(
            ("personer.csv", p),
            ("kommuntal.csv", c),
            Some(("sannolikheter.csv", pr.as_bytes())),
            None,
            None,
        )
    };
    let ok = run(people, caps, probs).unwrap();
    assert_eq!(
        ok.assignments[1].2.as_deref(),
        Some("Östersund"),
        "the family of two stays together"
    );
    let e = run(people, b"kommun;platser\nAnkeborg;2\n", probs)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "kommuntal.csv, row 2, field `kommun`: unknown municipality `Ankeborg`"
    );
    let e = run(
        people,
        "kommun;platser\nÖstersund;1\nKrokom;1\n".as_bytes(),
        probs,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("3 people but only 2 places"), "{e}");
    let e = run(people, caps, &probs.replace("0,3", "1,3"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "sannolikheter.csv, row 5, field `sannolikhet`: `1,3` is above 1 (100 %)"
    );
    let e = run(people, caps, "id;kommun;sannolikhet\nA;Östersund;0,5\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no probability for `A` in Krokom"), "{e}");
    let e = run(b"id;storlek\nA;1\nB;0\n", caps, probs)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "personer.csv, row 3, field `storlek`: at least 1");
}

#[test]
fn internships_example_and_bad_input() {
    let r = m::match_internships(
        ("praktikanter.csv", &example("praktikanter.csv")),
        ("praktikplatser.csv", &example("praktikplatser.csv")),
        None,
        Some(1000.0),
    )
    .unwrap();
    assert_eq!(r.proposals.len(), 60);
    assert!(r.placed > 20, "{}", r.placed);
    for p in &r.proposals {
        assert!(p.to.is_some() == p.why_unassigned.is_none(), "{p:?}");
        if p.to.is_some() {
            assert!(p.parts.contains("ssyk"), "{p:?}");
        }
    }
    let places: &[u8] = b"id;ssyk;platser\nP;5321;1\n";
    for (interns, error) in [
        (
            &b"id;svenska;ssyk\nA;2;53x1\n"[..],
            "praktikanter.csv, row 2, field `ssyk`: `53x1` is not an SSYK code (1–4 digits)",
        ),
        (
            &b"id;svenska\nA;9\n"[..],
            "praktikanter.csv, row 2, field `svenska`: `9` is above 5",
        ),
    ] {
        let e = m::match_internships(
            ("praktikanter.csv", interns),
            ("praktikplatser.csv", places),
            None,
            Some(1.0),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, error);
    }
    // Must place two people in one place: refused, naming them.
    let e = m::match_internships(
        ("praktikanter.csv", b"id;svenska\nA;2\nB;2\n"),
        ("praktikplatser.csv", b"id;ssyk;platser\nP;5321;1\n"),
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("cannot be placed") && (e.contains("`A`") || e.contains("`B`")),
        "{e}"
    );
}

#[test]
fn stable_and_pairs_from_files() {
    let r = m::match_stable(
        (
            "familjer.csv",
            "id;preferenser\nA;X, Y\nB;X\nC;Y, X\n".as_bytes(),
        ),
        (
            "hyresvardar.csv",
            "id;platser;preferenser\nX;1;B, A, C\nY;1;A, C\n".as_bytes(),
        ),
    )
    .unwrap();
    let to: Vec<Option<&str>> = r.proposals.iter().map(|p| p.to.as_deref()).collect();
    assert_eq!(to, vec![Some("Y"), Some("X"), None]);
    assert!(r.title.contains("gynnar den sida som föreslår"));
    let e = m::match_stable(
        ("familjer.csv", "id;preferenser\nA;X, Z\n".as_bytes()),
        (
            "hyresvardar.csv",
            "id;platser;preferenser\nX;1;A\n".as_bytes(),
        ),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "familjer.csv, row 2, field `preferenser`: `Z` is not in hyresvardar.csv"
    );
    let pairs = "rad;kolumn;kostnad\nAmina;Mentor 1;3\nAmina;Mentor 2;1\nYonas;Mentor 2;2\n";
    let r = m::match_pairs(("par.csv", pairs.as_bytes()), None).unwrap();
    assert_eq!(r.total_score, 5.0);
    let e = m::match_pairs(
        ("par.csv", "rad;kolumn;kostnad\nA;M;1\nB;M;1\n".as_bytes()),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("`A`") && e.contains("`B`") && e.contains("`M`"),
        "{e}"
    );
    let e = m::match_pairs(
        ("par.csv", "rad;kolumn;kostnad\nA;M;1\nA;M;2\n".as_bytes()),
        None,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "par.csv, row 3, field `kolumn`: the pair `A` – `M` is also on row 2"
    );
}

#[test]
fn later_arrivals_are_placed_online_with_the_batch_prices() {
    let people = "id;storlek;grupp\nA;1;g\nB;1;h\n";
    let caps = "kommun;platser\nÖstersund;2\nKrokom;2\n";
    let mut past = String::from("kommun;grupp;sysselsatt\n");
    for i in 0..50 {
        past.push_str(&format!(
            "Östersund;g;{}\nKrokom;g;{}\nÖstersund;h;{}\nKrokom;h;{}\n",
            if i < 40 { "ja" } else { "nej" },
            if i < 10 { "ja" } else { "nej" },
            if i < 25 { "ja" } else { "nej" },
            if i < 30 { "ja" } else { "nej" }
        ));
    }
    let later = "id;storlek;grupp\nC;1;g\nD;1;h\nE;1;g\n";
    let r = m::place_people(
        ("personer.csv", people.as_bytes()),
        ("kommuntal.csv", caps.as_bytes()),
        None,
        Some(("utfall.csv", past.as_bytes())),
        Some(("senare.csv", later.as_bytes())),
    )
    .unwrap();
    let o = r.online.as_ref().unwrap();
    // Two places are left after the batch: two of the three later arrivals get one.
    assert_eq!(o.assignments.iter().filter(|a| a.2.is_some()).count(), 2);
    assert!(o.hindsight.is_none() || o.expected <= o.hindsight.unwrap() + 1e-9);
    assert!(r.to_text(5).contains("Senare ankomna"));
    let e = m::place_people(
        ("personer.csv", people.as_bytes()),
        ("kommuntal.csv", caps.as_bytes()),
        None,
        Some(("utfall.csv", past.as_bytes())),
        Some(("senare.csv", "id\nA\n".as_bytes())),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(e, "senare.csv: `A` is also in personer.csv");
}

#[test]
fn tables_may_be_json() {
    let h = r#"[{"id": "A", "storlek": 3, "hyresbudget": 9000, "tillganglig": false},
               {"id": "B", "storlek": 1, "hyresbudget": 6000}]"#;
    let d = r#"[{"id": "X", "omrade": "Lugnvik", "rum": 3, "hyra": 8000, "lat": 63.19, "lon": 14.67},
               {"id": "Y", "omrade": "Valla", "rum": 1, "hyra": 5000, "lat": 63.17, "lon": 14.66}]"#;
    let r = housing(h, d, None, None).unwrap();
    let to: Vec<Option<&str>> = r.proposals.iter().map(|p| p.to.as_deref()).collect();
    assert_eq!(to, vec![Some("X (Lugnvik)"), Some("Y (Valla)")]);
    let e = housing(
        r#"[{"id": "A", "storlek": "tre", "hyresbudget": 1}]"#,
        d,
        None,
        Some(1.0),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "hushall.csv, row 2, field `storlek`: `tre` is not a number"
    );
    let e = housing("[1, 2]", d, None, Some(1.0))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "hushall.csv, row 2: not a JSON object");
    let e = housing("[{\"id\": ", d, None, Some(1.0))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("hushall.csv, line 1, column"), "{e}");
    let s = m::match_stable(
        (
            "familjer.json",
            r#"[{"id": "A", "preferenser": ["X"]}]"#.as_bytes(),
        ),
        (
            "hyresvardar.json",
            r#"[{"id": "X", "platser": 1, "preferenser": ["A"]}]"#.as_bytes(),
        ),
    )
    .unwrap();
    assert_eq!(s.proposals[0].to.as_deref(), Some("X"));
}
