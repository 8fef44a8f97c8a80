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

/// The bad files of the library issue through the command a strategist runs: a 200 MB file
/// (sparse: it costs no disk) is refused before it is read, a PDF without text as scanned, a
/// truncated PDF as broken; each names the file and nothing is stored.
#[test]
fn bad_files_are_refused_by_name_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_etablera"))
            .arg("--database")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["init"]).status.success());
    let big = dir.path().join("stor.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 * 1000 * 1000)
        .unwrap();
    let real = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/pdf/ljusnarsberg-chromium.pdf"),
    )
    .unwrap();
    let half = dir.path().join("halv.pdf");
    std::fs::write(&half, &real[..real.len() / 2]).unwrap();
    // A page with an image and no text, as a scanner writes it (ISO 32000-1 §8.9.5).
    let scan = dir.path().join("skannad.pdf");
    let image = "q 595 0 0 842 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \u{0}\u{ff}\u{ff}\u{0} EI Q";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{image}\nendstream", image.len()),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str("xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        pdf.push_str(&format!("{o:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ));
    std::fs::write(&scan, pdf).unwrap();
    for (file, says) in [
        (&big, "stor.pdf: the file is 200 000 000 bytes"),
        (&scan, "skannad.pdf: the PDF is scanned"),
        (&half, "halv.pdf: the PDF is broken"),
    ] {
        let out = run(&[
            "library",
            "add",
            file.to_str().unwrap(),
            "--municipality",
            "Östersund",
            "--title",
            "Integrationsstrategi",
        ]);
        let err = String::from_utf8_lossy(&out.stderr).replace('\u{a0}', " ");
        assert!(!out.status.success(), "{file:?}");
        assert!(err.contains(says), "{err}");
    }
    let list = run(&["library", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("text saknas"), "{listed}");
    assert!(!listed.contains("2380 Integrationsstrategi ("), "{listed}");
}
