//! Indicators: what is measured, in which unit, and which way is better.
//!
//! Most indicators are Kolada KPIs (ids like `N00973`); a municipality may add its own for
//! figures Kolada does not have (ids like `OSD-SOCREL-UTR`), entered by hand, read from a
//! file, or computed by Etablera.

use crate::measure::{Base, Per, UnitOfMeasure};
use crate::Lang;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// An indicator id: a Kolada KPI id or a local id of letters, digits, `-`, `_` and `.`.
/// Shared (`Arc<str>`), so the million observations of a large import share a few ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndicatorId(std::sync::Arc<str>);

/// Why a text is not an indicator id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an indicator id; use 1–40 letters, digits, `-`, `_` or `.` (Kolada ids look like N00973)")]
pub struct IndicatorIdError(pub String);

impl IndicatorId {
    pub fn parse(s: &str) -> Result<IndicatorId, IndicatorIdError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= 40
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if ok {
            Ok(IndicatorId(t.into()))
        } else {
            Err(IndicatorIdError(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Kolada KPI ids are a letter followed by five digits.
    pub fn is_kolada(&self) -> bool {
        let b = self.0.as_bytes();
        b.len() == 6 && b[0].is_ascii_uppercase() && b[1..].iter().all(|c| c.is_ascii_digit())
    }
}

impl TryFrom<String> for IndicatorId {
    type Error = IndicatorIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IndicatorId::parse(&s)
    }
}
impl From<IndicatorId> for String {
    fn from(i: IndicatorId) -> String {
        i.0.to_string()
    }
}
impl fmt::Display for IndicatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The unit of measure of an indicator's values.
///
/// The common units have names of their own; any other unit read from a Kolada title
/// ("1000 kr/invånare", "kg/inv", "(Ja=1, Nej=0)") is a [`UnitOfMeasure`] in `Compound`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasureUnit {
    /// andel (%)
    Percent,
    /// A difference between two percentages.
    PercentagePoints,
    /// antal
    Count,
    /// antal per 1 000 invånare
    PerThousand,
    /// kronor per invånare
    KrPerInhabitant,
    /// kronor
    Kronor,
    /// dagar
    Days,
    /// An index without unit.
    Index,
    /// Scale, base and denominator as read from a title.
    Compound(UnitOfMeasure),
    /// A unit this reader does not know, kept as written.
    Other(String),
}

impl Serialize for MeasureUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}
impl<'de> Deserialize<'de> for MeasureUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(MeasureUnit::parse(&s))
    }
}

impl MeasureUnit {
    /// Reads the unit from a Kolada title, which names it at the end: "…, andel (%)",
    /// "…, antal/1000 inv", "…, 1000 kr/invånare", "…, (Ja=1, Nej=0)". A title that names no
    /// unit this reader knows gives `Other` with the title's last part.
    pub fn from_kolada_title(title: &str) -> MeasureUnit {
        match UnitOfMeasure::from_title(title).or_else(|| UnitOfMeasure::from_survey_item(title)) {
            Some(u) => MeasureUnit::from_unit(u),
            None => {
                MeasureUnit::Other(title.rsplit(',').next().unwrap_or(title).trim().to_string())
            }
        }
    }

    /// Reads the unit of a Kolada KPI from its title, or from its description where the
    /// title names none (the unit surveys state the share of units in the description).
    pub fn from_kolada(title: &str, description: &str) -> MeasureUnit {
        match MeasureUnit::from_kolada_title(title) {
            MeasureUnit::Other(tail) => match UnitOfMeasure::from_description(description) {
                Some(u) => MeasureUnit::from_unit(u),
                None => MeasureUnit::Other(tail),
            },
            u => u,
        }
    }

    /// The named unit where there is one, `Compound` otherwise.
    pub fn from_unit(u: UnitOfMeasure) -> MeasureUnit {
        let inhabitants =
            |p: &Option<Per>, n: u64| p.as_ref().is_some_and(|p| p.n == n && p.what == "invånare");
        match (&u.base, u.scale) {
            (Base::Percent, 1) if u.per.is_none() => MeasureUnit::Percent,
            (Base::PercentagePoints, 1) if u.per.is_none() => MeasureUnit::PercentagePoints,
            (Base::Count, 1) if u.per.is_none() => MeasureUnit::Count,
            (Base::Count, 1) if inhabitants(&u.per, 1000) => MeasureUnit::PerThousand,
            (Base::Kronor, 1) if u.per.is_none() => MeasureUnit::Kronor,
            (Base::Kronor, 1) if inhabitants(&u.per, 1) => MeasureUnit::KrPerInhabitant,
            (Base::Days, 1) if u.per.is_none() => MeasureUnit::Days,
            (Base::Score(_), 1) if u.per.is_none() => MeasureUnit::Index,
            _ => MeasureUnit::Compound(u),
        }
    }

