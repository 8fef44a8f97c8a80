//! Sex as Kolada splits its figures: total, women (kvinnor) and men (män).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    /// Totalt: everyone.
    #[serde(rename = "T")]
    Total,
    /// Kvinnor.
    #[serde(rename = "K")]
    Women,
    /// Män.
    #[serde(rename = "M")]
    Men,
}

/// Why a text is not a sex code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a sex code; expected T (totalt), K (kvinnor) or M (män)")]
pub struct SexError(pub String);

impl Sex {
    pub const ALL: [Sex; 3] = [Sex::Total, Sex::Women, Sex::Men];

    pub fn code(self) -> &'static str {
        match self {
            Sex::Total => "T",
            Sex::Women => "K",
            Sex::Men => "M",
        }
    }

    /// Accepts Kolada's codes and the words analysts write in spreadsheets.
    pub fn parse(s: &str) -> Result<Sex, SexError> {
        // Kolada's own codes first, without allocating: a large import parses millions.
        match s {
            "T" => return Ok(Sex::Total),
            "K" => return Ok(Sex::Women),
            "M" => return Ok(Sex::Men),
            _ => {}
        }
        match s.trim().to_lowercase().as_str() {
            "t" | "totalt" | "total" | "alla" | "" => Ok(Sex::Total),
            "k" | "kvinnor" | "kvinna" | "women" | "w" | "f" | "female" => Ok(Sex::Women),
            "m" | "män" | "man" | "men" | "male" => Ok(Sex::Men),
            _ => Err(SexError(s.to_string())),
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Sex::Total => lang.pick("totalt", "total"),
            Sex::Women => lang.pick("kvinnor", "women"),
            Sex::Men => lang.pick("män", "men"),
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Sex {
    type Err = SexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sex::parse(s)
    }
}
