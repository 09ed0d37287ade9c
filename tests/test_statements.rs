//! Statements: `statements.csv` byte for byte, and the pages of `statements.html`: one per
//! candidate, footnotes only where used, the mark that holds a page back until 08:00 on its
//! results day and nothing of it afterwards, escaping, a centre's own template.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::DateTime;
use chrono_tz::Tz;
use parsers::{Boards, Grade};
use resultsday::model::{CandidateResult, Finding, FindingKind, ResultsDay, Source};
use resultsday::rules::calendar::{parse_as_of, Calendar};
use resultsday::rules::config::Settings;
use resultsday::write::output::Commit;
use resultsday::write::statements::{
    release_of, render_html, statements_csv, write_statements, write_statements_csv,
    StatementError, StatementSet,
};

/// A result with the fields a statement uses; the rest left plain.
fn result(candidate: &str, name: &str, board: &str, entry: &str, grade: &str) -> CandidateResult {
    CandidateResult {
        board: board.into(),
        centre: "14520".into(),
        candidate_number: candidate.into(),
        uci: format!("14520{candidate}0000A"),
        name: name.into(),
        entry_code: entry.into(),
        syllabus_code: None,
        title: format!("Subject {entry}"),
        qualification: "GCSE".into(),
        level: Some(2),
        gradeset: None,
        is_award: true,
        grade: Grade::parse(grade),
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: ResultsDay::Gcse,
        source: Source::new("R1452070.X01", 2),
    }
}

fn a_level(candidate: &str, name: &str, board: &str, entry: &str, grade: &str) -> CandidateResult {
    CandidateResult {
        qualification: "GCE A".into(),
        level: Some(3),
        results_day: ResultsDay::Gce,
        ..result(candidate, name, board, entry, grade)
    }
}

/// Three candidates, given out of order: a double award, a partial absence with a spoken
/// language endorsement, No Result, Pending, an A level with its mark.
fn centre_results() -> Vec<CandidateResult> {
    let mut science = result("0002", "SMITH:ANN", "70", "8464H", "7");
    science.grade2 = Grade::parse("6");
    science.title = "Combined Science: Trilogy, Higher".into();
    let mut english = result("0002", "SMITH:ANN", "70", "8700", "5#");
    english.title = "English Language".into();
    english.endorsement = Some("M".into());
    let mut biology = a_level("0001", "O'NEILL:ÉMILE", "01", "H420", "B");
    biology.title = "Biology A".into();
    biology.mark = Some(123);
    biology.max_mark = Some(300);
    biology.endorsement = Some("P".into());
    let mut maths = result("0003", "JONES:CARYS", "40", "C300QS", "Q");
    maths.title = "Mathematics".into();
    let mut french = result("0003", "JONES:CARYS", "01", "J730F", "X");
    french.title = "French".into();
    vec![english, maths, biology, science, french]
}

fn london(text: &str) -> DateTime<Tz> {
    parse_as_of(text).unwrap()
}

/// The June 2026 calendar: A level on Thursday 13 August, GCSE on Thursday 20 August.
fn june_2026(r: &CandidateResult) -> Option<DateTime<Tz>> {
    let calendar = Calendar::builtin();
    release_of(r, &calendar, calendar.get("2026-06"))
}

fn unknown_series(_: &CandidateResult) -> Option<DateTime<Tz>> {
    None
}

fn render(results: &[CandidateResult], settings: &Settings, as_of: &str) -> String {
    try_render(results, settings, as_of).unwrap()
}

fn try_render(
    results: &[CandidateResult],
    settings: &Settings,
    as_of: &str,
) -> Result<String, StatementError> {
    let boards = Boards::builtin();
    let set = StatementSet {
        settings,
        centre_number: "14520",
        series_name: "June 2026",
        results,
        boards: &boards,
        release: &june_2026,
        as_of: london(as_of),
        findings: &[],
    };
    render_html(&set, None)
}

fn northgate() -> Settings {
    Settings {
        centre_name: Some("Northgate Academy".into()),
        centre_number: Some("14520".into()),
        centre_address: Some("Northgate Road, Leeds LS1 1AA · 0113 000 0000".into()),
        results_contact: Some("Mrs R. Patel, exams officer, exams@northgate.example".into()),
        statement_template: None,
    }
}

/// The HTML of each candidate's page, in order.
fn pages(html: &str) -> Vec<&str> {
    html.split("<section class=\"page\"").skip(1).collect()
}

