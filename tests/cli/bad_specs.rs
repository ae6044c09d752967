//! Every rule of the pipeline spec: a broken spec is refused before any data is read, with exit
//! code 78 and one message naming the file and the key.

use crate::common::{root, stderr, ulighed};

/// (shipped spec, text to replace, replacement, key the message must name).
const CASES: [(&str, &str, &str, &str); 37] = [
    (
        "hip_fracture_surgery",
        "window_hours = [0, 24]",
        "window_hours = [0, 48]",
        "outcomes[0].window_days",
    ),
    (
        "hip_fracture_surgery",
        "window_hours = [0, 24]",
        "window_hours = [24, 0]",
        "outcomes[0].window_hours",
    ),
    (
        "t2d_sglt2_glp1",
        "window_days = [0, 364]",
        "window_days = [0, 364]\nwindow_hours = [0, 24]",
        "outcomes[0].window_hours",
    ),
    (
        "t2d_sglt2_glp1",
        "window_days = [0, 364]",
        "window_days = [0, 364]\nsetting = \"inpatient\"",
        "outcomes[0].setting",
    ),
    (
        "t2d_sglt2_glp1",
        "topic = \"diabetes\"",
        "topic = \"diabetes\"\ncolour = \"red\"",
        "colour",
    ),
    (
        "t2d_sglt2_glp1",
        "\"sex\", \"age_group\"]",
        "\"sex\", \"shoe_size\"]",
        "shoe_size",
    ),
    (
        "t2d_sglt2_glp1",
        "\"sex\", \"age_group\"]",
        "\"sex\", \"bef:\"]",
        "bef:",
    ),
    (
        "t2d_sglt2_glp1",
        "\"sex\", \"age_group\"]",
        "\"sex\", \"sex\"]",
        "stratifiers",
    ),
    (
        "t2d_sglt2_glp1",
        "diagnoses = [\"E11\"]",
        "diagnoses = [\"E 11\"]",
        "patient_group.include[0].diagnoses",
    ),
    (
        "t2d_sglt2_glp1",
        "codes = [\"A10BK\", \"A10BJ\"]",
        "codes = [\"A10-BK\"]",
        "outcomes[0].codes",
    ),
    (
        "t2d_sglt2_glp1",
        "window_days = [0, 364]",
        "window_days = [364, 0]",
        "outcomes[0].window_days",
    ),
    (
        "t2d_sglt2_glp1",
        "index_date = \"2024-01-01\"",
        "index_date = \"2024-02-30\"",
        "population.index_date",
    ),
    (
        "t2d_sglt2_glp1",
        "index_date = \"2024-01-01\"",
        "index_date = \"2024-01-01\"\nperiod = [\"2024-01-01\", \"2024-12-31\"]",
        "population",
    ),
    (
        "t2d_sglt2_glp1",
        "age_min = 18\n",
        "age_min = 80\nage_max = 20\n",
        "population.age_min",
    ),
    (
        "t2d_sglt2_glp1",
        "lookback_days = 730\n",
        "\n",
        "patient_group.include[0].lookback_days",
    ),
    (
        "t2d_sglt2_glp1",
        "lookback_days = 730",
        "lookback_days = -730",
        "patient_group.include[0].lookback_days",
    ),
    (
        "t2d_sglt2_glp1",
        "diagnosis_type = \"action\"",
        "diagnosis_type = \"action\"\natc = [\"A10BA\"]",
        "patient_group.include[0]",
    ),
    (
        "t2d_sglt2_glp1",
        "lookback_days = 730",
        "lookback_days = 730\nmin_events = 0",
        "patient_group.include[0].min_events",
    ),
    (
        "t2d_sglt2_glp1",
        "lookback_days = 730",
        "lookback_days = 730\nmin_events = 2",
        "patient_group.include[0].within_days",
    ),
    (
        "t2d_sglt2_glp1",
        "lookback_days = 730",
        "lookback_days = 730\nwithin_days = 365",
        "patient_group.include[0].within_days",
    ),
    (
        "t2d_sglt2_glp1",
        "threshold = 5",
        "threshold = 2",
        "disclosure.threshold",
    ),
    (
        "t2d_sglt2_glp1",
        "threshold = 5",
        "threshold = 5\nzeros_shown_from = 3",
        "disclosure.zeros_shown_from",
    ),
    (
        "ami_pci_rehab_death",
        "[merge_levels.origin]",
        "[merge_levels.education]",
        "merge_levels.education",
    ),
    (
        "ami_pci_rehab_death",
        "\"efterkommer\"]",
        "\"efterkomer\"]",
        "merge_levels.origin.ikke-dansk",
    ),
    (
        "t2d_sglt2_glp1",
        "standard = \"patients\"",
        "standard = \"who2000\"",
        "who2000",
    ),
    (
        "t2d_sglt2_glp1",
        "standard = \"patients\"",
        "standard = \"esp2013\"",
        "for rates in a population",
    ),
    (
        "ami_pci_rehab_death",
        "sets = [\"none\", \"age_sex\", \"mutual\"]",
        "sets = []",
        "adjustment.sets",
    ),
    (
        "ami_pci_rehab_death",
        "sets = [\"none\", \"age_sex\", \"mutual\"]",
        "sets = [\"none\", \"age_sex_region\"]",
        "age_sex_region",
    ),
    (
        "t2d_sglt2_glp1",
        "first_year = 2023",
        "first_year = 2025",
        "trend.first_year",
    ),
    (
        "t2d_sglt2_glp1",
        "sex = \"2\"",
        "sex = \"2\"\noutcomes = [\"statins\"]",
        "sub_analyses[0].outcomes",
    ),
    (
        "t2d_sglt2_glp1",
        "sex = \"2\"",
        "sex = \"K\"",
        "sub_analyses[0].sex",
    ),
    (
        "t2d_sglt2_glp1",
        "stratifiers = [",
        "measures = [\"proportion\", \"gini\"]\nstratifiers = [",
        "measures",
    ),
    (
        "ami_pci_rehab_death",
        "period = [\"2021-01-01\", \"2024-09-30\"]",
        "period = [\"2024-09-30\", \"2021-01-01\"]",
        "population.period",
    ),
    (
        "ami_pci_rehab_death",
        "id = \"rehab\"",
        "id = \"pci\"",
        "outcomes[1].id",
    ),
    (
        "multimorbidity_contacts",
        "[multimorbidity]\nlookback_days = 1825",
        "[multimorbidity]\nlookback_days = 0",
        "multimorbidity.lookback_days",
    ),
    (
        "ami_pci_rehab_death",
        "[charlson]\nlookback_days = 3653",
        "[charlson]\nlookback_days = -1",
        "charlson.lookback_days",
    ),
    (
        "ami_pci_rehab_death",
        "    \"charlson\",\n]",
        "]",
        "charlson",
    ),
];

