//! Transportation: units (people) to a few destinations with capacities (municipalities with
//! their kommuntal), maximising total benefit (predicted employment), solved exactly by an
//! auction with ε-scaling (Bertsekas). Rows of the benefit matrix are *kinds* of unit: a row
//! with supply 3 is three people alike (or a family's three members), so alike people share
//! one row.
//!
//! Each destination's capacity is a set of identical slots, each with its own price. A free
//! unit bids for the best destination's cheapest slot, raising its price by the margin over
//! the second-best option plus ε; the unit it displaces bids again. With benefits scaled by
//! `units + 1` and a last phase at ε = 1 the result is optimal (ε-complementary slackness
//! with ε below 1/units). The prices that come out are what a place in each destination is
//! worth at the margin; [`crate::placement::place_one`] uses them to place later arrivals one
//! at a time.

use crate::error::{MatchError, Result};

const FREE: u32 = u32::MAX;
/// The price of a destination with no places: never the best, never a real alternative.
const CLOSED: i64 = i64::MAX / 2;
/// Values below this mean "no alternative".
const NO_ALTERNATIVE: i64 = -(i64::MAX / 8);

/// The optimum: for each unit, its row and destination; totals; prices per destination.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportSolution {
    /// Per row: how many of its units go to each destination, as (destination, count).
    pub shipments: Vec<Vec<(u32, u32)>>,
    /// Total benefit in the matrix's units.
    pub total: i64,
    /// The marginal price of one place per destination, in the matrix's units.
    pub prices: Vec<f64>,
    /// Bids made (work done).
    pub bids: u64,
}

/// Checks and solves: `benefit` is `rows × dests` row-major, each entry 0 or more;
/// `supply[r]` units of row `r`; `capacity[d]` places at destination `d`. The capacities
/// must cover the units; spare places stay empty.
pub fn solve(benefit: &[i32], supply: &[u32], capacity: &[u32]) -> Result<TransportSolution> {
    let (rows, dests) = (supply.len(), capacity.len());
    if dests == 0 || benefit.len() != rows * dests {
        return Err(MatchError::BadValue {
            place: "benefit matrix".into(),
            problem: format!(
                "has {} entries, {rows} rows × {dests} destinations need {}",
                benefit.len(),
                rows * dests
            ),
        });
    }
    if let Some(k) = benefit.iter().position(|&b| b < 0) {
        return Err(MatchError::BadValue {
            place: format!(
                "benefit matrix, row {}, destination {}",
                k / dests + 1,
                k % dests + 1
            ),
            problem: format!("`{}` is negative", benefit[k]),
        });
    }
    let units: u64 = supply.iter().map(|&s| s as u64).sum();
    let places: u64 = capacity.iter().map(|&c| c as u64).sum();
    if places < units {
        return Err(MatchError::Infeasible(format!(
            "{units} people but only {places} places"
        )));
    }
    let max_b = benefit.iter().copied().max().unwrap_or(0) as u128;
    if places > u32::MAX as u64 / 2 || max_b * (places as u128 + 1) > (1u128 << 58) {
        return Err(MatchError::BadValue {
            place: "benefit matrix".into(),
            problem: format!(
                "{places} places with benefits up to {max_b} are too large to solve exactly; scale the benefits down"
            ),
        });
    }
    Auction::new(benefit, supply, capacity).run()
}

struct Auction<'a> {
    benefit: &'a [i32],
    dests: usize,
    /// Row of each unit; spare places get dummy units of row `rows` (benefit 0 everywhere).
    unit_row: Vec<u32>,
    rows: usize,
    scale: i64,
    /// Slots of destination d: `slot_price/slot_unit[start[d]..start[d+1]]`, a min-heap on price.
    start: Vec<usize>,
    slot_price: Vec<i64>,
    slot_unit: Vec<u32>,
    /// The cheapest slot's price per destination (the heap's top), kept contiguous for the scan.
    min_price: Vec<i64>,
    bids: u64,
    /// Per row, the `CACHED` destinations that were best when last scanned, and the best
    /// value any other destination had then. Prices only rise, so values only fall: while
    /// the best two of the cached ones are still at least that bound, they are the best two
    /// of all, and the scan of every destination is skipped (exact either way).
    cache: Vec<[(u16, i32); CACHED]>,
    bound: Vec<i64>,
}

