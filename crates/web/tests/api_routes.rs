//! The OpenAPI document is generated from the routes (use-case issue): every `/api/v1`
//! route is registered through `utoipa_axum::routes!`, which adds the handler's
//! `#[utoipa::path]` description to the document in the same call. A plain axum `.route(`
//! under `/api/v1` would serve a path the document does not name; this test finds one.
//! (`tests/http.rs` checks the document's paths against the list of the API's routes, and
//! schemathesis checks every answer against the document.)

use std::path::Path;

fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    out
}

/// The paths given to plain `.route("…"` calls in a source text.
fn plain_routes(text: &str) -> Vec<String> {
    text.match_indices(".route(")
        .filter_map(|(i, m)| {
            let rest = text[i + m.len()..].trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

#[test]
fn every_api_route_is_registered_with_its_description() {
    let all = sources();
    assert!(all.len() > 5, "the web crate's sources are read");
    for (file, text) in &all {
        let plain = plain_routes(text);
        if file.ends_with("src/api.rs") {
            assert_eq!(
                plain,
                ["/openapi.json"],
                "{file}: an API route added with a plain `.route` is missing from the document; register it with `routes!` and `#[utoipa::path]`"
            );
        } else {
            for p in plain {
                assert!(
                    !p.starts_with("/api"),
                    "{file}: `{p}` is served under /api without a description in the OpenAPI document"
                );
            }
        }
    }
    // The register's API routes go through `routes!` too.
    let register: String = all
        .iter()
        .filter(|(f, _)| f.contains("src/register/"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(!register.is_empty(), "the register's sources are read");
    for h in ["api_persons", "api_person", "api_statistics"] {
        assert!(
            register.contains(&format!("routes!({h})")),
            "{h} is routed with its description"
        );
    }
}

#[test]
fn the_checker_finds_a_plain_route() {
    assert_eq!(
        plain_routes("Router::new().route(\"/api/v1/x\", get(x)).route( \"/y\", get(y))"),
        ["/api/v1/x", "/y"]
    );
}
