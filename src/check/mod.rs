//! Checks of each file and each result on its own: the file-format problems the parsers found,
//! unknown boards, and every result's grade, UCI and basedata. Pure: data in, findings out.

pub mod centre;
pub mod changes;
pub mod reconcile;
pub mod results;

use std::collections::HashSet;

use parsers::{Boards, Content, Gradesets, ProblemKind, Records};

use crate::model::series::{CentreSeries, InputFile};
use crate::model::{Finding, FindingKind, Source};

/// Findings from the files themselves: malformed lines, trailers, headers, records for another
/// centre, boards not in the table. One finding per line, however many of its fields are bad.
pub fn file_findings(file: &InputFile, centre: &str, boards: &Boards) -> Vec<Finding> {
    let board = file.board().unwrap_or_default();
    let mut findings = Vec::new();
    let mut malformed_lines = HashSet::new();
    let problems: Vec<&parsers::Problem> = file.parsed.all_problems().collect();
    for p in problems {
        let kind = match p.kind {
            ProblemKind::MalformedRecord
            | ProblemKind::UnsupportedVersion
            | ProblemKind::LimitExceeded => FindingKind::MalformedRecord,
            ProblemKind::LayoutMismatch => FindingKind::LayoutMismatch,
            ProblemKind::TrailerMismatch => FindingKind::TrailerMismatch,
            ProblemKind::HeaderMismatch => FindingKind::HeaderMismatch,
            ProblemKind::CentreMismatch => FindingKind::CentreMismatch,
            // Kept and shown by `inspect` and the run summary; not findings.
            ProblemKind::ExtraText
            | ProblemKind::ControlCharacters
            | ProblemKind::FileNameNoise => continue,
        };
        if kind == FindingKind::MalformedRecord && !malformed_lines.insert(p.line) {
            continue;
        }
        let field = p
            .field
            .as_deref()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        let mut f = Finding::new(kind, &board, centre)
            .at(&Source {
                file: file.name.clone(),
                line: p.line,
            })
            .detail(format!("{field}{}", p.message));
        if kind == FindingKind::CentreMismatch {
            if let Some(r) = record_at(file, p.line) {
                f = f.candidate(&r.0, &r.1, &r.2).entry(&r.3);
            }
        }
        findings.push(f);
    }
    if !board.is_empty() && boards.is_unknown(&board) {
        findings.push(
            Finding::new(FindingKind::UnknownAwardingBody, &board, centre)
                .at(&Source {
                    file: file.name.clone(),
                    line: file.edi().and_then(|e| e.header.as_ref()).map(|_| 1),
                })
                .detail(format!(
                    "awarding body id '{board}' is not in the boards table (boards.csv); the file \
                     is read, but check the id"
                )),
        );
    }
    findings
}