const CACHED: usize = 4;
/// A row whose cache is empty.
const NO_CACHE: i64 = i64::MAX;

impl<'a> Auction<'a> {
    fn new(benefit: &'a [i32], supply: &[u32], capacity: &[u32]) -> Auction<'a> {
        let rows = supply.len();
        let mut unit_row = Vec::new();
        for (r, &s) in supply.iter().enumerate() {
            unit_row.extend(std::iter::repeat_n(r as u32, s as usize));
        }
        let places: usize = capacity.iter().map(|&c| c as usize).sum();
        unit_row.extend(std::iter::repeat_n(rows as u32, places - unit_row.len()));
        let mut start = Vec::with_capacity(capacity.len() + 1);
        start.push(0);
        for &c in capacity {
            start.push(start.last().copied().unwrap_or(0) + c as usize);
        }
        let n = unit_row.len() as i64;
        Auction {
            benefit,
            dests: capacity.len(),
            unit_row,
            rows,
            scale: n + 1,
            start,
            slot_price: vec![0; places],
            slot_unit: vec![FREE; places],
            min_price: capacity
                .iter()
                .map(|&c| if c == 0 { CLOSED } else { 0 })
                .collect(),
            bids: 0,
            cache: vec![[(0, 0); CACHED]; rows],
            bound: vec![NO_CACHE; rows],
        }
    }

    #[inline]
    fn value(&self, row: usize, d: usize) -> i64 {
        if row == self.rows {
            0
        } else {
            self.benefit[row * self.dests + d] as i64 * self.scale
        }
    }

    fn sift_down(&mut self, d: usize, mut k: usize) {
        let (s, e) = (self.start[d], self.start[d + 1]);
        let n = e - s;
        loop {
            let l = 2 * k + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.slot_price[s + r] < self.slot_price[s + l] {
                r
            } else {
                l
            };
            if self.slot_price[s + c] < self.slot_price[s + k] {
                self.slot_price.swap(s + c, s + k);
                self.slot_unit.swap(s + c, s + k);
                k = c;
            } else {
                break;
            }
        }
        self.min_price[d] = self.slot_price[s];
    }

    fn second_min(&self, d: usize) -> i64 {
        let (s, e) = (self.start[d], self.start[d + 1]);
        match e - s {
            0 | 1 => CLOSED,
            2 => self.slot_price[s + 1],
            _ => self.slot_price[s + 1].min(self.slot_price[s + 2]),
        }
    }

    /// The best value over destinations at current prices for a unit of `row`.
    fn best_value(&mut self, row: usize) -> i64 {
        if row == self.rows {
            return self.min_price.iter().map(|p| -p).max().unwrap_or(0);
        }
        self.row_top_two(row).1
    }

    /// The best destination and the best two values for `row`, from its cache when the cache
    /// still proves them, else by a scan of every destination that refreshes the cache.
    fn row_top_two(&mut self, row: usize) -> (usize, i64, i64) {
        let a = &self.benefit[row * self.dests..(row + 1) * self.dests];
        let scale = self.scale;
        let bound = self.bound[row];
        if bound != NO_CACHE {
            // The benefits are kept with the cache: no access to the matrix row.
            let (b1, v1, v2) = best_two(self.cache[row].iter().map(|&(d, x)| {
                let d = d as usize;
                (d, x as i64 * scale - self.min_price[d])
            }));
            if v2 >= bound {
                return (b1, v1, v2);
            }
        }
        if self.dests <= CACHED + 1 {
            return top_two(a, &self.min_price, scale);
        }
        // Scan everything, keeping the best CACHED + 1 (sorted, best first).
        let mut top = [(i64::MIN, 0usize); CACHED + 1];
        for (d, (&x, &p)) in a.iter().zip(&self.min_price).enumerate() {
            let v = x as i64 * scale - p;
            if v > top[CACHED].0 {
                let mut k = CACHED;
                while k > 0 && top[k - 1].0 < v {
                    top[k] = top[k - 1];
                    k -= 1;
                }
                top[k] = (v, d);
            }
        }
        for (c, t) in self.cache[row].iter_mut().zip(&top) {
            *c = (t.1 as u16, a[t.1]);
        }
        self.bound[row] = top[CACHED].0;
        (top[0].1, top[0].0, top[1].0)
    }

    /// Starts a phase: units whose slot still satisfies ε-complementary slackness for the
    /// new ε keep it (their value there is within ε of their best); the others are freed.
    /// The first phase frees everyone.
    fn phase(&mut self, eps: i64, first: bool) {
        let mut free: Vec<u32> = Vec::new();
        if first {
            self.slot_unit.fill(FREE);
            free.extend((0..self.unit_row.len() as u32).rev());
        } else {
            let mut held = vec![false; self.unit_row.len()];
            for d in 0..self.dests {
                for k in self.start[d]..self.start[d + 1] {
                    let u = self.slot_unit[k];
                    if u == FREE {
                        continue;
                    }
                    let row = self.unit_row[u as usize] as usize;
                    let mine = self.value(row, d) - self.slot_price[k];
                    if mine >= self.best_value(row) - eps {
                        held[u as usize] = true;
                    } else {
                        self.slot_unit[k] = FREE;
                    }
                }
            }
            free.extend(
                (0..self.unit_row.len() as u32)
                    .rev()
                    .filter(|&u| !held[u as usize]),
            );
        }
        while let Some(u) = free.pop() {
            let row = self.unit_row[u as usize] as usize;
            let (b1, v1, v2) = if row == self.rows {
                best_two(self.min_price.iter().map(|&p| -p).enumerate())
            } else {
                self.row_top_two(row)
            };
            // The unit's value at b1's second-cheapest slot: v1 + (cheapest − second price).
            let own_second = v1 + self.min_price[b1] - self.second_min(b1);
            let v2 = v2.max(own_second);
            let raise = if v2 < NO_ALTERNATIVE {
                eps
            } else {
                v1 - v2 + eps
            };
            let s = self.start[b1];
            let old = self.slot_unit[s];
            self.slot_price[s] += raise;
            self.slot_unit[s] = u;
            self.sift_down(b1, 0);
            self.bids += 1;
            if old != FREE {
                free.push(old);
            }
        }
    }

    fn run(mut self) -> Result<TransportSolution> {
        let max_b = self.benefit.iter().copied().max().unwrap_or(0) as i64 * self.scale;
        // ε starts at an eighth of the largest scaled benefit and falls fourfold per phase.
        let mut eps = (max_b / 8).max(1);
        let mut first = true;
        loop {
            self.phase(eps, first);
            first = false;
            if eps == 1 {
                break;
            }
            eps = (eps / 4).max(1);
        }
        let mut shipments: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.rows];
        let mut total = 0i64;
        for d in 0..self.dests {
            for k in self.start[d]..self.start[d + 1] {
                let u = self.slot_unit[k];
                let r = self.unit_row[u as usize] as usize;
                if r == self.rows {
                    continue;
                }
                total += self.benefit[r * self.dests + d] as i64;
                match shipments[r].iter_mut().find(|x| x.0 == d as u32) {
                    Some(x) => x.1 += 1,
                    None => shipments[r].push((d as u32, 1)),
                }
            }
        }
        let prices = (0..self.dests)
            .map(|d| {
                if self.start[d] == self.start[d + 1] {
                    f64::INFINITY
                } else {
                    self.min_price[d] as f64 / self.scale as f64
                }
            })
            .collect();
        Ok(TransportSolution {
            shipments,
            total,
            prices,
            bids: self.bids,
        })
    }
}

