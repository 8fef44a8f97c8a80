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
use crate::MinItem;
use std::collections::BinaryHeap;

const NONE: usize = usize::MAX;
/// How many cheap columns per row (and rows per column) the dense solver starts from.
const START_K: usize = 10;

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
///
/// Sparsify and certify: solve on each row's cheapest columns with the sparse solver, then
/// check every reduced cost of the full matrix against its duals. If none is negative the
/// duals prove the sparse optimum optimal for the full matrix; otherwise the offending pairs
/// are added and it solves again (after a few rounds it falls back to [`solve_dense_full`]).
/// On typical costs (random, or distances) the optimum uses only cheap pairs, so the work is
/// a few passes over the matrix plus a small sparse problem.
pub fn solve_dense(cost: &[f64], rows: usize, cols: usize) -> Result<Assignment> {
    if cols <= 64 {
        return solve_dense_full(cost, rows, cols);
    }
    check_shape(cost, rows, cols)?;
    let mut k = START_K.min(cols);
    // The first candidate pass also finds the least cost, the largest candidate cost (the scale
    // of the rounding tolerance) and any NaN or infinity.
    let mut stats = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    // Rows' candidates first; columns' too once the rows' alone admit no full assignment.
    let mut with_cols = false;
    let first = candidates(cost, rows, cols, k, with_cols, Some(&mut stats));
    let (least, most, bad) = stats;
    if bad != 0.0 {
        check_dense(cost, rows, cols)?;
    }
    let tol = 1e-9 * most.abs().max(least.abs()).max(1.0);
    let mut extra: Vec<Vec<usize>> = vec![Vec::new(); rows];
    let mut warm: Option<(Vec<usize>, Vec<f64>, Vec<f64>)> = None;
    let mut cached: Option<(usize, bool, Vec<Vec<usize>>)> = Some((k, with_cols, first));
    for _round in 0..12 {
        if cached.as_ref().is_none_or(|c| c.0 != k || c.1 != with_cols) {
            cached = Some((
                k,
                with_cols,
                candidates(cost, rows, cols, k, with_cols, None),
            ));
        }
        let base = &cached.as_ref().expect("computed above").2;
        let mut start = Vec::with_capacity(rows + 1);
        let mut adj: Vec<(usize, f64)> = Vec::with_capacity(rows * (2 * k + 2));
        start.push(0);
        let mut row_arcs: Vec<Vec<usize>> = base.clone();
        for (list, more) in row_arcs.iter_mut().zip(&extra) {
            list.extend_from_slice(more);
        }
        for (i, list) in row_arcs.iter_mut().enumerate() {
            list.sort_unstable();
            list.dedup();
            let row = &cost[i * cols..(i + 1) * cols];
            adj.extend(list.iter().map(|&j| (j, row[j] - least)));
            start.push(adj.len());
        }
        // Square problems restart warm: the rows that gained arcs were freed with their
        // potentials lowered (see below), the rest keep their columns and duals.
        let (mut col4row, mut u, v) = match sap_from(rows, cols, &start, &adj, warm.take()) {
            Ok(x) => x,
            Err(_) => {
                // The cheap pairs admit no full assignment: take more of them, start again.
                if with_cols {
                    k = (k * 2).min(cols);
                }
                with_cols = true;
                continue;
            }
        };
        // Certify: every reduced cost of the full matrix non-negative (within rounding).
        let mut violations = 0usize;
        let mut violating = vec![false; rows];
        for i in 0..rows {
            let row = &cost[i * cols..(i + 1) * cols];
            let ui = u[i] + least;
            for (j, (&c, &vj)) in row.iter().zip(&v).enumerate() {
                if c - ui - vj < -tol {
                    extra[i].push(j);
                    violations += 1;
                    violating[i] = true;
                }
            }
        }
        if violations == 0 {
            let total = (0..rows).map(|i| cost[i * cols + col4row[i]]).sum();
            return Ok(Assignment {
                row_to_col: col4row.into_iter().map(Some).collect(),
                cost: total,
                row_dual: u.into_iter().map(|x| x + least).collect(),
                col_dual: v,
            });
        }
        if rows == cols {
            // Free each row that gained arcs and lower its potential to its least reduced
            // cost over all its arcs, so every reduced cost is non-negative again.
            for i in 0..rows {
                if !violating[i] {
                    continue;
                }
                let row = &cost[i * cols..(i + 1) * cols];
                let lowest = extra[i]
                    .iter()
                    .map(|&j| row[j] - least - v[j])
                    .fold(u[i], f64::min);
                u[i] = lowest;
                col4row[i] = NONE;
            }
            // The arcs stay in `extra` (they are part of the candidate set from now on).
            warm = Some((col4row, u, v));
        }
    }
    solve_dense_full(cost, rows, cols)
}

