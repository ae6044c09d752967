//! Classification tables supplied as CSV: the education nomenclature, the western/non-western
//! grouping of countries of origin, and SOR codes with hospital names and regions.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use ulighed::synth::hospitals::HOSPITALS;

use crate::common::{copy_folder, root, run_spec, small_registers, stderr};

/// The small registers with a country of origin in bef2024: Denmark for Danish origin, and for
/// immigrants and descendants 5130 (western) or 5448 (non-western) by the last digit of PNR.
fn registers_with_countries(dir: &Path) {
    copy_folder(small_registers(), dir);
    let bef = dir.join("bef2024.parquet");
    let last_digit_even = col("PNR").str().slice(lit(-1), lit(1)).is_in(
        lit(Series::new("even".into(), ["0", "2", "4", "6", "8"])).implode(false),
        false,
    );
    let mut frame = LazyFrame::scan_parquet(
        PlRefPath::new(bef.to_str().expect("utf-8")),
        Default::default(),
    )
    .expect("bef2024")
    .with_column(
        when(col("IE_TYPE").eq(lit("1")))
            .then(lit("5100"))
            .when(last_digit_even)
            .then(lit("5130"))
            .otherwise(lit("5448"))
            .alias("OPR_LAND"),
    )
    .collect()
    .expect("bef2024 with countries");
    ParquetWriter::new(std::fs::File::create(&bef).expect("bef2024"))
        .finish(&mut frame)
        .expect("written");
}

/// The tidy table of the 2024 analysis, all sub-analyses dropped.
fn tidy(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .expect("tidy table")
        .finish()
        .expect("parses")
        .lazy()
        .filter(
            col("year")
                .eq(lit("2024"))
                .and(col("subanalysis").is_null())
                .and(col("measure").eq(lit("proportion"))),
        )
        .collect()
        .expect("filtered")
}

/// (group, denominator) of one dimension.
fn groups(table: &DataFrame, dimension: &str) -> Vec<(String, Option<u64>)> {
    let rows = table
        .clone()
        .lazy()
        .filter(col("dimension").eq(lit(dimension)))
        .collect()
        .expect("dimension");
    let group = rows
        .column("group")
        .expect("group")
        .str()
        .expect("text")
        .clone();
    let denominator = rows
        .column("denominator")
        .expect("denominator")
        .str()
        .expect("text")
        .clone();
    group
        .iter()
        .zip(denominator.iter())
        .map(|(g, d)| (g.unwrap_or("").to_string(), d.and_then(|d| d.parse().ok())))
        .collect()
}

fn write_spec(dir: &Path, name: &str, classifications: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("pipelines/t2d_sglt2_glp1.toml"))
        .expect("spec")
        .replace(
            "stratifiers = [\"education\", \"income_quintile\", \"origin\", \"region\", \"sex\", \"age_group\"]",
            "stratifiers = [\"education\", \"origin\", \"origin_western\", \"hospital\", \"hospital_region\"]",
        );
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("{text}\n[classifications]\n{classifications}\n"),
    )
    .expect("spec");
    path
}

fn run(spec: &Path, registers: &Path, out: &Path) -> std::process::Output {
    run_spec(spec.to_str().expect("utf-8"), registers, out, "2025-06-30")
}