/// The best destination, its value and the second-best value: `benefit × scale − price`
/// (the auction's inner loop).
#[inline]
fn top_two(a: &[i32], price: &[i64], scale: i64) -> (usize, i64, i64) {
    best_two(
        a.iter()
            .zip(price)
            .map(|(&x, &p)| x as i64 * scale - p)
            .enumerate(),
    )
}

/// The index of the largest value, the largest and the second largest.
#[inline]
fn best_two(values: impl Iterator<Item = (usize, i64)>) -> (usize, i64, i64) {
    let (mut b1, mut v1, mut v2) = (usize::MAX, i64::MIN, i64::MIN);
    for (d, v) in values {
        if v > v1 {
            v2 = v1;
            v1 = v;
            b1 = d;
        } else if v > v2 {
            v2 = v;
        }
    }
    (b1, v1, v2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(b: &[i32], supply: &[u32], cap: &[u32]) -> Option<i64> {
        let m = cap.len();
        let units: Vec<usize> = supply
            .iter()
            .enumerate()
            .flat_map(|(r, &s)| std::iter::repeat_n(r, s as usize))
            .collect();
        fn go(
            k: usize,
            units: &[usize],
            b: &[i32],
            m: usize,
            room: &mut Vec<u32>,
            acc: i64,
            best: &mut Option<i64>,
        ) {
            if k == units.len() {
                if best.is_none_or(|x| acc > x) {
                    *best = Some(acc);
                }
                return;
            }
            for d in 0..m {
                if room[d] > 0 {
                    room[d] -= 1;
                    go(
                        k + 1,
                        units,
                        b,
                        m,
                        room,
                        acc + b[units[k] * m + d] as i64,
                        best,
                    );
                    room[d] += 1;
                }
            }
        }
        let mut best = None;
        go(0, &units, b, m, &mut cap.to_vec(), 0, &mut best);
        best
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn auction_matches_brute_force(
            rows in 1usize..4, m in 1usize..4,
            b in proptest::collection::vec(0i32..1000, 16),
            supply in proptest::collection::vec(0u32..3, 4),
            cap in proptest::collection::vec(0u32..4, 4),
        ) {
            let bm: Vec<i32> = (0..rows * m).map(|k| b[k % b.len()] + (k as i32 * 37) % 11).collect();
            let s = &supply[..rows];
            let c = &cap[..m];
            match (solve(&bm, s, c), brute(&bm, s, c)) {
                (Ok(x), Some(y)) => {
                    prop_assert_eq!(x.total, y);
                    for (r, sh) in x.shipments.iter().enumerate() {
                        prop_assert_eq!(sh.iter().map(|z| z.1).sum::<u32>(), s[r]);
                    }
                }
                (Err(_), None) => {}
                (x, y) => prop_assert!(false, "{:?} vs {:?}", x, y),
            }
        }
    }

    /// Larger instances against the min-cost flow solver, an independent exact method.
    #[test]
    fn auction_matches_min_cost_flow() {
        let mut x: u64 = 7;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..30 {
            let (rows, m) = (20 + case, 3 + case % 7);
            let b: Vec<i32> = (0..rows * m).map(|_| (next() % 10_000) as i32).collect();
            let supply: Vec<u32> = (0..rows).map(|_| 1 + (next() % 3) as u32).collect();
            let units: u32 = supply.iter().sum();
            let mut cap: Vec<u32> = (0..m).map(|_| units / m as u32).collect();
            cap[0] += units - cap.iter().sum::<u32>() + (case as u32 % 3);
            let a = solve(&b, &supply, &cap).unwrap();
            let mut p = crate::flow::CapProblem::default();
            for (r, &s) in supply.iter().enumerate() {
                for k in 0..s {
                    let i = p.person_ids.len();
                    p.person_ids.push(format!("{r}.{k}"));
                    p.unassigned.push(None);
                    for d in 0..m {
                        p.arcs.push((i, d, -(b[r * m + d] as f64)));
                    }
                }
            }
            p.site_ids = (0..m).map(|d| d.to_string()).collect();
            p.site_places = cap.clone();
            p.site_group = vec![None; m];
            let f = crate::flow::solve(&p).unwrap();
            assert_eq!(a.total as f64, -f.cost, "case {case}");
        }
    }

    #[test]
    fn refuses_bad_input() {
        assert!(solve(&[1, -2], &[1], &[1, 1])
            .unwrap_err()
            .to_string()
            .contains("row 1, destination 2"));
        assert!(solve(&[1, 2], &[3], &[1, 1])
            .unwrap_err()
            .to_string()
            .contains("3 people but only 2 places"));
    }
}
