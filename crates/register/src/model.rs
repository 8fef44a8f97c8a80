//! The register's records: a person in reception and establishment, their household, the
//! needs assessment, the individual plan (interventions), consents, referrals, reviews and
//! outcomes.
//!
//! A [`Person`] holds no direct identifier: name, personnummer and contact details are an
//! [`Identity`] that the application encrypts before it reaches the database. Everything
//! else is keyed by a pseudonymous [`PersonId`], which is what statistics and matching see.

use crate::PlanLang;
use etablera_domain::{Date, Sex, UnitCode};
use serde::{Deserialize, Serialize};

/// A pseudonymous person id: `P` and ten characters from a 31-letter alphabet without
/// look-alikes, drawn at random by the application. Says nothing about the person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonId(String);

pub const ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

impl PersonId {
    pub fn parse(s: &str) -> Option<PersonId> {
        let b = s.as_bytes();
        (b.len() == 11 && b[0] == b'P' && b[1..].iter().all(|c| ID_ALPHABET.contains(c)))
            .then(|| PersonId(s.to_string()))
    }
    /// Builds an id from ten random bytes (each taken modulo the alphabet).
    pub fn from_random(bytes: [u8; 10]) -> PersonId {
        let mut s = String::with_capacity(11);
        s.push('P');
        for b in bytes {
            s.push(ID_ALPHABET[(b as usize) % ID_ALPHABET.len()] as char);
        }
        PersonId(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonId {
    type Error = String;
    fn try_from(s: String) -> Result<PersonId, String> {
        PersonId::parse(&s).ok_or_else(|| format!("`{s}` is not a person id"))
    }
}
impl From<PersonId> for String {
    fn from(p: PersonId) -> String {
        p.0
    }
}
impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What identifies a person directly. Encrypted at rest; never in logs (its `Debug` hides it).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    #[serde(default)]
    pub pnr: Option<crate::Pnr>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(…)")
    }
}

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($v:ident = $code:literal, $sv:literal, $en:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $( #[serde(rename = $code)] $v, )* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn code(self) -> &'static str { match self { $($name::$v => $code,)* } }
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $( if t.eq_ignore_ascii_case($code) || t.eq_ignore_ascii_case($sv) || t.eq_ignore_ascii_case($en) { return Some($name::$v); } )*
                None
            }
            pub fn label(self, lang: etablera_domain::Lang) -> &'static str {
                match self { $($name::$v => lang.pick($sv, $en),)* }
            }
            /// The accepted codes, for error messages.
            pub fn codes() -> String { [$($code),*].join(", ") }
        }
    };
}

codes! {
    /// How the person came to the municipality.
    Category {
        Anvisad = "anvisad", "anvisad (kommunplacerad)", "assigned (placed by the Migration Agency)";
        Sjalvbosatt = "sjalvbosatt", "självbosatt", "self-settled";
        Anhorig = "anhorig", "anhöriginvandrad", "family reunification";
        Ensamkommande = "ensamkommande", "ensamkommande barn", "unaccompanied minor";
        Kvotflykting = "kvotflykting", "kvotflykting", "resettled refugee (quota)";
        Asylsokande = "asylsokande", "asylsökande", "asylum seeker";
    }
}

codes! {
    /// Education level on SCB's SUN 2000 scale (the seven levels of the education register).
    Education {
        Forgymnasial8 = "1", "förgymnasial kortare än 9 år", "primary, less than 9 years";
        Forgymnasial9 = "2", "förgymnasial 9 (10) år", "primary, 9 (10) years";
        Gymnasial2 = "3", "gymnasial högst 2 år", "upper secondary, at most 2 years";
        Gymnasial3 = "4", "gymnasial 3 år", "upper secondary, 3 years";
        Eftergymnasial2 = "5", "eftergymnasial kortare än 3 år", "post-secondary, less than 3 years";
        Eftergymnasial3 = "6", "eftergymnasial 3 år eller längre", "post-secondary, 3 years or more";
        Forskar = "7", "forskarutbildning", "doctoral studies";
    }
}

