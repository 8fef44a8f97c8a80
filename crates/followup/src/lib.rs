//! The follow-up engine: judges every target of a strategy for a reporting year.
//!
//! It is a pure function of values: a [`Strategy`], the indicators' metadata, a
//! [`Dataset`] of observations and [`Options`] go in, a [`FollowUp`] comes out. It reads
//! no files, no database and no clock, so a report can be reproduced exactly from the data
//! as it stood on a given date.
//!
//! ```
//! use etablera_followup::{follow_up, Dataset, Options, Status};
//! # use etablera_domain::*;
//! # let s: Strategy = serde_json::from_str(r#"{"id":"x","owner":"2380","title":"T","period_from":2016,"period_to":2020,
//! #   "goals":[{"id":"g1","title":"Fler nya Östersundare","kind":"long_term"}],
//! #   "targets":[{"id":"t1","goal":"g1","text":"Minst 10 % utrikes födda år 2020","series":{"indicator":"N02926"},
//! #   "kind":"threshold","bound":"at_least","value":10.0,"baseline_year":2015,"target_year":2020}]}"#).unwrap();
//! let mut data = Dataset::new();
//! let (id, u) = (IndicatorId::parse("N02926").unwrap(), UnitCode::parse("2380").unwrap());
//! for (y, v) in [(2015, 6.0), (2016, 7.0), (2017, 8.0), (2018, 9.0)] {
//!     data.insert_value(&id, &u, Sex::Total, Period::Year(y), Some(v));
//! }
//! let f = follow_up(&s, &Default::default(), &data, &Options::for_year(2018));
//! assert_eq!(f.results[0].status, Status::OnTrack);
//! ```
//!
//! # How a status is decided
//!
//! The observed value is the latest value of the target's series in a period that ends
//! in or before the reporting year. Missing, not applicable and suppressed readings are
//! skipped — never read as 0. With no value the status is *saknar data*.
//!
//! * **Threshold** ("minst 10 % år 2020"). Met → *uppnått*. Not met and the value is from
//!   the target year or later → *ej på väg* (the year has passed). Otherwise the value is
//!   compared with the straight path from the baseline value (in the baseline year) to the
//!   target value (in the target year): the share of the expected progress made so far,
//!   `p = (value − baseline) / (path − baseline)`, gives *på väg* when `p ≥ 1`, *risk* when
//!   `0.5 ≤ p < 1` and *ej på väg* when `p < 0.5`. Without a baseline value, the trend's
//!   projection to the target year decides: it reaches the target → *på väg*; only the
//!   favourable edge of its band does → *risk*; neither → *ej på väg*. With neither a
//!   baseline nor a trend (fewer than three values) → *saknar data*.
//! * **Direction** ("ska öka"). The change from the baseline year: in the right direction →
//!   *uppnått* when the value is from the target year or later, else *på väg* — but *risk*
//!   if the recent trend runs the wrong way; no change → *risk*; the wrong way → *ej på väg*.
//! * **Relative** ("högst samma nivå som inrikes födda"). The distance to the reference series
//!   (plus margin), in the periods where both have values, is judged as a threshold of 0.
//! * **Gap** ("skillnaderna ska minska"). The absolute distance between the two series, judged
//!   as a direction (shall decrease) from the baseline year, or as a threshold when the target
//!   gives a largest gap.
//! * **Flow** ("årligen minst 300"). The latest yearly value: met → *uppnått*; within 10 % of
//!   the bound → *risk*; further off → *ej på väg*. The years met in the strategy's period are
//!   counted in the explanation.
//!
//! Trends are Theil–Sen slopes over the values of the last [`Options::trend_years`] years
//! (at least three values); the projection continues the line to the target year with a
//! band from the 10th–90th percentile of the pairwise slopes widened by the residual spread
//! (about an 80 % band; a heuristic, not a confidence interval).

pub mod data;
pub mod stats;

pub use data::{Dataset, Reading};

use etablera_domain::format::{difference, value as fmt_value};
use etablera_domain::target::Change;
use etablera_domain::{
    Bound, GroupValue, Indicator, IndicatorId, Lang, MeasureUnit, Period, SeriesRef, Sex, Strategy,
    Target, TargetKind, UnitCode, UnitGroup,
};
use serde::Serialize;
use stats::{theil_sen, Line};
use std::collections::HashMap;

/// The verdict on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// uppnått
    Achieved,
    /// på väg
    OnTrack,
    /// risk
    AtRisk,
    /// ej på väg
    OffTrack,
    /// saknar data
    NoData,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Achieved,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NoData,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Achieved => lang.pick("Uppnått", "Achieved"),
            Status::OnTrack => lang.pick("På väg", "On track"),
            Status::AtRisk => lang.pick("Risk", "At risk"),
            Status::OffTrack => lang.pick("Ej på väg", "Off track"),
            Status::NoData => lang.pick("Saknar data", "No data"),
        }
    }

    /// A symbol that carries the status without colour.
    pub fn icon(self) -> &'static str {
        match self {
            Status::Achieved => "✔",
            Status::OnTrack => "↗",
            Status::AtRisk => "⚠",
            Status::OffTrack => "✖",
            Status::NoData => "?",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
        }
    }
}

/// A text in both languages the product speaks.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Text {
    pub sv: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// The chart series being collected, or not collected when they are not wanted.
#[derive(Debug)]
struct Charts {
    list: Vec<ChartSeries>,
    enabled: bool,
}

impl Charts {
    fn push_with(&mut self, f: impl FnOnce() -> ChartSeries) {
        if self.enabled {
            self.list.push(f());
        }
    }
}

