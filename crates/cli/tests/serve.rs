//! `etablera serve` as the real binary, configured by a file, and stopped with SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn serves_from_a_config_file_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let bin = env!("CARGO_BIN_EXE_etablera");
    let init = Command::new(bin)
        .args(["--database"])
        .arg(&db)
        .arg("init")
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.path().join("etablera.toml");
    std::fs::write(
        &cfg,
        format!(
            "database = {:?}\naddr = \"127.0.0.1:{port}\"\nmax_upload_mb = 5\n",
            db.to_str().unwrap()
        ),
    )
    .unwrap();
    let mut child = Command::new(bin)
        .args(["serve", "--config"])
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let body = loop {
        match ureq::get(&format!("http://127.0.0.1:{port}/indikatorer?q=N00973")).call() {
            Ok(r) => break r.into_string().unwrap(),
            Err(_) if start.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(e) => panic!("the server did not answer: {e}"),
        }
    };
    assert!(body.contains("N00973"));
    // SIGTERM: the server finishes and exits cleanly.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("the server did not stop on SIGTERM")
    });
    assert!(status.success(), "{status:?}");
}

#[test]
fn peer_groups_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_etablera"))
            .arg("--database")
            .arg(&db)
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap()
    };
    assert!(run(&["init"]).status.success());
    let ok = run(&[
        "group",
        "add",
        "Gnorr",
        "Norrlands inland",
        "Östersund",
        "Krokom",
        "2361",
        "2380",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("3 municipalities"));
    let bad = run(&["group", "add", "Gx", "X", "Atlantis"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown municipality `Atlantis`"));
    let list = String::from_utf8_lossy(&run(&["group", "list"]).stdout).into_owned();
    assert!(list.contains("Gnorr") && list.contains("2309 2361 2380") && !list.contains("Gx"));
}
