//! Data pages: upload of Kolada JSON, CSV and xlsx with a preview and a report of every
//! bad row before anything is stored, and manual entry of values with the same checks.
//!
//! An upload is read once, for the preview; its figures are kept parsed in the database
//! for 30 minutes under a random token (`etablera_app::uploads`), and confirming imports
//! exactly those, as one dated batch, through whichever server process gets the request.

use crate::auth::Ctx;
use crate::error::AppError;
use crate::ui::{fail, layout, urlencode};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use etablera_domain::access::{allowed, Action, Principal};
use etablera_domain::format::value as fmt_value;
use etablera_domain::{Lang, ObsStatus, Strategy};
use etablera_store::{AuditEntry, Store};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

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

fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    lang.pick(sv, en)
}

/// The strategy if the principal may change its data.
fn writable(s: &mut dyn Store, p: Option<&Principal>, id: &str) -> Result<Strategy, AppError> {
    let summary = s
        .strategies()?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(AppError::NotFound)?;
    // Anonymous: an unpublished strategy looks missing.
    let p = p.ok_or(if summary.published {
        AppError::Unauthorized
    } else {
        AppError::NotFound
    })?;
    if !allowed(Some(p), Action::Write, &summary.owner, summary.published) {
        return Err(
            if allowed(
                Some(p),
                Action::ReadPublic,
                &summary.owner,
                summary.published,
            ) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            },
        );
    }
    s.strategy(id)?.ok_or(AppError::NotFound)
}

