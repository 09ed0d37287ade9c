//! Several centres' analyses added together: a trust's, or a whole series'.

use std::collections::{BTreeMap, BTreeSet};

use parsers::Gradesets;

use super::subjects::{finish_subjects, SubjectRow};
use super::{mean_points, percent, Analysis, CohortRule, Measure, MeasureValue};

/// Several centres' analyses added together: a trust's, or a whole series'. Measures and
/// subject rows add up through their numerators and denominators, so the result is what one
/// analysis of all the results would give, with candidates told apart by centre. There is no
/// breakdown: an MIS export belongs to one centre.
#[derive(Debug, Default)]
pub struct Combined {
    headline: Vec<Measure>,
    subjects: BTreeMap<(String, String), SubjectRow>,
    cohort_size: usize,
    notes: BTreeSet<String>,
    centres: usize,
}

impl Combined {
    /// Adds one centre's analysis.
    pub fn add(&mut self, part: &Analysis) {
        self.centres += 1;
        self.cohort_size += part.cohort_size;
        self.notes.extend(
            part.notes
                .iter()
                .filter(|n| !n.starts_with("Year 11 cohort"))
                .cloned(),
        );
        if self.headline.is_empty() {
            self.headline = part.headline.clone();
        } else {
            for (sum, m) in self.headline.iter_mut().zip(&part.headline) {
                sum.numerator += m.numerator;
                sum.denominator = match (sum.denominator, m.denominator) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
        }
        for row in &part.subjects.rows {
            match self
                .subjects
                .get_mut(&(row.board.clone(), row.entry_code.clone()))
            {
                None => {
                    self.subjects
                        .insert((row.board.clone(), row.entry_code.clone()), row.clone());
                }
                Some(sum) => {
                    sum.entries += row.entries;
                    sum.slots += row.slots;
                    sum.top_reached += row.top_reached;
                    sum.pass_reached += row.pass_reached;
                    for (grade, n) in &row.counts {
                        *sum.counts.entry(grade.clone()).or_default() += n;
                    }
                }
            }
        }
    }

    /// How many centres were added.
    pub fn centres(&self) -> usize {
        self.centres
    }

    /// The analysis of everything added.
    pub fn finish(self, gradesets: &Gradesets) -> Analysis {
        let headline = self
            .headline
            .into_iter()
            .map(|mut m| {
                let den = m.denominator.unwrap_or(0);
                m.value = match m.value {
                    MeasureValue::Count(_) => MeasureValue::Count(m.numerator as usize),
                    MeasureValue::NotApplicable => MeasureValue::NotApplicable,
                    _ if POINTS_MEASURES.contains(&m.measure) => mean_points(m.numerator, den),
                    _ => percent(m.numerator as usize, den),
                };
                m
            })
            .collect();
        let rows = self
            .subjects
            .into_values()
            .map(|mut row| {
                // As for one centre: percentages need a known gradeset and a convention.
                row.set_percentages(gradesets);
                row
            })
            .collect();
        let mut notes: Vec<String> = vec![format!(
            "{} centres together; each centre's Year 11 cohort is its candidates with at least \
             one GCSE result.",
            self.centres
        )];
        notes.extend(self.notes);
        Analysis {
            headline,
            subjects: finish_subjects(rows, gradesets),
            breakdown: None,
            cohort_rule: CohortRule::GcseResults,
            cohort_size: self.cohort_size,
            notes,
        }
    }
}

/// The headline measures that are means of points (the rest are counts or percentages).
const POINTS_MEASURES: &[&str] = &["a8_mean", "alevel_aps_per_entry"];
