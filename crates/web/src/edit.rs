//! Changing a strategy from the browser: a target's wording, value and years (with a
//! revision history), and the yearly analysis comment on a target.

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::Checked;
use crate::ui::{layout, urlencode};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use etablera_domain::access::{allowed, Action};
use etablera_domain::{Lang, Strategy, Target, TargetKind};
use maud::html;
use serde::Deserialize;

pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/s/{id}/t/{target}/edit", get(edit_form).post(save))
        .route("/s/{id}/t/{target}/comment", post(comment))
        .route(
            "/s/{id}/strategy",
            get(strategy_get).merge(crate::upload(post(upload), upload_limit)),
        )
        .route("/s/{id}/strategy.toml", get(download))
        .route("/s/{id}/publicera", post(publish))
        .route("/s/{id}/goals", post(add_subgoal))
        .route("/s/{id}/goals/{goal}", post(edit_goal))
        .route("/s/{id}/goals/{goal}/delete", post(delete_goal))
        .route("/s/{id}/areas/{area}/indicators", post(link_indicator))
}

use etablera_app::strategies::{self, value_of, Changed};

fn value_label(kind: &TargetKind, lang: Lang) -> Option<&'static str> {
    match kind {
        TargetKind::Threshold { .. } => Some(tr(lang, "target-value")),
        TargetKind::Flow { .. } => Some(tr(lang, "per-year")),
        TargetKind::Relative { .. } => Some(tr(lang, "margin-reference-series")),
        TargetKind::Gap { .. } => Some(tr(lang, "largest-allowed-gap-empty-shall")),
        TargetKind::Change { .. } => Some(tr(lang, "change-by")),
        TargetKind::Direction { .. } => None,
    }
}

#[derive(Debug, Deserialize, Default, Clone)]
pub(crate) struct TargetForm {
    pub(crate) csrf: String,
    pub(crate) text: String,
    pub(crate) value: Option<String>,
    pub(crate) target_year: String,
    pub(crate) baseline_year: Option<String>,
    pub(crate) note: Option<String>,
}

fn render_form(
    ctx: &Ctx,
    s: &Strategy,
    tg: &Target,
    form: &TargetForm,
    errors: &[(&'static str, String)],
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let path = format!("/s/{}/t/{}/edit", s.id, tg.id);
    let field = |id: &'static str, label: &str, value: &str, kind: &str| {
        let e = err(id);
        html! {
            p {
                label for=(id) { (label) }
                @if let Some(m) = &e { span.field-error id={ (id) "-error" } { (m) } }
                input id=(id) name=(id) type=(kind) value=(value) aria-invalid=[e.as_ref().map(|_| "true")] aria-describedby=[e.as_ref().map(|_| format!("{id}-error"))];
            }
        }
    };
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) "/t/" (tg.id) } { (tg.text) } }
        h1 { (tr(lang, "edit-target")) }
        @if !errors.is_empty() {
            div.error role="alert" {
                p { (tr(lang, "target-was-not-saved-please")) }
                ul { @for (f, m) in errors { li { a href={ "#" (f) } { (m) } } } }
            }
        }
        form method="post" action=(path) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p {
                label for="text" { (tr(lang, "wording-target")) }
                @if let Some(m) = err("text") { span.field-error id="text-error" { (m) } }
                textarea id="text" name="text" rows="3" cols="60" required aria-invalid=[err("text").map(|_| "true")] { (form.text) }
            }
            @if let Some(label) = value_label(&tg.kind, lang) {
                (field("value", label, form.value.as_deref().unwrap_or(""), "text"))
            }
            (field("target_year", tr(lang, "target-year"), &form.target_year, "number"))
            (field("baseline_year", tr(lang, "baseline-year-empty-if-none"), form.baseline_year.as_deref().unwrap_or(""), "number"))
            p {
                label for="note" { (tr(lang, "note")) }
                textarea id="note" name="note" rows="2" cols="60" { (form.note.as_deref().unwrap_or("")) }
            }
            p { button type="submit" { (tr(lang, "save")) } }
        }
    };
    (
        status,
        Html(layout(ctx, tr(lang, "edit-target"), &path, body).into_string()),
    )
        .into_response()
}

