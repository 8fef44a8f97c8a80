//! The page kit every resource uses: the layout around a page, translations of short
//! texts, times as Swedes read them, links, and the error page. Resources depend on it; it
//! depends on no resource (`tests/module_graph.rs` keeps it so).

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::tr;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use etablera_domain::Lang;
use maud::{html, Markup, DOCTYPE};

/// The page around every page's content.
pub fn layout(ctx: &Ctx, title: &str, path: &str, body: Markup) -> Markup {
    let lang = ctx.lang;
    let (other, other_label) = match lang {
        Lang::Sv => ("en", "English"),
        Lang::En => ("sv", "Svenska"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Etablera" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a.skip href="#main" { (tr(lang, "skip-content")) }
                header.site {
                    a.brand href="/" { "Etablera" }
                    nav aria-label=(tr(lang, "main-menu")) {
                        ul {
                            li { a href="/" { (tr(lang, "home")) } }
                            li { a href="/indikatorer" { (tr(lang, "indicators-indikatorer")) } }
                            @if ctx.user.is_some() {
                                li { a href="/bibliotek" { (tr(lang, "library-title")) } }
                            }
                            li { a href={ "/lang/" (other) "?next=" (urlencode(path)) } lang=(other) { (other_label) } }
                            @if let Some(u) = &ctx.user {
                                @if ctx.principal.as_ref().is_some_and(|p| p.system_admin || p.memberships.iter().any(|(_, r)| *r == etablera_domain::access::Role::Admin)) {
                                    li { a href="/admin/users" { (tr(lang, "users")) } }
                                    li { a href="/admin/audit" { (tr(lang, "audit-log")) } }
                                    li { a href="/admin/utkorg" { (tr(lang, "outbox")) } }
                                }
                                li { a href="/konto" { (tr(lang, "account")) } }
                                li { span { (tr(lang, "logged")) (u.display_name) } }
                                li {
                                    form method="post" action="/logout" {
                                        input type="hidden" name="csrf" value=(ctx.csrf());
                                        button type="submit" { (tr(lang, "log-out")) }
                                    }
                                }
                            } @else {
                                li { a href={ "/login?next=" (urlencode(path)) } { (tr(lang, "log")) } }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer.site {
                    p {
                        a href="/tillganglighet" { (tr(lang, "accessibility-statement")) }
                        " · " (tr(lang, "source-kpis-kolada-rka-cc"))
                    }
                }
            }
        }
    }
}

/// A stored UTC time as Swedish time (Europe/Stockholm), in a `<time>` element that keeps
/// the exact UTC instant for machines: `2026-12-01 03:40`, never an ISO string with a `Z`.
pub fn when(stored: &str) -> Markup {
    html! { time datetime=(stored) { (etablera_domain::date::swedish_time_of(stored)) } }
}

pub fn urlencode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Only same-site paths are followed after login or a language switch. Browsers and URL
/// parsers drop tabs and newlines and read `\\` as `/`, so `/\t/evil.example` would be
/// `//evil.example`: a path with any control character, backslash or a second leading
/// slash is refused whole.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && n.len() <= 2000
                && !n.chars().any(|c| c.is_control() || c == '\\')
                && !n[1..].starts_with('/')
                && !n.contains("://") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

pub fn error_page(e: &AppError, lang: Lang) -> Response {
    let ctx = Ctx {
        lang,
        user: None,
        principal: None,
        session: None,
        clear_cookie: false,
    };
    error_page_for(&ctx, e)
}

/// The error page as the visitor sees every page: logged in or not, in their language;
/// a message about the input names fields by their labels, not by code names.
pub fn error_page_for(ctx: &Ctx, e: &AppError) -> Response {
    let lang = ctx.lang;
    let title = match e.status() {
        StatusCode::NOT_FOUND => tr(lang, "page-not-found"),
        StatusCode::UNAUTHORIZED => tr(lang, "login-required"),
        StatusCode::FORBIDDEN => tr(lang, "not-allowed"),
        StatusCode::TOO_MANY_REQUESTS => tr(lang, "too-many-attempts"),
        StatusCode::INTERNAL_SERVER_ERROR => tr(lang, "something-went-wrong"),
        _ => tr(lang, "input-needs-correcting"),
    };
    let input_error = e.status() == StatusCode::UNPROCESSABLE_ENTITY;
    let body = html! {
        h1 { (title) }
        p role="alert" { (crate::error::localise(&e.message(lang), lang)) }
        @if input_error {
            p { (tr(lang, "go-back-browser-s-back")) }
        }
        @if e.status() == StatusCode::UNAUTHORIZED && ctx.user.is_none() {
            p { a href="/login" { (tr(lang, "log")) } }
        }
        p { a href="/" { (tr(lang, "home-page")) } }
    };
    (
        e.status(),
        Html(layout(ctx, title, "/", body).into_string()),
    )
        .into_response()
}

/// An error shown in the visitor's language.
pub(crate) fn fail(ctx: &Ctx, e: AppError) -> Response {
    e.log();
    let mut resp = error_page_for(ctx, &e);
    if let Some(secs) = e.retry_after() {
        resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    resp
}

/// Page errors are rendered as a small HTML page in Swedish; handlers that know the
/// visitor use [`fail`], which speaks their language.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        error_page(&self, Lang::Sv)
    }
}

/// A form whose `csrf` field carries the session's token.
pub(crate) trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// Implements [`WithCsrf`] for form types with a `csrf: String` field.
macro_rules! with_csrf {
    ($($form:ty),* $(,)?) => {
        $(impl $crate::ui::WithCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
pub(crate) use with_csrf;

/// A posted form, read as `Form<T>` reads it, whose CSRF token has been checked against
/// the session: a handler that takes one cannot forget the check. A wrong or missing
/// token is answered as `Ctx::check_csrf` decides (the form expired; log in), in the
/// visitor's language.
pub(crate) struct Checked<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for Checked<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + WithCsrf,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let axum::Form(f) = axum::Form::<T>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match ctx.check_csrf(f.csrf()) {
            Ok(()) => Ok(Checked(f)),
            Err(e) => Err(fail(&ctx, e)),
        }
    }
}

/// What a page says about the form just sent: nothing, that it was done, or why it was
/// refused (with the answer's status).
#[derive(Debug)]
pub(crate) enum Notice {
    None,
    Done(String),
    Refused(String, StatusCode),
}

impl Notice {
    /// The answer's status: the refusal's, else 200.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Notice::Refused(_, s) => *s,
            _ => StatusCode::OK,
        }
    }

    /// Whether the form was refused.
    pub(crate) fn refused(&self) -> bool {
        matches!(self, Notice::Refused(..))
    }

    /// The notice above the form: a status line, or an alert (with `id`, for the field it
    /// describes to point at).
    pub(crate) fn show(&self, id: Option<&str>) -> maud::Markup {
        maud::html! {
            @match self {
                Notice::Done(m) => { p.success role="status" { (m) } },
                Notice::Refused(m, _) => { div.error role="alert" id=[id] { (m) } },
                Notice::None => {},
            }
        }
    }
}

/// A form with nothing but its CSRF token: a button that posts.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CsrfOnly {
    csrf: String,
}

