//! The contact keys of a folder as one bit each, for the key rules of its validation: whether a
//! diagnosis's or a procedure's `DW_EK_KONTAKT` is a contact's, and whether a contact's key is
//! repeated.
//!
//! Checking 225 million diagnosis and procedure keys against 137 million contact keys of a
//! national patient register by hash join took the contacts' keys in passes (each pass a hash
//! table of a gigabyte) and most of a minute (bench/results). Integer contact keys are a data
//! warehouse's running numbers (LPR3's `DW_EK_KONTAKT`), so they fill a range densely: one bit per
//! number of that range marks the keys seen, at 17 MB for the national register, and a lookup is
//! one load. A folder whose keys spread over more than [`MOST_BITS`] numbers (or are text:
//! LPR2's prefixed `RECNUM`, CSV) keeps the hash join.
//!
//! Bits are set with atomic `or`, so the scan that marks them runs on every thread, and the bit
//! that was already set tells a repeated key as it passes: the count of repeated rows is exact
//! whatever the order of the batches (the rows less the distinct keys), though which of a key's
//! rows is called the repeat is not.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;

/// The widest range of keys marked by bits: 2^33 numbers, a gigabyte.
pub const MOST_BITS: u64 = 1 << 33;

/// How many repeated keys are remembered to cite their rows.
const REMEMBERED: usize = 3;

/// One bit for each number from `first` to `first + bits - 1`.
pub struct ContactMarks {
    first: i64,
    bits: u64,
    words: Vec<AtomicU64>,
    /// The first few keys found repeated, to show their rows.
    repeated: Mutex<Vec<i64>>,
}

impl ContactMarks {
    /// Marks for keys from `min` to `max`, or `None` when that range is wider than
    /// [`MOST_BITS`].
    pub fn for_range(min: i64, max: i64) -> Option<ContactMarks> {
        let bits = bits_between(min, max)?;
        let words = (0..bits.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        Some(ContactMarks {
            first: min,
            bits,
            words,
            repeated: Mutex::new(Vec::new()),
        })
    }

    /// The bit of `key`: its word and mask, `None` outside the range.
    fn position(&self, key: i64) -> Option<(usize, u64)> {
        let offset = u64::try_from(i128::from(key) - i128::from(self.first)).ok()?;
        (offset < self.bits).then(|| ((offset / 64) as usize, 1u64 << (offset % 64)))
    }

    /// Marks every key of `keys` (integers) and returns, row by row, whether the key was marked
    /// before (a repeated key); a missing key is not repeated. A key outside the range (the file
    /// changed since its range was read) is an error.
    pub fn mark(&self, keys: &Column) -> PolarsResult<Column> {
        let keys = keys.cast(&DataType::Int64)?;
        let seen: BooleanChunked = keys
            .i64()?
            .iter()
            .map(|key| match key {
                None => Ok(false),
                Some(key) => {
                    let (word, mask) = self.position(key).ok_or_else(|| {
                        PolarsError::ComputeError(
                            format!("contact key {key} lies outside the keys read a moment ago: the file changed while it was read").into(),
                        )
                    })?;
                    let before = self.words[word].fetch_or(mask, Ordering::Relaxed);
                    let repeated = before & mask != 0;
                    if repeated {
                        self.remember(key);
                    }
                    Ok(repeated)
                }
            })
            .collect::<PolarsResult<_>>()?;
        Ok(seen.with_name(keys.name().clone()).into_column())
    }

    fn remember(&self, key: i64) {
        if let Ok(mut repeated) = self.repeated.lock()
            && repeated.len() < REMEMBERED
            && !repeated.contains(&key)
        {
            repeated.push(key);
        }
    }

    /// The first few keys [`Self::mark`] found repeated.
    pub fn repeated(&self) -> Vec<i64> {
        self.repeated.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Row by row, whether the key of `keys` (integers) was never marked; a missing key is not
    /// unknown (its own rules count it).
    pub fn unknown(&self, keys: &Column) -> PolarsResult<Column> {
        let keys = keys.cast(&DataType::Int64)?;
        let unknown: BooleanChunked = keys
            .i64()?
            .iter()
            .map(|key| {
                key.map(|key| match self.position(key) {
                    Some((word, mask)) => self.words[word].load(Ordering::Relaxed) & mask == 0,
                    None => true,
                })
                .or(Some(false))
            })
            .collect();
        Ok(unknown.with_name(keys.name().clone()).into_column())
    }
}

/// The numbers from `min` to `max`, if at least one and at most [`MOST_BITS`].
fn bits_between(min: i64, max: i64) -> Option<u64> {
    let bits = u64::try_from(i128::from(max) - i128::from(min) + 1).ok()?;
    (bits > 0 && bits <= MOST_BITS).then_some(bits)
}

/// `key` (an integer column) as the flag `flag` of [`ContactMarks::mark`] or
/// [`ContactMarks::unknown`], computed batch by batch as the scan passes.
pub fn flag(key: Expr, marks: std::sync::Arc<ContactMarks>, marking: bool) -> Expr {
    key.map(
        move |keys| {
            if marking {
                marks.mark(&keys)
            } else {
                marks.unknown(&keys)
            }
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(keys: &[Option<i64>]) -> Column {
        Column::new("k".into(), keys)
    }

    fn flags(column: Column) -> Vec<bool> {
        column
            .bool()
            .expect("flags")
            .iter()
            .map(|f| f.expect("never null"))
            .collect()
    }

    #[test]
    fn repeated_and_unknown_keys_are_told_by_hand() {
        let marks = ContactMarks::for_range(-3, 130).expect("narrow");
        let first = marks
            .mark(&column(&[Some(-3), Some(64), None, Some(130), Some(64)]))
            .expect("marked");
        assert_eq!(flags(first), [false, false, false, false, true]);
        let second = marks.mark(&column(&[Some(-3), Some(0)])).expect("marked");
        assert_eq!(flags(second), [true, false]);
        assert_eq!(marks.repeated(), [64, -3]);
        let unknown = marks
            .unknown(&column(&[
                Some(-3),
                Some(1),
                Some(130),
                None,
                Some(131),
                Some(-4),
            ]))
            .expect("probed");
        assert_eq!(flags(unknown), [false, true, false, false, true, true]);
        assert!(marks.mark(&column(&[Some(131)])).is_err());
    }

    #[test]
    fn a_range_too_wide_for_bits_is_refused() {
        assert_eq!(bits_between(0, (MOST_BITS - 1) as i64), Some(MOST_BITS));
        assert_eq!(bits_between(-1, (MOST_BITS - 1) as i64), None);
        assert_eq!(bits_between(i64::MIN, i64::MAX), None);
        assert_eq!(bits_between(5, 4), None);
        assert_eq!(bits_between(7, 7), Some(1));
    }
}
