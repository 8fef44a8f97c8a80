//! eID login in the browser: a button per configured OpenID Connect provider on the login
//! page, the provider's return, the operator's one-time (break-glass) login, and the
//! administrators' page of linked identities and password login per municipality. Every
//! decision is `etablera_app::identity`'s; this module carries requests and cookies.
//!
//! The login's `state` also goes into a short-lived cookie when the browser is sent to the
//! provider, and the return must bring the same state in the cookie and in the address: a
//! return the browser did not start (login CSRF) is refused even with a valid state.

use crate::auth::{self, Ctx, SESSION_COOKIE};
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::{fail, layout, safe_next, Checked, Notice};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use etablera_app::identity;
use etablera_oidc::Provider;
use maud::html;
use serde::Deserialize;
use std::sync::Arc;

/// The cookie that ties a provider's return to the browser that left for it.
pub const STATE_COOKIE: &str = "etablera_eid_state";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/eid/{provider}", get(begin))
        .route("/login/eid/{provider}/callback", get(callback))
        .route("/login/engang", get(ticket_form).post(ticket_login))
        .route("/admin/identiteter", get(admin_page))
        .route(
            "/admin/identiteter/ta-bort",
            axum::routing::post(remove_identity),
        )
        .route(
            "/admin/identiteter/losenord",
            axum::routing::post(password_switch),
        )
}

fn provider(state: &AppState, id: &str) -> Option<Arc<Provider>> {
    state
        .config
        .oidc
        .iter()
        .find(|p| p.settings.id == id)
        .cloned()
}

/// This site's address for a provider's return.
pub fn redirect_uri(state: &AppState, id: &str) -> String {
    format!(
        "{}/login/eid/{id}/callback",
        state.config.public_url.trim_end_matches('/')
    )
}

/// The login page's buttons, one per provider.
pub(crate) fn buttons(state: &AppState, ctx: &Ctx, next: &str) -> maud::Markup {
    let lang = ctx.lang;
    html! {
        @if !state.config.oidc.is_empty() {
            section aria-labelledby="eid-heading" {
                h2 id="eid-heading" { (tr(lang, "eid-login")) }
                ul.eid {
                    @for p in &state.config.oidc {
                        li { a.button href={ "/login/eid/" (p.settings.id) "?next=" (crate::ui::urlencode(next)) } {
                            (tr(lang, "eid-login-with")) " " (p.settings.name)
                        } }
                    }
                }
            }
            h2 { (tr(lang, "password-login")) }
        }
    }
}

#[derive(Debug, Deserialize)]
struct BeginQuery {
    next: Option<String>,
}

/// The state cookie's name: with the `__Host-` prefix when cookies are Secure, so that no
/// sibling host can plant one.
fn state_cookie(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-etablera_eid_state"
    } else {
        STATE_COOKIE
    }
}

/// Runs a call to the provider on a blocking thread, holding no database connection.
async fn at_provider<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("the provider call failed: {e}")))
}

async fn begin(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<BeginQuery>,
    peer: Option<Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(p) = provider(&state, &id) else {
        return fail(&ctx, AppError::NotFound);
    };
    let redirect = redirect_uri(&state, &id);
    let next = safe_next(q.next.as_deref());
    let lang = ctx.lang;
    let provider = p.clone();
    let started = match at_provider(move || identity::start(&provider, &redirect, lang)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return fail(&ctx, e.into()),
        Err(e) => return fail(&ctx, e),
    };
    let (url, state_param) = (started.url.clone(), started.state.clone());
    let origin = identity::Origin {
        address: crate::auth::client_address(&state.config, peer.map(|c| c.0 .0.ip()), &headers),
        max_pending: state.config.eid_pending_per_address,
    };
    let r = state
        .db
        .app(move |conn| {
            Ok(identity::begin_login(
                conn,
                &p.settings,
                &started,
                Some(&next),
                &origin,
                lang,
            )?)
        })
        .await;
    match r {
        Ok(()) => {
            let mut resp = Redirect::to(&url).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(
                    state_cookie(&state),
                    &state_param,
                    Some(identity::LOGIN_LIFETIME_SECS),
                    state.config.secure_cookies,
                    true,
                ),
            );
            resp
        }
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Debug, Deserialize, Default)]
struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(p) = provider(&state, &id) else {
        return fail(&ctx, AppError::NotFound);
    };
    let lang = ctx.lang;
    let secure = state.config.secure_cookies;
    let cookie_name = state_cookie(&state);
    let given = q.state.clone().unwrap_or_default();
    // The state must also be the one this browser left with.
    let cookie_state = auth::cookie(&headers, cookie_name).unwrap_or_default();
    let cb = identity::Callback {
        state: if !given.is_empty() && auth::same_secret(&cookie_state, &given) {
            given
        } else {
            String::new()
        },
        code: q.code,
        error: q.error,
    };
    let redirect = redirect_uri(&state, &id);
    let old = auth::cookie(&headers, SESSION_COOKIE);
    let keys = state.config.register_keys.clone();
    let result = async {
        // Take the login (once), then ask the provider holding no database connection,
        // then link and start the session.
        let settings = p.settings.clone();
        let taken = state
            .db
            .app(move |conn| Ok(identity::take_login(conn, &settings, &cb, lang)?))
            .await?;
        let provider = p.clone();
        let return_to = taken.return_to.clone();
        let proven = at_provider(move || identity::exchange(&provider, &redirect, &taken)).await?;
        state
            .db
            .app(move |conn| {
                Ok(identity::complete_login(
                    conn,
                    &p.settings,
                    proven,
                    return_to,
                    old.as_deref(),
                    keys.as_deref(),
                    lang,
                )?)
            })
            .await
    }
    .await;
    let mut resp = match result {
        Ok(done) => {
            let mut resp = Redirect::to(&safe_next(done.return_to.as_deref())).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(SESSION_COOKIE, &done.session_id, None, secure, true),
            );
            resp
        }
        Err(e @ (AppError::BadRequest(_) | AppError::Unavailable(_))) => {
            let status = e.status();
            refused_page(&ctx, &e.message(lang), status)
        }
        Err(e) => fail(&ctx, e),
    };
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(cookie_name, "", Some(0), secure, true),
    );
    resp
}

