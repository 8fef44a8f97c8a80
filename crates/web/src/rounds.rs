//! The yearly reporting round on the web: the list of a strategy's rounds with the form that
//! opens one, the round's page (progress at a glance, each department's task with its
//! activities, the forms each reader may use), and the adopted documents. Every form posts
//! to [`etablera_app::rounds`], which checks access and writes with its audit entry.

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::tr;
use crate::plan::{status_code, STATUSES};
use crate::ui::{fail, layout, urlencode, Checked};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use etablera_app::rounds::{self, DecisionInput, RoundView};
use etablera_app::{strategies, BoardFormat};
use etablera_domain::access::Action;
use etablera_domain::round::{RoundState, TaskState};
use maud::{html, Markup};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{id}/omgangar", get(list).post(open))
        .route("/s/{id}/omgangar/{year}", get(page))
        .route(
            "/s/{id}/omgangar/{year}/{dept}/aktivitet/{activity}",
            post(report),
        )
        .route("/s/{id}/omgangar/{year}/{dept}/lamna-in", post(submit))
        .route("/s/{id}/omgangar/{year}/{dept}/granska", post(review))
        .route("/s/{id}/omgangar/{year}/{dept}/rapportor", post(reporter))
        .route("/s/{id}/omgangar/{year}/godkann", post(approve))
        .route("/s/{id}/omgangar/{year}/anta", post(adopt))
        .route("/s/{id}/omgangar/{year}/oppna-igen", post(reopen))
        .route("/s/{id}/omgangar/{year}/antagen.pdf", get(adopted_pdf))
        .route("/s/{id}/omgangar/{year}/antagen.docx", get(adopted_docx))
}

type Form = HashMap<String, String>;

fn field<'a>(f: &'a Form, name: &str) -> &'a str {
    f.get(name).map_or("", String::as_str)
}

fn round_path(id: &str, year: i32) -> String {
    format!("/s/{}/omgangar/{year}", urlencode(id))
}

async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| {
            let actor = c.actor();
            let s = strategies::open(conn, &actor, &id, Action::Read)?;
            let list = rounds::list(conn, &actor, &id)?;
            Ok((s, list))
        })
        .await;
    let (s, list) = match r {
        Ok(x) => x,
        Err(e) => return fail(&ctx, e),
    };
    let may_open =
        etablera_domain::access::allowed(ctx.principal.as_ref(), Action::Write, &s.owner, false);
    let path = format!("/s/{}/omgangar", s.id);
    let body = html! {
        nav aria-label=(tr(lang, "breadcrumbs")) { a href={ "/s/" (s.id) } { (s.title) } }
        h1 { (tr(lang, "rounds")) }
        @if list.is_empty() {
            p { (tr(lang, "no-rounds")) }
        } @else {
            table {
                caption.sr-only { (tr(lang, "rounds")) }
                thead { tr {
                    th scope="col" { (tr(lang, "year")) }
                    th scope="col" { (tr(lang, "deadline")) }
                    th scope="col" { (tr(lang, "round-state")) }
                } }
                tbody { @for r in &list { tr {
                    td { a href=(round_path(&s.id, r.year)) { (r.year) } }
                    td { (r.deadline) }
                    td { (state_label(r.state, lang)) }
                } } }
            }
        }
        @if may_open {
            h2 { (tr(lang, "open-round")) }
            form method="post" action=(path) {
                input type="hidden" name="csrf" value=(ctx.csrf());
                p {
                    label for="o-year" { (tr(lang, "year")) }
                    input id="o-year" name="year" type="number" min=(s.period_from) max=(s.period_to + 1) value=(s.period_to) required;
                }
                p {
                    label for="o-deadline" { (tr(lang, "deadline")) " " span.hint { "(ÅÅÅÅ-MM-DD)" } }
                    input id="o-deadline" name="deadline" type="date" required;
                }
                p { button type="submit" { (tr(lang, "open-round")) } }
            }
        }
    };
    Html(layout(&ctx, tr(lang, "rounds"), &path, body).into_string()).into_response()
}

fn state_label(s: RoundState, lang: etablera_domain::Lang) -> &'static str {
    match s {
        RoundState::Open => lang.pick("öppen", "open"),
        RoundState::Approved => lang.pick("godkänd", "approved"),
        RoundState::Adopted => lang.pick("antagen", "adopted"),
    }
}

