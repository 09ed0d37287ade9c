//! Entries against results, board by board: missing results, results without entries, tier
//! changes, cash-in gaps and names that differ. Pure: data in, findings out.

use std::collections::BTreeMap;

use crate::model::series::{BoardSeries, CentreSeries, CurrentEntry, CurrentResult};
use crate::model::{Finding, FindingKind, Source};

/// Every reconciliation finding for a centre's series.
pub fn reconcile(series: &CentreSeries) -> Vec<Finding> {
    let mut findings = Vec::new();
    for b in series.boards.values() {
        findings.extend(reconcile_board(&series.centre, b));
    }
    findings
}

/// A syllabus key within a board: options of one syllabus that are awards (or units) alike.
type SyllabusKey<'b> = (&'b str, bool);

fn reconcile_board(centre: &str, b: &BoardSeries) -> Vec<Finding> {
    let mut findings = Vec::new();
    let bd = &b.basedata;
    let syllabus_key = |option: &str| -> Option<SyllabusKey> {
        bd.option(option)
            .map(|o| (o.syllabus.as_str(), o.is_award()))
    };
    let current = |e: &&CurrentEntry| !e.withdrawn;

    // Results: entered, entered for another option of the syllabus, or not entered at all; and
    // names that differ from the entry's.
    for (&(cand, option), r, entry) in b.results.left_join(&b.entries) {
        let rec = r.record;
        let entry = entry.filter(current);
        if entry.is_none() {
            if let Some(key) = syllabus_key(option) {
                // unknown_entry_code otherwise, raised by the result checks
                let base = |kind| {
                    Finding::new(kind, &b.board, centre)
                        .candidate(cand, &rec.uci, &rec.name)
                        .entry(option)
                        .at(&Source::new(r.file, rec.line))
                };
                // The candidate's current entries for the same syllabus, in option order.
                let others: Vec<&str> = b
                    .entries
                    .of_candidate(cand)
                    .filter(|(&(_, o), e)| current(e) && syllabus_key(o) == Some(key))
                    .map(|(&(_, o), _)| o)
                    .collect();
                if others.is_empty() {
                    findings.push(base(FindingKind::ResultWithoutEntry).detail(format!(
                        "no entry for {option} (syllabus {}) with board {}",
                        key.0, b.board
                    )));
                } else {
                    findings.push(base(FindingKind::OptionChanged).detail(format!(
                        "result for {option} but the entry is for {} (same syllabus {}): a tier \
                         or option change",
                        others.join(", "),
                        key.0
                    )));
                }
            }
        }
        if let Some(f) = name_mismatch(centre, b, cand, option, r, entry) {
            findings.push(f);
        }
    }

    // Entries: a result, a result for another option of the syllabus, or missing.
    for (&(cand, option), e, result) in b.entries.left_join(&b.results) {
        if e.withdrawn || result.is_some() {
            continue;
        }
        let rec = &e.record;
        let base = |kind| {
            Finding::new(kind, &b.board, centre)
                .candidate(cand, &rec.uci, &rec.name)
                .entry(option)
                .at(&Source::new(e.file, rec.line))
        };
        match syllabus_key(option) {
            // With no basedata at all, the result checks say so once for the board; an entry
            // with no result of its own option is still one to chase.
            None if bd.is_empty() => {
                findings.push(base(FindingKind::MissingResult).detail(format!(
                "entered for {option} with board {} and no result for {option} has arrived (with \
                 no basedata from the board, a result for another tier cannot be told apart)",
                b.board
            )))
            }
            None => findings.push(base(FindingKind::UnknownEntryCode).detail(format!(
                "the entry is for {option}, which is not in board {}'s basedata",
                b.board
            ))),
            Some(key) => {
                let answered = b
                    .results
                    .of_candidate(cand)
                    .any(|(&(_, o), _)| syllabus_key(o) == Some(key));
                if !answered {
                    findings.push(base(FindingKind::MissingResult).detail(format!(
                        "entered for {option} with board {} and no result has arrived",
                        b.board
                    )));
                }
            }
        }
    }

    findings.extend(cash_in_gaps(centre, b));
    findings
}

