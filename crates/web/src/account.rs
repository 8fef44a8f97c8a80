//! The user's own account (`/konto`: the e-mail address reminders go to, verified by the
//! link sent to it) and the outbox for administrators (`/admin/utkorg`: every message, sent
//! or waiting, with its attempts and last error; whether SMTP is set up at all).

use crate::auth::Ctx;
use crate::i18n::tr;
use crate::ui::{fail, layout, Checked};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use etablera_app::mail;
use maud::html;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/konto", get(account).post(set_email))
        .route("/konto/epost/{token}", get(verify))
        .route("/admin/utkorg", get(outbox))
}

async fn account(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| Ok(mail::own_email(conn, &c.actor())?))
        .await;
    let email = match r {
        Ok(e) => e,
        Err(e) => return fail(&ctx, e),
    };
    let body = html! {
        h1 { (tr(lang, "account")) }
        h2 { (tr(lang, "email-address")) }
        @match &email {
            Some((address, true)) => { p { (address) " – " (tr(lang, "email-verified")) } }
            Some((address, false)) => { p { (address) " – " (tr(lang, "email-not-verified")) } }
            None => { p { (tr(lang, "email-none")) } }
        }
        form method="post" action="/konto" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p {
                label for="k-email" { (tr(lang, "email-address")) }
                input #k-email name="email" type="email" autocomplete="email" maxlength="254" value=(email.as_ref().map(|e| e.0.as_str()).unwrap_or(""));
            }
            p { button type="submit" { (tr(lang, "email-send-link")) } }
        }
    };
    Html(layout(&ctx, tr(lang, "account"), "/konto", body).into_string()).into_response()
}

async fn set_email(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Checked(f): Checked<HashMap<String, String>>,
) -> Response {
    let address = f.get("email").cloned().unwrap_or_default();
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| Ok(mail::set_own_email(conn, &c.actor(), &address)?))
        .await;
    match r {
        Ok(()) => Redirect::to("/konto").into_response(),
        Err(e) => fail(&ctx, e),
    }
}

async fn verify(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Response {
    let lang = ctx.lang;
    let r = state
        .db
        .app(move |conn| Ok(mail::verify_email(conn, &token)?))
        .await;
    match r {
        Ok(()) => {
            let body = html! {
                h1 { (tr(lang, "email-address")) }
                p role="status" { (tr(lang, "email-now-verified")) }
            };
            Html(layout(&ctx, tr(lang, "email-address"), "/konto", body).into_string())
                .into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

async fn outbox(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    let lang = ctx.lang;
    let c = ctx.clone();
    let r = state
        .db
        .app(move |conn| Ok(mail::outbox(conn, &c.actor(), 200)?))
        .await;
    let messages = match r {
        Ok(m) => m,
        Err(e) => return fail(&ctx, e),
    };
    let configured = state.config.smtp.is_some();
    let body = html! {
        h1 { (tr(lang, "outbox")) }
        @if !configured {
            div.notice role="status" { p { (tr(lang, "outbox-no-smtp")) } }
        }
        @if messages.is_empty() {
            p { (tr(lang, "outbox-empty")) }
        } @else {
            table {
                caption.sr-only { (tr(lang, "outbox")) }
                thead { tr {
                    th scope="col" { (tr(lang, "outbox-created")) }
                    th scope="col" { (tr(lang, "outbox-kind")) }
                    th scope="col" { (tr(lang, "outbox-to")) }
                    th scope="col" { (tr(lang, "outbox-subject")) }
                    th scope="col" { (tr(lang, "outbox-state")) }
                    th scope="col" class="num" { (tr(lang, "outbox-attempts")) }
                } }
                tbody { @for m in &messages { tr {
                    td { (m.created_at) }
                    td { code { (m.kind) } }
                    td { (m.to_address) }
                    td { (m.subject) }
                    td {
                        @if let Some(at) = &m.sent_at { (tr(lang, "outbox-sent")) " " (at) }
                        @else { (tr(lang, "outbox-waiting")) " " (m.next_attempt_at) }
                        @if let Some(e) = &m.last_error { br; small { (e) } }
                    }
                    td.num { (m.attempts) }
                } } }
            }
        }
    };
    Html(layout(&ctx, tr(lang, "outbox"), "/admin/utkorg", body).into_string()).into_response()
}
