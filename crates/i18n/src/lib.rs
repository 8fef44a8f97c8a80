//! Etablera's own texts, kept in Fluent files (<https://projectfluent.org>) a translator can
//! review without reading Rust: the web interface (`crates/web/locales`), the annual report
//! (`crates/report/locales`) and the newcomer's plan in six languages
//! (`crates/register/locales`). Each crate compiles its files in and looks texts up by id;
//! this crate formats a file's messages once and gives each crate's test the same check of
//! its files.
//!
//! Messages take no arguments: numbers and dates are formatted by `domain::format`, the way
//! Swedes read them, which Fluent's number formatting does not do.
//!
//! ```
//! use etablera_domain::Lang;
//! let texts = etablera_i18n::Texts::new("hej = Hej\n", "hej = Hello\n");
//! assert_eq!(texts.get(Lang::Sv, "hej"), "Hej");
//! assert_eq!(texts.get(Lang::En, "hej"), "Hello");
//! // An id missing from the files (which the tests forbid) is shown as itself.
//! assert_eq!(texts.get(Lang::En, "saknas"), "saknas");
//! ```

use etablera_domain::Lang;
use fluent_bundle::{FluentBundle, FluentResource};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// The ids of the messages in a Fluent source, in the order they stand (terms and comments
/// left out). Entries that do not parse are left out too; [`check`] reports them.
pub fn message_ids(source: &str) -> Vec<String> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    resource
        .body
        .iter()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// What is wrong with a Fluent source's syntax, if anything.
pub fn syntax_errors(source: &str) -> Option<String> {
    fluent_syntax::parser::parse(source)
        .err()
        .map(|(_, errors)| format!("{errors:?}"))
}

/// Every message of a Fluent source, formatted once for the language `tag`: id → text, and
/// the ids that did not format (or are empty).
pub fn format_messages(tag: &str, source: &str) -> (HashMap<String, String>, Vec<String>) {
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(r) => r,
        // Entries that parse are kept; `check` fails on any error.
        Err((r, _)) => r,
    };
    let mut bundle = FluentBundle::new(vec![tag.parse().unwrap_or_default()]);
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    let mut texts = HashMap::new();
    let mut failed = Vec::new();
    for id in message_ids(source) {
        let pattern = bundle.get_message(&id).and_then(|m| m.value());
        let mut errors = Vec::new();
        match pattern.map(|p| bundle.format_pattern(p, None, &mut errors)) {
            // A variable (`{ $year }`) stays in the text as `{$year}`, for `Texts::get_with`.
            Some(text) if errors.iter().all(is_variable) && !text.trim().is_empty() => {
                texts.insert(id, text.into_owned());
            }
            _ => failed.push(id),
        }
    }
    (texts, failed)
}

/// Whether a formatting error is only a variable given no value (all are, when formatting
/// once without arguments).
fn is_variable(e: &fluent_bundle::FluentError) -> bool {
    use fluent_bundle::resolver::{errors::ReferenceKind, ResolverError};
    matches!(
        e,
        fluent_bundle::FluentError::ResolverError(ResolverError::Reference(
            ReferenceKind::Variable { .. }
        ))
    )
}

/// The variables (`{$name}`) a formatted text still holds, sorted.
fn variables(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split("{$")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A crate's texts in Swedish and English.
#[derive(Debug)]
pub struct Texts {
    sv: HashMap<String, String>,
    en: HashMap<String, String>,
}

impl Texts {
    /// The texts of the two Fluent sources.
    pub fn new(sv: &str, en: &str) -> Texts {
        Texts {
            sv: format_messages("sv", sv).0,
            en: format_messages("en", en).0,
        }
    }

    /// The text `id` in the language; an id missing from the files (which [`check`]
    /// forbids) is shown as itself rather than failing the page.
    pub fn get<'a>(&'a self, lang: Lang, id: &'a str) -> &'a str {
        let texts = match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        };
        texts.get(id).map_or(id, String::as_str)
    }

    /// The text `id` with its variables (`{ $year }` in the file) given values: `args` are
    /// `(name, value)`, the values already formatted as Swedes read them.
    pub fn get_with(&self, lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(lang, id).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{${name}}}"), value);
        }
        text
    }
}

/// A crate's two Fluent files, compiled in, formatted the first time a text is asked for: a
/// `static` each crate keeps, so its `tr` is one line.
#[derive(Debug)]
pub struct Catalog {
    sv: &'static str,
    en: &'static str,
    texts: std::sync::OnceLock<Texts>,
}

impl Catalog {
    /// The catalogue of the Swedish source and its English translation.
    pub const fn new(sv: &'static str, en: &'static str) -> Catalog {
        Catalog {
            sv,
            en,
            texts: std::sync::OnceLock::new(),
        }
    }

    /// `(tag, source)` of each file, Swedish first, for [`check`].
    pub fn sources(&self) -> [(&'static str, &'static str); 2] {
        [("sv", self.sv), ("en", self.en)]
    }

    fn texts(&self) -> &Texts {
        self.texts.get_or_init(|| Texts::new(self.sv, self.en))
    }

    /// [`Texts::get`].
    pub fn get(&'static self, lang: Lang, id: &'static str) -> &'static str {
        self.texts().get(lang, id)
    }

    /// [`Texts::get_with`].
    pub fn get_with(&'static self, lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
        self.texts().get_with(lang, id, args)
    }
}