codes! {
    /// Swedish: where the person is in SFI or beyond.
    SwedishLevel {
        None = "none", "ingen svenska", "no Swedish";
        SfiA = "sfi_a", "sfi kurs A", "SFI course A";
        SfiB = "sfi_b", "sfi kurs B", "SFI course B";
        SfiC = "sfi_c", "sfi kurs C", "SFI course C";
        SfiD = "sfi_d", "sfi kurs D", "SFI course D";
        SfiDone = "sfi_klar", "sfi avslutad (D godkänd)", "SFI completed (D passed)";
        Sas = "sas", "svenska som andraspråk", "Swedish as a second language";
        Fluent = "fluent", "flytande", "fluent";
    }
}

codes! {
    /// Status of a planned intervention.
    InterventionStatus {
        Planned = "planned", "planerad", "planned";
        Referred = "referred", "remitterad", "referred";
        Started = "started", "påbörjad", "started";
        Completed = "completed", "avslutad", "completed";
        Interrupted = "interrupted", "avbruten", "interrupted";
    }
}

codes! {
    /// How an intervention ended.
    InterventionOutcome {
        Passed = "passed", "godkänd / genomförd med resultat", "passed / completed with result";
        NotPassed = "not_passed", "ej godkänd", "not passed";
        Other = "other", "annat", "other";
    }
}

codes! {
    /// A need found in the assessment.
    NeedLevel {
        None = "none", "inget behov", "no need";
        Some = "some", "visst behov", "some need";
        Large = "large", "stort behov", "large need";
    }
}

codes! {
    /// Where a referral stands.
    ReferralStatus {
        Sent = "sent", "skickad", "sent";
        Accepted = "accepted", "accepterad", "accepted";
        Declined = "declined", "avböjd", "declined";
        Done = "done", "klar", "done";
    }
}

codes! {
    /// Status at the end of the establishment period or 90 days after.
    OutcomeStatus {
        Work = "work", "arbete", "work";
        Studies = "studies", "studier", "studies";
        Both = "both", "arbete och studier", "work and studies";
        Programme = "programme", "arbetsmarknadspolitiskt program", "labour-market programme";
        Other = "other", "annat", "other";
        MovedAway = "moved_away", "flyttat från kommunen", "moved away";
        Unknown = "unknown", "okänt", "unknown";
    }
}

codes! {
    /// When an outcome was recorded.
    OutcomeAt {
        EndOfPeriod = "end", "vid etableringstidens slut", "at the end of the establishment period";
        After90 = "90", "90 dagar efter", "90 days after";
    }
}

codes! {
    /// An employment or study event.
    EventKind {
        Employment = "employment", "anställning", "employment";
        Studies = "studies", "studier", "studies";
        MovedOut = "moved_out", "utflyttad från kommunen", "moved out of the municipality";
    }
}

/// The areas of the structured needs assessment.
pub const ASSESSMENT_AREAS: &[&str] = &[
    "language",
    "education",
    "work",
    "health",
    "childcare",
    "housing",
    "economy",
    "network",
];

/// An SSYK 2012 occupation code (one to four digits, the four-digit unit group normally).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ssyk(String);

impl Ssyk {
    pub fn parse(s: &str) -> Option<Ssyk> {
        let t = s.trim();
        (!t.is_empty()
            && t.len() <= 4
            && t.bytes().all(|b| b.is_ascii_digit())
            && !t.starts_with('-'))
        .then(|| Ssyk(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Ssyk {
    type Error = String;
    fn try_from(s: String) -> Result<Ssyk, String> {
        Ssyk::parse(&s).ok_or_else(|| format!("`{s}` is not an SSYK 2012 code"))
    }
}
impl From<Ssyk> for String {
    fn from(s: Ssyk) -> String {
        s.0
    }
}

/// One area of the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentItem {
    pub area: String,
    pub need: NeedLevel,
    #[serde(default)]
    pub note: String,
}

/// The structured needs assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub date: Date,
    pub by: i64,
    pub items: Vec<AssessmentItem>,
}

/// A planned intervention in the individual plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervention {
    pub id: u32,
    /// A code from the municipality's catalogue (`sfi`, `praktik`, …).
    pub kind: String,
    /// A department or an outside organisation.
    pub provider: String,
    #[serde(default)]
    pub detail: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub status: InterventionStatus,
    #[serde(default)]
    pub outcome: Option<InterventionOutcome>,
    /// When the outcome was recorded (for SFI: the day the course was passed).
    #[serde(default)]
    pub outcome_date: Option<Date>,
    /// Whom the person contacts (shown on their own plan).
    #[serde(default)]
    pub contact: String,
}

/// Consent to share information with an outside organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    pub id: u32,
    /// The organisation the consent covers.
    pub organisation: String,
    pub given: Date,
    #[serde(default)]
    pub withdrawn: Option<Date>,
    pub recorded_by: i64,
}

