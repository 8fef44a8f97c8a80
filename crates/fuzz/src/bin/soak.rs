//! `etablera-soak --base URL --seconds N --rate R --pid PID`: the soak test's load driver.
//!
//! Logs in as the demo's strategist and case worker (handling the login form's token and
//! each session's CSRF token), then sends R requests a second for N seconds from a pool of
//! threads, open loop (each request has its start time; a late one counts its lateness):
//! anonymous overview, target and home pages, logged-in target pages, API reads, register
//! reads, and writes — yearly analysis texts, CSV uploads with preview and confirmation,
//! review notes in the register. Prints, per kind, the count, 5xx, p50 and p99, and the
//! server's resident memory (VmRSS of PID) after a fifth of the run and at its end, and the
//! server's CPU time per request (utime + stime of PID over the run). `--only KIND` sends
//! one kind alone (`scripts/scale` measures each kind's CPU cost so). Fails when any
//! request got a 5xx or no answer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

struct Ctx {
    base: String,
    agent: ureq::Agent,
    strategist: Session,
    worker: Session,
    targets: Vec<String>,
    persons: Vec<String>,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .max_idle_connections_per_host(128)
        .build()
}

fn hidden(body: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = body.find(&needle)? + needle.len();
    Some(body[start..start + body[start..].find('"')?].to_string())
}

