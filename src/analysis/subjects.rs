//! The subjects table (`subjects.csv`): a row per board and entry option, with its grade
//! counts and its shares at the top and pass grades of its qualification's convention.

use std::collections::BTreeMap;

use parsers::Gradesets;

use super::counting::{grade_count, grades_of, reaches};
use super::{percent, MeasureValue};
use crate::model::CandidateResult;

/// How each qualification's results are summarised per subject: the lowest grade that counts
/// as a top grade and the lowest that counts as a pass, both in the option's own gradeset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    pub qualification: &'static str,
    /// `pct_top`: this grade or better.
    pub top: &'static str,
    /// `pct_pass`: this grade or better.
    pub pass: &'static str,
    pub meaning: &'static str,
}

/// The per-subject conventions of `subjects.csv`'s `pct_top` and `pct_pass`.
pub const CONVENTIONS: &[Convention] = &[
    Convention {
        qualification: "GCSE",
        top: "7",
        pass: "4",
        meaning: "top 9-7, pass 9-4",
    },
    Convention {
        qualification: "GCE A",
        top: "A",
        pass: "E",
        meaning: "top A*-A, pass A*-E",
    },
    Convention {
        qualification: "GCE AS",
        top: "A",
        pass: "E",
        meaning: "top A, pass A-E",
    },
    Convention {
        qualification: "PROJECT",
        top: "A",
        pass: "E",
        meaning: "top A*-A, pass A*-E",
    },
    Convention {
        qualification: "CNAT",
        top: "D2",
        pass: "P1",
        meaning: "top Level 2 distinction (*2, D2), pass any pass",
    },
    Convention {
        qualification: "BTEC NAT",
        top: "D",
        pass: "P",
        meaning: "top D*-D, pass D*-P",
    },
];

/// The convention of a qualification's results, if it has one.
fn convention_of(qualification: &str) -> Option<&'static Convention> {
    CONVENTIONS
        .iter()
        .find(|c| c.qualification == qualification)
}

/// The order gradesets' grades take in `subjects.csv`'s header; others follow by code.
const GRADESET_ORDER: &[&str] = &["40", "15", "F", "4", "A", "10", "21", "BTNS"];

/// One row of `subjects.csv`: a board and entry option with results.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRow {
    pub board: String,
    pub entry_code: String,
    pub title: String,
    pub qualification: String,
    pub gradeset: Option<String>,
    /// Results for the option, X, Q and blank grades included.
    pub entries: usize,
    /// The option's own grades, best first: its gradeset's, or for an option with no known
    /// gradeset the grades its results hold.
    pub grades: Vec<String>,
    /// Grades counted (without `#`; both grades of a double award; `X` and `Q` included).
    pub counts: BTreeMap<String, usize>,
    pub pct_top: MeasureValue,
    pub pct_pass: MeasureValue,
    /// The grades counted for the percentages (a double award counts two), and how many of
    /// them reach the top and pass grades: what centres' rows add up through.
    pub slots: usize,
    pub top_reached: usize,
    pub pass_reached: usize,
}

impl SubjectRow {
    /// The count under a grade column: blank where the grade is not one of the option's own.
    pub fn cell(&self, grade: &str) -> Option<usize> {
        let own = grade == "X" || grade == "Q" || self.grades.iter().any(|g| g == grade);
        own.then(|| self.counts.get(grade).copied().unwrap_or(0))
    }

    /// Sets `pct_top` and `pct_pass` from the grades counted and reached: blank unless the
    /// option's gradeset is known and its qualification has a convention ([`CONVENTIONS`]).
    pub(super) fn set_percentages(&mut self, gradesets: &Gradesets) {
        let applicable = self
            .gradeset
            .as_deref()
            .and_then(|g| gradesets.get(g))
            .is_some()
            && convention_of(&self.qualification).is_some();
        (self.pct_top, self.pct_pass) = if applicable {
            (
                percent(self.top_reached, self.slots),
                percent(self.pass_reached, self.slots),
            )
        } else {
            (MeasureValue::Empty, MeasureValue::Empty)
        };
    }

    /// The grades a chart of this option shows: its own, then X and Q.
    pub fn chart_grades(&self) -> Vec<&str> {
        self.grades
            .iter()
            .map(String::as_str)
            .chain(["X", "Q"])
            .collect()
    }
}

/// `subjects.csv`: the grade columns and a row per board and option.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubjectsTable {
    /// Every grade column, `X` and `Q` last.
    pub grade_columns: Vec<String>,
    pub rows: Vec<SubjectRow>,
}

impl SubjectsTable {
    /// The header of `subjects.csv`.
    pub fn header(&self) -> Vec<String> {
        ["board", "entry_code", "title", "qualification", "entries"]
            .into_iter()
            .map(String::from)
            .chain(self.grade_columns.iter().cloned())
            .chain(["pct_top".to_string(), "pct_pass".to_string()])
            .collect()
    }