/// An explanation being written, or not written when it is not wanted.
#[derive(Debug)]
struct Explain {
    text: Text,
    enabled: bool,
}

impl Explain {
    fn new(enabled: bool) -> Explain {
        Explain {
            text: Text::default(),
            enabled,
        }
    }
    fn push_with(&mut self, f: impl FnOnce() -> (String, String)) {
        if self.enabled {
            let (sv, en) = f();
            self.push(sv, en);
        }
    }
    fn push(&mut self, sv: impl AsRef<str>, en: impl AsRef<str>) {
        if !self.enabled {
            return;
        }
        for (s, add) in [
            (&mut self.text.sv, sv.as_ref()),
            (&mut self.text.en, en.as_ref()),
        ] {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(add);
        }
    }
}

/// A value at a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub period: Period,
    pub value: f64,
}

/// The trend of the judged series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// Change per year.
    pub slope: f64,
    pub points: usize,
    pub from: Period,
    pub to: Period,
}

/// Where the trend leads by the target year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Projection {
    pub year: i32,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Women against men for the target's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SexGap {
    pub period: Period,
    pub women: f64,
    pub men: f64,
    /// Women minus men.
    pub gap: f64,
    /// Change of the gap per year (Theil–Sen), when there are enough years.
    pub gap_trend: Option<f64>,
}

/// A group's value at the observed period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPoint {
    pub code: UnitCode,
    pub name: String,
    pub period: Period,
    pub value: GroupValue,
}

/// One series drawn in a chart: a label and its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartSeries {
    pub key: &'static str,
    pub label: Text,
    pub points: Vec<Point>,
}

/// The engine's judgement of one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    pub target_id: String,
    pub goal_id: String,
    pub indicator: IndicatorId,
    pub unit: UnitCode,
    pub sex: Sex,
    pub status: Status,
    /// The latest value of the target's own series.
    pub observed: Option<Point>,
    /// The value the target asks for, where it is a number (threshold, flow, the reference
    /// series' value for a relative target, the largest gap).
    pub target_value: Option<f64>,
    pub baseline: Option<Point>,
    /// The value the straight path from baseline to target expects at the observed period.
    pub expected_now: Option<f64>,
    /// The judged quantity when it is not the series itself (a distance or a gap).
    pub judged: Option<Point>,
    pub trend: Option<Trend>,
    pub projection: Option<Projection>,
    pub sex_gap: Option<SexGap>,
    pub nation: Option<Point>,
    pub group: Option<GroupPoint>,
    /// Reporting year minus the year of the latest value.
    pub years_behind: Option<i32>,
    pub explanation: Text,
    /// The series to draw: own, reference/other, women, men, nation, group.
    pub chart: Vec<ChartSeries>,
}

/// The follow-up of one strategy (for one unit) in one reporting year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub strategy_id: String,
    pub unit: UnitCode,
    pub year: i32,
    pub results: Vec<TargetResult>,
}

impl FollowUp {
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }
}

/// Choices for a follow-up run.
#[derive(Debug, Clone)]
pub struct Options {
    pub year: i32,
    /// How many years back the trend looks.
    pub trend_years: i32,
    /// Follow up this unit instead of the strategy's owner (to compare municipalities).
    pub unit: Option<UnitCode>,
    /// A group to compare with (peer group, county).
    pub group: Option<UnitGroup>,
    /// Whether to build the explanations and the chart series. Reports want them; a
    /// comparison of many units that only needs statuses and values does not.
    pub detail: bool,
}

impl Options {
    pub fn for_year(year: i32) -> Options {
        Options {
            year,
            trend_years: 5,
            unit: None,
            group: None,
            detail: true,
        }
    }
}

/// Judges every target of `strategy`.
pub fn follow_up(
    strategy: &Strategy,
    indicators: &HashMap<IndicatorId, Indicator>,
    data: &Dataset,
    opts: &Options,
) -> FollowUp {
    let unit = opts.unit.clone().unwrap_or_else(|| strategy.owner.clone());
    let results = strategy
        .targets
        .iter()
        .map(|t| judge(strategy, t, indicators, data, opts, &unit))
        .collect();
    FollowUp {
        strategy_id: strategy.id.clone(),
        unit,
        year: opts.year,
        results,
    }
}

/// The points of a series up to and including the reporting year.
fn points_until(data: &Dataset, s: &SeriesRef, unit: &UnitCode, year: i32) -> Vec<Point> {
    data.values(&s.indicator, unit, s.sex)
        .into_iter()
        .filter(|(p, _)| p.year() <= year)
        .map(|(period, value)| Point { period, value })
        .collect()
}

fn series_unit(s: &SeriesRef, strategy_owner: &UnitCode, followed: &UnitCode) -> UnitCode {
    // A series without a unit, or naming the owner, follows the unit being followed up;
    // a series naming another unit (the nation, a group) keeps it.
    match &s.unit {
        None => followed.clone(),
        Some(u) if u == strategy_owner => followed.clone(),
        Some(u) => u.clone(),
    }
}

/// Pairs up two series by period and maps each pair.
fn combine(a: &[Point], b: &[Point], f: impl Fn(f64, f64) -> f64) -> Vec<Point> {
    let bm: HashMap<Period, f64> = b.iter().map(|p| (p.period, p.value)).collect();
    a.iter()
        .filter_map(|p| {
            bm.get(&p.period).map(|bv| Point {
                period: p.period,
                value: f(p.value, *bv),
            })
        })
        .collect()
}

fn value_in_year(points: &[Point], year: i32) -> Option<Point> {
    points
        .iter()
        .find(|p| p.period == Period::Year(year))
        .or_else(|| points.iter().rfind(|p| p.period.year() == year))
        .copied()
}

