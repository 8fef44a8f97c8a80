//! `etablera-fuzz HARNESS --seconds N [--seed S] [--corpus DIR] [--out DIR]`
//!
//! Feeds one parser arbitrary and mutated inputs for N seconds: the seeds of its committed
//! corpus (`fuzz/corpus/HARNESS/`), mutated by a loop of our own (bit flips, interesting
//! bytes, inserted and deleted runs, duplicated runs, splices between seeds, tokens of the
//! format, deep repetitions; for xlsx also the XML inside the zip). Any panic is caught,
//! its input written to `OUT/HARNESS/crash-*`, and the run fails. An abort (allocation
//! failure under `prlimit --as`, stack overflow) ends the process: the input it was on is
//! in `OUT/HARNESS/current`. An input that takes over 20 s counts as a hang.
//!
//! To reproduce a finding with a backtrace: `ETABLERA_FUZZ_REPRO=FILE RUST_BACKTRACE=1
//! etablera-fuzz HARNESS`.
//!
//! Stable Rust, no `unsafe`: not coverage-guided like cargo-fuzz, but it runs anywhere the
//! product builds, and `scripts/fuzz` runs every harness in its own capped process.

mod harness;
mod mutate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    harness: String,
    seconds: u64,
    seed: u64,
    corpus: PathBuf,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let harness = it
        .next()
        .ok_or("usage: etablera-fuzz HARNESS --seconds N [--seed S] [--corpus DIR] [--out DIR]")?;
    let mut a = Args {
        harness,
        seconds: 60,
        seed: 0x5eed_e7ab_1e4a,
        corpus: PathBuf::from("fuzz/corpus"),
        out: PathBuf::from("target/fuzz"),
    };
    while let Some(flag) = it.next() {
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => a.seconds = v.parse().map_err(|_| "--seconds: a number")?,
            "--seed" => a.seed = v.parse().map_err(|_| "--seed: a number")?,
            "--corpus" => a.corpus = v.into(),
            "--out" => a.out = v.into(),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

fn seeds(dir: &Path) -> Result<Vec<Vec<u8>>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if seeds.is_empty() {
        return Err(format!("{}: no seeds", dir.display()));
    }
    Ok(seeds)
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\nharnesses: {}", harness::NAMES.join(", "));
            std::process::exit(2);
        }
    };
    let Some(target) = harness::by_name(&a.harness) else {
        eprintln!(
            "unknown harness {}; harnesses: {}",
            a.harness,
            harness::NAMES.join(", ")
        );
        std::process::exit(2);
    };
    // `--repro FILE` runs one input with the default panic hook (RUST_BACKTRACE works).
    if let Some(file) = std::env::var_os("ETABLERA_FUZZ_REPRO") {
        let input = std::fs::read(&file).expect("the input to reproduce");
        let accepted = (target.run)(&input);
        println!(
            "{}: {}",
            a.harness,
            if accepted { "accepted" } else { "refused" }
        );
        return;
    }
    let seeds = match seeds(&a.corpus.join(&a.harness)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let out = a.out.join(&a.harness);
    std::fs::create_dir_all(&out).expect("the output directory");
    // Panics are caught and reported below; keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));
    // A watchdog for hangs: the loop bumps `progress` after every input.
    let progress = Arc::new(AtomicU64::new(0));
    {
        let progress = progress.clone();
        let out = out.clone();
        std::thread::spawn(move || {
            let mut last = (0, Instant::now());
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let now = progress.load(Ordering::Relaxed);
                if now != last.0 {
                    last = (now, Instant::now());
                } else if last.1.elapsed() > Duration::from_secs(20) {
                    eprintln!(
                        "HANG: an input took over 20 s; it is in {}/current",
                        out.display()
                    );
                    std::process::exit(3);
                }
            }
        });
    }
    let mut rng = mutate::Rng::new(a.seed);
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let (mut runs, mut refused, mut panics) = (0u64, 0u64, 0u64);
    let current = out.join("current");
    let mut i = 0usize;
    while Instant::now() < deadline {
        // Every seed as it is first, then mutants.
        let input = if i < seeds.len() {
            seeds[i].clone()
        } else {
            mutate::mutant(&mut rng, &seeds, target.tokens, target.zipped)
        };
        i += 1;
        if let Ok(mut f) = std::fs::File::create(&current) {
            let _ = f.write_all(&input);
        }
        match std::panic::catch_unwind(|| (target.run)(&input)) {
            Ok(accepted) => {
                if !accepted {
                    refused += 1;
                }
            }
            Err(p) => {
                panics += 1;
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let path = out.join(format!("crash-{panics}"));
                let _ = std::fs::write(&path, &input);
                eprintln!(
                    "PANIC in {}: {msg} (input in {})",
                    a.harness,
                    path.display()
                );
            }
        }
        runs += 1;
        progress.store(runs, Ordering::Relaxed);
    }
    let _ = std::fs::remove_file(&current);
    println!(
        "{}: {runs} inputs in {} s, {refused} refused with an error, {panics} panics",
        a.harness, a.seconds
    );
    if panics > 0 {
        std::process::exit(1);
    }
}
