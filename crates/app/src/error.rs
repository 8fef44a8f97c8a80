//! The one error type of Etablera's use cases. Each variant says what kind of refusal it is;
//! the adapters decide how it is shown (an HTTP status and a page in the reader's language,
//! an exit code and a line on the terminal). Input errors carry their place (file, row,
//! field) in the message; internal errors carry their causes for the operator's log and are
//! never shown to a user.

use crate::accounts::AccountError;
use etablera_register::RegisterError;
use etablera_store::StoreError;
use std::fmt::Display;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or the caller may not know that it does.
    #[error("not found")]
    NotFound,
    /// A login is needed.
    #[error("log in to do this")]
    Unauthorized,
    /// Logged in, but not allowed.
    #[error("you do not have permission to do this")]
    Forbidden,
    /// A field of a register form is wrong; the message names it in the reader's language.
    #[error("{0}")]
    Invalid(RegisterError),
    /// An account operation refused its input; the message is in the reader's language.
    #[error("{0}")]
    Account(AccountError),
    /// Input that cannot be used; the message names its place (file, row, field).
    #[error("{0}")]
    Input(String),
    /// Fields of a form that are wrong: (field name, message in the actor's language).
    #[error("{}", .0.iter().map(|(f, m)| format!("`{f}`: {m}")).collect::<Vec<_>>().join("; "))]
    Fields(Vec<(String, String)>),
    /// A file with several problems: one message per problem, each naming its place.
    #[error("{}", .0.join("; "))]
    Lines(Vec<String>),
    /// A unique value is taken, or the thing changed under the caller.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts: the message (in the actor's language) and the seconds to wait.
    #[error("{0}")]
    Throttled(String, u64),
    /// A part of the application is not configured (the register's keys).
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours (storage, I/O, sealing): the causes, for the log only.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Input refused, with the message that names its place.
    pub fn input(msg: impl Display) -> Error {
        Error::Input(msg.to_string())
    }

    /// A fault of ours, with its causes.
    pub fn internal(msg: impl Display) -> Error {
        Error::Internal(msg.to_string())
    }

    /// The error with `context` put in front of its message, as a cause chain reads:
    /// "file.csv: row 3: …". Refusals without a message (not found, forbidden) are left as
    /// they are: their context says nothing the caller does not know.
    pub fn context(self, context: impl Display) -> Error {
        match self {
            Error::Input(m) => Error::Input(format!("{context}: {m}")),
            Error::Internal(m) => Error::Internal(format!("{context}: {m}")),
            Error::Conflict(m) => Error::Conflict(format!("{context}: {m}")),
            other => other,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::Conflict(m) => Error::Conflict(m),
            StoreError::UnknownIndicator(_) | StoreError::UnknownUnit(_) => {
                Error::Input(e.to_string())
            }
            other => Error::Internal(chain(&other)),
        }
    }
}

impl From<RegisterError> for Error {
    fn from(e: RegisterError) -> Error {
        Error::Invalid(e)
    }
}

impl From<AccountError> for Error {
    fn from(e: AccountError) -> Error {
        match e {
            AccountError::Internal(detail) => Error::Internal(detail),
            other => Error::Account(other),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Internal(chain(&e))
    }
}

impl From<etablera_vault::VaultError> for Error {
    fn from(e: etablera_vault::VaultError) -> Error {
        Error::Internal(chain(&e))
    }
}

/// JSON here is what Etablera wrote itself (stored documents, kept previews); a file a user
/// gives is read by `etablera_ingest`, whose errors name their place.
impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Internal(chain(&e))
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Error {
        Error::Internal(chain(&e))
    }
}

/// Files users give are read by `etablera_ingest`; its errors name the file, row and field.
impl From<etablera_ingest::IngestError> for Error {
    fn from(e: etablera_ingest::IngestError) -> Error {
        Error::Input(chain(&e))
    }
}

impl From<etablera_ingest::strategy_file::StrategyFileErrors> for Error {
    fn from(e: etablera_ingest::strategy_file::StrategyFileErrors) -> Error {
        Error::Input(chain(&e))
    }
}

impl From<etablera_domain::observation::ObservationError> for Error {
    fn from(e: etablera_domain::observation::ObservationError) -> Error {
        Error::Input(chain(&e))
    }
}

impl From<std::string::FromUtf8Error> for Error {
    fn from(e: std::string::FromUtf8Error) -> Error {
        Error::Internal(chain(&e))
    }
}

/// An error's message with its causes, "a: b: c".
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !out.ends_with(&m) {
            out.push_str(": ");
            out.push_str(&m);
        }
        cur = c.source();
    }
    out
}

/// `.context(…)` for results and options, as the use cases add the place to an error.
pub trait Context<T> {
    fn context(self, context: impl Display) -> Result<T>;
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Display) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| e.into().context(f()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, context: impl Display) -> Result<T> {
        self.ok_or_else(|| Error::Input(context.to_string()))
    }
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T> {
        self.ok_or_else(|| Error::Input(f().to_string()))
    }
}

/// Refuses input: `bail!("{place}: …")` returns an [`Error::Input`] naming the place.
#[macro_export]
macro_rules! bail {
    ($($t:tt)*) => {
        return Err($crate::Error::Input(format!($($t)*)))
    };
}

/// An [`Error::Input`] from a format string.
#[macro_export]
macro_rules! input {
    ($($t:tt)*) => {
        $crate::Error::Input(format!($($t)*))
    };
}
