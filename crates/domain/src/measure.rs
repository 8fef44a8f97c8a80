//! Units of measure read from the title of a Kolada KPI.
//!
//! Kolada names the unit at the end of each title, after the last comma: "…, andel (%)",
//! "…, antal/1000 inv", "…, 1000 kr/invånare", "…, kr/inv 65+", "…, (Ja=1, Nej=0)". A [`UnitOfMeasure`] is
//! the general form of all of them: a scale (1, 1 000 for "tkr" and "1000 kr", 1 000 000 for
//! "mkr"), a base quantity (kronor, percent, days, kg, …, or a coded answer such as Ja=1/Nej=0)
//! and an optional denominator ("per 1 000 invånare 7–20 år", "per elev", "per kvm BRA").
//!
//! [`UnitOfMeasure::from_title`] reads it; [`UnitOfMeasure::code`] writes a canonical text that reads back to the
//! same unit, which is how it is stored.

use crate::format::NBSP;
use crate::Lang;
use std::fmt::Write as _;

/// The base quantity of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Base {
    Percent,
    Permille,
    PercentagePoints,
    Count,
    Kronor,
    Days,
    Hours,
    Minutes,
    Months,
    Years,
    Gram,
    Kg,
    Ton,
    /// Tonnes of a named substance ("ton CO2e", "ton NMVOC").
    TonOf(String),
    Kwh,
    Mwh,
    Mw,
    Meter,
    Km,
    /// Square metres, "kvm" or "kvm BRA".
    Kvm(String),
    /// Cubic metres ("kbm").
    Kbm,
    Liter,
    Hectare,
    /// A dimensionless score with its name: "index", "NKI", "balanstal", "medelvärde",
    /// "meritvärdespoäng", "ranking", "medelbetyg (skala 0-10)".
    Score(String),
    /// Coded answers: each value stands for a label, as in "(Ja=1, Nej=0)".
    Coded(Vec<(i64, String)>),
    /// A ratio of two named things ("person-km/utbuds-km"), kept as written.
    Named(String),
}

/// "per 1 000 invånare 7-20 år": how many of what.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Per {
    pub n: u64,
    /// The denominator as Kolada names it, "inv" written out as "invånare".
    pub what: String,
}

/// A unit of measure: scale × base, optionally per something.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitOfMeasure {
    pub scale: u64,
    pub base: Base,
    pub per: Option<Per>,
}

impl UnitOfMeasure {
    pub fn of(base: Base) -> UnitOfMeasure {
        UnitOfMeasure {
            scale: 1,
            base,
            per: None,
        }
    }

    /// An item of Socialstyrelsen's unit surveys, told by its title: a question
    /// ("Aktuell rutin för …?") or a statement about the units ("Enheten har rutin för …",
    /// "De dagliga verksamheterna har …"). Kolada's descriptions of these say a unit answers
    /// Ja=1/Nej=0 and a municipality's figure is the share (%) of its units that answer yes,
    /// so that is the unit here. `None` for any other title.
    ///
    /// ```
    /// use etablera_domain::measure::{Base, UnitOfMeasure};
    /// let u = UnitOfMeasure::from_survey_item("Enheten har rutin för personalens agerande").unwrap();
    /// assert_eq!(u.base, Base::Percent);
    /// assert!(UnitOfMeasure::from_survey_item("Invånare totalt, antal").is_none());
    /// ```
    pub fn from_survey_item(title: &str) -> Option<UnitOfMeasure> {
        const UNITS: [&str; 5] = [
            "Enheten har ",
            "Enheterna har ",
            "Den dagliga verksamheten har ",
            "De dagliga verksamheterna har ",
            "På enheten används ",
        ];
        let t = title.trim();
        let question = t.ends_with('?');
        (question || UNITS.iter().any(|p| t.starts_with(p)))
            .then(|| UnitOfMeasure::of(Base::Percent))
    }

    /// Reads the unit of a Kolada KPI from its title; `None` when the title names none that
    /// this reader knows.
    pub fn from_title(title: &str) -> Option<UnitOfMeasure> {
        if let Some(codes) = coded(title) {
            return Some(UnitOfMeasure::of(Base::Coded(codes)));
        }
        let t = clean(title);
        // The unit is the last comma-separated part that reads as one; a title whose last
        // part qualifies the population ("…, kr/inv, 16-64 år") has it earlier.
        for part in split_top(&t, ',').into_iter().rev() {
            for piece in part.rsplit([':']).take(1).chain(sub_pieces(part)) {
                if let Some(u) = segment(piece) {
                    return Some(u);
                }
            }
        }
        None
    }

