//! Cohort breakdowns (`breakdown.csv`): the headline measures for the candidates with each
//! value of each MIS group (sex, pupil premium, SEN, EAL, form and extra columns).

use std::collections::{BTreeMap, BTreeSet};

use super::counting::{Counted, Ctx};
use super::{BreakdownRow, NOT_IN_MIS, UNKNOWN_VALUE};
use crate::load::mis::Mis;

impl Ctx<'_> {
    /// The headline measures per MIS group and value, sorted by group and value.
    pub(super) fn breakdown(
        &self,
        results: &[&Counted],
        cohort: &BTreeSet<String>,
        mis: &Mis,
    ) -> Vec<BreakdownRow> {
        let mut by_candidate: BTreeMap<&str, Vec<&Counted>> = BTreeMap::new();
        for c in results {
            by_candidate.entry(&c.candidate).or_default().push(c);
        }
        let everyone: BTreeSet<&str> = mis
            .candidates
            .keys()
            .map(String::as_str)
            .chain(by_candidate.keys().copied())
            .collect();
        let mut rows = Vec::new();
        let mut groups = mis.breakdown_groups();
        groups.sort();
        groups.dedup();
        for group in groups {
            let mut members: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for &number in &everyone {
                let value = match mis.candidates.get(number) {
                    Some(c) => mis
                        .group_value(c, &group)
                        .unwrap_or_else(|| UNKNOWN_VALUE.into()),
                    None => NOT_IN_MIS.into(),
                };
                members.entry(value).or_default().push(number);
            }
            for (value, numbers) in members {
                let subset: Vec<&Counted> = numbers
                    .iter()
                    .filter_map(|n| by_candidate.get(n))
                    .flatten()
                    .copied()
                    .collect();
                let sub_cohort = numbers.iter().filter(|n| cohort.contains(**n)).count();
                for m in self.headline(&subset, sub_cohort) {
                    rows.push(BreakdownRow {
                        group: group.clone(),
                        value: value.clone(),
                        measure: m.measure,
                        result: m.value,
                        denominator: m.denominator,
                    });
                }
            }
        }
        rows
    }
}
