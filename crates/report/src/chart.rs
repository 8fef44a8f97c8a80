//! SVG line charts drawn by our own code: accessible (`role="img"`, `<title>`, `<desc>`),
//! distinguishable without colour (each series has its own dash pattern and marker), and
//! always shown with the data as a table beside them.

use crate::escape;
use crate::i18n::tr;
use etablera_domain::format::{number, value as fmt_value};
use etablera_domain::{Lang, MeasureUnit};
use etablera_followup::TargetResult;
use std::fmt::Write;

const W: f64 = 700.0;
const H: f64 = 300.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 40.0;

struct Style {
    colour: &'static str,
    dash: &'static str,
    marker: &'static str,
}

fn style(key: &str) -> Style {
    match key {
        "own" => Style {
            colour: "#1f4e9a",
            dash: "",
            marker: "circle",
        },
        "reference" | "other" => Style {
            colour: "#8a3b00",
            dash: "6 3",
            marker: "square",
        },
        "women" => Style {
            colour: "#a01a58",
            dash: "2 3",
            marker: "triangle",
        },
        "men" => Style {
            colour: "#00665e",
            dash: "8 3 2 3",
            marker: "diamond",
        },
        "nation" => Style {
            colour: "#555555",
            dash: "4 4",
            marker: "cross",
        },
        _ => Style {
            colour: "#6b4fa0",
            dash: "10 4",
            marker: "square",
        },
    }
}

/// A chart as shapes in its own coordinates (y downwards, text at its baseline): written out
/// as SVG for the web and the Word document, and drawn directly by the PDF's layout, so both
/// show the same picture from one computation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<Shape>,
}

/// How a line is drawn: its colour (`#rrggbb`), width and dash pattern (SVG's
/// `stroke-dasharray`, empty for a solid line).
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    pub colour: &'static str,
    pub width: f64,
    pub dash: &'static str,
}

/// Where a text's `x` is: its start, middle or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A line through the points, not closed.
    Line {
        points: Vec<(f64, f64)>,
        stroke: Stroke,
    },
    /// A closed shape, filled (colour, opacity) and/or outlined.
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Option<(&'static str, f64)>,
        stroke: Option<Stroke>,
    },
    Circle {
        cx: f64,
        cy: f64,
        r: f64,
        fill: &'static str,
    },
    /// Text in 11 units, #222: each line `line` below the one before, the first with its
    /// baseline at `y`.
    Text {
        x: f64,
        y: f64,
        anchor: Anchor,
        lines: Vec<String>,
        line: f64,
    },
}

/// The size and colour of a chart's text.
pub const TEXT_SIZE: f64 = 11.0;
pub const TEXT_COLOUR: &str = "#222222";

fn line(points: Vec<(f64, f64)>, colour: &'static str, width: f64, dash: &'static str) -> Shape {
    Shape::Line {
        points,
        stroke: Stroke {
            colour,
            width,
            dash,
        },
    }
}

fn text(x: f64, y: f64, anchor: Anchor, s: String) -> Shape {
    Shape::Text {
        x,
        y,
        anchor,
        lines: vec![s],
        line: 0.0,
    }
}

fn marker(out: &mut Vec<Shape>, kind: &str, x: f64, y: f64, colour: &'static str) {
    let filled = |points| Shape::Polygon {
        points,
        fill: Some((colour, 1.0)),
        stroke: None,
    };
    match kind {
        "circle" => out.push(Shape::Circle {
            cx: x,
            cy: y,
            r: 3.5,
            fill: colour,
        }),
        "square" => out.push(filled(vec![
            (x - 3.5, y - 3.5),
            (x + 3.5, y - 3.5),
            (x + 3.5, y + 3.5),
            (x - 3.5, y + 3.5),
        ])),
        "triangle" => out.push(filled(vec![
            (x, y - 4.0),
            (x + 4.0, y + 3.0),
            (x - 4.0, y + 3.0),
        ])),
        "diamond" => out.push(filled(vec![
            (x, y - 4.0),
            (x + 4.0, y),
            (x, y + 4.0),
            (x - 4.0, y),
        ])),
        _ => {
            out.push(line(
                vec![(x - 3.5, y - 3.5), (x + 3.5, y + 3.5)],
                colour,
                1.5,
                "",
            ));
            out.push(line(
                vec![(x + 3.5, y - 3.5), (x - 3.5, y + 3.5)],
                colour,
                1.5,
                "",
            ));
        }
    }
}

