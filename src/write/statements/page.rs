//! What a statement template is given: the centre, and each candidate's page with its lines,
//! marks, endorsements and footnotes.

use std::collections::BTreeSet;

use chrono::DateTime;
use chrono_tz::Tz;
use serde::Serialize;

use super::embargo::Held;
use super::held::{words_of, Holds, WITHHELD_GRADE, WITHHELD_UCI};
use super::StatementSet;
use crate::model::{split_name, CandidateResult, FindingKind};
use crate::rules::config::Settings;

/// What the template is given.
#[derive(Serialize)]
pub(super) struct TemplateContext<'s> {
    pub(super) centre: Centre<'s>,
    pub(super) series_name: &'s str,
    /// Whether any page is held back (for the styles of the mark).
    pub(super) any_held: bool,
    /// Whether any page holds a result or its UCI (for the styles of held lines).
    pub(super) any_withheld: bool,
    pub(super) pages: Vec<StatementPage<'s>>,
}

/// The centre, as printed at the top of each page.
#[derive(Serialize)]
pub struct Centre<'s> {
    /// From settings, else `Centre 14520`.
    pub name: String,
    pub number: &'s str,
    pub address: Option<&'s str>,
    pub results_contact: Option<&'s str>,
}

impl<'s> Centre<'s> {
    pub(super) fn from_settings(settings: &'s Settings, number: &'s str) -> Centre<'s> {
        let name = settings
            .centre_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map_or_else(|| format!("Centre {number}"), str::to_string);
        let text = |s: &'s Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty());
        Centre {
            name,
            number,
            address: text(&settings.centre_address),
            results_contact: text(&settings.results_contact),
        }
    }
}

/// One candidate's page.
#[derive(Serialize)]
pub struct StatementPage<'s> {
    pub candidate_number: &'s str,
    /// The first of the candidate's UCIs that passes its check; [`WITHHELD_UCI`] when none does.
    pub uci: &'s str,
    /// Set when none of the candidate's UCIs passes its check: the UCI line is held.
    pub uci_withheld: bool,
    /// `ÉMILE O'NEILL`.
    pub name: String,
    /// As the board sends it: `O'NEILL:ÉMILE`.
    pub name_as_sent: &'s str,
    pub surname: &'s str,
    pub forenames: &'s str,
    /// Set while the page may not go to the candidate.
    pub held: Option<Held>,
    pub results: Vec<StatementLine<'s>>,
    /// Which footnotes the page needs.
    pub notes: Notes,
    /// Whether any result on the page has a mark (else the column is left out).
    pub has_marks: bool,
    /// Whether any result on the page has an endorsement (else the column is left out).
    pub has_endorsements: bool,
}

/// Which footnotes a page uses.
#[derive(Serialize, Default)]
pub struct Notes {
    /// A `#` grade.
    pub partial_absence: bool,
    /// `X`.
    pub no_result: bool,
    /// `Q`.
    pub pending: bool,
    /// A result record with no grade.
    pub not_issued: bool,
    /// A line held because the run found it wrong.
    pub withheld: bool,
    /// The UCI line held.
    pub uci_withheld: bool,
}

impl<'s> StatementPage<'s> {
    /// `results`: one candidate's, sorted.
    fn new(
        results: &[&'s CandidateResult],
        set: &StatementSet<'s>,
        holds: &Holds<'_>,
    ) -> StatementPage<'s> {
        let first = results[0];
        let (surname, forenames) = split_name(&first.name);
        let name = if forenames.is_empty() {
            surname.to_string()
        } else {
            format!("{forenames} {surname}")
        };
        let uci = holds.page_uci(results);
        let mut in_order = results.to_vec();
        in_order.sort_by(|a, b| {
            (
                &a.title,
                &a.qualification,
                &a.board,
                &a.entry_code,
                &a.source,
            )
                .cmp(&(
                    &b.title,
                    &b.qualification,
                    &b.board,
                    &b.entry_code,
                    &b.source,
                ))
        });
        // When each result is released, if that is still to come. The page shows them all, so
        // it is held until the latest; once everything on it is released, it is not held.
        let to_come: Vec<Option<DateTime<Tz>>> = in_order
            .iter()
            .map(|r| (set.release)(r).filter(|at| set.as_of < *at))
            .collect();
        let held_until = to_come.iter().flatten().max().copied();
        // A row says when it is released only where the rows differ; otherwise the page's mark
        // says it for all of them.
        let rows_differ = to_come.iter().any(|at| *at != to_come[0]);
        let mut notes = Notes {
            uci_withheld: uci.is_none(),
            ..Notes::default()
        };
        let lines: Vec<StatementLine> = in_order
            .iter()
            .zip(&to_come)
            .map(|(r, at)| {
                let held = at.filter(|_| rows_differ);
                let line = StatementLine::new(r, set, held, holds.of_line(r));
                notes.partial_absence |= line.partial_absence;
                match line.grade_kind {
                    GradeKind::NoResult => notes.no_result = true,
                    GradeKind::Pending => notes.pending = true,
                    GradeKind::NotIssued => notes.not_issued = true,
                    GradeKind::Withheld => notes.withheld = true,
                    GradeKind::Grade => {}
                }
                line
            })
            .collect();
        StatementPage {
            candidate_number: &first.candidate_number,
            uci: uci.unwrap_or(WITHHELD_UCI),
            uci_withheld: uci.is_none(),
            name,
            name_as_sent: &first.name,
            surname,
            forenames,
            held: held_until.map(Held::at),
            has_marks: lines.iter().any(|l| l.mark.is_some()),
            has_endorsements: lines.iter().any(|l| l.endorsement.is_some()),
            results: lines,
            notes,
        }
    }
}

