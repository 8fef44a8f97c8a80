//! Registering a person (form and caseload file), and the registration requests the
//! reception manager resolves.

use super::*;
use crate::i18n::tr;

/// What a person form was sent with, and what was wrong with it: the form comes back
/// filled in as sent, the field in error marked, and the error above it.
pub(super) type Sent<'a> = Option<(&'a F, &'a etablera_register::RegisterError)>;

pub(super) fn person_form(
    lang: Lang,
    action: &str,
    csrf: &str,
    c: Option<&Case>,
    sent: Sent,
) -> Markup {
    let p = c.map(|c| &c.person);
    let i = c.and_then(|c| c.identity.as_ref());
    let v = |x: Option<String>| x.unwrap_or_default();
    let field = |name: &'static str,
                 label: &'static str,
                 value: String,
                 hint: &'static str,
                 required: bool| {
        let value = match sent {
            Some((f, _)) => f.get(name).cloned().unwrap_or_default(),
            None => value,
        };
        let invalid = sent.is_some_and(|(_, e)| e.field == name);
        let described = [
            (!hint.is_empty()).then(|| format!("{name}-hint")),
            invalid.then(|| "person-form-error".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        html! {
            div.field {
                label for=(name) { (label) @if required { " " abbr title=(tr(lang, "required")) { "*" } } }
                input id=(name) name=(name) value=(value) required[required] aria-invalid=[invalid.then_some("true")] aria-describedby=[(!described.is_empty()).then_some(described)];
                @if !hint.is_empty() { small id={ (name) "-hint" } { (hint) } }
            }
        }
    };
    // A field with a fixed list of answers is a list to choose from, named in words (the
    // codes are what is sent, never what is shown).
    let choice = |name: &'static str,
                  label: &'static str,
                  options: Vec<(&'static str, &'static str)>,
                  value: String,
                  required: bool| {
        let value = match sent {
            Some((f, _)) => f.get(name).cloned().unwrap_or_default(),
            None => value,
        };
        let invalid = sent.is_some_and(|(_, e)| e.field == name);
        html! {
            div.field {
                label for=(name) { (label) @if required { " " abbr title=(tr(lang, "required")) { "*" } } }
                select id=(name) name=(name) required[required] aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some("person-form-error")] {
                    option value="" selected[value.is_empty()] { (if required { tr(lang, "choose") } else { "–" }) }
                    @for (code, text) in options { option value=(code) selected[value == code] { (text) } }
                }
            }
        }
    };
    html! {
        @if let Some((_, e)) = sent {
            div.error-summary #person-form-error role="alert" tabindex="-1" {
                p { strong { (tr(lang, "input-needs-correcting")) } }
                p { a href={ "#" (e.field) } { (e.text(lang)) } }
            }
        }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            (field("namn", tr(lang, "name"), v(i.map(|i| i.name.clone())), "", true))
            (field("personnummer", tr(lang, "personal-identity-coordination-number"), v(i.and_then(|i| i.pnr.as_ref().map(|p| p.display()))), "ÅÅÅÅMMDD-NNNN", false))
            (field("fodelsear", tr(lang, "birth-year"), v(p.map(|p| p.birth_year.to_string())), tr(lang, "needed-without-personal-number"), false))
            (field("kon", tr(lang, "sex-k-m"), v(p.map(|p| if p.sex == Sex::Women { "K".into() } else { "M".into() })), "", true))
            (field("fodelseland", tr(lang, "country-birth"), v(p.map(|p| p.country_of_birth.clone())), "", true))
            (field("sprak", tr(lang, "languages"), v(p.map(|p| p.languages.join(", "))), tr(lang, "comma-separated"), false))
            (choice("planens_sprak", tr(lang, "language-my-plan"), PlanLang::ALL.iter().map(|l| (l.tag(), l.own_name())).collect(), v(p.map(|p| p.plan_language.tag().to_string())), false))
            (choice("utbildning", tr(lang, "education-level-sun"), etablera_register::Education::ALL.iter().map(|e| (e.code(), e.label(lang))).collect(), v(p.and_then(|p| p.education.map(|e| e.code().to_string()))), false))
            (field("ssyk", tr(lang, "work-experience-ssyk-2012-codes"), v(p.map(|p| p.ssyk.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))), "", false))
            (choice("svenska", tr(lang, "swedish"), etablera_register::SwedishLevel::ALL.iter().map(|x| (x.code(), x.label(lang))).collect(), v(p.map(|p| p.swedish.code().to_string())), false))
            (choice("kategori", tr(lang, "reception-category"), Category::ALL.iter().map(|c| (c.code(), c.label(lang))).collect(), v(p.map(|p| p.category.code().to_string())), true))
            (field("uppehallstillstand", tr(lang, "residence-permit-date"), v(p.and_then(|p| p.permit_date.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("ankomst", tr(lang, "arrival-municipality"), v(p.map(|p| p.arrival_date.to_string())), "ÅÅÅÅ-MM-DD", true))
            (field("folkbokford", tr(lang, "registered-resident"), v(p.and_then(|p| p.registered_date.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("etablering_start", tr(lang, "start-establishment-period"), v(p.and_then(|p| p.establishment_start.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("telefon", tr(lang, "phone"), v(i.and_then(|i| i.phone.clone())), "", false))
            (field("epost", tr(lang, "email"), v(i.and_then(|i| i.email.clone())), "", false))
            (field("adress", tr(lang, "address"), v(i.and_then(|i| i.address.clone())), "", false))
            (field("hushall", tr(lang, "household-id"), v(p.and_then(|p| p.household.clone())), "", false))
            button type="submit" { (tr(lang, "save")) }
        }
    }
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, _| {
        cases::may_create(conn, &c.actor(), &unit)?;
        Ok(new_person_page(&c, &unit, None))
    })
    .await;
    page(&ctx, r)
}

/// The form for registering a person: empty, or as sent with its error.
pub(super) fn new_person_page(c: &Ctx, unit: &UnitCode, sent: Sent) -> Markup {
    let lang = c.lang;
    let title = tr(lang, "register-person");
    layout(
        c,
        title,
        &format!("/register/{unit}/ny"),
        html! {
            h1 { (title) }
            (register_nav(lang, unit))
            p { (tr(lang, "name-personal-number-contact-details")) }
            (person_form(lang, &format!("/register/{unit}/persons"), c.csrf(), None, sent))
        },
    )
}

/// What registering a person came to.
pub(super) enum Created {
    At(String),
    NeedsCheck(UnitCode),
    /// The form again, filled in as sent, with its error (422).
    Invalid(Markup),
}

pub(super) async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    Checked(f): Checked<F>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
        Ok(match cases::create(conn, &c.actor(), &keys, &unit, &f) {
            Ok(cases::Created::Stored(id)) => Created::At(format!("/register/{unit}/persons/{id}")),
            Ok(cases::Created::NeedsCheck) => Created::NeedsCheck(unit),
            Err(etablera_app::Error::Invalid(e)) => {
                Created::Invalid(new_person_page(&c, &unit, Some((&f, &e))))
            }
            Err(e) => return Err(e.into()),
        })
    })
    .await;
    match r {
        Ok(Created::At(to)) => Redirect::to(&to).into_response(),
        Ok(Created::NeedsCheck(unit)) => needs_check(&ctx, &unit),
        Ok(Created::Invalid(page)) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.into_string()),
        )
            .into_response(),
        Err(e) => fail(&ctx, e),
    }
}

/// The reception manager's list of registrations whose personnummer is already in the
/// register. Opening one is a read of the case that holds the number, and is logged.
pub(super) async fn requests_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
) -> Response {
    let r = with_unit(&state, &ctx, &unit, move |conn, c, unit, keys| {
        let keys = keys?;
            let cases::Requests { open, names } = cases::requests(
                conn,
                &c.actor(),
                &keys,
                &unit,
                "GET /register/{unit}/kontroll",
            )?;
            let lang = c.lang;
            let path = format!("/register/{unit}/kontroll");
            Ok(layout(&c, tr(lang, "check"), &path, html! {
                h1 { (tr(lang, "registrations-check")) }
                (register_nav(lang, &unit))
                p { (tr(lang, "registration-whose-personnummer-already-register")) }
                @if open.is_empty() {
                    p role="status" { (tr(lang, "nothing-check")) }
                } @else {
                    table {
                        caption { (tr(lang, "open-requests")) }
                        thead { tr {
                            th scope="col" { (tr(lang, "received")) }
                            th scope="col" { (tr(lang, "from")) }
                            th scope="col" { (tr(lang, "data-uppgifter")) }
                            th scope="col" { (tr(lang, "existing-case")) }
                            th scope="col" { (tr(lang, "action-atgard")) }
                        } }
                        tbody { @for r in &open {
                            tr {
                                td { (r.created_at.get(..10).unwrap_or(&r.created_at)) }
                                td { (r.requested_by.and_then(|u| names.get(&u)).cloned().unwrap_or_else(|| "–".into())) }
                                td {
                                    @if let Some(i) = &r.case.identity {
                                        (i.name) @if let Some(p) = &i.pnr { ", " (p.display()) }
                                    }
                                    ", " (r.case.person.country_of_birth) ", " (r.case.person.category.label(lang))
                                }
                                td { @match &r.existing {
                                    Some(id) => a href={ "/register/" (unit) "/persons/" (id) } { (id) },
                                    None => (tr(lang, "no-longer-there")),
                                } }
                                td {
                                    form method="post" action={ (path) "/" (r.id) } {
                                        input type="hidden" name="csrf" value=(c.csrf());
                                        button type="submit" name="how" value="grant" { (tr(lang, "same-person-give-case-worker")) }
                                        " "
                                        button type="submit" name="how" value="discard" { (tr(lang, "discard")) }
                                    }
                                }
                            }
                        } }
                    }
                }
            }))
    })
    .await;
    page(&ctx, r)
}

