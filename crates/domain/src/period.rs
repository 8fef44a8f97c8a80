//! Reporting periods: years, and also half-years, quarters and months.
//!
//! Kolada reports by year, but municipalities also report "första kvartalet 2019". The
//! text forms are `2019`, `2019H1`, `2019Q1` and `2019M03`; they sort in time order
//! within a kind, and [`Period::midpoint`] places any period on one time axis.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Periods are ordered by when they end; a year sorts after the quarter, half-year and
/// month that end with it, so the whole year counts as the latest figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Half(i32, u8),
    Quarter(i32, u8),
    Month(i32, u8),
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a period; expected a year (2019), half-year (2019H1), quarter (2019Q1) or month (2019M03)")]
pub struct PeriodError(pub String);

impl Period {
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let t = s.trim();
        let err = || PeriodError(s.to_string());
        if t.len() < 4 || !t.is_char_boundary(4) {
            return Err(err());
        }
        let year: i32 = t[..4].parse().map_err(|_| err())?;
        if !(1900..=2200).contains(&year) || !t[..4].bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let rest = &t[4..];
        if rest.is_empty() {
            return Ok(Period::Year(year));
        }
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        // The kind letter may be any character a user typed, a multi-byte one too.
        let kind_len = rest.chars().next().map_or(0, char::len_utf8);
        let (kind, num) = rest.split_at(kind_len);
        let n: u8 = num.parse().map_err(|_| err())?;
        match kind.to_ascii_uppercase().as_str() {
            "H" if (1..=2).contains(&n) => Ok(Period::Half(year, n)),
            "Q" | "K" if (1..=4).contains(&n) => Ok(Period::Quarter(year, n)),
            "M" if (1..=12).contains(&n) => Ok(Period::Month(year, n)),
            _ => Err(err()),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    pub fn is_year(self) -> bool {
        matches!(self, Period::Year(_))
    }

    /// The middle of the period in fractional years, so series of mixed kinds share an axis.
    /// A year's value sits at its end (`2019` → 2019.0) because Kolada's yearly figures are
    /// year-end or whole-year figures; shorter periods sit at their own end, too.
    pub fn midpoint(self) -> f64 {
        match self {
            Period::Year(y) => y as f64,
            Period::Half(y, h) => y as f64 - 1.0 + h as f64 / 2.0,
            Period::Quarter(y, q) => y as f64 - 1.0 + q as f64 / 4.0,
            Period::Month(y, m) => y as f64 - 1.0 + m as f64 / 12.0,
        }
    }

    /// Readable label: "2019", "första kvartalet 2019" is too long for tables, so "2019 kv 1".
    pub fn label(self, lang: crate::Lang) -> String {
        match (self, lang) {
            (Period::Year(y), _) => y.to_string(),
            (Period::Half(y, h), crate::Lang::Sv) => format!("{y} halvår {h}"),
            (Period::Half(y, h), crate::Lang::En) => format!("{y} H{h}"),
            (Period::Quarter(y, q), crate::Lang::Sv) => format!("{y} kv {q}"),
            (Period::Quarter(y, q), crate::Lang::En) => format!("{y} Q{q}"),
            (Period::Month(y, m), _) => format!("{y}-{m:02}"),
        }
    }
}

impl Period {
    /// Months from year 0 to the end of the period, and a rank for periods ending together.
    fn sort_key(self) -> (i64, u8) {
        match self {
            Period::Year(y) => (y as i64 * 12 + 12, 3),
            Period::Half(y, h) => (y as i64 * 12 + h as i64 * 6, 2),
            Period::Quarter(y, q) => (y as i64 * 12 + q as i64 * 3, 1),
            Period::Month(y, m) => (y as i64 * 12 + m as i64, 0),
        }
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Period) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Period) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Period::Month(y, m) => write!(f, "{y}M{m:02}"),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Period;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a period such as 2019, 2019H1, 2019Q1 or 2019M03")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Period, E> {
                Period::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Period, E> {
                Period::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Period, E> {
                Period::parse(&v.to_string()).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(Period::parse("2019").unwrap(), Period::Year(2019));
        assert_eq!(Period::parse("2019Q1").unwrap(), Period::Quarter(2019, 1));
        assert_eq!(Period::parse("2019-Q1").unwrap(), Period::Quarter(2019, 1));
        assert_eq!(Period::parse("2019H2").unwrap(), Period::Half(2019, 2));
        assert_eq!(Period::parse("2019M03").unwrap(), Period::Month(2019, 3));
        assert!(Period::parse("2019Q5").is_err());
        assert!(Period::parse("19").is_err());
        assert!(Period::parse("20é9").is_err());
        // Found by fuzzing: a multi-byte character where the kind letter goes.
        assert!(Period::parse("2021\u{feff}").is_err());
        assert!(Period::parse("2021-é1").is_err());
        assert!(Period::parse("2019M13").is_err());
        assert_eq!(Period::Quarter(2019, 1).midpoint(), 2018.25);
        let mut v = vec![
            Period::Year(2024),
            Period::Quarter(2019, 1),
            Period::Year(2019),
            Period::Quarter(2019, 4),
            Period::Month(2019, 12),
        ];
        v.sort();
        assert_eq!(
            v,
            vec![
                Period::Quarter(2019, 1),
                Period::Month(2019, 12),
                Period::Quarter(2019, 4),
                Period::Year(2019),
                Period::Year(2024)
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn display_round_trips(y in 1900i32..2200, k in 0u8..4, n in 1u8..13) {
            let p = match k { 0 => Period::Year(y), 1 => Period::Half(y, 1 + n % 2), 2 => Period::Quarter(y, 1 + n % 4), _ => Period::Month(y, n) };
            proptest::prop_assert_eq!(Period::parse(&p.to_string()).unwrap(), p);
        }
    }
}
