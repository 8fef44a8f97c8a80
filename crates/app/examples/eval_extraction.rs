//! The evaluation of targets read out of strategy texts (`scripts/eval-extraction`): for
//! each part of the labelled set (`eval/extraction/split.json`: held-aside and tuning), the
//! precision and recall of target detection with 95 % Wilson intervals, the accuracy of
//! each parsed field over the targets found, and the Kolada KPI top-3 hit rate.
//!
//! A draft is matched to a labelled sentence by its text (whitespace normalised; failing
//! that, the labelled sentence sharing most of its words, at least 60 %), so the labels
//! stay valid when the splitter changes a little.
//!
//! Usage: `eval_extraction [DIR]` (default `eval/extraction`), from the repository root.

use etablera_app::library::with_kpis;
use etablera_domain::{format, Lang, Sex};
use etablera_library::targets::{self, Comparator, Draft};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

#[derive(Debug, Default)]
struct Tally {
    documents: Vec<String>,
    labelled_targets: usize,
    drafts: usize,
    true_positive: usize,
    /// (field, right, compared)
    fields: BTreeMap<&'static str, (usize, usize)>,
    year_and_value: usize,
    kpi_hit: usize,
    kpi_asked: usize,
    misses: Vec<String>,
    false_alarms: Vec<String>,
    /// Found targets with a field wrong, and those whose KPIs missed: what was read
    /// against the label.
    wrong_fields: Vec<String>,
    kpi_misses: Vec<String>,
}

fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The 95 % Wilson score interval of k successes in n.
fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.96);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = p + z * z / (2.0 * n);
    let m = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    ((c - m) / d, (c + m) / d)
}

fn share(k: usize, n: usize) -> String {
    if n == 0 {
        return "– (0 att jämföra)".into();
    }
    let (lo, hi) = wilson(k, n);
    let f = |v: f64| format::number(v, 2, Lang::Sv);
    format!("{} [{}–{}] ({k}/{n})", f(k as f64 / n as f64), f(lo), f(hi))
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}, line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn as_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn json_name<T: serde::Serialize>(t: &T) -> Option<String> {
    serde_json::to_value(t).ok().and_then(|v| as_str(&v))
}

fn evaluate(dir: &Path, doc: &Value, t: &mut Tally) {
    let id = doc["id"].as_str().expect("split.json: id");
    let text_path = doc["text"].as_str().expect("split.json: text");
    let text = std::fs::read_to_string(text_path).unwrap_or_else(|e| panic!("{text_path}: {e}"));
    let period_end = doc["period_end"].as_i64().map(|y| y as i32);
    let sentences = read_jsonl(&dir.join("sentences").join(format!("{id}.jsonl")));
    let labels = read_jsonl(&dir.join("labels").join(format!("{id}.jsonl")));
    assert_eq!(
        sentences.len(),
        labels.len(),
        "{id}: every sentence has one label"
    );
    let labelled: Vec<(String, &Value)> = sentences
        .iter()
        .zip(&labels)
        .map(|(s, l)| {
            assert_eq!(s["n"], l["n"], "{id}: labels in sentence order");
            (norm(s["text"].as_str().unwrap_or("")), l)
        })
        .collect();
    let drafts = with_kpis(targets::read(&text, period_end)).expect("the KPI catalogue");
    t.documents.push(id.to_string());
    t.drafts += drafts.len();
    let is_target = |l: &Value| l["label"] == "target";
    t.labelled_targets += labelled.iter().filter(|(_, l)| is_target(l)).count();
    let mut found: HashSet<usize> = HashSet::new();
    for d in &drafts {
        let s = norm(&d.draft.sentence);
        let at = labelled.iter().position(|(x, _)| *x == s).or_else(|| {
            let w = words(&s);
            labelled
                .iter()
                .enumerate()
                .map(|(i, (x, _))| {
                    let v = words(x);
                    let common = w.intersection(&v).count() as f64;
                    (i, common / (w.len().max(v.len()).max(1) as f64))
                })
                .filter(|(_, o)| *o >= 0.6)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        });
        match at {
            Some(i) if is_target(labelled[i].1) && found.insert(i) => {
                t.true_positive += 1;
                compare(&d.draft, labelled[i].1, t);
                let acceptable: Vec<String> = labelled[i].1["kpis"]
                    .as_array()
                    .map(|a| a.iter().filter_map(as_str).collect())
                    .unwrap_or_default();
                if !acceptable.is_empty() {
                    t.kpi_asked += 1;
                    if d.kpis.iter().any(|k| acceptable.contains(&k.id)) {
                        t.kpi_hit += 1;
                    } else {
                        let got: Vec<String> = d
                            .kpis
                            .iter()
                            .map(|k| format!("{} {}", k.id, k.title))
                            .collect();
                        t.kpi_misses.push(format!(
                            "{id}: {}\n      föreslagna: {}\n      godtagbara: {}",
                            s.chars().take(110).collect::<String>(),
                            got.join(" | "),
                            acceptable.join(", ")
                        ));
                    }
                }
            }
            _ => t
                .false_alarms
                .push(format!("{id}: {}", s.chars().take(110).collect::<String>())),
        }
    }
    for (i, (s, l)) in labelled.iter().enumerate() {
        if is_target(l) && !found.contains(&i) {
            t.misses.push(format!(
                "{id} #{}: {}",
                l["n"],
                s.chars().take(110).collect::<String>()
            ));
        }
    }
}

