//! Lines of an EDI file: splitting on line ends, telling record levels apart, and the text
//! after a record's layout ends.

use crate::field::FieldReader;
use crate::layouts::{self, level, FieldSpec};
use crate::problem::{count, show_bytes, ProblemKind};

/// The longest line read as it stands. A record is at most 192 bytes and text after the layout
/// is only a warning, but a line longer than this is an error: it is what a file whose line ends
/// were lost looks like, its records run together on one line.
pub const MAX_LINE_BYTES: usize = 1024;

/// Whether a line is a record of level `digit` (`O1`, `R3`, ...), of any data-type letter.
pub(super) fn is_level(line: &[u8], digit: u8) -> bool {
    line.len() >= 2 && line[0].is_ascii_alphabetic() && line[1] == digit
}

/// Whether the bytes start like an EDI file: a letter and the file-header level digit.
pub fn looks_like_edi(bytes: &[u8]) -> bool {
    is_level(bytes, level::FILE_HEADER)
}

/// Splits into lines on LF, dropping a CR before it; a final 0x1A, and empty lines or lines of
/// spaces at the end, are ignored.
pub fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'\n' | b'\r' | 0x1A) {
        end -= 1;
    }
    let bytes = &bytes[..end];
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        lines.push(strip_cr(&bytes[start..nl]));
        start = nl + 1;
    }
    lines.push(strip_cr(&bytes[start..]));
    while lines
        .last()
        .is_some_and(|l| l.iter().all(|&b| b == b' ' || b == b'\t'))
    {
        lines.pop();
    }
    lines
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reports the text after a record's layout ends (kept in the message, not read): a warning, or
/// an error when the line is over `MAX_LINE_BYTES` or holds a carriage return, as a file whose
/// line ends were lost does.
pub(crate) fn extra_text(line: &[u8], len: Option<usize>, r: &mut FieldReader) {
    let Some(len) = len else { return };
    if line.len() <= len {
        return;
    }
    let tail = &line[len..];
    let too_long = line.len() > MAX_LINE_BYTES;
    if !too_long && tail.iter().all(|&b| b == b' ') {
        return;
    }
    let spec = FieldSpec {
        name: "after the record",
        start: len + 1,
        len: tail.len(),
        kind: layouts::FieldKind::Unused,
    };
    let not_read = format!(
        "{} after byte {len}, where the record's layout ends, {} not read: {}",
        count(tail.len(), "byte", "bytes"),
        if tail.len() == 1 { "is" } else { "are" },
        show_bytes(tail)
    );
    let cr = if tail.contains(&b'\r') {
        "; the line holds a carriage return (CR) with no line feed after it, so the file's lines \
         may end in CR alone, which is not a line end in an EDI file: ask the board for the file \
         again"
    } else {
        ""
    };
    if too_long {
        let message = format!(
            "the line is {} bytes long, over the limit of {MAX_LINE_BYTES} bytes for one line \
             (the record's layout is {len} bytes): {not_read}{cr}",
            line.len()
        );
        r.report(ProblemKind::LimitExceeded, &spec, message);
    } else if !cr.is_empty() {
        r.report(
            ProblemKind::MalformedRecord,
            &spec,
            format!("{not_read}{cr}"),
        );
    } else {
        r.report(ProblemKind::ExtraText, &spec, not_read);
    }
}
