//! A small deterministic random number generator for simulated confidence
//! intervals, so that a run with the same seed gives the same interval on
//! every machine (reproducibility is a requirement of the annual analysis).
//!
//! * Generator: xoshiro256** (Blackman & Vigna 2018, "Scrambled linear
//!   pseudorandom number generators"), 256 bits of state, period 2^256 - 1.
//! * Seeding: the four state words come from SplitMix64 (Steele, Lea &
//!   Flood 2014) run from the user's 64-bit seed, the seeding the xoshiro
//!   authors recommend; it never yields the all-zero state.
//! * Uniforms: the top 53 bits, giving a double in [0, 1).
//! * Normals: the Marsaglia polar method (Marsaglia & Bray 1964), which
//!   yields two independent N(0, 1) draws per accepted pair.
//!
//! The draws differ from R's Mersenne-Twister/inversion stream, so a
//! simulated interval agrees with R's only up to Monte Carlo error.

/// xoshiro256** with a cached second normal deviate.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    /// A generator seeded from `seed` through SplitMix64.
    pub fn new(seed: u64) -> Rng {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            state: [next(), next(), next(), next()],
            spare_normal: None,
        }
    }

    /// The next 64 random bits (xoshiro256**).
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform double in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal deviate (Marsaglia polar method).
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * s.ln() / s).sqrt();
                self.spare_normal = Some(v * f);
                return u * f;
            }
        }
    }

    /// A normal deviate with the given mean and standard deviation.
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.standard_normal()
    }
}