fn refused_page(ctx: &Ctx, message: &str, status: StatusCode) -> Response {
    let lang = ctx.lang;
    let body = html! {
        h1 { (tr(lang, "eid-login")) }
        div.error role="alert" { (message) }
        p { a href="/login" { (tr(lang, "back-to-login")) } }
    };
    (
        status,
        Html(layout(ctx, tr(lang, "eid-login"), "/login", body).into_string()),
    )
        .into_response()
}

// ---- break-glass ------------------------------------------------------------------

async fn ticket_form(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    ticket_page(&state, &ctx, None, StatusCode::OK)
}

fn ticket_page(state: &AppState, ctx: &Ctx, error: Option<String>, status: StatusCode) -> Response {
    let lang = ctx.lang;
    let token = state.forms.issue(etablera_app::now_secs());
    let body = html! {
        h1 { (tr(lang, "one-time-login")) }
        p { (tr(lang, "one-time-login-help")) }
        @if let Some(e) = &error { div.error role="alert" id="ticket-error" { (e) } }
        form method="post" action="/login/engang" {
            input type="hidden" name="csrf" value=(token);
            p {
                label for="ticket" { (tr(lang, "one-time-code")) }
                input id="ticket" name="ticket" type="text" autocomplete="off" required
                    aria-describedby=[error.as_ref().map(|_| "ticket-error")];
            }
            p { button type="submit" { (tr(lang, "log")) } }
        }
    };
    let resp = (
        status,
        Html(layout(ctx, tr(lang, "one-time-login"), "/login/engang", body).into_string()),
    )
        .into_response();
    auth::with_form_token(state, resp, &token)
}

#[derive(Debug, Deserialize)]
struct TicketForm {
    csrf: String,
    ticket: String,
}

