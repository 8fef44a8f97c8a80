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