/// Unit entries toward a syllabus with no entry for a certification option of it: one per
/// candidate and syllabus, naming the certification option (the first in code order where the
/// syllabus has several) and pointing at the first unit entry. Where the board ships a unit
/// link file, a unit counts toward the certification codes it links to instead.
fn cash_in_gaps(centre: &str, b: &BoardSeries) -> Vec<Finding> {
    let bd = &b.basedata;
    let is_current =
        |cand: &str, option: &str| b.entries.get(&(cand, option)).is_some_and(|e| !e.withdrawn);
    // (candidate, what the units count toward) → the unit entries.
    let mut gaps: BTreeMap<(&str, Vec<&str>), Vec<&str>> = BTreeMap::new();
    for (&(cand, option), e) in &b.entries {
        if e.withdrawn {
            continue;
        }
        let Some(o) = bd.option(option) else {
            continue;
        };
        if o.is_award() {
            continue;
        }
        let toward = bd.certifications_for_unit(option);
        if toward.is_empty() {
            continue;
        }
        if !toward.iter().any(|c| is_current(cand, c)) {
            gaps.entry((cand, toward)).or_default().push(option);
        }
    }
    gaps.into_iter()
        .map(|((cand, toward), units)| {
            let e = &b.entries[&(cand, units[0])];
            let cash_in = toward[0];
            let syllabus = bd.option(units[0]).map_or("", |o| o.syllabus.as_str());
            let detail = if toward.len() == 1 {
                format!(
                    "unit entries {} count toward {cash_in} (syllabus {syllabus}), but there is \
                     no entry for {cash_in}: no certificate without a cash-in",
                    units.join(", ")
                )
            } else {
                format!(
                    "unit entries {} count toward syllabus {syllabus}, but there is no entry for \
                     any of its certification options ({}): no certificate without a cash-in",
                    units.join(", "),
                    toward.join(", ")
                )
            };
            Finding::new(FindingKind::CashInGap, &b.board, centre)
                .candidate(cand, &e.record.uci, &e.record.name)
                .entry(cash_in)
                .at(&Source::new(e.file, e.record.line))
                .detail(detail)
        })
        .collect()
}

/// A name compared the way a person would: case, spaces and the space after the colon ignored.
fn name_key(name: &str) -> String {
    name.split(':')
        .map(|part| part.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(":")
        .to_uppercase()
}

/// Whether two names are the same to a person: equal, or equal once [`name_key`] is applied.
fn same_name(a: &str, b: &str) -> bool {
    a == b || name_key(a) == name_key(b)
}

/// A result whose name differs from the same board's current entry for the candidate: the entry
/// for this option if there is one (`entry`), else any current entry of the candidate.
fn name_mismatch(
    centre: &str,
    b: &BoardSeries,
    cand: &str,
    option: &str,
    r: &CurrentResult,
    entry: Option<&CurrentEntry>,
) -> Option<Finding> {
    let rec = r.record;
    let entry = entry.or_else(|| {
        b.entries
            .of_candidate(cand)
            .map(|(_, e)| e)
            .find(|e| !e.withdrawn)
    })?;
    if rec.name.is_empty() || same_name(&rec.name, &entry.record.name) {
        return None;
    }
    Some(
        Finding::new(FindingKind::NameMismatch, &b.board, centre)
            .candidate(cand, &rec.uci, &rec.name)
            .entry(option)
            .at(&Source::new(r.file, rec.line))
            .detail(format!(
                "the result says '{}' but the entry ({} line {}) says '{}'",
                rec.name, entry.file, entry.record.line, entry.record.name
            )),
    )
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn names_compare_as_a_person_reads_them() {
        assert_eq!(name_key("SMITH: ANN  MARIE"), name_key("smith:ann marie"));
        assert_ne!(name_key("HUSSEIN:AMIRA"), name_key("HUSSAIN:AMIRA"));
    }
}
