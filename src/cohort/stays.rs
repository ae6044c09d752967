//! Hospital stays: a person's physical attendances joined into stays, and each stay's priority
//! and setting, as Danish statistics count admissions since LPR3.
//!
//! LPR3 reports a contact per attendance at a unit (a transfer from the emergency department to
//! a ward is two contacts) and no longer says whether a patient was admitted. Sundhedsdatastyrelsen
//! (eSundhed, "Nøgletal for sygehusvæsenet", appendix 1) and Statistics Denmark
//! ("Sygehusbenyttelse", statistical processing) therefore join a person's physical attendances
//! (`KONTAKTTYPE` `ALCA00`) into one stay (sygehusophold) when they overlap or follow each other
//! within 4 hours, and call a stay of 12 hours or more an admission (indlæggelse), a shorter
//! one an outpatient visit (ambulant besøg). The same is done here:
//! - a stay is **inpatient** when it lasts 12 hours or more from its first start to its last
//!   end; a stay any of whose contacts lacks a time (LPR2 kept hours only for inpatients; a
//!   delivery may lack `TIDSPUNKT_START`) is inpatient when it ends on a later day than it
//!   starts (a night in hospital), and contacts without times are joined when the next starts
//!   on or before the day the stay so far ends;
//! - a contact without an end is still open: its stay is inpatient and has no discharge;
//! - a stay is **acute** or **planned** by its first contact's `PRIORITET` (`ATA1` acute, `ATA3`
//!   planned: how the patient came in), and neither where that contact has none; of contacts
//!   starting at the same instant, an acute one comes first, then a planned one, then the one
//!   with the lowest contact key (the register's order of such contacts is no order, and a
//!   stay's priority must not change from one run to the next).
//!
//! A criterion or outcome that asks for acute, planned, inpatient or outpatient care asks it of
//! the stay its contact belongs to; hours after an index count from its stay's start (the
//! arrival at hospital), and a readmission is a later stay.

use polars::prelude::*;

use super::reads::day;
use crate::error::{Error, Result};
use crate::registers::scan::{RegisterSet, collect_streaming};
use crate::registers::scope::Days;

/// Seconds in a day: instants are `day * DAY_SECONDS + seconds since midnight`.
pub(super) const DAY_SECONDS: i64 = 86_400;
/// The longest pause between two attendances of one stay (4 hours).
const LINK_SECONDS: i64 = 4 * 3_600;
/// The shortest stay that is an admission (12 hours).
const INPATIENT_SECONDS: i64 = 12 * 3_600;
/// How many days before the days asked for a stay is traced back: a stay holding a contact of
/// those days may have begun before them (a transfer after a night in the emergency department).
const TRACED_DAYS: i32 = 30;

/// One physical attendance, as [`join`] reads it: a person's attendances come sorted by start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Attendance {
    pub start_day: i32,
    /// The start's seconds since midnight, when the register has them.
    pub start_time: Option<i32>,
    /// `None` for a contact still open.
    pub end_day: Option<i32>,
    pub end_time: Option<i32>,
    /// `Some(true)` for `ATA1`, `Some(false)` for `ATA3`, `None` otherwise.
    pub acute: Option<bool>,
}

impl Attendance {
    fn start_at(&self) -> Option<i64> {
        self.start_time
            .map(|t| self.start_day as i64 * DAY_SECONDS + t as i64)
    }

    fn end_at(&self) -> Option<i64> {
        Some(self.end_day? as i64 * DAY_SECONDS + self.end_time? as i64)
    }
}

/// A stay of one or more attendances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Stay {
    pub start_day: i32,
    /// The stay's start as an instant (seconds since 1970-01-01), when it has a time.
    pub start_at: Option<i64>,
    /// The discharge day (`None` while a contact of the stay is open).
    pub end_day: Option<i32>,
    /// The discharge as an instant, when every contact of the stay has times.
    pub end_at: Option<i64>,
    pub acute: Option<bool>,
    pub inpatient: bool,
}

/// A stay being built from consecutive attendances.
struct Open {
    first: usize,
    start: Attendance,
    /// The latest end so far (`None` once an open contact has joined).
    end_day: Option<i32>,
    end_at: Option<i64>,
    timed: bool,
}

