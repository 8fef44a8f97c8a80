//! The register's own indicators, in the national definitions, with suppression.
//!
//! The register turns its cases into figures per year and sex that compare with Kolada:
//!
//! | id | as | definition |
//! |---|---|---|
//! | `REG-N01986` | N01986 | people received in the municipality in the year with a residence permit (count); the day received is the later of arrival and permit |
//! | `REG-N00971` | N00971 | of those whose establishment period ended in the year and whose status 90 days after is recorded (moved away excluded), the share in work (work, or work and studies) |
//! | `REG-N00972` | N00972 | the same, share in studies (studies, or work and studies) |
//! | `REG-N00973` | N00973 | the same, share in work or studies |
//! | `REG-KVAR-ETABL` | Luleå's 80 % goal | of those whose establishment period ended in the year, the share who had not moved out of the municipality by its end |
//! | `REG-SFI-12M` | SFI progress | of those who started SFI in the year, the share who passed a course within 365 days |
//! | `REG-DAGAR-INSATS` | — | median days from being received to the first started intervention, for those received in the year |
//!
//! A period ends on its planned end (two years from its start) or on the day the case is
//! closed, whichever is first. A share counts only people whose follow-up time has passed on
//! the reporting date (`as_of`).
//!
//! **Suppression.** A cell built on fewer than `threshold` people (default 5; counts 1 to
//! threshold − 1, shares and medians by their denominator) is suppressed. Because a year's
//! total is the sum of women and men, one suppressed cell could be worked out from the two
//! others; [`suppress`] then also suppresses the smallest other cell of that sum (secondary
//! suppression) until no suppressed cell can be recovered. Suppressed cells carry no value.

use crate::model::{InterventionOutcome, InterventionStatus, OutcomeAt, OutcomeStatus, Person};
use etablera_domain::{Date, Sex};
use serde::Serialize;

/// The register's indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RegIndicator {
    Received,
    Work90,
    Studies90,
    WorkOrStudies90,
    Stayed,
    Sfi12m,
    DaysToFirst,
}

impl RegIndicator {
    pub const ALL: [RegIndicator; 7] = [
        RegIndicator::Received,
        RegIndicator::Work90,
        RegIndicator::Studies90,
        RegIndicator::WorkOrStudies90,
        RegIndicator::Stayed,
        RegIndicator::Sfi12m,
        RegIndicator::DaysToFirst,
    ];
    /// The indicator id the figures are stored under.
    pub fn id(self) -> &'static str {
        match self {
            RegIndicator::Received => "REG-N01986",
            RegIndicator::Work90 => "REG-N00971",
            RegIndicator::Studies90 => "REG-N00972",
            RegIndicator::WorkOrStudies90 => "REG-N00973",
            RegIndicator::Stayed => "REG-KVAR-ETABL",
            RegIndicator::Sfi12m => "REG-SFI-12M",
            RegIndicator::DaysToFirst => "REG-DAGAR-INSATS",
        }
    }
    /// The national KPI it is defined like, if any.
    pub fn kolada(self) -> Option<&'static str> {
        match self {
            RegIndicator::Received => Some("N01986"),
            RegIndicator::Work90 => Some("N00971"),
            RegIndicator::Studies90 => Some("N00972"),
            RegIndicator::WorkOrStudies90 => Some("N00973"),
            _ => None,
        }
    }
    pub fn title(self, lang: etablera_domain::Lang) -> &'static str {
        match self {
            RegIndicator::Received => lang.pick(
                "Mottagna med uppehållstillstånd, antal",
                "Received with a residence permit, number",
            ),
            RegIndicator::Work90 => lang.pick(
                "Lämnat etableringen, i arbete efter 90 dagar, andel (%)",
                "Left establishment, in work after 90 days, share (%)",
            ),
            RegIndicator::Studies90 => lang.pick(
                "Lämnat etableringen, studerar efter 90 dagar, andel (%)",
                "Left establishment, studying after 90 days, share (%)",
            ),
            RegIndicator::WorkOrStudies90 => lang.pick(
                "Lämnat etableringen, i arbete eller studier efter 90 dagar, andel (%)",
                "Left establishment, in work or studies after 90 days, share (%)",
            ),
            RegIndicator::Stayed => lang.pick(
                "Bor kvar i kommunen efter etableringstiden, andel (%)",
                "Still living in the municipality after the establishment period, share (%)",
            ),
            RegIndicator::Sfi12m => lang.pick(
                "Klarat en sfi-kurs inom 12 månader från start, andel (%)",
                "Passed an SFI course within 12 months of starting, share (%)",
            ),
            RegIndicator::DaysToFirst => lang.pick(
                "Dagar från mottagande till första insats, median",
                "Days from reception to the first intervention, median",
            ),
        }
    }
    pub fn is_share(self) -> bool {
        !matches!(self, RegIndicator::Received | RegIndicator::DaysToFirst)
    }
}

