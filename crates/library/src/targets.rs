//! Targets read out of a Swedish strategy's sentences: which sentences state a target (not
//! a fact, an intention without a measure, or a vision), and each target's comparator,
//! value and unit, year, yearly flow and sex. What comes out is a draft: a strategist
//! accepts, edits or rejects it.

use crate::sentences::{self, Sentence};
use etablera_domain::Sex;
use serde::Serialize;

/// What a sentence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A measurable aim: a level, a direction or a comparison, with or without a year.
    Target,
    /// How something is or was ("uppgick till 54 procent 2019").
    Fact,
    /// What someone will do, without a measure ("Kommunen ska verka för …").
    Intention,
    /// A picture of the future ("Visionen är …").
    Vision,
    Other,
}

/// How a target compares its subject with its value or reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// minst, lägst, åtminstone; also "cirka" and "uppgå till" (reach about the value).
    AtLeast,
    /// högst, maximalt, inte överstiga.
    AtMost,
    /// öka, höjas, förbättras (a change, with `value` when it says by how much).
    Increase,
    /// minska, sänkas, reduceras.
    Decrease,
    Halve,
    Double,
    /// "på samma nivå som …", "i nivå med …" (with a bound when it says högst/minst).
    SameLevelAs,
    /// "motsvara riksgenomsnittet".
    NationalAverage,
    /// "alla", "samtliga": 100 %.
    All,
    /// "ingen", "inga": 0 %.
    None,
}

/// The unit of a target's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    PercentagePoints,
    Kronor,
    Count,
}

/// A target as read from one sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    /// The sentence, as it stands in the text.
    pub sentence: String,
    /// Where the sentence starts in the text (a byte offset).
    pub start: usize,
    pub comparator: Comparator,
    /// For `SameLevelAs`: whether the value shall be at most (`AtMost`) or at least the
    /// reference's.
    pub bound: Option<Comparator>,
    pub value: Option<f64>,
    pub unit: Option<Unit>,
    /// The year the target shall be met.
    pub year: Option<i32>,
    /// `false` when the text names no year and `year` is the strategy's period end (to be
    /// checked by the strategist).
    pub year_in_text: bool,
    /// "årligen", "per år": the value is a yearly flow.
    pub per_year: bool,
    pub sex: Option<Sex>,
}

/// Every target in a text: the sentences that state one, each read. `period_end` is the
/// strategy's last year, for targets that name none.
pub fn read(text: &str, period_end: Option<i32>) -> Vec<Draft> {
    let mut out = Vec::new();
    // A lead-in that ends in a colon ("Delmålen är att vi innan 2020 ska:"), or a short
    // heading that names goals ("Nämndens effektmål 2019"), governs the list items after
    // it: each is read as a goal, with the lead-in after it (for its year), and keeps its
    // own text.
    let mut lead: Option<String> = None;
    for s in sentences::split(text) {
        let t = s.text.trim();
        let item = t.starts_with(BULLETS);
        let governed = item && lead.is_some();
        let read_as = match (&lead, item) {
            (Some(l), true) => Sentence {
                text: format!("{} ({l})", t.trim_start_matches(BULLETS).trim_start()),
                start: s.start,
            },
            _ => s.clone(),
        };
        if !item {
            let w = words(t);
            let heading = !t.ends_with(['.', '!', '?', ';'])
                && w.len() <= 8
                && w.iter().any(|x| goal_word(x));
            lead = ((t.ends_with(':') && governs(&w)) || heading)
                .then(|| t.trim_end_matches(':').to_string());
        }
        if classify_as(&read_as.text, governed) == Kind::Target {
            if let Some(mut d) = parse(&read_as, period_end) {
                d.sentence = s.text.clone();
                out.push(d);
            }
        }
    }
    out
}

/// The marks a list item begins with.
const BULLETS: &[char] = &['•', '-', '–', '*', '·', '▪'];

/// Whether a lead-in states an aim its items complete: a modal or a goal word.
fn governs(w: &[String]) -> bool {
    has_any(w, MODALS) || w.iter().any(|x| goal_word(x))
}

/// A word that names a goal: "mål", "målet", and compounds ending so ("delmålen",
/// "smartmålet", "kommunmålet", "arbetslöshetsmål", "målsättningen").
fn goal_word(x: &str) -> bool {
    x.ends_with("mål")
        || x.ends_with("målet")
        || x.ends_with("målen")
        || x.ends_with("målsättning")
        || x.ends_with("målsättningen")
}

/// The words of a sentence, lower case, with numbers kept whole ("5 000", "47,7").
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
        let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let next_three = chars
            .get(i + 1..i + 4)
            .is_some_and(|t| t.iter().all(char::is_ascii_digit))
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit);
        if c.is_alphanumeric() || (c == ',' && prev_digit && next_digit) {
            cur.extend(c.to_lowercase());
        } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}')
            && prev_digit
            && next_three
            && cur.len() <= 3
        {
            // A thousands space: "5 000".
        } else if c == '%' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push("%".into());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn has(w: &[String], word: &str) -> bool {
    w.iter().any(|x| x == word)
}

fn has_any(w: &[String], list: &[&str]) -> bool {
    w.iter().any(|x| list.contains(&x.as_str()))
}

fn has_phrase(w: &[String], phrase: &[&str]) -> bool {
    w.windows(phrase.len())
        .any(|win| win.iter().zip(phrase).all(|(a, b)| a == b))
}

const MODALS: &[&str] = &[
    "ska",
    "skall",
    "bör",
    "ambition",
    "ambitionen",
    "målet",
    "målsättningen",
];
const UP: &[&str] = &["öka", "ökar", "höjas", "höja", "förbättras", "stiga"];
const DOWN: &[&str] = &[
    "minska",
    "minskar",
    "sänkas",
    "sänka",
    "reduceras",
    "minimeras",
];
/// Whether a direction word of `list` stands as the sentence's aim ("andelen ska öka"),
/// not in a purpose clause ("i syfte att öka antalet", "verka för att minska") — unless
/// the aim is named ("målet är att öka").
fn aims(w: &[String], list: &[&str]) -> bool {
    w.iter().enumerate().any(|(i, x)| {
        list.contains(&x.as_str())
            && !(i >= 1
                && w[i - 1] == "att"
                && !(i >= 2 && (matches!(w[i - 2].as_str(), "är" | "om") || goal_word(&w[i - 2]))))
    })
}

