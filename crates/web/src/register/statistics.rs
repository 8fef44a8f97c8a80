//! The register's statistics, with small counts suppressed, and their feed to the follow-up.

use super::*;

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
                    Some(c) if c.suppressed.is_some() => html! { span title=(if c.suppressed == Some(Suppression::Primary) { t(lang, "färre än tröskeln", "fewer than the threshold") } else { t(lang, "dold så att en annan cell inte kan räknas fram", "hidden so that another cell cannot be worked out") }) { "•" } },
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
            Ok(layout(&c, t(lang, "Registrets statistik", "Register statistics"), &format!("/register/{unit}/statistik"), html! {
                h1 { (t(lang, "Registrets statistik", "Register statistics")) " – " (uname) }
                (register_nav(lang, &unit))
                p { (t(lang, "Kommunens egna siffror ur etableringsregistret, i de nationella definitionerna så att de kan jämföras med Kolada. Siffror som bygger på färre än ", "The municipality's own figures from the register, in the national definitions so they compare with Kolada. Figures based on fewer than ")) (settings.threshold) (t(lang, " personer visas inte (•), och inte heller en cell som annars kunde räknas fram ur totalen. En dold siffra är aldrig noll.", " people are not shown (•), nor any cell that could otherwise be worked out from the total. A hidden figure is never zero.")) }
                @if fig.is_none() { p { (t(lang, "Registret har inga ärenden ännu.", "The register has no cases yet.")) } }
                @for ind in RegIndicator::ALL {
                    table {
                        caption { (ind.title(lang)) @if let Some(k) = ind.kolada() { " – " (t(lang, "jämförbar med ", "compares with ")) (k) } }
                        thead { tr { th scope="col" { (t(lang, "År", "Year")) } th scope="col" { (t(lang, "Totalt", "Total")) } th scope="col" { (t(lang, "Kvinnor", "Women")) } th scope="col" { (t(lang, "Män", "Men")) } } }
                        tbody { @for y in &years { tr { th scope="row" { (y) } td { (cell(ind, *y, Sex::Total)) } td { (cell(ind, *y, Sex::Women)) } td { (cell(ind, *y, Sex::Men)) } } } }
                    }
                }
                @if configure {
                    form method="post" action={ "/register/" (unit) "/statistik" } {
                        input type="hidden" name="csrf" value=(c.csrf());
                        button type="submit" { (t(lang, "För över siffrorna till uppföljningen", "Send the figures to the follow-up")) }
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
    Form(f): Form<F>,
) -> Response {
    let c = ctx.clone();
    let runs = state.runs.clone();
    let r = async {
        csrf(&c, &f)?;
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