pub(super) async fn resolve_request(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((unit, id)): Path<(String, String)>,
    Checked(f): Checked<F>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let unit = parse_unit(&unit)?;
        let keys = keys(&state)?;
        let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
        let how = match f.get("how").map(String::as_str) {
            Some("grant") => reg::Resolution::GrantAccess,
            Some("discard") => reg::Resolution::Discard,
            _ => return Err(RegisterError::new("how", Problem::NotInList).into()),
        };
        state
            .db
            .app(move |conn| {
                cases::resolve(conn, &c.actor(), &keys, &unit, id, how)?;
                Ok(format!("/register/{unit}/kontroll"))
            })
            .await
    }
    .await;
    match r {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => fail(&ctx, e),
    }
}

/// The answer when a personnummer is already in the register: the same whichever case holds
/// it, and whether or not the case worker may read that case. No case and no request is named.
pub(super) fn needs_check(ctx: &Ctx, unit: &UnitCode) -> Response {
    let lang = ctx.lang;
    let path = format!("/register/{unit}");
    let body = layout(
        ctx,
        tr(lang, "registration-needs-checking"),
        &path,
        html! {
            h1 { (tr(lang, "registration-needs-checking")) }
            p role="status" { (tr(lang, "personnummer-needs-checking-before-data")) }
            p { a href=(path) { (tr(lang, "cases-till-arendena")) } }
        },
    );
    (axum::http::StatusCode::ACCEPTED, Html(body.into_string())).into_response()
}