/// Words that say a share should mirror a reference ("så att det återspeglar
/// befolkningssammansättningen").
const REFLECTS: &[&str] = &["återspeglar", "återspegla", "speglar", "spegla"];

/// A word that names an average to compare with: "rikssnittet", "riksgenomsnittet",
/// "länsgenomsnittet", "genomsnittet för jämförbara kommuner", "en riksgenomsnittlig
/// placering".
fn reference_word(x: &str) -> bool {
    x.starts_with("rikssnitt")
        || x.starts_with("riksgenomsnitt")
        || x.starts_with("länsgenomsnitt")
        || x.starts_with("länssnitt")
        || matches!(
            x,
            "genomsnittet" | "medelvärdet" | "snittet" | "medelsnittet"
        )
}

/// Whether the reference is the nation's average.
fn national_reference(w: &[String]) -> bool {
    w.iter()
        .any(|x| x.starts_with("rikssnitt") || x.starts_with("riksgenomsnitt"))
}

/// A goal of none, stated as a state: "fossilfri", "fossilbränslefria", "klimatneutral".
fn zero_word(x: &str) -> bool {
    x.contains("fossilfri")
        || x.contains("fossilbränslefri")
        || x.contains("klimatneutral")
        || x.contains("koldioxidneutral")
}

/// A state of none as what is to be reached: "vara fossilbränslefri", "bli
/// klimatneutrala", or a goal that opens with it ("Fossilfria transporter i
/// kommunorganisationen"), not "baseras på fossilbränslefria lösningar".
fn zero_state(w: &[String]) -> bool {
    w.iter().enumerate().any(|(i, x)| {
        zero_word(x)
            && (i == 0
                || matches!(w[i - 1].as_str(), "vara" | "bli" | "är" | "blir")
                || (i >= 2 && matches!(w[i - 2].as_str(), "vara" | "bli")))
    })
}

/// A rank among others: "bland de bästa i landet", "bland de 90 bästa", "bland de högsta
/// i länet".
fn rank(w: &[String]) -> bool {
    has_phrase(w, &["bland", "de"]) && has_any(w, &["bästa", "högsta", "främsta", "lägsta", "bäst"])
}

/// A positive direction stated with "positiv": "Befolkningsutvecklingen ska vara
/// positiv", "utvecklas i positiv riktning".
fn positive(w: &[String]) -> bool {
    has_any(w, &["positiv", "positivt", "positiva"])
        && has_any(
            w,
            &[
                "vara",
                "riktning",
                "utveckling",
                "utvecklas",
                "utvecklingen",
            ],
        )
}

/// A sentence that opens with the year a state is to be reached: "År 2020 har utsläppen
/// minskat med 40 %" states a target in the future perfect.
fn future_perfect(w: &[String]) -> bool {
    matches!(
        w.first().map(String::as_str),
        Some("år" | "senast" | "till")
    ) && w
        .get(1)
        .is_some_and(|y| y.len() == 4 && y.parse::<i32>().is_ok())
        && has(w, "har")
}

/// Where "alla"/"ingen" opens what a target is about: the first word, or after "att",
/// "ha", "ska" or "är" ("målet är att alla nyanlända …", "ha alla nyanlända … i arbete").
fn all_at(w: &[String]) -> Option<usize> {
    w.iter().enumerate().position(|(i, x)| {
        matches!(x.as_str(), "alla" | "samtliga" | "ingen" | "inga")
            && (i == 0 || matches!(w[i - 1].as_str(), "att" | "ha" | "ska" | "är"))
            // "… arbetar för att alla elever ska …": a purpose, not what is measured.
            && !(i >= 2 && w[i - 1] == "att" && w[i - 2] == "för")
    })
}

const PAST: &[&str] = &[
    "uppgick", "var", "låg", "hade", "ökade", "minskade", "blev", "steg", "sjönk",
];

/// Verbs that make an aim only of a named quantity: "Kommunen söker öka antalet …" is a
/// target, "Vi vill öka nyanländas delaktighet" an intention.
const WEAK_MODALS: &[&str] = &["söker", "vill", "strävar", "eftersträvar"];

/// Words that name a quantity a statistic or a count can give.
fn quantity_word(x: &str) -> bool {
    [
        "andel", "antal", "nivå", "kostnad", "tid", "grad", "siffr", "tal",
    ]
    .iter()
    .any(|q| x.starts_with(q))
        || x.ends_with("andelen")
        || x.ends_with("antalet")
        || x.ends_with("graden")
        || x.ends_with("talet")
}

/// The words of a sentence without a leading section or list number ("11. Att …",
/// "4 2.2 Mål och inriktning"): the number of a heading is not a value.
fn content_words(sentence: &str) -> Vec<String> {
    let mut rest = sentence.trim_start();
    loop {
        let token: &str = rest.split_whitespace().next().unwrap_or("");
        let numbering = !token.is_empty()
            && token
                .trim_end_matches('.')
                .split('.')
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            && rest[token.len()..]
                .trim_start()
                .starts_with(|c: char| c.is_alphabetic());
        if !numbering {
            break;
        }
        rest = rest[token.len()..].trim_start();
    }
    // "Strategiskt mål: Lägre halter …", "Övergripande mål: Under programperioden …": the
    // label before the colon names the goal; the goal is what follows it.
    if let Some(c) = rest.find(':') {
        let (head, tail) = (&rest[..c], rest[c + 1..].trim_start());
        let hw = words(head);
        if !tail.is_empty() && hw.len() <= 3 && hw.iter().any(|x| goal_word(x)) {
            return words(tail);
        }
    }
    words(rest)
}