fn trend_of(points: &[Point], year: i32, window: i32) -> Option<(Trend, Line)> {
    let recent: Vec<&Point> = points
        .iter()
        .filter(|p| p.period.year() > year - window)
        .collect();
    if recent.len() < 3 {
        return None;
    }
    let xy: Vec<(f64, f64)> = recent
        .iter()
        .map(|p| (p.period.midpoint(), p.value))
        .collect();
    let line = theil_sen(&xy)?;
    Some((
        Trend {
            slope: line.slope,
            points: recent.len(),
            from: recent[0].period,
            to: recent[recent.len() - 1].period,
        },
        line,
    ))
}

fn project(line: &Line, last: &Point, target_year: i32) -> Option<Projection> {
    let h = target_year as f64 - last.period.midpoint();
    if h <= 0.0 {
        return None;
    }
    let base = line.at(last.period.midpoint());
    let spread = line.resid_sd * (1.0 + h / line.n as f64).sqrt();
    Some(Projection {
        year: target_year,
        value: base + line.slope * h,
        low: base + line.slope_low * h - spread,
        high: base + line.slope_high * h + spread,
    })
}

struct Ctx<'a> {
    unit: &'a MeasureUnit,
    lang_unit_pp: bool,
}

impl Ctx<'_> {
    fn v(&self, x: f64, lang: Lang) -> String {
        fmt_value(x, self.unit, lang)
    }
    fn d(&self, x: f64, lang: Lang) -> String {
        if self.lang_unit_pp {
            difference(x, self.unit, lang)
                .trim_start_matches('+')
                .to_string()
        } else {
            fmt_value(x, self.unit, lang)
        }
    }
}

/// The same sentence in both languages, built only when explanations are wanted.
fn both(text: &Explain, f: impl Fn(Lang) -> String) -> (String, String) {
    if text.enabled {
        (f(Lang::Sv), f(Lang::En))
    } else {
        (String::new(), String::new())
    }
}

/// What judging a series needs besides the series: the target's years, the run's options,
/// how values read, and what the series is called in the explanation.
#[derive(Clone, Copy)]
struct Judge<'a> {
    baseline_year: Option<i32>,
    target_year: i32,
    opts: &'a Options,
    ctx: &'a Ctx<'a>,
    what: &'a Text,
}

impl<'a> Judge<'a> {
    fn of(t: &Target, opts: &'a Options, ctx: &'a Ctx<'a>, what: &'a Text) -> Judge<'a> {
        Judge {
            baseline_year: t.baseline_year,
            target_year: t.target_year,
            opts,
            ctx,
            what,
        }
    }

    fn parts(self) -> (Option<i32>, i32, &'a Options, &'a Ctx<'a>, &'a Text) {
        (
            self.baseline_year,
            self.target_year,
            self.opts,
            self.ctx,
            self.what,
        )
    }

    /// Says that the series has no value up to the year followed up.
    fn no_value(&self, text: &mut Explain) {
        let (what, year) = (self.what, self.opts.year);
        text.push_with(|| {
            (
                format!("Det finns inget värde för {} till och med {year}.", what.sv),
                format!("There is no value for {} up to {year}.", what.en),
            )
        });
    }
}

