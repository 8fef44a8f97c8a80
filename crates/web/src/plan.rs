//! The action plan (activities per department and year, status updates with comments, a
//! roll-up per goal), report downloads, and the audit log for administrators.

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::tr;
use crate::pages::load_run;
use crate::ui::Checked;
use crate::ui::{fail, layout, urlencode};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use etablera_app::{audit, strategies};
use etablera_domain::access::{allowed, Action};
use etablera_domain::format::value as fmt_value;
use etablera_domain::{ActivityStatus, Lang};
use maud::html;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{id}/plan", get(plan))
        .route("/s/{id}/plan/{activity}", post(update_activity))
        .route("/s/{id}/plan-ny", post(add_activity))
        .route(
            "/s/{id}/plan/{activity}/andra",
            get(edit_form).post(edit_activity),
        )
        .route("/s/{id}/plan/{activity}/ta-bort", post(remove_activity))
        .route("/s/{id}/reports", get(reports))
        .route("/s/{id}/report", get(report))
        .route("/s/{id}/compare", get(compare))
        .route("/admin/audit", get(audit))
}

pub(crate) const STATUSES: [ActivityStatus; 5] = [
    ActivityStatus::Planned,
    ActivityStatus::Ongoing,
    ActivityStatus::Done,
    ActivityStatus::Postponed,
    ActivityStatus::Cancelled,
];

pub(crate) fn status_code(s: ActivityStatus) -> &'static str {
    match s {
        ActivityStatus::Planned => "planned",
        ActivityStatus::Ongoing => "ongoing",
        ActivityStatus::Done => "done",
        ActivityStatus::Postponed => "postponed",
        ActivityStatus::Cancelled => "cancelled",
    }
}

#[derive(Debug, Deserialize, Default)]
struct PlanQuery {
    department: Option<String>,
    goal: Option<String>,
}

