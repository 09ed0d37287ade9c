//! Unit tests of the statements: names and endorsements in words, template errors, held lines
//! and UCIs, and the built-in template.

use minijinja::Environment;

use super::held::{held_reason, words_of};
use super::page::endorsement_kind;
use super::*;
use crate::model::{FindingKind, ResultsDay};

#[test]
fn qualifications_read_as_a_candidate_says_them() {
    assert_eq!(qualification_name("GCE A"), "A level");
    assert_eq!(qualification_name("GCE AS"), "AS level");
    assert_eq!(qualification_name("GCSE"), "GCSE");
    assert_eq!(qualification_name("PROJECT"), "Project");
    assert_eq!(qualification_name("CNAT"), "Cambridge National");
    assert_eq!(qualification_name("BTEC NAT"), "BTEC National");
    assert_eq!(qualification_name("ELQ"), "ELQ");
}

#[test]
fn endorsements_in_words() {
    assert_eq!(endorsement_meaning("D"), "Distinction");
    assert_eq!(endorsement_meaning("M"), "Merit");
    assert_eq!(endorsement_meaning("P"), "Pass");
    assert_eq!(endorsement_meaning("NC"), "Not classified");
    assert_eq!(endorsement_meaning("Z"), "");
    assert_eq!(endorsement_kind("GCSE"), "Spoken language");
    assert_eq!(endorsement_kind("GCE A"), "Practical science");
}

#[test]
fn template_errors_name_the_file_and_line() {
    let e = StatementError::Template {
        file: "/c/slip.html".into(),
        line: Some(4),
        message: "syntax error".into(),
    };
    assert_eq!(e.to_string(), "/c/slip.html, line 4: syntax error");
}

#[test]
fn the_builtin_template_words_holding_back_only_inside_held_blocks() {
    let mut rest = BUILTIN_TEMPLATE.to_string();
    for opening in ["{% if any_held %}", "{% if page.held %}", "{% if r.held %}"] {
        while let Some(start) = rest.find(opening) {
            let end = start + rest[start..].find("{% endif %}").unwrap();
            let block = &rest[start..end];
            assert!(!block[opening.len()..].contains("{% if"), "nested: {block}");
            rest.replace_range(start..end, "");
        }
    }
    assert!(!rest.to_lowercase().contains("embargo"));
    assert!(BUILTIN_TEMPLATE.contains("EMBARGOED"));
}

fn result(candidate: &str, board: &str, entry: &str, uci: &str) -> CandidateResult {
    CandidateResult {
        board: board.into(),
        centre: "14520".into(),
        candidate_number: candidate.into(),
        uci: uci.into(),
        name: "HUSSAIN:AMIRA".into(),
        entry_code: entry.into(),
        syllabus_code: None,
        title: "HISTORY".into(),
        qualification: "GCSE".into(),
        level: Some(2),
        gradeset: Some("40".into()),
        is_award: true,
        grade: parsers::Grade::parse("B"),
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: ResultsDay::Gcse,
        source: crate::model::Source::new("R1452070.X01", 37),
    }
}

fn finding(kind: FindingKind, r: &CandidateResult) -> Finding {
    Finding::new(kind, &r.board, &r.centre)
        .candidate(&r.candidate_number, &r.uci, &r.name)
        .entry(&r.entry_code)
}

#[test]
fn only_findings_that_make_a_grade_doubtful_hold_its_line() {
    let r = result("0009", "70", "8145", "145200240009B");
    for kind in crate::model::ALL_KINDS {
        let findings = [finding(kind, &r)];
        let holds = Holds::new(&findings);
        assert_eq!(
            holds.of_line(&r) == [kind],
            HOLDING_KINDS.contains(&kind),
            "{kind:?}"
        );
        assert_eq!(holds.uci_failed(&r), kind == FindingKind::UciInvalid);
    }
    // A file's finding, or a whole board's, names no line and holds none.
    let mut board_wide = finding(FindingKind::UnknownEntryCode, &r);
    board_wide.candidate_number.clear();
    board_wide.entry_code.clear();
    let mut no_entry = finding(FindingKind::InvalidGrade, &r);
    no_entry.entry_code.clear();
    let findings = [board_wide, no_entry];
    assert!(Holds::new(&findings).of_line(&r).is_empty());
}

#[test]
fn a_line_names_each_kind_once_in_a_fixed_order() {
    let r = result("0004", "01", "J560H", "145200240004M");
    let findings = [
        finding(FindingKind::DuplicateResult, &r),
        finding(FindingKind::XmlGradeConflict, &r),
        finding(FindingKind::DuplicateResult, &r),
    ];
    let holds = Holds::new(&findings);
    assert_eq!(
        holds.of_line(&r),
        [FindingKind::XmlGradeConflict, FindingKind::DuplicateResult]
    );
    assert_eq!(
        held_reason(holds.of_line(&r), true),
        "xml_grade_conflict;duplicate_result;uci_invalid"
    );
    assert_eq!(held_reason(&[], false), "");
    assert_eq!(
        words_of(holds.of_line(&r)),
        "the board sent two different grades for this result; the board sent this result \
         more than once"
    );
}

