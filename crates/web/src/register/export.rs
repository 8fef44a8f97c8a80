//! The GDPR export of a person's data (art. 15 and 20).

use super::*;

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
            Ok(layout(&c, t(lang, "Registerutdrag", "Data export"), &format!("/register/{unit}/persons/{id}/export"), html! {
                h1 { (t(lang, "Registerutdrag", "Data export")) " – " code { (id) } }
                p { (t(lang, "Allt som Etablera har sparat om personen: uppgifter, plan, länkar, varje läsning och varje ändring.", "Everything Etablera stores about the person: details, plan, links, every read and every change.")) }
                @for (key, label) in [("person", t(lang, "Uppgifter och plan", "Details and plan")), ("identity", t(lang, "Identitet", "Identity")), ("household", t(lang, "Hushåll", "Household")), ("plan_links", t(lang, "Länkar till min plan", "Plan links")), ("reads", t(lang, "Läsningar", "Reads")), ("changes", t(lang, "Ändringar", "Changes"))] {
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
