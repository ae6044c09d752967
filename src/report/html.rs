//! The plain HTML report of one analysis: what was computed, the tables, the figure, the method,
//! the disclosure rule and the provenance. Self-contained (inline SVG and CSS).

use super::labels::{Lang, dimension, group, measure};
use crate::dates;
use crate::pipeline::results::{ResultRow, SUMMARY_GROUP, SuppressionSummary, TOTAL};
use crate::pipeline::spec::{Design, LoadedSpec, Match, Outcome};

/// What the report needs beyond the rows.
pub struct ReportContext<'a> {
    pub spec: &'a LoadedSpec,
    pub rows: &'a [ResultRow],
    /// (file path, outcome id, SVG) of each figure.
    pub figures: &'a [(String, String, String)],
    pub suppression: &'a SuppressionSummary,
    pub spec_hash: &'a str,
    pub registers: &'a str,
    pub lang: Lang,
    pub preliminary: bool,
    /// The NOT FOR RELEASE mark of an internal run, shown at the top of the page and in its title.
    pub internal: Option<&'a str>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "–".into())
}

fn with_ci(row: Option<&ResultRow>, decimals: usize, lang: Lang) -> String {
    match row {
        Some(r) if r.value.is_some() && r.lower.is_some() => format!(
            "{} ({}–{})",
            num(r.value, decimals),
            num(r.lower, decimals),
            num(r.upper, decimals)
        ),
        Some(r) if r.value.is_some() => num(r.value, decimals),
        Some(r) if r.suppressed => lang.pick("undertrykt", "suppressed").into(),
        Some(r) => escape(&r.note),
        None => String::new(),
    }
}

/// The rows one table shows: one outcome, one sub-analysis, one year.
struct Slice<'a> {
    outcome: &'a Outcome,
    subanalysis: &'a str,
    year: i32,
}

