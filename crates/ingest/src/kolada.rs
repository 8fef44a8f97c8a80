//! Kolada's JSON documents.
//!
//! Data, API v2 (`/v2/data/kpi/…`): `{"count": n, "values": [...], "next_page": url?}`.
//! Data, API v3 (`/v3/data/kpi/…`): `{"values": [...], "next_url": url?}`.
//! Each value is `{"kpi", "municipality" (or "ou"), "period", "values": [{"gender",
//! "status", "value", "count", "isdeleted"}]}`. A `null` value is missing; Kolada's status
//! texts mark other kinds of absence and preliminary figures. A status text Etablera does
//! not know is never a reason to refuse the file: the value is kept, flagged, and the
//! reader warns once per text. `isdeleted` retracts a value (stored as a new, missing
//! version). Rows of organisational units (`ou`) are skipped and counted.
//!
//! Metadata (`/v2/kpi`, `/v3/kpi`): `{"values": [{"id", "title", "description",
//! "operating_area", "is_divided_by_gender", …}]}`.

use crate::{IngestError, Known, Place};
use etablera_domain::{
    Direction, Indicator, IndicatorId, IndicatorSource, MeasureUnit, ObsStatus, Observation,
    Period, Sex, UnitCode,
};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Deserialize)]
struct DataValue<'a> {
    #[serde(borrow)]
    kpi: Cow<'a, str>,
    #[serde(default, borrow, alias = "municipality_id")]
    municipality: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    ou: Option<Cow<'a, str>>,
    period: PeriodField<'a>,
    #[serde(borrow)]
    values: Vec<GenderValue<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PeriodField<'a> {
    Int(i64),
    #[serde(borrow)]
    Str(Cow<'a, str>),
}

#[derive(Deserialize)]
struct GenderValue<'a> {
    #[serde(borrow)]
    gender: Cow<'a, str>,
    #[serde(default, borrow)]
    status: Option<Cow<'a, str>>,
    value: Option<f64>,
    #[serde(default)]
    isdeleted: Option<bool>,
}

/// Something read from a Kolada response but not as asked; the values are stored all the same.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReadWarning {
    /// A status text Etablera does not know; its values are stored flagged.
    UnknownStatus {
        file: String,
        status: String,
        count: usize,
        /// Where it was first seen, `values[0].values[2].status`.
        first: String,
    },
    /// Rows of organisational units (`ou`), which are out of scope.
    OuRowsSkipped { file: String, count: usize },
    /// Values marked `isdeleted`, stored as new, missing versions.
    Retracted { file: String, count: usize },
}

impl ReadWarning {
    /// The warning in the reader's language.
    pub fn text(&self, lang: etablera_domain::Lang) -> String {
        use etablera_domain::format::number;
        let n = |c: &usize| number(*c as f64, 0, lang);
        match (self, lang) {
            (ReadWarning::UnknownStatus { file, status, count, first }, etablera_domain::Lang::Sv) => format!(
                "{file}: {} värden har statusen ”{status}”, som Etablera inte känner (första vid {first}); de sparas flaggade",
                n(count)
            ),
            (ReadWarning::UnknownStatus { file, status, count, first }, _) => format!(
                "{file}: {} values have the status `{status}`, which Etablera does not know (first at {first}); they are stored flagged",
                n(count)
            ),
            (ReadWarning::OuRowsSkipped { file, count }, etablera_domain::Lang::Sv) => format!(
                "{file}: {} rader för organisatoriska enheter (`ou`) hoppades över; bara kommuner och regioner läses",
                n(count)
            ),
            (ReadWarning::OuRowsSkipped { file, count }, _) => format!(
                "{file}: {} rows of organisational units (`ou`) were skipped; only municipalities and regions are read",
                n(count)
            ),
            (ReadWarning::Retracted { file, count }, etablera_domain::Lang::Sv) => format!(
                "{file}: {} värden markerade `isdeleted` togs tillbaka",
                n(count)
            ),
            (ReadWarning::Retracted { file, count }, _) => format!(
                "{file}: {} values marked `isdeleted` were retracted",
                n(count)
            ),
        }
    }
}

