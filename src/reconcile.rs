//! Entries against results, board by board: missing results, results without entries, tier
//! changes, cash-in gaps and names that differ. Pure: data in, findings out.

use std::collections::{BTreeMap, BTreeSet};

use crate::load::{BoardSeries, CentreSeries};
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
        bd.option(option).map(|o| (o.syllabus.as_str(), o.is_award))
    };

    // What each candidate is entered for, and has results for, by syllabus.
    let mut entered: BTreeMap<&str, BTreeMap<SyllabusKey, Vec<&str>>> = BTreeMap::new();
    let mut current: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (&(cand, option), e) in &b.entries {
        if e.withdrawn {
            continue;
        }
        current.insert((cand, option));
        if let Some(k) = syllabus_key(option) {
            entered
                .entry(cand)
                .or_default()
                .entry(k)
                .or_default()
                .push(option);
        }
    }
    let mut resulted: BTreeMap<&str, BTreeSet<SyllabusKey>> = BTreeMap::new();
    for &(cand, option) in b.results.keys() {
        if let Some(k) = syllabus_key(option) {
            resulted.entry(cand).or_default().insert(k);
        }
    }

    // Results: entered, entered for another option of the syllabus, or not entered at all.
    for (&(cand, option), r) in &b.results {
        let rec = r.record;
        let Some(key) = syllabus_key(option) else {
            continue; // unknown_entry_code, raised by the result checks
        };
        if current.contains(&(cand, option)) {
            continue;
        }
        let base = |kind| {
            Finding::new(kind, &b.board, centre)
                .candidate(cand, &rec.uci, &rec.name)
                .entry(option)
                .at(&Source::new(r.file, rec.line))
        };
        match entered.get(cand).and_then(|s| s.get(&key)) {
            Some(others) => findings.push(base(FindingKind::OptionChanged).detail(format!(
                "result for {option} but the entry is for {} (same syllabus {}): a tier or \
                 option change",
                others.join(", "),
                key.0
            ))),
            None => findings.push(base(FindingKind::ResultWithoutEntry).detail(format!(
                "no entry for {option} (syllabus {}) with board {}",
                key.0, b.board
            ))),
        }
    }

    // Entries: a result, a result for another option of the syllabus, or missing.
    for (key @ &(cand, option), e) in &b.entries {
        if e.withdrawn || b.results.contains_key(key) {
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
            None => findings.push(base(FindingKind::UnknownEntryCode).detail(format!(
                "the entry is for {option}, which is not in board {}'s basedata",
                b.board
            ))),
            Some(key) => {
                let answered = resulted.get(cand).is_some_and(|s| s.contains(&key));
                if !answered {
                    findings.push(base(FindingKind::MissingResult).detail(format!(
                        "entered for {option} with board {} and no result has arrived",
                        b.board
                    )));
                }
            }
        }
    }

    findings.extend(cash_in_gaps(centre, b, &current));
    findings.extend(name_mismatches(centre, b));
    findings
}

/// Unit entries toward a cash-in code with no entry for that code: one per candidate and code,
/// pointing at the first unit entry.
fn cash_in_gaps(centre: &str, b: &BoardSeries, current: &BTreeSet<(&str, &str)>) -> Vec<Finding> {
    let mut gaps: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for (cand, option) in current {
        let Some(o) = b.basedata.option(option) else {
            continue;
        };
        if o.is_award {
            continue;
        }
        let Some(cash_in) = o.cash_in.as_deref() else {
            continue;
        };
        if !current.contains(&(cand, cash_in)) {
            gaps.entry((cand, cash_in)).or_default().push(option);
        }
    }
    gaps.into_iter()
        .map(|((cand, cash_in), units)| {
            let e = &b.entries[&(cand, units[0])];
            Finding::new(FindingKind::CashInGap, &b.board, centre)
                .candidate(cand, &e.record.uci, &e.record.name)
                .entry(cash_in)
                .at(&Source::new(e.file, e.record.line))
                .detail(format!(
                    "unit entries {} count toward {cash_in}, but there is no entry for {cash_in}: \
                     no certificate without a cash-in",
                    units.join(", ")
                ))
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

/// Results whose name differs from the same board's current entry for the candidate.
fn name_mismatches(centre: &str, b: &BoardSeries) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (key @ &(cand, option), r) in &b.results {
        let rec = r.record;
        // The entry for this option if there is one, else any current entry of the candidate.
        let entry = b.entries.get(key).filter(|e| !e.withdrawn).or_else(|| {
            b.entries
                .range((cand, "")..)
                .take_while(|((c, _), _)| *c == cand)
                .map(|(_, e)| e)
                .find(|e| !e.withdrawn)
        });
        let Some(entry) = entry else { continue };
        if rec.name.is_empty() || same_name(&rec.name, &entry.record.name) {
            continue;
        }
        findings.push(
            Finding::new(FindingKind::NameMismatch, &b.board, centre)
                .candidate(cand, &rec.uci, &rec.name)
                .entry(option)
                .at(&Source::new(r.file, rec.line))
                .detail(format!(
                    "the result says '{}' but the entry ({} line {}) says '{}'",
                    rec.name, entry.file, entry.record.line, entry.record.name
                )),
        );
    }
    findings
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