impl Consent {
    pub fn valid_on(&self, day: Date) -> bool {
        self.given <= day && self.withdrawn.is_none_or(|w| w > day)
    }
}

/// A referral to an outside organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub id: u32,
    pub organisation: String,
    pub consent: u32,
    pub purpose: String,
    pub sent: Date,
    pub status: ReferralStatus,
    #[serde(default)]
    pub reason: String,
    pub updated: Date,
}

/// A review of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub date: Date,
    pub by: i64,
    #[serde(default)]
    pub note: String,
}

/// An outcome at the end of the period or 90 days after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub at: OutcomeAt,
    pub date: Date,
    pub status: OutcomeStatus,
}

/// An employment, study or moving event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub date: Date,
    #[serde(default)]
    pub note: String,
}

/// A household: who lives together and what housing it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: String,
    pub unit: UnitCode,
    pub size: u32,
    #[serde(default)]
    pub rooms_needed: Option<u32>,
    #[serde(default)]
    pub housing_need: String,
}

/// A person in the register (pseudonymous: see [`Identity`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub unit: UnitCode,
    pub birth_year: i32,
    pub sex: Sex,
    pub country_of_birth: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub plan_language: PlanLang,
    #[serde(default)]
    pub education: Option<Education>,
    #[serde(default)]
    pub ssyk: Vec<Ssyk>,
    pub swedish: SwedishLevel,
    #[serde(default)]
    pub household: Option<String>,
    pub category: Category,
    #[serde(default)]
    pub permit_date: Option<Date>,
    pub arrival_date: Date,
    #[serde(default)]
    pub registered_date: Option<Date>,
    /// Start of the two-year establishment period, if the person is in it.
    #[serde(default)]
    pub establishment_start: Option<Date>,
    #[serde(default)]
    pub case_worker: Option<i64>,
    #[serde(default)]
    pub colleagues: Vec<i64>,
    #[serde(default)]
    pub assessment: Option<Assessment>,
    #[serde(default)]
    pub interventions: Vec<Intervention>,
    #[serde(default)]
    pub consents: Vec<Consent>,
    #[serde(default)]
    pub referrals: Vec<Referral>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Months between reviews.
    #[serde(default = "default_review_months")]
    pub review_months: u8,
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    #[serde(default)]
    pub events: Vec<Event>,
    /// Closed cases are kept until gallring.
    #[serde(default)]
    pub closed: Option<Date>,
    /// GDPR art. 18: processing restricted; only reading by the case's own staff.
    #[serde(default)]
    pub restricted: bool,
    /// Set by gallring: identity and free text are gone, statistics remain.
    #[serde(default)]
    pub anonymised: bool,
}

fn default_review_months() -> u8 {
    3
}

/// Adds months, clamping the day to the month's end.
pub fn add_months(d: Date, months: i32) -> Date {
    let total = d.year() * 12 + (d.month() as i32 - 1) + months;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    (0..4)
        .find_map(|k| Date::new(y, m, d.day().saturating_sub(k)))
        .expect("a month has at least 28 days")
}

impl Person {
    /// A case as it is opened: who, where and when, with nothing yet assessed, planned,
    /// consented to or decided, the default review interval (three months), open and
    /// not restricted. The rest is filled in as the case goes.
    pub fn new(
        id: PersonId,
        unit: UnitCode,
        birth_year: i32,
        sex: Sex,
        category: Category,
        arrival_date: Date,
        plan_language: PlanLang,
    ) -> Person {
        Person {
            id,
            unit,
            birth_year,
            sex,
            country_of_birth: String::new(),
            languages: vec![],
            plan_language,
            education: None,
            ssyk: vec![],
            swedish: SwedishLevel::None,
            household: None,
            category,
            permit_date: None,
            arrival_date,
            registered_date: None,
            establishment_start: None,
            case_worker: None,
            colleagues: vec![],
            assessment: None,
            interventions: vec![],
            consents: vec![],
            referrals: vec![],
            reviews: vec![],
            review_months: 3,
            outcomes: vec![],
            events: vec![],
            closed: None,
            restricted: false,
            anonymised: false,
        }
    }
    /// Every free text of the record, in a fixed order: assessment notes, intervention
    /// providers, details and contacts, consent organisations, referral organisations,
    /// purposes and reasons, review notes and event notes. The register seals them with the
    /// identity; the order only depends on the record's structure, which stays in clear.
    pub fn free_text_mut(&mut self) -> Vec<&mut String> {
        let mut out: Vec<&mut String> = Vec::new();
        if let Some(a) = &mut self.assessment {
            out.extend(a.items.iter_mut().map(|i| &mut i.note));
        }
        for i in &mut self.interventions {
            out.push(&mut i.provider);
            out.push(&mut i.detail);
            out.push(&mut i.contact);
        }
        out.extend(self.consents.iter_mut().map(|c| &mut c.organisation));
        for r in &mut self.referrals {
            out.push(&mut r.organisation);
            out.push(&mut r.purpose);
            out.push(&mut r.reason);
        }
        out.extend(self.reviews.iter_mut().map(|r| &mut r.note));
        out.extend(self.events.iter_mut().map(|e| &mut e.note));
        out
    }

