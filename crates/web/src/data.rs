//! Data pages: upload of Kolada JSON, CSV and xlsx with a preview and a report of every
//! bad row before anything is stored, and manual entry of values with the same checks.
//!
//! An upload is read once, for the preview; its figures are kept parsed in the database
//! for 30 minutes under a random token (`etablera_app::uploads`), and confirming imports
//! exactly those, as one dated batch, through whichever server process gets the request.

use crate::auth::Ctx;
use crate::i18n::tr;
use crate::ui::Checked;
use crate::ui::{fail, layout, urlencode};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use etablera_app::uploads::{self, Batch};
use etablera_domain::format::value as fmt_value;
use etablera_domain::{Lang, ObsStatus, Strategy};
use maud::html;
use serde::Deserialize;

pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/s/{id}/data", get(data_page))
        .route(
            "/s/{id}/data/preview",
            crate::upload(post(preview), upload_limit),
        )
        .route("/s/{id}/data/import", post(confirm))
        .route("/s/{id}/data/manual", post(manual))
}

#[derive(Debug, Deserialize, Default)]
struct DataQuery {
    done: Option<String>,
}

fn page(
    ctx: &Ctx,
    s: &Strategy,
    message: Option<&str>,
    errors: &[String],
    status: StatusCode,
    batches: &[Batch],
) -> Response {
    let lang = ctx.lang;
    let path = format!("/s/{}/data", s.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (tr(lang, "data")) " – " (s.title) }
        @if let Some(m) = message { p.success role="status" { (m) } }
        @if !errors.is_empty() {
            div.error role="alert" id="upload-errors" {
                p { strong { (tr(lang, "nothing-has-been-stored-correct")) } }
                ul { @for e in errors { li { (e) } } }
            }
        }
        h2 { (tr(lang, "upload-file")) }
        p { (tr(lang, "kolada-json-api-v2-v3")) }
        form method="post" action={ (path) "/preview" } enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p {
                label for="file" { (tr(lang, "file")) }
                input id="file" name="file" type="file" accept=".json,.csv,.txt,.xlsx" required aria-describedby=[(!errors.is_empty()).then_some("upload-errors")];
            }
            p { button type="submit" { (tr(lang, "preview")) } }
        }
        h2 { (tr(lang, "enter-value")) }
        form method="post" action={ (path) "/manual" } {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p {
                label for="m-indicator" { (tr(lang, "indicator")) }
                select id="m-indicator" name="indicator" required {
                    @for i in s.indicators() { option value=(i) { (i) } }
                }
            }
            p {
                label for="m-period" { (tr(lang, "period-2024-2024q1-2024h1-2024m03")) }
                input id="m-period" name="period" type="text" required;
            }
            p {
                label for="m-sex" { (tr(lang, "sex")) }
                select id="m-sex" name="sex" { option value="T" { (tr(lang, "total")) } option value="K" { (tr(lang, "women")) } option value="M" { (tr(lang, "men")) } }
            }
            p {
                label for="m-value" { (tr(lang, "value-empty-if-missing")) }
                input id="m-value" name="value" type="text" inputmode="decimal";
            }
            p {
                label for="m-status" { (tr(lang, "status")) }
                select id="m-status" name="status" {
                    @for st in [ObsStatus::Final, ObsStatus::Preliminary, ObsStatus::Missing, ObsStatus::NotApplicable, ObsStatus::Suppressed] {
                        option value=(st.as_str()) { (st.label(lang)) }
                    }
                }
            }
            p { button type="submit" { (tr(lang, "save-value")) } }
        }
        h2 { (tr(lang, "imported-batches")) }
        @if batches.is_empty() { p { (tr(lang, "none-yet")) } } @else {
            table {
                caption.sr-only { (tr(lang, "imported-batches")) }
                thead { tr { th scope="col" { "#" } th scope="col" { (tr(lang, "source")) } th scope="col" { (tr(lang, "file")) } th scope="col" { (tr(lang, "imported")) } th scope="col" class="num" { (tr(lang, "new-changed")) } } }
                tbody { @for b in batches.iter().rev().take(20) { tr { td { (b.id) } td { (b.source) } td { (b.file_name.as_deref().unwrap_or("–")) } td { (crate::ui::when(&b.imported_at)) } td.num { (b.changed_count) } } } }
            }
        }
    };
    (
        status,
        Html(layout(ctx, tr(lang, "data"), &path, body).into_string()),
    )
        .into_response()
}

