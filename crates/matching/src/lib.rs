//! Matching and allocation for integration work, with no I/O and no database: who gets which
//! dwelling, internship or mentor; how many newcomers each municipality receives; how many
//! internships each department offers. Every solver is exact (tested against brute force) and
//! every proposal explains itself.
//!
//! - [`assignment`]: one-to-one, rectangular, dense or sparse, rows may stay unassigned at a
//!   penalty (shortest augmenting path, Jonker–Volgenant family).
//! - [`flow`]: many-to-one with places per site and nested caps (unit ⊂ building ⊂ area), as
//!   min-cost flow.
//! - [`stable`]: deferred acceptance with capacities.
//! - [`apportion`]: Sainte-Laguë (Swedish first divisor 1.2), D'Hondt, largest remainder, with
//!   minimum and maximum per recipient, and the table a board can check.
//! - [`score`]: housing and internship fit, in parts.
//!
//! Two families and two landlords with one flat each, by deferred acceptance:
//!
//! ```
//! use etablera_matching::stable::{deferred_acceptance, StableProblem};
//!
//! let m = deferred_acceptance(&StableProblem {
//!     proposer_ids: vec!["familj A".into(), "familj B".into()],
//!     receiver_ids: vec!["hyresvärd X".into(), "hyresvärd Y".into()],
//!     capacity: vec![1, 1],
//!     // Both families want X first; B accepts only X.
//!     proposer_prefs: vec![vec![0, 1], vec![0]],
//!     // X prefers B; Y takes A.
//!     receiver_prefs: vec![vec![1, 0], vec![0]],
//! })
//! .unwrap();
//! assert_eq!(m.proposer_to, vec![Some(1), Some(0)]); // A gets Y, B gets X
//! ```

pub mod apportion;
pub mod assignment;
pub mod error;
pub mod flow;
pub mod placement;
pub mod score;
pub mod stable;
pub mod transport;

#[cfg(test)]
mod testing;

pub use error::{MatchError, Result};

/// Refuses the same id twice.
pub fn check_unique<S: AsRef<str>>(what: &'static str, ids: &[S]) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for id in ids {
        if id.as_ref().trim().is_empty() {
            return Err(MatchError::BadValue {
                place: what.into(),
                problem: "an empty id".into(),
            });
        }
        if !seen.insert(id.as_ref()) {
            return Err(MatchError::Duplicate {
                what,
                id: id.as_ref().to_string(),
            });
        }
    }
    Ok(())
}

/// Checks pairs `(row, column, cost)` and the rows' penalties for leaving them out: indices
/// in range, numbers finite, no pair twice. Errors name the rows and columns by their ids.
pub(crate) fn check_pairs(
    row_ids: &[String],
    col_ids: &[String],
    arcs: &[(usize, usize, f64)],
    unassigned: &[Option<f64>],
) -> Result<()> {
    let (nr, nc) = (row_ids.len(), col_ids.len());
    let mut seen = std::collections::HashSet::with_capacity(arcs.len());
    for &(i, j, c) in arcs {
        if i >= nr || j >= nc {
            return Err(MatchError::Unknown {
                place: "pair".into(),
                what: if i >= nr { "row" } else { "column" },
                id: (if i >= nr { i } else { j } + 1).to_string(),
            });
        }
        error::check_number(
            || format!("cost of `{}` → `{}`", row_ids[i], col_ids[j]),
            c,
            false,
        )?;
        if !seen.insert((i, j)) {
            return Err(MatchError::Duplicate {
                what: "pair",
                id: format!("{} → {}", row_ids[i], col_ids[j]),
            });
        }
    }
    for (i, p) in unassigned.iter().enumerate() {
        if let Some(p) = p {
            error::check_number(
                || format!("unassigned penalty of `{}`", row_ids[i]),
                *p,
                false,
            )?;
        }
    }
    Ok(())
}

/// A heap entry ordered so that `BinaryHeap` pops the least distance first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MinItem(pub f64, pub usize);
impl Eq for MinItem {}
impl PartialOrd for MinItem {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for MinItem {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.total_cmp(&self.0).then_with(|| o.1.cmp(&self.1))
    }
}
