//! The establishment register's pure core: the person and their plan, personnummer,
//! the newcomer's plan texts in six languages, and the register's own indicators with
//! primary and secondary suppression. No I/O: the application encrypts identities, stores
//! records and logs reads; this crate decides what the records mean.
//!
//! ```
//! use etablera_domain::Date;
//! use etablera_register::{Pnr, PnrKind};
//!
//! let today = Date::new(2026, 12, 1).unwrap();
//! let p = Pnr::parse("19811218-9876", today).unwrap();
//! assert_eq!(p.kind(), PnrKind::Personnummer);
//! assert_eq!(p.birth_date(), Date::new(1981, 12, 18).unwrap());
//! // A samordningsnummer: the day plus 60.
//! let s = Pnr::parse("198112789873", today).unwrap();
//! assert_eq!(s.kind(), PnrKind::Samordningsnummer);
//! assert_eq!(s.birth_date(), p.birth_date());
//! // A wrong check digit is refused, and the error does not repeat the number.
//! let e = Pnr::parse("19811218-9875", today).unwrap_err();
//! assert!(!e.to_string().contains("9875"));
//! ```

pub mod catalogue;
pub mod labels;
pub mod model;
pub mod plan;
pub mod pnr;
pub mod stats;

pub use catalogue::{default_catalogue, CatalogueEntry};
pub use model::*;
pub use plan::{PlanLang, Text};
pub use pnr::{Pnr, PnrError, PnrKind};

use etablera_domain::Lang;

/// Why a register record is refused: the field (by its form name) and the problem. The
/// text names the field as the form shows it and never contains the value, so it can be
/// shown and logged without personal data. `Display` is English (logs, the command line);
/// pages use [`RegisterError::text`] in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text(etablera_domain::Lang::En))]
pub struct RegisterError {
    pub field: String,
    pub problem: Problem,
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Empty, but required.
    Needed,
    /// The birth year is needed when no personnummer is given.
    NeededWithoutPnr,
    TooLong {
        max: usize,
    },
    NotADate,
    NotAYear,
    /// Not a whole number in the range.
    WholeNumber {
        min: i64,
        max: i64,
    },
    /// A birth year before 1900 or after this year.
    YearOutOfRange,
    DoesNotMatchPnr,
    /// Not one of the answers the form's list offers.
    NotInList,
    Ssyk,
    Household,
    /// A code of lower-case letters, digits and `_`.
    Code,
    InFuture,
    /// An asylum seeker has no establishment period before a residence permit.
    NoEstablishmentForAsylum,
    BeforeArrival,
    EndsBeforeStart,
    /// A referral needs the person's recorded consent.
    NoConsent,
    /// The consent does not cover the organisation on the day of the referral.
    ConsentDoesNotCover,
    /// No user account has this username.
    NoSuchUser,
    Pnr(PnrError),
}

impl Problem {
    /// The problem as a clause after the field's name ("måste fyllas i").
    pub fn text(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        let s = |sv_text: &str, en: &str| {
            if sv {
                sv_text.to_string()
            } else {
                en.to_string()
            }
        };
        match self {
            Problem::Needed => s("måste fyllas i", "is needed"),
            Problem::NeededWithoutPnr => s(
                "måste fyllas i när personnummer saknas",
                "is needed when there is no personnummer",
            ),
            Problem::TooLong { max } => {
                if sv {
                    format!("får ha högst {max} tecken")
                } else {
                    format!("may have at most {max} characters")
                }
            }
            Problem::NotADate => s(
                "är inte ett datum på formen ÅÅÅÅ-MM-DD",
                "is not a date in the form YYYY-MM-DD",
            ),
            Problem::NotAYear => s("är inte ett årtal", "is not a year"),
            Problem::WholeNumber { min, max } => {
                if sv {
                    format!("måste vara ett heltal från {min} till {max}")
                } else {
                    format!("must be a whole number from {min} to {max}")
                }
            }
            Problem::YearOutOfRange => s(
                "måste vara ett år mellan 1900 och i år",
                "must be a year between 1900 and this year",
            ),
            Problem::DoesNotMatchPnr => s(
                "stämmer inte med personnumret",
                "does not match the personnummer",
            ),
            Problem::NotInList => s(
                "måste vara ett av alternativen i listan",
                "must be one of the choices in the list",
            ),
            Problem::Ssyk => s(
                "måste vara yrkeskoder enligt SSYK 2012 (högst fyra siffror), åtskilda med kommatecken",
                "must be SSYK 2012 occupation codes (up to four digits), separated by commas",
            ),
            Problem::Household => s(
                "får bara innehålla 1–40 bokstäver a–z, siffror, - och _",
                "may only hold 1–40 letters a–z, digits, - and _",
            ),
            Problem::Code => s(
                "får bara innehålla små bokstäver a–z, siffror och _",
                "may only hold lower-case letters a–z, digits and _",
            ),
            Problem::InFuture => s("ligger i framtiden", "lies in the future"),
            Problem::NoEstablishmentForAsylum => s(
                "kan inte anges för en asylsökande: etableringstiden börjar först med uppehållstillståndet",
                "cannot be given for an asylum seeker: the establishment period begins with the residence permit",
            ),
            Problem::BeforeArrival => s(
                "ligger före ankomsten och uppehållstillståndet",
                "is before the arrival and the residence permit",
            ),
            Problem::EndsBeforeStart => s(
                "ligger före insatsens start",
                "is before the intervention's start",
            ),
            Problem::NoConsent => s(
                "saknas: en remiss kräver personens registrerade samtycke",
                "is missing: a referral needs the person's recorded consent",
            ),
            Problem::ConsentDoesNotCover => s(
                "gäller inte den här organisationen den dag remissen skickas",
                "does not cover this organisation on the day the referral is sent",
            ),
            Problem::NoSuchUser => s(
                "är inte namnet på en användare",
                "is not the name of a user",
            ),
            Problem::Pnr(e) => e.text(lang).to_string(),
        }
    }
}

impl RegisterError {
    pub fn new(field: &str, problem: Problem) -> RegisterError {
        RegisterError {
            field: field.into(),
            problem,
        }
    }

    /// The error as a sentence in `lang` that names the field as the form shows it:
    /// "Fältet ”Namn” måste fyllas i."
    pub fn text(&self, lang: Lang) -> String {
        let label = labels::field_label(&self.field, lang).unwrap_or(&self.field);
        match lang {
            Lang::Sv => format!("Fältet ”{label}” {}.", self.problem.text(lang)),
            _ => format!("The field “{label}” {}.", self.problem.text(lang)),
        }
    }
}
