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
/// path. Fixed in parsers/src/xml/parser.rs (`Parser::start`): a start tag without a name stops reading
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

/// `edi` target (an invariant of the target, not a parser bug), with the input rewritten in the
/// version-2 layout: amendment records one byte off, as a fuzzer's mutation (or a hand edit)
/// leaves them. A byte inserted in the date of birth pushes the last slot's `W` past the record
/// length, so that slot reads as a new entry; a byte lost from the name moves the first option
/// code's first character into the sex and the date, and the second's into the first slot's
/// flag. Every record is kept with an action (a slot's flag is blank, `W`, or reported and read
/// as a new entry), and the bad sex, the bad dates, the bad flag and the byte pushed past the
/// layout are each reported on their line and field. The counts cover the malformed lines.
#[test]
fn amendments_one_byte_off_are_kept_and_reported() {
    let input = [
        &b"A114520706A26SAQA    00114\r\n"[..],
        b"A314520706A26002HP65HA\r\n",
        b"A5C145200007O'NEILL:\xC9MILE                           M270410145200240007K             4120554332             8145\r\n",
        b"A5C145200010KOWALSKI:PIOTR                          M160210145200240010V             4120791903             8145  W\r\n",
        b"A5C145200103MACDONALD:KAYLEIGH                      F06!0708145200220103R             4128156573             7602                                                                         8145  W\r\n",
        b"A5C145200104MACDONAL:KYLE                          M060708145200220104L             4128156574             J560F  J560H\r\n",
        b"A7145200000006180326\r\n",
        b"A91452000000080000001\r\n",
    ]
    .concat();
    let parsed = parse_file("A1452070.X02", &input);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let Content::Edi(file) = &parsed.content else {
        panic!("{:?}", parsed.content);
    };
    assert_eq!(file.data_type, Some(DataType::Amendments));
    assert_eq!(file.detail_lines, 4);
    assert_eq!(
        file.trailer.as_ref().map(|t| (t.line, t.count)),
        Some((8, 8))
    );
    assert_eq!(
        file.centres[0].trailer.as_ref().map(|t| (t.line, t.count)),
        Some((7, 6))
    );
    let Records::Entries(entries) = &file.records else {
        panic!("{:?}", file.records);
    };
    let read: Vec<_> = entries
        .iter()
        .map(|e| (e.line, e.option_code.as_str(), e.action))
        .collect();
    assert_eq!(
        read,
        [
            (3, "8145", Some(EntryAction::New)),
            (4, "8145", Some(EntryAction::Withdraw)),
            (5, "7602", Some(EntryAction::New)),
            (5, "8145", Some(EntryAction::New)),
            (6, "560F", Some(EntryAction::New)),
            (6, "560H", Some(EntryAction::New)),
        ]
    );
    assert_eq!(entries[0].name, "O'NEILL:ÉMILE");
    assert_eq!(entries[2].date_of_birth, None);
    assert_eq!(entries[2].uci, "8145200220103");
    assert_eq!((entries[4].sex, entries[4].date_of_birth), (None, None));
    let problems: Vec<(ProblemKind, Option<usize>, Option<&str>)> = file
        .problems
        .iter()
        .map(|p| (p.kind, p.line, p.field.as_deref()))
        .collect();
    assert_eq!(
        problems,
        [
            (ProblemKind::MalformedRecord, Some(5), Some("date of birth")),
            (ProblemKind::ExtraText, Some(5), Some("after the record")),
            (ProblemKind::MalformedRecord, Some(6), Some("sex")),
            (ProblemKind::MalformedRecord, Some(6), Some("date of birth")),
            (
                ProblemKind::MalformedRecord,
                Some(6),
                Some("entry option flag")
            ),
        ]
    );
    assert_eq!(
        file.problems[1].message,
        "1 byte after byte 192, where the record's layout ends, is not read: 'W'"
    );
    assert_eq!(
        file.problems[4].message,
        "slot 1 (560F): expected the flag blank (a new entry) or 'W' (a withdrawal), found 'J'; \
         read as a new entry"
    );
}

