//! The register's statistics, with small counts suppressed, and their feed to the follow-up.

use super::*;
use crate::i18n::tr;

pub(super) async fn statistics(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, _| {
            let cases::Statistics { settings, figures: fig, configure, unit_name: uname } =
                cases::statistics(conn, &c.actor(), &unit)?;
            let lang = c.lang;
            let cell = |ind: RegIndicator, y: i32, sex: Sex| -> Markup {
                let Some(fig) = &fig else { return html! { "–" } };
                match fig.get(ind, y, sex) {
                    Some(c) if c.suppressed.is_some() => html! { span title=(if c.suppressed == Some(Suppression::Primary) { tr(lang, "fewer-than-threshold") } else { tr(lang, "hidden-so-another-cell-cannot") }) { "•" } },
                    Some(c) => match c.value {
                        Some(v) => html! { (fmt_value(v, &measure(ind), lang)) small { " (n=" (c.n) ")" } },
                        None => html! { "–" },
                    },
                    None => html! { "–" },
                }
            };
            let years: Vec<i32> = fig.as_ref().map(|f| {
                let mut y: Vec<i32> = f.cells.iter().map(|c| c.year).collect();
                y.dedup();
                y
            }).unwrap_or_default();
            Ok(layout(&c, tr(lang, "register-statistics"), &format!("/register/{unit}/statistik"), html! {
                h1 { (tr(lang, "register-statistics")) " – " (uname) }
                (register_nav(lang, &unit))
                p { (tr(lang, "municipality-s-own-figures-from")) (settings.threshold) (tr(lang, "people-not-shown-nor-any")) }
                @if fig.is_none() { p { (tr(lang, "register-has-no-cases-yet")) } }
                @for ind in RegIndicator::ALL {
                    table {
                        caption { (ind.title(lang)) @if let Some(k) = ind.kolada() { " – " (tr(lang, "compares")) (k) } }
                        thead { tr { th scope="col" { (tr(lang, "year")) } th scope="col" { (tr(lang, "total")) } th scope="col" { (tr(lang, "women")) } th scope="col" { (tr(lang, "men")) } } }
                        tbody { @for y in &years { tr { th scope="row" { (y) } td { (cell(ind, *y, Sex::Total)) } td { (cell(ind, *y, Sex::Women)) } td { (cell(ind, *y, Sex::Men)) } } } }
                    }
                }
                @if configure {
                    form method="post" action={ "/register/" (unit) "/statistik" } {
                        input type="hidden" name="csrf" value=(c.csrf());
                        button type="submit" { (tr(lang, "send-figures-follow-up")) }
                    }
                }
            }))
    })
    .await;
    page(&ctx, r)
}

pub(super) async fn feed(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Checked(_): Checked<crate::ui::CsrfOnly>,
) -> Response {
    let c = ctx.clone();
    let runs = state.runs.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        state
            .db
            .app(move |conn| {
                cases::feed_followup(conn, &c.actor(), &unit)?;
                runs.refresh_all(conn)?;
                Ok(unit)
            })
            .await
    }
    .await;
    match r {
        Ok(unit) => Redirect::to(&format!("/register/{unit}/statistik")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}
