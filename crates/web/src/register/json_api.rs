//! The register's part of the JSON API.

use super::*;

/// The register's part of the JSON API (under `/api/v1`), with its description.
pub(crate) fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api_persons))
        .routes(routes!(api_person))
        .routes(routes!(api_statistics))
}

#[derive(serde::Serialize)]
pub(super) struct ApiPerson<'a> {
    person: &'a Person,
    name: Option<&'a str>,
    personnummer: Option<String>,
    days_left: Option<i64>,
    next_review: Option<Date>,
}

pub(super) fn api_person_of(c: &Case) -> ApiPerson<'_> {
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
pub(super) async fn api_persons(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Result<Response, ApiError> {
    let v = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
        let filter = cases::CaseloadFilter {
            closed: true,
            ..Default::default()
        };
        let route = "GET /api/v1/register/{unit}/persons";
        let cases = cases::caseload(conn, &c.actor(), &keys, &unit, &filter, "api", route)?.cases;
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
pub(super) async fn api_person(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let v = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
        let route = "GET /api/v1/register/{unit}/persons/{id}";
        let v = cases::person(conn, &c.actor(), &keys, &unit, &id, "api", route)?;
        serde_json::to_value(api_person_of(&v.case)).map_err(AppError::internal)
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
pub(super) async fn api_statistics(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Result<Response, ApiError> {
    let unit = parse_unit(&unit)?;
    let v = state
        .db
        .app(move |conn| {
            let cases::Statistics {
                settings,
                figures: fig,
                ..
            } = cases::statistics(conn, &ctx.actor(), &unit)?;
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
