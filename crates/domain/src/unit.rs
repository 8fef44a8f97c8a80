//! The units that report figures: the nation, the 21 regions and the 290 municipalities.
//!
//! Codes follow Kolada: `0000` is the nation (riket), a region is `00` followed by its
//! county code (`0023` is Region Jämtland Härjedalen), and a municipality has its official
//! four-digit code (`2380` is Östersund). Groups of units ([`crate::group`]) have codes that
//! start with `G`. The reference lists are compiled into the binary from `data/reference`
//! (CC0, see `data/README.md`).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A unit's code, checked to have one of the forms above. Shared (`Arc<str>`) so that
/// observations can carry it cheaply.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(std::sync::Arc<str>);

/// Why a text is not a unit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a unit code; expected four digits (0000 for the nation, 00LL for a region, a municipality code) or a group code starting with G")]
pub struct UnitCodeError(pub String);

impl UnitCode {
    pub const NATION: &'static str = "0000";

    pub fn parse(s: &str) -> Result<UnitCode, UnitCodeError> {
        let t = s.trim();
        let digits = t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit());
        let group = t.len() >= 2
            && t.len() <= 40
            && t.starts_with('G')
            && t[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if digits || group {
            Ok(UnitCode(t.into()))
        } else {
            Err(UnitCodeError(s.to_string()))
        }
    }

    pub fn nation() -> UnitCode {
        UnitCode(Self::NATION.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_nation(&self) -> bool {
        &*self.0 == Self::NATION
    }

    pub fn is_region(&self) -> bool {
        self.0.starts_with("00") && !self.is_nation() && self.0.len() == 4
    }

    pub fn is_municipality(&self) -> bool {
        self.0.len() == 4 && !self.0.starts_with("00") && self.0.bytes().all(|b| b.is_ascii_digit())
    }

    pub fn is_group(&self) -> bool {
        self.0.starts_with('G')
    }

    /// The county code (two digits) of a municipality or region.
    pub fn county(&self) -> Option<&str> {
        if self.is_municipality() {
            Some(&self.0[..2])
        } else if self.is_region() {
            Some(&self.0[2..])
        } else {
            None
        }
    }
}

impl TryFrom<String> for UnitCode {
    type Error = UnitCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UnitCode::parse(&s)
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0.to_string()
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Nation,
    Region,
    Municipality,
    Group,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Nation => "nation",
            UnitKind::Region => "region",
            UnitKind::Municipality => "municipality",
            UnitKind::Group => "group",
        }
    }
    pub fn parse(s: &str) -> Option<UnitKind> {
        match s {
            "nation" => Some(UnitKind::Nation),
            "region" => Some(UnitKind::Region),
            "municipality" => Some(UnitKind::Municipality),
            "group" => Some(UnitKind::Group),
            _ => None,
        }
    }
}

/// A reporting unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub code: UnitCode,
    /// The short name: "Östersund", "Jämtlands län", "Riket".
    pub name: String,
    pub kind: UnitKind,
    /// County code, for municipalities and regions.
    pub county: Option<String>,
}

const MUNICIPALITIES_CSV: &str = include_str!("../../../data/reference/municipalities.csv");
const COUNTIES_CSV: &str = include_str!("../../../data/reference/counties.csv");

