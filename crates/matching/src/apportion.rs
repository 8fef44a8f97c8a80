//! Apportionment: splitting a whole number of places (internships, subsidised jobs,
//! newcomers) among recipients (departments, municipalities) in proportion to weights, with
//! a minimum and a maximum per recipient, and a table that lets a board check each step.
//!
//! - **Sainte-Laguë** with the Swedish first divisor: divisors 1.2, 3, 5, 7, … (Vallagen
//!   2005:837, 14 kap. 3 §, first divisor 1.2 since the 2018 elections; 1.4 before). The
//!   pure method (first divisor 1) is [`Method::sainte_lague_pure`].
//! - **D'Hondt**: divisors 1, 2, 3, …
//! - **Largest remainder** (Hare quota): each gets the whole part of its quota, the places
//!   left go to the largest remainders.
//!
//! Minimums are handed out first and count as places already held; a recipient at its
//! maximum takes no more. Equal comparison figures are broken by the larger weight, then by
//! the order given, and are reported (the election law would draw lots).

use crate::error::{check_number, list_names, MatchError, Result};

/// How to split.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Method {
    SainteLague { first_divisor: f64 },
    DHondt,
    LargestRemainder,
}

impl Method {
    /// Sainte-Laguë as Swedish elections use it: first divisor 1.2.
    pub const SWEDISH_FIRST_DIVISOR: f64 = 1.2;

    pub fn sainte_lague_swedish() -> Method {
        Method::SainteLague {
            first_divisor: Self::SWEDISH_FIRST_DIVISOR,
        }
    }
    pub fn sainte_lague_pure() -> Method {
        Method::SainteLague { first_divisor: 1.0 }
    }
    /// Parses `sainte-lague` (Swedish), `sainte-lague-pure`, `dhondt`, `largest-remainder`.
    pub fn parse(s: &str) -> Option<Method> {
        match s
            .trim()
            .to_lowercase()
            .replace(['_', ' ', '\''], "-")
            .as_str()
        {
            "sainte-lague"
            | "sainte-laguë"
            | "jamkade-uddatalsmetoden"
            | "jämkade-uddatalsmetoden" => Some(Method::sainte_lague_swedish()),
            "sainte-lague-pure" | "uddatalsmetoden" => Some(Method::sainte_lague_pure()),
            "dhondt" | "d-hondt" => Some(Method::DHondt),
            "largest-remainder" | "hare" | "minsta-kvot" | "storsta-rest" | "största-rest" => {
                Some(Method::LargestRemainder)
            }
            _ => None,
        }
    }
    pub fn name(&self) -> String {
        match self {
            Method::SainteLague { first_divisor } if *first_divisor == 1.0 => {
                "Sainte-Laguë (uddatalsmetoden)".into()
            }
            Method::SainteLague { first_divisor } => format!(
                "Sainte-Laguë, jämkad (första divisor {})",
                first_divisor.to_string().replace('.', ",")
            ),
            Method::DHondt => "D'Hondt".into(),
            Method::LargestRemainder => "största rest (Hare-kvot)".into(),
        }
    }
    /// The divisor for a recipient that already holds `held` places.
    pub fn divisor(&self, held: u32) -> f64 {
        match self {
            Method::SainteLague { first_divisor } if held == 0 => *first_divisor,
            Method::SainteLague { .. } => 2.0 * held as f64 + 1.0,
            Method::DHondt | Method::LargestRemainder => held as f64 + 1.0,
        }
    }
}

/// Someone who receives places.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recipient {
    pub id: String,
    pub weight: f64,
    #[serde(default)]
    pub min: u32,
    #[serde(default)]
    pub max: Option<u32>,
}

/// One place awarded by a highest-averages method: the step a board can check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Step {
    /// 1-based number of the place (after the minimums).
    pub place: u32,
    pub recipient: usize,
    pub divisor: f64,
    /// The comparison figure (jämförelsetal): weight / divisor.
    pub quotient: f64,
    /// Others with the same figure at this step (a tie, broken as the module says).
    pub tied_with: Vec<usize>,
}

