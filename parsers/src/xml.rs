//! A2C XML results files (`a2c.<centre>.<ab>.EDIResults.<guid>.xml`), read in streaming mode.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::model::Grade;
use crate::problem::{NotText, Problem, ProblemKind};

/// The local names (prefix and namespace ignored) of the elements resultsday reads.
struct ElementNames {
    root: &'static str,
    /// The root's attribute that carries the format version.
    version: &'static str,
    header: &'static str,
    centre: &'static str,
    awarding_body: &'static str,
    series: &'static str,
    created: &'static str,
    candidate: &'static str,
    candidate_number: &'static str,
    uci: &'static str,
    uln: &'static str,
    name: &'static str,
    result: &'static str,
    option_code: &'static str,
    grade: &'static str,
    grade2: &'static str,
    mark: &'static str,
    max_mark: &'static str,
    endorsement: &'static str,
    component: &'static str,
    /// A component's code; a component also has `mark`, `max_mark` and `grade`.
    code: &'static str,
}

// UNVERIFIED: see spec/jcq-formats.md §6. The real element names and nesting were not found;
// these are the working names of spec/layouts.md §5. Correct them here and nowhere else.
const NAMES: ElementNames = ElementNames {
    root: "EDIResults",
    version: "version",
    header: "Header",
    centre: "CentreNumber",
    awarding_body: "AwardingBody",
    series: "Series",
    created: "Created",
    candidate: "Candidate",
    candidate_number: "CandidateNumber",
    uci: "UCI",
    uln: "ULN",
    name: "Name",
    result: "Result",
    option_code: "OptionCode",
    grade: "Grade",
    grade2: "Grade2",
    mark: "Mark",
    max_mark: "MaxMark",
    endorsement: "Endorsement",
    component: "Component",
    code: "Code",
};

/// Longest element name read. Names are not text, so `max_text_len` does not apply; with
/// `max_depth` this bounds the length of a path.
const MAX_NAME_LEN: usize = 1024;

/// Unknown elements may take at most this many bytes of memory (paths, texts and their `String`
/// headers) per byte of input: a path is copied for every unknown element, so deep nesting of
/// long names could otherwise turn a small file into a huge answer.
const UNKNOWN_BYTES_PER_INPUT_BYTE: usize = 16;

/// Distinct undefined entities (or bad character references) reported one by one; after that,
/// one more problem says there are more. `&e1;&e2;...` would otherwise give a long message per
/// five bytes of input.
const MAX_REFERENCE_PROBLEMS: usize = 100;

/// One A2C XML results file as read, with the problems found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlResultsFile {
    pub header: XmlHeader,
    pub candidates: Vec<XmlCandidate>,
    /// Elements resultsday does not know, kept as (path, text), e.g.
    /// ("EDIResults/Candidate/Result/Foo", "bar").
    pub unknown: Vec<(String, String)>,
    pub problems: Vec<Problem>,
}

/// What the file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlHeader {
    /// The root element's `version` attribute.
    pub version: Option<String>,
    pub centre: Option<String>,
    pub awarding_body: Option<String>,
    pub series: Option<String>,
    pub created: Option<NaiveDateTime>,
}

/// One candidate and their results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlCandidate {
    /// 1-based line of the candidate's start tag.
    pub line: usize,
    /// Four digits, zero-padded.
    pub candidate_number: String,
    pub uci: Option<String>,
    pub uln: Option<String>,
    pub name: Option<String>,
    pub results: Vec<XmlResult>,
}

/// One qualification result for one entry option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlResult {
    pub line: usize,
    pub option_code: String,
    pub grade: Option<Grade>,
    /// The second grade of a double award (`7-6`, or a `Grade2` element).
    pub grade2: Option<Grade>,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<String>,
    pub components: Vec<XmlComponent>,
}

/// One component's mark within a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlComponent {
    pub line: usize,
    pub code: String,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub grade: Option<String>,
}

/// Limits that protect the machine from hostile files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting read; deeper stops reading. Default 64.
    pub max_depth: usize,
    /// Longest text node or attribute value, in bytes. Default 64 KiB.
    pub max_text_len: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_depth: 64,
            max_text_len: 64 * 1024,
        }
    }
}

/// Reads an A2C XML results file with the default limits.
pub fn parse_xml_results(bytes: &[u8]) -> XmlResultsFile {
    parse_xml_results_with(bytes, &XmlLimits::default())
}

