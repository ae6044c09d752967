//! An equi-join of integer keys by radix partitioning, for the one join of `run --all` whose
//! hash table is far larger than the processor's caches: the contacts of five years (73 million
//! at national volume) against the diagnoses of multimorbidity's conditions (26 million).
//!
//! Polars' streaming join probes one hash table of all 26 million keys, and each of the 73
//! million probes waits on main memory: building and probing it was over a third of the
//! multimorbidity analysis at national volume (perf; bench/HISTORY.md). Here both
//! sides are first split by the leading bits of their keys' hash into partitions of a few tens of
//! thousands of build keys, and each partition is joined on its own with a table small enough
//! for the processor's second-level cache (the radix join of Boncz, Manegold and Kersten,
//! "Database architecture optimized for the new bottleneck: memory access", VLDB 1999; measured
//! on multi-core machines by Balkesen, Teubner, Alonso and Özsu, "Main-memory hash joins on
//! multi-core CPUs: tuning to the underlying hardware", ICDE 2013). Partitions are joined in
//! parallel on rayon's threads.
//!
//! Keys are hashed with MurmurHash3's 64-bit finaliser; a null key joins nothing.

use polars::prelude::*;
use rayon::prelude::*;

/// Partitions: 2^10, so that a partition of the 26 million condition diagnoses (about 25,000
/// keys) has a table of 64K slots of 4 bytes, within a 1 MiB second-level cache.
const PARTITION_BITS: u32 = 10;
const PARTITIONS: usize = 1 << PARTITION_BITS;

/// The rows of one side of the join grouped by partition: partition `p` holds `keys[offsets[p]..
/// offsets[p + 1]]`, and `values` a value carried with each key (a row number or a payload).
pub struct Partitioned {
    offsets: Vec<usize>,
    keys: Vec<i64>,
    values: Vec<u64>,
}

impl Partitioned {
    /// The non-null keys of `keys`, each with `value_of` its row number, grouped by partition
    /// (a counting sort: one pass to count, one to place), in row order within each partition.
    pub fn of(keys: &Int64Chunked, value_of: impl Fn(usize) -> u64) -> Partitioned {
        let mut counts = vec![0usize; PARTITIONS];
        for_each_key(keys, |_, key| counts[partition(hash(key))] += 1);
        let mut offsets = Vec::with_capacity(PARTITIONS + 1);
        let mut total = 0;
        offsets.push(0);
        for count in &counts {
            total += count;
            offsets.push(total);
        }
        let mut next: Vec<usize> = offsets[..PARTITIONS].to_vec();
        let mut placed_keys = vec![0i64; total];
        let mut placed_values = vec![0u64; total];
        for_each_key(keys, |row, key| {
            let slot = &mut next[partition(hash(key))];
            placed_keys[*slot] = key;
            placed_values[*slot] = value_of(row);
            *slot += 1;
        });
        Partitioned {
            offsets,
            keys: placed_keys,
            values: placed_values,
        }
    }

    fn partition(&self, p: usize) -> (&[i64], &[u64]) {
        let range = self.offsets[p]..self.offsets[p + 1];
        (&self.keys[range.clone()], &self.values[range])
    }

    /// Every pair of keys equal on this side (the build side) and `probe`'s, as their values
    /// `(probe value, build value)`, one entry per pair, in ascending order.
    pub fn matches(&self, probe: &Partitioned) -> Vec<(u64, u64)> {
        let pairs: Vec<Vec<(u64, u64)>> = (0..PARTITIONS)
            .into_par_iter()
            .map(|p| {
                let (build_keys, build_values) = self.partition(p);
                let (probe_keys, probe_values) = probe.partition(p);
                join_partition(build_keys, build_values, probe_keys, probe_values)
            })
            .collect();
        let mut pairs: Vec<(u64, u64)> = pairs.into_iter().flatten().collect();
        // In the probe side's order, so that its rows are gathered in one forward pass.
        pairs.par_sort_unstable();
        pairs
    }
}

/// Calls `each` with the row number and key of every non-null key of `keys`, in row order.
fn for_each_key(keys: &Int64Chunked, mut each: impl FnMut(usize, i64)) {
    let mut row = 0;
    for array in keys.downcast_iter() {
        match array.validity().filter(|v| v.unset_bits() > 0) {
            None => {
                for &key in array.values().iter() {
                    each(row, key);
                    row += 1;
                }
            }
            Some(valid) => {
                for (&key, valid) in array.values().iter().zip(valid.iter()) {
                    if valid {
                        each(row, key);
                    }
                    row += 1;
                }
            }
        }
    }
}

