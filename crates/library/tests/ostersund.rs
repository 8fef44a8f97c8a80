//! Östersund's Integrationsstrategi 2020 as its text stands in the seed (`003_…`, text
//! extracted from the published PDF), read for targets, against the ten targets a person
//! transcribed into `data/strategies/ostersund-2020.toml`: at least eight read out with
//! comparator, value and year right (the strategy library issue's acceptance).

use etablera_library::targets::{read, Comparator, Draft};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Series {
    indicator: String,
}

#[derive(Deserialize)]
struct Target {
    id: String,
    series: Series,
    text: String,
    kind: String,
    bound: Option<String>,
    change: Option<String>,
    value: Option<f64>,
    per_year: Option<f64>,
    target_year: i32,
}

fn words(s: &str) -> std::collections::HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect()
}

/// The draft whose sentence shares most words with the transcribed text.
fn best<'a>(drafts: &'a [Draft], text: &str) -> Option<&'a Draft> {
    let t = words(text);
    drafts
        .iter()
        .map(|d| {
            let w = words(&d.sentence);
            let shared = w.intersection(&t).count() as f64;
            (shared / t.len().max(1) as f64, d)
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, d)| d)
}

fn right(t: &Target, d: &Draft) -> Result<(), String> {
    let want = match (t.kind.as_str(), t.bound.as_deref(), t.change.as_deref()) {
        ("threshold" | "flow", Some("at_least"), _) => Comparator::AtLeast,
        ("threshold" | "flow", Some("at_most"), _) => Comparator::AtMost,
        ("direction", _, Some("increase")) => Comparator::Increase,
        ("direction", _, Some("decrease")) | ("gap", _, _) => Comparator::Decrease,
        ("relative", _, _) => Comparator::SameLevelAs,
        other => return Err(format!("kind {other:?} not in this test")),
    };
    if d.comparator != want {
        return Err(format!("comparator {:?}, not {want:?}", d.comparator));
    }
    if t.kind == "relative"
        && d.bound.map(|b| format!("{b:?}"))
            != t.bound.as_ref().map(|b| {
                if b == "at_most" {
                    "AtMost".to_string()
                } else {
                    "AtLeast".to_string()
                }
            })
    {
        return Err(format!("bound {:?}", d.bound));
    }
    let value = t.value.or(t.per_year);
    if value.is_some() && d.value != value {
        return Err(format!("value {:?}, not {value:?}", d.value));
    }
    if t.per_year.is_some() && !d.per_year {
        return Err("not read as yearly".into());
    }
    if d.year != Some(t.target_year) {
        return Err(format!("year {:?}, not {}", d.year, t.target_year));
    }
    Ok(())
}

#[test]
fn eight_of_the_ten_ostersund_targets_are_read_out_of_the_text() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let seeds = root.join("../shared/seeds");
    let seed = std::fs::read_dir(&seeds)
        .unwrap_or_else(|e| panic!("{}: {e}", seeds.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("003_"))
        .expect("seed 003");
    let text = std::fs::read_to_string(seed).unwrap();
    let file: File = toml::from_str(
        &std::fs::read_to_string(root.join("data/strategies/ostersund-2020.toml")).unwrap(),
    )
    .unwrap();
    assert_eq!(file.targets.len(), 10);
    // The strategy runs to 2020 (its title, and "fram till 2020" in the text).
    let drafts = read(&text, Some(2020));
    let mut right_ones = Vec::new();
    let mut report = Vec::new();
    for t in &file.targets {
        match best(&drafts, &t.text) {
            None => report.push(format!("{}: not found", t.id)),
            Some(d) => match right(t, d) {
                Ok(()) => right_ones.push(t.id.clone()),
                Err(e) => report.push(format!("{}: {e} in «{}»", t.id, d.sentence)),
            },
        }
    }
    eprintln!("right: {right_ones:?}\nwrong: {report:#?}");
    assert!(
        right_ones.len() >= 8,
        "{} of 10 right; {report:#?}",
        right_ones.len()
    );
}

/// The Kolada KPI a person chose for each target is among the three suggested, for the
/// targets measured by a Kolada KPI (the others are the municipality's own figures).
#[test]
fn the_chosen_kolada_kpi_is_among_the_three_suggested() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let file: File = toml::from_str(
        &std::fs::read_to_string(root.join("data/strategies/ostersund-2020.toml")).unwrap(),
    )
    .unwrap();
    let kpis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("data/kolada/kpi.json")).unwrap()).unwrap();
    let catalogue = etablera_library::kpis::Catalogue::new(
        kpis["values"].as_array().unwrap().iter().map(|k| {
            (
                k["id"].as_str().unwrap().to_string(),
                k["title"].as_str().unwrap().to_string(),
            )
        }),
    );
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    for t in file
        .targets
        .iter()
        .filter(|t| t.series.indicator.starts_with('N'))
    {
        let unit = if t.kind == "flow" {
            Some(etablera_library::targets::Unit::Count)
        } else {
            Some(etablera_library::targets::Unit::Percent)
        };
        let s = catalogue.suggest(&t.text, unit, 3);
        if s.iter().any(|k| k.id == t.series.indicator) {
            hits.push(t.id.clone());
        } else {
            misses.push(format!("{} ({}): {:?}", t.id, t.series.indicator, s));
        }
    }
    eprintln!("hits {hits:?}\nmisses {misses:#?}");
    assert_eq!(hits.len() + misses.len(), 4);
    assert_eq!(hits.len(), 4, "{misses:#?}");
}