/// What a sentence says, by its words.
pub fn classify(sentence: &str) -> Kind {
    classify_as(sentence, false)
}

/// Words that open a goal stated as a direction without a verb of aim: "Fler unga deltar
/// …", "Högre andel elever är behöriga …", "Minskat återflöde".
const MORE: &[&str] = &[
    "fler",
    "högre",
    "ökad",
    "ökat",
    "ökade",
    "förbättrad",
    "förbättrat",
    "förbättrade",
    "större",
];
const FEWER: &[&str] = &[
    "färre", "lägre", "minskad", "minskat", "minskade", "sänkt", "sänkta", "mindre", "kortare",
];
/// Verbs in the present that state a goal's direction ("Sjukfrånvaron minskar").
const NOW_UP: &[&str] = &["ökar", "stiger", "höjs", "förbättras"];
const NOW_DOWN: &[&str] = &["minskar", "sjunker", "sänks", "halveras"];

/// A goal stated in the present, as goal lists state them: a sentence that opens with
/// "Fler"/"Färre"/"Högre andel" …, or a short one whose verb of direction ends it
/// ("Andelen högskoleutbildad personal i förskolan ökar") or leads to a value and a year
/// ("Befolkningen ökar till 19 500 personer år 2026"). +1 up, −1 down.
fn stated_direction(w: &[String]) -> Option<i8> {
    let first = w.first()?.as_str();
    let short = w.len() <= 14;
    // "Fler människor än tidigare är på flykt" compares with the past: a fact.
    let than_before = has_phrase(w, &["än", "tidigare"]) || has_phrase(w, &["än", "förut"]);
    if short && !than_before && w.len() >= 2 {
        if MORE.contains(&first) {
            return Some(1);
        }
        if FEWER.contains(&first) {
            return Some(-1);
        }
    }
    let last = w.last()?.as_str();
    let towards = w.iter().enumerate().find_map(|(i, x)| {
        let up = NOW_UP.contains(&x.as_str());
        let down = NOW_DOWN.contains(&x.as_str());
        ((up || down) && w.get(i + 1).is_some_and(|n| n == "till") && target_year(w).is_some())
            .then_some(if up { 1 } else { -1 })
    });
    if short && NOW_UP.contains(&last) {
        Some(1)
    } else if short && NOW_DOWN.contains(&last) {
        Some(-1)
    } else {
        towards
    }
}

/// [`classify`], for a list item governed by a lead-in that states goals (`governed`): it
/// is read as a goal, and "alla"/"ingen" need no time to be measured.
fn classify_as(sentence: &str, governed: bool) -> Kind {
    let w = content_words(sentence);
    if w.is_empty() {
        return Kind::Other;
    }
    // A heading that leads in to what follows ("Långsiktigt mål 1:"), and a line of a
    // table of contents ("5 Mål.......").
    let t = sentence.trim_end();
    if t.ends_with(':') || t.contains("...") || t.contains("…") {
        return Kind::Other;
    }
    // "För att nå målet behöver …": a purpose towards a goal stated elsewhere, not a goal.
    if w.len() >= 2
        && w[0] == "för"
        && w[1] == "att"
        && number_with_unit(&w).is_none()
        && !w
            .iter()
            .enumerate()
            .any(|(i, x)| goal_word(x) && !(i >= 1 && matches!(w[i - 1].as_str(), "nå" | "uppnå")))
    {
        return Kind::Intention;
    }
    let shall = has_any(&w, &["ska", "skall"]);
    // What was decided, or how far goals were reached: a fact, whatever goal it names.
    if !shall
        && has_any(
            &w,
            &[
                "beslutade",
                "beslutat",
                "beslutades",
                "antog",
                "antogs",
                "fastställde",
                "uppfyllda",
                "uppfyllt",
                "uppfylldes",
                "bedöms",
            ],
        )
    {
        return Kind::Fact;
    }
    // A list of numbered goals ("mål 3: …, mål 4: …") names goals; it sets none.
    if w.windows(2)
        .filter(|p| p[0] == "mål" && number(&p[1]).is_some())
        .count()
        >= 2
    {
        return Kind::Other;
    }
    let goal = w.iter().any(|x| goal_word(x));
    // A goal word before the value ("Målet är 43 procent"), not a count of goals ("17 mål")
    // or a heading's lead-in after it.
    let goal_before_value = match (w.iter().position(|x| goal_word(x)), number_with_unit(&w)) {
        (Some(g), Some((_, _, v))) => g < v,
        _ => false,
    };
    let modal = governed
        || has_any(&w, MODALS)
        || goal
        || (has_any(&w, WEAK_MODALS) && w.iter().any(|x| quantity_word(x)));
    let bound = has_any(
        &w,
        &["minst", "högst", "lägst", "åtminstone", "maximalt", "max"],
    );
    let stated = stated_direction(&w).is_some();
    let perfect = future_perfect(&w);
    let direction = aims(&w, UP)
        || aims(&w, DOWN)
        || stated
        || perfect
        || (positive(&w) && (shall || governed))
        || has_any(&w, &["halveras", "halvera"])
        || has_any(&w, DOUBLE);
    let level = has_phrase(&w, &["samma", "nivå"])
        || has_phrase(&w, &["i", "nivå", "med"])
        || w.iter().any(|x| reference_word(x))
        || has_any(&w, REFLECTS)
        || (has_any(&w, &["oförändrad", "oförändrat"]) && number_with_unit(&w).is_some())
        || rank(&w)
        || (zero_state(&w) && (shall || goal || target_year(&w).is_some()));
    // "Alla … ska …" measures something only with a time ("inom ett år", "år 2025",
    // "efter avslutad etableringsperiod"); without one it is a principle ("Alla invånare
    // skall ges samma rättigheter").
    let all_or_none = modal
        && all_at(&w).is_some()
        && (governed
            || has(&w, "inom")
            || has_phrase(&w, &["efter", "avslutad"])
            || target_year(&w).is_some());
    let value = number_with_unit(&w).is_some();
    // A value measures a target when it comes after the "ska" ("ska ta emot 300"), not
    // when it describes the subject before it ("Med kommunens 5000 anställda … ska …").
    let modal_at = w.iter().position(|x| MODALS.contains(&x.as_str()));
    let value_after_modal = match (number_with_unit(&w), modal_at) {
        (Some((_, _, at)), Some(m)) => at > m,
        _ => false,
    };
    // A past verb, unless it opens a goal stated as a direction ("Minskade utsläpp av
    // …") or the sentence states the year a state is reached ("År 2020 har … minskat").
    let past = !perfect
        && (w.iter().enumerate().any(|(i, x)| {
            PAST.contains(&x.as_str())
                && !(i == 0 && (MORE.contains(&x.as_str()) || FEWER.contains(&x.as_str())))
        }) || has_phrase(&w, &["har", "ökat"])
            || has_phrase(&w, &["har", "minskat"]));
    // A bare bound and value ("Minst 90 %"), a cell of a table: no subject to measure.
    if w.len() <= 3 && bound && value && !governed {
        return Kind::Other;
    }
    // A value with a year to reach it by, called an aim ("en vision om att vara 80 000
    // invånare år 2030").
    let aspired = value
        && has_any(&w, &["vision", "ambition", "ambitionen", "målsättning"])
        && target_year(&w).is_some();
    let measured = bound
        || direction
        || level
        || all_or_none
        || value_after_modal
        || aspired
        || (value && has_any(&w, &["uppgår", "uppgå", "uppnå", "nå", "når"]))
        || (value && goal_before_value)
        || (value && goal && target_year(&w).is_some());
    // A purpose clause ("… för att sammanhållningen ska öka") aims at nothing measured.
    let purpose_at = w.windows(2).position(|p| p[0] == "för" && p[1] == "att");
    if let (Some(p), Some(m)) = (purpose_at, modal_at) {
        if p < m && !bound && !value && !goal {
            return Kind::Intention;
        }
    }
    if w[0].starts_with("vision") || has(&w, "visionen") {
        return Kind::Vision;
    }
    if past && !modal && !bound {
        return if value { Kind::Fact } else { Kind::Other };
    }
    if measured && (modal || bound || aspired || stated || perfect || target_year(&w).is_some()) {
        return Kind::Target;
    }
    if modal {
        return Kind::Intention;
    }
    if value {
        Kind::Fact
    } else {
        Kind::Other
    }
}