/// Judges "value shall reach `limit` (by `bound`) in `target_year`" on a series.
/// Returns status, expected_now, projection and adds the explanation.
fn judge_threshold(
    pts: &[Point],
    bound: Bound,
    limit: f64,
    judge: Judge,
    text: &mut Explain,
) -> (
    Status,
    Option<f64>,
    Option<Point>,
    Option<(Trend, Line)>,
    Option<Projection>,
) {
    let (baseline_year, target_year, opts, ctx, _) = judge.parts();
    let Some(last) = pts.last().copied() else {
        judge.no_value(text);
        return (Status::NoData, None, None, None, None);
    };
    let tr = trend_of(pts, opts.year, opts.trend_years);
    let projection = tr
        .as_ref()
        .and_then(|(_, l)| project(l, &last, target_year));
    let baseline = baseline_year.and_then(|b| value_in_year(pts, b));
    let bword = |l: Lang| match bound {
        Bound::AtLeast => l.pick("minst", "at least"),
        Bound::AtMost => l.pick("högst", "at most"),
    };
    if bound.holds(last.value, limit) {
        let early = last.period.year() < target_year;
        text.push_with(|| {
            (
                format!(
                    "Värdet {} är {}, vilket når målet {} {}{}.",
                    last.period.label(Lang::Sv),
                    ctx.v(last.value, Lang::Sv),
                    bword(Lang::Sv),
                    ctx.v(limit, Lang::Sv),
                    if early { " före målåret" } else { "" }
                ),
                format!(
                    "The value for {} is {}, which meets the target of {} {}{}.",
                    last.period.label(Lang::En),
                    ctx.v(last.value, Lang::En),
                    bword(Lang::En),
                    ctx.v(limit, Lang::En),
                    if early { " before the target year" } else { "" }
                ),
            )
        });
        return (Status::Achieved, None, baseline, tr, projection);
    }
    if last.period.year() >= target_year {
        let (sv, en) = both(&*text, |l| {
            format!(
                "{} {} {}, {} {} {} {}.",
                l.pick("Värdet för", "The value for"),
                last.period.label(l),
                l.pick("är", "is").to_string() + " " + &ctx.v(last.value, l),
                l.pick("men målet var", "but the target was"),
                bword(l),
                ctx.v(limit, l),
                l.pick(
                    &format!("år {target_year}; målåret har passerat"),
                    &format!("in {target_year}; the target year has passed")
                ),
            )
        });
        text.push(sv, en);
        return (Status::OffTrack, None, baseline, tr, projection);
    }
    if let Some(b) =
        baseline.filter(|b| last.period.midpoint() > b.period.midpoint() && baseline_year.is_some())
    {
        let by = baseline_year.unwrap_or(b.period.year()) as f64;
        let frac = ((last.period.midpoint() - by) / (target_year as f64 - by)).clamp(0.0, 1.0);
        let expected = b.value + (limit - b.value) * frac;
        let status = if bound.holds(b.value, limit) {
            // It was met at the baseline and is not any more.
            Status::OffTrack
        } else {
            let p = (last.value - b.value) / (expected - b.value);
            if p >= 1.0 {
                Status::OnTrack
            } else if p >= 0.5 {
                Status::AtRisk
            } else {
                Status::OffTrack
            }
        };
        let (sv, en) = both(&*text, |l| {
            let verdict = match status {
                Status::OnTrack => l.pick("i nivå med eller före", "level with or ahead of"),
                Status::AtRisk => l.pick(
                    "efter men mer än halvvägs mot",
                    "behind but more than halfway to",
                ),
                _ => l.pick("långt efter", "far behind"),
            };
            format!(
                "{} {} {} {} ({} {}). {} {} {} {} {}, {} {}; {} {}.",
                l.pick("Värdet", "The value for"),
                last.period.label(l),
                l.pick("är", "is"),
                ctx.v(last.value, l),
                l.pick("utgångsläge", "baseline"),
                format!("{} {}", b.period.label(l), ctx.v(b.value, l)),
                l.pick("En rak väg mot målet", "A straight path to the target"),
                bword(l),
                ctx.v(limit, l),
                l.pick("år", "in"),
                target_year,
                l.pick("förväntar nu", "expects now"),
                ctx.v(expected, l),
                l.pick("utvecklingen ligger", "the development is"),
                format!("{verdict} {}", l.pick("den vägen", "that path")),
            )
        });
        text.push(sv, en);
        return (status, Some(expected), Some(b), tr, projection);
    }
    match &projection {
        Some(pr) => {
            let favourable = match bound {
                Bound::AtLeast => pr.high,
                Bound::AtMost => pr.low,
            };
            let status = if bound.holds(pr.value, limit) {
                Status::OnTrack
            } else if bound.holds(favourable, limit) {
                Status::AtRisk
            } else {
                Status::OffTrack
            };
            let (sv, en) = both(&*text, |l| {
                format!(
                    "{} {} {} {}. {} {} {} {} ({} {}–{}); {} {} {}.",
                    l.pick(
                        "Inget utgångsvärde finns, så trenden avgör. Värdet",
                        "There is no baseline value, so the trend decides. The value"
                    ),
                    last.period.label(l),
                    l.pick("är", "is"),
                    ctx.v(last.value, l),
                    l.pick("Trenden pekar mot", "The trend points to"),
                    ctx.v(pr.value, l),
                    l.pick("år", "in"),
                    target_year,
                    l.pick("band", "band"),
                    ctx.v(pr.low, l),
                    ctx.v(pr.high, l),
                    l.pick("målet är", "the target is"),
                    bword(l),
                    ctx.v(limit, l),
                )
            });
            text.push(sv, en);
            (status, None, None, tr, projection)
        }
        None => {
            text.push_with(|| (
                format!(
                    "Värdet {} är {}, men utan utgångsvärde för {} och med färre än tre värden går utvecklingen inte att bedöma.",
                    last.period.label(Lang::Sv),
                    ctx.v(last.value, Lang::Sv),
                    baseline_year.map(|b| b.to_string()).unwrap_or_else(|| "basåret".into())
                ),
                format!(
                    "The value for {} is {}, but without a baseline value for {} and with fewer than three values the development cannot be judged.",
                    last.period.label(Lang::En),
                    ctx.v(last.value, Lang::En),
                    baseline_year.map(|b| b.to_string()).unwrap_or_else(|| "the baseline year".into())
                ),
            ));
            (Status::NoData, None, None, tr, None)
        }
    }
}