async fn plan(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let s = match state
        .db
        .app(move |conn| Ok(strategies::open(conn, &c.actor(), &id, Action::Read)?))
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(&ctx, e),
    };
    let can_write = allowed(ctx.principal.as_ref(), Action::Write, &s.owner, false);
    let mut departments: Vec<&str> = s
        .activities
        .iter()
        .map(|a| a.responsible.as_str())
        .collect();
    departments.sort();
    departments.dedup();
    let dep = q.department.as_deref().filter(|d| !d.is_empty());
    let goal = q.goal.as_deref().filter(|g| !g.is_empty());
    let shown: Vec<_> = s
        .activities
        .iter()
        .filter(|a| dep.is_none_or(|d| a.responsible == d))
        .filter(|a| goal.is_none_or(|g| a.goal.as_deref().map(|x| s.root_of(x)) == Some(g)))
        .collect();
    // Roll-up: activities per long-term goal and status.
    let mut rollup: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for a in &s.activities {
        let g = a
            .goal
            .as_deref()
            .map(|g| s.root_of(g).to_string())
            .unwrap_or_default();
        *rollup
            .entry(g)
            .or_default()
            .entry(status_code(a.status))
            .or_default() += 1;
    }
    let goal_title = |g: &str| {
        s.goal(g)
            .map(|x| x.title.clone())
            .unwrap_or_else(|| tr(lang, "no-goal").to_string())
    };
    let path = format!("/s/{}/plan", s.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (tr(lang, "action-plan")) }
        form.filters method="get" action=(path) aria-label=(tr(lang, "filter-activities")) {
            p {
                label for="f-dep" { (tr(lang, "responsible")) }
                select id="f-dep" name="department" {
                    option value="" { (tr(lang, "all")) }
                    @for d in &departments { option value=(d) selected[dep == Some(*d)] { (d) } }
                }
            }
            p {
                label for="f-goal" { (tr(lang, "goal")) }
                select id="f-goal" name="goal" {
                    option value="" { (tr(lang, "all")) }
                    @for g in s.root_goals() { option value=(g.id) selected[goal == Some(g.id.as_str())] { (g.title) } }
                }
            }
            p { button type="submit" { (tr(lang, "show")) } }
        }
        table {
            caption { (tr(lang, "activities")) }
            thead { tr {
                th scope="col" { (tr(lang, "year")) } th scope="col" { (tr(lang, "activity")) } th scope="col" { (tr(lang, "goal")) }
                th scope="col" { (tr(lang, "responsible")) } th scope="col" { (tr(lang, "status-comment")) }
            } }
            tbody { @for a in &shown { tr {
                td { (a.year) }
                td { (a.title) @if can_write { " " a href={ (path) "/" (urlencode(&a.id)) "/andra" } { (tr(lang, "edit-activity")) span.sr-only { ": " (a.title) } } } }
                td { (a.goal.as_deref().map(goal_title).unwrap_or_else(|| "–".into())) } td { (a.responsible) }
                td {
                    @if can_write {
                        form method="post" action={ (path) "/" (urlencode(&a.id)) } {
                            input type="hidden" name="csrf" value=(ctx.csrf());
                            label for={ "st-" (a.id) } { (tr(lang, "status")) }
                            select id={ "st-" (a.id) } name="status" {
                                @for st in STATUSES { option value=(status_code(st)) selected[st == a.status] { (st.label(lang)) } }
                            }
                            label for={ "cm-" (a.id) } { (tr(lang, "comment")) }
                            input id={ "cm-" (a.id) } name="comment" type="text" value=(a.comment.as_deref().unwrap_or(""));
                            button type="submit" { (tr(lang, "save")) }
                        }
                    } @else {
                        (a.status.label(lang)) @if let Some(c) = &a.comment { ": " (c) }
                    }
                }
            } } }
        }
        @if can_write {
            h2 { (tr(lang, "add-activity")) }
            form method="post" action={ "/s/" (s.id) "/plan-ny" } {
                input type="hidden" name="csrf" value=(ctx.csrf());
                (activity_fields(lang, &s, None, &departments))
                p { button type="submit" { (tr(lang, "add-activity")) } }
            }
        }
        h2 { (tr(lang, "status-per-goal")) }
        table {
            caption.sr-only { (tr(lang, "activities-per-goal-status")) }
            thead { tr { th scope="col" { (tr(lang, "goal")) } @for st in STATUSES { th scope="col" class="num" { (st.label(lang)) } } } }
            tbody { @for (g, counts) in &rollup { tr {
                th scope="row" { (goal_title(g)) }
                @for st in STATUSES { td.num { (counts.get(status_code(st)).copied().unwrap_or(0)) } }
            } } }
        }
    };
    Html(layout(&ctx, tr(lang, "action-plan"), &path, body).into_string()).into_response()
}

