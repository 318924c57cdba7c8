//! Gatling's percentile sketch, rebuilt from its definition: the t-digest library's
//! `AVLTreeDigest` with compression 100 (t-digest 3.1, which Gatling 2.2 to 3.12 use in
//! `gatling-charts`' `GeneralStatsBuffers`), so numbers computed from a `simulation.log`
//! are the ones Gatling's report shows.
//!
//! The digest keeps centroids (a mean and a count) in the order of their means. A value
//! joins the nearest centroid that still has room (room shrinks towards both tails, so
//! the extremes stay single values), or becomes a centroid of its own. A quantile is read
//! by linear interpolation between the centres of neighbouring centroids.
//!
//! One thing Gatling's digest does cannot be reproduced: when several centroids are
//! equally near and have room, it picks one at random (`java.util.Random`, seeded from
//! the clock), so two report generations of one log can differ by a millisecond in a
//! percentile. Here the same generator is seeded with a fixed seed: the result is one of
//! the numbers Gatling could have printed, and the same on every run.

/// `java.util.Random`'s generator (a 48-bit linear congruential generator), which the
/// digest draws its tie-breaks from.
#[derive(Debug, Clone)]
struct JavaRandom {
    seed: u64,
}

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const MASK: u64 = (1 << 48) - 1;

impl JavaRandom {
    fn new(seed: u64) -> JavaRandom {
        JavaRandom { seed: (seed ^ MULTIPLIER) & MASK }
    }

    fn next(&mut self, bits: u32) -> u32 {
        self.seed = (self.seed.wrapping_mul(MULTIPLIER).wrapping_add(0xB)) & MASK;
        (self.seed >> (48 - bits)) as u32
    }

    fn next_double(&mut self) -> f64 {
        let high = u64::from(self.next(26)) << 27;
        let low = u64::from(self.next(27));
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..bound` (`bound` > 0), drawn as Java draws it.
    fn next_int(&mut self, bound: u32) -> u32 {
        if bound.is_power_of_two() {
            return ((u64::from(bound) * u64::from(self.next(31))) >> 31) as u32;
        }
        loop {
            let bits = self.next(31) as i32;
            let value = bits % bound as i32;
            // Java's overflow test: retry the draws that would bias the remainder.
            if bits.wrapping_sub(value).wrapping_add(bound as i32 - 1) >= 0 {
                return value as u32;
            }
        }
    }
}

/// The seed of the tie-breaks (Gatling's is the clock's; any fixed one makes a number
/// Gatling could have printed).
const SEED: u64 = 0;

/// Gatling's compression setting.
const COMPRESSION: f64 = 100.0;

/// An `AVLTreeDigest`: centroids `(mean, count)` sorted by mean, a value equal to a mean
/// placed after it (the tree's rule), and the number of values added.
#[derive(Debug, Clone)]
pub struct Digest {
    centroids: Vec<(f64, u64)>,
    count: u64,
    random: JavaRandom,
}

impl Default for Digest {
    fn default() -> Digest {
        Digest::new()
    }
}

impl Digest {
    pub fn new() -> Digest {
        Digest { centroids: Vec::new(), count: 0, random: JavaRandom::new(SEED) }
    }

    /// How many values were added.
    pub fn size(&self) -> u64 {
        self.count
    }

    /// Adds one value.
    pub fn add(&mut self, value: f64) {
        self.add_weighted(value, 1);
    }

    fn add_weighted(&mut self, x: f64, weight: u64) {
        if self.centroids.is_empty() {
            self.centroids.push((x, weight));
            self.count = weight;
            return;
        }
        // The last centroid below x (or the first), then forward to the nearest ones: every
        // centroid at the smallest distance is a candidate.
        let mut start = self.centroids.partition_point(|(mean, _)| *mean < x).saturating_sub(1);
        let mut min_distance = f64::MAX;
        let mut end = self.centroids.len();
        for (index, (mean, _)) in self.centroids.iter().enumerate().skip(start) {
            let distance = (mean - x).abs();
            if distance < min_distance {
                start = index;
                min_distance = distance;
            } else if distance > min_distance {
                end = index;
                break;
            }
        }
        let mut sum: u64 = self.centroids[..start].iter().map(|(_, count)| count).sum();
        let mut closest = None;
        let mut eligible = 0.0_f64;
        let total = self.count as f64;
        for index in start..end {
            let count = self.centroids[index].1;
            let q = if self.count == 1 { 0.5 } else { (sum as f64 + (count as f64 - 1.0) / 2.0) / (total - 1.0) };
            let room = 4.0 * total * q * (1.0 - q) / COMPRESSION;
            if (count + weight) as f64 <= room {
                eligible += 1.0;
                if self.random.next_double() < 1.0 / eligible {
                    closest = Some(index);
                }
            }
            sum += count;
        }
        match closest {
            None => self.insert(x, weight),
            Some(index) => {
                let (mean, count) = self.centroids[index];
                let merged = weighted_average(mean, count, x, weight);
                self.update(index, merged, count + weight);
            }
        }
        self.count += weight;
        if self.centroids.len() as f64 > 20.0 * COMPRESSION {
            self.compress();
        }
    }

    /// Inserts a centroid after every centroid whose mean is not greater.
    fn insert(&mut self, mean: f64, count: u64) {
        let at = self.centroids.partition_point(|(m, _)| *m <= mean);
        self.centroids.insert(at, (mean, count));
    }

    /// Replaces a centroid; in place while it keeps its order, else removed and inserted
    /// again, as the tree does.
    fn update(&mut self, index: usize, mean: f64, count: u64) {
        let after_previous = index == 0 || mean >= self.centroids[index - 1].0;
        let before_next = index + 1 == self.centroids.len() || mean < self.centroids[index + 1].0;
        if after_previous && before_next {
            self.centroids[index] = (mean, count);
        } else {
            self.centroids.remove(index);
            self.insert(mean, count);
        }
    }

    /// Adds the centroids again in a shuffled order (when there are too many).
    fn compress(&mut self) {
        let mut old = std::mem::take(&mut self.centroids);
        for i in (1..old.len()).rev() {
            let other = self.random.next_int(i as u32 + 1) as usize;
            old.swap(i, other);
        }
        for (mean, count) in old {
            self.add_weighted(mean, count);
        }
    }

    /// The digest's estimate of the `q` quantile (0 to 1); `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let centroids = &self.centroids;
        match centroids.len() {
            0 => return None,
            1 => return Some(centroids[0].0),
            _ => {}
        }
        let index = q * (self.count as f64 - 1.0);
        // The last centroid whose preceding counts are at most the index.
        let floor = index as u64;
        let mut next = 0;
        let mut head = 0_u64;
        let mut running = 0_u64;
        for (i, (_, count)) in centroids.iter().enumerate() {
            if running > floor {
                break;
            }
            next = i;
            head = running;
            running += count;
        }
        let mut total = head as f64;
        let mut previous_mean = f64::NAN;
        let mut previous_index = 0.0;
        if next > 0 {
            previous_mean = centroids[next - 1].0;
            previous_index = total - (centroids[next - 1].1 as f64 + 1.0) / 2.0;
        }
        loop {
            let (mean, count) = centroids[next];
            let next_index = total + (count as f64 - 1.0) / 2.0;
            if next_index >= index {
                if previous_mean.is_nan() {
                    if next_index == previous_index {
                        return Some(mean);
                    }
                    let (mean2, count2) = centroids[next + 1];
                    let next_index2 = total + count as f64 + (count2 as f64 - 1.0) / 2.0;
                    previous_mean = (next_index2 * mean - next_index * mean2) / (next_index2 - next_index);
                }
                return Some(interpolate(index, previous_index, next_index, previous_mean, mean));
            } else if next + 1 == centroids.len() {
                let next_index2 = self.count as f64 - 1.0;
                let next_mean2 = (mean * (next_index2 - previous_index) - previous_mean * (next_index2 - next_index))
                    / (next_index - previous_index);
                return Some(interpolate(index, next_index, next_index2, mean, next_mean2));
            }
            total += count as f64;
            previous_mean = mean;
            previous_index = next_index;
            next += 1;
        }
    }
}

