//! The observations the engine reads, held in memory by series.

use etablera_domain::{IndicatorId, ObsStatus, Observation, Period, Sex, UnitCode, UnitGroup};
use std::collections::{BTreeMap, HashMap};

/// One reading of a series: a value, or a kind of absence. Absence is never zero.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Reading {
    pub value: Option<f64>,
    pub status: ObsStatus,
}

/// A series key: indicator, unit, sex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesKey {
    pub indicator: IndicatorId,
    pub unit: UnitCode,
    pub sex: Sex,
}

/// Observations grouped by series, each series ordered by period.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    series: HashMap<SeriesKey, BTreeMap<Period, Reading>>,
}

impl Dataset {
    pub fn new() -> Dataset {
        Dataset::default()
    }

    pub fn from_observations<'a>(obs: impl IntoIterator<Item = &'a Observation>) -> Dataset {
        let mut d = Dataset::new();
        for o in obs {
            d.insert(o);
        }
        d
    }

    /// Adds (or replaces) one observation.
    pub fn insert(&mut self, o: &Observation) {
        let key = SeriesKey {
            indicator: o.indicator.clone(),
            unit: o.unit.clone(),
            sex: o.sex,
        };
        self.series.entry(key).or_default().insert(
            o.period,
            Reading {
                value: o.value(),
                status: o.status(),
            },
        );
    }

    /// Adds a plain value (used by tests and benchmarks).
    pub fn insert_value(
        &mut self,
        indicator: &IndicatorId,
        unit: &UnitCode,
        sex: Sex,
        period: Period,
        value: Option<f64>,
    ) {
        let key = SeriesKey {
            indicator: indicator.clone(),
            unit: unit.clone(),
            sex,
        };
        let status = if value.is_some() {
            ObsStatus::Final
        } else {
            ObsStatus::Missing
        };
        self.series
            .entry(key)
            .or_default()
            .insert(period, Reading { value, status });
    }

    pub fn series(
        &self,
        indicator: &IndicatorId,
        unit: &UnitCode,
        sex: Sex,
    ) -> Option<&BTreeMap<Period, Reading>> {
        self.series.get(&SeriesKey {
            indicator: indicator.clone(),
            unit: unit.clone(),
            sex,
        })
    }

    pub fn len(&self) -> usize {
        self.series.values().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The values of a series (those that exist) as `(period, value)`, in time order.
    pub fn values(&self, indicator: &IndicatorId, unit: &UnitCode, sex: Sex) -> Vec<(Period, f64)> {
        self.series(indicator, unit, sex)
            .map(|s| {
                s.iter()
                    .filter_map(|(p, r)| r.value.map(|v| (*p, v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A group's series: for each period, the unweighted mean of the members with a value
    /// and how many they were, as Kolada computes group values.
    pub fn group_values(
        &self,
        indicator: &IndicatorId,
        group: &UnitGroup,
        sex: Sex,
    ) -> BTreeMap<Period, etablera_domain::GroupValue> {
        let mut periods: BTreeMap<Period, Vec<Option<f64>>> = BTreeMap::new();
        let members: Vec<Option<&BTreeMap<Period, Reading>>> = group
            .members
            .iter()
            .map(|m| self.series(indicator, m, sex))
            .collect();
        for s in members.iter().flatten() {
            for p in s.keys() {
                periods.entry(*p).or_default();
            }
        }
        for (p, vals) in periods.iter_mut() {
            for s in &members {
                vals.push(s.and_then(|s| s.get(p)).and_then(|r| r.value));
            }
        }
        periods
            .into_iter()
            .filter_map(|(p, vals)| etablera_domain::group::group_mean(vals).map(|g| (p, g)))
            .collect()
    }
}
