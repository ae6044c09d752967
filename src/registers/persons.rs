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
//! way. Both parts are cheap on Polars' text columns (a parse, and a length the column stores),
//! where writing a digit before each key would copy every string first.

use std::path::Path;

use polars::prelude::*;

/// The integer key is the key's number times this plus its count of digits (which is below it).
const DIGITS_BASE: i64 = 32;

/// The most digits a key may have to be read as an integer: (10^17 - 1) * 32 + 17 is below
/// `i64::MAX`, (10^18 - 1) * 32 is not.
const MOST_DIGITS: usize = 17;

/// True on a row whose `PNR` (as text, null where absent) cannot be read as an integer key: a
/// validation fact counted over every file, not a finding.
///
/// Digits only, 1 to 17 of them. Polars' text-to-integer parse (`atoi_simd`) refuses every
/// character but the digits and a leading sign, so only a leading sign is left to test; this
/// costs about a third of the regular expression `^[0-9]{1,17}$` over the keys of a national
/// folder (bench/HISTORY.md). The parse is [`person_key_unchecked`]'s, so that a scan computing
/// both parses each key once (Polars finds the common expression).
pub fn not_digits(pnr: Expr) -> Expr {
    let length = pnr.clone().str().len_bytes();
    pnr.clone().is_not_null().and(
        length
            .clone()
            .eq(lit(0u32))
            .or(length.gt(lit(MOST_DIGITS as u32)))
            .or(pnr.clone().cast(DataType::Int64).is_null())
            .or(pnr.clone().str().starts_with(lit("+")))
            .or(pnr.str().starts_with(lit("-"))),
    )
}

/// Polars' message for a failed strict parse of person keys ([`person_key`]), up to the keys.
const FAILED_PARSE: &str = "conversion from `str` to `i64` failed in column 'PNR'";

/// The key `pnr` (text) in the type `persons` of its folder, named `PNR`: itself for text, else
/// its number times 32 plus its count of digits (see the module's documentation).
///
/// The parse is strict: a key that is not digits although the validation found only digits (a
/// file changed without its size or modification time changing) stops the run, with
/// [`changed_since_validation`]'s message, rather than losing the person.
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

/// [`person_key`] as an integer without stopping on a key that is not digits (its value is then
/// meaningless, or null): for the validation, which compares keys as integers before it knows
/// whether every key of the folder is digits, and keeps the comparison only if they are.
pub fn person_key_unchecked(pnr: Expr) -> Expr {
    pnr.clone().cast(DataType::Int64) * lit(DIGITS_BASE)
        + pnr.str().len_bytes().cast(DataType::Int64)
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
