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
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for _ in 0..MAX_PAGES {
        let body = get(&agent, &url)?;
        let page = parse_data(&url, &body, known)?;
        observations.extend(page.observations);
        progress(observations.len() as u64, page.count);
        bodies.push(body);
        match page.next {
            Some(next) if next != url => url = next,
            _ => {
                let parts: Vec<&[u8]> = bodies.iter().map(|b| b.as_slice()).collect();
                return Ok(Parsed {
                    observations,
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
