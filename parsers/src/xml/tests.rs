//! Unit tests of the XML results reader: the layouts example, hostile files, limits and the
//! problems it reports.

use super::parser::{MAX_NAME_LEN, UNKNOWN_BYTES_PER_INPUT_BYTE};
use super::text::MAX_REFERENCE_PROBLEMS;
use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// The example of spec/layouts.md §5, byte for byte.
const EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<r:EDIResults xmlns:r="urn:jcq:a2c:results:1" version="14">
  <r:Header>
    <r:CentreNumber>14520</r:CentreNumber>
    <r:AwardingBody>01</r:AwardingBody>
    <r:Series>6A26</r:Series>
    <r:Created>2026-08-20T00:01:00</r:Created>
  </r:Header>
  <r:Candidate>
    <r:CandidateNumber>0007</r:CandidateNumber>
    <r:UCI>145200260007L</r:UCI>
    <r:ULN>4123456789</r:ULN>
    <r:Name>O'NEILL:ÉMILE</r:Name>
    <r:Result>
      <r:OptionCode>J560F</r:OptionCode>
      <r:Grade>5</r:Grade>
      <r:Mark>123</r:Mark>
      <r:MaxMark>300</r:MaxMark>
      <r:Endorsement/>
      <r:Component>
        <r:Code>J56001</r:Code><r:Mark>41</r:Mark><r:MaxMark>100</r:MaxMark>
      </r:Component>
    </r:Result>
  </r:Candidate>
</r:EDIResults>
"#;

fn grade(code: &str) -> Option<Grade> {
    Grade::parse(code)
}

/// A document with the example's header and the given candidates' XML.
fn doc(candidates: &str) -> String {
    format!(
        "<EDIResults version=\"14\">\n<Header><CentreNumber>14520</CentreNumber></Header>\n\
         {candidates}\n</EDIResults>\n"
    )
}

/// A candidate with one result whose inner XML is `result`.
fn candidate(number: &str, result: &str) -> String {
    format!(
        "<Candidate><CandidateNumber>{number}</CandidateNumber>\
         <Result><OptionCode>J560F</OptionCode>{result}</Result></Candidate>"
    )
}

fn only_result(file: &XmlResultsFile) -> &XmlResult {
    assert_eq!(file.candidates.len(), 1, "{file:#?}");
    assert_eq!(file.candidates[0].results.len(), 1, "{file:#?}");
    &file.candidates[0].results[0]
}

/// The same file with every line number set to 0, to compare files laid out differently.
fn without_lines(mut file: XmlResultsFile) -> XmlResultsFile {
    for c in &mut file.candidates {
        c.line = 0;
        for r in &mut c.results {
            r.line = 0;
            for comp in &mut r.components {
                comp.line = 0;
            }
        }
    }
    for p in &mut file.problems {
        p.line = None;
    }
    file
}

fn kinds(file: &XmlResultsFile) -> Vec<ProblemKind> {
    file.problems.iter().map(|p| p.kind).collect()
}

#[test]
fn reads_the_layouts_example_exactly() {
    let file = parse_xml_results(EXAMPLE.as_bytes());
    let expected = XmlResultsFile {
        header: XmlHeader {
            version: Some("14".into()),
            centre: Some("14520".into()),
            awarding_body: Some("01".into()),
            series: Some("6A26".into()),
            created: NaiveDate::from_ymd_opt(2026, 8, 20).and_then(|d| d.and_hms_opt(0, 1, 0)),
        },
        candidates: vec![XmlCandidate {
            line: 9,
            candidate_number: "0007".into(),
            uci: Some("145200260007L".into()),
            uln: Some("4123456789".into()),
            name: Some("O'NEILL:ÉMILE".into()),
            results: vec![XmlResult {
                line: 14,
                option_code: "J560F".into(),
                grade: grade("5"),
                grade2: None,
                mark: Some(123),
                max_mark: Some(300),
                endorsement: None,
                components: vec![XmlComponent {
                    line: 20,
                    code: "J56001".into(),
                    mark: Some(41),
                    max_mark: Some(100),
                    grade: None,
                }],
            }],
        }],
        unknown: vec![],
        problems: vec![],
    };
    assert_eq!(file, expected);
}

