//! Person keys as integers where every `PNR` of a folder is a string of digits.
//!
//! Every analysis joins and groups on `PNR` many times (the patient group, the population, each
//! outcome, each stratifier). Hashing and comparing 10-character strings costs markedly more than
//! 64-bit integers do (the diabetes analysis at national volume: bench/HISTORY.md). Danish
//! person numbers, pseudonymised or not, are ten digits, so a folder whose validation found only
//! digit keys is read with integer keys; any other key keeps the whole folder on text, since the
//! keys of one folder must compare with each other.
//!
//! The integer is the key's number times 32 plus its count of digits (`0101` becomes 101 * 32 + 4
//! = 3236, `101` becomes 101 * 32 + 3 = 3235): leading zeros are part of a person number, and two
//! keys that differ only in them stay two persons. Seventeen digits at most fit an `Int64` that
//! way, where writing a digit before each key would copy every string first. A run takes the
//! two parts from Polars' parse and the length its text column stores ([`person_key`]); the
//! validation from one read of each key's bytes ([`person_key_unchecked`]).

use std::path::Path;

use polars::prelude::*;

/// The integer key is the key's number times this plus its count of digits (which is below it).
const DIGITS_BASE: i64 = 32;

/// The most digits a key may have to be read as an integer: (10^17 - 1) * 32 + 17 is below
/// `i64::MAX`, (10^18 - 1) * 32 is not.
const MOST_DIGITS: usize = 17;

/// True on a row whose `PNR` (as text, null where absent) cannot be read as an integer key: a
/// validation fact counted over every file, not a finding. Digits only, 1 to 17 of them
/// ([`digit_key`]).
pub fn not_digits(pnr: Expr) -> Expr {
    pnr.clone()
        .is_not_null()
        .and(person_key_unchecked(pnr).is_null())
}

/// Polars' message for a failed strict parse of person keys ([`person_key`]), up to the keys.
const FAILED_PARSE: &str = "conversion from `str` to `i64` failed in column 'PNR'";

/// The key `pnr` (text) in the type `persons` of its folder, named `PNR`: itself for text, else
/// its number times 32 plus its count of digits (see the module's documentation).
///
/// The parse is strict: a key that is not digits although the validation found only digits (a
/// file changed without its size or modification time changing) stops the run, with
/// [`changed_since_validation`]'s message, rather than losing the person.
///
/// Polars' own strict cast, not the validation's parse ([`person_key_unchecked`]): its error
/// names the keys, and the parse made no difference to a warm `run --all` at national volume
/// that the runs' own spread (about 6 s of 50 s) did not hide (bench/HISTORY.md).
pub fn person_key(pnr: Expr, persons: &DataType) -> Expr {
    match persons {
        DataType::Int64 => {
            pnr.clone().strict_cast(DataType::Int64) * lit(DIGITS_BASE)
                + pnr.str().len_bytes().cast(DataType::Int64)
        }
        _ => pnr,
    }
    .alias("PNR")
}

/// The text of the person keys `keys` of type `persons` ([`person_key`]'s inverse): a filter
/// on the text a register holds spares the parse of every row it drops.
pub fn person_texts(keys: &Series, persons: &DataType) -> PolarsResult<Series> {
    if persons != &DataType::Int64 {
        return Ok(keys.clone());
    }
    let texts: StringChunked = keys
        .i64()?
        .iter()
        .map(|key| {
            key.map(|k| {
                format!(
                    "{:0width$}",
                    k / DIGITS_BASE,
                    width = (k % DIGITS_BASE) as usize
                )
            })
        })
        .collect();
    Ok(texts.with_name(keys.name().clone()).into_series())
}