/// What the figures need of one person: a flat record (the benchmark and DuckDB use the same).
/// Days are days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Facts {
    /// true = woman, false = man.
    pub woman: bool,
    pub received: Option<i32>,
    pub left: Option<i32>,
    pub status90: Option<OutcomeStatus>,
    pub moved_out: Option<i32>,
    pub first_intervention: Option<i32>,
    pub sfi_start: Option<i32>,
    pub sfi_passed: Option<i32>,
}

fn day(d: Date) -> i32 {
    d.to_unix_days() as i32
}

impl Facts {
    pub fn of(p: &Person) -> Facts {
        let received = match (p.category, p.permit_date) {
            (crate::Category::Asylsokande, _) | (_, None) => None,
            (_, Some(permit)) => Some(day(permit.max(p.arrival_date))),
        };
        let left = p.establishment().map(|(_, end)| {
            let end = p.closed.map_or(end, |c| c.min(end));
            day(end)
        });
        let status90 = p
            .outcomes
            .iter()
            .filter(|o| o.at == OutcomeAt::After90)
            .max_by_key(|o| o.date)
            .map(|o| o.status);
        let first_intervention = p
            .interventions
            .iter()
            .filter(|i| {
                matches!(
                    i.status,
                    InterventionStatus::Started
                        | InterventionStatus::Completed
                        | InterventionStatus::Interrupted
                )
            })
            .filter_map(|i| i.start)
            .min()
            .map(day);
        let sfi = p.interventions.iter().filter(|i| i.kind == "sfi");
        let sfi_start = sfi.clone().filter_map(|i| i.start).min().map(day);
        let sfi_passed = sfi
            .filter(|i| i.outcome == Some(InterventionOutcome::Passed))
            .filter_map(|i| i.outcome_date.or(i.end))
            .min()
            .map(day);
        Facts {
            woman: p.sex == Sex::Women,
            received,
            left,
            status90,
            moved_out: p.moved_out().map(day),
            first_intervention,
            sfi_start,
            sfi_passed,
        }
    }
}

/// Why a cell shows no figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// Fewer people than the threshold.
    Primary,
    /// Hidden so that a primary cell cannot be worked out from the total.
    Secondary,
}

/// One figure: an indicator, a year, a sex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub indicator: RegIndicator,
    pub year: i32,
    pub sex: Sex,
    /// The figure; `None` when suppressed or when no one is counted.
    pub value: Option<f64>,
    /// How many people the figure rests on (the count, or the share's denominator).
    pub n: u64,
    /// For shares: how many of them have the property.
    pub numerator: u64,
    pub suppressed: Option<Suppression>,
}

/// The computed figures for a span of years, suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub cells: Vec<Cell>,
    pub threshold: u64,
}

impl Figures {
    pub fn get(&self, ind: RegIndicator, year: i32, sex: Sex) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.indicator == ind && c.year == year && c.sex == sex)
    }
}

#[derive(Clone, Default)]
struct Acc {
    num: [u64; 2],
    den: [u64; 2],
    days: [Vec<i32>; 2],
}

