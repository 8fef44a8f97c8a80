//! The read log (loggkontroll), with the chain's state.

use super::*;
use crate::i18n::tr;

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
            Ok(layout(&c, tr(lang, "read-log"), &format!("/register/{unit}/lasloggen"), html! {
                h1 { (tr(lang, "read-log-reads-personal-data")) }
                (register_nav(lang, &unit))
                p { (tr(lang, "every-view-person-s-data")) (years) (tr(lang, "years")) }
                @match &chain.broken {
                    Some((row, why)) => div.error role="alert" {
                        h2 { (tr(lang, "log-has-been-tampered")) }
                        p { (tr(lang, "chain-checksums-breaks-row")) (row) ": " (why.text(lang)) ". "
                            (tr(lang, "report-information-security-officer")) }
                    },
                    None => p.chain role="status" {
                        (tr(lang, "chain-checksums-whole"))
                        (etablera_domain::format::number(chain.rows as f64, 0, lang)) (tr(lang, "rows"))
                        @if let Some((_, head)) = &chain.head { ", " (tr(lang, "head")) code { (head) } }
                        "."
                    },
                }
                form method="get" action={ "/register/" (unit) "/lasloggen" } {
                    label for="lu" { (tr(lang, "user")) } input #lu name="user" value=(q.user.clone().unwrap_or_default());
                    label for="lp" { (tr(lang, "person-pseudonym")) } input #lp name="person" value=(q.person.clone().unwrap_or_default());
                    label for="lf" { (tr(lang, "from")) } input #lf name="from" type="date" value=(q.from.clone().unwrap_or_default());
                    label for="lt" { (tr(lang, "to")) } input #lt name="to" type="date" value=(q.to.clone().unwrap_or_default());
                    label { input type="checkbox" name="unrelated" value="1" checked[q.unrelated.is_some()]; " " (tr(lang, "only-reads-no-relation-case")) }
                    button type="submit" { (tr(lang, "filter")) }
                }
                table {
                    caption { (tr(lang, "reads-newest-first")) " (" (rows.len()) ")" }
                    thead { tr { th scope="col" { (tr(lang, "time")) } th scope="col" { (tr(lang, "user")) } th scope="col" { (tr(lang, "person")) } th scope="col" { (tr(lang, "view")) } th scope="col" { (tr(lang, "relation")) } } }
                    tbody { @for e in &rows { tr {
                        td { (crate::ui::when(&e.at)) }
                        td { (e.user_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| e.via.clone())) }
                        td { a href={ "/register/" (unit) "/lasloggen?person=" (urlencode(&e.person_id)) } { code { (e.person_id) } } }
                        td { (e.view) }
                        td { @if e.related { (tr(lang, "case-worker-colleague")) } @else { strong { (tr(lang, "no-relation")) } } }
                    } } }
                }
            }))
    })
    .await;
    page(&ctx, r)
}
