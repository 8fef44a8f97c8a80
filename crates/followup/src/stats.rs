//! Robust statistics for short yearly series: the Theil–Sen slope, medians and the
//! median absolute deviation. Series in municipal follow-up are short (5–20 points) and
//! have outliers (a year with a large reception), so a median of pairwise slopes serves
//! better than least squares.

/// The median of `v` (which it sorts); `None` when empty.
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The `q`-quantile (0..=1) of sorted values by linear interpolation.
pub fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// A fitted robust line.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Line {
    /// Change per year.
    pub slope: f64,
    pub intercept: f64,
    /// 10th and 90th percentile of the pairwise slopes.
    pub slope_low: f64,
    pub slope_high: f64,
    /// Robust spread of the residuals (1.4826 × MAD), an estimate of their standard deviation.
    pub resid_sd: f64,
    pub n: usize,
}

impl Line {
    pub fn at(&self, t: f64) -> f64 {
        self.intercept + self.slope * t
    }
}

/// The Theil–Sen line through points `(t, y)`; `None` with fewer than two distinct `t`.
///
/// ```
/// use etablera_followup::stats::theil_sen;
/// let pts = [(2019.0, 10.0), (2020.0, 12.0), (2021.0, 14.0), (2022.0, 16.0), (2023.0, 60.0)];
/// // The outlier in 2023 does not move the slope.
/// assert_eq!(theil_sen(&pts).unwrap().slope, 2.0);
/// ```
pub fn theil_sen(points: &[(f64, f64)]) -> Option<Line> {
    let mut slopes = Vec::with_capacity(points.len() * points.len() / 2);
    for i in 0..points.len() {
        for j in i + 1..points.len() {
            let dt = points[j].0 - points[i].0;
            if dt.abs() > 1e-12 {
                slopes.push((points[j].1 - points[i].1) / dt);
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    let slope = median(&mut slopes)?;
    let slope_low = quantile_sorted(&slopes, 0.1);
    let slope_high = quantile_sorted(&slopes, 0.9);
    let mut icpt: Vec<f64> = points.iter().map(|(t, y)| y - slope * t).collect();
    let intercept = median(&mut icpt)?;
    let mut resid: Vec<f64> = points
        .iter()
        .map(|(t, y)| (y - (intercept + slope * t)).abs())
        .collect();
    let resid_sd = 1.4826 * median(&mut resid)?;
    Some(Line {
        slope,
        intercept,
        slope_low,
        slope_high,
        resid_sd,
        n: points.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    proptest! {
        /// On exact lines the slope and intercept are recovered.
        #[test]
        fn exact_line(a in -100.0f64..100.0, b in -5.0f64..5.0, n in 2usize..15) {
            let pts: Vec<(f64, f64)> = (0..n).map(|i| (2000.0 + i as f64, a + b * i as f64)).collect();
            let l = theil_sen(&pts).unwrap();
            prop_assert!((l.slope - b).abs() < 1e-9);
            prop_assert!((l.at(2000.0) - a).abs() < 1e-6);
        }

        /// Adding a constant to every value leaves the slope alone.
        #[test]
        fn shift_invariant(ys in proptest::collection::vec(-50.0f64..50.0, 3..12), c in -100.0f64..100.0) {
            let p1: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect();
            let p2: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, y)| (i as f64, *y + c)).collect();
            prop_assert!((theil_sen(&p1).unwrap().slope - theil_sen(&p2).unwrap().slope).abs() < 1e-9);
        }
    }
}