impl std::fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(etablera_domain::Lang::En))
    }
}

/// One page of a Kolada data response.
#[derive(Debug)]
pub struct DataPage {
    pub observations: Vec<Observation>,
    /// The next page's address, if any (v2 `next_page` or v3 `next_url`).
    pub next: Option<String>,
    /// v2's stated total count of values, if given.
    pub count: Option<u64>,
    /// What was read but not as asked: unknown status texts, skipped rows.
    pub warnings: Vec<ReadWarning>,
}

/// Kolada status codes and texts (v2 codes, v3 texts, in any case) to ours. An empty
/// status is a final figure when a value is present and missing when it is not; a text
/// not known here is `None`, which the reader keeps as [`ObsStatus::Flagged`].
fn status_of(code: &str, has_value: bool) -> Option<ObsStatus> {
    if code.trim() == "-" {
        return Some(ObsStatus::NotApplicable);
    }
    let lower = code.trim().to_lowercase().replace(['_', '-'], " ");
    let s = match lower.trim() {
        "" => {
            if has_value {
                ObsStatus::Final
            } else {
                ObsStatus::Missing
            }
        }
        "m" | "missing" | "saknas" | "no data" => ObsStatus::Missing,
        "p" | "prel" | "preliminary" | "preliminär" => ObsStatus::Preliminary,
        "x" | "s" | "secret" | "suppressed" | "confidential" | "sekretess" | "sekretessbelagd" => {
            ObsStatus::Suppressed
        }
        "na" | "n/a" | "not applicable" | "ej tillämplig" | "ej tillämpligt" => {
            ObsStatus::NotApplicable
        }
        _ => return None,
    };
    Some(s)
}

/// Reads a data document of either API version.
pub fn parse_data(file: &str, bytes: &[u8], known: &Known) -> Result<DataPage, IngestError> {
    let mut observations = Vec::new();
    let meta = parse_data_chunked(file, bytes, known, usize::MAX, |chunk| {
        observations.extend(chunk);
        Ok(())
    })?;
    Ok(DataPage {
        observations,
        next: meta.next,
        count: meta.count,
        warnings: meta.warnings,
    })
}

/// What a data document says besides its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataMeta {
    pub next: Option<String>,
    pub count: Option<u64>,
    pub warnings: Vec<ReadWarning>,
}

