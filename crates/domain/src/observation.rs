//! Observations: one figure for an indicator, a unit, a period and a sex.
//!
//! A figure may be absent, and absence has kinds that must never be read as zero:
//! missing (not reported), not applicable, and suppressed for confidentiality. The
//! constructor keeps value and status consistent: a value exists exactly when the
//! status is final or preliminary.

use crate::{IndicatorId, Period, Sex, UnitCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObsStatus {
    Final,
    Preliminary,
    Missing,
    NotApplicable,
    Suppressed,
    /// A status text the source gave that Etablera does not know (a Kolada status added
    /// after this release, say): the value is kept, and shown marked.
    Flagged,
}

impl ObsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObsStatus::Final => "final",
            ObsStatus::Preliminary => "preliminary",
            ObsStatus::Missing => "missing",
            ObsStatus::NotApplicable => "not_applicable",
            ObsStatus::Suppressed => "suppressed",
            ObsStatus::Flagged => "flagged",
        }
    }

    pub fn parse(s: &str) -> Option<ObsStatus> {
        match s.trim().to_lowercase().as_str() {
            "final" | "slutlig" | "" => Some(ObsStatus::Final),
            "preliminary" | "preliminär" | "prel" | "p" => Some(ObsStatus::Preliminary),
            "missing" | "saknas" | "m" | ".." => Some(ObsStatus::Missing),
            "not_applicable" | "ej tillämplig" | "na" | "-" => Some(ObsStatus::NotApplicable),
            "suppressed" | "sekretess" | "x" | "s" => Some(ObsStatus::Suppressed),
            "flagged" | "flaggad" => Some(ObsStatus::Flagged),
            _ => None,
        }
    }

    pub fn has_value(self) -> bool {
        matches!(
            self,
            ObsStatus::Final | ObsStatus::Preliminary | ObsStatus::Flagged
        )
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            ObsStatus::Final => lang.pick("slutligt", "final"),
            ObsStatus::Preliminary => lang.pick("preliminärt", "preliminary"),
            ObsStatus::Missing => lang.pick("saknas", "missing"),
            ObsStatus::NotApplicable => lang.pick("ej tillämpligt", "not applicable"),
            ObsStatus::Suppressed => lang.pick("sekretess", "suppressed"),
            ObsStatus::Flagged => {
                lang.pick("okänd status hos källan", "status unknown to Etablera")
            }
        }
    }
}

/// Why an observation could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ObservationError {
    #[error("a value is not a finite number ({0})")]
    NotFinite(f64),
    #[error("status `{0}` needs a value")]
    ValueRequired(&'static str),
    #[error("status `{0}` cannot carry a value")]
    ValueNotAllowed(&'static str),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub indicator: IndicatorId,
    pub unit: UnitCode,
    pub period: Period,
    pub sex: Sex,
    value: Option<f64>,
    status: ObsStatus,
}

impl Observation {
    pub fn new(
        indicator: IndicatorId,
        unit: UnitCode,
        period: Period,
        sex: Sex,
        value: Option<f64>,
        status: ObsStatus,
    ) -> Result<Observation, ObservationError> {
        match (value, status.has_value()) {
            (Some(v), _) if !v.is_finite() => return Err(ObservationError::NotFinite(v)),
            (None, true) => return Err(ObservationError::ValueRequired(status.as_str())),
            (Some(_), false) => return Err(ObservationError::ValueNotAllowed(status.as_str())),
            _ => {}
        }
        Ok(Observation {
            indicator,
            unit,
            period,
            sex,
            value,
            status,
        })
    }

    /// A final value.
    pub fn value_of(
        indicator: IndicatorId,
        unit: UnitCode,
        period: Period,
        sex: Sex,
        value: f64,
    ) -> Result<Observation, ObservationError> {
        Observation::new(indicator, unit, period, sex, Some(value), ObsStatus::Final)
    }

    pub fn value(&self) -> Option<f64> {
        self.value
    }

    pub fn status(&self) -> ObsStatus {
        self.status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_and_status_agree() {
        let id = IndicatorId::parse("N00973").unwrap();
        let u = UnitCode::parse("2380").unwrap();
        let p = Period::Year(2020);
        assert!(Observation::new(
            id.clone(),
            u.clone(),
            p,
            Sex::Total,
            None,
            ObsStatus::Suppressed
        )
        .is_ok());
        assert!(Observation::new(
            id.clone(),
            u.clone(),
            p,
            Sex::Total,
            Some(0.0),
            ObsStatus::Suppressed
        )
        .is_err());
        assert!(
            Observation::new(id.clone(), u.clone(), p, Sex::Total, None, ObsStatus::Final).is_err()
        );
        assert!(Observation::new(id, u, p, Sex::Total, Some(f64::NAN), ObsStatus::Final).is_err());
    }
}
