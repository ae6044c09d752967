//! The documents' chapter "Metode og data": the registers and how far they reach, each
//! analysis's population and the date its residence and other register facts are taken at, the
//! definitions of the stratifiers the document uses (SEPLINE's education and income, origin,
//! residence), and the patients from patient group to the patients at risk of each outcome.
//!
//! Definitions follow what `src/strata.rs`, `src/strata/income.rs` and `src/cohort/` do, and the
//! Danish SEPLINE guideline (Clinical Epidemiology 2025) they implement; the register columns
//! are those of `docs/registers.md`.

use super::chapter::{Numbered, Style};
use super::definitions;
use super::doc_table::{Cell, Column};
use super::format::escape;
use super::labels::{Lang, dimension};
use crate::dates;
use crate::registers::completeness::Completeness;
use crate::spec::{Derived, Design, LoadedSpec, Measure, Stratifier};
use crate::tidy::{Row, Status, TOTAL};

/// An analysis with results, as the chapter reads it.
pub struct AnalysisFacts<'a> {
    pub spec: &'a LoadedSpec,
    pub rows: &'a [Row],
    /// The residents in its ages and area in its last year, to the nearest thousand.
    pub population: u64,
}

fn column(heading: &str) -> Column {
    Column {
        heading: heading.to_string(),
        interval: false,
    }
}

