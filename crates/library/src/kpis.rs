//! The Kolada KPIs that best measure a target: the target's sentence is compared with every
//! KPI's title, word by word after a light Swedish stemming, a word rarer in the catalogue
//! counting for more (inverse document frequency), and a compound matching its head or
//! its first part ("etablering" finds "etableringsuppdraget"). A target in percent prefers
//! a KPI that is a share ("andel (%)"), one in numbers a count ("antal").

use crate::targets::Unit;
use std::collections::HashMap;

/// Words too common in targets and titles to tell KPIs apart.
/// Sorted (a binary search finds them).
const STOP: &[&str] = &[
    "alla",
    "ambition",
    "andel",
    "andelen",
    "antal",
    "antalet",
    "att",
    "av",
    "bl",
    "bli",
    "ca",
    "cirka",
    "de",
    "den",
    "deras",
    "det",
    "dvs",
    "efter",
    "eller",
    "en",
    "ett",
    "fler",
    "från",
    "för",
    "ha",
    "har",
    "hela",
    "högst",
    "i",
    "inom",
    "kommun",
    "kommunen",
    "kommunens",
    "kvantitativa",
    "ligga",
    "med",
    "mer",
    "minska",
    "minst",
    "mål",
    "målet",
    "nivå",
    "nå",
    "och",
    "om",
    "per",
    "procent",
    "på",
    "samma",
    "sig",
    "sin",
    "sina",
    "ska",
    "skall",
    "som",
    "st",
    "till",
    "totalt",
    "under",
    "uppgå",
    "uppgår",
    "vara",
    "vid",
    "vision",
    "visionen",
    "än",
    "är",
    "år",
    "öka",
    "ökar",
];

/// A word in its stem: lower case, the longest of the common Swedish endings cut off while
/// at least four letters remain.
pub fn stem(word: &str) -> String {
    stem_lower(word.to_lowercase())
}

/// [`stem`] of a word already in lower case, cutting it in place.
fn stem_lower(mut w: String) -> String {
    const ENDINGS: &[&str] = &[
        "erande", "arnas", "ernas", "ornas", "heten", "heter", "andes", "andet", "ierna", "erade",
        "arna", "erna", "orna", "erar", "ande", "ende", "aste", "else", "ier", "era", "ast", "are",
        "het", "ens", "ern", "ing", "ar", "er", "or", "en", "et", "na", "a", "e", "s",
    ];
    let chars = w.chars().count();
    for e in ENDINGS {
        // The endings are ASCII: their length in bytes is their length in letters.
        if w.ends_with(e) && chars - e.len() >= 4 {
            w.truncate(w.len() - e.len());
            return w;
        }
    }
    w
}

/// Words a search does not index or look for: function words, and the words every
/// municipality's document has ("kommunen"). Unlike [`STOP`], "mål", "andel" and "procent"
/// are searched: a strategist looks for them. Sorted.
const SEARCH_STOP: &[&str] = &[
    "att",
    "av",
    "bl",
    "ca",
    "de",
    "den",
    "deras",
    "det",
    "dvs",
    "efter",
    "eller",
    "en",
    "ett",
    "från",
    "för",
    "ha",
    "har",
    "i",
    "inom",
    "kommun",
    "kommunen",
    "kommunens",
    "med",
    "mer",
    "och",
    "om",
    "per",
    "på",
    "sig",
    "sin",
    "sina",
    "ska",
    "skall",
    "som",
    "st",
    "till",
    "under",
    "vara",
    "vid",
    "än",
    "är",
    "år",
];

/// The stems of a text's words that say something for telling KPIs apart.
pub fn stems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_stem_but(text, STOP, |s| out.push(s));
    out
}

/// The stems of a text's words a search looks for.
pub fn search_stems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_search_stem(text, |s| out.push(s));
    out
}

/// Hands each stem of a text's words a search indexes to `f`, in order.
pub fn each_search_stem(text: &str, f: impl FnMut(String)) {
    each_stem_but(text, SEARCH_STOP, f)
}

fn each_stem_but(text: &str, stop: &[&str], mut f: impl FnMut(String)) {
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.len() < 3 || w.chars().count() < 3 || w.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let lower = w.to_lowercase();
        if stop.binary_search(&lower.as_str()).is_ok() {
            continue;
        }
        f(stem_lower(lower));
    }
}

