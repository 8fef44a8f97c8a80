//! The web application and the command line are adapters (use-case issue, point 2): neither
//! reaches the store. Their source names neither `etablera_store` nor the store's trait, and
//! neither crate depends on `etablera-store` (except for tests); only the binary depends on
//! `anyhow`, every library returns its typed error.

use std::path::{Path, PathBuf};

fn crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The `[dependencies]` table of a crate's manifest (not its dev-dependencies).
fn dependencies(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(crates().join(krate).join("Cargo.toml")).unwrap();
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            out.push(line.split(['=', '.']).next().unwrap().trim().to_string());
        }
    }
    assert!(!out.is_empty(), "{krate}: no [dependencies] read");
    out
}

#[test]
fn the_adapters_do_not_reach_the_store() {
    let mut files = Vec::new();
    sources(&crates().join("web/src"), &mut files);
    sources(&crates().join("cli/src"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains("etablera_store") || line.contains("dyn Store") {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the web and the CLI call etablera_app, never the store:\n{}",
        found.join("\n")
    );
    for krate in ["web", "cli"] {
        assert!(
            !dependencies(krate).iter().any(|d| d == "etablera-store"),
            "{krate} depends on etablera-store"
        );
    }
}

#[test]
fn only_the_binary_depends_on_anyhow() {
    let mut with = Vec::new();
    for e in std::fs::read_dir(crates()).unwrap() {
        let p = e.unwrap().path();
        if p.join("Cargo.toml").exists() {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if dependencies(&name).iter().any(|d| d == "anyhow") {
                with.push(name);
            }
        }
    }
    with.sort();
    assert_eq!(with, ["cli"], "only the binary uses anyhow");
}