    /// Reads the unit from a KPI's description where its title names none: the unit
    /// surveys say "På kommunnivå uppges andel enheter som uppfyllt indikatorn" or "redovisas
    /// som andel (%)".
    pub fn from_description(description: &str) -> Option<UnitOfMeasure> {
        let d = description.to_lowercase();
        let share = [
            "på kommunnivå anses andel",
            "på kommunnivå uppges andel",
            "på kommunnivå redovisas andel",
            "redovisas som andel",
            "anges som andel",
            "uttryckt som andel",
        ];
        if share.iter().any(|p| d.contains(p)) {
            return Some(UnitOfMeasure::of(Base::Percent));
        }
        None
    }

    /// The canonical text, which [`UnitOfMeasure::from_title`] reads back to the same unit.
    pub fn code(&self) -> String {
        let mut s = match &self.base {
            Base::Coded(codes) => {
                if codes.is_empty() {
                    return "(kodade svarsalternativ)".to_string();
                }
                let parts: Vec<String> = codes.iter().map(|(n, l)| format!("{l}={n}")).collect();
                return format!("({})", parts.join("; "));
            }
            Base::Percent => "andel (%)".to_string(),
            Base::Count => "antal".to_string(),
            Base::Permille => "promille".to_string(),
            b => self.numerator(b, Lang::Sv).replace(NBSP, " "),
        };
        if let Some(p) = &self.per {
            s.push('/');
            if p.n != 1 {
                let _ = write!(s, "{} ", p.n);
            }
            s.push_str(&p.what);
        }
        s
    }

    fn numerator(&self, b: &Base, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        let word: String = match b {
            Base::Kronor => {
                return match (self.scale, sv) {
                    (1, true) => "kr".into(),
                    (1, false) => "SEK".into(),
                    (1000, true) => "tkr".into(),
                    (1000, false) => "SEK thousand".into(),
                    (1_000_000, true) => "mnkr".into(),
                    (1_000_000, false) => "SEK million".into(),
                    (n, true) => format!("{} kr", crate::format::number(n as f64, 0, lang)),
                    (n, false) => format!("{} SEK", crate::format::number(n as f64, 0, lang)),
                }
            }
            Base::Percent => "%".into(),
            Base::Permille => "‰".into(),
            Base::PercentagePoints => lang.pick("procentenheter", "percentage points").into(),
            Base::Count => String::new(),
            Base::Days => lang.pick("dagar", "days").into(),
            Base::Hours => lang.pick("timmar", "hours").into(),
            Base::Minutes => lang.pick("minuter", "minutes").into(),
            Base::Months => lang.pick("månader", "months").into(),
            Base::Years => lang.pick("år", "years").into(),
            Base::Gram => "gram".into(),
            Base::Kg => "kg".into(),
            Base::Ton => "ton".into(),
            Base::TonOf(x) => format!("ton {x}"),
            Base::Kwh => "kWh".into(),
            Base::Mwh => "MWh".into(),
            Base::Mw => "MW".into(),
            Base::Meter => "meter".into(),
            Base::Km => "km".into(),
            Base::Kvm(x) => x.clone(),
            Base::Kbm => "kbm".into(),
            Base::Liter => "liter".into(),
            Base::Hectare => "hektar".into(),
            Base::Score(x) | Base::Named(x) => x.clone(),
            Base::Coded(_) => String::new(),
        };
        if self.scale != 1 {
            format!(
                "{}{NBSP}{word}",
                crate::format::number(self.scale as f64, 0, lang)
            )
        } else {
            word
        }
    }

    /// The unit as a reader sees it after a number: "tkr per invånare", "%", "per 1 000
    /// invånare 7-20 år", "kg per invånare". Empty for plain counts, scores and coded answers.
    pub fn symbol(&self, lang: Lang) -> String {
        let num = match &self.base {
            Base::Score(_) | Base::Coded(_) => return String::new(),
            b => self.numerator(b, lang),
        };
        match &self.per {
            None => num,
            Some(p) => {
                let what = match (lang, p.what.strip_prefix("invånare")) {
                    (Lang::En, Some(rest)) => format!("inhabitants{rest}"),
                    _ => p.what.clone(),
                };
                let per = lang.pick("per", "per");
                let n = if p.n == 1 {
                    String::new()
                } else {
                    format!("{}{NBSP}", crate::format::number(p.n as f64, 0, lang))
                };
                if num.is_empty() {
                    format!("{per} {n}{what}")
                } else {
                    format!("{num} {per} {n}{what}")
                }
            }
        }
    }

