//! A person's page and every change to the case: assessment, plan, consents, referrals,
//! reviews, household, closing and restriction.

use super::*;
use crate::i18n::tr;

pub(super) async fn person_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
        let v = cases::person(
            conn,
            &c.actor(),
            &keys,
            &unit,
            &id,
            "web",
            "GET /register/{unit}/persons/{id}",
        )?;
        Ok(person_markup(
            &c,
            &unit,
            &v.case,
            &v.settings,
            &v.names,
            &v.links,
            &v.household,
            v.manage,
            v.write,
        ))
    })
    .await;
    page(&ctx, r)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn person_markup(
    c: &Ctx,
    unit: &UnitCode,
    case: &Case,
    settings: &Settings,
    names: &HashMap<i64, String>,
    links: &[PlanLinkRow],
    hh: &cases::HouseholdView,
    manage: bool,
    write: bool,
) -> Markup {
    let lang = c.lang;
    let p = &case.person;
    let today = reg::today();
    let base = format!("/register/{unit}/persons/{}", p.id);
    let name = case
        .identity
        .as_ref()
        .map(|i| i.name.clone())
        .unwrap_or_else(|| tr(lang, "anonymised").into());
    let catalogue_name = |kind: &str| {
        settings
            .catalogue
            .iter()
            .find(|e| e.code == kind)
            .map(|e| e.name(PlanLang::Sv).to_string())
            .unwrap_or_else(|| kind.to_string())
    };
    let hidden = html! { input type="hidden" name="csrf" value=(c.csrf()); };
    let select = |name: &str, label: &str, options: Vec<(String, String)>, current: &str| {
        let id = format!("{name}-{}", label.len());
        html! {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (v, l) in &options { option value=(v) selected[v == current] { (l) } }
            }
        }
    };
    let body = html! {
        h1 { (name) " " small { code { (p.id) } } }
        (register_nav(lang, unit))
        @if p.restricted { p.notice { strong { (tr(lang, "processing-restricted-gdpr-art-18")) } } }
        @if p.closed.is_some() { p.notice { (tr(lang, "case-was-closed")) (d(p.closed)) "." } }
        section aria-labelledby="est-h" {
            h2 #est-h { (tr(lang, "establishment-period")) }
            @match p.establishment() {
                Some((s, e)) => p { (s) " – " (e) ". " strong { (p.days_left(today).unwrap_or(0)) " " (tr(lang, "days-left")) } }
                None => p { (tr(lang, "no-establishment-period-registered")) }
            }
            p { (tr(lang, "next-review-nasta-uppfoljning")) (d(p.next_review())) }
        }
        section aria-labelledby="data-h" {
            h2 #data-h { (tr(lang, "details")) }
            dl {
                dt { (tr(lang, "personal-number")) } dd { (case.identity.as_ref().and_then(|i| i.pnr.as_ref().map(|p| p.display())).unwrap_or_else(|| "–".into())) }
                dt { (tr(lang, "birth-year-sex")) } dd { (p.birth_year) ", " (if p.sex == Sex::Women { tr(lang, "woman") } else { tr(lang, "man") }) }
                dt { (tr(lang, "country-birth-languages")) } dd { (p.country_of_birth) "; " (p.languages.join(", ")) }
                dt { (tr(lang, "education")) } dd { (p.education.map(|e| e.label(lang)).unwrap_or("–")) }
                dt { (tr(lang, "work-experience-ssyk")) } dd { (p.ssyk.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }
                dt { (tr(lang, "swedish")) } dd { (p.swedish.label(lang)) }
                dt { (tr(lang, "category")) } dd { (p.category.label(lang)) }
                dt { (tr(lang, "residence-permit-arrival-registered")) } dd { (d(p.permit_date)) ", " (p.arrival_date) ", " (d(p.registered_date)) }
                dt { (tr(lang, "contact")) } dd { (case.identity.as_ref().map(|i| [i.phone.clone(), i.email.clone(), i.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")).unwrap_or_default()) }
                dt { (tr(lang, "case-worker")) } dd { (p.case_worker.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) @if !p.colleagues.is_empty() { " (" (tr(lang, "colleagues")) (p.colleagues.iter().filter_map(|u| names.get(u).cloned()).collect::<Vec<_>>().join(", ")) ")" } }
            }
            @if write {
                details { summary { (tr(lang, "change-details-correction")) } (person_form(lang, &base, c.csrf(), Some(case), None)) }
            }
        }
        section aria-labelledby="hh-h" {
            h2 #hh-h { (tr(lang, "household-housing-need")) }
            @match &hh.household {
                Some(h) => {
                    dl {
                        dt { (tr(lang, "household")) } dd { code { (h.id) } }
                        dt { (tr(lang, "members")) } dd { (h.size) }
                        dt { (tr(lang, "rooms-needed-besides-kitchen")) } dd { (h.rooms_needed.map(|r| r.to_string()).unwrap_or_else(|| "–".into())) " " small { "(" (tr(lang, "crowding-norm-2-gives")) (reg::rooms_by_norm(h.size)) ")" } }
                        dt { (tr(lang, "housing-need")) } dd { (if h.housing_need.is_empty() { "–" } else { h.housing_need.as_str() }) }
                        dt { (tr(lang, "others-register")) }
                        dd {
                            @for m in &hh.members { a href={ "/register/" (unit) "/persons/" (m) } { code { (m) } } " " }
                            @if hh.hidden_members > 0 { (hh.hidden_members) " " (tr(lang, "you-have-no-access")) }
                            @if hh.members.is_empty() && hh.hidden_members == 0 { "–" }
                        }
                    }
                }
                None => p { (tr(lang, "no-household-registered")) }
            }
            @if write {
                details {
                    summary { (tr(lang, "change-household")) }
                    form method="post" action={ (base) "/household" } {
                        (hidden)
                        label for="hh-size" { (tr(lang, "members-household")) }
                        input #hh-size type="number" name="storlek" min="1" max=(reg::MAX_HOUSEHOLD) required value=(hh.household.as_ref().map(|h| h.size).unwrap_or(1));
                        label for="hh-rooms" { (tr(lang, "rooms-needed-empty-norm")) }
                        input #hh-rooms type="number" name="rum" min="1" max="20" value=(hh.household.as_ref().and_then(|h| h.rooms_needed).map(|r| r.to_string()).unwrap_or_default());
                        label for="hh-need" { (tr(lang, "housing-need")) }
                        textarea #hh-need name="bostadsbehov" maxlength="500" { (hh.household.as_ref().map(|h| h.housing_need.as_str()).unwrap_or("")) }
                        button type="submit" { (tr(lang, "save-household")) }
                    }
                }
            }
        }
        section aria-labelledby="ass-h" {
            h2 #ass-h { (tr(lang, "needs-assessment")) }
            @if let Some(a) = &p.assessment {
                table {
                    caption { (tr(lang, "assessment-kartlaggning")) (a.date) }
                    thead { tr { th scope="col" { (tr(lang, "area")) } th scope="col" { (tr(lang, "need")) } th scope="col" { (tr(lang, "note-anteckning")) } } }
                    tbody { @for it in &a.items { tr { td { (area_label(lang, &it.area)) } td { (it.need.label(lang)) } td { (it.note) } } } }
                }
            } @else { p { (tr(lang, "no-assessment-yet")) } }
            @if write {
                details { summary { (tr(lang, "make-assessment")) }
                    form method="post" action={ (base) "/assessment" } {
                        (hidden)
                        @for code in ASSESSMENT_AREAS {
                            fieldset {
                                legend { (area_label(lang, code)) }
                                (select(&format!("need_{code}"), tr(lang, "need"), NeedLevel::ALL.iter().map(|n| (n.code().to_string(), n.label(lang).to_string())).collect(), p.assessment.as_ref().and_then(|a| a.items.iter().find(|i| i.area == *code)).map(|i| i.need.code()).unwrap_or("none")))
                                label for={ "note_" (code) } { (tr(lang, "note-anteckning")) }
                                input id={ "note_" (code) } name={ "note_" (code) } maxlength="1000";
                            }
                        }
                        button type="submit" { (tr(lang, "save-assessment")) }
                    }
                }
            }
        }
        section aria-labelledby="plan-h" {
            h2 #plan-h { (tr(lang, "individual-plan")) }
            table {
                caption { (tr(lang, "interventions")) }
                thead { tr {
                    th scope="col" { (tr(lang, "intervention")) } th scope="col" { (tr(lang, "provider")) }
                    th scope="col" { (tr(lang, "from")) } th scope="col" { (tr(lang, "to")) }
                    th scope="col" { (tr(lang, "status")) } th scope="col" { (tr(lang, "outcome")) }
                    @if write { th scope="col" { (tr(lang, "change")) } }
                } }
                tbody {
                    @for i in &p.interventions {
                        tr {
                            td { (catalogue_name(&i.kind)) @if !i.detail.is_empty() { br; small { (i.detail) } } }
                            td { (i.provider) }
                            td { (d(i.start)) } td { (d(i.end)) }
                            td { (i.status.label(lang)) }
                            td { (i.outcome.map(|o| o.label(lang)).unwrap_or("–")) " " (d(i.outcome_date)) }
                            @if write {
                                td {
                                    form method="post" action={ (base) "/intervention-status" } {
                                        (hidden)
                                        input type="hidden" name="iid" value=(i.id);
                                        (select("status", tr(lang, "status"), InterventionStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), i.status.code()))
                                        (select("outcome", tr(lang, "outcome"), std::iter::once((String::new(), "–".to_string())).chain(InterventionOutcome::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string()))).collect(), i.outcome.map(|o| o.code()).unwrap_or("")))
                                        label for={ "od-" (i.id) } { (tr(lang, "date")) }
                                        input id={ "od-" (i.id) } name="outcome_date" type="date";
                                        button type="submit" { (tr(lang, "save")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if write {
                details { summary { (tr(lang, "add-intervention")) }
                    form method="post" action={ (base) "/intervention" } {
                        (hidden)
                        (select("kind", tr(lang, "intervention"), settings.catalogue.iter().map(|e| (e.code.clone(), e.name(PlanLang::Sv).to_string())).collect(), ""))
                        label for="provider" { (tr(lang, "provider-department-organisation")) } input #provider name="provider" required maxlength="200";
                        label for="detail" { (tr(lang, "description-e-g-sfi-course")) } input #detail name="detail" maxlength="500";
                        label for="start" { (tr(lang, "from")) } input #start name="start" type="date";
                        label for="end" { (tr(lang, "to")) } input #end name="end" type="date";
                        label for="contact" { (tr(lang, "contact-person")) } input #contact name="contact" maxlength="200";
                        button type="submit" { (tr(lang, "add")) }
                    }
                }
            }
        }
        section aria-labelledby="cons-h" {
            h2 #cons-h { (tr(lang, "consents-referrals")) }
            ul { @for k in &p.consents { li { (k.organisation) ": " (tr(lang, "consent")) (k.given) @if let Some(w) = k.withdrawn { ", " (tr(lang, "withdrawn")) (w) } } } }
            table {
                caption { (tr(lang, "referrals")) }
                thead { tr { th scope="col" { (tr(lang, "to")) } th scope="col" { (tr(lang, "purpose")) } th scope="col" { (tr(lang, "sent")) } th scope="col" { (tr(lang, "status")) } th scope="col" { (tr(lang, "reason")) } } }
                tbody { @for r in &p.referrals { tr { td { (r.organisation) } td { (r.purpose) } td { (r.sent) } td { (r.status.label(lang)) " " (r.updated) } td { (r.reason) } } } }
            }
            @if write {
                details { summary { (tr(lang, "record-consent")) }
                    form method="post" action={ (base) "/consent" } {
                        (hidden)
                        label for="c-org" { (tr(lang, "organisation-consent-covers")) } input #c-org name="organisation" required maxlength="200";
                        label for="c-date" { (tr(lang, "date")) } input #c-date name="given" type="date" required;
                        button type="submit" { (tr(lang, "save-consent")) }
                    }
                }
                details { summary { (tr(lang, "send-referral-needs-consent")) }
                    form method="post" action={ (base) "/referral" } {
                        (hidden)
                        (select("consent", tr(lang, "consent-samtycke"), p.consents.iter().filter(|k| k.withdrawn.is_none()).map(|k| (k.id.to_string(), format!("{} ({})", k.organisation, k.given))).collect(), ""))
                        label for="r-purpose" { (tr(lang, "purpose")) } input #r-purpose name="purpose" required maxlength="300";
                        button type="submit" { (tr(lang, "send")) }
                    }
                }
                @if !p.referrals.is_empty() {
                    details { summary { (tr(lang, "update-referral")) }
                        form method="post" action={ (base) "/referral-status" } {
                            (hidden)
                            (select("rid", tr(lang, "referral"), p.referrals.iter().map(|r| (r.id.to_string(), format!("{} – {}", r.organisation, r.purpose))).collect(), ""))
                            (select("status", tr(lang, "status"), ReferralStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                            label for="r-reason" { (tr(lang, "reason-needed-when-declined")) } input #r-reason name="reason" maxlength="500";
                            button type="submit" { (tr(lang, "save")) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="rev-h" {
            h2 #rev-h { (tr(lang, "reviews")) }
            ul { @for r in &p.reviews { li { (r.date) " – " (names.get(&r.by).cloned().unwrap_or_default()) ": " (r.note) } } }
            @if write {
                form method="post" action={ (base) "/review" } {
                    (hidden)
                    label for="rv-date" { (tr(lang, "date")) } input #rv-date name="date" type="date" required;
                    label for="rv-note" { (tr(lang, "note-anteckning")) } input #rv-note name="note" maxlength="2000";
                    button type="submit" { (tr(lang, "record-review")) }
                }
            }
        }
        section aria-labelledby="out-h" {
            h2 #out-h { (tr(lang, "outcomes-events")) }
            ul {
                @for o in &p.outcomes { li { (o.at.label(lang)) " (" (o.date) "): " (o.status.label(lang)) } }
                @for e in &p.events { li { (e.kind.label(lang)) " " (e.date) @if !e.note.is_empty() { ": " (e.note) } } }
            }
            @if write {
                details { summary { (tr(lang, "record-outcome")) }
                    form method="post" action={ (base) "/outcome" } {
                        (hidden)
                        (select("at", tr(lang, "when"), OutcomeAt::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        (select("status", tr(lang, "status"), OutcomeStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        label for="o-date" { (tr(lang, "date")) } input #o-date name="date" type="date" required;
                        button type="submit" { (tr(lang, "save")) }
                    }
                }
                details { summary { (tr(lang, "record-event-employment-studies-moving")) }
                    form method="post" action={ (base) "/event" } {
                        (hidden)
                        (select("kind", tr(lang, "event"), EventKind::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        label for="e-date" { (tr(lang, "date")) } input #e-date name="date" type="date" required;
                        label for="e-note" { (tr(lang, "note-anteckning")) } input #e-note name="note" maxlength="500";
                        button type="submit" { (tr(lang, "save")) }
                    }
                }
            }
        }
        section aria-labelledby="link-h" {
            h2 #link-h { (tr(lang, "my-plan-link-person")) }
            ul {
                @for l in links {
                    li {
                        (PlanLang::parse(&l.lang).map(|x| x.own_name()).unwrap_or("?")) ", " (tr(lang, "created")) (&l.created_at[..10]) ", " (tr(lang, "valid-until")) (&l.expires_at[..10])
                        @if let Some(r) = &l.revoked_at { " – " strong { (tr(lang, "revoked")) (&r[..10]) } }
                        @else if write {
                            form.inline method="post" action={ (base) "/revoke-link" } {
                                (hidden) input type="hidden" name="lid" value=(l.id);
                                button type="submit" { (tr(lang, "revoke")) }
                            }
                        }
                    }
                }
            }
            @if write {
                form method="post" action={ (base) "/link" } {
                    (hidden)
                    (select("lang", tr(lang, "language"), PlanLang::ALL.iter().map(|l| (l.tag().to_string(), l.own_name().to_string())).collect(), p.plan_language.tag()))
                    label for="days" { (tr(lang, "valid-days-190")) } input #days name="days" type="number" min="1" max="90" value="30";
                    button type="submit" { (tr(lang, "create-link-code")) }
                }
            }
        }
        @if manage {
            section aria-labelledby="man-h" {
                h2 #man-h { (tr(lang, "management")) }
                form method="post" action={ (base) "/assign" } {
                    (hidden)
                    label for="cw" { (tr(lang, "case-worker-user-name")) } input #cw name="case_worker" maxlength="100";
                    label for="col" { (tr(lang, "colleagues-user-names-comma-separated")) } input #col name="colleagues" maxlength="500";
                    button type="submit" { (tr(lang, "assign")) }
                }
                form method="post" action={ (base) "/close" } {
                    (hidden)
                    label for="cl" { (tr(lang, "close-case-date-empty-reopen")) } input #cl name="closed" type="date";
                    button type="submit" { (tr(lang, "save")) }
                }
                form method="post" action={ (base) "/restrict" } {
                    (hidden) input type="hidden" name="restricted" value=(if p.restricted { "0" } else { "1" });
                    button type="submit" { @if p.restricted { (tr(lang, "lift-restriction")) } @else { (tr(lang, "restrict-processing-gdpr-art-18")) } }
                }
                p { a href={ (base) "/export" } { (tr(lang, "data-export-everything-stored")) } " · " a href={ (base) "/export.json" } { "JSON" } }
            }
        }
    };
    layout(c, &name, &base, body)
}

pub(super) fn measure(ind: RegIndicator) -> etablera_domain::MeasureUnit {
    match ind {
        RegIndicator::Received => etablera_domain::MeasureUnit::Count,
        RegIndicator::DaysToFirst => etablera_domain::MeasureUnit::Days,
        _ => etablera_domain::MeasureUnit::Percent,
    }
}

/// An area of the needs assessment (`register::ASSESSMENT_AREAS`) as the form names it; an
/// unknown code as itself.
pub(super) fn area_label(lang: Lang, code: &str) -> &str {
    match code {
        "language" => tr(lang, "area-language"),
        "education" => tr(lang, "area-education"),
        "work" => tr(lang, "area-work"),
        "health" => tr(lang, "area-health"),
        "childcare" => tr(lang, "area-childcare"),
        "housing" => tr(lang, "area-housing"),
        "economy" => tr(lang, "area-economy"),
        "network" => tr(lang, "area-network"),
        other => other,
    }
}

pub(super) async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
    Checked(f): Checked<F>,
) -> Response {
    change(state, ctx, unit, id, "details".into(), f).await
}

pub(super) async fn update_part(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id, part)): Path<(String, String, String)>,
    Checked(f): Checked<F>,
) -> Response {
    change(state, ctx, unit, id, part, f).await
}

/// Every change to a person goes through here: CSRF, the form read into a typed change,
/// and the use case (access, the change, validation, save and audit).
pub(super) async fn change(
    state: AppState,
    ctx: Ctx,
    unit: String,
    id: String,
    part: String,
    f: F,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        let change = parse_change(&part, f)?;
        state
            .db
            .app(move |conn| {
                let done = cases::change(conn, &c.actor(), &keys, &unit, &id, change)?;
                Ok((unit, id, done))
            })
            .await
    }
    .await;
    match r {
        Ok((unit, _, cases::Changed::NeedsCheck)) => needs_check(&ctx, &unit),
        Ok((unit, id, cases::Changed::LinkCode(code))) => {
            // The code is shown once; only its hash is stored.
            let lang = ctx.lang;
            let url = format!("/min-plan/{code}");
            Html(layout(&ctx, tr(lang, "link-my-plan"), &url, html! {
                h1 { (tr(lang, "link-code-my-plan")) }
                p { (tr(lang, "give-person-link-code-shown")) }
                p { (tr(lang, "link-lank")) a href=(url) { (url) } }
                p { (tr(lang, "code")) strong { code { (code) } } }
                p { a href={ "/register/" (unit) "/persons/" (id) } { (tr(lang, "back-case")) } }
            }).into_string()).into_response()
        }
        Ok((unit, id, cases::Changed::Saved)) => {
            Redirect::to(&format!("/register/{unit}/persons/{id}")).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}

/// A field that must be there, or the error naming it.
fn needed<T>(v: Option<T>, field: &str) -> Result<T, AppError> {
    v.ok_or_else(|| RegisterError::new(field, Problem::Needed).into())
}

/// A choice from a list, or the error naming the field.
fn choice<T>(f: &F, field: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, AppError> {
    parse(&text(f, field, 40)?).ok_or_else(|| RegisterError::new(field, Problem::NotInList).into())
}

fn number<T: std::str::FromStr>(f: &F, field: &str, min: i64, max: i64) -> Result<T, AppError> {
    text(f, field, 20)?
        .parse()
        .map_err(|_| RegisterError::new(field, Problem::WholeNumber { min, max }).into())
}

/// The parts of a person's page that post a form (`/register/{unit}/persons/{id}/{part}`).
pub const PARTS: &[&str] = &[
    "details",
    "assessment",
    "intervention",
    "consent",
    "referral",
    "review",
    "outcome",
    "event",
    "link",
    "assign",
    "household",
    "close",
    "restrict",
];

/// Reads the form of a part as the person page does: whether it read as a change (for the
/// fuzz harness; the page itself goes on to `cases::change`).
pub fn reads_as_change(part: &str, form: F) -> bool {
    parse_change(part, form).is_ok()
}

/// The form of one part of a person's page as a typed change; errors name the field.
fn parse_change(part: &str, f: F) -> Result<cases::Change, AppError> {
    use cases::Change as C;
    Ok(match part {
        "details" => C::Details(f),
        "assessment" => {
            let mut items = Vec::new();
            for code in ASSESSMENT_AREAS {
                let need = choice(&f, &format!("need_{code}"), |x| {
                    NeedLevel::parse(if x.is_empty() { "none" } else { x })
                })?;
                items.push((
                    code.to_string(),
                    need,
                    text(&f, &format!("note_{code}"), 1000)?,
                ));
            }
            C::Assessment(items)
        }
        "intervention" => C::Intervention {
            kind: text(&f, "kind", 40)?,
            provider: text(&f, "provider", 200)?,
            detail: text(&f, "detail", 500)?,
            start: opt_date(&f, "start")?,
            end: opt_date(&f, "end")?,
            contact: text(&f, "contact", 200)?,
        },
        "intervention-status" => {
            let o = text(&f, "outcome", 20)?;
            C::InterventionStatus {
                id: number(&f, "iid", 0, u32::MAX as i64)?,
                status: choice(&f, "status", InterventionStatus::parse)?,
                outcome: if o.is_empty() {
                    None
                } else {
                    Some(choice(&f, "outcome", InterventionOutcome::parse)?)
                },
                outcome_date: opt_date(&f, "outcome_date")?,
            }
        }
        "consent" => C::Consent {
            organisation: text(&f, "organisation", 200)?,
            given: needed(opt_date(&f, "given")?, "given")?,
        },
        "referral" => C::Referral {
            consent: text(&f, "consent", 10)?
                .parse()
                .map_err(|_| RegisterError::new("consent", Problem::NoConsent))?,
            purpose: text(&f, "purpose", 300)?,
        },
        "referral-status" => C::ReferralStatus {
            id: number(&f, "rid", 0, u32::MAX as i64)?,
            status: choice(&f, "status", ReferralStatus::parse)?,
            reason: text(&f, "reason", 500)?,
        },
        "review" => C::Review {
            date: needed(opt_date(&f, "date")?, "date")?,
            note: text(&f, "note", 2000)?,
        },
        "outcome" => C::Outcome {
            at: choice(&f, "at", OutcomeAt::parse)?,
            status: choice(&f, "status", OutcomeStatus::parse)?,
            date: needed(opt_date(&f, "date")?, "date")?,
        },
        "event" => C::Event {
            kind: choice(&f, "kind", EventKind::parse)?,
            date: needed(opt_date(&f, "date")?, "date")?,
            note: text(&f, "note", 500)?,
        },
        "link" => C::Link {
            lang: choice(&f, "lang", PlanLang::parse)?,
            days: number(&f, "days", 1, 90)?,
        },
        "revoke-link" => C::RevokeLink {
            id: number(&f, "lid", 0, i64::MAX)?,
        },
        "assign" => C::Assign {
            case_worker: text(&f, "case_worker", 100)?,
            colleagues: text(&f, "colleagues", 500)?
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect(),
        },
        "household" => C::Household {
            size: number(&f, "storlek", 1, reg::MAX_HOUSEHOLD as i64)?,
            rooms: match text(&f, "rum", 5)?.as_str() {
                "" => None,
                _ => Some(number(&f, "rum", 1, 20)?),
            },
            housing_need: text(&f, "bostadsbehov", 500)?,
        },
        "close" => C::Close(opt_date(&f, "closed")?),
        "restrict" => C::Restrict(text(&f, "restricted", 1)? == "1"),
        _ => return Err(AppError::NotFound),
    })
}