#[test]
fn namespaces_and_prefixes_do_not_matter() {
    let reference = parse_xml_results(EXAMPLE.as_bytes());
    let variants = [
        // Another prefix for the same namespace.
        EXAMPLE
            .replace("r:", "jcq:")
            .replace("xmlns:r=", "xmlns:jcq="),
        // A default namespace, no prefixes.
        EXAMPLE.replace("r:", "").replace("xmlns:r=", "xmlns="),
        // No namespace at all.
        EXAMPLE
            .replace("r:", "")
            .replace(" xmlns:r=\"urn:jcq:a2c:results:1\"", ""),
        // Another namespace URI.
        EXAMPLE.replace("urn:jcq:a2c:results:1", "http://example.org/other"),
    ];
    for v in &variants {
        assert_eq!(parse_xml_results(v.as_bytes()), reference, "{v}");
    }
}

#[test]
fn order_of_children_is_ignored() {
    let shuffled = r#"<EDIResults version="14">
<Candidate>
  <Result>
    <Component><MaxMark>100</MaxMark><Mark>41</Mark><Code>J56001</Code></Component>
    <Endorsement/><MaxMark>300</MaxMark><Mark>123</Mark><Grade>5</Grade>
    <OptionCode>J560F</OptionCode>
  </Result>
  <Name>O'NEILL:ÉMILE</Name><ULN>4123456789</ULN><UCI>145200260007L</UCI>
  <CandidateNumber>0007</CandidateNumber>
</Candidate>
<Header>
  <Created>2026-08-20T00:01:00</Created><Series>6A26</Series>
  <AwardingBody>01</AwardingBody><CentreNumber>14520</CentreNumber>
</Header>
</EDIResults>"#;
    assert_eq!(
        without_lines(parse_xml_results(shuffled.as_bytes())),
        without_lines(parse_xml_results(EXAMPLE.as_bytes()))
    );
}

#[test]
fn reads_a_double_award() {
    let file = parse_xml_results(doc(&candidate("7", "<Grade>7-6</Grade>")).as_bytes());
    let r = only_result(&file);
    assert_eq!(
        (r.grade.clone(), r.grade2.clone()),
        (grade("7"), grade("6"))
    );
    assert_eq!(file.candidates[0].candidate_number, "0007");
    assert!(file.problems.is_empty(), "{:?}", file.problems);

    // A partial absence on the second grade, and a Grade2 element.
    let file = parse_xml_results(doc(&candidate("7", "<Grade>7 - 6#</Grade>")).as_bytes());
    assert_eq!(only_result(&file).grade2, grade("6#"));
    let xml = doc(&candidate("7", "<Grade2>4</Grade2><Grade>5</Grade>"));
    let file = parse_xml_results(xml.as_bytes());
    let r = only_result(&file);
    assert_eq!(
        (r.grade.clone(), r.grade2.clone()),
        (grade("5"), grade("4"))
    );
    assert!(file.problems.is_empty());

    // A Grade2 that disagrees with `7-6` is kept and shown.
    let xml = doc(&candidate("7", "<Grade>7-6</Grade><Grade2>5</Grade2>"));
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(only_result(&file).grade2, grade("5"));
    assert_eq!(file.problems[0].field.as_deref(), Some("Grade2"));

    // A dash with nothing on one side is not a grade.
    let file = parse_xml_results(doc(&candidate("7", "<Grade>7-</Grade>")).as_bytes());
    assert_eq!(only_result(&file).grade, None);
    assert_eq!(file.problems[0].field.as_deref(), Some("Grade"));
    assert!(file.problems[0].message.contains("found '7-'"));
}

#[test]
fn keeps_unknown_elements_with_their_path() {
    let xml = doc(&candidate(
        "7",
        "<Foo>bar</Foo><Extra a=\"1\"><Deep> x &amp; y </Deep></Extra><Flag/>\
         <Component><Code>J56001</Code><Scaled>40.5</Scaled></Component>",
    ))
    .replace("<Header>", "<Header><Board>OCR</Board>");
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(
        file.unknown,
        vec![
            ("EDIResults/Header/Board".to_string(), "OCR".to_string()),
            ("EDIResults/Candidate/Result/Foo".into(), "bar".into()),
            (
                "EDIResults/Candidate/Result/Extra/Deep".into(),
                "x & y".into()
            ),
            ("EDIResults/Candidate/Result/Flag".into(), "".into()),
            (
                "EDIResults/Candidate/Result/Component/Scaled".into(),
                "40.5".into()
            ),
        ]
    );
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    assert_eq!(only_result(&file).components[0].code, "J56001");

    // A known field in the wrong place is unknown there.
    let file = parse_xml_results(b"<EDIResults><Header><Grade>5</Grade></Header></EDIResults>");
    assert_eq!(
        file.unknown,
        vec![("EDIResults/Header/Grade".into(), "5".into())]
    );
}

