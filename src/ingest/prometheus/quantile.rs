//! `histogram_quantile` exactly as PromQL computes it over classic buckets
//! (prometheus/prometheus `promql/quantile.go`, `BucketQuantile`, v2.42 to v3.x): sort by
//! bound, add buckets of one bound together, force the counts monotonic, find the first
//! bucket (not `+Inf`) holding the rank, interpolate linearly inside it from the previous
//! bound (0 below the first), and answer the second-highest bound when the rank lies in
//! `+Inf`. IEEE division throughout, as Go's: 0/0 is NaN.

/// One cumulative bucket: its upper bound (`le`) and how many observations are at or below.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bucket {
    pub upper_bound: f64,
    pub count: f64,
}

/// Relative differences this small between neighbouring counts are float noise, not a
/// decrease or an increase (PromQL's `smallDeltaTolerance`).
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// The smallest normal f64 (Go's `minNormal` in `util/almost`).
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;

/// The `q` quantile of `buckets`, as PromQL's `histogram_quantile(q, ...)` answers for one
/// series: NaN without a `+Inf` bucket, with fewer than two buckets or no observations.
pub(crate) fn histogram_quantile(q: f64, buckets: &[Bucket]) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let mut buckets = buckets.to_vec();
    // A stable sort by bound, as Go's; bounds are never NaN here.
    buckets.sort_by(|a, b| a.upper_bound.partial_cmp(&b.upper_bound).unwrap_or(std::cmp::Ordering::Equal));
    if buckets.last().is_none_or(|last| last.upper_bound != f64::INFINITY) {
        return f64::NAN;
    }
    let mut buckets = coalesce(buckets);
    ensure_monotonic(&mut buckets);
    if buckets.len() < 2 {
        return f64::NAN;
    }
    let observations = buckets[buckets.len() - 1].count;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    // The first bucket below `+Inf` whose count reaches the rank (Go's sort.Search).
    let b = buckets[..buckets.len() - 1].partition_point(|bucket| bucket.count < rank);
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].upper_bound;
    }
    if b == 0 && buckets[0].upper_bound <= 0.0 {
        return buckets[0].upper_bound;
    }
    let bucket_end = buckets[b].upper_bound;
    let mut count = buckets[b].count;
    let mut bucket_start = 0.0;
    if b > 0 {
        bucket_start = buckets[b - 1].upper_bound;
        count -= buckets[b - 1].count;
        rank -= buckets[b - 1].count;
    }
    bucket_start + (bucket_end - bucket_start) * (rank / count)
}

/// Buckets of one bound, added together.
fn coalesce(buckets: Vec<Bucket>) -> Vec<Bucket> {
    let mut merged: Vec<Bucket> = Vec::with_capacity(buckets.len());
    for bucket in buckets {
        match merged.last_mut() {
            Some(last) if last.upper_bound == bucket.upper_bound => last.count += bucket.count,
            _ => merged.push(bucket),
        }
    }
    merged
}

/// A count below its predecessor is raised to it; a count within float noise of it is set
/// to it.
fn ensure_monotonic(buckets: &mut [Bucket]) {
    let Some(first) = buckets.first() else { return };
    let mut previous = first.count;
    for bucket in buckets.iter_mut().skip(1) {
        let current = bucket.count;
        if current == previous {
            continue;
        }
        if almost_equal(previous, current, SMALL_DELTA_TOLERANCE) || current < previous {
            bucket.count = previous;
            continue;
        }
        previous = current;
    }
}

/// Go's `util/almost.Equal`, for the numbers bucket counts are (never the stale NaN).
fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs.iter().map(|&(upper_bound, count)| Bucket { upper_bound, count }).collect()
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn the_worked_example_of_the_note() {
        let b = buckets(&[(0.1, 50.0), (0.25, 80.0), (0.5, 95.0), (1.0, 99.0), (INF, 100.0)]);
        assert_eq!(histogram_quantile(0.0, &b), 0.0);
        assert_eq!(histogram_quantile(0.5, &b), 0.1, "a rank equal to a cumulative count is that bound");
        assert!((histogram_quantile(0.9, &b) - 0.416_666_666_666_666_7).abs() < 1e-15);
        assert_eq!(histogram_quantile(0.95, &b), 0.5);
        assert_eq!(histogram_quantile(0.99, &b), 1.0);
        assert_eq!(histogram_quantile(0.995, &b), 1.0, "in +Inf: the second-highest bound");
        assert_eq!(histogram_quantile(1.0, &b), 1.0);
    }

    #[test]
    fn edges_as_promql() {
        let empty_first = buckets(&[(0.05, 0.0), (0.1, 10.0), (INF, 10.0)]);
        assert!(histogram_quantile(0.0, &empty_first).is_nan(), "0/0 in an empty first bucket");
        assert_eq!(histogram_quantile(1.0, &empty_first), 0.1);
        let negative = buckets(&[(-0.5, 3.0), (0.5, 8.0), (INF, 10.0)]);
        assert_eq!(histogram_quantile(0.2, &negative), -0.5, "a first bound at or below 0 is returned");
        assert!((histogram_quantile(0.5, &negative) - -0.1).abs() < 1e-15);
        let decreasing = buckets(&[(0.1, 10.0), (0.2, 8.0), (0.4, 20.0), (INF, 20.0)]);
        assert_eq!(histogram_quantile(0.5, &decreasing), 0.1);
        assert!((histogram_quantile(0.75, &decreasing) - 0.3).abs() < 1e-15);
        assert!(histogram_quantile(0.5, &buckets(&[(1.0, 1.0), (2.0, 2.0)])).is_nan(), "no +Inf bucket");
        assert!(histogram_quantile(0.5, &buckets(&[(INF, 3.0)])).is_nan(), "one bucket");
        assert!(histogram_quantile(0.5, &buckets(&[(1.0, 0.0), (INF, 0.0)])).is_nan(), "no observations");
        assert!(histogram_quantile(f64::NAN, &negative).is_nan());
        assert_eq!(histogram_quantile(-0.1, &negative), f64::NEG_INFINITY);
        assert_eq!(histogram_quantile(1.1, &negative), INF);
    }

    #[test]
    fn unsorted_and_repeated_bounds() {
        let shuffled = buckets(&[(INF, 100.0), (0.5, 95.0), (0.1, 50.0), (1.0, 99.0), (0.25, 80.0)]);
        assert_eq!(histogram_quantile(0.95, &shuffled), 0.5);
        // `sum by (le)` of two series adds buckets of one bound.
        let summed = buckets(&[(1.0, 2.0), (1.0, 3.0), (INF, 5.0), (INF, 5.0)]);
        assert_eq!(histogram_quantile(0.5, &summed), 1.0);
        let noise = buckets(&[(1.0, 10.0), (2.0, 10.000_000_000_000_002), (3.0, 10.0), (INF, 20.0)]);
        assert_eq!(histogram_quantile(0.5, &noise), 1.0, "float noise is no increase");
    }
}