/// Year of a day number, via a small table of year starts.
struct Years {
    first: i32,
    starts: Vec<i32>,
}

impl Years {
    fn new(first: i32, last: i32) -> Years {
        let starts = (first..=last + 1)
            .map(|y| day(Date::new(y, 1, 1).expect("valid")))
            .collect();
        Years { first, starts }
    }
    /// Index of the year of `d`, if inside the span.
    #[inline]
    fn index(&self, d: i32) -> Option<usize> {
        if d < self.starts[0] || d >= *self.starts.last().expect("non-empty") {
            return None;
        }
        // partition_point: the number of year starts ≤ d.
        Some(self.starts.partition_point(|&s| s <= d) - 1)
    }
    fn len(&self) -> usize {
        self.starts.len() - 1
    }
}

/// No one can ask for less suppression than this: with a threshold of 1 or 2 a cell shows a
/// single person or, beside a total, a pair of whom each knows the other.
pub const MIN_THRESHOLD: u64 = 3;

/// Computes every register indicator for the years `first..=last`, as the data stood on
/// `as_of`, and suppresses cells under `threshold` people with secondary suppression. A
/// threshold below [`MIN_THRESHOLD`] is raised to it.
pub fn compute(facts: &[Facts], first: i32, last: i32, as_of: Date, threshold: u64) -> Figures {
    let threshold = threshold.max(MIN_THRESHOLD);
    let years = Years::new(first, last);
    let n_ind = RegIndicator::ALL.len();
    let mut acc: Vec<Acc> = vec![Acc::default(); years.len() * n_ind];
    let as_of = day(as_of);
    let slot = |y: usize, ind: RegIndicator| y * n_ind + ind as usize;
    for f in facts {
        let s = (!f.woman) as usize;
        if let Some(r) = f.received.filter(|&r| r <= as_of) {
            if let Some(y) = years.index(r) {
                acc[slot(y, RegIndicator::Received)].den[s] += 1;
                if let Some(first) = f.first_intervention.filter(|&d| d <= as_of) {
                    acc[slot(y, RegIndicator::DaysToFirst)].days[s].push((first - r).max(0));
                }
            }
        }
        if let Some(left) = f.left.filter(|&l| l <= as_of) {
            if let Some(y) = years.index(left) {
                let a = &mut acc[slot(y, RegIndicator::Stayed)];
                a.den[s] += 1;
                if f.moved_out.is_none_or(|m| m > left) {
                    a.num[s] += 1;
                }
                if left + 90 <= as_of {
                    if let Some(st) = f.status90.filter(|st| *st != OutcomeStatus::MovedAway) {
                        let work = matches!(st, OutcomeStatus::Work | OutcomeStatus::Both);
                        let study = matches!(st, OutcomeStatus::Studies | OutcomeStatus::Both);
                        for (ind, yes) in [
                            (RegIndicator::Work90, work),
                            (RegIndicator::Studies90, study),
                            (RegIndicator::WorkOrStudies90, work || study),
                        ] {
                            let a = &mut acc[slot(y, ind)];
                            a.den[s] += 1;
                            a.num[s] += yes as u64;
                        }
                    }
                }
            }
        }
        if let Some(start) = f.sfi_start.filter(|&st| st + 365 <= as_of) {
            if let Some(y) = years.index(start) {
                let a = &mut acc[slot(y, RegIndicator::Sfi12m)];
                a.den[s] += 1;
                if f.sfi_passed.is_some_and(|p| p >= start && p <= start + 365) {
                    a.num[s] += 1;
                }
            }
        }
    }
    let mut cells = Vec::with_capacity(acc.len() * 3);
    for y in 0..years.len() {
        for ind in RegIndicator::ALL {
            let a = &mut acc[slot(y, ind)];
            let year = years.first + y as i32;
            let mut push = |sex: Sex, num: u64, den: u64, days: Option<&mut Vec<i32>>| {
                let (value, n) = match ind {
                    RegIndicator::Received => (Some(den as f64), den),
                    RegIndicator::DaysToFirst => {
                        let d = days.expect("days for medians");
                        (median(d), d.len() as u64)
                    }
                    _ => ((den > 0).then(|| 100.0 * num as f64 / den as f64), den),
                };
                cells.push(Cell {
                    indicator: ind,
                    year,
                    sex,
                    value,
                    n,
                    numerator: num,
                    suppressed: None,
                });
            };
            let mut total_days: Vec<i32> =
                a.days[0].iter().chain(a.days[1].iter()).copied().collect();
            push(
                Sex::Total,
                a.num[0] + a.num[1],
                a.den[0] + a.den[1],
                Some(&mut total_days),
            );
            let [dw, dm] = &mut a.days;
            push(Sex::Women, a.num[0], a.den[0], Some(dw));
            push(Sex::Men, a.num[1], a.den[1], Some(dm));
        }
    }
    // Each (indicator, year) is three cells in the order T, K, M: T = K + M.
    let constraints: Vec<(usize, Vec<usize>)> = (0..cells.len() / 3)
        .map(|i| (3 * i, vec![3 * i + 1, 3 * i + 2]))
        .collect();
    let n: Vec<u64> = cells.iter().map(|c| c.n).collect();
    let marks = suppress(&n, &constraints, threshold, true);
    for (c, m) in cells.iter_mut().zip(marks) {
        if m.is_some() {
            c.value = None;
            c.suppressed = m;
        }
    }
    Figures { cells, threshold }
}

