//! Stable matching when both sides state whom they accept and in what order: families and
//! private landlords (as Andersson & Ehlers proposed for Swedish rental housing), newcomers
//! and mentors. Deferred acceptance (Gale–Shapley) with capacities on the receiving side.
//!
//! The proposing side is favoured: each proposer gets the best partner they can have in any
//! stable matching, and each receiver the worst. Choose the proposing side accordingly
//! (families propose by default, so the result favours the families).

use crate::error::{MatchError, Result};
use std::collections::VecDeque;

/// Both sides' acceptable partners, best first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StableProblem {
    pub proposer_ids: Vec<String>,
    pub receiver_ids: Vec<String>,
    pub capacity: Vec<u32>,
    /// For each proposer, the receivers it accepts, best first.
    pub proposer_prefs: Vec<Vec<usize>>,
    /// For each receiver, the proposers it accepts, best first.
    pub receiver_prefs: Vec<Vec<usize>>,
}

/// The matching and which side it favours.
#[derive(Debug, Clone, PartialEq)]
pub struct StableMatching {
    pub proposer_to: Vec<Option<usize>>,
    pub receiver_to: Vec<Vec<usize>>,
    /// Always "proposers": the side that proposed gets its best stable partner.
    pub favours: &'static str,
    pub proposals: usize,
}

const NOT: usize = usize::MAX;

impl StableProblem {
    pub fn validate(&self) -> Result<()> {
        let (np, nr) = (self.proposer_ids.len(), self.receiver_ids.len());
        crate::check_unique("proposer", &self.proposer_ids)?;
        crate::check_unique("receiver", &self.receiver_ids)?;
        if self.capacity.len() != nr
            || self.receiver_prefs.len() != nr
            || self.proposer_prefs.len() != np
        {
            return Err(MatchError::BadValue {
                place: "stable matching".into(),
                problem:
                    "every proposer and receiver needs a preference list, every receiver a capacity"
                        .into(),
            });
        }
        let check = |who: &str,
                     list: &[usize],
                     n: usize,
                     other: &[String],
                     what: &'static str|
         -> Result<()> {
            let mut seen = vec![false; n];
            for &x in list {
                if x >= n {
                    return Err(MatchError::Unknown {
                        place: format!("preferences of `{who}`"),
                        what,
                        id: (x + 1).to_string(),
                    });
                }
                if seen[x] {
                    return Err(MatchError::BadValue {
                        place: format!("preferences of `{who}`"),
                        problem: format!("`{}` is listed twice", other[x]),
                    });
                }
                seen[x] = true;
            }
            Ok(())
        };
        for (i, l) in self.proposer_prefs.iter().enumerate() {
            check(&self.proposer_ids[i], l, nr, &self.receiver_ids, "receiver")?;
        }
        for (j, l) in self.receiver_prefs.iter().enumerate() {
            check(&self.receiver_ids[j], l, np, &self.proposer_ids, "proposer")?;
        }
        Ok(())
    }

    /// rank[j][i]: where receiver j ranks proposer i (NOT if unacceptable).
    fn ranks(&self) -> Vec<Vec<usize>> {
        let np = self.proposer_ids.len();
        self.receiver_prefs
            .iter()
            .map(|l| {
                let mut r = vec![NOT; np];
                for (k, &i) in l.iter().enumerate() {
                    r[i] = k;
                }
                r
            })
            .collect()
    }

    /// Whether a matching has no blocking pair: a proposer and a receiver who accept each
    /// other and would both rather be together (the receiver has room or likes the proposer
    /// better than one it holds).
    pub fn is_stable(&self, proposer_to: &[Option<usize>]) -> bool {
        let rank = self.ranks();
        let mut held: Vec<Vec<usize>> = vec![Vec::new(); self.receiver_ids.len()];
        for (i, j) in proposer_to.iter().enumerate() {
            if let Some(j) = j {
                held[*j].push(i);
            }
        }
        for (i, prefs) in self.proposer_prefs.iter().enumerate() {
            for &j in prefs {
                if proposer_to[i] == Some(j) {
                    break; // the rest are worse than what i has
                }
                if rank[j][i] == NOT {
                    continue;
                }
                let room = (held[j].len() as u32) < self.capacity[j];
                let likes_better = held[j].iter().any(|&h| rank[j][i] < rank[j][h]);
                if room || likes_better {
                    return false;
                }
            }
        }
        true
    }
}