async fn ticket_login(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Form(f): Form<TicketForm>,
) -> Response {
    let lang = ctx.lang;
    if !auth::anonymous_form_is_fresh(&state, &headers, &f.csrf) {
        let msg = tr(lang, "form-has-expired-please-try").to_string();
        return ticket_page(&state, &ctx, Some(msg), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let old = auth::cookie(&headers, SESSION_COOKIE);
    let ticket = f.ticket.trim().to_string();
    let r = state
        .db
        .app(move |conn| Ok(identity::ticket_login(conn, &ticket, old.as_deref(), lang)?.1))
        .await;
    match r {
        Ok(sid) => {
            let mut resp = Redirect::to("/").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(
                    SESSION_COOKIE,
                    &sid,
                    None,
                    state.config.secure_cookies,
                    true,
                ),
            );
            resp
        }
        Err(e @ AppError::BadRequest(_)) => ticket_page(
            &state,
            &ctx,
            Some(e.message(lang)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => fail(&ctx, e),
    }
}

// ---- administration -----------------------------------------------------------------

async fn admin_page(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    page(&state, &ctx, Notice::None).await
}

async fn page(state: &AppState, ctx: &Ctx, notice: Notice) -> Response {
    let lang = ctx.lang;
    let a = ctx.actor();
    let r = state
        .db
        .app(move |conn| {
            let ids = identity::identities(conn, &a)?;
            let off = identity::password_login_off(conn)?;
            Ok((ids, off))
        })
        .await;
    let (ids, off) = match r {
        Ok(x) => x,
        Err(e) => return fail(ctx, e),
    };
    let administered: Vec<String> = match ctx.principal.as_ref() {
        Some(p) if p.system_admin => off.clone(),
        Some(p) => etablera_app::accounts::administered(p)
            .unwrap_or_default()
            .iter()
            .map(|u| u.to_string())
            .collect(),
        None => vec![],
    };
    let provider_name = |id: &str| {
        state
            .config
            .oidc
            .iter()
            .find(|p| p.settings.id == id)
            .map(|p| p.settings.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let body = html! {
        h1 { (tr(lang, "linked-identities")) }
        (notice.show(None))
        p { (tr(lang, "linked-identities-help")) }
        @if ids.is_empty() {
            p { (tr(lang, "no-linked-identities")) }
        } @else {
            table {
                caption { (tr(lang, "linked-identities")) }
                thead { tr {
                    th scope="col" { (tr(lang, "username")) }
                    th scope="col" { (tr(lang, "identity-provider")) }
                    th scope="col" { (tr(lang, "linked-how")) }
                    th scope="col" { (tr(lang, "linked-when")) }
                    th scope="col" { span.visually-hidden { (tr(lang, "remove-link")) } }
                } }
                tbody { @for i in &ids { tr {
                    td { (i.username) }
                    td { (provider_name(&i.provider_id)) }
                    td { (match i.linked_by.as_str() {
                        "email" => tr(lang, "linked-by-email"),
                        "personnummer" => tr(lang, "linked-by-personnummer"),
                        _ => tr(lang, "linked-by-admin"),
                    }) }
                    td { (i.linked_at.get(..10).unwrap_or(&i.linked_at)) }
                    td { form method="post" action="/admin/identiteter/ta-bort" {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        input type="hidden" name="key" value=(identity::identity_key(i));
                        button type="submit" aria-label={ (tr(lang, "remove-link")) " " (i.username) " " (provider_name(&i.provider_id)) } { (tr(lang, "remove-link")) }
                    } }
                } } }
            }
        }
        h2 { (tr(lang, "password-login")) }
        p { (tr(lang, "password-login-help")) }
        @if ctx.principal.as_ref().is_some_and(|p| p.system_admin) {
            form method="post" action="/admin/identiteter/losenord" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                p { label for="pw-unit" { (tr(lang, "municipality-code")) } input id="pw-unit" name="unit" type="text" inputmode="numeric" required; }
                p { label for="pw-allowed" { (tr(lang, "password-login")) } select id="pw-allowed" name="allowed" {
                    option value="off" { (tr(lang, "password-login-off")) }
                    option value="on" { (tr(lang, "password-login-on")) }
                } }
                p { button type="submit" { (tr(lang, "save")) } }
            }
            @if !off.is_empty() { p { (tr(lang, "password-login-off-in")) " " (off.join(", ")) } }
        } @else {
            ul { @for u in &administered {
                li { form method="post" action="/admin/identiteter/losenord" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    input type="hidden" name="unit" value=(u);
                    @if off.contains(u) {
                        (u) ": " (tr(lang, "password-login-off")) " "
                        input type="hidden" name="allowed" value="on";
                        button type="submit" { (tr(lang, "password-login-allow")) }
                    } @else {
                        (u) ": " (tr(lang, "password-login-on")) " "
                        input type="hidden" name="allowed" value="off";
                        button type="submit" { (tr(lang, "password-login-forbid")) }
                    }
                } }
            } }
        }
    };
    (
        notice.status(),
        Html(
            layout(
                ctx,
                tr(lang, "linked-identities"),
                "/admin/identiteter",
                body,
            )
            .into_string(),
        ),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct RemoveForm {
    csrf: String,
    key: String,
}

async fn remove_identity(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Checked(f): Checked<RemoveForm>,
) -> Response {
    let a = ctx.actor();
    let r = state
        .db
        .app(move |conn| Ok(identity::unlink_by_key(conn, &a, &f.key)?))
        .await;
    match r {
        Ok(()) => {
            page(
                &state,
                &ctx,
                Notice::Done(tr(ctx.lang, "identity-removed").into()),
            )
            .await
        }
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    csrf: String,
    unit: String,
    allowed: String,
}

async fn password_switch(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Checked(f): Checked<PasswordForm>,
) -> Response {
    let allowed = match f.allowed.as_str() {
        "on" => true,
        "off" => false,
        other => {
            return fail(
                &ctx,
                AppError::BadRequest(format!("`allowed` must be on or off, not `{other}`")),
            )
        }
    };
    let a = ctx.actor();
    let r = state
        .db
        .app(move |conn| Ok(identity::set_password_login(conn, &a, &f.unit, allowed)?))
        .await;
    match r {
        Ok(()) => page(&state, &ctx, Notice::Done(tr(ctx.lang, "saved").into())).await,
        Err(e @ AppError::BadRequest(_)) => {
            let n = Notice::Refused(e.message(ctx.lang), StatusCode::UNPROCESSABLE_ENTITY);
            page(&state, &ctx, n).await
        }
        Err(e) => fail(&ctx, e),
    }
}

crate::ui::with_csrf!(RemoveForm, PasswordForm);