fn median(v: &mut [i32]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, &mut hi, _) = v.select_nth_unstable(mid);
    if !v.len().is_multiple_of(2) {
        Some(hi as f64)
    } else {
        let lo = *v[..mid].iter().max().expect("non-empty");
        Some((lo as f64 + hi as f64) / 2.0)
    }
}

/// Marks cells for suppression. `n[i]` is how many people cell `i` rests on; each
/// constraint says a total cell is the sum of part cells. Primary: `0 < n < threshold`.
/// With `secondary`, while some sum has exactly one suppressed member, the smallest other
/// part (or else the total) is suppressed too.
pub fn suppress(
    n: &[u64],
    constraints: &[(usize, Vec<usize>)],
    threshold: u64,
    secondary: bool,
) -> Vec<Option<Suppression>> {
    let mut out: Vec<Option<Suppression>> = n
        .iter()
        .map(|&k| (k > 0 && k < threshold).then_some(Suppression::Primary))
        .collect();
    if !secondary {
        return out;
    }
    loop {
        let mut changed = false;
        for (total, parts) in constraints {
            let members = std::iter::once(total).chain(parts.iter());
            if members.filter(|&&i| out[i].is_some()).count() != 1 {
                continue;
            }
            let pick = parts
                .iter()
                .filter(|&&i| out[i].is_none())
                .min_by_key(|&&i| n[i])
                .copied()
                .unwrap_or(*total);
            out[pick] = Some(Suppression::Secondary);
            changed = true;
        }
        if !changed {
            return out;
        }
    }
}

