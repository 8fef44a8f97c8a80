//! The report's texts in Swedish and English, from Fluent files a translator can review
//! (`crates/report/locales/{sv,en}.ftl`).

use etablera_domain::Lang;

/// The texts, one Fluent file per language, compiled in. Swedish is the source.
static TEXTS: etablera_i18n::Catalog = etablera_i18n::Catalog::new(
    include_str!("../locales/sv.ftl"),
    include_str!("../locales/en.ftl"),
);

/// The report's text `id` in the language.
pub(crate) fn tr(lang: Lang, id: &'static str) -> &'static str {
    TEXTS.get(lang, id)
}

/// The report's text `id` with its variables given values (already formatted).
pub(crate) fn tr_with(lang: Lang, id: &'static str, args: &[(&str, &str)]) -> String {
    TEXTS.get_with(lang, id, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both files parse and format, with the same ids and variables; every id the code asks
    /// for is in them, and none is left unused.
    #[test]
    fn every_report_text_is_in_both_languages() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let n = etablera_i18n::check(&TEXTS.sources(), &src, &["i18n.rs"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(n > 50, "{n} texts");
        assert_eq!(tr(Lang::Sv, "report-action-plan"), "Handlingsplan");
        assert_eq!(
            tr_with(Lang::En, "report-by-year", &[("year", "2030")]),
            "by 2030"
        );
    }
}
