//! Lazy canonical frames over a registers folder: one register (all its files) or one year.

use std::collections::BTreeMap;
use std::sync::Mutex;

use polars::prelude::*;

use super::discover::{Discovered, RegisterFile, discover};
use super::keys::key_dtype;
use super::read::{KeyTypes, open};
use crate::error::{Error, Result};

/// Runs a query on Polars' streaming engine, which reads the registers in morsels and holds only
/// what the joins and aggregations keep: at national volumes the in-memory engine would hold
/// whole scanned columns (several gigabytes) at once.
pub fn collect_streaming(frame: LazyFrame) -> PolarsResult<DataFrame> {
    match frame.collect_with_engine(Engine::Streaming)? {
        polars_core::query_result::QueryResult::Single(df) => Ok(df),
        polars_core::query_result::QueryResult::Multiple(_) => Err(PolarsError::ComputeError(
            "a query with one output gave several".into(),
        )),
    }
}

/// The whole number in the first row of column `name` of an aggregation's result (a count), 0
/// when the column is absent or empty.
pub fn count_in(frame: &DataFrame, name: &str) -> u64 {
    frame
        .column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::UInt64).ok())
        .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0)
}

/// The register files of a folder, opened on demand.
pub struct RegisterSet {
    pub discovered: Discovered,
    /// The types of the folder's keys: contact keys by [`key_dtype`], person keys as text until
    /// [`RegisterSet::read_persons_as_integers`].
    keys: KeyTypes,
    /// Frames derived alike for every analysis of a run ([`RegisterSet::shared`]).
    shared: Mutex<BTreeMap<String, DataFrame>>,
    /// Frames one step of an analysis hands to a later step of it ([`RegisterSet::hand_over`]).
    handed: Mutex<BTreeMap<String, DataFrame>>,
    /// The procedure codes of every analysis of the run and the days they can ask about, read
    /// together the first time any of them is asked for ([`crate::cohort::procedures`]); empty
    /// outside a run.
    pub procedures: crate::registers::scope::Scope,
    /// The action diagnosis codes of every analysis's criteria and the days they can ask about,
    /// read together the same way ([`crate::cohort::actions`]); empty outside a run.
    pub action_contacts: crate::registers::scope::Scope,
    /// The as-of date of the run (day number): events after it are cut off as they are read
    /// ([`super::contract::RegisterSpec::event_date`]); `None` outside a run reads everything.
    pub as_of: Option<i32>,
}

impl RegisterSet {
    pub fn open(dir: &std::path::Path) -> Result<RegisterSet> {
        let discovered = discover(dir)?;
        Ok(RegisterSet {
            keys: KeyTypes::text_persons(key_dtype(&discovered)),
            discovered,
            shared: Mutex::default(),
            handed: Mutex::default(),
            procedures: Default::default(),
            action_contacts: Default::default(),
            as_of: None,
        })
    }

    /// The types the folder's keys are read as.
    pub fn keys(&self) -> &KeyTypes {
        &self.keys
    }

