//! `library_bench CORPUS.tsv QUERIES.txt`: Etablera's library index over the same paragraphs
//! as the FTS5 side of `scripts/bench-library`: index-only build time, then each query with
//! BM25 ranking and a snippet, top 10. Prints: build_ms p50_ms p99_ms hits_total.

use etablera_library::index::Index;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = std::fs::read_to_string(&args[1]).expect("the corpus");
    let queries = std::fs::read_to_string(&args[2]).expect("the queries");
    let rows: Vec<(i64, i32, Option<i32>, String)> = corpus
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, '\t');
            let d = it.next()?.parse().ok()?;
            let p = it.next()?.parse().ok()?;
            Some((d, p, Some(1), it.next()?.to_string()))
        })
        .collect();
    let t = Instant::now();
    let idx = Index::build(rows);
    let build = t.elapsed().as_secs_f64() * 1000.0;
    let mut lat = Vec::new();
    let mut slowest = Vec::new();
    let mut hits = 0;
    for q in queries.lines().filter(|q| !q.trim().is_empty()) {
        let t = Instant::now();
        hits += idx.search(q, 10).len();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        lat.push(ms);
        slowest.push((ms, q));
    }
    // `LIBRARY_BENCH_SLOWEST=N` names the N slowest queries on standard error.
    if let Some(n) = std::env::var("LIBRARY_BENCH_SLOWEST")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, q) in slowest.iter().take(n) {
            eprintln!("{ms:8.3} ms  {q}");
        }
    }
    lat.sort_by(f64::total_cmp);
    let p = |x: f64| lat[((x * lat.len() as f64) as usize).min(lat.len() - 1)];
    println!("{build:.0} {:.3} {:.3} {hits}", p(0.5), p(0.99));
}
