//! Whether text carries leading or trailing whitespace (the rule `text_padding`), tested in
//! place.
//!
//! Comparing each value with its stripped copy (`strip_chars`) wrote a new text array of every
//! value of every text column: two billion values of a national folder. Looking at a value's
//! first and last characters answers the same (`str::trim` strips exactly the characters
//! `char::is_whitespace` names, as Polars' `strip_chars` does) without writing anything.

use polars::prelude::*;

/// Whether `value` starts or ends with whitespace. A first and last byte in ASCII (nearly every
/// register value) are tested as bytes: the ASCII whitespace is tab to carriage return and the
/// space; other characters are decoded.
pub fn is_padded(value: &str) -> bool {
    let ascii_white = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
    match value.as_bytes() {
        [] => false,
        [first, .., last] | [first @ last] if first.is_ascii() && last.is_ascii() => {
            ascii_white(*first) || ascii_white(*last)
        }
        _ => value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace),
    }
}

/// Row by row, whether the text of `text` is padded (null where the text is null).
pub fn padded(text: Expr) -> Expr {
    text.map(
        |values| {
            let values = values.str()?;
            let flags: BooleanChunked =
                values.apply_nonnull_values_generic(DataType::Boolean, is_padded);
            Ok(flags.with_name(values.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Boolean)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer as comparing with Polars' stripped copy, the rule's definition.
    #[test]
    fn padding_is_what_stripping_would_remove() {
        let values = [
            Some("DE119"),
            Some(" DE119"),
            Some("DE119 "),
            Some("DE 119"),
            Some(""),
            Some("   "),
            Some("\tA10"),
            Some("A10\u{a0}"),
            Some("\u{3000}x"),
            Some("\u{85}x"),
            Some("x\u{85}"),
            Some("\u{1c}x"),
            Some("x\u{0b}"),
            Some("x\u{0c}"),
            Some("\rx"),
            Some("x"),
            Some(" "),
            Some("a b"),
            Some("æøå"),
            None,
        ];
        let frame = df!("t" => values).expect("frame");
        let both = frame
            .lazy()
            .select([
                padded(col("t")).alias("in_place"),
                col("t")
                    .neq(col("t").str().strip_chars(lit(NULL)))
                    .alias("stripped"),
            ])
            .collect()
            .expect("tested");
        let flags = |name: &str| -> Vec<Option<bool>> {
            both.column(name)
                .expect("column")
                .bool()
                .expect("bool")
                .iter()
                .collect()
        };
        assert_eq!(flags("in_place"), flags("stripped"));
        assert_eq!(
            flags("in_place"),
            [
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                Some(false),
                Some(true),
                Some(false),
                Some(false),
                None
            ]
        );
    }
}
