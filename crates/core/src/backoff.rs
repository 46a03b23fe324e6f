//! Reconnect and probe delays: exponential backoff with full jitter, and the ±20 % jitter of
//! the polling interval, both over the manager's one seeded RNG (given to each call).

/// Exponential backoff with full jitter (deterministic in tests: the RNG is seeded).
#[derive(Debug)]
pub struct Backoff {
    min: u64,
    max: u64,
}

impl Backoff {
    /// A backoff between `min` and `max` milliseconds.
    pub fn new(min: u64, max: u64) -> Backoff {
        Backoff {
            min,
            max: max.max(min),
        }
    }

    /// The delay before attempt number `failures + 1`: uniform in
    /// `[min, min(max, min · 2^(failures+1))]`.
    pub fn delay(&self, rng: &mut fastrand::Rng, failures: u32) -> u64 {
        let shift = failures.saturating_add(1).min(40);
        let cap = self
            .min
            .saturating_mul(1u64 << shift)
            .min(self.max)
            .max(self.min);
        uniform(rng, self.min, cap)
    }
}

/// `base` jittered uniformly by ±20 %, never below 1 ms.
pub fn jitter(rng: &mut fastrand::Rng, base: u64) -> u64 {
    let spread = base / 5;
    uniform(rng, base - spread, base + spread).max(1)
}

/// Uniform in `[lo, hi]` (`lo` when `hi < lo`). Not `Rng::u64(lo..=hi)`: its empty-range
/// panic formats the range with `Debug`, which links formatting code into the wasm. The
/// modulo bias is below 2⁻³² for spans under 2³² ms.
fn uniform(rng: &mut fastrand::Rng, lo: u64, hi: u64) -> u64 {
    match hi.saturating_sub(lo).checked_add(1) {
        Some(span) => lo + rng.u64(..) % span,
        None => rng.u64(..),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_in_bounds_and_grow() {
        let (b, mut rng) = (Backoff::new(500, 30_000), fastrand::Rng::with_seed(7));
        for failures in 0..50 {
            for _ in 0..200 {
                let d = b.delay(&mut rng, failures);
                let cap = (500u64 << (failures + 1).min(40)).min(30_000);
                assert!((500..=cap).contains(&d), "{d} for {failures}");
            }
        }
        // Full jitter: late attempts spread over the whole range.
        let late: Vec<u64> = (0..500).map(|_| b.delay(&mut rng, 20)).collect();
        assert!(late.iter().any(|&d| d < 5_000) && late.iter().any(|&d| d > 25_000));
    }

    #[test]
    fn seeded_is_deterministic_and_jitter_bounded() {
        let b = Backoff::new(10, 100);
        let (mut r1, mut r2) = (fastrand::Rng::with_seed(1), fastrand::Rng::with_seed(1));
        assert_eq!(
            (0..20).map(|i| b.delay(&mut r1, i)).collect::<Vec<_>>(),
            (0..20).map(|i| b.delay(&mut r2, i)).collect::<Vec<_>>()
        );
        let mut rng = fastrand::Rng::with_seed(1);
        for _ in 0..1000 {
            let j = jitter(&mut rng, 3000);
            assert!((2400..=3600).contains(&j));
        }
        assert_eq!(jitter(&mut rng, 1), 1);
    }

    #[test]
    fn uniform_reaches_both_ends_and_takes_odd_ranges() {
        let mut rng = fastrand::Rng::with_seed(3);
        let xs: Vec<u64> = (0..2000).map(|_| uniform(&mut rng, 5, 8)).collect();
        assert!(xs.iter().all(|x| (5..=8).contains(x)));
        assert!((5..=8).all(|v| xs.contains(&v)));
        assert_eq!(uniform(&mut rng, 9, 3), 9, "hi below lo gives lo");
        assert_eq!(uniform(&mut rng, 4, 4), 4);
        // The whole u64 range: no overflow.
        let _ = uniform(&mut rng, 0, u64::MAX);
    }
}
