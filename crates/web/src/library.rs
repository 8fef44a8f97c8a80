//! The strategy library: every municipality's strategies and programmes that someone has
//! added, searched in Swedish (a compound finds its parts and the parts the compound), and
//! the list of what is in it. Every logged-in user reads it (`app::library`).

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::Checked;
use crate::ui::{fail, layout};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use etablera_app::{catalogue, library};
use maud::{html, Markup};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bibliotek", get(page))
        .route("/bibliotek/jamforelse", get(comparison))
        .route(
            "/bibliotek/ny",
            crate::upload(post(add), library::MAX_TEXT_BYTES + (1 << 20)),
        )
        .route("/bibliotek/{id}/andra", get(change_page).post(change))
        .route("/bibliotek/{id}/ta-bort", post(remove))
        .route("/bibliotek/{id}/utkast", get(drafts_page))
        .route("/bibliotek/{id}/utkast/{n}/godta", post(accept))
        .route("/bibliotek/{id}/utkast/{n}/avvisa", post(reject))
}

/// A year field: empty is none; otherwise digits.
fn year_field(text: &str) -> Result<Option<i32>, ()> {
    match text.trim() {
        "" => Ok(None),
        y => y.parse().map(Some).map_err(|_| ()),
    }
}

#[derive(Debug, serde::Deserialize)]
struct AcceptForm {
    csrf: String,
    /// "strategy id|goal id".
    place: String,
    indicator: String,
    #[serde(default)]
    comparator: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    year: String,
}

crate::ui::with_csrf!(AcceptForm);

/// The targets read out of an entry's text, each with the reader's municipality's review,
/// and forms to accept one into the reader's own strategy or reject it.
async fn drafts_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Response {
    let lang = ctx.lang;
    let a = ctx.actor();
    let r = match state
        .db
        .app(move |c| Ok(etablera_app::drafts::review(c, &a, id)?))
        .await
    {
        Ok(r) => r,
        Err(e) => return fail(&ctx, e),
    };
    let title = tr(lang, "drafts-title");
    let body = html! {
        h1 { (title) ": " (r.entry.meta.title) }
        p { (tr(lang, "drafts-intro")) }
        @if r.drafts.is_empty() { p role="status" { (tr(lang, "drafts-none")) } }
        @for d in &r.drafts {
            section aria-labelledby=(format!("d{}", d.n)) {
                h2 id=(format!("d{}", d.n)) { (d.n + 1) ". " (d.level) }
                blockquote { (d.draft.draft.sentence) }
                p {
                    @if let Some(p) = d.page { (tr(lang, "library-page")) " " (p) ". " }
                    (tr(lang, "drafts-kpis")) ": "
                    @for (i, k) in d.draft.kpis.iter().enumerate() {
                        @if i > 0 { "; " }
                        (k.id) " " (k.title)
                    }
                }
                @match &d.review {
                    Some(rv) if rv.state == "accepted" => {
                        p.status { (tr(lang, "drafts-accepted")) " "
                            @if let (Some(s), Some(t)) = (&rv.strategy_id, &rv.target_id) {
                                a href=(format!("/s/{s}/t/{t}")) { (s) " / " (t) }
                            }
                        }
                    }
                    Some(_) => { p.status { (tr(lang, "drafts-rejected")) } }
                    None if r.unit.is_some() => {
                        @if !r.strategies.is_empty() {
                            form method="post" action=(format!("/bibliotek/{id}/utkast/{}/godta", d.n)) {
                                input type="hidden" name="csrf" value=(ctx.csrf());
                                p {
                                    label for=(format!("place{}", d.n)) { (tr(lang, "drafts-place")) }
                                    select id=(format!("place{}", d.n)) name="place" required {
                                        @for (s, goals) in &r.strategies {
                                            optgroup label=(s.title) {
                                                @for (gid, gt) in goals { option value=(format!("{}|{gid}", s.id)) { (gt) } }
                                            }
                                        }
                                    }
                                }
                                p {
                                    label for=(format!("ind{}", d.n)) { (tr(lang, "drafts-indicator")) }
                                    input id=(format!("ind{}", d.n)) name="indicator" type="text" required
                                        value=(d.draft.kpis.first().map(|k| k.id.as_str()).unwrap_or(""));
                                }
                                p {
                                    label for=(format!("cmp{}", d.n)) { (tr(lang, "drafts-comparator")) }
                                    select id=(format!("cmp{}", d.n)) name="comparator" {
                                        option value="" { (tr(lang, "drafts-as-read")) }
                                        option value="at_least" { (lang.pick("minst", "at least")) }
                                        option value="at_most" { (lang.pick("högst", "at most")) }
                                        option value="increase" { (lang.pick("öka", "increase")) }
                                        option value="decrease" { (lang.pick("minska", "decrease")) }
                                    }
                                }
                                p {
                                    label for=(format!("val{}", d.n)) { (tr(lang, "drafts-value")) }
                                    input id=(format!("val{}", d.n)) name="value" type="text" inputmode="decimal"
                                        value=(d.draft.draft.value.map(|v| etablera_domain::format::number(v, if v.fract() == 0.0 { 0 } else { 1 }, lang)).unwrap_or_default());
                                }
                                p {
                                    label for=(format!("year{}", d.n)) { (tr(lang, "year")) }
                                    input id=(format!("year{}", d.n)) name="year" type="text" inputmode="numeric"
                                        value=(d.draft.draft.year.map(|y| y.to_string()).unwrap_or_default());
                                }
                                p { button type="submit" { (tr(lang, "drafts-accept")) } }
                            }
                        }
                        form method="post" action=(format!("/bibliotek/{id}/utkast/{}/avvisa", d.n)) {
                            input type="hidden" name="csrf" value=(ctx.csrf());
                            p { button type="submit" { (tr(lang, "drafts-reject")) } }
                        }
                    }
                    None => {}
                }
            }
        }
        p { a href="/bibliotek" { (tr(lang, "library-title")) } }
    };
    Html(layout(&ctx, title, "/bibliotek", body).into_string()).into_response()
}

