//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`,
//! which is generated from the handlers (`#[utoipa::path]`) as they are routed
//! (`utoipa_axum::routes!`): a route cannot be served without being documented.
//!
//! Callers authenticate with the session cookie or with `Authorization: Bearer <token>`; a
//! token is scoped to one municipality and to reading or writing. Lists are paginated
//! (`page`, `per_page`, at most 500) and answer `{items, page, per_page, total}`. Errors are
//! `{"error": {"status", "code", "message"}}`.

use crate::auth::Ctx;
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use etablera_app::{catalogue, strategies, tokens, uploads};
use etablera_domain::access::Action;
use etablera_domain::{IndicatorId, Period, Sex, UnitCode};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub mod schema;

/// What the document says of the API as a whole; the paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Etablera API",
        version = "1",
        description = "Municipal integration strategies, indicators and their follow-up, and the establishment register. Kolada figures: Källa: Kolada (RKA), CC BY 4.0."
    ),
    servers((url = "/api/v1")),
    modifiers(&Security),
    components(schemas(schema::Error))
)]
struct ApiDoc;

/// A session cookie or a bearer token, or neither for public reads.
#[derive(Debug)]
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
        };
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("etablera_session"))),
        );
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("session", Vec::<String>::new()),
            SecurityRequirement::new("token", Vec::<String>::new()),
            SecurityRequirement::default(),
        ]);
    }
}

/// The API module's routes with their description (the whole API, with the register's
/// part, is assembled by `crate::api_routes`).
pub(crate) fn routes(upload_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(units))
        .routes(routes!(indicators))
        .routes(routes!(observations))
        .routes(routes!(post_observations).map(|r| crate::upload(r, upload_limit)))
        .routes(routes!(strategies))
        .routes(routes!(library_comparison))
        .routes(routes!(strategy))
        .routes(routes!(followup))
        .routes(routes!(put_target))
        .routes(routes!(post_comment))
        .routes(routes!(put_activity))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

pub fn router(upload_limit: usize) -> Router<AppState> {
    let (router, _) = crate::api_routes(upload_limit).split_for_parts();
    router
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
}

/// `T`, `K` or `M`: all, women, men.
#[derive(Debug, Deserialize, serde::Serialize, ToSchema)]
pub enum SexParam {
    T,
    K,
    M,
}

/// The kinds of unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnitKindParam {
    Nation,
    Region,
    Municipality,
    Group,
}

/// Every error answer has the same body.
type Errors = schema::Error;

async fn not_found() -> Response {
    ApiError(AppError::NotFound).into_response()
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The page, from 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    page: Option<String>,
    /// Items a page, at most 500.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    per_page: Option<String>,
}

struct Paging {
    page: usize,
    per_page: usize,
}

fn paging(p: &PageParams) -> Result<Paging, AppError> {
    let num =
        |v: &Option<String>, name: &str, default: usize, max: usize| -> Result<usize, AppError> {
            match v.as_deref() {
                None | Some("") => Ok(default),
                Some(s) => match s.parse::<usize>() {
                    Ok(n) if n >= 1 && n <= max => Ok(n),
                    _ => Err(AppError::BadRequest(format!(
                        "`{name}` must be a whole number from 1 to {max}"
                    ))),
                },
            }
        };
    Ok(Paging {
        page: num(&p.page, "page", 1, 1_000_000)?,
        per_page: num(&p.per_page, "per_page", 50, 500)?,
    })
}

fn page_of<T: serde::Serialize>(all: Vec<T>, p: &Paging) -> Value {
    let total = all.len();
    let items: Vec<T> = all
        .into_iter()
        .skip((p.page - 1).saturating_mul(p.per_page))
        .take(p.per_page)
        .collect();
    json!({ "items": items, "page": p.page, "per_page": p.per_page, "total": total })
}

type ApiResult = Result<Json<Value>, ApiError>;