with_csrf!(CsrfOnly);

/// A form read as its fields by name (the register's forms, whose fields depend on the
/// part of the case they change).
impl WithCsrf for std::collections::HashMap<String, String> {
    fn csrf(&self) -> &str {
        self.get("csrf").map_or("", String::as_str)
    }
}

/// A form sent as multipart with one file (`file`): its other fields (each at most 4 KiB;
/// longer ones are dropped), the file's base name (printable characters, at most 120) and
/// its bytes, once the form's CSRF token is checked. Refused as not multipart, as larger
/// than `limit` (the route's body limit, named in MB), without a file, or with a wrong
/// token. The data upload and the library's upload read their forms with it.
#[derive(Debug)]
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl UploadForm {
    pub async fn read(
        ctx: &Ctx,
        mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
        limit: usize,
    ) -> Result<UploadForm, AppError> {
        let lang = ctx.lang;
        let too_large = || {
            AppError::TooLarge(format!(
                "{} {} MB.",
                tr(lang, "file-too-large-largest-allowed"),
                limit / (1024 * 1024)
            ))
        };
        let mut mp = mp.map_err(|_| {
            AppError::UnsupportedType(tr(lang, "send-file-form-multipart-form").into())
        })?;
        let mut fields = std::collections::HashMap::new();
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Some(field) = mp.next_field().await.map_err(|_| too_large())? {
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().map(str::to_string);
            let b = field.bytes().await.map_err(|_| too_large())?;
            if name == "file" {
                file = Some((file_name.unwrap_or_else(|| "upload".into()), b.to_vec()));
            } else if b.len() <= 4096 {
                fields.insert(name, String::from_utf8_lossy(&b).into_owned());
            }
        }
        ctx.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return Err(AppError::BadRequest(tr(lang, "choose-file-upload").into()));
        };
        // Only the base name of the file is kept, and only printable characters.
        let file_name = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("upload")
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        Ok(UploadForm {
            fields,
            file_name,
            bytes,
        })
    }
}
