//! What the cohort's tests use alike: codes, days, a contact register and the shipped specs.

use crate::registers::scope::{Days, Scope};
use crate::spec::LoadedSpec;
use crate::spec::{Design, Spec};

/// Codes as the specs hold them.
pub fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| c.to_string()).collect()
}

/// The day number of an ISO date.
pub fn day(iso: &str) -> i32 {
    crate::dates::parse_iso(iso).expect("date")
}

/// The span of days from `from` to `to`, both included.
pub fn span(from: &str, to: &str) -> Days {
    Days {
        from: day(from),
        to: day(to),
    }
}

/// Writes the contact register `lpr_kontakter.csv` into `dir`: its header and `rows`.
pub fn write_contacts(dir: &std::path::Path, rows: &str) {
    std::fs::write(
        dir.join("lpr_kontakter.csv"),
        format!(
            "DW_EK_KONTAKT,PNR,DATO_START,DATO_SLUT,KONTAKTTYPE,SORENHED_ANS,AKTIONSDIAGNOSE\n{rows}"
        ),
    )
    .expect("contacts");
}

/// Writes `lpr_kontakter.csv` into `dir` with the columns of stays (times and priority): its
/// header and `rows`.
pub fn write_timed_contacts(dir: &std::path::Path, rows: &str) {
    std::fs::write(
        dir.join("lpr_kontakter.csv"),
        format!(
            "DW_EK_KONTAKT,PNR,DATO_START,TIDSPUNKT_START,DATO_SLUT,TIDSPUNKT_SLUT,KONTAKTTYPE,PRIORITET,SORENHED_ANS,AKTIONSDIAGNOSE\n{rows}"
        ),
    )
    .expect("contacts");
}

/// A shipped spec of `pipelines/`.
pub fn shipped(name: &str) -> LoadedSpec {
    crate::spec::load(std::path::Path::new(&format!("pipelines/{name}.toml")))
        .expect("shipped spec")
}

/// The (first, last) day `days_of` gives the shipped spec `name` in its own design.
pub fn days_of_shipped(
    days_of: fn(&Spec, Design) -> Option<Days>,
    name: &str,
) -> Option<(i32, i32)> {
    let loaded = shipped(name);
    days_of(&loaded.spec, loaded.design).map(|d| (d.from, d.to))
}

/// The scope of a run of the shipped specs `names`, each in its own design.
pub fn scope_of_shipped(
    names: &[&str],
    codes_of: fn(&Spec) -> Vec<String>,
    days_of: fn(&Spec, Design) -> Option<Days>,
) -> Scope {
    let specs: Vec<LoadedSpec> = names.iter().map(|name| shipped(name)).collect();
    Scope::of_run(
        specs.iter().map(|l| (&l.spec, vec![l.design])),
        codes_of,
        days_of,
    )
}
