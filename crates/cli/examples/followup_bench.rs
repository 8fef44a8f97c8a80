//! Benchmark: follow up all 290 municipalities against a 30-target strategy over 20 years.
//!
//! Reads `unit,indicator,year,value` CSV (written by `scripts/bench`), builds a strategy of
//! 30 threshold targets (indicators I01..I30, at least 50 in 2025, baseline 2015), runs the
//! engine for every municipality and prints the time of the computation in milliseconds
//! (best of 5) and a checksum of the statuses, so the DuckDB peer can be compared.

use etablera_domain::*;
use etablera_followup::{follow_up, Dataset, Options, Status};
use std::collections::HashMap;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: followup_bench DATA.csv");
    let text = std::fs::read_to_string(&path).expect("read the data");
    let mut data = Dataset::new();
    let mut units = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let unit = UnitCode::parse(f[0]).unwrap();
        if units.last() != Some(&unit) && !units.contains(&unit) {
            units.push(unit.clone());
        }
        let ind = IndicatorId::parse(f[1]).unwrap();
        let v: f64 = f[3].parse().unwrap();
        data.insert_value(
            &ind,
            &unit,
            Sex::Total,
            Period::Year(f[2].parse().unwrap()),
            Some(v),
        );
    }
    let mut indicators = HashMap::new();
    let targets: Vec<Target> = (1..=30)
        .map(|i| {
            let id = IndicatorId::parse(&format!("I{i:02}")).unwrap();
            indicators.insert(
                id.clone(),
                Indicator {
                    id: id.clone(),
                    title: format!("Indikator {i}"),
                    unit: MeasureUnit::Percent,
                    direction: Direction::HigherIsBetter,
                    source: IndicatorSource::Kolada,
                    divided_by_sex: false,
                    description: String::new(),
                    area: None,
                },
            );
            Target {
                id: format!("t{i:02}"),
                goal: "g".into(),
                text: String::new(),
                series: SeriesRef::new(id, None, Sex::Total),
                kind: TargetKind::Threshold {
                    bound: Bound::AtLeast,
                    value: 50.0,
                },
                baseline_year: Some(2015),
                target_year: 2025,
                note: None,
            }
        })
        .collect();
    let strategy = Strategy {
        goals: vec![Goal::new(
            "g",
            "g",
            etablera_domain::strategy::GoalKind::LongTerm,
        )],
        targets,
        ..Strategy::new(
            "bench",
            UnitCode::parse("0114").unwrap(),
            "Bench",
            2015,
            2025,
        )
    };
    // Without explanations (statuses and values only, as the SQL peer computes), then with
    // the explanations and chart series a report needs.
    let run = |detail: bool| {
        let mut best = f64::MAX;
        let mut checksum = [0usize; 5];
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let mut counts = [0usize; 5];
            for u in &units {
                let o = Options {
                    unit: Some(u.clone()),
                    detail,
                    ..Options::for_year(2024)
                };
                let f = follow_up(&strategy, &indicators, &data, &o);
                for r in &f.results {
                    counts[Status::ALL.iter().position(|s| *s == r.status).unwrap()] += 1;
                }
            }
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
            checksum = counts;
        }
        (best, checksum)
    };
    let (lean, checksum) = run(false);
    let (full, checksum_full) = run(true);
    assert_eq!(checksum, checksum_full, "detail must not change a status");
    let counts: Vec<String> = checksum.iter().map(|c| c.to_string()).collect();
    println!("{lean:.2} {full:.2} {} {}", units.len(), counts.join(","));
}
