//! The streaming reader: quick-xml's events in, the open elements tracked, each element's text
//! handed to its record.

use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::builders::{set_header_field, CandidateBuilder, ComponentBuilder, ResultBuilder};
use super::elements::{classify, Field, Node, Record, NAMES};
use super::text::{normalise_newlines, quoted, shorten};
use super::{XmlCandidate, XmlHeader, XmlLimits, XmlResultsFile};
use crate::problem::{Problem, ProblemKind};

/// Longest element name read. Names are not text, so `max_text_len` does not apply; with
/// `max_depth` this bounds the length of a path.
pub(super) const MAX_NAME_LEN: usize = 1024;

/// Unknown elements may take at most this many bytes of memory (paths, texts and their `String`
/// headers) per byte of input: a path is copied for every unknown element, so deep nesting of
/// long names could otherwise turn a small file into a huge answer.
pub(super) const UNKNOWN_BYTES_PER_INPUT_BYTE: usize = 16;

/// Reading stopped after a fatal problem, which is already recorded.
pub(super) struct Stopped;

/// An element that is open: its start tag was read, its end tag not yet.
pub(super) struct Frame {
    node: Node,
    pub(super) line: usize,
    /// Length of `Parser::path` before this element's name was added.
    path_len: usize,
    has_child: bool,
    /// Text directly inside this element, references resolved; leading whitespace dropped.
    text: String,
    /// The text crossed `max_text_len`; it was reported and is not kept.
    too_long: bool,
}

/// 1-based line numbers for byte offsets, counted incrementally from the last offset asked for.
pub(super) struct Lines<'a> {
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

    pub(super) fn at(&mut self, offset: usize) -> usize {
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

pub(super) struct Parser<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) limits: &'a XmlLimits,
    pub(super) lines: Lines<'a>,
    /// Slash-joined local names of the open elements.
    pub(super) path: String,
    pub(super) stack: Vec<Frame>,
    pub(super) header: XmlHeader,
    pub(super) header_seen: u32,
    pub(super) candidate: Option<CandidateBuilder>,
    pub(super) result: Option<ResultBuilder>,
    pub(super) component: Option<ComponentBuilder>,
    pub(super) candidates: Vec<XmlCandidate>,
    pub(super) unknown: Vec<(String, String)>,
    pub(super) unknown_bytes_left: usize,
    pub(super) unknown_overflowed: bool,
    pub(super) problems: Vec<Problem>,
    /// Undefined entities and bad character references already reported, so a file full of
    /// them gives one problem per name, not one per use (and at most `MAX_REFERENCE_PROBLEMS`).
    pub(super) reported_refs: HashSet<String>,
    pub(super) seen_root: bool,
    pub(super) reported_stray_text: bool,
    pub(super) reported_lone_amp: bool,
    /// The encoding the XML declaration names, for the non-UTF-8 message.
    pub(super) declared_encoding: Option<String>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(bytes: &'a [u8], limits: &'a XmlLimits) -> Self {
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

    pub(super) fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// What was read, with the problems found.
    pub(super) fn into_file(self) -> XmlResultsFile {
        XmlResultsFile {
            header: self.header,
            candidates: self.candidates,
            unknown: self.unknown,
            problems: self.problems,
        }
    }

    pub(super) fn run(&mut self) -> Result<(), Stopped> {
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

    pub(super) fn local_name_of_top(&self) -> String {
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
}
