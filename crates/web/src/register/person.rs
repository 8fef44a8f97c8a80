//! A person's page and every change to the case: assessment, plan, consents, referrals,
//! reviews, household, closing and restriction.

use super::*;

pub(super) async fn person_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let (case, settings) = check_case(s, &c, &keys, &unit, &id, A::ReadPerson)?;
                log(
                    s,
                    &c,
                    &keys,
                    "web",
                    &[&case.person],
                    "GET /register/{unit}/persons/{id}",
                )?;
                let names = user_names(s)?;
                let links = s.plan_links(&id)?;
                let household = household_view(s, &c, &keys, &unit, &case.person, &settings)?;
                let manage = register_allowed(
                    c.principal.as_ref(),
                    A::ManageCase,
                    &unit,
                    Some(relation(&c, &case.person)),
                    settings.caseload_only,
                );
                let write = register_allowed(
                    c.principal.as_ref(),
                    A::WritePerson,
                    &unit,
                    Some(relation(&c, &case.person)),
                    settings.caseload_only,
                );
                Ok(person_markup(
                    &c, &unit, &case, &settings, &names, &links, &household, manage, write,
                ))
            })
            .await
    }
    .await;
    page(&ctx, r)
}

/// A person's household as their page shows it: the household and the pseudonyms of the
/// members the reader may open (others are only counted; no names, so no reads to log).
pub(super) struct HouseholdView {
    household: Option<etablera_register::Household>,
    members: Vec<String>,
    hidden_members: usize,
}