/// The fields of an activity (title, goal, responsible department, year), filled from
/// `a` when it is given; the responsible field suggests the departments in use.
fn activity_fields(
    lang: Lang,
    s: &etablera_domain::Strategy,
    a: Option<&etablera_domain::Activity>,
    departments: &[&str],
) -> maud::Markup {
    html! {
        p { label for="a-title" { (tr(lang, "activity")) } input #a-title name="title" type="text" maxlength="300" required value=(a.map(|a| a.title.as_str()).unwrap_or("")); }
        p {
            label for="a-goal" { (tr(lang, "goal")) }
            select #a-goal name="goal" {
                option value="" { "–" }
                @for g in &s.goals { option value=(g.id) selected[a.and_then(|a| a.goal.as_deref()) == Some(g.id.as_str())] { (g.title) } }
            }
        }
        p {
            label for="a-resp" { (tr(lang, "responsible")) }
            input #a-resp name="responsible" type="text" maxlength="200" required list="a-depts" value=(a.map(|a| a.responsible.as_str()).unwrap_or(""));
            datalist #a-depts { @for d in departments { option value=(d) {} } }
        }
        p { label for="a-year" { (tr(lang, "year")) } input #a-year name="year" type="number" min="1990" max="2100" required value=(a.map(|a| a.year).unwrap_or(s.period_to)); }
    }
}

fn activity_input(f: &HashMap<String, String>) -> strategies::ActivityInput {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    strategies::ActivityInput {
        title: get("title"),
        goal: f.get("goal").cloned(),
        responsible: get("responsible"),
        year: get("year"),
    }
}

/// Runs a change of the action plan for a form, forgets the follow-ups computed before
/// it, and returns to the plan.
async fn plan_change(
    state: AppState,
    ctx: Ctx,
    id: String,
    change: impl FnOnce(&mut etablera_app::Conn, &etablera_app::Actor, &str) -> etablera_app::Result<()>
        + Send
        + 'static,
) -> Response {
    let c = ctx.clone();
    let id2 = id.clone();
    match state
        .db
        .app(move |conn| Ok(change(conn, &c.actor(), &id2)?))
        .await
    {
        Ok(()) => {
            state.runs.clear();
            Redirect::to(&format!("/s/{}/plan", urlencode(&id))).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

async fn add_activity(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Checked(f): Checked<HashMap<String, String>>,
) -> Response {
    let input = activity_input(&f);
    plan_change(state, ctx, id, move |conn, actor, id| {
        strategies::add_activity(conn, actor, id, &input).map(|_| ())
    })
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, aid)): Path<(String, String)>,
) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let s = match state
        .db
        .app(move |conn| Ok(strategies::open(conn, &c.actor(), &id, Action::Write)?))
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(&ctx, e),
    };
    let Some(a) = s.activities.iter().find(|a| a.id == aid) else {
        return fail(&ctx, AppError::NotFound);
    };
    let mut departments: Vec<&str> = s
        .activities
        .iter()
        .map(|a| a.responsible.as_str())
        .collect();
    departments.sort();
    departments.dedup();
    let path = format!("/s/{}/plan/{}/andra", s.id, urlencode(&a.id));
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } " › " a href={ "/s/" (s.id) "/plan" } { (tr(lang, "action-plan")) } }
        h1 { (tr(lang, "edit-activity")) }
        form method="post" action=(path) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            (activity_fields(lang, &s, Some(a), &departments))
            p { button type="submit" { (tr(lang, "save")) } }
        }
        h2 { (tr(lang, "remove-activity")) }
        p { (tr(lang, "remove-activity-hint")) }
        form method="post" action={ "/s/" (s.id) "/plan/" (urlencode(&a.id)) "/ta-bort" } {
            input type="hidden" name="csrf" value=(ctx.csrf());
            button type="submit" { (tr(lang, "remove-activity")) }
        }
    };
    Html(layout(&ctx, tr(lang, "edit-activity"), &path, body).into_string()).into_response()
}

async fn edit_activity(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, aid)): Path<(String, String)>,
    Checked(f): Checked<HashMap<String, String>>,
) -> Response {
    let input = activity_input(&f);
    plan_change(state, ctx, id, move |conn, actor, id| {
        strategies::edit_activity(conn, actor, id, &aid, &input)
    })
    .await
}

async fn remove_activity(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, aid)): Path<(String, String)>,
    Checked(_f): Checked<HashMap<String, String>>,
) -> Response {
    plan_change(state, ctx, id, move |conn, actor, id| {
        strategies::remove_activity(conn, actor, id, &aid)
    })
    .await
}

#[derive(Debug, Deserialize)]
struct ActivityForm {
    csrf: String,
    status: String,
    comment: Option<String>,
}

async fn update_activity(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, aid)): Path<(String, String)>,
    Checked(f): Checked<ActivityForm>,
) -> Response {
    let Some(status) = STATUSES.into_iter().find(|s| status_code(*s) == f.status) else {
        return fail(
            &ctx,
            AppError::BadRequest(format!("{} `{}`", tr(ctx.lang, "unknown-status"), f.status)),
        );
    };
    plan_change(state, ctx, id, move |conn, actor, id| {
        strategies::update_activity(conn, actor, id, &aid, status, f.comment).map(|_| ())
    })
    .await
}