/// The chapter's HTML.
pub fn section(
    analyses: &[AnalysisFacts<'_>],
    completeness: &[Completeness],
    as_of: i32,
    style: Style,
    numbered: &mut Numbered,
) -> String {
    let lang = style.lang;
    let mut html = format!(
        "<section id=\"metode\" class=\"methods\" data-section=\"methods\">\n<h2>{}</h2>\n<p>{}</p>\n",
        lang.pick("Metode og data", "Methods and data"),
        lang.pick(
            "Analyserne bygger på oplysninger om hver enkelt person i de nationale registre, koblet på personnummer. Hver analyse følger de patienter, der opfylder dens definition af patientgruppen, og opgør, hvor stor en andel af dem der fik et tilbud eller en behandling (udfaldet) inden for en fast periode efter indeksdatoen. Grupperne sammenlignes efter social position (uddannelse, indkomst), herkomst og bopæl. Analysernes fulde definitioner står i bilag A.2, målenes formler i bilag A.3.",
            "The analyses rest on each person's records in the national registers, linked by the personal identification number. Each analysis follows the patients who meet its definition of the patient group and measures the proportion of them who received an offer or treatment (the outcome) within a fixed period after the index date. The groups are compared by social position (education, income), origin and residence. The analyses' full definitions are in appendix A.2, the measures' formulas in appendix A.3."
        )
    );
    html.push_str(&populations(analyses, style, numbered));
    html.push_str(&stratifiers(analyses, lang));
    html.push_str(&hospital_stays(analyses, lang));
    html.push_str(&cohort_flow(analyses, style, numbered));
    html.push_str(&data_completeness(completeness, as_of, style, numbered));
    html.push_str("</section>\n");
    html
}

/// The date the population register describes: 1 January of the index date's year, or of each
/// patient's index year in a period over several years (`cohort::population::at_index`).
fn register_date(spec: &LoadedSpec, lang: Lang) -> String {
    if let Design::Period(from, to) = spec.design
        && dates::year_of(from) != dates::year_of(to)
    {
        return lang
            .pick("1. januar i indeksåret", "1 January of the index year")
            .to_string();
    }
    format!(
        "{} {}",
        lang.pick("1. januar", "1 January"),
        dates::year_of(spec.design.start())
    )
}

/// Each analysis's population: the design, the population register it draws on and the ages.
fn populations(analyses: &[AnalysisFacts<'_>], style: Style, numbered: &mut Numbered) -> String {
    let lang = style.lang;
    let rows = analyses
        .iter()
        .map(|a| {
            let spec = a.spec;
            let period = match spec.design {
                Design::IndexDate(d) => format!(
                    "{} {}",
                    lang.pick("Indeksdato", "Index date"),
                    dates::format_iso(d)
                ),
                Design::Period(from, to) => format!(
                    "{} {} {} {}",
                    lang.pick("Første hændelse", "First event"),
                    dates::format_iso(from),
                    lang.pick("til", "to"),
                    dates::format_iso(to)
                ),
            };
            vec![
                Cell::Text(
                    lang.pick(&spec.spec.title_da, &spec.spec.title_en)
                        .to_string(),
                ),
                Cell::Text(period),
                Cell::Text(register_date(spec, lang)),
                Cell::Text(definitions::population(spec, lang)),
            ]
        })
        .collect();
    format!(
        "<h3>{}</h3>\n<p>{}</p>\n{}",
        lang.pick("Populationer", "Populations"),
        lang.pick(
            "Hver patient opgøres, hvor og hvornår patienten er: patienterne er personer, der var bosat i Danmark på befolkningsregisterets opgørelsesdato i deres indeksår (1. januar), levede på indeksdatoen og havde alderen ved indeksdatoen inden for analysens grænser. Køn, herkomst, civilstand og bopæl (kommune og region) er oplysningerne i befolkningsregisteret på samme dato, uddannelsen den seneste til og med indeksåret og indkomsten den i årene før indeksåret. En analyse, hvis patienter indgår over flere år, medtager derfor personer, der er født, indvandret eller flyttet i løbet af perioden, med deres oplysninger i indeksåret. En patient, der er kommet til i løbet af selve indeksåret (født eller indvandret efter 1. januar), opgøres efter befolkningsregisteret 1. januar året efter, når det findes.",
            "Each patient is counted where and when they are: the patients are persons who lived in Denmark on the population register's reference date in their index year (1 January), were alive on the index date and whose age on the index date was within the analysis's limits. Sex, origin, civil status and residence (municipality and region) are the population register's records on that date, education the latest up to the index year and income that of the years before the index year. An analysis whose patients enter over several years therefore includes persons born, immigrated or moved during the period, with their records of the index year. A patient who arrived during the index year itself (born or immigrated after 1 January) is described by the population register of 1 January of the following year, where the folder has it."
        ),
        numbered.table(
            style,
            lang.pick(
                "Analysernes populationer og opgørelsesdatoer",
                "The analyses' populations and reference dates"
            ),
            vec![
                column(lang.pick("Analyse", "Analysis")),
                column(lang.pick("Patienter indgår", "Patients enter")),
                column(lang.pick("Befolkningsregister pr.", "Population register on")),
                column(lang.pick("Alder", "Age")),
            ],
            rows,
            Vec::new(),
        )
    )
}

/// A stratifier's definition in words, as the strata are computed.
fn stratifier_definition(stratifier: &Stratifier, lang: Lang) -> String {
    let text = match stratifier {
        Stratifier::Derived(Derived::Education) => lang.pick(
            "Højeste fuldførte uddannelse (HFAUDD) i uddannelsesregisteret for det seneste år til og med indeksåret, grupperet efter SEPLINE-vejledningen gennem Danmarks Statistiks uddannelsesnomenklatur: kort (grundskole og forberedende uddannelser, H10–H15), mellem (gymnasiale og erhvervsfaglige uddannelser, H20–H35) og lang (videregående uddannelser, H40–H80). Uoplyst: ingen oplysning (H90) eller ingen række i registeret.",
            "Highest completed education (HFAUDD) in the education register of the latest year up to the index year, grouped by the SEPLINE guideline through Statistics Denmark's education nomenclature: short (primary and preparatory education, H10–H15), medium (upper secondary and vocational education, H20–H35) and long (higher education, H40–H80). Unknown: no information (H90) or no row in the register.",
        ),
        Stratifier::Derived(Derived::IncomeQuintile) => lang.pick(
            "Gennemsnittet af den ækvivalerede disponible familieindkomst (FAMAEKVIVADISP) i de tre år før indeksåret (SEPLINE's standard; de af årene, registrene har), inddelt i femtedele (kvintiler, 1 = laveste indkomst). Skæringspunkterne beregnes i hele befolkningen i befolkningsregisteret samme år inden for køn og femårsaldersgruppe, så kvintilen sammenligner en person med jævnaldrende af samme køn. Uoplyst: ingen indkomst i årene.",
            "The mean equivalised disposable family income (FAMAEKVIVADISP) of the three years before the index year (SEPLINE's default; those of the years the registers hold), cut into fifths (quintiles, 1 = lowest income). The cut points are computed in the whole population of the population register of that year within sex and 5-year age group, so the quintile compares a person with people of the same sex and age. Unknown: no income in those years.",
        ),
        Stratifier::Derived(Derived::ParentalEducation) => lang.pick(
            "Den højeste af forældrenes uddannelser, hver grupperet som patientens egen (kort, mellem, lang) i uddannelsesregisteret for det seneste år til og med indeksåret. Forældrene er mor og far (MOR_ID, FAR_ID) i befolkningsregisteret. Børns og unges egen uddannelse er endnu ikke deres sociale position, så deres forældres bruges. Har kun den ene forælder en kendt uddannelse, bruges den. Uoplyst: ingen kendt forælder med kendt uddannelse.",
            "The higher of the parents' educations, each grouped as the patient's own (short, medium, long) in the education register of the latest year up to the index year. The parents are the mother and father (MOR_ID, FAR_ID) in the population register. Children's and young people's own education is not yet their social position, so their parents' is used. Where only one parent has a known education, it is used. Unknown: no known parent with a known education.",
        ),
        Stratifier::Derived(Derived::ParentalIncome) => lang.pick(
            "Den højeste af forældrenes indkomstkvintiler, hver beregnet som patientens egen (gennemsnitlig ækvivaleret disponibel familieindkomst i de tre år før indeksåret, kvintiler inden for køn og femårsaldersgruppe i hele befolkningen samme år). Forældrene er mor og far (MOR_ID, FAR_ID) i befolkningsregisteret. Har kun den ene forælder en indkomst, bruges den. Uoplyst: ingen kendt forælder med indkomst.",
            "The higher of the parents' income quintiles, each computed as the patient's own (mean equivalised disposable family income of the three years before the index year, quintiles within sex and 5-year age group in the whole population of that year). The parents are the mother and father (MOR_ID, FAR_ID) in the population register. Where only one parent has an income, it is used. Unknown: no known parent with an income.",
        ),
        Stratifier::Derived(Derived::Cohabitation) => lang.pick(
            "Familietypen (FAMILIE_TYPE) i befolkningsregisteret, grupperet efter tabellen over familietyper: i par (gift, registreret partnerskab, samlevende eller samboende) eller enlig. Uoplyst: ingen familietype.",
            "The family type (FAMILIE_TYPE) in the population register, grouped by the table of family types: in a couple (married, registered partners, cohabiting) or single. Unknown: no family type.",
        ),
        Stratifier::Derived(Derived::LabourMarket) => lang.pick(
            "Socioøkonomisk status (SOCIO13) i Danmarks Statistiks arbejdsklassifikationsmodul (AKM) for året før indeksåret (indeksåret selv, når registrene begynder med det): beskæftiget (lønmodtagere og selvstændige), arbejdsløs, midlertidigt uden for arbejdsmarkedet (sygedagpenge, orlov, kontanthjælp), under uddannelse, førtidspension, folkepension eller efterløn og øvrige uden for arbejdsstyrken. Uoplyst: ingen række i registeret.",
            "Socio-economic status (SOCIO13) in Statistics Denmark's labour-market classification register (AKM) of the year before the index year (the index year itself when the registers begin with it): employed (employees and self-employed), unemployed, temporarily out of work (sickness benefit, leave, social assistance), in education, disability pension, old-age pension or early retirement, and others outside the labour force. Unknown: no row in the register.",
        ),
        Stratifier::Derived(Derived::Origin) => lang.pick(
            "Herkomst i befolkningsregisteret (IE_TYPE): dansk oprindelse, indvandrer eller efterkommer. Uoplyst: ingen oplysning.",
            "Origin in the population register (IE_TYPE): Danish origin, immigrant or descendant. Unknown: no information.",
        ),
        Stratifier::Derived(Derived::OriginWestern) => lang.pick(
            "Herkomst i befolkningsregisteret (IE_TYPE); indvandrere og efterkommere fra vestlige og ikke-vestlige lande efter oprindelseslandet (OPR_LAND) og tabellen over lande. Uoplyst: ingen oplysning om herkomst eller land.",
            "Origin in the population register (IE_TYPE); immigrants and descendants from Western and non-Western countries by their country of origin (OPR_LAND) and the table of countries. Unknown: no information on origin or country.",
        ),
        Stratifier::Derived(Derived::Region) => lang.pick(
            "Bopælsregion: regionen for bopælskommunen (KOM) i befolkningsregisteret på opgørelsesdatoen.",
            "Region of residence: the region of the municipality of residence (KOM) in the population register on the reference date.",
        ),
        Stratifier::Derived(Derived::Municipality) => lang.pick(
            "Bopælskommune (KOM) i befolkningsregisteret på opgørelsesdatoen.",
            "Municipality of residence (KOM) in the population register on the reference date.",
        ),
        Stratifier::Derived(Derived::CivilStatus) => lang.pick(
            "Civilstand (CIVST) i befolkningsregisteret på opgørelsesdatoen.",
            "Civil status (CIVST) in the population register on the reference date.",
        ),
        Stratifier::Derived(Derived::Sex) => lang.pick(
            "Køn (KOEN) i befolkningsregisteret.",
            "Sex (KOEN) in the population register.",
        ),
        Stratifier::Derived(Derived::AgeGroup) => lang.pick(
            "Alder i hele år på indeksdatoen, i analysens aldersgrupper.",
            "Age in completed years on the index date, in the analysis's age groups.",
        ),
        Stratifier::Derived(Derived::Multimorbidity) => lang.pick(
            "Antallet af kroniske sygdomme på analysens liste, som patienten har en diagnose for i Landspatientregisteret i opslagsperioden før indeksdatoen: 0, 1, 2 eller 3 og flere.",
            "The number of chronic conditions on the analysis's list the patient has a diagnosis of in the National Patient Register in the look-back period before the index date: 0, 1, 2, or 3 or more.",
        ),
        Stratifier::Derived(Derived::Charlson) => lang.pick(
            "Charlsons komorbiditetsindeks: summen af vægtene (1, 2, 3 eller 6) for de af indeksets 19 sygdomme, som patienten har en aktions- eller bidiagnose for i Landspatientregisteret i opslagsperioden før indeksdatoen (ti år, medmindre analysen angiver andet), med den ICD-10-kodning, der bruges i dansk registerforskning (Thygesen m.fl. 2011). En sygdom i to sværhedsgrader (leversygdom, diabetes, kræft) tæller kun med den sværeste. Diagnoser på selve indeksdatoen tæller ikke, så indekssygdommen ikke tæller som komorbiditet. Grupperet 0, 1–2 og 3 eller mere. Oplysninger fra før registrenes første år indgår ikke.",
            "Charlson's comorbidity index: the sum of the weights (1, 2, 3 or 6) of those of the index's 19 conditions the patient has an action or secondary diagnosis of in the National Patient Register in the look-back before the index date (ten years unless the analysis says otherwise), with the ICD-10 coding used in Danish register research (Thygesen et al. 2011). A condition of two grades (liver disease, diabetes, cancer) counts only at the more severe. Diagnoses on the index date itself do not count, so that the index disease does not count as comorbidity. Grouped 0, 1–2 and 3 or more. Records from before the registers' first year are not included.",
        ),
        Stratifier::Derived(Derived::Hospital) => lang.pick(
            "Sygehuset for indekskontakten (SOR-enhedens kode i Landspatientregisteret), navngivet efter sygehustabellen.",
            "The hospital of the index contact (the SOR unit code in the National Patient Register), named by the hospitals table.",
        ),
        Stratifier::Derived(Derived::HospitalRegion) => lang.pick(
            "Regionen for sygehuset, hvor indekskontakten fandt sted, efter sygehustabellen.",
            "The region of the hospital of the index contact, by the hospitals table.",
        ),
        Stratifier::Column(name) => {
            return format!(
                "{} {name} {}",
                lang.pick("Kolonnen", "The column"),
                lang.pick(
                    "i befolkningsregisteret på opgørelsesdatoen.",
                    "of the population register on the reference date."
                )
            );
        }
    };
    text.to_string()
}

/// The definitions of every stratifier the document's analyses use, in first use order.
fn stratifiers(analyses: &[AnalysisFacts<'_>], lang: Lang) -> String {
    let mut used: Vec<&Stratifier> = Vec::new();
    for a in analyses {
        for s in &a.spec.spec.stratifiers {
            if !used.contains(&s) {
                used.push(s);
            }
        }
    }
    let mut html = format!(
        "<h3>{}</h3>\n<dl class=\"definitions\">\n",
        lang.pick("Opdelinger", "Stratifiers")
    );
    for s in used {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(&dimension(&s.code(), lang)),
            escape(&stratifier_definition(s, lang))
        ));
    }
    html.push_str("</dl>\n");
    html
}

/// How acute and planned stays, admissions, hours and readmissions are read from the patient
/// register (`cohort::stays`), when an analysis asks for any of them; empty otherwise.
fn hospital_stays(analyses: &[AnalysisFacts<'_>], lang: Lang) -> String {
    if !analyses.iter().any(|a| a.spec.spec.reads_stays()) {
        return String::new();
    }
    format!(
        "<h3>{}</h3>\n<p>{}</p>\n",
        lang.pick("Sygehusophold og indlæggelser", "Hospital stays and admissions"),
        lang.pick(
            "Landspatientregisteret (LPR3) har en kontakt for hvert fremmøde på en afdeling, så en patient, der flyttes fra akutmodtagelsen til en sengeafdeling, har to kontakter. Som hos Sundhedsdatastyrelsen og Danmarks Statistik samles en persons fysiske fremmøder til ét sygehusophold, når de overlapper eller følger hinanden med højst 4 timers mellemrum. Et ophold på 12 timer eller mere er en indlæggelse, et kortere er et ambulant besøg. Et ophold er akut eller planlagt efter prioriteten på dets første kontakt (ATA1 akut, ATA3 planlagt). Timer efter ankomsten regnes fra opholdets start, også når indekskontakten først begynder på sengeafdelingen. En genindlæggelse er et senere akut ophold på 12 timer eller mere, som begynder efter udskrivelsen fra indeksopholdet; en overflytning inden for 4 timer hører til samme ophold. Hvor en kontakt mangler klokkeslæt (LPR2 før 2019 havde dem kun for indlagte), er et ophold en indlæggelse, når det strækker sig over en nat.",
            "The National Patient Register (LPR3) has a contact for each attendance at a unit, so a patient moved from the emergency department to a ward has two contacts. As Sundhedsdatastyrelsen and Statistics Denmark do, a person's physical attendances are joined into one hospital stay when they overlap or follow each other within 4 hours. A stay of 12 hours or more is an admission, a shorter one an outpatient visit. A stay is acute or planned by the priority of its first contact (ATA1 acute, ATA3 planned). Hours after the arrival count from the stay's start, also when the index contact begins on the ward. A readmission is a later acute stay of 12 hours or more that begins after discharge from the index stay; a transfer within 4 hours belongs to the same stay. Where a contact lacks times (LPR2, before 2019, had them for inpatients only), a stay is an admission when it spans a night."
        )
    )
}

/// The total row of an outcome's proportion in the main analysis's latest year.
fn total<'a>(rows: &'a [Row], outcome: &str) -> Option<&'a Row> {
    let latest = rows.iter().map(|r| r.year).max()?;
    rows.iter().find(|r| {
        r.outcome == outcome
            && r.subanalysis.is_empty()
            && r.year == latest
            && r.measure == Measure::Proportion
            && r.group == TOTAL
    })
}