async fn open(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Checked(f): Checked<Form>,
) -> Response {
    let Ok(year) = field(&f, "year").trim().parse::<i32>() else {
        return fail(
            &ctx,
            AppError::BadRequest(tr(ctx.lang, "choose-year-from-1990-2100").into()),
        );
    };
    let c = ctx.clone();
    let id2 = id.clone();
    let deadline = field(&f, "deadline").to_string();
    let r = state
        .db
        .app(move |conn| Ok(rounds::open(conn, &c.actor(), &id2, year, &deadline)?))
        .await;
    match r {
        Ok(_) => Redirect::to(&round_path(&id, year)).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

async fn page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year)): Path<(String, i32)>,
) -> Response {
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| {
            let actor = c.actor();
            let s = strategies::open(conn, &actor, &id, Action::Read)?;
            let v = rounds::view(conn, &actor, &id, year)?;
            Ok((s, v))
        })
        .await;
    match r {
        Ok((s, v)) => {
            let path = round_path(&s.id, year);
            let title = format!("{} {year}", tr(ctx.lang, "round"));
            let body = round_body(&ctx, &s, &v);
            Html(layout(&ctx, &title, &path, body).into_string()).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

fn round_body(ctx: &Ctx, s: &etablera_domain::Strategy, v: &RoundView) -> Markup {
    let lang = ctx.lang;
    let year = v.round.year;
    let path = round_path(&s.id, year);
    let open = v.round.state == RoundState::Open;
    let p = &v.progress;
    html! {
        nav aria-label=(tr(lang, "breadcrumbs")) {
            a href={ "/s/" (s.id) } { (s.title) } " › "
            a href={ "/s/" (s.id) "/omgangar" } { (tr(lang, "rounds")) }
        }
        h1 { (tr(lang, "round")) " " (year) }
        @if v.changed_since_adoption {
            div.notice role="status" { p { strong { (tr(lang, "changed-since-adoption")) } } }
        }
        section aria-labelledby="progress" {
            h2 #progress { (tr(lang, "progress")) }
            p { (tr(lang, "round-state")) ": " strong { (v.phase) } ". " (tr(lang, "deadline")) ": " (v.round.deadline) "." }
            @let total = p.total().max(1);
            p {
                label for="round-progress" { (tr(lang, "accepted-reports")) ": " (p.accepted) " / " (p.total()) }
                " "
                progress #round-progress max=(total) value=(p.accepted) { (p.accepted) " / " (p.total()) }
            }
            table {
                caption.sr-only { (tr(lang, "progress")) }
                thead { tr { @for t in TaskState::ALL { th scope="col" class="num" { (t.label(lang)) } } } }
                tbody { tr {
                    td.num { (p.open) } td.num { (p.submitted) } td.num { (p.returned) } td.num { (p.accepted) }
                } }
            }
        }
        @for t in &v.tasks {
            @let dept = t.department.id;
            @let base = format!("{path}/{dept}");
            section aria-labelledby={ "d-" (dept) } {
                h2 id={ "d-" (dept) } { (t.department.name) ": " (t.state.label(lang)) }
                @if let Some(c) = &t.review_comment {
                    p { strong { (tr(lang, "review-comment")) ": " } (c) }
                }
                @let acts: Vec<_> = v.activities.iter().filter(|(_, ids)| ids.contains(&dept)).map(|(a, _)| a).collect();
                @let may_report = open && t.state.editable() && v.may_report.contains(&dept);
                table {
                    caption.sr-only { (tr(lang, "activities")) ": " (t.department.name) }
                    thead { tr {
                        th scope="col" { (tr(lang, "year")) } th scope="col" { (tr(lang, "activity")) }
                        th scope="col" { (tr(lang, "status-comment")) }
                    } }
                    tbody { @for a in &acts { tr {
                        td { (a.year) } td { (a.title) }
                        td {
                            @if may_report {
                                form method="post" action={ (base) "/aktivitet/" (urlencode(&a.id)) } {
                                    input type="hidden" name="csrf" value=(ctx.csrf());
                                    label for={ "st-" (dept) "-" (a.id) } { (tr(lang, "status")) }
                                    select id={ "st-" (dept) "-" (a.id) } name="status" {
                                        @for st in STATUSES { option value=(status_code(st)) selected[st == a.status] { (st.label(lang)) } }
                                    }
                                    label for={ "cm-" (dept) "-" (a.id) } { (tr(lang, "comment")) }
                                    input id={ "cm-" (dept) "-" (a.id) } name="comment" type="text" maxlength="2000" value=(a.comment.as_deref().unwrap_or(""));
                                    button type="submit" { (tr(lang, "save")) }
                                }
                            } @else {
                                (a.status.label(lang)) @if let Some(c) = &a.comment { ": " (c) }
                            }
                        }
                    } } }
                }
                @if may_report {
                    form method="post" action={ (base) "/lamna-in" } {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        button type="submit" { (tr(lang, "submit-report")) ": " (t.department.name) }
                    }
                }
                @if open && v.may_review && matches!(t.state, TaskState::Submitted | TaskState::Accepted) {
                    form method="post" action={ (base) "/granska" } {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        p {
                            label for={ "rc-" (dept) } { (tr(lang, "review-comment")) }
                            textarea id={ "rc-" (dept) } name="comment" maxlength="2000" rows="2" {}
                        }
                        p {
                            @if t.state == TaskState::Submitted {
                                button type="submit" name="decision" value="accept" { (tr(lang, "accept-report")) }
                                " "
                            }
                            button type="submit" name="decision" value="return" { (tr(lang, "return-report")) }
                        }
                    }
                }
                @if v.may_reopen {
                    form method="post" action={ (base) "/rapportor" } {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        label for={ "ru-" (dept) } { (tr(lang, "make-reporter")) }
                        input id={ "ru-" (dept) } name="username" type="text" autocomplete="off" required;
                        button type="submit" { (tr(lang, "save")) }
                    }
                }
            }
        }
        @if open && v.may_review {
            section aria-labelledby="approve" {
                h2 #approve { (tr(lang, "approve-round")) }
                form method="post" action={ (path) "/godkann" } {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    button type="submit" { (tr(lang, "approve-round")) }
                }
            }
        }
        @if v.round.state == RoundState::Approved && v.may_review {
            section aria-labelledby="adopt" {
                h2 #adopt { (tr(lang, "record-adoption")) }
                form method="post" action={ (path) "/anta" } {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    p { label for="a-body" { (tr(lang, "deciding-body")) } input #a-body name="body" type="text" value="Kommunstyrelsen" maxlength="80" required; }
                    p { label for="a-date" { (tr(lang, "decision-date")) } input #a-date name="date" type="date" required; }
                    p { label for="a-ref" { (tr(lang, "decision-reference")) " " span.hint { "(KS 2025-03-12 § 45)" } } input #a-ref name="reference" type="text" maxlength="80" required; }
                    p { label for="a-dnr" { (tr(lang, "diarienummer")) " " span.hint { "(KS 2025/123)" } } input #a-dnr name="diarienummer" type="text" maxlength="80" required; }
                    p { button type="submit" { (tr(lang, "record-adoption")) } }
                }
            }
        }
        @if let Some(a) = &v.adoption {
            section aria-labelledby="adopted" {
                h2 #adopted { (tr(lang, "adopted-follow-up")) }
                p { (a.body) " " (a.decided_on) ", " (a.reference) ", " (tr(lang, "diarienummer")) " " (a.diarienummer) "." }
                ul {
                    li { a href={ (path) "/antagen.pdf" } { (tr(lang, "adopted-pdf")) } " (SHA-256 " code { (a.pdf_sha256) } ")" }
                    li { a href={ (path) "/antagen.docx" } { (tr(lang, "adopted-docx")) } " (SHA-256 " code { (a.docx_sha256) } ")" }
                }
            }
        }
        @if v.round.state != RoundState::Open && v.may_reopen {
            section aria-labelledby="reopen" {
                h2 #reopen { (tr(lang, "reopen-round")) }
                form method="post" action={ (path) "/oppna-igen" } {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    p { label for="r-reason" { (tr(lang, "reopen-reason")) } textarea #r-reason name="reason" maxlength="2000" rows="2" required {} }
                    p { button type="submit" { (tr(lang, "reopen-round")) } }
                }
            }
        }
    }
}

/// Runs a round operation for the form and returns to the round's page.
async fn act(
    state: AppState,
    ctx: Ctx,
    id: String,
    year: i32,
    f: impl FnOnce(&mut etablera_app::Conn, &etablera_app::Actor) -> etablera_app::Result<()>
        + Send
        + 'static,
) -> Response {
    let c = ctx.clone();
    let r = state.db.app(move |conn| Ok(f(conn, &c.actor())?)).await;
    match r {
        Ok(()) => {
            state.runs.clear();
            Redirect::to(&round_path(&id, year)).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

async fn report(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year, dept, activity)): Path<(String, i32, i64, String)>,
    Checked(f): Checked<Form>,
) -> Response {
    let Some(status) = STATUSES
        .into_iter()
        .find(|s| status_code(*s) == field(&f, "status"))
    else {
        return fail(
            &ctx,
            AppError::BadRequest(tr(ctx.lang, "unknown-status").into()),
        );
    };
    let comment = f.get("comment").cloned();
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        rounds::report_activity(
            conn,
            actor,
            &id2,
            year,
            dept,
            &activity,
            status,
            comment.as_deref(),
        )
    })
    .await
}

async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year, dept)): Path<(String, i32, i64)>,
    Checked(_f): Checked<Form>,
) -> Response {
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        rounds::submit(conn, actor, &id2, year, dept).map(|_| ())
    })
    .await
}

async fn review(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year, dept)): Path<(String, i32, i64)>,
    Checked(f): Checked<Form>,
) -> Response {
    let accept = match field(&f, "decision") {
        "accept" => true,
        "return" => false,
        _ => {
            return fail(
                &ctx,
                AppError::BadRequest(tr(ctx.lang, "choose-accept-or-return").into()),
            )
        }
    };
    let comment = f.get("comment").cloned();
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        rounds::review(conn, actor, &id2, year, dept, accept, comment.as_deref()).map(|_| ())
    })
    .await
}

