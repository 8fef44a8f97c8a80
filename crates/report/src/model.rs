//! The annual report's content as data: every text already in the report's language and
//! every number already in Swedish (or English) form, for the renderers that lay it out
//! themselves (the PDF and the Word document in `etablera-document`). The HTML and the
//! Markdown are written from the same helpers, so the four formats say the same things.

use super::*;
use serde::Serialize;

/// The report, ready to lay out.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// "sv" or "en".
    pub lang: &'static str,
    /// "Uppföljning av integrationsstrategin 2025".
    pub title: String,
    pub owner: String,
    /// The strategy's title (and subtitle) with its period: "Integrationsstrategi (2020–2023)".
    pub strategy: String,
    /// "Antagen av Kommunfullmäktige 2020-02-12", when the strategy says.
    pub adoption: Option<String>,
    /// The board's decision that adopted this follow-up (adopted documents only).
    pub decision: Option<String>,
    /// "Rapporten är framtagen 2026-12-01." and, for a report as of a time, which data and
    /// which version of the strategy it rests on.
    pub produced: String,
    /// The notice that the report partly rests on fictitious demo data.
    pub fictitious_notice: Option<String>,
    pub vision: Option<String>,
    /// Each status with its number of targets.
    pub summary: Vec<SummaryRow>,
    pub goals: Vec<Goal>,
    pub areas: Vec<Area>,
    /// The action plan: year, activity, goal, responsible, status, comment.
    pub activities: Vec<[String; 6]>,
    /// "Källa: Kolada (RKA), licens CC BY 4.0, …".
    pub kolada: String,
    pub strategy_source: Option<String>,
    /// Number, source, file and import time of each data batch.
    pub batches: Vec<[String; 4]>,
    pub labels: Labels,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    /// `achieved`, `on_track`, `at_risk`, `off_track`, `no_data`.
    pub code: &'static str,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub sub_goals: Vec<String>,
    pub strategies: Vec<String>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub id: String,
    /// The target as the strategy words it.
    pub text: String,
    pub status_code: &'static str,
    pub status_label: &'static str,
    /// "minst 60 % år 2025".
    pub kind: String,
    /// The indicator's title and id: "Andel … (N00973)".
    pub indicator: String,
    /// The engine's explanation of the status.
    pub explanation: String,
    /// This year's analysis, one paragraph an item.
    pub analysis: Vec<String>,
    /// The chart as shapes (the PDF draws them), as a self-contained SVG (vector; the Word
    /// document rasterises it), and its text alternative.
    #[serde(skip)]
    pub chart: chart::Scene,
    pub chart_svg: String,
    pub chart_alt: String,
    /// The projection the chart draws, in words: "Prognos 2025: 48,0–56,0 %".
    pub projection: Option<String>,
    /// The sources of the chart's figures ("Källa: Kolada").
    pub sources: String,
    /// "Fiktiva demodata." when the chart's figures are fictitious.
    pub fictitious: Option<&'static str>,
    /// The chart's data as a table: the series' names, and each period's values.
    pub table_header: Vec<String>,
    pub table_rows: Vec<(String, Vec<String>)>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub name: String,
    /// "Title (id; Källa: Kolada)".
    pub indicators: Vec<String>,
}

/// The headings and column names, in the report's language.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    pub contents: &'static str,
    pub page: &'static str,
    pub summary: &'static str,
    pub vision: &'static str,
    pub status_of_the_targets: &'static str,
    pub status: &'static str,
    pub targets: &'static str,
    pub long_term_goals: &'static str,
    pub sub_goals: &'static str,
    pub strategy: &'static str,
    pub no_targets: &'static str,
    pub target: &'static str,
    pub indicator: &'static str,
    pub analysis: &'static str,
    pub data: &'static str,
    pub period: &'static str,
    pub note: &'static str,
    pub indicators_by_area: &'static str,
    pub action_plan: &'static str,
    pub year: &'static str,
    pub activity: &'static str,
    pub goal: &'static str,
    pub responsible: &'static str,
    pub comment: &'static str,
    pub sources: &'static str,
    pub strategy_document: &'static str,
    pub batches: &'static str,
    pub no: &'static str,
    pub source: &'static str,
    pub file: &'static str,
    pub imported: &'static str,
}

impl Labels {
    pub fn of(lang: Lang) -> Labels {
        Labels {
            contents: tr(lang, "report-contents"),
            page: tr(lang, "report-page"),
            summary: tr(lang, "report-summary"),
            vision: tr(lang, "report-vision"),
            status_of_the_targets: tr(lang, "report-status-of-the-targets"),
            status: tr(lang, "report-status"),
            targets: tr(lang, "report-targets"),
            long_term_goals: tr(lang, "report-long-term-goals"),
            sub_goals: tr(lang, "report-sub-goals"),
            strategy: tr(lang, "report-strategy"),
            no_targets: tr(lang, "report-this-goal-has-no-quantitative-targets"),
            target: tr(lang, "report-target"),
            indicator: tr(lang, "report-indicator"),
            analysis: tr(lang, "report-this-year-s-analysis"),
            data: tr(lang, "report-data"),
            period: tr(lang, "report-period"),
            note: tr(lang, "report-note"),
            indicators_by_area: tr(lang, "report-indicators-by-area"),
            action_plan: tr(lang, "report-action-plan"),
            year: tr(lang, "report-year"),
            activity: tr(lang, "report-activity"),
            goal: tr(lang, "report-goal"),
            responsible: tr(lang, "report-responsible"),
            comment: tr(lang, "report-comment"),
            sources: tr(lang, "report-sources"),
            strategy_document: tr(lang, "report-strategy-document"),
            batches: tr(lang, "report-data-batches-the-report-rests-on"),
            no: tr(lang, "report-no"),
            source: tr(lang, "report-source"),
            file: tr(lang, "report-file"),
            imported: tr(lang, "report-imported"),
        }
    }
}

