//! The plain HTML report of one analysis: what was computed, the tables, the figure, the method,
//! the disclosure rule and the provenance. Self-contained (inline SVG and CSS).

use super::labels::{Lang, dimension, group, measure};
use crate::dates;
use crate::pipeline::results::{ResultRow, SuppressionSummary};
use crate::pipeline::spec::LoadedSpec;

/// What the report needs beyond the rows.
pub struct ReportContext<'a> {
    pub spec: &'a LoadedSpec,
    pub rows: &'a [ResultRow],
    pub figure_svg: &'a str,
    pub suppression: &'a SuppressionSummary,
    pub spec_hash: &'a str,
    pub registers: &'a str,
    pub lang: Lang,
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

fn with_ci(row: Option<&ResultRow>, decimals: usize) -> String {
    match row {
        Some(r) if r.value.is_some() => format!(
            "{} ({}–{})",
            num(r.value, decimals),
            num(r.lower, decimals),
            num(r.upper, decimals)
        ),
        Some(r) if r.suppressed => "undertrykt".into(),
        Some(r) => escape(&r.note),
        None => String::new(),
    }
}

/// The table of one dimension.
fn table(ctx: &ReportContext, dim: &str, number: usize) -> String {
    let lang = ctx.lang;
    let groups: Vec<&str> = {
        let mut seen = Vec::new();
        for r in ctx.rows.iter().filter(|r| r.dimension == dim) {
            if !seen.contains(&r.group.as_str()) {
                seen.push(r.group.as_str());
            }
        }
        seen
    };
    let find = |g: &str, m: &str| {
        ctx.rows
            .iter()
            .find(|r| r.dimension == dim && r.group == g && r.measure == m)
    };
    let mut html = format!(
        "<table>\n<caption>{} {number}. {} {} {}</caption>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        lang.pick("Tabel", "Table"),
        escape(lang.pick(
            &ctx.spec.spec.outcome.name_da,
            &ctx.spec.spec.outcome.name_en
        )),
        lang.pick("efter", "by"),
        dimension(dim, lang).to_lowercase(),
        dimension(dim, lang),
        lang.pick("Patienter", "Patients"),
        lang.pick("Behandlede", "Treated"),
        measure("proportion", lang),
        measure("proportion_age_std", lang),
        measure("difference", lang),
        measure("ratio", lang),
    );
    for g in groups {
        let crude = find(g, "proportion");
        let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            escape(&group(dim, g, lang)),
            count(crude.and_then(|r| r.denominator)),
            count(crude.and_then(|r| r.numerator)),
            with_ci(crude, 1),
            with_ci(find(g, "proportion_age_std"), 1),
            with_ci(find(g, "difference"), 1),
            with_ci(find(g, "ratio"), 2),
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// The whole report page.
pub fn render(ctx: &ReportContext) -> String {
    let spec = &ctx.spec.spec;
    let lang = ctx.lang;
    let title = lang.pick(&spec.title_da, &spec.title_en);
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"lead\">{}</p>\n",
        escape(title),
        escape(lang.pick(&spec.description_da, &spec.description_en))
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul>\n<li>{}: {}</li>\n<li>{}: {}–{} {}</li>\n<li>{}: {} ({} {} {})</li>\n<li>{}: {} ({} {} {})</li>\n</ul>\n",
        lang.pick("Opgørelsen", "The analysis"),
        lang.pick("Indeksdato", "Index date"),
        dates::format_iso(ctx.spec.index_date),
        lang.pick("Alder", "Age"),
        spec.population.age_min,
        spec.population.age_max,
        lang.pick("år, bosat på indeksdatoen", "years, resident on the index date"),
        lang.pick("Patientgruppe", "Patient group"),
        escape(&spec.patient_group.diagnoses.iter().map(|d| format!("D{d}")).chain(spec.patient_group.atc.iter().cloned()).collect::<Vec<_>>().join(", ")),
        lang.pick("inden for", "within"),
        spec.patient_group.lookback_days,
        lang.pick("dage før indeksdatoen", "days before the index date"),
        lang.pick("Udfald", "Outcome"),
        escape(lang.pick(&spec.outcome.name_da, &spec.outcome.name_en)),
        spec.outcome.atc.join(", "),
        lang.pick("inden for dage efter indeksdatoen:", "within days after the index date:"),
        spec.outcome.follow_up_days,
    ));
    for (i, dim) in spec.stratifiers.iter().enumerate() {
        body.push_str(&format!("<h2>{}</h2>\n", dimension(dim.code(), lang)));
        body.push_str(&table(ctx, dim.code(), i + 1));
        if dim.code() == "education" {
            body.push_str(&format!(
                "<figure>\n{}\n<figcaption>{} 1. {}</figcaption>\n</figure>\n",
                ctx.figure_svg,
                lang.pick("Figur", "Figure"),
                lang.pick(
                    "Andel behandlede efter uddannelse med 95% sikkerhedsintervaller.",
                    "Proportion treated by education with 95% confidence intervals."
                ),
            ));
        }
    }
    body.push_str(&format!(
        "<h2>{}</h2>\n<p>{}</p>\n<p>{} {}. {} {} {} {} {}.</p>\n",
        lang.pick("Metode", "Method"),
        lang.pick(
            "Andele med Wilsons scoreinterval (Wilson 1927; Newcombe 1998). Aldersstandardiserede andele ved direkte standardisering til European Standard Population 2013 i brede aldersgrupper med Dobsons interval (Dobson m.fl. 1991). Forskel og ratio til den mest begunstigede gruppe (lang uddannelse, 5. indkomstkvintil, dansk oprindelse; ellers gruppen med den højeste andel) med delta-metodens intervaller som i WHO's HEAT.",
            "Proportions with Wilson score intervals (Wilson 1927; Newcombe 1998). Age-standardised proportions by direct standardisation to the European Standard Population 2013 in broad age groups with Dobson intervals (Dobson et al. 1991). Difference and ratio to the most advantaged group (long education, 5th income quintile, Danish origin; otherwise the group with the highest proportion) with delta-method intervals as in WHO's HEAT."
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
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\ntable{{border-collapse:collapse;margin:1rem 0}}\nth,td{{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}}\ntd.n{{text-align:right;font-variant-numeric:tabular-nums}}\ncaption{{text-align:left;font-weight:bold;padding:.3rem 0}}\nfigure{{margin:1rem 0}}\n@media print{{body{{margin:0}}h2{{break-after:avoid}}table,figure{{break-inside:avoid}}}}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        lang.pick("da", "en"),
        escape(title),
        body
    )
}
