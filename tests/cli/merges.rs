//! Levels a spec shows together (`[merge_levels]`): the merged level counts exactly the
//! patients of its members, and a merged group too small to print apart is printed together.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{root, small_registers, stderr, ulighed};
use crate::table::Table;

/// (sub-analysis, outcome, year, group) -> (numerator, denominator) of the origin table.
fn origin_rows(tidy: &Path) -> BTreeMap<(String, String, String, String), (f64, f64)> {
    let text: String = std::fs::read_to_string(tidy)
        .unwrap_or_else(|e| panic!("{tidy:?}: {e}"))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let t = Table::from_text(&text);
    (0..t.len())
        .filter(|&r| t.str(r, "measure") == "proportion" && t.str(r, "dimension") == "origin")
        .filter_map(|r| {
            Some((
                (
                    t.str(r, "subanalysis").to_string(),
                    t.str(r, "outcome").to_string(),
                    t.str(r, "year").to_string(),
                    t.str(r, "group").to_string(),
                ),
                (t.opt(r, "numerator")?, t.opt(r, "denominator")?),
            ))
        })
        .collect()
}

fn run(spec: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        spec.to_str().expect("utf-8"),
        "--registers",
        small_registers().to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-01-31",
    ];
    args.extend_from_slice(extra);
    let run = ulighed(&args);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

/// The shipped AMI spec merges immigrants and descendants into "ikke-dansk": in the true tables
/// (internal runs) each merged row is the sum of the two rows an unmerged copy of the spec
/// counts, and the released analysis on data-samples/ prints the merged group.
#[test]
fn a_merged_level_counts_its_members_patients() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("merges");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let shipped = root().join("pipelines/ami_pci_rehab_death.toml");
    let text = crate::common::shipped_spec("ami_pci_rehab_death.toml");
    assert!(
        text.contains("[merge_levels.origin]"),
        "the shipped spec merges"
    );
    let unmerged = dir.join("ami_pci_rehab_death.toml");
    std::fs::write(
        &unmerged,
        text.replace(
            "[merge_levels.origin]\n\"ikke-dansk\" = [\"indvandrer\", \"efterkommer\"]\n",
            "",
        ),
    )
    .expect("spec");
    run(&shipped, &dir.join("merged"), &["--internal"]);
    run(&unmerged, &dir.join("apart"), &["--internal"]);
    let tidy = |root: &str| {
        dir.join(root)
            .join("ami_pci_rehab_death-internal/tables/ami_pci_rehab_death.csv")
    };
    let merged = origin_rows(&tidy("merged"));
    let apart = origin_rows(&tidy("apart"));
    let mut checked = 0;
    for ((sub, outcome, year, group), &(n, d)) in &merged {
        let key = |g: &str| (sub.clone(), outcome.clone(), year.clone(), g.to_string());
        if group == "ikke-dansk" {
            // A level nobody in the year has is not listed: it counts 0.
            let count = |g: &str| apart.get(&key(g)).copied().unwrap_or((0.0, 0.0));
            let (a, b) = (count("indvandrer"), count("efterkommer"));
            assert_eq!((n, d), (a.0 + b.0, a.1 + b.1), "{sub}/{outcome}/{year}");
            checked += 1;
        } else {
            assert_eq!(apart.get(&key(group)), Some(&(n, d)), "{group}");
        }
    }
    assert!(checked >= 6, "merged rows checked: {checked}");
    assert!(
        !merged
            .keys()
            .any(|k| k.3 == "indvandrer" || k.3 == "efterkommer"),
        "the members are not listed"
    );
    // Released on data-samples/: the merged group (81 patients) is printed in every table of
    // the main analysis, where apart both its members were hidden in every table.
    let released_dir = dir.join("released");
    let released = ulighed(&[
        "run",
        shipped.to_str().expect("utf-8"),
        "--out",
        released_dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(released.status.code(), Some(0), "{}", stderr(&released));
    let released =
        origin_rows(&released_dir.join("ami_pci_rehab_death/tables/ami_pci_rehab_death.csv"));
    for outcome in ["pci", "rehab", "death30"] {
        let key = (
            String::new(),
            outcome.to_string(),
            "2021".to_string(),
            "ikke-dansk".to_string(),
        );
        assert!(released.contains_key(&key), "{outcome}: {released:?}");
    }
}