/// The batches a municipality's data page lists: its own, and those a system
/// administrator imported for no one municipality (Kolada's, the nation's) — never
/// another municipality's.
fn own_batches(
    s: &mut dyn Store,
    owner: &etablera_domain::UnitCode,
) -> Result<Vec<etablera_store::Batch>, AppError> {
    Ok(s.batches()?
        .into_iter()
        .filter(|b| b.owner.as_deref().is_none_or(|o| o == owner.as_str()))
        .collect())
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
    batches: &[etablera_store::Batch],
) -> Response {
    let lang = ctx.lang;
    let path = format!("/s/{}/data", s.id);
    let body = html! {
        nav aria-label=(t(lang, "Brödsmulor", "Breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (t(lang, "Data", "Data")) " – " (s.title) }
        @if let Some(m) = message { p.success role="status" { (m) } }
        @if !errors.is_empty() {
            div.error role="alert" id="upload-errors" {
                p { strong { (t(lang, "Inget har sparats. Rätta följande och ladda upp filen igen:", "Nothing has been stored. Correct the following and upload the file again:")) } }
                ul { @for e in errors { li { (e) } } }
            }
        }
        h2 { (t(lang, "Ladda upp en fil", "Upload a file")) }
        p { (t(lang,
            "Kolada-JSON (API v2 eller v3), lång CSV (indikator, enhet, period, kön, värde) eller xlsx i brett format (en rad per enhet och indikator, en kolumn per år). Du får se en förhandsvisning innan något sparas.",
            "Kolada JSON (API v2 or v3), long CSV (indicator, unit, period, sex, value) or wide xlsx (a row per unit and indicator, a column per year). You see a preview before anything is stored.")) }
        form method="post" action={ (path) "/preview" } enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p {
                label for="file" { (t(lang, "Fil", "File")) }
                input id="file" name="file" type="file" accept=".json,.csv,.txt,.xlsx" required aria-describedby=[(!errors.is_empty()).then_some("upload-errors")];
            }
            p { button type="submit" { (t(lang, "Förhandsgranska", "Preview")) } }
        }
        h2 { (t(lang, "Mata in ett värde", "Enter a value")) }
        form method="post" action={ (path) "/manual" } {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p {
                label for="m-indicator" { (t(lang, "Indikator", "Indicator")) }
                select id="m-indicator" name="indicator" required {
                    @for i in s.indicators() { option value=(i) { (i) } }
                }
            }
            p {
                label for="m-period" { (t(lang, "Period (2024, 2024Q1, 2024H1, 2024M03)", "Period (2024, 2024Q1, 2024H1, 2024M03)")) }
                input id="m-period" name="period" type="text" required;
            }
            p {
                label for="m-sex" { (t(lang, "Kön", "Sex")) }
                select id="m-sex" name="sex" { option value="T" { (t(lang, "Totalt", "Total")) } option value="K" { (t(lang, "Kvinnor", "Women")) } option value="M" { (t(lang, "Män", "Men")) } }
            }
            p {
                label for="m-value" { (t(lang, "Värde (tomt om det saknas)", "Value (empty if missing)")) }
                input id="m-value" name="value" type="text" inputmode="decimal";
            }
            p {
                label for="m-status" { (t(lang, "Status", "Status")) }
                select id="m-status" name="status" {
                    @for st in [ObsStatus::Final, ObsStatus::Preliminary, ObsStatus::Missing, ObsStatus::NotApplicable, ObsStatus::Suppressed] {
                        option value=(st.as_str()) { (st.label(lang)) }
                    }
                }
            }
            p { button type="submit" { (t(lang, "Spara värdet", "Save the value")) } }
        }
        h2 { (t(lang, "Inlästa leveranser", "Imported batches")) }
        @if batches.is_empty() { p { (t(lang, "Inga ännu.", "None yet.")) } } @else {
            table {
                caption.sr-only { (t(lang, "Inlästa leveranser", "Imported batches")) }
                thead { tr { th scope="col" { "#" } th scope="col" { (t(lang, "Källa", "Source")) } th scope="col" { (t(lang, "Fil", "File")) } th scope="col" { (t(lang, "Inläst", "Imported")) } th scope="col" class="num" { (t(lang, "Nya eller ändrade", "New or changed")) } } }
                tbody { @for b in batches.iter().rev().take(20) { tr { td { (b.id) } td { (b.source) } td { (b.file_name.as_deref().unwrap_or("–")) } td { (crate::ui::when(&b.imported_at)) } td.num { (b.changed_count) } } } }
            }
        }
    };
    (
        status,
        Html(layout(ctx, t(lang, "Data", "Data"), &path, body).into_string()),
    )
        .into_response()
}

async fn data_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<DataQuery>,
) -> Response {
    let p = ctx.principal.clone();
    match state
        .db
        .run(move |s| {
            let strategy = writable(s, p.as_ref(), &id)?;
            let batches = own_batches(s, &strategy.owner)?;
            Ok((strategy, batches))
        })
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
    let limit = state.config.max_upload;
    let too_large = || {
        AppError::TooLarge(format!(
            "{} {} MB.",
            t(
                lang,
                "Filen är för stor. Största tillåtna storlek är",
                "The file is too large. The largest allowed size is"
            ),
            limit / (1024 * 1024)
        ))
    };
    let mut mp = match mp {
        Ok(m) => m,
        Err(_) => {
            return fail(
                &ctx,
                AppError::UnsupportedType(
                    t(
                        lang,
                        "Skicka filen med formuläret (multipart/form-data).",
                        "Send the file with the form (multipart/form-data).",
                    )
                    .into(),
                ),
            )
        }
    };
    let (mut csrf, mut file) = (None, None);
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(b) if name == "csrf" => {
                        csrf = Some(String::from_utf8_lossy(&b).into_owned())
                    }
                    Ok(b) if name == "file" => {
                        file = Some((file_name.unwrap_or_else(|| "upload".into()), b.to_vec()))
                    }
                    Ok(_) => {}
                    Err(_) => return fail(&ctx, too_large()),
                }
            }
            Ok(None) => break,
            Err(_) => return fail(&ctx, too_large()),
        }
    }
    if let Err(e) = ctx.check_csrf(csrf.as_deref().unwrap_or("")) {
        return fail(&ctx, e);
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return fail(
            &ctx,
            AppError::BadRequest(
                t(
                    lang,
                    "Välj en fil att ladda upp.",
                    "Choose a file to upload.",
                )
                .into(),
            ),
        );
    };
    // Only the base name of the file is kept, and only printable characters.
    let name: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let p = ctx.principal.clone();
    let user_id = ctx.user.as_ref().map(|u| u.id).unwrap_or(0);
    let (id2, name2) = (id.clone(), name.clone());
    let result = state
        .db
        .run(move |s| {
            let strategy = writable(s, p.as_ref(), &id2)?;
            let batches = own_batches(s, &strategy.owner)?;
            let who = p.as_ref().ok_or(AppError::Unauthorized)?;
            let etablera_app::uploads::Previewed { token, preview } =
                match etablera_app::uploads::preview_upload(
                    s,
                    who,
                    user_id,
                    &id2,
                    &strategy.owner,
                    &name2,
                    &bytes,
                )? {
                    Ok(pv) => pv,
                    Err(errs) => return Ok((strategy, batches, Err(errs))),
                };
            let units = etablera_app::units_of(s)?;
            // The indicators the file names, each read by id (not the whole catalogue).
            let mut indicators = HashMap::new();
            for o in &preview.observations {
                if !indicators.contains_key(&o.indicator) {
                    if let Some(i) = s.indicator(&o.indicator)? {
                        indicators.insert(o.indicator.clone(), i);
                    }
                }
            }
            Ok((strategy, batches, Ok((token, preview, units, indicators))))
        })
        .await;
    let (strategy, batches, outcome) = match result {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let (token, preview, units, indicators) = match outcome {
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
        nav aria-label=(t(lang, "Brödsmulor", "Breadcrumbs")) { a href=(path) { (t(lang, "Data", "Data")) } }
        h1 { (t(lang, "Förhandsvisning", "Preview")) ": " (name) }
        p role="status" { (obs.len()) " " (t(lang, "värden", "values")) ", " (n_ind) " " (t(lang, "indikatorer", "indicators")) ", " (n_units) " " (t(lang, "enheter", "units")) ". " (t(lang, "Inget är sparat ännu.", "Nothing is stored yet.")) }
        @if !preview.warnings.is_empty() {
            div.notice role="status" {
                h2 { (t(lang, "Att observera", "Please note")) }
                ul { @for w in &preview.warnings { li { (w.text(lang)) } } }
            }
        }
        table {
            caption { (t(lang, "De första 20 värdena", "The first 20 values")) }
            thead { tr {
                th scope="col" { (t(lang, "Indikator", "Indicator")) } th scope="col" { (t(lang, "Enhet", "Unit")) } th scope="col" { (t(lang, "Period", "Period")) }
                th scope="col" { (t(lang, "Kön", "Sex")) } th scope="col" class="num" { (t(lang, "Värde", "Value")) } th scope="col" { (t(lang, "Status", "Status")) }
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
            p { button type="submit" { (t(lang, "Spara i databasen", "Store in the database")) } " " a href=(path) { (t(lang, "Avbryt", "Cancel")) } }
        }
    };
    Html(layout(&ctx, t(lang, "Förhandsvisning", "Preview"), &path, body).into_string())
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
    Form(f): Form<ConfirmForm>,
) -> Response {
    if let Err(e) = ctx.check_csrf(&f.csrf) {
        return fail(&ctx, e);
    }
    let lang = ctx.lang;
    let p = ctx.principal.clone();
    let id0 = id.clone();
    if let Err(e) = state
        .db
        .run(move |s| writable(s, p.as_ref(), &id0).map(|_| ()))
        .await
    {
        return fail(&ctx, e);
    }
    let user_id = ctx.user.as_ref().map(|u| u.id).unwrap_or(0);
    let p = ctx.principal.clone();
    let id2 = id.clone();
    let runs = state.runs.clone();
    let r = state
        .db
        .run(move |s| {
            writable(s, p.as_ref(), &id2)?;
            let who = p.as_ref().ok_or(AppError::Unauthorized)?;
            use etablera_app::uploads::{confirm_upload, ConfirmError};
            let report = match confirm_upload(s, who, user_id, &id2, &f.token) {
                Ok(r) => r,
                Err(ConfirmError::Expired) => {
                    return Err(AppError::BadRequest(
                        t(
                            lang,
                            "Förhandsvisningen har gått ut eller är redan sparad. Ladda upp filen igen.",
                            "The preview has expired or was already stored. Upload the file again.",
                        )
                        .into(),
                    ))
                }
                Err(ConfirmError::Refused(why)) => return Err(AppError::BadRequest(why)),
                Err(ConfirmError::Failed(e)) => return Err(e.into()),
            };
            runs.refresh_all(s)?;
            Ok(report.to_string())
        })
        .await;
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
    Form(f): Form<ManualForm>,
) -> Response {
    if let Err(e) = ctx.check_csrf(&f.csrf) {
        return fail(&ctx, e);
    }
    let lang = ctx.lang;
    let p = ctx.principal.clone();
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let id2 = id.clone();
    let runs = state.runs.clone();
    let r = state
        .db
        .run(move |s| {
            let strategy = writable(s, p.as_ref(), &id2)?;
            // The value goes through the same reader as an uploaded CSV, so it is checked
            // the same way; the form's fields are quoted so no field can add a column.
            let q = |x: &str| format!("\"{}\"", x.replace('"', "\"\""));
            let csv = format!(
                "indicator,unit,period,sex,value,status\n{},{},{},{},{},{}\n",
                q(f.indicator.trim()),
                q(strategy.owner.as_str()),
                q(f.period.trim()),
                q(f.sex.trim()),
                q(f.value.trim()),
                q(f.status.trim())
            );
            if !strategy
                .indicators()
                .iter()
                .any(|i| i.as_str() == f.indicator.trim())
            {
                return Ok(Err(vec![format!(
                    "{} `{}`",
                    t(
                        lang,
                        "Indikatorn hör inte till strategin:",
                        "The indicator is not one of the strategy's:"
                    ),
                    f.indicator
                )]));
            }
            let name = t(lang, "manuell inmatning", "manual entry");
            let who = p.as_ref().ok_or(AppError::Unauthorized)?;
            let preview = match etablera_app::preview_bytes(s, who, "manual.csv", csv.as_bytes()) {
                Ok(pv) => pv,
                Err(errs) => {
                    return Ok(Err(errs
                        .into_iter()
                        .map(|e| e.replace("manual.csv, row 2, ", ""))
                        .collect()))
                }
            };
            // Each entry is its own batch; the same value entered again changes nothing.
            let now = etablera_app::now_utc();
            let batch = etablera_store::NewBatch {
                source: "manual".into(),
                file_name: Some(name.into()),
                content_sha256: etablera_ingest::sha256_hex(&[csv.as_bytes(), now.as_bytes()]),
                imported_at: now,
                owner: Some(strategy.owner.clone()),
            };
            let outcome = s.import_observations(&batch, &preview.observations, &mut |_| {})?;
            runs.refresh_all(s)?;
            let report = etablera_app::ImportReport::Observations(outcome, Vec::new());
            let audit = AuditEntry::new(
                &etablera_app::now_utc(),
                user_id,
                "data.manual",
                &format!(
                    "{}:{}:{}",
                    f.indicator.trim(),
                    f.period.trim(),
                    f.sex.trim()
                ),
                Some(&strategy.owner),
            )
            .change(
                None,
                Some(format!("{} {}", f.value.trim(), f.status.trim())),
            );
            s.append_audit(&audit)?;
            Ok(Ok(report.to_string()))
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
            let p = ctx.principal.clone();
            match state
                .db
                .run(move |s| {
                    let strategy = writable(s, p.as_ref(), &id)?;
                    let batches = own_batches(s, &strategy.owner)?;
                    Ok((strategy, batches))
                })
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
