//! The annual follow-up report, "Uppföljning av integrationsstrategin <år>", as one
//! self-contained HTML file (inline CSS and SVG, no scripts) or as Markdown.
//!
//! The report is built from a [`ReportInput`]: the strategy, the engine's [`FollowUp`],
//! the indicators and the data batches it rests on. Swedish by default, English
//! available; numbers in Swedish form; every figure's source cited.
//!
//! ```
//! use etablera_domain::{Lang, Strategy, UnitCode};
//! use etablera_followup::FollowUp;
//! use std::collections::{BTreeSet, HashMap};
//!
//! let strategy: Strategy = serde_json::from_value(serde_json::json!({
//!     "id": "exempel-2024", "owner": "2380", "title": "Integrationsstrategi",
//!     "period_from": 2024, "period_to": 2027
//! }))
//! .unwrap();
//! let followup = FollowUp {
//!     strategy_id: strategy.id.clone(),
//!     unit: UnitCode::parse("2380").unwrap(),
//!     year: 2025,
//!     results: Vec::new(),
//! };
//! let (indicators, analyses) = (HashMap::new(), HashMap::new());
//! let md = etablera_report::render_markdown(&etablera_report::ReportInput {
//!     strategy: &strategy,
//!     owner_name: "Östersunds kommun".into(),
//!     followup: &followup,
//!     indicators: &indicators,
//!     batches: Vec::new(),
//!     fictitious: BTreeSet::new(),
//!     analyses: &analyses,
//!     made_on: "2026-12-01".into(),
//!     as_of: None,
//!     strategy_version: None,
//!     decision: None,
//!     lang: Lang::Sv,
//! });
//! assert!(md.contains("Integrationsstrategi") && md.contains("2025"));
//! ```

pub mod chart;
mod i18n;
pub mod model;
use i18n::{tr, tr_with};

use etablera_domain::format::value as fmt_value;
use etablera_domain::{
    Indicator, IndicatorId, IndicatorSource, Lang, MeasureUnit, Period, Strategy, TargetKind,
};
use etablera_followup::{FollowUp, Status, TargetResult};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// A data batch as the report cites it.
#[derive(Debug, Clone)]
pub struct BatchRef {
    pub id: i64,
    pub source: String,
    pub file_name: Option<String>,
    pub imported_at: String,
}

/// Everything a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub strategy: &'a Strategy,
    pub owner_name: String,
    pub followup: &'a FollowUp,
    pub indicators: &'a HashMap<IndicatorId, Indicator>,
    pub batches: Vec<BatchRef>,
    /// Indicators whose figures (for this report) come from fictitious demo data.
    pub fictitious: BTreeSet<IndicatorId>,
    /// The strategists' analysis of each target for the year (target id → text).
    pub analyses: &'a std::collections::HashMap<String, String>,
    /// When the report was made (ISO date), and as of which date the data is read.
    pub made_on: String,
    pub as_of: Option<String>,
    /// For a report as of a time: the version of the strategy it judges against.
    pub strategy_version: Option<VersionUsed>,
    /// The board's decision that adopted this follow-up, for the board's adopted documents
    /// ("Uppföljningen antagen av Kommunstyrelsen 2025-03-12, KS 2025-03-12 § 45, dnr …").
    pub decision: Option<String>,
    pub lang: Lang,
}

/// The version of a strategy a report as of a time judges against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionUsed {
    pub version: i32,
    /// When it was saved (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub saved_at: String,
    /// The as-of time precedes every saved version, so the first is used.
    pub saved_after: bool,
}

/// The sentence that says which data and which version of the strategy a report as of a
/// time rests on (empty for a report of today's data).
fn as_of_sentence(input: &ReportInput) -> String {
    let lang = input.lang;
    let Some(a) = input.as_of.as_deref() else {
        return String::new();
    };
    let mut o = format!(
        "{} {}",
        tr(lang, "report-data-as-they-stood-on"),
        etablera_domain::date::swedish_time_of(a)
    );
    if let Some(v) = &input.strategy_version {
        let saved = etablera_domain::date::swedish_time_of(&v.saved_at);
        o.push_str(&if v.saved_after {
            tr_with(
                lang,
                "report-judged-against-the-first-version",
                &[("version", &v.version.to_string()), ("saved", &saved)],
            )
        } else {
            tr_with(
                lang,
                "report-judged-against-the-version-then",
                &[("version", &v.version.to_string()), ("saved", &saved)],
            )
        });
    }
    o.push('.');
    o
}