    /// The establishment period: two years from its start.
    pub fn establishment(&self) -> Option<(Date, Date)> {
        self.establishment_start.map(|s| {
            (
                s,
                Date::from_unix_days(add_months(s, 24).to_unix_days() - 1),
            )
        })
    }

    /// Days left of the establishment period on `today` (0 when it has ended).
    pub fn days_left(&self, today: Date) -> Option<i64> {
        self.establishment()
            .map(|(_, end)| (end.to_unix_days() - today.to_unix_days() + 1).max(0))
    }

    /// When the next review is due: the last review (or the plan's start) plus the interval.
    pub fn next_review(&self) -> Option<Date> {
        if self.closed.is_some() {
            return None;
        }
        let last = self
            .reviews
            .iter()
            .map(|r| r.date)
            .max()
            .or(self.assessment.as_ref().map(|a| a.date))
            .or(self.establishment_start)?;
        Some(add_months(last, self.review_months.max(1) as i32))
    }

    /// The day the person moved out of the municipality, if recorded.
    pub fn moved_out(&self) -> Option<Date> {
        self.events
            .iter()
            .filter(|e| e.kind == EventKind::MovedOut)
            .map(|e| e.date)
            .min()
    }

    /// Whether a user works with this case: its case worker or a named colleague.
    pub fn related(&self, user_id: i64) -> bool {
        self.case_worker == Some(user_id) || self.colleagues.contains(&user_id)
    }

    pub fn next_id(&self) -> u32 {
        let ids = self
            .interventions
            .iter()
            .map(|i| i.id)
            .chain(self.consents.iter().map(|c| c.id))
            .chain(self.referrals.iter().map(|r| r.id));
        ids.max().unwrap_or(0) + 1
    }

    /// Checks the rules that span fields. Messages name the field.
    pub fn validate(&self, today: Date) -> Result<(), crate::RegisterError> {
        use crate::{Problem as P, RegisterError as E};
        if !matches!(self.sex, Sex::Women | Sex::Men) {
            return Err(E::new("sex", P::NotInList));
        }
        if self.birth_year < 1900 || self.birth_year > today.year() {
            return Err(E::new("birth_year", P::YearOutOfRange));
        }
        if self.country_of_birth.trim().is_empty() {
            return Err(E::new("country_of_birth", P::Needed));
        }
        if self.country_of_birth.chars().count() > 80 {
            return Err(E::new("country_of_birth", P::TooLong { max: 80 }));
        }
        if self.arrival_date > today {
            return Err(E::new("arrival_date", P::InFuture));
        }
        if let (Some(p), a) = (self.permit_date, self.arrival_date) {
            if p > today {
                return Err(E::new("permit_date", P::InFuture));
            }
            let _ = a;
        }
        if self.category == Category::Asylsokande && self.establishment_start.is_some() {
            return Err(E::new("establishment_start", P::NoEstablishmentForAsylum));
        }
        if let Some(s) = self.establishment_start {
            if s < self
                .arrival_date
                .min(self.permit_date.unwrap_or(self.arrival_date))
            {
                return Err(E::new("establishment_start", P::BeforeArrival));
            }
        }
        for i in &self.interventions {
            if let (Some(s), Some(e)) = (i.start, i.end) {
                if e < s {
                    return Err(E::new("end", P::EndsBeforeStart));
                }
            }
            if i.provider.trim().is_empty() {
                return Err(E::new("provider", P::Needed));
            }
        }
        for r in &self.referrals {
            let Some(c) = self.consents.iter().find(|c| c.id == r.consent) else {
                return Err(E::new("consent", P::NoConsent));
            };
            if !c.valid_on(r.sent) || !same_org(&c.organisation, &r.organisation) {
                return Err(E::new("consent", P::ConsentDoesNotCover));
            }
            if matches!(r.status, ReferralStatus::Declined) && r.reason.trim().is_empty() {
                return Err(E::new("reason", P::Needed));
            }
        }
        Ok(())
    }
}