/// One row of a largest-remainder calculation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuotaRow {
    pub quota: f64,
    pub whole: u32,
    pub remainder: f64,
    pub extra: bool,
    /// Held at its minimum or maximum instead of its quota.
    pub bound: Option<&'static str>,
}

/// The result: places per recipient and how they were reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Apportionment {
    pub method: Method,
    pub total: u32,
    pub recipients: Vec<Recipient>,
    pub places: Vec<u32>,
    /// Highest averages: each place after the minimums.
    pub steps: Vec<Step>,
    /// Largest remainder: the quota table.
    pub quotas: Vec<QuotaRow>,
}

fn validate(recipients: &[Recipient], total: u32) -> Result<()> {
    if recipients.is_empty() {
        return Err(MatchError::BadValue {
            place: "recipients".into(),
            problem: "none given".into(),
        });
    }
    let ids: Vec<&str> = recipients.iter().map(|r| r.id.as_str()).collect();
    crate::check_unique("recipient", &ids)?;
    for r in recipients {
        check_number(|| format!("recipient `{}`, weight", r.id), r.weight, true)?;
        if let Some(m) = r.max {
            if m < r.min {
                return Err(MatchError::BadValue {
                    place: format!("recipient `{}`", r.id),
                    problem: format!("minimum {} is above maximum {m}", r.min),
                });
            }
        }
    }
    let mins: u64 = recipients.iter().map(|r| r.min as u64).sum();
    if mins > total as u64 {
        return Err(MatchError::Infeasible(format!(
            "the minimums add up to {mins}, more than the {total} places"
        )));
    }
    if recipients.iter().all(|r| r.max.is_some()) {
        let maxs: u64 = recipients.iter().map(|r| r.max.unwrap_or(0) as u64).sum();
        if maxs < total as u64 {
            return Err(MatchError::Infeasible(format!(
                "the maximums add up to {maxs}, fewer than the {total} places"
            )));
        }
    }
    let can_take = |r: &Recipient| r.weight > 0.0 || r.min > 0;
    if total > mins as u32
        && !recipients
            .iter()
            .any(|r| r.weight > 0.0 && r.max.is_none_or(|m| m > r.min))
    {
        let zero: Vec<&str> = recipients
            .iter()
            .filter(|r| !can_take(r))
            .map(|r| r.id.as_str())
            .collect();
        return Err(MatchError::Infeasible(format!(
            "{} places are left after the minimums but no recipient with a weight above 0 may take more (weight 0: {})",
            total as u64 - mins,
            if zero.is_empty() { "none".into() } else { list_names(&zero, 10) }
        )));
    }
    Ok(())
}

/// Splits `total` places among `recipients` by `method`.
pub fn apportion(recipients: &[Recipient], total: u32, method: Method) -> Result<Apportionment> {
    validate(recipients, total)?;
    if let Method::SainteLague { first_divisor } = method {
        if !(first_divisor.is_finite() && first_divisor > 0.0) {
            return Err(MatchError::BadValue {
                place: "first divisor".into(),
                problem: format!("`{first_divisor}` must be a number above 0"),
            });
        }
    }
    match method {
        Method::LargestRemainder => largest_remainder(recipients, total),
        _ => highest_averages(recipients, total, method),
    }
}

fn highest_averages(recipients: &[Recipient], total: u32, method: Method) -> Result<Apportionment> {
    let mut places: Vec<u32> = recipients.iter().map(|r| r.min).collect();
    let given: u32 = places.iter().sum();
    let mut steps = Vec::with_capacity((total - given) as usize);
    for k in 0..(total - given) {
        let mut best: Option<(usize, f64)> = None;
        let mut quotients = Vec::with_capacity(recipients.len());
        for (i, r) in recipients.iter().enumerate() {
            if r.weight <= 0.0 || r.max.is_some_and(|m| places[i] >= m) {
                continue;
            }
            let q = r.weight / method.divisor(places[i]);
            quotients.push((i, q));
            let better = match best {
                None => true,
                Some((b, bq)) => q > bq || (q == bq && r.weight > recipients[b].weight),
            };
            if better {
                best = Some((i, q));
            }
        }
        let (i, q) = best
            .ok_or_else(|| MatchError::Infeasible("no recipient may take another place".into()))?;
        places[i] += 1;
        steps.push(Step {
            place: k + 1,
            recipient: i,
            divisor: method.divisor(places[i] - 1),
            quotient: q,
            tied_with: quotients
                .iter()
                .filter(|(j, x)| *j != i && *x == q)
                .map(|(j, _)| *j)
                .collect(),
        });
    }
    Ok(Apportionment {
        method,
        total,
        recipients: recipients.to_vec(),
        places,
        steps,
        quotas: Vec::new(),
    })
}