fn mentions_embargo(text: &str) -> bool {
    text.to_lowercase().contains("embargo")
}

const AFTER_ALL_RELEASES: &str = "2026-08-20T08:00";

#[test]
fn csv_has_every_result_in_order_with_grades_as_printed() {
    let csv = statements_csv(&centre_results(), &[]).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "\u{feff}candidate_number,uci,name,board,entry_code,title,qualification,grade,mark,max_mark,status,endorsement,held_reason\n\
         0001,1452000010000A,O'NEILL:ÉMILE,01,H420,Biology A,GCE A,B,123,300,provisional,P,\n\
         0002,1452000020000A,SMITH:ANN,70,8464H,\"Combined Science: Trilogy, Higher\",GCSE,7-6,,,provisional,,\n\
         0002,1452000020000A,SMITH:ANN,70,8700,English Language,GCSE,5#,,,provisional,M,\n\
         0003,1452000030000A,JONES:CARYS,01,J730F,French,GCSE,No Result,,,provisional,,\n\
         0003,1452000030000A,JONES:CARYS,40,C300QS,Mathematics,GCSE,Pending,,,provisional,,\n"
    );
}

#[test]
fn csv_sorts_by_candidate_then_board_then_entry_code() {
    let results = vec![
        result("0010", "B:B", "70", "8300H", "4"),
        result("0009", "A:A", "70", "8700", "5"),
        result("0010", "B:B", "01", "J560", "6"),
        result("0010", "B:B", "70", "8145", "7"),
    ];
    let csv = String::from_utf8(statements_csv(&results, &[]).unwrap()).unwrap();
    let keys: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            format!("{} {} {}", f[0], f[3], f[4])
        })
        .collect();
    assert_eq!(
        keys,
        [
            "0009 70 8700",
            "0010 01 J560",
            "0010 70 8145",
            "0010 70 8300H"
        ]
    );
}

#[test]
fn files_are_owner_only_and_identical_on_a_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let results = centre_results();
    let settings = northgate();
    let boards = Boards::builtin();
    let set = StatementSet {
        settings: &settings,
        centre_number: "14520",
        series_name: "June 2026",
        results: &results,
        boards: &boards,
        release: &june_2026,
        as_of: london("2026-08-12T10:00"),
        findings: &[],
    };
    let written = write_statements(dir.path(), &set, Commit::Now).unwrap();
    assert_eq!(
        written,
        [
            dir.path().join("statements.csv"),
            dir.path().join("statements.html")
        ]
    );
    let first: Vec<Vec<u8>> = written.iter().map(|p| std::fs::read(p).unwrap()).collect();
    write_statements(dir.path(), &set, Commit::Now).unwrap();
    let second: Vec<Vec<u8>> = written.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert_eq!(first, second, "same inputs, same bytes");
    #[cfg(unix)]
    for path in &written {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    let csv_only = dir.path().join("again.csv");
    write_statements_csv(&csv_only, &results, &[]).unwrap();
    assert_eq!(std::fs::read(&csv_only).unwrap(), first[0]);
}

#[test]
fn one_page_per_candidate_in_candidate_order() {
    let html = render(&centre_results(), &northgate(), AFTER_ALL_RELEASES);
    let pages = pages(&html);
    assert_eq!(pages.len(), 3);
    assert_eq!(html.matches("<section class=\"page\"").count(), 3);
    assert!(html.contains("break-after: page") && html.contains("page-break-after: always"));
    assert!(html.contains("@page { size: A4"));
    for (page, number) in pages.iter().zip(["0001", "0002", "0003"]) {
        assert!(
            page.starts_with(&format!(" id=\"candidate-{number}\"")),
            "{number}"
        );
        assert!(page.contains("Northgate Academy"));
        assert!(page.contains("14520"));
        assert!(page.contains("June 2026"));
        assert!(page.contains("Statement of provisional results"));
        assert!(page.contains("The certificate from each awarding body"));
        assert!(page.contains("exams@northgate.example"));
    }
}