/// The set of known units with lookup by code and by name.
#[derive(Debug, Clone)]
pub struct Units {
    list: Vec<Unit>,
    official: HashMap<String, String>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Units {
    /// The nation, the 21 regions and the 290 municipalities of Sweden.
    pub fn sweden() -> Units {
        let mut list = vec![Unit {
            code: UnitCode::nation(),
            name: "Riket".to_string(),
            kind: UnitKind::Nation,
            county: None,
        }];
        for line in COUNTIES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
        {
            let f: Vec<&str> = line.split(',').collect();
            list.push(Unit {
                code: UnitCode(format!("00{}", f[0]).into()),
                name: f[1].to_string(),
                kind: UnitKind::Region,
                county: Some(f[0].to_string()),
            });
        }
        for line in MUNICIPALITIES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
        {
            let f: Vec<&str> = line.split(',').collect();
            list.push(Unit {
                code: UnitCode(f[0].into()),
                name: f[2].to_string(),
                kind: UnitKind::Municipality,
                county: Some(f[3].to_string()),
            });
        }
        let mut units = Units::from_list(list);
        for line in MUNICIPALITIES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
        {
            let f: Vec<&str> = line.split(',').collect();
            units
                .official
                .insert(f[0].to_string(), fix_official_name(f[1], f[2]));
        }
        units
    }

    /// The name to use in a heading: "Östersunds kommun", "Region Jämtland Härjedalen" is
    /// not in the reference data, so regions get their county's name.
    pub fn official_name(&self, code: &str) -> Option<String> {
        self.official
            .get(code)
            .cloned()
            .or_else(|| self.get(code).map(|u| u.name.clone()))
    }

    pub fn from_list(list: Vec<Unit>) -> Units {
        let mut by_code = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, u) in list.iter().enumerate() {
            by_code.insert(u.code.0.to_string(), i);
            by_name.insert(normalise(&u.name), i);
            if u.kind == UnitKind::Municipality {
                by_name.insert(normalise(&format!("{} kommun", u.name)), i);
            }
        }
        Units {
            list,
            by_code,
            by_name,
            official: HashMap::new(),
        }
    }

    /// Adds a group so that it can be named in imports and targets.
    pub fn add(&mut self, unit: Unit) {
        let i = self.list.len();
        self.by_code.insert(unit.code.0.to_string(), i);
        self.by_name.insert(normalise(&unit.name), i);
        self.list.push(unit);
    }

    pub fn all(&self) -> &[Unit] {
        &self.list
    }

    pub fn get(&self, code: &str) -> Option<&Unit> {
        self.by_code.get(code.trim()).map(|&i| &self.list[i])
    }

    /// Finds a unit by its code or by its name ("Östersund", "östersunds kommun").
    pub fn find(&self, code_or_name: &str) -> Option<&Unit> {
        self.get(code_or_name).or_else(|| {
            self.by_name
                .get(&normalise(code_or_name))
                .map(|&i| &self.list[i])
        })
    }

    pub fn municipalities(&self) -> impl Iterator<Item = &Unit> {
        self.list
            .iter()
            .filter(|u| u.kind == UnitKind::Municipality)
    }

    /// The municipalities of a county, the members of its county group.
    pub fn county_members(&self, county: &str) -> Vec<UnitCode> {
        self.municipalities()
            .filter(|u| u.county.as_deref() == Some(county))
            .map(|u| u.code.clone())
            .collect()
    }
}

/// The reference file has some wrong full names ("Malmö kommun", "Kalmars kommun"); the
/// municipalities that call themselves "stad" are named so, and a genitive is not doubled.
fn fix_official_name(full: &str, short: &str) -> String {
    const STAD: [&str; 13] = [
        "Stockholm",
        "Göteborg",
        "Malmö",
        "Solna",
        "Sundbyberg",
        "Västerås",
        "Vaxholm",
        "Mölndal",
        "Haninge",
        "Lidingö",
        "Landskrona",
        "Trollhättan",
        "Borås",
    ];
    if STAD.contains(&short) {
        return format!("{short}s stad");
    }
    if full.ends_with("ss kommun") && !short.ends_with('s') {
        return format!("{short}s kommun");
    }
    full.to_string()
}

fn normalise(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweden_has_every_unit() {
        let u = Units::sweden();
        assert_eq!(u.municipalities().count(), 290);
        assert_eq!(
            u.all()
                .iter()
                .filter(|u| u.kind == UnitKind::Region)
                .count(),
            21
        );
        assert_eq!(u.find("Östersund").unwrap().code.as_str(), "2380");
        assert_eq!(u.find("östersund kommun").unwrap().code.as_str(), "2380");
        assert_eq!(u.find("1984").unwrap().name, "Arboga");
        assert_eq!(u.get("0023").unwrap().kind, UnitKind::Region);
        assert_eq!(u.county_members("23").len(), 8);
        assert!(u.find("Atlantis").is_none());
    }

    #[test]
    fn codes() {
        assert!(UnitCode::parse("0000").unwrap().is_nation());
        assert!(UnitCode::parse("0023").unwrap().is_region());
        assert!(UnitCode::parse("G-jamtland").unwrap().is_group());
        assert!(UnitCode::parse("238").is_err());
        assert!(UnitCode::parse("23800").is_err());
        assert!(UnitCode::parse("G x").is_err());
    }
}
