//! Targets, as a small algebra that covers what municipal strategies really say.
//!
//! | the strategy says | kind |
//! |---|---|
//! | "minst 10 % … år 2020", "högst …" | [`TargetKind::Threshold`] |
//! | "andelen … ska öka" | [`TargetKind::Direction`] from a baseline |
//! | "högst på samma nivå som kommunens inrikes födda i samma ålder", "motsvara riksgenomsnittet" | [`TargetKind::Relative`] to another series |
//! | "skillnader … mellan utrikes födda och svenskfödda ska minska", women against men | [`TargetKind::Gap`] |
//! | "årligen ta emot minst 300" | [`TargetKind::Flow`] |
//!
//! Every target names its series (indicator, unit, sex), a target year and optionally a
//! baseline year; the follow-up engine judges it.

use crate::{GoalId, IndicatorId, Sex, UnitCode};
use serde::{Deserialize, Serialize};

/// A series: an indicator for a unit and a sex. Without a unit, the strategy's owner.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeriesRef {
    pub indicator: IndicatorId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitCode>,
    #[serde(default = "total")]
    pub sex: Sex,
}

fn total() -> Sex {
    Sex::Total
}

impl SeriesRef {
    pub fn new(indicator: IndicatorId, unit: Option<UnitCode>, sex: Sex) -> SeriesRef {
        SeriesRef {
            indicator,
            unit,
            sex,
        }
    }

    /// The unit, with the strategy's owner standing in when none is named.
    pub fn unit_or<'a>(&'a self, owner: &'a UnitCode) -> &'a UnitCode {
        self.unit.as_ref().unwrap_or(owner)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// minst
    AtLeast,
    /// högst
    AtMost,
}

impl Bound {
    /// Whether `v` satisfies the bound against `limit`.
    pub fn holds(self, v: f64, limit: f64) -> bool {
        match self {
            Bound::AtLeast => v >= limit,
            Bound::AtMost => v <= limit,
        }
    }
    /// +1 when higher is better for this bound, −1 when lower is.
    pub fn sign(self) -> f64 {
        match self {
            Bound::AtLeast => 1.0,
            Bound::AtMost => -1.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// ska öka
    Increase,
    /// ska minska
    Decrease,
}

impl Change {
    pub fn sign(self) -> f64 {
        match self {
            Change::Increase => 1.0,
            Change::Decrease => -1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetKind {
    /// The value shall be at least / at most `value` in the target year.
    Threshold { bound: Bound, value: f64 },
    /// The value shall increase (or decrease) from the baseline year.
    Direction { change: Change },
    /// The value shall be at least / at most the reference series plus `margin`
    /// (0 for "samma nivå") in the target year. `tolerance` widens "motsvara" (equal).
    Relative {
        bound: Bound,
        reference: SeriesRef,
        #[serde(default)]
        margin: f64,
    },
    /// The distance between the target's series and `other` shall shrink from the
    /// baseline year, and, when `at_most` is given, be no more than that in the target year.
    Gap {
        other: SeriesRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<f64>,
    },
    /// Every year from the baseline year (or the strategy's start) the value shall be at
    /// least / at most `per_year`.
    Flow { bound: Bound, per_year: f64 },
    /// The value shall change by `by` from its value in the baseline year: percent of that
    /// value ("minska med 20 procent", "halveras" = 50, "fördubblas" = increase by 100), or
    /// percentage points when `points` ("öka med 5 procentenheter").
    Change {
        change: Change,
        by: f64,
        #[serde(default)]
        points: bool,
    },
}

impl TargetKind {
    pub fn name(&self) -> &'static str {
        match self {
            TargetKind::Threshold { .. } => "threshold",
            TargetKind::Direction { .. } => "direction",
            TargetKind::Relative { .. } => "relative",
            TargetKind::Gap { .. } => "gap",
            TargetKind::Flow { .. } => "flow",
            TargetKind::Change { .. } => "change",
        }
    }
}

/// A quantitative target of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    /// The goal it belongs to.
    pub goal: GoalId,
    /// The wording of the strategy document.
    pub text: String,
    pub series: SeriesRef,
    #[serde(flatten)]
    pub kind: TargetKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_year: Option<i32>,
    pub target_year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Target {
    /// The series the target's judgement reads: its own, plus a reference or comparison.
    pub fn series_used(&self) -> Vec<&SeriesRef> {
        let mut v = vec![&self.series];
        match &self.kind {
            TargetKind::Relative { reference, .. } => v.push(reference),
            TargetKind::Gap { other, .. } => v.push(other),
            _ => {}
        }
        v
    }
}