async fn data_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<DataQuery>,
) -> Response {
    let a = ctx.actor();
    match state
        .db
        .app(move |conn| Ok(uploads::data_page(conn, &a, &id)?))
        .await
    {
        Ok((s, batches)) => page(&ctx, &s, q.done.as_deref(), &[], StatusCode::OK, &batches),
        Err(e) => fail(&ctx, e),
    }
}

async fn preview(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = ctx.lang;
    let crate::ui::UploadForm {
        file_name: name,
        bytes,
        ..
    } = match crate::ui::UploadForm::read(&ctx, mp, state.config.max_upload).await {
        Ok(f) => f,
        Err(e) => return fail(&ctx, e),
    };
    let a = ctx.actor();
    let name2 = name.clone();
    let result = state
        .db
        .app(move |conn| Ok(uploads::preview_upload(conn, &a, &id, &name2, &bytes)?))
        .await;
    let uploads::PreviewPage {
        strategy,
        batches,
        outcome,
    } = match result {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let uploads::Shown {
        previewed: uploads::Previewed { token, preview },
        units,
        indicators,
    } = match outcome {
        Ok(x) => x,
        Err(errs) => {
            return page(
                &ctx,
                &strategy,
                None,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &batches,
            )
        }
    };
    let obs = &preview.observations;
    let n_ind = obs
        .iter()
        .map(|o| &o.indicator)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let n_units = obs
        .iter()
        .map(|o| &o.unit)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let path = format!("/s/{}/data", strategy.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href=(path) { (tr(lang, "data")) } }
        h1 { (tr(lang, "preview-forhandsvisning")) ": " (name) }
        p role="status" { (obs.len()) " " (tr(lang, "values")) ", " (n_ind) " " (tr(lang, "indicators")) ", " (n_units) " " (tr(lang, "units")) ". " (tr(lang, "nothing-stored-yet")) }
        @if !preview.warnings.is_empty() {
            div.notice role="status" {
                h2 { (tr(lang, "please-note")) }
                ul { @for w in &preview.warnings { li { (w.text(lang)) } } }
            }
        }
        table {
            caption { (tr(lang, "first-20-values")) }
            thead { tr {
                th scope="col" { (tr(lang, "indicator")) } th scope="col" { (tr(lang, "unit")) } th scope="col" { (tr(lang, "period")) }
                th scope="col" { (tr(lang, "sex")) } th scope="col" class="num" { (tr(lang, "value")) } th scope="col" { (tr(lang, "status")) }
            } }
            tbody { @for o in obs.iter().take(20) {
                @let unit = indicators.get(&o.indicator).map(|i| i.unit.clone()).unwrap_or(etablera_domain::MeasureUnit::Index);
                tr {
                    td { (o.indicator) } td { (units.get(o.unit.as_str()).map(|u| u.name.clone()).unwrap_or_else(|| o.unit.to_string())) }
                    td { (o.period.label(lang)) } td { (o.sex.label(lang)) }
                    td.num { @match o.value() { Some(v) => (fmt_value(v, &unit, lang)), None => "–" } }
                    td { (o.status().label(lang)) }
                }
            } }
        }
        form method="post" action={ (path) "/import" } {
            input type="hidden" name="csrf" value=(ctx.csrf());
            input type="hidden" name="token" value=(token);
            p { button type="submit" { (tr(lang, "store-database")) } " " a href=(path) { (tr(lang, "cancel")) } }
        }
    };
    Html(layout(&ctx, tr(lang, "preview-forhandsvisning"), &path, body).into_string())
        .into_response()
}

