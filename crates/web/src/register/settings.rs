//! The register's settings per municipality.

use super::*;
use crate::i18n::tr;

pub(super) async fn settings_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, _| {
            let (st, roles) = cases::settings(conn, &c.actor(), &unit)?;
            let lang = c.lang;
            let members: Vec<(String, &'static str)> =
                roles.into_iter().map(|(n, r)| (n, r.label(lang))).collect();
            Ok(layout(&c, tr(lang, "register-settings"), &format!("/register/{unit}/installningar"), html! {
                h1 { (tr(lang, "register-settings")) }
                (register_nav(lang, &unit))
                form method="post" action={ "/register/" (unit) "/installningar" } {
                    input type="hidden" name="csrf" value=(c.csrf());
                    label { input type="checkbox" name="caseload_only" value="1" checked[st.caseload_only]; " " (tr(lang, "case-workers-see-only-their")) }
                    label for="threshold" { (tr(lang, "disclosure-threshold-people")) } input #threshold name="threshold" type="number" min=(etablera_register::stats::MIN_THRESHOLD) max="100" value=(st.threshold);
                    label for="retention" { (tr(lang, "remove-closed-cases-after-years")) } input #retention name="retention_years" type="number" min="1" max="100" value=(st.retention_years);
                    label for="review" { (tr(lang, "months-between-reviews")) } input #review name="review_months" type="number" min="1" max="24" value=(st.review_months);
                    label for="code" { (tr(lang, "new-catalogue-entry-code")) } input #code name="new_code" pattern="[a-z0-9_]{1,40}";
                    label for="cname" { (tr(lang, "name-swedish")) } input #cname name="new_name" maxlength="200";
                    button type="submit" { (tr(lang, "save")) }
                }
                table {
                    caption { (tr(lang, "intervention-catalogue")) }
                    thead { tr { th scope="col" { (tr(lang, "code-kod")) } th scope="col" { (tr(lang, "name")) } th scope="col" { (tr(lang, "provider")) } } }
                    tbody { @for e in &st.catalogue { tr { td { code { (e.code) } } td { (e.name(PlanLang::Sv)) } td { (e.provider) } } } }
                }
                table {
                    caption { (tr(lang, "roles-register")) }
                    thead { tr { th scope="col" { (tr(lang, "user")) } th scope="col" { (tr(lang, "role")) } } }
                    tbody { @for (n, r) in &members { tr { td { (n) } td { (r) } } } }
                }
                p { (tr(lang, "roles-set")) code { "etablera user register-role" } "." }
            }))
    })
    .await;
    page(&ctx, r)
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Checked(f): Checked<F>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, _| {
        let num = |n: &str| -> Result<u64, AppError> {
            text(&f, n, 5)?.parse().map_err(|_| {
                RegisterError::new(
                    n,
                    Problem::WholeNumber {
                        min: 0,
                        max: 99_999,
                    },
                )
                .into()
            })
        };
        let code = text(&f, "new_code", 40)?;
        let change = cases::SettingsChange {
            caseload_only: f.contains_key("caseload_only"),
            threshold: num("threshold")?,
            retention_years: num("retention_years")? as u32,
            review_months: num("review_months")?.clamp(1, 24) as u8,
            new_entry: if code.is_empty() {
                None
            } else {
                Some((code, text(&f, "new_name", 200)?))
            },
        };
        cases::save_settings(conn, &c.actor(), &unit, change)?;
        Ok(unit)
    })
    .await;
    match r {
        Ok(unit) => Redirect::to(&format!("/register/{unit}/installningar")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}
