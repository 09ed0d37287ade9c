//! The Unique Candidate Identifier and its mod-17 check character (jcq-formats.md §7.1).

/// Remainder → check letter (spec/layouts.md §7 [R]: 382 of 385 real UCIs validate with it).
pub const CHECK_LETTERS: [u8; 17] = *b"ABCDEFGHKLMRTVWXY";

/// Weights for characters 1 to 12.
const WEIGHTS: [u32; 12] = [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5];

/// The check letter for the first 12 characters of a UCI, or `None` if a character is not a
/// digit or letter.
pub fn check_letter(first12: &[u8]) -> Option<u8> {
    if first12.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (&c, w) in first12.iter().zip(WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            // A letter (`B` for an international centre in position 6) counts by its place
            // in the alphabet, A=1 (spec/layouts.md §7 [R]).
            b'A'..=b'Z' => u32::from(c - b'A') + 1,
            _ => return None,
        };
        sum += v * w;
    }
    Some(CHECK_LETTERS[(sum % 17) as usize])
}

/// Why a UCI is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UciProblem {
    /// Not 13 characters.
    Length(usize),
    /// A character other than a digit or capital letter.
    Characters,
    /// The 13th character is not the check letter; carries the expected letter.
    CheckLetter(char),
}

impl std::fmt::Display for UciProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UciProblem::Length(n) => write!(f, "a UCI has 13 characters, this has {n}"),
            UciProblem::Characters => f.write_str("a UCI holds only digits and capital letters"),
            UciProblem::CheckLetter(c) => write!(f, "the check character should be '{c}'"),
        }
    }
}

/// Checks a UCI: 13 characters, the last the check letter of the first 12.
pub fn validate(uci: &str) -> Result<(), UciProblem> {
    let b = uci.as_bytes();
    if uci.chars().count() != 13 {
        return Err(UciProblem::Length(uci.chars().count()));
    }
    match check_letter(&b[..12]) {
        None => Err(UciProblem::Characters),
        Some(c) if c == b[12] => Ok(()),
        Some(c) => Err(UciProblem::CheckLetter(c as char)),
    }
}

/// Appends the check letter to 12 characters (for the generator and tests).
pub fn with_check_letter(first12: &str) -> Option<String> {
    let c = check_letter(first12.as_bytes())?;
    Some(format!("{first12}{}", c as char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wjec_worked_example() {
        // 681990012058 → sum 550 → remainder 6 → G
        assert_eq!(check_letter(b"681990012058"), Some(b'G'));
        assert_eq!(validate("681990012058G"), Ok(()));
        assert_eq!(validate("681990012058H"), Err(UciProblem::CheckLetter('G')));
    }

    #[test]
    fn lengths_and_characters() {
        assert_eq!(validate("68199001205"), Err(UciProblem::Length(11)));
        assert_eq!(validate("68199001205.G"), Err(UciProblem::Characters));
        assert_eq!(validate(""), Err(UciProblem::Length(0)));
        assert_eq!(validate("ÉÉÉÉÉÉÉÉÉÉÉÉÉ"), Err(UciProblem::Characters));
    }

    #[test]
    fn letters_count_by_their_place_in_the_alphabet() {
        // 52205B176853: B counts 2, so the sum is 16*5+15*2+14*2+13*0+12*5+11*2+10*1+9*7+8*6
        // +7*8+6*5+5*3 = 442, and 442 mod 17 = 0: 'A'. With B counted as 11 it would be 'C'.
        assert_eq!(check_letter(b"52205B176853"), Some(b'A'));
    }

    #[test]
    fn generated_ucis_validate() {
        let uci = with_check_letter("145200260007").unwrap();
        assert_eq!(validate(&uci), Ok(()));
    }
}
