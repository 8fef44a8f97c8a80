//! The one error type of the web layer. Each variant says which HTTP status it becomes;
//! internal details go to the server log, never to the client.

use crate::i18n::tr;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: the thing does not exist, or the caller may not know that it does.
    #[error("not found")]
    NotFound,
    /// 401: a login is needed.
    #[error("log in to see this page")]
    Unauthorized,
    /// 403: logged in, but not allowed.
    #[error("you do not have permission to do this")]
    Forbidden,
    /// 400/422: the input is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// 422: a field of a register form is wrong; the message names it in the reader's
    /// language.
    #[error("{0}")]
    Invalid(etablera_register::RegisterError),
    /// 422/409/404: an account operation refused its input; the message is in the reader's
    /// language.
    #[error("{0}")]
    Account(etablera_app::accounts::AccountError),
    /// 409: a unique value is taken.
    #[error("{0}")]
    Conflict(String),
    /// 413: the upload is larger than the configured limit.
    #[error("{0}")]
    TooLarge(String),
    /// 415: the content is of a kind we do not take.
    #[error("{0}")]
    UnsupportedType(String),
    /// 429: too many attempts; try again after the given seconds.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// 503: a part of the application is not configured (the register's keys).
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault of ours. The detail (with its causes) is logged under the reference; the
    /// user sees only the reference, to quote when they ask for help.
    #[error("internal error {reference}")]
    Internal { reference: String, detail: String },
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> AppError {
        use rand::RngCore;
        let mut b = [0u8; 5];
        rand::rngs::OsRng.fill_bytes(&mut b);
        AppError::Internal {
            reference: b.iter().map(|x| format!("{x:02X}")).collect(),
            detail: format!("{e:#}"),
        }
    }

    /// The reference of an internal error, under which its cause is logged.
    pub fn reference(&self) -> Option<&str> {
        match self {
            AppError::Internal { reference, .. } => Some(reference),
            _ => None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) | AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Account(e) => match e {
                etablera_app::accounts::AccountError::UsernameTaken(_) => StatusCode::CONFLICT,
                etablera_app::accounts::AccountError::NoSuchStrategy(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::BadRequest(_) | AppError::Invalid(_) => "invalid_input",
            AppError::Account(e) => match e {
                etablera_app::accounts::AccountError::UsernameTaken(_) => "conflict",
                etablera_app::accounts::AccountError::NoSuchStrategy(_) => "not_found",
                _ => "invalid_input",
            },
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests(..) => "too_many_requests",
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedType(_) => "unsupported_type",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal { .. } => "internal",
        }
    }

    /// The message shown to the client, in Swedish or English.
    pub fn message(&self, lang: etablera_domain::Lang) -> String {
        match self {
            AppError::NotFound => tr(lang, "page-does-not-exist").into(),
            AppError::Unauthorized => tr(lang, "log-see-page").into(),
            AppError::Forbidden => tr(lang, "you-do-not-have-permission").into(),
            AppError::Internal { reference, .. } => {
                format!("{} {reference}.", tr(lang, "something-went-wrong-our-side"))
            }
            AppError::Invalid(e) => e.text(lang),
            AppError::Account(e) => e.text(lang),
            AppError::BadRequest(m)
            | AppError::Conflict(m)
            | AppError::TooManyRequests(m, _)
            | AppError::TooLarge(m)
            | AppError::UnsupportedType(m)
            | AppError::Unavailable(m) => m.clone(),
        }
    }

    /// Seconds to wait, for a Retry-After header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests(_, s) => Some(*s),
            _ => None,
        }
    }

    pub(crate) fn log(&self) {
        if let AppError::Internal { reference, detail } = self {
            // Internal details are for the operator; they carry no personal data (store
            // and app errors name tables, ids and fields, never values).
            tracing::error!(reference = %reference, causes = %detail, "internal error");
        }
    }
}

/// Form fields of the strategy pages as a reader knows them (the register's own are in
/// `etablera_register::labels`): `field `target_year`` becomes «fältet ”Målår”». Messages
/// from the layers below name fields by their form names so that they can be found; a page
/// shows the label.
const LABELS: &[(&str, &str, &str)] = &[
    ("target_year", "Målår", "Target year"),
    ("baseline_year", "Basår", "Baseline year"),
    ("value", "Värde", "Value"),
    ("text", "Målets text", "Target text"),
    ("note", "Anteckning", "Note"),
    ("indicator", "Indikator", "Indicator"),
    ("period", "Period", "Period"),
    ("status", "Status", "Status"),
    ("kind", "Typ", "Kind"),
];

/// A message from the layers below as a reader of `lang` should see it (see [`LABELS`]).
pub fn localise(msg: &str, lang: etablera_domain::Lang) -> String {
    let sv = lang == etablera_domain::Lang::Sv;
    let mut out = msg.to_string();
    for (name, label_sv, label_en) in LABELS
        .iter()
        .copied()
        .chain(etablera_register::labels::all())
    {
        let label = if sv { label_sv } else { label_en };
        for (from, to) in [
            (
                format!("field `{name}`"),
                if sv {
                    format!("fältet ”{label}”")
                } else {
                    format!("the field “{label}”")
                },
            ),
            (
                format!("`{name}`:"),
                if sv {
                    format!("”{label}”:")
                } else {
                    format!("“{label}”:")
                },
            ),
        ] {
            out = out.replace(&from, &to);
        }
    }
    // Category codes ("sjalvbosatt") in lists of accepted values become their names.
    for c in etablera_register::Category::ALL {
        let name = c.label(lang);
        out = out.replace(&format!("`{}`", c.code()), &format!("”{name}”"));
        out = replace_word(&out, c.code(), name);
    }
    out
}

/// Replaces `word` where it stands as a word of its own (not inside another word).
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        let alone =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..i]);
        out.push_str(if alone { with } else { word });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

impl From<etablera_app::accounts::AccountError> for AppError {
    fn from(e: etablera_app::accounts::AccountError) -> AppError {
        match e {
            etablera_app::accounts::AccountError::Internal(detail) => AppError::internal(detail),
            other => AppError::Account(other),
        }
    }
}

impl From<etablera_register::RegisterError> for AppError {
    fn from(e: etablera_register::RegisterError) -> AppError {
        AppError::Invalid(e)
    }
}

impl From<etablera_app::Error> for AppError {
    fn from(e: etablera_app::Error) -> AppError {
        use etablera_app::Error as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Unauthorized => AppError::Unauthorized,
            E::Forbidden => AppError::Forbidden,
            E::Invalid(r) => AppError::Invalid(r),
            E::Account(a) => AppError::Account(a),
            E::Input(m) => AppError::BadRequest(m),
            e @ (E::Fields(_) | E::Lines(_)) => AppError::BadRequest(e.to_string()),
            E::Conflict(m) => AppError::Conflict(m),
            E::Unavailable(m) => AppError::Unavailable(m),
            E::Throttled(m, secs) => AppError::TooManyRequests(m, secs),
            E::Internal(detail) => AppError::internal(detail),
        }
    }
}

/// An error from the JSON API: `{"error": {"status", "code", "message"}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let mut error = serde_json::json!({
            "status": status.as_u16(), "code": self.0.code(), "message": self.0.message(etablera_domain::Lang::En)
        });
        if let Some(r) = self.0.reference() {
            error["reference"] = r.into();
        }
        let body = serde_json::json!({ "error": error });
        (status, axum::Json(body)).into_response()
    }
}
