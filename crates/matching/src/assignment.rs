//! One-to-one assignment: rows (households, newcomers) to columns (dwellings, mentors), at
//! least total cost. Shortest augmenting paths with dual potentials (the Jonker–Volgenant
//! family, in Crouse's rectangular form): each row in turn finds the cheapest path to a free
//! column in reduced costs, which stay non-negative, so the result is optimal and the duals
//! prove it.
//!
//! [`solve_dense`] takes a full cost matrix. [`solve_sparse`] takes only the allowed pairs
//! (forbidden pairs are missing arcs, not big numbers) and lets each row stay unassigned at a
//! stated penalty; it runs Dijkstra with a heap over the arcs, so its work follows the number
//! of arcs rather than rows × columns.

use crate::error::{check_number, list_names, MatchError, Result};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

const NONE: usize = usize::MAX;

/// The solution: for each row its column (or none), the total cost including penalties of
/// unassigned rows, and the dual potentials that certify optimality.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub row_to_col: Vec<Option<usize>>,
    pub cost: f64,
    /// Row potentials `u` and column potentials `v`: `cost(i, j) - u[i] - v[j] >= 0` on every
    /// arc, with equality on the chosen ones.
    pub row_dual: Vec<f64>,
    pub col_dual: Vec<f64>,
}

/// Solves a dense rectangular problem with `rows <= cols`: every row gets a column.
/// `cost` is row-major, `rows * cols` long, every entry finite.
pub fn solve_dense(cost: &[f64], rows: usize, cols: usize) -> Result<Assignment> {
    if cost.len() != rows * cols {
        return Err(MatchError::BadValue {
            place: "cost matrix".into(),
            problem: format!(
                "has {} entries, {rows} rows × {cols} columns need {}",
                cost.len(),
                rows * cols
            ),
        });
    }
    if rows > cols {
        return Err(MatchError::Infeasible(format!(
            "{rows} rows but only {cols} columns; every row must get a column"
        )));
    }
    for (k, &c) in cost.iter().enumerate() {
        check_number(
            || format!("cost matrix, row {}, column {}", k / cols + 1, k % cols + 1),
            c,
            false,
        )?;
    }
    // Reduced costs must start non-negative: shift by the least cost (every row takes one
    // column, so the optimum does not move).
    let least = cost.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
    let shifted: Vec<f64>;
    let cost: &[f64] = if least < 0.0 {
        shifted = cost.iter().map(|c| c - least).collect();
        &shifted
    } else {
        cost
    };
    let mut u = vec![0.0; rows];
    let mut v = vec![0.0; cols];
    let mut col4row = vec![NONE; rows];
    let mut row4col = vec![NONE; cols];
    let mut path = vec![NONE; cols];
    let mut spc = vec![f64::INFINITY; cols];
    let mut sr = vec![false; rows];
    let mut sc = vec![false; cols];
    let mut remaining: Vec<usize> = Vec::with_capacity(cols);
    let mut visited_rows: Vec<usize> = Vec::new();
    for cur in 0..rows {
        remaining.clear();
        remaining.extend((0..cols).rev());
        spc.fill(f64::INFINITY);
        sc.fill(false);
        for &i in &visited_rows {
            sr[i] = false;
        }
        visited_rows.clear();
        let mut min_val = 0.0;
        let mut i = cur;
        let sink;
        loop {
            sr[i] = true;
            visited_rows.push(i);
            let row = &cost[i * cols..(i + 1) * cols];
            let ui = u[i];
            let mut lowest = f64::INFINITY;
            let mut index = NONE;
            for (it, &j) in remaining.iter().enumerate() {
                let r = min_val + row[j] - ui - v[j];
                if r < spc[j] {
                    path[j] = i;
                    spc[j] = r;
                }
                if spc[j] < lowest || (spc[j] == lowest && row4col[j] == NONE) {
                    lowest = spc[j];
                    index = it;
                }
            }
            min_val = lowest;
            if index == NONE || !min_val.is_finite() {
                return Err(MatchError::Infeasible(format!(
                    "row {} cannot be given a column",
                    cur + 1
                )));
            }
            let j = remaining.swap_remove(index);
            sc[j] = true;
            if row4col[j] == NONE {
                sink = j;
                break;
            }
            i = row4col[j];
        }
        u[cur] += min_val;
        for &i in &visited_rows {
            if i != cur {
                u[i] += min_val - spc[col4row[i]];
            }
        }
        for j in 0..cols {
            if sc[j] {
                v[j] -= min_val - spc[j];
            }
        }
        let mut j = sink;
        loop {
            let i = path[j];
            row4col[j] = i;
            std::mem::swap(&mut col4row[i], &mut j);
            if i == cur {
                break;
            }
        }
    }
    let total = (0..rows).map(|i| cost[i * cols + col4row[i]] + least).sum();
    for x in &mut u {
        *x += least;
    }
    Ok(Assignment {
        row_to_col: col4row.into_iter().map(Some).collect(),
        cost: total,
        row_dual: u,
        col_dual: v,
    })
}