async fn reporter(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year, dept)): Path<(String, i32, i64)>,
    Checked(f): Checked<Form>,
) -> Response {
    let username = field(&f, "username").to_string();
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        let s = strategies::open(conn, actor, &id2, Action::Read)?;
        rounds::set_reporter_named(conn, actor, &s.owner, &username, dept, true)
    })
    .await
}

async fn approve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year)): Path<(String, i32)>,
    Checked(_f): Checked<Form>,
) -> Response {
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        rounds::approve(conn, actor, &id2, year).map(|_| ())
    })
    .await
}

async fn adopt(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year)): Path<(String, i32)>,
    Checked(f): Checked<Form>,
) -> Response {
    // Adoption lays out the PDF and the DOCX: it shares the limit of documents laid out at
    // once with the report downloads.
    let Ok(_permit) = crate::plan::BOARD_DOCUMENTS.try_acquire() else {
        return fail(
            &ctx,
            AppError::Unavailable(tr(ctx.lang, "documents-busy").into()),
        );
    };
    let d = DecisionInput {
        body: field(&f, "body").into(),
        date: field(&f, "date").into(),
        reference: field(&f, "reference").into(),
        diarienummer: field(&f, "diarienummer").into(),
    };
    let lang = ctx.lang;
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        rounds::adopt(conn, actor, &id2, year, &d, lang).map(|_| ())
    })
    .await
}

