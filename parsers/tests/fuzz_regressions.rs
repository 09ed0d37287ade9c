//! Inputs found by the fuzz targets in `fuzz/` (see fuzz/README.md), kept so that what they showed
//! stays fixed. Each test parses the bytes exactly as the fuzzer wrote them, then checks the
//! behaviour: no panic, and what the parser must say about them.

use parsers::{
    parse_file, parse_xml_results, Content, DataType, EntryAction, FileName, FileNameKind,
    ProblemKind, Records,
};

/// `file_name` target: an XML results name whose GUID is nothing but download noise was
/// recognised with an empty GUID, although `a2c.<centre>.<ab>.EDIResults..xml` is not a JCQ name.
/// Fixed in parsers/src/filename.rs (`parse_xml_name`).
#[test]
fn xml_name_whose_guid_is_only_download_noise_is_not_recognised() {
    assert_eq!(FileName::parse("a2c.1452.01.EDIResults.(1).XML"), None);
    assert_eq!(FileName::parse("a2c.14520.01.EDIResults. (1).xml"), None);
    assert_eq!(FileName::parse("a2c.14520.01.EDIResults. - Copy.xml"), None);
    // A GUID with noise after it is still read, the noise reported.
    let f = FileName::parse("a2c.14520.01.EDIResults.ABC (1).XML").unwrap();
    assert_eq!(
        f.kind,
        FileNameKind::XmlResults {
            centre: "14520".into(),
            awarding_body: "01".into(),
            guid: "ABC".into()
        }
    );
    assert_eq!(f.noise.as_deref(), Some(" (1)"));
    // The file is still read, as XML by its first bytes, with no file-name noise reported.
    let parsed = parse_file("a2c.1452.01.EDIResults.(1).XML", b"<EDIResults/>");
    assert_eq!(parsed.name, None);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert!(matches!(parsed.content, Content::Xml(_)));
}

/// `xml` target: `<>` (an element with no name) was read as an unknown element with an empty
/// path. Fixed in parsers/src/xml.rs (`Parser::start`): a start tag without a name stops reading
/// with a malformed-record problem, as any other ill-formed XML does.
#[test]
fn xml_element_with_no_name_stops_reading() {
    let input = b"<>\x0F</>\n   \x1Fc";
    let file = parse_xml_results(input);
    assert!(file.unknown.is_empty(), "{:?}", file.unknown);
    assert!(file.candidates.is_empty());
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    let p = &file.problems[0];
    assert_eq!(p.kind, ProblemKind::MalformedRecord);
    assert_eq!(p.line, Some(1));
    assert!(
        p.message
            .starts_with("found <>, which is not an element name"),
        "{}",
        p.message
    );

    // A prefix with no local name is no name either.
    let file = parse_xml_results(b"<EDIResults version=\"14\">\n<r:>x</r:>\n</EDIResults>\n");
    assert!(file.unknown.is_empty(), "{:?}", file.unknown);
    assert_eq!(file.header.version.as_deref(), Some("14"));
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert_eq!(file.problems[0].line, Some(2));
    assert!(
        file.problems[0].message.contains("<r:>"),
        "{:?}",
        file.problems
    );
}

/// `xml` target: `<:/rSeries>` has the local name `/rSeries`, which split the slash-joined path of
/// unknown elements (`EDIResults/Header/Series//rSeries/Created`). Fixed with the test above: a
/// name with '/' in it is not an element name.
#[test]
fn xml_element_name_with_a_slash_stops_reading() {
    let input = b"<?xml version=\"1.0\" encoding=\"UTF-6\"?>\n<r:EDIResults xmlns:r=\"urn:jcq:a2c:results:1\" version=\"14\">\n  <r:Header>\n    <r:CentreNumber>14520</r:CentreNumber>\n    <r:AwardingBody>01</r:AwardingBody>\n    r:CentreNumber>\n    <r:AwardingBody>01</r:AwardingBody>\n    <r:Series>6A26<:/rSeries>\n    <r:Created>2026-08-20T00:01100</r:Created>\n  </r:Header>\n  <r:Candidate>\n    <r:CandidateNumber>0007<\xCF/r:CandidateNumbe\n>r    <r:UCI>1<5200260008L</r:UCI>\n    <r:ULN>4123745869</r:ULN>\n    <r:Nae    <r:Code>J560r:Se0\xFF\xFF\xFF\xFF\xFF\xFF\x07ml v/r";
    let file = parse_xml_results(input);
    // What came before the bad name is kept.
    assert_eq!(file.header.version.as_deref(), Some("14"));
    assert_eq!(file.header.centre.as_deref(), Some("14520"));
    assert_eq!(file.header.awarding_body.as_deref(), Some("01"));
    assert_eq!(file.header.series, None);
    assert!(file.candidates.is_empty());
    assert!(file.unknown.is_empty(), "{:?}", file.unknown);
    let kinds: Vec<(ProblemKind, Option<usize>)> =
        file.problems.iter().map(|p| (p.kind, p.line)).collect();
    assert_eq!(
        kinds,
        [
            (ProblemKind::MalformedRecord, Some(7)), // the second AwardingBody
            (ProblemKind::MalformedRecord, Some(8)), // <:/rSeries>, and reading stops
        ]
    );
    assert!(
        file.problems[1]
            .message
            .starts_with("found <:/rSeries>, which is not an element name"),
        "{}",
        file.problems[1].message
    );

    let file = parse_xml_results(b"<EDIResults><a/b>x</a/b></EDIResults>");
    assert!(file.unknown.is_empty(), "{:?}", file.unknown);
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
}

/// `edi` target (an invariant of the target, not a parser bug): an amendment whose action byte is
/// blank, because a byte was lost earlier in the line, is kept without an action, and the blank
/// action, the bad date and the byte pushed past the layout are each reported on its line.
#[test]
fn amendment_with_a_blank_action_is_kept_and_reported() {
    let input = b"HDA14520706A26140002202603181045\r\nEN145200007145200240007K4120554332O'NEILL:\xC9MILE                           M201004278145  N\r\nEN145200010145200240010V4120791903KOWALSKI:PIOTR                          M201002168145  W\r\nEN145200103145200220103R4128156573MACDONALD:KAYLEIGH                      F2008!06077602  C\r\nTR0000003\r\n";
    let parsed = parse_file("A1452070.X02", input);
    let Content::Edi(file) = &parsed.content else {
        panic!("{:?}", parsed.content);
    };
    assert_eq!(file.data_type, Some(DataType::Amendments));
    assert_eq!(file.detail_lines, 3);
    assert_eq!(
        file.trailer.as_ref().map(|t| (t.line, t.count)),
        Some((5, 3))
    );
    let Records::Entries(entries) = &file.records else {
        panic!("{:?}", file.records);
    };
    let actions: Vec<_> = entries.iter().map(|e| (e.line, e.action)).collect();
    assert_eq!(
        actions,
        [
            (2, Some(EntryAction::New)),
            (3, Some(EntryAction::Withdraw)),
            (4, None)
        ]
    );
    assert_eq!(entries[0].name, "O'NEILL:ÉMILE");
    assert_eq!(entries[2].date_of_birth, None);
    let problems: Vec<(ProblemKind, Option<usize>, Option<&str>)> = file
        .problems
        .iter()
        .map(|p| (p.kind, p.line, p.field.as_deref()))
        .collect();
    assert_eq!(
        problems,
        [
            (ProblemKind::MalformedRecord, Some(4), Some("date of birth")),
            (ProblemKind::MalformedRecord, Some(4), Some("action")),
            (ProblemKind::ExtraText, Some(4), Some("after the record")),
        ]
    );
}
