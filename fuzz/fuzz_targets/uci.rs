//! Any string as a UCI: `uci::validate` never panics and its answer agrees with the check-letter
//! arithmetic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::uci::{self, UciProblem, CHECK_LETTERS};

fuzz_target!(|s: &str| {
    let result = uci::validate(s);
    let chars = s.chars().count();
    let alnum12 = s.len() >= 12
        && s.as_bytes()[..12]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    match result {
        Ok(()) => {
            assert_eq!(s.len(), 13, "{s:?}");
            assert!(alnum12, "{s:?}");
            assert!(CHECK_LETTERS.contains(&s.as_bytes()[12]), "{s:?}");
            assert_eq!(uci::with_check_letter(&s[..12]).as_deref(), Some(s));
        }
        Err(UciProblem::Length(n)) => {
            assert_eq!(n, chars, "{s:?}");
            assert_ne!(n, 13, "{s:?}");
        }
        Err(UciProblem::Characters) => {
            assert_eq!(chars, 13, "{s:?}");
            assert!(!alnum12, "{s:?}");
        }
        Err(UciProblem::CheckLetter(c)) => {
            assert_eq!(chars, 13, "{s:?}");
            assert!(alnum12, "{s:?}");
            assert!(CHECK_LETTERS.contains(&(c as u8)), "{s:?}");
            assert_ne!(s.as_bytes()[12], c as u8, "{s:?}");
            assert_eq!(uci::check_letter(&s.as_bytes()[..12]), Some(c as u8));
        }
    }
    if let Err(p) = result {
        assert!(!p.to_string().is_empty());
    }
});