fn query<T: Default + serde::de::DeserializeOwned>(
    q: Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, AppError> {
    q.map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("bad query parameters: {}", e.body_text())))
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitParams {
    #[param(value_type = Option<UnitKindParam>, inline)]
    kind: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    paging: PageParams,
}

/// Units: the nation, regions, municipalities and groups.
#[utoipa::path(get, path = "/units", params(UnitParams, PageParams),
    responses((status = 200, description = "A page of units", body = schema::UnitPage),
              (status = 422, description = "Bad parameters", body = Errors)))]
async fn units(
    State(state): State<AppState>,
    q: Result<Query<UnitParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let p = paging(&q.paging)?;
    let kind = q.kind.filter(|k| !k.is_empty());
    if let Some(k) = &kind {
        if etablera_domain::UnitKind::parse(k).is_none() {
            return Err(AppError::BadRequest(format!(
                "`kind` must be nation, region, municipality or group, not `{k}`"
            ))
            .into());
        }
    }
    let all = state.db.app(|c| Ok(catalogue::units(c)?)).await?;
    let items: Vec<_> = all
        .into_iter()
        .filter(|u| kind.as_deref().is_none_or(|k| u.kind.as_str() == k))
        .collect();
    Ok(Json(page_of(items, &p)))
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorParams {
    /// Words or an id to look for.
    #[param(max_length = 200)]
    q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    paging: PageParams,
}

/// The indicator catalogue, searchable by id or words.
#[utoipa::path(get, path = "/indicators", params(IndicatorParams, PageParams),
    responses((status = 200, description = "A page of indicators", body = schema::IndicatorPage),
              (status = 422, description = "Bad parameters", body = Errors)))]
async fn indicators(
    State(state): State<AppState>,
    q: Result<Query<IndicatorParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let p = paging(&q.paging)?;
    let text = q.q.unwrap_or_default();
    if text.len() > 200 {
        return Err(AppError::BadRequest("`q` is longer than 200 characters".into()).into());
    }
    let found = state
        .db
        .app(move |c| Ok(catalogue::search_indicators(c, &text)?))
        .await?;
    Ok(Json(page_of(found, &p)))
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObservationParams {
    #[param(value_type = String, pattern = "^[A-Za-z0-9._-]{1,40}$")]
    indicator: Option<String>,
    /// A unit code: four digits, or `G` and a group's name.
    #[param(value_type = String, pattern = "^([0-9]{4}|G[A-Za-z0-9_-]{1,39})$")]
    unit: Option<String>,
    period: Option<String>,
    #[param(value_type = Option<SexParam>, inline)]
    sex: Option<String>,
    /// The figures as they were stored on this day.
    #[param(format = Date)]
    as_of: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    paging: PageParams,
}

/// The latest (or as-of) figures of an indicator for a unit.
#[utoipa::path(get, path = "/observations", params(ObservationParams, PageParams),
    responses((status = 200, description = "A page of figures", body = schema::ObservationPage),
              (status = 401, description = "A municipality's own figures need a login", body = Errors),
              (status = 403, description = "Not a member of the municipality", body = Errors),
              (status = 404, description = "No such indicator or unit", body = Errors),
              (status = 422, description = "Bad parameters", body = Errors)))]