/// A sparse problem: only the allowed pairs are arcs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SparseProblem {
    /// Names of the rows and columns, for messages.
    pub row_ids: Vec<String>,
    pub col_ids: Vec<String>,
    /// `(row, column, cost)`; at most one arc per pair.
    pub arcs: Vec<(usize, usize, f64)>,
    /// The cost of leaving each row unassigned; `None` means the row must be assigned.
    pub unassigned: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        // A min-heap on the distance.
        o.0.total_cmp(&self.0).then_with(|| o.1.cmp(&self.1))
    }
}

impl SparseProblem {
    /// Checks sizes, numbers and duplicates; errors name the rows and columns.
    pub fn validate(&self) -> Result<()> {
        let (nr, nc) = (self.row_ids.len(), self.col_ids.len());
        if self.unassigned.len() != nr {
            return Err(MatchError::BadValue {
                place: "unassigned penalties".into(),
                problem: format!("{} given for {nr} rows", self.unassigned.len()),
            });
        }
        crate::check_unique("row", &self.row_ids)?;
        crate::check_unique("column", &self.col_ids)?;
        let mut seen = std::collections::HashSet::with_capacity(self.arcs.len());
        for &(i, j, c) in &self.arcs {
            if i >= nr || j >= nc {
                return Err(MatchError::Unknown {
                    place: "arc".into(),
                    what: if i >= nr { "row" } else { "column" },
                    id: if i >= nr {
                        (i + 1).to_string()
                    } else {
                        (j + 1).to_string()
                    },
                });
            }
            check_number(
                || format!("cost of `{}` → `{}`", self.row_ids[i], self.col_ids[j]),
                c,
                false,
            )?;
            if !seen.insert((i, j)) {
                return Err(MatchError::Duplicate {
                    what: "pair",
                    id: format!("{} → {}", self.row_ids[i], self.col_ids[j]),
                });
            }
        }
        for (i, p) in self.unassigned.iter().enumerate() {
            if let Some(p) = p {
                check_number(
                    || format!("unassigned penalty of `{}`", self.row_ids[i]),
                    *p,
                    false,
                )?;
            }
        }
        Ok(())
    }
}

