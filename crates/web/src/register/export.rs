//! The GDPR export of a person's data (art. 15 and 20).

use super::*;
use crate::i18n::tr;

pub(super) async fn export_json(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
        Ok(cases::export(
            conn,
            &c.actor(),
            &keys,
            &unit,
            &id,
            "GET /register/{unit}/persons/{id}/export.json",
        )?)
    })
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

pub(super) async fn export_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
            let v = cases::export(conn, &c.actor(), &keys, &unit, &id, "GET /register/{unit}/persons/{id}/export")?;
            let lang = c.lang;
            let pretty = serde_json::to_string_pretty(&v).map_err(AppError::internal)?;
            Ok(layout(&c, tr(lang, "data-export"), &format!("/register/{unit}/persons/{id}/export"), html! {
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
    })
    .await;
    page(&ctx, r)
}
