//! Text formatting shared by every document: HTML escaping and numbers as the reader's language
//! writes them (Danish uses a decimal comma, Retskrivningsordbogen §§ on tal; English a point).

use super::labels::Lang;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number with a fixed number of decimals in the language's notation, "–" for none.
pub fn number(value: Option<f64>, decimals: usize, lang: Lang) -> String {
    match value {
        Some(v) => {
            let text = format!("{v:.decimals$}");
            match lang {
                Lang::Da => text.replace('.', ","),
                Lang::En => text,
            }
        }
        None => "–".into(),
    }
}

/// A count, "–" for none.
pub fn count(value: Option<u64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

/// An estimate with its interval, "41,2 (38,0–44,5)".
pub fn with_interval(
    value: Option<f64>,
    lower: Option<f64>,
    upper: Option<f64>,
    decimals: usize,
    lang: Lang,
) -> String {
    match (value, lower, upper) {
        (Some(_), Some(_), Some(_)) => format!(
            "{} ({}–{})",
            number(value, decimals, lang),
            number(lower, decimals, lang),
            number(upper, decimals, lang)
        ),
        _ => number(value, decimals, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_numbers_use_a_decimal_comma() {
        assert_eq!(number(Some(41.25), 1, Lang::Da), "41,2");
        assert_eq!(number(Some(41.26), 1, Lang::En), "41.3");
        assert_eq!(number(None, 1, Lang::Da), "–");
        assert_eq!(
            with_interval(Some(1.0), Some(0.5), Some(1.5), 1, Lang::Da),
            "1,0 (0,5–1,5)"
        );
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