/// The target's diamond, `r` from its centre to each corner.
fn target_mark(x: f64, y: f64, r: f64) -> Shape {
    Shape::Polygon {
        points: vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
        fill: None,
        stroke: Some(Stroke {
            colour: "#2b7a0b",
            width: 2.0,
            dash: "",
        }),
    }
}

impl Scene {
    /// The chart as a self-contained SVG; `title` and `desc` become its accessible name and
    /// description, `id` prefixes their element ids.
    pub fn svg(&self, title: &str, desc: &str, id: &str) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {:.0}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            self.width,
            self.height,
            escape(title),
            escape(desc)
        );
        let stroke_attrs = |out: &mut String, s: &Stroke| {
            let _ = write!(out, r#" stroke="{}""#, s.colour);
            if s.width != 1.0 {
                let _ = write!(out, r#" stroke-width="{}""#, s.width);
            }
            if !s.dash.is_empty() {
                let _ = write!(out, r#" stroke-dasharray="{}""#, s.dash);
            }
        };
        for shape in &self.shapes {
            match shape {
                Shape::Line { points, stroke } => {
                    if let [(x1, y1), (x2, y2)] = points[..] {
                        let _ = write!(
                            out,
                            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}""#
                        );
                    } else {
                        let pts: Vec<String> = points
                            .iter()
                            .map(|(x, y)| format!("{x:.1},{y:.1}"))
                            .collect();
                        let _ = write!(out, r#"<polyline points="{}" fill="none""#, pts.join(" "));
                    }
                    stroke_attrs(&mut out, stroke);
                    out.push_str("/>");
                }
                Shape::Polygon {
                    points,
                    fill,
                    stroke,
                } => {
                    out.push_str("<path d=\"");
                    for (i, (x, y)) in points.iter().enumerate() {
                        let _ = write!(out, "{}{x:.1},{y:.1} ", if i == 0 { 'M' } else { 'L' });
                    }
                    out.push_str("Z\"");
                    match fill {
                        Some((c, o)) => {
                            let _ = write!(out, r#" fill="{c}""#);
                            if *o < 1.0 {
                                let _ = write!(out, r#" fill-opacity="{o}""#);
                            }
                        }
                        None => out.push_str(r#" fill="none""#),
                    }
                    if let Some(s) = stroke {
                        stroke_attrs(&mut out, s);
                    }
                    out.push_str("/>");
                }
                Shape::Circle { cx, cy, r, fill } => {
                    let _ = write!(
                        out,
                        r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r}" fill="{fill}"/>"#
                    );
                }
                Shape::Text {
                    x,
                    y,
                    anchor,
                    lines,
                    line,
                } => {
                    let anchor = match anchor {
                        Anchor::Start => "",
                        Anchor::Middle => r#" text-anchor="middle""#,
                        Anchor::End => r#" text-anchor="end""#,
                    };
                    let _ = write!(
                        out,
                        r#"<text x="{x:.1}" y="{y:.1}" font-size="{TEXT_SIZE}" fill="{TEXT_COLOUR}"{anchor}>"#
                    );
                    if let [one] = &lines[..] {
                        out.push_str(&escape(one));
                    } else {
                        for (i, l) in lines.iter().enumerate() {
                            let _ = write!(
                                out,
                                r#"<tspan x="{x:.1}" dy="{}">{}</tspan>"#,
                                if i == 0 { 0.0 } else { *line },
                                escape(l)
                            );
                        }
                    }
                    out.push_str("</text>");
                }
            }
        }
        out.push_str("</svg>");
        out
    }
}

/// The projection in words, as the chart draws it: "Prognos 2025: 48,0–56,0 %" (the
/// band's ends, the unit once).
pub fn projection_text(r: &TargetResult, unit: &MeasureUnit, lang: Lang) -> Option<String> {
    let p = r.projection.as_ref()?;
    let low = fmt_value(p.low, unit, lang);
    let high = fmt_value(p.high, unit, lang);
    // "48,0 %" and "56,0 %" share their unit ("%", "per 1 000 invånare", "kr/invånare"):
    // "48,0–56,0 %". The unit is what follows the number: from the first space that is not
    // a thousands space (one followed by a digit).
    let suffix_at = |t: &str| {
        let cs: Vec<(usize, char)> = t.char_indices().collect();
        cs.iter().enumerate().find_map(|(k, &(i, c))| {
            (matches!(c, ' ' | '\u{a0}')
                && !cs.get(k + 1).is_some_and(|&(_, n)| n.is_ascii_digit()))
            .then_some(i)
        })
    };
    let low = match suffix_at(&high) {
        Some(i) if low.ends_with(&high[i..]) => low[..low.len() - (high.len() - i)].to_string(),
        _ => low,
    };
    Some(format!(
        "{} {}: {low}–{high}",
        tr(lang, "report-projection"),
        p.year
    ))
}

/// The chart's text alternative after its title: [`description`] and, when the chart draws
/// a projection, [`projection_text`].
pub fn full_description(r: &TargetResult, unit: &MeasureUnit, lang: Lang) -> String {
    match projection_text(r, unit, lang) {
        Some(p) => format!("{}. {p}", description(r, lang)),
        None => description(r, lang),
    }
}

/// The text alternative's opening for a target's chart: "The chart shows" and the series
/// that have points, in the language.
pub fn description(r: &TargetResult, lang: Lang) -> String {
    let series: Vec<&str> = r
        .chart
        .iter()
        .filter(|c| !c.points.is_empty())
        .map(|c| c.label.get(lang))
        .collect();
    format!(
        "{} {}",
        tr(lang, "report-the-chart-shows"),
        series.join(", ")
    )
}

/// The chart of one target's result as SVG. `title` and `desc` become the SVG's accessible
/// name and description.
pub fn target_chart(
    r: &TargetResult,
    unit: &MeasureUnit,
    target_year: i32,
    title: &str,
    desc: &str,
    lang: Lang,
    id: &str,
) -> String {
    target_scene(r, unit, target_year, lang).svg(title, desc, id)
}

/// The chart of one target's result as shapes: the series with their markers, the target
/// and the path to it, the projection band, round axis ticks and a legend that is never cut
/// off (a long legend makes the picture taller, the plot keeps its size).
pub fn target_scene(r: &TargetResult, unit: &MeasureUnit, target_year: i32, lang: Lang) -> Scene {
    let series: Vec<_> = r.chart.iter().filter(|s| !s.points.is_empty()).collect();
    let mut xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.period.midpoint()))
        .collect();
    let mut ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.value))
        .collect();
    xs.push(target_year as f64);
    if let Some(t) = r.target_value {
        ys.push(t);
    }
    if let Some(p) = &r.projection {
        ys.extend([p.low, p.high]);
    }
    if ys.is_empty() {
        return no_values(lang);
    }
    let (mut x0, mut x1) = (
        xs.iter().cloned().fold(f64::MAX, f64::min).floor(),
        xs.iter().cloned().fold(f64::MIN, f64::max).ceil(),
    );
    if x1 - x0 < 1.0 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let (mut y0, mut y1) = (
        ys.iter().cloned().fold(f64::MAX, f64::min),
        ys.iter().cloned().fold(f64::MIN, f64::max),
    );
    if *unit == MeasureUnit::Percent || y0 >= 0.0 {
        y0 = y0.min(0.0);
    }
    if (y1 - y0).abs() < 1e-9 {
        y1 = y0 + 1.0;
    }
    // Round ticks: a step of 1, 2, 2,5 or 5 times a power of ten, the axis from a multiple
    // of it to the first multiple above the highest value.
    let step = nice_step((y1 - y0) / 4.0);
    y0 = (y0 / step).floor() * step;
    y1 = (y1 / step).ceil() * step;
    if y1 - y0 < step * 0.5 {
        y1 = y0 + step;
    }
    let ticks = ((y1 - y0) / step).round();
    // Values so large that the axis overflows (a hostile file, a typing error of 1e308) get
    // no chart rather than an axis without end.
    if !(y0.is_finite() && y1.is_finite() && step.is_finite() && (1.0..=12.0).contains(&ticks)) {
        return no_values(lang);
    }
    let ticks = ticks as i64;
    let decimals = step_decimals(step);
    let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    let py = |y: f64| TOP + (1.0 - (y - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
    let mut out = Vec::new();
    // Axes and grid.
    for i in 0..=ticks {
        let v = y0 + step * i as f64;
        let y = py(v);
        out.push(line(vec![(LEFT, y), (W - RIGHT, y)], "#dddddd", 1.0, ""));
        out.push(text(
            LEFT - 6.0,
            y + 4.0,
            Anchor::End,
            number(v, decimals, lang),
        ));
    }
    let span = (x1 - x0) as i64;
    let step = if span > 12 { 2 } else { 1 };
    let mut yr = x0 as i64;
    while yr <= x1 as i64 {
        out.push(text(
            px(yr as f64),
            H - BOTTOM + 16.0,
            Anchor::Middle,
            yr.to_string(),
        ));
        yr += step;
    }
    out.push(line(
        vec![(LEFT, TOP), (LEFT, H - BOTTOM)],
        "#444444",
        1.0,
        "",
    ));
    out.push(line(
        vec![(LEFT, H - BOTTOM), (W - RIGHT, H - BOTTOM)],
        "#444444",
        1.0,
        "",
    ));
    // Projection band and line.
    if let (Some(p), Some(o)) = (&r.projection, r.observed) {
        let (ox, oy) = (px(o.period.midpoint()), py(o.value));
        let tx = px(p.year as f64);
        out.push(Shape::Polygon {
            points: vec![(ox, oy), (tx, py(p.high)), (tx, py(p.low))],
            fill: Some(("#1f4e9a", 0.12)),
            stroke: None,
        });
        out.push(line(
            vec![(ox, oy), (tx, py(p.value))],
            "#1f4e9a",
            2.0,
            "1 3",
        ));
    }
    // Target path and target.
    if let Some(t) = r.target_value {
        let tx = px(target_year as f64);
        if let Some(b) = r.baseline.filter(|_| r.judged.is_none()) {
            out.push(line(
                vec![(px(b.period.midpoint()), py(b.value)), (tx, py(t))],
                "#2b7a0b",
                1.5,
                "3 3",
            ));
        }
        out.push(target_mark(tx, py(t), 6.0));
    }
    for s in &series {
        let st = style(s.key);
        let points = s
            .points
            .iter()
            .map(|p| (px(p.period.midpoint()), py(p.value)))
            .collect::<Vec<_>>();
        out.push(line(points.clone(), st.colour, 2.0, st.dash));
        for (x, y) in points {
            marker(&mut out, st.marker, x, y, st.colour);
        }
    }
    // Legend.
    let mut ly = TOP + 6.0;
    let lx = W - RIGHT + 12.0;
    for s in &series {
        let st = style(s.key);
        out.push(line(
            vec![(lx, ly), (lx + 22.0, ly)],
            st.colour,
            2.0,
            st.dash,
        ));
        marker(&mut out, st.marker, lx + 11.0, ly, st.colour);
        // The whole name, over as many lines as it needs: a legend is never cut off.
        let lines = wrap(s.label.get(lang), LEGEND_CHARS);
        let n = lines.len();
        out.push(Shape::Text {
            x: lx + 28.0,
            y: ly + 4.0,
            anchor: Anchor::Start,
            lines,
            line: LEGEND_LINE,
        });
        ly += 18.0 + LEGEND_LINE * (n - 1) as f64;
    }
    if let Some(t) = r.target_value {
        out.push(target_mark(lx + 11.0, ly, 5.0));
        out.push(text(
            lx + 28.0,
            ly + 4.0,
            Anchor::Start,
            format!("{} {}", tr(lang, "report-target"), fmt_value(t, unit, lang)),
        ));
        ly += 18.0;
    }
    if r.projection.is_some() {
        out.push(line(vec![(lx, ly), (lx + 22.0, ly)], "#1f4e9a", 2.0, "1 3"));
        out.push(text(
            lx + 28.0,
            ly + 4.0,
            Anchor::Start,
            tr(lang, "report-projection").to_string(),
        ));
        ly += 18.0;
    }
    Scene {
        width: W,
        // A legend longer than the plot makes the picture taller (the plot keeps its size).
        height: H.max(ly + 4.0).round(),
        shapes: out,
    }
}

/// A chart that has nothing to draw: the words "Inga värden att visa".
fn no_values(lang: Lang) -> Scene {
    Scene {
        width: W,
        height: H,
        shapes: vec![text(
            W / 2.0,
            H / 2.0,
            Anchor::Middle,
            tr(lang, "report-no-values-to-show").to_string(),
        )],
    }
}

/// The decimals a tick label of a step needs: 2,5 → 1, 0,25 → 2, 0,05 → 2, 20 → 0.
pub fn step_decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 10.0 {
        return 0;
    }
    let power = (-step.log10().floor()).max(0.0) as usize;
    let mantissa = step / 10f64.powf(step.log10().floor());
    (power + usize::from((mantissa - 2.5).abs() < 1e-9)).min(6)
}

