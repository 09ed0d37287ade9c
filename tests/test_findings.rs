//! One test per finding kind: the smallest centre that raises it, and the nearest one that must
//! not. Centres are written with the parsers' own writer, read from a folder and checked as
//! `run` does.

use chrono::NaiveDate;
use parsers::{
    writer, Boards, DataType, EntryAction, EntryOption, EntryRecord, Grade, Gradesets, Header,
    Item, Link, ResultFlag, ResultRecord, Syllabus,
};
use resultsday::load;
use resultsday::load::inputs::Limits;
use resultsday::model::{Finding, FindingKind};
use resultsday::pipeline::check_series;

const CENTRE: &str = "14520";
const AQA: &str = "70";

/// A fictional centre being written, file by file.
struct Centre {
    dir: tempfile::TempDir,
}

fn uci(cand: &str) -> String {
    parsers::uci::with_check_letter(&format!("{CENTRE}024{cand}")).unwrap()
}

fn header(data_type: DataType, centre: &str, seq: u16) -> Header {
    Header {
        data_type,
        centre: centre.into(),
        awarding_body: AQA.into(),
        series: "6A26".into(),
        distribution: Some(if data_type.is_basedata() { 'B' } else { 'S' }),
        sender: "AQA    001".into(),
        version: 14,
        sequence: seq,
        created: NaiveDate::from_ymd_opt(2026, 8, 19).and_then(|d| d.and_hms_opt(0, 1, 0)),
    }
}

/// A basedata option: a certification option of `qualification` and `level`, or a unit
/// (qualification blank) toward its syllabus's certification option.
fn option(
    code: &str,
    syllabus: &str,
    qualification: &str,
    level: &str,
    gradeset: &str,
) -> EntryOption {
    let unit = qualification.is_empty();
    EntryOption {
        line: 0,
        code: code.into(),
        syllabus: syllabus.into(),
        qualification: qualification.into(),
        level: level.into(),
        item: Some(if unit {
            Item::Unit
        } else {
            Item::Certification
        }),
        unit_qualification: if unit { "CNAT".into() } else { String::new() },
        unit_level: if unit { "1&2".into() } else { String::new() },
        process: None,
        discount_code: None,
        qan: None,
        title: format!("SUBJECT {code}"),
        fee_flag: Some('Y'),
        fee_pence: Some(4000),
        result_type: None,
        gradeset: Some(gradeset.into()),
        gradeset2: None,
        endorsement_gradeset: None,
        endorsement_gradeset2: None,
        max_mark: None,
        components: None,
    }
}

/// An entry for a candidate, named SMITH:ANN unless `name` says otherwise.
fn entry(cand: &str, option: &str, action: Option<EntryAction>) -> EntryRecord {
    EntryRecord {
        line: 0,
        candidate_type: Some('C'),
        centre: CENTRE.into(),
        candidate_number: cand.into(),
        uci: uci(cand),
        uln: None,
        name: format!("SMITH:ANN {cand}"),
        sex: Some('F'),
        date_of_birth: NaiveDate::from_ymd_opt(2010, 1, 1),
        upn: None,
        option_code: option.into(),
        action,
    }
}

fn result(cand: &str, option: &str, grade: &str) -> ResultRecord {
    ResultRecord {
        line: 0,
        centre: CENTRE.into(),
        candidate_number: cand.into(),
        option_code: option.into(),
        uci: uci(cand),
        flag: ResultFlag::Neither,
        grade: Grade::parse(grade),
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        name: format!("SMITH:ANN {cand}"),
    }
}

