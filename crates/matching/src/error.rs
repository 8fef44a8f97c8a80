//! What can be wrong with a matching or allocation problem. Every message names the rows,
//! people, sites or recipients concerned, by the ids the caller gave.

/// A problem that cannot be solved as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    /// A number that is NaN, infinite, negative where that is not allowed, or out of range.
    #[error("{place}: {problem}")]
    BadValue { place: String, problem: String },
    /// The same id twice.
    #[error("{what} `{id}` appears more than once")]
    Duplicate { what: &'static str, id: String },
    /// An index or id that refers to nothing.
    #[error("{place}: refers to {what} `{id}`, which does not exist")]
    Unknown {
        place: String,
        what: &'static str,
        id: String,
    },
    /// No solution exists; the message says who cannot be served and why.
    #[error("no solution: {0}")]
    Infeasible(String),
}

pub type Result<T> = std::result::Result<T, MatchError>;

/// Checks that a value is finite (and, if `non_negative`, at least 0).
pub fn check_number(place: impl FnOnce() -> String, v: f64, non_negative: bool) -> Result<()> {
    if !v.is_finite() {
        return Err(MatchError::BadValue {
            place: place(),
            problem: format!("`{v}` is not a finite number"),
        });
    }
    if non_negative && v < 0.0 {
        return Err(MatchError::BadValue {
            place: place(),
            problem: format!("`{v}` is negative"),
        });
    }
    Ok(())
}

/// Lists at most `max` names, then how many more.
pub fn list_names<S: AsRef<str>>(names: &[S], max: usize) -> String {
    let mut s: Vec<String> = names
        .iter()
        .take(max)
        .map(|n| format!("`{}`", n.as_ref()))
        .collect();
    if names.len() > max {
        s.push(format!("and {} more", names.len() - max));
    }
    s.join(", ")
}
