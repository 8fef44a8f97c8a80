//! The caseload: a municipality's cases, filtered, with the days left and reviews due.

use super::*;
use crate::i18n::tr;

#[derive(Debug, serde::Deserialize, Default)]
pub(super) struct CaseloadQuery {
    mine: Option<String>,
    q: Option<String>,
    /// A reception category code; empty for all.
    category: Option<String>,
    /// At most this many days left of the establishment period.
    days_left: Option<String>,
    /// Only cases whose review is due within 14 days or overdue.
    due: Option<String>,
    /// Also closed cases.
    closed: Option<String>,
}

pub(super) async fn caseload(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Query(q): Query<CaseloadQuery>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .app(move |conn| {
                // Access first: a stranger's malformed filter is refused as a stranger.
                cases::check_unit(conn, &c.actor(), &unit, A::ListCases)?;
                let category = match q.category.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
                    None => None,
                    Some(x) => Some(Category::parse(x).ok_or_else(|| RegisterError::new("category", Problem::NotInList))?),
                };
                let max_days = match q.days_left.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
                    None => None,
                    Some(x) => Some(x.parse::<i64>().ok().filter(|n| (0..=10_000).contains(n)).ok_or_else(|| {
                        RegisterError::new("days_left", Problem::WholeNumber { min: 0, max: 10_000 })
                    })?),
                };
                let filter = cases::CaseloadFilter {
                    mine: q.mine.is_some(),
                    needle: q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase),
                    category,
                    max_days_left: max_days,
                    due: q.due.is_some(),
                    closed: q.closed.is_some(),
                };
                let cases::Caseload { unit_name, names, cases: shown, .. } =
                    cases::caseload(conn, &c.actor(), &keys, &unit, &filter, "web", "GET /register/{unit}")?;
                let today = reg::today();
                let is_due = |p: &Person| cases::review_due(p, today);
                let lang = c.lang;
                let due: Vec<&Case> = shown
                    .iter()
                    .filter(|c| c.person.closed.is_none() && is_due(&c.person))
                    .collect();
                let body = html! {
                    h1 { (tr(lang, "establishment-register")) " – " (unit_name) }
                    (register_nav(lang, &unit))
                    @if !due.is_empty() {
                        section.notice aria-labelledby="due-h" {
                            h2 #due-h { (tr(lang, "reminders-reviews-due-within-14")) }
                            ul {
                                @for c in &due {
                                    li {
                                        a href={ "/register/" (unit) "/persons/" (c.person.id) } { (c.identity.as_ref().map(|i| i.name.as_str()).unwrap_or(c.person.id.as_str())) }
                                        " – " (d(c.person.next_review()))
                                        @if c.person.next_review().is_some_and(|r| r < today) { " " strong { (tr(lang, "overdue")) } }
                                    }
                                }
                            }
                        }
                    }
                    form method="get" action={ "/register/" (unit) } {
                        label for="q" { (tr(lang, "search-name-pseudonym")) }
                        input #q type="search" name="q" value=(q.q.clone().unwrap_or_default());
                        label for="category" { (tr(lang, "category")) }
                        select #category name="category" {
                            option value="" { (tr(lang, "all")) }
                            @for k in Category::ALL {
                                option value=(k.code()) selected[category == Some(*k)] { (k.label(lang)) }
                            }
                        }
                        label for="days_left" { (tr(lang, "most-days-left-establishment-period")) }
                        input #days_left type="number" min="0" max="10000" name="days_left" value=(max_days.map(|m| m.to_string()).unwrap_or_default());
                        label { input type="checkbox" name="due" value="1" checked[q.due.is_some()]; " " (tr(lang, "only-reviews-due-within-14")) }
                        label { input type="checkbox" name="closed" value="1" checked[q.closed.is_some()]; " " (tr(lang, "also-show-closed-cases")) }
                        label { input type="checkbox" name="mine" value="1" checked[q.mine.is_some()]; " " (tr(lang, "only-my-cases")) }
                        button type="submit" { (tr(lang, "show")) }
                    }
                    table {
                        caption { (tr(lang, "cases")) " (" (shown.len()) ")" }
                        thead { tr {
                            th scope="col" { (tr(lang, "name")) }
                            th scope="col" { (tr(lang, "pseudonym")) }
                            th scope="col" { (tr(lang, "category")) }
                            th scope="col" { (tr(lang, "arrival")) }
                            th scope="col" { (tr(lang, "days-left-establishment-period")) }
                            th scope="col" { (tr(lang, "next-review")) }
                            th scope="col" { (tr(lang, "case-worker")) }
                        } }
                        tbody {
                            @for c in &shown {
                                tr {
                                    td { a href={ "/register/" (unit) "/persons/" (c.person.id) } { (c.identity.as_ref().map(|i| i.name.as_str()).unwrap_or(tr(lang, "anonymised"))) } }
                                    td { code { (c.person.id) } }
                                    td { (c.person.category.label(lang)) }
                                    td { (c.person.arrival_date) }
                                    td { (c.person.days_left(today).map(|x| x.to_string()).unwrap_or_else(|| "–".into())) }
                                    td { (d(c.person.next_review())) @if c.person.closed.is_some() { " " (tr(lang, "closed")) } }
                                    td { (c.person.case_worker.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) }
                                }
                            }
                        }
                    }
                    section aria-labelledby="import-h" {
                        h2 #import-h { (tr(lang, "import-cases-from-file")) }
                        p { (tr(lang, "csv-semicolon-comma-xlsx-first")) code { (reg::FIELDS.join(";")) } ". " (tr(lang, "every-row-checked-any-error")) }
                        form method="post" action={ "/register/" (unit) "/import" } enctype="multipart/form-data" {
                            input type="hidden" name="csrf" value=(c.csrf());
                            label for="file" { (tr(lang, "file")) }
                            input #file type="file" name="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                            button type="submit" { (tr(lang, "import")) }
                        }
                    }
                };
                Ok(layout(&c, tr(lang, "establishment-register"), &format!("/register/{unit}"), body))
            })
            .await
    }
    .await;
    page(&ctx, r)
}