/// The suppressed cells that can be worked out from the published ones through the sums
/// (repeatedly: a recovered cell helps recover the next).
pub fn recoverable(
    suppressed: &[Option<Suppression>],
    constraints: &[(usize, Vec<usize>)],
) -> Vec<usize> {
    let mut known: Vec<bool> = suppressed.iter().map(|s| s.is_none()).collect();
    let mut found = Vec::new();
    loop {
        let mut changed = false;
        for (total, parts) in constraints {
            let unknown: Vec<usize> = std::iter::once(*total)
                .chain(parts.iter().copied())
                .filter(|&i| !known[i])
                .collect();
            if let [only] = unknown[..] {
                known[only] = true;
                found.push(only);
                changed = true;
            }
        }
        if !changed {
            return found;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn secondary_suppression_stops_recovery_from_totals() {
        // A year with 12 people: 3 women, 9 men. Without secondary suppression the women's
        // 3 is hidden but 12 − 9 gives it back.
        let n = [12, 3, 9];
        let c = vec![(0, vec![1, 2])];
        let primary = suppress(&n, &c, 5, false);
        assert_eq!(primary, vec![None, Some(Suppression::Primary), None]);
        assert_eq!(
            recoverable(&primary, &c),
            vec![1],
            "recoverable without secondary"
        );
        let full = suppress(&n, &c, 5, true);
        assert_eq!(
            full,
            vec![
                None,
                Some(Suppression::Primary),
                Some(Suppression::Secondary)
            ]
        );
        assert!(recoverable(&full, &c).is_empty());
    }

    #[test]
    fn a_two_way_table_is_protected_too() {
        // Categories × sex with row and column totals:
        //            T   K   M
        //   total   30  14  16
        //   anvisad 20  11   9
        //   självb. 10   3   7
        let n = [30, 14, 16, 20, 11, 9, 10, 3, 7];
        let c = vec![
            (0, vec![1, 2]),
            (3, vec![4, 5]),
            (6, vec![7, 8]),
            (0, vec![3, 6]),
            (1, vec![4, 7]),
            (2, vec![5, 8]),
        ];
        let primary = suppress(&n, &c, 5, false);
        assert!(!recoverable(&primary, &c).is_empty());
        let full = suppress(&n, &c, 5, true);
        assert!(recoverable(&full, &c).is_empty(), "{full:?}");
        assert_eq!(full[7], Some(Suppression::Primary));
    }

    proptest! {
        #[test]
        fn nothing_suppressed_is_ever_recoverable(
            rows in proptest::collection::vec((0u64..12, 0u64..12), 1..6),
            threshold in 1u64..8,
        ) {
            // Rows of (K, M) with a T per row and a column total row.
            let mut n = Vec::new();
            let mut c = Vec::new();
            let (tk, tm): (u64, u64) = rows.iter().fold((0, 0), |a, r| (a.0 + r.0, a.1 + r.1));
            n.extend([tk + tm, tk, tm]);
            c.push((0, vec![1, 2]));
            for (k, m) in &rows {
                let b = n.len();
                n.extend([k + m, *k, *m]);
                c.push((b, vec![b + 1, b + 2]));
            }
            for col in 0..3 {
                c.push((col, (0..rows.len()).map(|r| 3 + 3 * r + col).collect()));
            }
            let s = suppress(&n, &c, threshold, true);
            prop_assert!(recoverable(&s, &c).is_empty());
            for (i, k) in n.iter().enumerate() {
                if *k > 0 && *k < threshold {
                    prop_assert!(s[i].is_some());
                }
            }
        }
    }

    fn f(woman: bool) -> Facts {
        Facts {
            woman,
            ..Facts::default()
        }
    }
    fn d(s: &str) -> i32 {
        day(Date::parse(s).unwrap())
    }

    #[test]
    fn figures_follow_the_definitions() {
        let as_of = Date::parse("2026-06-30").unwrap();
        let mut people = Vec::new();
        // 2024: 6 women and 7 men received.
        for i in 0..13 {
            let mut p = f(i < 6);
            p.received = Some(d("2024-03-01"));
            p.first_intervention = Some(d("2024-03-01") + 10 * i);
            people.push(p);
        }
        // Left in 2025: 6 women (4 in work, 1 studies, 1 unknown), 6 men (2 both, 1 moved
        // away at 90 days, 3 programme); 2 of the men moved out before leaving.
        let outcomes = [
            (true, OutcomeStatus::Work),
            (true, OutcomeStatus::Work),
            (true, OutcomeStatus::Work),
            (true, OutcomeStatus::Work),
            (true, OutcomeStatus::Studies),
            (true, OutcomeStatus::Unknown),
            (false, OutcomeStatus::Both),
            (false, OutcomeStatus::Both),
            (false, OutcomeStatus::MovedAway),
            (false, OutcomeStatus::Programme),
            (false, OutcomeStatus::Programme),
            (false, OutcomeStatus::Programme),
        ];
        for (i, (w, st)) in outcomes.iter().enumerate() {
            let mut p = f(*w);
            p.left = Some(d("2025-05-01"));
            p.status90 = Some(*st);
            if i >= 10 {
                p.moved_out = Some(d("2025-01-01"));
            }
            people.push(p);
        }
        let fig = compute(&people, 2024, 2025, as_of, 5);
        let v = |i, y, s| fig.get(i, y, s).unwrap().value;
        assert_eq!(v(RegIndicator::Received, 2024, Sex::Total), Some(13.0));
        assert_eq!(v(RegIndicator::Received, 2024, Sex::Women), Some(6.0));
        assert_eq!(v(RegIndicator::Received, 2025, Sex::Total), Some(0.0));
        // Medians: women 0,10,…,50 → 25; men 60…120 → 90; all → 60.
        assert_eq!(v(RegIndicator::DaysToFirst, 2024, Sex::Women), Some(25.0));
        assert_eq!(v(RegIndicator::DaysToFirst, 2024, Sex::Men), Some(90.0));
        assert_eq!(v(RegIndicator::DaysToFirst, 2024, Sex::Total), Some(60.0));
        // Work: women 4/6; men 2/5 (moved away excluded) → 5 is not under 5, shown.
        let c = fig.get(RegIndicator::Work90, 2025, Sex::Women).unwrap();
        assert_eq!((c.numerator, c.n), (4, 6));
        assert!((c.value.unwrap() - 66.666).abs() < 0.01);
        assert_eq!(v(RegIndicator::Work90, 2025, Sex::Men), Some(40.0));
        assert_eq!(
            v(RegIndicator::WorkOrStudies90, 2025, Sex::Total),
            Some(700.0 / 11.0)
        );
        // Stayed: 10 of 12.
        assert_eq!(
            fig.get(RegIndicator::Stayed, 2025, Sex::Total)
                .unwrap()
                .numerator,
            10
        );
        // Nothing is zero where nothing is known: no SFI starters → no value, not 0 %.
        let sfi = fig.get(RegIndicator::Sfi12m, 2025, Sex::Total).unwrap();
        assert_eq!((sfi.value, sfi.n, sfi.suppressed), (None, 0, None));
    }

    #[test]
    fn small_cells_are_suppressed_in_the_figures() {
        let as_of = Date::parse("2026-06-30").unwrap();
        let mut people = Vec::new();
        for i in 0..12 {
            let mut p = f(i < 3);
            p.received = Some(d("2025-02-01"));
            people.push(p);
        }
        let fig = compute(&people, 2025, 2025, as_of, 5);
        let get = |s| fig.get(RegIndicator::Received, 2025, s).unwrap();
        assert_eq!(get(Sex::Total).value, Some(12.0));
        assert_eq!(
            (get(Sex::Women).value, get(Sex::Women).suppressed),
            (None, Some(Suppression::Primary))
        );
        assert_eq!(
            (get(Sex::Men).value, get(Sex::Men).suppressed),
            (None, Some(Suppression::Secondary))
        );
        // With threshold 3 the women's 3 is shown.
        let fig = compute(&people, 2025, 2025, as_of, 3);
        assert_eq!(
            fig.get(RegIndicator::Received, 2025, Sex::Women)
                .unwrap()
                .value,
            Some(3.0)
        );
    }

    #[test]
    fn follow_up_time_must_have_passed() {
        let mut p = f(true);
        p.left = Some(d("2026-05-01"));
        p.status90 = Some(OutcomeStatus::Work);
        let people = vec![p; 6];
        let early = compute(&people, 2026, 2026, Date::parse("2026-06-30").unwrap(), 5);
        assert_eq!(
            early.get(RegIndicator::Work90, 2026, Sex::Women).unwrap().n,
            0
        );
        let later = compute(&people, 2026, 2026, Date::parse("2026-08-01").unwrap(), 5);
        assert_eq!(
            later
                .get(RegIndicator::Work90, 2026, Sex::Women)
                .unwrap()
                .value,
            Some(100.0)
        );
    }
}