/// Judges "value shall increase/decrease from the baseline year".
fn judge_direction(
    pts: &[Point],
    change: Change,
    judge: Judge,
    text: &mut Explain,
) -> (Status, Option<Point>, Option<(Trend, Line)>) {
    let (baseline_year, target_year, opts, ctx, what) = judge.parts();
    let Some(last) = pts.last().copied() else {
        judge.no_value(text);
        return (Status::NoData, None, None);
    };
    let tr = trend_of(pts, opts.year, opts.trend_years);
    let Some(b) = baseline_year.and_then(|by| value_in_year(pts, by)) else {
        text.push_with(|| {
            (
                format!(
                    "Det saknas ett värde för utgångsåret {}, så förändringen kan inte bedömas.",
                    baseline_year.unwrap_or(0)
                ),
                format!(
                    "There is no value for the baseline year {}, so the change cannot be judged.",
                    baseline_year.unwrap_or(0)
                ),
            )
        });
        return (Status::NoData, None, tr);
    };
    if last.period.midpoint() <= b.period.midpoint() {
        text.push_with(|| {
            (
                format!(
                    "Det finns ännu inget värde efter utgångsåret {}.",
                    b.period.label(Lang::Sv)
                ),
                format!(
                    "There is no value after the baseline year {} yet.",
                    b.period.label(Lang::En)
                ),
            )
        });
        return (Status::NoData, Some(b), tr);
    }
    let d = change.sign() * (last.value - b.value);
    let against = tr
        .as_ref()
        .map(|(t, _)| change.sign() * t.slope < 0.0)
        .unwrap_or(false);
    let status = if d.abs() < 1e-9 {
        Status::AtRisk
    } else if d < 0.0 {
        Status::OffTrack
    } else if against {
        Status::AtRisk
    } else if last.period.year() >= target_year {
        Status::Achieved
    } else {
        Status::OnTrack
    };
    let want = |l: Lang| match change {
        Change::Increase => l.pick("öka", "increase"),
        Change::Decrease => l.pick("minska", "decrease"),
    };
    let (sv, en) = both(&*text, |l| {
        let moved = if d.abs() < 1e-9 {
            l.pick("är oförändrat", "is unchanged").to_string()
        } else {
            format!(
                "{} {}",
                if last.value > b.value {
                    l.pick("har ökat med", "has increased by")
                } else {
                    l.pick("har minskat med", "has decreased by")
                },
                ctx.d((last.value - b.value).abs(), l)
            )
        };
        let mut s = format!(
            "{} {} {} {} ({} → {}). {} {}.",
            what.get(l),
            moved,
            l.pick("sedan", "since"),
            b.period.label(l),
            ctx.v(b.value, l),
            format!("{} {}", ctx.v(last.value, l), last.period.label(l)),
            l.pick("Målet är att det ska", "The target is for it to"),
            want(l),
        );
        if against && d > 0.0 {
            s.push_str(l.pick(
                " Men trenden de senaste åren går åt fel håll.",
                " But the trend of recent years runs the wrong way.",
            ));
        }
        s
    });
    text.push(sv, en);
    (status, Some(b), tr)
}

fn sex_gap(data: &Dataset, ind: &IndicatorId, unit: &UnitCode, opts: &Options) -> Option<SexGap> {
    let s = |sex| SeriesRef::new(ind.clone(), None, sex);
    let w = points_until(data, &s(Sex::Women), unit, opts.year);
    let m = points_until(data, &s(Sex::Men), unit, opts.year);
    let gaps = combine(&w, &m, |a, b| a - b);
    let last = *gaps.last()?;
    let women = w.iter().find(|p| p.period == last.period)?.value;
    let men = m.iter().find(|p| p.period == last.period)?.value;
    let gap_trend = trend_of(&gaps, opts.year, opts.trend_years).map(|(t, _)| t.slope);
    Some(SexGap {
        period: last.period,
        women,
        men,
        gap: last.value,
        gap_trend,
    })
}

