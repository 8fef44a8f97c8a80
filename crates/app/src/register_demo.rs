//! Fictitious caseloads for the demo, the tests and the benchmark. Deterministic: the same
//! seed gives the same people. Names are made up from common first and last names.

use crate::register::Case;
use etablera_domain::{Date, Sex, UnitCode};
use etablera_register::{
    Category, Education, Event, EventKind, Identity, Intervention, InterventionOutcome,
    InterventionStatus, Outcome, OutcomeAt, OutcomeStatus, Person, PersonId, PlanLang, Review,
    SwedishLevel,
};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const FIRST_W: &[&str] = &[
    "Amina", "Fatima", "Hodan", "Layla", "Sara", "Mariam", "Zahra", "Helen", "Nour", "Rahel",
];
const FIRST_M: &[&str] = &[
    "Ahmad", "Mohammed", "Abdi", "Yonas", "Ali", "Omar", "Hassan", "Dawit", "Karim", "Samir",
];
const LAST: &[&str] = &[
    "Yusuf", "Haile", "Rahimi", "Hassan", "Ahmadi", "Tesfay", "Nur", "Karimi", "Osman", "Mehari",
];
const COUNTRIES: &[(&str, PlanLang, &str)] = &[
    ("Syrien", PlanLang::Ar, "arabiska"),
    ("Afghanistan", PlanLang::Prs, "dari"),
    ("Somalia", PlanLang::So, "somaliska"),
    ("Eritrea", PlanLang::Ti, "tigrinja"),
    ("Irak", PlanLang::Ar, "arabiska"),
    ("Ukraina", PlanLang::En, "ukrainska"),
];