#[test]
fn a_page_shows_the_candidate_and_every_result_as_printed() {
    let html = render(&centre_results(), &northgate(), AFTER_ALL_RELEASES);
    let pages = pages(&html);
    let emile = pages[0];
    assert!(emile.contains("ÉMILE O&#x27;NEILL"));
    assert!(emile.contains("As entered: O&#x27;NEILL:ÉMILE"));
    assert!(emile.contains("1452000010000A"));
    assert!(emile.contains("Biology A"));
    assert!(emile.contains("A level"));
    assert!(emile.contains("OCR"));
    assert!(emile.contains("<td class=\"grade\">B</td>"));
    assert!(emile.contains(">123/300</td>"));
    assert!(emile.contains("Pass (P)"));
    assert!(emile.contains("Practical science"));

    let ann = pages[1];
    assert!(ann.contains("<td class=\"grade\">7-6</td>"));
    assert!(ann.contains("<td class=\"grade\">5#</td>"));
    assert!(ann.contains("Merit (M)"));
    assert!(ann.contains("Spoken language"));
    assert!(ann.contains("AQA"));
    assert!(
        !ann.contains("class=\"mark\""),
        "no mark on the page, no column"
    );
    assert!(emile.contains("<th class=\"mark\">Mark</th>"));

    let carys = pages[2];
    assert!(carys.contains("<td class=\"grade word\">No Result</td>"));
    assert!(carys.contains("<td class=\"grade word\">Pending</td>"));
    assert!(
        carys.contains("WJEC&#x2f;Eduqas"),
        "escaped, shown as WJEC/Eduqas"
    );
}

#[test]
fn footnotes_appear_only_on_pages_that_use_them() {
    let html = render(&centre_results(), &northgate(), AFTER_ALL_RELEASES);
    let pages = pages(&html);
    assert!(
        !pages[0].contains("class=\"notes\""),
        "nothing to explain on a B"
    );
    assert!(pages[1].contains("Partial absence"));
    assert!(!pages[1].contains("No result has been issued"));
    assert!(!pages[2].contains("Partial absence"));
    assert!(pages[2].contains("<dt>No Result</dt>"));
    assert!(pages[2].contains("No result has been issued for this entry"));
    assert!(pages[2].contains("<dt>Pending</dt>"));
    assert!(pages[2].contains("has not yet finalised this result"));
}

#[test]
fn a_gcse_page_is_held_until_eight_on_gcse_results_day() {
    let ann: Vec<_> = centre_results()
        .into_iter()
        .filter(|r| r.candidate_number == "0002")
        .collect();
    let before = render(&ann, &northgate(), "2026-08-20T07:59");
    assert!(before.contains(
        "EMBARGOED — not to be released to the candidate before 08:00 on Thursday 20 August 2026"
    ));
    assert!(before.contains("class=\"hold-stamp\""));
    assert!(
        before.contains("EMBARGOED until 08:00 on Thursday 20 August 2026</td>"),
        "repeated at the foot of each sheet of a long page"
    );
    let after = render(&ann, &northgate(), "2026-08-20T08:00");
    assert!(!mentions_embargo(&after), "{after}");
    assert!(!after.contains("hold"));
}

#[test]
fn an_a_level_page_is_held_until_eight_on_gce_results_day() {
    let emile: Vec<_> = centre_results()
        .into_iter()
        .filter(|r| r.candidate_number == "0001")
        .collect();
    let before = render(&emile, &northgate(), "2026-08-13T07:59:59");
    assert!(before.contains("before 08:00 on Thursday 13 August 2026"));
    let after = render(&emile, &northgate(), "2026-08-13T08:00");
    assert!(!mentions_embargo(&after));
}

#[test]
fn a_page_with_an_a_level_released_and_a_gcse_not_yet_is_held() {
    let mut results = vec![
        a_level("0005", "KHAN:SARA", "70", "7357", "A*"),
        result("0005", "KHAN:SARA", "70", "8300H", "8"),
    ];
    results[1].title = "Mathematics".into();
    let html = render(&results, &northgate(), "2026-08-14T12:00");
    assert!(html.contains("before 08:00 on Thursday 20 August 2026"));
    // The row that is still held says so; the released one does not.
    assert_eq!(html.matches("class=\"hold-row\"").count(), 1);

    // Before either release the page waits for the later one: it shows both.
    let html = render(&results, &northgate(), "2026-08-12T12:00");
    assert!(html.contains(
        "EMBARGOED — not to be released to the candidate before 08:00 on Thursday 20 August 2026"
    ));
    assert_eq!(html.matches("class=\"hold-row\"").count(), 2);

    let html = render(&results, &northgate(), "2026-08-20T08:00");
    assert!(!mentions_embargo(&html));
}