#[test]
fn a_page_prints_a_uci_that_passes_and_holds_the_line_when_none_does() {
    let bad = result("0012", "01", "J560F", "145200240012A");
    let good = result("0012", "70", "8700", "145200240012G");
    let findings = [finding(FindingKind::UciInvalid, &bad)];
    let holds = Holds::new(&findings);
    assert_eq!(holds.page_uci(&[&bad, &good]), Some("145200240012G"));
    assert_eq!(holds.page_uci(&[&bad]), None);
    // Nothing found: the first UCI sent, or blank when there is none.
    let none = Holds::new(&[]);
    assert_eq!(none.page_uci(&[&bad, &good]), Some("145200240012A"));
    let blank = result("0012", "01", "J560F", " ");
    assert_eq!(none.page_uci(&[&blank]), Some(""));
    // A UCI of 12 characters and a space, as the board sent it, matches its finding.
    let short = result("0014", "70", "8702", "145200240014 ");
    let findings = [finding(FindingKind::UciInvalid, &short)];
    assert_eq!(Holds::new(&findings).page_uci(&[&short]), None);
}

#[test]
fn held_on_statements_lists_the_lines_and_the_ucis_in_csv_order() {
    let grade = result("0009", "70", "8145", "145200240009B");
    let fine = result("0009", "70", "8700", "145200240009B");
    let code = result("0002", "70", "8062", "145200240002A");
    let uci = result("0110", "70", "7402", "145200220110A");
    let findings = [
        finding(FindingKind::InvalidGrade, &grade),
        finding(FindingKind::UnknownEntryCode, &code),
        finding(FindingKind::UciInvalid, &uci),
        finding(FindingKind::NameMismatch, &fine),
    ];
    let held = HeldOnStatements::of(&[uci.clone(), fine, grade, code], &findings);
    let lines: Vec<(&str, &str, &str, &[&str])> = held
        .results
        .iter()
        .map(|l| {
            (
                l.candidate_number.as_str(),
                l.board.as_str(),
                l.entry_code.as_str(),
                l.why.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("0002", "70", "8062", &["unknown_entry_code"][..]),
            ("0009", "70", "8145", &["invalid_grade"][..]),
        ]
    );
    assert_eq!(held.ucis.len(), 1);
    assert_eq!(held.ucis[0].why, ["uci_invalid"]);
    assert_eq!(held.uci_pages, ["0110"]);
    assert_eq!(
        held.summary_lines(),
        [
            "held on statements: 2 results of 2 candidates (statements.csv status held)",
            "  0002 board 70 8062: the board sent this result for an entry code that is not \
             in its list of subjects (unknown_entry_code)",
            "  0009 board 70 8145: the grade the board sent is not one this qualification has \
             (invalid_grade)",
            "UCI left out of statements: 1 result of 1 candidate, a UCI that fails its check \
             (statements.csv uci blank, held_reason uci_invalid); the UCI line is held on the \
             page of 0110",
        ]
    );
    assert!(HeldOnStatements::of(&[uci], &[]).summary_lines().is_empty());
}

#[test]
fn the_terminal_names_the_first_few_held_lines_and_counts_the_rest() {
    let results: Vec<CandidateResult> = (1..=7)
        .map(|n| result(&format!("{n:04}"), "70", "8145", "145200240001A"))
        .collect();
    let findings: Vec<Finding> = results
        .iter()
        .map(|r| finding(FindingKind::InvalidGrade, r))
        .collect();
    let lines = HeldOnStatements::of(&results, &findings).summary_lines();
    assert_eq!(lines.len(), 1 + HeldOnStatements::SHOWN + 1);
    assert_eq!(
        lines[0],
        "held on statements: 7 results of 7 candidates (statements.csv status held)"
    );
    assert_eq!(
        lines[6],
        "  and 2 more (statements.csv status held; run.json held_on_statements)"
    );
    // Pages whose every UCI fails: the first few named.
    let ucis: Vec<Finding> = results
        .iter()
        .map(|r| finding(FindingKind::UciInvalid, r))
        .collect();
    let lines = HeldOnStatements::of(&results, &ucis).summary_lines();
    assert_eq!(
        lines,
        [
            "UCI left out of statements: 7 results of 7 candidates, a UCI that fails its check \
          (statements.csv uci blank, held_reason uci_invalid); the UCI line is held on the \
          pages of 0001, 0002, 0003, 0004, 0005 and 2 more"
        ]
    );
}

#[test]
fn the_builtin_template_documents_what_it_is_given_for_held_lines() {
    let doc = &BUILTIN_TEMPLATE[..BUILTIN_TEMPLATE.find("#}").unwrap()];
    for value in [
        "any_withheld",
        "uci_withheld",
        "withheld (none, or why",
        "kinds",
        "withheld, uci_withheld",
        "not_issued, withheld)",
    ] {
        assert!(doc.contains(value), "{value}");
    }
    assert!(doc.contains(WITHHELD_UCI) && doc.contains("\"See the"));
}

#[test]
fn the_builtin_template_parses() {
    let mut env = Environment::new();
    env.add_template(BUILTIN_TEMPLATE_NAME, BUILTIN_TEMPLATE)
        .unwrap();
    assert!(
        !BUILTIN_TEMPLATE.contains("<!--"),
        "HTML comments would print on every page"
    );
}
