//! The headline measures (`headline.csv`) and their definitions: GCSE entries, 9-4 and 9-5 in
//! English and maths, GCSE grades at 9-7 and 9-4, mean Attainment 8, A level entries, APS per
//! entry and grade shares, and Progress 8.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::attainment8::a8_points;
use super::counting::{grades_of, reaches, Counted, Ctx};
use super::tables::SubjectCategory;
use super::{mean_points, percent, Measure, MeasureValue};
use crate::model::CandidateResult;

/// Every headline measure, in `headline.csv` order, with its definition as the README and the
/// workbook give it.
pub const DEFINITIONS: &[(&str, &str)] = &[
    (
        "gcse_entries",
        "GCSE results: award results whose qualification is GCSE (unit results and results for \
         options not in the basedata are not counted). X, Q and blank grades are counted. No \
         denominator.",
    ),
    (
        "gcse_pct_9_4_en_ma",
        "% of the Year 11 cohort with maths at 4 or above and English language or English \
         literature at 4 or above (one of the two is enough). `#` is removed first; X, Q, U, a \
         blank grade and a grade not in the gradeset count as below. Denominator: the Year 11 \
         cohort (candidates with at least one GCSE result; with an MIS export, its year_group \
         11 candidates, or the first rule when it lists none in year 11).",
    ),
    (
        "gcse_pct_9_5_en_ma",
        "As gcse_pct_9_4_en_ma with 5 for 4: maths at 5 or above and English language or \
         literature at 5 or above, over the Year 11 cohort.",
    ),
    (
        "gcse_pct_9_7",
        "% of GCSE grades at 7 or above. A double award (combined science, gradeset 15) counts \
         as two grades. Denominator: every GCSE grade counted, X, Q, blank and invalid grades \
         included as not reaching 7.",
    ),
    (
        "gcse_pct_9_4",
        "% of GCSE grades at 4 or above, counted as gcse_pct_9_7.",
    ),
    (
        "a8_mean",
        "Mean Attainment 8 over the Year 11 cohort (a candidate with no counted result scores \
         0), two decimal places. Attainment 8 per DfE rules: maths (the better of a tiered pair) \
         double weighted; English: the better of English language and literature, double \
         weighted only when both were taken (a grade U counts as taken; X, Q and blank do not), \
         else the one taken single weighted; three EBacc slots (sciences, computer science, \
         geography, history, languages; combined science gives two parts, each worth the mean \
         of its two grades); three open slots (any GCSE or approved qualification left, \
         including Cambridge Nationals and the English not in the English slot). Points from \
         points.csv; subjects classed by subjects.csv.",
    ),
    (
        "alevel_entries",
        "A level results: award results whose qualification is GCE A with a grade A* to U (a \
         `#` grade counts as its grade; X, Q, blank and grades not in the gradeset are not \
         counted). EPQ and AS are not A levels. No denominator.",
    ),
    (
        "alevel_aps_per_entry",
        "A level points (A*=60, A=50, B=40, C=30, D=20, E=10, U=0, from gradesets.csv) divided \
         by alevel_entries, two decimal places.",
    ),
    (
        "alevel_pct_astar_a",
        "% of A level entries (as alevel_entries) at A* or A.",
    ),
    ("alevel_pct_astar_b", "% of A level entries at A* to B."),
    (
        "alevel_pct_astar_e",
        "% of A level entries at A* to E (a pass).",
    ),
    (
        "p8",
        "Progress 8: n/a. The DfE does not publish it for 2024/25 or 2025/26, and it needs KS2 \
         prior attainment resultsday does not hold.",
    ),
];

impl Ctx<'_> {
    /// Every headline measure, in `headline.csv` order, over `results`; `cohort` is the number
    /// of Year 11 candidates they are for (results outside the cohort are marked so).
    pub(super) fn headline(&self, results: &[&Counted], cohort: usize) -> Vec<Measure> {
        let alevels = graded_alevels(results);
        vec![
            gcse_entries(results),
            english_and_maths("gcse_pct_9_4_en_ma", "4", results, cohort),
            english_and_maths("gcse_pct_9_5_en_ma", "5", results, cohort),
            gcse_grades_at("gcse_pct_9_7", "7", results),
            gcse_grades_at("gcse_pct_9_4", "4", results),
            self.a8_mean(results, cohort),
            alevel_entries(&alevels),
            alevel_aps_per_entry(&alevels),
            alevel_pct("alevel_pct_astar_a", "A", &alevels),
            alevel_pct("alevel_pct_astar_b", "B", &alevels),
            alevel_pct("alevel_pct_astar_e", "E", &alevels),
            p8(),
        ]
    }

    /// `a8_mean`: the mean [`attainment8`](super::attainment8()) over the Year 11 cohort, two
    /// decimal places; a candidate in the cohort with no counted result scores 0. Denominator:
    /// the cohort.
    fn a8_mean(&self, results: &[&Counted], cohort: usize) -> Measure {
        let mut by_candidate: BTreeMap<&str, Vec<(&CandidateResult, SubjectCategory)>> =
            BTreeMap::new();
        for c in results.iter().filter(|c| c.in_cohort) {
            by_candidate
                .entry(&c.candidate)
                .or_default()
                .push((c.result, c.class));
        }
        let total: f64 = by_candidate
            .values()
            .map(|rs| a8_points(rs, &self.tables.points))
            .sum();
        Measure {
            measure: "a8_mean",
            value: mean_points(total, cohort),
            denominator: Some(cohort),
            numerator: total,
        }
    }

    /// A note for each qualification whose unverified points (points.csv `verified` = no)
    /// entered a cohort candidate's Attainment 8.
    pub(super) fn unverified_points_used(&self, results: &[&Counted]) -> Vec<String> {
        let mut used: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for c in results.iter().filter(|c| c.result.is_award && c.in_cohort) {
            for g in grades_of(c.result) {
                if let Some(row) = self
                    .tables
                    .points
                    .of(c.result, g)
                    .filter(|row| !row.verified)
                {
                    used.entry((row.qualification.clone(), row.gradeset.clone()))
                        .or_default()
                        .insert(row.grade.clone());
                }
            }
        }
        used.into_iter()
            .map(|((q, gs), grades)| {
                format!(
                    "Attainment 8 uses points not yet verified against the DfE table \
                     (points.csv verified=no): {q} {gs} grades {}.",
                    grades.into_iter().collect::<Vec<_>>().join(", ")
                )
            })
            .collect()
    }
}

