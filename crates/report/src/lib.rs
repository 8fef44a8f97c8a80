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
//!     lang: Lang::Sv,
//! });
//! assert!(md.contains("Integrationsstrategi") && md.contains("2025"));
//! ```

pub mod chart;

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
        lang.pick("Data som de stod", "Data as they stood on"),
        etablera_domain::date::swedish_time_of(a)
    );
    if let Some(v) = &input.strategy_version {
        let saved = etablera_domain::date::swedish_time_of(&v.saved_at);
        o.push_str(&if v.saved_after {
            lang.pick(
                &format!("; strategin fanns inte i Etablera då, så målen bedöms mot den första sparade versionen (version {}, sparad {saved})", v.version),
                &format!("; the strategy was not in Etablera then, so the targets are judged against its first saved version (version {}, saved {saved})", v.version),
            ).to_string()
        } else {
            lang.pick(
                &format!(", bedömda mot strategin som den var sparad då (version {}, sparad {saved})", v.version),
                &format!(", judged against the strategy as it was saved then (version {}, saved {saved})", v.version),
            ).to_string()
        });
    }
    o.push('.');
    o
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
            c => o.push(c),
        }
    }
    o
}

fn title(input: &ReportInput) -> String {
    format!(
        "{} {}",
        input.lang.pick(
            "Uppföljning av integrationsstrategin",
            "Follow-up of the integration strategy"
        ),
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
        etablera_domain::Bound::AtLeast => lang.pick("minst", "at least"),
        etablera_domain::Bound::AtMost => lang.pick("högst", "at most"),
    };
    match &t.kind {
        TargetKind::Threshold { bound, value } => format!(
            "{} {} {} {}",
            by(*bound),
            fmt_value(*value, unit, lang),
            lang.pick("år", "in"),
            t.target_year
        ),
        TargetKind::Direction { change } => format!(
            "{} {} {}",
            match change {
                etablera_domain::target::Change::Increase => lang.pick("öka från", "increase from"),
                etablera_domain::target::Change::Decrease =>
                    lang.pick("minska från", "decrease from"),
            },
            t.baseline_year.map(|b| b.to_string()).unwrap_or_default(),
            lang.pick(
                &format!("till {}", t.target_year),
                &format!("by {}", t.target_year)
            )
        ),
        TargetKind::Relative { bound, .. } => format!(
            "{} {} {}",
            by(*bound),
            lang.pick("jämförelseserien år", "the reference series in"),
            t.target_year
        ),
        TargetKind::Gap { at_most, .. } => match at_most {
            Some(m) => format!(
                "{} {} {}",
                lang.pick("skillnaden högst", "gap at most"),
                fmt_value(*m, unit, lang),
                t.target_year
            ),
            None => format!(
                "{} {}",
                lang.pick("skillnaden ska minska till", "the gap shall shrink by"),
                t.target_year
            ),
        },
        TargetKind::Flow { bound, per_year } => format!(
            "{} {} {}",
            by(*bound),
            fmt_value(*per_year, unit, lang),
            lang.pick("per år", "a year")
        ),
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
        lang.pick("sv", "en"),
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
        let adopted = lang.pick("Antagen av", "Adopted by");
        let _ = write!(o, ". {adopted} {}{on}", escape(by));
    }
    let _ = write!(
        o,
        ".</p><p>{} {}. {}</p></header>",
        lang.pick("Rapporten är framtagen", "Report produced"),
        input.made_on,
        escape(&as_of_sentence(input))
    );
    if !input.fictitious.is_empty() {
        let _ = write!(
            o,
            "<p class=\"notice\" role=\"note\">{}</p>",
            lang.pick(
                "Observera: rapporten bygger delvis på fiktiva demodata (markerade «Fiktiva demodata» vid varje diagram). Siffrorna beskriver inte verkligheten.",
                "Note: this report is partly based on fictitious demo data (marked “Fictitious demo data” at each chart). The figures do not describe reality."
            )
        );
    }
    // Summary.
    let _ = write!(
        o,
        "<section aria-labelledby=\"sum\"><h2 id=\"sum\">{}</h2>",
        lang.pick("Sammanfattning", "Summary")
    );
    if let Some(v) = &s.vision {
        let _ = write!(
            o,
            "<p><strong>{}:</strong> {}</p>",
            lang.pick("Vision", "Vision"),
            escape(v)
        );
    }
    let _ = write!(
        o,
        "<table class=\"summary\"><caption>{} {}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
        lang.pick("Målens status", "Status of the targets"),
        f.year,
        lang.pick("Status", "Status"),
        lang.pick("Antal mål", "Targets")
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
        lang.pick("Långsiktiga mål", "Long-term goals")
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

    let results: HashMap<&str, &TargetResult> = f
        .results
        .iter()
        .map(|r| (r.target_id.as_str(), r))
        .collect();
    for g in s.root_goals() {
        let _ = write!(
            o,
            "<section aria-labelledby=\"goal-{id}\"><h2 id=\"goal-{id}\">{}</h2>",
            escape(&g.title),
            id = escape(&g.id)
        );
        if let Some(d) = &g.description {
            let _ = write!(o, "<p>{}</p>", escape(d));
        }
        let subs: Vec<_> = s.children(&g.id).collect();
        if !subs.is_empty() {
            let _ = write!(o, "<h3>{}</h3><ul>", lang.pick("Delmål", "Sub-goals"));
            for sg in subs {
                let _ = write!(o, "<li>{}</li>", escape(&sg.title));
            }
            let _ = write!(o, "</ul>");
        }
        if !g.strategies.is_empty() {
            let _ = write!(
                o,
                "<details><summary>{}</summary><ul>",
                lang.pick("Strategi", "Strategy")
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
                lang.pick(
                    "Målet har inga kvantitativa mål.",
                    "This goal has no quantitative targets."
                )
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
                lang.pick("Mål", "Target"),
                escape(&target_kind_text(t, unit, lang))
            );
            let _ = write!(
                o,
                "<p>{}: {} ({})</p><p>{}</p>",
                lang.pick("Indikator", "Indicator"),
                escape(&ind_title(input, &t.series.indicator)),
                escape(t.series.indicator.as_str()),
                escape(r.explanation.get(lang))
            );
            if let Some(a) = input.analyses.get(&t.id) {
                let _ = write!(
                    o,
                    "<h4>{}</h4>",
                    lang.pick("Årets analys", "This year's analysis")
                );
                for para in a.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                    let _ = write!(o, "<p>{}</p>", escape(para));
                }
            }
            let desc = chart::description(r, lang);
            let _ = write!(
                o,
                "<figure>{}<figcaption>{}{}</figcaption></figure>",
                chart::target_chart(
                    r,
                    unit,
                    t.target_year,
                    &t.text,
                    &desc,
                    lang,
                    &hid.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                ),
                escape(&sources_of(input, t)),
                if t.series_used()
                    .iter()
                    .any(|s| input.fictitious.contains(&s.indicator))
                {
                    format!(
                        ". <span class=\"fictitious\">{}</span>",
                        lang.pick("Fiktiva demodata.", "Fictitious demo data.")
                    )
                } else {
                    String::new()
                }
            );
            let (header, rows) = data_rows(r, unit, lang);
            if !rows.is_empty() {
                let _ = write!(
                    o,
                    "<table><caption>{} – {}</caption><thead><tr><th scope=\"col\">{}</th>",
                    lang.pick("Data", "Data"),
                    escape(&t.text),
                    lang.pick("Period", "Period")
                );
                for h in &header {
                    let _ = write!(o, "<th scope=\"col\" class=\"num\">{}</th>", escape(h));
                }
                let _ = write!(o, "</tr></thead><tbody>");
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
                    lang.pick("Anmärkning", "Note"),
                    escape(n)
                );
            }
            let _ = write!(o, "</article>");
        }
        let _ = write!(o, "</section>");
    }
    // Indicators per area.
    if !s.areas.is_empty() {
        let _ = write!(
            o,
            "<section aria-labelledby=\"areas\"><h2 id=\"areas\">{}</h2>",
            lang.pick("Indikatorer per område", "Indicators by area")
        );
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
        let _ = write!(
            o,
            "<section aria-labelledby=\"plan\"><h2 id=\"plan\">{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            lang.pick("Handlingsplan", "Action plan"),
            lang.pick("År", "Year"),
            lang.pick("Aktivitet", "Activity"),
            lang.pick("Mål", "Goal"),
            lang.pick("Ansvarig", "Responsible"),
            lang.pick("Status", "Status"),
            lang.pick("Kommentar", "Comment")
        );
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
    let _ = write!(o, "<section aria-labelledby=\"src\"><h2 id=\"src\">{}</h2><p>{}</p>", lang.pick("Källor och underlag", "Sources"), lang.pick(
        "Källa: Kolada (RKA), licens CC BY 4.0, för nyckeltal med id som börjar med N eller U. Övriga indikatorer är kommunens egna uppgifter. Saknade, ej tillämpliga och sekretessbelagda värden visas som «–» och räknas aldrig som noll.",
        "Source: Kolada (RKA), licence CC BY 4.0, for KPIs whose id starts with N or U. Other indicators are the municipality's own figures. Missing, not applicable and suppressed values are shown as “–” and never counted as zero.",
    ));
    if let Some(src) = &s.source {
        let _ = write!(
            o,
            "<p>{}: {}</p>",
            lang.pick("Strategidokument", "Strategy document"),
            escape(src)
        );
    }
    let _ = write!(
        o,
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.pick("Dataleveranser som rapporten bygger på", "Data batches the report rests on"),
        lang.pick("Nr", "No."),
        lang.pick("Källa", "Source"),
        lang.pick("Fil", "File"),
        lang.pick("Inläst", "Imported")
    );
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
        lang.pick("Framtagen", "Produced"),
        input.made_on,
        as_of_sentence(input)
    );
    if !input.fictitious.is_empty() {
        let _ = writeln!(
            o,
            "> **{}**\n",
            lang.pick("Observera: rapporten bygger delvis på fiktiva demodata. Siffrorna beskriver inte verkligheten.", "Note: this report is partly based on fictitious demo data. The figures do not describe reality.")
        );
    }
    let _ = writeln!(
        o,
        "## {}\n\n| {} | {} |\n|---|---:|",
        lang.pick("Sammanfattning", "Summary"),
        lang.pick("Status", "Status"),
        lang.pick("Antal mål", "Targets")
    );
    for st in Status::ALL {
        let _ = writeln!(o, "| {} {} | {} |", st.icon(), st.label(lang), f.count(st));
    }
    let results: HashMap<&str, &TargetResult> = f
        .results
        .iter()
        .map(|r| (r.target_id.as_str(), r))
        .collect();
    for g in s.root_goals() {
        let _ = writeln!(o, "\n## {}\n", g.title);
        for sg in s.children(&g.id) {
            let _ = writeln!(o, "- {}: {}", lang.pick("Delmål", "Sub-goal"), sg.title);
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
                lang.pick("Mål", "Target"),
                target_kind_text(t, unit, lang)
            );
            let _ = writeln!(o, "{}\n", r.explanation.get(lang));
            if let Some(a) = input.analyses.get(&t.id) {
                let _ = writeln!(
                    o,
                    "**{}**\n",
                    lang.pick("Årets analys", "This year's analysis")
                );
                for para in a.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                    let _ = writeln!(o, "{para}\n");
                }
            }
            let (header, rows) = data_rows(r, unit, lang);
            if !rows.is_empty() {
                let _ = writeln!(
                    o,
                    "| {} | {} |",
                    lang.pick("Period", "Period"),
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
                    lang.pick(". Fiktiva demodata.", ". Fictitious demo data.")
                } else {
                    ""
                }
            );
        }
    }
    if !s.activities.is_empty() {
        let _ = writeln!(o, "\n## {}\n", lang.pick("Handlingsplan", "Action plan"));
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            lang.pick("År", "Year"),
            lang.pick("Aktivitet", "Activity"),
            lang.pick("Ansvarig", "Responsible"),
            lang.pick("Status", "Status")
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
    let _ = writeln!(o, "\n## {}\n\n{}", lang.pick("Källor", "Sources"), lang.pick("Källa: Kolada (RKA), CC BY 4.0. Saknade och sekretessbelagda värden visas som «–», aldrig som noll.", "Source: Kolada (RKA), CC BY 4.0. Missing and suppressed values are shown as “–”, never as zero."));
    for b in &input.batches {
        let _ = writeln!(
            o,
            "- {} #{}: {} ({})",
            lang.pick("Leverans", "Batch"),
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
    }
}