/// Reads an A2C XML results file. Never fails: what cannot be read becomes a problem, and
/// everything read before a fatal problem is kept.
pub fn parse_xml_results_with(bytes: &[u8], limits: &XmlLimits) -> XmlResultsFile {
    let mut parser = Parser::new(bytes, limits);
    let after_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let starts_as_xml = after_bom
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_none_or(|&b| b == b'<');
    if let Some(not_text) = NotText::sniff(bytes).filter(|_| !starts_as_xml) {
        parser.report(Problem::new(
            ProblemKind::MalformedRecord,
            Some(1),
            not_text.message("an XML results file", "XML text"),
        ));
        return XmlResultsFile {
            header: parser.header,
            candidates: parser.candidates,
            unknown: parser.unknown,
            problems: parser.problems,
        };
    }
    // `Err(Stopped)` only means a fatal problem was recorded; what was read is still kept.
    let _ = parser.run();
    parser.flush_open_records();
    XmlResultsFile {
        header: parser.header,
        candidates: parser.candidates,
        unknown: parser.unknown,
        problems: parser.problems,
    }
}

/// Reading stopped after a fatal problem, which is already recorded.
struct Stopped;

/// What an open element is, judged from its local name and its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Root,
    Header,
    Candidate,
    Result,
    Component,
    Field(Field),
    Unknown,
}

/// The leaf elements resultsday reads, by the record they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Centre,
    AwardingBody,
    Series,
    Created,
    CandidateNumber,
    Uci,
    Uln,
    Name,
    OptionCode,
    Grade,
    Grade2,
    Mark,
    MaxMark,
    Endorsement,
    ComponentCode,
    ComponentMark,
    ComponentMaxMark,
    ComponentGrade,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Centre => NAMES.centre,
            Field::AwardingBody => NAMES.awarding_body,
            Field::Series => NAMES.series,
            Field::Created => NAMES.created,
            Field::CandidateNumber => NAMES.candidate_number,
            Field::Uci => NAMES.uci,
            Field::Uln => NAMES.uln,
            Field::Name => NAMES.name,
            Field::OptionCode => NAMES.option_code,
            Field::Grade | Field::ComponentGrade => NAMES.grade,
            Field::Grade2 => NAMES.grade2,
            Field::Mark | Field::ComponentMark => NAMES.mark,
            Field::MaxMark | Field::ComponentMaxMark => NAMES.max_mark,
            Field::Endorsement => NAMES.endorsement,
            Field::ComponentCode => NAMES.code,
        }
    }

    /// This field's bit in its record's set of fields already read.
    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The record a field belongs to.
    fn record(self) -> Record {
        match self {
            Field::Centre | Field::AwardingBody | Field::Series | Field::Created => Record::Header,
            Field::CandidateNumber | Field::Uci | Field::Uln | Field::Name => Record::Candidate,
            Field::OptionCode
            | Field::Grade
            | Field::Grade2
            | Field::Mark
            | Field::MaxMark
            | Field::Endorsement => Record::Result,
            Field::ComponentCode
            | Field::ComponentMark
            | Field::ComponentMaxMark
            | Field::ComponentGrade => Record::Component,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Header,
    Candidate,
    Result,
    Component,
}

impl Record {
    fn name(self) -> &'static str {
        match self {
            Record::Header => NAMES.header,
            Record::Candidate => NAMES.candidate,
            Record::Result => NAMES.result,
            Record::Component => NAMES.component,
        }
    }
}

/// Marks `field` as read in its record; a second non-empty value is refused with a message.
fn first_time(seen: &mut u32, field: Field, value: &str) -> Result<(), String> {
    if *seen & field.bit() != 0 {
        return Err(format!(
            "{} appears twice in one {}; expected it once; kept the first and ignored {}",
            field.name(),
            field.record().name(),
            quoted(value)
        ));
    }
    *seen |= field.bit();
    Ok(())
}

/// What a child element is, given its parent (`None` at the top level) and its local name.
fn classify(parent: Option<Node>, local: &str) -> Node {
    let n = &NAMES;
    match parent {
        None if local == n.root => Node::Root,
        Some(Node::Root) if local == n.header => Node::Header,
        Some(Node::Root) if local == n.candidate => Node::Candidate,
        Some(Node::Header) => match local {
            _ if local == n.centre => Node::Field(Field::Centre),
            _ if local == n.awarding_body => Node::Field(Field::AwardingBody),
            _ if local == n.series => Node::Field(Field::Series),
            _ if local == n.created => Node::Field(Field::Created),
            _ => Node::Unknown,
        },
        Some(Node::Candidate) => match local {
            _ if local == n.candidate_number => Node::Field(Field::CandidateNumber),
            _ if local == n.uci => Node::Field(Field::Uci),
            _ if local == n.uln => Node::Field(Field::Uln),
            _ if local == n.name => Node::Field(Field::Name),
            _ if local == n.result => Node::Result,
            _ => Node::Unknown,
        },
        Some(Node::Result) => match local {
            _ if local == n.option_code => Node::Field(Field::OptionCode),
            _ if local == n.grade => Node::Field(Field::Grade),
            _ if local == n.grade2 => Node::Field(Field::Grade2),
            _ if local == n.mark => Node::Field(Field::Mark),
            _ if local == n.max_mark => Node::Field(Field::MaxMark),
            _ if local == n.endorsement => Node::Field(Field::Endorsement),
            _ if local == n.component => Node::Component,
            _ => Node::Unknown,
        },
        Some(Node::Component) => match local {
            _ if local == n.code => Node::Field(Field::ComponentCode),
            _ if local == n.mark => Node::Field(Field::ComponentMark),
            _ if local == n.max_mark => Node::Field(Field::ComponentMaxMark),
            _ if local == n.grade => Node::Field(Field::ComponentGrade),
            _ => Node::Unknown,
        },
        _ => Node::Unknown,
    }
}