/// `edi` target, under the unit link name: a unit link file with more than 500 empty lines (two
/// problems each) stopped reading at the thousandth problem, so the links after it were lost
/// without a word, and up to two problems more than the limit were kept. Fixed in
/// parsers/src/records.rs (`unit_links`) and parsers/src/edi/mod.rs (`limit_problems`): every line
/// is read, at most `MAX_PROBLEMS` problems are kept, and one more says how many were left out.
#[test]
fn unit_links_after_a_thousand_problems_are_still_read() {
    let mut input = b"2AB01 5AB01\n".to_vec();
    input.extend(std::iter::repeat_n(b'\n', 600));
    input.extend_from_slice(b"2AB02 5AB02\n2AB02 5AB03\n");
    let parsed = parse_file("ULINKS10.X13", &input);
    let Content::Edi(file) = &parsed.content else {
        panic!("{:?}", parsed.content);
    };
    assert_eq!(file.data_type, Some(DataType::UnitLinks));
    assert_eq!(file.detail_lines, 603);
    let Records::UnitLinks(links) = &file.records else {
        panic!("{:?}", file.records);
    };
    let read: Vec<(usize, &str, &str)> = links
        .iter()
        .map(|l| (l.line, l.certification.as_str(), l.unit.as_str()))
        .collect();
    assert_eq!(
        read,
        [
            (1, "2AB01", "5AB01"),
            (602, "2AB02", "5AB02"),
            (603, "2AB02", "5AB03")
        ]
    );
    assert_eq!(file.problems.len(), parsers::edi::MAX_PROBLEMS + 1);
    assert!(file.problems[..parsers::edi::MAX_PROBLEMS]
        .iter()
        .all(|p| p.kind == ProblemKind::MalformedRecord && p.line.is_some()));
    let last = file.problems.last().unwrap();
    assert_eq!((last.kind, last.line), (ProblemKind::LimitExceeded, None));
    assert!(
        last.message.starts_with("200 more problems are not listed"),
        "{}",
        last.message
    );
}

/// `edi` target: the file trailer on line 2 (its count 7, the file 2 lines up to it) was
/// followed by more than a thousand lines, each named as a line after the trailer, and those
/// problems came first, so the limit on problems dropped the miscount. Fixed in
/// parsers/src/edi/mod.rs (`parse_edi_with`): the lines after the trailer are named after its count
/// is checked. The first two lines are the fuzzer's; the rest stand for its 1,009 lines after
/// the trailer.
#[test]
fn a_miscount_is_kept_before_a_thousand_lines_after_the_trailer() {
    let mut input = b"D16A26_106EC1&\x07D1\x00\x00\x00\x00\x001\xB5\xB5\xB5\xB5\xB5\xB5\xB5        \r\nS96A26_00000070000\xB56A A535*             \n".to_vec();
    for _ in 0..1009 {
        input.extend_from_slice(b"D5A545* A565*             \n");
    }
    let parsed = parse_file("D6A26_70.X01", &input);
    let Content::Edi(file) = &parsed.content else {
        panic!("{:?}", parsed.content);
    };
    assert_eq!((file.lines, file.detail_lines), (1011, 0));
    assert_eq!(
        file.trailer.as_ref().map(|t| (t.line, t.count)),
        Some((2, 7))
    );
    assert_eq!(file.problems.len(), parsers::edi::MAX_PROBLEMS + 1);
    let miscount = file
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::TrailerMismatch)
        .expect("the miscount is listed");
    assert_eq!(miscount.line, Some(2));
    assert_eq!(miscount.field.as_deref(), Some("record count"));
    assert_eq!(
        miscount.message,
        "the file trailer counts 7 records but the file has 2 records up to it, headers and \
         trailers included"
    );
    let last = file.problems.last().unwrap();
    assert_eq!((last.kind, last.line), (ProblemKind::LimitExceeded, None));
}
