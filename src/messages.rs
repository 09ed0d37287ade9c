//! Everything resultsday says to a person goes through here, so tone and format are the same
//! everywhere.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// An error that stops a command, on stderr. Control characters in it (from a file name or a
/// file's text) are shown escaped, so they cannot recolour the terminal; a message of several
/// lines (a TOML parser's, with its pointer at the column) keeps them, each indented under the
/// first, so no line of it can pass for a line resultsday wrote.
pub fn error(e: &dyn Display) {
    let _ = writeln!(
        std::io::stderr(),
        "resultsday: error: {}",
        indented(&e.to_string())
    );
}

/// A warning that does not stop a command, on stderr, made safe as [`error`] is.
pub fn warn(e: &dyn Display) {
    let _ = writeln!(
        std::io::stderr(),
        "resultsday: warning: {}",
        indented(&e.to_string())
    );
}

/// Each line escaped, the lines after the first indented.
fn indented(text: &str) -> String {
    text.trim_end_matches('\n')
        .split('\n')
        .map(escape_terminal)
        .collect::<Vec<_>>()
        .join("\n    ")
}

/// Whether stdout is a terminal (for colour and progress).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stderr is a terminal (for progress bars).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Progress through the stages of a long command, on a terminal only.
pub struct Stages(indicatif::ProgressBar);

impl Stages {
    /// A spinner showing the current stage; hidden when `show` is false (not a terminal, or
    /// `--quiet`).
    pub fn new(show: bool) -> Stages {
        if !show {
            return Stages(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Stages(bar)
    }

    pub fn stage(&self, what: &'static str) {
        self.0.set_message(what);
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// `1 record`, `2 records`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(super::count(1, "result", "results"), "1 result");
        assert_eq!(super::count(0, "result", "results"), "0 results");
    }
}

/// Text from a file, made safe to print on a terminal: control characters (an escape that
/// would recolour the screen, a newline that would forge a line) are shown escaped.
pub fn escape_terminal(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod escape_tests {
    use super::escape_terminal;

    #[test]
    fn a_message_of_several_lines_is_indented_under_its_first() {
        assert_eq!(
            super::indented("bad.toml: parse error\n  |\n1 | [x\u{1b}]\n"),
            "bad.toml: parse error\n      |\n    1 | [x\\u{1b}]"
        );
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape_terminal("AQA    001"), "AQA    001");
        assert_eq!(escape_terminal("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
    }
}

/// A report of several lines, each made safe to print as [`escape_terminal`] makes one.
pub fn escape_report(text: &str) -> String {
    text.split('\n')
        .map(escape_terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

// I/O errors in an exams officer's words, by what was being done: reading an input, writing an
// output, opening the store.

/// The error number of "too many levels of symbolic links" (a link that leads to itself).
#[cfg(any(target_os = "linux", target_os = "android"))]
const ELOOP: Option<i32> = Some(40);
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
const ELOOP: Option<i32> = Some(62);
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd"
)))]
const ELOOP: Option<i32> = None;

/// A read error in an exams officer's words.
pub fn describe_read(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    if ELOOP.is_some() && e.raw_os_error() == ELOOP {
        return "is a link that leads round in a loop (to itself, or to a link that leads back \
                to it); not followed"
            .into();
    }
    match e.kind() {
        ErrorKind::NotFound => "no such file or folder".into(),
        ErrorKind::PermissionDenied => "permission denied: resultsday may not read it".into(),
        _ => format!("cannot be read: {e}"),
    }
}

/// A write error in an exams officer's words.
pub fn describe_write(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(28) => "no space left on the device".into(),
        Some(122) => "the disk quota is used up".into(),
        Some(30) => "the disk is read-only".into(),
        Some(20) => "a file is where a folder on its way should be".into(),
        Some(21) => "it is a folder".into(),
        _ => match e.kind() {
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            std::io::ErrorKind::NotFound => "its folder does not exist".into(),
            _ => e.to_string(),
        },
    }
}

/// An error opening the store (or its folder) in an exams officer's words.
pub fn describe_open(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "its folder does not exist".into(),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied: resultsday may not read or write it".into()
        }
        _ => e.to_string(),
    }
}