/// A round step near `raw`: 1, 2, 2,5 or 5 times a power of ten.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let f = raw / power;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// Characters a legend line holds beside the plot, and the distance between its lines.
const LEGEND_CHARS: usize = 30;
const LEGEND_LINE: f64 = 13.0;

/// A text broken into lines of at most `width` characters at spaces (a longer word on a
/// line of its own, whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::{nice_step, step_decimals, wrap};

    /// A result with only what a chart reads: the target value and the series.
    fn result(
        target_value: Option<f64>,
        chart: Vec<etablera_followup::ChartSeries>,
    ) -> etablera_followup::TargetResult {
        etablera_followup::TargetResult {
            target_id: "t".into(),
            goal_id: "g".into(),
            indicator: etablera_domain::IndicatorId::parse("N00973").unwrap(),
            unit: etablera_domain::UnitCode::parse("2380").unwrap(),
            sex: etablera_domain::Sex::Total,
            status: etablera_followup::Status::OnTrack,
            observed: None,
            target_value,
            baseline: None,
            expected_now: None,
            judged: None,
            trend: None,
            projection: None,
            sex_gap: None,
            nation: None,
            group: None,
            years_behind: None,
            explanation: Default::default(),
            chart,
        }
    }

    #[test]
    fn tick_labels_have_the_decimals_their_step_needs() {
        for (step, d) in [
            (2.5, 1),
            (0.25, 2),
            (0.05, 2),
            (20.0, 0),
            (25.0, 0),
            (1.0, 0),
            (0.5, 1),
            (5.0, 0),
        ] {
            assert_eq!(step_decimals(step), d, "{step}");
        }
    }

    #[test]
    fn the_projection_is_given_in_words() {
        use etablera_domain::{Lang, MeasureUnit};
        let mut r = result(None, Vec::new());
        r.projection = Some(etablera_followup::Projection {
            year: 2025,
            value: 52.0,
            low: 48.0,
            high: 56.0,
        });
        assert_eq!(
            super::projection_text(&r, &MeasureUnit::Percent, Lang::Sv).unwrap(),
            "Prognos 2025: 48,0–56,0\u{a0}%"
        );
        r.projection = Some(etablera_followup::Projection {
            year: 2025,
            value: 2.4,
            low: 2.3,
            high: 2.5,
        });
        let per = MeasureUnit::PerThousand;
        let t = super::projection_text(&r, &per, Lang::Sv).unwrap();
        let one = etablera_domain::format::value(2.5, &per, Lang::Sv);
        assert!(
            t.ends_with(&one)
                && t.matches(&one[one.find(['\u{a0}', ' ']).unwrap()..])
                    .count()
                    == 1,
            "{t}"
        );
        r.projection = Some(etablera_followup::Projection {
            year: 2025,
            value: 1500.0,
            low: 1200.0,
            high: 1800.0,
        });
        let t = super::projection_text(&r, &MeasureUnit::Count, Lang::Sv).unwrap();
        assert!(t.contains("1\u{a0}200") && t.contains("1\u{a0}800"), "{t}");
        r.projection = None;
        assert!(super::projection_text(&r, &MeasureUnit::Percent, Lang::Sv).is_none());
    }

    #[test]
    fn values_too_large_for_an_axis_give_no_chart_and_no_endless_axis() {
        use etablera_domain::{Lang, MeasureUnit, Period};
        let r = result(
            Some(1.7e308),
            vec![etablera_followup::ChartSeries {
                key: "own",
                label: Default::default(),
                points: vec![etablera_followup::Point {
                    period: Period::Year(2020),
                    value: -1e308,
                }],
            }],
        );
        let svg = super::target_chart(&r, &MeasureUnit::Count, 2024, "t", "d", Lang::Sv, "c");
        assert!(svg.len() < 10_000, "{} bytes", svg.len());
        assert!(svg.contains("Inga värden att visa"));
    }

    #[test]
    fn axis_steps_are_round() {
        for (raw, step) in [
            (15.75, 20.0),
            (0.3, 0.5),
            (7.0, 10.0),
            (2.2, 2.5),
            (120.0, 200.0),
            (1.0, 1.0),
        ] {
            assert!(
                (nice_step(raw) - step).abs() < 1e-9,
                "{raw} → {}",
                nice_step(raw)
            );
        }
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn legend_names_wrap_whole() {
        let name = "Öppet arbetslösa eller sökande i program med aktivitetsstöd, utrikes födda 18–24 år, andel (%) (totalt)";
        let lines = wrap(name, 30);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(lines.join(" "), name);
        assert_eq!(wrap("Riket", 30), vec!["Riket"]);
        assert_eq!(wrap("", 30), vec![""]);
        assert_eq!(
            wrap("Arbetsmarknadsutbildningsdeltagare", 10),
            vec!["Arbetsmarknadsutbildningsdeltagare"]
        );
    }
}