    /// Reads the folder's person keys as integers from now on: for a folder whose validation
    /// found every `PNR` to be digits ([`super::persons`]). The frames kept or handed over so far
    /// were derived with text keys, which would not join with what is read from now on, so they
    /// are dropped.
    pub fn read_persons_as_integers(&mut self) {
        self.keys.persons = DataType::Int64;
        self.shared
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
        self.handed
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// The frame named `key`, computed by `compute` the first time it is asked for and kept for
    /// the register set's life (one run): a frame every analysis of `run --all` derives alike
    /// from the same registers, such as a year's income quintiles of the whole population, is
    /// then read and computed once instead of once per analysis and year.
    pub fn shared(
        &self,
        key: &str,
        compute: impl FnOnce() -> Result<DataFrame>,
    ) -> Result<DataFrame> {
        // A panic elsewhere while holding the lock leaves the kept frames whole: use them.
        let kept = || {
            self.shared
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(frame) = kept().get(key) {
            return Ok(frame.clone());
        }
        // Computed outside the lock: two analyses asking at once compute it twice, alike.
        let frame = compute()?;
        kept().insert(key.to_string(), frame.clone());
        Ok(frame)
    }

    /// Keeps `frame` under `key` until [`RegisterSet::take_handed`] takes it: for a frame one
    /// step of an analysis reads and a later step of the same analysis may read again, where
    /// [`RegisterSet::shared`] would hold it for the whole run.
    pub fn hand_over(&self, key: &str, frame: DataFrame) {
        self.handed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key.to_string(), frame);
    }

    /// The frame handed over under `key`, no longer kept; `None` when there is none.
    pub fn take_handed(&self, key: &str) -> Option<DataFrame> {
        self.handed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(key)
    }

    /// All files of a register concatenated, or `None` when the folder has none.
    pub fn scan(&self, register: &str) -> Result<Option<LazyFrame>> {
        self.scan_keyed(register, &self.keys)
    }

    /// All files of a register concatenated with keys of the types `keys`, or `None` when the
    /// folder has none.
    fn scan_keyed(&self, register: &str, keys: &KeyTypes) -> Result<Option<LazyFrame>> {
        let files = self.discovered.of(register);
        if files.is_empty() {
            return Ok(None);
        }
        let frames = files
            .iter()
            .map(|f| Ok(open(f)?.canonical(f.year, keys)))
            .collect::<Result<Vec<_>>>()?;
        let frame = concat(frames, UnionArgs::default())?;
        let event_date = super::contract::canonical(register).and_then(|s| s.event_date());
        Ok(Some(match (self.as_of, event_date) {
            (Some(as_of), Some(date)) => frame.filter(
                col(date)
                    .lt_eq(lit(as_of).cast(DataType::Date))
                    .or(col(date).is_null()),
            ),
            _ => frame,
        }))
    }

    /// All files of a register that must be present.
    pub fn require(&self, register: &str) -> Result<LazyFrame> {
        self.scan(register)?.ok_or_else(|| self.missing(register))
    }

    /// All files of a register that must be present, with `PNR` as the text the files hold:
    /// for a query that joins on other keys and keeps few rows, which then turns only the kept
    /// rows' `PNR` into the folder's person key ([`RegisterSet::person_key`]). The contacts
    /// joined to the diagnoses of multimorbidity's conditions are 73 million in five years at
    /// national volume, of which the join keeps a fifth; parsing each as it was read was a tenth
    /// of the join's time (bench/HISTORY.md).
    pub fn require_with_text_persons(&self, register: &str) -> Result<LazyFrame> {
        let keys = KeyTypes::text_persons(self.keys.contacts.clone());
        self.scan_keyed(register, &keys)?
            .ok_or_else(|| self.missing(register))
    }

    /// The folder's person key of `pnr`, a `PNR` read as text
    /// ([`RegisterSet::require_with_text_persons`]), named `PNR`.
    pub fn person_key(&self, pnr: Expr) -> Expr {
        super::persons::person_key(pnr, &self.keys.persons)
    }

    /// The error of a register that must be present and is not.
    fn missing(&self, register: &str) -> Error {
        Error::MissingInput(format!(
            "{}: no {register} register file (expected {register}.parquet, .arrow or .csv)",
            self.discovered.dir.display()
        ))
    }

    /// The file of a yearly register for one year.
    pub fn scan_year(&self, register: &str, year: i32) -> Result<Option<LazyFrame>> {
        self.discovered
            .of(register)
            .iter()
            .find(|f| f.year == Some(year))
            .map(|f| self.canonical(f, Some(year)))
            .transpose()
    }

    /// One file in the canonical schema, its keys of the folder's types.
    fn canonical(&self, file: &RegisterFile, year: Option<i32>) -> Result<LazyFrame> {
        Ok(open(file)?.canonical(year, &self.keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prescriptions of persons in the 2024 population, and the distinct persons among them.
    fn prescriptions_in_population(registers: &RegisterSet) -> (u32, u32) {
        let frame = registers
            .require("lmdb")
            .expect("lmdb")
            .join(
                registers
                    .scan_year("bef", 2024)
                    .expect("bef")
                    .expect("2024"),
                [col("PNR")],
                [col("PNR")],
                JoinArgs::new(JoinType::Semi),
            )
            .select([
                len().alias("rows"),
                col("PNR")
                    .n_unique()
                    .cast(DataType::UInt32)
                    .alias("persons"),
            ])
            .collect()
            .expect("joined");
        let get = |name: &str| {
            frame
                .column(name)
                .expect(name)
                .cast(&DataType::UInt32)
                .expect("count")
                .u32()
                .expect("u32")
                .get(0)
                .expect("value")
        };
        (get("rows"), get("persons"))
    }

    #[test]
    fn integer_person_keys_find_the_same_persons_as_text_keys() {
        let mut registers =
            RegisterSet::open(std::path::Path::new("data-samples")).expect("opened");
        let text = prescriptions_in_population(&registers);
        registers.read_persons_as_integers();
        let pnr = registers
            .scan_year("bef", 2024)
            .expect("bef")
            .expect("2024")
            .collect_schema()
            .expect("schema")
            .get("PNR")
            .cloned();
        assert_eq!(pnr, Some(DataType::Int64));
        assert_eq!(prescriptions_in_population(&registers), text);
        assert!(text.0 > 0 && text.1 > 0, "{text:?}");
    }

    /// The contacts read with text person keys and turned into integer keys afterwards hold the
    /// same keys, row for row, as the contacts read with integer keys; before the turn they are
    /// the text of the files.
    #[test]
    fn person_keys_turned_after_reading_equal_those_read_as_keys() {
        let mut registers =
            RegisterSet::open(std::path::Path::new("data-samples")).expect("opened");
        registers.read_persons_as_integers();
        let text = registers
            .require_with_text_persons("lpr_kontakter")
            .expect("contacts");
        let keys = |frame: LazyFrame| {
            frame
                .select([col("DW_EK_KONTAKT"), col("PNR")])
                .sort(["DW_EK_KONTAKT"], Default::default())
                .collect()
                .expect("collected")
        };
        let turned = keys(text.clone().with_column(registers.person_key(col("PNR"))));
        let read = keys(registers.require("lpr_kontakter").expect("contacts"));
        let dtype = |frame: &DataFrame| frame.column("PNR").expect("PNR").dtype().clone();
        assert_eq!(dtype(&keys(text)), DataType::String);
        assert_eq!(dtype(&turned), DataType::Int64);
        assert!(turned.height() > 0);
        assert!(turned.equals_missing(&read), "{turned} against {read}");
    }

    #[test]
    fn frames_kept_with_text_person_keys_are_not_used_with_integer_keys() {
        let mut registers =
            RegisterSet::open(std::path::Path::new("data-samples")).expect("opened");
        let population = |registers: &RegisterSet| {
            registers
                .shared("population/2024", || {
                    Ok(registers
                        .scan_year("bef", 2024)?
                        .expect("2024")
                        .select([col("PNR")])
                        .collect()?)
                })
                .expect("population")
        };
        let dtype = |frame: &DataFrame| frame.column("PNR").expect("PNR").dtype().clone();
        assert_eq!(dtype(&population(&registers)), DataType::String);
        registers.read_persons_as_integers();
        assert_eq!(dtype(&population(&registers)), DataType::Int64);
    }

    #[test]
    fn a_shared_frame_is_computed_once_and_kept_by_its_key() {
        let registers = RegisterSet::open(std::path::Path::new("data-samples")).expect("opened");
        let mut computed = 0;
        let mut ask = |key: &str, value: i32| {
            registers
                .shared(key, || {
                    computed += 1;
                    Ok(df!("v" => [value])?)
                })
                .expect("frame")
        };
        let first = ask("income_quintile/2023", 1);
        let again = ask("income_quintile/2023", 2);
        let other = ask("income_quintile/2024", 3);
        let value = |frame: &DataFrame| frame.column("v").expect("v").i32().expect("i32").get(0);
        assert_eq!(value(&first), Some(1));
        assert_eq!(value(&again), Some(1), "the kept frame, not a new one");
        assert_eq!(value(&other), Some(3));
        assert_eq!(computed, 2);
    }
}