/// Candidate pairs: each row's k cheapest columns and each column's k cheapest rows (so that
/// no column is left without arcs), per row, sorted. One pass over the matrix with sorted
/// arrays of k and thresholds most entries fail at once.
fn candidates(
    cost: &[f64],
    rows: usize,
    cols: usize,
    k: usize,
    with_cols: bool,
    mut stats: Option<&mut (f64, f64, f64)>,
) -> Vec<Vec<usize>> {
    let mut col_best: Vec<(f64, usize)> = Vec::with_capacity(cols * k);
    let mut col_len = vec![0usize; cols];
    col_best.resize(cols * k, (f64::INFINITY, 0));
    let mut col_limit = vec![f64::INFINITY; cols];
    let mut row_arcs: Vec<Vec<usize>> = vec![Vec::new(); rows];
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
    for (i, row_out) in row_arcs.iter_mut().enumerate() {
        let row = &cost[i * cols..(i + 1) * cols];
        best.clear();
        let mut limit = f64::INFINITY;
        if let Some(st) = stats.as_deref_mut() {
            // NaN and infinities have every exponent bit set: an integer test that
            // vectorises.
            let special = row.iter().fold(0u64, |acc, c| {
                acc | u64::from((c.to_bits() >> 52) & 0x7ff == 0x7ff)
            });
            st.2 += special as f64;
        }
        for (j, &c) in row.iter().enumerate() {
            if c < limit {
                let at = best.partition_point(|x| x.0 <= c);
                best.insert(at, (c, j));
                if best.len() > k {
                    best.pop();
                }
                if best.len() == k {
                    limit = best[k - 1].0;
                }
            }
        }
        for (j, (&c, cl)) in row
            .iter()
            .zip(col_limit.iter_mut())
            .enumerate()
            .filter(|_| with_cols)
        {
            if c < *cl {
                let cb = &mut col_best[j * k..(j + 1) * k];
                let n = col_len[j];
                let at = cb[..n].partition_point(|x| x.0 <= c);
                let end = (n + 1).min(k);
                cb.copy_within(at..end - 1, at + 1);
                cb[at] = (c, i);
                col_len[j] = end;
                if end == k {
                    *cl = cb[k - 1].0;
                }
            }
        }
        row_out.extend(best.iter().map(|b| b.1));
        if let (Some(st), Some(b)) = (stats.as_deref_mut(), best.first()) {
            // Each row's cheapest cost is among its candidates: the least of them is the
            // least of the matrix. The largest candidate sets the scale of the tolerance.
            st.0 = st.0.min(b.0);
            st.1 =
                st.1.max(best.last().map(|x| x.0.abs()).unwrap_or(0.0))
                    .max(b.0.abs());
        }
    }
    for j in 0..cols {
        for &(_, i) in &col_best[j * k..j * k + col_len[j]] {
            row_arcs[i].push(j);
        }
    }
    for list in &mut row_arcs {
        list.sort_unstable();
        list.dedup();
    }
    row_arcs
}

