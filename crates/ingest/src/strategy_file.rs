//! The strategy file: a strategy as TOML that people read and edit.
//!
//! The schema is documented in `docs/strategy-file.md`; the shipped strategies in
//! `data/strategies/` are examples. [`load`] parses and validates, and every problem it
//! reports names the line. [`export`] writes a strategy back in the same form.

use crate::{IngestError, Place};
use etablera_domain::strategy::Item;
use etablera_domain::{IndicatorId, Strategy, Units};
use std::collections::HashSet;

/// All problems found in a strategy file (at least one).
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct StrategyFileErrors(pub Vec<IngestError>);

/// Parses and validates a strategy file. With `indicators`, every indicator it names must
/// be in that set (the catalogue).
pub fn load(
    file: &str,
    src: &str,
    units: &Units,
    indicators: Option<&HashSet<IndicatorId>>,
) -> Result<Strategy, StrategyFileErrors> {
    let strategy: Strategy = toml::from_str(src).map_err(|e| {
        let line = e.span().map(|s| line_of(src, s.start));
        let msg = e.message().trim().to_string();
        StrategyFileErrors(vec![IngestError::invalid(
            Place {
                line,
                ..Place::file(file)
            },
            msg,
        )])
    })?;
    let mut errs = Vec::new();
    for e in strategy.validate() {
        let line = locate(src, e.item, e.field);
        errs.push(IngestError::invalid(
            Place {
                line,
                field: Some(e.field.to_string()),
                ..Place::file(file)
            },
            e.problem,
        ));
    }
    if units.get(strategy.owner.as_str()).is_none() {
        errs.push(IngestError::invalid(
            Place {
                line: locate(src, Item::Strategy, "owner"),
                field: Some("owner".into()),
                ..Place::file(file)
            },
            format!("unknown municipality `{}`", strategy.owner),
        ));
    }
    for (i, t) in strategy.targets.iter().enumerate() {
        for s in t.series_used() {
            if let Some(u) = &s.unit {
                if units.get(u.as_str()).is_none() && !u.is_group() {
                    errs.push(IngestError::invalid(
                        Place {
                            line: locate(src, Item::Target(i), "series"),
                            field: Some("unit".into()),
                            ..Place::file(file)
                        },
                        format!("target `{}` names unknown unit `{u}`", t.id),
                    ));
                }
            }
        }
    }
    if let Some(known) = indicators {
        let mut reported = HashSet::new();
        for id in strategy.indicators() {
            if !known.contains(&id) && reported.insert(id.clone()) {
                let line = src
                    .lines()
                    .position(|l| l.contains(&format!("\"{id}\"")))
                    .map(|i| i + 1);
                errs.push(IngestError::invalid(
                    Place {
                        line,
                        field: Some("indicator".into()),
                        ..Place::file(file)
                    },
                    format!("unknown indicator `{id}`; it is not in the catalogue"),
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(strategy)
    } else {
        errs.sort_by_key(|e| e.place().and_then(|p| p.line).unwrap_or(0));
        Err(StrategyFileErrors(errs))
    }
}

/// Writes a strategy as a strategy file.
pub fn export(strategy: &Strategy) -> Result<String, IngestError> {
    let body = toml::to_string(strategy).map_err(|e| {
        IngestError::invalid(
            Place::file(&strategy.id),
            format!("could not write the strategy: {e}"),
        )
    })?;
    Ok(format!(
        "# Strategy file for Etablera; schema: docs/strategy-file.md\n# Exported from the database; edit and load with `etablera strategy load`.\n\n{body}"
    ))
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// The line of `field` within an item, found from the `[[goals]]`-style headers; the
/// item's header line when the field is not written out, the first line when nothing fits.
fn locate(src: &str, item: Item, field: &str) -> Option<usize> {
    let (header, index) = match item {
        Item::Strategy => ("", 0),
        Item::Area(i) => ("[[areas]]", i),
        Item::Goal(i) => ("[[goals]]", i),
        Item::Target(i) => ("[[targets]]", i),
        Item::Activity(i) => ("[[activities]]", i),
    };
    let lines: Vec<&str> = src.lines().collect();
    let start = if header.is_empty() {
        0
    } else {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim() == header)
            .nth(index)
            .map(|(n, _)| n)?
    };
    let mut n = start + usize::from(!header.is_empty());
    while n < lines.len() {
        let l = lines[n].trim();
        if l.starts_with('[') {
            break;
        }
        if l.starts_with(field) && l[field.len()..].trim_start().starts_with('=') {
            return Some(n + 1);
        }
        n += 1;
    }
    Some(start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "test"
owner = "2380"
title = "Test"
period_from = 2016
period_to = 2020

[[goals]]
id = "g1"
title = "Fler nya Östersundare"
kind = "long_term"

[[goals]]
id = "g1a"
title = "Delmål"
kind = "sub_goal"
parent = "g1"

[[targets]]
id = "t1"
goal = "g1"
text = "Minst 10 % av befolkningen är utrikes födda år 2020"
series = { indicator = "N02926" }
kind = "threshold"
bound = "at_least"
value = 10.0
baseline_year = 2015
target_year = 2020
"#;

    #[test]
    fn loads_and_round_trips() {
        let units = Units::sweden();
        let s = load("s.toml", GOOD, &units, None).unwrap();
        assert_eq!(s.targets.len(), 1);
        let again = load("s2.toml", &export(&s).unwrap(), &units, None).unwrap();
        assert_eq!(s, again);
    }

    #[test]
    fn errors_point_at_the_line() {
        let units = Units::sweden();
        let bad = GOOD.replace("goal = \"g1\"\ntext", "goal = \"g9\"\ntext");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert_eq!(e, "s.toml, line 21, field `goal`: target `t1` names goal `g9`, which is not a goal of this strategy");
        let bad = GOOD.replace("value = 10.0", "value = \"tio\"");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert!(e.starts_with("s.toml, line "), "{e}");
        let bad = GOOD.replace("parent = \"g1\"", "parent = \"g1a\"");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert_eq!(
            e,
            "s.toml, line 17, field `parent`: goal `g1a` is its own ancestor"
        );
        let bad = GOOD.replace("owner = \"2380\"", "owner = \"2399\"");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert_eq!(
            e,
            "s.toml, line 3, field `owner`: unknown municipality `2399`"
        );
        let known: HashSet<IndicatorId> = HashSet::new();
        let e = load("s.toml", GOOD, &units, Some(&known))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "s.toml, line 23, field `indicator`: unknown indicator `N02926`; it is not in the catalogue");
    }
}