async fn accept(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, n)): Path<(i64, usize)>,
    Checked(f): Checked<AcceptForm>,
) -> Response {
    use etablera_app::drafts::Comparator;
    let lang = ctx.lang;
    let bad = |field: &str, sv: &str, en: &str| {
        fail(
            &ctx,
            etablera_app::Error::Fields(vec![(field.into(), lang.pick(sv, en).into())]).into(),
        )
    };
    let Some((strategy_id, goal)) = f.place.split_once('|') else {
        return bad(
            "place",
            "Välj strategi och mål.",
            "Choose a strategy and goal.",
        );
    };
    let comparator = match f.comparator.as_str() {
        "" => None,
        "at_least" => Some(Comparator::AtLeast),
        "at_most" => Some(Comparator::AtMost),
        "increase" => Some(Comparator::Increase),
        "decrease" => Some(Comparator::Decrease),
        _ => return bad("comparator", "Okänt jämförelsesätt.", "Unknown comparator."),
    };
    let value = match f.value.trim() {
        "" => None,
        v => match etablera_ingest::parse_number(v) {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                return bad(
                    "value",
                    "Värdet ska vara ett tal, t.ex. 47,5.",
                    "The value must be a number, e.g. 47.5.",
                )
            }
        },
    };
    let Ok(year) = year_field(&f.year) else {
        return bad(
            "year",
            "Ange året med siffror, t.ex. 2025.",
            "Give the year in digits, e.g. 2025.",
        );
    };
    let acceptance = etablera_app::drafts::Acceptance {
        strategy_id: strategy_id.to_string(),
        goal: goal.to_string(),
        indicator: f.indicator,
        comparator,
        value,
        year,
    };
    let a = ctx.actor();
    match state
        .db
        .app(move |c| Ok(etablera_app::drafts::accept(c, &a, id, n, acceptance)?))
        .await
    {
        Ok(_) => Redirect::to(&format!("/bibliotek/{id}/utkast#d{n}")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

async fn reject(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, n)): Path<(i64, usize)>,
    Checked(_f): Checked<RemoveForm>,
) -> Response {
    let a = ctx.actor();
    match state
        .db
        .app(move |c| Ok(etablera_app::drafts::reject(c, &a, id, n)?))
        .await
    {
        Ok(()) => Redirect::to(&format!("/bibliotek/{id}/utkast#d{n}")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

/// Adds a document sent from the library page (multipart: the file and what it is).
async fn add(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = ctx.lang;
    let crate::ui::UploadForm {
        fields,
        file_name: name,
        bytes,
    } = match crate::ui::UploadForm::read(&ctx, mp, library::MAX_TEXT_BYTES).await {
        Ok(f) => f,
        Err(e) => return fail(&ctx, e),
    };
    let field = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let Ok(year) = year_field(&field("year")) else {
        return fail(
            &ctx,
            AppError::BadRequest(tr(lang, "library-year-error").into()),
        );
    };
    let doc = library::NewDocument {
        municipality: field("municipality"),
        title: field("title"),
        year,
        kind: field("kind"),
        source: Some(field("source")),
        file_name: name,
        bytes,
    };
    let a = ctx.actor();
    match state.db.app(move |c| Ok(library::add(c, &a, doc)?)).await {
        Ok(id) => Redirect::to(&format!("/bibliotek?tillagd={id}")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Debug, serde::Deserialize)]
struct ChangeForm {
    csrf: String,
    municipality: String,
    title: String,
    year: String,
    kind: String,
    #[serde(default)]
    source: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    published: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct RemoveForm {
    csrf: String,
}

crate::ui::with_csrf!(ChangeForm, RemoveForm);

/// The fields of an entry (the add form when `entry` is `None`).
fn entry_fields(
    ctx: &Ctx,
    units: &[(String, String)],
    entry: Option<&library::LibraryEntry>,
) -> Markup {
    let lang = ctx.lang;
    let m = entry.map(|e| &e.meta);
    let unit = m.map(|m| m.unit_code.as_str()).unwrap_or("");
    let kind = m.map(|m| m.kind.as_str()).unwrap_or("strategi");
    html! {
        input type="hidden" name="csrf" value=(ctx.csrf());
        p {
            label for="lib-municipality" { (tr(lang, "municipality")) }
            select id="lib-municipality" name="municipality" required {
                option value="" { "–" }
                @for (code, name) in units { option value=(code) selected[code == unit] { (name) } }
            }
        }
        p {
            label for="lib-title" { (tr(lang, "title")) }
            input id="lib-title" name="title" type="text" maxlength="300" required value=(m.map(|m| m.title.as_str()).unwrap_or(""));
        }
        p {
            label for="lib-year" { (tr(lang, "year")) }
            input id="lib-year" name="year" type="text" inputmode="numeric" value=(m.and_then(|m| m.year).map(|y| y.to_string()).unwrap_or_default());
        }
        p {
            label for="lib-kind" { (tr(lang, "library-kind")) }
            select id="lib-kind" name="kind" {
                @for k in library::KINDS { option value=(k) selected[*k == kind] { (k) } }
            }
        }
        p {
            label for="lib-source" { (tr(lang, "library-source")) }
            input id="lib-source" name="source" type="text" maxlength="2000" value=(m.and_then(|m| m.source.as_deref()).unwrap_or(""));
        }
        @if let Some(m) = m {
            p {
                input id="lib-published" name="published" type="checkbox" checked[m.published];
                " "
                label for="lib-published" { (tr(lang, "library-published")) }
            }
        }
    }
}

/// The counties, by their two-digit code, named by their region.
fn county_choices(names: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = names
        .iter()
        .filter(|(code, _)| code.len() == 4 && code.starts_with("00") && code.as_str() != "0000")
        .map(|(c, n)| (c[2..].to_string(), n.clone()))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

fn unit_choices(names: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut units: Vec<(String, String)> = names
        .iter()
        .filter(|(code, _)| code.len() == 4 && !code.starts_with("00"))
        .map(|(c, n)| (c.clone(), n.clone()))
        .collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    units
}

async fn change_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Response {
    let lang = ctx.lang;
    let a = ctx.actor();
    let r = state
        .db
        .app(move |c| {
            let e = library::get(c, &a, id)?;
            if !library::may_change_entry(&a, &e) {
                return Err(etablera_app::Error::Forbidden.into());
            }
            let names: HashMap<String, String> = catalogue::units(c)?
                .into_iter()
                .map(|u| (u.code.as_str().to_string(), u.name))
                .collect();
            Ok((e, names))
        })
        .await;
    let (entry, names) = match r {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let units = unit_choices(&names);
    let title = tr(lang, "library-change");
    let body = html! {
        h1 { (title) ": " (entry.meta.title) }
        form method="post" action=(format!("/bibliotek/{id}/andra")) {
            (entry_fields(&ctx, &units, Some(&entry)))
            p { button type="submit" { (tr(lang, "save")) } " " a href="/bibliotek" { (tr(lang, "cancel")) } }
        }
        h2 { (tr(lang, "library-remove")) }
        p { (tr(lang, "library-remove-intro")) }
        form method="post" action=(format!("/bibliotek/{id}/ta-bort")) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p { button type="submit" { (tr(lang, "library-remove")) } }
        }
    };
    Html(layout(&ctx, title, "/bibliotek", body).into_string()).into_response()
}

async fn change(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    Checked(f): Checked<ChangeForm>,
) -> Response {
    let Ok(year) = year_field(&f.year) else {
        return fail(
            &ctx,
            AppError::BadRequest(tr(ctx.lang, "library-year-error").into()),
        );
    };
    let change = library::EntryChange {
        municipality: f.municipality,
        title: f.title,
        year,
        kind: f.kind,
        source: Some(f.source),
        published: f.published.is_some(),
    };
    let a = ctx.actor();
    match state
        .db
        .app(move |c| Ok(library::change(c, &a, id, change)?))
        .await
    {
        Ok(()) => Redirect::to("/bibliotek").into_response(),
        Err(e) => fail(&ctx, e),
    }
}

async fn remove(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    Checked(_f): Checked<RemoveForm>,
) -> Response {
    let a = ctx.actor();
    match state.db.app(move |c| Ok(library::remove(c, &a, id)?)).await {
        Ok(()) => Redirect::to("/bibliotek").into_response(),
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Debug, serde::Deserialize)]
struct ComparisonQuery {
    indikator: Option<String>,
}

/// Other municipalities' targets for one indicator (`app::comparison`): each with its
/// level and year, the latest value and the status under its own target.
async fn comparison(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ComparisonQuery>,
) -> Response {
    let lang = ctx.lang;
    let asked: String = q
        .indikator
        .unwrap_or_default()
        .trim()
        .chars()
        .take(40)
        .collect();
    let a = ctx.actor();
    let id = asked.clone();
    let r = state
        .db
        .app(move |c| {
            if id.is_empty() {
                // Asked for nothing: only the form (reading needs a login all the same).
                a.principal().ok_or(etablera_app::Error::Unauthorized)?;
                return Ok(None);
            }
            match etablera_app::comparison::compare(c, &a, &id) {
                Ok(x) => Ok(Some(Ok(x))),
                Err(etablera_app::Error::NotFound) => Ok(Some(Err(()))),
                Err(e) => Err(e.into()),
            }
        })
        .await;
    let found = match r {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let title = tr(lang, "comparison-title");
    let body = html! {
        h1 { (title) }
        p { (tr(lang, "comparison-intro")) }
        form method="get" action="/bibliotek/jamforelse" {
            p {
                label for="cmp-ind" { (tr(lang, "comparison-indicator-label")) }
                input id="cmp-ind" name="indikator" type="text" value=(asked) autocomplete="off";
                " " button type="submit" { (tr(lang, "show")) }
            }
        }
        @match &found {
            None => {}
            Some(Err(())) => { p role="status" { (tr(lang, "comparison-unknown")) " «" (asked) "»" } }
            Some(Ok(c)) => {
                h2 { (c.indicator.title) " (" (c.indicator.id) ")" }
                @if c.rows.is_empty() {
                    p role="status" { (tr(lang, "comparison-none")) }
                } @else {
                    table.comparison {
                        caption { (tr(lang, "comparison-caption")) " (" (c.rows.len()) ")" }
                        thead { tr {
                            th scope="col" { (tr(lang, "municipality")) }
                            th scope="col" { (tr(lang, "comparison-target")) }
                            th scope="col" { (tr(lang, "year")) }
                            th scope="col" { (tr(lang, "comparison-source")) }
                            th scope="col" class="num" { (tr(lang, "comparison-latest")) }
                            th scope="col" { (tr(lang, "status")) }
                        } }
                        tbody { @for r in &c.rows { tr {
                            th scope="row" { (r.unit_name) }
                            td { (r.level) }
                            td { (r.target_year.map(|y| y.to_string()).unwrap_or_else(|| "–".into())) }
                            td { @match &r.source {
                                etablera_app::comparison::Source::Strategy { strategy_id, strategy_title, target_id } => {
                                    a href=(format!("/s/{strategy_id}/t/{target_id}")) { (strategy_title) }
                                }
                                etablera_app::comparison::Source::Library { entry_title, page, .. } => {
                                    (entry_title)
                                    @if let Some(p) = page { ", " (tr(lang, "library-page")) " " (p) }
                                    " – " em { (tr(lang, "comparison-draft")) }
                                }
                            } }
                            td.num { @match r.latest {
                                Some(p) => {
                                    (etablera_domain::format::value(p.value, &c.indicator.unit, lang))
                                    " (" (p.period.label(lang)) ")"
                                    @if r.fictitious { "*" }
                                }
                                None => "–",
                            } }
                            td { (etablera_app::comparison::status_label(r.status, lang)) }
                        } } }
                    }
                    p.source {
                        (c.indicator.source.citation(lang))
                        @if c.rows.iter().any(|r| r.fictitious) { ". * " strong { (tr(lang, "fictitious-demo-data")) } }
                    }
                }
            }
        }
    };
    Html(layout(&ctx, title, "/bibliotek", body).into_string()).into_response()
}

#[derive(Debug, serde::Deserialize)]
struct SearchQuery {
    q: Option<String>,
    kommun: Option<String>,
    lan: Option<String>,
    fran: Option<String>,
    till: Option<String>,
    slag: Option<String>,
    /// "1" (the checkbox): only documents with targets read out of them.
    mal: Option<String>,
    indikator: Option<String>,
}

/// A snippet with its matches (between « and », as the index marks them) in `<mark>`; the
/// text itself escaped.
fn marked(snippet: &str) -> Markup {
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut rest = snippet;
    while let Some((before, after)) = rest.split_once('«') {
        parts.push((false, before));
        let (inside, next) = after.split_once('»').unwrap_or((after, ""));
        parts.push((true, inside));
        rest = next;
    }
    parts.push((false, rest));
    html! { @for (hit, text) in parts { @if hit { mark { (text) } } @else { (text) } } }
}

async fn page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let lang = ctx.lang;
    let text: String = q.q.unwrap_or_default().chars().take(200).collect();
    let query = text.trim().to_string();
    let a = ctx.actor();
    let asked = query.clone();
    let short = |s: &Option<String>| {
        s.as_deref()
            .map(|v| v.trim().chars().take(100).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    let year = |s: &Option<String>| short(s).and_then(|v| v.parse::<i32>().ok());
    let filter = library::Filter {
        municipality: short(&q.kommun),
        county: short(&q.lan),
        from_year: year(&q.fran),
        to_year: year(&q.till),
        kind: short(&q.slag),
        has_targets: q.mal.as_deref() == Some("1"),
        indicator: short(&q.indikator),
    };
    let shown = filter.clone();
    let r = state
        .db
        .app(move |c| {
            let entries = library::entries(c, &a)?;
            let listed = library::listings(c, &a)?;
            let found = if asked.is_empty() {
                Vec::new()
            } else {
                library::search_filtered(c, &a, &asked, &filter, 20)?
            };
            let names: HashMap<String, String> = catalogue::units(c)?
                .into_iter()
                .map(|u| (u.code.as_str().to_string(), u.name))
                .collect();
            let may_add = library::may_add_documents(&a);
            let changeable: Vec<i64> = entries
                .iter()
                .filter(|e| library::may_change_entry(&a, e))
                .map(|e| e.id)
                .collect();
            Ok((entries, listed, found, names, may_add, changeable))
        })
        .await;
    let (entries, listed, found, names, may_add, changeable) = match r {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let body = html! {
        h1 { (tr(lang, "library-title")) }
        p { (tr(lang, "library-intro")) }
        form method="get" action="/bibliotek" role="search" {
            p {
                label for="lib-q" { (tr(lang, "library-search-label")) }
                input id="lib-q" name="q" type="search" value=(text);
                " " button type="submit" { (tr(lang, "search")) }
            }
            details open[shown.municipality.is_some() || shown.county.is_some() || shown.from_year.is_some() || shown.to_year.is_some() || shown.kind.is_some() || shown.has_targets || shown.indicator.is_some()] {
                summary { (tr(lang, "library-filters")) }
                p {
                    label for="lib-kommun" { (tr(lang, "municipality")) }
                    select id="lib-kommun" name="kommun" {
                        option value="" { (tr(lang, "library-all")) }
                        @for (code, n) in &unit_choices(&names) { option value=(code) selected[shown.municipality.as_deref() == Some(code.as_str())] { (n) } }
                    }
                }
                p {
                    label for="lib-lan" { (tr(lang, "library-county")) }
                    select id="lib-lan" name="lan" {
                        option value="" { (tr(lang, "library-all")) }
                        @for (code, n) in &county_choices(&names) { option value=(code) selected[shown.county.as_deref() == Some(code.as_str())] { (n) } }
                    }
                }
                p {
                    label for="lib-fran" { (tr(lang, "library-from-year")) }
                    input id="lib-fran" name="fran" type="text" inputmode="numeric" size="4" value=(shown.from_year.map(|y| y.to_string()).unwrap_or_default());
                    " "
                    label for="lib-till" { (tr(lang, "library-to-year")) }
                    input id="lib-till" name="till" type="text" inputmode="numeric" size="4" value=(shown.to_year.map(|y| y.to_string()).unwrap_or_default());
                }
                p {
                    label for="lib-slag" { (tr(lang, "library-kind")) }
                    select id="lib-slag" name="slag" {
                        option value="" { (tr(lang, "library-all")) }
                        @for k in library::KINDS { option value=(k) selected[shown.kind.as_deref() == Some(*k)] { (k) } }
                    }
                }
                p {
                    input id="lib-mal" name="mal" type="checkbox" value="1" checked[shown.has_targets];
                    " "
                    label for="lib-mal" { (tr(lang, "library-has-targets")) }
                }
                p {
                    label for="lib-indikator" { (tr(lang, "library-indicator")) }
                    input id="lib-indikator" name="indikator" type="text" size="8" aria-describedby="lib-indikator-hint" value=(shown.indicator.clone().unwrap_or_default());
                    " "
                    span id="lib-indikator-hint" { (tr(lang, "library-indicator-hint")) }
                }
            }
        }
        @if !query.is_empty() {
            p role="status" { (found.len()) " " (tr(lang, "library-documents-for")) " «" (query) "»" }
            @if !found.is_empty() {
                ol.library-hits {
                    @for f in &found {
                        li {
                            strong { (f.entry.meta.title) }
                            " – " (name(&f.entry.meta.unit_code))
                            @if let Some(y) = f.entry.meta.year { ", " (y) }
                            ", " (f.entry.meta.kind)
                            @if let Some(p) = f.hit.page { ", " (tr(lang, "library-page")) " " (p) }
                            p { (marked(&f.hit.snippet)) }
                        }
                    }
                }
            }
        }
        table {
            caption { (tr(lang, "library-entries")) " (" (entries.len()) ")" }
            thead { tr {
                th scope="col" { (tr(lang, "title")) }
                th scope="col" { (tr(lang, "municipality")) }
                th scope="col" { (tr(lang, "year")) }
                th scope="col" { (tr(lang, "library-kind")) }
                th scope="col" class="num" { (tr(lang, "library-paragraphs")) }
                @if !changeable.is_empty() { th scope="col" { span.sr-only { (tr(lang, "library-change")) } } }
            } }
            tbody { @for e in &entries { tr {
                td { (e.meta.title) }
                td { (name(&e.meta.unit_code)) }
                td { (e.meta.year.map(|y| y.to_string()).unwrap_or_else(|| "–".into())) }
                td { (e.meta.kind) }
                td.num { @if e.paragraphs == 0 { (tr(lang, "library-text-missing")) } @else {
                    (e.paragraphs) " – " a href=(format!("/bibliotek/{}/utkast", e.id)) { (tr(lang, "drafts-link")) span.sr-only { ": " (e.meta.title) } }
                } }
                @if !changeable.is_empty() { td { @if changeable.contains(&e.id) {
                    a href=(format!("/bibliotek/{}/andra", e.id)) { (tr(lang, "library-change")) span.sr-only { ": " (e.meta.title) } }
                } } }
            } } }
        }
        @if may_add {
            h2 id="add" { (tr(lang, "library-add")) }
            p { (tr(lang, "library-add-intro")) }
            form method="post" action="/bibliotek/ny" enctype="multipart/form-data" aria-labelledby="add" {
                p {
                    label for="lib-file" { (tr(lang, "library-file")) }
                    input id="lib-file" name="file" type="file" required accept=".pdf,.docx,.txt,application/pdf,text/plain";
                }
                (entry_fields(&ctx, &unit_choices(&names), None))
                p { button type="submit" { (tr(lang, "library-add")) } }
            }
        }
        @if !listed.is_empty() {
            h2 id="listed" { (tr(lang, "library-listed")) }
            p { (tr(lang, "library-listed-intro")) }
            table aria-labelledby="listed" {
                thead { tr {
                    th scope="col" { (tr(lang, "title")) }
                    th scope="col" { (tr(lang, "municipality")) }
                    th scope="col" { (tr(lang, "year")) }
                    th scope="col" { (tr(lang, "library-kind")) }
                    th scope="col" { (tr(lang, "library-listed-in")) }
                } }
                tbody { @for l in &listed { tr {
                    td { (l.title) }
                    td { @match &l.unit_code { Some(c) => (name(c)), None => (tr(lang, "library-unknown")) } }
                    td { (l.year.map(|y| y.to_string()).unwrap_or_else(|| tr(lang, "library-unknown").to_string())) }
                    td { (l.kind) }
                    td { (l.listed_in) ", " (tr(lang, "library-line")) " " (l.line) }
                } } }
            }
        }
    };
    Html(layout(&ctx, tr(lang, "library-title"), "/bibliotek", body).into_string()).into_response()
}