/// Each target's result, by the target's id.
fn results_by_target(f: &FollowUp) -> HashMap<&str, &TargetResult> {
    f.results
        .iter()
        .map(|r| (r.target_id.as_str(), r))
        .collect()
}

/// Opens a section named by its heading: `<section aria-labelledby>` and its `<h2>`. The
/// id and heading are HTML already.
fn section(o: &mut String, id: &str, heading: &str) {
    let _ = write!(
        o,
        "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{heading}</h2>"
    );
}

/// Opens a data table up to its `<tbody>`: its class, its caption (none when empty) and its
/// column headers, `true` for a numeric column (right-aligned). Caption and headers are
/// HTML already (escaped where they hold text from outside).
fn table_head(o: &mut String, class: Option<&str>, caption: &str, columns: &[(&str, bool)]) {
    match class {
        Some(c) => {
            let _ = write!(o, "<table class=\"{c}\">");
        }
        None => o.push_str("<table>"),
    }
    if !caption.is_empty() {
        let _ = write!(o, "<caption>{caption}</caption>");
    }
    o.push_str("<thead><tr>");
    for (name, numeric) in columns {
        let class = if *numeric { " class=\"num\"" } else { "" };
        let _ = write!(o, "<th scope=\"col\"{class}>{name}</th>");
    }
    o.push_str("</tr></thead><tbody>");
}

/// Escapes text for HTML and SVG.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Control characters are not allowed in XML (an SVG) and mean nothing in HTML.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

fn title(input: &ReportInput) -> String {
    format!(
        "{} {}",
        tr(input.lang, "report-follow-up-of-the-integration-strategy"),
        input.followup.year
    )
}

fn status_class(s: Status) -> &'static str {
    s.code()
}

fn unit_of<'a>(input: &'a ReportInput, id: &IndicatorId) -> &'a MeasureUnit {
    static INDEX: MeasureUnit = MeasureUnit::Index;
    input.indicators.get(id).map(|i| &i.unit).unwrap_or(&INDEX)
}

fn ind_title(input: &ReportInput, id: &IndicatorId) -> String {
    input
        .indicators
        .get(id)
        .map(|i| i.title.clone())
        .unwrap_or_else(|| id.to_string())
}

fn sources_of(input: &ReportInput, t: &etablera_domain::Target) -> String {
    let mut cites: BTreeSet<&str> = BTreeSet::new();
    for s in t.series_used() {
        let src = input
            .indicators
            .get(&s.indicator)
            .map(|i| i.source)
            .unwrap_or(IndicatorSource::Manual);
        cites.insert(src.citation(input.lang));
    }
    cites.into_iter().collect::<Vec<_>>().join(". ")
}

/// The targets of a goal and of all its sub-goals, in strategy order.
fn targets_under(s: &Strategy, root: &str) -> Vec<usize> {
    s.targets
        .iter()
        .enumerate()
        .filter(|(_, t)| s.root_of(&t.goal) == root)
        .map(|(i, _)| i)
        .collect()
}

/// A table of every period's values of the chart's series.
fn data_rows(
    r: &TargetResult,
    unit: &MeasureUnit,
    lang: Lang,
) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let series: Vec<_> = r.chart.iter().filter(|s| !s.points.is_empty()).collect();
    let periods: BTreeSet<Period> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.period))
        .collect();
    let header: Vec<String> = series
        .iter()
        .map(|s| s.label.get(lang).to_string())
        .collect();
    let rows = periods
        .into_iter()
        .map(|p| {
            let cells = series
                .iter()
                .map(|s| {
                    s.points
                        .iter()
                        .find(|x| x.period == p)
                        .map(|x| fmt_value(x.value, unit, lang))
                        .unwrap_or_else(|| "–".into())
                })
                .collect();
            (p.label(lang), cells)
        })
        .collect();
    (header, rows)
}