/// Reads a data document and hands its observations to `on_chunk` in chunks of about
/// `chunk` values as it goes, so a caller can store one chunk while the next is read.
/// When `on_chunk` fails, reading stops with that error.
pub fn parse_data_chunked(
    file: &str,
    bytes: &[u8],
    known: &Known,
    chunk: usize,
    on_chunk: impl FnMut(Vec<Observation>) -> Result<(), IngestError>,
) -> Result<DataMeta, IngestError> {
    let mut state = ChunkState {
        file,
        known,
        chunk,
        on_chunk,
        buf: Vec::new(),
        index: 0,
        indicators: HashMap::new(),
        units: HashMap::new(),
        failure: None,
        unknown_status: std::collections::BTreeMap::new(),
        ou_rows: 0,
        deleted: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = serde::de::DeserializeSeed::deserialize(DocSeed(&mut state), &mut de)
        .and_then(|meta| de.end().map(|_| meta));
    if let Some(e) = state.failure.take() {
        return Err(e);
    }
    let mut meta = result.map_err(|e| json_error(file, &e))?;
    for (text, (n, first)) in &state.unknown_status {
        meta.warnings.push(ReadWarning::UnknownStatus {
            file: file.to_string(),
            status: text.clone(),
            count: *n,
            first: first.clone(),
        });
    }
    if state.ou_rows > 0 {
        meta.warnings.push(ReadWarning::OuRowsSkipped {
            file: file.to_string(),
            count: state.ou_rows,
        });
    }
    if state.deleted > 0 {
        meta.warnings.push(ReadWarning::Retracted {
            file: file.to_string(),
            count: state.deleted,
        });
    }
    if !state.buf.is_empty() {
        let rest = std::mem::take(&mut state.buf);
        (state.on_chunk)(rest)?;
    }
    Ok(meta)
}

struct ChunkState<'k, 'f, F> {
    file: &'f str,
    known: &'k Known<'k>,
    chunk: usize,
    on_chunk: F,
    buf: Vec<Observation>,
    index: usize,
    // A large response repeats a few KPI ids and units many times: parse and check each once.
    indicators: HashMap<String, IndicatorId>,
    units: HashMap<String, UnitCode>,
    /// The first error that is not about JSON syntax; serde only carries a message.
    failure: Option<IngestError>,
    /// Status texts not known here, with how often and where first.
    unknown_status: std::collections::BTreeMap<String, (usize, String)>,
    ou_rows: usize,
    deleted: usize,
}

impl<F: FnMut(Vec<Observation>) -> Result<(), IngestError>> ChunkState<'_, '_, F> {
    fn add(&mut self, v: DataValue) -> Result<(), IngestError> {
        let i = self.index;
        self.index += 1;
        let file = self.file;
        let place = |field: &str| Place {
            field: Some(format!("values[{i}].{field}")),
            ..Place::file(file)
        };
        let indicator = match self.indicators.get(v.kpi.as_ref()) {
            Some(id) => id.clone(),
            None => {
                let id = IndicatorId::parse(&v.kpi)
                    .map_err(|e| IngestError::invalid(place("kpi"), e.to_string()))?;
                self.known.check_indicator(&id, || place("kpi"))?;
                self.indicators.insert(v.kpi.to_string(), id.clone());
                id
            }
        };
        let Some(municipality) = v.municipality.as_deref() else {
            if v.ou.is_some() {
                self.ou_rows += 1;
                return Ok(());
            }
            return Err(IngestError::invalid(
                place("municipality"),
                "a value names neither a municipality nor an organisational unit",
            ));
        };
        let unit = match self.units.get(municipality) {
            Some(u) => u.clone(),
            None => {
                let unit = UnitCode::parse(municipality)
                    .map_err(|e| IngestError::invalid(place("municipality"), e.to_string()))?;
                if self.known.units.get(unit.as_str()).is_none() {
                    return Err(IngestError::invalid(
                        place("municipality"),
                        format!("unknown municipality or region `{unit}`"),
                    ));
                }
                self.units.insert(municipality.to_string(), unit.clone());
                unit
            }
        };
        let period = match &v.period {
            PeriodField::Int(n) if (1900..=2200).contains(n) => Ok(Period::Year(*n as i32)),
            PeriodField::Int(n) => Period::parse(&n.to_string()),
            PeriodField::Str(s) => Period::parse(s),
        }
        .map_err(|e| IngestError::invalid(place("period"), e.to_string()))?;
        for (j, g) in v.values.iter().enumerate() {
            let gplace = |field: &str| Place {
                field: Some(format!("values[{i}].values[{j}].{field}")),
                ..Place::file(file)
            };
            let sex = Sex::parse(&g.gender)
                .map_err(|e| IngestError::invalid(gplace("gender"), e.to_string()))?;
            let code = g.status.as_deref().unwrap_or("");
            let status = match status_of(code, g.value.is_some()) {
                Some(s) => s,
                None => {
                    let text: String = code.trim().chars().take(60).collect();
                    let first = gplace("status").to_string();
                    if self.unknown_status.len() < 100 || self.unknown_status.contains_key(&text) {
                        self.unknown_status.entry(text).or_insert((0, first)).0 += 1;
                    }
                    ObsStatus::Flagged
                }
            };
            if g.isdeleted == Some(true) {
                // Kolada withdrew the value: a new version without it.
                self.deleted += 1;
                let o = Observation::new(
                    indicator.clone(),
                    unit.clone(),
                    period,
                    sex,
                    None,
                    ObsStatus::Missing,
                )
                .map_err(|e| IngestError::invalid(gplace("value"), e.to_string()))?;
                self.buf.push(o);
                continue;
            }
            // A status of absence wins over a stray value; a final status without a value is missing.
            let (value, status) = match (g.value, status.has_value()) {
                (Some(v), true) => (Some(v), status),
                (None, true) => (None, ObsStatus::Missing),
                (_, false) => (None, status),
            };
            let o = Observation::new(indicator.clone(), unit.clone(), period, sex, value, status)
                .map_err(|e| IngestError::invalid(gplace("value"), e.to_string()))?;
            self.buf.push(o);
        }
        if self.buf.len() >= self.chunk {
            let full = std::mem::take(&mut self.buf);
            (self.on_chunk)(full)?;
        }
        Ok(())
    }
}

struct DocSeed<'s, 'k, 'f, F>(&'s mut ChunkState<'k, 'f, F>);