/// What kind of thing stands in the grade column.
#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GradeKind {
    Grade,
    NoResult,
    Pending,
    NotIssued,
    /// Held because the run found it wrong: the grade is [`WITHHELD_GRADE`].
    Withheld,
}

/// One result on a page.
#[derive(Serialize)]
pub struct StatementLine<'s> {
    pub board: &'s str,
    /// `AQA`, or the id when the boards table does not know it.
    pub board_name: &'s str,
    pub entry_code: &'s str,
    pub title: &'s str,
    /// As in the basedata: `GCE A`.
    pub qualification_code: &'s str,
    /// For a reader: `A level`.
    pub qualification: &'s str,
    /// As printed: `7-6`, `No Result`, `Pending`, `5#`; blank when none was sent;
    /// [`WITHHELD_GRADE`] when the line is held.
    pub grade: String,
    pub grade_kind: GradeKind,
    pub partial_absence: bool,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<Endorsement<'s>>,
    /// Set when this result is not yet released and the page's other results differ (some
    /// released, or released at another time).
    pub held: Option<Held>,
    /// Set when the run found this result wrong: the line is held, with no grade, mark or
    /// endorsement.
    pub withheld: Option<Withheld>,
}

/// Why a line is held.
#[derive(Serialize)]
pub struct Withheld {
    /// In words: `the grade the board sent is not one this qualification has`.
    pub why: String,
    /// The findings' kinds: `invalid_grade`, as in `statements.csv`'s `held_reason`.
    pub kinds: Vec<&'static str>,
}

/// An endorsement grade and what it means.
#[derive(Serialize)]
pub struct Endorsement<'s> {
    /// As sent: `M`.
    pub code: &'s str,
    /// `Merit`; blank for a code resultsday does not know.
    pub meaning: &'static str,
    /// `Spoken language`, `Practical science`, or `Endorsement`.
    pub kind: &'static str,
}

impl<'s> StatementLine<'s> {
    /// `held`: when `r` is released, if its row is to say so; `withheld`: the kinds of the
    /// findings that hold it (none, usually).
    fn new(
        r: &'s CandidateResult,
        set: &StatementSet<'s>,
        held: Option<DateTime<Tz>>,
        withheld: &[FindingKind],
    ) -> StatementLine<'s> {
        if !withheld.is_empty() {
            return StatementLine {
                grade: WITHHELD_GRADE.to_string(),
                grade_kind: GradeKind::Withheld,
                partial_absence: false,
                mark: None,
                max_mark: None,
                endorsement: None,
                withheld: Some(Withheld {
                    why: words_of(withheld),
                    kinds: withheld.iter().map(|k| k.as_str()).collect(),
                }),
                ..StatementLine::new(r, set, held, &[])
            };
        }
        let grade_kind = match &r.grade {
            None => GradeKind::NotIssued,
            Some(g) if g.is_no_result() => GradeKind::NoResult,
            Some(g) if g.is_pending() => GradeKind::Pending,
            Some(_) => GradeKind::Grade,
        };
        let partial_absence = grade_kind == GradeKind::Grade
            && [&r.grade, &r.grade2]
                .into_iter()
                .flatten()
                .any(|g| g.partial_absence);
        let endorsement = r
            .endorsement
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|code| Endorsement {
                code,
                meaning: endorsement_meaning(code),
                kind: endorsement_kind(&r.qualification),
            });
        StatementLine {
            board: &r.board,
            board_name: set.boards.name(&r.board),
            entry_code: &r.entry_code,
            title: &r.title,
            qualification_code: &r.qualification,
            qualification: qualification_name(&r.qualification),
            grade: r.printed_grade(),
            grade_kind,
            partial_absence,
            mark: r.mark,
            max_mark: r.max_mark,
            endorsement,
            held: held.map(Held::at),
            withheld: None,
        }
    }
}

/// The qualification as a candidate would say it.
pub fn qualification_name(code: &str) -> &str {
    match code.trim() {
        "GCE A" => "A level",
        "GCE AS" => "AS level",
        "PROJECT" => "Project",
        "CNAT" => "Cambridge National",
        "BTEC NAT" => "BTEC National",
        other => other,
    }
}

/// An endorsement grade in words: spoken language D/M/P/NC, practical science P/NC.
pub fn endorsement_meaning(code: &str) -> &'static str {
    match code.trim().to_ascii_uppercase().as_str() {
        "D" => "Distinction",
        "M" => "Merit",
        "P" => "Pass",
        "NC" => "Not classified",
        _ => "",
    }
}

/// Which endorsement a qualification carries: spoken language on GCSE English Language, the
/// practical endorsement on A level sciences.
pub(super) fn endorsement_kind(qualification: &str) -> &'static str {
    let q = qualification.trim();
    if q.starts_with("GCSE") {
        "Spoken language"
    } else if q.starts_with("GCE") {
        "Practical science"
    } else {
        "Endorsement"
    }
}

/// The pages, one per candidate by candidate number; with `only_candidates`, just those.
pub(super) fn pages<'s>(
    set: &StatementSet<'s>,
    only_candidates: Option<&BTreeSet<String>>,
    holds: &Holds<'_>,
) -> Vec<StatementPage<'s>> {
    let wanted = |r: &&CandidateResult| {
        only_candidates.is_none_or(|only| only.contains(&r.candidate_number))
    };
    // By candidate only: each page puts its own results in order.
    let mut results: Vec<_> = set.results.iter().filter(wanted).collect();
    results.sort_by(|a, b| a.candidate_number.cmp(&b.candidate_number));
    results
        .chunk_by(|a, b| a.candidate_number == b.candidate_number)
        .map(|candidate| StatementPage::new(candidate, set, holds))
        .collect()
}