async fn observations(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    q: Result<Query<ObservationParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let p = paging(&q.paging)?;
    ctx.require_login()?;
    let actor = ctx.actor();
    let indicator = IndicatorId::parse(q.indicator.as_deref().unwrap_or(""))
        .map_err(|e| AppError::BadRequest(format!("`indicator`: {e}")))?;
    let unit = UnitCode::parse(q.unit.as_deref().unwrap_or(""))
        .map_err(|e| AppError::BadRequest(format!("`unit`: {e}")))?;
    let period = match q.period.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(Period::parse(s).map_err(|e| AppError::BadRequest(format!("`period`: {e}")))?)
        }
        None => None,
    };
    let sex = match q.sex.as_deref().filter(|s| !s.is_empty()) {
        Some(s @ ("T" | "K" | "M")) => {
            Some(Sex::parse(s).map_err(|e| AppError::BadRequest(e.to_string()))?)
        }
        Some(s) => {
            return Err(AppError::BadRequest(format!("`sex` must be T, K or M, not `{s}`")).into())
        }
        None => None,
    };
    let as_of = match q.as_of.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            etablera_domain::Date::parse(s)
                .map_err(|e| AppError::BadRequest(format!("`as_of`: {e}")))?
                .to_string(),
        ),
        None => None,
    };
    let items = state
        .db
        .app(move |c| {
            Ok(catalogue::observations(c, &actor, &indicator, &unit, as_of)?
                .into_iter()
                .filter(|o| period.is_none_or(|p| o.period == p) && sex.is_none_or(|x| o.sex == x))
                .map(|o| json!({"indicator": o.indicator, "unit": o.unit, "period": o.period, "sex": o.sex, "value": o.value(), "status": o.status()}))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(page_of(items, &p)))
}

/// Strategies the caller may read.
#[utoipa::path(get, path = "/strategies", params(PageParams),
    responses((status = 200, description = "A page of strategies", body = schema::StrategyPage),
              (status = 422, description = "Bad parameters", body = Errors)))]
async fn strategies(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    q: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let p = paging(&query(q)?)?;
    let a = ctx.actor();
    let items = state
        .db
        .app(move |c| {
            Ok(strategies::list(c, &a)?
                .into_iter()
                .map(|x| json!({"id": x.id, "owner": x.owner, "title": x.title, "updated_at": x.updated_at, "published": x.published}))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(page_of(items, &p)))
}

/// Other municipalities' targets for one indicator: every strategy the caller may read with
/// a target on it, and every library document whose text states a target it may measure
/// (drafts), each with its level, year, latest value and status under its own target.
#[utoipa::path(get, path = "/library/comparison/{indicator}", params(("indicator" = String, Path, description = "Kolada's KPI id or a local indicator's id, e.g. N00973")),
    responses((status = 200, description = "The comparison", body = Object),
              (status = 401, description = "Log in", body = Errors),
              (status = 404, description = "No such indicator", body = Errors)))]
async fn library_comparison(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(indicator): Path<String>,
) -> ApiResult {
    let a = ctx.actor();
    let c = state
        .db
        .app(move |c| Ok(etablera_app::comparison::compare(c, &a, &indicator)?))
        .await?;
    Ok(Json(serde_json::to_value(c).map_err(AppError::internal)?))
}

/// A strategy: goals, targets, indicators, action plan.
#[utoipa::path(get, path = "/strategies/{id}", params(("id" = String, Path)),
    responses((status = 200, description = "The strategy", body = Object),
              (status = 401, description = "Log in", body = Errors),
              (status = 404, description = "No such strategy, or not yours to read", body = Errors)))]
async fn strategy(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult {
    // The same answer as for a missing strategy, with or without a login.
    let a = ctx.actor();
    let s = state
        .db
        .app(
            move |c| match strategies::open(c, &a, &id, Action::ReadPublic) {
                Err(etablera_app::Error::Unauthorized | etablera_app::Error::Forbidden) => {
                    Err(AppError::NotFound)
                }
                other => Ok(other?),
            },
        )
        .await?;
    Ok(Json(serde_json::to_value(s).map_err(AppError::internal)?))
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowupParams {
    #[param(value_type = Option<i32>, minimum = 1990, maximum = 2100)]
    year: Option<String>,
    #[param(value_type = Option<SexParam>, inline)]
    sex: Option<String>,
}

/// The follow-up of a strategy for a year.
#[utoipa::path(get, path = "/strategies/{id}/followup", params(("id" = String, Path), FollowupParams),
    responses((status = 200, description = "The follow-up", body = schema::FollowUp),
              (status = 401, description = "Log in", body = Errors),
              (status = 404, description = "No such strategy, or not yours to read", body = Errors),
              (status = 422, description = "Bad parameters", body = Errors)))]