/// An element that is open: its start tag was read, its end tag not yet.
struct Frame {
    node: Node,
    line: usize,
    /// Length of `Parser::path` before this element's name was added.
    path_len: usize,
    has_child: bool,
    /// Text directly inside this element, references resolved; leading whitespace dropped.
    text: String,
    /// The text crossed `max_text_len`; it was reported and is not kept.
    too_long: bool,
}

#[derive(Default)]
struct CandidateBuilder {
    line: usize,
    number: Option<String>,
    /// The number was present but unusable (already reported), so drop the candidate quietly.
    number_bad: bool,
    uci: Option<String>,
    uln: Option<String>,
    name: Option<String>,
    results: Vec<XmlResult>,
    seen: u32,
}

#[derive(Default)]
struct ResultBuilder {
    line: usize,
    option_code: Option<String>,
    option_code_bad: bool,
    grade: Option<Grade>,
    /// The second half of a `7-6` grade.
    grade2_split: Option<Grade>,
    /// A `Grade2` element.
    grade2_element: Option<Grade>,
    grade2_line: usize,
    mark: Option<u16>,
    max_mark: Option<u16>,
    endorsement: Option<String>,
    components: Vec<XmlComponent>,
    seen: u32,
}

#[derive(Default)]
struct ComponentBuilder {
    line: usize,
    code: Option<String>,
    code_bad: bool,
    mark: Option<u16>,
    max_mark: Option<u16>,
    grade: Option<String>,
    seen: u32,
}

fn set_header_field(
    header: &mut XmlHeader,
    seen: &mut u32,
    field: Field,
    value: &str,
) -> Result<(), String> {
    first_time(seen, field, value)?;
    let slot = match field {
        Field::Centre => &mut header.centre,
        Field::AwardingBody => &mut header.awarding_body,
        Field::Series => &mut header.series,
        _ => {
            header.created = Some(parse_created(value).ok_or_else(|| {
                format!(
                    "expected a date and time such as 2026-08-20T00:01:00, found {}",
                    quoted(value)
                )
            })?);
            return Ok(());
        }
    };
    *slot = Some(value.to_string());
    Ok(())
}

impl CandidateBuilder {
    fn set(&mut self, field: Field, value: &str) -> Result<(), String> {
        first_time(&mut self.seen, field, value)?;
        let slot = match field {
            Field::CandidateNumber => {
                if (1..=4).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
                    self.number = Some(format!("{value:0>4}"));
                    return Ok(());
                }
                self.number_bad = true;
                return Err(format!(
                    "expected a candidate number of 1 to 4 digits, found {}; the candidate was \
                     not read",
                    quoted(value)
                ));
            }
            Field::Uci => &mut self.uci,
            Field::Uln => &mut self.uln,
            _ => &mut self.name,
        };
        *slot = Some(value.to_string());
        Ok(())
    }
}

impl ResultBuilder {
    fn set(&mut self, field: Field, value: &str, line: usize) -> Result<(), String> {
        first_time(&mut self.seen, field, value)?;
        match field {
            Field::OptionCode => self.option_code = Some(value.to_string()),
            Field::Grade => {
                let (grade, grade2) = split_grade(value).ok_or_else(|| {
                    format!(
                        "expected a grade such as 5 or a double award such as 7-6, found {}",
                        quoted(value)
                    )
                })?;
                self.grade = grade;
                self.grade2_split = grade2;
            }
            Field::Grade2 => {
                self.grade2_element = Grade::parse(value);
                self.grade2_line = line;
            }
            Field::Mark => self.mark = Some(parse_mark(value)?),
            Field::MaxMark => self.max_mark = Some(parse_mark(value)?),
            _ => self.endorsement = Some(value.to_string()),
        }
        Ok(())
    }
}

impl ComponentBuilder {
    fn set(&mut self, field: Field, value: &str) -> Result<(), String> {
        first_time(&mut self.seen, field, value)?;
        match field {
            Field::ComponentCode => self.code = Some(value.to_string()),
            Field::ComponentMark => self.mark = Some(parse_mark(value)?),
            Field::ComponentMaxMark => self.max_mark = Some(parse_mark(value)?),
            _ => self.grade = Some(value.to_string()),
        }
        Ok(())
    }
}

