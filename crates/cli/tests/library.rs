//! `etablera library targets` on Östersund's strategy text prints what the README shows.

use std::process::Command;

#[test]
fn targets_of_the_ostersund_seed_as_the_readme_shows() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args([
            "library",
            "targets",
            "../shared/seeds/003_0331436ce3dbd4ab.txt",
            "--period-end",
            "2020",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let printed = String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ");
    let readme = include_str!("../../../README.md");
    let shown = readme
        .split("etablera library targets ../shared/seeds/003_0331436ce3dbd4ab.txt --period-end 2020\n```\n\n```text\n")
        .nth(1)
        .and_then(|r| r.split("\n```").next())
        .expect("the README's example");
    let lines: Vec<&str> = printed.lines().collect();
    let mut at = 0;
    for want in shown.lines().filter(|l| l.trim() != "…") {
        match lines[at..].iter().position(|l| *l == want) {
            Some(i) => at += i + 1,
            None => panic!("the README shows\n  {want}\nbut the command printed:\n{printed}"),
        }
    }
}

#[test]
fn a_text_that_is_not_utf8_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("strategi.txt");
    std::fs::write(&f, [b'M', b'a', 0xe5, b'l']).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(["library", "targets", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("strategi.txt: not UTF-8 text (byte 2)"),
        "{err}"
    );
}

/// The library issue's acceptance, as the README shows it: the seed texts added, then a
/// search and the targets of Östersund's document read out of the library.
#[test]
fn add_search_and_targets_of_a_municipality() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_etablera"))
            .arg("--database")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?}: {stderr}");
        String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ")
    };
    run(&["init"]);
    let seed = |prefix: &str| {
        std::fs::read_dir(&seeds)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap()
            .display()
            .to_string()
    };
    let ostersund = seed("003_");
    run(&[
        "library",
        "add",
        &ostersund,
        "--municipality",
        "Östersund",
        "--title",
        "Integrationsstrategi 2020",
        "--year",
        "2016",
    ]);
    run(&[
        "library",
        "add",
        &seed("004_"),
        "--municipality",
        "Ljusnarsberg",
        "--title",
        "Strategi för integration",
        "--year",
        "2014",
    ]);
    let list = run(&["library", "list"]);
    assert!(
        list.contains("2380 Integrationsstrategi 2020 (strategi, 2016;"),
        "{list}"
    );
    let found = run(&["library", "search", "integrationsstrategi"]);
    assert!(found.contains("2380 Integrationsstrategi 2020"), "{found}");
    assert!(found.contains("1864 Strategi för integration"), "{found}");
    let targets = run(&["library", "targets", "--municipality", "Östersund"]);
    for line in [
        "1. minst 10 % år 2020 [s. 1]",
        "3. minst 50 % år 2020 [s. 1]",
        "6. minst 8 % år 2020 [s. 1]",
        "10 mål lästa ur 1 dokument om Östersund; de är utkast att granska.",
    ] {
        assert!(targets.contains(line), "{line}\n{targets}");
    }
}