#[test]
fn only_the_pages_still_held_carry_the_mark() {
    let html = render(&centre_results(), &northgate(), "2026-08-13T09:00");
    let pages = pages(&html);
    assert!(!mentions_embargo(pages[0]), "the A level page is released");
    assert!(mentions_embargo(pages[1]));
    assert!(mentions_embargo(pages[2]));
}

#[test]
fn an_unknown_series_holds_nothing_back() {
    let results = centre_results();
    let settings = northgate();
    let boards = Boards::builtin();
    let set = StatementSet {
        settings: &settings,
        centre_number: "14520",
        series_name: "June 2031",
        results: &results,
        boards: &boards,
        release: &unknown_series,
        as_of: london("2026-01-01T00:00"),
        findings: &[],
    };
    let html = render_html(&set, None).unwrap();
    assert!(!mentions_embargo(&html));
}

#[test]
fn release_is_eight_o_clock_on_the_qualification_s_own_results_day() {
    let calendar = Calendar::builtin();
    let june = calendar.get("2026-06");
    let gcse = result("0001", "A:B", "70", "8700", "5");
    let gce = a_level("0001", "A:B", "70", "7357", "A");
    assert_eq!(
        release_of(&gcse, &calendar, june).unwrap(),
        london("2026-08-20T08:00")
    );
    assert_eq!(
        release_of(&gce, &calendar, june).unwrap(),
        london("2026-08-13T08:00")
    );
    assert_eq!(release_of(&gce, &calendar, None), None);
}

#[test]
fn names_and_text_are_escaped() {
    let mut results = vec![result(
        "0007",
        "<script>alert(1)</script>:ÉMILE \"E\"",
        "70",
        "8700",
        "4",
    )];
    results[0].title = "<b>Drama</b> & Theatre".into();
    results[0].endorsement = Some("<i>".into());
    let mut settings = northgate();
    settings.centre_name = Some("St Mary's <Academy>".into());
    let html = render(&results, &settings, AFTER_ALL_RELEASES);
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>Drama"));
    assert!(!html.contains("<i>"));
    assert!(!html.contains("<Academy>"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("&lt;b&gt;Drama"));
    assert!(html.contains("&amp; Theatre"));
    assert!(html.contains("St Mary&#x27;s &lt;Academy&gt;"));
}

#[test]
fn a_centre_without_a_name_is_called_by_its_number() {
    let html = render(&centre_results(), &Settings::default(), AFTER_ALL_RELEASES);
    assert!(html.contains("<p class=\"centre-name\">Centre 14520</p>"));
    assert!(!html.contains("class=\"centre-address\""));
    assert!(html.contains("please contact the exams office"));
}

#[test]
fn a_subset_of_candidates_for_changed_statements() {
    let results = centre_results();
    let settings = northgate();
    let boards = Boards::builtin();
    let set = StatementSet {
        settings: &settings,
        centre_number: "14520",
        series_name: "June 2026",
        results: &results,
        boards: &boards,
        release: &june_2026,
        as_of: london(AFTER_ALL_RELEASES),
        findings: &[],
    };
    let only: BTreeSet<String> = ["0003".to_string()].into();
    let html = render_html(&set, Some(&only)).unwrap();
    let pages = pages(&html);
    assert_eq!(pages.len(), 1);
    assert!(pages[0].contains("JONES"));
    let none = render_html(&set, Some(&BTreeSet::new())).unwrap();
    assert!(pages_count(&none) == 0 && none.contains("No statements to print"));
}

fn pages_count(html: &str) -> usize {
    pages(html).len()
}

#[test]
fn rendering_is_deterministic() {
    let a = render(&centre_results(), &northgate(), "2026-08-13T09:00");
    let mut reversed = centre_results();
    reversed.reverse();
    let b = render(&reversed, &northgate(), "2026-08-13T09:00");
    assert_eq!(a, b);
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_centre_template_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sign-off.html", "Signed: {{ centre.name }}\n");
    let template = write(
        dir.path(),
        "our-slip.tmpl",
        "{% for p in pages %}[{{ p.candidate_number }} {{ p.name }}: \
         {% for r in p.results %}{{ r.title }}={{ r.grade }} {% endfor %}]\n{% endfor %}\
         {% include \"sign-off.html\" %}",
    );
    let settings = Settings {
        statement_template: Some(template),
        ..northgate()
    };
    let html = render(&centre_results()[..3], &settings, AFTER_ALL_RELEASES);
    assert_eq!(
        html,
        "[0001 ÉMILE O&#x27;NEILL: Biology A=B ]\n\
         [0002 ANN SMITH: English Language=5# ]\n\
         [0003 CARYS JONES: Mathematics=Pending ]\n\
         Signed: Northgate Academy\n"
    );
}

#[test]
fn a_broken_template_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(
        dir.path(),
        "broken.html",
        "<html>\n<body>\n{% for p in pages %}\n{{ p.name }\n</body>\n",
    );
    let settings = Settings {
        statement_template: Some(template.clone()),
        ..northgate()
    };
    let err = try_render(&centre_results(), &settings, AFTER_ALL_RELEASES).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(&template.display().to_string()),
        "{message}"
    );
    assert!(message.contains("line 4"), "{message}");
    assert!(message.contains("syntax error"), "{message}");
}