pub(super) fn household_view(
    s: &mut dyn Store,
    c: &Ctx,
    keys: &Keyring,
    unit: &UnitCode,
    p: &Person,
    settings: &Settings,
) -> Result<HouseholdView, AppError> {
    let Some(hid) = p.household.as_deref().filter(|h| !h.is_empty()) else {
        return Ok(HouseholdView {
            household: None,
            members: Vec::new(),
            hidden_members: 0,
        });
    };
    let household = reg::household(s, keys, unit, hid)?;
    let mut members = Vec::new();
    let mut hidden_members = 0;
    for row in s.household_members(unit, hid)? {
        let other = reg::person_of(&row)?;
        if other.id == p.id || other.household.as_deref() != Some(hid) {
            continue;
        }
        if register_allowed(
            c.principal.as_ref(),
            A::ReadPerson,
            unit,
            Some(relation(c, &other)),
            settings.caseload_only,
        ) {
            members.push(other.id.to_string());
        } else {
            hidden_members += 1;
        }
    }
    Ok(HouseholdView {
        household,
        members,
        hidden_members,
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn person_markup(
    c: &Ctx,
    unit: &UnitCode,
    case: &Case,
    settings: &Settings,
    names: &HashMap<i64, String>,
    links: &[PlanLinkRow],
    hh: &HouseholdView,
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
        .unwrap_or_else(|| t(lang, "(anonymiserad)", "(anonymised)").into());
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
        @if p.restricted { p.notice { strong { (t(lang, "Behandlingen är begränsad (GDPR art. 18).", "Processing is restricted (GDPR art. 18).")) } } }
        @if p.closed.is_some() { p.notice { (t(lang, "Ärendet avslutades ", "The case was closed on ")) (d(p.closed)) "." } }
        section aria-labelledby="est-h" {
            h2 #est-h { (t(lang, "Etableringstid", "Establishment period")) }
            @match p.establishment() {
                Some((s, e)) => p { (s) " – " (e) ". " strong { (p.days_left(today).unwrap_or(0)) " " (t(lang, "dagar kvar", "days left")) } }
                None => p { (t(lang, "Ingen etableringstid registrerad.", "No establishment period registered.")) }
            }
            p { (t(lang, "Nästa uppföljning: ", "Next review: ")) (d(p.next_review())) }
        }
        section aria-labelledby="data-h" {
            h2 #data-h { (t(lang, "Uppgifter", "Details")) }
            dl {
                dt { (t(lang, "Personnummer", "Personal number")) } dd { (case.identity.as_ref().and_then(|i| i.pnr.as_ref().map(|p| p.display())).unwrap_or_else(|| "–".into())) }
                dt { (t(lang, "Födelseår, kön", "Birth year, sex")) } dd { (p.birth_year) ", " (if p.sex == Sex::Women { t(lang, "kvinna", "woman") } else { t(lang, "man", "man") }) }
                dt { (t(lang, "Födelseland, språk", "Country of birth, languages")) } dd { (p.country_of_birth) "; " (p.languages.join(", ")) }
                dt { (t(lang, "Utbildning", "Education")) } dd { (p.education.map(|e| e.label(lang)).unwrap_or("–")) }
                dt { (t(lang, "Yrkeserfarenhet (SSYK)", "Work experience (SSYK)")) } dd { (p.ssyk.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }
                dt { (t(lang, "Svenska", "Swedish")) } dd { (p.swedish.label(lang)) }
                dt { (t(lang, "Kategori", "Category")) } dd { (p.category.label(lang)) }
                dt { (t(lang, "Uppehållstillstånd, ankomst, folkbokförd", "Residence permit, arrival, registered")) } dd { (d(p.permit_date)) ", " (p.arrival_date) ", " (d(p.registered_date)) }
                dt { (t(lang, "Kontakt", "Contact")) } dd { (case.identity.as_ref().map(|i| [i.phone.clone(), i.email.clone(), i.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")).unwrap_or_default()) }
                dt { (t(lang, "Handläggare", "Case worker")) } dd { (p.case_worker.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "–".into())) @if !p.colleagues.is_empty() { " (" (t(lang, "kollegor: ", "colleagues: ")) (p.colleagues.iter().filter_map(|u| names.get(u).cloned()).collect::<Vec<_>>().join(", ")) ")" } }
            }
            @if write {
                details { summary { (t(lang, "Ändra uppgifter (rättelse)", "Change details (correction)")) } (person_form(lang, &base, c.csrf(), Some(case), None)) }
            }
        }
        section aria-labelledby="hh-h" {
            h2 #hh-h { (t(lang, "Hushåll och bostadsbehov", "Household and housing need")) }
            @match &hh.household {
                Some(h) => {
                    dl {
                        dt { (t(lang, "Hushåll", "Household")) } dd { code { (h.id) } }
                        dt { (t(lang, "Antal personer", "Members")) } dd { (h.size) }
                        dt { (t(lang, "Rum som behövs (utom kök)", "Rooms needed (besides the kitchen)")) } dd { (h.rooms_needed.map(|r| r.to_string()).unwrap_or_else(|| "–".into())) " " small { "(" (t(lang, "trångboddhetsnorm 2 ger ", "crowding norm 2 gives ")) (reg::rooms_by_norm(h.size)) ")" } }
                        dt { (t(lang, "Bostadsbehov", "Housing need")) } dd { (if h.housing_need.is_empty() { "–" } else { h.housing_need.as_str() }) }
                        dt { (t(lang, "Andra i registret", "Others in the register")) }
                        dd {
                            @for m in &hh.members { a href={ "/register/" (unit) "/persons/" (m) } { code { (m) } } " " }
                            @if hh.hidden_members > 0 { (hh.hidden_members) " " (t(lang, "som du inte har behörighet till", "you have no access to")) }
                            @if hh.members.is_empty() && hh.hidden_members == 0 { "–" }
                        }
                    }
                }
                None => p { (t(lang, "Inget hushåll registrerat.", "No household registered.")) }
            }
            @if write {
                details {
                    summary { (t(lang, "Ändra hushåll", "Change the household")) }
                    form method="post" action={ (base) "/household" } {
                        (hidden)
                        label for="hh-size" { (t(lang, "Antal personer i hushållet", "Members of the household")) }
                        input #hh-size type="number" name="storlek" min="1" max=(reg::MAX_HOUSEHOLD) required value=(hh.household.as_ref().map(|h| h.size).unwrap_or(1));
                        label for="hh-rooms" { (t(lang, "Rum som behövs (tomt: enligt norm)", "Rooms needed (empty: by the norm)")) }
                        input #hh-rooms type="number" name="rum" min="1" max="20" value=(hh.household.as_ref().and_then(|h| h.rooms_needed).map(|r| r.to_string()).unwrap_or_default());
                        label for="hh-need" { (t(lang, "Bostadsbehov", "Housing need")) }
                        textarea #hh-need name="bostadsbehov" maxlength="500" { (hh.household.as_ref().map(|h| h.housing_need.as_str()).unwrap_or("")) }
                        button type="submit" { (t(lang, "Spara hushåll", "Save household")) }
                    }
                }
            }
        }
        section aria-labelledby="ass-h" {
            h2 #ass-h { (t(lang, "Kartläggning", "Needs assessment")) }
            @if let Some(a) = &p.assessment {
                table {
                    caption { (t(lang, "Kartläggning ", "Assessment of ")) (a.date) }
                    thead { tr { th scope="col" { (t(lang, "Område", "Area")) } th scope="col" { (t(lang, "Behov", "Need")) } th scope="col" { (t(lang, "Anteckning", "Note")) } } }
                    tbody { @for it in &a.items { tr { td { (area_label(lang, &it.area)) } td { (it.need.label(lang)) } td { (it.note) } } } }
                }
            } @else { p { (t(lang, "Ingen kartläggning ännu.", "No assessment yet.")) } }
            @if write {
                details { summary { (t(lang, "Gör kartläggning", "Make an assessment")) }
                    form method="post" action={ (base) "/assessment" } {
                        (hidden)
                        @for (code, sv, en) in ASSESSMENT_AREAS {
                            fieldset {
                                legend { (lang.pick(sv, en)) }
                                (select(&format!("need_{code}"), t(lang, "Behov", "Need"), NeedLevel::ALL.iter().map(|n| (n.code().to_string(), n.label(lang).to_string())).collect(), p.assessment.as_ref().and_then(|a| a.items.iter().find(|i| i.area == *code)).map(|i| i.need.code()).unwrap_or("none")))
                                label for={ "note_" (code) } { (t(lang, "Anteckning", "Note")) }
                                input id={ "note_" (code) } name={ "note_" (code) } maxlength="1000";
                            }
                        }
                        button type="submit" { (t(lang, "Spara kartläggning", "Save assessment")) }
                    }
                }
            }
        }
        section aria-labelledby="plan-h" {
            h2 #plan-h { (t(lang, "Individuell plan", "Individual plan")) }
            table {
                caption { (t(lang, "Insatser", "Interventions")) }
                thead { tr {
                    th scope="col" { (t(lang, "Insats", "Intervention")) } th scope="col" { (t(lang, "Anordnare", "Provider")) }
                    th scope="col" { (t(lang, "Från", "From")) } th scope="col" { (t(lang, "Till", "To")) }
                    th scope="col" { (t(lang, "Status", "Status")) } th scope="col" { (t(lang, "Resultat", "Outcome")) }
                    @if write { th scope="col" { (t(lang, "Ändra", "Change")) } }
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
                                        (select("status", t(lang, "Status", "Status"), InterventionStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), i.status.code()))
                                        (select("outcome", t(lang, "Resultat", "Outcome"), std::iter::once((String::new(), "–".to_string())).chain(InterventionOutcome::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string()))).collect(), i.outcome.map(|o| o.code()).unwrap_or("")))
                                        label for={ "od-" (i.id) } { (t(lang, "Datum", "Date")) }
                                        input id={ "od-" (i.id) } name="outcome_date" type="date";
                                        button type="submit" { (t(lang, "Spara", "Save")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if write {
                details { summary { (t(lang, "Lägg till insats", "Add an intervention")) }
                    form method="post" action={ (base) "/intervention" } {
                        (hidden)
                        (select("kind", t(lang, "Insats", "Intervention"), settings.catalogue.iter().map(|e| (e.code.clone(), e.name(PlanLang::Sv).to_string())).collect(), ""))
                        label for="provider" { (t(lang, "Anordnare (förvaltning eller organisation)", "Provider (department or organisation)")) } input #provider name="provider" required maxlength="200";
                        label for="detail" { (t(lang, "Beskrivning (t.ex. sfi kurs B, studieväg 2)", "Description (e.g. SFI course B, study path 2)")) } input #detail name="detail" maxlength="500";
                        label for="start" { (t(lang, "Från", "From")) } input #start name="start" type="date";
                        label for="end" { (t(lang, "Till", "To")) } input #end name="end" type="date";
                        label for="contact" { (t(lang, "Kontakt för personen", "Contact for the person")) } input #contact name="contact" maxlength="200";
                        button type="submit" { (t(lang, "Lägg till", "Add")) }
                    }
                }
            }
        }
        section aria-labelledby="cons-h" {
            h2 #cons-h { (t(lang, "Samtycken och remisser", "Consents and referrals")) }
            ul { @for k in &p.consents { li { (k.organisation) ": " (t(lang, "samtycke ", "consent ")) (k.given) @if let Some(w) = k.withdrawn { ", " (t(lang, "återkallat ", "withdrawn ")) (w) } } } }
            table {
                caption { (t(lang, "Remisser", "Referrals")) }
                thead { tr { th scope="col" { (t(lang, "Till", "To")) } th scope="col" { (t(lang, "Syfte", "Purpose")) } th scope="col" { (t(lang, "Skickad", "Sent")) } th scope="col" { (t(lang, "Status", "Status")) } th scope="col" { (t(lang, "Skäl", "Reason")) } } }
                tbody { @for r in &p.referrals { tr { td { (r.organisation) } td { (r.purpose) } td { (r.sent) } td { (r.status.label(lang)) " " (r.updated) } td { (r.reason) } } } }
            }
            @if write {
                details { summary { (t(lang, "Registrera samtycke", "Record consent")) }
                    form method="post" action={ (base) "/consent" } {
                        (hidden)
                        label for="c-org" { (t(lang, "Organisation som samtycket gäller", "Organisation the consent covers")) } input #c-org name="organisation" required maxlength="200";
                        label for="c-date" { (t(lang, "Datum", "Date")) } input #c-date name="given" type="date" required;
                        button type="submit" { (t(lang, "Spara samtycke", "Save consent")) }
                    }
                }
                details { summary { (t(lang, "Skicka remiss (kräver samtycke)", "Send a referral (needs consent)")) }
                    form method="post" action={ (base) "/referral" } {
                        (hidden)
                        (select("consent", t(lang, "Samtycke", "Consent"), p.consents.iter().filter(|k| k.withdrawn.is_none()).map(|k| (k.id.to_string(), format!("{} ({})", k.organisation, k.given))).collect(), ""))
                        label for="r-purpose" { (t(lang, "Syfte", "Purpose")) } input #r-purpose name="purpose" required maxlength="300";
                        button type="submit" { (t(lang, "Skicka", "Send")) }
                    }
                }
                @if !p.referrals.is_empty() {
                    details { summary { (t(lang, "Uppdatera remiss", "Update a referral")) }
                        form method="post" action={ (base) "/referral-status" } {
                            (hidden)
                            (select("rid", t(lang, "Remiss", "Referral"), p.referrals.iter().map(|r| (r.id.to_string(), format!("{} – {}", r.organisation, r.purpose))).collect(), ""))
                            (select("status", t(lang, "Status", "Status"), ReferralStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                            label for="r-reason" { (t(lang, "Skäl (krävs vid avböjd)", "Reason (needed when declined)")) } input #r-reason name="reason" maxlength="500";
                            button type="submit" { (t(lang, "Spara", "Save")) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="rev-h" {
            h2 #rev-h { (t(lang, "Uppföljningar", "Reviews")) }
            ul { @for r in &p.reviews { li { (r.date) " – " (names.get(&r.by).cloned().unwrap_or_default()) ": " (r.note) } } }
            @if write {
                form method="post" action={ (base) "/review" } {
                    (hidden)
                    label for="rv-date" { (t(lang, "Datum", "Date")) } input #rv-date name="date" type="date" required;
                    label for="rv-note" { (t(lang, "Anteckning", "Note")) } input #rv-note name="note" maxlength="2000";
                    button type="submit" { (t(lang, "Registrera uppföljning", "Record review")) }
                }
            }
        }
        section aria-labelledby="out-h" {
            h2 #out-h { (t(lang, "Utfall och händelser", "Outcomes and events")) }
            ul {
                @for o in &p.outcomes { li { (o.at.label(lang)) " (" (o.date) "): " (o.status.label(lang)) } }
                @for e in &p.events { li { (e.kind.label(lang)) " " (e.date) @if !e.note.is_empty() { ": " (e.note) } } }
            }
            @if write {
                details { summary { (t(lang, "Registrera utfall", "Record an outcome")) }
                    form method="post" action={ (base) "/outcome" } {
                        (hidden)
                        (select("at", t(lang, "När", "When"), OutcomeAt::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        (select("status", t(lang, "Status", "Status"), OutcomeStatus::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        label for="o-date" { (t(lang, "Datum", "Date")) } input #o-date name="date" type="date" required;
                        button type="submit" { (t(lang, "Spara", "Save")) }
                    }
                }
                details { summary { (t(lang, "Registrera händelse (anställning, studier, utflyttning)", "Record an event (employment, studies, moving out)")) }
                    form method="post" action={ (base) "/event" } {
                        (hidden)
                        (select("kind", t(lang, "Händelse", "Event"), EventKind::ALL.iter().map(|x| (x.code().to_string(), x.label(lang).to_string())).collect(), ""))
                        label for="e-date" { (t(lang, "Datum", "Date")) } input #e-date name="date" type="date" required;
                        label for="e-note" { (t(lang, "Anteckning", "Note")) } input #e-note name="note" maxlength="500";
                        button type="submit" { (t(lang, "Spara", "Save")) }
                    }
                }
            }
        }
        section aria-labelledby="link-h" {
            h2 #link-h { (t(lang, "Min plan – länk till personen", "My plan – link for the person")) }
            ul {
                @for l in links {
                    li {
                        (PlanLang::parse(&l.lang).map(|x| x.own_name()).unwrap_or("?")) ", " (t(lang, "skapad ", "created ")) (&l.created_at[..10]) ", " (t(lang, "gäller till ", "valid until ")) (&l.expires_at[..10])
                        @if let Some(r) = &l.revoked_at { " – " strong { (t(lang, "återkallad ", "revoked ")) (&r[..10]) } }
                        @else if write {
                            form.inline method="post" action={ (base) "/revoke-link" } {
                                (hidden) input type="hidden" name="lid" value=(l.id);
                                button type="submit" { (t(lang, "Återkalla", "Revoke")) }
                            }
                        }
                    }
                }
            }
            @if write {
                form method="post" action={ (base) "/link" } {
                    (hidden)
                    (select("lang", t(lang, "Språk", "Language"), PlanLang::ALL.iter().map(|l| (l.tag().to_string(), l.own_name().to_string())).collect(), p.plan_language.tag()))
                    label for="days" { (t(lang, "Giltig antal dagar (1–90)", "Valid for days (1–90)")) } input #days name="days" type="number" min="1" max="90" value="30";
                    button type="submit" { (t(lang, "Skapa länk och kod", "Create link and code")) }
                }
            }
        }
        @if manage {
            section aria-labelledby="man-h" {
                h2 #man-h { (t(lang, "Hantering", "Management")) }
                form method="post" action={ (base) "/assign" } {
                    (hidden)
                    label for="cw" { (t(lang, "Handläggare (användarnamn)", "Case worker (user name)")) } input #cw name="case_worker" maxlength="100";
                    label for="col" { (t(lang, "Kollegor (användarnamn, kommaseparerade)", "Colleagues (user names, comma separated)")) } input #col name="colleagues" maxlength="500";
                    button type="submit" { (t(lang, "Tilldela", "Assign")) }
                }
                form method="post" action={ (base) "/close" } {
                    (hidden)
                    label for="cl" { (t(lang, "Avsluta ärendet (datum, tomt för att öppna igen)", "Close the case (date, empty to reopen)")) } input #cl name="closed" type="date";
                    button type="submit" { (t(lang, "Spara", "Save")) }
                }
                form method="post" action={ (base) "/restrict" } {
                    (hidden) input type="hidden" name="restricted" value=(if p.restricted { "0" } else { "1" });
                    button type="submit" { @if p.restricted { (t(lang, "Häv begränsningen", "Lift the restriction")) } @else { (t(lang, "Begränsa behandlingen (GDPR art. 18)", "Restrict processing (GDPR art. 18)")) } }
                }
                p { a href={ (base) "/export" } { (t(lang, "Registerutdrag (allt som finns sparat)", "Data export (everything stored)")) } " · " a href={ (base) "/export.json" } { "JSON" } }
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

pub(super) fn area_label(lang: Lang, code: &str) -> String {
    ASSESSMENT_AREAS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, sv, en)| lang.pick(sv, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub(super) async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
    Form(f): Form<F>,
) -> Response {
    change(state, ctx, unit, id, "details".into(), f).await
}

pub(super) async fn update_part(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id, part)): Path<(String, String, String)>,
    Form(f): Form<F>,
) -> Response {
    change(state, ctx, unit, id, part, f).await
}

/// Every change to a person goes through here: CSRF, access, the change, validation, save.
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
        csrf(&c, &f)?;
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        state
            .db
            .run(move |s| {
                let manage_parts = ["assign", "close", "restrict"];
                let action = if manage_parts.contains(&part.as_str()) {
                    A::ManageCase
                } else {
                    A::WritePerson
                };
                let (mut case, settings) = check_case(s, &c, &keys, &unit, &id, action)?;
                let me = user_id(&c).unwrap_or(0);
                let today = reg::today();
                let bad = |m: String| AppError::BadRequest(m);
                let mut link_code: Option<String> = None;
                let p = &mut case.person;
                match part.as_str() {
                    "details" => {
                        case = reg::parse_fields(
                            &f,
                            &unit,
                            Some(&case),
                            settings.review_months,
                            today,
                        )
                        .map_err(|e| bad(e.to_string()))?;
                    }
                    "assessment" => {
                        let mut items = Vec::new();
                        for (code, _, _) in ASSESSMENT_AREAS {
                            let need = NeedLevel::parse(
                                f.get(&format!("need_{code}"))
                                    .map(String::as_str)
                                    .unwrap_or("none"),
                            )
                            .ok_or_else(|| {
                                bad(format!("field `need_{code}`: unknown need level"))
                            })?;
                            items.push(AssessmentItem {
                                area: code.to_string(),
                                need,
                                note: text(&f, &format!("note_{code}"), 1000)?,
                            });
                        }
                        p.assessment = Some(Assessment {
                            date: today,
                            by: me,
                            items,
                        });
                    }
                    "intervention" => {
                        let kind = text(&f, "kind", 40)?;
                        if !settings.catalogue.iter().any(|e| e.code == kind) {
                            return Err(bad(
                                "field `kind`: not in the municipality's catalogue".into()
                            ));
                        }
                        let id = p.next_id();
                        p.interventions.push(Intervention {
                            id,
                            kind,
                            provider: text(&f, "provider", 200)?,
                            detail: text(&f, "detail", 500)?,
                            start: opt_date(&f, "start")?,
                            end: opt_date(&f, "end")?,
                            status: InterventionStatus::Planned,
                            outcome: None,
                            outcome_date: None,
                            contact: text(&f, "contact", 200)?,
                        });
                    }
                    "intervention-status" => {
                        let iid: u32 = text(&f, "iid", 10)?
                            .parse()
                            .map_err(|_| bad("field `iid`: not a number".into()))?;
                        let i = p
                            .interventions
                            .iter_mut()
                            .find(|i| i.id == iid)
                            .ok_or(AppError::NotFound)?;
                        i.status = InterventionStatus::parse(&text(&f, "status", 20)?)
                            .ok_or_else(|| bad("field `status`: unknown status".into()))?;
                        let o = text(&f, "outcome", 20)?;
                        i.outcome =
                            if o.is_empty() {
                                None
                            } else {
                                Some(InterventionOutcome::parse(&o).ok_or_else(|| {
                                    bad("field `outcome`: unknown outcome".into())
                                })?)
                            };
                        i.outcome_date = opt_date(&f, "outcome_date")?.or(i.outcome.map(|_| today));
                    }
                    "consent" => {
                        let id = p.next_id();
                        let given = opt_date(&f, "given")?
                            .ok_or_else(|| bad("field `given`: needed".into()))?;
                        if given > today {
                            return Err(bad("field `given`: lies in the future".into()));
                        }
                        let organisation = text(&f, "organisation", 200)?;
                        if organisation.is_empty() {
                            return Err(bad("field `organisation`: needed".into()));
                        }
                        p.consents.push(Consent {
                            id,
                            organisation,
                            given,
                            withdrawn: None,
                            recorded_by: me,
                        });
                    }
                    "referral" => {
                        let cid: u32 = text(&f, "consent", 10)?.parse().map_err(|_| {
                            bad(
                                "field `consent`: a referral needs the person's recorded consent"
                                    .into(),
                            )
                        })?;
                        let consent = p.consents.iter().find(|k| k.id == cid).ok_or_else(|| {
                            bad(
                                "field `consent`: a referral needs the person's recorded consent"
                                    .into(),
                            )
                        })?;
                        let id = p.next_id();
                        let organisation = consent.organisation.clone();
                        p.referrals.push(Referral {
                            id,
                            organisation,
                            consent: cid,
                            purpose: text(&f, "purpose", 300)?,
                            sent: today,
                            status: ReferralStatus::Sent,
                            reason: String::new(),
                            updated: today,
                        });
                    }
                    "referral-status" => {
                        let rid: u32 = text(&f, "rid", 10)?
                            .parse()
                            .map_err(|_| bad("field `rid`: not a number".into()))?;
                        let r = p
                            .referrals
                            .iter_mut()
                            .find(|r| r.id == rid)
                            .ok_or(AppError::NotFound)?;
                        r.status = ReferralStatus::parse(&text(&f, "status", 20)?)
                            .ok_or_else(|| bad("field `status`: unknown status".into()))?;
                        r.reason = text(&f, "reason", 500)?;
                        r.updated = today;
                    }
                    "review" => {
                        let date = opt_date(&f, "date")?
                            .ok_or_else(|| bad("field `date`: needed".into()))?;
                        p.reviews.push(Review {
                            date,
                            by: me,
                            note: text(&f, "note", 2000)?,
                        });
                    }
                    "outcome" => {
                        let at = OutcomeAt::parse(&text(&f, "at", 10)?)
                            .ok_or_else(|| bad("field `at`: unknown".into()))?;
                        let status = OutcomeStatus::parse(&text(&f, "status", 20)?)
                            .ok_or_else(|| bad("field `status`: unknown status".into()))?;
                        let date = opt_date(&f, "date")?
                            .ok_or_else(|| bad("field `date`: needed".into()))?;
                        p.outcomes.retain(|o| o.at != at);
                        p.outcomes.push(Outcome { at, date, status });
                    }
                    "event" => {
                        let kind = EventKind::parse(&text(&f, "kind", 20)?)
                            .ok_or_else(|| bad("field `kind`: unknown event".into()))?;
                        let date = opt_date(&f, "date")?
                            .ok_or_else(|| bad("field `date`: needed".into()))?;
                        p.events.push(Event {
                            kind,
                            date,
                            note: text(&f, "note", 500)?,
                        });
                    }
                    "link" => {
                        let lang = PlanLang::parse(&text(&f, "lang", 5)?)
                            .ok_or_else(|| bad("field `lang`: sv, en, ar, prs, so or ti".into()))?;
                        let days: i64 = text(&f, "days", 3)?
                            .parse()
                            .ok()
                            .filter(|d| (1..=90).contains(d))
                            .ok_or_else(|| bad("field `days`: a number from 1 to 90".into()))?;
                        let code = plan_code_new();
                        let now = etablera_app::now_secs();
                        let row = PlanLinkRow {
                            id: 0,
                            person_id: p.id.to_string(),
                            code_hash: sha256_hex(&normalise_code(&code)),
                            lang: lang.tag().into(),
                            created_by: user_id(&c),
                            created_at: etablera_app::iso_utc(now),
                            expires_at: etablera_app::iso_utc(now + days * 86_400),
                            revoked_at: None,
                        };
                        let audit = AuditEntry::new(
                            &row.created_at,
                            user_id(&c),
                            "plan_link.create",
                            &format!("person:{}", p.id),
                            Some(&unit),
                        );
                        s.create_plan_link(&row, &audit)?;
                        link_code = Some(code);
                    }
                    "revoke-link" => {
                        let lid: i64 = text(&f, "lid", 20)?
                            .parse()
                            .map_err(|_| bad("field `lid`: not a number".into()))?;
                        let at = etablera_app::now_utc();
                        let audit = AuditEntry::new(
                            &at,
                            user_id(&c),
                            "plan_link.revoke",
                            &format!("person:{}", p.id),
                            Some(&unit),
                        );
                        if !s.revoke_plan_link(p.id.as_str(), lid, &at, &audit)? {
                            return Err(AppError::NotFound);
                        }
                    }
                    "assign" => {
                        let users = s.users()?;
                        let find =
                            |n: &str| users.iter().find(|u| u.username == n.trim()).map(|u| u.id);
                        let cw = text(&f, "case_worker", 100)?;
                        if !cw.is_empty() {
                            p.case_worker =
                                Some(find(&cw).ok_or_else(|| {
                                    bad("field `case_worker`: no such user".into())
                                })?);
                        }
                        let mut col = Vec::new();
                        for n in text(&f, "colleagues", 500)?
                            .split(',')
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                        {
                            col.push(
                                find(n).ok_or_else(|| {
                                    bad("field `colleagues`: no such user".into())
                                })?,
                            );
                        }
                        p.colleagues = col;
                    }
                    "household" => {
                        let num = |name: &str, req: bool| -> Result<Option<u32>, AppError> {
                            match f.get(name).map(|x| x.trim()).unwrap_or("") {
                                "" if !req => Ok(None),
                                x => x
                                    .parse::<u32>()
                                    .map(Some)
                                    .map_err(|_| bad(format!("field `{name}`: a whole number"))),
                            }
                        };
                        let size = num("storlek", true)?.unwrap_or(0);
                        let rooms = num("rum", false)?;
                        let hid = p
                            .household
                            .clone()
                            .filter(|h| !h.is_empty())
                            .unwrap_or_else(|| format!("H-{}", p.id));
                        let h = etablera_register::Household {
                            id: hid.clone(),
                            unit: unit.clone(),
                            size,
                            rooms_needed: rooms.or(Some(reg::rooms_by_norm(size))),
                            housing_need: text(&f, "bostadsbehov", 500)?,
                        };
                        reg::save_household(s, &keys, &h, user_id(&c))
                            .map_err(|e| bad(e.to_string()))?;
                        p.household = Some(hid);
                    }
                    "close" => p.closed = opt_date(&f, "closed")?,
                    "restrict" => p.restricted = text(&f, "restricted", 1)? == "1",
                    _ => return Err(AppError::NotFound),
                }
                if !matches!(part.as_str(), "link" | "revoke-link")
                    && reg::save(s, &keys, &case, user_id(&c), &format!("person.{part}"))?
                        == reg::Saved::NeedsCheck
                {
                    return Ok((unit, None, None));
                }
                Ok((unit, Some(case.person.id.to_string()), link_code))
            })
            .await
    }
    .await;
    match r {
        Ok((unit, None, _)) => needs_check(&ctx, &unit),
        Ok((unit, Some(id), Some(code))) => {
            // The code is shown once; only its hash is stored.
            let lang = ctx.lang;
            let url = format!("/min-plan/{code}");
            Html(layout(&ctx, t(lang, "Länk till min plan", "Link to my plan"), &url, html! {
                h1 { (t(lang, "Länk och kod till min plan", "Link and code to my plan")) }
                p { (t(lang, "Ge personen länken eller koden. Den visas bara nu.", "Give the person the link or the code. It is shown only now.")) }
                p { (t(lang, "Länk: ", "Link: ")) a href=(url) { (url) } }
                p { (t(lang, "Kod: ", "Code: ")) strong { code { (code) } } }
                p { a href={ "/register/" (unit) "/persons/" (id) } { (t(lang, "Tillbaka till ärendet", "Back to the case")) } }
            }).into_string()).into_response()
        }
        Ok((unit, Some(id), None)) => {
            Redirect::to(&format!("/register/{unit}/persons/{id}")).into_response()
        }
        Err(e) => fail(&ctx, e),
    }
}
