//! One test per finding kind: the smallest centre that raises it, and the nearest one that must
//! not. Centres are written with the parsers' own writer, read from a folder and checked as
//! `run` does.

use chrono::NaiveDate;
use parsers::{
    writer, Boards, DataType, EntryAction, EntryOption, EntryRecord, Grade, Gradesets, Header,
    Link, ResultFlag, ResultRecord, Syllabus,
};
use resultsday::cmd::run::check_series;
use resultsday::inputs::Limits;
use resultsday::load;
use resultsday::model::{Finding, FindingKind};

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
        version: 14,
        sequence: seq,
        created: NaiveDate::from_ymd_opt(2026, 8, 19).and_then(|d| d.and_hms_opt(0, 1, 0)),
    }
}

fn option(
    code: &str,
    syllabus: &str,
    tier: Option<char>,
    gradeset: &str,
    cash_in: Option<&str>,
) -> EntryOption {
    EntryOption {
        line: 0,
        code: code.into(),
        syllabus: syllabus.into(),
        title: format!("SUBJECT {code}"),
        tier,
        gradeset: Some(gradeset.into()),
        is_award: cash_in.is_none(),
        cash_in: cash_in.map(Into::into),
        fee_pence: Some(4000),
    }
}

/// An entry for a candidate, named SMITH:ANN unless `name` says otherwise.
fn entry(cand: &str, option: &str, action: Option<EntryAction>) -> EntryRecord {
    EntryRecord {
        line: 0,
        centre: CENTRE.into(),
        candidate_number: cand.into(),
        uci: uci(cand),
        uln: None,
        name: format!("SMITH:ANN {cand}"),
        sex: Some('F'),
        date_of_birth: NaiveDate::from_ymd_opt(2010, 1, 1),
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
        let syllabuses = [
            ("J560", "GCSE"),
            ("8700", "GCSE"),
            ("8464", "GCSE"),
            ("J837", "CNAT"),
        ]
        .map(|(code, q)| {
            writer::syllabus(&Syllabus {
                line: 0,
                code: code.into(),
                title: format!("SYLLABUS {code}"),
                qualification: q.into(),
                level: Some(2),
                qan: None,
                discount_code: None,
            })
        });
        let options = [
            option("J560F", "J560", Some('F'), "G91", None),
            option("J560H", "J560", Some('H'), "G91", None),
            option("8700", "8700", None, "G91", None),
            option("8464H", "8464", Some('H'), "G9D", None),
            option("J837", "J837", None, "CNAT", None),
            option("R067", "J837", None, "CNAT", Some("J837")),
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
            writer::file(
                writer::header(&header(DataType::Syllabuses, "00000", 1)),
                syllabuses,
            ),
        );
        c.write(
            "O6A26_70.X01",
            writer::file(
                writer::header(&header(DataType::Options, "00000", 1)),
                options.iter().map(writer::option),
            ),
        );
        c.write(
            "L6A26_70.X01",
            writer::file(writer::header(&header(DataType::Links, "00000", 1)), links),
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
            writer::file(
                writer::header(&header(data_type, CENTRE, seq)),
                records.iter().map(writer::entry),
            ),
        );
        self
    }

    fn results(self, name: &str, records: &[ResultRecord]) -> Self {
        let seq = name[name.len() - 2..].parse().unwrap();
        self.write(
            name,
            writer::file(
                writer::header(&header(DataType::Results, CENTRE, seq)),
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
    assert_eq!(f.line, Some(3), "at the second occurrence");
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
        writer::header(&header(DataType::Results, CENTRE, 3)),
        [
            writer::result(&result("0001", "J560H", "5")),
            b"RS14520ABCDJ560H".to_vec(),
        ],
    );
    // The trailer says 2; make it 5.
    let at = bytes.windows(9).rposition(|w| w == b"TR0000002").unwrap();
    bytes[at..at + 9].copy_from_slice(b"TR0000005");
    let c = Centre::new()
        .entries("E1452070.X01", &[entry("0001", "J560H", None)])
        .raw("R1452070.X01", &bytes);
    let kinds: Vec<FindingKind> = c.kinds().into_iter().map(|x| x.0).collect();
    assert_eq!(kinds, [HeaderMismatch, MalformedRecord, TrailerMismatch]);
}

#[test]
fn a_file_without_a_trailer() {
    let mut bytes = writer::file(
        writer::header(&header(DataType::Results, CENTRE, 1)),
        [writer::result(&result("0001", "J560H", "5"))],
    );
    bytes.truncate(bytes.len() - b"TR0000001\r\n".len());
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
    let c = c.raw(
        "R1452088.X01",
        &writer::file(writer::header(&h), std::iter::empty()),
    );
    assert_eq!(c.kinds(), [k(UnknownAwardingBody, "", "")]);
    assert_eq!(c.findings()[0].board, "88");
}