pub(super) async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(unit): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let c = ctx.clone();
    let r = async {
        let keys = keys(&state)?;
        let unit = parse_unit(&unit)?;
        let mut token = String::new();
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?
        {
            match field.name() {
                Some("csrf") => {
                    token = field
                        .text()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?
                }
                Some("file") => {
                    let name = field.file_name().unwrap_or("ärenden.csv").to_string();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?;
                    file = Some((name, bytes.to_vec()));
                }
                _ => {}
            }
        }
        c.check_csrf(&token)?;
        let (name, bytes) = file.ok_or_else(|| {
            AppError::BadRequest("Ingen fil valdes. / No file was chosen.".into())
        })?;
        let lower = name.to_lowercase();
        if !(lower.ends_with(".csv") || lower.ends_with(".xlsx")) {
            return Err(AppError::UnsupportedType(format!(
                "`{name}`: the caseload is read from CSV or xlsx files"
            )));
        }
        state
            .db
            .app(move |conn| {
                let n = cases::import(conn, &c.actor(), &keys, &unit, &name, &bytes)?;
                Ok((unit, n))
            })
            .await
    }
    .await;
    match r {
        Ok((unit, _)) => Redirect::to(&format!("/register/{unit}")).into_response(),
        Err(e) => fail(&ctx, e),
    }
}
