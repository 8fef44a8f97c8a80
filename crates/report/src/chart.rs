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

fn marker(out: &mut String, kind: &str, x: f64, y: f64, colour: &str) {
    let _ = match kind {
        "circle" => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{colour}"/>"#
        ),
        "square" => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="{colour}"/>"#,
            x - 3.5,
            y - 3.5
        ),
        "triangle" => write!(
            out,
            r#"<path d="M{x:.1},{:.1} l4,7 h-8 z" fill="{colour}"/>"#,
            y - 4.0
        ),
        "diamond" => write!(
            out,
            r#"<path d="M{x:.1},{:.1} l4,4 l-4,4 l-4,-4 z" fill="{colour}"/>"#,
            y - 4.0
        ),
        _ => write!(
            out,
            r#"<path d="M{:.1},{:.1} l7,7 m0,-7 l-7,7" stroke="{colour}" stroke-width="1.5"/>"#,
            x - 3.5,
            y - 3.5
        ),
    };
}

/// The chart of one target's result. `title` and `desc` become the SVG's accessible name
/// and description.
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

pub fn target_chart(
    r: &TargetResult,
    unit: &MeasureUnit,
    target_year: i32,
    title: &str,
    desc: &str,
    lang: Lang,
    id: &str,
) -> String {
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
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    if ys.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text></svg>"#,
            W / 2.0,
            H / 2.0,
            tr(lang, "report-no-values-to-show")
        );
        return out;
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
    y1 += (y1 - y0) * 0.05;
    let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    let py = |y: f64| TOP + (1.0 - (y - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
    // Axes and grid.
    let _ = write!(out, r##"<g font-size="11" fill="#222">"##);
    for i in 0..=4 {
        let v = y0 + (y1 - y0) * i as f64 / 4.0;
        let y = py(v);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&number(v, if (y1 - y0) < 10.0 { 1 } else { 0 }, lang))
        );
    }
    let span = (x1 - x0) as i64;
    let step = if span > 12 { 2 } else { 1 };
    let mut yr = x0 as i64;
    while yr <= x1 as i64 {
        let x = px(yr as f64);
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{yr}</text>"#,
            H - BOTTOM + 16.0
        );
        yr += step;
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{:.1}" stroke="#444"/><line x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#444"/></g>"##,
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    );
    // Projection band and line.
    if let (Some(p), Some(o)) = (&r.projection, r.observed) {
        let (ox, oy) = (px(o.period.midpoint()), py(o.value));
        let tx = px(p.year as f64);
        let _ = write!(
            out,
            r##"<path d="M{ox:.1},{oy:.1} L{tx:.1},{:.1} L{tx:.1},{:.1} Z" fill="#1f4e9a" fill-opacity="0.12"/><line x1="{ox:.1}" y1="{oy:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#1f4e9a" stroke-dasharray="1 3" stroke-width="2"/>"##,
            py(p.high),
            py(p.low),
            py(p.value)
        );
    }
    // Target path and target.
    if let Some(t) = r.target_value {
        let tx = px(target_year as f64);
        if let Some(b) = r.baseline.filter(|_| r.judged.is_none()) {
            let _ = write!(
                out,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#2b7a0b" stroke-dasharray="3 3" stroke-width="1.5"/>"##,
                px(b.period.midpoint()),
                py(b.value),
                py(t)
            );
        }
        let _ = write!(
            out,
            r##"<path d="M{tx:.1},{:.1} l6,6 l-6,6 l-6,-6 z" fill="none" stroke="#2b7a0b" stroke-width="2"/>"##,
            py(t) - 6.0
        );
    }
    for s in &series {
        let st = style(s.key);
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|p| format!("{:.1},{:.1}", px(p.period.midpoint()), py(p.value)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>"#,
            pts.join(" "),
            st.colour,
            st.dash
        );
        for p in &s.points {
            marker(
                &mut out,
                st.marker,
                px(p.period.midpoint()),
                py(p.value),
                st.colour,
            );
        }
    }
    // Legend.
    let mut ly = TOP + 6.0;
    let lx = W - RIGHT + 12.0;
    for s in &series {
        let st = style(s.key);
        let _ = write!(
            out,
            r#"<line x1="{lx}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>"#,
            lx + 22.0,
            st.colour,
            st.dash
        );
        marker(&mut out, st.marker, lx + 11.0, ly, st.colour);
        let full = s.label.get(lang);
        let label: String = if full.chars().count() > 28 {
            full.chars().take(27).chain(['…']).collect()
        } else {
            full.to_string()
        };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
            lx + 28.0,
            ly + 4.0,
            escape(&label)
        );
        ly += 18.0;
    }
    if let Some(t) = r.target_value {
        let _ = write!(
            out,
            r##"<path d="M{:.1},{:.1} l5,5 l-5,5 l-5,-5 z" fill="none" stroke="#2b7a0b" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{} {}</text>"##,
            lx + 11.0,
            ly - 5.0,
            lx + 28.0,
            ly + 4.0,
            tr(lang, "report-target"),
            escape(&fmt_value(t, unit, lang))
        );
        ly += 18.0;
    }
    if r.projection.is_some() {
        let _ = write!(
            out,
            r##"<line x1="{lx}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="#1f4e9a" stroke-dasharray="1 3" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
            lx + 22.0,
            lx + 28.0,
            ly + 4.0,
            tr(lang, "report-projection")
        );
    }
    out.push_str("</svg>");
    out
}
