//! Every worked example in the README is run, and what the README shows of its output must
//! be what the command prints (hardening issue, finding 14: the README's placement example
//! showed 4 467,6 where the command printed 4 383,1). An output block may leave lines out
//! with "…"; every other line of it must appear in the real output, in order.

use std::path::Path;
use std::process::Command;

/// (commands, shown output) for each ```sh block directly followed by an output block.
fn examples(readme: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    let blocks: Vec<(&str, Vec<&str>)> = {
        let mut v = Vec::new();
        let mut lines = readme.lines();
        while let Some(l) = lines.next() {
            if let Some(lang) = l.strip_prefix("```") {
                let body: Vec<&str> = lines
                    .by_ref()
                    .take_while(|l| !l.starts_with("```"))
                    .collect();
                v.push((lang, body));
            }
        }
        v
    };
    for w in blocks.windows(2) {
        let ((lang, cmds), (next_lang, shown)) = (&w[0], &w[1]);
        if *lang == "sh" && next_lang.is_empty() {
            let cmds = cmds
                .iter()
                .map(|c| c.split(" #").next().unwrap_or(c).trim().to_string())
                .filter(|c| c.starts_with("etablera "))
                .collect();
            out.push((cmds, shown.iter().map(|s| s.to_string()).collect()));
        }
    }
    out
}

fn run(dir: &Path, cmd: &str) -> String {
    let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_etablera"))
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_readmes_worked_examples_print_what_the_readme_shows() {
    let readme = include_str!("../../../README.md");
    let ex = examples(readme);
    assert!(ex.len() >= 4, "{} worked examples found", ex.len());
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "etablera match example --out ex");
    for (cmds, shown) in ex {
        assert_eq!(cmds.len(), 1, "one command per worked example: {cmds:?}");
        let printed = run(dir.path(), &cmds[0]);
        // The README writes the no-break spaces of Swedish numbers as spaces.
        let printed = printed.replace('\u{a0}', " ");
        let lines: Vec<&str> = printed.lines().map(str::trim_end).collect();
        let mut at = 0;
        for want in shown
            .iter()
            .map(|s| s.trim_end())
            .filter(|s| !s.trim().is_empty() && s.trim() != "…")
        {
            match lines[at..].iter().position(|l| *l == want) {
                Some(i) => at += i + 1,
                None => panic!(
                    "{}: the README shows\n  {want}\nbut the command printed (from line {at}):\n{}",
                    cmds[0],
                    lines[at.min(lines.len())..].join("\n")
                ),
            }
        }
    }
}