impl Open {
    fn new(i: usize, a: &Attendance) -> Open {
        Open {
            first: i,
            start: *a,
            end_day: a.end_day,
            end_at: a.end_at(),
            timed: a.start_at().is_some() && a.end_at().is_some(),
        }
    }

    /// Whether `next` (starting at or after this stay's start) belongs to this stay.
    fn links(&self, next: &Attendance) -> bool {
        let Some(end_day) = self.end_day else {
            return true;
        };
        match (self.timed, self.end_at, next.start_at()) {
            (true, Some(end), Some(start)) => start <= end + LINK_SECONDS,
            _ => next.start_day <= end_day,
        }
    }

    fn add(&mut self, next: &Attendance) {
        self.timed &= next.start_at().is_some() && next.end_at().is_some();
        self.end_day = match (self.end_day, next.end_day) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        self.end_at = match (self.end_at, next.end_at()) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }

    fn stay(&self) -> Stay {
        let start_at = self.start.start_at();
        let end_at = if self.timed { self.end_at } else { None };
        let inpatient = match (self.end_day, start_at, end_at) {
            (None, _, _) => true,
            (Some(_), Some(start), Some(end)) => end - start >= INPATIENT_SECONDS,
            (Some(end_day), _, _) => end_day > self.start.start_day,
        };
        Stay {
            start_day: self.start.start_day,
            start_at,
            end_day: self.end_day,
            end_at,
            acute: self.start.acute,
            inpatient,
        }
    }
}

/// The stays of attendances, each stay once ([`join`]).
pub(super) struct Joined {
    /// Each attendance's stay, an index into `stays`: the stays of all persons are numbered in
    /// order of their first attendance.
    pub stay_of: Vec<IdxSize>,
    pub stays: Vec<Stay>,
    /// Whether each attendance opens its stay.
    pub opens: Vec<bool>,
}

/// The stays of attendances sorted by person and start: `same_person[i]` tells whether
/// attendance `i` is of the same person as attendance `i - 1`.
///
/// Each stay is held once and each attendance holds its index. When each attendance held a copy
/// of its stay, the 6.6 million attendances of a multimorbidity group at national volume took
/// 0.95 s to join and 0.64 s more to turn into columns (bench/HISTORY.md).
pub(super) fn join(attendances: &[Attendance], same_person: &[bool]) -> Joined {
    // Most attendances are a stay of their own.
    let mut joined = Joined {
        stay_of: Vec::with_capacity(attendances.len()),
        stays: Vec::with_capacity(attendances.len()),
        opens: Vec::with_capacity(attendances.len()),
    };
    let mut open: Option<Open> = None;
    let close = |open: &Open, joined: &mut Joined, upto: usize| {
        let id = joined.stays.len() as IdxSize;
        joined.stays.push(open.stay());
        let attendances = upto - open.first;
        joined.stay_of.extend(std::iter::repeat_n(id, attendances));
        joined.opens.push(true);
        joined
            .opens
            .extend(std::iter::repeat_n(false, attendances - 1));
    };
    for (i, a) in attendances.iter().enumerate() {
        if let Some(o) = open.as_mut().filter(|o| same_person[i] && o.links(a)) {
            o.add(a);
            continue;
        }
        if let Some(o) = open.take() {
            close(&o, &mut joined, i);
        }
        open = Some(Open::new(i, a));
    }
    if let Some(o) = &open {
        close(o, &mut joined, attendances.len());
    }
    joined
}

/// The key of the stays of `days` handed over, and of their persons.
fn handed_keys(days: Days) -> (String, String) {
    let key = format!("stays/{}/{}", days.from, days.to);
    (key.clone(), format!("{key}/persons"))
}

/// Keeps `stays`, read by [`stays_of`] for `persons` (a frame with `PNR`) on `days`, for a
/// later step of the same analysis that asks for the stays of persons among them on the same
/// days ([`handed_over`]): a person's stays are built from their own attendances alone, so they
/// are the same stays, and the contacts need not be read again. The hip fracture analysis reads
/// its criterion's stays (acute, inpatient) and then its patients' index stays (hours to
/// surgery, length of stay): about two seconds each at national volume.
pub(super) fn hand_over(
    registers: &RegisterSet,
    persons: &DataFrame,
    days: Days,
    stays: &DataFrame,
) -> Result<()> {
    let (key, persons_key) = handed_keys(days);
    let persons = persons
        .select(["PNR"])?
        .unique_stable(None, UniqueKeepStrategy::Any, None)?;
    registers.hand_over(&persons_key, persons);
    registers.hand_over(&key, stays.clone());
    Ok(())
}