/// The check a crate's test runs on its Fluent files (`(tag, source)`, the first the one
/// the others are translated from): each parses and every message formats; all have the
/// same ids; every id the code under `src` asks for with `tr(…, "id")` is there (files
/// named `skip` left out: they name ids in their own tests); and no text is left that no
/// code asks for. Returns the number of ids, or every problem found.
pub fn check(sources: &[(&str, &str)], src: &Path, skip: &[&str]) -> Result<usize, String> {
    let mut problems = Vec::new();
    let mut ids: Vec<BTreeSet<String>> = Vec::new();
    let mut formatted: Vec<HashMap<String, String>> = Vec::new();
    for (tag, source) in sources {
        if let Some(errors) = syntax_errors(source) {
            problems.push(format!("{tag}.ftl does not parse: {errors}"));
        }
        let (texts, failed) = format_messages(tag, source);
        if !failed.is_empty() {
            problems.push(format!("{tag}.ftl: {failed:?} do not format"));
        }
        let all = message_ids(source);
        let unique: BTreeSet<String> = all.iter().cloned().collect();
        if unique.len() != all.len() {
            problems.push(format!("{tag}.ftl names an id twice"));
        }
        ids.push(texts.keys().cloned().collect());
        formatted.push(texts);
    }
    let Some(first) = ids.first().cloned() else {
        return Err("no Fluent files".into());
    };
    for ((tag, _), other) in sources.iter().zip(&ids).skip(1) {
        let missing: Vec<&String> = first.difference(other).collect();
        let extra: Vec<&String> = other.difference(&first).collect();
        if !missing.is_empty() || !extra.is_empty() {
            problems.push(format!(
                "{tag}.ftl lacks {missing:?} and has {extra:?} that {}.ftl has not",
                sources[0].0
            ));
        }
    }
    for ((tag, _), texts) in sources.iter().zip(&formatted).skip(1) {
        for (id, text) in texts {
            let theirs = formatted[0].get(id).map(|t| variables(t));
            if theirs.is_some_and(|v| v != variables(text)) {
                problems.push(format!(
                    "{tag}.ftl: `{id}` has other variables than in {}.ftl",
                    sources[0].0
                ));
            }
        }
    }
    let mut used = BTreeSet::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            problems.push(format!("{} cannot be read", d.display()));
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let name = p.file_name().map(|n| n.to_string_lossy().to_string());
            if name.as_deref().is_some_and(|n| skip.contains(&n)) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            for id in ids_asked_for(&text) {
                if !first.contains(id) {
                    problems.push(format!(
                        "{}: `{id}` is not in the Fluent files",
                        p.display()
                    ));
                }
                used.insert(id.to_string());
            }
        }
    }
    let stale: Vec<&String> = first.iter().filter(|id| !used.contains(*id)).collect();
    if !stale.is_empty() {
        problems.push(format!("texts no code asks for: {stale:?}"));
    }
    if problems.is_empty() {
        Ok(first.len())
    } else {
        Err(problems.join("\n"))
    }
}

/// The ids in `tr(…, "id")` and `tr_with(…, "id", …)` calls of a Rust source.
fn ids_asked_for(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for call in ["tr(", "tr_with("] {
        for (at, _) in text.match_indices(call) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `str(`, `attr(`
            }
            // The arguments up to the first `)`: `lang, "id"` or `lang, "id", &[("x", &x`.
            let head = text[at + call.len()..]
                .split(')')
                .next()
                .unwrap_or_default();
            let Some((_, rest)) = head.split_once(',') else {
                continue;
            };
            let Some(rest) = rest.trim_start().strip_prefix('"') else {
                continue;
            };
            if let Some((id, _)) = rest.split_once('"') {
                out.push(id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_finds_each_kind_of_problem() {
        let dir = std::env::temp_dir().join(format!("etablera-i18n-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.rs"), "tr(lang, \"a\"); tr(lang, \"gone\");").unwrap();
        let sv = "a = A\nb = B\n";
        let en = "a = A\nc = C\n";
        let e = check(&[("sv", sv), ("en", en)], &dir, &[]).unwrap_err();
        assert!(e.contains("en.ftl lacks [\"b\"] and has [\"c\"]"), "{e}");
        assert!(e.contains("`gone` is not in the Fluent files"), "{e}");
        assert!(e.contains("texts no code asks for: [\"b\"]"), "{e}");
        let broken = check(&[("sv", "a = {")], &dir, &[]).unwrap_err();
        assert!(broken.contains("does not parse"), "{broken}");
        std::fs::write(dir.join("a.rs"), "tr(lang, \"a\"); str(\"x\", \"y\")").unwrap();
        assert_eq!(
            check(&[("sv", "a = A\n"), ("en", "a = A\n")], &dir, &[]),
            Ok(1)
        );
        // Variables: the same in every language, filled in by `get_with`.
        std::fs::write(
            dir.join("a.rs"),
            "tr_with(\n  lang,\n  \"y\",\n  &[(\"year\", &y)],\n)",
        )
        .unwrap();
        let sv = "y = till { $year }\n";
        assert_eq!(
            check(&[("sv", sv), ("en", "y = by { $year }\n")], &dir, &[]),
            Ok(1)
        );
        let e = check(&[("sv", sv), ("en", "y = by { $yaer }\n")], &dir, &[]).unwrap_err();
        assert!(e.contains("`y` has other variables"), "{e}");
        let texts = Texts::new(sv, "y = by { $year }\n");
        assert_eq!(
            texts.get_with(Lang::Sv, "y", &[("year", "2030")]),
            "till 2030"
        );
        assert_eq!(
            texts.get_with(Lang::En, "y", &[("year", "2030")]),
            "by 2030"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
