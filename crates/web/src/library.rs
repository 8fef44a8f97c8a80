//! The strategy library: every municipality's strategies and programmes that someone has
//! added, searched in Swedish (a compound finds its parts and the parts the compound), and
//! the list of what is in it. Every logged-in user reads it (`app::library`).

use crate::auth::Ctx;
use crate::i18n::tr;
use crate::ui::{fail, layout};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use etablera_app::{catalogue, library};
use maud::{html, Markup};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bibliotek", get(page))
        .route("/bibliotek/jamforelse", get(comparison))
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
    let r = state
        .db
        .app(move |c| {
            let entries = library::entries(c, &a)?;
            let listed = library::listings(c, &a)?;
            let found = if asked.is_empty() {
                Vec::new()
            } else {
                library::search(c, &a, &asked, 20)?
            };
            let names: HashMap<String, String> = catalogue::units(c)?
                .into_iter()
                .map(|u| (u.code.as_str().to_string(), u.name))
                .collect();
            Ok((entries, listed, found, names))
        })
        .await;
    let (entries, listed, found, names) = match r {
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
            } }
            tbody { @for e in &entries { tr {
                td { (e.meta.title) }
                td { (name(&e.meta.unit_code)) }
                td { (e.meta.year.map(|y| y.to_string()).unwrap_or_else(|| "–".into())) }
                td { (e.meta.kind) }
                td.num { @if e.paragraphs == 0 { (tr(lang, "library-text-missing")) } @else { (e.paragraphs) } }
            } } }
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