/// `gcse_entries`: the number of GCSE results (award results whose qualification is `GCSE`;
/// X, Q and blank grades included).
fn gcse_entries(results: &[&Counted]) -> Measure {
    Measure {
        measure: "gcse_entries",
        value: MeasureValue::Count(results.iter().filter(|c| c.gcse).count()),
        denominator: None,
        numerator: results.iter().filter(|c| c.gcse).count() as f64,
    }
}

/// `gcse_pct_9_4_en_ma`, `gcse_pct_9_5_en_ma`: % of the Year 11 cohort with maths at
/// `threshold` or above and English language or English literature at `threshold` or above
/// (either is enough). `#` is removed first; X, Q, U, blank and a grade not in the gradeset
/// count as below. Denominator: the Year 11 cohort.
fn english_and_maths(
    name: &'static str,
    threshold: &str,
    results: &[&Counted],
    cohort: usize,
) -> Measure {
    let mut maths = HashSet::new();
    let mut english = HashSet::new();
    for c in results.iter().filter(|c| c.gcse && c.in_cohort) {
        let wanted = match c.class {
            SubjectCategory::Maths => &mut maths,
            SubjectCategory::EnglishLanguage | SubjectCategory::EnglishLiterature => &mut english,
            _ => continue,
        };
        if reaches(c.set, c.result.grade.as_ref(), threshold) {
            wanted.insert(c.candidate.as_str());
        }
    }
    let both = maths.intersection(&english).count();
    Measure {
        measure: name,
        value: percent(both, cohort),
        denominator: Some(cohort),
        numerator: both as f64,
    }
}

/// `gcse_pct_9_7`, `gcse_pct_9_4`: % of GCSE grades at `threshold` or above; a double award
/// counts as two grades. Denominator: every grade counted, X, Q, blank and invalid grades
/// included as not reaching.
fn gcse_grades_at(name: &'static str, threshold: &str, results: &[&Counted]) -> Measure {
    let (mut reached, mut grades) = (0, 0);
    for c in results.iter().filter(|c| c.gcse) {
        for g in grades_of(c.result) {
            grades += 1;
            if reaches(c.set, g, threshold) {
                reached += 1;
            }
        }
    }
    Measure {
        measure: name,
        value: percent(reached, grades),
        denominator: Some(grades),
        numerator: reached as f64,
    }
}

/// An A level result with a grade in its gradeset (A* to U), and that grade's points.
struct GradedAlevel<'a> {
    counted: &'a Counted<'a>,
    points: f64,
}

/// The A level (`GCE A`) award results with a grade A* to U; X, Q, blank and grades not in the
/// gradeset are not entries here.
fn graded_alevels<'a>(results: &[&'a Counted<'a>]) -> Vec<GradedAlevel<'a>> {
    results
        .iter()
        .filter(|c| c.alevel)
        .filter_map(|c| {
            let def = c.set?.get(&c.result.grade.as_ref()?.code)?;
            Some(GradedAlevel {
                counted: c,
                points: def.points.unwrap_or(0.0),
            })
        })
        .collect()
}

/// `alevel_entries`: the number of graded A level results.
fn alevel_entries(alevels: &[GradedAlevel]) -> Measure {
    Measure {
        measure: "alevel_entries",
        value: MeasureValue::Count(alevels.len()),
        denominator: None,
        numerator: alevels.len() as f64,
    }
}

/// `alevel_aps_per_entry`: the A level entries' points (A*=60 … E=10, U=0, from the gradeset)
/// over their number, two decimal places.
fn alevel_aps_per_entry(alevels: &[GradedAlevel]) -> Measure {
    let total: f64 = alevels.iter().map(|a| a.points).sum();
    Measure {
        measure: "alevel_aps_per_entry",
        value: mean_points(total, alevels.len()),
        denominator: Some(alevels.len()),
        numerator: total,
    }
}

/// `alevel_pct_astar_a`/`_b`/`_e`: % of the A level entries at `lowest` or better.
fn alevel_pct(name: &'static str, lowest: &str, alevels: &[GradedAlevel]) -> Measure {
    let reached = alevels
        .iter()
        .filter(|a| reaches(a.counted.set, a.counted.result.grade.as_ref(), lowest))
        .count();
    Measure {
        measure: name,
        value: percent(reached, alevels.len()),
        denominator: Some(alevels.len()),
        numerator: reached as f64,
    }
}

/// `p8`: not available while the DfE does not publish Progress 8.
fn p8() -> Measure {
    Measure {
        measure: "p8",
        value: MeasureValue::NotApplicable,
        denominator: None,
        numerator: 0.0,
    }
}