async fn followup(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    q: Result<Query<FollowupParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let year = match q.year.as_deref().filter(|s| !s.is_empty()) {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .ok_or_else(|| {
                    AppError::BadRequest("`year` must be a year from 1990 to 2100".into())
                })?,
        ),
        None => None,
    };
    let sex = match q.sex.as_deref().filter(|s| !s.is_empty()) {
        Some("K") => Some(Sex::Women),
        Some("M") => Some(Sex::Men),
        Some("T") => None,
        Some(s) => {
            return Err(AppError::BadRequest(format!("`sex` must be T, K or M, not `{s}`")).into())
        }
        None => None,
    };
    let (run, _, _) = crate::pages::load_run(&state, &ctx, id, year, sex, Action::ReadPublic, None)
        .await
        .map_err(|e| match e {
            AppError::Forbidden => AppError::NotFound,
            other => other,
        })?;
    Ok(Json(
        serde_json::to_value(&run.followup).map_err(AppError::internal)?,
    ))
}

/// The caller's API tokens (with a session only).
#[utoipa::path(get, path = "/tokens",
    responses((status = 200, description = "The tokens", body = schema::TokenList),
              (status = 401, description = "Log in", body = Errors)))]
async fn list_tokens(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> ApiResult {
    let a = session_actor(&ctx)?;
    let items = state.db.app(move |c| Ok(tokens::list(c, &a)?)).await?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    unit: String,
    /// `read` or `write`.
    #[schema(pattern = "^(read|write)$")]
    scope: String,
    #[schema(min_length = 1, max_length = 100)]
    name: String,
}

/// Creates a token; only with a session (a token cannot make tokens). The token is shown
/// once, in this answer.
#[utoipa::path(post, path = "/tokens", request_body = NewToken,
    responses((status = 201, description = "Created; the token is shown once", body = schema::NewTokenCreated),
              (status = 401, description = "Log in", body = Errors),
              (status = 403, description = "Not allowed for that municipality and scope", body = Errors),
              (status = 422, description = "Bad body", body = Errors)))]
async fn create_token(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    body: Result<Json<NewToken>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let a = session_actor(&ctx)?;
    let Json(b) = body.map_err(|e| {
        AppError::BadRequest(format!(
            "the body must be JSON {{unit, scope, name}}: {}",
            e.body_text()
        ))
    })?;
    let unit =
        UnitCode::parse(&b.unit).map_err(|e| AppError::BadRequest(format!("`unit`: {e}")))?;
    let scope = tokens::Scope::parse(&b.scope).ok_or_else(|| {
        AppError::BadRequest(format!("`scope` must be read or write, not `{}`", b.scope))
    })?;
    let (id, secret) = state
        .db
        .app(move |c| Ok(tokens::create(c, &a, &unit, scope, &b.name)?))
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "id": id, "token": secret, "scope": scope.as_str() })),
    )
        .into_response())
}

/// Revokes one of the caller's tokens.
#[utoipa::path(post, path = "/tokens/{id}/revoke", params(("id" = String, Path)),
    responses((status = 200, description = "Revoked", body = schema::TokenRevoked),
              (status = 401, description = "Log in", body = Errors),
              (status = 404, description = "No such token of yours", body = Errors)))]
