//! The child process that reads PDFs for a server or the CLI: when it dies (an abort from
//! a stack overflow or an allocation beyond its limit, a kill for CPU time) the caller gets
//! an error naming what happened and goes on. The child here is a script that reads its
//! input and aborts itself, as a child would on a PDF that broke the libraries.

use etablera_pdf::{isolate_with, pages_isolated, Limits, PdfError};

#[test]
fn a_child_that_dies_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("dies.sh");
    std::fs::write(&script, "#!/bin/sh\ncat >/dev/null\nkill -ABRT $$\n").unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    isolate_with(script);
    let e = pages_isolated(b"%PDF-1.7\n", &Limits::default()).unwrap_err();
    match e {
        PdfError::Broken(m) => assert!(m.contains("reading it was stopped"), "{m}"),
        e => panic!("{e:?}"),
    }
    // The caller is alive and reads the next one (here again through the dying child).
    assert!(pages_isolated(b"%PDF-1.7\n", &Limits::default()).is_err());
}
