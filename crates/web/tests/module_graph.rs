//! The web crate's modules import each other without a cycle (use-case issue, point 3): the
//! page kit (`ui`) and the error type sit below the resources, and no module imports one
//! that imports it back. The edges are read from the source: every `crate::<module>` a file
//! names. The crate root (`lib.rs`) declares the modules and assembles the router, so it is
//! not a node; its own items (`crate::upload`, …) are not modules.

use std::collections::{BTreeMap, BTreeSet};

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            if name != "lib" {
                let text: &mut String = files.entry(name).or_default();
                text.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        } else if p.is_dir() {
            // A module split into files (`register/mod.rs`, `register/person.rs`, or `api.rs`
            // with `api/schema.rs`) is one node: its files' imports together.
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text: &mut String = files.entry(name).or_default();
            for f in std::fs::read_dir(&p).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|x| x == "rs") {
                    text.push_str(&std::fs::read_to_string(&f).unwrap());
                }
            }
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(name, text)| {
            let mut deps = BTreeSet::new();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + "crate::".len()..];
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&word) && word != *name {
                    deps.insert(word);
                }
            }
            (name.clone(), deps)
        })
        .collect()
}

/// A cycle through the graph, if there is one, as the modules along it.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        n: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut c = path[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(g, d, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        if let Some(c) = visit(g, n, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_web_modules_import_each_other_without_a_cycle() {
    let g = graph();
    assert!(g.len() >= 10, "{} modules read", g.len());
    if let Some(c) = cycle(&g) {
        panic!("a cycle of imports: {}\nall edges: {g:#?}", c.join(" → "));
    }
    // The texts depend on no other module.
    assert!(g["i18n"].is_empty(), "i18n imports {:?}", g["i18n"]);
    // The kit and the error type depend on no resource.
    for low in ["ui", "error"] {
        let resources = ["pages", "api", "edit", "data", "plan", "register", "users"];
        let bad: Vec<&String> = g[low]
            .iter()
            .filter(|d| resources.contains(&d.as_str()))
            .collect();
        assert!(bad.is_empty(), "{low} imports resources {bad:?}");
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
