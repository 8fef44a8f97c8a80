//! The Rust side of `scripts/bench-matching`: reads one shared instance (raw little-endian
//! files written by the script), solves it once, prints one JSON line with the seconds spent
//! in the solver, the objective and the process's peak memory (VmHWM).
//!
//! Usage: bench_matching dense <file.f64> <n>
//!        bench_matching transport <benefit.i32> <capacity.u32> <rows> <dests>

use etablera_matching::{assignment, transport};
use std::time::Instant;

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|x| x.parse().ok()))
        })
        .unwrap_or(0)
}

fn read<T: Copy, const W: usize>(path: &str, conv: fn([u8; W]) -> T) -> Vec<T> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    bytes
        .chunks_exact(W)
        .map(|c| conv(c.try_into().expect("chunk")))
        .collect()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    match a.get(1).map(String::as_str) {
        Some("dense") => {
            let n: usize = a[3].parse().expect("n");
            let cost = read::<f64, 8>(&a[2], f64::from_le_bytes);
            let t = Instant::now();
            let r = assignment::solve_dense(&cost, n, n).expect("solvable");
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{{\"seconds\": {secs}, \"objective\": {}, \"peak_kb\": {}}}",
                r.cost,
                peak_kb()
            );
        }
        Some("transport") => {
            let (rows, dests): (usize, usize) =
                (a[4].parse().expect("rows"), a[5].parse().expect("dests"));
            let benefit = read::<i32, 4>(&a[2], i32::from_le_bytes);
            let cap = read::<u32, 4>(&a[3], u32::from_le_bytes);
            assert_eq!((benefit.len(), cap.len()), (rows * dests, dests));
            let supply = vec![1u32; rows];
            let t = Instant::now();
            let r = transport::solve(&benefit, &supply, &cap).expect("solvable");
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{{\"seconds\": {secs}, \"objective\": {}, \"peak_kb\": {}, \"bids\": {}}}",
                r.total,
                peak_kb(),
                r.bids
            );
        }
        _ => {
            eprintln!("usage: bench_matching dense <file> <n> | transport <benefit> <capacity> <rows> <dests>");
            std::process::exit(2);
        }
    }
}