/// Each parsed field of a found target against its label.
fn compare(d: &Draft, l: &Value, t: &mut Tally) {
    let mut wrong: Vec<&'static str> = Vec::new();
    let mut field = |name: &'static str, right: bool| {
        let e = t.fields.entry(name).or_default();
        e.1 += 1;
        if right {
            e.0 += 1;
        } else {
            wrong.push(name);
        }
    };
    field(
        "comparator",
        json_name(&d.comparator) == as_str(&l["comparator"]),
    );
    // "alla"/"ingen" read as 100 %/0 % in the algebra; the label has the value as
    // written, which they have none of.
    let all_or_none = matches!(d.comparator, Comparator::All | Comparator::None);
    let (value, unit) = if all_or_none {
        (None, None)
    } else {
        (d.value, d.unit)
    };
    let value_right = match (value, l["value"].as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    };
    field("value", value_right);
    field(
        "unit",
        unit.and_then(|u| json_name(&u)) == as_str(&l["unit"]),
    );
    let year = d.year.filter(|_| d.year_in_text).map(i64::from);
    let year_right = year == l["year"].as_i64();
    field("year", year_right);
    field(
        "per_year",
        d.per_year == l["per_year"].as_bool().unwrap_or(false),
    );
    let sex = match d.sex {
        Some(Sex::Women) => Some("women".to_string()),
        Some(Sex::Men) => Some("men".to_string()),
        _ => None,
    };
    field("sex", sex == as_str(&l["sex"]));
    if year_right && value_right {
        t.year_and_value += 1;
    }
    if !wrong.is_empty() {
        t.wrong_fields.push(format!(
            "{}: {}\n      läst: {:?} {:?} {:?} år {:?}\n      etikett: {} {} {} år {}",
            wrong.join(", "),
            d.sentence.chars().take(110).collect::<String>(),
            d.comparator,
            d.value,
            d.unit,
            year,
            l["comparator"],
            l["value"],
            l["unit"],
            l["year"]
        ));
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "eval/extraction".into());
    let dir = Path::new(&dir);
    let split: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("split.json")).expect("eval/extraction/split.json"),
    )
    .expect("split.json is JSON");
    let mut parts: BTreeMap<String, Tally> = BTreeMap::new();
    for doc in split["documents"]
        .as_array()
        .expect("split.json: documents")
    {
        let part = doc["part"].as_str().expect("split.json: part").to_string();
        evaluate(dir, doc, parts.entry(part).or_default());
    }
    for (part, t) in parts.iter().rev() {
        println!(
            "== {part}: {} dokument ({})",
            t.documents.len(),
            t.documents.join(", ")
        );
        println!(
            "   mål i etiketterna: {}; utkast: {}; rätt funna: {}",
            t.labelled_targets, t.drafts, t.true_positive
        );
        if t.labelled_targets < 30 {
            println!(
                "   OBS: färre än 30 mål ({}) – intervallen är breda",
                t.labelled_targets
            );
        }
        println!("   precision: {}", share(t.true_positive, t.drafts));
        println!(
            "   täckning (recall): {}",
            share(t.true_positive, t.labelled_targets)
        );
        for (name, (right, n)) in &t.fields {
            println!("   fält {name}: {}", share(*right, *n));
        }
        println!(
            "   år och värde rätt, av funna mål: {}",
            share(t.year_and_value, t.true_positive)
        );
        println!(
            "   år och värde rätt, av alla mål: {}",
            share(t.year_and_value, t.labelled_targets)
        );
        println!(
            "   Kolada-KPI bland de tre föreslagna: {}",
            share(t.kpi_hit, t.kpi_asked)
        );
        // The details of the tuning part only, unless asked for all: the held-aside part
        // is measured, never read while rules are written.
        let verbose = std::env::var("EVAL_VERBOSE").ok();
        if verbose.as_deref() == Some("all") || (verbose.is_some() && part == "tuning") {
            for m in &t.misses {
                println!("   missat: {m}");
            }
            for f in &t.false_alarms {
                println!("   falskt: {f}");
            }
            for f in &t.wrong_fields {
                println!("   fel fält: {f}");
            }
            for k in &t.kpi_misses {
                println!("   KPI missad: {k}");
            }
        }
    }
}
