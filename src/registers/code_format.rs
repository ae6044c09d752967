//! The code-format rules' regular expressions, run about once per distinct short value a thread
//! meets.
//!
//! A validation tests every code of a folder against its format: at national volume 197 million
//! diagnoses, 146 million action diagnoses and 357 million prescriptions' ATC codes. A register
//! holds few distinct codes (some thousands of ICD-10 codes, fewer ATC codes), so most of those
//! searches repeat one already made. Polars' `str.contains` searched every row, an eighth of a
//! national validation's processor time (perf, bench/HISTORY.md). Here each value of at most
//! [`REMEMBERED_BYTES`] bytes (every SKS and ATC code, the SOCIO13 and HFAUDD codes) is first
//! looked up in a direct-mapped table of the verdicts its thread has reached for the pattern.

use std::cell::RefCell;
use std::collections::HashMap;

use polars::prelude::*;
use regex::Regex;

/// The longest value remembered: its bytes and its length fill a 128-bit table key.
const REMEMBERED_BYTES: usize = 15;

/// Slots in a table: a register's codes in use (tens of thousands of distinct diagnoses in the
/// national patient register) fit with few collisions, and the table (272 kB) stays in the
/// processor's second-level cache.
const SLOTS: usize = 1 << 14;

thread_local! {
    /// Each pattern's verdicts, per thread: a verdict is the pattern's alone, so every file and
    /// rule with the same pattern shares them, and threads never wait for each other.
    static MEMOS: RefCell<HashMap<&'static str, Memo>> = RefCell::new(HashMap::new());
}

/// True where `value` (text) matches `pattern` (anchored by the pattern itself, as
/// `str.contains` would read it), null where `value` is null. `pattern` is one of the code
/// rules' constants: a pattern that does not compile is a fault of this program's code.
pub fn matches(value: Expr, pattern: &'static str) -> Expr {
    let regex = Regex::new(pattern).expect("a code rule's pattern compiles");
    value.map(
        move |values| {
            let texts = values.str()?;
            let matched: BooleanChunked = MEMOS.with(|memos| {
                let mut memos = memos.borrow_mut();
                let memo = memos.entry(pattern).or_insert_with(Memo::new);
                texts.apply_nonnull_values_generic(DataType::Boolean, |v: &str| {
                    memo.is_match(&regex, v)
                })
            });
            Ok(matched.into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    )
}

/// Verdicts of short values, one per slot; a value whose slot holds another is searched again
/// and takes the slot.
struct Memo {
    keys: Vec<u128>,
    /// 0: the slot is empty, 1: its value does not match, 2: it matches.
    verdicts: Vec<u8>,
}

impl Memo {
    fn new() -> Memo {
        Memo {
            keys: vec![0; SLOTS],
            verdicts: vec![0; SLOTS],
        }
    }

    fn is_match(&mut self, regex: &Regex, value: &str) -> bool {
        let bytes = value.as_bytes();
        if bytes.len() > REMEMBERED_BYTES {
            return regex.is_match(value);
        }
        let mut key = [0u8; 16];
        key[0] = bytes.len() as u8;
        key[1..=bytes.len()].copy_from_slice(bytes);
        let key = u128::from_le_bytes(key);
        let slot = Self::slot_of(key);
        if self.verdicts[slot] != 0 && self.keys[slot] == key {
            return self.verdicts[slot] == 2;
        }
        let matched = regex.is_match(value);
        self.keys[slot] = key;
        self.verdicts[slot] = 1 + matched as u8;
        matched
    }

    /// A multiplicative hash of the key's two halves, its top bits the slot.
    fn slot_of(key: u128) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each value's verdict from the memoised test, over a column that repeats values (so the
    /// table answers most rows), holds a null and a value too long to remember.
    fn verdicts(pattern: &'static str, values: &[Option<&str>]) -> Vec<Option<bool>> {
        let frame = df!("v" => values).expect("frame");
        let out = frame
            .lazy()
            .select([matches(col("v"), pattern)])
            .collect()
            .expect("collect");
        out.column("v")
            .expect("v")
            .bool()
            .expect("bool")
            .iter()
            .collect()
    }

    #[test]
    fn remembered_verdicts_are_the_regular_expressions_own() {
        let pattern = "^D[A-Z][0-9]{2}[A-Z0-9]*$";
        let regex = Regex::new(pattern).expect("regex");
        // Forty thousand distinct codes (more than the table's slots), each five times,
        // interleaved so that slots collide and are taken over; some valid, some not (a
        // lower-case letter, a missing D).
        let mut values: Vec<Option<String>> = Vec::new();
        for round in 0..5 {
            for i in 0..40_000 {
                let letter = (b'A' + (i % 26) as u8) as char;
                let code = match (i + round) % 3 {
                    0 => format!("D{letter}{:02}", i % 100),
                    1 => format!("d{letter}{:02}{}", i % 100, i % 7),
                    _ => format!("D{letter}{:02}X{}", i % 100, i),
                };
                values.push(Some(code));
            }
            values.push(None);
            values.push(Some("DA001234567890123456789".into()));
            values.push(Some("A001234567890123456789".into()));
            values.push(Some(String::new()));
        }
        let borrowed: Vec<Option<&str>> = values.iter().map(|v| v.as_deref()).collect();
        let expected: Vec<Option<bool>> = borrowed
            .iter()
            .map(|v| v.map(|v| regex.is_match(v)))
            .collect();
        assert!(expected.contains(&Some(true)) && expected.contains(&Some(false)));
        assert_eq!(verdicts(pattern, &borrowed), expected);
    }

    #[test]
    fn values_differing_only_in_length_or_trailing_bytes_are_not_confused() {
        // "1" matches, "12" and "1\0" do not: the key holds the length beside the bytes.
        let got = verdicts(
            "^[12]$",
            &[Some("1"), Some("12"), Some("1\0"), Some("1"), None],
        );
        assert_eq!(
            got,
            vec![Some(true), Some(false), Some(false), Some(true), None]
        );
    }
}
