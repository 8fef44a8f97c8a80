//! The web interface's texts in Swedish and English, from Fluent files a translator can
//! review (`crates/web/locales/{sv,en}.ftl`). It depends on nothing else in the crate, so
//! every module may use it.

use etablera_domain::Lang;

/// The interface's texts, one Fluent file per language, compiled in: translators review
/// and edit `crates/web/locales/{sv,en}.ftl` without reading Rust. Swedish is the source.
static TEXTS: etablera_i18n::Catalog = etablera_i18n::Catalog::new(
    include_str!("../locales/sv.ftl"),
    include_str!("../locales/en.ftl"),
);

/// The interface's text `id` in the language. An id missing from the files (which the
/// tests forbid) is shown as itself rather than failing the page.
pub(crate) fn tr(lang: Lang, id: &'static str) -> &'static str {
    TEXTS.get(lang, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both files parse, every message formats, and they have the same ids; every id the
    /// code asks for (`tr(…, "id")` under `src/`) is in them, and none is left unused.
    #[test]
    fn every_interface_text_is_in_both_languages() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        // This file names ids in its tests.
        let n = etablera_i18n::check(&TEXTS.sources(), &src, &["i18n.rs"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(n > 400, "{n} texts");
        assert_eq!(tr(Lang::Sv, "action-plan"), "Handlingsplan");
        assert_eq!(tr(Lang::En, "action-plan"), "Action plan");
    }
}