/// "i alderen 30 år og derover pr." / "aged 10–24 years on": the population's ages.
fn ages(spec: &LoadedSpec, lang: Lang) -> String {
    let p = &spec.spec.population;
    match (p.age_min.unwrap_or(0), p.age_max) {
        (min, Some(max)) => format!(
            "{} {min}–{max} {}",
            lang.pick("i alderen", "aged"),
            lang.pick("år pr.", "years on")
        ),
        (min, None) => format!(
            "{} {min} {}",
            lang.pick("i alderen", "aged"),
            lang.pick("år og derover pr.", "years or more on")
        ),
    }
}

/// The patients from patient group to those at risk of each outcome and those with it, from the
/// released total rows (so the table shows no count the chapters do not): the patient group is
/// the denominator of an outcome every patient is at risk of, the patients at risk of an outcome
/// with an at-risk rule (alive a number of days after the index) its own denominator.
fn cohort_flow(analyses: &[AnalysisFacts<'_>], style: Style, numbered: &mut Numbered) -> String {
    let lang = style.lang;
    let suppressed = || Cell::Text(lang.pick("undertrykt", "suppressed").to_string());
    let count = |row: Option<&Row>, n: fn(&Row) -> Option<u64>| match row {
        Some(r) if r.status() == Status::Shown => Cell::Count(n(r)),
        Some(r) if r.status() == Status::Suppressed => suppressed(),
        _ => Cell::Text(String::new()),
    };
    let mut rows = Vec::new();
    for a in analyses {
        let spec = a.spec;
        // The analysis is named on its first row only.
        let mut title = Some(lang.pick(&spec.spec.title_da, &spec.spec.title_en));
        let everyone = spec
            .spec
            .outcomes
            .iter()
            .find(|o| o.alive_days.is_none())
            .and_then(|o| total(a.rows, &o.id));
        if a.population > 0 {
            let latest = a.rows.iter().map(|r| r.year).max().unwrap_or(spec.year());
            let design = spec.design_in_year(latest);
            // Patients of a period over several years come from the register of their own index
            // year; the row counts the residents of its first.
            let first_of_several = match design {
                Design::Period(from, to) if dates::year_of(from) != dates::year_of(to) => {
                    lang.pick(", periodens første år", ", the period's first year")
                }
                _ => "",
            };
            rows.push(vec![
                Cell::Text(title.take().unwrap_or_default().to_string()),
                Cell::Text(format!(
                    "{} {} {} {}{first_of_several} ({})",
                    lang.pick("Befolkningen: bosatte", "The population: residents"),
                    ages(spec, lang),
                    lang.pick("1. januar", "1 January"),
                    dates::year_of(design.start()),
                    lang.pick("afrundet til hele tusinder", "rounded to thousands")
                )),
                Cell::Count(Some(a.population)),
                Cell::Text(String::new()),
            ]);
        }
        if everyone.is_some() {
            rows.push(vec![
                Cell::Text(title.take().unwrap_or_default().to_string()),
                Cell::Text(lang.pick("Patientgruppen", "The patient group").to_string()),
                count(everyone, |r| r.denominator),
                Cell::Text(String::new()),
            ]);
        }
        for o in &spec.spec.outcomes {
            let row = total(a.rows, &o.id);
            let at_risk = match o.alive_days {
                Some(days) => format!(
                    "{} ({} {days} {})",
                    lang.pick(&o.name_da, &o.name_en),
                    lang.pick("i live og i Danmark", "alive and in Denmark"),
                    lang.pick("dage efter indeks", "days after the index")
                ),
                None => lang.pick(&o.name_da, &o.name_en).to_string(),
            };
            rows.push(vec![
                Cell::Text(title.take().unwrap_or_default().to_string()),
                Cell::Text(at_risk),
                count(row, |r| r.denominator),
                count(row, |r| r.numerator),
            ]);
        }
    }
    format!(
        "<h3>{}</h3>\n<p>{}</p>\n{}",
        lang.pick("Fra befolkning til udfald", "From population to outcome"),
        lang.pick(
            "Befolkningen, som patienterne kommer fra (bosatte i analysens aldersgrænser og område), derefter patientgruppen og for hvert udfald patienterne i risiko (nævneren) og dem med udfaldet (tælleren) i analysens seneste opgørelse, hovedanalysen. Befolkningen er afrundet til hele tusinder, så den ikke kan trækkes fra andre tal. I en periode over flere år er det de bosatte den 1. januar i periodens første år; patienter, der er født eller indvandret senere i perioden, kommer med fra befolkningsregisteret for deres indeksår. Et udfald med en betingelse om at være i live et antal dage efter indeksdatoen har færre patienter i risiko end patientgruppen: de døde og dem, der udvandrede inden da (efter vandringsregisteret), for de følges ikke i registrene, efter at de er rejst.",
            "The population the patients come from (residents within the analysis's ages and area), then the patient group and, for each outcome, the patients at risk (the denominator) and those with the outcome (the numerator) in the analysis's latest results, main analysis. The population is rounded to thousands, so that it cannot be subtracted from other numbers. In a period over several years it is the residents on 1 January of the period's first year; patients born or immigrated later in the period join from the population register of their index year. An outcome that requires the patient to be alive a number of days after the index date has fewer patients at risk than the patient group: those who died and those who emigrated before then (by the migration register), since the registers do not follow them after they leave."
        ),
        numbered.table(
            style,
            lang.pick(
                "Fra befolkning til udfald: befolkningen, patientgruppen og patienterne i risiko for hvert udfald",
                "From population to outcome: the population, the patient group and the patients at risk of each outcome"
            ),
            vec![
                column(lang.pick("Analyse", "Analysis")),
                column(lang.pick("Trin", "Step")),
                column(lang.pick("Personer", "Persons")),
                column(lang.pick("Med udfaldet", "With the outcome")),
            ],
            rows,
            Vec::new(),
        )
    )
}

/// The registers' reach: the years of the yearly registers and the latest date of the event
/// registers, with the as-of date after which events are left out.
fn data_completeness(
    completeness: &[Completeness],
    as_of: i32,
    style: Style,
    numbered: &mut Numbered,
) -> String {
    let lang = style.lang;
    let rows = completeness
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.register.clone()),
                Cell::Count(Some(c.files as u64)),
                Cell::Text(c.years.map(|(a, b)| format!("{a}–{b}")).unwrap_or_default()),
                Cell::Text(c.latest.map(dates::format_iso).unwrap_or_default()),
            ]
        })
        .collect();
    format!(
        "<section id=\"datakomplethed\" data-section=\"completeness\">\n<h3>{}</h3>\n<p>{} {}.</p>\n{}</section>\n",
        lang.pick("Datakomplethed", "Data completeness"),
        lang.pick(
            "Første og seneste år i de årlige registre og seneste dato i hændelsesregistrene; hændelser efter opgørelsesdatoen er ikke medtaget. Opgørelsesdato:",
            "The first and latest year of the yearly registers and the latest date of the event registers; events after the as-of date are not included. As-of date:"
        ),
        dates::format_iso(as_of),
        numbered.table(
            style,
            lang.pick("Registrenes data", "The registers' data"),
            vec![
                column(lang.pick("Register", "Register")),
                column(lang.pick("Filer", "Files")),
                column(lang.pick("År", "Years")),
                column(lang.pick("Seneste dato", "Latest date")),
            ],
            rows,
            Vec::new(),
        )
    )
}