    /// The label of a coded value ("Ja" for 1 under "(Ja=1, Nej=0)").
    pub fn label_of(&self, v: f64) -> Option<&str> {
        match &self.base {
            Base::Coded(codes) => codes
                .iter()
                .find(|(n, _)| (*n as f64 - v).abs() < 1e-9)
                .map(|(_, l)| l.as_str()),
            _ => None,
        }
    }
}

/// Coded answers in a parenthesised group with at least two `label=N` (or `N=label`) pairs.
fn coded(title: &str) -> Option<Vec<(i64, String)>> {
    if title.contains("(kodade svarsalternativ)") {
        return Some(Vec::new());
    }
    let mut rest = title;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let close = matching_close(after).unwrap_or(after.len());
        let group = latest_coding(&after[..close]).replace(" och ", ", ");
        if let Some(codes) = pairs(&group) {
            return Some(codes);
        }
        rest = &after[close.min(after.len())..];
    }
    // "Kodade svarsalternativ där Ja=2, Nej= 1 och Vet ej= 0"
    if let Some(i) = title.find("svarsalternativ där") {
        let tail = &title[i + "svarsalternativ där".len()..];
        let end = tail.find("Källa").unwrap_or(tail.len());
        return pairs(&tail[..end].replace(" och ", ", "));
    }
    None
}

/// "-2017 Ja=1, Nej=0. 2018- Ja=2, Delvis=1, Nej=0": the coding in use now, after the last
/// "YYYY-" that opens a period.
fn latest_coding(group: &str) -> &str {
    let b = group.as_bytes();
    let mut from = 0;
    for i in 0..b.len().saturating_sub(4) {
        let opens = b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && (i == 0 || !b[i - 1].is_ascii_digit() && b[i - 1] != b'-');
        if opens {
            from = i + 5;
        }
    }
    let rest = &group[from..];
    // "-2017 Ja=1, …" alone: drop the closing year.
    let t = rest.trim_start();
    match t.strip_prefix('-') {
        Some(x) if x.len() >= 4 && x.as_bytes()[..4].iter().all(u8::is_ascii_digit) => &x[4..],
        _ => rest,
    }
}