async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, tid)): Path<(String, String)>,
) -> Response {
    let c = ctx.clone();
    let loaded = state
        .db
        .app(move |conn| Ok(strategies::open(conn, &c.actor(), &id, Action::Write)?))
        .await;
    let s = match loaded {
        Ok(s) => s,
        Err(e) => return crate::ui::fail(&ctx, e),
    };
    let Some(tg) = s.targets.iter().find(|t| t.id == tid) else {
        return crate::ui::fail(&ctx, AppError::NotFound);
    };
    let form = TargetForm {
        csrf: String::new(),
        text: tg.text.clone(),
        value: value_of(&tg.kind).map(|v| {
            etablera_domain::format::number(v, if v.fract() == 0.0 { 0 } else { 1 }, Lang::Sv)
                .replace('\u{a0}', "")
        }),
        target_year: tg.target_year.to_string(),
        baseline_year: tg.baseline_year.map(|b| b.to_string()),
        note: tg.note.clone(),
    };
    render_form(&ctx, &s, tg, &form, &[], StatusCode::OK)
}

/// Applies the form to a copy of the target; the errors name the fields.
pub(crate) fn apply(
    tg: &Target,
    f: &TargetForm,
    lang: Lang,
) -> Result<Target, Vec<(&'static str, String)>> {
    let mut errs = Vec::new();
    let mut new = tg.clone();
    let text = f.text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        errs.push(("text", tr(lang, "write-target-s-wording-most").to_string()));
    }
    new.text = text.to_string();
    let year = |s: &str| {
        s.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
    };
    match year(&f.target_year) {
        Some(y) => new.target_year = y,
        None => errs.push((
            "target_year",
            tr(lang, "target-year-must-year-from").to_string(),
        )),
    }
    match f
        .baseline_year
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => new.baseline_year = None,
        Some(b) => match year(b) {
            Some(y) => new.baseline_year = Some(y),
            None => errs.push((
                "baseline_year",
                tr(lang, "baseline-year-must-year-from").to_string(),
            )),
        },
    }
    let raw = f.value.as_deref().map(str::trim).unwrap_or("");
    let number = etablera_ingest::parse_number(raw);
    let bad_number = || {
        (
            "value",
            format!("{} `{raw}`", tr(lang, "write-number-example-47-5")),
        )
    };
    match &mut new.kind {
        TargetKind::Threshold { value, .. } => match number {
            Some(v) => *value = v,
            None => errs.push(bad_number()),
        },
        TargetKind::Flow { per_year, .. } => match number {
            Some(v) if v >= 0.0 => *per_year = v,
            _ => errs.push(bad_number()),
        },
        TargetKind::Relative { margin, .. } => match (raw.is_empty(), number) {
            (true, _) => *margin = 0.0,
            (false, Some(v)) => *margin = v,
            (false, None) => errs.push(bad_number()),
        },
        TargetKind::Gap { at_most, .. } => match (raw.is_empty(), number) {
            (true, _) => *at_most = None,
            (false, Some(v)) if v >= 0.0 => *at_most = Some(v),
            _ => errs.push(bad_number()),
        },
        TargetKind::Change { by, .. } => match number {
            Some(v) if v > 0.0 => *by = v,
            _ => errs.push(bad_number()),
        },
        TargetKind::Direction { .. } => {}
    }
    let note = f.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 2000) {
        errs.push(("note", tr(lang, "note-may-have-most-2").to_string()));
    }
    new.note = note.map(str::to_string);
    if errs.is_empty() {
        Ok(new)
    } else {
        Err(errs)
    }
}

async fn save(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, tid)): Path<(String, String)>,
    Checked(f): Checked<TargetForm>,
) -> Response {
    let c = ctx.clone();
    let form = f.clone();
    let back = format!("/s/{}/t/{}", urlencode(&id), urlencode(&tid));
    let result = state
        .db
        .app(move |conn| {
            let actor = c.actor();
            let strategy = strategies::open(conn, &actor, &id, Action::Write)?;
            let old = strategy
                .targets
                .iter()
                .find(|t| t.id == tid)
                .cloned()
                .ok_or(AppError::NotFound)?;
            let refused = |errs| Ok(Err((strategy.clone(), old.clone(), errs)));
            let new = match apply(&old, &form, c.lang) {
                Ok(n) => n,
                Err(errs) => return refused(errs),
            };
            match strategies::save_target(conn, &actor, &id, new) {
                Ok(_) => Ok(Ok(())),
                Err(etablera_app::Error::Fields(errs)) => {
                    refused(errs.into_iter().map(|(f, m)| (field_name(&f), m)).collect())
                }
                Err(e) => Err(e.into()),
            }
        })
        .await;
    match result {
        Ok(Ok(())) => {
            state.runs.clear();
            Redirect::to(&back).into_response()
        }
        Ok(Err((strategy, old, errs))) => render_form(
            &ctx,
            &strategy,
            &old,
            &f,
            &errs,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => crate::ui::fail(&ctx, e),
    }
}

/// The form's name of a field the use case named.
fn field_name(f: &str) -> &'static str {
    match f {
        "baseline_year" => "baseline_year",
        "target_year" => "target_year",
        "value" => "value",
        _ => "text",
    }
}

