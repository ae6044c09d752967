//! Whether text carries leading or trailing whitespace (the rule `text_padding`), tested in
//! place.
//!
//! Comparing each value with its stripped copy (`strip_chars`) wrote a new text array of every
//! value of every text column: two billion values of a national folder. Looking at a value's
//! first and last characters answers the same (`str::trim` strips exactly the characters
//! `char::is_whitespace` names, as Polars' `strip_chars` does) without writing anything.

use polars::prelude::*;

/// Whether `value` starts or ends with whitespace.
pub fn is_padded(value: &str) -> bool {
    value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace)
}

/// Row by row, whether the text of `text` is padded (null where the text is null).
pub fn padded(text: Expr) -> Expr {
    text.map(
        |values| {
            let values = values.str()?;
            let flags: BooleanChunked = values.iter().map(|value| value.map(is_padded)).collect();
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
                Some(false),
                None
            ]
        );
    }
}