/// The stays [`stays_of`] would read for `persons` on `days`, taken from those handed over
/// ([`hand_over`]) when they were read on the same days for persons including all of
/// `persons`; `None` otherwise. What was handed over is let go either way.
pub(super) fn handed_over(
    registers: &RegisterSet,
    persons: LazyFrame,
    days: Days,
) -> Result<Option<DataFrame>> {
    let (key, persons_key) = handed_keys(days);
    let (Some(stays), Some(read_for)) = (
        registers.take_handed(&key),
        registers.take_handed(&persons_key),
    ) else {
        return Ok(None);
    };
    let persons = collect_streaming(persons.select([col("PNR")]))?;
    let missing = persons
        .clone()
        .lazy()
        .join(
            read_for.lazy(),
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Anti),
        )
        .select([len().alias("missing")])
        .collect()?;
    if crate::registers::scan::count_in(&missing, "missing") > 0 {
        return Ok(None);
    }
    // A filter keeps the stays' order: a person's attendances by start, as they were built.
    let theirs = col("PNR").is_in(
        lit(persons.column("PNR")?.as_materialized_series().clone()).implode(false),
        false,
    );
    Ok(Some(stays.lazy().filter(theirs).collect()?))
}

/// The stays of the physical attendances of the persons in `persons` (a frame with `PNR`) that
/// may hold a contact starting within `days`: one row per attendance with `KEY`, `PNR`,
/// `STAY_ID`, `STAY_FIRST` (the attendance opens the stay), `STAY_START_DAY`, `STAY_START_AT`,
/// `STAY_END_DAY`, `STAY_END_AT`, `ACUTE` and `INPATIENT` (see the module's rules).
///
/// The attendances read start by the day after `days` ends. A stay holding a contact that starts
/// within `days` has its priority and setting exactly: an attendance starting later still, at
/// the earliest 24 hours after the last day of `days`, joins only a stay that already lasts 20
/// hours or runs past midnight, an admission whatever follows, and its first contact is read.
/// Its discharge (`STAY_END_DAY`, `STAY_END_AT`) may come later: with `days.to` at `i32::MAX`
/// it is read too.
///
/// `needs_priority` names what asks for acute or planned stays: when the contacts read have no
/// `PRIORITET` at all, it fails, since every stay would be neither and the answer silently none.
pub(super) fn stays_of(
    registers: &RegisterSet,
    persons: LazyFrame,
    days: Days,
    needs_priority: Option<&str>,
) -> Result<DataFrame> {
    let from = days.from.saturating_sub(TRACED_DAYS);
    // The dates are compared as dates, so the Parquet reader skips the row groups whose
    // statistics lie outside them (a test of the dates cast to day numbers read every row
    // group: all ten years of contacts for one year's stays).
    let contacts = registers
        .require("lpr_kontakter")?
        .filter(
            col("KONTAKTTYPE")
                .eq(lit("ALCA00"))
                .and(col("DATO_START").lt_eq(lit(days.to.saturating_add(1)).cast(DataType::Date)))
                .and(
                    col("DATO_SLUT")
                        .is_null()
                        .or(col("DATO_SLUT").gt_eq(lit(from).cast(DataType::Date))),
                ),
        )
        .join(
            persons.select([col("PNR")]),
            [col("PNR")],
            [col("PNR")],
            JoinArgs::new(JoinType::Semi),
        )
        .select([
            col("PNR"),
            col("DW_EK_KONTAKT").alias("KEY"),
            day("DATO_START").alias("START_DAY"),
            col("TIDSPUNKT_START").alias("START_TIME"),
            day("DATO_SLUT").alias("END_DAY"),
            col("TIDSPUNKT_SLUT").alias("END_TIME"),
            col("PRIORITET").is_not_null().alias("HAS_PRIORITY"),
            when(col("PRIORITET").eq(lit("ATA1")))
                .then(lit(true))
                .when(col("PRIORITET").eq(lit("ATA3")))
                .then(lit(false))
                .otherwise(lit(NULL).cast(DataType::Boolean))
                .alias("ACUTE"),
        ])
        .sort(
            ["PNR", "START_DAY", "START_TIME", "ACUTE", "KEY"],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, false, false, true, false])
                .with_nulls_last_multi([false, false, false, true, false]),
        )
        .with_column(
            col("PNR")
                .eq_missing(col("PNR").shift(lit(1)))
                .fill_null(lit(false))
                .alias("SAME_PERSON"),
        );
    // One chunk per column, so the attendances below are read by plain iteration (a lookup by
    // row in a column of many chunks searches its chunks every time).
    let mut frame = collect_streaming(contacts)?;
    frame.rechunk_mut_par();
    if let Some(what) = needs_priority
        && frame.height() > 0
        && !frame.column("HAS_PRIORITY")?.bool()?.any()
    {
        return Err(Error::BadInput(format!(
            "{what} asks for acute or planned stays, but lpr_kontakter has no PRIORITET (ATA1 acute, ATA3 planned) for any of the {} contacts of its patients: the registers must carry it (docs/registers.md)",
            frame.height()
        )));
    }
    let int = |name: &str| -> Result<Vec<Option<i32>>> {
        Ok(frame.column(name)?.i32()?.iter().collect())
    };
    let (start_day, start_time, end_day, end_time) = (
        int("START_DAY")?,
        int("START_TIME")?,
        int("END_DAY")?,
        int("END_TIME")?,
    );
    let acute = frame.column("ACUTE")?.bool()?.iter();
    let attendances: Vec<Attendance> = acute
        .enumerate()
        .map(|(i, acute)| Attendance {
            start_day: start_day[i].unwrap_or(i32::MIN),
            start_time: start_time[i],
            end_day: end_day[i],
            end_time: end_time[i],
            acute,
        })
        .collect();
    let same: Vec<bool> = frame
        .column("SAME_PERSON")?
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let Joined {
        stay_of,
        stays,
        opens,
    } = join(&attendances, &same);
    // The stays' columns once per stay, then taken for each attendance.
    let per_stay = DataFrame::new(
        stays.len(),
        vec![
            Column::new(
                "STAY_ID".into(),
                (0..stays.len() as u32).collect::<Vec<_>>(),
            ),
            stay_column("STAY_START_DAY", &stays, |s| s.start_day),
            stay_column("STAY_START_AT", &stays, |s| s.start_at),
            stay_column("STAY_END_DAY", &stays, |s| s.end_day),
            stay_column("STAY_END_AT", &stays, |s| s.end_at),
            stay_column("ACUTE", &stays, |s| s.acute),
            stay_column("INPATIENT", &stays, |s| s.inpatient),
        ],
    )?
    .take(&IdxCa::from_vec("stay".into(), stay_of))?;
    let mut out = frame.select(["KEY", "PNR"])?;
    out.hstack_mut(per_stay.columns())?;
    out.insert_column(3, Column::new("STAY_FIRST".into(), opens))?;
    Ok(out)
}

