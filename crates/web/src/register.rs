//! The establishment register in the browser: the caseload, a person's page with the needs
//! assessment, the individual plan, consents, referrals, reviews and outcomes; the newcomer's
//! own plan behind a link or code; the register's statistics; settings; and the read log
//! (loggkontroll). Every response that shows a person's data appends a row to the read log
//! before it is sent.

use crate::auth::{sha256_hex, Ctx};
use crate::error::{ApiError, AppError};
use crate::ui::{fail, layout, urlencode};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use etablera_app::register::{self as reg, Case, Settings};
use etablera_domain::access::{register_allowed, CaseRelation, RegisterAction as A};
use etablera_domain::format::value as fmt_value;
use etablera_domain::{Date, Lang, Sex, UnitCode};
use etablera_register::stats::{RegIndicator, Suppression};
use etablera_register::{
    Assessment, AssessmentItem, Category, Consent, Event, EventKind, Intervention,
    InterventionOutcome, InterventionStatus, NeedLevel, Outcome, OutcomeAt, OutcomeStatus, Person,
    PlanLang, Problem, Referral, ReferralStatus, RegisterError, Review, Text, ASSESSMENT_AREAS,
};
use etablera_store::{AuditEntry, PlanLinkRow, ReadLogFilter, Store};
use etablera_vault::Keyring;
use maud::{html, Markup, DOCTYPE};
use std::collections::HashMap;
use std::sync::Arc;

type F = HashMap<String, String>;

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

fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    lang.pick(sv, en)
}

fn keys(state: &AppState) -> Result<Arc<Keyring>, AppError> {
    state.config.register_keys.clone().ok_or_else(|| {
        AppError::Unavailable(
            "Etableringsregistret är inte konfigurerat: ange nycklar i ETABLERA_REGISTER_KEYS (etablera register keygen). / The establishment register is not configured.".into(),
        )
    })
}

fn parse_unit(unit: &str) -> Result<UnitCode, AppError> {
    UnitCode::parse(unit).map_err(|_| AppError::NotFound)
}

fn user_id(ctx: &Ctx) -> Option<i64> {
    ctx.user.as_ref().map(|u| u.id)
}

/// Refuses a municipality-level action: 401 without a login, 403 to members of the
/// municipality, 404 to everyone else (so the register's existence does not leak).
fn deny(ctx: &Ctx, unit: &UnitCode) -> AppError {
    match &ctx.principal {
        None => AppError::Unauthorized,
        Some(p)
            if p.system_admin
                || p.role_in(unit).is_some()
                || p.register_role_in(unit).is_some() =>
        {
            AppError::Forbidden
        }
        Some(_) => AppError::NotFound,
    }
}

fn check_unit(
    s: &mut dyn Store,
    ctx: &Ctx,
    unit: &UnitCode,
    action: A,
) -> Result<Settings, AppError> {
    let settings = reg::settings(s, unit)?;
    if register_allowed(
        ctx.principal.as_ref(),
        action,
        unit,
        None,
        settings.caseload_only,
    ) {
        Ok(settings)
    } else {
        Err(deny(ctx, unit))
    }
}

fn relation(ctx: &Ctx, p: &Person) -> CaseRelation {
    CaseRelation {
        related: user_id(ctx).is_some_and(|u| p.related(u)),
        restricted: p.restricted,
    }
}

/// Loads a person the principal may `action`, with the settings; logs nothing.
fn check_case(
    s: &mut dyn Store,
    ctx: &Ctx,
    keys: &Keyring,
    unit: &UnitCode,
    id: &str,
    action: A,
) -> Result<(Case, Settings), AppError> {
    let settings = reg::settings(s, unit)?;
    let row = s.person(id)?.filter(|r| &r.unit == unit);
    let Some(row) = row else {
        // Members of the register learn that the person does not exist; others learn nothing.
        return Err(match check_unit(s, ctx, unit, A::ListCases) {
            Ok(_) => AppError::NotFound,
            Err(e) => e,
        });
    };
    let p = reg::person_of(&row)?;
    if !register_allowed(
        ctx.principal.as_ref(),
        action,
        unit,
        Some(relation(ctx, &p)),
        settings.caseload_only,
    ) {
        return Err(
            if register_allowed(
                ctx.principal.as_ref(),
                A::ListCases,
                unit,
                None,
                settings.caseload_only,
            ) {
                AppError::Forbidden
            } else {
                deny(ctx, unit)
            },
        );
    }
    Ok((reg::from_row(keys, &row)?, settings))
}

fn log(
    s: &mut dyn Store,
    ctx: &Ctx,
    keys: &Keyring,
    via: &str,
    persons: &[&Person],
    view: &str,
) -> Result<(), AppError> {
    let list: Vec<(&Person, bool)> = persons
        .iter()
        .map(|p| (*p, user_id(ctx).is_some_and(|u| p.related(u))))
        .collect();
    reg::log_read(s, keys, user_id(ctx), via, &list, view)?;
    Ok(())
}

fn csrf(ctx: &Ctx, f: &F) -> Result<(), AppError> {
    ctx.check_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))
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

fn user_names(s: &mut dyn Store) -> Result<HashMap<i64, String>, AppError> {
    Ok(s.users()?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

fn register_nav(lang: Lang, unit: &UnitCode) -> Markup {
    html! {
        nav.sub aria-label=(t(lang, "Registret", "The register")) {
            ul {
                li { a href={ "/register/" (unit) } { (t(lang, "Ärenden", "Cases")) } }
                li { a href={ "/register/" (unit) "/ny" } { (t(lang, "Registrera person", "Register a person")) } }
                li { a href={ "/register/" (unit) "/statistik" } { (t(lang, "Statistik", "Statistics")) } }
                li { a href={ "/register/" (unit) "/installningar" } { (t(lang, "Inställningar", "Settings")) } }
                li { a href={ "/register/" (unit) "/kontroll" } { (t(lang, "Att kontrollera", "To check")) } }
                li { a href={ "/register/" (unit) "/lasloggen" } { (t(lang, "Loggkontroll", "Read log")) } }
            }
        }
    }
}

// --- the caseload ----------------------------------------------------------------------------

#[derive(Debug, serde::Deserialize, Default)]
struct CaseloadQuery {
    mine: Option<String>,
    q: Option<String>,
    /// A reception category code; empty for all.
    category: Option<String>,
    /// At most this many days left of the establishment period.
    days_left: Option<String>,
    /// Only cases whose review is due within 14 days or overdue.
    due: Option<String>,
    /// Also closed cases.
    closed: Option<String>,
}

/// How many days ahead a review counts as due.
const DUE_WITHIN_DAYS: i64 = 14;

async fn caseload(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Query(q): Query<CaseloadQuery>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let settings = check_unit(s, &c, &unit, A::ListCases)?;
                let today = reg::today();
                let names = user_names(s)?;
                let category = match q.category.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
                    None => None,
                    Some(x) => Some(Category::parse(x).ok_or_else(|| RegisterError::new("category", Problem::NotInList))?),
                };
                let max_days = match q.days_left.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
                    None => None,
                    Some(x) => Some(x.parse::<i64>().ok().filter(|n| (0..=10_000).contains(n)).ok_or_else(|| {
                        RegisterError::new("days_left", Problem::WholeNumber { min: 0, max: 10_000 })
                    })?),
                };
                let is_due = |p: &Person| p.next_review().is_some_and(|r| r.to_unix_days() <= today.to_unix_days() + DUE_WITHIN_DAYS);
                let mut shown: Vec<Case> = Vec::new();
                for row in s.persons(&unit)? {
                    let p = reg::person_of(&row)?;
                    let rel = relation(&c, &p);
                    if !register_allowed(c.principal.as_ref(), A::ReadPerson, &unit, Some(rel), settings.caseload_only) {
                        continue;
                    }
                    if q.mine.is_some() && !rel.related {
                        continue;
                    }
                    if category.is_some_and(|k| p.category != k)
                        || (q.closed.is_none() && p.closed.is_some())
                        || (q.due.is_some() && (p.closed.is_some() || !is_due(&p)))
                        || max_days.is_some_and(|m| p.days_left(today).is_none_or(|d| d > m))
                    {
                        continue;
                    }
                    shown.push(reg::from_row(&keys, &row)?);
                }
                let needle = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
                if let Some(n) = &needle {
                    shown.retain(|c| {
                        c.person.id.as_str().to_lowercase().contains(n)
                            || c.identity.as_ref().is_some_and(|i| i.name.to_lowercase().contains(n))
                    });
                }
                shown.sort_by_key(|c| (c.person.closed.is_some(), c.person.next_review()));
                let refs: Vec<&Person> = shown.iter().map(|c| &c.person).collect();
                log(s, &c, &keys, "web", &refs, "GET /register/{unit}")?;
                let lang = c.lang;
                let due: Vec<&Case> = shown
                    .iter()
                    .filter(|c| c.person.closed.is_none() && is_due(&c.person))
                    .collect();
                let body = html! {
                    h1 { (t(lang, "Etableringsregistret", "Establishment register")) " – " (unit_name(s, &unit)) }
                    (register_nav(lang, &unit))
                    @if !due.is_empty() {
                        section.notice aria-labelledby="due-h" {
                            h2 #due-h { (t(lang, "Påminnelser: uppföljningar som ska göras inom 14 dagar eller är försenade", "Reminders: reviews due within 14 days or overdue")) }
                            ul {
                                @for c in &due {
                                    li {
                                        a href={ "/register/" (unit) "/persons/" (c.person.id) } { (c.identity.as_ref().map(|i| i.name.as_str()).unwrap_or(c.person.id.as_str())) }
                                        " – " (d(c.person.next_review()))
                                        @if c.person.next_review().is_some_and(|r| r < today) { " " strong { (t(lang, "(försenad)", "(overdue)")) } }
                                    }
                                }
                            }
                        }
                    }
                    form method="get" action={ "/register/" (unit) } {
                        label for="q" { (t(lang, "Sök namn eller pseudonym", "Search name or pseudonym")) }
                        input #q type="search" name="q" value=(q.q.clone().unwrap_or_default());
                        label for="category" { (t(lang, "Kategori", "Category")) }
                        select #category name="category" {
                            option value="" { (t(lang, "Alla", "All")) }
                            @for k in Category::ALL {
                                option value=(k.code()) selected[category == Some(*k)] { (k.label(lang)) }
                            }
                        }
                        label for="days_left" { (t(lang, "Högst antal dagar kvar av etableringstiden", "At most days left of the establishment period")) }
                        input #days_left type="number" min="0" max="10000" name="days_left" value=(max_days.map(|m| m.to_string()).unwrap_or_default());
                        label { input type="checkbox" name="due" value="1" checked[q.due.is_some()]; " " (t(lang, "Bara uppföljningar som ska göras inom 14 dagar", "Only reviews due within 14 days")) }
                        label { input type="checkbox" name="closed" value="1" checked[q.closed.is_some()]; " " (t(lang, "Visa även avslutade ärenden", "Also show closed cases")) }
                        label { input type="checkbox" name="mine" value="1" checked[q.mine.is_some()]; " " (t(lang, "Bara mina ärenden", "Only my cases")) }
                        button type="submit" { (t(lang, "Visa", "Show")) }
                    }
                    table {
                        caption { (t(lang, "Ärenden", "Cases")) " (" (shown.len()) ")" }
                        thead { tr {
                            th scope="col" { (t(lang, "Namn", "Name")) }
                            th scope="col" { (t(lang, "Pseudonym", "Pseudonym")) }
                            th scope="col" { (t(lang, "Kategori", "Category")) }
                            th scope="col" { (t(lang, "Ankomst", "Arrival")) }
                            th scope="col" { (t(lang, "Dagar kvar av etableringstiden", "Days left of the establishment period")) }
                            th scope="col" { (t(lang, "Nästa uppföljning", "Next review")) }
                            th scope="col" { (t(lang, "Handläggare", "Case worker")) }
                        } }
                        tbody {
                            @for c in &shown {
                                tr {
                                    td { a href={ "/register/" (unit) "/persons/" (c.person.id) } { (c.identity.as_ref().map(|i| i.name.as_str()).unwrap_or(t(lang, "(anonymiserad)", "(anonymised)"))) } }
                                    td { code { (c.person.id) } }
                                    td { (c.person.category.label(lang)) }
                                    td { (c.person.arrival_date) }
                                    td { (c.person.days_left(today).map(|x| x.to_string()).unwrap_or_else(|| "–".into())) }
                                    td { (d(c.person.next_review())) @if c.person.closed.is_some() { " " (t(lang, "(avslutat)", "(closed)")) } }
                                    td { (c.person.case_worker.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) }
                                }
                            }
                        }
                    }
                    section aria-labelledby="import-h" {
                        h2 #import-h { (t(lang, "Läs in ärenden från fil", "Import cases from a file")) }
                        p { (t(lang, "CSV (semikolon eller komma) eller xlsx (första bladet) med rubrikrad. Kolumner: ", "CSV (semicolon or comma) or xlsx (the first sheet) with a header row. Columns: ")) code { (reg::FIELDS.join(";")) } ". " (t(lang, "Varje rad kontrolleras; vid fel sparas ingenting.", "Every row is checked; on any error nothing is stored.")) }
                        form method="post" action={ "/register/" (unit) "/import" } enctype="multipart/form-data" {
                            input type="hidden" name="csrf" value=(c.csrf());
                            label for="file" { (t(lang, "Fil", "File")) }
                            input #file type="file" name="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                            button type="submit" { (t(lang, "Läs in", "Import")) }
                        }
                    }
                };
                Ok(layout(&c, t(lang, "Etableringsregistret", "Establishment register"), &format!("/register/{unit}"), body))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