#[test]
fn truncated_file_keeps_what_came_before() {
    let xml = doc(&format!(
        "{}\n{}",
        candidate("1", "<Grade>5</Grade>"),
        candidate("2", "<Grade>4</Grade><Mark>12</Mark>")
    ));
    let cut = &xml[..xml.find("<Mark>").unwrap() + 7];
    let file = parse_xml_results(cut.as_bytes());
    assert_eq!(file.candidates.len(), 2, "{file:#?}");
    assert_eq!(file.candidates[0].candidate_number, "0001");
    assert_eq!(file.candidates[0].results[0].grade, grade("5"));
    // The second candidate was open: what was read of it is kept; the cut mark is not.
    assert_eq!(file.candidates[1].results[0].grade, grade("4"));
    assert_eq!(file.candidates[1].results[0].mark, None);
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    let p = &file.problems[0];
    assert_eq!((p.kind, p.line), (ProblemKind::MalformedRecord, Some(4)));
    assert!(p.message.contains("expected </Mark>"), "{}", p.message);

    // Cut inside a tag.
    let cut = &xml[..xml.rfind("<Candidate").unwrap() + 5];
    let file = parse_xml_results(cut.as_bytes());
    assert_eq!(file.candidates.len(), 1);
    assert_eq!(file.problems[0].line, Some(4));
    assert!(file.problems[0].message.contains("expected '>'"));
}

#[test]
fn mismatched_end_tag_is_reported_with_its_line() {
    let xml = doc(&format!(
        "{}\n<Candidate><CandidateNumber>2</CandidateNumber>\n<Result><OptionCode>X</OptionCode>\
         <Mark>41</MaxMark></Result></Candidate>",
        candidate("1", "")
    ));
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(file.candidates.len(), 2);
    assert_eq!(file.candidates[0].candidate_number, "0001");
    let p = &file.problems[0];
    assert_eq!((p.kind, p.line), (ProblemKind::MalformedRecord, Some(5)));
    assert!(
        p.message.contains("expected </Mark>, found </MaxMark>"),
        "{}",
        p.message
    );

    let file = parse_xml_results(b"<EDIResults></EDIResults>\n</Extra>");
    assert_eq!(file.problems[0].line, Some(2));
    assert!(file.problems[0].message.contains("</Extra>"));
}

#[test]
fn non_utf8_bytes_stop_reading_with_a_problem() {
    // A Windows-1252 É (0xC9), as an EDI file would hold it.
    let mut bytes = doc(&format!(
        "{}\n{}",
        candidate("1", ""),
        "<Candidate><CandidateNumber>2</CandidateNumber><Name>O'NEILL:#MILE</Name></Candidate>"
    ))
    .into_bytes();
    let hash = bytes.iter().position(|&b| b == b'#').unwrap();
    bytes[hash] = 0xC9;
    let mut with_decl = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n".to_vec();
    with_decl.extend_from_slice(&bytes);
    for (input, line) in [(&bytes, 4), (&with_decl, 5)] {
        let file = parse_xml_results(input);
        assert_eq!(file.candidates.len(), 2, "{file:#?}");
        assert_eq!(file.candidates[1].name, None);
        let p = &file.problems[0];
        assert_eq!((p.kind, p.line), (ProblemKind::MalformedRecord, Some(line)));
        assert!(p.message.contains("expected UTF-8"), "{}", p.message);
        assert!(p.message.contains("0xC9"), "{}", p.message);
    }
    assert!(parse_xml_results(&with_decl).problems[0]
        .message
        .contains("windows-1252"));

    // UTF-16 is not UTF-8 either.
    let utf16: Vec<u8> = "\u{FEFF}<EDIResults/>"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_eq!(
        kinds(&parse_xml_results(&utf16)),
        [ProblemKind::MalformedRecord]
    );
}