/// [`person_key`] as an integer without stopping on a key that is not digits (null then): for
/// the validation, which compares keys as integers before it knows whether every key of the
/// folder is digits, and keeps the comparison only if they are.
///
/// A validation parses every person key of every file (some 800 million at national volume).
/// Polars' cast to `Int64`, with the length and the arithmetic of the key, took about 11 ns a
/// key and a twelfth of the validation's processor time; [`digit_key`] takes one array pass and
/// reads eight digits at a time.
pub fn person_key_unchecked(pnr: Expr) -> Expr {
    pnr.map(
        |values| {
            let texts = values.str()?;
            let mut keys = Int64Chunked::from_vec(values.name().clone(), Vec::new());
            // A validity only where some key is null or not digits: a column without one takes
            // the joins' and groupings' faster paths.
            for array in texts.downcast_iter() {
                let mut exact = true;
                let numbers: Vec<i64> = array
                    .iter()
                    .map(|text| {
                        text.and_then(|t| digit_key(t.as_bytes()))
                            .unwrap_or_else(|| {
                                exact = false;
                                0
                            })
                    })
                    .collect();
                let validity = if exact {
                    None
                } else {
                    let valid = BooleanChunked::from_iter_values(
                        PlSmallStr::EMPTY,
                        array
                            .iter()
                            .map(|text| text.is_some_and(|t| digit_key(t.as_bytes()).is_some())),
                    );
                    valid.downcast_iter().next().map(|a| a.values().clone())
                };
                keys.append_owned(Int64Chunked::from_vec_validity(
                    values.name().clone(),
                    numbers,
                    validity,
                ))?;
            }
            Ok(keys.with_name(values.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Int64)),
    )
}

/// The integer key of a person key's bytes (its number times 32 plus its count of digits), or
/// `None` unless they are 1 to [`MOST_DIGITS`] ASCII digits.
fn digit_key(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > MOST_DIGITS {
        return None;
    }
    let mut number: i64 = 0;
    let mut rest = bytes;
    while let Some((eight, after)) = rest.split_first_chunk::<8>() {
        number = number * 100_000_000 + eight_digits(u64::from_le_bytes(*eight))? as i64;
        rest = after;
    }
    for &byte in rest {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        number = number * 10 + digit as i64;
    }
    Some(number * DIGITS_BASE + bytes.len() as i64)
}

/// The number eight ASCII digits spell (the first digit in the lowest byte), or `None` when a
/// byte is not a digit. Lemire's method: the digits' values are summed in pairs, then fours,
/// then the eight, by three multiplications (D. Lemire, "Quickly parsing eight digits", 2022).
fn eight_digits(chunk: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let values = chunk.wrapping_sub(0x30 * ONES);
    // A byte below '0' borrows into its top bit; one above '9' carries into it when 0x46 is
    // added. Either way the first such byte shows, whatever it does to the bytes after it.
    if (values | chunk.wrapping_add(0x46 * ONES)) & (0x80 * ONES) != 0 {
        return None;
    }
    let pairs = values * 10 + (values >> 8);
    let fours = (pairs & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32))
        + ((pairs >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    Some(fours >> 32)
}

/// The message for a failed parse of [`person_key`] in `error` (any error's text), or `None`
/// when `error` is another one. `folder` is the registers folder, `cache` the remembered
/// validations to delete. Polars' message names the keys but not the file, since one query
/// reads many.
pub fn changed_since_validation(error: &str, folder: &Path, cache: &Path) -> Option<String> {
    let (_, after) = error.split_once(FAILED_PARSE)?;
    let keys = after
        .split_once(": ")
        .map_or("", |(_, keys)| keys)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(format!(
        "{}: a person key (PNR) is not digits: {keys}. The folder's validation found every PNR \
         to be digits, so a file has changed since without its size or modification time \
         changing; delete {} and run again to validate the folder anew",
        folder.display(),
        cache.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(values: &[Option<&str>]) -> LazyFrame {
        df!("PNR" => values).expect("frame").lazy()
    }

    /// The integer keys of `values`.
    fn integer_keys(values: &[Option<&str>]) -> Vec<Option<i64>> {
        let read = frame(values)
            .select([person_key(col("PNR"), &DataType::Int64)])
            .collect()
            .expect("read");
        let key = read.column("PNR").expect("PNR").i64().expect("i64");
        key.iter().collect()
    }

    /// Whether each of `values` keeps its folder on text keys.
    fn not_digits_of(values: &[Option<&str>]) -> Vec<bool> {
        let read = frame(values)
            .select([not_digits(col("PNR"))])
            .collect()
            .expect("read");
        let bad = read.column("PNR").expect("PNR").bool().expect("bool");
        bad.iter().map(|b| b == Some(true)).collect()
    }

    #[test]
    fn keys_that_differ_only_in_leading_zeros_stay_apart() {
        let values = [Some("0101"), Some("101"), Some("0101901234"), None];
        assert_eq!(
            integer_keys(&values),
            [
                Some(101 * 32 + 4),
                Some(101 * 32 + 3),
                Some(101_901_234 * 32 + 10),
                None
            ]
        );
        assert_eq!(not_digits_of(&values), [false; 4]);
        // The validation's parse gives the run's keys.
        let read = frame(&values)
            .select([person_key_unchecked(col("PNR"))])
            .collect()
            .expect("read");
        let unchecked: Vec<Option<i64>> = read
            .column("PNR")
            .expect("PNR")
            .i64()
            .expect("i64")
            .iter()
            .collect();
        assert_eq!(unchecked, integer_keys(&values));
    }

    #[test]
    fn integer_keys_give_back_the_text_they_were_read_from() {
        let values = [
            Some("0101"),
            Some("101"),
            Some("0000007165"),
            Some("9999999999"),
            Some("7"),
            Some("99999999999999999"),
            None,
        ];
        let keys = Series::new("PNR".into(), integer_keys(&values));
        let texts = person_texts(&keys, &DataType::Int64).expect("texts");
        let texts: Vec<Option<&str>> = texts.str().expect("text").iter().collect();
        assert_eq!(texts, values);
        let text_keys = Series::new("PNR".into(), ["p1", "0101"]);
        let same = person_texts(&text_keys, &DataType::String).expect("texts");
        assert_eq!(same, text_keys);
    }

    #[test]
    fn seventeen_digits_are_the_most_an_integer_key_holds() {
        let seventeen = "99999999999999999";
        let eighteen = "100000000000000000";
        assert_eq!(
            integer_keys(&[Some(seventeen)]),
            [Some(99_999_999_999_999_999 * 32 + 17)]
        );
        assert_eq!(not_digits_of(&[Some(seventeen)]), [false]);
        let refused = [
            Some(eighteen),
            Some(""),
            Some("12 4"),
            Some(" 12"),
            Some("12 "),
            Some("p1"),
            Some("-12"),
            Some("+12"),
            Some("-0"),
            Some("+0"),
            Some("+"),
            Some("12.0"),
            Some("1e3"),
            Some("1_2"),
            Some("0x1F"),
            Some("\u{0661}\u{0662}"),
        ];
        assert_eq!(not_digits_of(&refused), [true; 16]);
    }

    /// The key of `bytes` digit by digit, as a person reads it.
    fn key_by_hand(bytes: &[u8]) -> Option<i64> {
        if bytes.is_empty() || bytes.len() > MOST_DIGITS || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let number: i64 = std::str::from_utf8(bytes).ok()?.parse().ok()?;
        Some(number * DIGITS_BASE + bytes.len() as i64)
    }

    #[test]
    fn keys_read_eight_digits_at_a_time_are_the_digits_read_one_by_one() {
        // Every length, each position of it holding every byte value in turn (the others
        // digits): a byte just below '0' or above '9', a non-ASCII byte, a zero byte.
        for length in 1..=MOST_DIGITS + 1 {
            let digits: Vec<u8> = (0..length).map(|i| b'0' + (i * 7 % 10) as u8).collect();
            assert_eq!(digit_key(&digits), key_by_hand(&digits), "{digits:?}");
            for at in 0..length {
                for byte in 0..=u8::MAX {
                    let mut bytes = digits.clone();
                    bytes[at] = byte;
                    assert_eq!(digit_key(&bytes), key_by_hand(&bytes), "{bytes:?}");
                }
            }
        }
        assert_eq!(digit_key(b""), None);
        assert_eq!(
            digit_key(b"99999999999999999"),
            Some(99_999_999_999_999_999 * 32 + 17)
        );
    }

    #[test]
    fn text_keys_are_read_as_they_are() {
        let read = frame(&[Some("p1"), Some("0101")])
            .select([person_key(col("PNR"), &DataType::String)])
            .collect()
            .expect("read");
        let pnr = read.column("PNR").expect("PNR").str().expect("text");
        assert_eq!(pnr.iter().collect::<Vec<_>>(), [Some("p1"), Some("0101")]);
    }

    #[test]
    fn a_key_that_stopped_being_digits_is_reported_with_its_folder() {
        let frame = frame(&[Some("0101"), Some("x0002")])
            .select([person_key(col("PNR"), &DataType::Int64)]);
        let in_memory = frame.clone().collect().expect_err("x0002 is not digits");
        let streamed = super::super::scan::collect_streaming(frame).expect_err("not digits");
        let (folder, cache) = (Path::new("registers"), Path::new("out/.ulighed-cache"));
        for err in [in_memory, streamed] {
            let err = crate::error::Error::from(err).to_string();
            let message = changed_since_validation(&err, folder, cache).expect(&err);
            assert!(
                message.starts_with("registers: a person key (PNR) is not digits: [\"x0002\"]."),
                "{message}"
            );
            assert!(message.contains("delete out/.ulighed-cache"), "{message}");
        }
        let other = "conversion from `str` to `i32` failed in column 'KOM' for 1 out of 2 values";
        assert_eq!(changed_since_validation(other, folder, cache), None);
    }
}
