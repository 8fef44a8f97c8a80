//! Managing users from the browser: a municipality admin adds accounts and gives or takes
//! roles in their own municipalities; a system admin in any.

use crate::auth::{Ctx, Password};
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::{fail, layout, urlencode};
use crate::ui::{Checked, Notice};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use etablera_app::accounts;
use etablera_domain::access::Role;
use etablera_domain::UnitCode;
use maud::html;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{username}/role", post(set_role))
}

async fn list(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    page(&state, &ctx, Notice::None).await
}

async fn page(state: &AppState, ctx: &Ctx, notice: Notice) -> Response {
    let lang = ctx.lang;
    let a = ctx.actor();
    let r = state
        .db
        .app(move |conn| Ok(accounts::users_page(conn, &a)?))
        .await;
    let accounts::UsersPage { rows, units, scope } = match r {
        Ok(x) => x,
        Err(e) => return fail(ctx, e),
    };
    let name = |c: &UnitCode| {
        units
            .get(c.as_str())
            .map(|u| u.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let choices: Vec<UnitCode> = match &scope {
        Some(s) => s.clone(),
        None => units.municipalities().map(|u| u.code.clone()).collect(),
    };
    let body = html! {
        h1 { (tr(lang, "users")) }
        (notice.show(None))
        table {
            caption { (tr(lang, "users-roles")) }
            thead { tr { th scope="col" { (tr(lang, "username")) } th scope="col" { (tr(lang, "name")) } th scope="col" { (tr(lang, "roles")) } } }
            tbody { @for (u, roles) in &rows { tr {
                td { (u.username) @if u.system_admin { " (" (tr(lang, "system-admin")) ")" } }
                td { (u.display_name) }
                td { @for (c, r) in roles { (name(c)) ": " (r.label(lang)) br; } }
            } } }
        }
        h2 { (tr(lang, "give-remove-role")) }
        form method="post" action="/admin/users/-/role" id="role-form" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p { label for="r-user" { (tr(lang, "username")) } input id="r-user" name="username" type="text" required; }
            p { label for="r-unit" { (tr(lang, "municipality")) } select id="r-unit" name="unit" { @for c in &choices { option value=(c) { (name(c)) } } } }
            p { label for="r-role" { (tr(lang, "role")) } select id="r-role" name="role" {
                @for r in Role::ALL { option value=(r.as_str()) { (r.label(lang)) } }
                option value="none" { (tr(lang, "none-remove")) }
            } }
            p { button type="submit" { (tr(lang, "save-role")) } }
        }
        h2 { (tr(lang, "add-user")) }
        form method="post" action="/admin/users" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            p { label for="n-user" { (tr(lang, "username")) } input id="n-user" name="username" type="text" required autocomplete="off"; }
            p { label for="n-name" { (tr(lang, "name")) } input id="n-name" name="display_name" type="text" required; }
            p { label for="n-pw" { (tr(lang, "first-password-least-12-characters")) } input id="n-pw" name="password" type="password" required autocomplete="new-password"; }
            p { label for="n-unit" { (tr(lang, "municipality")) } select id="n-unit" name="unit" { @for c in &choices { option value=(c) { (name(c)) } } } }
            p { label for="n-role" { (tr(lang, "role")) } select id="n-role" name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r.label(lang)) } } } }
            p { button type="submit" { (tr(lang, "add")) } }
        }
    };
    (
        notice.status(),
        Html(layout(ctx, tr(lang, "users"), "/admin/users", body).into_string()),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct NewUserForm {
    csrf: String,
    username: String,
    display_name: String,
    password: String,
    unit: String,
    role: String,
}

async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Checked(f): Checked<NewUserForm>,
) -> Response {
    let Some(role) = Role::parse(&f.role) else {
        return fail(
            &ctx,
            AppError::BadRequest(format!("unknown role `{}`", f.role)),
        );
    };
    let a = ctx.actor();
    let username = f.username.clone();
    let r = state
        .db
        .app(move |conn| {
            let account = accounts::NewAccount {
                username: f.username,
                display_name: f.display_name,
                password: Password::new(f.password),
                system_admin: false,
            };
            accounts::create_member(conn, &a, &account, &f.unit, role)?;
            Ok(())
        })
        .await;
    match r {
        Ok(()) => {
            Redirect::to(&format!("/admin/users?added={}", urlencode(&username))).into_response()
        }
        Err(e @ (AppError::BadRequest(_) | AppError::Conflict(_))) => {
            let status = e.status();
            page(&state, &ctx, Notice::Refused(e.message(ctx.lang), status)).await
        }
        Err(e) => fail(&ctx, e),
    }
}

#[derive(Debug, Deserialize)]
struct RoleForm {
    csrf: String,
    username: String,
    unit: String,
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(_path_user): Path<String>,
    Checked(f): Checked<RoleForm>,
) -> Response {
    let role = match f.role.as_str() {
        "none" => None,
        r => match Role::parse(r) {
            Some(r) => Some(r),
            None => return fail(&ctx, AppError::BadRequest(format!("unknown role `{r}`"))),
        },
    };
    let a = ctx.actor();
    let r = state
        .db
        .app(move |conn| Ok(accounts::grant(conn, &a, &f.username, &f.unit, role)?))
        .await;
    match r {
        Ok(()) => {
            let done = Notice::Done(tr(ctx.lang, "role-saved").into());
            page(&state, &ctx, done).await
        }
        Err(e @ AppError::BadRequest(_)) => {
            let refused = Notice::Refused(e.message(ctx.lang), StatusCode::UNPROCESSABLE_ENTITY);
            page(&state, &ctx, refused).await
        }
        Err(e) => fail(&ctx, e),
    }
}

crate::ui::with_csrf!(NewUserForm, RoleForm);
