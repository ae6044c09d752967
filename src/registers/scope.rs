//! What a run reads of a register once for all its analyses: a span of days outside which no
//! event can matter ([`Days`]), and the codes of every analysis's criteria of one kind on those
//! days ([`Scope`]). The register set keeps the scopes of a run, so the cohort's shared reads
//! read each register once.

use polars::prelude::*;

use crate::spec::{Design, Spec};

/// A span of days (inclusive) outside which no event can matter to an analysis: filtering a
/// register on it before any join lets the Parquet reader skip the row groups of other years
/// (the registers are kept in date order) and keeps the joins small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from: i32,
    pub to: i32,
}

/// The days of one read of [`contacts_joined_by_partitions`]: a year.
pub(crate) const SPAN_DAYS: i32 = 365;

impl Days {
    /// Every day (no bound).
    pub const ALL: Days = Days {
        from: i32::MIN,
        to: i32::MAX,
    };

    /// The days of the design: the index date, or the period.
    pub(crate) fn of_design(design: Design) -> Days {
        match design {
            Design::IndexDate(day) => Days { from: day, to: day },
            Design::Period(from, to) => Days { from, to },
        }
    }

    /// This span widened by `before` days at its start and `after` days at its end.
    pub(crate) fn widened(self, before: i32, after: i32) -> Days {
        Days {
            from: self.from.saturating_sub(before),
            to: self.to.saturating_add(after),
        }
    }

    /// The smallest span holding both spans (and any days between them).
    pub(crate) fn spanning(self, other: Days) -> Days {
        Days {
            from: self.from.min(other.from),
            to: self.to.max(other.to),
        }
    }

    /// True when every day of `other` is in this span.
    pub(crate) fn holds(self, other: Days) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    /// This span cut into spans of at most a year ([`SPAN_DAYS`]), in order; a span without a
    /// bound is one span.
    pub(crate) fn years(self) -> Vec<Days> {
        if self.from == i32::MIN || self.to == i32::MAX {
            return vec![self];
        }
        (self.from..=self.to)
            .step_by(SPAN_DAYS as usize)
            .map(|from| Days {
                from,
                to: from.saturating_add(SPAN_DAYS - 1).min(self.to),
            })
            .collect()
    }

    /// True where the date column `column` (as read, before any cast) lies in the span: a
    /// predicate the Parquet reader can test against row-group statistics.
    pub(crate) fn contains(self, column: &str) -> Expr {
        let mut keep = lit(true);
        if self.from > i32::MIN {
            keep = keep.and(col(column).gt_eq(lit(self.from).cast(DataType::Date)));
        }
        if self.to < i32::MAX {
            keep = keep.and(col(column).lt_eq(lit(self.to).cast(DataType::Date)));
        }
        keep
    }
}

/// What a run reads once from a register for all its analyses (the issue of sharing scans): the
/// codes of every analysis's criteria of one kind ([`procedures`], [`actions`]), on the days any
/// of them can ask about. Outside a run (tests, a register set opened alone) nothing is known
/// and every criterion reads its own events.
#[derive(Debug, Clone)]
pub struct Scope {
    pub codes: Vec<String>,
    pub days: Days,
}

impl Default for Scope {
    fn default() -> Scope {
        Scope {
            codes: Vec::new(),
            days: Days::ALL,
        }
    }
}

impl Scope {
    /// The scope of a run of `specs`, each in the designs of its years: the codes `codes_of`
    /// gives for each spec, on the union of the days `days_of` gives for each spec and design.
    pub fn of_run<'a>(
        specs: impl IntoIterator<Item = (&'a Spec, Vec<Design>)>,
        codes_of: impl Fn(&Spec) -> Vec<String>,
        days_of: impl Fn(&Spec, Design) -> Option<Days>,
    ) -> Scope {
        let mut codes = Vec::new();
        let mut days: Option<Days> = None;
        for (spec, designs) in specs {
            codes.extend(codes_of(spec));
            for design in designs {
                if let Some(d) = days_of(spec, design) {
                    days = Some(days.map_or(d, |known| known.spanning(d)));
                }
            }
        }
        codes.sort();
        codes.dedup();
        Scope {
            codes,
            days: days.unwrap_or(Days::ALL),
        }
    }

    /// True when the events read for this scope include every event of the codes `wanted` on
    /// `days`: each wanted code starts with one of the scope's, and the days are the scope's.
    pub(crate) fn serves(&self, wanted: &[String], days: Days) -> bool {
        self.days.holds(days) && covers(&self.codes, wanted)
    }

    /// The name the frame read for this scope is kept under ([`RegisterSet::shared`]): a scope
    /// changed later is read anew rather than looked for in a frame that lacks its rows.
    pub(crate) fn key(&self, what: &str) -> String {
        format!(
            "{what}/{}/{}..{}",
            self.codes.join(","),
            self.days.from,
            self.days.to
        )
    }
}

/// True when every code of `wanted` starts with one of `read`, so the events read for `read`
/// include all of `wanted`'s.
pub(crate) fn covers(read: &[String], wanted: &[String]) -> bool {
    wanted
        .iter()
        .all(|w| read.iter().any(|r| w.starts_with(r.as_str())))
}
