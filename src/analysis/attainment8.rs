//! Attainment 8: one candidate's score by DfE rules, from `points.csv` and the subject classes.

use std::collections::BTreeMap;

use super::counting::{grade_count, subject_code};
use super::tables::{AnalysisTables, PointsTable, SubjectCategory};
use crate::model::CandidateResult;

/// One candidate's Attainment 8 score (0 to 90) from their results, per DfE rules:
///
/// - only award results count; a GCSE grade counts when `points.csv` has a row for it (so X, Q,
///   blank and invalid grades do not count, and the subject is not "taken");
/// - a subject is its syllabus code on one board: a tiered pair (J560F/J560H) is one subject,
///   its better grade counting; of two maths, two English languages or two English literatures
///   (other boards) only the best counts;
/// - maths: double weighted;
/// - English: when both English language and English literature were taken, the better is
///   double weighted and the other may fill an open slot; when one was taken, it counts once;
/// - EBacc: the best three of the EBacc subjects (sciences, computer science, geography,
///   history, languages). Combined science gives two parts, each worth the mean of its two
///   grades' points (DfE: 6-5 gives 5.5 twice), either of which may fill an EBacc or open slot;
/// - open: the best three of what is left (EBacc subjects, the other English, any other GCSE)
///   and of the non-GCSE award results `points.csv` gives points (Cambridge Nationals).
///
/// Not applied: early-entry and cross-qualification discounting beyond the rules above.
pub fn attainment8(results: &[&CandidateResult], tables: &AnalysisTables) -> f64 {
    let classed: Vec<(&CandidateResult, SubjectCategory)> = results
        .iter()
        .map(|r| (*r, tables.subjects.classify_result(r)))
        .collect();
    a8_points(&classed, &tables.points)
}

/// [`attainment8()`] over results already classed.
pub(super) fn a8_points(
    results: &[(&CandidateResult, SubjectCategory)],
    points: &PointsTable,
) -> f64 {
    // (board, subject code) -> (class, parts, points per part): the subject's best result.
    let mut subjects: BTreeMap<(&str, &str), (SubjectCategory, usize, f64)> = BTreeMap::new();
    let mut open: Vec<f64> = Vec::new();
    for &(r, class) in results.iter().filter(|(r, _)| r.is_award) {
        let parts = grade_count(r);
        let Some(first) = points.of(r, r.grade.as_ref()) else {
            continue;
        };
        // A double award's second grade with no points (missing) counts as 0.
        let second = match parts {
            2 => points
                .of(r, r.grade2.as_ref())
                .map_or(0.0, |row| row.points),
            _ => 0.0,
        };
        let per_part = (first.points + second) / parts as f64;
        if r.qualification != "GCSE" {
            open.extend(std::iter::repeat_n(per_part, parts));
            continue;
        }
        let slot = subjects
            .entry((r.board.as_str(), subject_code(r)))
            .or_insert((class, parts, per_part));
        if per_part > slot.2 {
            *slot = (class, parts, per_part);
        }
    }

    let (mut maths, mut language, mut literature): (Option<f64>, Option<f64>, Option<f64>) =
        (None, None, None);
    let best = |slot: &mut Option<f64>, p: f64| *slot = Some(slot.map_or(p, |q| q.max(p)));
    let mut ebacc: Vec<f64> = Vec::new();
    for &(class, parts, points) in subjects.values() {
        match class {
            SubjectCategory::Maths => best(&mut maths, points),
            SubjectCategory::EnglishLanguage => best(&mut language, points),
            SubjectCategory::EnglishLiterature => best(&mut literature, points),
            c if c.is_ebacc() => ebacc.extend(std::iter::repeat_n(points, parts)),
            _ => open.extend(std::iter::repeat_n(points, parts)),
        }
    }
    let english = match (language, literature) {
        (Some(a), Some(b)) => {
            open.push(a.min(b));
            2.0 * a.max(b)
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0.0,
    };
    let desc = |v: &mut Vec<f64>| v.sort_by(|a, b| b.total_cmp(a));
    desc(&mut ebacc);
    let ebacc_points: f64 = ebacc.iter().take(3).sum();
    open.extend(ebacc.iter().skip(3));
    desc(&mut open);
    let open_points: f64 = open.iter().take(3).sum();
    2.0 * maths.unwrap_or(0.0) + english + ebacc_points + open_points
}