/// The report's content, from the same input the HTML and Markdown are written from.
pub fn report(input: &ReportInput) -> Report {
    let lang = input.lang;
    let s = input.strategy;
    let f = input.followup;
    let mut strategy = s.title.clone();
    if let Some(sub) = &s.subtitle {
        strategy.push_str(" – ");
        strategy.push_str(sub);
    }
    strategy.push_str(&format!(" ({}–{})", s.period_from, s.period_to));
    let adoption = s.adopted_by.as_ref().map(|by| {
        let on = s
            .adopted_on
            .as_ref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        format!("{} {by}{on}", tr(lang, "report-adopted-by"))
    });
    let as_of = as_of_sentence(input);
    let produced = format!(
        "{} {}.{}{}",
        tr(lang, "report-report-produced"),
        input.made_on,
        if as_of.is_empty() { "" } else { " " },
        as_of
    );
    let results = results_by_target(f);
    let goals = s
        .root_goals()
        .map(|g| Goal {
            id: g.id.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            sub_goals: s.children(&g.id).map(|c| c.title.clone()).collect(),
            strategies: g.strategies.clone(),
            targets: targets_under(s, &g.id)
                .into_iter()
                .filter_map(|i| {
                    let t = &s.targets[i];
                    let r = results.get(t.id.as_str())?;
                    Some(target(input, t, r))
                })
                .collect(),
        })
        .collect();
    let areas = s
        .areas
        .iter()
        .map(|a| Area {
            name: a.name.clone(),
            indicators: a
                .indicators
                .iter()
                .map(|i| {
                    let src = input
                        .indicators
                        .get(i)
                        .map(|x| x.source.citation(lang))
                        .unwrap_or("");
                    format!("{} ({}; {src})", ind_title(input, i), i.as_str())
                })
                .collect(),
        })
        .collect();
    let activities = s
        .activities
        .iter()
        .map(|a| {
            let goal = a
                .goal
                .as_deref()
                .and_then(|g| s.goal(g))
                .map(|g| g.title.clone())
                .unwrap_or_else(|| "–".into());
            [
                a.year.to_string(),
                a.title.clone(),
                goal,
                a.responsible.clone(),
                a.status.label(lang).to_string(),
                a.comment.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Report {
        lang: lang.code(),
        title: title(input),
        owner: input.owner_name.clone(),
        strategy,
        adoption,
        decision: input.decision.clone(),
        produced,
        fictitious_notice: (!input.fictitious.is_empty())
            .then(|| tr(lang, "report-note-this-report-is-partly-based").to_string()),
        vision: s.vision.clone(),
        summary: Status::ALL
            .into_iter()
            .map(|st| SummaryRow {
                code: st.code(),
                label: st.label(lang),
                count: f.count(st),
            })
            .collect(),
        goals,
        areas,
        activities,
        kolada: tr(lang, "report-source-kolada-rka-licence-cc-by").to_string(),
        strategy_source: s.source.clone(),
        batches: input
            .batches
            .iter()
            .map(|b| {
                [
                    b.id.to_string(),
                    b.source.clone(),
                    b.file_name.clone().unwrap_or_else(|| "–".into()),
                    b.imported_at.clone(),
                ]
            })
            .collect(),
        labels: Labels::of(lang),
    }
}

fn target(input: &ReportInput, t: &etablera_domain::Target, r: &TargetResult) -> Target {
    let lang = input.lang;
    let unit = unit_of(input, &t.series.indicator);
    let projection = chart::projection_text(r, unit, lang);
    let desc = chart::full_description(r, unit, lang);
    let id = format!("target-{}", t.id).replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let (table_header, table_rows) = data_rows(r, unit, lang);
    Target {
        id: t.id.clone(),
        text: t.text.clone(),
        status_code: r.status.code(),
        status_label: r.status.label(lang),
        kind: target_kind_text(t, unit, lang),
        indicator: format!(
            "{} ({})",
            ind_title(input, &t.series.indicator),
            t.series.indicator.as_str()
        ),
        explanation: r.explanation.get(lang).to_string(),
        analysis: input
            .analyses
            .get(&t.id)
            .map(|a| {
                a.split('\n')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        chart: chart::target_scene(r, unit, t.target_year, lang),
        chart_svg: chart::target_chart(r, unit, t.target_year, &t.text, &desc, lang, &id),
        chart_alt: format!("{}. {desc}.", t.text.trim_end_matches('.')),
        projection,
        sources: sources_of(input, t),
        fictitious: t
            .series_used()
            .iter()
            .any(|s| input.fictitious.contains(&s.indicator))
            .then(|| tr(lang, "report-fictitious-demo-data")),
        table_header,
        table_rows,
        note: t.note.clone(),
    }
}