    /// A row's cells as `subjects.csv` prints them.
    pub fn cells(&self, row: &SubjectRow) -> Vec<String> {
        [
            row.board.clone(),
            row.entry_code.clone(),
            row.title.clone(),
            row.qualification.clone(),
            row.entries.to_string(),
        ]
        .into_iter()
        .chain(
            self.grade_columns
                .iter()
                .map(|g| row.cell(g).map(|n| n.to_string()).unwrap_or_default()),
        )
        .chain([row.pct_top.text(), row.pct_pass.text()])
        .collect()
    }
}

/// `subjects.csv`: a row per board and entry option with results (units included), sorted by
/// board and entry code; a grade column for every grade of the gradesets present (GCSE first,
/// then A level, AS, project, Cambridge National, BTEC, others by code), then `X` and `Q`.
///
/// `entries` counts every result. A `#` grade counts under its grade; a double award counts
/// once under each of its two grades, and its shares are of two grades per result. A blank
/// grade or one not in the gradeset is in `entries` but under no column, and reaches nothing.
pub fn subjects_table(results: &[CandidateResult], gradesets: &Gradesets) -> SubjectsTable {
    let mut by_option: BTreeMap<(&str, &str), Vec<&CandidateResult>> = BTreeMap::new();
    for r in results {
        by_option
            .entry((r.board.as_str(), r.entry_code.as_str()))
            .or_default()
            .push(r);
    }
    let mut rows = Vec::new();
    for ((board, entry_code), rs) in by_option {
        let first = rs[0];
        let set = first.gradeset.as_deref().and_then(|g| gradesets.get(g));
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for r in &rs {
            for g in grades_of(r).flatten() {
                *counts.entry(g.code.clone()).or_default() += 1;
            }
        }
        let slots: usize = rs.iter().map(|r| grade_count(r)).sum();
        let reached = |lowest: &str| {
            rs.iter()
                .flat_map(|r| grades_of(r))
                .filter(|g| reaches(set, *g, lowest))
                .count()
        };
        let (top_reached, pass_reached) = match (set, convention_of(&first.qualification)) {
            (Some(_), Some(c)) => (reached(c.top), reached(c.pass)),
            _ => (0, 0),
        };
        let mut row = SubjectRow {
            board: board.to_string(),
            entry_code: entry_code.to_string(),
            title: first.title.clone(),
            qualification: first.qualification.clone(),
            gradeset: first.gradeset.clone(),
            entries: rs.len(),
            grades: Vec::new(),
            counts,
            pct_top: MeasureValue::Empty,
            pct_pass: MeasureValue::Empty,
            slots,
            top_reached,
            pass_reached,
        };
        row.set_percentages(gradesets);
        rows.push(row);
    }
    finish_subjects(rows, gradesets)
}

/// The grade columns from the gradesets the rows have, in the conventional order, then the
/// grades of rows with no known gradeset; each row's own grades.
pub(super) fn finish_subjects(mut rows: Vec<SubjectRow>, gradesets: &Gradesets) -> SubjectsTable {
    let mut present: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.gradeset.as_deref())
        .filter(|g| gradesets.get(g).is_some())
        .collect();
    present.sort_by_key(|g| {
        (
            GRADESET_ORDER
                .iter()
                .position(|o| o == g)
                .unwrap_or(GRADESET_ORDER.len()),
            *g,
        )
    });
    present.dedup();
    let mut columns: Vec<String> = Vec::new();
    for code in present {
        for def in gradesets.get(code).map_or(&[][..], |s| &s.grades[..]) {
            if !columns.contains(&def.grade) {
                columns.push(def.grade.clone());
            }
        }
    }
    let mut unknown_grades: Vec<String> = Vec::new();
    for row in &mut rows {
        let set = row.gradeset.as_deref().and_then(|g| gradesets.get(g));
        row.grades = match set {
            Some(s) => s.grades.iter().map(|d| d.grade.clone()).collect(),
            None => {
                // No gradeset: the grades its results hold, in column order, then by code.
                let mut seen: Vec<String> = row
                    .counts
                    .keys()
                    .filter(|g| *g != "X" && *g != "Q")
                    .cloned()
                    .collect();
                seen.sort_by_key(|g| {
                    (
                        columns.iter().position(|c| c == g).unwrap_or(usize::MAX),
                        g.clone(),
                    )
                });
                seen
            }
        };
        for g in &row.grades {
            if !columns.contains(g) && !unknown_grades.contains(g) {
                unknown_grades.push(g.clone());
            }
        }
    }
    columns.extend(unknown_grades);
    columns.retain(|g| g != "X" && g != "Q");
    columns.extend(["X".to_string(), "Q".to_string()]);
    SubjectsTable {
        grade_columns: columns,
        rows,
    }
}