impl Centre {
    /// Basedata: GCSE maths in two tiers (J560F/J560H, 3 components each), English language,
    /// combined science (double award), and a Cambridge National with a unit toward cash-in J837.
    fn new() -> Centre {
        let c = Centre {
            dir: tempfile::tempdir().unwrap(),
        };
        let syllabuses = ["J560", "8700", "8464", "J837"].map(|code| {
            writer::syllabus(&Syllabus {
                line: 0,
                code: code.into(),
                title: format!("SYLLABUS {code}"),
            })
        });
        let options = [
            option("J560F", "J560", "GCSE", "FC", "40"),
            option("J560H", "J560", "GCSE", "FC", "40"),
            option("8700", "8700", "GCSE", "FC", "40"),
            option("8464H", "8464", "GCSE", "DA", "15"),
            option("J837", "J837", "CNAT", "1&2", "21"),
            option("R067", "J837", "", "", "21"),
        ];
        let links = ["J56004", "J56005", "J56006"].map(|comp| {
            writer::link(&Link {
                line: 0,
                option_code: "J560H".into(),
                component_code: comp.into(),
            })
        });
        c.write(
            "S6A26_70.X01",
            writer::file(&header(DataType::Syllabuses, "6A26_", 1), syllabuses),
        );
        c.write(
            "O6A26_70.X01",
            writer::file(
                &header(DataType::Options, "6A26_", 1),
                options.iter().map(writer::option),
            ),
        );
        c.write(
            "L6A26_70.X01",
            writer::file(&header(DataType::Links, "6A26_", 1), links),
        );
        c
    }

    fn write(&self, name: &str, bytes: Vec<u8>) {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
    }

    fn entries(self, name: &str, records: &[EntryRecord]) -> Self {
        let data_type = if name.starts_with('A') {
            DataType::Amendments
        } else {
            DataType::Entries
        };
        let seq = name[name.len() - 2..].parse().unwrap();
        self.write(
            name,
            writer::file(&header(data_type, CENTRE, seq), writer::entries(records)),
        );
        self
    }

    fn results(self, name: &str, records: &[ResultRecord]) -> Self {
        let seq = name[name.len() - 2..].parse().unwrap();
        self.write(
            name,
            writer::file(
                &header(DataType::Results, CENTRE, seq),
                records.iter().map(writer::result),
            ),
        );
        self
    }

    fn raw(self, name: &str, bytes: &[u8]) -> Self {
        self.write(name, bytes.to_vec());
        self
    }

    fn findings(&self) -> Vec<Finding> {
        let folder = load::read_folder(self.dir.path(), &Limits::default(), &|_| {}, &|| {});
        let groups = load::centre_series(&folder);
        let (centre, series) = groups.iter().next().expect("a centre").clone();
        check_series(
            &folder,
            &centre,
            &series,
            &Gradesets::builtin(),
            &Boards::builtin(),
        )
        .findings
    }

    /// The findings as (kind, candidate, entry), for exact comparison.
    fn kinds(&self) -> Vec<(FindingKind, String, String)> {
        self.findings()
            .into_iter()
            .map(|f| (f.kind, f.candidate_number, f.entry_code))
            .collect()
    }
}

fn k(kind: FindingKind, cand: &str, entry: &str) -> (FindingKind, String, String) {
    (kind, cand.into(), entry.into())
}

use FindingKind::*;

#[test]
fn a_clean_centre_has_no_findings() {
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "J560H", None), entry("0001", "8700", None)],
        )
        .results(
            "R1452070.X01",
            &[result("0001", "J560H", "7"), result("0001", "8700", "5")],
        );
    assert_eq!(c.kinds(), []);
}

#[test]
fn missing_result() {
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "J560H", None), entry("0001", "8700", None)],
        )
        .results("R1452070.X01", &[result("0001", "J560H", "7")]);
    assert_eq!(c.kinds(), [k(MissingResult, "0001", "8700")]);
    let f = &c.findings()[0];
    assert_eq!(
        (f.file.as_str(), f.line),
        ("E1452070.X01", Some(3)),
        "points at the entry"
    );
}

#[test]
fn a_withdrawn_entry_is_not_missing() {
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "J560H", None), entry("0001", "8700", None)],
        )
        .entries(
            "A1452070.X02",
            &[entry("0001", "8700", Some(EntryAction::Withdraw))],
        )
        .results("R1452070.X01", &[result("0001", "J560H", "7")]);
    assert_eq!(c.kinds(), []);
}