#[test]
fn a_misspelt_variable_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(
        dir.path(),
        "typo.html",
        "{% for p in pages %}\n{{ p.candidate_nmuber }}\n{% endfor %}\n",
    );
    let settings = Settings {
        statement_template: Some(template.clone()),
        ..northgate()
    };
    let err = try_render(&centre_results(), &settings, AFTER_ALL_RELEASES).unwrap_err();
    let message = err.to_string();
    assert!(
        message.ends_with("typo.html, line 2: undefined value in `p.candidate_nmuber`"),
        "{message}"
    );
}

#[test]
fn an_error_in_an_included_file_names_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let footer = write(dir.path(), "footer.html", "ok\n{% if %}\n");
    let template = write(dir.path(), "slip.html", "{% include \"footer.html\" %}\n");
    let settings = Settings {
        statement_template: Some(template),
        ..northgate()
    };
    let err = try_render(&centre_results(), &settings, AFTER_ALL_RELEASES).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{}, line 2: ", footer.display())),
        "{message}"
    );
}

#[test]
fn a_missing_template_file_is_named() {
    let settings = Settings {
        statement_template: Some("/nonexistent/slip.html".into()),
        ..northgate()
    };
    let err = try_render(&centre_results(), &settings, AFTER_ALL_RELEASES).unwrap_err();
    assert!(matches!(err, StatementError::TemplateFile { .. }));
    assert!(err.to_string().starts_with("/nonexistent/slip.html: "));
}

/// The page written directly for the built-in template, and the same template rendered by the
/// template engine as a centre's own file, for `results` at `as_of`.
fn both_ways(
    results: &[CandidateResult],
    settings: &Settings,
    as_of: &str,
    release: &dyn Fn(&CandidateResult) -> Option<DateTime<Tz>>,
) -> (String, String) {
    both_ways_finding(results, &[], settings, as_of, release)
}

/// [`both_ways`], with the run's `findings` (which hold lines and UCIs).
fn both_ways_finding(
    results: &[CandidateResult],
    findings: &[Finding],
    settings: &Settings,
    as_of: &str,
    release: &dyn Fn(&CandidateResult) -> Option<DateTime<Tz>>,
) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let template = write(
        dir.path(),
        "statement.html",
        resultsday::write::statements::BUILTIN_TEMPLATE,
    );
    let boards = Boards::builtin();
    let render = |settings: &Settings| {
        let set = StatementSet {
            settings,
            centre_number: "14520",
            series_name: "June 2026",
            results,
            boards: &boards,
            release,
            as_of: london(as_of),
            findings,
        };
        render_html(&set, None).unwrap()
    };
    let direct = render(settings);
    let engine = render(&Settings {
        statement_template: Some(template),
        ..settings.clone()
    });
    (direct, engine)
}