/// Solves a sparse problem. Rows with a penalty may stay unassigned (each has a private
/// "unassigned" column); rows without must be assigned, or the error names those that
/// cannot be, and the columns they compete for.
pub fn solve_sparse(p: &SparseProblem) -> Result<Assignment> {
    p.validate()?;
    let (nr, nc) = (p.row_ids.len(), p.col_ids.len());
    // Columns nc.. are the rows' own "unassigned" columns.
    let total_cols = nc + nr;
    let mut start = vec![0usize; nr + 1];
    for &(i, _, _) in &p.arcs {
        start[i + 1] += 1;
    }
    for (i, pen) in p.unassigned.iter().enumerate() {
        if pen.is_some() {
            start[i + 1] += 1;
        }
    }
    for i in 0..nr {
        start[i + 1] += start[i];
    }
    // Shift so that every cost is non-negative (each row takes exactly one arc, its own
    // "unassigned" one included, so the optimum does not move).
    let least = p
        .arcs
        .iter()
        .map(|a| a.2)
        .chain(p.unassigned.iter().flatten().copied())
        .fold(0.0f64, f64::min);
    let mut fill = start.clone();
    let mut adj = vec![(0usize, 0.0f64); start[nr]];
    for &(i, j, c) in &p.arcs {
        adj[fill[i]] = (j, c - least);
        fill[i] += 1;
    }
    for (i, pen) in p.unassigned.iter().enumerate() {
        if let Some(c) = pen {
            adj[fill[i]] = (nc + i, *c - least);
            fill[i] += 1;
        }
    }
    for (i, pen) in p.unassigned.iter().enumerate() {
        if pen.is_none() && start[i] == start[i + 1] {
            return Err(MatchError::Infeasible(format!(
                "`{}` has no acceptable option and may not stay unassigned",
                p.row_ids[i]
            )));
        }
    }
    let mut u = vec![0.0; nr];
    let mut v = vec![0.0; total_cols];
    let mut col4row = vec![NONE; nr];
    let mut row4col = vec![NONE; total_cols];
    let mut path = vec![NONE; total_cols];
    let mut spc = vec![f64::INFINITY; total_cols];
    let mut sc = vec![false; total_cols];
    let mut touched: Vec<usize> = Vec::new();
    let mut scanned: Vec<usize> = Vec::new();
    let mut visited_rows: Vec<usize> = Vec::new();
    let mut heap: BinaryHeap<Item> = BinaryHeap::new();
    for cur in 0..nr {
        for &j in &touched {
            spc[j] = f64::INFINITY;
            sc[j] = false;
        }
        touched.clear();
        scanned.clear();
        visited_rows.clear();
        heap.clear();
        let mut min_val = 0.0;
        let mut i = cur;
        let sink;
        loop {
            visited_rows.push(i);
            let ui = u[i];
            for &(j, c) in &adj[start[i]..start[i + 1]] {
                if sc[j] {
                    continue;
                }
                let r = min_val + c - ui - v[j];
                if r < spc[j] {
                    if spc[j].is_infinite() {
                        touched.push(j);
                    }
                    spc[j] = r;
                    path[j] = i;
                    heap.push(Item(r, j));
                }
            }
            let next = loop {
                match heap.pop() {
                    None => break None,
                    Some(Item(d, j)) if !sc[j] && d == spc[j] => break Some((d, j)),
                    Some(_) => continue,
                }
            };
            let Some((d, j)) = next else {
                return Err(infeasible(p, &visited_rows, &scanned, nc));
            };
            min_val = d;
            sc[j] = true;
            scanned.push(j);
            if row4col[j] == NONE {
                sink = j;
                break;
            }
            i = row4col[j];
        }
        u[cur] += min_val;
        for &i in &visited_rows {
            if i != cur {
                u[i] += min_val - spc[col4row[i]];
            }
        }
        for &j in &scanned {
            v[j] -= min_val - spc[j];
        }
        let mut j = sink;
        loop {
            let i = path[j];
            row4col[j] = i;
            std::mem::swap(&mut col4row[i], &mut j);
            if i == cur {
                break;
            }
        }
    }
    let mut total = 0.0;
    let mut row_to_col = Vec::with_capacity(nr);
    for (i, &j) in col4row.iter().enumerate() {
        let c = adj[start[i]..start[i + 1]]
            .iter()
            .find(|a| a.0 == j)
            .map(|a| a.1)
            .unwrap_or(0.0);
        total += c + least;
        row_to_col.push(if j < nc { Some(j) } else { None });
    }
    v.truncate(nc);
    for x in &mut u {
        *x += least;
    }
    Ok(Assignment {
        row_to_col,
        cost: total,
        row_dual: u,
        col_dual: v,
    })
}