fn judge(
    strategy: &Strategy,
    t: &Target,
    indicators: &HashMap<IndicatorId, Indicator>,
    data: &Dataset,
    opts: &Options,
    followed: &UnitCode,
) -> TargetResult {
    let indicator = indicators.get(&t.series.indicator);
    let unit = series_unit(&t.series, &strategy.owner, followed);
    let own = points_until(data, &t.series, &unit, opts.year);
    let default_unit = MeasureUnit::Index;
    let munit = indicator.map(|i| &i.unit).unwrap_or(&default_unit);
    let ctx = Ctx {
        unit: munit,
        lang_unit_pp: *munit == MeasureUnit::Percent,
    };
    let title = indicator
        .map(|i| i.title.clone())
        .unwrap_or_else(|| t.series.indicator.to_string());
    let what = Text {
        sv: format!("«{title}»"),
        en: format!("“{title}”"),
    };
    let mut text = Explain::new(opts.detail);
    let mut chart = Charts {
        list: Vec::new(),
        enabled: opts.detail,
    };
    chart.push_with(|| ChartSeries {
        key: "own",
        label: Text {
            sv: format!("{title} ({})", t.series.sex.label(Lang::Sv)),
            en: format!("{title} ({})", t.series.sex.label(Lang::En)),
        },
        points: own.clone(),
    });
    let mut target_value = None;
    let mut expected_now = None;
    let mut baseline = None;
    let mut judged = None;
    let trend;
    let mut projection = None;
    let status;

    match &t.kind {
        TargetKind::Threshold { bound, value } => {
            target_value = Some(*value);
            let (s, e, b, tr, pr) = judge_threshold(
                &own,
                *bound,
                *value,
                Judge::of(t, opts, &ctx, &what),
                &mut text,
            );
            status = s;
            expected_now = e;
            baseline = b;
            trend = tr.map(|x| x.0);
            projection = pr;
        }
        TargetKind::Direction { change } => {
            let (s, b, tr) =
                judge_direction(&own, *change, Judge::of(t, opts, &ctx, &what), &mut text);
            status = s;
            baseline = b;
            trend = tr.map(|x| x.0);
            if let Some(l) = trend_of(&own, opts.year, opts.trend_years) {
                projection = own
                    .last()
                    .and_then(|last| project(&l.1, last, t.target_year));
            }
        }
        TargetKind::Relative {
            bound,
            reference,
            margin,
        } => {
            let runit = series_unit(reference, &strategy.owner, followed);
            let refpts = points_until(data, reference, &runit, opts.year);
            let rtitle = reference_label(reference, &runit, &t.series, indicators);
            chart.push_with(|| ChartSeries {
                key: "reference",
                label: rtitle.clone(),
                points: refpts.clone(),
            });
            // The distance in the favourable direction: ≥ 0 means met.
            let sign = bound.sign();
            let dist = combine(&own, &refpts, |a, r| sign * (a - (r + margin)));
            let rwhat = Text {
                sv: format!("avståndet mellan {} och {}", what.sv, rtitle.sv),
                en: format!("the distance between {} and {}", what.en, rtitle.en),
            };
            if let (Some(o), Some(r)) = (
                own.last(),
                refpts
                    .iter()
                    .rev()
                    .find(|r| Some(r.period) == own.last().map(|o| o.period)),
            ) {
                target_value = Some(r.value + margin);
                text.push_with(|| {
                    (
                        format!(
                            "{} {} är {}; jämförelsevärdet ({}) är {}.",
                            what.sv,
                            o.period.label(Lang::Sv),
                            ctx.v(o.value, Lang::Sv),
                            rtitle.sv,
                            ctx.v(r.value, Lang::Sv)
                        ),
                        format!(
                            "{} for {} is {}; the reference ({}) is {}.",
                            what.en,
                            o.period.label(Lang::En),
                            ctx.v(o.value, Lang::En),
                            rtitle.en,
                            ctx.v(r.value, Lang::En)
                        ),
                    )
                });
            } else if let Some(r) = refpts.last() {
                target_value = Some(r.value + margin);
            }
            let dctx = Ctx {
                unit: munit,
                lang_unit_pp: ctx.lang_unit_pp,
            };
            let (s, e, b, tr, pr) = judge_threshold(
                &dist,
                Bound::AtLeast,
                0.0,
                Judge::of(t, opts, &dctx, &rwhat),
                &mut Explain::new(false),
            );
            status = s;
            expected_now = e.map(|e| e * sign);
            baseline = b.and_then(|b| own.iter().find(|p| p.period == b.period).copied());
            judged = dist.last().copied();
            trend = tr.map(|x| x.0);
            projection = pr;
            let (sv, en) = match status {
                Status::Achieved => ("Målet är nått: värdet ligger på rätt sida om jämförelsevärdet.", "The target is met: the value is on the right side of the reference."),
                Status::OnTrack => ("Avståndet till jämförelsevärdet krymper i den takt som behövs för att nå målet i tid.", "The distance to the reference is shrinking at the pace needed to meet the target in time."),
                Status::AtRisk => ("Avståndet krymper, men långsammare än en rak väg till målåret kräver.", "The distance is shrinking, but more slowly than a straight path to the target year needs."),
                Status::OffTrack => ("Avståndet krymper inte tillräckligt, eller målåret har passerat utan att målet nåtts.", "The distance is not shrinking enough, or the target year has passed without the target being met."),
                Status::NoData => ("Det finns inte värden för båda serierna samma period, så målet kan inte bedömas.", "There are no values for both series in the same period, so the target cannot be judged."),
            };
            text.push(sv, en);
        }
        TargetKind::Gap { other, at_most } => {
            let ounit = series_unit(other, &strategy.owner, followed);
            let opts_pts = points_until(data, other, &ounit, opts.year);
            let otitle = reference_label(other, &ounit, &t.series, indicators);
            chart.push_with(|| ChartSeries {
                key: "other",
                label: otitle.clone(),
                points: opts_pts.clone(),
            });
            let gaps = combine(&own, &opts_pts, |a, b| (a - b).abs());
            let gwhat = Text {
                sv: format!("Skillnaden mellan {} och {}", what.sv, otitle.sv),
                en: format!("The gap between {} and {}", what.en, otitle.en),
            };
            judged = gaps.last().copied();
            let gctx = Ctx {
                unit: munit,
                lang_unit_pp: ctx.lang_unit_pp,
            };
            let (s, b, tr, e, pr) = match at_most {
                Some(limit) => {
                    target_value = Some(*limit);
                    let (s, e, b, tr, pr) = judge_threshold(
                        &gaps,
                        Bound::AtMost,
                        *limit,
                        Judge::of(t, opts, &gctx, &gwhat),
                        &mut text,
                    );
                    (s, b, tr, e, pr)
                }
                None => {
                    let (s, b, tr) = judge_direction(
                        &gaps,
                        Change::Decrease,
                        Judge::of(t, opts, &gctx, &gwhat),
                        &mut text,
                    );
                    let pr = tr
                        .as_ref()
                        .and_then(|(_, l)| gaps.last().and_then(|g| project(l, g, t.target_year)));
                    (s, b, tr, None, pr)
                }
            };
            status = s;
            baseline = b;
            expected_now = e;
            trend = tr.map(|x| x.0);
            projection = pr;
        }
        TargetKind::Change { change, by, points } => {
            // The target value follows from the value in the baseline year (or the first
            // year after it with a value): then it is judged as a level.
            let from = t.baseline_year.unwrap_or(strategy.period_from);
            let base = value_in_year(&own, from)
                .or_else(|| own.iter().find(|p| p.period.year() >= from).copied());
            match base.filter(|b| *points || b.value > 0.0) {
                None => {
                    status = Status::NoData;
                    trend = trend_of(&own, opts.year, opts.trend_years).map(|x| x.0);
                    text.push_with(|| {
                        (
                            format!("{what} saknar ett värde över noll för utgångsåret {from} och åren efter, så målvärdet (en ändring i procent av det) kan inte räknas ut.", what = what.sv),
                            format!("{what} has no value above zero for the baseline year {from} or the years after, so the target value (a change in percent of it) cannot be worked out.", what = what.en),
                        )
                    });
                }
                Some(b) => {
                    let sign = change.sign();
                    let goal = if *points {
                        b.value + sign * by
                    } else {
                        b.value * (1.0 + sign * by / 100.0)
                    };
                    target_value = Some(goal);
                    let size = |l: Lang| {
                        if *points {
                            format!(
                                "{} {}",
                                etablera_domain::format::number(
                                    *by,
                                    if by.fract() == 0.0 { 0 } else { 1 },
                                    l
                                ),
                                l.pick("procentenheter", "percentage points")
                            )
                        } else {
                            format!(
                                "{}\u{a0}%",
                                etablera_domain::format::number(
                                    *by,
                                    if by.fract() == 0.0 { 0 } else { 1 },
                                    l
                                )
                            )
                        }
                    };
                    text.push_with(|| {
                        (
                            format!(
                                "Utgångsvärdet {} är {}; {} med {} ger målvärdet {}.",
                                b.period.label(Lang::Sv),
                                ctx.v(b.value, Lang::Sv),
                                match change { Change::Increase => "en ökning", Change::Decrease => "en minskning" },
                                size(Lang::Sv),
                                ctx.v(goal, Lang::Sv)
                            ),
                            format!(
                                "The baseline value for {} is {}; {} by {} gives the target value {}.",
                                b.period.label(Lang::En),
                                ctx.v(b.value, Lang::En),
                                match change { Change::Increase => "an increase", Change::Decrease => "a decrease" },
                                size(Lang::En),
                                ctx.v(goal, Lang::En)
                            ),
                        )
                    });
                    let bound = match change {
                        Change::Increase => Bound::AtLeast,
                        Change::Decrease => Bound::AtMost,
                    };
                    let (s, e, bl, tr, pr) = judge_threshold(
                        &own,
                        bound,
                        goal,
                        Judge::of(t, opts, &ctx, &what),
                        &mut text,
                    );
                    status = s;
                    expected_now = e;
                    baseline = bl.or(Some(b));
                    trend = tr.map(|x| x.0);
                    projection = pr;
                }
            }
        }
        TargetKind::Flow { bound, per_year } => {
            target_value = Some(*per_year);
            let yearly: Vec<Point> = own.iter().filter(|p| p.period.is_year()).copied().collect();
            trend = trend_of(&yearly, opts.year, opts.trend_years).map(|x| x.0);
            match yearly.last() {
                None => {
                    status = Status::NoData;
                    text.push_with(|| {
                        (
                            format!(
                                "Det finns inget årsvärde för {} till och med {}.",
                                what.sv, opts.year
                            ),
                            format!(
                                "There is no yearly value for {} up to {}.",
                                what.en, opts.year
                            ),
                        )
                    });
                }
                Some(last) => {
                    let near = match bound {
                        Bound::AtLeast => last.value >= 0.9 * per_year,
                        Bound::AtMost => last.value <= 1.1 * per_year,
                    };
                    status = if bound.holds(last.value, *per_year) {
                        Status::Achieved
                    } else if near {
                        Status::AtRisk
                    } else {
                        Status::OffTrack
                    };
                    let from = t.baseline_year.unwrap_or(strategy.period_from);
                    let in_period: Vec<&Point> = yearly
                        .iter()
                        .filter(|p| {
                            p.period.year() >= from
                                && p.period.year() <= t.target_year.max(opts.year)
                        })
                        .collect();
                    let met = in_period
                        .iter()
                        .filter(|p| bound.holds(p.value, *per_year))
                        .count();
                    let (sv, en) = both(&text, |l| {
                        format!(
                            "{} {} {} {} {} {} {}. {} {} {} {} {} {}.",
                            l.pick("Värdet", "The value"),
                            last.period.label(l),
                            l.pick("är", "is"),
                            ctx.v(last.value, l),
                            l.pick("mot målet", "against the target of"),
                            match bound {
                                Bound::AtLeast => l.pick("minst", "at least"),
                                Bound::AtMost => l.pick("högst", "at most"),
                            },
                            format!("{} {}", ctx.v(*per_year, l), l.pick("per år", "a year")),
                            l.pick("Målet nåddes", "The target was met in"),
                            met,
                            l.pick("av", "of"),
                            in_period.len(),
                            l.pick("år sedan", "years since"),
                            from,
                        )
                    });
                    text.push(sv, en);
                }
            }
        }
    }

    let observed = own.last().copied();
    let years_behind = observed.map(|o| opts.year - o.period.year());
    if let Some(yb) = years_behind.filter(|y| *y > 0) {
        text.push_with(|| {
            (
                format!(
                    "Senaste värdet avser {}, {} år före uppföljningsåret.",
                    observed
                        .map(|o| o.period.label(Lang::Sv))
                        .unwrap_or_default(),
                    yb
                ),
                format!(
                    "The latest value is for {}, {} year(s) before the reporting year.",
                    observed
                        .map(|o| o.period.label(Lang::En))
                        .unwrap_or_default(),
                    yb
                ),
            )
        });
    }

    // Comparisons at the observed period.
    let nation = observed.and_then(|o| {
        let n = points_until(data, &t.series, &UnitCode::nation(), opts.year);
        if !unit.is_nation() {
            chart.push_with(|| ChartSeries {
                key: "nation",
                label: Text {
                    sv: "Riket".into(),
                    en: "Sweden".into(),
                },
                points: n.clone(),
            });
        }
        n.into_iter().find(|p| p.period == o.period)
    });
    // A group "mean" of one member is that member's value: when it is the followed unit's
    // own, it says nothing new, and shown as a mean it would mislead. Means rest on two or
    // more members; where they do not, the explanation says so.
    let mut group_too_thin: Option<(&str, GroupValue)> = None;
    let group = opts.group.as_ref().and_then(|g| {
        let gv = data.group_values(&t.series.indicator, g, t.series.sex);
        let points: Vec<Point> = gv
            .iter()
            .filter(|(p, v)| p.year() <= opts.year && v.with_value >= 2)
            .map(|(p, v)| Point {
                period: *p,
                value: v.mean,
            })
            .collect();
        if !points.is_empty() {
            chart.push_with(|| ChartSeries {
                key: "group",
                label: Text {
                    sv: g.name.clone(),
                    en: g.name.clone(),
                },
                points,
            });
        }
        let o = observed?;
        let v = gv.get(&o.period)?;
        if v.with_value < 2 {
            group_too_thin = Some((g.name.as_str(), *v));
            return None;
        }
        Some(GroupPoint {
            code: g.code.clone(),
            name: g.name.clone(),
            period: o.period,
            value: *v,
        })
    });
    let divided = indicator.map(|i| i.divided_by_sex).unwrap_or(false);
    let sex_gap = if divided && t.series.sex == Sex::Total {
        sex_gap(data, &t.series.indicator, &unit, opts)
    } else {
        None
    };
    if divided && t.series.sex == Sex::Total {
        for (sex, key) in [(Sex::Women, "women"), (Sex::Men, "men")] {
            let pts = points_until(
                data,
                &SeriesRef::new(t.series.indicator.clone(), None, sex),
                &unit,
                opts.year,
            );
            if !pts.is_empty() {
                chart.push_with(|| ChartSeries {
                    key,
                    label: Text {
                        sv: sex.label(Lang::Sv).to_string(),
                        en: sex.label(Lang::En).to_string(),
                    },
                    points: pts,
                });
            }
        }
    }
    if let (Some(o), Some(n)) = (observed, nation) {
        text.push_with(|| {
            (
                format!(
                    "Riket: {} ({}).",
                    ctx.v(n.value, Lang::Sv),
                    o.period.label(Lang::Sv)
                ),
                format!(
                    "Sweden: {} ({}).",
                    ctx.v(n.value, Lang::En),
                    o.period.label(Lang::En)
                ),
            )
        });
    }
    if let Some(g) = &group {
        text.push_with(|| {
            (
                format!(
                    "{}: {} (medel av {} av {} kommuner).",
                    g.name,
                    ctx.v(g.value.mean, Lang::Sv),
                    g.value.with_value,
                    g.value.members
                ),
                format!(
                    "{}: {} (mean of {} of {} municipalities).",
                    g.name,
                    ctx.v(g.value.mean, Lang::En),
                    g.value.with_value,
                    g.value.members
                ),
            )
        });
    }
    if let (Some((name, v)), Some(o)) = (group_too_thin, observed) {
        text.push_with(|| {
            (
                format!(
                    "{name}: bara {} av {} kommuner har ett värde för {}, så inget medelvärde visas.",
                    v.with_value,
                    v.members,
                    o.period.label(Lang::Sv)
                ),
                format!(
                    "{name}: only {} of {} municipalities has a value for {}, so no mean is shown.",
                    v.with_value,
                    v.members,
                    o.period.label(Lang::En)
                ),
            )
        });
    }
    if let Some(sg) = &sex_gap {
        let trend_sv = match sg.gap_trend {
            Some(s) if s.abs() < 1e-9 => ", oförändrad".to_string(),
            Some(s) if (s < 0.0) == (sg.gap > 0.0) => ", och den minskar".to_string(),
            Some(_) => ", och den ökar".to_string(),
            None => String::new(),
        };
        let trend_en = match sg.gap_trend {
            Some(s) if s.abs() < 1e-9 => ", unchanged".to_string(),
            Some(s) if (s < 0.0) == (sg.gap > 0.0) => ", and it is shrinking".to_string(),
            Some(_) => ", and it is growing".to_string(),
            None => String::new(),
        };
        text.push_with(|| {
            (
                format!(
                    "Kvinnor {}, män {}: skillnaden är {}{}.",
                    ctx.v(sg.women, Lang::Sv),
                    ctx.v(sg.men, Lang::Sv),
                    ctx.d(sg.gap.abs(), Lang::Sv),
                    trend_sv
                ),
                format!(
                    "Women {}, men {}: the gap is {}{}.",
                    ctx.v(sg.women, Lang::En),
                    ctx.v(sg.men, Lang::En),
                    ctx.d(sg.gap.abs(), Lang::En),
                    trend_en
                ),
            )
        });
    }

    TargetResult {
        target_id: t.id.clone(),
        goal_id: t.goal.clone(),
        indicator: t.series.indicator.clone(),
        unit,
        sex: t.series.sex,
        status,
        observed,
        target_value,
        baseline,
        expected_now,
        judged,
        trend,
        projection,
        sex_gap,
        nation,
        group,
        years_behind,
        explanation: text.text,
        chart: chart.list,
    }
}

fn reference_label(
    r: &SeriesRef,
    unit: &UnitCode,
    own: &SeriesRef,
    indicators: &HashMap<IndicatorId, Indicator>,
) -> Text {
    let mut sv = Vec::new();
    let mut en = Vec::new();
    if r.indicator != own.indicator {
        let t = indicators
            .get(&r.indicator)
            .map(|i| i.title.clone())
            .unwrap_or_else(|| r.indicator.to_string());
        sv.push(t.clone());
        en.push(t);
    }
    if unit.is_nation() {
        sv.push("riket".to_string());
        en.push("Sweden".to_string());
    } else if r.unit.is_some() {
        sv.push(unit.to_string());
        en.push(unit.to_string());
    }
    if r.sex != own.sex || sv.is_empty() {
        sv.push(r.sex.label(Lang::Sv).to_string());
        en.push(r.sex.label(Lang::En).to_string());
    }
    Text {
        sv: sv.join(", "),
        en: en.join(", "),
    }
}

#[cfg(test)]
mod tests;
