//! A person's page and every change to the case: assessment, plan, consents, referrals,
//! reviews, household, closing and restriction.

use super::*;

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
        csrf(&c, &f)?;
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
            Html(layout(&ctx, t(lang, "Länk till min plan", "Link to my plan"), &url, html! {
                h1 { (t(lang, "Länk och kod till min plan", "Link and code to my plan")) }
                p { (t(lang, "Ge personen länken eller koden. Den visas bara nu.", "Give the person the link or the code. It is shown only now.")) }
                p { (t(lang, "Länk: ", "Link: ")) a href=(url) { (url) } }
                p { (t(lang, "Kod: ", "Code: ")) strong { code { (code) } } }
                p { a href={ "/register/" (unit) "/persons/" (id) } { (t(lang, "Tillbaka till ärendet", "Back to the case")) } }
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

/// The form of one part of a person's page as a typed change; errors name the field.
fn parse_change(part: &str, f: F) -> Result<cases::Change, AppError> {
    use cases::Change as C;
    Ok(match part {
        "details" => C::Details(f),
        "assessment" => {
            let mut items = Vec::new();
            for (code, _, _) in ASSESSMENT_AREAS {
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