fn target_kind_text(t: &etablera_domain::Target, unit: &MeasureUnit, lang: Lang) -> String {
    let by = |b: etablera_domain::Bound| match b {
        etablera_domain::Bound::AtLeast => tr(lang, "report-at-least"),
        etablera_domain::Bound::AtMost => tr(lang, "report-at-most"),
    };
    match &t.kind {
        TargetKind::Threshold { bound, value } => format!(
            "{} {} {} {}",
            by(*bound),
            fmt_value(*value, unit, lang),
            tr(lang, "report-in"),
            t.target_year
        ),
        TargetKind::Direction { change } => format!(
            "{} {} {}",
            match change {
                etablera_domain::target::Change::Increase => tr(lang, "report-increase-from"),
                etablera_domain::target::Change::Decrease => tr(lang, "report-decrease-from"),
            },
            t.baseline_year.map(|b| b.to_string()).unwrap_or_default(),
            tr_with(
                lang,
                "report-by-year",
                &[("year", &t.target_year.to_string())]
            )
        ),
        TargetKind::Relative { bound, .. } => format!(
            "{} {} {}",
            by(*bound),
            tr(lang, "report-the-reference-series-in"),
            t.target_year
        ),
        TargetKind::Gap { at_most, .. } => match at_most {
            Some(m) => format!(
                "{} {} {}",
                tr(lang, "report-gap-at-most"),
                fmt_value(*m, unit, lang),
                t.target_year
            ),
            None => format!(
                "{} {}",
                tr(lang, "report-the-gap-shall-shrink-by"),
                t.target_year
            ),
        },
        TargetKind::Flow { bound, per_year } => format!(
            "{} {} {}",
            by(*bound),
            fmt_value(*per_year, unit, lang),
            tr(lang, "report-a-year")
        ),
        TargetKind::Change {
            change,
            by: size,
            points,
        } => {
            let n = etablera_domain::format::number(
                *size,
                if size.fract() == 0.0 { 0 } else { 1 },
                lang,
            );
            let from = t.baseline_year.map(|b| b.to_string()).unwrap_or_default();
            let year = t.target_year.to_string();
            let args = [
                ("by", n.as_str()),
                ("from", from.as_str()),
                ("year", year.as_str()),
            ];
            use etablera_domain::target::Change;
            match (change, points) {
                (Change::Increase, false) => tr_with(lang, "report-increase-by-percent", &args),
                (Change::Increase, true) => tr_with(lang, "report-increase-by-points", &args),
                (Change::Decrease, false) => tr_with(lang, "report-decrease-by-percent", &args),
                (Change::Decrease, true) => tr_with(lang, "report-decrease-by-points", &args),
            }
        }
    }
}

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;background:#fff}
h1{font-size:1.9rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #1f4e9a;padding-bottom:.2rem}h3{margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.3rem 0}
.status{display:inline-block;padding:.1rem .6rem;border-radius:.3rem;font-weight:700;border:2px solid}
.achieved{background:#e3f4dc;color:#1b5e20;border-color:#1b5e20}.on_track{background:#e3effa;color:#0d3c78;border-color:#0d3c78}
.at_risk{background:#fff3d6;color:#6b4500;border-color:#6b4500}.off_track{background:#fde4e4;color:#8b0000;border-color:#8b0000}
.no_data{background:#eee;color:#333;border-color:#333}
.notice{border:3px solid #8b0000;background:#fff4f4;padding:.6rem 1rem;font-weight:600}
.fictitious{color:#8b0000;font-weight:700}.source{font-size:.9rem;color:#333}
.chart{max-width:40rem;display:block}figure{margin:1rem 0}figcaption{font-size:.9rem}
.summary td{min-width:4rem}nav ul{columns:2}
@media print{h2{page-break-before:always}.chart{max-width:100%}}
"#;

/// Renders the report as one self-contained HTML document.
pub fn render_html(input: &ReportInput) -> String {
    let lang = input.lang;
    let s = input.strategy;
    let f = input.followup;
    let mut o = String::new();
    let page_title = title(input);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{} – {}</title><style>{CSS}</style></head><body><main>",
        lang.code(),
        escape(&page_title),
        escape(&input.owner_name)
    );
    let _ = write!(
        o,
        "<header><p>{}</p><h1>{}</h1><p><strong>{}</strong>",
        escape(&input.owner_name),
        escape(&page_title),
        escape(&s.title)
    );
    if let Some(sub) = &s.subtitle {
        let _ = write!(o, " – {}", escape(sub));
    }
    let _ = write!(o, " ({}–{})", s.period_from, s.period_to);
    if let Some(by) = &s.adopted_by {
        let on = s
            .adopted_on
            .as_ref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        let adopted = tr(lang, "report-adopted-by");
        let _ = write!(o, ". {adopted} {}{on}", escape(by));
    }
    let _ = write!(
        o,
        ".</p><p>{} {}. {}</p></header>",
        tr(lang, "report-report-produced"),
        input.made_on,
        escape(&as_of_sentence(input))
    );
    if !input.fictitious.is_empty() {
        let _ = write!(
            o,
            "<p class=\"notice\" role=\"note\">{}</p>",
            tr(lang, "report-note-this-report-is-partly-based")
        );
    }
    // Summary.
    section(&mut o, "sum", tr(lang, "report-summary"));
    if let Some(v) = &s.vision {
        let _ = write!(
            o,
            "<p><strong>{}:</strong> {}</p>",
            tr(lang, "report-vision"),
            escape(v)
        );
    }
    table_head(
        &mut o,
        Some("summary"),
        &format!("{} {}", tr(lang, "report-status-of-the-targets"), f.year),
        &[
            (tr(lang, "report-status"), false),
            (tr(lang, "report-targets"), true),
        ],
    );
    for st in Status::ALL {
        let _ = write!(
            o,
            "<tr><td><span class=\"status {}\">{} {}</span></td><td class=\"num\">{}</td></tr>",
            status_class(st),
            st.icon(),
            st.label(lang),
            f.count(st)
        );
    }
    let _ = write!(o, "</tbody></table>");
    let _ = write!(
        o,
        "<nav aria-label=\"{}\"><ul>",
        tr(lang, "report-long-term-goals")
    );
    for g in s.root_goals() {
        let _ = write!(
            o,
            "<li><a href=\"#goal-{}\">{}</a></li>",
            escape(&g.id),
            escape(&g.title)
        );
    }
    let _ = write!(o, "</ul></nav></section>");

    let results = results_by_target(f);
    for g in s.root_goals() {
        section(
            &mut o,
            &format!("goal-{}", escape(&g.id)),
            &escape(&g.title),
        );
        if let Some(d) = &g.description {
            let _ = write!(o, "<p>{}</p>", escape(d));
        }
        let subs: Vec<_> = s.children(&g.id).collect();
        if !subs.is_empty() {
            let _ = write!(o, "<h3>{}</h3><ul>", tr(lang, "report-sub-goals"));
            for sg in subs {
                let _ = write!(o, "<li>{}</li>", escape(&sg.title));
            }
            let _ = write!(o, "</ul>");
        }
        if !g.strategies.is_empty() {
            let _ = write!(
                o,
                "<details><summary>{}</summary><ul>",
                tr(lang, "report-strategy")
            );
            for t in &g.strategies {
                let _ = write!(o, "<li>{}</li>", escape(t));
            }
            let _ = write!(o, "</ul></details>");
        }
        let tidx = targets_under(s, &g.id);
        if tidx.is_empty() {
            let _ = write!(
                o,
                "<p>{}</p>",
                tr(lang, "report-this-goal-has-no-quantitative-targets")
            );
        }
        for i in tidx {
            let t = &s.targets[i];
            let Some(r) = results.get(t.id.as_str()) else {
                continue;
            };
            let unit = unit_of(input, &t.series.indicator);
            let hid = format!("target-{}", t.id);
            let _ = write!(
                o,
                "<article aria-labelledby=\"{hid}\"><h3 id=\"{hid}\">{}</h3><p><span class=\"status {}\">{} {}</span> <span>{}: {}</span></p>",
                escape(&t.text),
                status_class(r.status),
                r.status.icon(),
                r.status.label(lang),
                tr(lang, "report-target"),
                escape(&target_kind_text(t, unit, lang))
            );
            let _ = write!(
                o,
                "<p>{}: {} ({})</p><p>{}</p>",
                tr(lang, "report-indicator"),
                escape(&ind_title(input, &t.series.indicator)),
                escape(t.series.indicator.as_str()),
                escape(r.explanation.get(lang))
            );
            if let Some(a) = input.analyses.get(&t.id) {
                let _ = write!(o, "<h4>{}</h4>", tr(lang, "report-this-year-s-analysis"));
                for para in a.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                    let _ = write!(o, "<p>{}</p>", escape(para));
                }
            }
            let projection = chart::projection_text(r, unit, lang);
            let desc = chart::full_description(r, unit, lang);
            let _ = write!(
                o,
                "<figure>{}<figcaption>{}{}{}</figcaption></figure>",
                chart::target_chart(
                    r,
                    unit,
                    t.target_year,
                    &t.text,
                    &desc,
                    lang,
                    &hid.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                ),
                projection
                    .as_ref()
                    .map(|p| format!("{}. ", escape(p)))
                    .unwrap_or_default(),
                escape(&sources_of(input, t)),
                if t.series_used()
                    .iter()
                    .any(|s| input.fictitious.contains(&s.indicator))
                {
                    format!(
                        ". <span class=\"fictitious\">{}</span>",
                        tr(lang, "report-fictitious-demo-data")
                    )
                } else {
                    String::new()
                }
            );
            let (header, rows) = data_rows(r, unit, lang);
            if !rows.is_empty() {
                let header: Vec<String> = header.iter().map(|h| escape(h)).collect();
                let columns: Vec<(&str, bool)> =
                    std::iter::once((tr(lang, "report-period"), false))
                        .chain(header.iter().map(|h| (h.as_str(), true)))
                        .collect();
                let caption = format!("{} – {}", tr(lang, "report-data"), escape(&t.text));
                table_head(&mut o, None, &caption, &columns);
                for (p, cells) in rows {
                    let _ = write!(o, "<tr><th scope=\"row\">{p}</th>");
                    for c in cells {
                        let _ = write!(o, "<td class=\"num\">{}</td>", escape(&c));
                    }
                    let _ = write!(o, "</tr>");
                }
                let _ = write!(o, "</tbody></table>");
            }
            if let Some(n) = &t.note {
                let _ = write!(
                    o,
                    "<p class=\"source\">{}: {}</p>",
                    tr(lang, "report-note"),
                    escape(n)
                );
            }
            let _ = write!(o, "</article>");
        }
        let _ = write!(o, "</section>");
    }
    // Indicators per area.
    if !s.areas.is_empty() {
        section(&mut o, "areas", tr(lang, "report-indicators-by-area"));
        for a in &s.areas {
            let _ = write!(o, "<h3>{}</h3><ul>", escape(&a.name));
            for i in &a.indicators {
                let src = input
                    .indicators
                    .get(i)
                    .map(|x| x.source.citation(lang))
                    .unwrap_or("");
                let _ = write!(
                    o,
                    "<li>{} ({}; {})</li>",
                    escape(&ind_title(input, i)),
                    escape(i.as_str()),
                    escape(src)
                );
            }
            let _ = write!(o, "</ul>");
        }
        let _ = write!(o, "</section>");
    }
    // Action plan.
    if !s.activities.is_empty() {
        section(&mut o, "plan", tr(lang, "report-action-plan"));
        let columns = [
            (tr(lang, "report-year"), false),
            (tr(lang, "report-activity"), false),
            (tr(lang, "report-goal"), false),
            (tr(lang, "report-responsible"), false),
            (tr(lang, "report-status"), false),
            (tr(lang, "report-comment"), false),
        ];
        table_head(&mut o, None, "", &columns);
        for a in &s.activities {
            let goal = a
                .goal
                .as_deref()
                .and_then(|g| s.goal(g))
                .map(|g| g.title.as_str())
                .unwrap_or("–");
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.year,
                escape(&a.title),
                escape(goal),
                escape(&a.responsible),
                a.status.label(lang),
                escape(a.comment.as_deref().unwrap_or(""))
            );
        }
        let _ = write!(o, "</tbody></table></section>");
    }
    // Sources.
    section(&mut o, "src", tr(lang, "report-sources"));
    let _ = write!(
        o,
        "<p>{}</p>",
        tr(lang, "report-source-kolada-rka-licence-cc-by")
    );
    if let Some(src) = &s.source {
        let _ = write!(
            o,
            "<p>{}: {}</p>",
            tr(lang, "report-strategy-document"),
            escape(src)
        );
    }
    let columns = [
        (tr(lang, "report-no"), false),
        (tr(lang, "report-source"), false),
        (tr(lang, "report-file"), false),
        (tr(lang, "report-imported"), false),
    ];
    let caption = tr(lang, "report-data-batches-the-report-rests-on");
    table_head(&mut o, None, caption, &columns);
    for b in &input.batches {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            b.id,
            escape(&b.source),
            escape(b.file_name.as_deref().unwrap_or("–")),
            escape(&b.imported_at)
        );
    }
    let _ = writeln!(o, "</tbody></table></section></main></body></html>");
    o
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report as Markdown, with the data tables in place of the charts.
pub fn render_markdown(input: &ReportInput) -> String {
    let lang = input.lang;
    let s = input.strategy;
    let f = input.followup;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {}\n\n**{}** – {} ({}–{})\n",
        title(input),
        input.owner_name,
        s.title,
        s.period_from,
        s.period_to
    );
    let _ = writeln!(
        o,
        "{} {}. {}\n",
        tr(lang, "report-produced"),
        input.made_on,
        as_of_sentence(input)
    );
    if !input.fictitious.is_empty() {
        let _ = writeln!(
            o,
            "> **{}**\n",
            tr(lang, "report-note-this-report-is-partly-based-2")
        );
    }
    let _ = writeln!(
        o,
        "## {}\n\n| {} | {} |\n|---|---:|",
        tr(lang, "report-summary"),
        tr(lang, "report-status"),
        tr(lang, "report-targets")
    );
    for st in Status::ALL {
        let _ = writeln!(o, "| {} {} | {} |", st.icon(), st.label(lang), f.count(st));
    }
    let results = results_by_target(f);
    for g in s.root_goals() {
        let _ = writeln!(o, "\n## {}\n", g.title);
        for sg in s.children(&g.id) {
            let _ = writeln!(o, "- {}: {}", tr(lang, "report-sub-goal"), sg.title);
        }
        for i in targets_under(s, &g.id) {
            let t = &s.targets[i];
            let Some(r) = results.get(t.id.as_str()) else {
                continue;
            };
            let unit = unit_of(input, &t.series.indicator);
            let _ = writeln!(o, "\n### {}\n", t.text);
            let _ = writeln!(
                o,
                "**{} {}** – {}: {}\n",
                r.status.icon(),
                r.status.label(lang),
                tr(lang, "report-target"),
                target_kind_text(t, unit, lang)
            );
            let _ = writeln!(o, "{}\n", r.explanation.get(lang));
            if let Some(p) = chart::projection_text(r, unit, lang) {
                let _ = writeln!(o, "{p}.\n");
            }
            if let Some(a) = input.analyses.get(&t.id) {
                let _ = writeln!(o, "**{}**\n", tr(lang, "report-this-year-s-analysis"));
                for para in a.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                    let _ = writeln!(o, "{para}\n");
                }
            }
            let (header, rows) = data_rows(r, unit, lang);
            if !rows.is_empty() {
                let _ = writeln!(
                    o,
                    "| {} | {} |",
                    tr(lang, "report-period"),
                    header
                        .iter()
                        .map(|h| md_escape(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(o, "|---|{}", "---:|".repeat(header.len()));
                for (p, cells) in rows {
                    let _ = writeln!(o, "| {p} | {} |", cells.join(" | "));
                }
            }
            let fict = t
                .series_used()
                .iter()
                .any(|s| input.fictitious.contains(&s.indicator));
            let _ = writeln!(
                o,
                "\n_{}{}_",
                sources_of(input, t),
                if fict {
                    tr(lang, "report-fictitious-demo-data-2")
                } else {
                    ""
                }
            );
        }
    }
    if !s.activities.is_empty() {
        let _ = writeln!(o, "\n## {}\n", tr(lang, "report-action-plan"));
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            tr(lang, "report-year"),
            tr(lang, "report-activity"),
            tr(lang, "report-responsible"),
            tr(lang, "report-status")
        );
        for a in &s.activities {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                a.year,
                md_escape(&a.title),
                md_escape(&a.responsible),
                a.status.label(lang)
            );
        }
    }
    let _ = writeln!(
        o,
        "\n## {}\n\n{}",
        tr(lang, "report-sources-2"),
        tr(lang, "report-source-kolada-rka-cc-by-4")
    );
    for b in &input.batches {
        let _ = writeln!(
            o,
            "- {} #{}: {} ({})",
            tr(lang, "report-batch"),
            b.id,
            b.file_name.as_deref().unwrap_or(&b.source),
            b.imported_at
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
        assert_eq!(escape("a\u{1}b\u{7f}c\n"), "abc\n");
    }
}