fn page(ctx: &Ctx, r: Result<Markup, AppError>) -> Response {
    match r {
        Ok(m) => Html(m.into_string()).into_response(),
        Err(e) => fail(ctx, e),
    }
}

fn unit_name(s: &mut dyn Store, unit: &UnitCode) -> String {
    etablera_app::units_of(s)
        .ok()
        .and_then(|u| u.get(unit.as_str()).map(|u| u.name.clone()))
        .unwrap_or_else(|| unit.to_string())
}

// --- registering and changing a person -----------------------------------------------------

/// What a person form was sent with, and what was wrong with it: the form comes back
/// filled in as sent, the field in error marked, and the error above it.
type Sent<'a> = Option<(&'a F, &'a etablera_register::RegisterError)>;

fn person_form(lang: Lang, action: &str, csrf: &str, c: Option<&Case>, sent: Sent) -> Markup {
    let p = c.map(|c| &c.person);
    let i = c.and_then(|c| c.identity.as_ref());
    let v = |x: Option<String>| x.unwrap_or_default();
    let field = |name: &'static str,
                 label: &'static str,
                 value: String,
                 hint: &'static str,
                 required: bool| {
        let value = match sent {
            Some((f, _)) => f.get(name).cloned().unwrap_or_default(),
            None => value,
        };
        let invalid = sent.is_some_and(|(_, e)| e.field == name);
        let described = [
            (!hint.is_empty()).then(|| format!("{name}-hint")),
            invalid.then(|| "person-form-error".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        html! {
            div.field {
                label for=(name) { (label) @if required { " " abbr title=(t(lang, "obligatoriskt", "required")) { "*" } } }
                input id=(name) name=(name) value=(value) required[required] aria-invalid=[invalid.then_some("true")] aria-describedby=[(!described.is_empty()).then_some(described)];
                @if !hint.is_empty() { small id={ (name) "-hint" } { (hint) } }
            }
        }
    };
    // A field with a fixed list of answers is a list to choose from, named in words (the
    // codes are what is sent, never what is shown).
    let choice = |name: &'static str,
                  label: &'static str,
                  options: Vec<(&'static str, &'static str)>,
                  value: String,
                  required: bool| {
        let value = match sent {
            Some((f, _)) => f.get(name).cloned().unwrap_or_default(),
            None => value,
        };
        let invalid = sent.is_some_and(|(_, e)| e.field == name);
        html! {
            div.field {
                label for=(name) { (label) @if required { " " abbr title=(t(lang, "obligatoriskt", "required")) { "*" } } }
                select id=(name) name=(name) required[required] aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some("person-form-error")] {
                    option value="" selected[value.is_empty()] { (if required { t(lang, "Välj …", "Choose …") } else { "–" }) }
                    @for (code, text) in options { option value=(code) selected[value == code] { (text) } }
                }
            }
        }
    };
    html! {
        @if let Some((_, e)) = sent {
            div.error-summary #person-form-error role="alert" tabindex="-1" {
                p { strong { (t(lang, "Uppgifterna behöver rättas", "The input needs correcting")) } }
                p { a href={ "#" (e.field) } { (e.text(lang)) } }
            }
        }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            (field("namn", t(lang, "Namn", "Name"), v(i.map(|i| i.name.clone())), "", true))
            (field("personnummer", t(lang, "Personnummer eller samordningsnummer", "Personal identity or coordination number"), v(i.and_then(|i| i.pnr.as_ref().map(|p| p.display()))), "ÅÅÅÅMMDD-NNNN", false))
            (field("fodelsear", t(lang, "Födelseår", "Birth year"), v(p.map(|p| p.birth_year.to_string())), t(lang, "Behövs utan personnummer", "Needed without a personal number"), false))
            (field("kon", t(lang, "Kön (K/M)", "Sex (K/M)"), v(p.map(|p| if p.sex == Sex::Women { "K".into() } else { "M".into() })), "", true))
            (field("fodelseland", t(lang, "Födelseland", "Country of birth"), v(p.map(|p| p.country_of_birth.clone())), "", true))
            (field("sprak", t(lang, "Språk", "Languages"), v(p.map(|p| p.languages.join(", "))), t(lang, "Kommaseparerade", "Comma separated"), false))
            (choice("planens_sprak", t(lang, "Språk för min plan", "Language of my plan"), PlanLang::ALL.iter().map(|l| (l.tag(), l.own_name())).collect(), v(p.map(|p| p.plan_language.tag().to_string())), false))
            (choice("utbildning", t(lang, "Utbildningsnivå (SUN)", "Education level (SUN)"), etablera_register::Education::ALL.iter().map(|e| (e.code(), e.label(lang))).collect(), v(p.and_then(|p| p.education.map(|e| e.code().to_string()))), false))
            (field("ssyk", t(lang, "Yrkeserfarenhet (SSYK 2012-koder)", "Work experience (SSYK 2012 codes)"), v(p.map(|p| p.ssyk.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))), "", false))
            (choice("svenska", t(lang, "Svenska", "Swedish"), etablera_register::SwedishLevel::ALL.iter().map(|x| (x.code(), x.label(lang))).collect(), v(p.map(|p| p.swedish.code().to_string())), false))
            (choice("kategori", t(lang, "Mottagningskategori", "Reception category"), Category::ALL.iter().map(|c| (c.code(), c.label(lang))).collect(), v(p.map(|p| p.category.code().to_string())), true))
            (field("uppehallstillstand", t(lang, "Uppehållstillstånd (datum)", "Residence permit (date)"), v(p.and_then(|p| p.permit_date.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("ankomst", t(lang, "Ankomst till kommunen", "Arrival in the municipality"), v(p.map(|p| p.arrival_date.to_string())), "ÅÅÅÅ-MM-DD", true))
            (field("folkbokford", t(lang, "Folkbokförd", "Registered as resident"), v(p.and_then(|p| p.registered_date.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("etablering_start", t(lang, "Etableringstidens start", "Start of the establishment period"), v(p.and_then(|p| p.establishment_start.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("telefon", t(lang, "Telefon", "Phone"), v(i.and_then(|i| i.phone.clone())), "", false))
            (field("epost", t(lang, "E-post", "Email"), v(i.and_then(|i| i.email.clone())), "", false))
            (field("adress", t(lang, "Adress", "Address"), v(i.and_then(|i| i.address.clone())), "", false))
            (field("hushall", t(lang, "Hushåll (id)", "Household (id)"), v(p.and_then(|p| p.household.clone())), "", false))
            button type="submit" { (t(lang, "Spara", "Save")) }
        }
    }
}

async fn new_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                check_unit(s, &c, &unit, A::CreatePerson)?;
                Ok(new_person_page(&c, &unit, None))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

/// The form for registering a person: empty, or as sent with its error.
fn new_person_page(c: &Ctx, unit: &UnitCode, sent: Sent) -> Markup {
    let lang = c.lang;
    let title = t(lang, "Registrera person", "Register a person");
    layout(
        c,
        title,
        &format!("/register/{unit}/ny"),
        html! {
            h1 { (title) }
            (register_nav(lang, unit))
            p { (t(lang, "Namn, personnummer och kontaktuppgifter krypteras innan de sparas.", "Name, personal number and contact details are encrypted before they are stored.")) }
            (person_form(lang, &format!("/register/{unit}/persons"), c.csrf(), None, sent))
        },
    )
}

/// What registering a person came to.
enum Created {
    At(String),
    NeedsCheck(UnitCode),
    /// The form again, filled in as sent, with its error (422).
    Invalid(Markup),
}

async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Form(f): Form<F>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        csrf(&c, &f)?;
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let settings = check_unit(s, &c, &unit, A::CreatePerson)?;
                let mut case = match reg::parse_fields(
                    &f,
                    &unit,
                    None,
                    settings.review_months,
                    reg::today(),
                ) {
                    Ok(case) => case,
                    Err(e) => {
                        return Ok(Created::Invalid(new_person_page(&c, &unit, Some((&f, &e)))))
                    }
                };
                case.person.case_worker = user_id(&c);
                Ok(
                    match reg::save(s, &keys, &case, user_id(&c), "person.create")? {
                        reg::Saved::Stored => {
                            Created::At(format!("/register/{unit}/persons/{}", case.person.id))
                        }
                        reg::Saved::NeedsCheck => Created::NeedsCheck(unit),
                    },
                )
            })
            .await
    }
    .await;
    match r {
        Ok(Created::At(to)) => Redirect::to(&to).into_response(),
        Ok(Created::NeedsCheck(unit)) => needs_check(&ctx, &unit),
        Ok(Created::Invalid(page)) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.into_string()),
        )
            .into_response(),
        Err(e) => fail(&ctx, e),
    }
}

/// The reception manager's list of registrations whose personnummer is already in the
/// register. Opening one is a read of the case that holds the number, and is logged.
async fn requests_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        let keys = keys(&state)?;
        state
            .db
            .run(move |s| {
                check_unit(s, &c, &unit, A::ManageCase)?;
                let open = reg::open_requests(s, &keys, &unit)?;
                let mut existing = Vec::new();
                for r in &open {
                    if let Some(id) = &r.existing {
                        if let Some(case) = reg::load(s, &keys, &unit, id)? {
                            existing.push(case.person);
                        }
                    }
                }
                let refs: Vec<&Person> = existing.iter().collect();
                log(s, &c, &keys, "web", &refs, "GET /register/{unit}/kontroll")?;
                let names = user_names(s)?;
                let lang = c.lang;
                let path = format!("/register/{unit}/kontroll");
                Ok(layout(&c, t(lang, "Att kontrollera", "To check"), &path, html! {
                    h1 { (t(lang, "Registreringar att kontrollera", "Registrations to check")) }
                    (register_nav(lang, &unit))
                    p { (t(lang,
                        "En registrering vars personnummer redan finns i registret sparas inte. Handläggaren får samma svar vare sig hen får läsa ärendet eller inte; här avgör du vad som ska hända.",
                        "A registration whose personnummer is already in the register is not stored. The case worker gets the same answer whether or not they may read that case; here you decide what happens.")) }
                    @if open.is_empty() {
                        p role="status" { (t(lang, "Inget att kontrollera.", "Nothing to check.")) }
                    } @else {
                        table {
                            caption { (t(lang, "Öppna förfrågningar", "Open requests")) }
                            thead { tr {
                                th scope="col" { (t(lang, "Inkom", "Received")) }
                                th scope="col" { (t(lang, "Från", "From")) }
                                th scope="col" { (t(lang, "Uppgifter", "Data")) }
                                th scope="col" { (t(lang, "Befintligt ärende", "Existing case")) }
                                th scope="col" { (t(lang, "Åtgärd", "Action")) }
                            } }
                            tbody { @for r in &open {
                                tr {
                                    td { (r.created_at.get(..10).unwrap_or(&r.created_at)) }
                                    td { (r.requested_by.and_then(|u| names.get(&u)).cloned().unwrap_or_else(|| "–".into())) }
                                    td {
                                        @if let Some(i) = &r.case.identity {
                                            (i.name) @if let Some(p) = &i.pnr { ", " (p.display()) }
                                        }
                                        ", " (r.case.person.country_of_birth) ", " (r.case.person.category.label(lang))
                                    }
                                    td { @match &r.existing {
                                        Some(id) => a href={ "/register/" (unit) "/persons/" (id) } { (id) },
                                        None => (t(lang, "finns inte längre", "no longer there")),
                                    } }
                                    td {
                                        form method="post" action={ (path) "/" (r.id) } {
                                            input type="hidden" name="csrf" value=(c.csrf());
                                            button type="submit" name="how" value="grant" { (t(lang, "Samma person: ge handläggaren tillgång", "Same person: give the case worker access")) }
                                            " "
                                            button type="submit" name="how" value="discard" { (t(lang, "Avvisa", "Discard")) }
                                        }
                                    }
                                }
                            } }
                        }
                    }
                }))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

async fn resolve_request(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
    Form(f): Form<F>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        csrf(&c, &f)?;
        let unit = parse_unit(&unit)?;
        let keys = keys(&state)?;
        let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
        let how = match f.get("how").map(String::as_str) {
            Some("grant") => reg::Resolution::GrantAccess,
            Some("discard") => reg::Resolution::Discard,
            _ => return Err(RegisterError::new("how", Problem::NotInList).into()),
        };
        state
            .db
            .run(move |s| {
                check_unit(s, &c, &unit, A::ManageCase)?;
                if !reg::resolve_request(s, &keys, &unit, id, how, user_id(&c))? {
                    return Err(AppError::NotFound);
                }
                Ok(format!("/register/{unit}/kontroll"))
            })
            .await
    }
    .await;
    match r {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

/// The answer when a personnummer is already in the register: the same whichever case holds
/// it, and whether or not the case worker may read that case. No case and no request is named.
fn needs_check(ctx: &Ctx, unit: &UnitCode) -> Response {
    let lang = ctx.lang;
    let path = format!("/register/{unit}");
    let body = layout(
        ctx,
        t(
            lang,
            "Registreringen behöver kontrolleras",
            "The registration needs checking",
        ),
        &path,
        html! {
            h1 { (t(lang, "Registreringen behöver kontrolleras", "The registration needs checking")) }
            p role="status" { (t(lang,
                "Personnumret behöver kontrolleras innan uppgifterna kan sparas. De har skickats till mottagningsansvarig, som går igenom dem och hör av sig. Ingenting har ändrats i registret än.",
                "The personnummer needs checking before the data can be stored. It has been sent to the reception manager, who goes through it and gets back to you. Nothing has changed in the register yet.")) }
            p { a href=(path) { (t(lang, "Till ärendena", "To the cases")) } }
        },
    );
    (axum::http::StatusCode::ACCEPTED, Html(body.into_string())).into_response()
}

async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        let mut token = String::new();
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?
        {
            match field.name() {
                Some("csrf") => {
                    token = field
                        .text()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?
                }
                Some("file") => {
                    let name = field.file_name().unwrap_or("ärenden.csv").to_string();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?;
                    file = Some((name, bytes.to_vec()));
                }
                _ => {}
            }
        }
        c.check_csrf(&token)?;
        let (name, bytes) = file.ok_or_else(|| {
            AppError::BadRequest("Ingen fil valdes. / No file was chosen.".into())
        })?;
        let lower = name.to_lowercase();
        if !(lower.ends_with(".csv") || lower.ends_with(".xlsx")) {
            return Err(AppError::UnsupportedType(format!(
                "`{name}`: the caseload is read from CSV or xlsx files"
            )));
        }
        state
            .db
            .run(move |s| {
                check_unit(s, &c, &unit, A::CreatePerson)?;
                let n = reg::import_caseload(s, &keys, &unit, &name, &bytes, user_id(&c))?;
                Ok((unit, n))
            })
            .await
    }
    .await;
    match r {
        Ok((unit, _)) => Redirect::to(&format!("/register/{unit}")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

// --- a person's page -------------------------------------------------------------------------

async fn person_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let (case, settings) = check_case(s, &c, &keys, &unit, &id, A::ReadPerson)?;
                log(
                    s,
                    &c,
                    &keys,
                    "web",
                    &[&case.person],
                    "GET /register/{unit}/persons/{id}",
                )?;
                let names = user_names(s)?;
                let links = s.plan_links(&id)?;
                let household = household_view(s, &c, &keys, &unit, &case.person, &settings)?;
                let manage = register_allowed(
                    c.principal.as_ref(),
                    A::ManageCase,
                    &unit,
                    Some(relation(&c, &case.person)),
                    settings.caseload_only,
                );
                let write = register_allowed(
                    c.principal.as_ref(),
                    A::WritePerson,
                    &unit,
                    Some(relation(&c, &case.person)),
                    settings.caseload_only,
                );
                Ok(person_markup(
                    &c, &unit, &case, &settings, &names, &links, &household, manage, write,
                ))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

/// A person's household as their page shows it: the household and the pseudonyms of the
/// members the reader may open (others are only counted; no names, so no reads to log).
struct HouseholdView {
    household: Option<etablera_register::Household>,
    members: Vec<String>,
    hidden_members: usize,
}

fn household_view(
    s: &mut dyn Store,
    c: &Ctx,
    keys: &Keyring,
    unit: &UnitCode,
    p: &Person,
    settings: &Settings,
) -> Result<HouseholdView, AppError> {
    let Some(hid) = p.household.as_deref().filter(|h| !h.is_empty()) else {
        return Ok(HouseholdView {
            household: None,
            members: Vec::new(),
            hidden_members: 0,
        });
    };
    let household = reg::household(s, keys, unit, hid)?;
    let mut members = Vec::new();
    let mut hidden_members = 0;
    for row in s.household_members(unit, hid)? {
        let other = reg::person_of(&row)?;
        if other.id == p.id || other.household.as_deref() != Some(hid) {
            continue;
        }
        if register_allowed(
            c.principal.as_ref(),
            A::ReadPerson,
            unit,
            Some(relation(c, &other)),
            settings.caseload_only,
        ) {
            members.push(other.id.to_string());
        } else {
            hidden_members += 1;
        }
    }
    Ok(HouseholdView {
        household,
        members,
        hidden_members,
    })
}

#[allow(clippy::too_many_arguments)]
fn person_markup(
    c: &Ctx,
    unit: &UnitCode,
    case: &Case,
    settings: &Settings,
    names: &HashMap<i64, String>,
    links: &[PlanLinkRow],
    hh: &HouseholdView,
    manage: bool,
    write: bool,
) -> Markup {
    let lang = c.lang;
    let p = &case.person;
    let today = reg::today();
    let base = format!("/register/{unit}/persons/{}", p.id);
    let name = case
        .identity
        .as_ref()
        .map(|i| i.name.clone())
        .unwrap_or_else(|| t(lang, "(anonymiserad)", "(anonymised)").into());
    let catalogue_name = |kind: &str| {
        settings
            .catalogue
            .iter()
            .find(|e| e.code == kind)
            .map(|e| e.name(PlanLang::Sv).to_string())
            .unwrap_or_else(|| kind.to_string())
    };
    let hidden = html! { input type="hidden" name="csrf" value=(c.csrf()); };
    let select = |name: &str, label: &str, options: Vec<(String, String)>, current: &str| {
        let id = format!("{name}-{}", label.len());
        html! {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (v, l) in &options { option value=(v) selected[v == current] { (l) } }
            }
        }
    };
    let body = html! {
        h1 { (name) " " small { code { (p.id) } } }
        (register_nav(lang, unit))
        @if p.restricted { p.notice { strong { (t(lang, "Behandlingen är begränsad (GDPR art. 18).", "Processing is restricted (GDPR art. 18).")) } } }
        @if p.closed.is_some() { p.notice { (t(lang, "Ärendet avslutades ", "The case was closed on ")) (d(p.closed)) "." } }
        section aria-labelledby="est-h" {
            h2 #est-h { (t(lang, "Etableringstid", "Establishment period")) }
            @match p.establishment() {
                Some((s, e)) => p { (s) " – " (e) ". " strong { (p.days_left(today).unwrap_or(0)) " " (t(lang, "dagar kvar", "days left")) } }
                None => p { (t(lang, "Ingen etableringstid registrerad.", "No establishment period registered.")) }
            }
            p { (t(lang, "Nästa uppföljning: ", "Next review: ")) (d(p.next_review())) }
        }
        section aria-labelledby="data-h" {
            h2 #data-h { (t(lang, "Uppgifter", "Details")) }
            dl {
                dt { (t(lang, "Personnummer", "Personal number")) } dd { (case.identity.as_ref().and_then(|i| i.pnr.as_ref().map(|p| p.display())).unwrap_or_else(|| "–".into())) }
                dt { (t(lang, "Födelseår, kön", "Birth year, sex")) } dd { (p.birth_year) ", " (if p.sex == Sex::Women { t(lang, "kvinna", "woman") } else { t(lang, "man", "man") }) }
                dt { (t(lang, "Födelseland, språk", "Country of birth, languages")) } dd { (p.country_of_birth) "; " (p.languages.join(", ")) }
                dt { (t(lang, "Utbildning", "Education")) } dd { (p.education.map(|e| e.label(lang)).unwrap_or("–")) }
                dt { (t(lang, "Yrkeserfarenhet (SSYK)", "Work experience (SSYK)")) } dd { (p.ssyk.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }
                dt { (t(lang, "Svenska", "Swedish")) } dd { (p.swedish.label(lang)) }
                dt { (t(lang, "Kategori", "Category")) } dd { (p.category.label(lang)) }
                dt { (t(lang, "Uppehållstillstånd, ankomst, folkbokförd", "Residence permit, arrival, registered")) } dd { (d(p.permit_date)) ", " (p.arrival_date) ", " (d(p.registered_date)) }
                dt { (t(lang, "Kontakt", "Contact")) } dd { (case.identity.as_ref().map(|i| [i.phone.clone(), i.email.clone(), i.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")).unwrap_or_default()) }
                dt { (t(lang, "Handläggare", "Case worker")) } dd { (p.case_worker.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) @if !p.colleagues.is_empty() { " (" (t(lang, "kollegor: ", "colleagues: ")) (p.colleagues.iter().filter_map(|u| names.get(u).cloned()).collect::<Vec<_>>().join(", ")) ")" } }
            }
            @if write {
                details { summary { (t(lang, "Ändra uppgifter (rättelse)", "Change details (correction)")) } (person_form(lang, &base, c.csrf(), Some(case), None)) }
            }
        }
        section aria-labelledby="hh-h" {
            h2 #hh-h { (t(lang, "Hushåll och bostadsbehov", "Household and housing need")) }
            @match &hh.household {
                Some(h) => {
                    dl {
                        dt { (t(lang, "Hushåll", "Household")) } dd { code { (h.id) } }
                        dt { (t(lang, "Antal personer", "Members")) } dd { (h.size) }
                        dt { (t(lang, "Rum som behövs (utom kök)", "Rooms needed (besides the kitchen)")) } dd { (h.rooms_needed.map(|r| r.to_string()).unwrap_or_else(|| "–".into())) " " small { "(" (t(lang, "trångboddhetsnorm 2 ger ", "crowding norm 2 gives ")) (reg::rooms_by_norm(h.size)) ")" } }
                        dt { (t(lang, "Bostadsbehov", "Housing need")) } dd { (if h.housing_need.is_empty() { "–" } else { h.housing_need.as_str() }) }
                        dt { (t(lang, "Andra i registret", "Others in the register")) }
                        dd {
                            @for m in &hh.members { a href={ "/register/" (unit) "/persons/" (m) } { code { (m) } } " " }
                            @if hh.hidden_members > 0 { (hh.hidden_members) " " (t(lang, "som du inte har behörighet till", "you have no access to")) }
                            @if hh.members.is_empty() && hh.hidden_members == 0 { "–" }
                        }
                    }
                }
                None => p { (t(lang, "Inget hushåll registrerat.", "No household registered.")) }
            }
            @if write {
                details {
                    summary { (t(lang, "Ändra hushåll", "Change the household")) }
                    form method="post" action={ (base) "/household" } {
                        (hidden)
                        label for="hh-size" { (t(lang, "Antal personer i hushållet", "Members of the household")) }
                        input #hh-size type="number" name="storlek" min="1" max=(reg::MAX_HOUSEHOLD) required value=(hh.household.as_ref().map(|h| h.size).unwrap_or(1));
                        label for="hh-rooms" { (t(lang, "Rum som behövs (tomt: enligt norm)", "Rooms needed (empty: by the norm)")) }
                        input #hh-rooms type="number" name="rum" min="1" max="20" value=(hh.household.as_ref().and_then(|h| h.rooms_needed).map(|r| r.to_string()).unwrap_or_default());
                        label for="hh-need" { (t(lang, "Bostadsbehov", "Housing need")) }
                        textarea #hh-need name="bostadsbehov" maxlength="500" { (hh.household.as_ref().map(|h| h.housing_need.as_str()).unwrap_or("")) }
                        button type="submit" { (t(lang, "Spara hushåll", "Save household")) }
                    }
                }
            }
        }
        section aria-labelledby="ass-h" {
            h2 #ass-h { (t(lang, "Kartläggning", "Needs assessment")) }
            @if let Some(a) = &p.assessment {
                table {
                    caption { (t(lang, "Kartläggning ", "Assessment of ")) (a.date) }
                    thead { tr { th scope="col" { (t(lang, "Område", "Area")) } th scope="col" { (t(lang, "Behov", "Need")) } th scope="col" { (t(lang, "Anteckning", "Note")) } } }
                    tbody { @for it in &a.items { tr { td { (area_label(lang, &it.area)) } td { (it.need.label(lang)) } td { (it.note) } } } }
                }
            } @else { p { (t(lang, "Ingen kartläggning ännu.", "No assessment yet.")) } }
            @if write {
                details { summary { (t(lang, "Gör kartläggning", "Make an assessment")) }
                    form method="post" action={ (base) "/assessment" } {
                        (hidden)
                        @for (code, sv, en) in ASSESSMENT_AREAS {
                            fieldset {
                                legend { (lang.pick(sv, en)) }
                                (select(&format!("need_{code}"), t(lang, "Behov", "Need"), NeedLevel::ALL.iter().map(|n| (n.code().to_string(), n.label(lang).to_string())).collect(), p.assessment.as_ref().and_then(|a| a.items.iter().find(|i| i.area == *code)).map(|i| i.need.code()).unwrap_or("none")))
                                label for={ "note_" (code) } { (t(lang, "Anteckning", "Note")) }
                                input id={ "note_" (code) } name={ "note_" (code) } maxlength="1000";
                            }
                        }
                        button type="submit" { (t(lang, "Spara kartläggning", "Save assessment")) }
                    }
                }
            }
        }
        section aria-labelledby="plan-h" {
            h2 #plan-h { (t(lang, "Individuell plan", "Individual plan")) }
            table {
                caption { (t(lang, "Insatser", "Interventions")) }
                thead { tr {
                    th scope="col" { (t(lang, "Insats", "Intervention")) } th scope="col" { (t(lang, "Anordnare", "Provider")) }
                    th scope="col" { (t(lang, "Från", "From")) } th scope="col" { (t(lang, "Till", "To")) }
                    th scope="col" { (t(lang, "Status", "Status")) } th scope="col" { (t(lang, "Resultat", "Outcome")) }
                    @if write { th scope="col" { (t(lang, "Ändra", "Change")) } }
                } }
                tbody {
                    @for i in &p.interventions {
                        tr {
                            td { (catalogue_name(&i.kind)) @if !i.detail.is_empty() { br; small { (i.detail) } } }
                            td { (i.provider) }
                            td { (d(i.start)) } td { (d(i.end)) }
                            td { (i.status.label(lang)) }
                            td { (i.outcome.map(|o| o.label(lang)).unwrap_or("–")) " " (d(i.outcome_date)) }
                            @if write {
                                td {
                                    form method="post" action={ (base) "/intervention-status" } {
                                        (hidden)
                                        input type="hidden" name="iid" value=(i.id);
                                        (select("status", t(lang, "Status", "Status"), InterventionStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), i.status.code()))
                                        (select("outcome", t(lang, "Resultat", "Outcome"), std::iter::once((String::new(), "–".to_string())).chain(InterventionOutcome::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string()))).collect(), i.outcome.map(|o| o.code()).unwrap_or("")))
                                        label for={ "od-" (i.id) } { (t(lang, "Datum", "Date")) }
                                        input id={ "od-" (i.id) } name="outcome_date" type="date";
                                        button type="submit" { (t(lang, "Spara", "Save")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if write {
                details { summary { (t(lang, "Lägg till insats", "Add an intervention")) }
                    form method="post" action={ (base) "/intervention" } {
                        (hidden)
                        (select("kind", t(lang, "Insats", "Intervention"), settings.catalogue.iter().map(|e| (e.code.clone(), e.name(PlanLang::Sv).to_string())).collect(), ""))
                        label for="provider" { (t(lang, "Anordnare (förvaltning eller organisation)", "Provider (department or organisation)")) } input #provider name="provider" required maxlength="200";
                        label for="detail" { (t(lang, "Beskrivning (t.ex. sfi kurs B, studieväg 2)", "Description (e.g. SFI course B, study path 2)")) } input #detail name="detail" maxlength="500";
                        label for="start" { (t(lang, "Från", "From")) } input #start name="start" type="date";
                        label for="end" { (t(lang, "Till", "To")) } input #end name="end" type="date";
                        label for="contact" { (t(lang, "Kontakt för personen", "Contact for the person")) } input #contact name="contact" maxlength="200";
                        button type="submit" { (t(lang, "Lägg till", "Add")) }
                    }
                }
            }
        }
        section aria-labelledby="cons-h" {
            h2 #cons-h { (t(lang, "Samtycken och remisser", "Consents and referrals")) }
            ul { @for k in &p.consents { li { (k.organisation) ": " (t(lang, "samtycke ", "consent ")) (k.given) @if let Some(w) = k.withdrawn { ", " (t(lang, "återkallat ", "withdrawn ")) (w) } } } }
            table {
                caption { (t(lang, "Remisser", "Referrals")) }
                thead { tr { th scope="col" { (t(lang, "Till", "To")) } th scope="col" { (t(lang, "Syfte", "Purpose")) } th scope="col" { (t(lang, "Skickad", "Sent")) } th scope="col" { (t(lang, "Status", "Status")) } th scope="col" { (t(lang, "Skäl", "Reason")) } } }
                tbody { @for r in &p.referrals { tr { td { (r.organisation) } td { (r.purpose) } td { (r.sent) } td { (r.status.label(lang)) " " (r.updated) } td { (r.reason) } } } }
            }
            @if write {
                details { summary { (t(lang, "Registrera samtycke", "Record consent")) }
                    form method="post" action={ (base) "/consent" } {
                        (hidden)
                        label for="c-org" { (t(lang, "Organisation som samtycket gäller", "Organisation the consent covers")) } input #c-org name="organisation" required maxlength="200";
                        label for="c-date" { (t(lang, "Datum", "Date")) } input #c-date name="given" type="date" required;
                        button type="submit" { (t(lang, "Spara samtycke", "Save consent")) }
                    }
                }
                details { summary { (t(lang, "Skicka remiss (kräver samtycke)", "Send a referral (needs consent)")) }
                    form method="post" action={ (base) "/referral" } {
                        (hidden)
                        (select("consent", t(lang, "Samtycke", "Consent"), p.consents.iter().filter(|k| k.withdrawn.is_none()).map(|k| (k.id.to_string(), format!("{} ({})", k.organisation, k.given))).collect(), ""))
                        label for="r-purpose" { (t(lang, "Syfte", "Purpose")) } input #r-purpose name="purpose" required maxlength="300";
                        button type="submit" { (t(lang, "Skicka", "Send")) }
                    }
                }
                @if !p.referrals.is_empty() {
                    details { summary { (t(lang, "Uppdatera remiss", "Update a referral")) }
                        form method="post" action={ (base) "/referral-status" } {
                            (hidden)
                            (select("rid", t(lang, "Remiss", "Referral"), p.referrals.iter().map(|r| (r.id.to_string(), format!("{} – {}", r.organisation, r.purpose))).collect(), ""))
                            (select("status", t(lang, "Status", "Status"), ReferralStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                            label for="r-reason" { (t(lang, "Skäl (krävs vid avböjd)", "Reason (needed when declined)")) } input #r-reason name="reason" maxlength="500";
                            button type="submit" { (t(lang, "Spara", "Save")) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="rev-h" {
            h2 #rev-h { (t(lang, "Uppföljningar", "Reviews")) }
            ul { @for r in &p.reviews { li { (r.date) " – " (names.get(&r.by).cloned().unwrap_or_default()) ": " (r.note) } } }
            @if write {
                form method="post" action={ (base) "/review" } {
                    (hidden)
                    label for="rv-date" { (t(lang, "Datum", "Date")) } input #rv-date name="date" type="date" required;
                    label for="rv-note" { (t(lang, "Anteckning", "Note")) } input #rv-note name="note" maxlength="2000";
                    button type="submit" { (t(lang, "Registrera uppföljning", "Record review")) }
                }
            }
        }
        section aria-labelledby="out-h" {
            h2 #out-h { (t(lang, "Utfall och händelser", "Outcomes and events")) }
            ul {
                @for o in &p.outcomes { li { (o.at.label(lang)) " (" (o.date) "): " (o.status.label(lang)) } }
                @for e in &p.events { li { (e.kind.label(lang)) " " (e.date) @if !e.note.is_empty() { ": " (e.note) } } }
            }
            @if write {
                details { summary { (t(lang, "Registrera utfall", "Record an outcome")) }
                    form method="post" action={ (base) "/outcome" } {
                        (hidden)
                        (select("at", t(lang, "När", "When"), OutcomeAt::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        (select("status", t(lang, "Status", "Status"), OutcomeStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        label for="o-date" { (t(lang, "Datum", "Date")) } input #o-date name="date" type="date" required;
                        button type="submit" { (t(lang, "Spara", "Save")) }
                    }
                }
                details { summary { (t(lang, "Registrera händelse (anställning, studier, utflyttning)", "Record an event (employment, studies, moving out)")) }
                    form method="post" action={ (base) "/event" } {
                        (hidden)
                        (select("kind", t(lang, "Händelse", "Event"), EventKind::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        label for="e-date" { (t(lang, "Datum", "Date")) } input #e-date name="date" type="date" required;
                        label for="e-note" { (t(lang, "Anteckning", "Note")) } input #e-note name="note" maxlength="500";
                        button type="submit" { (t(lang, "Spara", "Save")) }
                    }
                }
            }
        }
        section aria-labelledby="link-h" {
            h2 #link-h { (t(lang, "Min plan – länk till personen", "My plan – link for the person")) }
            ul {
                @for l in links {
                    li {
                        (PlanLang::parse(&l.lang).map(|x| x.own_name()).unwrap_or("?")) ", " (t(lang, "skapad ", "created ")) (&l.created_at[..10]) ", " (t(lang, "gäller till ", "valid until ")) (&l.expires_at[..10])
                        @if let Some(r) = &l.revoked_at { " – " strong { (t(lang, "återkallad ", "revoked ")) (&r[..10]) } }
                        @else if write {
                            form.inline method="post" action={ (base) "/revoke-link" } {
                                (hidden) input type="hidden" name="lid" value=(l.id);
                                button type="submit" { (t(lang, "Återkalla", "Revoke")) }
                            }
                        }
                    }
                }
            }
            @if write {
                form method="post" action={ (base) "/link" } {
                    (hidden)
                    (select("lang", t(lang, "Språk", "Language"), PlanLang::ALL.iter().map(|l| (l.tag().to_string(), l.own_name().to_string())).collect(), p.plan_language.tag()))
                    label for="days" { (t(lang, "Giltig antal dagar (1–90)", "Valid for days (1–90)")) } input #days name="days" type="number" min="1" max="90" value="30";
                    button type="submit" { (t(lang, "Skapa länk och kod", "Create link and code")) }
                }
            }
        }
        @if manage {
            section aria-labelledby="man-h" {
                h2 #man-h { (t(lang, "Hantering", "Management")) }
                form method="post" action={ (base) "/assign" } {
                    (hidden)
                    label for="cw" { (t(lang, "Handläggare (användarnamn)", "Case worker (user name)")) } input #cw name="case_worker" maxlength="100";
                    label for="col" { (t(lang, "Kollegor (användarnamn, kommaseparerade)", "Colleagues (user names, comma separated)")) } input #col name="colleagues" maxlength="500";
                    button type="submit" { (t(lang, "Tilldela", "Assign")) }
                }
                form method="post" action={ (base) "/close" } {
                    (hidden)
                    label for="cl" { (t(lang, "Avsluta ärendet (datum, tomt för att öppna igen)", "Close the case (date, empty to reopen)")) } input #cl name="closed" type="date";
                    button type="submit" { (t(lang, "Spara", "Save")) }
                }
                form method="post" action={ (base) "/restrict" } {
                    (hidden) input type="hidden" name="restricted" value=(if p.restricted { "0" } else { "1" });
                    button type="submit" { @if p.restricted { (t(lang, "Häv begränsningen", "Lift the restriction")) } @else { (t(lang, "Begränsa behandlingen (GDPR art. 18)", "Restrict processing (GDPR art. 18)")) } }
                }
                p { a href={ (base) "/export" } { (t(lang, "Registerutdrag (allt som finns sparat)", "Data export (everything stored)")) } " · " a href={ (base) "/export.json" } { "JSON" } }
            }
        }
    };
    layout(c, &name, &base, body)
}

fn measure(ind: RegIndicator) -> etablera_domain::MeasureUnit {
    match ind {
        RegIndicator::Received => etablera_domain::MeasureUnit::Count,
        RegIndicator::DaysToFirst => etablera_domain::MeasureUnit::Days,
        _ => etablera_domain::MeasureUnit::Percent,
    }
}

fn area_label(lang: Lang, code: &str) -> String {
    ASSESSMENT_AREAS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, sv, en)| lang.pick(sv, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
    Form(f): Form<F>,
) -> Response {
    change(state, ctx, unit, id, "details".into(), f).await
}

async fn update_part(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id, part)): Path<(String, String, String)>,
    Form(f): Form<F>,
) -> Response {
    change(state, ctx, unit, id, part, f).await
}

/// Every change to a person goes through here: CSRF, access, the change, validation, save.
async fn change(
    state: AppState,
    ctx: Ctx,
    unit: String,
    id: String,
    part: String,
    f: F,
) -> Response {
    let c = ctx.clone();
    let r = async {
        csrf(&c, &f)?;
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let manage_parts = ["assign", "close", "restrict"];
                let action = if manage_parts.contains(&part.as_str()) {
                    A::ManageCase
                } else {
                    A::WritePerson
                };
                let (mut case, settings) = check_case(s, &c, &keys, &unit, &id, action)?;
                let me = user_id(&c).unwrap_or(0);
                let today = reg::today();
                let bad = |m: String| AppError::BadRequest(m);
                let mut link_code: Option<String> = None;
                let p = &mut case.person;
                match part.as_str() {
                    "details" => {
                        case = reg::parse_fields(
                            &f,
                            &unit,
                            Some(&case),
                            settings.review_months,
                            today,
                        )
                        .map_err(|e| bad(e.to_string()))?;
                    }
                    "assessment" => {
                        let mut items = Vec::new();
                        for (code, _, _) in ASSESSMENT_AREAS {
                            let need = NeedLevel::parse(
                                f.get(&format!("need_{code}"))
                                    .map(String::as_str)
                                    .unwrap_or("none"),
                            )
                            .ok_or_else(|| {
                                bad(format!("field `need_{code}`: unknown need level"))
                            })?;
                            items.push(AssessmentItem {
                                area: code.to_string(),
                                need,
                                note: text(&f, &format!("note_{code}"), 1000)?,
                            });
                        }
                        p.assessment = Some(Assessment {
                            date: today,
                            by: me,
                            items,
                        });
                    }
                    "intervention" => {
                        let kind = text(&f, "kind", 40)?;
                        if !settings.catalogue.iter().any(|e| e.code == kind) {
                            return Err(bad(
                                "field `kind`: not in the municipality's catalogue".into()
                            ));
                        }
                        let id = p.next_id();
                        p.interventions.push(Intervention {
                            id,
                            kind,
                            provider: text(&f, "provider", 200)?,
                            detail: text(&f, "detail", 500)?,
                            start: opt_date(&f, "start")?,
                            end: opt_date(&f, "end")?,
                            status: InterventionStatus::Planned,
                            outcome: None,
                            outcome_date: None,
                            contact: text(&f, "contact", 200)?,
                        });
                    }
                    "intervention-status" => {
                        let iid: u32 = text(&f, "iid", 10)?
                            .parse()
                            .map_err(|_| bad("field `iid`: not a number".into()))?;
                        let i = p
                            .interventions
                            .iter_mut()
                            .find(|i| i.id == iid)
                            .ok_or(AppError::NotFound)?;
                        i.status = InterventionStatus::parse(&text(&f, "status", 20)?)
                            .ok_or_else(|| bad("field `status`: unknown status".into()))?;
                        let o = text(&f, "outcome", 20)?;
                        i.outcome =
                            if o.is_empty() {
                                None
                            } else {
                                Some(InterventionOutcome::parse(&o).ok_or_else(|| {
                                    bad("field `outcome`: unknown outcome".into())
                                })?)
                            };
                        i.outcome_date = opt_date(&f, "outcome_date")?.or(i.outcome.map(|_| today));
                    }
                    "consent" => {
                        let id = p.next_id();
                        let given = opt_date(&f, "given")?
                            .ok_or_else(|| bad("field `given`: needed".into()))?;
                        if given > today {
                            return Err(bad("field `given`: lies in the future".into()));
                        }
                        let organisation = text(&f, "organisation", 200)?;
                        if organisation.is_empty() {
                            return Err(bad("field `organisation`: needed".into()));
                        }
                        p.consents.push(Consent {
                            id,
                            organisation,
                            given,
                            withdrawn: None,
                            recorded_by: me,
                        });
                    }
                    "referral" => {
                        let cid: u32 = text(&f, "consent", 10)?.parse().map_err(|_| {
                            bad(
                                "field `consent`: a referral needs the person's recorded consent"
                                    .into(),
                            )
                        })?;
                        let consent = p.consents.iter().find(|k| k.id == cid).ok_or_else(|| {
                            bad(
                                "field `consent`: a referral needs the person's recorded consent"
                                    .into(),
                            )
                        })?;
                        let id = p.next_id();
                        let organisation = consent.organisation.clone();
                        p.referrals.push(Referral {
                            id,
                            organisation,
                            consent: cid,
                            purpose: text(&f, "purpose", 300)?,
                            sent: today,
                            status: ReferralStatus::Sent,
                            reason: String::new(),
                            updated: today,
                        });
                    }
                    "referral-status" => {
                        let rid: u32 = text(&f, "rid", 10)?
                            .parse()
                            .map_err(|_| bad("field `rid`: not a number".into()))?;
                        let r = p
                            .referrals
                            .iter_mut()
                            .find(|r| r.id == rid)
                            .ok_or(AppError::NotFound)?;
                        r.status = ReferralStatus::parse(&text(&f, "status", 20)?)
                            .ok_or_else(|| bad("field `status`: unknown status".into()))?;
                        r.reason = text(&f, "reason", 500)?;
                        r.updated = today;
                    }
                    "review" => {
                        let date = opt_date(&f, "date")?
                            .ok_or_else(|| bad("field `date`: needed".into()))?;
                        p.reviews.push(Review {
                            date,
                            by: me,
                            note: text(&f, "note", 2000)?,
                        });
                    }
                    "outcome" => {
                        let at = OutcomeAt::parse(&text(&f, "at", 10)?)
                            .ok_or_else(|| bad("field `at`: unknown".into()))?;
                        let status = OutcomeStatus::parse(&text(&f, "status", 20)?)
                            .ok_or_else(|| bad("field `status`: unknown status".into()))?;
                        let date = opt_date(&f, "date")?
                            .ok_or_else(|| bad("field `date`: needed".into()))?;
                        p.outcomes.retain(|o| o.at != at);
                        p.outcomes.push(Outcome { at, date, status });
                    }
                    "event" => {
                        let kind = EventKind::parse(&text(&f, "kind", 20)?)
                            .ok_or_else(|| bad("field `kind`: unknown event".into()))?;
                        let date = opt_date(&f, "date")?
                            .ok_or_else(|| bad("field `date`: needed".into()))?;
                        p.events.push(Event {
                            kind,
                            date,
                            note: text(&f, "note", 500)?,
                        });
                    }
                    "link" => {
                        let lang = PlanLang::parse(&text(&f, "lang", 5)?)
                            .ok_or_else(|| bad("field `lang`: sv, en, ar, prs, so or ti".into()))?;
                        let days: i64 = text(&f, "days", 3)?
                            .parse()
                            .ok()
                            .filter(|d| (1..=90).contains(d))
                            .ok_or_else(|| bad("field `days`: a number from 1 to 90".into()))?;
                        let code = plan_code_new();
                        let now = etablera_app::now_secs();
                        let row = PlanLinkRow {
                            id: 0,
                            person_id: p.id.to_string(),
                            code_hash: sha256_hex(&normalise_code(&code)),
                            lang: lang.tag().into(),
                            created_by: user_id(&c),
                            created_at: etablera_app::iso_utc(now),
                            expires_at: etablera_app::iso_utc(now + days * 86_400),
                            revoked_at: None,
                        };
                        let audit = AuditEntry::new(
                            &row.created_at,
                            user_id(&c),
                            "plan_link.create",
                            &format!("person:{}", p.id),
                            Some(&unit),
                        );
                        s.create_plan_link(&row, &audit)?;
                        link_code = Some(code);
                    }
                    "revoke-link" => {
                        let lid: i64 = text(&f, "lid", 20)?
                            .parse()
                            .map_err(|_| bad("field `lid`: not a number".into()))?;
                        let at = etablera_app::now_utc();
                        let audit = AuditEntry::new(
                            &at,
                            user_id(&c),
                            "plan_link.revoke",
                            &format!("person:{}", p.id),
                            Some(&unit),
                        );
                        if !s.revoke_plan_link(p.id.as_str(), lid, &at, &audit)? {
                            return Err(AppError::NotFound);
                        }
                    }
                    "assign" => {
                        let users = s.users()?;
                        let find =
                            |n: &str| users.iter().find(|u| u.username == n.trim()).map(|u| u.id);
                        let cw = text(&f, "case_worker", 100)?;
                        if !cw.is_empty() {
                            p.case_worker =
                                Some(find(&cw).ok_or_else(|| {
                                    bad("field `case_worker`: no such user".into())
                                })?);
                        }
                        let mut col = Vec::new();
                        for n in text(&f, "colleagues", 500)?
                            .split(',')
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                        {
                            col.push(
                                find(n).ok_or_else(|| {
                                    bad("field `colleagues`: no such user".into())
                                })?,
                            );
                        }
                        p.colleagues = col;
                    }
                    "household" => {
                        let num = |name: &str, req: bool| -> Result<Option<u32>, AppError> {
                            match f.get(name).map(|x| x.trim()).unwrap_or("") {
                                "" if !req => Ok(None),
                                x => x
                                    .parse::<u32>()
                                    .map(Some)
                                    .map_err(|_| bad(format!("field `{name}`: a whole number"))),
                            }
                        };
                        let size = num("storlek", true)?.unwrap_or(0);
                        let rooms = num("rum", false)?;
                        let hid = p
                            .household
                            .clone()
                            .filter(|h| !h.is_empty())
                            .unwrap_or_else(|| format!("H-{}", p.id));
                        let h = etablera_register::Household {
                            id: hid.clone(),
                            unit: unit.clone(),
                            size,
                            rooms_needed: rooms.or(Some(reg::rooms_by_norm(size))),
                            housing_need: text(&f, "bostadsbehov", 500)?,
                        };
                        reg::save_household(s, &keys, &h, user_id(&c))
                            .map_err(|e| bad(e.to_string()))?;
                        p.household = Some(hid);
                    }
                    "close" => p.closed = opt_date(&f, "closed")?,
                    "restrict" => p.restricted = text(&f, "restricted", 1)? == "1",
                    _ => return Err(AppError::NotFound),
                }
                if !matches!(part.as_str(), "link" | "revoke-link")
                    && reg::save(s, &keys, &case, user_id(&c), &format!("person.{part}"))?
                        == reg::Saved::NeedsCheck
                {
                    return Ok((unit, None, None));
                }
                Ok((unit, Some(case.person.id.to_string()), link_code))
            })
            .await
    }
    .await;
    match r {
        Ok((unit, None, _)) => needs_check(&ctx, &unit),
        Ok((unit, Some(id), Some(code))) => {
            // The code is shown once; only its hash is stored.
            let lang = ctx.lang;
            let url = format!("/min-plan/{code}");
            Html(layout(&ctx, t(lang, "Länk till min plan", "Link to my plan"), &url, html! {
                h1 { (t(lang, "Länk och kod till min plan", "Link and code to my plan")) }
                p { (t(lang, "Ge personen länken eller koden. Den visas bara nu.", "Give the person the link or the code. It is shown only now.")) }
                p { (t(lang, "Länk: ", "Link: ")) a href=(url) { (url) } }
                p { (t(lang, "Kod: ", "Code: ")) strong { code { (code) } } }
                p { a href={ "/register/" (unit) "/persons/" (id) } { (t(lang, "Tillbaka till ärendet", "Back to the case")) } }
            }).into_string()).into_response()
        }
        Ok((unit, Some(id), None)) => {
            Redirect::to(&format!("/register/{unit}/persons/{id}")).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

// --- GDPR export -----------------------------------------------------------------------------

async fn export_json(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let (case, _) = check_case(s, &c, &keys, &unit, &id, A::ManageCase)?;
                log(
                    s,
                    &c,
                    &keys,
                    "web",
                    &[&case.person],
                    "GET /register/{unit}/persons/{id}/export.json",
                )?;
                Ok(reg::export_person(s, &keys, &unit, &id)?)
            })
            .await
    }
    .await;
    match r {
        Ok(v) => (
            [(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"registerutdrag.json\"".to_string(),
            )],
            Json(v),
        )
            .into_response(),
        Err(e) => fail(&ctx, e),
    }
}

async fn export_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let (case, _) = check_case(s, &c, &keys, &unit, &id, A::ManageCase)?;
                log(s, &c, &keys, "web", &[&case.person], "GET /register/{unit}/persons/{id}/export")?;
                let v = reg::export_person(s, &keys, &unit, &id)?;
                let lang = c.lang;
                let pretty = serde_json::to_string_pretty(&v).map_err(AppError::internal)?;
                Ok(layout(&c, t(lang, "Registerutdrag", "Data export"), &format!("/register/{unit}/persons/{id}/export"), html! {
                    h1 { (t(lang, "Registerutdrag", "Data export")) " – " code { (id) } }
                    p { (t(lang, "Allt som Etablera har sparat om personen: uppgifter, plan, länkar, varje läsning och varje ändring.", "Everything Etablera stores about the person: details, plan, links, every read and every change.")) }
                    @for (key, label) in [("person", t(lang, "Uppgifter och plan", "Details and plan")), ("identity", t(lang, "Identitet", "Identity")), ("household", t(lang, "Hushåll", "Household")), ("plan_links", t(lang, "Länkar till min plan", "Plan links")), ("reads", t(lang, "Läsningar", "Reads")), ("changes", t(lang, "Ändringar", "Changes"))] {
                        section {
                            h2 { (label) }
                            pre { (serde_json::to_string_pretty(&v[key]).unwrap_or_default()) }
                        }
                    }
                    details { summary { "JSON" } pre { (pretty) } }
                }))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

// --- statistics ------------------------------------------------------------------------------

async fn statistics(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let settings = check_unit(s, &c, &unit, A::ReadAggregates)?;
                let fig = reg::figures(s, &unit, reg::today())?;
                let lang = c.lang;
                let configure = register_allowed(c.principal.as_ref(), A::Configure, &unit, None, settings.caseload_only);
                let cell = |ind: RegIndicator, y: i32, sex: Sex| -> Markup {
                    let Some(fig) = &fig else { return html! { "–" } };
                    match fig.get(ind, y, sex) {
                        Some(c) if c.suppressed.is_some() => html! { span title=(if c.suppressed == Some(Suppression::Primary) { t(lang, "färre än tröskeln", "fewer than the threshold") } else { t(lang, "dold så att en annan cell inte kan räknas fram", "hidden so that another cell cannot be worked out") }) { "•" } },
                        Some(c) => match c.value {
                            Some(v) => html! { (fmt_value(v, &measure(ind), lang)) small { " (n=" (c.n) ")" } },
                            None => html! { "–" },
                        },
                        None => html! { "–" },
                    }
                };
                let years: Vec<i32> = fig.as_ref().map(|f| {
                    let mut y: Vec<i32> = f.cells.iter().map(|c| c.year).collect();
                    y.dedup();
                    y
                }).unwrap_or_default();
                let uname = unit_name(s, &unit);
                Ok(layout(&c, t(lang, "Registrets statistik", "Register statistics"), &format!("/register/{unit}/statistik"), html! {
                    h1 { (t(lang, "Registrets statistik", "Register statistics")) " – " (uname) }
                    (register_nav(lang, &unit))
                    p { (t(lang, "Kommunens egna siffror ur etableringsregistret, i de nationella definitionerna så att de kan jämföras med Kolada. Siffror som bygger på färre än ", "The municipality's own figures from the register, in the national definitions so they compare with Kolada. Figures based on fewer than ")) (settings.threshold) (t(lang, " personer visas inte (•), och inte heller en cell som annars kunde räknas fram ur totalen. En dold siffra är aldrig noll.", " people are not shown (•), nor any cell that could otherwise be worked out from the total. A hidden figure is never zero.")) }
                    @if fig.is_none() { p { (t(lang, "Registret har inga ärenden ännu.", "The register has no cases yet.")) } }
                    @for ind in RegIndicator::ALL {
                        table {
                            caption { (ind.title(lang)) @if let Some(k) = ind.kolada() { " – " (t(lang, "jämförbar med ", "compares with ")) (k) } }
                            thead { tr { th scope="col" { (t(lang, "År", "Year")) } th scope="col" { (t(lang, "Totalt", "Total")) } th scope="col" { (t(lang, "Kvinnor", "Women")) } th scope="col" { (t(lang, "Män", "Men")) } } }
                            tbody { @for y in &years { tr { th scope="row" { (y) } td { (cell(ind, *y, Sex::Total)) } td { (cell(ind, *y, Sex::Women)) } td { (cell(ind, *y, Sex::Men)) } } } }
                        }
                    }
                    @if configure {
                        form method="post" action={ "/register/" (unit) "/statistik" } {
                            input type="hidden" name="csrf" value=(c.csrf());
                            button type="submit" { (t(lang, "För över siffrorna till uppföljningen", "Send the figures to the follow-up")) }
                        }
                    }
                }))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

async fn feed(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Form(f): Form<F>,
) -> Response {
    let c = ctx.clone();
    let runs = state.runs.clone();
    let r = async {
        csrf(&c, &f)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                check_unit(s, &c, &unit, A::Configure)?;
                reg::feed_followup(s, &unit, reg::today())?;
                runs.refresh_all(s)?;
                Ok(unit)
            })
            .await
    }
    .await;
    match r {
        Ok(unit) => Redirect::to(&format!("/register/{unit}/statistik")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

// --- settings --------------------------------------------------------------------------------

async fn settings_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let st = check_unit(s, &c, &unit, A::Configure)?;
                let lang = c.lang;
                let members: Vec<(String, &'static str)> = {
                    let mut v = Vec::new();
                    for u in s.users()? {
                        for (unit2, role) in s.register_memberships(u.id)? {
                            if unit2 == unit {
                                v.push((u.display_name.clone(), role.label(lang)));
                            }
                        }
                    }
                    v
                };
                Ok(layout(&c, t(lang, "Registrets inställningar", "Register settings"), &format!("/register/{unit}/installningar"), html! {
                    h1 { (t(lang, "Registrets inställningar", "Register settings")) }
                    (register_nav(lang, &unit))
                    form method="post" action={ "/register/" (unit) "/installningar" } {
                        input type="hidden" name="csrf" value=(c.csrf());
                        label { input type="checkbox" name="caseload_only" value="1" checked[st.caseload_only]; " " (t(lang, "Handläggare ser bara sina egna ärenden och dem de är kollega på", "Case workers see only their own cases and those they are colleague on")) }
                        label for="threshold" { (t(lang, "Tröskel för röjandekontroll (personer)", "Disclosure threshold (people)")) } input #threshold name="threshold" type="number" min=(etablera_register::stats::MIN_THRESHOLD) max="100" value=(st.threshold);
                        label for="retention" { (t(lang, "Gallra avslutade ärenden efter (år)", "Remove closed cases after (years)")) } input #retention name="retention_years" type="number" min="1" max="100" value=(st.retention_years);
                        label for="review" { (t(lang, "Månader mellan uppföljningar", "Months between reviews")) } input #review name="review_months" type="number" min="1" max="24" value=(st.review_months);
                        label for="code" { (t(lang, "Ny insats i katalogen: kod", "New catalogue entry: code")) } input #code name="new_code" pattern="[a-z0-9_]{1,40}";
                        label for="cname" { (t(lang, "Namn (svenska)", "Name (Swedish)")) } input #cname name="new_name" maxlength="200";
                        button type="submit" { (t(lang, "Spara", "Save")) }
                    }
                    table {
                        caption { (t(lang, "Insatskatalog", "Intervention catalogue")) }
                        thead { tr { th scope="col" { (t(lang, "Kod", "Code")) } th scope="col" { (t(lang, "Namn", "Name")) } th scope="col" { (t(lang, "Anordnare", "Provider")) } } }
                        tbody { @for e in &st.catalogue { tr { td { code { (e.code) } } td { (e.name(PlanLang::Sv)) } td { (e.provider) } } } }
                    }
                    table {
                        caption { (t(lang, "Roller i registret", "Roles in the register")) }
                        thead { tr { th scope="col" { (t(lang, "Användare", "User")) } th scope="col" { (t(lang, "Roll", "Role")) } } }
                        tbody { @for (n, r) in &members { tr { td { (n) } td { (r) } } } }
                    }
                    p { (t(lang, "Roller sätts med ", "Roles are set with ")) code { "etablera user register-role" } "." }
                }))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

async fn save_settings(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Form(f): Form<F>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        csrf(&c, &f)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let mut st = check_unit(s, &c, &unit, A::Configure)?;
                let num = |n: &str| -> Result<u64, AppError> {
                    text(&f, n, 5)?.parse().map_err(|_| {
                        RegisterError::new(
                            n,
                            Problem::WholeNumber {
                                min: 0,
                                max: 99_999,
                            },
                        )
                        .into()
                    })
                };
                st.caseload_only = f.contains_key("caseload_only");
                st.threshold = num("threshold")?;
                st.retention_years = num("retention_years")? as u32;
                st.review_months = num("review_months")?.clamp(1, 24) as u8;
                let code = text(&f, "new_code", 40)?;
                if !code.is_empty() {
                    if !etablera_register::CatalogueEntry::valid_code(&code) {
                        return Err(RegisterError::new("new_code", Problem::Code).into());
                    }
                    let name = text(&f, "new_name", 200)?;
                    if name.is_empty() {
                        return Err(RegisterError::new("new_name", Problem::Needed).into());
                    }
                    if st.catalogue.iter().any(|e| e.code == code) {
                        return Err(AppError::Conflict(format!(
                            "field `new_code`: `{code}` is already in the catalogue"
                        )));
                    }
                    st.catalogue.push(etablera_register::CatalogueEntry {
                        code,
                        names: vec![("sv".into(), name)],
                        provider: String::new(),
                    });
                }
                reg::save_settings(s, &unit, &st, user_id(&c))?;
                Ok(unit)
            })
            .await
    }
    .await;
    match r {
        Ok(unit) => Redirect::to(&format!("/register/{unit}/installningar")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

// --- the read log (loggkontroll) -------------------------------------------------------------

#[derive(Debug, serde::Deserialize, Default)]
struct LogQuery {
    user: Option<String>,
    person: Option<String>,
    from: Option<String>,
    to: Option<String>,
    unrelated: Option<String>,
}

async fn read_log(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Query(q): Query<LogQuery>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        let keys = keys(&state)?;
        state
            .db
            .run(move |s| {
                check_unit(s, &c, &unit, A::ReadAccessLog)?;
                let chain = reg::verify_read_log(s, &keys, None)?;
                let users = s.users()?;
                let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
                for (name, v) in [("from", &q.from), ("to", &q.to)] {
                    if let Some(v) = nonempty(v) {
                        Date::parse(&v).map_err(|_| RegisterError::new(name, Problem::NotADate))?;
                    }
                }
                let user_id = nonempty(&q.user).map(|n| users.iter().find(|u| u.username == n).map(|u| u.id).unwrap_or(-1));
                let rows = s.read_log(&ReadLogFilter {
                    unit: Some(unit.to_string()),
                    user_id,
                    person_id: nonempty(&q.person),
                    from: nonempty(&q.from),
                    to: nonempty(&q.to),
                    unrelated_only: q.unrelated.is_some(),
                    limit: 500,
                    offset: 0,
                })?;
                let years = s.read_log_retention_years()?;
                let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.username.clone())).collect();
                let lang = c.lang;
                Ok(layout(&c, t(lang, "Loggkontroll", "Read log"), &format!("/register/{unit}/lasloggen"), html! {
                    h1 { (t(lang, "Loggkontroll – läsningar av personuppgifter", "Read log – reads of personal data")) }
                    (register_nav(lang, &unit))
                    p { (t(lang, "Varje visning av en persons uppgifter loggas och kan inte ändras eller tas bort. Loggen sparas i ", "Every view of a person's data is logged and cannot be changed or deleted. The log is kept for ")) (years) (t(lang, " år.", " years.")) }
                    @match &chain.broken {
                        Some((row, why)) => div.error role="alert" {
                            h2 { (t(lang, "Loggen har ändrats", "The log has been tampered with")) }
                            p { (t(lang, "Kedjan av kontrollsummor bryts vid rad ", "The chain of checksums breaks at row ")) (row) ": " (why.text(lang)) ". "
                                (t(lang, "Anmäl det till informationssäkerhetsansvarig.", "Report it to the information security officer.")) }
                        },
                        None => p.chain role="status" {
                            (t(lang, "Kedjan av kontrollsummor är hel: ", "The chain of checksums is whole: "))
                            (etablera_domain::format::number(chain.rows as f64, 0, lang)) (t(lang, " rader", " rows"))
                            @if let Some((_, head)) = &chain.head { ", " (t(lang, "huvud ", "head ")) code { (head) } }
                            "."
                        },
                    }
                    form method="get" action={ "/register/" (unit) "/lasloggen" } {
                        label for="lu" { (t(lang, "Användare", "User")) } input #lu name="user" value=(q.user.clone().unwrap_or_default());
                        label for="lp" { (t(lang, "Person (pseudonym)", "Person (pseudonym)")) } input #lp name="person" value=(q.person.clone().unwrap_or_default());
                        label for="lf" { (t(lang, "Från", "From")) } input #lf name="from" type="date" value=(q.from.clone().unwrap_or_default());
                        label for="lt" { (t(lang, "Till", "To")) } input #lt name="to" type="date" value=(q.to.clone().unwrap_or_default());
                        label { input type="checkbox" name="unrelated" value="1" checked[q.unrelated.is_some()]; " " (t(lang, "Bara läsningar utan koppling till ärendet", "Only reads with no relation to the case")) }
                        button type="submit" { (t(lang, "Filtrera", "Filter")) }
                    }
                    table {
                        caption { (t(lang, "Läsningar, senaste först", "Reads, newest first")) " (" (rows.len()) ")" }
                        thead { tr { th scope="col" { (t(lang, "Tid", "Time")) } th scope="col" { (t(lang, "Användare", "User")) } th scope="col" { (t(lang, "Person", "Person")) } th scope="col" { (t(lang, "Vy", "View")) } th scope="col" { (t(lang, "Koppling", "Relation")) } } }
                        tbody { @for e in &rows { tr {
                            td { (crate::ui::when(&e.at)) }
                            td { (e.user_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| e.via.clone())) }
                            td { a href={ "/register/" (unit) "/lasloggen?person=" (urlencode(&e.person_id)) } { code { (e.person_id) } } }
                            td { (e.view) }
                            td { @if e.related { (t(lang, "handläggare/kollega", "case worker/colleague")) } @else { strong { (t(lang, "⚠ ingen koppling", "⚠ no relation")) } } }
                        } } }
                    }
                }))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

// --- the newcomer's own plan -----------------------------------------------------------------

/// A code of 12 characters from an alphabet without look-alikes, in groups of four.
fn plan_code_new() -> String {
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let a = etablera_register::ID_ALPHABET;
    let chars: String = b
        .iter()
        .map(|x| a[(*x as usize) % a.len()] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
}

fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[derive(Debug, serde::Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

fn plan_layout(lang: PlanLang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) dir=(if lang.rtl() { "rtl" } else { "ltr" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/static/app.css";
            }
            body.plan {
                main id="main" { (body) }
            }
        }
    }
}

async fn plan_entry(Query(q): Query<LangQuery>) -> Response {
    let lang = q
        .lang
        .as_deref()
        .and_then(PlanLang::parse)
        .unwrap_or_default();
    Html(
        plan_layout(
            lang,
            lang.t(Text::Title),
            html! {
                h1 { (lang.t(Text::Title)) }
                form method="post" action="/min-plan" {
                    label for="code" { (lang.pick_code_label()) }
                    input #code name="code" autocomplete="off" required maxlength="20";
                    input type="hidden" name="lang" value=(lang.tag());
                    button type="submit" { "OK" }
                }
                (lang_menu(lang, "/min-plan"))
            },
        )
        .into_string(),
    )
    .into_response()
}

trait CodeLabel {
    fn pick_code_label(self) -> &'static str;
}
impl CodeLabel for PlanLang {
    fn pick_code_label(self) -> &'static str {
        match self {
            PlanLang::Sv => "Skriv koden du fick av din handläggare",
            PlanLang::En => "Enter the code you got from your case worker",
            PlanLang::Ar => "اكتب الرمز الذي حصلت عليه من مسؤول ملفك",
            PlanLang::Prs => "کدی را که از مسئول پرونده‌تان گرفته‌اید بنویسید",
            PlanLang::So => "Qor koodka aad ka heshay shaqaalahaaga kiiska",
            PlanLang::Ti => "ካብ ሰራሕተኛ ጉዳይካ ዝረኸብካዮ ኮድ ጽሓፍ",
        }
    }
}

async fn plan_code(Form(f): Form<F>) -> Response {
    let code = normalise_code(f.get("code").map(String::as_str).unwrap_or(""));
    let lang = f
        .get("lang")
        .and_then(|l| PlanLang::parse(l))
        .unwrap_or_default();
    Redirect::to(&format!(
        "/min-plan/{}?lang={}",
        urlencode(&code),
        lang.tag()
    ))
    .into_response()
}

fn lang_menu(current: PlanLang, path: &str) -> Markup {
    html! {
        nav aria-label=(current.t(Text::Language)) {
            ul.langs {
                @for l in PlanLang::ALL {
                    li { a href={ (path) "?lang=" (l.tag()) } lang=(l.tag()) dir=(if l.rtl() { "rtl" } else { "ltr" }) aria-current=[(l == current).then_some("page")] { (l.own_name()) } }
                }
            }
        }
    }
}

async fn plan_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let hash = sha256_hex(&normalise_code(&code));
    let r = async {
        let keys = keys(&state)?;
        state
            .db
            .run(move |s| {
                let now = etablera_app::now_utc();
                let link = s
                    .plan_link_by_hash(&hash)?
                    .filter(|l| l.revoked_at.is_none() && l.expires_at > now);
                let Some(link) = link else { return Ok(None) };
                let Some(row) = s.person(&link.person_id)? else {
                    return Ok(None);
                };
                let case = reg::from_row(&keys, &row)?;
                if case.person.anonymised || case.person.restricted {
                    return Ok(None);
                }
                reg::log_read(
                    s,
                    &keys,
                    None,
                    "plan-link",
                    &[(&case.person, false)],
                    "GET /min-plan/{code}",
                )?;
                let settings = reg::settings(s, &case.person.unit)?;
                let names = user_names(s)?;
                Ok(Some((case, link, settings, names)))
            })
            .await
    }
    .await;
    let lang_q = q.lang.as_deref().and_then(PlanLang::parse);
    match r {
        Ok(Some((case, link, settings, names))) => {
            let lang = lang_q
                .or_else(|| PlanLang::parse(&link.lang))
                .unwrap_or_default();
            let p = &case.person;
            let today = reg::today();
            let first_name = case
                .identity
                .as_ref()
                .map(|i| i.name.split_whitespace().next().unwrap_or("").to_string())
                .unwrap_or_default();
            let body = html! {
                h1 { (lang.t(Text::Title)) @if !first_name.is_empty() { " – " (first_name) } }
                p { (lang.t(Text::Intro)) }
                (lang_menu(lang, &format!("/min-plan/{code}")))
                h2 { (lang.t(Text::Activities)) }
                @if p.interventions.is_empty() { p { (lang.t(Text::NoActivities)) } } @else {
                    table {
                        thead { tr { th scope="col" { (lang.t(Text::Activity)) } th scope="col" { (lang.t(Text::From)) } th scope="col" { (lang.t(Text::To)) } th scope="col" { (lang.t(Text::Status)) } th scope="col" { (lang.t(Text::Contact)) } } }
                        tbody { @for i in &p.interventions { tr {
                            td { (settings.catalogue.iter().find(|e| e.code == i.kind).map(|e| e.name(lang).to_string()).unwrap_or_else(|| i.kind.clone())) }
                            td { span dir="ltr" { (d(i.start)) } } td { span dir="ltr" { (d(i.end)) } }
                            td { (i.status.plain(lang)) }
                            td { (i.contact) }
                        } } }
                    }
                }
                @if let Some((_, end)) = p.establishment() {
                    p { (lang.t(Text::PeriodEnds)) " " span dir="ltr" { (end) } " (" bdi { (p.days_left(today).unwrap_or(0)) } " " (lang.t(Text::DaysLeft)) ")" }
                }
                @if let Some(r) = p.next_review() { p { (lang.t(Text::NextMeeting)) ": " span dir="ltr" { (r) } } }
                @if let Some(cw) = p.case_worker.and_then(|u| names.get(&u)) { p { (lang.t(Text::CaseWorker)) ": " (cw) } }
                p { (lang.t(Text::Questions)) }
                p.small { (lang.t(Text::LinkValid)) " " span dir="ltr" { (&link.expires_at[..10]) } }
            };
            Html(plan_layout(lang, lang.t(Text::Title), body).into_string()).into_response()
        }
        Ok(None) => {
            let lang = lang_q.unwrap_or_default();
            let body = html! { h1 { (lang.t(Text::Expired)) } p { (lang.t(Text::ExpiredHelp)) } (lang_menu(lang, "/min-plan")) };
            (
                axum::http::StatusCode::NOT_FOUND,
                Html(plan_layout(lang, lang.t(Text::Expired), body).into_string()),
            )
                .into_response()
        }
        Err(e) => {
            e.log();
            let lang = lang_q.unwrap_or_default();
            let status = e.status();
            (
                status,
                Html(
                    plan_layout(
                        lang,
                        lang.t(Text::Title),
                        html! { h1 { (lang.t(Text::Expired)) } p { (lang.t(Text::ExpiredHelp)) } },
                    )
                    .into_string(),
                ),
            )
                .into_response()
        }
    }
}

// --- the JSON API ----------------------------------------------------------------------------

/// The register's part of the JSON API (under `/api/v1`), with its description.
pub(crate) fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api_persons))
        .routes(routes!(api_person))
        .routes(routes!(api_statistics))
}

#[derive(serde::Serialize)]
struct ApiPerson<'a> {
    person: &'a Person,
    name: Option<&'a str>,
    personnummer: Option<String>,
    days_left: Option<i64>,
    next_review: Option<Date>,
}

fn api_person_of(c: &Case) -> ApiPerson<'_> {
    ApiPerson {
        person: &c.person,
        name: c.identity.as_ref().map(|i| i.name.as_str()),
        personnummer: c
            .identity
            .as_ref()
            .and_then(|i| i.pnr.as_ref().map(|p| p.display())),
        days_left: c.person.days_left(reg::today()),
        next_review: c.person.next_review(),
    }
}

/// The persons the caller may read in a municipality (case workers and reception
/// managers; every person returned is written to the read log). Analysts and strategy
/// roles get 403.
#[utoipa::path(get, path = "/register/{unit}/persons",
    params(("unit" = String, Path, pattern = "^[0-9]{4}$")),
    responses((status = 200, description = "The persons", body = crate::api::schema::RegisterPersons),
              (status = 401, description = "Log in", body = crate::api::schema::Error),
              (status = 403, description = "Not a register role of the municipality", body = crate::api::schema::Error),
              (status = 404, description = "No such municipality", body = crate::api::schema::Error),
              (status = 503, description = "The register's keys are not configured", body = crate::api::schema::Error)))]
async fn api_persons(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Result<Response, ApiError> {
    let keys = keys(&state)?;
    let unit = parse_unit(&unit)?;
    let v = state
        .db
        .run(move |s| {
            let settings = check_unit(s, &ctx, &unit, A::ListCases)?;
            let mut cases = Vec::new();
            for row in s.persons(&unit)? {
                let p = reg::person_of(&row)?;
                if register_allowed(
                    ctx.principal.as_ref(),
                    A::ReadPerson,
                    &unit,
                    Some(relation(&ctx, &p)),
                    settings.caseload_only,
                ) {
                    cases.push(reg::from_row(&keys, &row)?);
                }
            }
            let refs: Vec<&Person> = cases.iter().map(|c| &c.person).collect();
            log(
                s,
                &ctx,
                &keys,
                "api",
                &refs,
                "GET /api/v1/register/{unit}/persons",
            )?;
            let items: Vec<ApiPerson> = cases.iter().map(api_person_of).collect();
            Ok(serde_json::json!({ "items": items, "total": items.len() }))
        })
        .await?;
    Ok(Json(v).into_response())
}

/// One person of the register (the read is logged).
#[utoipa::path(get, path = "/register/{unit}/persons/{id}",
    params(("unit" = String, Path, pattern = "^[0-9]{4}$"), ("id" = String, Path)),
    responses((status = 200, description = "The person", body = crate::api::schema::RegisterPerson),
              (status = 401, description = "Log in", body = crate::api::schema::Error),
              (status = 403, description = "Not allowed to read this person", body = crate::api::schema::Error),
              (status = 404, description = "No such person", body = crate::api::schema::Error),
              (status = 503, description = "The register's keys are not configured", body = crate::api::schema::Error)))]
async fn api_person(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let keys = keys(&state)?;
    let unit = parse_unit(&unit)?;
    let v = state
        .db
        .run(move |s| {
            let (case, _) = check_case(s, &ctx, &keys, &unit, &id, A::ReadPerson)?;
            log(
                s,
                &ctx,
                &keys,
                "api",
                &[&case.person],
                "GET /api/v1/register/{unit}/persons/{id}",
            )?;
            serde_json::to_value(api_person_of(&case)).map_err(AppError::internal)
        })
        .await?;
    Ok(Json(v).into_response())
}

/// The register's own indicators per year and sex, with small counts suppressed (primary
/// and secondary); a suppressed cell has no value, never 0.
#[utoipa::path(get, path = "/register/{unit}/statistics",
    params(("unit" = String, Path, pattern = "^[0-9]{4}$")),
    responses((status = 200, description = "The statistics", body = crate::api::schema::RegisterStatistics),
              (status = 401, description = "Log in", body = crate::api::schema::Error),
              (status = 403, description = "Not allowed", body = crate::api::schema::Error),
              (status = 404, description = "No such municipality", body = crate::api::schema::Error)))]
async fn api_statistics(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Result<Response, ApiError> {
    let unit = parse_unit(&unit)?;
    let v = state
        .db
        .run(move |s| {
            let settings = check_unit(s, &ctx, &unit, A::ReadAggregates)?;
            let fig = reg::figures(s, &unit, reg::today())?;
            let cells: Vec<serde_json::Value> = fig
                .map(|f| f.cells)
                .unwrap_or_default()
                .into_iter()
                .map(|c| {
                    let suppressed = c.suppressed.is_some();
                    serde_json::json!({
                        "indicator": c.indicator.id(),
                        "year": c.year,
                        "sex": c.sex,
                        "value": c.value,
                        "n": if suppressed { None } else { Some(c.n) },
                        "suppressed": c.suppressed,
                    })
                })
                .collect();
            Ok(serde_json::json!({ "unit": unit, "threshold": settings.threshold, "cells": cells }))
        })
        .await?;
    Ok(Json(v).into_response())
}