fn largest_remainder(recipients: &[Recipient], total: u32) -> Result<Apportionment> {
    let n = recipients.len();
    let mut bound: Vec<Option<&'static str>> = vec![None; n];
    let mut places = vec![0u32; n];
    let mut quota = vec![0.0f64; n];
    // Fix recipients whose quota falls outside their bounds, then share the rest again.
    loop {
        let fixed: u32 = (0..n)
            .filter(|&i| bound[i].is_some())
            .map(|i| places[i])
            .sum();
        let left = total - fixed;
        let free: Vec<usize> = (0..n).filter(|&i| bound[i].is_none()).collect();
        let w: f64 = free.iter().map(|&i| recipients[i].weight).sum();
        for &i in &free {
            quota[i] = if w > 0.0 {
                left as f64 * recipients[i].weight / w
            } else {
                left as f64 / free.len() as f64
            };
        }
        let below: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&i| quota[i] < recipients[i].min as f64)
            .collect();
        let above: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&i| recipients[i].max.is_some_and(|m| quota[i] > m as f64))
            .collect();
        if !below.is_empty() {
            for i in below {
                bound[i] = Some("min");
                places[i] = recipients[i].min;
            }
        } else if !above.is_empty() {
            for i in above {
                bound[i] = Some("max");
                places[i] = recipients[i].max.unwrap_or(0);
            }
        } else {
            break;
        }
        if free.is_empty() {
            break;
        }
    }
    let fixed: u32 = (0..n)
        .filter(|&i| bound[i].is_some())
        .map(|i| places[i])
        .sum();
    let free: Vec<usize> = (0..n).filter(|&i| bound[i].is_none()).collect();
    for &i in &free {
        places[i] = quota[i].floor() as u32;
    }
    let whole: u32 = free.iter().map(|&i| places[i]).sum();
    let mut extra = vec![false; n];
    let mut order = free.clone();
    order.sort_by(|&a, &b| {
        let ra = quota[a] - quota[a].floor();
        let rb = quota[b] - quota[b].floor();
        rb.total_cmp(&ra)
            .then(recipients[b].weight.total_cmp(&recipients[a].weight))
            .then(a.cmp(&b))
    });
    let mut left = total.saturating_sub(fixed + whole);
    for &i in &order {
        if left == 0 {
            break;
        }
        if recipients[i].max.is_some_and(|m| places[i] >= m) {
            continue;
        }
        places[i] += 1;
        extra[i] = true;
        left -= 1;
    }
    if left > 0 {
        return Err(MatchError::Infeasible(format!(
            "{left} place(s) could not be given to anyone within the maximums"
        )));
    }
    let quotas = (0..n)
        .map(|i| QuotaRow {
            quota: if bound[i].is_some() {
                places[i] as f64
            } else {
                quota[i]
            },
            whole: if extra[i] { places[i] - 1 } else { places[i] },
            remainder: if bound[i].is_some() {
                0.0
            } else {
                quota[i] - quota[i].floor()
            },
            extra: extra[i],
            bound: bound[i],
        })
        .collect();
    Ok(Apportionment {
        method: Method::LargestRemainder,
        total,
        recipients: recipients.to_vec(),
        places,
        steps: Vec::new(),
        quotas,
    })
}