#[test]
fn pending_no_result_and_partial_absence() {
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[
                entry("0001", "J560H", None),
                entry("0002", "J560H", None),
                entry("0003", "J560H", None),
            ],
        )
        .results(
            "R1452070.X01",
            &[
                result("0001", "J560H", "Q"),
                result("0002", "J560H", "X"),
                result("0003", "J560H", "5#"),
            ],
        );
    assert_eq!(
        c.kinds(),
        [
            k(PendingResult, "0001", "J560H"),
            k(NoResult, "0002", "J560H"),
            k(PartialAbsence, "0003", "J560H")
        ]
    );
    assert_eq!(c.findings()[2].severity, parsers::Severity::Warning);
}

#[test]
fn a_later_file_replaces_a_pending_result() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[result("0001", "J560H", "Q")])
        .results("R1452070.X02", &[result("0001", "J560H", "6")]);
    assert_eq!(c.kinds(), []);
}

#[test]
fn incomplete_result_for_a_blank_grade_only() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[result("0001", "J560H", "")]);
    assert_eq!(c.kinds(), [k(IncompleteResult, "0001", "J560H")]);
}

#[test]
fn incomplete_result_for_xml_marks_covering_some_components() {
    let xml = |components: &[&str]| {
        let comps: String = components
            .iter()
            .map(|c| {
                format!(
                    "<Component><Code>{c}</Code><Mark>50</Mark><MaxMark>100</MaxMark></Component>"
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\"?><EDIResults><Header><CentreNumber>14520</CentreNumber><AwardingBody>70</AwardingBody><Series>6A26</Series></Header>\
             <Candidate><CandidateNumber>0001</CandidateNumber><Result><OptionCode>J560H</OptionCode><Grade>7</Grade>{comps}</Result></Candidate></EDIResults>"
        )
    };
    let base = || {
        Centre::new()
            .entries("E1452070.X01", &[entry("0001", "J560H", None)])
            .results("R1452070.X01", &[result("0001", "J560H", "7")])
    };
    let c = base().raw(
        "a2c.14520.70.EDIResults.A.xml",
        xml(&["J56004", "J56005"]).as_bytes(),
    );
    assert_eq!(c.kinds(), [k(IncompleteResult, "0001", "J560H")]);
    let c = base().raw(
        "a2c.14520.70.EDIResults.A.xml",
        xml(&["J56004", "J56005", "J56006"]).as_bytes(),
    );
    assert_eq!(c.kinds(), []);
}

#[test]
fn cash_in_gap_once_per_candidate_and_code() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "R067", None)])
        .results("R1452070.X01", &[result("0001", "R067", "M2")]);
    assert_eq!(c.kinds(), [k(CashInGap, "0001", "J837")]);
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "R067", None), entry("0001", "J837", None)],
        )
        .results(
            "R1452070.X01",
            &[result("0001", "R067", "M2"), result("0001", "J837", "M2")],
        );
    assert_eq!(c.kinds(), []);
}

#[test]
fn option_changed_is_the_only_finding_for_a_tier_change() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[result("0001", "J560F", "5")]);
    assert_eq!(c.kinds(), [k(OptionChanged, "0001", "J560F")]);
}

#[test]
fn result_without_entry() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results(
            "R1452070.X01",
            &[result("0001", "J560H", "5"), result("0001", "8700", "6")],
        );
    assert_eq!(c.kinds(), [k(ResultWithoutEntry, "0001", "8700")]);
}

#[test]
fn a_new_entry_in_an_amendment_answers_a_result() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .entries(
            "A1452070.X02",
            &[entry("0001", "8700", Some(EntryAction::New))],
        )
        .results(
            "R1452070.X01",
            &[result("0001", "J560H", "5"), result("0001", "8700", "6")],
        );
    assert_eq!(c.kinds(), []);
}