impl<'de, F: FnMut(Vec<Observation>) -> Result<(), IngestError>> serde::de::DeserializeSeed<'de>
    for DocSeed<'_, '_, '_, F>
{
    type Value = DataMeta;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<DataMeta, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Vec<Observation>) -> Result<(), IngestError>> serde::de::Visitor<'de>
    for DocSeed<'_, '_, '_, F>
{
    type Value = DataMeta;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Kolada data document, an object with `values`")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<DataMeta, A::Error> {
        let mut meta = DataMeta {
            next: None,
            count: None,
            warnings: Vec::new(),
        };
        let mut saw_values = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "values" => {
                    map.next_value_seed(ValuesSeed(&mut *self.0))?;
                    saw_values = true;
                }
                "next_page" | "next_url" => {
                    if let Some(n) = map
                        .next_value::<Option<String>>()?
                        .filter(|s| !s.is_empty())
                    {
                        meta.next = Some(n);
                    }
                }
                "count" => meta.count = map.next_value()?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        if !saw_values {
            return Err(serde::de::Error::missing_field("values"));
        }
        Ok(meta)
    }
}

struct ValuesSeed<'s, 'k, 'f, F>(&'s mut ChunkState<'k, 'f, F>);

impl<'de, F: FnMut(Vec<Observation>) -> Result<(), IngestError>> serde::de::DeserializeSeed<'de>
    for ValuesSeed<'_, '_, '_, F>
{
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Vec<Observation>) -> Result<(), IngestError>> serde::de::Visitor<'de>
    for ValuesSeed<'_, '_, '_, F>
{
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of Kolada values")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<DataValue<'de>>()? {
            if let Err(e) = self.0.add(v) {
                let msg = e.to_string();
                self.0.failure = Some(e);
                return Err(serde::de::Error::custom(msg));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct KpiDoc {
    values: Vec<KpiValue>,
    #[serde(default)]
    next_page: Option<String>,
    #[serde(default)]
    next_url: Option<String>,
}

#[derive(Deserialize)]
struct KpiValue {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    operating_area: Option<String>,
    #[serde(default)]
    is_divided_by_gender: Option<serde_json::Value>,
}

/// A page of KPI metadata.
#[derive(Debug)]
pub struct KpiPage {
    pub indicators: Vec<Indicator>,
    pub next: Option<String>,
}

/// Reads a KPI metadata document (the catalogue).
pub fn parse_kpis(file: &str, bytes: &[u8]) -> Result<KpiPage, IngestError> {
    let doc: KpiDoc = serde_json::from_slice(bytes).map_err(|e| json_error(file, &e))?;
    let mut out = Vec::with_capacity(doc.values.len());
    for (i, v) in doc.values.into_iter().enumerate() {
        let place = |field: &str| Place {
            field: Some(format!("values[{i}].{field}")),
            ..Place::file(file)
        };
        let id = IndicatorId::parse(&v.id)
            .map_err(|e| IngestError::invalid(place("id"), e.to_string()))?;
        if v.title.trim().is_empty() {
            return Err(IngestError::invalid(
                place("title"),
                format!("KPI `{id}` has no title"),
            ));
        }
        let divided = match &v.is_divided_by_gender {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        };
        let description = v.description.unwrap_or_default();
        out.push(Indicator {
            unit: MeasureUnit::from_kolada(&v.title, &description),
            direction: Direction::Neutral,
            source: IndicatorSource::Kolada,
            divided_by_sex: divided,
            description,
            area: v.operating_area.filter(|s| !s.is_empty()),
            title: v.title,
            id,
        });
    }
    Ok(KpiPage {
        indicators: out,
        next: doc.next_page.or(doc.next_url).filter(|s| !s.is_empty()),
    })
}

fn json_error(file: &str, e: &serde_json::Error) -> IngestError {
    let what = match e.classify() {
        serde_json::error::Category::Eof => {
            "the JSON ends too early (is the file truncated?)".to_string()
        }
        serde_json::error::Category::Syntax => format!("the JSON is malformed: {e}"),
        serde_json::error::Category::Data => format!("the JSON does not have Kolada's shape: {e}"),
        serde_json::error::Category::Io => format!("could not read: {e}"),
    };
    // serde_json's message ends with "at line L column C"; keep the line in the place too.
    let msg = what.split(" at line ").next().unwrap_or(&what).to_string();
    IngestError::invalid(
        Place {
            line: Some(e.line()),
            column: Some(e.column().to_string()),
            ..Place::file(file)
        },
        msg,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use etablera_domain::Units;

    const V2: &str = r#"{"count": 2, "values": [
        {"kpi": "N00973", "municipality": "2380", "period": 2019, "values": [
            {"count": 1, "gender": "T", "status": "", "value": 54.0},
            {"count": 1, "gender": "K", "status": "", "value": null},
            {"count": 1, "gender": "M", "status": "X", "value": null}]}],
        "next_page": null}"#;
    const V3: &str = r#"{"values": [
        {"kpi": "N00973", "municipality": "2380", "period": 2019, "values": [
            {"gender": "T", "status": "", "value": 54.0},
            {"gender": "K", "status": "", "value": null},
            {"gender": "M", "status": "X", "value": null}]}],
        "next_url": "http://x/v3/page2"}"#;

    #[test]
    fn both_shapes_give_the_same_observations() {
        let units = Units::sweden();
        let k = Known::units(&units);
        let a = parse_data("a.json", V2.as_bytes(), &k).unwrap();
        let b = parse_data("b.json", V3.as_bytes(), &k).unwrap();
        assert_eq!(a.observations, b.observations);
        assert_eq!(a.observations[1].status(), ObsStatus::Missing);
        assert_eq!(a.observations[2].status(), ObsStatus::Suppressed);
        assert_eq!(a.next, None);
        assert_eq!(b.next.as_deref(), Some("http://x/v3/page2"));
    }

    #[test]
    fn truncated_and_unknown() {
        let units = Units::sweden();
        let k = Known::units(&units);
        let e = parse_data("cut.json", &V2.as_bytes()[..120], &k).unwrap_err();
        assert!(e.to_string().starts_with("cut.json, line 3, column"), "{e}");
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = parse_data("u.json", V2.replace("2380", "9999").as_bytes(), &k).unwrap_err();
        assert_eq!(
            e.to_string(),
            "u.json, field `values[0].municipality`: unknown municipality or region `9999`"
        );
        // An unknown status is kept flagged, with a warning naming it: never a refused file.
        let p = parse_data("s.json", V2.replace("\"X\"", "\"Q\"").as_bytes(), &k).unwrap();
        assert!(
            p.warnings[0].to_string().contains("status `Q`")
                && p.warnings[0]
                    .to_string()
                    .contains("values[0].values[2].status"),
            "{:?}",
            p.warnings
        );
    }
}
