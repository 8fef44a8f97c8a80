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

pub mod apportion;
pub mod assignment;
pub mod error;
pub mod flow;
pub mod placement;
pub mod score;
pub mod stable;
pub mod transport;

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
