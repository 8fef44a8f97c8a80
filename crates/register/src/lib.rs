//! The establishment register's pure core: the person and their plan, personnummer,
//! the newcomer's plan texts in six languages, and the register's own indicators with
//! primary and secondary suppression. No I/O: the application encrypts identities, stores
//! records and logs reads; this crate decides what the records mean.

pub mod catalogue;
pub mod model;
pub mod plan;
pub mod pnr;
pub mod stats;

pub use catalogue::{default_catalogue, CatalogueEntry};
pub use model::*;
pub use plan::{PlanLang, Text};
pub use pnr::{Pnr, PnrError, PnrKind};

/// Why a register record is refused. Messages name the field and never contain the value,
/// so they can be shown and logged without personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct RegisterError {
    pub field: String,
    pub message: String,
}

impl RegisterError {
    pub fn field(field: &str, message: &str) -> RegisterError {
        RegisterError {
            field: field.into(),
            message: message.into(),
        }
    }
}
