//! The curated integration indicator set shipped with Etablera (`data/indicators/integration.toml`).
//!
//! It covers SKR's six areas for following up integration — asyl- och
//! flyktingmottagande; sfi; etableringsuppdraget; etablering i arbete och studier;
//! demografi, flyttmönster och bostäder; representation av utrikes födda — with Kolada
//! ids, and adds the indicators strategies name that Kolada has no KPI for, as local
//! indicators the municipality reports itself. A Kolada entry takes its title,
//! description and sex split from Kolada's catalogue and adds an area and a direction.

use crate::{IngestError, Place};
use etablera_domain::{Direction, Indicator, IndicatorId, IndicatorSource, MeasureUnit};
use serde::Deserialize;
use std::collections::HashMap;

/// The curated set as shipped.
pub const INTEGRATION_TOML: &str = include_str!("../../../data/indicators/integration.toml");

/// SKR's six areas, in their order.
pub const SKR_AREAS: [&str; 6] = [
    "Asyl- och flyktingmottagande",
    "Sfi",
    "Etableringsuppdraget",
    "Etablering i arbete och studier",
    "Demografi, flyttmönster och bostäder",
    "Representation av utrikes födda",
];

#[derive(Deserialize)]
struct File {
    indicator: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    area: String,
    direction: String,
    title: Option<String>,
    unit: Option<String>,
    source: Option<String>,
    divided_by_sex: Option<bool>,
    description: Option<String>,
}

/// The curated set, completed from Kolada's catalogue `kolada`.
pub fn curated(kolada: &HashMap<IndicatorId, Indicator>) -> Result<Vec<Indicator>, IngestError> {
    let file = "data/indicators/integration.toml";
    let f: File = toml::from_str(INTEGRATION_TOML).map_err(|e| {
        IngestError::invalid(
            Place {
                line: e
                    .span()
                    .map(|s| INTEGRATION_TOML[..s.start].lines().count()),
                ..Place::file(file)
            },
            e.message(),
        )
    })?;
    let mut out = Vec::new();
    for (i, e) in f.indicator.into_iter().enumerate() {
        let place = |field: &str| Place {
            field: Some(format!("indicator[{i}].{field}")),
            ..Place::file(file)
        };
        let id = IndicatorId::parse(&e.id)
            .map_err(|err| IngestError::invalid(place("id"), err.to_string()))?;
        let direction = Direction::parse(&e.direction).ok_or_else(|| {
            IngestError::invalid(
                place("direction"),
                format!("unknown direction `{}`", e.direction),
            )
        })?;
        let ind = match kolada.get(&id) {
            Some(k) => Indicator {
                direction,
                area: Some(e.area),
                ..k.clone()
            },
            None => {
                let title = e.title.ok_or_else(|| {
                    IngestError::invalid(
                        place("title"),
                        format!("`{id}` is not in Kolada's catalogue, so it needs a title"),
                    )
                })?;
                let source = e
                    .source
                    .as_deref()
                    .map(IndicatorSource::parse)
                    .unwrap_or(Some(IndicatorSource::Manual));
                Indicator {
                    unit: e
                        .unit
                        .as_deref()
                        .map(MeasureUnit::parse)
                        .unwrap_or_else(|| MeasureUnit::from_kolada_title(&title)),
                    title,
                    id,
                    direction,
                    source: source
                        .ok_or_else(|| IngestError::invalid(place("source"), "unknown source"))?,
                    divided_by_sex: e.divided_by_sex.unwrap_or(false),
                    description: e.description.unwrap_or_default(),
                    area: Some(e.area),
                }
            }
        };
        out.push(ind);
    }
    Ok(out)
}