#[test]
fn each_spec_rule_is_refused_with_the_key_named() {
    for (spec, from, to, key) in CASES {
        let text =
            std::fs::read_to_string(root().join(format!("pipelines/{spec}.toml"))).expect("spec");
        assert!(text.contains(from), "{spec}: {from:?} not found");
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("spec.toml");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("spec written");
        let output = ulighed(&["plan", path.to_str().expect("utf-8")]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{key}: {err}");
        assert!(
            err.contains("spec.toml") && err.contains(key),
            "{key} not named in {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A person's conditions are the bits of one 64-bit integer: 64 conditions are planned, 65
/// refused with the key named.
#[test]
fn more_conditions_than_the_bits_of_a_persons_set_are_refused() {
    let text = std::fs::read_to_string(root().join("pipelines/multimorbidity_contacts.toml"))
        .expect("spec");
    let heading = "[multimorbidity.conditions]\n";
    assert_eq!(text.matches(heading).count(), 1);
    let shipped = text
        .split(heading)
        .nth(1)
        .expect("conditions")
        .lines()
        .take_while(|l| !l.is_empty())
        .count();
    let with = |n: usize| {
        let extra: String = (0..n - shipped)
            .map(|i| format!("extra_{i} = [\"A{i:02}\"]\n"))
            .collect();
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("spec.toml");
        std::fs::write(
            &path,
            text.replacen(heading, &format!("{heading}{extra}"), 1),
        )
        .expect("spec written");
        let output = ulighed(&["plan", path.to_str().expect("utf-8")]);
        (output.status.code(), stderr(&output))
    };
    let (code, err) = with(64);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = with(65);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("spec.toml")
            && err.contains("multimorbidity.conditions")
            && err.contains("at most 64"),
        "{err}"
    );
}

#[test]
fn a_bad_spec_writes_nothing() {
    let text = std::fs::read_to_string(root().join("pipelines/t2d_sglt2_glp1.toml")).expect("spec");
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("spec.toml");
    std::fs::write(&path, text.replacen("threshold = 5", "threshold = 1", 1))
        .expect("spec written");
    let out = dir.path().join("out");
    let output = ulighed(&[
        "run",
        path.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(!out.exists(), "nothing written for a bad spec");
}

#[test]
fn plan_shows_what_would_be_computed_without_reading_data() {
    let dir = tempfile::tempdir().expect("temp");
    let text =
        std::fs::read_to_string(root().join("pipelines/ami_pci_rehab_death.toml")).expect("spec");
    // The registers folder does not exist: plan must not need it.
    let path = dir.path().join("ami.toml");
    std::fs::write(
        &path,
        text.replacen(
            "registers = \"../data-samples\"",
            "registers = \"nowhere\"",
            1,
        ),
    )
    .expect("spec");
    let output = ulighed(&["plan", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "incident: each patient's first qualifying event from 2021-01-01 to 2024-09-30",
        "excluding: ICD-10 I21 (action diagnosis) in the 365 days before the index",
        "outcome pci: procedure KFNG05, 0-2 days after the index",
        "outcome death30: death, 0-30 days after the index (adverse: lower is better)",
        "by education (ordered): proportion, age_standardised, difference, ratio; summary sii (heat-logistic), rii (heat-logistic), aci (heat), rci (heat), paf (heat), par (heat) (not computed for 3 subgroups: sii (phe-linear), rii (phe-linear), bgv (heat)",
        "sub-analysis women: sex 2",
    ] {
        assert!(
            plan.contains(expected),
            "{expected:?} missing from:\n{plan}"
        );
    }
}