#[derive(Debug, Deserialize)]
struct ConfirmForm {
    csrf: String,
    token: String,
}

async fn confirm(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Checked(f): Checked<ConfirmForm>,
) -> Response {
    let a = ctx.actor();
    let id2 = id.clone();
    let runs = state.runs.clone();
    let r = state
        .db
        .app(move |conn| {
            let report = uploads::confirm_upload(conn, &a, &id2, &f.token)?;
            runs.refresh_all(conn)?;
            Ok(report.to_string())
        })
        .await;
    state.metrics.imported(r.is_ok());
    match r {
        Ok(msg) => Redirect::to(&format!(
            "/s/{}/data?done={}",
            urlencode(&id),
            urlencode(&msg)
        ))
        .into_response(),
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Debug, Deserialize)]
struct ManualForm {
    csrf: String,
    indicator: String,
    period: String,
    sex: String,
    value: String,
    status: String,
}

async fn manual(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Checked(f): Checked<ManualForm>,
) -> Response {
    let a = ctx.actor();
    let id2 = id.clone();
    let runs = state.runs.clone();
    let entry = parse_manual(&f, ctx.lang);
    let r = state
        .db
        .app(move |conn| {
            let entry = match entry {
                Ok(e) => e,
                Err(errs) => return Ok(Err(errs)),
            };
            match uploads::enter_value(conn, &a, &id2, &entry) {
                Ok(report) => {
                    runs.refresh_all(conn)?;
                    Ok(Ok(report.to_string()))
                }
                Err(etablera_app::Error::Fields(errs)) => {
                    Ok(Err(errs.into_iter().map(|(_, m)| m).collect()))
                }
                Err(e) => Err(e.into()),
            }
        })
        .await;
    match r {
        Ok(Ok(msg)) => Redirect::to(&format!(
            "/s/{}/data?done={}",
            urlencode(&id),
            urlencode(&msg)
        ))
        .into_response(),
        Ok(Err(errs)) => {
            let a = ctx.actor();
            match state
                .db
                .app(move |conn| Ok(uploads::data_page(conn, &a, &id)?))
                .await
            {
                Ok((s, batches)) => page(
                    &ctx,
                    &s,
                    None,
                    &errs,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &batches,
                ),
                Err(e) => fail(&ctx, e),
            }
        }
        Err(e) => fail(&ctx, e),
    }
}

/// The manual entry form as typed values; each problem names its field as the form shows it.
fn parse_manual(f: &ManualForm, lang: Lang) -> Result<uploads::ManualEntry, Vec<String>> {
    let mut errs = Vec::new();
    let mut bad = |field: &'static str, m: String| {
        errs.push(format!("{}: {m}", tr(lang, field)));
    };
    let indicator = etablera_domain::IndicatorId::parse(f.indicator.trim())
        .map_err(|e| bad("indicator", e.to_string()))
        .ok();
    let period = etablera_domain::Period::parse(f.period.trim())
        .map_err(|e| bad("period", e.to_string()))
        .ok();
    let sex = match f.sex.trim() {
        "" => Some(etablera_domain::Sex::Total),
        x => etablera_domain::Sex::parse(x)
            .map_err(|e| bad("sex", e.to_string()))
            .ok(),
    };
    let stated = match f.status.trim() {
        "" => None,
        x => ObsStatus::parse(x)
            .ok_or_else(|| bad("status", format!("`{x}`?")))
            .ok(),
    };
    let raw = f.value.trim();
    let (value, status) = etablera_ingest::value_and_status(raw, stated).unwrap_or_else(|| {
        bad("value", format!("`{raw}` {}", tr(lang, "not-number")));
        (None, ObsStatus::Missing)
    });
    match (indicator, period, sex) {
        (Some(indicator), Some(period), Some(sex)) if errs.is_empty() => Ok(uploads::ManualEntry {
            indicator,
            period,
            sex,
            value,
            status,
        }),
        _ => Err(errs),
    }
}

crate::ui::with_csrf!(ConfirmForm, ManualForm);