async fn revoke_token(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult {
    let a = session_actor(&ctx)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state
        .db
        .app(move |c| Ok(tokens::revoke(c, &a, id)?))
        .await?;
    Ok(Json(json!({ "id": id, "revoked": true })))
}

/// The OpenAPI document; a test checks that it names exactly the API's routes.
async fn openapi() -> Json<Value> {
    Json(crate::openapi_document())
}

fn json_body<T>(
    b: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, AppError> {
    b.map(|Json(v)| v).map_err(|e| {
        AppError::BadRequest(format!(
            "the body is not the JSON this call takes: {}",
            e.body_text()
        ))
    })
}

/// Who acts, with a session only: a token cannot make or list tokens.
fn session_actor(ctx: &Ctx) -> Result<etablera_app::Actor, AppError> {
    if ctx.session.is_none() || ctx.principal.is_none() {
        return Err(AppError::Unauthorized);
    }
    Ok(ctx.actor())
}

/// A writer's context: a session or a write token.
fn writer_ctx(ctx: &Ctx) -> Result<Ctx, AppError> {
    ctx.require_login()?;
    Ok(ctx.clone())
}

#[derive(Debug, Deserialize, ToSchema)]
struct TargetChange {
    text: Option<String>,
    value: Option<f64>,
    target_year: Option<i32>,
    baseline_year: Option<i32>,
    note: Option<String>,
}

/// Changes a target as the edit page does; the same validation, revision history and audit.
#[utoipa::path(put, path = "/strategies/{id}/targets/{target}",
    params(("id" = String, Path), ("target" = String, Path)), request_body = TargetChange,
    responses((status = 200, description = "The target as changed", body = Object),
              (status = 401, description = "Log in", body = Errors),
              (status = 403, description = "Not a writer of the strategy", body = Errors),
              (status = 404, description = "No such strategy or target", body = Errors),
              (status = 422, description = "Bad body", body = Errors)))]
async fn put_target(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, tid)): Path<(String, String)>,
    body: Result<Json<TargetChange>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    let ch = json_body(body)?;
    let c = writer_ctx(&ctx)?;
    let run = state
        .db
        .app(move |conn| {
            let actor = c.actor();
            let strategy = strategies::open(conn, &actor, &id, Action::Write)?;
            let old = strategy
                .targets
                .into_iter()
                .find(|t| t.id == tid)
                .ok_or(AppError::NotFound)?;
            if ch.value.is_some_and(|v| !v.is_finite()) {
                return Err(AppError::BadRequest(
                    "`value` must be a finite number".into(),
                ));
            }
            let form = crate::edit::TargetForm {
                csrf: String::new(),
                text: ch.text.clone().unwrap_or_else(|| old.text.clone()),
                value: ch
                    .value
                    .or(strategies::value_of(&old.kind))
                    .map(|v| v.to_string()),
                target_year: ch.target_year.unwrap_or(old.target_year).to_string(),
                baseline_year: ch
                    .baseline_year
                    .or(old.baseline_year)
                    .map(|b| b.to_string()),
                note: ch.note.clone().or_else(|| old.note.clone()),
            };
            let new =
                crate::edit::apply(&old, &form, etablera_domain::Lang::En).map_err(|errs| {
                    etablera_app::Error::Fields(
                        errs.into_iter().map(|(f, m)| (f.to_string(), m)).collect(),
                    )
                })?;
            strategies::save_target(conn, &actor, &id, new.clone())?;
            serde_json::to_value(&new).map_err(AppError::internal)
        })
        .await?;
    state.runs.clear();
    Ok(Json(run))
}

#[derive(Debug, Deserialize, ToSchema)]
struct CommentBody {
    #[schema(minimum = 1990, maximum = 2100)]
    year: i32,
    body: String,
}

/// Writes the analysis of a target for a year (writers).
#[utoipa::path(post, path = "/strategies/{id}/targets/{target}/comments",
    params(("id" = String, Path), ("target" = String, Path)), request_body = CommentBody,
    responses((status = 200, description = "The analysis as saved", body = Object),
              (status = 401, description = "Log in", body = Errors),
              (status = 403, description = "Not a writer of the strategy", body = Errors),
              (status = 404, description = "No such strategy or target", body = Errors),
              (status = 422, description = "Bad body", body = Errors)))]