fn check_dense(cost: &[f64], rows: usize, cols: usize) -> Result<()> {
    check_shape(cost, rows, cols)?;
    if let Some(k) = cost.iter().position(|c| !c.is_finite()) {
        check_number(
            || format!("cost matrix, row {}, column {}", k / cols + 1, k % cols + 1),
            cost[k],
            false,
        )?;
    }
    Ok(())
}

fn check_shape(cost: &[f64], rows: usize, cols: usize) -> Result<()> {
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
    Ok(())
}

/// The plain dense solver (Crouse's shortest augmenting path, as SciPy's
/// `linear_sum_assignment`): O(rows² · cols) in the worst case, no sparsification.
pub fn solve_dense_full(cost: &[f64], rows: usize, cols: usize) -> Result<Assignment> {
    check_dense(cost, rows, cols)?;
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
        let scanned = (0..cols).filter(|&j| sc[j]);
        let mut st = PathState {
            u: &mut u,
            v: &mut v,
            col4row: &mut col4row,
            row4col: &mut row4col,
        };
        finish_path(
            &mut st,
            cur,
            sink,
            min_val,
            &visited_rows,
            scanned,
            &spc,
            &path,
        );
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

impl SparseProblem {
    /// Checks sizes, numbers and duplicates; errors name the rows and columns.
    pub fn validate(&self) -> Result<()> {
        let nr = self.row_ids.len();
        if self.unassigned.len() != nr {
            return Err(MatchError::BadValue {
                place: "unassigned penalties".into(),
                problem: format!("{} given for {nr} rows", self.unassigned.len()),
            });
        }
        crate::check_unique("row", &self.row_ids)?;
        crate::check_unique("column", &self.col_ids)?;
        crate::check_pairs(&self.row_ids, &self.col_ids, &self.arcs, &self.unassigned)?;
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
    let (col4row, mut u, mut v) = match sap(nr, total_cols, &start, &adj) {
        Ok(x) => x,
        Err((rows, cols)) => return Err(infeasible(p, &rows, &cols, nc)),
    };
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

/// The shortest-augmenting-path core over a CSR graph (`adj[start[i]..start[i+1]]` are row
/// i's arcs, costs non-negative): each row in turn, Dijkstra on reduced costs with a heap.
/// On failure, the rows visited and columns scanned from the row that could not be placed.
#[allow(clippy::type_complexity)]
fn sap(
    nr: usize,
    total_cols: usize,
    start: &[usize],
    adj: &[(usize, f64)],
) -> std::result::Result<(Vec<usize>, Vec<f64>, Vec<f64>), (Vec<usize>, Vec<usize>)> {
    sap_from(nr, total_cols, start, adj, None)
}

/// [`sap`] from a warm state: `(col4row, u, v)` with dual-feasible potentials; rows without
/// a column are augmented, the others keep theirs.
#[allow(clippy::type_complexity)]
fn sap_from(
    nr: usize,
    total_cols: usize,
    start: &[usize],
    adj: &[(usize, f64)],
    warm: Option<(Vec<usize>, Vec<f64>, Vec<f64>)>,
) -> std::result::Result<(Vec<usize>, Vec<f64>, Vec<f64>), (Vec<usize>, Vec<usize>)> {
    let cold = warm.is_none();
    let (mut col4row, mut u, mut v) =
        warm.unwrap_or_else(|| (vec![NONE; nr], vec![0.0; nr], vec![0.0; total_cols]));
    let mut row4col = vec![NONE; total_cols];
    for (i, &j) in col4row.iter().enumerate() {
        if j != NONE {
            row4col[j] = i;
        }
    }
    let mut path = vec![NONE; total_cols];
    let mut spc = vec![f64::INFINITY; total_cols];
    let mut sc = vec![false; total_cols];
    let mut touched: Vec<usize> = Vec::new();
    let mut scanned: Vec<usize> = Vec::new();
    let mut visited_rows: Vec<usize> = Vec::new();
    let mut heap: BinaryHeap<MinItem> = BinaryHeap::new();
    // Row reduction: each row's potential is its cheapest arc (reduced costs stay
    // non-negative); a row whose cheapest column is still free takes it at once.
    for i in (0..nr).filter(|_| cold) {
        let mut best = (NONE, f64::INFINITY);
        for &(j, c) in &adj[start[i]..start[i + 1]] {
            if c < best.1
                || (c == best.1 && row4col[j] == NONE && best.0 != NONE && row4col[best.0] != NONE)
            {
                best = (j, c);
            }
        }
        if best.0 != NONE {
            u[i] = best.1;
            if row4col[best.0] == NONE {
                row4col[best.0] = i;
                col4row[i] = best.0;
            }
        }
    }
    if cold {
        augmenting_row_reduction(nr, start, adj, &mut col4row, &mut row4col, &mut u, &mut v);
    }
    for cur in 0..nr {
        if col4row[cur] != NONE {
            continue;
        }
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
                    heap.push(MinItem(r, j));
                }
            }
            let next = loop {
                match heap.pop() {
                    None => break None,
                    Some(MinItem(d, j)) if !sc[j] && d == spc[j] => break Some((d, j)),
                    Some(_) => continue,
                }
            };
            let Some((d, j)) = next else {
                return Err((visited_rows, scanned));
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
        let mut st = PathState {
            u: &mut u,
            v: &mut v,
            col4row: &mut col4row,
            row4col: &mut row4col,
        };
        finish_path(
            &mut st,
            cur,
            sink,
            min_val,
            &visited_rows,
            scanned.iter().copied(),
            &spc,
            &path,
        );
    }
    Ok((col4row, u, v))
}

/// The potentials and the assignment a shortest-path search updates.
struct PathState<'a> {
    u: &'a mut [f64],
    v: &'a mut [f64],
    col4row: &'a mut [usize],
    row4col: &'a mut [usize],
}

/// Ends one shortest-path search from row `cur` that reached the free column `sink` at
/// distance `min_val`: updates the potentials of the rows visited and the columns scanned
/// (Crouse's rule, which keeps every reduced cost non-negative), then flips the assignment
/// along the path back to `cur`.
#[allow(clippy::too_many_arguments)]
fn finish_path(
    st: &mut PathState<'_>,
    cur: usize,
    sink: usize,
    min_val: f64,
    visited_rows: &[usize],
    scanned: impl Iterator<Item = usize>,
    spc: &[f64],
    path: &[usize],
) {
    st.u[cur] += min_val;
    for &i in visited_rows {
        if i != cur {
            st.u[i] += min_val - spc[st.col4row[i]];
        }
    }
    for j in scanned {
        st.v[j] -= min_val - spc[j];
    }
    let mut j = sink;
    loop {
        let i = path[j];
        st.row4col[j] = i;
        std::mem::swap(&mut st.col4row[i], &mut j);
        if i == cur {
            break;
        }
    }
}

/// Jonker and Volgenant's augmenting row reduction, twice, on sparse rows: a free row takes
/// its cheapest column in reduced cost `c − v`, lowering that column's `v` until its
/// second-cheapest ties, and the row it displaces is freed in turn. Every assigned row keeps
/// a cheapest column, so setting `u` from it (and free rows' `u` to their least reduced
/// cost) leaves every reduced cost non-negative, as the augmentation needs.
#[allow(clippy::too_many_arguments)]
fn augmenting_row_reduction(
    nr: usize,
    start: &[usize],
    adj: &[(usize, f64)],
    col4row: &mut [usize],
    row4col: &mut [usize],
    u: &mut [f64],
    v: &mut [f64],
) {
    for _pass in 0..2 {
        let mut free: std::collections::VecDeque<usize> =
            (0..nr).filter(|&i| col4row[i] == NONE).collect();
        let mut budget = 2 * nr + 16;
        while let Some(i) = free.pop_front() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let (mut j1, mut v1, mut j2, mut v2) = (NONE, f64::INFINITY, NONE, f64::INFINITY);
            for &(j, c) in &adj[start[i]..start[i + 1]] {
                let r = c - v[j];
                if r < v2 {
                    if r >= v1 {
                        v2 = r;
                        j2 = j;
                    } else {
                        v2 = v1;
                        j2 = j1;
                        v1 = r;
                        j1 = j;
                    }
                }
            }
            if j1 == NONE || j2 == NONE {
                // One arc only: take it if free, else leave the row to the augmentation.
                if j1 != NONE && row4col[j1] == NONE {
                    row4col[j1] = i;
                    col4row[i] = j1;
                }
                continue;
            }
            let mut i0 = row4col[j1];
            let lowers = v1 < v2;
            if lowers {
                v[j1] -= v2 - v1;
            } else if i0 != NONE {
                j1 = j2;
                i0 = row4col[j1];
            }
            row4col[j1] = i;
            col4row[i] = j1;
            if i0 != NONE {
                col4row[i0] = NONE;
                if lowers {
                    free.push_front(i0);
                } else {
                    free.push_back(i0);
                }
            }
        }
    }
    for i in 0..nr {
        u[i] = if col4row[i] != NONE {
            let j = col4row[i];
            adj[start[i]..start[i + 1]]
                .iter()
                .find(|a| a.0 == j)
                .map(|a| a.1 - v[j])
                .unwrap_or(0.0)
        } else {
            adj[start[i]..start[i + 1]]
                .iter()
                .map(|&(j, c)| c - v[j])
                .fold(f64::INFINITY, f64::min)
        };
        if !u[i].is_finite() {
            u[i] = 0.0;
        }
    }
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
                    arcs: crate::testing::arcs(&cells, nc),
                    unassigned: crate::testing::penalties(pens),
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

    /// The sparsify-and-certify path (more than 64 columns) against the full solver, on
    /// random, distance-like and adversarial (cheap pairs all in one column) costs.
    #[test]
    fn sparsified_dense_matches_the_full_solver() {
        let mut x: u64 = 11;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..24 {
            let (nr, nc) = (65 + case * 3, 65 + case * 3 + (case % 3) * 20);
            let kind = case % 3;
            let pts: Vec<(f64, f64)> = (0..nr + nc)
                .map(|_| ((next() % 1000) as f64, (next() % 1000) as f64))
                .collect();
            let cost: Vec<f64> = (0..nr * nc)
                .map(|k| {
                    let (i, j) = (k / nc, k % nc);
                    match kind {
                        0 => (next() % 100_000) as f64,
                        1 => {
                            let (a, b) = (pts[i], pts[nr + j]);
                            ((a.0 - b.0).hypot(a.1 - b.1) * 10.0).round()
                        }
                        _ => {
                            if j < 3 {
                                1.0
                            } else {
                                1000.0 + (next() % 1000) as f64
                            }
                        }
                    }
                })
                .collect();
            let a = solve_dense(&cost, nr, nc).unwrap();
            let b = solve_dense_full(&cost, nr, nc).unwrap();
            assert_eq!(a.cost, b.cost, "case {case} ({nr}×{nc}, kind {kind})");
            let mut seen = std::collections::HashSet::new();
            assert!(a.row_to_col.iter().all(|c| seen.insert(c.unwrap())));
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
        let mut big = vec![1.0; 70 * 70];
        big[70 * 3 + 5] = f64::NAN;
        let e = solve_dense(&big, 70, 70).unwrap_err().to_string();
        assert_eq!(
            e,
            "cost matrix, row 4, column 6: `NaN` is not a finite number"
        );
        assert!(solve_dense(&[1.0, 2.0], 2, 1).is_err());
    }
}
