//! The SLT analysis: headline measures, grade distributions per subject and cohort breakdowns,
//! computed from a run's results ([`analyse`], pure) and written as `analysis/*.csv` and
//! `analysis.xlsx` ([`write_analysis`]). This module holds what the analysis is and the entry
//! points; each part of the work is a module of its own.
//!
//! Points and subject classes are data (`data/points.csv`, `data/subjects.csv`), built in and
//! replaceable by a centre's own copies in the results folder, or the working folder
//! ([`AnalysisTables::load`]).

use std::collections::BTreeSet;
use std::fmt;

use parsers::Gradesets;

use crate::load::mis::Mis;
use crate::model::CandidateResult;

mod attainment8;
mod breakdown;
mod combined;
mod counting;
mod measures;
mod subjects;
mod tables;
#[cfg(test)]
mod tests;
mod workbook;
mod write;

pub use attainment8::attainment8;
pub use combined::Combined;
pub use counting::DOUBLE_AWARD_GRADESETS;
pub use measures::DEFINITIONS;
pub use subjects::{subjects_table, Convention, SubjectRow, SubjectsTable, CONVENTIONS};
pub use tables::{
    AnalysisTables, PointsRow, PointsTable, SubjectCategory, SubjectTable, TableFileError,
    DEFAULT_POINTS_CSV, DEFAULT_SUBJECTS_CSV, POINTS_FILE, SUBJECTS_FILE,
};
pub use workbook::{sheet_names, workbook, EMBARGO_NOTICE};
pub use write::{analysis_delta_csv, breakdown_csv, headline_csv, subjects_csv, write_analysis};

use counting::{candidate_key, is_gcse, Counted, Ctx};

/// A measure's value as `headline.csv` prints it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeasureValue {
    Count(usize),
    /// A percentage, already rounded to one decimal place (half up): `71.4`.
    Percent(f64),
    /// Points, already rounded to two decimal places (half up): `38.00`.
    Points(f64),
    /// The denominator is 0: printed blank.
    Empty,
    /// Printed `n/a`.
    NotApplicable,
}

impl MeasureValue {
    /// The text of the CSV cell.
    pub fn text(&self) -> String {
        match self {
            MeasureValue::Count(n) => n.to_string(),
            MeasureValue::Percent(p) => format!("{p:.1}"),
            MeasureValue::Points(p) => format!("{p:.2}"),
            MeasureValue::Empty => String::new(),
            MeasureValue::NotApplicable => "n/a".into(),
        }
    }
}

impl fmt::Display for MeasureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// One row of `headline.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub measure: &'static str,
    pub value: MeasureValue,
    /// Blank for counts and `p8`.
    pub denominator: Option<usize>,
    /// What the value is made of: the count, the number reaching the grade, or the points
    /// total. Centres' measures add up through it (a trust's analysis).
    pub numerator: f64,
}

/// How the Year 11 cohort (the denominator of the English and maths measures and of a8_mean)
/// was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortRule {
    /// Candidates with at least one GCSE result (no MIS export given).
    GcseResults,
    /// The MIS export's year_group 11 candidates.
    MisYear11,
    /// The MIS export has no year_group 11 candidate, so candidates with a GCSE result.
    GcseResultsMisHasNoYear11,
}

/// One row of `breakdown.csv`: a headline measure for the candidates with one value in one
/// MIS group.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    /// `sex`, `pupil_premium`, `sen`, `eal`, `form` or an extra MIS column.
    pub group: String,
    /// The MIS value (`Y`/`N` for flags); `(unknown)` where the MIS leaves it blank or
    /// unreadable; `(not in MIS)` for candidates with results the MIS does not list.
    pub value: String,
    pub measure: &'static str,
    pub result: MeasureValue,
    pub denominator: Option<usize>,
}

