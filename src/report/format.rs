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

/// A number with a fixed number of decimals in the language's notation, "–" for none: Danish
/// with a decimal comma and a point between thousands ("27.102,5"), English with a point and a
/// comma ("27,102.5"), and a real minus sign ("−2,6") in both (Retskrivningsordbogen §§ 50–51 on
/// tal; Danmarks Statistik groups every number from 1.000 up).
pub fn number(value: Option<f64>, decimals: usize, lang: Lang) -> String {
    let Some(v) = value else {
        return "–".into();
    };
    let text = format!("{:.decimals$}", v.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (thousands, point) = match lang {
        Lang::Da => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::new();
    // Rounded to nothing, a negative number is written without its sign ("0,0", not "−0,0").
    if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('−');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// A date as the language writes it in running text: "1. januar 2021", "1 January 2021".
pub fn date(day: i32, lang: Lang) -> String {
    const DA: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, d) = crate::dates::civil_from_days(day);
    let m = (month as usize).clamp(1, 12) - 1;
    match lang {
        Lang::Da => format!("{d}. {} {year}", DA[m]),
        Lang::En => format!("{d} {} {year}", EN[m]),
    }
}

/// A count in the language's notation ("27.102"), "–" for none.
pub fn count(value: Option<u64>, lang: Lang) -> String {
    value.map_or_else(|| "–".into(), |v| number(Some(v as f64), 0, lang))
}

/// A range, "38,0–44,5", written "−14,7 til −2,6" when a limit is negative (a dash between two
/// numbers with minus signs reads as a subtraction).
pub fn range(lower: f64, upper: f64, decimals: usize, lang: Lang) -> String {
    let dash = if lower < 0.0 || upper < 0.0 {
        lang.pick(" til ", " to ")
    } else {
        "–"
    };
    format!(
        "{}{dash}{}",
        number(Some(lower), decimals, lang),
        number(Some(upper), decimals, lang)
    )
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
        (Some(_), Some(l), Some(u)) => format!(
            "{} ({})",
            number(value, decimals, lang),
            range(l, u, decimals, lang)
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

    #[test]
    fn large_numbers_are_grouped_and_negative_ones_get_a_minus_sign() {
        assert_eq!(number(Some(27102.0), 0, Lang::Da), "27.102");
        assert_eq!(number(Some(27102.0), 0, Lang::En), "27,102");
        assert_eq!(number(Some(1234567.25), 1, Lang::Da), "1.234.567,2");
        assert_eq!(number(Some(999.0), 0, Lang::Da), "999");
        assert_eq!(number(Some(-14.72), 1, Lang::Da), "−14,7");
        assert_eq!(number(Some(-0.04), 1, Lang::Da), "0,0");
        assert_eq!(count(Some(18458), Lang::Da), "18.458");
        assert_eq!(count(None, Lang::Da), "–");
        assert_eq!(range(-14.72, -2.61, 1, Lang::Da), "−14,7 til −2,6");
        let day = crate::dates::days_from_civil(2024, 9, 30);
        assert_eq!(date(day, Lang::Da), "30. september 2024");
        assert_eq!(date(day, Lang::En), "30 September 2024");
        assert_eq!(range(-1.0, 2.0, 1, Lang::En), "−1.0 to 2.0");
        assert_eq!(
            with_interval(Some(-8.8), Some(-14.7), Some(-2.6), 1, Lang::Da),
            "−8,8 (−14,7 til −2,6)"
        );
    }
}