async fn reports(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let s = match state
        .db
        .app(move |conn| Ok(strategies::open(conn, &c.actor(), &id, Action::ReadPublic)?))
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(&ctx, e),
    };
    let path = format!("/s/{}/reports", s.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (tr(lang, "annual-follow-up-report")) }
        form method="get" action={ "/s/" (s.id) "/report" } {
            p { label for="r-year" { (tr(lang, "year")) } input id="r-year" name="year" type="number" min="1990" max="2100" value=(s.period_to) required; }
            fieldset {
                legend { (tr(lang, "format")) }
                p { input id="r-html" type="radio" name="format" value="html" checked; label for="r-html" { "HTML" } }
                p { input id="r-pdf" type="radio" name="format" value="pdf"; label for="r-pdf" { (tr(lang, "format-pdf")) } }
                p { input id="r-docx" type="radio" name="format" value="docx"; label for="r-docx" { (tr(lang, "format-docx")) } }
                p { input id="r-md" type="radio" name="format" value="md"; label for="r-md" { "Markdown" } }
            }
            fieldset {
                legend { (tr(lang, "language")) }
                p { input id="r-sv" type="radio" name="lang" value="sv" checked[lang == Lang::Sv]; label for="r-sv" { "Svenska" } }
                p { input id="r-en" type="radio" name="lang" value="en" checked[lang == Lang::En]; label for="r-en" { "English" } }
            }
            p { button type="submit" { (tr(lang, "download")) } }
        }
    };
    Html(layout(&ctx, tr(lang, "report"), &path, body).into_string()).into_response()
}

#[derive(Debug, Deserialize, Default)]
struct ReportQuery {
    year: Option<String>,
    format: Option<String>,
    lang: Option<String>,
}

/// The board's documents laid out at once in this process.
pub(crate) static BOARD_DOCUMENTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn report(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let Some(year) = q
        .year
        .as_deref()
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
    else {
        return fail(
            &ctx,
            AppError::BadRequest(tr(ctx.lang, "choose-year-from-1990-2100").into()),
        );
    };
    enum Out {
        Text(etablera_app::Format),
        Board(etablera_app::BoardFormat),
    }
    let (format, ext, ctype) = match q.format.as_deref() {
        Some("md") => (
            Out::Text(etablera_app::Format::Markdown),
            "md",
            "text/markdown; charset=utf-8",
        ),
        Some("html") | None => (
            Out::Text(etablera_app::Format::Html),
            "html",
            "text/html; charset=utf-8",
        ),
        Some("pdf") => (
            Out::Board(etablera_app::BoardFormat::Pdf),
            "pdf",
            etablera_app::BoardFormat::Pdf.media_type(),
        ),
        Some("docx") => (
            Out::Board(etablera_app::BoardFormat::Docx),
            "docx",
            etablera_app::BoardFormat::Docx.media_type(),
        ),
        Some(_) => {
            return fail(
                &ctx,
                AppError::BadRequest(tr(ctx.lang, "format-must-html-md").into()),
            )
        }
    };
    let lang: Lang = q
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or(ctx.lang);
    let (run, _, _) = match load_run(
        &state,
        &ctx,
        id.clone(),
        Some(year),
        None,
        Action::ReadPublic,
        None,
    )
    .await
    {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let body: Vec<u8> = match format {
        Out::Text(f) => etablera_app::render_report(&run, f, lang, None).into_bytes(),
        // Laying out a PDF takes CPU time: off the async workers, and two at a time in the
        // process (a flood of downloads answers 503, it does not queue up work).
        Out::Board(f) => {
            let Ok(permit) = BOARD_DOCUMENTS.try_acquire() else {
                return fail(
                    &ctx,
                    AppError::Unavailable(tr(ctx.lang, "documents-busy").into()),
                );
            };
            let made = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                etablera_app::render_board_document(&run, f, lang, None)
            })
            .await;
            match made {
                Ok(Ok(bytes)) => bytes,
                Ok(Err(e)) => return fail(&ctx, AppError::internal(e)),
                Err(e) => return fail(&ctx, AppError::internal(e)),
            }
        }
    };
    let disposition = format!(
        "attachment; filename=\"uppfoljning-{}-{year}.{ext}\"",
        id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
    );
    (
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Deserialize, Default)]
struct AuditQuery {
    unit: Option<String>,
    action: Option<String>,
    user: Option<String>,
    page: Option<String>,
}