#[test]
fn the_built_in_page_is_the_template_byte_for_byte() {
    let mut results = centre_results();
    let mut untitled = result("0004", "LEE", "02", "5RS01", "");
    untitled.title = String::new();
    let mut unknown = result("0004", "LEE", "02", "5RS02", "3");
    unknown.endorsement = Some("Z".into());
    unknown.mark = Some(40);
    results.extend([untitled, unknown]);
    let mut nameless = northgate();
    nameless.centre_name = None;
    nameless.centre_address = None;
    nameless.results_contact = None;
    for settings in [northgate(), nameless] {
        for as_of in ["2026-08-12T09:00", "2026-08-13T09:00", AFTER_ALL_RELEASES] {
            let (direct, engine) = both_ways(&results, &settings, as_of, &june_2026);
            assert_eq!(direct, engine, "at {as_of}");
        }
        let (direct, engine) = both_ways(&[], &settings, AFTER_ALL_RELEASES, &june_2026);
        assert_eq!(direct, engine, "no pages");
        let (direct, engine) = both_ways(&results, &settings, AFTER_ALL_RELEASES, &unknown_series);
        assert_eq!(direct, engine, "unknown series");
        // Held lines and a held UCI: an invalid grade with a mark and an endorsement, an
        // unknown option, a duplicate that is also an XML conflict; 0003's only UCI fails.
        let findings = [
            finding(FindingKind::InvalidGrade, &results[2]),
            finding(FindingKind::UnknownEntryCode, &results[0]),
            finding(FindingKind::XmlGradeConflict, &results[1]),
            finding(FindingKind::DuplicateResult, &results[1]),
            finding(FindingKind::UciInvalid, &results[1]),
            finding(FindingKind::UciInvalid, &results[4]),
        ];
        for as_of in ["2026-08-12T09:00", "2026-08-13T09:00", AFTER_ALL_RELEASES] {
            let (direct, engine) =
                both_ways_finding(&results, &findings, &settings, as_of, &june_2026);
            assert!(direct.contains("See the exams office"), "{direct}");
            assert!(direct.contains("UCI held: it fails its check"), "{direct}");
            assert_eq!(direct, engine, "held lines at {as_of}");
        }
    }
}

/// A finding of `kind` about `r`, as the run raises it.
fn finding(kind: FindingKind, r: &CandidateResult) -> Finding {
    Finding::new(kind, &r.board, &r.centre)
        .candidate(&r.candidate_number, &r.uci, &r.name)
        .entry(&r.entry_code)
}

// ---------------------------------------------------------------------------------------------
// What the run found wrong is held: the line, not the page
// ---------------------------------------------------------------------------------------------

/// 0001's page: a B that is not in the gradeset, with its mark and endorsement, and a 7 that is.
fn wrong_grade() -> (Vec<CandidateResult>, Vec<Finding>) {
    let mut history = result("0001", "O'NEILL:ÉMILE", "70", "8145", "B");
    history.title = "History".into();
    history.mark = Some(61);
    history.max_mark = Some(160);
    history.endorsement = Some("M".into());
    let mut geography = result("0001", "O'NEILL:ÉMILE", "70", "8035", "7");
    geography.title = "Geography".into();
    geography.mark = Some(120);
    geography.max_mark = Some(160);
    let findings = vec![finding(FindingKind::InvalidGrade, &history)];
    (vec![history, geography], findings)
}

fn render_finding(results: &[CandidateResult], findings: &[Finding], as_of: &str) -> String {
    let boards = Boards::builtin();
    let settings = northgate();
    let set = StatementSet {
        settings: &settings,
        centre_number: "14520",
        series_name: "June 2026",
        results,
        boards: &boards,
        release: &june_2026,
        as_of: london(as_of),
        findings,
    };
    render_html(&set, None).unwrap()
}

/// The `<tr>` of the result with `entry` on `page`.
fn row<'p>(page: &'p str, entry: &str) -> &'p str {
    let at = page.find(&format!("entry code {entry}<")).unwrap();
    let start = page[..at].rfind("<tr").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    &page[start..end]
}

#[test]
fn a_grade_not_in_the_gradeset_is_held_on_its_line_and_the_rest_prints() {
    let (results, findings) = wrong_grade();
    let html = render_finding(&results, &findings, AFTER_ALL_RELEASES);
    let history = row(&html, "8145");
    assert_eq!(
        history,
        "<tr class=\"withheld\">\n        <td class=\"subject\">\n          <b>History</b>\n          \
         <span class=\"small\">AQA · entry code 8145</span>\n          \
         <span class=\"withheld-note\">Held: the grade the board sent is not one this qualification \
         has</span>\n        </td>\n        <td>GCSE</td>\n        \
         <td class=\"grade word withheld-grade\">See the exams office</td>\n        \
         <td class=\"mark\"></td>\n      "
    );
    assert!(
        !html.contains("<th>Endorsement</th>"),
        "the held line's endorsement was the page's only one"
    );
    assert!(!html.contains(">B<") && !html.contains("61/160") && !html.contains("Merit"));
    // The rest of the page prints as it always has.
    let geography = row(&html, "8035");
    assert!(geography.starts_with("<tr>\n"), "{geography}");
    assert!(geography.contains("<td class=\"grade\">7</td>"));
    assert!(geography.contains(">120/160</td>"));
    assert!(html.contains("<span class=\"value mono\">1452000010000A</span>"));
    // Explained at the foot, and styled to show in black and white.
    assert!(html.contains("<dt>See the exams office</dt>"));
    assert!(html.contains("tr.withheld td") && html.contains(".withheld-note"));
    assert!(
        html.contains("border: 1.5px solid"),
        "a box, not colour alone"
    );

    let csv = String::from_utf8(statements_csv(&results, &findings).unwrap()).unwrap();
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "0001,1452000010000A,O'NEILL:ÉMILE,70,8035,Geography,GCSE,7,120,160,provisional,,",
            "0001,1452000010000A,O'NEILL:ÉMILE,70,8145,History,GCSE,,,,held,,invalid_grade",
        ]
    );
}