fn matching_close(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `Ja=1, Nej=0` → [(1, "Ja"), (0, "Nej")]; `1=Ja, 0=Nej` and mixtures of the two likewise.
/// A label runs from the end of the previous pair; a number-first label to the next separator.
fn pairs(group: &str) -> Option<Vec<(i64, String)>> {
    const SEPS: [char; 5] = [',', '/', ';', '.', ' '];
    let g = group.trim();
    let mut out = Vec::new();
    let mut cursor = 0usize;
    let mut label_from = 0usize;
    while let Some(rel) = g[cursor..].find('=') {
        let eq = cursor + rel;
        let after = &g[eq + 1..];
        let lead = after.len() - after.trim_start().len();
        let digits: String = after[lead..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let left = g[label_from..eq].trim().trim_start_matches(SEPS).trim();
        if !digits.is_empty() {
            if left.is_empty() {
                return None;
            }
            // "Ja=, med vissa=1": a stray '=' inside a label.
            out.push((
                digits.parse().ok()?,
                left.replace("=,", ",").replace('=', ""),
            ));
            cursor = eq + 1 + lead + digits.len();
            label_from = cursor;
        } else {
            // "skala 1-8, 1=låg risk": the number is the last item before '='.
            let last = left.rsplit([',', ';', '/']).next().unwrap_or(left).trim();
            let Ok(n) = last.parse::<i64>() else {
                // Not a number: the '=' belongs to a label that goes on.
                cursor = eq + 1;
                continue;
            };
            let end = after.find([',', ';', '/']).unwrap_or(after.len());
            let label = after[..end].trim();
            if label.is_empty() {
                return None;
            }
            out.push((n, label.to_string()));
            cursor = eq + 1 + end;
            label_from = cursor;
        }
    }
    if !g[label_from..].trim_matches(SEPS).is_empty() {
        return None;
    }
    (out.len() >= 2).then_some(out)
}

/// Drops what follows the unit in some titles: "(-2019)", "(2005-)", "[Ny
/// hemtjänstdefinition]", "Källa: …", "- Målnivå: 90", trailing full stops.
fn clean(title: &str) -> String {
    let mut t = title.to_string();
    for cut in ["Källa:", "- Målnivå", "– Målnivå"] {
        if let Some(i) = t.find(cut) {
            t.truncate(i);
        }
    }
    if let Some(i) = t.find('[') {
        t.truncate(i);
    }
    loop {
        let trimmed = t.trim_end().trim_end_matches('.').trim_end();
        let mut next = trimmed.to_string();
        if trimmed.ends_with(')') {
            if let Some(open) = trimmed.rfind('(') {
                let inner = &trimmed[open + 1..trimmed.len() - 1];
                if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit() || c == '-') {
                    next = trimmed[..open].to_string();
                }
            }
        }
        if next == t {
            return t;
        }
        t = next;
    }
}

/// Splits on `sep` outside parentheses.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth <= 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The last words of a part after " - ", " – " or ". " ("… - Kommunindex", "…. andel (%)").
fn sub_pieces(part: &str) -> impl Iterator<Item = &str> {
    [" - ", " – ", ". "]
        .into_iter()
        .filter_map(move |sep| part.rsplit_once(sep).map(|(_, b)| b))
}

/// Reads one comma-separated part as a unit.
fn segment(raw: &str) -> Option<UnitOfMeasure> {
    let s = raw.trim().trim_end_matches('.').trim();
    let l = s.to_lowercase();
    if l.is_empty() {
        return None;
    }
    if l.contains("procentenheter") {
        return Some(UnitOfMeasure::of(Base::PercentagePoints));
    }
    if l.contains("(%)") || l.starts_with("andel") || l.contains("procent") || l.ends_with('%') {
        return Some(UnitOfMeasure::of(Base::Percent));
    }
    // "Tätortsgrad", "Beläggningsgrad": a degree is a share.
    if words_of(&l).first().is_some_and(|w| w.ends_with("grad")) && words_of(&l).len() <= 3 {
        return Some(UnitOfMeasure::of(Base::Percent));
    }
    // "Födelsenetto", "Immigrationsnetto": a net number of persons.
    if l.ends_with("netto") && !l.contains(' ') {
        return Some(UnitOfMeasure::of(Base::Count));
    }
    if l.starts_with("promille") {
        return Some(UnitOfMeasure::of(Base::Permille));
    }
    if let Some(u) = ratio(s) {
        return Some(u);
    }
    for (word, name) in [
        ("index", None),
        ("nki", Some("NKI")),
        ("balanstal", None),
        ("meritvärdespoäng", None),
        ("medelbetyg", None),
        ("ranking", None),
        ("medelvärde", None),
        ("genomsnitt", None),
        ("median", None),
        ("modellberäknat värde", None),
        ("avvikelse från modellberäknat värde", None),
        ("ålderstandardiserade värden", None),
    ] {
        if l.starts_with(word) || l.ends_with(word) {
            let label = name.map(str::to_string).unwrap_or_else(|| l.clone());
            return Some(UnitOfMeasure::of(Base::Score(label)));
        }
    }
    if l.contains("% av") {
        return Some(UnitOfMeasure::of(Base::Percent));
    }
    let words: Vec<&str> = l.split_whitespace().collect();
    if !l.contains('/')
        && words.iter().any(|w| {
            w.ends_with("index")
                || w.ends_with("kvot")
                || w.ends_with("faktor")
                || w.ends_with("poäng")
                || *w == "nui"
                || *w == "kvotvärde"
        })
        || l.contains("modellberäknat")
    {
        return Some(UnitOfMeasure::of(Base::Score(l.clone())));
    }
    // "LSS och SFB kr/brukare": the unit is the end of the part, from a word before the '/'.
    if s.contains('/') {
        for (i, _) in s.match_indices(' ') {
            if s[i + 1..].contains('/') {
                if let Some(u) = ratio(&s[i + 1..]) {
                    return Some(u);
                }
            }
        }
    }
    None
}

fn words_of(l: &str) -> Vec<&str> {
    l.split_whitespace().collect()
}

/// `numerator/denominator`, or `numerator per denominator`.
fn ratio(s: &str) -> Option<UnitOfMeasure> {
    let by_per = s
        .rsplit_once(" per ")
        .map(|(a, b)| (a.trim(), Some(b.trim())));
    let (num, den) = match split_top(s, '/').as_slice() {
        [_] if by_per.is_some() => by_per?,
        [n] => (n.trim(), None),
        [n, d] => (n.trim(), Some(d.trim())),
        _ => return None,
    };
    let per = match den {
        None => None,
        Some(d) => Some(per(d)?),
    };
    let head = num.to_lowercase();
    let head = head.split_whitespace().next().unwrap_or("");
    let (scale, base) = match numerator(num) {
        Some(x) => x,
        // "Strukturjusterad kostnad per elev": a cost is in kronor.
        None if den.is_some() && num.to_lowercase().ends_with("kostnad") => (1, Base::Kronor),
        // "Elever per lärare", "Barn per barngrupp", "Invånare per kvadratkilometer".
        None if den.is_some()
            && [
                "barn",
                "elever",
                "invånare",
                "personer",
                "brukare",
                "anställda",
            ]
            .contains(&head) =>
        {
            (1, Base::Count)
        }
        // "Läkarbesök i primärvård egen produktion/1000 inv": a count of what is named.
        None if per
            .as_ref()
            .is_some_and(|p| p.what.starts_with("invånare") || p.what.is_empty()) =>
        {
            (1, Base::Count)
        }
        None => return None,
    };
    Some(UnitOfMeasure { scale, base, per })
}

fn numerator(num: &str) -> Option<(u64, Base)> {
    let l = num.to_lowercase();
    let l = l.trim();
    // "1000 kr", "1 000 kr"
    let digits: String = l
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ' ')
        .collect();
    let (scale, word) = match digits.replace(' ', "").parse::<u64>() {
        Ok(n) if !digits.trim().is_empty() && n > 0 => (n, l[digits.len()..].trim()),
        _ => (1, l),
    };
    let word = word.trim_end_matches('.').trim();
    let base = match word {
        "kr" | "kronor" => Base::Kronor,
        "tkr" | "tusen kronor" => return Some((scale * 1000, Base::Kronor)),
        "mkr" | "mnkr" | "miljoner kronor" | "miljoner kr" => {
            return Some((scale * 1_000_000, Base::Kronor))
        }
        w if w.starts_with("antal dagar") || w == "dagar" => Base::Days,
        w if w.starts_with("antal")
            || w.starts_with("recept")
            || w.starts_with("förväntat antal") =>
        {
            Base::Count
        }
        "timmar" | "timme" | "tim" => Base::Hours,
        w if w.starts_with("mediantid i minuter") || w == "minuter" => Base::Minutes,
        w if w.starts_with("mediantid i månader") || w == "månader" => Base::Months,
        "år" => Base::Years,
        "gram" => Base::Gram,
        "kg" => Base::Kg,
        "ton" => Base::Ton,
        w if w.starts_with("ton ") => Base::TonOf(num.trim()[4..].trim().to_string()),
        "kwh" => Base::Kwh,
        "mwh" => Base::Mwh,
        w if w == "mw" || w.ends_with("(mw)") => Base::Mw,
        "meter" | "m" => Base::Meter,
        "km" => Base::Km,
        w if w.starts_with("kg ") => Base::Named(num.trim().to_string()),
        "kvadratkilometer" | "km2" | "km²" => Base::Named("km²".into()),
        "kvm" => Base::Kvm("kvm".into()),
        "kvm bra" => Base::Kvm("kvm BRA".into()),
        "kbm" => Base::Kbm,
        "liter" => Base::Liter,
        "hektar" => Base::Hectare,
        "person-km" => Base::Named("person-km".into()),
        _ => return None,
    };
    Some((scale, base))
}