/// Whether two stems name the same thing: equal, or one the start or the end of the other
/// with at least five letters in common (the parts of a compound).
fn same(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.chars().count() >= 5 && (long.starts_with(short) || long.ends_with(short))
}

/// What municipal texts call a subject, and the words Kolada's titles use for it: a target
/// on "nyanlända i arbete eller studier" is measured by KPIs on "skyddsbehövande …
/// förvärvsarbetande eller studerande" and "lämnat etableringsuppdraget och börjat arbeta
/// eller studera". Each entry: phrases of the text (lower case, matched as the start of a
/// word), and words added to the comparison with the titles. Written from the catalogue's
/// titles and the common subjects of municipal targets (work, self-support, reception,
/// school, SFI, population, safety), not from any one evaluation text.
const CONCEPTS: &[(&[&str], &str)] = &[
    (
        &[
            "nyanlän",
            "flykting",
            "skyddsbehövande",
            "etableringsperiod",
            "etableringsuppdrag",
            "etableringsprogram",
        ],
        "skyddsbehövande flyktingar flyktingmottagandet etableringsuppdraget",
    ),
    (
        &[
            "i arbete eller studie",
            "arbete eller studie",
            "arbete alternativt utbildning",
            "arbete eller utbildning",
            "arbeta eller studera",
            "etableras",
            "etablerade",
            "egen försörjning",
            "självförsörj",
        ],
        "förvärvsarbetande studerande börjat arbeta studera",
    ),
    (
        &[
            "sysselsättning",
            "sysselsatt",
            "i arbete",
            "förvärvsarbet",
            "förvärvsfrekvens",
            "jobb",
        ],
        "förvärvsarbetande förvärvsintensitet",
    ),
    (
        &[
            "utanförskap",
            "försörjningsstöd",
            "ekonomiskt bistånd",
            "bidragsberoende",
            "biståndsberoende",
            "biståndstagare",
            "långvarigt bistånd",
        ],
        "ekonomiskt bistånd biståndsmottagare",
    ),
    (&["arbetslös"], "arbetslöshet arbetslösa"),
    (
        &["invånare", "kommuninvånare", "folkmängd"],
        "invånare totalt",
    ),
    (
        &[
            "ta emot",
            "tas emot",
            "mottagande av",
            "mottagningen av",
            "kommunmottag",
        ],
        "kommunmottagna flyktingmottagandet",
    ),
    (&["behörig"], "behöriga elever"),
    (&["sfi", "svenska för invandrare"], "sfi elever"),
    (
        &[
            "fullföljer",
            "fullföljt",
            "fullfölja",
            "examen",
            "slutför",
            "genomströmning",
        ],
        "examen gymnasieelever fullföljt",
    ),
    (&["medarbetare", "anställda", "personal"], "anställda"),
    (&["trygg", "otrygg"], "trygghet trygga"),
    (
        &["utrikes född", "utlandsfödd", "född utomlands"],
        "utrikes födda",
    ),
];

