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
    // Keys are checked before the typed reading, so a misspelt optional key is an error
    // (not silently ignored) and a wrong `kind` is reported on its own line.
    if let Ok(table) = toml::from_str::<toml::Table>(src) {
        let errs = check_keys(file, src, &table);
        if !errs.is_empty() {
            return Err(StrategyFileErrors(errs));
        }
    }
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

const TOP_KEYS: &[&str] = &[
    "id",
    "owner",
    "title",
    "subtitle",
    "period_from",
    "period_to",
    "adopted_by",
    "adopted_on",
    "vision",
    "source",
    "areas",
    "goals",
    "targets",
    "activities",
];
const AREA_KEYS: &[&str] = &["id", "name", "description", "indicators"];
const GOAL_KEYS: &[&str] = &[
    "id",
    "title",
    "kind",
    "parent",
    "area",
    "description",
    "strategies",
];
const ACTIVITY_KEYS: &[&str] = &[
    "id",
    "title",
    "goal",
    "responsible",
    "year",
    "status",
    "comment",
];
const TARGET_KEYS: &[&str] = &[
    "id",
    "goal",
    "text",
    "series",
    "kind",
    "baseline_year",
    "target_year",
    "note",
];
const SERIES_KEYS: &[&str] = &["indicator", "unit", "sex"];
/// Each kind of target and the keys it adds.
const TARGET_KINDS: &[(&str, &[&str])] = &[
    ("threshold", &["bound", "value"]),
    ("direction", &["change"]),
    ("relative", &["bound", "reference", "margin"]),
    ("gap", &["other", "at_most"]),
    ("flow", &["bound", "per_year"]),
    ("change", &["change", "by", "points"]),
];

/// The known key closest to `key`, if it is a likely misspelling (edit distance ≤ 2).
fn nearest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    known
        .map(|k| (distance(key, k), k))
        .filter(|(d, k)| *d <= 2 || k.starts_with(key) || key.starts_with(k))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Every key the strategy file does not know, and every unknown target `kind`, each
/// with its line.
fn check_keys(file: &str, src: &str, table: &toml::Table) -> Vec<IngestError> {
    let mut errs = Vec::new();
    let unknown = |item: Item, what: &str, key: &str, known: &[&str]| {
        let hint = nearest(key, known.iter().copied())
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_else(|| format!("; the keys here are {}", known.join(", ")));
        IngestError::invalid(
            Place {
                line: locate(src, item, key),
                field: Some(key.to_string()),
                ..Place::file(file)
            },
            format!("unknown key{what}{hint}"),
        )
    };
    for key in table.keys() {
        if !TOP_KEYS.contains(&key.as_str()) {
            errs.push(unknown(Item::Strategy, "", key, TOP_KEYS));
        }
    }
    let items = |name: &str| -> Vec<&toml::Table> {
        table
            .get(name)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_table()).collect())
            .unwrap_or_default()
    };
    for (i, t) in items("areas").into_iter().enumerate() {
        for key in t.keys().filter(|k| !AREA_KEYS.contains(&k.as_str())) {
            errs.push(unknown(
                Item::Area(i),
                &format!(" in [[areas]] {}", i + 1),
                key,
                AREA_KEYS,
            ));
        }
    }
    for (i, t) in items("goals").into_iter().enumerate() {
        for key in t.keys().filter(|k| !GOAL_KEYS.contains(&k.as_str())) {
            errs.push(unknown(
                Item::Goal(i),
                &format!(" in [[goals]] {}", i + 1),
                key,
                GOAL_KEYS,
            ));
        }
    }
    for (i, t) in items("activities").into_iter().enumerate() {
        for key in t.keys().filter(|k| !ACTIVITY_KEYS.contains(&k.as_str())) {
            errs.push(unknown(
                Item::Activity(i),
                &format!(" in [[activities]] {}", i + 1),
                key,
                ACTIVITY_KEYS,
            ));
        }
    }
    for (i, t) in items("targets").into_iter().enumerate() {
        let what = format!(" in [[targets]] {}", i + 1);
        let kind = t.get("kind").and_then(|k| k.as_str());
        let extra: &[&str] = match kind.map(|k| TARGET_KINDS.iter().find(|(n, _)| *n == k)) {
            Some(Some((_, keys))) => keys,
            Some(None) => {
                let kinds: Vec<&str> = TARGET_KINDS.iter().map(|(n, _)| *n).collect();
                let k = kind.unwrap_or_default();
                let hint = nearest(k, kinds.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                errs.push(IngestError::invalid(
                    Place {
                        line: locate(src, Item::Target(i), "kind"),
                        field: Some("kind".into()),
                        ..Place::file(file)
                    },
                    format!(
                        "unknown kind of target `{k}`; the kinds are {}{hint}",
                        kinds.join(", ")
                    ),
                ));
                continue;
            }
            // A missing kind is reported by the typed reading.
            None => continue,
        };
        let known: Vec<&str> = TARGET_KEYS.iter().chain(extra).copied().collect();
        for key in t.keys().filter(|k| !known.contains(&k.as_str())) {
            let hint_from: Vec<&str> = known.clone();
            errs.push(unknown(Item::Target(i), &what, key, &hint_from));
        }
        for series in ["series", "reference", "other"] {
            if let Some(st) = t.get(series).and_then(|v| v.as_table()) {
                for key in st.keys().filter(|k| !SERIES_KEYS.contains(&k.as_str())) {
                    errs.push(unknown(
                        Item::Target(i),
                        &format!(" of `{series}`{what}"),
                        key,
                        SERIES_KEYS,
                    ));
                }
            }
        }
    }
    errs
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

    /// Finding 14 of the hardening issue: a misspelt key (`baseline_yr`, `valu`) is not
    /// accepted silently, and a bad `kind` points at the `kind` line.
    #[test]
    fn unknown_keys_and_a_bad_kind_name_their_line() {
        let units = Units::sweden();
        let bad = GOOD.replace("baseline_year = 2015", "baseline_yr = 2015");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert_eq!(
            e,
            "s.toml, line 27, field `baseline_yr`: unknown key in [[targets]] 1; did you mean `baseline_year`?"
        );
        let bad = GOOD.replace("value = 10.0", "value = 10.0\nvalu = 11.0");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert!(e.starts_with("s.toml, line 27, field `valu`: unknown key in [[targets]] 1; did you mean `value`?"), "{e}");
        let bad = GOOD.replace("title = \"Test\"", "title = \"Test\"\nvison = \"x\"");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert!(
            e.starts_with("s.toml, line 5, field `vison`: unknown key; did you mean `vision`?"),
            "{e}"
        );
        let bad = GOOD.replace("kind = \"threshold\"", "kind = \"treshold\"");
        let e = load("s.toml", &bad, &units, None).unwrap_err().to_string();
        assert!(e.starts_with("s.toml, line 24, field `kind`:"), "{e}");
    }
}