#[test]
fn unknown_entry_code_only() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results(
            "R1452070.X01",
            &[result("0001", "J560H", "5"), result("0001", "9999", "6")],
        );
    assert_eq!(c.kinds(), [k(UnknownEntryCode, "0001", "9999")]);
}

#[test]
fn invalid_grade_but_x_and_q_are_always_valid() {
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "J560H", None), entry("0002", "J560H", None)],
        )
        .results(
            "R1452070.X01",
            &[result("0001", "J560H", "B"), result("0002", "J560H", "U#")],
        );
    assert_eq!(
        c.kinds(),
        [
            k(InvalidGrade, "0001", "J560H"),
            k(PartialAbsence, "0002", "J560H")
        ]
    );
}

#[test]
fn a_double_award_checks_both_grades() {
    let mut good = result("0001", "8464H", "7");
    good.grade2 = Grade::parse("6");
    let mut bad = result("0002", "8464H", "7");
    bad.grade2 = Grade::parse("A");
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "8464H", None), entry("0002", "8464H", None)],
        )
        .results("R1452070.X01", &[good, bad]);
    assert_eq!(c.kinds(), [k(InvalidGrade, "0002", "8464H")]);
}

#[test]
fn duplicate_result_once_however_often_repeated() {
    let r = result("0001", "J560H", "5");
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[r.clone(), r.clone(), r]);
    assert_eq!(c.kinds(), [k(DuplicateResult, "0001", "J560H")]);
    let f = &c.findings()[0];
    assert_eq!(
        f.line,
        Some(4),
        "at the second occurrence (after R1, R3 and the first)"
    );
}

#[test]
fn the_same_result_in_a_later_file_is_not_a_duplicate() {
    let r = result("0001", "J560H", "5");
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", std::slice::from_ref(&r))
        .results("R1452070.X02", &[r]);
    assert_eq!(c.kinds(), []);
}

#[test]
fn uci_invalid() {
    let mut r = result("0001", "J560H", "5");
    r.uci
        .replace_range(12..13, if r.uci.ends_with('A') { "B" } else { "A" });
    let mut short = result("0002", "J560H", "5");
    short.uci.truncate(12);
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[entry("0001", "J560H", None), entry("0002", "J560H", None)],
        )
        .results("R1452070.X01", &[r, short]);
    assert_eq!(
        c.kinds(),
        [
            k(UciInvalid, "0001", "J560H"),
            k(UciInvalid, "0002", "J560H")
        ]
    );
}

#[test]
fn name_mismatch_against_the_amended_entry() {
    let mut renamed = entry("0001", "J560H", Some(EntryAction::Change));
    renamed.name = "SMYTH:ANN".into();
    let mut r = result("0001", "J560H", "5");
    r.name = "SMYTH:ANN".into();
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", std::slice::from_ref(&r));
    assert_eq!(c.kinds(), [k(NameMismatch, "0001", "J560H")]);
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .entries("A1452070.X02", &[renamed])
        .results("R1452070.X01", &[r]);
    assert_eq!(c.kinds(), []);
}

#[test]
fn centre_mismatch_only() {
    let mut r = result("0001", "J560H", "5");
    r.centre = "14521".into();
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[r]);
    assert_eq!(c.kinds(), [k(CentreMismatch, "0001", "J560H")]);
}

#[test]
fn header_and_trailer_mismatch_and_malformed_record() {
    let mut bytes = writer::file(
        &header(DataType::Results, CENTRE, 3),
        [
            writer::result(&result("0001", "J560H", "5")),
            b"R514520ABCDJ560H".to_vec(),
        ],
    );
    // The file trailer counts the file's 6 lines; make it 9.
    let at = bytes
        .windows(14)
        .rposition(|w| w == b"R9145200000006")
        .unwrap();
    bytes[at..at + 14].copy_from_slice(b"R9145200000009");
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .raw("R1452070.X01", &bytes);
    let kinds: Vec<FindingKind> = c.kinds().into_iter().map(|x| x.0).collect();
    assert_eq!(kinds, [HeaderMismatch, MalformedRecord, TrailerMismatch]);
}

