//! The web interface's texts in Swedish and English, from Fluent files a translator can
//! review (`crates/web/locales/{sv,en}.ftl`). It depends on nothing else in the crate, so
//! every module may use it.

use etablera_domain::Lang;
use std::collections::HashMap;

/// The interface's texts, one Fluent file per language, compiled in: translators review
/// and edit `crates/web/locales/{sv,en}.ftl` without reading Rust. Swedish is the source.
const SOURCES: [(&str, &str); 2] = [
    ("sv", include_str!("../locales/sv.ftl")),
    ("en", include_str!("../locales/en.ftl")),
];

/// Every message of a Fluent source, formatted once (they take no arguments; numbers and
/// dates are formatted by `domain::format`, as Swedes read them): id → text, and the ids
/// that did not format.
fn format_messages(tag: &str, source: &str) -> (HashMap<String, String>, Vec<String>) {
    let resource = match fluent_bundle::FluentResource::try_new(source.to_string()) {
        Ok(r) => r,
        // Entries that parse are kept; the tests fail on any error.
        Err((r, _)) => r,
    };
    let mut bundle = fluent_bundle::FluentBundle::new(vec![tag.parse().unwrap_or_default()]);
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    let mut texts = HashMap::new();
    let mut failed = Vec::new();
    let ids = source
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id));
    for id in ids {
        let pattern = bundle.get_message(id).and_then(|m| m.value());
        let mut errors = Vec::new();
        match pattern.map(|p| bundle.format_pattern(p, None, &mut errors)) {
            Some(text) if errors.is_empty() => {
                texts.insert(id.to_string(), text.into_owned());
            }
            _ => failed.push(id.to_string()),
        }
    }
    (texts, failed)
}

/// The interface's text `id` in the language. An id missing from the files (which the
/// tests forbid) is shown as itself rather than failing the page.
pub(crate) fn tr(lang: Lang, id: &'static str) -> &'static str {
    static TEXTS: std::sync::OnceLock<[HashMap<String, String>; 2]> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| SOURCES.map(|(tag, source)| format_messages(tag, source).0));
    let i = match lang {
        Lang::Sv => 0,
        Lang::En => 1,
    };
    texts[i].get(id).map_or(id, String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both files parse, every message formats, and they have the same ids; every id the
    /// code asks for (`tr(…, "id")` under `src/`) is in them.
    #[test]
    fn every_interface_text_is_in_both_languages() {
        let mut ids = Vec::new();
        for (tag, source) in SOURCES {
            assert!(
                fluent_bundle::FluentResource::try_new(source.to_string()).is_ok(),
                "{tag}.ftl does not parse"
            );
            let (texts, failed) = format_messages(tag, source);
            assert!(failed.is_empty(), "{tag}.ftl: {failed:?} do not format");
            let mut keys: Vec<String> = texts.into_keys().collect();
            keys.sort();
            ids.push(keys);
        }
        assert_eq!(ids[0], ids[1], "sv.ftl and en.ftl have different ids");
        assert!(ids[0].len() > 400, "{} texts", ids[0].len());
        let mut used = std::collections::BTreeSet::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![src];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                if p.ends_with("i18n.rs") {
                    continue; // this file names ids in its documentation and tests
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for (at, _) in text.match_indices("tr(") {
                    let before = text[..at].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue; // `str(`, `attr(`
                    }
                    let call = &text[at + 3..];
                    let Some(args) = call.split(')').next() else {
                        continue;
                    };
                    let Some((_, id)) = args.split_once(", \"") else {
                        continue;
                    };
                    let id = id.trim_end_matches('"');
                    assert!(
                        ids[0].binary_search(&id.to_string()).is_ok(),
                        "{}: `{id}` is not in the Fluent files",
                        p.display()
                    );
                    used.insert(id.to_string());
                }
            }
        }
        assert!(used.len() > 400, "{} ids used", used.len());
        let stale: Vec<&String> = ids[0].iter().filter(|id| !used.contains(*id)).collect();
        assert!(stale.is_empty(), "texts no code uses: {stale:?}");
        assert_eq!(tr(Lang::Sv, "action-plan"), "Handlingsplan");
        assert_eq!(tr(Lang::En, "action-plan"), "Action plan");
    }
}
