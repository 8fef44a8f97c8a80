//! The caseload: a municipality's cases, filtered, with the days left and reviews due.

use super::*;

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
                    h1 { (t(lang, "Etableringsregistret", "Establishment register")) " – " (unit_name) }
                    (register_nav(lang, &unit))
                    @if !due.is_empty() {
                        section.notice aria-labelledby="due-h" {
                            h2 #due-h { (t(lang, "Påminnelser: uppföljningar som ska göras inom 14 dagar eller är försenade", "Reminders: reviews due within 14 days or overdue")) }
                            ul {
                                @for c in &due {
                                    li {
                                        a href={ "/register/" (unit) "/persons/" (c.person.id) } { (c.identity.as_ref().map(|i| i.name.as_str()).unwrap_or(c.person.id.as_str())) }
                                        " – " (d(c.person.next_review()))
                                        @if c.person.next_review().is_some_and(|r| r < today) { " " strong { (t(lang, "(försenad)", "(overdue)")) } }
                                    }
                                }
                            }
                        }
                    }
                    form method="get" action={ "/register/" (unit) } {
                        label for="q" { (t(lang, "Sök namn eller pseudonym", "Search name or pseudonym")) }
                        input #q type="search" name="q" value=(q.q.clone().unwrap_or_default());
                        label for="category" { (t(lang, "Kategori", "Category")) }
                        select #category name="category" {
                            option value="" { (t(lang, "Alla", "All")) }
                            @for k in Category::ALL {
                                option value=(k.code()) selected[category == Some(*k)] { (k.label(lang)) }
                            }
                        }
                        label for="days_left" { (t(lang, "Högst antal dagar kvar av etableringstiden", "At most days left of the establishment period")) }
                        input #days_left type="number" min="0" max="10000" name="days_left" value=(max_days.map(|m| m.to_string()).unwrap_or_default());
                        label { input type="checkbox" name="due" value="1" checked[q.due.is_some()]; " " (t(lang, "Bara uppföljningar som ska göras inom 14 dagar", "Only reviews due within 14 days")) }
                        label { input type="checkbox" name="closed" value="1" checked[q.closed.is_some()]; " " (t(lang, "Visa även avslutade ärenden", "Also show closed cases")) }
                        label { input type="checkbox" name="mine" value="1" checked[q.mine.is_some()]; " " (t(lang, "Bara mina ärenden", "Only my cases")) }
                        button type="submit" { (t(lang, "Visa", "Show")) }
                    }
                    table {
                        caption { (t(lang, "Ärenden", "Cases")) " (" (shown.len()) ")" }
                        thead { tr {
                            th scope="col" { (t(lang, "Namn", "Name")) }
                            th scope="col" { (t(lang, "Pseudonym", "Pseudonym")) }
                            th scope="col" { (t(lang, "Kategori", "Category")) }
                            th scope="col" { (t(lang, "Ankomst", "Arrival")) }
                            th scope="col" { (t(lang, "Dagar kvar av etableringstiden", "Days left of the establishment period")) }
                            th scope="col" { (t(lang, "Nästa uppföljning", "Next review")) }
                            th scope="col" { (t(lang, "Handläggare", "Case worker")) }
                        } }
                        tbody {
                            @for c in &shown {
                                tr {
                                    td { a href={ "/register/" (unit) "/persons/" (c.person.id) } { (c.identity.as_ref().map(|i| i.name.as_str()).unwrap_or(t(lang, "(anonymiserad)", "(anonymised)"))) } }
                                    td { code { (c.person.id) } }
                                    td { (c.person.category.label(lang)) }
                                    td { (c.person.arrival_date) }
                                    td { (c.person.days_left(today).map(|x| x.to_string()).unwrap_or_else(|| "–".into())) }
                                    td { (d(c.person.next_review())) @if c.person.closed.is_some() { " " (t(lang, "(avslutat)", "(closed)")) } }
                                    td { (c.person.case_worker.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) }
                                }
                            }
                        }
                    }
                    section aria-labelledby="import-h" {
                        h2 #import-h { (t(lang, "Läs in ärenden från fil", "Import cases from a file")) }
                        p { (t(lang, "CSV (semikolon eller komma) eller xlsx (första bladet) med rubrikrad. Kolumner: ", "CSV (semicolon or comma) or xlsx (the first sheet) with a header row. Columns: ")) code { (reg::FIELDS.join(";")) } ". " (t(lang, "Varje rad kontrolleras; vid fel sparas ingenting.", "Every row is checked; on any error nothing is stored.")) }
                        form method="post" action={ "/register/" (unit) "/import" } enctype="multipart/form-data" {
                            input type="hidden" name="csrf" value=(c.csrf());
                            label for="file" { (t(lang, "Fil", "File")) }
                            input #file type="file" name="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                            button type="submit" { (t(lang, "Läs in", "Import")) }
                        }
                    }
                };
                Ok(layout(&c, t(lang, "Etableringsregistret", "Establishment register"), &format!("/register/{unit}"), body))
            })
            .await
    }
    .await;
    page(&ctx, r)
}