async fn post_comment(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, tid)): Path<(String, String)>,
    body: Result<Json<CommentBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    let b = json_body(body)?;
    let c = writer_ctx(&ctx)?;
    let saved = state
        .db
        .app(move |conn| {
            let comment = strategies::save_comment(conn, &c.actor(), &id, &tid, b.year, &b.body)?;
            serde_json::to_value(&comment).map_err(AppError::internal)
        })
        .await?;
    Ok(Json(saved))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ActivityChange {
    /// `planned`, `ongoing`, `done`, `postponed` or `cancelled`.
    #[schema(pattern = "^(planned|ongoing|done|postponed|cancelled)$")]
    status: String,
    comment: Option<String>,
}

/// Updates an activity's status and comment (writers).
#[utoipa::path(put, path = "/strategies/{id}/activities/{activity}",
    params(("id" = String, Path), ("activity" = String, Path)), request_body = ActivityChange,
    responses((status = 200, description = "The activity as changed", body = Object),
              (status = 401, description = "Log in", body = Errors),
              (status = 403, description = "Not a writer of the strategy", body = Errors),
              (status = 404, description = "No such strategy or activity", body = Errors),
              (status = 422, description = "Bad body", body = Errors)))]
async fn put_activity(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, aid)): Path<(String, String)>,
    body: Result<Json<ActivityChange>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    let b = json_body(body)?;
    let status = crate::plan::STATUSES
        .into_iter()
        .find(|s| crate::plan::status_code(*s) == b.status)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "`status` must be planned, ongoing, done, postponed or cancelled, not `{}`",
                b.status
            ))
        })?;
    let c = writer_ctx(&ctx)?;
    let a = state
        .db
        .app(move |conn| {
            let a = strategies::update_activity(conn, &c.actor(), &id, &aid, status, b.comment)?;
            serde_json::to_value(&a).map_err(AppError::internal)
        })
        .await?;
    state.runs.clear();
    Ok(Json(a))
}

#[derive(Debug, Deserialize, ToSchema)]
struct NewObservation {
    indicator: String,
    unit: String,
    period: String,
    #[serde(default)]
    sex: Option<String>,
    value: Option<f64>,
    #[serde(default)]
    status: Option<String>,
}

/// Stores figures as one batch, with the checks of an upload: known indicators and units,
/// values that agree with their status, and a municipality's own figures only by those
/// who may write for it.
#[utoipa::path(post, path = "/observations", request_body(content = Vec<NewObservation>, description = "1 to 100 000 figures"),
    responses((status = 201, description = "Stored as one batch", body = schema::BatchStored),
              (status = 401, description = "Log in", body = Errors),
              (status = 403, description = "Not a writer for a unit named", body = Errors),
              (status = 404, description = "Not found", body = Errors),
              (status = 422, description = "Bad body", body = Errors)))]
async fn post_observations(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    body: Result<Json<Vec<NewObservation>>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let rows: Vec<uploads::FigureIn> = json_body(body)?
        .into_iter()
        .map(|r| uploads::FigureIn {
            indicator: r.indicator,
            unit: r.unit,
            period: r.period,
            sex: r.sex,
            value: r.value,
            status: r.status,
        })
        .collect();
    let a = ctx.actor();
    ctx.require_login()?;
    let runs = state.runs.clone();
    let outcome = state
        .db
        .app(move |conn| {
            let outcome = uploads::store_figures(conn, &a, &rows)?;
            runs.refresh_all(conn)?;
            Ok(outcome)
        })
        .await;
    state.metrics.imported(outcome.is_ok());
    let outcome = outcome?;
    let (batch, changed) = match outcome {
        uploads::ImportOutcome::Imported {
            batch_id, changed, ..
        } => (Some(batch_id), changed),
        _ => (None, 0),
    };
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "batch": batch, "changed": changed })),
    )
        .into_response())
}