#[test]
fn a_file_without_a_trailer() {
    let mut bytes = writer::file(
        &header(DataType::Results, CENTRE, 1),
        [writer::result(&result("0001", "J560H", "5"))],
    );
    // The R9 line and its CRLF.
    bytes.truncate(bytes.len() - 94);
    assert!(bytes.ends_with(b"\r\n") && !bytes.windows(2).any(|w| w == b"R9"));
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .raw("R1452070.X01", &bytes);
    assert_eq!(c.kinds(), [k(TrailerMismatch, "", "")]);
}

#[test]
fn xml_without_edi_and_xml_grade_conflict() {
    let xml = b"<?xml version=\"1.0\"?><EDIResults><Header><CentreNumber>14520</CentreNumber><AwardingBody>70</AwardingBody><Series>6A26</Series></Header>\
        <Candidate><CandidateNumber>0001</CandidateNumber><Result><OptionCode>J560H</OptionCode><Grade>8</Grade></Result>\
        <Result><OptionCode>8700</OptionCode><Grade>6</Grade></Result></Candidate></EDIResults>";
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[result("0001", "J560H", "7")])
        .raw("a2c.14520.70.EDIResults.A.xml", xml);
    assert_eq!(
        c.kinds(),
        [
            k(XmlWithoutEdi, "0001", "8700"),
            k(XmlGradeConflict, "0001", "J560H")
        ]
    );
}

#[test]
fn unknown_awarding_body_per_file() {
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .results("R1452070.X01", &[result("0001", "J560H", "7")]);
    let mut h = header(DataType::Results, CENTRE, 1);
    h.awarding_body = "88".into();
    let c = c.raw("R1452088.X01", &writer::file(&h, std::iter::empty()));
    assert_eq!(c.kinds(), [k(UnknownAwardingBody, "", "")]);
    assert_eq!(c.findings()[0].board, "88");
}

#[test]
fn an_unknown_gradeset_is_said_once_per_board_and_code_and_its_grades_are_taken() {
    let mut c = Centre::new();
    let mut options = [
        option("J560H", "J560", "GCSE", "FC", "40"),
        option("7992", "7992", "L1L2", "FC", "8"),
        option("7993", "7993", "L1L2", "FC", "8"),
    ];
    options[0].title = "MATHS".into();
    c.write(
        "O6A26_70.X02",
        writer::file(
            &header(DataType::Options, "6A26_", 2),
            options.iter().map(writer::option),
        ),
    );
    c = c
        .entries(
            "E1452070.X01",
            &[
                entry("0001", "7993", None),
                entry("0001", "7992", None),
                entry("0002", "7992", None),
            ],
        )
        .results(
            "R1452070.X01",
            &[
                result("0001", "7992", "A^"),
                result("0001", "7993", "B"),
                result("0002", "7992", "Z"),
            ],
        );
    assert_eq!(c.kinds(), [k(UnknownGradeset, "", "7992")]);
    let f = &c.findings()[0];
    assert_eq!(f.severity, parsers::Severity::Warning);
    assert!(
        f.detail
            .contains("gradeset '8' (used by 7992 and 1 more option)"),
        "{}",
        f.detail
    );
}

