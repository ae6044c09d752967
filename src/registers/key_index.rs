//! A register's integer keys, sorted and indexed for lookups from the scans of other files: the
//! key rules of a validation ask, for each of a national folder's 500 million event rows, whether
//! its person is in `bef` and whether its contact is in `lpr_kontakter`.
//!
//! Polars' join answers that by hashing the probing rows and gathering every column carried
//! through it; joining a national prescriptions register to `bef`'s persons that way took
//! 33 s of a 48 s scan (bench/HISTORY.md). Here the known keys are sorted once and the scan asks
//! each row's key of a flat array: the keys' range is cut into buckets of about four keys, a
//! directory gives each bucket's first key, and a lookup reads the directory and the few keys
//! of the bucket side by side. Only a key and a flag pass through the scan. It holds 4 bytes a
//! key (its offset within the bucket) and 4 a bucket: about 0.7 GB for the 137 million contacts
//! of a national patient register. Sorting also tells the repeated keys, for `contact_unique`.

use std::sync::Arc;

use polars::prelude::*;

/// Sorted distinct keys with a directory of buckets over their range. A key is held as its
/// offset within its bucket, in 32 bits.
pub struct KeyIndex {
    first: i64,
    /// Bits a key's offset from `first` is shifted right by to give its bucket (at most 32).
    shift: u32,
    /// For each bucket, the index of its first key (and one past the last bucket: the count).
    starts: Vec<u32>,
    /// Each key's offset from `first` less its bucket's start, ascending within a bucket.
    within: Vec<u32>,
}

/// Keys per bucket, about: a lookup reads the bucket's few keys side by side, and the directory
/// costs a quarter of the keys' own 4 bytes each.
const KEYS_PER_BUCKET: u64 = 4;

/// The shift that cuts a range of `span` into about one bucket per [`KEYS_PER_BUCKET`] of
/// `keys`, at most 32 (so a key's offset within its bucket fits 32 bits); `None` when that
/// leaves far more buckets than keys (keys spread over more than 2^32 numbers apiece).
fn bucket_shift(span: u64, keys: usize) -> Option<u32> {
    let buckets_wanted = (keys as u64 / KEYS_PER_BUCKET).max(1).next_power_of_two();
    let span_bits = 64 - span.leading_zeros();
    let shift = span_bits
        .saturating_sub(buckets_wanted.trailing_zeros())
        .min(32);
    ((span >> shift) <= 4 * buckets_wanted).then_some(shift)
}