/// The audit log: all of it for system administrators, their municipalities' for
/// municipality administrators, filterable by municipality, user and action.
async fn audit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AuditQuery>,
) -> Response {
    let lang = ctx.lang;
    let page: i64 = q
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let query = audit::Query {
        unit: q.unit.clone().filter(|u| !u.is_empty()),
        user: q.user.clone().filter(|u| !u.is_empty()),
        action: q.action.clone().filter(|a| !a.is_empty()),
        page,
    };
    let a = ctx.actor();
    let r = state
        .db
        .app(move |conn| Ok(audit::page(conn, &a, &query)?))
        .await;
    let (rows, names) = match r {
        Ok(p) => (p.entries, p.names),
        Err(e) => return fail(&ctx, e),
    };
    let body = html! {
        h1 { (tr(lang, "audit-log")) }
        form.filters method="get" action="/admin/audit" {
            p { label for="a-unit" { (tr(lang, "municipality-code")) } input id="a-unit" name="unit" type="text" value=(q.unit.as_deref().unwrap_or("")); }
            p { label for="a-user" { (tr(lang, "user")) } input id="a-user" name="user" type="text" value=(q.user.as_deref().unwrap_or("")); }
            p { label for="a-action" { (tr(lang, "action")) } input id="a-action" name="action" type="text" value=(q.action.as_deref().unwrap_or("")); }
            p { button type="submit" { (tr(lang, "show")) } }
        }
        table {
            caption { (tr(lang, "events-newest-first")) }
            thead { tr {
                th scope="col" { (tr(lang, "when")) } th scope="col" { (tr(lang, "who")) } th scope="col" { (tr(lang, "action")) }
                th scope="col" { (tr(lang, "object")) } th scope="col" { (tr(lang, "municipality")) } th scope="col" { (tr(lang, "before")) } th scope="col" { (tr(lang, "after")) }
            } }
            tbody { @for e in &rows { tr {
                td { (crate::ui::when(&e.at)) } td { (e.user_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) } td { (e.action) } td { (e.object) }
                td { (e.unit_code.as_deref().unwrap_or("–")) } td.audit { (e.before.as_deref().unwrap_or("–")) } td.audit { (e.after.as_deref().unwrap_or("–")) }
            } } }
        }
        @if rows.len() as i64 == audit::PAGE { p { a href={ "/admin/audit?page=" (page + 1) "&unit=" (urlencode(q.unit.as_deref().unwrap_or(""))) "&user=" (urlencode(q.user.as_deref().unwrap_or(""))) "&action=" (urlencode(q.action.as_deref().unwrap_or(""))) } { (tr(lang, "older-events")) } } }
    };
    Html(layout(&ctx, tr(lang, "audit-log"), "/admin/audit", body).into_string()).into_response()
}

#[derive(Debug, Deserialize, Default)]
struct CompareQuery {
    year: Option<String>,
    group: Option<String>,
}

/// Three bars (municipality, group, nation) with their values written out beside them.
fn bars(values: &[(&str, Option<f64>, String)], lang: Lang) -> maud::Markup {
    let max = values
        .iter()
        .filter_map(|(_, v, _)| *v)
        .fold(0.0f64, |a, b| a.max(b.abs()))
        .max(1e-9);
    let h = 18.0 * values.len() as f64 + 4.0;
    html! {
        svg.bars width="320" height=(h) viewBox={ "0 0 320 " (h) } role="img" aria-label=(values.iter().map(|(l, _, s)| format!("{l}: {s}")).collect::<Vec<_>>().join("; ")) {
            title { (tr(lang, "comparison")) }
            @for (i, (label, v, text)) in values.iter().enumerate() {
                @let y = 2.0 + 18.0 * i as f64;
                text x="0" y=(y + 12.0) font-size="11" fill="#222" { (label) }
                @if let Some(v) = v {
                    rect x="90" y=(y) width=(format!("{:.1}", v.abs() / max * 150.0)) height="14" fill=(["#1f4e9a", "#6b4fa0", "#555555"][i % 3]) {}
                }
                text x="246" y=(y + 12.0) font-size="11" fill="#222" { (text) }
            }
        }
    }
}