/// Everything the analysis writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub headline: Vec<Measure>,
    pub subjects: SubjectsTable,
    /// Only when an MIS export was given.
    pub breakdown: Option<Vec<BreakdownRow>>,
    pub cohort_rule: CohortRule,
    /// The Year 11 cohort's size.
    pub cohort_size: usize,
    /// Caveats worth printing beside the numbers (unverified points used, how the cohort was
    /// found).
    pub notes: Vec<String>,
}

impl Analysis {
    /// A headline measure by name.
    pub fn measure(&self, name: &str) -> Option<&Measure> {
        self.headline.iter().find(|m| m.measure == name)
    }
}

/// Label for candidates with results whom the MIS does not list.
pub const NOT_IN_MIS: &str = "(not in MIS)";
/// Label for a blank or unreadable MIS value.
pub const UNKNOWN_VALUE: &str = "(unknown)";

/// Computes the whole analysis. Pure: no I/O.
pub fn analyse(
    results: &[CandidateResult],
    gradesets: &Gradesets,
    tables: &AnalysisTables,
    mis: Option<&Mis>,
) -> Analysis {
    let ctx = Ctx { gradesets, tables };
    let (cohort, cohort_rule) = year11_cohort(results, mis);
    let counted = ctx.count(results, &cohort);
    let all: Vec<&Counted> = counted.iter().collect();
    let headline = ctx.headline(&all, cohort.len());
    let breakdown = mis.map(|m| ctx.breakdown(&all, &cohort, m));
    let mut notes = Vec::new();
    match cohort_rule {
        CohortRule::GcseResults => {}
        CohortRule::MisYear11 => notes.push(format!(
            "Year 11 cohort: the {} year_group 11 candidates of the MIS export.",
            cohort.len()
        )),
        CohortRule::GcseResultsMisHasNoYear11 => notes.push(
            "The MIS export lists no year_group 11 candidate: the Year 11 cohort is the \
             candidates with at least one GCSE result."
                .into(),
        ),
    }
    notes.extend(ctx.unverified_points_used(&all));
    Analysis {
        headline,
        subjects: subjects_table(results, gradesets),
        breakdown,
        cohort_rule,
        cohort_size: cohort.len(),
        notes,
    }
}

/// The Year 11 cohort: candidates with at least one GCSE result or, with an MIS export, its
/// year_group 11 candidates (the first rule again when it lists none in year 11).
pub fn year11_cohort(
    results: &[CandidateResult],
    mis: Option<&Mis>,
) -> (BTreeSet<String>, CohortRule) {
    if let Some(mis) = mis {
        let year11: BTreeSet<String> = mis
            .in_year(11)
            .map(|c| c.candidate_number.clone())
            .collect();
        if !year11.is_empty() {
            return (year11, CohortRule::MisYear11);
        }
    }
    let from_results = results
        .iter()
        .filter(|r| is_gcse(r))
        .map(candidate_key)
        .collect();
    let rule = if mis.is_some() {
        CohortRule::GcseResultsMisHasNoYear11
    } else {
        CohortRule::GcseResults
    };
    (from_results, rule)
}

/// `num / den` as a percentage rounded half up to one decimal place, exactly; blank for 0/0.
pub fn percent(num: usize, den: usize) -> MeasureValue {
    if den == 0 {
        return MeasureValue::Empty;
    }
    let (num, den) = (num as u128, den as u128);
    let tenths = (2 * num * 1000 + den) / (2 * den);
    MeasureValue::Percent(tenths as f64 / 10.0)
}

/// `total / n` rounded half up to two decimal places; blank when `n` is 0.
pub fn mean_points(total: f64, n: usize) -> MeasureValue {
    if n == 0 {
        return MeasureValue::Empty;
    }
    // The epsilon absorbs binary error in sums of decimal points (38.005 held as 38.00499…).
    let hundredths = (total / n as f64 * 100.0 + 0.5 + 1e-6).floor();
    MeasureValue::Points(hundredths / 100.0)
}