/// The candidate and option of the record on a line: (number, UCI, name, option).
fn record_at(file: &InputFile, line: Option<usize>) -> Option<(String, String, String, String)> {
    let line = line?;
    match &file.parsed.content {
        Content::Edi(e) => match &e.records {
            Records::Results(v) => v.iter().find(|r| r.line == line).map(|r| {
                (
                    r.candidate_number.clone(),
                    r.uci.clone(),
                    r.name.clone(),
                    r.option_code.clone(),
                )
            }),
            Records::Entries(v) => v.iter().find(|r| r.line == line).map(|r| {
                (
                    r.candidate_number.clone(),
                    r.uci.clone(),
                    r.name.clone(),
                    r.option_code.clone(),
                )
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Gradeset codes that the gradesets table does not know, used by an option entered or
/// resulted: one finding per board and code, naming the first such option in code order. The
/// grades of such options are taken as given, never reported as invalid.
pub fn unknown_gradesets(series: &CentreSeries, gradesets: &Gradesets) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (board, b) in &series.boards {
        let used = b
            .entries
            .iter()
            .filter(|(_, e)| !e.withdrawn)
            .map(|(&(_, o), _)| o)
            .chain(b.results.keys().map(|&(_, o)| o));
        // Code → (first option, how many options use it).
        let mut unknown: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            Default::default();
        for option in used {
            let Some(o) = b.basedata.option(option) else {
                continue;
            };
            for code in [&o.gradeset, &o.gradeset2, &o.endorsement_gradeset]
                .into_iter()
                .flatten()
            {
                if gradesets.get(code).is_none() {
                    unknown.entry(code).or_default().insert(&o.code);
                }
            }
        }
        for (code, options) in unknown {
            let first = options.iter().next().copied().unwrap_or_default();
            let more = match options.len() {
                1 => String::new(),
                n => format!(
                    " and {} more option{}",
                    n - 1,
                    if n == 2 { "" } else { "s" }
                ),
            };
            findings.push(
                Finding::new(FindingKind::UnknownGradeset, board, &series.centre)
                    .entry(first)
                    .detail(format!(
                        "gradeset '{code}' (used by {first}{more}) is not in gradesets.csv, so \
                         its grades are taken as given; add its grades to a gradesets.csv in \
                         the folder to have them checked"
                    )),
            );
        }
    }
    findings
}

/// Checks of each current result: grade indicators, grades outside the gradeset, options not in
/// the basedata, UCIs, and results sent twice in one file.
pub fn result_findings(series: &CentreSeries, gradesets: &Gradesets) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (board, b) in &series.boards {
        for r in b.results.values() {
            let rec = &r.record;
            let base = |kind| {
                Finding::new(kind, board, &series.centre)
                    .candidate(&rec.candidate_number, &rec.uci, &rec.name)
                    .entry(&rec.option_code)
                    .at(&Source::new(r.file, rec.line))
            };
            let option = b.basedata.option(&rec.option_code);
            // With no basedata at all from the board, one finding says so (below).
            if option.is_none() && !b.basedata.is_empty() {
                findings.push(base(FindingKind::UnknownEntryCode).detail(format!(
                    "option {} is not in board {board}'s basedata",
                    rec.option_code
                )));
            }
            let Some(grade) = &rec.grade else {
                findings.push(
                    base(FindingKind::IncompleteResult)
                        .detail("the result record has a blank grade: the result is not complete"),
                );
                continue;
            };
            if grade.is_pending() {
                findings.push(base(FindingKind::PendingResult).detail(
                    "grade Q: result pending (usually a malpractice investigation or a result \
                     not finalised); the board will contact the centre",
                ));
            } else if grade.is_no_result() {
                findings.push(base(FindingKind::NoResult).detail(
                    "grade X: no result issued; check whether a missing result enquiry is needed",
                ));
            } else if grade.partial_absence {
                findings.push(base(FindingKind::PartialAbsence).detail(format!(
                    "grade {}: partial absence (work for some components but not all)",
                    grade.as_sent()
                )));
            }
            if let Some(set) = option
                .and_then(|o| o.gradeset.as_deref())
                .and_then(|code| gradesets.get(code))
            {
                let bad: Vec<String> = [Some(grade), rec.grade2.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter(|g| !set.allows(&g.code))
                    .map(|g| g.as_sent())
                    .collect();
                if !bad.is_empty() {
                    let valid: Vec<&str> = set.grades.iter().map(|g| g.grade.as_str()).collect();
                    findings.push(base(FindingKind::InvalidGrade).detail(format!(
                        "grade {} is not in gradeset {} ({}, X, Q)",
                        bad.join(" and "),
                        set.code,
                        valid.join(" ")
                    )));
                }
            }
            if let Err(problem) = parsers::uci::validate(&rec.uci) {
                findings.push(
                    base(FindingKind::UciInvalid).detail(format!("UCI '{}': {problem}", rec.uci)),
                );
            }
        }
        if b.basedata.is_empty() && (!b.results.is_empty() || !b.entries.is_empty()) {
            findings.push(
                Finding::new(FindingKind::UnknownEntryCode, board, &series.centre).detail(format!(
                    "there is no basedata from board {board} for series {}: none of its {} and \
                     {} can be checked, and their subjects and results days are unknown (so \
                     their statements are held to the series' last release); put the board's \
                     basedata files (S, O, C, L, or the zip the board ships) in the folder",
                    series.series,
                    crate::messages::count(b.results.len(), "result", "results"),
                    crate::messages::count(b.entries.len(), "entry", "entries"),
                )),
            );
        }
        for d in &b.duplicates {
            let rec = &d.record;
            findings.push(
                Finding::new(FindingKind::DuplicateResult, board, &series.centre)
                    .candidate(&rec.candidate_number, &rec.uci, &rec.name)
                    .entry(&rec.option_code)
                    .at(&Source::new(d.file, rec.line))
                    .detail("the same candidate and option again in this file; the first is used"),
            );
        }
    }
    findings
}
