//! Which statement lines are held because the run found them wrong ("See the exams office"),
//! which UCIs are left out, and how that is said on the page, in `statements.csv` and at the
//! terminal.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::sorted;
use crate::model::{CandidateResult, Finding, FindingKind};

/// What the grade column of a held line says.
pub const WITHHELD_GRADE: &str = "See the exams office";
/// What the UCI line of a page says when every UCI the boards sent for the candidate fails its
/// check.
pub const WITHHELD_UCI: &str = "UCI held: it fails its check; see the exams office";

/// The kinds of finding that hold a result's line, in the order a line names them: each says
/// the grade printed is, or could be, the wrong one.
pub const HOLDING_KINDS: [FindingKind; 4] = [
    FindingKind::UnknownEntryCode,
    FindingKind::InvalidGrade,
    FindingKind::XmlGradeConflict,
    FindingKind::DuplicateResult,
];

/// Why a line is held, in words a candidate or a parent understands (after "Held: ").
pub fn held_words(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::InvalidGrade => "the grade the board sent is not one this qualification has",
        FindingKind::UnknownEntryCode => {
            "the board sent this result for an entry code that is not in its list of subjects"
        }
        FindingKind::XmlGradeConflict => "the board sent two different grades for this result",
        FindingKind::DuplicateResult => "the board sent this result more than once",
        FindingKind::UciInvalid => "the UCI the board sent fails its check",
        _ => "the result the board sent has a problem",
    }
}

/// What the run found wrong with a centre's results, for its statements: the result lines to
/// hold (by board, candidate and entry code, from findings of the [`HOLDING_KINDS`]) and the
/// UCIs that fail their check (`uci_invalid`). Findings that name no candidate or no entry
/// code (a file's, or a whole board's) hold no line.
pub struct Holds<'f> {
    /// Candidate number → each of their lines held.
    lines: HashMap<&'f str, Vec<HeldKey<'f>>>,
    /// Candidate number → the UCIs found to fail their check.
    failed_ucis: HashMap<&'f str, Vec<&'f str>>,
}

impl<'f> Holds<'f> {
    pub fn new(findings: &'f [Finding]) -> Holds<'f> {
        let mut lines: HashMap<&str, Vec<HeldKey>> = HashMap::new();
        let mut failed_ucis: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in findings {
            let candidate = f.candidate_number.trim();
            if candidate.is_empty() {
                continue;
            }
            if f.kind == FindingKind::UciInvalid {
                failed_ucis.entry(candidate).or_default().push(f.uci.trim());
            }
            let (board, entry) = (f.board.trim(), f.entry_code.trim());
            if !HOLDING_KINDS.contains(&f.kind) || entry.is_empty() {
                continue;
            }
            let held = lines.entry(candidate).or_default();
            let at = match held.iter().position(|(b, e, _)| *b == board && *e == entry) {
                Some(at) => at,
                None => {
                    held.push((board, entry, Vec::new()));
                    held.len() - 1
                }
            };
            let kinds = &mut held[at].2;
            if !kinds.contains(&f.kind) {
                kinds.push(f.kind);
                kinds.sort_by_key(|k| HOLDING_KINDS.iter().position(|h| h == k));
            }
        }
        Holds { lines, failed_ucis }
    }

    /// Why `r`'s line is held, in [`HOLDING_KINDS`] order; empty when it is not held.
    pub fn of_line(&self, r: &CandidateResult) -> &[FindingKind] {
        let Some(held) = self.lines.get(r.candidate_number.trim()) else {
            return &[];
        };
        let (board, entry) = (r.board.trim(), r.entry_code.trim());
        held.iter()
            .find(|(b, e, _)| *b == board && *e == entry)
            .map_or(&[], |(_, _, kinds)| kinds.as_slice())
    }

    /// Whether the UCI on `r` is one the run found to fail its check.
    pub fn uci_failed(&self, r: &CandidateResult) -> bool {
        self.failed_ucis
            .get(r.candidate_number.trim())
            .is_some_and(|ucis| ucis.contains(&r.uci.trim()))
    }

    /// The UCI a candidate's page prints: the first on their results that passes its check.
    /// `None` (the page holds its UCI line) when there is none and one failed; blank when the
    /// boards sent none and nothing was found.
    pub(super) fn page_uci<'r>(&self, results: &[&'r CandidateResult]) -> Option<&'r str> {
        let passing = results
            .iter()
            .find(|r| !r.uci.trim().is_empty() && !self.uci_failed(r))
            .map(|r| r.uci.trim());
        match passing {
            Some(uci) => Some(uci),
            None if results.iter().any(|r| self.uci_failed(r)) => None,
            None => Some(""),
        }
    }
}

/// A line held: its board, its entry code, and the kinds that hold it.
type HeldKey<'f> = (&'f str, &'f str, Vec<FindingKind>);

