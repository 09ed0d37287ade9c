//! Text and references: the XML entities, character references and line ends, and text quoted
//! for a message.

use super::parser::Parser;
use crate::problem::{Problem, ProblemKind};

/// Distinct undefined entities (or bad character references) reported one by one; after that,
/// one more problem says there are more. `&e1;&e2;...` would otherwise give a long message per
/// five bytes of input.
pub(super) const MAX_REFERENCE_PROBLEMS: usize = 100;

impl Parser<'_> {
    /// The text of `&name;`. Only the five XML entities and character references are read; any
    /// other entity (declared in a DTD or not) is never expanded and is kept as written.
    pub(super) fn resolve_ref(&mut self, name: &str, line: usize, field: &str) -> String {
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
    pub(super) fn unescape_attribute(&mut self, raw: &str, line: usize, attribute: &str) -> String {
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
pub(super) fn normalise_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Text found in a file, quoted for a message: cut when long, control characters escaped.
pub(super) fn quoted(text: &str) -> String {
    format!("'{}'", shorten(text))
}

pub(super) fn shorten(text: &str) -> String {
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