impl KeyIndex {
    /// The index of `sorted` (ascending, each key once), or `None` for keys too spread to index
    /// ([`bucket_shift`]) or too many for the directory's 32-bit positions.
    pub fn from_sorted(sorted: Vec<i64>) -> Option<KeyIndex> {
        debug_assert!(sorted.windows(2).all(|w| w[0] < w[1]));
        u32::try_from(sorted.len()).ok()?;
        let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
            return Some(KeyIndex {
                first: 0,
                shift: 0,
                starts: vec![0, 0],
                within: Vec::new(),
            });
        };
        let span = last.abs_diff(first);
        let shift = bucket_shift(span, sorted.len())?;
        let buckets = (span >> shift) as usize + 1;
        let mut starts = Vec::with_capacity(buckets + 1);
        let mut at = 0usize;
        for bucket in 0..buckets as u64 {
            while at < sorted.len() && (sorted[at].abs_diff(first) >> shift) < bucket {
                at += 1;
            }
            starts.push(at as u32);
        }
        starts.push(sorted.len() as u32);
        let mask = (1u64 << shift) - 1;
        let within = sorted
            .iter()
            .map(|key| (key.abs_diff(first) & mask) as u32)
            .collect();
        Some(KeyIndex {
            first,
            shift,
            starts,
            within,
        })
    }

    /// Whether `key` is one of the keys.
    pub fn contains(&self, key: i64) -> bool {
        let Some(bucket) = self.bucket(key) else {
            return false;
        };
        let (start, end) = (self.starts[bucket], self.starts[bucket + 1]);
        let offset = (key.abs_diff(self.first) & ((1u64 << self.shift) - 1)) as u32;
        self.within[start as usize..end as usize]
            .binary_search(&offset)
            .is_ok()
    }

    /// The bucket of `key`, if it lies in the keys' range.
    fn bucket(&self, key: i64) -> Option<usize> {
        if key < self.first {
            return None;
        }
        let bucket = (key.abs_diff(self.first) >> self.shift) as usize;
        (bucket + 1 < self.starts.len()).then_some(bucket)
    }

    /// For each of `keys`, whether it is not one of the keys ([`Self::contains`]), looked up a
    /// few keys ahead of the answers: the directory entry of a key 32 places on and the first key
    /// of its bucket 16 places on are fetched from memory while this key is answered, since a
    /// lookup's two reads from a national index miss the processor's caches (22 ns a lookup
    /// against 40 without, bench/HISTORY.md).
    pub fn unknown_of(&self, keys: &[i64], out: &mut Vec<bool>) {
        const DIRECTORY_AHEAD: usize = 32;
        const KEYS_AHEAD: usize = 16;
        for (i, key) in keys.iter().enumerate() {
            if let Some(bucket) = keys.get(i + DIRECTORY_AHEAD).and_then(|k| self.bucket(*k)) {
                prefetch(&self.starts[bucket]);
            }
            if let Some(first) = keys
                .get(i + KEYS_AHEAD)
                .and_then(|k| self.bucket(*k))
                .and_then(|bucket| self.within.get(self.starts[bucket] as usize))
            {
                prefetch(first);
            }
            out.push(!self.contains(*key));
        }
    }
}

