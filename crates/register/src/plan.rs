//! The newcomer's own plan ("min plan") in six languages, in plain words.
//!
//! The texts are Etablera's own, in Fluent files a translator can review
//! (`crates/register/locales/{sv,en,ar,prs,so,ti}.ftl`). The Arabic, Dari, Somali and
//! Tigrinya versions should be checked by an authorised translator before a municipality
//! relies on them; a municipality can override the activity names in its catalogue.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A language the plan is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanLang {
    #[default]
    Sv,
    En,
    Ar,
    /// Dari (Afghan Persian), written in the Persian alphabet.
    Prs,
    So,
    Ti,
}

impl PlanLang {
    pub const ALL: [PlanLang; 6] = [
        PlanLang::Sv,
        PlanLang::En,
        PlanLang::Ar,
        PlanLang::Prs,
        PlanLang::So,
        PlanLang::Ti,
    ];
    /// The BCP 47 tag for `lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            PlanLang::Sv => "sv",
            PlanLang::En => "en",
            PlanLang::Ar => "ar",
            PlanLang::Prs => "prs",
            PlanLang::So => "so",
            PlanLang::Ti => "ti",
        }
    }
    pub fn parse(s: &str) -> Option<PlanLang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fa" | "fa-af" => Some(PlanLang::Prs),
            t => PlanLang::ALL.into_iter().find(|l| l.tag() == t),
        }
    }
    /// Right-to-left scripts.
    pub fn rtl(self) -> bool {
        matches!(self, PlanLang::Ar | PlanLang::Prs)
    }
    /// The language's name in itself, for the language menu.
    pub fn own_name(self) -> &'static str {
        match self {
            PlanLang::Sv => "Svenska",
            PlanLang::En => "English",
            PlanLang::Ar => "العربية",
            PlanLang::Prs => "دری",
            PlanLang::So => "Soomaali",
            PlanLang::Ti => "ትግርኛ",
        }
    }
    fn i(self) -> usize {
        self as usize
    }
    /// A text of the plan page.
    pub fn t(self, key: Text) -> &'static str {
        &texts()[self.i()][key as usize]
    }
}

/// The texts of the plan page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Title,
    Intro,
    Activities,
    Activity,
    From,
    To,
    Status,
    Contact,
    NoActivities,
    PeriodEnds,
    DaysLeft,
    NextMeeting,
    CaseWorker,
    Questions,
    Print,
    Language,
    LinkValid,
    Planned,
    Referred,
    Started,
    Completed,
    Interrupted,
    Expired,
    ExpiredHelp,
}

impl Text {
    pub const ALL: [Text; 24] = [
        Text::Title,
        Text::Intro,
        Text::Activities,
        Text::Activity,
        Text::From,
        Text::To,
        Text::Status,
        Text::Contact,
        Text::NoActivities,
        Text::PeriodEnds,
        Text::DaysLeft,
        Text::NextMeeting,
        Text::CaseWorker,
        Text::Questions,
        Text::Print,
        Text::Language,
        Text::LinkValid,
        Text::Planned,
        Text::Referred,
        Text::Started,
        Text::Completed,
        Text::Interrupted,
        Text::Expired,
        Text::ExpiredHelp,
    ];

    /// The message id in the plan's Fluent files (`crates/register/locales/<tag>.ftl`).
    pub fn id(self) -> &'static str {
        match self {
            Text::Title => "plan-title",
            Text::Intro => "plan-intro",
            Text::Activities => "plan-activities",
            Text::Activity => "plan-activity",
            Text::From => "plan-from",
            Text::To => "plan-to",
            Text::Status => "plan-status",
            Text::Contact => "plan-contact",
            Text::NoActivities => "plan-no-activities",
            Text::PeriodEnds => "plan-period-ends",
            Text::DaysLeft => "plan-days-left",
            Text::NextMeeting => "plan-next-meeting",
            Text::CaseWorker => "plan-case-worker",
            Text::Questions => "plan-questions",
            Text::Print => "plan-print",
            Text::Language => "plan-language",
            Text::LinkValid => "plan-link-valid",
            Text::Planned => "plan-planned",
            Text::Referred => "plan-referred",
            Text::Started => "plan-started",
            Text::Completed => "plan-completed",
            Text::Interrupted => "plan-interrupted",
            Text::Expired => "plan-expired",
            Text::ExpiredHelp => "plan-expired-help",
        }
    }
}

/// The plan's texts, one Fluent file per language, compiled in (translators edit the
/// files; `tests` checks that every file parses and has every message).
const SOURCES: [&str; 6] = [
    include_str!("../locales/sv.ftl"),
    include_str!("../locales/en.ftl"),
    include_str!("../locales/ar.ftl"),
    include_str!("../locales/prs.ftl"),
    include_str!("../locales/so.ftl"),
    include_str!("../locales/ti.ftl"),
];

/// Every text in every language, formatted once with Fluent: `[language][text]`. A message
/// missing from a language (which the tests forbid) falls back to Swedish, then to its id.
fn texts() -> &'static [Vec<String>] {
    static TEXTS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let formatted: Vec<Vec<Option<String>>> = PlanLang::ALL
            .iter()
            .map(|l| format_all(*l, SOURCES[l.i()]))
            .collect();
        formatted
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&formatted[0])
                    .zip(Text::ALL)
                    .map(|((own, sv), t)| {
                        own.clone()
                            .or_else(|| sv.clone())
                            .unwrap_or_else(|| t.id().to_string())
                    })
                    .collect()
            })
            .collect()
    })
}

/// Each text of one language's Fluent source, or `None` where it is missing or empty.
fn format_all(lang: PlanLang, source: &str) -> Vec<Option<String>> {
    let (mut texts, _) = etablera_i18n::format_messages(lang.tag(), source);
    Text::ALL.iter().map(|t| texts.remove(t.id())).collect()
}

impl crate::InterventionStatus {
    /// The status in plain words in the plan's language.
    pub fn plain(self, lang: PlanLang) -> &'static str {
        lang.t(match self {
            crate::InterventionStatus::Planned => Text::Planned,
            crate::InterventionStatus::Referred => Text::Referred,
            crate::InterventionStatus::Started => Text::Started,
            crate::InterventionStatus::Completed => Text::Completed,
            crate::InterventionStatus::Interrupted => Text::Interrupted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_every_language() {
        for l in PlanLang::ALL {
            let source = SOURCES[l.i()];
            assert_eq!(
                etablera_i18n::syntax_errors(source),
                None,
                "{}.ftl does not parse",
                l.tag()
            );
            for (t, text) in Text::ALL.iter().zip(format_all(l, source)) {
                assert!(
                    text.is_some(),
                    "{}.ftl: `{}` is missing or empty",
                    l.tag(),
                    t.id()
                );
            }
        }
        // Each language's own text, not a fallback: the titles differ.
        let titles: std::collections::HashSet<_> =
            PlanLang::ALL.iter().map(|l| l.t(Text::Title)).collect();
        assert_eq!(titles.len(), 6);
        assert_eq!(PlanLang::Sv.t(Text::Title), "Min plan");
        assert_eq!(PlanLang::Ar.t(Text::Title), "خطتي");
        for l in PlanLang::ALL {
            assert_eq!(PlanLang::parse(l.tag()), Some(l));
        }
        assert_eq!(PlanLang::parse("fa"), Some(PlanLang::Prs));
        assert!(PlanLang::Ar.rtl() && PlanLang::Prs.rtl() && !PlanLang::Ti.rtl());
    }
}
