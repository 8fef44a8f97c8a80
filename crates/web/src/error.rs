//! The one error type of the web layer. Each variant says which HTTP status it becomes;
//! internal details go to the server log, never to the client.

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
    /// 500: a fault of ours; the text is logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::BadRequest(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests(..) => "too_many_requests",
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedType(_) => "unsupported_type",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to the client, in Swedish or English.
    pub fn message(&self, lang: etablera_domain::Lang) -> String {
        match self {
            AppError::NotFound => lang
                .pick("Sidan finns inte.", "The page does not exist.")
                .into(),
            AppError::Unauthorized => lang
                .pick("Logga in för att se sidan.", "Log in to see this page.")
                .into(),
            AppError::Forbidden => lang
                .pick(
                    "Du har inte behörighet till detta.",
                    "You do not have permission to do this.",
                )
                .into(),
            AppError::Internal(_) => lang
                .pick(
                    "Ett fel uppstod hos oss. Försök igen senare.",
                    "Something went wrong on our side. Please try again later.",
                )
                .into(),
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
        if let AppError::Internal(detail) = self {
            // Internal details are for the operator; they carry no personal data.
            eprintln!("etablera-web: internal error: {detail}");
        }
    }
}

impl From<etablera_store::StoreError> for AppError {
    fn from(e: etablera_store::StoreError) -> AppError {
        match e {
            etablera_store::StoreError::Conflict(m) => AppError::Conflict(m),
            etablera_store::StoreError::UnknownIndicator(_)
            | etablera_store::StoreError::UnknownUnit(_) => AppError::BadRequest(e.to_string()),
            other => AppError::internal(other),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> AppError {
        // The app layer's errors about input carry their place in the message; errors
        // from the store below them are ours.
        match e.downcast::<etablera_store::StoreError>() {
            Ok(s) => s.into(),
            Err(e) => AppError::BadRequest(format!("{e:#}")),
        }
    }
}

/// Page errors are rendered as a small HTML page by the pages module.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        crate::pages::error_page(&self, etablera_domain::Lang::Sv)
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
        let body = serde_json::json!({
            "error": { "status": status.as_u16(), "code": self.0.code(), "message": self.0.message(etablera_domain::Lang::En) }
        });
        (status, axum::Json(body)).into_response()
    }
}
