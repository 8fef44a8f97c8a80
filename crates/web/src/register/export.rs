//! The GDPR export of a person's data (art. 15 and 20).

use super::*;
use crate::i18n::tr;

/// The export, as the use case gives it; the read is logged as made through `route`.
async fn exported(
    state: &AppState,
    ctx: &Ctx,
    unit: &str,
    id: &str,
    route: &'static str,
) -> Result<serde_json::Value, AppError> {
    let id = id.to_string();
    with_unit(state, ctx, unit, move |conn, c, unit, keys| {
        let keys = keys?;
        Ok(cases::export(conn, &c.actor(), &keys, &unit, &id, route)?)
    })
    .await
}

pub(super) async fn export_json(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let route = "GET /register/{unit}/persons/{id}/export.json";
    match exported(&state, &ctx, &unit, &id, route).await {
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

pub(super) async fn export_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let route = "GET /register/{unit}/persons/{id}/export";
    let r = exported(&state, &ctx, &unit, &id, route).await.and_then(|v| {
        let lang = ctx.lang;
        let pretty = serde_json::to_string_pretty(&v).map_err(AppError::internal)?;
        Ok(layout(&ctx, tr(lang, "data-export"), &format!("/register/{unit}/persons/{id}/export"), html! {
            h1 { (tr(lang, "data-export")) " – " code { (id) } }
            p { (tr(lang, "everything-etablera-stores-about-person")) }
            @for (key, label) in [("person", tr(lang, "details-plan")), ("identity", tr(lang, "identity")), ("household", tr(lang, "household")), ("plan_links", tr(lang, "plan-links")), ("reads", tr(lang, "reads")), ("changes", tr(lang, "changes"))] {
                section {
                    h2 { (label) }
                    pre { (serde_json::to_string_pretty(&v[key]).unwrap_or_default()) }
                }
            }
            details { summary { "JSON" } pre { (pretty) } }
        }))
    });
    page(&ctx, r)
}