#[test]
fn a_cash_in_gap_is_by_syllabus_and_names_the_first_certification_option() {
    let mut c = Centre::new();
    let options = [
        option("J837", "J837", "CNAT", "1&2", "21"),
        option("J837A", "J837", "CNAT", "1&2", "21"),
        option("R067", "J837", "", "", "21"),
        option("R068", "J837", "", "", "21"),
    ];
    c.write(
        "O6A26_70.X02",
        writer::file(
            &header(DataType::Options, "6A26_", 2),
            options.iter().map(writer::option),
        ),
    );
    c = c.entries(
        "E1452070.X01",
        &[
            entry("0001", "R067", None),
            entry("0001", "R068", None),
            entry("0002", "R067", None),
            entry("0002", "J837A", None),
        ],
    );
    let gaps: Vec<_> = c
        .findings()
        .into_iter()
        .filter(|f| f.kind == CashInGap)
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        (
            gaps[0].candidate_number.as_str(),
            gaps[0].entry_code.as_str()
        ),
        ("0001", "J837")
    );
    assert!(gaps[0].detail.contains("R067, R068"), "{}", gaps[0].detail);
    assert!(gaps[0].detail.contains("J837, J837A"), "{}", gaps[0].detail);
}

#[test]
fn a_unit_link_file_says_what_a_unit_counts_toward() {
    // The board's link file sends R067 toward J838, not its syllabus's J837.
    let c = Centre::new()
        .raw("ULINKS70.X01", b"J838  R067  \r\nJ838  R068  \r\n")
        .entries(
            "E1452070.X01",
            &[entry("0001", "R067", None), entry("0001", "J837", None)],
        );
    let gaps: Vec<_> = c
        .findings()
        .into_iter()
        .filter(|f| f.kind == CashInGap)
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].entry_code, "J838");
}

#[test]
fn an_amendment_withdraws_by_its_flag_and_changes_details_with_no_options() {
    let mut withdraw = entry("0001", "8700", Some(EntryAction::Withdraw));
    withdraw.name = "SMITH:ANN 0001".into();
    let mut details = entry("0002", "", Some(EntryAction::Change));
    details.name = "JONES:ANN".into();
    let mut r = result("0002", "J560H", "5");
    r.name = "JONES:ANN".into();
    let c = Centre::new()
        .entries(
            "E1452070.X01",
            &[
                entry("0001", "J560H", None),
                entry("0001", "8700", None),
                entry("0002", "J560H", None),
            ],
        )
        .entries("A1452070.X02", &[withdraw, details])
        .results("R1452070.X01", &[result("0001", "J560H", "7"), r]);
    // 0001's 8700 is withdrawn (no missing result); 0002's new name matches the result.
    assert_eq!(c.kinds(), []);
    let amendments = std::fs::read(c.dir.path().join("A1452070.X02")).unwrap();
    let lines: Vec<&[u8]> = amendments.split(|&b| b == b'\n').collect();
    assert_eq!(
        &lines[2][108..115],
        b"8700  W",
        "the withdrawal's slot and flag"
    );
    assert!(lines[3][108..192].iter().all(|&b| b == b' '), "no slots");
}

#[test]
fn a_board_with_no_basedata_is_one_error_naming_the_board() {
    let c = Centre {
        dir: tempfile::tempdir().unwrap(),
    };
    let c = c
        .entries(
            "E1452070.X01",
            &[
                entry("0001", "J560H", None),
                entry("0001", "8700", None),
                entry("0002", "J560H", None),
            ],
        )
        .results(
            "R1452070.X01",
            &[result("0001", "J560H", "7"), result("0002", "J560H", "5")],
        );
    let findings = c.findings();
    let unknown: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == UnknownEntryCode)
        .collect();
    assert_eq!(unknown.len(), 1, "{findings:?}");
    assert_eq!(
        (
            unknown[0].board.as_str(),
            unknown[0].candidate_number.as_str()
        ),
        ("70", "")
    );
    assert!(
        unknown[0].detail.contains(
            "no basedata from board 70 for series 6A26: none of its 2 results and 3 entries"
        ),
        "{}",
        unknown[0].detail
    );
    // The entry with no result of its own is still one to chase.
    assert_eq!(
        c.kinds()
            .into_iter()
            .filter(|k| k.0 != UnknownEntryCode)
            .collect::<Vec<_>>(),
        [k(MissingResult, "0001", "8700")]
    );
}
