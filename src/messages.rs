//! Everything resultsday says to a person goes through here, so tone and format are the same
//! everywhere.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// An error that stops a command, on stderr.
pub fn error(e: &dyn Display) {
    let _ = writeln!(std::io::stderr(), "resultsday: error: {e}");
}

/// A warning that does not stop a command, on stderr.
pub fn warn(e: &dyn Display) {
    let _ = writeln!(std::io::stderr(), "resultsday: warning: {e}");
}

/// Whether stdout is a terminal (for colour and progress).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stderr is a terminal (for progress bars).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
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