/// `statements.csv`'s `held_reason`: the kinds that hold the row, then `uci_invalid` when its
/// UCI fails its check, joined by `;`; blank when nothing is held.
pub(super) fn held_reason(held: &[FindingKind], uci_failed: bool) -> String {
    let uci = uci_failed.then_some(FindingKind::UciInvalid);
    let kinds: Vec<&str> = held
        .iter()
        .copied()
        .chain(uci)
        .map(|k| k.as_str())
        .collect();
    kinds.join(";")
}

/// One statement line held, or one result whose UCI is left out, for the terminal and
/// `run.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldLine {
    pub candidate_number: String,
    pub board: String,
    pub entry_code: String,
    /// The kinds of the findings that hold it, as in `held_reason`: `invalid_grade`, ...
    pub why: Vec<&'static str>,
    /// Why, as the page says it.
    pub words: String,
}

/// What a centre's statements hold because the run found it wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeldOnStatements {
    /// Lines printed with "See the exams office" and no grade or mark: the rows of
    /// `statements.csv` with status `held`.
    pub results: Vec<HeldLine>,
    /// Results whose UCI fails its check: left blank in `statements.csv` (`held_reason`
    /// `uci_invalid`), never printed on a page.
    pub ucis: Vec<HeldLine>,
    /// The candidates whose page holds its UCI line, because none of their UCIs passes.
    pub uci_pages: Vec<String>,
}

impl HeldOnStatements {
    /// How many held lines the terminal names before it counts the rest.
    pub const SHOWN: usize = 5;

    /// What `findings` hold of `results`, in the order of `statements.csv`.
    pub fn of(results: &[CandidateResult], findings: &[Finding]) -> HeldOnStatements {
        let holds = Holds::new(findings);
        let mut held = HeldOnStatements::default();
        let line = |r: &CandidateResult, kinds: &[FindingKind]| HeldLine {
            candidate_number: r.candidate_number.clone(),
            board: r.board.clone(),
            entry_code: r.entry_code.clone(),
            why: kinds.iter().map(|k| k.as_str()).collect(),
            words: words_of(kinds),
        };
        let in_order = sorted(results.iter());
        for r in &in_order {
            let kinds = holds.of_line(r);
            if !kinds.is_empty() {
                held.results.push(line(r, kinds));
            }
            if holds.uci_failed(r) {
                held.ucis.push(line(r, &[FindingKind::UciInvalid]));
            }
        }
        held.uci_pages = in_order
            .chunk_by(|a, b| a.candidate_number == b.candidate_number)
            .filter(|candidate| holds.page_uci(candidate).is_none())
            .map(|candidate| candidate[0].candidate_number.clone())
            .collect();
        held
    }

    /// The lines for the terminal: how many results are held and the first few, and the UCIs;
    /// none when nothing is held.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let candidates = |lines: &[HeldLine]| {
            let distinct: BTreeSet<&str> =
                lines.iter().map(|l| l.candidate_number.as_str()).collect();
            crate::messages::count(distinct.len(), "candidate", "candidates")
        };
        if !self.results.is_empty() {
            out.push(format!(
                "held on statements: {} of {} (statements.csv status held)",
                crate::messages::count(self.results.len(), "result", "results"),
                candidates(&self.results)
            ));
            for l in self.results.iter().take(Self::SHOWN) {
                out.push(format!(
                    "  {} board {} {}: {} ({})",
                    l.candidate_number,
                    l.board,
                    l.entry_code,
                    l.words,
                    l.why.join(", ")
                ));
            }
            if self.results.len() > Self::SHOWN {
                out.push(format!(
                    "  and {} more (statements.csv status held; run.json held_on_statements)",
                    self.results.len() - Self::SHOWN
                ));
            }
        }
        if !self.ucis.is_empty() {
            let pages = match self.uci_pages.len() {
                0 => "each page prints the candidate's UCI that passes".to_string(),
                n => {
                    let mut named = self.uci_pages[..n.min(Self::SHOWN)].join(", ");
                    if n > Self::SHOWN {
                        named.push_str(&format!(" and {} more", n - Self::SHOWN));
                    }
                    let of = if n == 1 { "the page" } else { "the pages" };
                    format!("the UCI line is held on {of} of {named}")
                }
            };
            out.push(format!(
                "UCI left out of statements: {} of {}, a UCI that fails its check \
                 (statements.csv uci blank, held_reason uci_invalid); {pages}",
                crate::messages::count(self.ucis.len(), "result", "results"),
                candidates(&self.ucis)
            ));
        }
        out
    }
}

/// A held line's reasons in words, joined by `; `.
pub(super) fn words_of(kinds: &[FindingKind]) -> String {
    let words: Vec<&str> = kinds.iter().map(|&k| held_words(k)).collect();
    words.join("; ")
}