/// Deferred acceptance: free proposers propose down their lists; each receiver holds the best
/// proposals up to its capacity and rejects the rest. Only mutually acceptable pairs match.
pub fn deferred_acceptance(p: &StableProblem) -> Result<StableMatching> {
    p.validate()?;
    let (np, nr) = (p.proposer_ids.len(), p.receiver_ids.len());
    let rank = p.ranks();
    let mut next = vec![0usize; np];
    let mut proposer_to = vec![None; np];
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); nr];
    let mut free: VecDeque<usize> = (0..np).collect();
    let mut proposals = 0;
    while let Some(i) = free.pop_front() {
        let Some(&j) = p.proposer_prefs[i].get(next[i]) else {
            continue; // exhausted: stays unmatched
        };
        next[i] += 1;
        proposals += 1;
        if rank[j][i] == NOT || p.capacity[j] == 0 {
            free.push_back(i);
            continue;
        }
        if (held[j].len() as u32) < p.capacity[j] {
            held[j].push(i);
            proposer_to[i] = Some(j);
            continue;
        }
        let (k, &worst) = held[j]
            .iter()
            .enumerate()
            .max_by_key(|(_, &h)| rank[j][h])
            .expect("a full receiver holds someone");
        if rank[j][i] < rank[j][worst] {
            held[j][k] = i;
            proposer_to[i] = Some(j);
            proposer_to[worst] = None;
            free.push_back(worst);
        } else {
            free.push_back(i);
        }
    }
    for h in &mut held {
        h.sort_unstable();
    }
    Ok(StableMatching {
        proposer_to,
        receiver_to: held,
        favours: "proposers",
        proposals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_matchings(p: &StableProblem) -> Vec<Vec<Option<usize>>> {
        fn go(
            i: usize,
            p: &StableProblem,
            load: &mut Vec<u32>,
            cur: &mut Vec<Option<usize>>,
            out: &mut Vec<Vec<Option<usize>>>,
        ) {
            if i == p.proposer_ids.len() {
                out.push(cur.clone());
                return;
            }
            cur.push(None);
            go(i + 1, p, load, cur, out);
            cur.pop();
            for &j in &p.proposer_prefs[i] {
                if load[j] < p.capacity[j] && p.receiver_prefs[j].contains(&i) {
                    load[j] += 1;
                    cur.push(Some(j));
                    go(i + 1, p, load, cur, out);
                    cur.pop();
                    load[j] -= 1;
                }
            }
        }
        let mut out = Vec::new();
        go(
            0,
            p,
            &mut vec![0; p.receiver_ids.len()],
            &mut Vec::new(),
            &mut out,
        );
        out
    }

    fn problem() -> impl Strategy<Value = StableProblem> {
        (1usize..5, 1usize..4).prop_flat_map(|(np, nr)| {
            (
                proptest::collection::vec(Just((0..nr).collect::<Vec<_>>()).prop_shuffle(), np),
                proptest::collection::vec(0usize..=nr, np),
                proptest::collection::vec(Just((0..np).collect::<Vec<_>>()).prop_shuffle(), nr),
                proptest::collection::vec(0usize..=np, nr),
                proptest::collection::vec(0u32..3, nr),
            )
                .prop_map(move |(pp, pl, rp, rl, cap)| StableProblem {
                    proposer_ids: (0..np).map(|i| format!("p{i}")).collect(),
                    receiver_ids: (0..nr).map(|i| format!("r{i}")).collect(),
                    capacity: cap,
                    proposer_prefs: pp
                        .into_iter()
                        .zip(pl)
                        .map(|(mut l, k)| {
                            l.truncate(k);
                            l
                        })
                        .collect(),
                    receiver_prefs: rp
                        .into_iter()
                        .zip(rl)
                        .map(|(mut l, k)| {
                            l.truncate(k);
                            l
                        })
                        .collect(),
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn stable_and_best_for_proposers(p in problem()) {
            let m = deferred_acceptance(&p).unwrap();
            prop_assert!(p.is_stable(&m.proposer_to));
            let pos = |i: usize, x: Option<usize>| x.map(|j| p.proposer_prefs[i].iter().position(|&y| y == j).unwrap()).unwrap_or(usize::MAX);
            for other in all_matchings(&p).into_iter().filter(|s| p.is_stable(s)) {
                for i in 0..p.proposer_ids.len() {
                    prop_assert!(pos(i, m.proposer_to[i]) <= pos(i, other[i]), "proposer {} does better in {:?} than in {:?}", i, other, m.proposer_to);
                }
            }
        }
    }

    #[test]
    fn bad_preferences_are_named() {
        let p = StableProblem {
            proposer_ids: vec!["Familjen A".into()],
            receiver_ids: vec!["Hyresvärd X".into()],
            capacity: vec![1],
            proposer_prefs: vec![vec![0, 0]],
            receiver_prefs: vec![vec![0]],
        };
        let e = deferred_acceptance(&p).unwrap_err().to_string();
        assert!(
            e.contains("Familjen A") && e.contains("`Hyresvärd X` is listed twice"),
            "{e}"
        );
    }
}