/// The headline KPIs of common subjects of municipal targets: when a sentence names the
/// subject (every group of phrases has one, matched at the start of a word), these KPIs are
/// suggested first. Which unit the target must have: `Some(true)` a share, `Some(false)`
/// not a share, `None` either. Kolada's own headline measures, chosen from the catalogue.
type Headline = (
    &'static [&'static [&'static str]],
    &'static [&'static str],
    Option<bool>,
);
const HEADLINES: &[Headline] = &[
    (
        &[&[
            "invånare",
            "kommuninvånare",
            "befolkning",
            "folkmängd",
            "medborgare",
        ]],
        &["N01951"],
        Some(false),
    ),
    (
        &[
            &["invånare", "kommuninvånare", "befolkning", "folkmängd"],
            &["öka", "växa", "minska"],
        ],
        &["N01958"],
        Some(true),
    ),
    (
        &[&[
            "försörjningsstöd",
            "ekonomiskt bistånd",
            "egenförsörjning",
            "självförsörj",
            "bidragsberoende",
            "biståndsberoende",
            "utanförskap",
        ]],
        &["N31807"],
        None,
    ),
    (&[&["återflöde", "återaktualiser"]], &["U31462"], None),
    (
        &[
            &["behörig"],
            &[
                "gymnasi",
                "yrkesprogram",
                "nationellt program",
                "nationella program",
            ],
        ],
        &["N15428", "N15424"],
        None,
    ),
    (
        &[
            &["examen", "fullföljer", "fullfölja", "fullföljt", "slutför"],
            &["gymnasi"],
        ],
        &["N17461", "N17445"],
        None,
    ),
    (&[&["arbetslös"]], &["N03932", "N03920"], None),
    (
        &[&[
            "växthusgas",
            "klimatneutral",
            "koldioxidutsläpp",
            "utsläppen av koldioxid",
            "klimatutsläpp",
        ]],
        &["N00401", "N07702"],
        None,
    ),
    (
        &[
            &["fossil"],
            &["fordon", "bilar", "transport", "resor", "tjänsteresor"],
        ],
        &["U00502"],
        None,
    ),
    (
        &[&["fossilbränslefri", "fossila bränslen"]],
        &["N45909"],
        None,
    ),
    (&[&["soliditet"]], &["N03002"], None),
    (
        &[&["kassalikviditet", "betalningsberedskap"]],
        &["N03105"],
        None,
    ),
    (&[&["årets resultat"]], &["N03102", "N03007"], None),
    (&[&["skattesats"]], &["N00901"], None),
    (
        &[&["investeringar", "investeringsvolym"]],
        &["N03132", "N03148"],
        None,
    ),
    (
        &[&["förvärvsfrekvens", "förvärvsarbetande"]],
        &["N00914"],
        Some(true),
    ),
    (
        &[
            &["förskol"],
            &["högskol", "pedagogisk examen", "förskollärare"],
        ],
        &["N11023"],
        None,
    ),
    (
        &[
            &["skolor", "skolan", "grundskol"],
            &["bästa", "ranking", "rankning"],
        ],
        &["U15428"],
        None,
    ),
    (&[&["trygg", "otrygg"]], &["N00301", "N00610"], None),
    (&[&["inflytande", "påverka"]], &["N00669", "N00650"], None),
    (
        &[&["arbetstillfällen", "arbetsplatser i", "jobb i"]],
        &["N00981"],
        None,
    ),
    (
        &[
            &["vuxenutbildning", "komvux"],
            &["godkän", "klarar", "klarat", "studieresultat"],
        ],
        &["N18945", "N18944"],
        None,
    ),
    (
        &[
            &["nyanlän"],
            &[
                "arbete eller studie",
                "arbeta eller studera",
                "etabler",
                "egen försörjning",
            ],
        ],
        &["N00973", "N00712"],
        None,
    ),
    (
        &[
            &["ungdomar", "unga "],
            &["arbetar eller studerar", "arbete eller studier"],
        ],
        &["N17434"],
        None,
    ),
    (
        &[
            &["utrikes född"],
            &["arbete", "förvärvs", "sysselsatt", "sysselsättning"],
        ],
        &["N00713"],
        None,
    ),
];

/// Title words of KPIs read from a survey of residents' opinions, which measure a target
/// only when the target speaks of what residents think.
const SURVEY: &[&str] = &[
    "medborgarundersökningen",
    "kommunindex",
    "regionindex",
    "nöjd-",
];
const OPINION: &[&str] = &[
    "upplever",
    "nöjd",
    "nöjda",
    "betyg",
    "undersökning",
    "enkät",
    "känner",
];

/// Whether a title names one age or an age band narrower than 30 years ("0 år", "65+ år",
/// "0-17 år", "20-24 år").
fn narrow_ages(title: &str) -> bool {
    title.match_indices(" år").any(|(i, _)| {
        let token = title[..i].rsplit(' ').next().unwrap_or("");
        if let Some((from, to)) = token.split_once('-') {
            return matches!(
                (from.parse::<u32>(), to.parse::<u32>()),
                (Ok(f), Ok(t)) if t >= f && t - f < 30
            );
        }
        let age = token.trim_end_matches('+');
        !age.is_empty() && age.len() <= 3 && age.bytes().all(|b| b.is_ascii_digit())
    })
}

/// KPIs to suggest from.
#[derive(Debug)]
pub struct Catalogue {
    kpis: Vec<(String, String, Vec<String>)>,
    idf: HashMap<String, f64>,
}

