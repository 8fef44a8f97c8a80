//! Groups of units (a county's municipalities, a peer group a user chooses).
//!
//! As in Kolada, a group's value is the unweighted mean of the members that have a
//! value, and the number of those members is kept beside it so a reader can see how
//! much the mean rests on.

use crate::UnitCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitGroup {
    /// Starts with `G`, as Kolada's group ids do.
    pub code: UnitCode,
    pub name: String,
    pub members: Vec<UnitCode>,
}

/// A group's value for one period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupValue {
    pub mean: f64,
    /// Members with a value.
    pub with_value: usize,
    /// All members.
    pub members: usize,
}

/// The unweighted mean of the members' values that exist; `None` if no member has one.
///
/// ```
/// use etablera_domain::group::group_mean;
/// let g = group_mean([Some(10.0), None, Some(20.0)]).unwrap();
/// assert_eq!((g.mean, g.with_value, g.members), (15.0, 2, 3));
/// assert!(group_mean([None, None]).is_none());
/// ```
pub fn group_mean(values: impl IntoIterator<Item = Option<f64>>) -> Option<GroupValue> {
    let mut sum = 0.0;
    let mut n = 0;
    let mut members = 0;
    for v in values {
        members += 1;
        if let Some(v) = v {
            sum += v;
            n += 1;
        }
    }
    (n > 0).then(|| GroupValue {
        mean: sum / n as f64,
        with_value: n,
        members,
    })
}