fn number(word: &str) -> Option<f64> {
    if !word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    word.replace(',', ".").parse().ok()
}

/// Words that count ("ett hundratal" ≈ 100).
fn word_number(w: &[String], i: usize) -> Option<f64> {
    Some(match w[i].as_str() {
        "hundratal" => 100.0,
        "tusental" => 1000.0,
        "tiotal" => 10.0,
        "hälften" => 50.0,
        "tio" => 10.0,
        "tjugo" => 20.0,
        "hundra" => 100.0,
        _ => return None,
    })
}

/// The first value with its unit, skipping years and ages ("20-64 år", "i åldern 18-24").
fn number_with_unit(w: &[String]) -> Option<(f64, Unit, usize)> {
    number_with_unit_from(w, 0)
}

/// The first value with its unit at or after word `from`.
fn number_with_unit_from(w: &[String], from: usize) -> Option<(f64, Unit, usize)> {
    for i in from..w.len() {
        let prev = i.checked_sub(1).map(|p| w[p].as_str());
        let next = w.get(i + 1).map(String::as_str);
        let v = match (number(&w[i]), word_number(w, i)) {
            (Some(v), _) => v,
            (None, Some(v)) => {
                let unit = if w[i] == "hälften" {
                    Unit::Percent
                } else {
                    Unit::Count
                };
                return Some((v, unit, i));
            }
            _ => continue,
        };
        if matches!(
            prev,
            Some("åldern" | "år" | "åk" | "årskurs" | "klass" | "kap" | "nr" | "sida")
        ) || matches!(next, Some("år" | "åringar" | "årsåldern"))
        {
            continue;
        }
        let year_like = w[i].len() == 4 && (1900.0..=2100.0).contains(&v);
        let unit = match next {
            Some("%" | "procent") => Unit::Percent,
            Some("procentenheter" | "procentenhet") => Unit::PercentagePoints,
            Some(
                "kr" | "kronor" | "tkr" | "mkr" | "mnkr" | "mdkr" | "mdr" | "msek" | "miljoner"
                | "miljarder",
            ) if !matches!(next, Some("miljoner" | "miljarder"))
                || w.get(i + 2).is_some_and(|k| k.starts_with("kr")) =>
            {
                Unit::Kronor
            }
            _ if year_like => continue,
            _ => Unit::Count,
        };
        // An age range's second number ("20-64"); a value with its unit after a year
        // ("december 2020, 8,3 %") is the value.
        if prev.and_then(number).is_some() && unit == Unit::Count {
            continue;
        }
        return Some((v, unit, i));
    }
    None
}

/// Words that double a value.
const DOUBLE: &[&str] = &[
    "fördubblas",
    "fördubbla",
    "dubbleras",
    "dubblas",
    "dubblera",
    "dubbla",
];