#[derive(Debug, Deserialize)]
struct CommentForm {
    csrf: String,
    year: String,
    body: String,
}

async fn comment(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, tid)): Path<(String, String)>,
    Checked(f): Checked<CommentForm>,
) -> Response {
    let year = f.year.trim().parse::<i32>().unwrap_or(0);
    let c = ctx.clone();
    let (id2, tid2) = (id.clone(), tid.clone());
    let r = state
        .db
        .app(move |conn| {
            strategies::save_comment(conn, &c.actor(), &id2, &tid2, year, &f.body)?;
            Ok(())
        })
        .await;
    match r {
        Ok(()) => Redirect::to(&format!(
            "/s/{}/t/{}?year={year}#analys",
            urlencode(&id),
            urlencode(&tid)
        ))
        .into_response(),
        Err(e) => crate::ui::fail(&ctx, e),
    }
}

async fn download(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| Ok(strategies::export_file(conn, &c.actor(), &id)?))
        .await;
    match r {
        Ok((id, text)) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/toml; charset=utf-8".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{id}.toml\""),
                ),
            ],
            text,
        )
            .into_response(),
        Err(e) => crate::ui::fail(&ctx, e),
    }
}

/// Replaces the strategy with an uploaded strategy file of the same id and owner, after
/// validation; the changes to targets go to their revision history.
async fn upload(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = ctx.lang;
    let Ok(mut mp) = mp else {
        return crate::ui::fail(
            &ctx,
            AppError::UnsupportedType(tr(lang, "send-file-form-multipart-form").into()),
        );
    };
    let (mut csrf, mut file) = (String::new(), None);
    loop {
        match mp.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                match f.bytes().await {
                    Ok(b) if name == "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
                    Ok(b) if name == "file" => file = Some(b.to_vec()),
                    Ok(_) => {}
                    Err(_) => {
                        return crate::ui::fail(
                            &ctx,
                            AppError::TooLarge(tr(lang, "file-too-large").into()),
                        )
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                return crate::ui::fail(&ctx, AppError::TooLarge(tr(lang, "file-too-large").into()))
            }
        }
    }
    if let Err(e) = ctx.check_csrf(&csrf) {
        return crate::ui::fail(&ctx, e);
    }
    let Some(text) = file.and_then(|b| String::from_utf8(b).ok()) else {
        return crate::ui::fail(
            &ctx,
            AppError::BadRequest(tr(lang, "choose-strategy-file-toml-utf").into()),
        );
    };
    let c = ctx.clone();
    let id2 = id.clone();
    let r = state
        .db
        .app(
            move |conn| match strategies::replace_from_file(conn, &c.actor(), &id2, &text) {
                Ok(n) => Ok(Ok(n)),
                Err(etablera_app::Error::Lines(errs)) => Ok(Err(errs)),
                Err(e) => Err(e.into()),
            },
        )
        .await;
    match r {
        Ok(Ok(_)) => {
            state.runs.clear();
            Redirect::to(&format!("/s/{}/strategy", urlencode(&id))).into_response()
        }
        Ok(Err(errs)) => {
            strategy_page(&state, &ctx, id, &errs, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => crate::ui::fail(&ctx, e),
    }
}

/// The strategy's structure, with download and upload of the strategy file.
async fn strategy_get(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    strategy_page(&state, &ctx, id, &[], StatusCode::OK).await
}

async fn strategy_page(
    state: &AppState,
    ctx: &Ctx,
    id: String,
    errors: &[String],
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| {
            let s = strategies::open(conn, &c.actor(), &id, Action::Read)?;
            let published = strategies::list(conn, &c.actor())?
                .into_iter()
                .any(|x| x.id == s.id && x.published);
            Ok((s, published))
        })
        .await;
    let (s, published) = match r {
        Ok(s) => s,
        Err(e) => return crate::ui::fail(ctx, e),
    };
    let can_write = allowed(ctx.principal.as_ref(), Action::Write, &s.owner, false);
    let can_publish = allowed(ctx.principal.as_ref(), Action::Administer, &s.owner, false);
    let path = format!("/s/{}/strategy", s.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (tr(lang, "strategy")) ": " (s.title) }
        @if !errors.is_empty() {
            div.error role="alert" id="strategy-errors" {
                p { strong { (tr(lang, "file-was-not-saved-please")) } }
                ul { @for e in errors { li { (e) } } }
            }
        }
        p { a href={ "/s/" (s.id) "/strategy.toml" } download { (tr(lang, "download-strategy-file-toml")) } }
        section aria-labelledby="publicering" {
            h2 id="publicering" { (tr(lang, "publication")) }
            p role="status" { @if published { (tr(lang, "strategy-is-published")) } @else { (tr(lang, "strategy-is-not-published")) } }
            @if can_publish {
                form method="post" action={ "/s/" (s.id) "/publicera" } {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    input type="hidden" name="published" value=(if published { "0" } else { "1" });
                    button type="submit" { @if published { (tr(lang, "unpublish-strategy")) } @else { (tr(lang, "publish-strategy")) } }
                }
            }
        }
        @if can_write {
            form method="post" action=(path) enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                p {
                    label for="strategy-file" { (tr(lang, "upload-changed-strategy-file")) }
                    input id="strategy-file" name="file" type="file" accept=".toml" required aria-describedby=[(!errors.is_empty()).then_some("strategy-errors")];
                }
                p { button type="submit" { (tr(lang, "check-save")) } }
            }
        }
        @for g in s.root_goals() {
            h2 { (g.title) }
            @let subs: Vec<_> = s.children(&g.id).collect();
            @if !subs.is_empty() { ul { @for sg in &subs { li {
                (sg.title)
                @if can_write {
                    details {
                        summary { (tr(lang, "edit-sub-goal")) }
                        form method="post" action={ "/s/" (s.id) "/goals/" (sg.id) } {
                            input type="hidden" name="csrf" value=(ctx.csrf());
                            p { label for={ "g-" (sg.id) } { (tr(lang, "title")) } textarea id={ "g-" (sg.id) } name="title" rows="2" cols="60" required { (sg.title) } }
                            p { button type="submit" { (tr(lang, "save")) } }
                        }
                        form method="post" action={ "/s/" (s.id) "/goals/" (sg.id) "/delete" } {
                            input type="hidden" name="csrf" value=(ctx.csrf());
                            p { button type="submit" { (tr(lang, "remove-sub-goal")) } }
                        }
                    }
                }
            } } } }
            @if can_write {
                details {
                    summary { (tr(lang, "edit-goal-add-sub-goal")) }
                    form method="post" action={ "/s/" (s.id) "/goals/" (g.id) } {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        p { label for={ "g-" (g.id) } { (tr(lang, "title")) } textarea id={ "g-" (g.id) } name="title" rows="2" cols="60" required { (g.title) } }
                        p { label for={ "gd-" (g.id) } { (tr(lang, "description")) } textarea id={ "gd-" (g.id) } name="description" rows="3" cols="60" { (g.description.as_deref().unwrap_or("")) } }
                        p { button type="submit" { (tr(lang, "save-goal")) } }
                    }
                    form method="post" action={ "/s/" (s.id) "/goals" } {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        input type="hidden" name="parent" value=(g.id);
                        p { label for={ "ng-" (g.id) } { (tr(lang, "new-sub-goal")) } textarea id={ "ng-" (g.id) } name="title" rows="2" cols="60" required {} }
                        p { button type="submit" { (tr(lang, "add-sub-goal")) } }
                    }
                }
            }
            @let targets: Vec<_> = s.targets.iter().filter(|tg| s.root_of(&tg.goal) == g.id).collect();
            @if !targets.is_empty() {
                ul { @for tg in targets { li { a href={ "/s/" (s.id) "/t/" (tg.id) } { (tg.text) } " (" (tg.series.indicator) ", " (tg.kind.name()) ", " (tg.target_year) ")" } } }
            }
        }
        h2 { (tr(lang, "indicators-area")) }
        @for a in &s.areas {
            h3 { (a.name) }
            ul { @for i in &a.indicators { li {
                (i)
                @if can_write {
                    form.inline method="post" action={ "/s/" (s.id) "/areas/" (a.id) "/indicators" } {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        input type="hidden" name="indicator" value=(i);
                        input type="hidden" name="op" value="remove";
                        button type="submit" aria-label={ (tr(lang, "remove")) (i) } { (tr(lang, "remove-ta-bort")) }
                    }
                }
            } } }
            @if can_write {
                form method="post" action={ "/s/" (s.id) "/areas/" (a.id) "/indicators" } {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    input type="hidden" name="op" value="add";
                    p {
                        label for={ "li-" (a.id) } { (tr(lang, "link-indicator-id-see-indicators")) }
                        input id={ "li-" (a.id) } name="indicator" type="text" required;
                        " " button type="submit" { (tr(lang, "link")) }
                    }
                }
            }
        }
    };
    (
        status,
        Html(layout(ctx, &s.title, &path, body).into_string()),
    )
        .into_response()
}

