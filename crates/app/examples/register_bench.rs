//! Benchmark of the register's figures: `gen FILE N` writes N generated persons as the flat
//! facts the figures need (CSV, shared with DuckDB); `run FILE` computes every register
//! indicator for them, best of 5, and prints `ms cells suppressed sum_n sum_numerators`.

use etablera_app::register_demo::caseload;
use etablera_domain::{Date, UnitCode};
use etablera_register::stats::{compute, Facts};
use etablera_register::OutcomeStatus;
use std::io::{BufRead, Write};

fn opt(x: Option<i32>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let as_of = Date::new(2026, 6, 30).unwrap();
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let n: usize = args[3].parse().unwrap();
            let mut w = std::io::BufWriter::new(std::fs::File::create(&args[2]).unwrap());
            writeln!(
                w,
                "woman,received,left_on,status90,moved_out,first_intervention,sfi_start,sfi_passed"
            )
            .unwrap();
            let unit = UnitCode::parse("2380").unwrap();
            let mut done = 0;
            let mut seed = 1;
            while done < n {
                let k = (n - done).min(50_000);
                for c in caseload(&unit, k, seed, 2015, as_of) {
                    let f = Facts::of(&c.person);
                    writeln!(
                        w,
                        "{},{},{},{},{},{},{},{}",
                        f.woman as u8,
                        opt(f.received),
                        opt(f.left),
                        f.status90.map(|s| s.code()).unwrap_or(""),
                        opt(f.moved_out),
                        opt(f.first_intervention),
                        opt(f.sfi_start),
                        opt(f.sfi_passed)
                    )
                    .unwrap();
                }
                done += k;
                seed += 1;
            }
        }
        Some("run") => {
            let file = std::io::BufReader::new(std::fs::File::open(&args[2]).unwrap());
            let p = |s: &str| {
                if s.is_empty() {
                    None
                } else {
                    Some(s.parse::<i32>().unwrap())
                }
            };
            let facts: Vec<Facts> = file
                .lines()
                .skip(1)
                .map(|l| {
                    let l = l.unwrap();
                    let v: Vec<&str> = l.split(',').collect();
                    Facts {
                        woman: v[0] == "1",
                        received: p(v[1]),
                        left: p(v[2]),
                        status90: OutcomeStatus::parse(v[3]),
                        moved_out: p(v[4]),
                        first_intervention: p(v[5]),
                        sfi_start: p(v[6]),
                        sfi_passed: p(v[7]),
                    }
                })
                .collect();
            let mut best = f64::MAX;
            let mut fig = None;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let f = compute(&facts, 2015, 2026, as_of, 5);
                best = best.min(t.elapsed().as_secs_f64() * 1000.0);
                fig = Some(f);
            }
            let fig = fig.unwrap();
            let supp = fig.cells.iter().filter(|c| c.suppressed.is_some()).count();
            let sum_n: u64 = fig.cells.iter().map(|c| c.n).sum();
            let sum_num: u64 = fig
                .cells
                .iter()
                .filter(|c| c.indicator.is_share())
                .map(|c| c.numerator)
                .sum();
            let med: f64 = fig
                .cells
                .iter()
                .filter(|c| !c.indicator.is_share())
                .filter_map(|c| c.value)
                .sum();
            println!(
                "{best:.1} {} {supp} {sum_n} {sum_num} {med:.1}",
                fig.cells.len()
            );
        }
        _ => eprintln!("usage: register_bench gen FILE N | run FILE"),
    }
}
