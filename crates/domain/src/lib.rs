//! Types and rules of municipal integration work, with no I/O.
//!
//! Everything else in Etablera is built on these values: the units that report figures
//! ([`unit`]), the indicators they report ([`indicator`]), single figures
//! ([`observation`]) for a [`period`] and a [`sex`], and the strategies that set
//! [`target`]s for them ([`strategy`]). Constructors parse and say what was wrong, so a
//! value of these types is always valid.
//!
//! ```
//! use etablera_domain::{period::Period, unit::UnitCode};
//! let p: Period = "2019Q1".parse().unwrap();
//! assert_eq!(p.year(), 2019);
//! assert!(UnitCode::parse("2380").unwrap().is_municipality());
//! ```

pub mod access;
pub mod date;
pub mod format;
pub mod group;
pub mod indicator;
pub mod measure;
pub mod observation;
pub mod period;
pub mod round;
pub mod sex;
pub mod strategy;
pub mod target;
pub mod unit;

pub use date::Date;
pub use group::{GroupValue, UnitGroup};
pub use indicator::{Direction, Indicator, IndicatorId, IndicatorSource, MeasureUnit};
pub use observation::{ObsStatus, Observation};
pub use period::Period;
pub use sex::Sex;
pub use strategy::{Activity, ActivityStatus, Area, Goal, GoalId, Strategy, StrategyError};
pub use target::{Bound, Change, SeriesRef, Target, TargetKind};
pub use unit::{Unit, UnitCode, UnitKind, Units};

/// The language a text is rendered in. Swedish is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sv" | "sv-se" | "svenska" => Ok(Lang::Sv),
            "en" | "en-gb" | "en-us" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}`, expected sv or en")),
        }
    }
}

impl Lang {
    /// Picks the Swedish or the English text.
    /// The language's code: `sv` or `en` (a page's `lang`, the language cookie).
    pub fn code(self) -> &'static str {
        self.pick("sv", "en")
    }

    pub fn pick<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }
}
