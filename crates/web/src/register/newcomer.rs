//! The newcomer's own plan at `/min-plan`, in their language, by a code.

use super::*;

#[derive(Debug, serde::Deserialize, Default)]
pub(super) struct LangQuery {
    lang: Option<String>,
}

pub(super) fn plan_layout(lang: PlanLang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) dir=(if lang.rtl() { "rtl" } else { "ltr" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/static/app.css";
            }
            body.plan {
                main id="main" { (body) }
            }
        }
    }
}

pub(super) async fn plan_entry(Query(q): Query<LangQuery>) -> Response {
    let lang = q
        .lang
        .as_deref()
        .and_then(PlanLang::parse)
        .unwrap_or_default();
    Html(
        plan_layout(
            lang,
            lang.t(Text::Title),
            html! {
                h1 { (lang.t(Text::Title)) }
                form method="post" action="/min-plan" {
                    label for="code" { (lang.pick_code_label()) }
                    input #code name="code" autocomplete="off" required maxlength="20";
                    input type="hidden" name="lang" value=(lang.tag());
                    button type="submit" { "OK" }
                }
                (lang_menu(lang, "/min-plan"))
            },
        )
        .into_string(),
    )
    .into_response()
}

trait CodeLabel {
    fn pick_code_label(self) -> &'static str;
}
impl CodeLabel for PlanLang {
    fn pick_code_label(self) -> &'static str {
        match self {
            PlanLang::Sv => "Skriv koden du fick av din handläggare",
            PlanLang::En => "Enter the code you got from your case worker",
            PlanLang::Ar => "اكتب الرمز الذي حصلت عليه من مسؤول ملفك",
            PlanLang::Prs => "کدی را که از مسئول پرونده‌تان گرفته‌اید بنویسید",
            PlanLang::So => "Qor koodka aad ka heshay shaqaalahaaga kiiska",
            PlanLang::Ti => "ካብ ሰራሕተኛ ጉዳይካ ዝረኸብካዮ ኮድ ጽሓፍ",
        }
    }
}

pub(super) async fn plan_code(Form(f): Form<F>) -> Response {
    let code = cases::normalise_code(f.get("code").map(String::as_str).unwrap_or(""));
    let lang = f
        .get("lang")
        .and_then(|l| PlanLang::parse(l))
        .unwrap_or_default();
    Redirect::to(&format!(
        "/min-plan/{}?lang={}",
        urlencode(&code),
        lang.tag()
    ))
    .into_response()
}

pub(super) fn lang_menu(current: PlanLang, path: &str) -> Markup {
    html! {
        nav aria-label=(current.t(Text::Language)) {
            ul.langs {
                @for l in PlanLang::ALL {
                    li { a href={ (path) "?lang=" (l.tag()) } lang=(l.tag()) dir=(if l.rtl() { "rtl" } else { "ltr" }) aria-current=[(l == current).then_some("page")] { (l.own_name()) } }
                }
            }
        }
    }
}

pub(super) async fn plan_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let r = async {
        let keys = keys(&state)?;
        state
            .db
            .app({
                let code = code.clone();
                move |conn| Ok(cases::plan_by_code(conn, &keys, &code)?)
            })
            .await
    }
    .await;
    let lang_q = q.lang.as_deref().and_then(PlanLang::parse);
    match r {
        Ok(Some((case, link, settings, names))) => {
            let lang = lang_q
                .or_else(|| PlanLang::parse(&link.lang))
                .unwrap_or_default();
            let p = &case.person;
            let today = reg::today();
            let first_name = case
                .identity
                .as_ref()
                .map(|i| i.name.split_whitespace().next().unwrap_or("").to_string())
                .unwrap_or_default();
            let body = html! {
                h1 { (lang.t(Text::Title)) @if !first_name.is_empty() { " – " (first_name) } }
                p { (lang.t(Text::Intro)) }
                (lang_menu(lang, &format!("/min-plan/{code}")))
                h2 { (lang.t(Text::Activities)) }
                @if p.interventions.is_empty() { p { (lang.t(Text::NoActivities)) } } @else {
                    table {
                        thead { tr { th scope="col" { (lang.t(Text::Activity)) } th scope="col" { (lang.t(Text::From)) } th scope="col" { (lang.t(Text::To)) } th scope="col" { (lang.t(Text::Status)) } th scope="col" { (lang.t(Text::Contact)) } } }
                        tbody { @for i in &p.interventions { tr {
                            td { (settings.catalogue.iter().find(|e| e.code == i.kind).map(|e| e.name(lang).to_string()).unwrap_or_else(|| i.kind.clone())) }
                            td { span dir="ltr" { (d(i.start)) } } td { span dir="ltr" { (d(i.end)) } }
                            td { (i.status.plain(lang)) }
                            td { (i.contact) }
                        } } }
                    }
                }
                @if let Some((_, end)) = p.establishment() {
                    p { (lang.t(Text::PeriodEnds)) " " span dir="ltr" { (end) } " (" bdi { (p.days_left(today).unwrap_or(0)) } " " (lang.t(Text::DaysLeft)) ")" }
                }
                @if let Some(r) = p.next_review() { p { (lang.t(Text::NextMeeting)) ": " span dir="ltr" { (r) } } }
                @if let Some(cw) = p.case_worker.and_then(|u| names.get(&u)) { p { (lang.t(Text::CaseWorker)) ": " (cw) } }
                p { (lang.t(Text::Questions)) }
                p.small { (lang.t(Text::LinkValid)) " " span dir="ltr" { (&link.expires_at[..10]) } }
            };
            Html(plan_layout(lang, lang.t(Text::Title), body).into_string()).into_response()
        }
        Ok(None) => {
            let lang = lang_q.unwrap_or_default();
            let body = html! { h1 { (lang.t(Text::Expired)) } p { (lang.t(Text::ExpiredHelp)) } (lang_menu(lang, "/min-plan")) };
            (
                axum::http::StatusCode::NOT_FOUND,
                Html(plan_layout(lang, lang.t(Text::Expired), body).into_string()),
            )
                .into_response()
        }
        Err(e) => {
            e.log();
            let lang = lang_q.unwrap_or_default();
            let status = e.status();
            (
                status,
                Html(
                    plan_layout(
                        lang,
                        lang.t(Text::Title),
                        html! { h1 { (lang.t(Text::Expired)) } p { (lang.t(Text::ExpiredHelp)) } },
                    )
                    .into_string(),
                ),
            )
                .into_response()
        }
    }
}
