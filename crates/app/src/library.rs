//! The strategy library's use cases. So far: reading the targets out of a strategy's text,
//! as drafts for a strategist to review (nothing is stored).

use crate::{Error, Result};
use etablera_domain::{format, Lang, Sex};
use etablera_library::kpis::{Catalogue, Suggestion};
use etablera_library::targets::{self, Comparator, Draft, Unit};
use std::sync::OnceLock;

/// The largest text read for targets (a strategy is tens of pages; 20 MB is far beyond).
pub const MAX_TEXT_BYTES: usize = 20 * 1024 * 1024;

/// The targets a strategy's text states, each as a draft. `file` names the text in errors;
/// `period_end` is the strategy's last year, given to targets that name none (flagged).
pub fn targets_of_text(file: &str, bytes: &[u8], period_end: Option<i32>) -> Result<Vec<Draft>> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(Error::input(format!(
            "{file}: the text is {} bytes; at most {} are read",
            format::number(bytes.len() as f64, 0, Lang::Sv),
            format::number(MAX_TEXT_BYTES as f64, 0, Lang::Sv)
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "{file}: not UTF-8 text (byte {}); save the document as plain text in UTF-8",
            e.valid_up_to()
        ))
    })?;
    if let Some(y) = period_end.filter(|y| !(1990..=2100).contains(y)) {
        return Err(Error::input(format!(
            "--period-end: {y} is not a year between 1990 and 2100"
        )));
    }
    Ok(targets::read(text, period_end))
}

/// A draft with the Kolada KPIs that may measure it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WithKpis {
    #[serde(flatten)]
    pub draft: Draft,
    /// The three KPIs of Kolada's catalogue whose titles best match the sentence.
    pub kpis: Vec<Suggestion>,
}

/// Kolada's KPI catalogue as shipped, ready to suggest from.
fn catalogue() -> Result<&'static Catalogue> {
    static C: OnceLock<Catalogue> = OnceLock::new();
    if let Some(c) = C.get() {
        return Ok(c);
    }
    let parsed =
        etablera_ingest::kolada::parse_kpis("data/kolada/kpi.json", crate::KOLADA_KPI_JSON)
            .map_err(|e| Error::internal(format!("the shipped KPI catalogue: {e}")))?;
    let c = Catalogue::new(
        parsed
            .indicators
            .into_iter()
            .map(|i| (i.id.as_str().to_string(), i.title)),
    );
    Ok(C.get_or_init(|| c))
}

/// Each draft with the three Kolada KPIs that best match its sentence.
pub fn with_kpis(drafts: Vec<Draft>) -> Result<Vec<WithKpis>> {
    let c = catalogue()?;
    Ok(drafts
        .into_iter()
        .map(|d| {
            let kpis = c.suggest(&d.sentence, d.unit, 3);
            WithKpis { draft: d, kpis }
        })
        .collect())
}

/// A draft in words, in the language: "minst 10 % år 2020", "öka (år 2020, periodens slut
/// – kontrollera)".
pub fn describe(d: &Draft, lang: Lang) -> String {
    let value = d.value.map(|v| {
        let n = format::number(v, if v.fract() == 0.0 { 0 } else { 1 }, lang);
        match d.unit {
            Some(Unit::Percent) => format!("{n}\u{a0}%"),
            Some(Unit::PercentagePoints) => {
                format!("{n} {}", lang.pick("procentenheter", "percentage points"))
            }
            Some(Unit::Kronor) => format!("{n} {}", lang.pick("kronor", "kronor")),
            Some(Unit::Count) | None => n,
        }
    });
    let how = match (d.comparator, d.bound) {
        (Comparator::AtLeast, _) => lang.pick("minst", "at least"),
        (Comparator::AtMost, _) => lang.pick("högst", "at most"),
        (Comparator::Increase, _) => lang.pick("öka", "increase"),
        (Comparator::Decrease, _) => lang.pick("minska", "decrease"),
        (Comparator::Halve, _) => lang.pick("halveras", "be halved"),
        (Comparator::Double, _) => lang.pick("fördubblas", "be doubled"),
        (Comparator::SameLevelAs, Some(Comparator::AtMost)) => lang.pick(
            "högst på samma nivå som jämförelsen",
            "at most the reference's level",
        ),
        (Comparator::SameLevelAs, Some(_)) => lang.pick(
            "minst på samma nivå som jämförelsen",
            "at least the reference's level",
        ),
        (Comparator::SameLevelAs, None) => {
            lang.pick("på samma nivå som jämförelsen", "the reference's level")
        }
        (Comparator::NationalAverage, _) => {
            lang.pick("motsvara riksgenomsnittet", "the national average")
        }
        (Comparator::All, _) => lang.pick("alla", "all"),
        (Comparator::None, _) => lang.pick("ingen", "none"),
    };
    let mut out = match (&value, d.comparator) {
        (Some(v), Comparator::Increase | Comparator::Decrease) => {
            format!("{how} {} {v}", lang.pick("med", "by"))
        }
        (Some(v), Comparator::AtLeast | Comparator::AtMost) => format!("{how} {v}"),
        _ => how.to_string(),
    };
    if d.per_year {
        out.push_str(lang.pick(" per år", " per year"));
    }
    match d.sex {
        Some(Sex::Women) => out.push_str(lang.pick(", kvinnor", ", women")),
        Some(Sex::Men) => out.push_str(lang.pick(", män", ", men")),
        _ => {}
    }
    // A yearly flow holds each year up to its year; a level is reached in its year.
    let by = if d.per_year {
        lang.pick(", till", ", until")
    } else {
        lang.pick(" år", " by")
    };
    match (d.year, d.year_in_text) {
        (Some(y), true) => out.push_str(&format!("{by} {y}")),
        (Some(y), false) => out.push_str(&format!(
            "{by} {y} ({})",
            lang.pick(
                "periodens slut – inget år i texten, kontrollera",
                "the period's end – no year in the text, check"
            )
        )),
        (None, _) => out.push_str(lang.pick(" (inget år)", " (no year)")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_texts_are_refused_with_their_place() {
        let e = targets_of_text("s.txt", &[0xff, 0xfe, b'a'], None).unwrap_err();
        assert!(
            e.to_string().starts_with("s.txt: not UTF-8 text (byte 0)"),
            "{e}"
        );
        let big = vec![b'a'; MAX_TEXT_BYTES + 1];
        let e = targets_of_text("big.txt", &big, None).unwrap_err();
        assert!(
            e.to_string().contains("at most 20\u{a0}971\u{a0}520"),
            "{e}"
        );
        let e = targets_of_text("s.txt", b"Text.", Some(20)).unwrap_err();
        assert!(e.to_string().contains("--period-end"), "{e}");
    }

    #[test]
    fn drafts_read_in_swedish() {
        let d = targets_of_text(
            "s.txt",
            "Minst 47,5 % av kvinnorna ska arbeta år 2020. Andelen ska öka.".as_bytes(),
            Some(2022),
        )
        .unwrap();
        assert_eq!(
            describe(&d[0], Lang::Sv),
            "minst 47,5\u{a0}%, kvinnor år 2020"
        );
        assert_eq!(
            describe(&d[1], Lang::Sv),
            "öka år 2022 (periodens slut – inget år i texten, kontrollera)"
        );
    }
}
