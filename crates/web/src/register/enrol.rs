//! Registering a person (form and caseload file), and the registration requests the
//! reception manager resolves.

use super::*;

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
                label for=(name) { (label) @if required { " " abbr title=(t(lang, "obligatoriskt", "required")) { "*" } } }
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
                label for=(name) { (label) @if required { " " abbr title=(t(lang, "obligatoriskt", "required")) { "*" } } }
                select id=(name) name=(name) required[required] aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some("person-form-error")] {
                    option value="" selected[value.is_empty()] { (if required { t(lang, "Välj …", "Choose …") } else { "–" }) }
                    @for (code, text) in options { option value=(code) selected[value == code] { (text) } }
                }
            }
        }
    };
    html! {
        @if let Some((_, e)) = sent {
            div.error-summary #person-form-error role="alert" tabindex="-1" {
                p { strong { (t(lang, "Uppgifterna behöver rättas", "The input needs correcting")) } }
                p { a href={ "#" (e.field) } { (e.text(lang)) } }
            }
        }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            (field("namn", t(lang, "Namn", "Name"), v(i.map(|i| i.name.clone())), "", true))
            (field("personnummer", t(lang, "Personnummer eller samordningsnummer", "Personal identity or coordination number"), v(i.and_then(|i| i.pnr.as_ref().map(|p| p.display()))), "ÅÅÅÅMMDD-NNNN", false))
            (field("fodelsear", t(lang, "Födelseår", "Birth year"), v(p.map(|p| p.birth_year.to_string())), t(lang, "Behövs utan personnummer", "Needed without a personal number"), false))
            (field("kon", t(lang, "Kön (K/M)", "Sex (K/M)"), v(p.map(|p| if p.sex == Sex::Women { "K".into() } else { "M".into() })), "", true))
            (field("fodelseland", t(lang, "Födelseland", "Country of birth"), v(p.map(|p| p.country_of_birth.clone())), "", true))
            (field("sprak", t(lang, "Språk", "Languages"), v(p.map(|p| p.languages.join(", "))), t(lang, "Kommaseparerade", "Comma separated"), false))
            (choice("planens_sprak", t(lang, "Språk för min plan", "Language of my plan"), PlanLang::ALL.iter().map(|l| (l.tag(), l.own_name())).collect(), v(p.map(|p| p.plan_language.tag().to_string())), false))
            (choice("utbildning", t(lang, "Utbildningsnivå (SUN)", "Education level (SUN)"), etablera_register::Education::ALL.iter().map(|e| (e.code(), e.label(lang))).collect(), v(p.and_then(|p| p.education.map(|e| e.code().to_string()))), false))
            (field("ssyk", t(lang, "Yrkeserfarenhet (SSYK 2012-koder)", "Work experience (SSYK 2012 codes)"), v(p.map(|p| p.ssyk.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))), "", false))
            (choice("svenska", t(lang, "Svenska", "Swedish"), etablera_register::SwedishLevel::ALL.iter().map(|x| (x.code(), x.label(lang))).collect(), v(p.map(|p| p.swedish.code().to_string())), false))
            (choice("kategori", t(lang, "Mottagningskategori", "Reception category"), Category::ALL.iter().map(|c| (c.code(), c.label(lang))).collect(), v(p.map(|p| p.category.code().to_string())), true))
            (field("uppehallstillstand", t(lang, "Uppehållstillstånd (datum)", "Residence permit (date)"), v(p.and_then(|p| p.permit_date.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("ankomst", t(lang, "Ankomst till kommunen", "Arrival in the municipality"), v(p.map(|p| p.arrival_date.to_string())), "ÅÅÅÅ-MM-DD", true))
            (field("folkbokford", t(lang, "Folkbokförd", "Registered as resident"), v(p.and_then(|p| p.registered_date.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("etablering_start", t(lang, "Etableringstidens start", "Start of the establishment period"), v(p.and_then(|p| p.establishment_start.map(|d| d.to_string()))), "ÅÅÅÅ-MM-DD", false))
            (field("telefon", t(lang, "Telefon", "Phone"), v(i.and_then(|i| i.phone.clone())), "", false))
            (field("epost", t(lang, "E-post", "Email"), v(i.and_then(|i| i.email.clone())), "", false))
            (field("adress", t(lang, "Adress", "Address"), v(i.and_then(|i| i.address.clone())), "", false))
            (field("hushall", t(lang, "Hushåll (id)", "Household (id)"), v(p.and_then(|p| p.household.clone())), "", false))
            button type="submit" { (t(lang, "Spara", "Save")) }
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
    let title = t(lang, "Registrera person", "Register a person");
    layout(
        c,
        title,
        &format!("/register/{unit}/ny"),
        html! {
            h1 { (title) }
            (register_nav(lang, unit))
            p { (t(lang, "Namn, personnummer och kontaktuppgifter krypteras innan de sparas.", "Name, personal number and contact details are encrypted before they are stored.")) }
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
    Form(f): Form<F>,
) -> Response {
    if let Err(e) = csrf(&ctx, &f) {
        return fail(&ctx, e);
    }
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
            Ok(layout(&c, t(lang, "Att kontrollera", "To check"), &path, html! {
                h1 { (t(lang, "Registreringar att kontrollera", "Registrations to check")) }
                (register_nav(lang, &unit))
                p { (t(lang,
                    "En registrering vars personnummer redan finns i registret sparas inte. Handläggaren får samma svar vare sig hen får läsa ärendet eller inte; här avgör du vad som ska hända.",
                    "A registration whose personnummer is already in the register is not stored. The case worker gets the same answer whether or not they may read that case; here you decide what happens.")) }
                @if open.is_empty() {
                    p role="status" { (t(lang, "Inget att kontrollera.", "Nothing to check.")) }
                } @else {
                    table {
                        caption { (t(lang, "Öppna förfrågningar", "Open requests")) }
                        thead { tr {
                            th scope="col" { (t(lang, "Inkom", "Received")) }
                            th scope="col" { (t(lang, "Från", "From")) }
                            th scope="col" { (t(lang, "Uppgifter", "Data")) }
                            th scope="col" { (t(lang, "Befintligt ärende", "Existing case")) }
                            th scope="col" { (t(lang, "Åtgärd", "Action")) }
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
                                    None => (t(lang, "finns inte längre", "no longer there")),
                                } }
                                td {
                                    form method="post" action={ (path) "/" (r.id) } {
                                        input type="hidden" name="csrf" value=(c.csrf());
                                        button type="submit" name="how" value="grant" { (t(lang, "Samma person: ge handläggaren tillgång", "Same person: give the case worker access")) }
                                        " "
                                        button type="submit" name="how" value="discard" { (t(lang, "Avvisa", "Discard")) }
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
    Form(f): Form<F>,
) -> Response {
    let c = ctx.clone();
    let r = async {
        csrf(&c, &f)?;
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
        t(
            lang,
            "Registreringen behöver kontrolleras",
            "The registration needs checking",
        ),
        &path,
        html! {
            h1 { (t(lang, "Registreringen behöver kontrolleras", "The registration needs checking")) }
            p role="status" { (t(lang,
                "Personnumret behöver kontrolleras innan uppgifterna kan sparas. De har skickats till mottagningsansvarig, som går igenom dem och hör av sig. Ingenting har ändrats i registret än.",
                "The personnummer needs checking before the data can be stored. It has been sent to the reception manager, who goes through it and gets back to you. Nothing has changed in the register yet.")) }
            p { a href=(path) { (t(lang, "Till ärendena", "To the cases")) } }
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