/// The pairs of one partition: a table of the build keys with open addressing (linear probing,
/// at most half full), where a key found several times has a slot per row.
fn join_partition(
    build_keys: &[i64],
    build_values: &[u64],
    probe_keys: &[i64],
    probe_values: &[u64],
) -> Vec<(u64, u64)> {
    let mut pairs = Vec::new();
    if build_keys.is_empty() || probe_keys.is_empty() {
        return pairs;
    }
    let mask = (2 * build_keys.len()).next_power_of_two() - 1;
    // Slot contents: 0 for empty, else 1 + the build key's index within the partition.
    let mut slots = vec![0u32; mask + 1];
    for (i, &key) in build_keys.iter().enumerate() {
        let mut slot = hash(key) as usize & mask;
        while slots[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        slots[slot] = i as u32 + 1;
    }
    for (&key, &probe_value) in probe_keys.iter().zip(probe_values) {
        let mut slot = hash(key) as usize & mask;
        while slots[slot] != 0 {
            let i = (slots[slot] - 1) as usize;
            if build_keys[i] == key {
                pairs.push((probe_value, build_values[i]));
            }
            slot = (slot + 1) & mask;
        }
    }
    pairs
}

/// The partition of a hash: its leading bits (the slot within a partition takes its trailing
/// bits, so the two are independent).
fn partition(hash: u64) -> usize {
    (hash >> (64 - PARTITION_BITS)) as usize
}

/// MurmurHash3's 64-bit finaliser (`fmix64`): every bit of the key affects every bit of the
/// hash, so keys that differ only in high bits still spread over partitions and slots.
fn hash(key: i64) -> u64 {
    let mut h = key as u64;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn murmur_finaliser_matches_its_published_values() {
        // The reference implementation's fmix64 of 0, 1 and 2^64 - 1, as independent ports
        // assert them.
        assert_eq!(hash(0), 0);
        assert_eq!(hash(1), 0xb456_bcfc_34c2_cb2c);
        assert_eq!(hash(-1), 0x64b5_720b_4b82_5f21);
    }

    /// Every (probe row, build row) pair with equal non-null keys, by comparing every pair.
    fn pairs_by_hand(build: &[Option<i64>], probe: &[Option<i64>]) -> Vec<(u64, u64)> {
        let mut pairs = Vec::new();
        for (i, p) in probe.iter().enumerate() {
            for (j, b) in build.iter().enumerate() {
                if p.is_some() && p == b {
                    pairs.push((i as u64, j as u64));
                }
            }
        }
        pairs
    }

    /// The pairs of row numbers the join finds.
    fn matches(build: &[Option<i64>], probe: &[Option<i64>]) -> Vec<(u64, u64)> {
        let row = |i: usize| i as u64;
        let build = Partitioned::of(&Int64Chunked::new("b".into(), build), row);
        build.matches(&Partitioned::of(&Int64Chunked::new("p".into(), probe), row))
    }

    #[test]
    fn joins_as_comparing_every_pair_would() {
        // Repeated keys on both sides, nulls on both sides, negative and extreme keys, and a
        // key on one side only.
        let build = [
            Some(7),
            Some(-3),
            None,
            Some(7),
            Some(i64::MAX),
            Some(i64::MIN),
            Some(12),
        ];
        let probe = [
            Some(7),
            None,
            Some(12),
            Some(5),
            Some(-3),
            Some(7),
            Some(i64::MIN),
            Some(i64::MAX),
        ];
        let expected = pairs_by_hand(&build, &probe);
        // Written out: probe 0 and 5 (key 7) meet build 0 and 3; 2 (12) meets 6; 4 (-3) meets
        // 1; 6 and 7 meet 5 and 4.
        assert_eq!(
            expected,
            [
                (0, 0),
                (0, 3),
                (2, 6),
                (4, 1),
                (5, 0),
                (5, 3),
                (6, 5),
                (7, 4)
            ]
        );
        assert_eq!(matches(&build, &probe), expected);
    }

    #[test]
    fn random_keys_join_as_comparing_every_pair_would() {
        let mut rng = Rng::new(11, 0);
        // Few distinct keys, so most partitions are empty and some keys repeat many times; and
        // many, so every partition has keys.
        for distinct in [40u64, 5_000] {
            let draw = |rng: &mut Rng| (rng.below(10) > 0).then(|| rng.below(distinct) as i64);
            let build: Vec<Option<i64>> = (0..1_500).map(|_| draw(&mut rng)).collect();
            let probe: Vec<Option<i64>> = (0..2_000).map(|_| draw(&mut rng)).collect();
            let expected = pairs_by_hand(&build, &probe);
            assert!(!expected.is_empty());
            assert_eq!(matches(&build, &probe), expected, "{distinct} keys");
        }
    }

    #[test]
    fn an_empty_side_joins_nothing() {
        assert!(matches(&[], &[Some(1)]).is_empty());
        assert!(matches(&[Some(1)], &[]).is_empty());
        assert!(matches(&[None], &[None]).is_empty());
    }
}
