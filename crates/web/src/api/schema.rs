//! The shapes of the API's answers, as the OpenAPI document describes them. The answers
//! are serialised from the domain's and the store's types (which know nothing of OpenAPI);
//! schemathesis checks every answer of the CI run against these.

use serde::Serialize;
use utoipa::ToSchema;

/// An error: `{"error": {"status", "code", "message"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Error {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    /// `not_found`, `unauthorized`, `forbidden`, `invalid_input`, `conflict`, …
    pub code: String,
    pub message: String,
    /// For an internal error (500): the reference under which its cause is logged.
    pub reference: Option<String>,
}

/// The nation, a region, a municipality or a group of units.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub county: Option<String>,
}

/// An indicator of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    /// The unit of measure read from the title ("1000 kr/invånare").
    #[schema(value_type = Value)]
    pub unit: serde_json::Value,
    pub direction: String,
    pub source: String,
    pub divided_by_sex: bool,
    pub description: String,
    pub area: Option<String>,
}

/// A figure: missing, not applicable and confidential values have no value and say why
/// in `status`, never 0.
#[derive(Debug, Serialize, ToSchema)]
pub struct Observation {
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub sex: String,
    pub value: Option<f64>,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StrategySummary {
    pub id: String,
    pub owner: String,
    pub title: String,
    pub updated_at: String,
    pub published: bool,
}

/// The follow-up of a strategy for a year: each target judged, with its explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUp {
    pub strategy_id: String,
    pub unit: String,
    pub year: i32,
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<serde_json::Value>,
}

/// An API token (the secret itself is shown once, when it is made).
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub unit_code: String,
    pub scope: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<Token>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenCreated {
    pub id: i64,
    /// The token: shown this once.
    pub token: String,
    pub scope: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenRevoked {
    pub id: i64,
    pub revoked: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchStored {
    /// The batch, or none when nothing changed.
    pub batch: Option<i64>,
    pub changed: i64,
}

/// A person of the establishment register (the read is logged).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterPerson {
    /// The pseudonymous case: id, unit, category, dates, assessment, plan, consents,
    /// referrals, reviews, outcomes.
    #[schema(value_type = Object)]
    pub person: serde_json::Value,
    pub name: Option<String>,
    pub personnummer: Option<String>,
    /// Days left of the two-year establishment period.
    pub days_left: Option<i64>,
    #[schema(format = Date)]
    pub next_review: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterPersons {
    pub items: Vec<RegisterPerson>,
    pub total: u64,
}

/// One cell of the register's statistics; a suppressed cell has no value and no count.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterCell {
    pub indicator: String,
    pub year: i32,
    pub sex: super::SexParam,
    pub value: Option<f64>,
    pub n: Option<u64>,
    pub suppressed: Option<Suppressed>,
}

/// Why a cell has no value: too few persons (primary), or it would reveal one that has
/// too few (secondary).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Suppressed {
    Primary,
    Secondary,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterStatistics {
    pub unit: String,
    pub threshold: u64,
    pub cells: Vec<RegisterCell>,
}

/// A page of a list: the page's `items`, the page number and size, and the whole count.
macro_rules! page {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            #[schema(minimum = 1)]
            pub page: u64,
            #[schema(minimum = 1)]
            pub per_page: u64,
            pub total: u64,
        }
    };
}

page!(UnitPage, Unit);
page!(IndicatorPage, Indicator);
page!(ObservationPage, Observation);
page!(StrategyPage, StrategySummary);