/// 1-based line numbers for byte offsets, counted incrementally from the last offset asked for.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            pos: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        let newlines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
        if offset >= self.pos {
            self.line += newlines(&self.bytes[self.pos..offset]);
        } else {
            // Only error positions go backwards, and reading stops after them.
            self.line -= newlines(&self.bytes[offset..self.pos]);
        }
        self.pos = offset;
        self.line
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    limits: &'a XmlLimits,
    lines: Lines<'a>,
    /// Slash-joined local names of the open elements.
    path: String,
    stack: Vec<Frame>,
    header: XmlHeader,
    header_seen: u32,
    candidate: Option<CandidateBuilder>,
    result: Option<ResultBuilder>,
    component: Option<ComponentBuilder>,
    candidates: Vec<XmlCandidate>,
    unknown: Vec<(String, String)>,
    unknown_bytes_left: usize,
    unknown_overflowed: bool,
    problems: Vec<Problem>,
    /// Undefined entities and bad character references already reported, so a file full of
    /// them gives one problem per name, not one per use (and at most `MAX_REFERENCE_PROBLEMS`).
    reported_refs: HashSet<String>,
    seen_root: bool,
    reported_stray_text: bool,
    reported_lone_amp: bool,
    /// The encoding the XML declaration names, for the non-UTF-8 message.
    declared_encoding: Option<String>,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8], limits: &'a XmlLimits) -> Self {
        Parser {
            bytes,
            limits,
            lines: Lines::new(bytes),
            path: String::new(),
            stack: Vec::new(),
            header: XmlHeader::default(),
            header_seen: 0,
            candidate: None,
            result: None,
            component: None,
            candidates: Vec::new(),
            unknown: Vec::new(),
            unknown_bytes_left: bytes.len().saturating_mul(UNKNOWN_BYTES_PER_INPUT_BYTE),
            unknown_overflowed: false,
            problems: Vec::new(),
            reported_refs: HashSet::new(),
            seen_root: false,
            reported_stray_text: false,
            reported_lone_amp: false,
            declared_encoding: None,
        }
    }

    fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn run(&mut self) -> Result<(), Stopped> {
        let bytes = self.bytes;
        let mut reader = Reader::from_reader(bytes);
        // quick-xml skips a UTF-8 BOM without counting it in its positions.
        let base = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let offset = |p: u64| {
            usize::try_from(p)
                .unwrap_or(usize::MAX)
                .saturating_add(base)
        };
        // One check of the whole file up front; then every event before the first bad byte is
        // known to be UTF-8.
        let bad_utf8_at = std::str::from_utf8(bytes).err().map(|e| e.valid_up_to());

        loop {
            let start = offset(reader.buffer_position());
            let event = reader.read_event();
            if let Some(bad) = bad_utf8_at {
                if offset(reader.buffer_position()) > bad {
                    return self.not_utf8(bad);
                }
            }
            let event = match event {
                Ok(event) => event,
                Err(err) => {
                    let at = offset(reader.error_position());
                    return self.malformed(at, &err);
                }
            };
            let line = self.lines.at(start);
            match event {
                Event::Start(e) => self.start(&e, line)?,
                Event::Empty(e) => {
                    self.start(&e, line)?;
                    self.end();
                }
                Event::End(_) => self.end(),
                Event::Text(t) => self.text(&String::from_utf8_lossy(&t), line),
                Event::CData(t) => self.text(&String::from_utf8_lossy(&t), line),
                Event::GeneralRef(r) => {
                    let field = self.local_name_of_top();
                    let resolved = self.resolve_ref(&String::from_utf8_lossy(&r), line, &field);
                    self.text(&resolved, line);
                }
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        self.declared_encoding = Some(String::from_utf8_lossy(&enc).into_owned());
                    }
                }
                // A DTD is never read: entities it declares stay undefined (see `resolve_ref`).
                Event::DocType(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return self.eof(),
            }
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, line: usize) -> Result<(), Stopped> {
        let name_len = e.name().as_ref().len();
        if name_len > MAX_NAME_LEN {
            let msg = format!(
                "found an element name of {name_len} bytes; expected at most {MAX_NAME_LEN} \
                 bytes; the rest of the file was not read"
            );
            self.report(Problem::new(ProblemKind::LimitExceeded, Some(line), msg));
            return Err(Stopped);
        }
        let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        // quick-xml does not check names: `<>`, `<r:>` and `<:/a>` would give a path (of
        // slash-joined local names) with an empty or a split name.
        if local.is_empty() || local.contains('/') {
            let msg = format!(
                "found <{}>, which is not an element name; expected a name such as \
                 <Candidate>; the rest of the file was not read",
                shorten(&String::from_utf8_lossy(e.name().as_ref()))
            );
            self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
            return Err(Stopped);
        }
        if self.stack.len() >= self.limits.max_depth {
            let msg = format!(
                "found <{}> nested {} levels deep; expected at most {} levels; the rest of the \
                 file was not read",
                shorten(&local),
                self.stack.len() + 1,
                self.limits.max_depth
            );
            self.report(Problem::new(ProblemKind::LimitExceeded, Some(line), msg).at_field(local));
            return Err(Stopped);
        }

        let parent = self.stack.last().map(|f| f.node);
        let node = classify(parent, &local);
        if parent.is_none() {
            if self.seen_root {
                let msg = format!(
                    "found a second root element <{}>; expected the end of the file",
                    shorten(&local)
                );
                self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
            } else if node != Node::Root {
                let msg = format!(
                    "expected the root element {}, found <{}>; its contents were kept as unknown \
                     elements",
                    NAMES.root,
                    shorten(&local)
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(line), msg)
                        .at_field(NAMES.root),
                );
            }
            self.seen_root = true;
        }
        self.attributes(e, node, line)?;

        if let Some(parent) = self.stack.last_mut() {
            parent.has_child = true;
        }
        match node {
            Node::Candidate => {
                self.candidate = Some(CandidateBuilder {
                    line,
                    ..Default::default()
                })
            }
            Node::Result => {
                self.result = Some(ResultBuilder {
                    line,
                    ..Default::default()
                })
            }
            Node::Component => {
                self.component = Some(ComponentBuilder {
                    line,
                    ..Default::default()
                })
            }
            _ => {}
        }
        let path_len = self.path.len();
        if !self.stack.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(&local);
        self.stack.push(Frame {
            node,
            line,
            path_len,
            has_child: false,
            text: String::new(),
            too_long: false,
        });
        Ok(())
    }

    /// Checks every attribute (length, references); keeps only the root's `version`.
    fn attributes(&mut self, e: &BytesStart<'_>, node: Node, line: usize) -> Result<(), Stopped> {
        let element = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        // Without checks the attribute walk is linear; with them it compares every pair of names.
        for attr in e.attributes().with_checks(false) {
            let attr = match attr {
                Ok(attr) => attr,
                Err(err) => {
                    let msg = format!(
                        "expected attributes written name=\"value\" in <{}>, found: {err}; the \
                         rest of the file was not read",
                        shorten(&element)
                    );
                    self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
                    return Err(Stopped);
                }
            };
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            if attr.value.len() > self.limits.max_text_len {
                let msg = format!(
                    "attribute '{}' of <{}> is {} bytes long; expected at most {} bytes; the \
                     value was not kept",
                    shorten(&key),
                    shorten(&element),
                    attr.value.len(),
                    self.limits.max_text_len
                );
                self.report(
                    Problem::new(ProblemKind::LimitExceeded, Some(line), msg)
                        .at_field(shorten(&key)),
                );
                continue;
            }
            let value = self.unescape_attribute(&String::from_utf8_lossy(&attr.value), line, &key);
            if node == Node::Root && key == NAMES.version {
                let value = value.trim();
                if !value.is_empty() {
                    self.header.version = Some(value.to_string());
                }
            }
        }
        Ok(())
    }

    fn text(&mut self, chunk: &str, line: usize) {
        let max_text = self.limits.max_text_len;
        let Some(frame) = self.stack.last_mut() else {
            if !chunk.trim().is_empty() && !self.reported_stray_text {
                self.reported_stray_text = true;
                let msg = format!(
                    "expected only markup outside the root element, found text {}",
                    quoted(chunk)
                );
                self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
            }
            return;
        };
        // Whitespace between child elements never accumulates, so a big container stays small.
        if frame.too_long || (frame.text.is_empty() && chunk.trim().is_empty()) {
            return;
        }
        if frame.text.len() + chunk.len() > max_text {
            frame.too_long = true;
            frame.text = String::new();
            let (frame_line, name) = (frame.line, self.local_name_of_top());
            let msg = format!(
                "text of <{}> is longer than {max_text} bytes; expected at most {max_text} \
                 bytes; the value was not kept",
                shorten(&name)
            );
            self.report(
                Problem::new(ProblemKind::LimitExceeded, Some(frame_line), msg).at_field(name),
            );
            return;
        }
        frame.text.push_str(chunk);
    }

    fn local_name_of_top(&self) -> String {
        match self.stack.last() {
            Some(f) if f.path_len == 0 => self.path.clone(),
            Some(f) => self.path[f.path_len + 1..].to_string(),
            None => String::new(),
        }
    }

    fn end(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return; // quick-xml reports unmatched end tags before we get here
        };
        let text = if frame.too_long {
            None
        } else {
            Some(normalise_newlines(frame.text))
        };
        match frame.node {
            Node::Field(field) => self.field(field, text, frame.line),
            Node::Unknown => {
                if let Some(text) = text {
                    let text = text.trim();
                    // A leaf is kept even when empty; a container is implied by its children.
                    if !frame.has_child || !text.is_empty() {
                        self.keep_unknown(text, frame.line);
                    }
                }
            }
            node => {
                // Stray text inside a known container is not lost either.
                if let Some(text) = text {
                    if !text.trim().is_empty() {
                        self.keep_unknown(text.trim(), frame.line);
                    }
                }
                match node {
                    Node::Candidate => self.finish_candidate(false),
                    Node::Result => self.finish_result(false),
                    Node::Component => self.finish_component(false),
                    _ => {}
                }
            }
        }
        self.path.truncate(frame.path_len);
    }

    fn keep_unknown(&mut self, text: &str, line: usize) {
        let size = self.path.len() + text.len() + 2 * std::mem::size_of::<String>();
        if size > self.unknown_bytes_left {
            if !self.unknown_overflowed {
                self.unknown_overflowed = true;
                let msg = format!(
                    "unknown elements would take more than {UNKNOWN_BYTES_PER_INPUT_BYTE} bytes of \
                     memory per byte of the file; expected far fewer; from here on they were not \
                     kept"
                );
                self.report(Problem::new(ProblemKind::LimitExceeded, Some(line), msg));
            }
            return;
        }
        self.unknown_bytes_left -= size;
        self.unknown.push((self.path.clone(), text.to_string()));
    }

    /// Stores a leaf's text in its record. `text` is `None` when the text was too long (already
    /// reported).
    fn field(&mut self, field: Field, text: Option<String>, line: usize) {
        let Some(text) = text else {
            // A key that could not be kept makes its record unusable; the limit was reported.
            match field {
                Field::CandidateNumber => {
                    if let Some(c) = &mut self.candidate {
                        c.number_bad = true;
                    }
                }
                Field::OptionCode => {
                    if let Some(r) = &mut self.result {
                        r.option_code_bad = true;
                    }
                }
                Field::ComponentCode => {
                    if let Some(c) = &mut self.component {
                        c.code_bad = true;
                    }
                }
                _ => {}
            }
            return;
        };
        // XML allows no control characters but tab and line ends; a file may still hold them.
        let not_allowed = |c: &char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
        let text = if text.chars().any(|c| not_allowed(&c)) {
            let kept: String = text.chars().filter(|c| !not_allowed(c)).collect();
            let msg = format!(
                "control characters in text: {}; removed, read as {}",
                quoted(text.trim()),
                quoted(kept.trim())
            );
            self.report(
                Problem::new(ProblemKind::ControlCharacters, Some(line), msg)
                    .at_field(field.name()),
            );
            kept
        } else {
            text
        };
        let value = text.trim();
        // An empty element, such as `<Endorsement/>`, is an absent value.
        if value.is_empty() {
            return;
        }
        let outcome = match field.record() {
            Record::Header => {
                set_header_field(&mut self.header, &mut self.header_seen, field, value)
            }
            Record::Candidate => match &mut self.candidate {
                Some(c) => c.set(field, value),
                None => return,
            },
            Record::Result => match &mut self.result {
                Some(r) => r.set(field, value, line),
                None => return,
            },
            Record::Component => match &mut self.component {
                Some(c) => c.set(field, value),
                None => return,
            },
        };
        if let Err(msg) = outcome {
            self.report(
                Problem::new(ProblemKind::MalformedRecord, Some(line), msg).at_field(field.name()),
            );
        }
    }

    /// Closes the open component; `quiet` when reading stopped early (a missing code is then
    /// explained by the fatal problem).
    fn finish_component(&mut self, quiet: bool) {
        let Some(c) = self.component.take() else {
            return;
        };
        match (c.code, self.result.as_mut()) {
            (Some(code), Some(result)) => result.components.push(XmlComponent {
                line: c.line,
                code,
                mark: c.mark,
                max_mark: c.max_mark,
                grade: c.grade,
            }),
            (None, _) if !quiet && !c.code_bad => {
                let msg = format!(
                    "{} has no {}; expected a component code such as J56001; the component was \
                     not read",
                    NAMES.component, NAMES.code
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(c.line), msg)
                        .at_field(NAMES.code),
                );
            }
            _ => {}
        }
    }

    fn finish_result(&mut self, quiet: bool) {
        let Some(r) = self.result.take() else {
            return;
        };
        let Some(option_code) = r.option_code else {
            if !quiet && !r.option_code_bad {
                let msg = format!(
                    "{} has no {}; expected an entry option code such as J560F; the result was \
                     not read",
                    NAMES.result, NAMES.option_code
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(r.line), msg)
                        .at_field(NAMES.option_code),
                );
            }
            return;
        };
        // An explicit Grade2 element wins over the second half of `7-6`; a disagreement is shown.
        if let (Some(split), Some(element)) = (&r.grade2_split, &r.grade2_element) {
            if split != element {
                let msg = format!(
                    "{} gives a second grade of {} but {} says {}; kept {}",
                    NAMES.grade,
                    quoted(&split.as_sent()),
                    NAMES.grade2,
                    quoted(&element.as_sent()),
                    quoted(&element.as_sent())
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(r.grade2_line), msg)
                        .at_field(NAMES.grade2),
                );
            }
        }
        let result = XmlResult {
            line: r.line,
            option_code,
            grade: r.grade,
            grade2: r.grade2_element.or(r.grade2_split),
            mark: r.mark,
            max_mark: r.max_mark,
            endorsement: r.endorsement,
            components: r.components,
        };
        if let Some(c) = self.candidate.as_mut() {
            c.results.push(result);
        }
    }

    fn finish_candidate(&mut self, quiet: bool) {
        let Some(c) = self.candidate.take() else {
            return;
        };
        match c.number {
            Some(candidate_number) => self.candidates.push(XmlCandidate {
                line: c.line,
                candidate_number,
                uci: c.uci,
                uln: c.uln,
                name: c.name,
                results: c.results,
            }),
            None if !quiet && !c.number_bad => {
                let msg = format!(
                    "{} has no {}; expected 1 to 4 digits; the candidate was not read",
                    NAMES.candidate, NAMES.candidate_number
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(c.line), msg)
                        .at_field(NAMES.candidate_number),
                );
            }
            None => {}
        }
    }

    /// Keeps the records still open when reading stopped: what was read before a fatal problem
    /// is kept, unless its key was never read.
    fn flush_open_records(&mut self) {
        self.finish_component(true);
        self.finish_result(true);
        self.finish_candidate(true);
    }

    fn eof(&mut self) -> Result<(), Stopped> {
        let Some(frame) = self.stack.last() else {
            if !self.seen_root {
                self.no_root();
            }
            return Ok(());
        };
        let (open_line, name) = (frame.line, self.local_name_of_top());
        // The line of the last byte, not the empty line after a final newline.
        let line = self.lines.at(self.bytes.len().saturating_sub(1));
        let msg = format!(
            "the file ends inside <{name}> (opened at line {open_line}); expected </{name}> and \
             the rest of the file; the file looks truncated",
            name = shorten(&name)
        );
        self.report(
            Problem::new(ProblemKind::MalformedRecord, Some(line), msg).at_field(shorten(&name)),
        );
        Err(Stopped)
    }

    /// The file ended with no element at all: an empty file, or a declaration alone.
    fn no_root(&mut self) {
        let empty = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(self.bytes)
            .iter()
            .all(u8::is_ascii_whitespace);
        let what = if empty {
            "the file is empty"
        } else {
            "the file holds no XML element"
        };
        let line = self.lines.at(self.bytes.len().saturating_sub(1));
        let msg = format!(
            "{what}: expected an XML results file, its root element {} holding a {} and {} \
             elements",
            NAMES.root, NAMES.header, NAMES.candidate
        );
        self.report(
            Problem::new(ProblemKind::MalformedRecord, Some(line), msg).at_field(NAMES.root),
        );
    }

    fn not_utf8(&mut self, at: usize) -> Result<(), Stopped> {
        let line = self.lines.at(at);
        let byte = self.bytes.get(at).copied().unwrap_or(0);
        let declared = match &self.declared_encoding {
            Some(enc) if !enc.eq_ignore_ascii_case("utf-8") => {
                format!(" (the file says it is {})", quoted(enc))
            }
            _ => {
                // A letter in Windows-1252 (or Latin-1) says which encoding the file was saved in.
                let letter = crate::field::decode_1252(&[byte])
                    .chars()
                    .next()
                    .filter(|c| byte >= 0x80 && c.is_alphabetic());
                match letter {
                    Some(c) => format!(
                        " ('{c}' in Windows-1252 or Latin-1: the file was probably saved in that \
                         encoding, not in UTF-8)"
                    ),
                    None => String::new(),
                }
            }
        };
        let msg = format!(
            "expected UTF-8 text, as XML results files must be, found byte 0x{byte:02X}{declared}; \
             the rest of the file was not read"
        );
        let mut problem = Problem::new(ProblemKind::MalformedRecord, Some(line), msg);
        let element = self.local_name_of_top();
        if !element.is_empty() {
            problem = problem.at_field(shorten(&element));
        }
        self.report(problem);
        Err(Stopped)
    }

    fn malformed(&mut self, at: usize, err: &quick_xml::Error) -> Result<(), Stopped> {
        use quick_xml::errors::{IllFormedError, SyntaxError};
        let line = self.lines.at(at);
        let what = match err {
            quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                format!(
                    "expected </{}>, found </{}>",
                    shorten(expected),
                    shorten(found)
                )
            }
            quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(tag)) => format!(
                "found </{}> with no matching start tag; expected an end tag of an open element \
                 or the end of the file",
                shorten(tag)
            ),
            quick_xml::Error::IllFormed(IllFormedError::UnclosedReference) => {
                "found a lone '&'; expected an entity reference ending in ';' such as &amp;"
                    .to_string()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => {
                "found a tag that is not closed; expected '>' before the end of the file"
                    .to_string()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedComment) => {
                "found a comment that is not closed; expected '-->' before the end of the file"
                    .to_string()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedCData) => {
                "found a CDATA section that is not closed; expected ']]>' before the end of the \
                 file"
                    .to_string()
            }
            other => format!(
                "expected well-formed XML, found: {}",
                shorten(&other.to_string())
            ),
        };
        let msg = format!("{what}; the rest of the file was not read");
        self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
        Err(Stopped)
    }

    /// The text of `&name;`. Only the five XML entities and character references are read; any
    /// other entity (declared in a DTD or not) is never expanded and is kept as written.
    fn resolve_ref(&mut self, name: &str, line: usize, field: &str) -> String {
        let predefined = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name.strip_prefix('#').and_then(char_ref),
        };
        if let Some(c) = predefined {
            return c.to_string();
        }
        let written = format!("&{name};");
        if self.reported_refs.len() > MAX_REFERENCE_PROBLEMS || self.reported_refs.contains(name) {
            return written;
        }
        self.reported_refs.insert(name.to_string());
        let msg = if self.reported_refs.len() > MAX_REFERENCE_PROBLEMS {
            format!(
                "more than {MAX_REFERENCE_PROBLEMS} different undefined entity or bad character \
                 references, the next being {}; none was expanded and the rest are not listed",
                quoted(&written)
            )
        } else if name.starts_with('#') {
            format!(
                "expected a character reference to a character XML allows, such as &#233; or \
                 &#xE9;, found {}; kept as written",
                quoted(&written)
            )
        } else {
            format!(
                "entity reference {} was not expanded (only &amp; &lt; &gt; &quot; &apos; and \
                 character references are read; a DTD is never read); kept as written",
                quoted(&written)
            )
        };
        let mut problem = Problem::new(ProblemKind::MalformedRecord, Some(line), msg);
        if !field.is_empty() {
            problem = problem.at_field(shorten(field));
        }
        self.report(problem);
        written
    }

    /// An attribute value with its references resolved as in text.
    fn unescape_attribute(&mut self, raw: &str, line: usize, attribute: &str) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            // As in text, a reference ends at ';' and another '&' starts a new one.
            match after.find([';', '&']) {
                Some(end) if after.as_bytes()[end] == b';' => {
                    out.push_str(&self.resolve_ref(&after[..end], line, attribute));
                    rest = &after[end + 1..];
                }
                _ => {
                    if !self.reported_lone_amp {
                        self.reported_lone_amp = true;
                        let msg = "found a lone '&' in an attribute; expected an entity \
                                   reference ending in ';' such as &amp;; kept as written";
                        self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
                    }
                    out.push('&');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `&#233;` / `&#xE9;` without the `&#` and `;`: the character, if XML allows it.
fn char_ref(digits: &str) -> Option<char> {
    let (digits, radix) = match digits.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    // from_str_radix alone would also take a sign.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(digits, radix).ok()?)?;
    // XML's Char production: no NUL and no other C0 controls except tab, newline, return.
    let allowed =
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'));
    allowed.then_some(c)
}

/// XML reads CR LF and lone CR as LF.
fn normalise_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// A grade, or a double award `7-6` as (grade, grade2). `None` if a dash leaves a half empty.
fn split_grade(value: &str) -> Option<(Option<Grade>, Option<Grade>)> {
    match value.split_once('-') {
        None => Some((Grade::parse(value), None)),
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() && !b.contains('-') => {
            Some((Grade::parse(a), Grade::parse(b)))
        }
        Some(_) => None,
    }
}

fn parse_mark(value: &str) -> Result<u16, String> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a whole number of marks, found {}",
            quoted(value)
        ));
    }
    value.parse().map_err(|_| {
        format!(
            "expected a whole number of marks up to {}, found {}",
            u16::MAX,
            quoted(value)
        )
    })
}

fn parse_created(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        // xs:dateTime may carry a zone (`Z`, `+01:00`): keep the time as written.
        .or_else(|| {
            DateTime::parse_from_rfc3339(value)
                .ok()
                .map(|t| t.naive_local())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// Text found in a file, quoted for a message: cut when long, control characters escaped.
fn quoted(text: &str) -> String {
    format!("'{}'", shorten(text))
}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(MAX) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if chars.next().is_some() {
        out.push_str(&format!("… ({} bytes)", text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let xml = "\u{FEFF}<EDIResults version=' 15 '>\r\n<Header><Created>2026-08-20T00:01:00Z</Created>\
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
}