async fn compare(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let lang = ctx.lang;
    let year = match q.year.as_deref().filter(|y| !y.is_empty()) {
        Some(y) => match y.parse::<i32>().ok().filter(|y| (1990..=2100).contains(y)) {
            Some(y) => Some(y),
            None => {
                return fail(
                    &ctx,
                    AppError::BadRequest(tr(lang, "choose-year-from-1990-2100").into()),
                )
            }
        },
        None => None,
    };
    let c = ctx.clone();
    let group = q.group.clone().filter(|g| !g.is_empty());
    let r = state
        .db
        .app(move |conn| {
            Ok(strategies::compare(
                conn,
                &c.actor(),
                &id,
                year,
                group.as_deref(),
            )?)
        })
        .await;
    let (run, groups, y) = match r {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let s = &run.strategy;
    let chosen = q.group.clone().unwrap_or_default();
    let path = format!("/s/{}/compare", s.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (tr(lang, "comparison")) " " (y) }
        form.filters method="get" action=(path) {
            p { label for="c-year" { (tr(lang, "year")) } input id="c-year" name="year" type="number" min="1990" max="2100" value=(y); }
            p {
                label for="c-group" { (tr(lang, "comparison-group")) }
                select id="c-group" name="group" {
                    option value="" { (tr(lang, "municipalities-same-county")) }
                    @for g in &groups { option value=(g.code) selected[chosen == g.code.as_str()] { (g.name) } }
                }
            }
            p { button type="submit" { (tr(lang, "show")) } }
        }
        @if !run.fictitious.is_empty() { p.notice role="note" { (tr(lang, "note-page-partly-shows-fictitious")) } }
        table {
            caption { (run.owner_name) ", " (tr(lang, "comparison-group-nation")) }
            thead { tr {
                th scope="col" { (tr(lang, "target")) } th scope="col" { (tr(lang, "period")) }
                th scope="col" class="num" { (tr(lang, "municipality-kommunen")) } th scope="col" class="num" { (tr(lang, "group")) }
                th scope="col" class="num" { (tr(lang, "nation")) } th scope="col" { (tr(lang, "chart")) }
            } }
            tbody { @for r in &run.followup.results {
                @let tg = s.targets.iter().find(|x| x.id == r.target_id);
                @let unit = run.indicators.get(&r.indicator).map(|i| i.unit.clone()).unwrap_or(etablera_domain::MeasureUnit::Index);
                @let fmt = |v: Option<f64>| v.map(|v| fmt_value(v, &unit, lang)).unwrap_or_else(|| "–".into());
                @let own = r.observed.map(|o| o.value);
                @let grp = r.group.as_ref().map(|g| g.value.mean);
                @let nat = r.nation.map(|n| n.value);
                tr {
                    th scope="row" { (tg.map(|x| x.text.as_str()).unwrap_or("")) }
                    td { (r.observed.map(|o| o.period.label(lang)).unwrap_or_else(|| "–".into())) }
                    td.num { (fmt(own)) }
                    td.num { (fmt(grp)) @if let Some(g) = &r.group { " (" (g.value.with_value) "/" (g.value.members) ")" } }
                    td.num { (fmt(nat)) }
                    td { (bars(&[(tr(lang, "municipality-kommunen"), own, fmt(own)), (tr(lang, "group"), grp, fmt(grp)), (tr(lang, "nation"), nat, fmt(nat))], lang)) }
                }
            } }
        }
        p.note { (tr(lang, "group-s-value-mean-members")) }
    };
    Html(layout(&ctx, tr(lang, "comparison"), &path, body).into_string()).into_response()
}

crate::ui::with_csrf!(ActivityForm);