/// A suggested KPI.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
    /// How well the title matches the target (higher is better; not a probability).
    pub score: f64,
}

impl Catalogue {
    /// A catalogue of (id, title) pairs.
    pub fn new(kpis: impl IntoIterator<Item = (String, String)>) -> Catalogue {
        let kpis: Vec<(String, String, Vec<String>)> = kpis
            .into_iter()
            .map(|(id, title)| {
                let s = stems(&title);
                (id, title, s)
            })
            .collect();
        let mut df: HashMap<String, f64> = HashMap::new();
        for (_, _, s) in &kpis {
            let mut seen: Vec<&String> = s.iter().collect();
            seen.sort();
            seen.dedup();
            for w in seen {
                *df.entry(w.clone()).or_default() += 1.0;
            }
        }
        let n = kpis.len().max(1) as f64;
        let idf = df
            .into_iter()
            .map(|(w, d)| (w, (1.0 + n / d).ln()))
            .collect();
        Catalogue { kpis, idf }
    }

    /// The `n` KPIs whose titles best match a target's sentence, best first.
    pub fn suggest(&self, sentence: &str, unit: Option<Unit>, n: usize) -> Vec<Suggestion> {
        let lower = sentence.to_lowercase();
        let at_word_start = |phrase: &str| {
            lower.match_indices(phrase).any(|(i, _)| {
                lower[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        };
        let mut query = stems(sentence);
        for (phrases, words) in CONCEPTS {
            if phrases.iter().any(|p| at_word_start(p)) {
                query.extend(stems(words));
            }
        }
        query.sort();
        query.dedup();
        let opinion = OPINION.iter().any(|w| at_word_start(w));
        let share = matches!(unit, Some(Unit::Percent | Unit::PercentagePoints));
        let headline: std::collections::HashSet<&str> = HEADLINES
            .iter()
            .filter(|(groups, _, want_share)| {
                groups.iter().all(|g| g.iter().any(|p| at_word_start(p)))
                    && want_share.is_none_or(|w| w == share || unit.is_none() && !w)
            })
            .flat_map(|(_, ids, _)| ids.iter().copied())
            .collect();
        let ages_named = lower.contains(" år")
            && lower.chars().any(|c| c.is_ascii_digit())
            && (lower.contains("åring")
                || lower.contains("-")
                || lower.contains("–")
                || lower.contains("ålder"));
        let rare = |w: &str| self.idf.get(w).copied().unwrap_or(0.0);
        let mut scored: Vec<(f64, usize)> = self
            .kpis
            .iter()
            .enumerate()
            .filter_map(|(i, (_, title, words))| {
                let mut score = 0.0;
                for q in &query {
                    let best = words
                        .iter()
                        .filter(|w| same(q, w))
                        .map(|w| rare(w))
                        .fold(0.0, f64::max);
                    score += best;
                }
                let lead = headline.contains(self.kpis[i].0.as_str());
                if score == 0.0 && !lead {
                    return None;
                }
                // Titles with many words match many queries: a mild length norm.
                score /= (words.len().max(1) as f64).sqrt().max(1.0).powf(0.5);
                let t = title.to_lowercase();
                if !opinion && SURVEY.iter().any(|w| t.contains(w)) {
                    score *= 0.5;
                }
                // A yes/no KPI ("(Ja=1, Nej=0)") states whether something exists, rarely a
                // target's level; an age band narrower than working age measures a group
                // the target names only when it names an age.
                if t.contains("ja=1") {
                    score *= 0.5;
                }
                if !ages_named && narrow_ages(&t) {
                    score *= 0.7;
                }
                let share = t.contains("andel") || t.contains("(%)");
                match unit {
                    Some(Unit::Percent | Unit::PercentagePoints) if share => score *= 1.3,
                    Some(Unit::Count) if t.contains("antal") => score *= 1.3,
                    Some(Unit::Kronor) if t.contains("kr") => score *= 1.3,
                    _ => {}
                }
                Some((score, i))
            })
            .collect();
        // A subject's headline KPIs first, then by how well the titles match.
        let lead = |i: usize| headline.contains(self.kpis[i].0.as_str());
        scored.sort_by(|a, b| {
            lead(b.1)
                .cmp(&lead(a.1))
                .then(b.0.total_cmp(&a.0))
                .then(a.1.cmp(&b.1))
        });
        scored
            .into_iter()
            .take(n)
            .map(|(score, i)| Suggestion {
                id: self.kpis[i].0.clone(),
                title: self.kpis[i].1.clone(),
                score: (score * 100.0).round() / 100.0,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stop_lists_are_sorted() {
        for list in [super::STOP, super::SEARCH_STOP] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    use super::*;

    #[test]
    fn stems_meet_across_inflections_and_compounds() {
        assert_eq!(stem("förvärvsarbetande"), stem("förvärvsarbetar"));
        assert_eq!(stem("studierna"), stem("studier"));
        // A verb in -era and its noun in -ier: "studera" and "studier".
        assert_eq!(stem("studera"), stem("studier"));
        assert_eq!(stem("studerande"), stem("studerar"));
        assert!(same(&stem("etablering"), &stem("etableringsuppdraget")));
        assert!(!same("arbe", "arbetsmarknad"));
        assert!(STOP.windows(2).all(|w| w[0] < w[1]), "STOP is sorted");
    }

    #[test]
    fn the_best_title_comes_first() {
        let c = Catalogue::new([
            ("N1".to_string(), "Utrikes födda, andel (%)".to_string()),
            ("N2".to_string(), "Invånare totalt, antal".to_string()),
            (
                "N3".to_string(),
                "Utrikes födda med eftergymnasial utbildning, andel (%)".to_string(),
            ),
        ]);
        let s = c.suggest(
            "Minst 10 % av befolkningen är utrikes födda år 2020",
            Some(Unit::Percent),
            3,
        );
        assert_eq!(s[0].id, "N1", "{s:?}");
        assert!(s.iter().all(|x| x.id != "N2"), "{s:?}");
    }

    /// The words texts use find the words titles use; a survey, a yes/no KPI and a
    /// narrow age band give way when the target names none of them.
    #[test]
    fn a_texts_words_find_the_titles_words() {
        let c = Catalogue::new(
            [
                ("A", "Förvärvsarbetande eller studerande skyddsbehövande och anhöriga (flyktingar) 20-64 år, andel (%)"),
                ("B", "Medborgarundersökningen - Kommunens arbete för integration fungerar bra, andel (%)"),
                ("C", "Invånare som någon gång under året erhållit ekonomiskt bistånd, andel (%) av bef."),
                ("D", "Biståndsmottagare ekonomiskt bistånd, 18-19 år, andel (%)"),
                ("E", "Kommunen har plan för integration, (Ja=1, Nej=0)"),
            ]
            .map(|(i, t)| (i.to_string(), t.to_string())),
        );
        let s = c.suggest(
            "Nyanlända ska vara i arbete eller studier efter etableringsperioden.",
            Some(Unit::Percent),
            1,
        );
        assert_eq!(s[0].id, "A", "{s:?}");
        let s = c.suggest(
            "Utanförskapet ska minska med 20 procent.",
            Some(Unit::Percent),
            2,
        );
        let mut ids: Vec<&str> = s.iter().map(|x| x.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["C", "D"], "{s:?}");
        let s = c.suggest("Kommunens integration ska fungera.", None, 3);
        assert_ne!(s[0].id, "E", "{s:?}");
    }

    /// A subject's headline KPI comes first when the sentence names the subject.
    #[test]
    fn a_subjects_headline_kpi_comes_first() {
        let c = Catalogue::new(
            [
                ("N01951", "Invånare  totalt, antal"),
                ("N79711", "Rollatorer utlämnade, antal/10000 invånare"),
                ("N01713", "Invånare 16-64 år, antal"),
                ("N01811", "Invånare 16-64 år, andel (%)"),
            ]
            .map(|(i, t)| (i.to_string(), t.to_string())),
        );
        let s = c.suggest(
            "Senast 2030 ska antalet invånare uppgå till 20 000.",
            Some(Unit::Count),
            3,
        );
        assert_eq!(s[0].id, "N01951", "{s:?}");
        // A share of the population is not the population.
        let s = c.suggest(
            "Andelen invånare 16-64 år ska vara minst 60 procent.",
            Some(Unit::Percent),
            1,
        );
        assert_eq!(s[0].id, "N01811", "{s:?}");
    }
}