/// Names a set of rows that together accept fewer columns than they are (Hall's condition).
fn infeasible(p: &SparseProblem, rows: &[usize], cols: &[usize], nc: usize) -> MatchError {
    let names: Vec<&str> = rows.iter().map(|&i| p.row_ids[i].as_str()).collect();
    let colnames: Vec<&str> = cols
        .iter()
        .filter(|&&j| j < nc)
        .map(|&j| p.col_ids[j].as_str())
        .collect();
    MatchError::Infeasible(format!(
        "{} row(s) that may not stay unassigned ({}) accept only {} column(s) between them ({}), so one of them cannot be placed",
        names.len(),
        list_names(&names, 10),
        colnames.len(),
        if colnames.is_empty() { "none".to_string() } else { list_names(&colnames, 10) }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The optimum by trying every injective map of rows into columns (or unassigned).
    fn brute(p: &SparseProblem) -> Option<f64> {
        let nr = p.row_ids.len();
        let nc = p.col_ids.len();
        let mut cost = vec![vec![None; nc]; nr];
        for &(i, j, c) in &p.arcs {
            cost[i][j] = Some(c);
        }
        fn go(
            i: usize,
            used: &mut Vec<bool>,
            cost: &[Vec<Option<f64>>],
            pen: &[Option<f64>],
            acc: f64,
            best: &mut Option<f64>,
        ) {
            if i == cost.len() {
                if best.is_none_or(|b| acc < b) {
                    *best = Some(acc);
                }
                return;
            }
            if let Some(q) = pen[i] {
                go(i + 1, used, cost, pen, acc + q, best);
            }
            for j in 0..used.len() {
                if let (false, Some(c)) = (used[j], cost[i][j]) {
                    used[j] = true;
                    go(i + 1, used, cost, pen, acc + c, best);
                    used[j] = false;
                }
            }
        }
        let mut best = None;
        go(
            0,
            &mut vec![false; nc],
            &cost,
            &p.unassigned,
            0.0,
            &mut best,
        );
        best
    }

    fn problem() -> impl Strategy<Value = SparseProblem> {
        (1usize..6, 1usize..6).prop_flat_map(|(nr, nc)| {
            (
                proptest::collection::vec(proptest::option::weighted(0.7, -20i32..50), nr * nc),
                proptest::collection::vec(proptest::option::weighted(0.5, -5i32..60), nr),
            )
                .prop_map(move |(cells, pens)| SparseProblem {
                    row_ids: (0..nr).map(|i| format!("r{i}")).collect(),
                    col_ids: (0..nc).map(|j| format!("c{j}")).collect(),
                    arcs: cells
                        .iter()
                        .enumerate()
                        .filter_map(|(k, c)| c.map(|c| (k / nc, k % nc, c as f64)))
                        .collect(),
                    unassigned: pens.into_iter().map(|p| p.map(f64::from)).collect(),
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn sparse_matches_brute_force(p in problem()) {
            match (solve_sparse(&p), brute(&p)) {
                (Ok(a), Some(b)) => {
                    prop_assert!((a.cost - b).abs() < 1e-9, "{} vs {}", a.cost, b);
                    // The duals certify it: reduced costs non-negative on every arc.
                    for &(i, j, c) in &p.arcs {
                        prop_assert!(c - a.row_dual[i] - a.col_dual[j] > -1e-9);
                    }
                    let mut used = std::collections::HashSet::new();
                    for (i, j) in a.row_to_col.iter().enumerate() {
                        match j {
                            Some(j) => prop_assert!(used.insert(*j) && p.arcs.iter().any(|a| a.0 == i && a.1 == *j)),
                            None => prop_assert!(p.unassigned[i].is_some()),
                        }
                    }
                }
                (Err(MatchError::Infeasible(_)), None) => {}
                (a, b) => prop_assert!(false, "solver {:?}, brute force {:?}", a, b),
            }
        }

        #[test]
        fn dense_matches_brute_force(nr in 1usize..6, extra in 0usize..3, seed in proptest::collection::vec(0u32..100, 64)) {
            let nc = nr + extra;
            let cost: Vec<f64> = (0..nr * nc).map(|k| seed[k % seed.len()] as f64 * 1.5 + (k % 7) as f64).collect();
            let p = SparseProblem {
                row_ids: (0..nr).map(|i| i.to_string()).collect(),
                col_ids: (0..nc).map(|j| j.to_string()).collect(),
                arcs: (0..nr * nc).map(|k| (k / nc, k % nc, cost[k])).collect(),
                unassigned: vec![None; nr],
            };
            let a = solve_dense(&cost, nr, nc).unwrap();
            let b = brute(&p).unwrap();
            prop_assert!((a.cost - b).abs() < 1e-9, "{} vs {}", a.cost, b);
            let s = solve_sparse(&p).unwrap();
            prop_assert!((s.cost - b).abs() < 1e-9);
        }
    }

    #[test]
    fn bad_input_is_named() {
        let mut p = SparseProblem {
            row_ids: vec!["Familjen A".into(), "Familjen B".into()],
            col_ids: vec!["Lgh 1".into()],
            arcs: vec![(0, 0, 1.0), (1, 0, 2.0)],
            unassigned: vec![None, None],
        };
        let e = solve_sparse(&p).unwrap_err().to_string();
        assert!(
            e.contains("Familjen A") && e.contains("Familjen B") && e.contains("Lgh 1"),
            "{e}"
        );
        p.arcs = vec![(0, 0, 1.0)];
        let e = solve_sparse(&p).unwrap_err().to_string();
        assert!(e.contains("`Familjen B` has no acceptable option"), "{e}");
        p.arcs = vec![(0, 0, f64::NAN)];
        p.unassigned = vec![Some(1.0), Some(1.0)];
        let e = solve_sparse(&p).unwrap_err().to_string();
        assert!(
            e.contains("Familjen A") && e.contains("not a finite number"),
            "{e}"
        );
        p.arcs = vec![(0, 0, 1.0), (0, 0, 2.0)];
        assert!(matches!(
            solve_sparse(&p),
            Err(MatchError::Duplicate { .. })
        ));
        p.row_ids[1] = "Familjen A".into();
        p.unassigned = vec![Some(1.0), Some(1.0)];
        assert!(solve_sparse(&p)
            .unwrap_err()
            .to_string()
            .contains("`Familjen A` appears more than once"));
        assert!(solve_dense(&[1.0, f64::INFINITY], 1, 2).is_err());
        assert!(solve_dense(&[1.0, 2.0], 2, 1).is_err());
    }
}