/// The column `name` of one value of each stay.
fn stay_column<T>(name: &str, stays: &[Stay], value: impl Fn(&Stay) -> T) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Column::new(name.into(), stays.iter().map(value).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(
        start_day: i32,
        start: Option<i32>,
        end_day: Option<i32>,
        end: Option<i32>,
    ) -> Attendance {
        Attendance {
            start_day,
            start_time: start,
            end_day,
            end_time: end,
            acute: None,
        }
    }

    const H: i32 = 3_600;

    /// An attendance's stay as the tests read it: its number, whether the attendance opens it,
    /// and the stay.
    struct AttendanceStay {
        id: usize,
        first: bool,
        stay: Stay,
    }

    impl std::ops::Deref for AttendanceStay {
        type Target = Stay;
        fn deref(&self) -> &Stay {
            &self.stay
        }
    }

    /// [`join`] as one stay per attendance.
    fn per_attendance(attendances: &[Attendance], same: &[bool]) -> Vec<AttendanceStay> {
        let joined = join(attendances, same);
        assert_eq!(
            (joined.stay_of.len(), joined.opens.len()),
            (attendances.len(), attendances.len()),
            "a stay per attendance"
        );
        (0..attendances.len())
            .map(|i| {
                let id = joined.stay_of[i] as usize;
                AttendanceStay {
                    id,
                    first: joined.opens[i],
                    stay: joined.stays[id],
                }
            })
            .collect()
    }

    /// (stay id, inpatient) of each attendance.
    fn ids(attendances: &[Attendance], same: &[bool]) -> Vec<(usize, bool)> {
        per_attendance(attendances, same)
            .iter()
            .map(|s| (s.id, s.inpatient))
            .collect()
    }

    #[test]
    fn attendances_within_four_hours_are_one_stay_and_twelve_hours_an_admission() {
        // Person 1: emergency department 10:00-14:00, ward from 15:00 (1 hour later) to the
        // next day 08:00: one stay of 22 hours, an admission. Then an outpatient visit five
        // days later, 09:00-10:00: a stay of its own, not an admission.
        // Person 2: 08:00-19:59 (11 h 59 min), then 00:00-02:00 the next day (4 h 1 min later):
        // two stays, neither an admission; then exactly 12 hours (08:00-20:00): an admission.
        let attendances = [
            at(100, Some(10 * H), Some(100), Some(14 * H)),
            at(100, Some(15 * H), Some(101), Some(8 * H)),
            at(105, Some(9 * H), Some(105), Some(10 * H)),
            at(200, Some(8 * H), Some(200), Some(20 * H - 60)),
            at(201, Some(0), Some(201), Some(2 * H)),
            at(210, Some(8 * H), Some(210), Some(20 * H)),
        ];
        let same = [false, true, true, false, true, true];
        assert_eq!(
            ids(&attendances, &same),
            [
                (0, true),
                (0, true),
                (1, false),
                (2, false),
                (3, false),
                (4, true)
            ]
        );
        let stays = per_attendance(&attendances, &same);
        assert!(stays[0].first && !stays[1].first);
        assert_eq!(stays[1].start_at, Some(100 * DAY_SECONDS + 10 * 3_600));
        assert_eq!(stays[1].end_at, Some(101 * DAY_SECONDS + 8 * 3_600));
        assert_eq!(stays[1].end_day, Some(101));
    }

    #[test]
    fn a_pause_of_exactly_four_hours_links_and_other_persons_never_do() {
        let attendances = [
            at(100, Some(8 * H), Some(100), Some(10 * H)),
            at(100, Some(14 * H), Some(100), Some(22 * H)),
            // Another person, starting while the first is in hospital.
            at(100, Some(12 * H), Some(100), Some(13 * H)),
        ];
        assert_eq!(
            ids(&attendances, &[false, true, false]),
            [(0, true), (0, true), (1, false)]
        );
    }

    #[test]
    fn without_times_a_night_in_hospital_is_an_admission_and_an_open_contact_too() {
        let attendances = [
            // A day visit and a same-day transfer: one stay, no night.
            at(100, None, Some(100), None),
            at(100, None, Some(100), None),
            // Two nights.
            at(110, None, Some(112), None),
            // Timed start, no end time: days decide (it ends the same day).
            at(120, Some(8 * H), Some(120), None),
            // Still open.
            at(130, Some(8 * H), None, None),
            // Joins the open stay, whatever its day.
            at(190, Some(8 * H), Some(190), Some(9 * H)),
        ];
        let stays = per_attendance(&attendances, &[false, true, true, true, true, true]);
        let got: Vec<(usize, bool)> = stays.iter().map(|s| (s.id, s.inpatient)).collect();
        assert_eq!(
            got,
            [
                (0, false),
                (0, false),
                (1, true),
                (2, false),
                (3, true),
                (3, true)
            ]
        );
        assert_eq!(stays[5].end_day, None, "an open stay has no discharge");
        assert_eq!(stays[2].end_at, None, "no times, no instant");
    }

    #[test]
    fn a_stay_is_acute_or_planned_by_its_first_contact() {
        let mut first = at(100, Some(10 * H), Some(100), Some(12 * H));
        first.acute = Some(true);
        let mut second = at(100, Some(12 * H), Some(102), Some(8 * H));
        second.acute = Some(false);
        let stays = per_attendance(&[first, second], &[false, true]);
        assert_eq!(stays[1].acute, Some(true));
        assert!(stays[1].inpatient);
    }

    /// Three persons with a planned and an acute (or unprioritised) attendance each, starting at
    /// the same instant, in either order in the file and of the keys.
    const SAME_INSTANT_CONTACTS: &str = "1,p1,2023-03-01,08:00,2023-03-02,10:00,ALCA00,ATA3,6620011000000,DI500\n\
             2,p1,2023-03-01,08:00,2023-03-01,09:00,ALCA00,ATA1,6620012000000,DR688\n\
             4,p2,2023-03-01,08:00,2023-03-02,10:00,ALCA00,ATA1,6620011000000,DI500\n\
             3,p2,2023-03-01,08:00,2023-03-01,09:00,ALCA00,ATA3,6620012000000,DR688\n\
             5,p3,2023-03-01,08:00,2023-03-02,10:00,ALCA00,,6620011000000,DI500\n\
             6,p3,2023-03-01,08:00,2023-03-01,09:00,ALCA00,ATA3,6620012000000,DR688\n";

    #[test]
    fn of_contacts_starting_at_the_same_instant_an_acute_one_opens_the_stay() {
        // Each person has a planned and an acute attendance starting at the same instant, in
        // either order in the file and of the keys: every stay is acute, and its first row is
        // the acute contact. A third person's two planned and unprioritised attendances at one
        // instant give a planned stay opened by the planned contact.
        let dir = tempfile::tempdir().expect("temp");
        crate::cohort::testing::write_timed_contacts(dir.path(), SAME_INSTANT_CONTACTS);
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let persons = df!("PNR" => ["p1", "p2", "p3"]).expect("persons").lazy();
        let days = Days {
            from: crate::dates::jan1(2023),
            to: crate::dates::jan1(2024) - 1,
        };
        let stays = stays_of(&registers, persons, days, Some("test"))
            .expect("stays")
            .lazy()
            .filter(col("STAY_FIRST"))
            .sort(["PNR"], Default::default())
            .collect()
            .expect("first rows");
        let keys: Vec<String> = stays
            .column("KEY")
            .expect("KEY")
            .cast(&DataType::String)
            .expect("text")
            .str()
            .expect("text")
            .iter()
            .map(|k| k.expect("a key").to_string())
            .collect();
        assert_eq!(keys, ["2", "4", "6"]);
        let acute: Vec<Option<bool>> = stays
            .column("ACUTE")
            .expect("ACUTE")
            .bool()
            .expect("flags")
            .iter()
            .collect();
        assert_eq!(acute, [Some(true), Some(true), Some(false)]);
    }

    /// The stays handed over for three persons are, for two of them, the stays read for those
    /// two (the stay numbers aside, which count the stays of the frame); they are not taken for
    /// other days or for a person not among the three, and are taken once.
    #[test]
    fn stays_handed_over_are_those_read_for_the_persons_among_them() {
        let dir = tempfile::tempdir().expect("temp");
        crate::cohort::testing::write_timed_contacts(dir.path(), SAME_INSTANT_CONTACTS);
        let registers = RegisterSet::open(dir.path()).expect("opened");
        let days = Days {
            from: crate::dates::jan1(2023),
            to: i32::MAX,
        };
        let all = df!("PNR" => ["p1", "p2", "p3", "p1"]).expect("persons");
        let two = || df!("PNR" => ["p3", "p2"]).expect("persons").lazy();
        let read = stays_of(&registers, all.clone().lazy(), days, None).expect("stays");
        let without_numbers = |frame: DataFrame| frame.drop("STAY_ID").expect("STAY_ID");
        let hand = || hand_over(&registers, &all, days, &read).expect("handed over");

        hand();
        let handed = handed_over(&registers, two(), days)
            .expect("taken")
            .expect("the same days and persons among those read");
        let own = stays_of(&registers, two(), days, None).expect("stays");
        assert_eq!(own.height(), 4, "an attendance a row: two of p2, two of p3");
        assert!(without_numbers(handed).equals_missing(&without_numbers(own)));
        assert!(
            handed_over(&registers, two(), days)
                .expect("asked")
                .is_none(),
            "taken once"
        );

        hand();
        let other_days = Days {
            to: days.to - 1,
            ..days
        };
        assert!(
            handed_over(&registers, two(), other_days)
                .expect("asked")
                .is_none()
        );
        hand();
        let stranger = df!("PNR" => ["p2", "p4"]).expect("persons").lazy();
        assert!(
            handed_over(&registers, stranger, days)
                .expect("asked")
                .is_none()
        );
    }
}