fn same_org(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    pub(crate) fn person() -> Person {
        Person {
            country_of_birth: "Syrien".into(),
            languages: vec!["arabiska".into()],
            education: Some(Education::Gymnasial3),
            ssyk: vec![Ssyk::parse("2221").unwrap()],
            swedish: SwedishLevel::SfiB,
            permit_date: Some(d("2024-01-10")),
            registered_date: Some(d("2024-02-05")),
            establishment_start: Some(d("2024-02-05")),
            case_worker: Some(7),
            colleagues: vec![8],
            ..Person::new(
                PersonId::from_random([1; 10]),
                UnitCode::parse("2380").unwrap(),
                1990,
                Sex::Women,
                Category::Anvisad,
                d("2024-02-01"),
                PlanLang::Ar,
            )
        }
    }

    #[test]
    fn establishment_period_and_days_left() {
        let p = person();
        assert_eq!(p.establishment(), Some((d("2024-02-05"), d("2026-02-04"))));
        assert_eq!(p.days_left(d("2026-02-04")), Some(1));
        assert_eq!(p.days_left(d("2026-02-05")), Some(0));
        assert_eq!(p.days_left(d("2025-02-04")), Some(366));
        assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(add_months(d("2024-11-30"), 3), d("2025-02-28"));
    }

    #[test]
    fn reviews_fall_due_after_the_interval() {
        let mut p = person();
        assert_eq!(p.next_review(), Some(d("2024-05-05")));
        p.reviews.push(Review {
            date: d("2024-06-01"),
            by: 7,
            note: String::new(),
        });
        assert_eq!(p.next_review(), Some(d("2024-09-01")));
        p.closed = Some(d("2024-07-01"));
        assert_eq!(p.next_review(), None);
    }

    #[test]
    fn referral_needs_consent_for_that_organisation() {
        let mut p = person();
        let today = d("2026-01-01");
        p.referrals.push(Referral {
            id: 2,
            organisation: "Arbetsförmedlingen".into(),
            consent: 1,
            purpose: "praktik".into(),
            sent: d("2024-03-01"),
            status: ReferralStatus::Sent,
            reason: String::new(),
            updated: d("2024-03-01"),
        });
        assert!(p
            .validate(today)
            .unwrap_err()
            .to_string()
            .contains("consent"));
        p.consents.push(Consent {
            id: 1,
            organisation: "Folkhögskolan".into(),
            given: d("2024-02-20"),
            withdrawn: None,
            recorded_by: 7,
        });
        assert!(
            p.validate(today).is_err(),
            "consent for another organisation"
        );
        p.consents[0].organisation = "arbetsförmedlingen".into();
        p.validate(today).unwrap();
        p.consents[0].withdrawn = Some(d("2024-02-25"));
        assert!(p.validate(today).is_err(), "withdrawn before the referral");
        p.consents[0].withdrawn = None;
        p.referrals[0].status = ReferralStatus::Declined;
        assert_eq!(p.validate(today).unwrap_err().field, "reason");
    }

    #[test]
    fn codes_parse_in_both_languages() {
        assert_eq!(Category::parse("självbosatt"), Some(Category::Sjalvbosatt));
        assert_eq!(Category::parse("anvisad"), Some(Category::Anvisad));
        assert_eq!(Education::parse("6"), Some(Education::Eftergymnasial3));
        assert_eq!(OutcomeStatus::parse("work"), Some(OutcomeStatus::Work));
        assert_eq!(Category::parse("turist"), None);
        assert!(
            PersonId::parse("P1234567890").is_none(),
            "1 and 0 are not in the alphabet"
        );
        assert!(PersonId::parse(PersonId::from_random([200; 10]).as_str()).is_some());
    }
}