fn table_of(spec: &Path, registers: &Path, tmp: &Path, name: &str) -> DataFrame {
    let out = tmp.join(name);
    let output = run(spec, registers, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    tidy(&out.join("t2d_sglt2_glp1/tables/t2d_sglt2_glp1.csv"))
}

#[test]
fn classification_tables_group_education_origin_and_hospitals() {
    let tmp = tempfile::tempdir().expect("temp");
    let registers = tmp.path().join("registers");
    registers_with_countries(&registers);
    std::fs::write(
        tmp.path().join("origin.csv"),
        "OPR_LAND,GRUPPE\n5100,vestlig\n5130,vestlig\n5448,ikke-vestlig\n",
    )
    .expect("origin table");
    // A SOR table of hospitals alone (a row per SHAK hospital code, regions as 81-85), under the
    // table's former key `hospitals`, and the units' SOR codes with their hospitals' names.
    let mut sor = String::from("SOR;NAVN;REGION;SYGEHUS\n");
    for (region, code, name) in HOSPITALS {
        sor.push_str(&format!("{code};{name};{};\n", 81 + region));
    }
    let units = std::fs::read_to_string(registers.join("sor.csv")).expect("synth's SOR table");
    for line in units.lines().skip(1) {
        // SOR,"NAVN",REGION,"SYGEHUS",ENHEDSTYPE,SPECIALE
        let parts: Vec<&str> = line.split('"').collect();
        let (code, name, region, hospital) = (
            parts[0].trim_end_matches(','),
            parts[1],
            parts[2].trim_matches(','),
            parts[3],
        );
        if code.len() > 7 {
            sor.push_str(&format!("{code};{name};{region};{hospital}\n"));
        }
    }
    std::fs::write(tmp.path().join("sor.csv"), sor).expect("hospitals table");
    std::fs::copy(
        small_registers().join("hfaudd_hgroup.csv"),
        tmp.path().join("education.csv"),
    )
    .expect("education table");
    let all_h70: String = std::fs::read_to_string(tmp.path().join("education.csv"))
        .expect("table")
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l}\n"),
            _ => format!("{},H70\n", l.split(',').next().unwrap_or("")),
        })
        .collect();
    std::fs::write(tmp.path().join("all_h70.csv"), all_h70).expect("table");

    let tables = "origin = \"origin.csv\"\nhospitals = \"sor.csv\"";
    let with_table = write_spec(
        tmp.path(),
        "with.toml",
        &format!("{tables}\neducation = \"education.csv\""),
    );
    let fallback = write_spec(tmp.path(), "fallback.toml", tables);
    let other = write_spec(
        tmp.path(),
        "other.toml",
        &format!("{tables}\neducation = \"all_h70.csv\""),
    );
    let with = table_of(&with_table, &registers, tmp.path(), "with");

    // Education: synth's table says what its codes' first two digits say, so the table and
    // the fallback agree; a table that puts every code in H70 makes everyone long-educated.
    let education = groups(&with, "education");
    assert!(education.iter().any(|(g, _)| g == "kort"), "{education:?}");
    assert_eq!(
        education,
        groups(
            &table_of(&fallback, &registers, tmp.path(), "fallback"),
            "education"
        )
    );
    let h70 = groups(
        &table_of(&other, &registers, tmp.path(), "other"),
        "education",
    );
    assert!(
        h70.iter()
            .all(|(g, _)| ["lang", "uoplyst", "i alt"].contains(&g.as_str())),
        "{h70:?}"
    );

    // Origin: the Danish-origin group is the same persons in both groupings, and the two
    // foreign groups split immigrants and descendants.
    let origin = groups(&with, "origin");
    let western = groups(&with, "origin_western");
    let danish =
        |g: &[(String, Option<u64>)]| g.iter().find(|(l, _)| l == "dansk").and_then(|(_, d)| *d);
    assert!(danish(&origin).is_some_and(|d| d > 0), "{origin:?}");
    assert_eq!(danish(&origin), danish(&western));
    let levels: Vec<&str> = western.iter().map(|(g, _)| g.as_str()).collect();
    assert!(
        levels.contains(&"vestlig") && levels.contains(&"ikke-vestlig"),
        "{levels:?}"
    );

    // Hospitals: names from the table, and their regions.
    let hospitals = groups(&with, "hospital");
    assert!(
        hospitals
            .iter()
            .any(|(g, _)| g.starts_with("Aalborg Universitetshospital")
                || g.contains("hospital")
                || g.contains("Sygehus")),
        "{hospitals:?}"
    );
    assert!(
        hospitals.iter().all(|(g, _)| g.parse::<u32>().is_err()),
        "no hospital left as a code: {hospitals:?}"
    );
    let regions = groups(&with, "hospital_region");
    assert!(regions.len() >= 3, "{regions:?}");
    let total = regions
        .iter()
        .find(|(g, _)| g == "i alt")
        .and_then(|(_, d)| *d);
    let by_region: Vec<&(String, Option<u64>)> =
        regions.iter().filter(|(g, _)| g != "i alt").collect();
    assert!(
        by_region
            .iter()
            .all(|(g, _)| ["1081", "1082", "1083", "1084", "1085"].contains(&g.as_str())),
        "{regions:?}"
    );
    // Every hospital of the table lies in one region, so the regions add up to the total.
    assert_eq!(
        by_region.iter().map(|(_, d)| d.unwrap_or(0)).sum::<u64>(),
        total.unwrap_or(u64::MAX),
        "{regions:?}"
    );
}