    /// The stored text: a name for the common units, the canonical unit text otherwise.
    pub fn as_str(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            MeasureUnit::Percent => "percent",
            MeasureUnit::PercentagePoints => "percentage_points",
            MeasureUnit::Count => "count",
            MeasureUnit::PerThousand => "per_thousand",
            MeasureUnit::KrPerInhabitant => "kr_per_inhabitant",
            MeasureUnit::Kronor => "kronor",
            MeasureUnit::Days => "days",
            MeasureUnit::Index => "index",
            MeasureUnit::Compound(u) => return Cow::Owned(u.code()),
            MeasureUnit::Other(s) => s,
        })
    }

    pub fn parse(s: &str) -> MeasureUnit {
        match s.trim() {
            "percent" | "%" | "andel" => MeasureUnit::Percent,
            "percentage_points" | "procentenheter" => MeasureUnit::PercentagePoints,
            "count" | "antal" => MeasureUnit::Count,
            "per_thousand" | "antal/1000 inv" => MeasureUnit::PerThousand,
            "kr_per_inhabitant" | "kr/inv" => MeasureUnit::KrPerInhabitant,
            "kronor" | "kr" => MeasureUnit::Kronor,
            "days" | "dagar" => MeasureUnit::Days,
            "index" => MeasureUnit::Index,
            other => match UnitOfMeasure::from_title(other) {
                Some(u) => MeasureUnit::from_unit(u),
                None => MeasureUnit::Other(other.to_string()),
            },
        }
    }

    /// What follows a number: "%", "kr per invånare", "tkr per invånare", "per 1 000 invånare".
    pub fn symbol(&self, lang: Lang) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            MeasureUnit::Percent => "%",
            MeasureUnit::PercentagePoints => lang.pick("procentenheter", "percentage points"),
            MeasureUnit::Count => lang.pick("st.", "no."),
            MeasureUnit::PerThousand => {
                lang.pick("per 1\u{a0}000\u{a0}invånare", "per 1,000\u{a0}inhabitants")
            }
            MeasureUnit::KrPerInhabitant => lang.pick("kr per invånare", "SEK per inhabitant"),
            MeasureUnit::Kronor => lang.pick("kr", "SEK"),
            MeasureUnit::Days => lang.pick("dagar", "days"),
            MeasureUnit::Index => "",
            MeasureUnit::Compound(u) => return Cow::Owned(u.symbol(lang)),
            MeasureUnit::Other(s) => s,
        })
    }

    /// How many decimals a value is shown with: counts and kronor as integers, rates per
    /// inhabitants with two, shares and the rest with one.
    pub fn decimals_for(&self, v: f64) -> usize {
        let whole = v.fract().abs() < 1e-9 || v.abs() >= 100.0;
        match self {
            MeasureUnit::Count
            | MeasureUnit::Kronor
            | MeasureUnit::KrPerInhabitant
            | MeasureUnit::Days
                if whole =>
            {
                0
            }
            MeasureUnit::PerThousand => 2,
            MeasureUnit::Compound(u) => match (&u.base, &u.per) {
                (Base::Coded(_), _) => 0,
                (Base::Count, Some(_)) => 2,
                (Base::Kronor | Base::Days | Base::Count, _) if whole => 0,
                _ => 1,
            },
            _ => 1,
        }
    }
}

/// Which way is better for an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Neither: a figure to watch, such as the number of residents in asylum reception.
    Neutral,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
            Direction::Neutral => "neutral",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "higher_is_better" | "higher" => Some(Direction::HigherIsBetter),
            "lower_is_better" | "lower" => Some(Direction::LowerIsBetter),
            "neutral" => Some(Direction::Neutral),
            _ => None,
        }
    }
}

/// Where an indicator's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSource {
    /// Kolada, the national KPI database (RKA). Shown with "Källa: Kolada".
    Kolada,
    /// A file the municipality imports (CSV or xlsx), such as its own survey.
    File,
    /// Values entered by hand.
    Manual,
    /// Computed by Etablera from other figures (the establishment register, later).
    Computed,
}

impl IndicatorSource {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorSource::Kolada => "kolada",
            IndicatorSource::File => "file",
            IndicatorSource::Manual => "manual",
            IndicatorSource::Computed => "computed",
        }
    }
    pub fn parse(s: &str) -> Option<IndicatorSource> {
        match s {
            "kolada" => Some(IndicatorSource::Kolada),
            "file" => Some(IndicatorSource::File),
            "manual" => Some(IndicatorSource::Manual),
            "computed" => Some(IndicatorSource::Computed),
            _ => None,
        }
    }
    /// How the source is cited under a table or chart.
    pub fn citation(self, lang: Lang) -> &'static str {
        match self {
            IndicatorSource::Kolada => lang.pick("Källa: Kolada", "Source: Kolada"),
            IndicatorSource::File => lang.pick(
                "Källa: kommunens egen uppgift (fil)",
                "Source: the municipality's own data (file)",
            ),
            IndicatorSource::Manual => lang.pick(
                "Källa: kommunens egen uppgift",
                "Source: the municipality's own data",
            ),
            IndicatorSource::Computed => {
                lang.pick("Källa: beräknad i Etablera", "Source: computed by Etablera")
            }
        }
    }
}

/// An indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: IndicatorId,
    pub title: String,
    pub unit: MeasureUnit,
    pub direction: Direction,
    pub source: IndicatorSource,
    /// Whether values exist for women and men separately.
    pub divided_by_sex: bool,
    pub description: String,
    /// Kolada's operating area, or the integration area of the curated set.
    pub area: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_from_kolada_titles() {
        assert_eq!(
            MeasureUnit::from_kolada_title("Utrikes födda, andel (%)"),
            MeasureUnit::Percent
        );
        assert_eq!(
            MeasureUnit::from_kolada_title(
                "Kommunmottagna i flyktingmottagandet med uppehållstillstånd, antal"
            ),
            MeasureUnit::Count
        );
        assert_eq!(
            MeasureUnit::from_kolada_title(
                "Kommunmottagna i flyktingmottagandet med uppehållstillstånd, antal/1000 inv"
            ),
            MeasureUnit::PerThousand
        );
        assert_eq!(
            MeasureUnit::from_kolada_title("Nettokostnad, kr/inv"),
            MeasureUnit::KrPerInhabitant
        );
    }

    #[test]
    fn ids() {
        assert!(IndicatorId::parse("N00973").unwrap().is_kolada());
        assert!(!IndicatorId::parse("OSD-SOCREL").unwrap().is_kolada());
        assert!(IndicatorId::parse("N00 973").is_err());
        assert!(IndicatorId::parse("").is_err());
    }
}