/// Asks the processor to bring `value`'s cache line in without waiting for it.
#[inline]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault; the pointer is to a live value.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Row by row, whether the integer key of `key` is missing from `index` (false where the key
/// itself is missing: its own rules count it), computed batch by batch as the scan passes.
pub fn unknown(key: Expr, index: Arc<KeyIndex>) -> Expr {
    key.map(
        move |keys| {
            let keys = keys.cast(&DataType::Int64)?;
            let keys = keys.i64()?;
            let mut flags = Vec::with_capacity(keys.len());
            for chunk in keys.downcast_iter() {
                let start = flags.len();
                index.unknown_of(chunk.values().as_slice(), &mut flags);
                // A missing key is not unknown; its value slot holds anything.
                if let Some(validity) = chunk.validity() {
                    for (flag, valid) in flags[start..].iter_mut().zip(validity.iter()) {
                        *flag &= valid;
                    }
                }
            }
            Ok(BooleanChunked::from_slice(keys.name().clone(), &flags).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    )
}

/// Sorted keys with their repeats: the distinct keys, how many of the values repeated a key
/// already among them, and the first few such keys.
pub struct Deduplicated {
    pub distinct: Vec<i64>,
    pub repeated: u64,
    pub first_repeated: Vec<i64>,
}

/// How many repeated keys are remembered to cite their rows.
const REMEMBERED: usize = 3;

/// The keys of `column` (without nulls) in one vector, to be sorted in place: Polars' sort of a
/// national register's keys held them three times over.
pub fn values_of(column: &Int64Chunked) -> Vec<i64> {
    let mut values = Vec::with_capacity(column.len());
    for chunk in column.downcast_iter() {
        values.extend_from_slice(chunk.values().as_slice());
    }
    values
}

/// `sorted` (ascending, repeats side by side) made distinct in place.
pub fn deduplicated(mut sorted: Vec<i64>) -> Deduplicated {
    let (mut repeated, mut first_repeated) = (0u64, Vec::new());
    let mut kept = 0usize;
    for i in 0..sorted.len() {
        let key = sorted[i];
        if kept > 0 && sorted[kept - 1] == key {
            repeated += 1;
            if first_repeated.len() < REMEMBERED && first_repeated.last() != Some(&key) {
                first_repeated.push(key);
            }
        } else {
            sorted[kept] = key;
            kept += 1;
        }
    }
    sorted.truncate(kept);
    Deduplicated {
        distinct: sorted,
        repeated,
        first_repeated,
    }
}

/// The keys of `earlier` (sorted distinct) and `later` (sorted distinct) together, and those of
/// `later` that `earlier` already had, the first few of them remembered.
pub fn merged(earlier: &[i64], later: &[i64]) -> (Vec<i64>, u64, Vec<i64>) {
    let mut union = Vec::with_capacity(earlier.len() + later.len());
    let (mut common, mut remembered) = (0u64, Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < earlier.len() && j < later.len() {
        match earlier[i].cmp(&later[j]) {
            std::cmp::Ordering::Less => {
                union.push(earlier[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                union.push(later[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                union.push(earlier[i]);
                common += 1;
                if remembered.len() < REMEMBERED {
                    remembered.push(later[j]);
                }
                i += 1;
                j += 1;
            }
        }
    }
    union.extend_from_slice(&earlier[i..]);
    union.extend_from_slice(&later[j..]);
    (union, common, remembered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_and_no_other_whatever_their_spread() {
        let sets: [Vec<i64>; 5] = [
            vec![],
            vec![7],
            vec![-5, 0, 1, 2, 3, 64, 65, 1_000_000_007],
            (0..1000).map(|i| i * 11_000 + (i % 7)).collect(),
            vec![-(1 << 33), -1, 0, 1 << 33],
        ];
        for keys in sets {
            let index = KeyIndex::from_sorted(keys.clone()).expect("indexed");
            for &k in &keys {
                assert!(index.contains(k), "{k} of {keys:?}");
            }
            let others = keys
                .iter()
                .flat_map(|&k| [k.wrapping_sub(1), k.wrapping_add(1)])
                .chain([i64::MIN + 1, 8, 12_345, i64::MAX - 1])
                .filter(|k| !keys.contains(k));
            for k in others {
                assert!(!index.contains(k), "{k} is not among {keys:?}");
            }
        }
    }

    #[test]
    fn keys_spread_over_more_than_32_bits_apiece_are_not_indexed() {
        assert!(KeyIndex::from_sorted(vec![i64::MIN, 0, i64::MAX]).is_none());
        assert!(KeyIndex::from_sorted(vec![0, 1 << 40]).is_none());
        assert!(KeyIndex::from_sorted(vec![0, 1 << 33]).is_some());
    }

    #[test]
    fn repeats_are_counted_within_and_across_sets_by_hand() {
        let within = deduplicated(vec![1, 1, 1, 4, 9, 9]);
        assert_eq!(within.distinct, [1, 4, 9]);
        assert_eq!(within.repeated, 3);
        assert_eq!(within.first_repeated, [1, 9]);
        let (union, common, remembered) = merged(&[1, 4, 9], &[0, 4, 9, 12]);
        assert_eq!(union, [0, 1, 4, 9, 12]);
        assert_eq!((common, remembered), (2, vec![4, 9]));
    }

    #[test]
    fn unknown_keys_are_flagged_in_a_scan() {
        let index = Arc::new(KeyIndex::from_sorted(vec![2, 3, 10]).expect("indexed"));
        let frame = df!("k" => [Some(2i64), None, Some(4), Some(10)]).expect("frame");
        let flags = frame
            .lazy()
            .select([unknown(col("k"), index).alias("u")])
            .collect()
            .expect("flagged");
        let flags: Vec<Option<bool>> = flags
            .column("u")
            .expect("u")
            .bool()
            .expect("bool")
            .iter()
            .collect();
        assert_eq!(flags, [Some(false), Some(false), Some(true), Some(false)]);
    }
}