fn cookie_of(resp: &ureq::Response, name: &str) -> Option<String> {
    resp.all("set-cookie")
        .into_iter()
        .filter_map(|c| c.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// (status, body), any status.
fn call(req: ureq::Request, body: Option<(&str, Vec<u8>)>) -> Result<(u16, String), String> {
    let r = match body {
        Some((ctype, b)) => req.set("Content-Type", ctype).send_bytes(&b),
        None => req.call(),
    };
    match r {
        Ok(r) => {
            let s = r.status();
            Ok((s, r.into_string().unwrap_or_default()))
        }
        Err(ureq::Error::Status(s, r)) => Ok((s, r.into_string().unwrap_or_default())),
        Err(e) => Err(e.to_string()),
    }
}

fn login(agent: &ureq::Agent, base: &str, user: &str, password: &str) -> Result<Session, String> {
    let page = agent
        .get(&format!("{base}/login"))
        .call()
        .map_err(|e| e.to_string())?;
    let form_cookie = cookie_of(&page, "etablera_login_csrf").ok_or("no login cookie")?;
    let token = hidden(&page.into_string().unwrap_or_default(), "csrf").ok_or("no login token")?;
    let body = format!(
        "username={user}&password={}&csrf={token}&next=/",
        password
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let r = agent
        .post(&format!("{base}/login"))
        .set("Cookie", &form_cookie)
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(&body);
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(s, _)) => return Err(format!("login as {user}: {s}")),
        Err(e) => return Err(e.to_string()),
    };
    let cookie = cookie_of(&r, "etablera_session").ok_or(format!("login as {user}: no session"))?;
    let home = agent
        .get(&format!("{base}/"))
        .set("Cookie", &cookie)
        .call()
        .map_err(|e| e.to_string())?;
    let csrf = hidden(&home.into_string().unwrap_or_default(), "csrf").ok_or("no session csrf")?;
    Ok(Session { cookie, csrf })
}

fn ids(body: &str, prefix: &str, valid: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = body
        .match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &body[i + prefix.len()..];
            let end = rest.find(['"', '/', '?', '#']).unwrap_or(rest.len());
            let id = &rest[..end];
            valid(id).then(|| id.to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The mix, per 200: mostly reading, as a municipality's server is used; every write
/// kind is there (at 200 requests/s, an upload a second is far above any municipality's).
const KINDS: &[(&str, u32)] = &[
    ("anon_overview", 30),
    ("anon_target", 40),
    ("anon_home", 10),
    ("user_target", 30),
    ("api_read", 30),
    ("register_read", 30),
    ("write_analysis", 4),
    ("write_upload", 1),
    ("write_register", 25),
];

fn pick(r: u64) -> &'static str {
    let total: u32 = KINDS.iter().map(|k| k.1).sum();
    let mut x = (r % total as u64) as u32;
    for (k, w) in KINDS {
        if x < *w {
            return k;
        }
        x -= w;
    }
    KINDS[0].0
}

fn one(c: &Ctx, kind: &str, r: u64) -> Result<u16, String> {
    let b = &c.base;
    let a = &c.agent;
    let target = &c.targets[(r as usize / 7) % c.targets.len()];
    let person = &c.persons[(r as usize / 11) % c.persons.len()];
    let form = "application/x-www-form-urlencoded";
    let s = &c.strategist;
    let w = &c.worker;
    let status = match kind {
        "anon_overview" => call(a.get(&format!("{b}/s/ostersund-2020")), None)?.0,
        "anon_target" => call(a.get(&format!("{b}/s/ostersund-2020/t/{target}")), None)?.0,
        "anon_home" => call(a.get(&format!("{b}/")), None)?.0,
        "user_target" => {
            call(
                a.get(&format!("{b}/s/ostersund-2020/t/{target}"))
                    .set("Cookie", &s.cookie),
                None,
            )?
            .0
        }
        "api_read" => {
            let path = if r.is_multiple_of(2) {
                "/api/v1/strategies/ostersund-2020/followup".to_string()
            } else {
                "/api/v1/observations?indicator=N00973&unit=2380".to_string()
            };
            call(a.get(&format!("{b}{path}")).set("Cookie", &s.cookie), None)?.0
        }
        "register_read" => {
            call(
                a.get(&format!("{b}/register/2380/persons/{person}"))
                    .set("Cookie", &w.cookie),
                None,
            )?
            .0
        }
        "write_analysis" => {
            let body = format!(
                "csrf={}&year=2020&body=Analys+fr%C3%A5n+soaktestet+{r}",
                s.csrf
            );
            call(
                a.post(&format!("{b}/s/ostersund-2020/t/{target}/comment"))
                    .set("Cookie", &s.cookie),
                Some((form, body.into_bytes())),
            )?
            .0
        }
        "write_upload" => {
            let csv = format!(
                "indikator;enhet;period;värde\nN00973;2380;2024;{}\n",
                40 + r % 20
            );
            let mut body = Vec::new();
            body.extend_from_slice(
                format!("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"soak.csv\"\r\nContent-Type: text/csv\r\n\r\n", s.csrf).as_bytes(),
            );
            body.extend_from_slice(csv.as_bytes());
            body.extend_from_slice(b"\r\n--XyZ--\r\n");
            let (st, page) = call(
                a.post(&format!("{b}/s/ostersund-2020/data/preview"))
                    .set("Cookie", &s.cookie),
                Some(("multipart/form-data; boundary=XyZ", body)),
            )?;
            if st != 200 {
                return Ok(st);
            }
            let token = hidden(&page, "token").ok_or("no preview token")?;
            let body = format!("csrf={}&token={token}", s.csrf);
            call(
                a.post(&format!("{b}/s/ostersund-2020/data/import"))
                    .set("Cookie", &s.cookie),
                Some((form, body.into_bytes())),
            )?
            .0
        }
        "write_register" => {
            let body = format!("csrf={}&date=2025-06-01&note=Uppf%C3%B6ljning+{r}", w.csrf);
            call(
                a.post(&format!("{b}/register/2380/persons/{person}/review"))
                    .set("Cookie", &w.cookie),
                Some((form, body.into_bytes())),
            )?
            .0
        }
        _ => unreachable!("a kind of the table"),
    };
    Ok(status)
}

/// The process's CPU time (user and system) in milliseconds, from /proc/PID/stat.
fn cpu_ms(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields start after its closing parenthesis.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // Linux reports in clock ticks of 1/100 s (USER_HZ) on every architecture it runs on.
    Some(ticks * 10.0)
}

fn rss_mib(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = s
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn pct(v: &mut [u64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i] as f64 / 1000.0
}

fn main() {
    let mut base = "http://127.0.0.1:8080".to_string();
    let (mut seconds, mut rate, mut pid, mut threads) = (600u64, 200u64, 0u32, 64usize);
    let mut only: Option<&'static str> = None;
    let mut args = std::env::args().skip(1);
    while let Some(f) = args.next() {
        let v = args.next().unwrap_or_default();
        match f.as_str() {
            "--base" => base = v,
            "--seconds" => seconds = v.parse().expect("--seconds N"),
            "--rate" => rate = v.parse().expect("--rate R"),
            "--pid" => pid = v.parse().expect("--pid PID"),
            "--threads" => threads = v.parse().expect("--threads N"),
            "--only" => {
                only = Some(
                    KINDS
                        .iter()
                        .map(|k| k.0)
                        .find(|k| *k == v)
                        .unwrap_or_else(|| {
                            eprintln!(
                                "--only: one of {:?}",
                                KINDS.iter().map(|k| k.0).collect::<Vec<_>>()
                            );
                            std::process::exit(2)
                        }),
                )
            }
            _ => {
                eprintln!("unknown flag {f}");
                std::process::exit(2);
            }
        }
    }
    let a = agent();
    let strategist =
        login(&a, &base, "strateg", "demo-strateg-lösenord").expect("strategist login");
    let worker =
        login(&a, &base, "handlaggare", "demo-handläggare-lösenord").expect("case worker login");
    let overview = call(a.get(&format!("{base}/s/ostersund-2020")), None)
        .expect("overview")
        .1;
    let targets = ids(&overview, "/s/ostersund-2020/t/", |s| {
        !s.is_empty() && s.len() < 40
    });
    let caseload = call(
        a.get(&format!("{base}/register/2380?mine=1"))
            .set("Cookie", &worker.cookie),
        None,
    )
    .expect("caseload")
    .1;
    let persons = ids(&caseload, "/register/2380/persons/", |s| {
        s.len() == 11 && s.starts_with('P')
    });
    assert!(
        !targets.is_empty() && !persons.is_empty(),
        "targets {} persons {}",
        targets.len(),
        persons.len()
    );
    println!(
        "soak: {rate} requests/s for {seconds} s against {base}; {} targets, {} persons",
        targets.len(),
        persons.len()
    );
    let ctx = Arc::new(Ctx {
        base,
        agent: a,
        strategist,
        worker,
        targets,
        persons,
    });
    let cpu_start = if pid != 0 { cpu_ms(pid) } else { None };
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let ticket = Arc::new(AtomicU64::new(0));
    let results: Arc<Mutex<HashMap<&'static str, (Vec<u64>, u64, u64, u64)>>> = Arc::default();
    let lateness = Arc::new(Mutex::new(Vec::<u64>::new()));
    let early_at = Duration::from_secs((seconds / 5).max(1));
    let rss_early = Arc::new(Mutex::new(None));
    let interval_ns = 1_000_000_000 / rate.max(1);
    // The server's memory once a minute, to see whether it levels off.
    let rss_log: Arc<Mutex<Vec<(u64, f64)>>> = Arc::default();
    if pid != 0 {
        let rss_log = rss_log.clone();
        std::thread::spawn(move || {
            let mut minute = 1;
            while Instant::now() < end {
                std::thread::sleep(Duration::from_millis(500));
                if start.elapsed() >= Duration::from_secs(60 * minute) {
                    if let Some(r) = rss_mib(pid) {
                        rss_log.lock().unwrap().push((minute, r));
                    }
                    minute += 1;
                }
            }
        });
    }
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (ctx, ticket, results, lateness, rss_early) = (
                ctx.clone(),
                ticket.clone(),
                results.clone(),
                lateness.clone(),
                rss_early.clone(),
            );
            std::thread::spawn(move || loop {
                let n = ticket.fetch_add(1, Ordering::Relaxed);
                let due = start + Duration::from_nanos(n * interval_ns);
                if due >= end {
                    return;
                }
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                } else {
                    lateness
                        .lock()
                        .unwrap()
                        .push((now - due).as_micros() as u64);
                }
                if pid != 0 && due >= start + early_at {
                    let mut e = rss_early.lock().unwrap();
                    if e.is_none() {
                        *e = rss_mib(pid);
                    }
                }
                let r = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 7;
                let kind = only.unwrap_or_else(|| pick(r));
                let t = Instant::now();
                let out = one(&ctx, kind, r);
                let us = t.elapsed().as_micros() as u64;
                let mut res = results.lock().unwrap();
                let e = res.entry(kind).or_default();
                e.0.push(us);
                match out {
                    Ok(s) if s >= 500 => e.1 += 1,
                    Ok(s) if s >= 400 => e.3 += 1,
                    Ok(_) => {}
                    Err(_) => e.2 += 1,
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let rss_end = if pid != 0 { rss_mib(pid) } else { None };
    let cpu_end = if pid != 0 { cpu_ms(pid) } else { None };
    let mut res = results.lock().unwrap();
    let mut total_bad = 0;
    println!(
        "{:<16} {:>8} {:>6} {:>6} {:>8} {:>9} {:>9}",
        "kind", "requests", "4xx", "5xx", "failed", "p50 ms", "p99 ms"
    );
    let mut refused = 0;
    for (k, _) in KINDS {
        if let Some((v, s5, failed, s4)) = res.get_mut(k) {
            total_bad += *s5 + *failed;
            refused += *s4;
            let (p50, p99) = (pct(v, 0.5), pct(v, 0.99));
            println!(
                "{k:<16} {:>8} {s4:>6} {s5:>6} {failed:>8} {p50:>9.1} {p99:>9.1}",
                v.len()
            );
        }
    }
    if refused > 0 {
        // Every request of the mix is one the server should accept.
        println!("soak: {refused} requests were refused (4xx)");
        total_bad += refused;
    }
    let answered: usize = res.values().map(|v| v.0.len()).sum();
    if let (Some(a), Some(b)) = (cpu_start, cpu_end) {
        if answered > 0 {
            println!(
                "server CPU: {:.0} ms over {answered} requests, {:.2} ms per request",
                b - a,
                (b - a) / answered as f64
            );
        }
    }
    let mut late = lateness.lock().unwrap();
    let started_late = late.len();
    println!(
        "requests started late: {started_late} (p99 lateness {:.1} ms)",
        pct(&mut late, 0.99)
    );
    let per_minute = rss_log.lock().unwrap().clone();
    if !per_minute.is_empty() {
        let line: Vec<String> = per_minute
            .iter()
            .map(|(m, r)| format!("{m} min {r:.0}"))
            .collect();
        println!("server RSS per minute (MiB): {}", line.join(", "));
    }
    let early = *rss_early.lock().unwrap();
    if let (Some(a), Some(b)) = (early, rss_end) {
        println!(
            "server RSS: {a:.1} MiB after {} s, {b:.1} MiB at the end ({:.2}×)",
            early_at.as_secs(),
            b / a
        );
    }
    if total_bad > 0 {
        println!("soak: {total_bad} requests got 5xx or no answer");
        std::process::exit(1);
    }
}
