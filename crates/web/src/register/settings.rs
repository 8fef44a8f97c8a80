//! The register's settings per municipality.

use super::*;

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
            Ok(layout(&c, t(lang, "Registrets inställningar", "Register settings"), &format!("/register/{unit}/installningar"), html! {
                h1 { (t(lang, "Registrets inställningar", "Register settings")) }
                (register_nav(lang, &unit))
                form method="post" action={ "/register/" (unit) "/installningar" } {
                    input type="hidden" name="csrf" value=(c.csrf());
                    label { input type="checkbox" name="caseload_only" value="1" checked[st.caseload_only]; " " (t(lang, "Handläggare ser bara sina egna ärenden och dem de är kollega på", "Case workers see only their own cases and those they are colleague on")) }
                    label for="threshold" { (t(lang, "Tröskel för röjandekontroll (personer)", "Disclosure threshold (people)")) } input #threshold name="threshold" type="number" min=(etablera_register::stats::MIN_THRESHOLD) max="100" value=(st.threshold);
                    label for="retention" { (t(lang, "Gallra avslutade ärenden efter (år)", "Remove closed cases after (years)")) } input #retention name="retention_years" type="number" min="1" max="100" value=(st.retention_years);
                    label for="review" { (t(lang, "Månader mellan uppföljningar", "Months between reviews")) } input #review name="review_months" type="number" min="1" max="24" value=(st.review_months);
                    label for="code" { (t(lang, "Ny insats i katalogen: kod", "New catalogue entry: code")) } input #code name="new_code" pattern="[a-z0-9_]{1,40}";
                    label for="cname" { (t(lang, "Namn (svenska)", "Name (Swedish)")) } input #cname name="new_name" maxlength="200";
                    button type="submit" { (t(lang, "Spara", "Save")) }
                }
                table {
                    caption { (t(lang, "Insatskatalog", "Intervention catalogue")) }
                    thead { tr { th scope="col" { (t(lang, "Kod", "Code")) } th scope="col" { (t(lang, "Namn", "Name")) } th scope="col" { (t(lang, "Anordnare", "Provider")) } } }
                    tbody { @for e in &st.catalogue { tr { td { code { (e.code) } } td { (e.name(PlanLang::Sv)) } td { (e.provider) } } } }
                }
                table {
                    caption { (t(lang, "Roller i registret", "Roles in the register")) }
                    thead { tr { th scope="col" { (t(lang, "Användare", "User")) } th scope="col" { (t(lang, "Roll", "Role")) } } }
                    tbody { @for (n, r) in &members { tr { td { (n) } td { (r) } } } }
                }
                p { (t(lang, "Roller sätts med ", "Roles are set with ")) code { "etablera user register-role" } "." }
            }))
    })
    .await;
    page(&ctx, r)
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Form(f): Form<F>,
) -> Response {
    if let Err(e) = csrf(&ctx, &f) {
        return fail(&ctx, e);
    }
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
