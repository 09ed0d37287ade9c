//! Each result as the measures count it: GCSE or A level, its grades (two for a double
//! award), its candidate and subject, and whether a grade reaches a threshold, worked out once.

use std::collections::{BTreeSet, HashMap};

use parsers::tables::Gradeset;
use parsers::{Grade, Gradesets};

use super::tables::{AnalysisTables, SubjectCategory};
use crate::load::mis::normalise_candidate_number;
use crate::model::CandidateResult;

/// The gradesets whose results carry two grades, each counted as a grade of its own.
pub const DOUBLE_AWARD_GRADESETS: &[&str] = &["15"];

/// A GCSE result: an award whose qualification is `GCSE`.
pub(super) fn is_gcse(r: &CandidateResult) -> bool {
    r.is_award && r.qualification == "GCSE"
}

/// An A level result: an award whose qualification is `GCE A`.
pub(super) fn is_alevel(r: &CandidateResult) -> bool {
    r.is_award && r.qualification == "GCE A"
}

fn is_double_award(r: &CandidateResult) -> bool {
    r.grade2.is_some()
        || r.gradeset
            .as_deref()
            .is_some_and(|g| DOUBLE_AWARD_GRADESETS.contains(&g))
}

/// The grades a result counts as: one, or two for a double award (a missing second grade is
/// `None`, counted as not reaching any grade).
pub(super) fn grades_of(r: &CandidateResult) -> impl Iterator<Item = Option<&Grade>> {
    let second = is_double_award(r).then_some(r.grade2.as_ref());
    std::iter::once(r.grade.as_ref()).chain(second)
}

/// How many grades a result counts as: 2 for a double award, else 1.
pub(super) fn grade_count(r: &CandidateResult) -> usize {
    if is_double_award(r) {
        2
    } else {
        1
    }
}

pub(super) fn candidate_key(r: &CandidateResult) -> String {
    normalise_candidate_number(&r.candidate_number).unwrap_or_else(|| r.candidate_number.clone())
}

/// The code a subject is known by: its syllabus code (so a tiered pair is one subject), else
/// the entry code.
pub(super) fn subject_code(r: &CandidateResult) -> &str {
    r.syllabus_code.as_deref().unwrap_or(&r.entry_code)
}

/// Whether a grade is `threshold` or better in the gradeset. X, Q, blank, a grade not in the
/// gradeset and a threshold not in it all give `false`.
pub(super) fn reaches(set: Option<&Gradeset>, grade: Option<&Grade>, threshold: &str) -> bool {
    let (Some(set), Some(grade)) = (set, grade) else {
        return false;
    };
    match (set.get(&grade.code), set.get(threshold)) {
        (Some(have), Some(need)) => have.rank <= need.rank,
        _ => false,
    }
}

/// A result with what the measures ask of it again and again, worked out once.
pub(super) struct Counted<'a> {
    pub(super) result: &'a CandidateResult,
    /// The four-digit candidate number.
    pub(super) candidate: String,
    /// Whether the candidate is in the Year 11 cohort.
    pub(super) in_cohort: bool,
    pub(super) gcse: bool,
    pub(super) alevel: bool,
    pub(super) class: SubjectCategory,
    pub(super) set: Option<&'a Gradeset>,
}

/// What the measures are worked out with: the gradesets and the two tables.
pub(super) struct Ctx<'a> {
    pub(super) gradesets: &'a Gradesets,
    pub(super) tables: &'a AnalysisTables,
}

impl<'a> Ctx<'a> {
    /// Works out each result's candidate, cohort membership, subject class and gradeset once;
    /// classes are looked up once per subject code and title.
    pub(super) fn count<'r>(
        &self,
        results: &'r [CandidateResult],
        cohort: &BTreeSet<String>,
    ) -> Vec<Counted<'r>>
    where
        'a: 'r,
    {
        let mut classes: HashMap<(&str, &str), SubjectCategory> = HashMap::new();
        results
            .iter()
            .map(|r| {
                let class = *classes
                    .entry((subject_code(r), r.title.as_str()))
                    .or_insert_with(|| self.tables.subjects.classify_result(r));
                let candidate = candidate_key(r);
                Counted {
                    result: r,
                    in_cohort: cohort.contains(&candidate),
                    candidate,
                    gcse: is_gcse(r),
                    alevel: is_alevel(r),
                    class,
                    set: r.gradeset.as_deref().and_then(|g| self.gradesets.get(g)),
                }
            })
            .collect()
    }
}
