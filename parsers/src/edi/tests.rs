//! Unit tests of the EDI file reader: line splitting, record levels and series codes.

use super::structure::series_code;
use super::*;

#[test]
fn lines_split_on_crlf_or_lf_and_the_end_is_ignored() {
    assert_eq!(split_lines(b"O1\r\nO3\nO9\r\n"), [&b"O1"[..], b"O3", b"O9"]);
    // A final 0x1A, empty lines and lines of spaces at the end are not lines.
    assert_eq!(
        split_lines(b"O1\r\nO9\r\n\r\n   \r\n\t\n\x1A"),
        [&b"O1"[..], b"O9"]
    );
    // An empty line inside the file is a line.
    assert_eq!(split_lines(b"O1\n\nO9"), [&b"O1"[..], b"", b"O9"]);
    // A lone CR is not a line end.
    assert_eq!(split_lines(b"O1\rO9"), [&b"O1\rO9"[..]]);
    assert!(split_lines(b"\r\n\x1A").is_empty());
}

#[test]
fn record_levels_are_a_letter_and_a_digit() {
    assert!(looks_like_edi(b"O16G17_70"));
    assert!(looks_like_edi(b"r1"));
    assert!(!looks_like_edi(b"HD"));
    assert!(!looks_like_edi(b"11"));
    assert!(!looks_like_edi(b"O"));
    assert!(is_level(b"E7522050000003", level::CENTRE_TRAILER));
    assert!(!is_level(b"E5", level::CENTRE_TRAILER));
}

#[test]
fn series_codes_are_upper_case_with_the_year() {
    assert_eq!(series_code("6b", Some(17)), "6B17");
    assert_eq!(series_code("6A", Some(2026)), "6A26");
    assert_eq!(series_code("6a", None), "6A");
}