/// A department's named factors for its internship quota (fördelningstal).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Department {
    pub id: String,
    /// Employees (årsarbetare or headcount).
    pub headcount: f64,
    /// Employees born outside the Nordic countries.
    pub foreign_born: f64,
    /// Stated competence needs: people to recruit in the coming years.
    #[serde(default)]
    pub needs: f64,
    #[serde(default)]
    pub min: u32,
    #[serde(default)]
    pub max: Option<u32>,
}

/// How much each factor counts; they are normalised to sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FactorWeights {
    pub headcount: f64,
    pub gap: f64,
    pub needs: f64,
}

impl Default for FactorWeights {
    fn default() -> Self {
        FactorWeights {
            headcount: 0.5,
            gap: 0.3,
            needs: 0.2,
        }
    }
}

/// The weight of a department and what it is made of.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WeightRow {
    pub id: String,
    pub headcount_share: f64,
    pub foreign_born_share: f64,
    /// Employees missing to reach the target share: max(0, target × headcount − foreign born).
    pub gap: f64,
    pub gap_share: f64,
    pub needs_share: f64,
    pub weight: f64,
}

/// Weights from named factors: a department's share of all employees, its share of the
/// total gap to the target share of staff born outside the Nordic countries (Östersund's
/// strategy: 8 %), and its share of the stated competence needs, mixed by `factors`.
pub fn weights_from_factors(
    departments: &[Department],
    target_share: f64,
    factors: FactorWeights,
) -> Result<Vec<WeightRow>> {
    check_number(|| "target share".into(), target_share, true)?;
    if target_share > 1.0 {
        return Err(MatchError::BadValue {
            place: "target share".into(),
            problem: format!("`{target_share}` is above 1 (give 0.08 for 8 %)"),
        });
    }
    for (name, f) in [
        ("headcount", factors.headcount),
        ("gap", factors.gap),
        ("needs", factors.needs),
    ] {
        check_number(|| format!("factor `{name}`"), f, true)?;
    }
    let fsum = factors.headcount + factors.gap + factors.needs;
    if fsum <= 0.0 {
        return Err(MatchError::BadValue {
            place: "factors".into(),
            problem: "at least one must be above 0".into(),
        });
    }
    let ids: Vec<&str> = departments.iter().map(|d| d.id.as_str()).collect();
    crate::check_unique("department", &ids)?;
    for d in departments {
        check_number(
            || format!("department `{}`, headcount", d.id),
            d.headcount,
            true,
        )?;
        check_number(
            || format!("department `{}`, foreign_born", d.id),
            d.foreign_born,
            true,
        )?;
        check_number(|| format!("department `{}`, needs", d.id), d.needs, true)?;
        if d.foreign_born > d.headcount {
            return Err(MatchError::BadValue {
                place: format!("department `{}`, foreign_born", d.id),
                problem: format!(
                    "{} is more than the headcount {}",
                    d.foreign_born, d.headcount
                ),
            });
        }
    }
    let gaps: Vec<f64> = departments
        .iter()
        .map(|d| (target_share * d.headcount - d.foreign_born).max(0.0))
        .collect();
    let share = |x: f64, sum: f64| if sum > 0.0 { x / sum } else { 0.0 };
    let (hs, gs, ns) = (
        departments.iter().map(|d| d.headcount).sum::<f64>(),
        gaps.iter().sum::<f64>(),
        departments.iter().map(|d| d.needs).sum::<f64>(),
    );
    Ok(departments
        .iter()
        .zip(&gaps)
        .map(|(d, &g)| {
            let (h, gg, n) = (share(d.headcount, hs), share(g, gs), share(d.needs, ns));
            WeightRow {
                id: d.id.clone(),
                headcount_share: h,
                foreign_born_share: share(d.foreign_born, d.headcount),
                gap: g,
                gap_share: gg,
                needs_share: n,
                weight: (factors.headcount * h + factors.gap * gg + factors.needs * n) / fsum,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(id: &str, w: f64) -> Recipient {
        Recipient {
            id: id.into(),
            weight: w,
            min: 0,
            max: None,
        }
    }

    #[test]
    fn swedish_first_divisor_changes_the_result() {
        // Classic example: with 1.2 the smallest party's first figure is 10/1.2 = 8.33, with
        // 1.4 it is 7.14 and with 1 it is 10.
        let rs = [r("A", 53.0), r("B", 24.0), r("C", 10.0)];
        let swe = apportion(&rs, 7, Method::sainte_lague_swedish()).unwrap();
        let pure = apportion(&rs, 7, Method::sainte_lague_pure()).unwrap();
        let dh = apportion(&rs, 7, Method::DHondt).unwrap();
        let lr = apportion(&rs, 7, Method::LargestRemainder).unwrap();
        assert_eq!(swe.places, vec![4, 2, 1]);
        assert_eq!(pure.places, vec![4, 2, 1]);
        assert_eq!(dh.places, vec![5, 2, 0]);
        assert_eq!(lr.places, vec![4, 2, 1]);
        assert_eq!(swe.steps[0].divisor, 1.2);
        assert!((swe.steps[0].quotient - 53.0 / 1.2).abs() < 1e-12);
        let old = apportion(&rs, 5, Method::SainteLague { first_divisor: 1.4 }).unwrap();
        let new = apportion(&rs, 5, Method::sainte_lague_swedish()).unwrap();
        assert_eq!(old.places, vec![3, 2, 0]);
        assert_eq!(new.places, vec![3, 1, 1]);
    }

    #[test]
    fn bounds_and_bad_input() {
        let mut rs = vec![r("Vård", 90.0), r("Skola", 9.0), r("Teknik", 1.0)];
        rs[2].min = 2;
        rs[0].max = Some(6);
        for m in [
            Method::sainte_lague_swedish(),
            Method::DHondt,
            Method::LargestRemainder,
        ] {
            let a = apportion(&rs, 10, m).unwrap();
            assert_eq!(a.places.iter().sum::<u32>(), 10, "{m:?}");
            assert!(a.places[2] >= 2 && a.places[0] <= 6, "{m:?} {:?}", a.places);
        }
        rs[1].min = 9;
        assert!(apportion(&rs, 10, Method::DHondt)
            .unwrap_err()
            .to_string()
            .contains("minimums add up to 11"));
        rs[1].min = 0;
        rs[1].weight = f64::NAN;
        assert!(apportion(&rs, 10, Method::DHondt)
            .unwrap_err()
            .to_string()
            .contains("`Skola`, weight"));
        rs[1].weight = -1.0;
        assert!(apportion(&rs, 10, Method::DHondt)
            .unwrap_err()
            .to_string()
            .contains("negative"));
        rs[1].weight = 1.0;
        rs[1].id = "Vård".into();
        assert!(matches!(
            apportion(&rs, 10, Method::DHondt),
            Err(MatchError::Duplicate { .. })
        ));
        let capped = vec![
            Recipient {
                max: Some(2),
                ..r("A", 1.0)
            },
            Recipient {
                max: Some(3),
                ..r("B", 1.0)
            },
        ];
        assert!(apportion(&capped, 6, Method::DHondt)
            .unwrap_err()
            .to_string()
            .contains("maximums add up to 5"));
    }

    #[test]
    fn weights_from_named_factors() {
        let d = |id: &str, h: f64, f: f64, n: f64| Department {
            id: id.into(),
            headcount: h,
            foreign_born: f,
            needs: n,
            min: 0,
            max: None,
        };
        let rows = weights_from_factors(
            &[
                d("Vård och omsorg", 1000.0, 40.0, 30.0),
                d("Teknik", 300.0, 30.0, 10.0),
            ],
            0.08,
            FactorWeights::default(),
        )
        .unwrap();
        // Gaps: 80 − 40 = 40 and 24 − 30 < 0 → 0.
        assert_eq!(rows[0].gap, 40.0);
        assert_eq!(rows[1].gap, 0.0);
        let w0 = 0.5 * 1000.0 / 1300.0 + 0.3 * 1.0 + 0.2 * 0.75;
        assert!((rows[0].weight - w0).abs() < 1e-12);
        assert!((rows.iter().map(|r| r.weight).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(
            weights_from_factors(&[d("X", 10.0, 11.0, 0.0)], 0.08, FactorWeights::default())
                .is_err()
        );
        assert!(
            weights_from_factors(&[d("X", 10.0, 1.0, 0.0)], 8.0, FactorWeights::default())
                .unwrap_err()
                .to_string()
                .contains("0.08")
        );
    }

    /// A divisor apportionment is right exactly when no place can move from one recipient to
    /// another with a higher comparison figure (within the bounds).
    fn divisor_optimal(rs: &[Recipient], s: &[u32], m: Method) -> bool {
        let lowest_held = (0..rs.len())
            .filter(|&i| s[i] > rs[i].min)
            .map(|i| rs[i].weight / m.divisor(s[i] - 1))
            .fold(f64::INFINITY, f64::min);
        let highest_next = (0..rs.len())
            .filter(|&i| rs[i].weight > 0.0 && rs[i].max.is_none_or(|x| s[i] < x))
            .map(|i| rs[i].weight / m.divisor(s[i]))
            .fold(f64::NEG_INFINITY, f64::max);
        lowest_held >= highest_next
    }

    fn all_splits(n: usize, total: u32, rs: &[Recipient]) -> Vec<Vec<u32>> {
        fn go(i: usize, left: u32, rs: &[Recipient], cur: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
            if i == rs.len() {
                if left == 0 {
                    out.push(cur.clone());
                }
                return;
            }
            let hi = rs[i].max.unwrap_or(left).min(left);
            for k in rs[i].min..=hi {
                cur.push(k);
                go(i + 1, left - k, rs, cur, out);
                cur.pop();
            }
        }
        let mut out = Vec::new();
        go(0, total, &rs[..n], &mut Vec::new(), &mut out);
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn divisor_methods_match_brute_force(
            ws in proptest::collection::vec(1u32..200, 1..5),
            mins in proptest::collection::vec(0u32..3, 5),
            maxs in proptest::collection::vec(proptest::option::of(2u32..8), 5),
            total in 0u32..14,
            dh in any::<bool>(),
        ) {
            let rs: Vec<Recipient> = ws.iter().enumerate().map(|(i, w)| Recipient {
                id: format!("r{i}"), weight: *w as f64, min: mins[i], max: maxs[i],
            }).collect();
            let m = if dh { Method::DHondt } else { Method::sainte_lague_swedish() };
            let brute: Vec<Vec<u32>> = all_splits(rs.len(), total, &rs)
                .into_iter()
                .filter(|s| divisor_optimal(&rs, s, m))
                .collect();
            match apportion(&rs, total, m) {
                Ok(a) => prop_assert!(brute.contains(&a.places), "{:?} not among {:?}", a.places, brute),
                Err(_) => prop_assert!(brute.is_empty()),
            }
        }

        #[test]
        fn largest_remainder_gives_floor_or_ceiling(ws in proptest::collection::vec(0u32..100, 1..6), total in 0u32..30) {
            let rs: Vec<Recipient> = ws.iter().enumerate().map(|(i, w)| r(&format!("r{i}"), *w as f64)).collect();
            let a = match apportion(&rs, total, Method::LargestRemainder) {
                Ok(a) => a,
                Err(_) => { prop_assert!(ws.iter().all(|w| *w == 0) && total > 0); return Ok(()); }
            };
            prop_assert_eq!(a.places.iter().sum::<u32>(), total);
            let w: f64 = ws.iter().map(|x| *x as f64).sum();
            if w == 0.0 {
                // Nothing to share and no weight to share it by (total is 0 here): no quotas.
                prop_assert!(a.places.iter().all(|p| *p == 0));
                return Ok(());
            }
            let mut got_extra = Vec::new();
            let mut no_extra = Vec::new();
            for (i, p) in a.places.iter().enumerate() {
                let q = total as f64 * ws[i] as f64 / w;
                prop_assert!(*p as f64 >= q.floor() - 1e-9 && *p as f64 <= q.ceil() + 1e-9);
                if (*p as f64) > q.floor() + 0.5 { got_extra.push(q - q.floor()) } else { no_extra.push(q - q.floor()) }
            }
            let lo = got_extra.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = no_extra.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(lo >= hi - 1e-9);
        }
    }
}