#[test]
fn billion_laughs_is_never_expanded() {
    let mut dtd = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE EDIResults [\n");
    dtd.push_str("<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>\n");
    let xml = format!(
        "{dtd}<EDIResults>\n{}\n</EDIResults>",
        "<Candidate><CandidateNumber>1</CandidateNumber><Name>&lol9;&lol9;</Name></Candidate>"
    );
    let started = Instant::now();
    let file = parse_xml_results(xml.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(file.candidates[0].name.as_deref(), Some("&lol9;&lol9;"));
    // One problem per entity name, however often it is used.
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert_eq!(file.problems[0].kind, ProblemKind::MalformedRecord);
    assert_eq!(file.problems[0].line, Some(15));
    assert!(file.problems[0]
        .message
        .contains("'&lol9;' was not expanded"));
    assert!(!format!("{file:?}").contains("lollol"));
}

#[test]
fn external_entities_are_never_read() {
    for target in ["file:///etc/passwd", "http://127.0.0.1:1/evil.dtd"] {
        let xml = format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE EDIResults [<!ENTITY xxe SYSTEM \"{target}\">]>\n\
             <EDIResults version=\"&xxe;\"><Candidate><CandidateNumber>1</CandidateNumber>\
             <Name>&xxe;</Name></Candidate></EDIResults>"
        );
        let file = parse_xml_results(xml.as_bytes());
        let shown = format!("{file:?}");
        assert!(!shown.contains("root:"), "{shown}");
        assert_eq!(file.candidates[0].name.as_deref(), Some("&xxe;"));
        assert_eq!(file.header.version.as_deref(), Some("&xxe;"));
        assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
        assert!(file.problems[0].message.contains("not expanded"));
    }
    // An external DTD is not fetched either.
    let xml = "<!DOCTYPE EDIResults SYSTEM \"file:///etc/passwd\"><EDIResults>&x;</EDIResults>";
    let file = parse_xml_results(xml.as_bytes());
    assert!(!format!("{file:?}").contains("root:"));
    assert_eq!(file.unknown, vec![("EDIResults".into(), "&x;".into())]);
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    let depth = 10_000;
    let xml = format!(
        "<EDIResults>{}{}</EDIResults>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let started = Instant::now();
    let file = parse_xml_results(xml.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(kinds(&file), [ProblemKind::LimitExceeded]);
    assert!(file.problems[0]
        .message
        .contains("expected at most 64 levels"));

    // Just inside the limit is fine.
    let inside = format!(
        "<EDIResults>{}{}</EDIResults>",
        "<a>".repeat(63),
        "</a>".repeat(63)
    );
    assert!(parse_xml_results(inside.as_bytes()).problems.is_empty());
    let limits = XmlLimits {
        max_depth: 3,
        ..XmlLimits::default()
    };
    let file = parse_xml_results_with(EXAMPLE.as_bytes(), &limits);
    assert_eq!(kinds(&file), [ProblemKind::LimitExceeded]);
    // Header, Candidate and Result are at depth 2 or 3; OptionCode is the first at depth 4.
    assert_eq!(file.problems[0].line, Some(15));
}

#[test]
fn long_attributes_and_texts_are_not_kept() {
    let big = "x".repeat(1 << 20);
    let xml = doc(&format!(
        "<Candidate junk=\"{big}\"><CandidateNumber>1</CandidateNumber>\
         <Name>{big}</Name><Result><OptionCode>J560F</OptionCode></Result></Candidate>"
    ));
    let started = Instant::now();
    let file = parse_xml_results(xml.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        kinds(&file),
        [ProblemKind::LimitExceeded, ProblemKind::LimitExceeded]
    );
    assert_eq!(file.problems[0].field.as_deref(), Some("junk"));
    assert_eq!(file.problems[1].field.as_deref(), Some("Name"));
    // The candidate is read; the long name is not kept.
    assert_eq!(file.candidates[0].name, None);
    assert_eq!(file.candidates[0].results[0].option_code, "J560F");
    assert!(!format!("{file:?}").contains("xxxxxxxxxx"));

    // Text split over many events still counts as one text.
    let limits = XmlLimits {
        max_text_len: 10,
        ..XmlLimits::default()
    };
    let xml = doc(&candidate(
        "1",
        "<Endorsement>ab&amp;cd&amp;ef<![CDATA[ghi]]></Endorsement>",
    ));
    let file = parse_xml_results_with(xml.as_bytes(), &limits);
    assert_eq!(only_result(&file).endorsement, None);
    assert_eq!(kinds(&file), [ProblemKind::LimitExceeded]);

    // A key that is too long drops its record, with only the limit reported.
    let xml = doc(&candidate("1", "").replace("J560F", "J560F-and-much-more"));
    let file = parse_xml_results_with(xml.as_bytes(), &limits);
    assert!(file.candidates[0].results.is_empty());
    assert_eq!(kinds(&file), [ProblemKind::LimitExceeded]);
}

#[test]
fn bad_marks_are_reported_and_the_record_kept() {
    let xml = doc(&candidate(
        "1",
        "<Mark>abc</Mark><MaxMark>70000</MaxMark>\
         <Component><Code>J56001</Code><Mark>-3</Mark><MaxMark> 100 </MaxMark></Component>",
    ));
    let file = parse_xml_results(xml.as_bytes());
    let r = only_result(&file);
    assert_eq!((r.mark, r.max_mark), (None, None));
    assert_eq!(
        (r.components[0].mark, r.components[0].max_mark),
        (None, Some(100))
    );
    let found: Vec<_> = file
        .problems
        .iter()
        .map(|p| (p.kind, p.line, p.field.as_deref(), p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                ProblemKind::MalformedRecord,
                Some(3),
                Some("Mark"),
                "expected a whole number of marks, found 'abc'"
            ),
            (
                ProblemKind::MalformedRecord,
                Some(3),
                Some("MaxMark"),
                "expected a whole number of marks up to 65535, found '70000'"
            ),
            (
                ProblemKind::MalformedRecord,
                Some(3),
                Some("Mark"),
                "expected a whole number of marks, found '-3'"
            ),
        ]
    );
}

#[test]
fn missing_or_bad_keys_drop_the_record() {
    let xml = doc(&[
        "<Candidate><Name>NO NUMBER</Name></Candidate>",
        "<Candidate><CandidateNumber>12345</CandidateNumber></Candidate>",
        "<Candidate><CandidateNumber>12a</CandidateNumber></Candidate>",
        "<Candidate><CandidateNumber/></Candidate>",
        "<Candidate>\n<CandidateNumber> 42 </CandidateNumber>\
         <Result><Grade>5</Grade></Result>\
         <Result><OptionCode>J560F</OptionCode><Component><Mark>3</Mark></Component></Result>\
         </Candidate>",
    ]
    .join("\n"));
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(file.candidates.len(), 1);
    let c = &file.candidates[0];
    assert_eq!((c.candidate_number.as_str(), c.line), ("0042", 7));
    assert_eq!(c.results.len(), 1);
    assert!(c.results[0].components.is_empty());
    let found: Vec<_> = file
        .problems
        .iter()
        .map(|p| (p.line.unwrap_or(0), p.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (3, "CandidateNumber"),
            (4, "CandidateNumber"),
            (5, "CandidateNumber"),
            (6, "CandidateNumber"),
            (8, "OptionCode"),
            (8, "Code"),
        ]
    );
    assert!(file
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::MalformedRecord));
    assert!(file.problems[1]
        .message
        .contains("1 to 4 digits, found '12345'"));
    assert!(file.problems[4]
        .message
        .contains("Result has no OptionCode"));
}

#[test]
fn resolves_references_split_over_events() {
    let xml = doc("<Candidate><CandidateNumber>1</CandidateNumber>\
         <Name> O&apos;NEILL:&#201;MI<![CDATA[LE & <co>]]>&#xE9;&lt;&gt;&quot;&amp; </Name>\
         <UCI>&eacute;&#0;&#xZZ;&#1114112;</UCI></Candidate>");
    let file = parse_xml_results(xml.as_bytes());
    let c = &file.candidates[0];
    assert_eq!(c.name.as_deref(), Some("O'NEILL:ÉMILE & <co>é<>\"&"));
    assert_eq!(c.uci.as_deref(), Some("&eacute;&#0;&#xZZ;&#1114112;"));
    assert_eq!(file.problems.len(), 4, "{:?}", file.problems);
    assert!(file.problems[0]
        .message
        .contains("'&eacute;' was not expanded"));
    assert!(file.problems[1].message.contains("found '&#0;'"));

    // Attributes: references resolved, a lone '&' reported once and kept.
    let xml = "<EDIResults version=\"1&#x34;&amp;&a&b;\" x=\"&\" y=\"&\"/>";
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(file.header.version.as_deref(), Some("14&&a&b;"));
    let messages: Vec<_> = file.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("lone '&'"));
    assert!(messages[1].contains("'&b;' was not expanded"));

    // A lone ampersand in text is malformed XML.
    let file = parse_xml_results(doc(&candidate("1", "<Grade>A & B</Grade>")).as_bytes());
    assert!(file.problems[0].message.contains("lone '&'"));
}

#[test]
fn header_and_small_values() {
    let xml =
        "\u{FEFF}<EDIResults version=' 15 '>\r\n<Header><Created>2026-08-20T00:01:00Z</Created>\
               </Header>\r\n<Header><Created>yesterday</Created></Header>\r\n\
               <Candidate><CandidateNumber>1</CandidateNumber>\r\n\
               <Result><OptionCode>J560F</OptionCode><Endorsement> P </Endorsement></Result>\
               </Candidate></EDIResults>";
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(file.header.version.as_deref(), Some("15"));
    assert_eq!(
        file.header.created.map(|t| t.to_string()).as_deref(),
        Some("2026-08-20 00:01:00")
    );
    assert_eq!(file.problems.len(), 1);
    assert_eq!(
        (file.problems[0].line, file.problems[0].field.as_deref()),
        (Some(3), Some("Created"))
    );
    assert!(file.problems[0].message.contains("appears twice"));
    let r = only_result(&file);
    assert_eq!((r.line, r.endorsement.as_deref()), (5, Some("P")));

    let file = parse_xml_results(
        b"<EDIResults><Header><Created>2026-13-01</Created></Header></EDIResults>",
    );
    assert!(file.problems[0].message.contains("found '2026-13-01'"));
}

#[test]
fn wrong_or_repeated_root_is_reported() {
    let file = parse_xml_results(
        b"<Results><Candidate><CandidateNumber>1</CandidateNumber></Candidate></Results>",
    );
    assert!(file.candidates.is_empty());
    assert_eq!(file.problems[0].field.as_deref(), Some("EDIResults"));
    assert_eq!(
        file.unknown,
        vec![("Results/Candidate/CandidateNumber".into(), "1".into())]
    );

    let one = candidate("1", "");
    let second = format!("<EDIResults>{}</EDIResults>", one.replace(">1<", ">2<"));
    let twice = format!("{}{second}", doc(&one));
    let file = parse_xml_results(twice.as_bytes());
    assert_eq!(file.candidates.len(), 2);
    assert_eq!(file.problems.len(), 1);
    assert!(file.problems[0].message.contains("second root"));

    let file = parse_xml_results(b"junk<EDIResults/>more");
    assert_eq!(file.problems.len(), 1);
    assert!(file.problems[0].message.contains("outside the root"));
}

#[test]
fn hostile_shapes_finish_quickly() {
    let cases: Vec<Vec<u8>> = vec![
        // Many attributes with one name: a duplicate check would be quadratic.
        format!("<EDIResults {}/>", "a=\"1\" ".repeat(200_000)).into_bytes(),
        // Many undefined entities: one problem per name.
        format!("<EDIResults>{}</EDIResults>", "&x;".repeat(200_000)).into_bytes(),
        // Many different undefined entities: a bounded number of problems.
        (0..200_000)
            .map(|i| format!("&e{i};"))
            .collect::<String>()
            .into_bytes(),
        // Long names nested deep, then many small unknown elements under them.
        {
            let name = "n".repeat(MAX_NAME_LEN);
            let open = format!("<{name}>").repeat(60);
            let close = format!("</{name}>").repeat(60);
            format!(
                "<EDIResults>{open}{}{close}</EDIResults>",
                "<x/>".repeat(100_000)
            )
            .into_bytes()
        },
        b"<!--"
            .iter()
            .chain([b'-'; 1 << 20].iter())
            .copied()
            .collect(),
        b"<![CDATA["
            .iter()
            .chain([b']'; 1 << 20].iter())
            .copied()
            .collect(),
        "<".repeat(1 << 20).into_bytes(),
        "\n".repeat(1 << 20).into_bytes(),
    ];
    for input in cases {
        let started = Instant::now();
        let file = parse_xml_results(&input);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            &input[..40]
        );
        assert!(
            file.problems.len() <= MAX_REFERENCE_PROBLEMS + 3,
            "{:?}",
            &file.problems[..3]
        );
        let kept: usize = file
            .unknown
            .iter()
            .map(|(p, t)| p.len() + t.len() + 48)
            .sum();
        assert!(kept <= input.len() * UNKNOWN_BYTES_PER_INPUT_BYTE);
    }
}

