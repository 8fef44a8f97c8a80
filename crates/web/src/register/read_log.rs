//! The read log (loggkontroll), with the chain's state.

use super::*;

#[derive(Debug, serde::Deserialize, Default)]
pub(super) struct LogQuery {
    user: Option<String>,
    person: Option<String>,
    from: Option<String>,
    to: Option<String>,
    unrelated: Option<String>,
}

pub(super) async fn read_log(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Query(q): Query<LogQuery>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
        // Access first: a stranger's malformed dates are refused as a stranger.
        cases::check_unit(conn, &c.actor(), &unit, A::ReadAccessLog)?;
            let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
            let date = |name: &str, v: &Option<String>| -> Result<Option<Date>, AppError> {
                nonempty(v)
                    .map(|v| Date::parse(&v).map_err(|_| RegisterError::new(name, Problem::NotADate).into()))
                    .transpose()
            };
            let query = cases::ReadLogQuery {
                user: nonempty(&q.user),
                person: nonempty(&q.person),
                from: date("from", &q.from)?,
                to: date("to", &q.to)?,
                unrelated_only: q.unrelated.is_some(),
            };
            let cases::ReadLog { chain, rows, retention_years: years, names } =
                cases::read_log(conn, &c.actor(), &keys, &unit, &query)?;
            let lang = c.lang;
            Ok(layout(&c, t(lang, "Loggkontroll", "Read log"), &format!("/register/{unit}/lasloggen"), html! {
                h1 { (t(lang, "Loggkontroll – läsningar av personuppgifter", "Read log – reads of personal data")) }
                (register_nav(lang, &unit))
                p { (t(lang, "Varje visning av en persons uppgifter loggas och kan inte ändras eller tas bort. Loggen sparas i ", "Every view of a person's data is logged and cannot be changed or deleted. The log is kept for ")) (years) (t(lang, " år.", " years.")) }
                @match &chain.broken {
                    Some((row, why)) => div.error role="alert" {
                        h2 { (t(lang, "Loggen har ändrats", "The log has been tampered with")) }
                        p { (t(lang, "Kedjan av kontrollsummor bryts vid rad ", "The chain of checksums breaks at row ")) (row) ": " (why.text(lang)) ". "
                            (t(lang, "Anmäl det till informationssäkerhetsansvarig.", "Report it to the information security officer.")) }
                    },
                    None => p.chain role="status" {
                        (t(lang, "Kedjan av kontrollsummor är hel: ", "The chain of checksums is whole: "))
                        (etablera_domain::format::number(chain.rows as f64, 0, lang)) (t(lang, " rader", " rows"))
                        @if let Some((_, head)) = &chain.head { ", " (t(lang, "huvud ", "head ")) code { (head) } }
                        "."
                    },
                }
                form method="get" action={ "/register/" (unit) "/lasloggen" } {
                    label for="lu" { (t(lang, "Användare", "User")) } input #lu name="user" value=(q.user.clone().unwrap_or_default());
                    label for="lp" { (t(lang, "Person (pseudonym)", "Person (pseudonym)")) } input #lp name="person" value=(q.person.clone().unwrap_or_default());
                    label for="lf" { (t(lang, "Från", "From")) } input #lf name="from" type="date" value=(q.from.clone().unwrap_or_default());
                    label for="lt" { (t(lang, "Till", "To")) } input #lt name="to" type="date" value=(q.to.clone().unwrap_or_default());
                    label { input type="checkbox" name="unrelated" value="1" checked[q.unrelated.is_some()]; " " (t(lang, "Bara läsningar utan koppling till ärendet", "Only reads with no relation to the case")) }
                    button type="submit" { (t(lang, "Filtrera", "Filter")) }
                }
                table {
                    caption { (t(lang, "Läsningar, senaste först", "Reads, newest first")) " (" (rows.len()) ")" }
                    thead { tr { th scope="col" { (t(lang, "Tid", "Time")) } th scope="col" { (t(lang, "Användare", "User")) } th scope="col" { (t(lang, "Person", "Person")) } th scope="col" { (t(lang, "Vy", "View")) } th scope="col" { (t(lang, "Koppling", "Relation")) } } }
                    tbody { @for e in &rows { tr {
                        td { (crate::ui::when(&e.at)) }
                        td { (e.user_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| e.via.clone())) }
                        td { a href={ "/register/" (unit) "/lasloggen?person=" (urlencode(&e.person_id)) } { code { (e.person_id) } } }
                        td { (e.view) }
                        td { @if e.related { (t(lang, "handläggare/kollega", "case worker/colleague")) } @else { strong { (t(lang, "⚠ ingen koppling", "⚠ no relation")) } } }
                    } } }
                }
            }))
    })
    .await;
    page(&ctx, r)
}