#[test]
fn nothing_is_held_without_a_finding_and_no_styles_for_it() {
    let (results, _) = wrong_grade();
    let html = render_finding(&results, &[], AFTER_ALL_RELEASES);
    assert!(html.contains("<td class=\"grade\">B</td>"));
    assert!(!html.contains("withheld") && !html.contains("See the exams office"));
}

#[test]
fn a_line_is_held_by_the_kinds_that_make_its_grade_doubtful_only() {
    let (results, _) = wrong_grade();
    let history = &results[0];
    for (kind, words) in [
        (
            FindingKind::UnknownEntryCode,
            "Held: the board sent this result for an entry code that is not in its list of \
             subjects",
        ),
        (
            FindingKind::XmlGradeConflict,
            "Held: the board sent two different grades for this result",
        ),
        (
            FindingKind::DuplicateResult,
            "Held: the board sent this result more than once",
        ),
    ] {
        let html = render_finding(&results, &[finding(kind, history)], AFTER_ALL_RELEASES);
        assert!(row(&html, "8145").contains(words), "{kind:?}");
        assert!(!html.contains("<td class=\"grade\">B</td>"), "{kind:?}");
    }
    // Two findings on one line: both reasons, in one note.
    let two = [
        finding(FindingKind::DuplicateResult, history),
        finding(FindingKind::XmlGradeConflict, history),
    ];
    let html = render_finding(&results, &two, AFTER_ALL_RELEASES);
    assert!(row(&html, "8145").contains(
        "Held: the board sent two different grades for this result; the board sent this \
         result more than once</span>"
    ));
    let csv = String::from_utf8(statements_csv(&results, &two).unwrap()).unwrap();
    assert!(
        csv.contains(",held,,xml_grade_conflict;duplicate_result\n"),
        "{csv}"
    );
    // Other kinds about the result print it as sent: a partial absence, a name, a tier change.
    for kind in [
        FindingKind::PartialAbsence,
        FindingKind::NameMismatch,
        FindingKind::OptionChanged,
        FindingKind::CentreMismatch,
    ] {
        let html = render_finding(&results, &[finding(kind, history)], AFTER_ALL_RELEASES);
        assert!(html.contains("<td class=\"grade\">B</td>"), "{kind:?}");
    }
    // Another board's, another candidate's or another entry's finding holds nothing here.
    let mut elsewhere = [
        finding(FindingKind::InvalidGrade, history),
        finding(FindingKind::InvalidGrade, history),
        finding(FindingKind::InvalidGrade, history),
    ];
    elsewhere[0].board = "01".into();
    elsewhere[1].candidate_number = "0002".into();
    elsewhere[2].entry_code = "8146".into();
    let html = render_finding(&results, &elsewhere, AFTER_ALL_RELEASES);
    assert!(html.contains("<td class=\"grade\">B</td>"));
}

#[test]
fn a_held_line_on_an_embargoed_page_is_held_and_embargoed() {
    let (results, findings) = wrong_grade();
    let html = render_finding(&results, &findings, "2026-08-20T07:59");
    assert!(html.contains("EMBARGOED — not to be released to the candidate before 08:00"));
    assert!(row(&html, "8145").contains("See the exams office"));
    assert!(!html.contains("<td class=\"grade\">B</td>"));
}