#[test]
fn a_table_without_a_registers_code_or_a_missing_table_is_refused() {
    let tmp = tempfile::tempdir().expect("temp");
    std::fs::write(tmp.path().join("short.csv"), "HFAUDD,H\n1010,H10\n").expect("table");
    let spec = write_spec(
        tmp.path(),
        "short.toml",
        "education = \"short.csv\"\nhospitals = \"none.csv\"",
    );
    let output = run(&spec, small_registers(), &tmp.path().join("out"));
    let err = stderr(&output);
    assert_ne!(output.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let without = write_spec(tmp.path(), "without.toml", "education = \"short.csv\"");
    let output = run(&without, small_registers(), &tmp.path().join("out2"));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(
        err.contains("hospital_region needs the sor classification table"),
        "{err}"
    );

    std::fs::write(
        tmp.path().join("origin.csv"),
        "OPR_LAND,GRUPPE\n5100,vestlig\n",
    )
    .expect("t");
    std::fs::write(tmp.path().join("sor.csv"), "SOR,NAVN,REGION\n6101,A,81\n").expect("t");
    let short = write_spec(
        tmp.path(),
        "short2.toml",
        "education = \"short.csv\"\norigin = \"origin.csv\"\nhospitals = \"sor.csv\"",
    );
    let output = run(&short, small_registers(), &tmp.path().join("out3"));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(65), "{err}");
    assert!(err.contains("short.csv"), "{err}");
    assert!(err.contains("code(s) of HFAUDD in udda"), "{err}");
    assert!(!tmp.path().join("out3/t2d_sglt2_glp1/tables").exists());
}

/// Units are chosen by type and specialty through the SOR table, whose codes say nothing of
/// either: without the table the spec is refused naming the key, a misspelt specialty names the
/// table and what it has, and with it the youth analysis finds its patients at the psychiatric
/// units alone (their count by hand from the registers and the table).
#[test]
fn units_and_specialties_are_read_from_the_sor_table() {
    let tmp = tempfile::tempdir().expect("temp");
    let youth = crate::common::shipped_spec("youth_depression_anxiety_wait.toml");
    let spec = |name: &str, text: String| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).expect("spec");
        path
    };
    let sor_line = youth
        .lines()
        .find(|l| l.starts_with("classifications = { sor"))
        .expect("the shipped youth spec names its SOR table")
        .to_string();

    let without = spec("without.toml", youth.replace(&sor_line, ""));
    let output = run(&without, small_registers(), &tmp.path().join("without"));
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "key `patient_group.include[0]`: unit types and specialties are read from the SOR table"
        ),
        "{}",
        stderr(&output)
    );
    assert!(
        !tmp.path()
            .join("without")
            .join("youth_depression_anxiety_wait")
            .exists()
    );

    let misspelt = spec(
        "misspelt.toml",
        youth.replace(
            "specialty = [\"psykiatri\"]",
            "specialty = [\"psykiatrie\"]",
        ),
    );
    let output = run(&misspelt, small_registers(), &tmp.path().join("misspelt"));
    assert_eq!(output.status.code(), Some(65), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("sor.csv: no unit of the sor classification table has SPECIALE \"psykiatrie\" (the table has: akutmedicin, børne- og ungdomspsykiatri, intern medicin, kardiologi, ortopædisk kirurgi, psykiatri)"),
        "{}",
        stderr(&output)
    );

    // The same units asked for in other words find the same patients; other units, others.
    let patients = |name: &str, criterion: &str| -> u64 {
        let path = spec(
            &format!("{name}.toml"),
            youth.replace("specialty = [\"psykiatri\"]", criterion),
        );
        let output = run(&path, small_registers(), &tmp.path().join(name));
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let text = String::from_utf8_lossy(&output.stdout).to_string() + &stderr(&output);
        text.split("youth_depression_anxiety_wait: ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name}: no count of patients in {text}"))
    };
    let by_specialty = patients("specialty", "specialty = [\"psykiatri\"]");
    assert!(by_specialty > 20, "{by_specialty}");
    assert_eq!(
        patients(
            "type_and_specialty",
            "units = [\"akutmodtagelse\"]\nspecialty = [\"PSYKIATRI\"]"
        ),
        by_specialty
    );
}