const MONTHS: &[&str] = &[
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// The year a target names: "år 2020", "senast 2025", "till 2030", "innan 2020",
/// "under perioden 2016–2020" (its end).
fn target_year(w: &[String]) -> Option<i32> {
    let year = |s: &str| -> Option<i32> {
        (s.len() == 4)
            .then(|| s.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..=2100).contains(y))
    };
    let mut found = None;
    for i in 0..w.len() {
        let Some(y) = year(&w[i]) else { continue };
        let prev = i.checked_sub(1).map(|p| w[p].as_str());
        let prev2 = i.checked_sub(2).map(|p| w[p].as_str());
        match prev {
            // "jämfört med 2019", "från 2015": the baseline, not the target's year.
            Some("med") if prev2 == Some("jämfört") => {}
            Some("från" | "sedan") => {}
            // "per år 2018": a flow's unit, not the year's marker.
            Some("år") if matches!(prev2, Some("per" | "varje")) => {}
            Some("år" | "senast" | "till" | "innan" | "före" | "inför" | "tills") => {
                return Some(y)
            }
            // "december 2020": a month's year.
            Some(p) if MONTHS.contains(&p) => return Some(y),
            Some(p) if year(p).is_some() && matches!(prev2, Some("perioden" | "period")) => {
                return Some(y)
            }
            // "(2018–2020)": a period's end.
            Some(p) if year(p).is_some() => found = Some(y),
            Some("perioden") => found = found.or(Some(y)),
            // A year that ends the sentence ("… högre än genomsnittet 2021").
            _ if i + 1 == w.len() && !prev.is_some_and(goal_word) => found = found.or(Some(y)),
            _ => found = found.or(Some(y).filter(|_| prev == Some("i") || prev.is_none())),
        }
    }
    found
}

/// The target a sentence states, or `None` when it states none that can be read.
pub fn parse(s: &Sentence, period_end: Option<i32>) -> Option<Draft> {
    let w = content_words(&s.text);
    // The value a bound word governs ("minst 60 procent"), else the first; a footnote
    // mark or a count in the subject comes before the bound.
    let bound_at = w
        .iter()
        .position(|x| {
            matches!(
                x.as_str(),
                "minst" | "högst" | "lägst" | "åtminstone" | "maximalt" | "max" | "cirka" | "ca"
            )
        })
        .or_else(|| w.iter().position(|x| x == "med"));
    // "öka till 10 000", "öka från 20 till 30 procent": the level a change reaches.
    let reaches = w.iter().enumerate().find_map(|(i, x)| {
        (x == "till")
            .then(|| number_with_unit_from(&w, i + 1))
            .flatten()
            .filter(|(_, _, at)| *at <= i + 2)
    });
    let found = bound_at
        .and_then(|b| number_with_unit_from(&w, b))
        .or_else(|| number_with_unit(&w));
    let (value, unit) = match found {
        Some((v, u, _)) => (Some(v), Some(u)),
        None => (None, None),
    };
    let at_least = has_any(
        &w,
        &[
            "minst",
            "lägst",
            "åtminstone",
            "cirka",
            "ca",
            "omkring",
            "ungefär",
        ],
    );
    let at_most =
        has_any(&w, &["högst", "maximalt", "max"]) || has_phrase(&w, &["inte", "överstiga"]);
    let level = has_phrase(&w, &["samma", "nivå"])
        || has_phrase(&w, &["i", "nivå", "med"])
        || has_any(&w, REFLECTS);
    let stated = stated_direction(&w);
    let perfect = future_perfect(&w);
    let up = aims(&w, UP)
        || stated == Some(1)
        || positive(&w)
        || (perfect && has_any(&w, &["ökat", "höjts", "stigit"]));
    let down = aims(&w, DOWN)
        || stated == Some(-1)
        || (perfect && has_any(&w, &["minskat", "sänkts", "sjunkit", "halverats"]));
    // "minst oförändrad", "oförändrad eller sänkt": a bound against the present level.
    let unchanged = has(&w, "oförändrad") || has(&w, "oförändrat");
    // "öka med minst 2 procent": a change by a size, whatever bound words it has.
    let change_by = found
        .is_some_and(|(_, _, i)| (i >= 1 && w[i - 1] == "med") || (i >= 2 && w[i - 2] == "med"));
    // "lägst i Sverige", "bland de bästa i landet": a rank, no value.
    let lowest_rank = has_phrase(&w, &["lägst", "i"]) || has_phrase(&w, &["lägst", "bland"]);
    let highest_rank = has_phrase(&w, &["högst", "i"]) || has_phrase(&w, &["bäst", "i"]);
    // The side of a reference a target keeps to: "högst i nivå med", "minst i nivå med".
    // "ligga över rikssnittet", "vara under genomsnittet för jämförbara kommuner".
    let beside = |word: &str| {
        w.windows(2)
            .any(|p| p[0] == word && (reference_word(&p[1]) || p[1] == "det"))
    };
    let side = if at_most || down || beside("under") {
        Some(Comparator::AtMost)
    } else if at_least || up || beside("över") {
        Some(Comparator::AtLeast)
    } else {
        None
    };
    let reference = w.iter().any(|x| reference_word(x));
    // "ska öka och närma sig riksgenomsnittet": a direction towards the average.
    let approach = w.iter().any(|x| x.starts_with("närma"));
    let ranked = rank(&w);
    let (comparator, bound) = if has_any(&w, &["halveras", "halvera"]) {
        (Comparator::Halve, None)
    } else if has_any(&w, DOUBLE) {
        (Comparator::Double, None)
    } else if lowest_rank {
        (Comparator::AtMost, None)
    } else if highest_rank {
        (Comparator::AtLeast, None)
    } else if (up || down) && change_by {
        (
            if up {
                Comparator::Increase
            } else {
                Comparator::Decrease
            },
            None,
        )
    } else if (up || down) && reaches.is_some() {
        (
            if up {
                Comparator::AtLeast
            } else {
                Comparator::AtMost
            },
            None,
        )
    } else if ranked {
        (Comparator::AtMost, None)
    } else if approach && (up || down) {
        (
            if up {
                Comparator::Increase
            } else {
                Comparator::Decrease
            },
            None,
        )
    } else if national_reference(&w) {
        (Comparator::NationalAverage, side)
    } else if level || reference {
        (Comparator::SameLevelAs, side)
    } else if zero_state(&w) {
        (Comparator::None, None)
    } else if at_least && value.is_some() {
        (Comparator::AtLeast, None)
    } else if at_most && value.is_some() {
        (Comparator::AtMost, None)
    } else if unchanged && (at_least || up) {
        (Comparator::AtLeast, None)
    } else if unchanged
        && (at_most || down || value.is_some() || has_any(&w, &["sänkt", "sänkta", "lägre"]))
    {
        (Comparator::AtMost, None)
    } else if let Some(i) = all_at(&w) {
        if matches!(w[i].as_str(), "alla" | "samtliga") {
            (Comparator::All, None)
        } else {
            (Comparator::None, None)
        }
    } else if up {
        (Comparator::Increase, None)
    } else if down {
        (Comparator::Decrease, None)
    } else if value.is_some()
        && (has_any(
            &w,
            &[
                "uppgår",
                "uppgå",
                "uppnå",
                "nå",
                "når",
                "vision",
                "ambition",
                "ambitionen",
                "vara",
            ],
        ) || w.iter().any(|x| goal_word(x)))
    {
        (Comparator::AtLeast, None)
    } else {
        return None;
    };
    // A change states its size only with "med" ("minska med 20 procent"), or as a yearly
    // flow ("500 nettoökning per år").
    let per_year = has_any(&w, &["årligen", "årlig"])
        || has_phrase(&w, &["per", "år"])
        || has_phrase(&w, &["varje", "år"])
        || has_phrase(&w, &["föregående", "år"]);
    let (value, unit) = match comparator {
        _ if lowest_rank || highest_rank => (None, None),
        // "bland de 90 bästa": the rank to keep within.
        _ if ranked => w
            .windows(3)
            .find_map(|p| (p[0] == "de").then(|| number(&p[1])).flatten())
            .map_or((None, None), |v| (Some(v), Some(Unit::Count))),
        Comparator::AtLeast | Comparator::AtMost if reaches.is_some() && !change_by => {
            let (v, u, _) = reaches.expect("checked");
            (Some(v), Some(u))
        }
        Comparator::Increase | Comparator::Decrease => match found {
            _ if change_by => found.map_or((None, None), |(v, u, _)| (Some(v), Some(u))),
            Some((v, Unit::Count, _)) if per_year => (Some(v), Some(Unit::Count)),
            _ => (None, None),
        },
        Comparator::All => (Some(100.0), Some(Unit::Percent)),
        Comparator::None => (Some(0.0), Some(Unit::Percent)),
        Comparator::Halve
        | Comparator::Double
        | Comparator::SameLevelAs
        | Comparator::NationalAverage => (None, None),
        _ => (value, unit),
    };
    let in_text = target_year(&w);
    let women = has_any(&w, &["kvinnor", "flickor", "kvinnorna"]);
    let men = has_any(&w, &["män", "pojkar", "männen"]);
    Some(Draft {
        sentence: s.text.clone(),
        start: s.start,
        comparator,
        bound,
        value,
        unit,
        year: in_text.or(period_end),
        year_in_text: in_text.is_some(),
        per_year,
        sex: match (women, men) {
            (true, false) => Some(Sex::Women),
            (false, true) => Some(Sex::Men),
            _ => None,
        },
    })
}