#[test]
fn a_uci_that_fails_its_check_is_never_printed() {
    let (mut results, _) = wrong_grade();
    results[0].uci = "145200240001A".into();
    results[1].uci = "145200240001A".into();
    let failed = [
        finding(FindingKind::UciInvalid, &results[0]),
        finding(FindingKind::UciInvalid, &results[1]),
    ];
    let html = render_finding(&results, &failed, AFTER_ALL_RELEASES);
    assert!(
        html.contains(
            "<span class=\"label\">Unique candidate identifier (UCI)</span>\n      \
             <span class=\"value withheld-uci\">UCI held: it fails its check; see the exams \
             office</span>"
        ),
        "{html}"
    );
    assert!(!html.contains("145200240001A"));
    assert!(html.contains("<dt>UCI held</dt>"));
    // The grades stand: only the UCI is held.
    assert!(html.contains("<td class=\"grade\">B</td>"));
    let csv = String::from_utf8(statements_csv(&results, &failed).unwrap()).unwrap();
    assert!(!csv.contains("145200240001A"), "{csv}");
    assert!(csv.contains(
        "\n0001,,O'NEILL:ÉMILE,70,8145,History,GCSE,B,61,160,provisional,M,uci_invalid\n"
    ));

    // With another board's UCI that passes, the page prints that one.
    results[1].uci = "145200240001Q".into();
    let html = render_finding(&results, &failed[..1], AFTER_ALL_RELEASES);
    assert!(html.contains("<span class=\"value mono\">145200240001Q</span>"));
    assert!(!html.contains("145200240001A") && !html.contains("UCI held"));
}

mod same_bytes {
    use super::*;
    use proptest::prelude::*;

    /// Text with what escaping must handle, and plain text.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[A-Z]{1,8}",
            "[A-Za-z '&<>\"/:#é·-]{0,12}",
        ]
    }

    fn a_result() -> impl Strategy<Value = CandidateResult> {
        (
            ("000[1-4]", text(), "(01|02|40|70|99)", "[A-Z0-9]{4,6}"),
            (
                prop_oneof![
                    "[1-9]#?",
                    "[A-E]",
                    Just("X".into()),
                    Just("Q".into()),
                    Just(String::new())
                ],
                proptest::option::of("[1-9]"),
                proptest::option::of(0u16..400),
                proptest::option::of(1u16..400),
            ),
            (
                proptest::option::of(prop_oneof!["D|M|P|NC|Z", Just(" ".into())]),
                text(),
                any::<bool>(),
            ),
        )
            .prop_map(
                |((candidate, name, board, entry), (grade, grade2, mark, max), (e, title, gce))| {
                    let mut r = if gce {
                        a_level(&candidate, &name, &board, &entry, &grade)
                    } else {
                        result(&candidate, &name, &board, &entry, &grade)
                    };
                    r.grade2 = grade2.as_deref().and_then(Grade::parse);
                    r.mark = mark;
                    r.max_mark = max;
                    r.endorsement = e;
                    r.title = title;
                    r
                },
            )
    }

    /// Findings about some of `results`, of kinds that hold a line or a UCI and of kinds that
    /// do not.
    fn findings_of(results: &[CandidateResult], picks: &[(usize, usize)]) -> Vec<Finding> {
        let kinds = [
            FindingKind::InvalidGrade,
            FindingKind::UnknownEntryCode,
            FindingKind::XmlGradeConflict,
            FindingKind::DuplicateResult,
            FindingKind::UciInvalid,
            FindingKind::PartialAbsence,
        ];
        if results.is_empty() {
            return Vec::new();
        }
        picks
            .iter()
            .map(|&(r, k)| finding(kinds[k % kinds.len()], &results[r % results.len()]))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn for_any_results_settings_and_time(
            results in proptest::collection::vec(a_result(), 0..12),
            picks in proptest::collection::vec((0usize..12, 0usize..6), 0..5),
            name in proptest::option::of(text()),
            address in proptest::option::of(text()),
            contact in proptest::option::of(text()),
            as_of in prop_oneof![
                Just("2026-08-12T09:00"), Just("2026-08-13T09:00"), Just(AFTER_ALL_RELEASES)
            ],
        ) {
            let settings = Settings {
                centre_name: name,
                centre_address: address,
                results_contact: contact,
                ..northgate()
            };
            let findings = findings_of(&results, &picks);
            let (direct, engine) =
                both_ways_finding(&results, &findings, &settings, as_of, &june_2026);
            prop_assert_eq!(direct, engine);
        }
    }
}
