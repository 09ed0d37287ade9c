//! The candidates of a generated centre: their numbers, UCIs, UPNs, names, dates of birth, year
//! groups and the options each is entered for.

use chrono::NaiveDate;
use parsers::{uci, Item};

use super::catalogue::{Opt, ALEVEL_CHOICES, GCSE_CHOICES, GCSE_CORE};
use super::Rng;

const SURNAMES: &[&str] = &[
    "ADEBAYO",
    "BROWN",
    "CHEN",
    "DAVIES",
    "EVANS",
    "FLETCHER",
    "GREEN",
    "HUGHES",
    "IQBAL",
    "JONES",
    "KHAN",
    "LEWIS",
    "MORGAN",
    "NOWAK",
    "O'NEILL",
    "PATEL",
    "QUINN",
    "ROBERTS",
    "SMITH",
    "THOMAS",
    "UDDIN",
    "VAUGHAN",
    "WILLIAMS",
    "YOUNG",
    "ZHANG",
    "LE BRETON",
    "MÜLLER",
    "SAINT-JOHN",
];
const FORENAMES: &[&str] = &[
    "AMARA", "BEN", "CHLOE", "DANIEL", "ELLA", "FINLEY", "GRACE", "HARRY", "ISLA", "JACK", "KAI",
    "LILY", "MOHAMMED", "NOAH", "OLIVIA", "PRIYA", "RUBY", "SAM", "THEO", "ZARA", "ÉMILE", "JOSÉ",
];

/// One generated candidate.
pub(super) struct Candidate {
    pub(super) number: String,
    pub(super) uci: String,
    pub(super) upn: Option<String>,
    pub(super) name: String,
    pub(super) sex: char,
    pub(super) dob: NaiveDate,
    pub(super) year: u8,
    pub(super) options: Vec<&'static str>,
}

/// A UPN's check letter for its last twelve characters (the DfE's: digits weighted 2 to 13,
/// the sum modulo 23 into the alphabet without I, O and S).
pub(super) fn upn_check_letter(rest: &str) -> Option<char> {
    const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";
    let mut sum = 0u32;
    for (i, c) in rest.chars().enumerate() {
        sum += c.to_digit(10)? * (i as u32 + 2);
    }
    Some(char::from(LETTERS[(sum % 23) as usize]))
}

/// A fictional UPN for candidate `i` of `centre`: a local authority number and a secondary
/// school's establishment number (4xxx) made from the centre number, the year the UPN was given
/// and a serial.
pub(super) fn upn(centre: u32, i: usize, year: u8) -> Option<String> {
    let given = if year == 11 { 15 } else { 13 } + i / 1000;
    let rest = format!(
        "{:03}{:04}{given:02}{:03}",
        300 + (centre / 1000) % 600,
        4000 + centre % 1000,
        i % 1000
    );
    upn_check_letter(&rest).map(|c| format!("{c}{rest}"))
}

pub(super) fn candidates(centre: u32, n: usize, rng: &mut Rng, cat: &[Opt]) -> Vec<Candidate> {
    // The options a candidate taking `syllabus` is entered for: its certification option (at
    // one tier where it is tiered), after the units of the syllabus where it has units.
    let option_of = |syllabus: &str, higher: bool| -> Vec<&'static str> {
        let awards: Vec<&Opt> = cat
            .iter()
            .filter(|o| o.syllabus == syllabus && o.item != Item::Unit)
            .collect();
        let mut codes: Vec<&'static str> = cat
            .iter()
            .filter(|o| o.syllabus == syllabus && o.item == Item::Unit)
            .map(|o| o.code)
            .collect();
        codes.push(match awards.as_slice() {
            [one] => one.code,
            many => many
                .iter()
                .find(|o| (o.tier == Some('H')) == higher)
                .map_or(many[0].code, |o| o.code),
        });
        codes
    };
    (1..=n)
        .map(|i| {
            let year = if rng.chance(600) { 11 } else { 13 };
            let mut options = Vec::new();
            if year == 11 {
                let higher = rng.chance(550);
                for s in GCSE_CORE {
                    options.extend(option_of(s, higher));
                }
                let mut choices: Vec<&str> = GCSE_CHOICES.to_vec();
                for _ in 0..4 {
                    let s = choices.remove(rng.below(choices.len()));
                    options.extend(option_of(s, higher));
                }
            } else {
                let mut choices: Vec<&str> = ALEVEL_CHOICES.to_vec();
                for _ in 0..3 {
                    let s = choices.remove(rng.below(choices.len()));
                    options.extend(option_of(s, false));
                }
                if rng.chance(300) {
                    options.push("H856");
                }
            }
            let number = format!("{i:04}");
            let first12 = format!(
                "{centre:05}0{}{number}",
                if year == 11 { "21" } else { "19" }
            );
            Candidate {
                uci: uci::with_check_letter(&first12).unwrap_or(first12),
                upn: upn(centre, i, year),
                name: format!("{}:{}", rng.pick(SURNAMES), rng.pick(FORENAMES)),
                sex: if rng.chance(500) { 'F' } else { 'M' },
                dob: NaiveDate::from_ymd_opt(
                    if year == 11 { 2010 } else { 2008 },
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                )
                .unwrap_or_default(),
                number,
                year,
                options,
            }
        })
        .collect()
}