/// How far from its reference a target stated as equal to it ("motsvara
/// riksgenomsnittet") may be and still be met, in the indicator's unit (percentage points
/// for a share). The text gives no tolerance; a strategist changes it on review.
pub const EQUAL_WITHIN: f64 = 1.0;

/// The target in Etablera's algebra that a draft states, measured by `series`, where the
/// engine can judge it from the series alone: a level (minst, högst; "alla" as at least
/// 100 %, "ingen" as at most 0 %), a yearly flow, a direction without a size, a change by a
/// size against the baseline year's value (in percent of it or in percentage points;
/// "halveras" as a decrease by 50 %, "fördubblas" as an increase by 100 %), or the national
/// average (the same indicator for the nation, at least its level). `None` for a reference
/// the text names only in words ("på samma nivå som …"): a strategist words it on review.
pub fn kind(d: &Draft, series: &etablera_domain::SeriesRef) -> Option<etablera_domain::TargetKind> {
    use etablera_domain::{Bound, Change, SeriesRef, TargetKind, UnitCode};
    let level = |bound: Bound, value: f64| {
        if d.per_year {
            TargetKind::Flow {
                bound,
                per_year: value,
            }
        } else {
            TargetKind::Threshold { bound, value }
        }
    };
    Some(match (d.comparator, d.value) {
        (Comparator::AtLeast, Some(v)) => level(Bound::AtLeast, v),
        (Comparator::AtMost, Some(v)) => level(Bound::AtMost, v),
        (Comparator::All, _) => TargetKind::Threshold {
            bound: Bound::AtLeast,
            value: 100.0,
        },
        (Comparator::None, _) => TargetKind::Threshold {
            bound: Bound::AtMost,
            value: 0.0,
        },
        (Comparator::Increase, None) => TargetKind::Direction {
            change: Change::Increase,
        },
        (Comparator::Decrease, None) => TargetKind::Direction {
            change: Change::Decrease,
        },
        // A change by a size: percent of the baseline value, or percentage points.
        (Comparator::Increase | Comparator::Decrease, Some(v))
            if matches!(d.unit, Some(Unit::Percent | Unit::PercentagePoints)) && !d.per_year =>
        {
            TargetKind::Change {
                change: if d.comparator == Comparator::Increase {
                    Change::Increase
                } else {
                    Change::Decrease
                },
                by: v,
                points: d.unit == Some(Unit::PercentagePoints),
            }
        }
        (Comparator::Halve, _) => TargetKind::Change {
            change: Change::Decrease,
            by: 50.0,
            points: false,
        },
        (Comparator::Double, _) => TargetKind::Change {
            change: Change::Increase,
            by: 100.0,
            points: false,
        },
        // "minst/högst i nivå med riksgenomsnittet": a bound against the nation's series.
        (Comparator::NationalAverage, _) if d.bound.is_some() => TargetKind::Relative {
            bound: if d.bound == Some(Comparator::AtMost) {
                Bound::AtMost
            } else {
                Bound::AtLeast
            },
            reference: SeriesRef::new(
                series.indicator.clone(),
                Some(UnitCode::nation()),
                series.sex,
            ),
            margin: 0.0,
        },
        // "motsvara riksgenomsnittet": equal to the nation's value within a tolerance, the
        // distance between the two at most [`EQUAL_WITHIN`] in the target year.
        (Comparator::NationalAverage, _) => TargetKind::Gap {
            other: SeriesRef::new(
                series.indicator.clone(),
                Some(UnitCode::nation()),
                series.sex,
            ),
            at_most: Some(EQUAL_WITHIN),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Draft {
        let s = Sentence {
            text: text.into(),
            start: 0,
        };
        assert_eq!(classify(text), Kind::Target, "{text}");
        parse(&s, Some(2020)).unwrap_or_else(|| panic!("no target in {text}"))
    }

    /// Made-up sentences in the shapes strategies use (not from the evaluation set).
    #[test]
    fn lead_ins_headings_purposes_and_weak_aims() {
        // Items completing a lead-in are read with it, each keeping its own text.
        let d = read(
            "Kommunens delmål är att vi före 2030 ska:\n• minska arbetslösheten med 10 procent\n• halvera väntetiden\n• ha alla elever behöriga till gymnasiet\nSedan följer annat.\n• ett punktat faktum utan ledtext",
            None,
        );
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].sentence, "• minska arbetslösheten med 10 procent");
        assert_eq!(
            (d[0].comparator, d[0].value, d[0].year),
            (Comparator::Decrease, Some(10.0), Some(2030))
        );
        assert_eq!(d[1].comparator, Comparator::Halve);
        assert_eq!(d[2].comparator, Comparator::All);
        // Headings and contents lines are not targets, nor are their numbers values.
        for h in [
            "Långsiktigt mål 3:",
            "7 Mål och mått........ 12",
            "12. Att sätta mål är nödvändigt för styrningen.",
        ] {
            assert_ne!(classify(h), Kind::Target, "{h}");
        }
        // A purpose clause aims at nothing measured.
        assert_eq!(
            classify("Det krävs samverkan för att tryggheten ska öka."),
            Kind::Intention
        );
        // "vill"/"söker" aim only at a named quantity.
        assert_eq!(
            classify("Förvaltningen söker öka antalet lärlingar."),
            Kind::Target
        );
        assert_ne!(classify("Vi vill öka gemenskapen."), Kind::Target);
        // A goal word in a compound, and a vision with a number and a year.
        let s = |t: &str| Sentence {
            text: t.into(),
            start: 0,
        };
        let d = parse(
            &s("Effektmålet i planen är att 70 procent ska ha egen försörjning."),
            None,
        )
        .unwrap();
        assert_eq!((d.comparator, d.value), (Comparator::AtLeast, Some(70.0)));
        assert_eq!(
            classify("Staden har en vision om att vara 50 000 invånare år 2040."),
            Kind::Target
        );
    }

    /// Goal lists as councils write them (made-up sentences in their shapes).
    #[test]
    fn goals_stated_as_lists_and_tables_are_read() {
        let one = |t: &str| {
            let d = read(t, None);
            assert_eq!(d.len(), 1, "{t}: {d:?}");
            d[0].clone()
        };
        // A direction stated in the present, or opened by "Fler"/"Högre andel".
        assert_eq!(
            one("Sjukfrånvaron bland personalen minskar.").comparator,
            Comparator::Decrease
        );
        assert_eq!(
            one("Högre andel elever läser på gymnasiet").comparator,
            Comparator::Increase
        );
        assert!(read("Fler människor än tidigare söker bostad.", None).is_empty());
        // "öka till" a level, "öka med minst" a change, a table's "Max".
        let d = one("Befolkningen ökar till 12 500 personer år 2030");
        assert_eq!(
            (d.comparator, d.value, d.year),
            (Comparator::AtLeast, Some(12500.0), Some(2030))
        );
        let d = one("Antalet företag ska öka med minst 3 procent.");
        assert_eq!((d.comparator, d.value), (Comparator::Increase, Some(3.0)));
        let d = one("Andel hushåll med långvarigt bistånd - - 40 % Max 38 %");
        assert_eq!((d.comparator, d.value), (Comparator::AtMost, Some(38.0)));
        // A rank has no value; a doubling; a flow's period end.
        let d = one("Andelen barn i utsatta hushåll ska vara lägst i länet.");
        assert_eq!((d.comparator, d.value), (Comparator::AtMost, None));
        assert_eq!(
            one("Andelen ska minst dubbleras till 2030.").comparator,
            Comparator::Double
        );
        let d = one("Öka antalet lärlingar, 40 fler per år (2024–2026)");
        assert_eq!(
            (d.value, d.year, d.per_year),
            (Some(40.0), Some(2026), true)
        );
        // A heading that names goals governs its items; a count of goals is no target.
        let d = read(
            "Nämndens mål 2025\n• Alla elever läser vidare\n• Ingen elev saknar betyg",
            None,
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[1].comparator, Comparator::None);
        assert!(read("I år har fullmäktige satt upp 12 mål.", None).is_empty());
    }

    #[test]
    fn targets_facts_intentions_and_visions_are_told_apart() {
        assert_eq!(
            classify("Andelen i arbete ska öka till minst 60 procent år 2020."),
            Kind::Target
        );
        assert_eq!(
            classify("Andelen i arbete uppgick till 54 procent 2019."),
            Kind::Fact
        );
        assert_eq!(
            classify("Kommunen ska verka för fler praktikplatser."),
            Kind::Intention
        );
        assert_eq!(
            classify("Visionen är att alla känner sig delaktiga."),
            Kind::Vision
        );
        assert_eq!(classify("Integration är en process."), Kind::Other);
        assert_eq!(
            classify(
                "Kommunen ska arbeta med social hänsyn i syfte att öka antalet praktikplatser."
            ),
            Kind::Intention
        );
        assert_eq!(classify("Målet är att öka andelen i arbete."), Kind::Target);
        assert_eq!(
            classify("Med kommunens 5000 anställda är kommunen en viktig arbetsgivare som ska ligga i framkant."),
            Kind::Intention
        );
    }

    #[test]
    fn comparators_values_units_and_years() {
        let d = one("Minst 10 % av befolkningen är utrikes födda år 2020");
        assert_eq!(
            (d.comparator, d.value, d.unit, d.year),
            (
                Comparator::AtLeast,
                Some(10.0),
                Some(Unit::Percent),
                Some(2020)
            )
        );
        assert!(d.year_in_text);
        let d = one("Andelen som förvärvsarbetar ska ligga på högst 30 procent senast 2025.");
        assert_eq!(
            (d.comparator, d.value, d.year),
            (Comparator::AtMost, Some(30.0), Some(2025))
        );
        let d = one("Andelen ska öka med 5 procentenheter till 2030.");
        assert_eq!(
            (d.comparator, d.value, d.unit, d.year),
            (
                Comparator::Increase,
                Some(5.0),
                Some(Unit::PercentagePoints),
                Some(2030)
            )
        );
        let d = one("Ohälsotalet ska halveras under perioden 2016–2020.");
        assert_eq!((d.comparator, d.year), (Comparator::Halve, Some(2020)));
        let d = one("Andelen ska motsvara riksgenomsnittet innan 2022.");
        assert_eq!(
            (d.comparator, d.year),
            (Comparator::NationalAverage, Some(2022))
        );
        let d = one("Kommunens mål är att 80% av de nyanlända stannar kvar i kommunen efter etableringstiden.");
        assert_eq!(
            (d.comparator, d.value, d.unit),
            (Comparator::AtLeast, Some(80.0), Some(Unit::Percent))
        );
        assert_eq!(
            classify("Alla invånare skall ges samma rättigheter och möjligheter."),
            Kind::Intention
        );
        let d = one("Alla nyanlända ska ha en praktikplats inom ett år.");
        assert_eq!((d.comparator, d.value), (Comparator::All, Some(100.0)));
        let d = one("Andelen utrikes födda elever med behörighet till gymnasieskolan ska öka.");
        assert_eq!(
            (d.comparator, d.value, d.year, d.year_in_text),
            (Comparator::Increase, None, Some(2020), false)
        );
    }

    #[test]
    fn flows_sexes_ages_and_round_numbers() {
        let d = one("Kommunen har som ambition att årligen ta emot minst 300 nyanlända.");
        assert_eq!(
            (d.value, d.unit, d.per_year),
            (Some(300.0), Some(Unit::Count), true)
        );
        let d = one("Andelen kvinnor i åldern 20-64 år som förvärvsarbetar ska vara minst 55 procent år 2020.");
        assert_eq!((d.value, d.sex), (Some(55.0), Some(Sex::Women)));
        let d = one(
            "Kommunen har en ambition att årligen erbjuda cirka ett hundratal en praktikplats.",
        );
        assert_eq!(
            (d.comparator, d.value, d.per_year),
            (Comparator::AtLeast, Some(100.0), true)
        );
        let d = one("Andelen arbetslösa ska minska för att år 2020 ligga högst på samma nivå som kommunens inrikes födda.");
        assert_eq!(
            (d.comparator, d.bound, d.year),
            (
                Comparator::SameLevelAs,
                Some(Comparator::AtMost),
                Some(2020)
            )
        );
    }

    #[test]
    fn drafts_become_targets_the_engine_judges() {
        use etablera_domain::{Bound, Change, IndicatorId, SeriesRef, TargetKind};
        let series = SeriesRef::new(IndicatorId::parse("N00973").unwrap(), None, Sex::Total);
        let kind_of = |text: &str| {
            let d = read(text, Some(2025));
            assert_eq!(d.len(), 1, "{text}: {d:?}");
            kind(&d[0], &series)
        };
        assert_eq!(
            kind_of("Andelen ska vara minst 60 procent år 2022."),
            Some(TargetKind::Threshold {
                bound: Bound::AtLeast,
                value: 60.0
            })
        );
        assert_eq!(
            kind_of("Kommunen ska årligen ta emot minst 300 nyanlända."),
            Some(TargetKind::Flow {
                bound: Bound::AtLeast,
                per_year: 300.0
            })
        );
        assert_eq!(
            kind_of("Andelen arbetslösa ska minska."),
            Some(TargetKind::Direction {
                change: Change::Decrease
            })
        );
        // A change by a size, against the baseline's value.
        assert_eq!(
            kind_of("Andelen ska öka med 5 procentenheter till år 2022."),
            Some(TargetKind::Change {
                change: Change::Increase,
                by: 5.0,
                points: true
            })
        );
        // A reference named only in words: a strategist words it.
        assert_eq!(
            kind_of("Andelen ska ligga på samma nivå som i riket år 2022."),
            None
        );
        // The national average: equal within a tolerance, or a bound against it.
        let nation = SeriesRef::new(
            IndicatorId::parse("N00973").unwrap(),
            Some(etablera_domain::UnitCode::nation()),
            Sex::Total,
        );
        assert_eq!(
            kind_of("Andelen ska motsvara riksgenomsnittet år 2024."),
            Some(TargetKind::Gap {
                other: nation.clone(),
                at_most: Some(EQUAL_WITHIN)
            })
        );
        assert_eq!(
            kind_of("Andelen ska öka till riksgenomsnittet år 2024."),
            Some(TargetKind::Relative {
                bound: Bound::AtLeast,
                reference: nation.clone(),
                margin: 0.0
            })
        );
        assert_eq!(
            kind_of("Kostnaden ska högst uppgå till riksgenomsnittet år 2024."),
            Some(TargetKind::Relative {
                bound: Bound::AtMost,
                reference: nation,
                margin: 0.0
            })
        );
    }
}