/// "inv 65+" → per invånare 65+; "1000 inv" → per 1 000 invånare; "elev" → per elev.
fn per(den: &str) -> Option<Per> {
    let d = den.trim().trim_end_matches('.').trim();
    let d = d.strip_prefix("per ").unwrap_or(d);
    let digits: String = d
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ' ')
        .collect();
    let (n, rest) = match digits.replace(' ', "").parse::<u64>() {
        Ok(n) if n > 0 => (n, d[digits.len()..].trim()),
        _ => (1, d),
    };
    if rest.is_empty() {
        // "antal/100 000": Kolada leaves out what the 100 000 are.
        return (n > 1).then(|| Per {
            n,
            what: String::new(),
        });
    }
    let lower = rest.to_lowercase();
    let what = if let Some(q) = ["invånare", "inv.", "inv"]
        .iter()
        .find_map(|w| lower.strip_prefix(w).map(|q| (w.len(), q)))
    {
        let qualifier = rest[q.0..].trim().trim_start_matches('.').trim();
        if qualifier.is_empty() {
            "invånare".to_string()
        } else {
            format!("invånare {qualifier}")
        }
    } else {
        rest.to_string()
    };
    Some(Per { n, what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for t in [
            "Bruttoregionprodukt, region (BRP), 1000 kr/invånare",
            "Kostnad äldreomsorg, kr/inv 65+",
            "Revisionsberättelse, (Ja=1, Nej=0)",
            "Fotbollsplaner, antal/1000 inv 7-20 år",
            "Utsläpp, ton CO2e/inv",
        ] {
            let u = UnitOfMeasure::from_title(t).unwrap();
            assert_eq!(
                UnitOfMeasure::from_title(&u.code()),
                Some(u.clone()),
                "{t} → {}",
                u.code()
            );
        }
    }
}