/// Applies a change to a strategy the principal may write, validates the result and stores
/// it with an audit entry; `describe` names the change in the audit log.
async fn change_strategy(
    state: &AppState,
    ctx: &Ctx,
    id: String,
    action: &'static str,
    change: impl FnOnce(&mut Strategy) -> Result<Changed, String> + Send + 'static,
) -> Result<(), AppError> {
    let a = ctx.actor();
    state
        .db
        .app(move |conn| Ok(strategies::change(conn, &a, &id, action, change)?))
        .await?;
    state.runs.clear();
    Ok(())
}

fn back_to_strategy(id: &str) -> Response {
    Redirect::to(&format!("/s/{}/strategy", urlencode(id))).into_response()
}

async fn strategy_error(state: &AppState, ctx: &Ctx, id: String, e: AppError) -> Response {
    match e {
        AppError::BadRequest(m) => {
            strategy_page(state, ctx, id, &[m], StatusCode::UNPROCESSABLE_ENTITY).await
        }
        other => crate::ui::fail(ctx, other),
    }
}

#[derive(Debug, Deserialize)]
struct PublishForm {
    csrf: String,
    /// "1" to publish, "0" to close the public pages.
    published: String,
}

/// Opens or closes the strategy's overview and target pages to the public: its
/// municipality's administrators and system administrators (audited).
async fn publish(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Checked(f): Checked<PublishForm>,
) -> Response {
    let published = match f.published.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return crate::ui::fail(
                &ctx,
                AppError::BadRequest(tr(ctx.lang, "publication").into()),
            )
        }
    };
    let a = ctx.actor();
    let sid = id.clone();
    match state
        .db
        .app(move |c| {
            Ok(etablera_app::accounts::set_published(
                c, &a, &sid, published,
            )?)
        })
        .await
    {
        Ok(()) => {
            // The public's cached pages must not outlive the publication.
            state.runs.clear();
            Redirect::to(&format!("/s/{id}/strategy")).into_response()
        }
        Err(e) => crate::ui::fail(&ctx, e),
    }
}

