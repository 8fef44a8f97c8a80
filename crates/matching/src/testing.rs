//! What the property tests of several solvers share.

/// The arcs of a dense grid of optional costs, `width` columns a row: `(row, column, cost)`
/// for each cell that has one.
pub(crate) fn arcs(cells: &[Option<i32>], width: usize) -> Vec<(usize, usize, f64)> {
    cells
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.map(|c| (k / width, k % width, f64::from(c))))
        .collect()
}

/// Optional whole-number penalties as costs.
pub(crate) fn penalties(pens: Vec<Option<i32>>) -> Vec<Option<f64>> {
    pens.into_iter().map(|p| p.map(f64::from)).collect()
}