#[test]
fn empty_and_whitespace_files_say_so() {
    for (input, said) in [
        (&b""[..], "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\xEF\xBB\xBF", "the file is empty"),
        (b"<?xml version=\"1.0\"?>", "the file holds no XML element"),
        (b"<!-- nothing -->\n", "the file holds no XML element"),
    ] {
        let file = parse_xml_results(input);
        assert!(file.candidates.is_empty(), "{file:?}");
        assert_eq!(kinds(&file), [ProblemKind::MalformedRecord], "{file:?}");
        assert_eq!(
            file.problems[0].message,
            format!(
                "{said}: expected an XML results file, its root element EDIResults holding \
                 a Header and Candidate elements"
            )
        );
    }
}

#[test]
fn zip_utf16_and_binary_files_are_named_as_such() {
    let zip = parse_xml_results(b"PK\x03\x04\x14\x00\x00\x00\x08\x00");
    assert_eq!(kinds(&zip), [ProblemKind::MalformedRecord]);
    assert!(zip.problems[0]
        .message
        .starts_with("the file is a zip archive"));
    let utf16: Vec<u8> = "\u{FEFF}<EDIResults/>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let file = parse_xml_results(&utf16);
    assert!(file.problems[0].message.contains("UTF-16"), "{file:?}");
    let file = parse_xml_results(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert_eq!(
        file.problems[0].message,
        "expected XML text, found bytes that are not text: byte 9 is 0x00, which an XML \
         results file never holds (a damaged download, or another kind of file given this \
         name); not read"
    );
}

#[test]
fn control_characters_in_values_are_removed_and_reported() {
    let xml = doc(&format!(
        "<Candidate><CandidateNumber>7</CandidateNumber><Name>DAV\u{7}IES:O\u{1b}WEN</Name>{}</Candidate>",
        "<Result><OptionCode>J560F</OptionCode><Grade>5</Grade></Result>"
    ));
    let file = parse_xml_results(xml.as_bytes());
    assert_eq!(file.candidates[0].name.as_deref(), Some("DAVIES:OWEN"));
    assert_eq!(kinds(&file), [ProblemKind::ControlCharacters]);
    assert_eq!(file.problems[0].field.as_deref(), Some("Name"));
    assert_eq!(
        file.problems[0].message,
        "control characters in text: 'DAV\\u{7}IES:O\\u{1b}WEN'; removed, read as 'DAVIES:OWEN'"
    );
}

fn check_invariants(input: &[u8], file: &XmlResultsFile) {
    let last_line = input.iter().filter(|&&b| b == b'\n').count() + 1;
    for p in &file.problems {
        assert!(
            p.line.is_some_and(|l| (1..=last_line).contains(&l)),
            "{p:?}"
        );
    }
    for c in &file.candidates {
        assert!((1..=last_line).contains(&c.line));
        assert_eq!(c.candidate_number.len(), 4);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let file = parse_xml_results(&input);
        check_invariants(&input, &file);
    }

    #[test]
    fn arbitrary_text_inserted_into_a_valid_file_never_panics(
        at in 0usize..EXAMPLE.len(),
        insert in prop_oneof![
            any::<String>(),
            "[<>/&;!?#x\\[\\]='\" a-zA-Z0-9:-]{0,40}",
            Just("<!DOCTYPE a [<!ENTITY e \"&e;\">]>".to_string()),
        ],
    ) {
        let mut at = at;
        while !EXAMPLE.is_char_boundary(at) {
            at -= 1;
        }
        let xml = format!("{}{}{}", &EXAMPLE[..at], insert, &EXAMPLE[at..]);
        let file = parse_xml_results(xml.as_bytes());
        check_invariants(xml.as_bytes(), &file);
        let tight = XmlLimits { max_depth: 4, max_text_len: 8 };
        let file = parse_xml_results_with(xml.as_bytes(), &tight);
        check_invariants(xml.as_bytes(), &file);
    }
}