#[derive(Debug, Deserialize)]
struct GoalForm {
    csrf: String,
    title: String,
    description: Option<String>,
}

/// Changes a goal's title and description.
async fn edit_goal(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, gid)): Path<(String, String)>,
    Checked(f): Checked<GoalForm>,
) -> Response {
    let lang = ctx.lang;
    let r = change_strategy(&state, &ctx, id.clone(), "goal.update", move |s| {
        let g = s
            .goals
            .iter_mut()
            .find(|g| g.id == gid)
            .ok_or_else(|| format!("no goal `{gid}`"))?;
        let title = f.title.trim();
        if title.is_empty() || title.chars().count() > 1000 {
            return Err(tr(lang, "goal-needs-title-most-1").into());
        }
        let before = g.title.clone();
        g.title = title.to_string();
        g.description = f
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        Ok(Changed {
            object: format!("goal:{gid}"),
            before: Some(before),
            after: Some(g.title.clone()),
        })
    })
    .await;
    match r {
        Ok(()) => back_to_strategy(&id),
        Err(e) => strategy_error(&state, &ctx, id, e).await,
    }
}

#[derive(Debug, Deserialize)]
struct SubGoalForm {
    csrf: String,
    parent: String,
    title: String,
}

/// Adds a sub-goal under a goal.
async fn add_subgoal(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Checked(f): Checked<SubGoalForm>,
) -> Response {
    let lang = ctx.lang;
    let r = change_strategy(&state, &ctx, id.clone(), "goal.create", move |s| {
        let title = f.title.trim();
        if title.is_empty() || title.chars().count() > 1000 {
            return Err(tr(lang, "sub-goal-needs-title-most").into());
        }
        if s.goal(&f.parent).is_none() {
            return Err(format!("no goal `{}`", f.parent));
        }
        let mut n = s
            .goals
            .iter()
            .filter(|g| g.parent.as_deref() == Some(f.parent.as_str()))
            .count()
            + 1;
        let mut gid = format!("{}-d{n}", f.parent);
        while s.goal(&gid).is_some() {
            n += 1;
            gid = format!("{}-d{n}", f.parent);
        }
        s.goals.push(etablera_domain::Goal {
            id: gid.clone(),
            title: title.to_string(),
            kind: etablera_domain::strategy::GoalKind::SubGoal,
            parent: Some(f.parent.clone()),
            area: None,
            description: None,
            strategies: vec![],
        });
        Ok(Changed {
            object: format!("goal:{gid}"),
            before: None,
            after: Some(title.to_string()),
        })
    })
    .await;
    match r {
        Ok(()) => back_to_strategy(&id),
        Err(e) => strategy_error(&state, &ctx, id, e).await,
    }
}