async fn reopen(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year)): Path<(String, i32)>,
    Checked(f): Checked<Form>,
) -> Response {
    let reason = field(&f, "reason").to_string();
    let id2 = id.clone();
    act(state, ctx, id, year, move |conn, actor| {
        rounds::reopen(conn, actor, &id2, year, &reason).map(|_| ())
    })
    .await
}

async fn adopted(
    state: AppState,
    ctx: Ctx,
    id: String,
    year: i32,
    format: BoardFormat,
) -> Response {
    let c = ctx.clone();
    let id2 = id.clone();
    let r = state
        .db
        .app(move |conn| {
            Ok(rounds::adopted_document(
                conn,
                &c.actor(),
                &id2,
                year,
                format,
            )?)
        })
        .await;
    match r {
        Ok((bytes, sha)) => (
            [
                (header::CONTENT_TYPE, format.media_type().to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-{year}-antagen.{}\"",
                        id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"),
                        format.extension()
                    ),
                ),
                (header::ETAG, format!("\"{sha}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => fail(&ctx, e),
    }
}

async fn adopted_pdf(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year)): Path<(String, i32)>,
) -> Response {
    adopted(state, ctx, id, year, BoardFormat::Pdf).await
}

async fn adopted_docx(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, year)): Path<(String, i32)>,
) -> Response {
    adopted(state, ctx, id, year, BoardFormat::Docx).await
}