fn weighted_average(x1: f64, w1: u64, x2: f64, w2: u64) -> f64 {
    let (low, w_low, high, w_high) = if x1 <= x2 { (x1, w1, x2, w2) } else { (x2, w2, x1, w1) };
    let x = (low * w_low as f64 + high * w_high as f64) / (w_low + w_high) as f64;
    low.max(x.min(high))
}

fn interpolate(index: f64, previous_index: f64, next_index: f64, previous_mean: f64, next_mean: f64) -> f64 {
    let delta = next_index - previous_index;
    let previous_weight = (next_index - index) / delta;
    let next_weight = (index - previous_index) / delta;
    previous_mean * previous_weight + next_mean * next_weight
}

/// Java's `Math.round`: half up, to a whole number.
pub fn java_round(value: f64) -> f64 {
    let floor = value.floor();
    if value - floor >= 0.5 { floor + 1.0 } else { floor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_draws_as_java_does() {
        // new java.util.Random(0): nextDouble() ×2, then nextInt(10) ×3.
        let mut random = JavaRandom::new(0);
        assert_eq!(random.next_double(), 0.730_967_787_376_657);
        assert_eq!(random.next_double(), 0.240_536_415_671_485_87);
        let mut random = JavaRandom::new(0);
        assert_eq!([random.next_int(10), random.next_int(10), random.next_int(10)], [0, 8, 9]);
    }

    #[test]
    fn small_digests_interpolate_between_centroids() {
        let mut digest = Digest::new();
        for value in [344.0, 337.0, 87.0] {
            digest.add(value);
        }
        // Gatling 3.2's report of these three requests: p50 337, p75 341, p95 343, p99 344.
        let percentile = |p: f64| java_round(digest.quantile(p / 100.0).unwrap());
        assert_eq!(
            [percentile(50.0), percentile(75.0), percentile(95.0), percentile(99.0)],
            [337.0, 341.0, 343.0, 344.0]
        );
        assert_eq!(digest.quantile(0.0).unwrap() as i64, 87);
        assert_eq!(digest.quantile(1.0).unwrap() as i64, 344);
        assert_eq!(Digest::new().quantile(0.5), None);
    }

    #[test]
    fn java_rounding_is_half_up() {
        assert_eq!(java_round(2.5), 3.0);
        assert_eq!(java_round(-2.5), -2.0);
        assert_eq!(java_round(0.499_999_999_999_999_94), 0.0);
    }
}