/// `n` fictitious persons received in `unit` between `first_year` and `today`.
pub fn caseload(unit: &UnitCode, n: usize, seed: u64, first_year: i32, today: Date) -> Vec<Case> {
    let mut r = Rng::new(seed);
    let start = Date::new(first_year, 1, 1).expect("valid").to_unix_days();
    let span = (today.to_unix_days() - start).max(1) as u64;
    (0..n)
        .map(|_| {
            let mut idb = [0u8; 10];
            for b in &mut idb {
                *b = r.below(256) as u8;
            }
            let woman = r.chance(0.48);
            let (country, lang, language) = COUNTRIES[r.below(COUNTRIES.len() as u64) as usize];
            let arrival = Date::from_unix_days(start + r.below(span) as i64);
            let permit = Date::from_unix_days(arrival.to_unix_days() - r.below(60) as i64);
            let category = match r.below(10) {
                0..=4 => Category::Anvisad,
                5..=6 => Category::Sjalvbosatt,
                7 => Category::Anhorig,
                8 => Category::Kvotflykting,
                _ => Category::Ensamkommande,
            };
            let est = Date::from_unix_days(arrival.to_unix_days() + r.below(20) as i64);
            let est = (est <= today).then_some(est);
            // Drawn in this order so the demo register stays the same from run to run.
            let birth_year = arrival.year() - 20 - r.below(40) as i32;
            let education = Some(Education::ALL[r.below(7) as usize]);
            let mut p = Person {
                country_of_birth: country.into(),
                languages: vec![language.into()],
                education,
                swedish: SwedishLevel::SfiA,
                permit_date: Some(permit),
                registered_date: Some(arrival),
                establishment_start: est,
                ..Person::new(
                    PersonId::from_random(idb),
                    unit.clone(),
                    birth_year,
                    if woman { Sex::Women } else { Sex::Men },
                    category,
                    arrival,
                    lang,
                )
            };
            let day = |d: i64| Date::from_unix_days(arrival.to_unix_days() + d);
            // SFI within a month or two; women start later on average (the gap the seeds describe).
            let sfi_start = day(10 + r.below(if woman { 90 } else { 45 }) as i64);
            if sfi_start <= today {
                let passed = r.chance(if woman { 0.55 } else { 0.65 });
                let pass_day =
                    Date::from_unix_days(sfi_start.to_unix_days() + 120 + r.below(300) as i64);
                let done = passed && pass_day <= today;
                p.interventions.push(Intervention {
                    id: 1,
                    kind: "sfi".into(),
                    provider: "Vuxenutbildningen".into(),
                    detail: "Studieväg 2".into(),
                    start: Some(sfi_start),
                    end: Some(Date::from_unix_days(sfi_start.to_unix_days() + 365)),
                    status: if done {
                        InterventionStatus::Completed
                    } else {
                        InterventionStatus::Started
                    },
                    outcome: done.then_some(InterventionOutcome::Passed),
                    outcome_date: done.then_some(pass_day),
                    contact: "Vuxenutbildningens expedition".into(),
                });
                p.swedish = if done {
                    SwedishLevel::SfiC
                } else {
                    SwedishLevel::SfiB
                };
            }
            let so = day(20 + r.below(60) as i64);
            p.interventions.push(Intervention {
                id: 2,
                kind: "samhallsorientering".into(),
                provider: "Kommunens samhällsorientering".into(),
                detail: String::new(),
                start: Some(so),
                end: Some(Date::from_unix_days(so.to_unix_days() + 100)),
                status: if so <= today {
                    InterventionStatus::Started
                } else {
                    InterventionStatus::Planned
                },
                outcome: None,
                outcome_date: None,
                contact: "Samhällsorienteringen".into(),
            });
            if r.chance(0.35) {
                let pr = day(200 + r.below(200) as i64);
                p.interventions.push(Intervention {
                    id: 3,
                    kind: "praktik".into(),
                    provider: "Kommunen".into(),
                    detail: String::new(),
                    start: Some(pr),
                    end: Some(Date::from_unix_days(pr.to_unix_days() + 90)),
                    status: if pr <= today {
                        InterventionStatus::Started
                    } else {
                        InterventionStatus::Planned
                    },
                    outcome: None,
                    outcome_date: None,
                    contact: "Handledare på arbetsplatsen".into(),
                });
            }
            if let Some((_, end)) = p.establishment() {
                if r.chance(0.15) {
                    let moved =
                        Date::from_unix_days(arrival.to_unix_days() + 100 + r.below(800) as i64);
                    if moved <= today {
                        p.events.push(Event {
                            kind: EventKind::MovedOut,
                            date: moved,
                            note: String::new(),
                        });
                    }
                }
                let after90 = Date::from_unix_days(end.to_unix_days() + 90);
                if after90 <= today {
                    let moved = p.moved_out().is_some_and(|m| m <= end);
                    let status = if moved {
                        OutcomeStatus::MovedAway
                    } else {
                        let x = r.below(100);
                        let work = if woman { 35 } else { 55 };
                        match x {
                            x if x < work => OutcomeStatus::Work,
                            x if x < work + 10 => OutcomeStatus::Studies,
                            x if x < work + 15 => OutcomeStatus::Both,
                            x if x < work + 30 => OutcomeStatus::Programme,
                            _ => OutcomeStatus::Other,
                        }
                    };
                    p.outcomes.push(Outcome {
                        at: OutcomeAt::After90,
                        date: after90,
                        status,
                    });
                    p.closed = Some(after90);
                }
            }
            let mut rv = arrival;
            while let Some(next) = Some(etablera_register::add_months(rv, 3))
                .filter(|d| *d <= today && p.closed.is_none_or(|c| *d <= c))
            {
                if p.reviews.len() >= 8 {
                    break;
                }
                p.reviews.push(Review {
                    date: next,
                    by: 0,
                    note: String::new(),
                });
                rv = next;
            }
            let first = if woman { FIRST_W } else { FIRST_M };
            let name = format!(
                "{} {}",
                first[r.below(first.len() as u64) as usize],
                LAST[r.below(LAST.len() as u64) as usize]
            );
            Case {
                person: p,
                identity: Some(Identity {
                    name,
                    pnr: None,
                    phone: None,
                    email: None,
                    address: None,
                }),
            }
        })
        .collect()
}

/// Fictitious households for a caseload: every third person heads one of 1–6 members (the
/// rest of the family is not in the register), with the rooms the crowding norm asks for.
pub fn households(cases: &mut [Case], seed: u64) -> Vec<etablera_register::Household> {
    let mut r = Rng::new(seed ^ 0x6868);
    let needs = [
        "Bostad inom tre månader",
        "Tillgänglig bostad (rullstol)",
        "Nära skola och SFI",
        "Andrahandskontrakt löper ut",
        "",
    ];
    let mut out = Vec::new();
    for (i, c) in cases.iter_mut().enumerate() {
        if i % 3 != 0 || c.person.closed.is_some() {
            continue;
        }
        let size = 1 + r.below(6) as u32;
        let id = format!("H-{}", c.person.id);
        c.person.household = Some(id.clone());
        out.push(etablera_register::Household {
            id,
            unit: c.person.unit.clone(),
            size,
            rooms_needed: Some(crate::register::rooms_by_norm(size)),
            housing_need: needs[r.below(needs.len() as u64) as usize].to_string(),
        });
    }
    out
}
