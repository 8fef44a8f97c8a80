//! Fetching Kolada over HTTP, following the pages.
//!
//! The base address is configurable (`https://api.kolada.se/v2` or `…/v3`, or a local
//! mirror); tests point it at a local server. Each page is parsed as it arrives, so a
//! broken page stops the fetch with an error naming its address.

use crate::kolada::{parse_data, parse_kpis};
use crate::{sha256_hex, IngestError, Known, Parsed};
use etablera_domain::Indicator;
use std::io::Read;
use std::time::Duration;

/// Which of Kolada's API versions the base address speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V2,
    V3,
}

impl ApiVersion {
    /// Guessed from the base address; v3 unless it ends in `/v2`.
    pub fn of(base: &str) -> ApiVersion {
        if base.trim_end_matches('/').ends_with("/v2") {
            ApiVersion::V2
        } else {
            ApiVersion::V3
        }
    }
}

/// The first page's address for data on `kpis` × `units` × `years`.
pub fn data_url(base: &str, kpis: &[String], units: &[String], years: &[i32]) -> String {
    let base = base.trim_end_matches('/');
    let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let mut url = format!("{base}/data/kpi/{}", kpis.join(","));
    if !units.is_empty() {
        url.push_str(&format!("/municipality/{}", units.join(",")));
    }
    if !years.is_empty() {
        url.push_str(&format!("/year/{}", years.join(",")));
    }
    url
}

const MAX_PAGES: usize = 10_000;
const MAX_BODY: u64 = 512 * 1024 * 1024;

fn get(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, IngestError> {
    let resp = agent.get(url).call().map_err(|e| IngestError::Http {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|e| IngestError::Http {
            url: url.to_string(),
            message: format!("could not read the response: {e}"),
        })?;
    Ok(body)
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout_read(Duration::from_secs(120))
        .build()
}

/// Fetches data from `first_url` and every following page. `progress` is told the number
/// of values read so far and, when Kolada states it, the total.
pub fn fetch_data(
    first_url: &str,
    known: &Known,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Parsed, IngestError> {
    let agent = agent();
    let mut url = first_url.to_string();
    let mut observations = Vec::new();
    let mut warnings = Vec::new();
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for _ in 0..MAX_PAGES {
        let body = get(&agent, &url)?;
        let page = parse_data(&url, &body, known)?;
        observations.extend(page.observations);
        warnings.extend(page.warnings);
        progress(observations.len() as u64, page.count);
        bodies.push(body);
        match page.next {
            Some(next) if next != url => url = next,
            _ => {
                let parts: Vec<&[u8]> = bodies.iter().map(|b| b.as_slice()).collect();
                return Ok(Parsed {
                    observations,
                    warnings,
                    sha256: sha256_hex(&parts),
                });
            }
        }
    }
    Err(IngestError::Http {
        url,
        message: format!("more than {MAX_PAGES} pages; stopping"),
    })
}

/// Fetches KPI metadata from `first_url` and every following page.
pub fn fetch_kpis(first_url: &str) -> Result<Vec<Indicator>, IngestError> {
    let agent = agent();
    let mut url = first_url.to_string();
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let body = get(&agent, &url)?;
        let page = parse_kpis(&url, &body)?;
        out.extend(page.indicators);
        match page.next {
            Some(next) if next != url => url = next,
            _ => return Ok(out),
        }
    }
    Err(IngestError::Http {
        url,
        message: format!("more than {MAX_PAGES} pages; stopping"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            data_url(
                "https://api.kolada.se/v3/",
                &["N00973".into(), "N01986".into()],
                &["2380".into()],
                &[2019, 2020]
            ),
            "https://api.kolada.se/v3/data/kpi/N00973,N01986/municipality/2380/year/2019,2020"
        );
        assert_eq!(ApiVersion::of("https://api.kolada.se/v2"), ApiVersion::V2);
    }
}

/// A local HTTP server with canned responses, for tests of paging (no test needs the internet).
pub mod mock {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// Serves `pages` (path → body, with `{base}` replaced by the server's address) on
    /// 127.0.0.1 at a free port, answering 404 for other paths, until the process ends.
    /// Returns the base address, `http://127.0.0.1:PORT`.
    pub fn serve(pages: Vec<(String, String)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let pages: Vec<(String, String)> = pages
            .into_iter()
            .map(|(p, b)| (p, b.replace("{base}", &base)))
            .collect();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                // Skip the headers.
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = match pages.iter().find(|(p, _)| *p == path) {
                    Some((_, b)) => ("200 OK", b.clone()),
                    None => ("404 Not Found", "{\"error\": \"not found\"}".to_string()),
                };
                let mut s = &stream;
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        base
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;
    use etablera_domain::Units;

    fn page(unit: &str, next: Option<&str>, version: ApiVersion) -> String {
        let values = format!(
            r#"[{{"kpi": "N00973", "municipality": "{unit}", "period": 2019, "values": [{{"gender": "T", "status": "", "value": 54.0}}]}}]"#
        );
        match (version, next) {
            (ApiVersion::V2, n) => format!(
                r#"{{"count": 2, "values": {values}, "next_page": {}}}"#,
                n.map(|n| format!("\"{n}\"")).unwrap_or("null".into())
            ),
            (ApiVersion::V3, n) => format!(
                r#"{{"values": {values}, "next_url": {}}}"#,
                n.map(|n| format!("\"{n}\"")).unwrap_or("null".into())
            ),
        }
    }

    #[test]
    fn follows_the_pages_in_both_versions() {
        let units = Units::sweden();
        let known = Known::units(&units);
        for v in [ApiVersion::V2, ApiVersion::V3] {
            let base = mock::serve(vec![
                (
                    "/data/kpi/N00973".into(),
                    page("2380", Some("{base}/page2"), v),
                ),
                ("/page2".into(), page("1864", None, v)),
            ]);
            let mut seen = Vec::new();
            let parsed = fetch_data(&format!("{base}/data/kpi/N00973"), &known, |n, total| {
                seen.push((n, total))
            })
            .unwrap();
            let units: Vec<&str> = parsed
                .observations
                .iter()
                .map(|o| o.unit.as_str())
                .collect();
            assert_eq!(units, vec!["2380", "1864"]);
            assert_eq!(seen.len(), 2, "progress per page");
            assert_eq!(parsed.sha256.len(), 64);
        }
    }

    #[test]
    fn a_bad_page_names_its_address() {
        let units = Units::sweden();
        let known = Known::units(&units);
        let base = mock::serve(vec![
            (
                "/first".into(),
                page("2380", Some("{base}/broken"), ApiVersion::V3),
            ),
            ("/broken".into(), "{\"values\": [".into()),
        ]);
        let e = fetch_data(&format!("{base}/first"), &known, |_, _| {})
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("{base}/broken, line 1")) && e.contains("truncated"),
            "{e}"
        );
        let e = fetch_data(&format!("{base}/missing"), &known, |_, _| {})
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("{base}/missing: ")) && e.contains("404"),
            "{e}"
        );
    }
}
