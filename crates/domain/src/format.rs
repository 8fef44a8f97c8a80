//! Numbers as Swedish (and English) readers expect them.
//!
//! Swedish uses a decimal comma and a non-breaking space between thousands, and puts a
//! space before the percent sign: `47,7 %`, `1 234`. English output uses a point and a
//! thin comma-free grouping with a comma (`1,234.5`), and `47.7%`.

use crate::indicator::MeasureUnit;
use crate::Lang;

/// The no-break space used as thousands separator and before units in Swedish.
pub const NBSP: char = '\u{a0}';

/// Formats `v` with `decimals` decimals, grouped by thousands, in the given language.
///
/// ```
/// use etablera_domain::{format::number, Lang};
/// assert_eq!(number(1234.56, 1, Lang::Sv), "1\u{a0}234,6");
/// assert_eq!(number(-0.04, 1, Lang::Sv), "0,0");
/// assert_eq!(number(1234.56, 1, Lang::En), "1,234.6");
/// ```
pub fn number(v: f64, decimals: usize, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let (sep, dec) = match lang {
        Lang::Sv => (NBSP, ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    let digits: Vec<char> = int.chars().collect();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(sep);
        }
        grouped.push(*c);
    }
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    let mut out = String::new();
    if v < 0.0 && !is_zero {
        out.push('−');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push(dec);
        out.push_str(&f);
    }
    out
}

/// Formats a value with the unit of its indicator: `47,7 %`, `312`, `2,30 per 1 000 invånare`.
///
/// ```
/// use etablera_domain::{format::value, indicator::MeasureUnit, Lang};
/// assert_eq!(value(47.7, &MeasureUnit::Percent, Lang::Sv), "47,7\u{a0}%");
/// assert_eq!(value(312.0, &MeasureUnit::Count, Lang::Sv), "312");
/// ```
pub fn value(v: f64, unit: &MeasureUnit, lang: Lang) -> String {
    let decimals = unit.decimals_for(v);
    let n = number(v, decimals, lang);
    match (unit, lang) {
        (MeasureUnit::Percent, Lang::Sv) => format!("{n}{NBSP}%"),
        (MeasureUnit::Percent, Lang::En) => format!("{n}%"),
        (MeasureUnit::PercentagePoints, Lang::Sv) => format!("{n}{NBSP}procentenheter"),
        (MeasureUnit::PercentagePoints, Lang::En) => format!("{n} percentage points"),
        (MeasureUnit::Count, _) | (MeasureUnit::Index, _) => n,
        (MeasureUnit::Compound(u), _) if u.label_of(v).is_some() => {
            u.label_of(v).unwrap_or_default().to_string()
        }
        (u, _) => {
            let symbol = u.symbol(lang);
            if symbol.is_empty() {
                n
            } else {
                format!("{n}{NBSP}{symbol}")
            }
        }
    }
}

/// A difference in the unit of an indicator: percent becomes percentage points.
pub fn difference(v: f64, unit: &MeasureUnit, lang: Lang) -> String {
    let signed = |s: String| {
        if v > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
            format!("+{s}")
        } else {
            s
        }
    };
    match unit {
        MeasureUnit::Percent => {
            let n = signed(number(v, 1, lang));
            match lang {
                Lang::Sv => format!("{n}{NBSP}procentenheter"),
                Lang::En => format!("{n} percentage points"),
            }
        }
        u => signed(value(v, u, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_forms() {
        assert_eq!(number(47.7, 1, Lang::Sv), "47,7");
        assert_eq!(number(1_000_000.0, 0, Lang::Sv), "1\u{a0}000\u{a0}000");
        assert_eq!(number(999.0, 0, Lang::Sv), "999");
        assert_eq!(number(-1234.0, 0, Lang::Sv), "−1\u{a0}234");
        assert_eq!(number(f64::NAN, 1, Lang::Sv), "–");
        assert_eq!(
            difference(2.0, &MeasureUnit::Percent, Lang::Sv),
            "+2,0\u{a0}procentenheter"
        );
        assert_eq!(difference(-2.0, &MeasureUnit::Count, Lang::Sv), "−2");
    }
}