/// The table of one dimension.
fn table(ctx: &ReportContext, slice: &Slice, dim: &str, number: usize) -> String {
    let lang = ctx.lang;
    let rows: Vec<&ResultRow> = ctx
        .rows
        .iter()
        .filter(|r| {
            r.dimension == dim
                && r.outcome == slice.outcome.id
                && r.subanalysis == slice.subanalysis
                && r.year == slice.year
        })
        .collect();
    let mut groups: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.measure == "proportion") {
        if !groups.contains(&r.group.as_str()) {
            groups.push(r.group.as_str());
        }
    }
    let find = |g: &str, m: &str| {
        rows.iter()
            .copied()
            .find(|r| r.group == g && r.measure == m)
    };
    let has = |m: &str| rows.iter().any(|r| r.measure == m);
    let mut columns: Vec<(&str, usize)> = vec![("proportion", 1)];
    for (m, d) in [
        ("proportion_age_sex_std", 1),
        ("difference", 1),
        ("ratio", 2),
        ("waiting_days_mean", 1),
        ("waiting_days_median", 0),
        ("funnel_998", 1),
    ] {
        if has(m) {
            columns.push((m, d));
        }
    }
    let mut html = format!(
        "<table>\n<caption>{} {number}. {} {} {}</caption>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>",
        lang.pick("Tabel", "Table"),
        escape(lang.pick(&slice.outcome.name_da, &slice.outcome.name_en)),
        lang.pick("efter", "by"),
        dimension(dim, lang).to_lowercase(),
        dimension(dim, lang),
        lang.pick("Patienter", "Patients"),
        lang.pick("Med udfaldet", "With the outcome"),
    );
    for (m, _) in &columns {
        html.push_str(&format!("<th>{}</th>", measure(m, lang)));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for g in groups {
        let crude = find(g, "proportion");
        let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            escape(&group(dim, g, lang)),
            count(crude.and_then(|r| r.denominator)),
            count(crude.and_then(|r| r.numerator)),
        ));
        for (m, d) in &columns {
            html.push_str(&format!(
                "<td class=\"n\">{}</td>",
                with_ci(find(g, m), *d, lang)
            ));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    let summaries: Vec<&&ResultRow> = rows.iter().filter(|r| r.group == SUMMARY_GROUP).collect();
    if !summaries.is_empty() {
        html.push_str(&format!(
            "<table class=\"summary\">\n<caption>{}</caption>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            lang.pick("Summariske ulighedsmål (WHO HEAT)", "Summary measures of inequality (WHO HEAT)"),
            lang.pick("Mål", "Measure"),
            lang.pick("Værdi (95% CI)", "Value (95% CI)"),
            lang.pick("Metode", "Method"),
        ));
        for r in summaries {
            html.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                r.measure.to_uppercase(),
                with_ci(Some(r), 2, lang),
                r.method
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html
}

/// The trend of the total proportion per outcome over the years.
fn trend_table(ctx: &ReportContext) -> String {
    let lang = ctx.lang;
    let years: Vec<i32> = {
        let mut y: Vec<i32> = ctx.rows.iter().map(|r| r.year).collect();
        y.sort_unstable();
        y.dedup();
        y
    };
    if years.len() < 2 {
        return String::new();
    }
    let mut html = format!(
        "<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th>",
        lang.pick("Udvikling", "Trend"),
        lang.pick("Udfald", "Outcome")
    );
    for y in &years {
        html.push_str(&format!("<th>{y}</th>"));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let first_dim = ctx
        .spec
        .spec
        .stratifiers
        .first()
        .map(|s| s.code())
        .unwrap_or_default();
    for o in &ctx.spec.spec.outcomes {
        html.push_str(&format!(
            "<tr><td>{}</td>",
            escape(lang.pick(&o.name_da, &o.name_en))
        ));
        for y in &years {
            let total = ctx.rows.iter().find(|r| {
                r.outcome == o.id
                    && r.subanalysis.is_empty()
                    && r.year == *y
                    && r.dimension == first_dim
                    && r.group == TOTAL
                    && r.measure == "proportion"
            });
            html.push_str(&format!("<td class=\"n\">{}</td>", with_ci(total, 1, lang)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// A description of the patient group's criteria, e.g. "DI21 (aktionsdiagnose)".
fn criteria(spec: &LoadedSpec, lang: Lang) -> String {
    let group = &spec.spec.patient_group;
    let describe = |c: &crate::pipeline::spec::Criterion| {
        let mut parts: Vec<String> = c.diagnoses.iter().map(|d| format!("D{d}")).collect();
        parts.extend(c.procedures.iter().cloned());
        parts.extend(c.atc.iter().map(|a| format!("ATC {a}")));
        let mut text = parts.join(", ");
        if !c.units.is_empty() {
            text.push_str(&format!(
                " ({} {})",
                lang.pick("enhedstype", "unit type"),
                c.units.join(", ")
            ));
        }
        if let Some(days) = c.lookback_days {
            text.push_str(&format!(
                " {} {days} {}",
                lang.pick("inden for", "within"),
                lang.pick("dage før indeks", "days before the index")
            ));
        }
        text
    };
    let joiner = match group.combine {
        Match::Any => lang.pick(" eller ", " or "),
        Match::All => lang.pick(" og ", " and "),
    };
    let mut text = group
        .include
        .iter()
        .map(describe)
        .collect::<Vec<_>>()
        .join(joiner);
    for c in &group.exclude {
        text.push_str(&format!("; {} {}", lang.pick("ikke", "not"), describe(c)));
    }
    if let Some(n) = group.min_conditions {
        text.push_str(&format!(
            "; {} {n} {}",
            lang.pick("mindst", "at least"),
            lang.pick("kroniske sygdomme", "chronic conditions")
        ));
    }
    text
}

/// The whole report page.
pub fn render(ctx: &ReportContext) -> String {
    let spec = &ctx.spec.spec;
    let lang = ctx.lang;
    let title = lang.pick(&spec.title_da, &spec.title_en);
    let mut body = String::new();
    if let Some(mark) = ctx.internal {
        body.push_str(&format!(
            "<p class=\"internal\"><strong>{}</strong> {}</p>\n",
            escape(mark),
            lang.pick(
                "Intern kørsel uden diskretionering: må ikke forlade det sikre miljø.",
                "Internal run without disclosure control: must not leave the secure environment."
            )
        ));
    }
    if ctx.preliminary {
        body.push_str(&format!(
            "<p class=\"status\"><strong>{}</strong></p>\n",
            lang.pick(
                "Midtvejsstatus: alle resultater er foreløbige.",
                "Midway status: all results are preliminary."
            )
        ));
    }
    body.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"lead\">{}</p>\n",
        escape(title),
        escape(lang.pick(&spec.description_da, &spec.description_en))
    ));
    let design = match ctx.spec.design {
        Design::IndexDate(d) => format!(
            "{}: {}",
            lang.pick("Bosatte på indeksdatoen", "Residents on the index date"),
            dates::format_iso(d)
        ),
        Design::Period(a, b) => format!(
            "{} {}–{}",
            lang.pick("Første hændelse i perioden", "First event in the period"),
            dates::format_iso(a),
            dates::format_iso(b)
        ),
    };
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul>\n<li>{design}</li>\n<li>{}: {}–{} {}</li>\n<li>{}: {}</li>\n",
        lang.pick("Opgørelsen", "The analysis"),
        lang.pick("Alder", "Age"),
        spec.population.age_min.unwrap_or(0),
        spec.population.age_max.unwrap_or(120),
        lang.pick("år ved indeks", "years at the index"),
        lang.pick("Patientgruppe", "Patient group"),
        escape(&criteria(ctx.spec, lang)),
    ));
    for o in &spec.outcomes {
        body.push_str(&format!(
            "<li>{}: {} ({} {}–{} {})</li>\n",
            lang.pick("Udfald", "Outcome"),
            escape(lang.pick(&o.name_da, &o.name_en)),
            o.codes.join(", "),
            o.window_days[0],
            o.window_days[1],
            lang.pick("dage efter indeks", "days after the index"),
        ));
    }
    body.push_str("</ul>\n");
    let last_year = ctx
        .rows
        .iter()
        .map(|r| r.year)
        .max()
        .unwrap_or(ctx.spec.year());
    let mut number = 0;
    let mut subs: Vec<(&str, String)> = vec![("", String::new())];
    for sub in &spec.sub_analyses {
        subs.push((
            sub.id.as_str(),
            lang.pick(&sub.name_da, &sub.name_en).to_string(),
        ));
    }
    for (sub_id, sub_name) in &subs {
        if !sub_id.is_empty() {
            body.push_str(&format!(
                "<h2>{}: {}</h2>\n",
                lang.pick("Underanalyse", "Sub-analysis"),
                escape(sub_name)
            ));
        }
        for o in &spec.outcomes {
            if !ctx
                .rows
                .iter()
                .any(|r| r.outcome == o.id && r.subanalysis == *sub_id)
            {
                continue;
            }
            let slice = Slice {
                outcome: o,
                subanalysis: sub_id,
                year: last_year,
            };
            body.push_str(&format!(
                "<h2>{}</h2>\n",
                escape(lang.pick(&o.name_da, &o.name_en))
            ));
            for dim in &spec.stratifiers {
                number += 1;
                body.push_str(&format!("<h3>{}</h3>\n", dimension(&dim.code(), lang)));
                body.push_str(&table(ctx, &slice, &dim.code(), number));
            }
            if sub_id.is_empty()
                && let Some((path, _, svg)) = ctx.figures.iter().find(|(_, id, _)| *id == o.id)
            {
                body.push_str(&format!(
                    "<figure>\n{svg}\n<figcaption>{} ({}) {}</figcaption>\n</figure>\n",
                    escape(lang.pick(&o.name_da, &o.name_en)),
                    escape(path),
                    lang.pick(
                        "med 95% sikkerhedsintervaller.",
                        "with 95% confidence intervals."
                    ),
                ));
            }
        }
    }
    body.push_str(&trend_table(ctx));
    body.push_str(&format!(
        "<h2>{}</h2>\n<p>{}</p>\n<p>{} {}. {} {} {} {} {}.</p>\n",
        lang.pick("Metode", "Method"),
        lang.pick(
            "Andele med Wilsons scoreinterval (Wilson 1927; Newcombe 1998). Alders- og kønsstandardiserede andele ved direkte standardisering i brede aldersgrupper og køn med Dobsons interval (Dobson m.fl. 1991). Forskel og ratio til den mest begunstigede gruppe (lang uddannelse, 5. indkomstkvintil, dansk oprindelse; ellers gruppen med det bedste resultat) med delta-metodens intervaller som i WHO's HEAT. Summariske mål (SII, RII, koncentrationsindeks, PAF, PAR, spredningsmål) som i WHO's HEAT/healthequal og PHEindicatormethods. Ventetider som gennemsnit med Students t-interval og median. Tragtdiagramgrænser (95% og 99,8%) som i PHEindicatormethods.",
            "Proportions with Wilson score intervals (Wilson 1927; Newcombe 1998). Age- and sex-standardised proportions by direct standardisation in broad age groups and sex with Dobson intervals (Dobson et al. 1991). Difference and ratio to the most advantaged group (long education, 5th income quintile, Danish origin; otherwise the group with the best result) with delta-method intervals as in WHO's HEAT. Summary measures (SII, RII, concentration indices, PAF, PAR, dispersion measures) as in WHO's HEAT/healthequal and PHEindicatormethods. Waiting times as means with Student's t intervals and medians. Funnel-plot limits (95% and 99.8%) as in PHEindicatormethods."
        ),
        lang.pick("Diskretion: celler med færre end", "Disclosure control: cells describing fewer than"),
        ctx.suppression.threshold,
        lang.pick("personer (tæller, nævner eller deres forskel) er undertrykt, og yderligere celler er undertrykt, så ingen kan regnes tilbage fra totaler. Primært undertrykte:", "persons (numerator, denominator or their difference) are suppressed, and further cells are suppressed so that none can be worked back from totals. Primary:"),
        ctx.suppression.primary,
        lang.pick("; sekundært:", "; secondary:"),
        ctx.suppression.secondary,
        "",
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul class=\"provenance\">\n<li>ulighed {}</li>\n<li>{}: {}</li>\n<li>{}: sha256 {}</li>\n<li>{}: {}</li>\n</ul>\n",
        lang.pick("Proveniens", "Provenance"),
        env!("CARGO_PKG_VERSION"),
        lang.pick("Specifikation", "Specification"),
        escape(&ctx.spec.path.display().to_string()),
        lang.pick("Specifikationens hash", "Specification hash"),
        ctx.spec_hash,
        lang.pick("Registre", "Registers"),
        escape(ctx.registers),
    ));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n.internal{{background:#c00;color:#fff;padding:.5rem}}\nbody{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\ntable{{border-collapse:collapse;margin:1rem 0}}\nth,td{{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}}\ntd.n{{text-align:right;font-variant-numeric:tabular-nums}}\ncaption{{text-align:left;font-weight:bold;padding:.3rem 0}}\nfigure{{margin:1rem 0}}\n@media print{{body{{margin:0}}h2{{break-after:avoid}}table,figure{{break-inside:avoid}}}}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        lang.pick("da", "en"),
        escape(&match ctx.internal {
            Some(mark) => format!("{mark}: {title}"),
            None => title.to_string(),
        }),
        body
    )
}