/// Removes a goal that nothing refers to (no sub-goals, targets or activities).
async fn delete_goal(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, gid)): Path<(String, String)>,
    Checked(_): Checked<crate::ui::CsrfOnly>,
) -> Response {
    let lang = ctx.lang;
    let r = change_strategy(&state, &ctx, id.clone(), "goal.delete", move |s| {
        let g = s
            .goal(&gid)
            .cloned()
            .ok_or_else(|| format!("no goal `{gid}`"))?;
        let used = s
            .goals
            .iter()
            .any(|x| x.parent.as_deref() == Some(gid.as_str()))
            || s.targets.iter().any(|t| t.goal == gid)
            || s.activities
                .iter()
                .any(|a| a.goal.as_deref() == Some(gid.as_str()));
        if used {
            return Err(format!(
                "{} «{}»",
                tr(lang, "goal-has-sub-goals-targets"),
                g.title
            ));
        }
        s.goals.retain(|x| x.id != gid);
        Ok(Changed {
            object: format!("goal:{gid}"),
            before: Some(g.title),
            after: None,
        })
    })
    .await;
    match r {
        Ok(()) => back_to_strategy(&id),
        Err(e) => strategy_error(&state, &ctx, id, e).await,
    }
}

#[derive(Debug, Deserialize)]
struct LinkForm {
    csrf: String,
    indicator: String,
    /// `add` or `remove`.
    op: String,
}

/// Links an indicator to an area of the strategy, or unlinks it.
async fn link_indicator(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, aid)): Path<(String, String)>,
    Checked(f): Checked<LinkForm>,
) -> Response {
    let lang = ctx.lang;
    let r = change_strategy(&state, &ctx, id.clone(), "area.indicators", move |s| {
        let ind = etablera_domain::IndicatorId::parse(&f.indicator).map_err(|e| e.to_string())?;
        let a = s
            .areas
            .iter_mut()
            .find(|a| a.id == aid)
            .ok_or_else(|| format!("no area `{aid}`"))?;
        let before = a
            .indicators
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match f.op.as_str() {
            "add" if !a.indicators.contains(&ind) => a.indicators.push(ind),
            "add" => return Err(format!("{} `{ind}`", tr(lang, "indicator-already-area"))),
            "remove" => a.indicators.retain(|i| *i != ind),
            other => return Err(format!("unknown operation `{other}`")),
        }
        let after = a
            .indicators
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Changed {
            object: format!("area:{aid}"),
            before: Some(before),
            after: Some(after),
        })
    })
    .await;
    match r {
        Ok(()) => back_to_strategy(&id),
        Err(e) => strategy_error(&state, &ctx, id, e).await,
    }
}

crate::ui::with_csrf!(
    CommentForm,
    GoalForm,
    LinkForm,
    PublishForm,
    SubGoalForm,
    TargetForm
);
