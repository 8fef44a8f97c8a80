//! The establishment register in the browser: the caseload, a person's page with the needs
//! assessment, the individual plan, consents, referrals, reviews and outcomes; the newcomer's
//! own plan behind a link or code; the register's statistics; settings; and the read log
//! (loggkontroll). Every response that shows a person's data appends a row to the read log
//! before it is sent.

use crate::auth::Ctx;
use crate::error::{ApiError, AppError};
use crate::i18n::tr;
use crate::ui::{fail, layout, urlencode, Checked};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use etablera_app::cases::PlanLinkRow;
use etablera_app::register::{self as reg, Case, Settings};
use etablera_app::{cases, Conn};
use etablera_domain::access::RegisterAction as A;
use etablera_domain::format::value as fmt_value;
use etablera_domain::{Date, Lang, Sex, UnitCode};
use etablera_register::stats::{RegIndicator, Suppression};
use etablera_register::{
    Category, EventKind, InterventionOutcome, InterventionStatus, NeedLevel, OutcomeAt,
    OutcomeStatus, Person, PlanLang, Problem, ReferralStatus, RegisterError, Text,
    ASSESSMENT_AREAS,
};
use etablera_vault::Keyring;
use maud::{html, Markup, DOCTYPE};
use std::collections::HashMap;
use std::sync::Arc;

type F = HashMap<String, String>;

mod caseload;
mod enrol;
mod export;
pub(crate) mod json_api;
mod newcomer;
mod person;
#[doc(hidden)]
pub use person::{reads_as_change, PARTS as PERSON_FORM_PARTS};
mod read_log;
mod settings;
mod statistics;
use caseload::*;
use enrol::*;
use export::*;
use newcomer::*;
use person::*;
use read_log::*;
use settings::*;
use statistics::*;

pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/register/{unit}", get(caseload))
        .route("/register/{unit}/ny", get(new_form))
        .route("/register/{unit}/persons", post(create))
        .route(
            "/register/{unit}/import",
            crate::upload(post(import), upload_limit),
        )
        .route(
            "/register/{unit}/persons/{id}",
            get(person_page).post(update),
        )
        .route("/register/{unit}/persons/{id}/{part}", post(update_part))
        .route("/register/{unit}/persons/{id}/export", get(export_page))
        .route(
            "/register/{unit}/persons/{id}/export.json",
            get(export_json),
        )
        .route("/register/{unit}/statistik", get(statistics).post(feed))
        .route(
            "/register/{unit}/installningar",
            get(settings_page).post(save_settings),
        )
        .route("/register/{unit}/lasloggen", get(read_log))
        .route("/register/{unit}/kontroll", get(requests_page))
        .route("/register/{unit}/kontroll/{id}", post(resolve_request))
        .route("/min-plan", get(plan_entry).post(plan_code))
        .route("/min-plan/{code}", get(plan_page))
}

fn keys(state: &AppState) -> Result<Arc<Keyring>, AppError> {
    state.config.register_keys.clone().ok_or_else(|| {
        AppError::Unavailable(
            "Etableringsregistret är inte konfigurerat: ange nycklar i ETABLERA_REGISTER_KEYS (etablera register keygen). / The establishment register is not configured.".into(),
        )
    })
}

/// The skeleton of a register handler: the municipality from the path, then `f` with the
/// reader's context, the municipality and the register's keys (an error when they are not
/// configured; pages that open no person ignore it), on a blocking thread with a connection
/// for the use cases.
async fn with_unit<T, F>(state: &AppState, ctx: &Ctx, unit: &str, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn, Ctx, UnitCode, Result<Arc<Keyring>, AppError>) -> Result<T, AppError>
        + Send
        + 'static,
{
    let unit = parse_unit(unit)?;
    let keys = keys(state);
    let c = ctx.clone();
    state.db.app(move |conn| f(conn, c, unit, keys)).await
}

fn parse_unit(unit: &str) -> Result<UnitCode, AppError> {
    UnitCode::parse(unit).map_err(|_| AppError::NotFound)
}

fn d(x: Option<Date>) -> String {
    x.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
}

fn opt_date(f: &F, name: &str) -> Result<Option<Date>, AppError> {
    match f.get(name).map(|s| s.trim()).unwrap_or("") {
        "" => Ok(None),
        s => Date::parse(s)
            .map(Some)
            .map_err(|_| RegisterError::new(name, Problem::NotADate).into()),
    }
}

fn text(f: &F, name: &str, max: usize) -> Result<String, AppError> {
    let v = f.get(name).map(|s| s.trim()).unwrap_or("").to_string();
    if v.chars().count() > max {
        return Err(RegisterError::new(name, Problem::TooLong { max }).into());
    }
    Ok(v)
}

fn register_nav(lang: Lang, unit: &UnitCode) -> Markup {
    html! {
        nav.sub aria-label=(tr(lang, "register")) {
            ul {
                li { a href={ "/register/" (unit) } { (tr(lang, "cases")) } }
                li { a href={ "/register/" (unit) "/ny" } { (tr(lang, "register-person")) } }
                li { a href={ "/register/" (unit) "/statistik" } { (tr(lang, "statistics")) } }
                li { a href={ "/register/" (unit) "/installningar" } { (tr(lang, "settings")) } }
                li { a href={ "/register/" (unit) "/kontroll" } { (tr(lang, "check")) } }
                li { a href={ "/register/" (unit) "/lasloggen" } { (tr(lang, "read-log")) } }
            }
        }
    }
}

fn page(ctx: &Ctx, r: Result<Markup, AppError>) -> Response {
    match r {
        Ok(m) => Html(m.into_string()).into_response(),
        Err(e) => fail(ctx, e),
    }
}
