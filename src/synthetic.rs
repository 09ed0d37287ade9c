//! Deterministic fictional centres in the JCQ layouts (`shared/spec/layouts.md`, version 2), for
//! tests, benchmarks and the `generate` example. The same [`Spec`] always gives the same bytes.
//!
//! One centre: `OUT/basedata`, `OUT/entries`, `OUT/results`, `OUT/candidates.csv`.
//! Several: `OUT/basedata` once, then `OUT/<centre>/entries`, `OUT/<centre>/results` and
//! `OUT/<centre>/candidates.csv`. Centres are numbered from 10000.
//!
//! Every EDI file is written as the boards write them: `x1`, `x3`, the detail records, `x7`,
//! `x9`, each line padded to the data type's record length, CRLF line ends, format version 14.
//! Basedata (`S`, `O`, `C`, `L` for AQA `70`, OCR `01` and WJEC `40`) is named and headed by the
//! series (`O6A26_70.X01`, centre field `6A26_`, distribution `B`) with the board's sender field;
//! a centre's entries (`E`, sent by the centre: sender `<centre>  001`, with its postcode) and
//! results (`R`, sent by the board) have distribution `S`. Entries are one `E5` per candidate and
//! board, the candidate's options in its slots.
//!
//! The catalogue covers GCSE 9–1 (gradeset `40`; combined science a double award, level `DA`,
//! gradesets `15` + `15`), GCE A level (`4`), the Extended Project (`EXPJ`, `4`) and a Cambridge
//! National (`CNAT` `1&2`, `21`): its certification option and three units (item `U`) of the same
//! syllabus, entered together. English Language carries the spoken-language endorsement
//! (endorsement gradeset `42`), biology and physics A level the practical endorsement (`43`).
//!
//! What a centre's files hold, by chance per candidate or entry:
//! - a candidate is in year 11 six times in ten (four core GCSEs, each tiered option at one tier,
//!   higher 55 in 100, and four of six other GCSEs), else in year 13 (three of four A levels,
//!   and the Extended Project three times in ten);
//! - about 1 entry in 200 has no result (a missing result to chase);
//! - of those resulted, about 4 in 1,000 are `X` (no result) and about 3 in 1,000 `Q` (pending);
//! - about 5 in 1,000 one-character grades carry the partial-absence `#`;
//! - OCR sends marks (flag `M`, with the components' marks in its A2C XML file) where the option
//!   has no endorsement; an endorsement grade is sent with flag `E` (`P` for the practical
//!   endorsement; `D`, `M` or `P` for spoken language);
//! - the MIS export marks pupil premium 25, SEN 15 and EAL 20 in 100.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use parsers::{
    uci, writer, Component, DataType, EntryOption, EntryRecord, Grade, Header, Item, Link,
    ResultFlag, ResultRecord, Session, Syllabus,
};

const SERIES: &str = "6A26";

/// The format version every generated file says it is.
const VERSION: u16 = 14;

/// The centre field of a basedata file's headers and trailers: series, year and `_`.
const BASEDATA_CENTRE: &str = "6A26_";

/// The boards the catalogue has options of, in the order their files are written.
const BOARDS: [&str; 3] = ["70", "01", "40"];

/// The fictional postcode on a centre's entries (`x3` bytes 17–24, written without its space as
/// the real files have it).
const POSTCODE: &str = "ZZ999ZZ";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Candidates per centre (at most 9999: a candidate number has 4 digits).
    pub candidates: usize,
    pub centres: usize,
    pub out: PathBuf,
    pub seed: u64,
}

/// A small, fast, deterministic random source (SplitMix64).
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, per_thousand: u64) -> bool {
        self.next() % 1000 < per_thousand
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// The sender field (`x1` bytes 15–24) of a file a board writes, as each board fills it.
fn board_sender(board: &str) -> &'static str {
    match board {
        "70" => "AQA    001",
        "01" => "UCLES01EPS",
        "40" | "41" => "WJEC      ",
        "10" | "11" | "13" | "15" => "EDEXCEL   ",
        _ => "",
    }
}

/// The sender field of a file a centre writes: its centre number, two spaces and the sequence.
fn centre_sender(centre: &str, sequence: u16) -> String {
    format!("{centre:<5}  {sequence:03}")
}

/// A qualification and level as an `O5` names them (`data/qualifications.csv`).
type QualLevel = (&'static str, &'static str);

const GCSE: QualLevel = ("GCSE", "FC");
const GCSE_DOUBLE: QualLevel = ("GCSE", "DA");
const GCE_A: QualLevel = ("GCE", "A");
const PROJECT: QualLevel = ("EXPJ", "B");
const CNAT: QualLevel = ("CNAT", "1&2");

/// One entry option in the generated catalogue.
struct Opt {
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    /// The option's qualification and level; blank for a unit, whose qualification and level
    /// are in `unit_of`.
    qualification: QualLevel,
    item: Item,
    /// For a unit (item `U`): the qualification and level of the award it counts toward, a
    /// certification option of the same syllabus.
    unit_of: QualLevel,
    tier: Option<char>,
    /// The result gradeset (`O5` 94–97).
    gradeset: &'static str,
    /// A double award's second-grade gradeset (`O5` 98–101).
    gradeset2: Option<&'static str>,
    /// The endorsement gradeset (`O5` 102–105), if the qualification carries one.
    endorsement: Option<&'static str>,
    /// The board sends marks (OCR does, where there is no endorsement).
    marks: bool,
    /// The DfE discount code and the QAN (`O5` 31–34, 35–42) where a real basedata file shows
    /// them; blank otherwise (`9999`, the code the boards give units, for a unit).
    discount: &'static str,
    qan: &'static str,
    /// (component code suffix, max mark)
    components: &'static [(&'static str, u16)],
}

const fn opt(
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    qualification: QualLevel,
    gradeset: &'static str,
    components: &'static [(&'static str, u16)],
) -> Opt {
    Opt {
        board,
        code,
        syllabus,
        title,
        qualification,
        item: Item::Certification,
        unit_of: ("", ""),
        tier: None,
        gradeset,
        gradeset2: None,
        endorsement: None,
        marks: false,
        discount: "",
        qan: "",
        components,
    }
}

/// A unit of `qualification` toward the certification option of `syllabus`.
const fn unit(
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    qualification: QualLevel,
    gradeset: &'static str,
    components: &'static [(&'static str, u16)],
) -> Opt {
    Opt {
        qualification: ("", ""),
        item: Item::Unit,
        unit_of: qualification,
        discount: "9999",
        ..opt(board, code, syllabus, title, ("", ""), gradeset, components)
    }
}

const P3: &[(&str, u16)] = &[("01", 100), ("02", 100), ("03", 100)];
const P2: &[(&str, u16)] = &[("01", 80), ("02", 80)];

fn catalogue() -> Vec<Opt> {
    vec![
        Opt {
            endorsement: Some("42"),
            discount: "FK2B",
            qan: "60142923",
            ..opt("70", "8700", "8700", "ENGLISH LANGUAGE", GCSE, "40", P2)
        },
        Opt {
            discount: "FC4",
            qan: "60144476",
            ..opt("70", "8702", "8702", "ENGLISH LITERATURE", GCSE, "40", P2)
        },
        Opt {
            tier: Some('F'),
            gradeset2: Some("15"),
            ..opt(
                "70",
                "8464F",
                "8464",
                "COMBINED SCIENCE: TRILOGY F",
                GCSE_DOUBLE,
                "15",
                &[("1F", 70), ("2F", 70), ("3F", 70)],
            )
        },
        Opt {
            tier: Some('H'),
            gradeset2: Some("15"),
            ..opt(
                "70",
                "8464H",
                "8464",
                "COMBINED SCIENCE: TRILOGY H",
                GCSE_DOUBLE,
                "15",
                &[("1H", 70), ("2H", 70), ("3H", 70)],
            )
        },
        Opt {
            ..opt("70", "8035", "8035", "GEOGRAPHY", GCSE, "40", P3)
        },
        Opt {
            ..opt("70", "8145", "8145", "HISTORY", GCSE, "40", P2)
        },
        Opt {
            endorsement: Some("43"),
            discount: "1010",
            qan: "60146254",
            ..opt("70", "7402", "7402", "BIOLOGY", GCE_A, "4", P3)
        },
        Opt {
            discount: "4850",
            qan: "6014838X",
            ..opt("70", "7182", "7182", "PSYCHOLOGY", GCE_A, "4", P3)
        },
        Opt {
            tier: Some('F'),
            marks: true,
            discount: "RB1",
            qan: "60146060",
            ..opt(
                "01",
                "J560F",
                "J560",
                "MATHEMATICS F",
                GCSE,
                "40",
                &[("01", 100), ("02", 100), ("03", 100)],
            )
        },
        Opt {
            tier: Some('H'),
            marks: true,
            discount: "RB1",
            qan: "60146060",
            ..opt(
                "01",
                "J560H",
                "J560",
                "MATHEMATICS H",
                GCSE,
                "40",
                &[("04", 100), ("05", 100), ("06", 100)],
            )
        },
        Opt {
            marks: true,
            ..opt("01", "J277", "J277", "COMPUTER SCIENCE", GCSE, "40", P2)
        },
        Opt {
            marks: true,
            ..opt("01", "H240", "H240", "MATHEMATICS", GCE_A, "4", P3)
        },
        Opt {
            endorsement: Some("43"),
            ..opt("01", "H556", "H556", "PHYSICS A", GCE_A, "4", P3)
        },
        Opt {
            ..opt(
                "01",
                "H856",
                "H856",
                "EXTENDED PROJECT",
                PROJECT,
                "4",
                &[("01", 50)],
            )
        },
        Opt {
            ..opt(
                "01",
                "J837",
                "J837",
                "ENTERPRISE AND MARKETING",
                CNAT,
                "21",
                &[],
            )
        },
        unit(
            "01",
            "R067",
            "J837",
            "ENTERPRISE AND MARKETING CONCEPTS",
            CNAT,
            "21",
            &[("01", 70)],
        ),
        unit(
            "01",
            "R068",
            "J837",
            "DESIGN A BUSINESS PROPOSAL",
            CNAT,
            "21",
            &[("01", 60)],
        ),
        unit(
            "01",
            "R069",
            "J837",
            "MARKET AND PITCH A PROPOSAL",
            CNAT,
            "21",
            &[("01", 60)],
        ),
        Opt {
            ..opt("40", "C120P1", "C120", "RELIGIOUS STUDIES", GCSE, "40", P3)
        },
        Opt {
            ..opt(
                "40",
                "C800P1",
                "C800",
                "FRENCH",
                GCSE,
                "40",
                &[("1", 60), ("2", 60), ("3", 60), ("4", 60)],
            )
        },
    ]
}
const GCSE_CORE: &[&str] = &["8700", "8702", "J560", "8464"];
const GCSE_CHOICES: &[&str] = &["8035", "8145", "J277", "C120", "C800", "J837"];
const ALEVEL_CHOICES: &[&str] = &["7402", "7182", "H240", "H556"];

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

fn created(day: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(2026, 8, day).and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// A file's header: `centre` is the centre number, or [`BASEDATA_CENTRE`] for basedata; the
/// distribution follows from the data type; `created` is the `x7` date.
fn header(data_type: DataType, centre: &str, board: &str, sender: &str, day: u32) -> Header {
    Header {
        data_type,
        centre: centre.to_string(),
        awarding_body: board.to_string(),
        series: SERIES.to_string(),
        distribution: Some(if data_type.is_basedata() { 'B' } else { 'S' }),
        sender: sender.to_string(),
        version: VERSION,
        sequence: 1,
        created: created(day),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<usize, String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(bytes.len())
}

/// Writes the centres `spec` asks for; returns the bytes written.
pub fn generate(args: &Spec) -> Result<usize, String> {
    let cat = catalogue();
    let basedata_dir = args.out.join("basedata");
    std::fs::create_dir_all(&basedata_dir)
        .map_err(|e| format!("{}: {e}", basedata_dir.display()))?;
    let mut total = write_basedata(&basedata_dir, &cat)?;
    let centres: Vec<u32> = (0..args.centres as u32).map(|i| 10_000 + i).collect();
    let written: Result<Vec<usize>, String> = centres
        .par_iter()
        .map(|&centre| {
            let dir = if args.centres == 1 {
                args.out.clone()
            } else {
                args.out.join(format!("{centre:05}"))
            };
            write_centre(&dir, centre, args, &cat)
        })
        .collect();
    total += written?.iter().sum::<usize>();
    Ok(total)
}

/// The code of an option's component: its syllabus code and the component's suffix.
fn component_code(o: &Opt, suffix: &str) -> String {
    format!("{}{}", o.syllabus, suffix)
}

/// An option's basedata record.
fn entry_option(o: &Opt) -> EntryOption {
    let some = |s: &'static str| (!s.is_empty()).then(|| s.to_string());
    let max: u16 = o.components.iter().map(|(_, m)| m).sum();
    EntryOption {
        line: 0,
        code: o.code.into(),
        syllabus: o.syllabus.into(),
        qualification: o.qualification.0.into(),
        level: o.qualification.1.into(),
        item: Some(o.item),
        unit_qualification: o.unit_of.0.into(),
        unit_level: o.unit_of.1.into(),
        process: None,
        discount_code: some(o.discount),
        qan: some(o.qan),
        title: o.title.into(),
        fee_flag: Some('Y'),
        fee_pence: Some(4_850),
        result_type: None,
        gradeset: some(o.gradeset),
        gradeset2: o.gradeset2.map(Into::into),
        endorsement_gradeset: o.endorsement.map(Into::into),
        endorsement_gradeset2: None,
        max_mark: (o.marks && max > 0).then_some(max),
        components: Some(o.components.len() as u16),
    }
}

fn write_basedata(dir: &Path, cat: &[Opt]) -> Result<usize, String> {
    let mut total = 0;
    for board in BOARDS {
        let opts: Vec<&Opt> = cat.iter().filter(|o| o.board == board).collect();
        let name = |letter: char| dir.join(format!("{letter}{SERIES}_{board}.X01"));
        let head = |data_type| header(data_type, BASEDATA_CENTRE, board, board_sender(board), 1);
        let mut syllabuses: Vec<Syllabus> = Vec::new();
        for o in &opts {
            if syllabuses.iter().any(|s| s.code == o.syllabus) {
                continue;
            }
            syllabuses.push(Syllabus {
                line: 0,
                code: o.syllabus.into(),
                title: o.title.trim_end_matches(" F").trim_end_matches(" H").into(),
            });
        }
        let options = opts.iter().map(|o| writer::option(&entry_option(o)));
        let components = opts.iter().flat_map(|o| {
            o.components
                .iter()
                .enumerate()
                .map(move |(i, (suffix, max))| {
                    writer::component(&Component {
                        line: 0,
                        code: component_code(o, suffix),
                        title: format!("{} PAPER {}", o.title, i + 1),
                        teacher_marks: Some('N'),
                        max_mark: Some(*max),
                        gradeset: None,
                        due_date: None,
                        timetabled: Some('T'),
                        exam_date: NaiveDate::from_ymd_opt(2026, 5, 11 + (i as u32 * 7) % 28),
                        session: Some(if i % 2 == 0 {
                            Session::Morning
                        } else {
                            Session::Afternoon
                        }),
                        duration_min: Some(90),
                    })
                })
        });
        let links = opts.iter().flat_map(|o| {
            o.components.iter().map(move |(suffix, _)| {
                writer::link(&Link {
                    line: 0,
                    option_code: o.code.into(),
                    component_code: component_code(o, suffix),
                })
            })
        });
        total += write(
            &name('S'),
            &writer::file(
                &head(DataType::Syllabuses),
                syllabuses.iter().map(writer::syllabus),
            ),
        )?;
        total += write(&name('O'), &writer::file(&head(DataType::Options), options))?;
        total += write(
            &name('C'),
            &writer::file(&head(DataType::Components), components),
        )?;
        total += write(&name('L'), &writer::file(&head(DataType::Links), links))?;
    }
    Ok(total)
}

/// One generated candidate.
struct Candidate {
    number: String,
    uci: String,
    upn: Option<String>,
    name: String,
    sex: char,
    dob: NaiveDate,
    year: u8,
    options: Vec<&'static str>,
}

/// A UPN's check letter for its last twelve characters (the DfE's: digits weighted 2 to 13,
/// the sum modulo 23 into the alphabet without I, O and S).
fn upn_check_letter(rest: &str) -> Option<char> {
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
fn upn(centre: u32, i: usize, year: u8) -> Option<String> {
    let given = if year == 11 { 15 } else { 13 } + i / 1000;
    let rest = format!(
        "{:03}{:04}{given:02}{:03}",
        300 + (centre / 1000) % 600,
        4000 + centre % 1000,
        i % 1000
    );
    upn_check_letter(&rest).map(|c| format!("{c}{rest}"))
}

fn candidates(centre: u32, n: usize, rng: &mut Rng, cat: &[Opt]) -> Vec<Candidate> {
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

/// A grade from the gradeset, skewed toward the middle.
fn draw_grade(gradeset: &str, rng: &mut Rng) -> &'static str {
    const GCSE_91: &[&str] = &[
        "9", "8", "7", "7", "6", "6", "6", "5", "5", "5", "4", "4", "4", "3", "3", "2", "1", "U",
    ];
    const GCE_A: &[&str] = &[
        "A*", "A", "A", "B", "B", "B", "C", "C", "C", "D", "D", "E", "U",
    ];
    const CNAT: &[&str] = &[
        "*2", "D2", "D2", "M2", "M2", "M2", "P2", "P2", "D1", "M1", "P1", "U",
    ];
    match gradeset {
        "4" => rng.pick_str(GCE_A),
        "21" => rng.pick_str(CNAT),
        _ => rng.pick_str(GCSE_91),
    }
}
/// A double award's second grade, as the boards award them: the first grade or the one below it
/// (`7` then `7` or `6`; `1` then `1`; `U` then `U`), chosen by the parity of `drawn` (a grade of
/// the second gradeset); none when the first is `X`, `Q` or blank.
fn second_grade(first: Option<&Grade>, drawn: &'static str) -> &'static str {
    const DIGITS: [&str; 10] = ["U", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let Some(first) = first else {
        return "";
    };
    if first.is_unclassified() {
        return "U";
    }
    let Some(d) = first
        .code
        .parse::<usize>()
        .ok()
        .filter(|d| (1..=9).contains(d))
    else {
        return "";
    };
    let lower = drawn.parse::<usize>().is_ok_and(|n| n % 2 == 1);
    if lower && d > 1 {
        DIGITS[d - 1]
    } else {
        DIGITS[d]
    }
}

fn write_centre(dir: &Path, centre: u32, args: &Spec, cat: &[Opt]) -> Result<usize, String> {
    let mut rng = Rng::new(
        args.seed
            .wrapping_mul(1_000_003)
            .wrapping_add(u64::from(centre)),
    );
    let centre_no = format!("{centre:05}");
    let cands = candidates(centre, args.candidates, &mut rng, cat);
    let (entries_dir, results_dir) = (dir.join("entries"), dir.join("results"));
    for d in [&entries_dir, &results_dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let mut total = 0;
    let mut xml = String::new();
    for board in BOARDS {
        let mut entries = Vec::new();
        let mut results = Vec::new();
        for c in &cands {
            let mut xml_results = String::new();
            for code in &c.options {
                let Some(o) = cat.iter().find(|o| o.code == *code && o.board == board) else {
                    continue;
                };
                entries.push(EntryRecord {
                    line: 0,
                    candidate_type: Some('C'),
                    centre: centre_no.clone(),
                    candidate_number: c.number.clone(),
                    uci: c.uci.clone(),
                    uln: None,
                    name: c.name.clone(),
                    sex: Some(c.sex),
                    date_of_birth: Some(c.dob),
                    upn: c.upn.clone(),
                    option_code: o.code.into(),
                    action: None,
                });
                // About 1 in 200 entries has no result yet: a missing result to chase.
                if rng.chance(5) {
                    continue;
                }
                let g = if rng.chance(4) {
                    "X"
                } else if rng.chance(3) {
                    "Q"
                } else {
                    draw_grade(o.gradeset, &mut rng)
                };
                let grade = Grade::parse(g).map(|mut g| {
                    // The grade field has two bytes: `#` fits only after a one-character grade.
                    g.partial_absence =
                        rng.chance(5) && g.code.len() == 1 && !g.is_no_result() && !g.is_pending();
                    g
                });
                let grade2 = o
                    .gradeset2
                    .map(|g2| second_grade(grade.as_ref(), draw_grade(g2, &mut rng)))
                    .and_then(Grade::parse);
                let max: u16 = o.components.iter().map(|(_, m)| m).sum();
                let mark = (o.marks && max > 0).then(|| rng.below(usize::from(max) + 1) as u16);
                let endorsement = o.endorsement.map(|e| {
                    if e == "43" {
                        "P"
                    } else {
                        *rng.pick(&["D", "M", "P"])
                    }
                });
                let r = ResultRecord {
                    line: 0,
                    centre: centre_no.clone(),
                    candidate_number: c.number.clone(),
                    option_code: o.code.into(),
                    uci: c.uci.clone(),
                    flag: if mark.is_some() {
                        ResultFlag::Mark
                    } else if endorsement.is_some() {
                        ResultFlag::Endorsement
                    } else {
                        ResultFlag::Neither
                    },
                    grade,
                    grade2,
                    mark,
                    max_mark: mark.map(|_| max),
                    endorsement: endorsement.map(Into::into),
                    name: c.name.clone(),
                };
                if let (true, Some(m)) = (board == "01", r.mark) {
                    let mut left = m;
                    let comps: String = o
                        .components
                        .iter()
                        .map(|(suffix, cmax)| {
                            let cm = left.min(*cmax);
                            left -= cm;
                            format!(
                                "<r:Component><r:Code>{}{suffix}</r:Code><r:Mark>{cm}</r:Mark><r:MaxMark>{cmax}</r:MaxMark></r:Component>",
                                o.syllabus
                            )
                        })
                        .collect();
                    xml_results.push_str(&format!(
                        "<r:Result><r:OptionCode>{}</r:OptionCode><r:Grade>{}</r:Grade><r:Mark>{m}</r:Mark><r:MaxMark>{max}</r:MaxMark>{comps}</r:Result>",
                        o.code,
                        r.grade.as_ref().map(|g| g.as_sent()).unwrap_or_default()
                    ));
                }
                results.push(writer::result(&r));
            }
            if !xml_results.is_empty() {
                xml.push_str(&format!(
                    "<r:Candidate><r:CandidateNumber>{}</r:CandidateNumber><r:UCI>{}</r:UCI><r:Name>{}</r:Name>{xml_results}</r:Candidate>\n",
                    c.number,
                    c.uci,
                    c.name.replace('&', "&amp;").replace('<', "&lt;").replace('\'', "&apos;")
                ));
            }
        }
        let sender = centre_sender(&centre_no, 1);
        let entries_header = header(DataType::Entries, &centre_no, board, &sender, 1);
        total += write(
            &entries_dir.join(format!("E{centre_no}{board}.X01")),
            &writer::file_of_blocks(
                &entries_header,
                vec![writer::Block {
                    centre: centre_no.clone(),
                    postcode: Some(POSTCODE.into()),
                    details: writer::entries(&entries),
                }],
            ),
        )?;
        let results_header = header(
            DataType::Results,
            &centre_no,
            board,
            board_sender(board),
            19,
        );
        total += write(
            &results_dir.join(format!("R{centre_no}{board}.X01")),
            &writer::file(&results_header, results),
        )?;
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r:EDIResults xmlns:r=\"urn:jcq:a2c:results:1\" version=\"14\">\n<r:Header><r:CentreNumber>{centre_no}</r:CentreNumber><r:AwardingBody>01</r:AwardingBody><r:Series>{SERIES}</r:Series><r:Created>2026-08-19T00:01:00</r:Created></r:Header>\n{xml}</r:EDIResults>\n"
    );
    let guid = format!("{:08X}-0000-4000-8000-{:012X}", centre, args.seed);
    total += write(
        &results_dir.join(format!("a2c.{centre_no}.01.EDIResults.{guid}.xml")),
        xml.as_bytes(),
    )?;
    let mut mis = String::from("candidate_number,uci,surname,forenames,sex,date_of_birth,year_group,form,pupil_premium,sen,eal\n");
    for c in &cands {
        let (surname, forenames) = c.name.split_once(':').unwrap_or((&c.name, ""));
        mis.push_str(&format!(
            "{},{},{},{},{},{},{},{}{},{},{},{}\n",
            c.number,
            c.uci,
            surname,
            forenames,
            c.sex,
            c.dob.format("%Y-%m-%d"),
            c.year,
            c.year,
            ["A", "B", "C", "D"][rng.below(4)],
            if rng.chance(250) { "Y" } else { "N" },
            if rng.chance(150) { "Y" } else { "N" },
            if rng.chance(200) { "Y" } else { "N" },
        ));
    }
    total += write(&dir.join("candidates.csv"), mis.as_bytes())?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use parsers::{parse_file, Content, EdiFile, Layouts, Records};

    use super::*;

    /// Every file under `dir`, by path relative to it, with its bytes.
    fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect()
    }

    fn generated(candidates: usize, centres: usize, seed: u64) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        generate(&Spec {
            candidates,
            centres,
            out: dir.path().to_path_buf(),
            seed,
        })
        .unwrap();
        dir
    }

    /// The EDI files of a generated set, read.
    fn edi_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>, EdiFile)> {
        files(dir)
            .into_iter()
            .filter(|(p, _)| p.extension().is_some_and(|x| x != "xml" && x != "csv"))
            .map(|(p, bytes)| {
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                let parsed = parse_file(&name, &bytes);
                assert!(
                    parsed.problems.is_empty(),
                    "{}: {:?}",
                    p.display(),
                    parsed.problems
                );
                let Content::Edi(edi) = parsed.content else {
                    panic!("{} is not read as an EDI file", p.display());
                };
                (p, bytes, edi)
            })
            .collect()
    }

    #[test]
    fn the_same_spec_gives_the_same_bytes() {
        let (a, b) = (generated(40, 2, 7), generated(40, 2, 7));
        assert_eq!(files(a.path()), files(b.path()));
        let c = generated(40, 2, 8);
        assert_ne!(files(a.path()), files(c.path()));
    }

    #[test]
    fn every_file_is_read_whole_with_no_problem_and_as_the_boards_write_it() {
        let dir = generated(60, 2, 3);
        let edi = edi_files(dir.path());
        // Basedata S/O/C/L for three boards; entries and results for three boards per centre.
        assert_eq!(edi.len(), 12 + 2 * 6);
        for (path, bytes, file) in &edi {
            let at = path.display();
            assert!(file.problems.is_empty(), "{at}: {:?}", file.problems);
            assert_eq!(file.unreadable_lines(), 0, "{at}");
            assert!(!file.records.is_empty(), "{at}: no records");
            let header = file.header.as_ref().unwrap();
            let data_type = header.data_type;
            let len = Layouts::builtin()
                .record_len(data_type.letter() as u8)
                .unwrap();
            let text = bytes.strip_suffix(b"\n").expect("a final line end");
            let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            for (i, line) in lines.iter().enumerate() {
                let line = line
                    .strip_suffix(b"\r")
                    .unwrap_or_else(|| panic!("{at}: line {} does not end in CRLF", i + 1));
                assert_eq!(line.len(), len, "{at}: line {} is not {len} bytes", i + 1);
            }
            let codes: Vec<&[u8]> = lines.iter().map(|l| &l[..2]).collect();
            let letter = data_type.letter() as u8;
            assert_eq!(codes[0], [letter, b'1'], "{at}");
            assert_eq!(codes[1], [letter, b'3'], "{at}");
            assert_eq!(codes[codes.len() - 2], [letter, b'7'], "{at}");
            assert_eq!(codes[codes.len() - 1], [letter, b'9'], "{at}");
            assert_eq!(
                file.trailer.as_ref().unwrap().count,
                lines.len() as u64,
                "{at}"
            );
            // Every detail line read: one record each, an E5 one per option it holds.
            assert_eq!(file.detail_lines, lines.len() - 4, "{at}");
            assert!(file.records.len() >= file.detail_lines, "{at}");
            assert_eq!(header.version, 14, "{at}");
            assert_eq!(header.series, SERIES, "{at}");
            let board = header.awarding_body.as_str();
            if data_type.is_basedata() {
                assert_eq!(header.centre, "6A26_", "{at}");
                assert_eq!(header.distribution, Some('B'), "{at}");
                assert_eq!(header.sender, board_sender(board).trim_end(), "{at}");
            } else {
                assert_eq!(header.distribution, Some('S'), "{at}");
                let centre = header.centre.as_str();
                let sender = match data_type {
                    DataType::Entries => format!("{centre}  001"),
                    _ => board_sender(board).trim_end().to_string(),
                };
                assert_eq!(header.sender, sender, "{at}");
                assert_eq!(file.centres.len(), 1, "{at}");
                let postcode = file.centres[0].postcode.as_deref();
                match data_type {
                    DataType::Entries => assert_eq!(postcode, Some(POSTCODE), "{at}"),
                    _ => assert_eq!(postcode, None, "{at}"),
                }
            }
        }
    }

    #[test]
    fn basedata_has_the_boards_codes() {
        let dir = generated(5, 1, 1);
        let gradesets = parsers::Gradesets::builtin();
        let qualifications: BTreeSet<(String, String)> = include_str!("../data/qualifications.csv")
            .lines()
            .skip(1)
            .map(|l| {
                let mut f = l.split(',');
                (f.next().unwrap().into(), f.next().unwrap().into())
            })
            .collect();
        let mut options = Vec::new();
        let mut syllabuses = BTreeSet::new();
        for (_, _, file) in edi_files(&dir.path().join("basedata")) {
            match file.records {
                Records::Options(o) => options.extend(o),
                Records::Syllabuses(s) => syllabuses.extend(s.into_iter().map(|s| s.code)),
                _ => {}
            }
        }
        assert_eq!(options.len(), catalogue().len());
        for o in &options {
            let code = &o.code;
            assert!(
                syllabuses.contains(&o.syllabus),
                "{code}: no S5 {}",
                o.syllabus
            );
            for g in [&o.gradeset, &o.gradeset2, &o.endorsement_gradeset]
                .into_iter()
                .flatten()
            {
                assert!(gradesets.get(g).is_some(), "{code}: gradeset {g}");
            }
            assert!(o.gradeset.is_some(), "{code}");
            if o.is_award() {
                let q = (o.qualification.clone(), o.level.clone());
                assert!(qualifications.contains(&q), "{code}: {q:?}");
                assert_eq!(o.item, Some(Item::Certification), "{code}");
                assert!(o.unit_qualification.is_empty(), "{code}");
            } else {
                assert!(o.qualification.is_empty() && o.level.is_empty(), "{code}");
                let q = (o.unit_qualification.clone(), o.unit_level.clone());
                assert!(qualifications.contains(&q), "{code}: {q:?}");
                assert!(
                    options.iter().any(|c| c.is_award()
                        && c.syllabus == o.syllabus
                        && c.qualification == o.unit_qualification),
                    "{code}: no certification option of syllabus {}",
                    o.syllabus
                );
            }
        }
        let by_code = |code: &str| options.iter().find(|o| o.code == code).unwrap();
        let trilogy = by_code("8464H");
        assert_eq!(
            (trilogy.level.as_str(), trilogy.gradeset.as_deref()),
            ("DA", Some("15"))
        );
        assert_eq!(trilogy.gradeset2.as_deref(), Some("15"));
        assert_eq!(by_code("8700").endorsement_gradeset.as_deref(), Some("42"));
        assert_eq!(by_code("7402").endorsement_gradeset.as_deref(), Some("43"));
        assert_eq!(by_code("H556").endorsement_gradeset.as_deref(), Some("43"));
        assert_eq!(by_code("H856").qualification, "EXPJ");
        assert_eq!(by_code("J837").item, Some(Item::Certification));
        for u in ["R067", "R068", "R069"] {
            assert_eq!(by_code(u).syllabus, "J837");
            assert_eq!(by_code(u).item, Some(Item::Unit));
        }
    }

    #[test]
    fn the_planted_cases_are_there_at_their_rates() {
        let dir = generated(2_000, 1, 1);
        let mut entries = Vec::new();
        let mut results = Vec::new();
        for (path, _, file) in edi_files(dir.path()) {
            match file.records {
                Records::Entries(e) => {
                    // One E5 per candidate of the board, with the candidate's options of that
                    // board in its slots.
                    let candidates: BTreeSet<&str> =
                        e.iter().map(|e| e.candidate_number.as_str()).collect();
                    assert_eq!(file.detail_lines, candidates.len(), "{}", path.display());
                    assert!(e.len() > file.detail_lines, "{}", path.display());
                    entries.extend(e);
                }
                Records::Results(r) => results.extend(r),
                _ => {}
            }
        }
        assert!(entries
            .iter()
            .all(|e| e.upn.is_some() && e.candidate_type == Some('C')));
        let resulted: BTreeSet<(&str, &str)> = results
            .iter()
            .map(|r| (r.candidate_number.as_str(), r.option_code.as_str()))
            .collect();
        let missing = entries
            .iter()
            .filter(|e| !resulted.contains(&(e.candidate_number.as_str(), e.option_code.as_str())))
            .count();
        let per_thousand = |n: usize, of: usize| n as f64 * 1000.0 / of as f64;
        let missing_rate = per_thousand(missing, entries.len());
        assert!(
            (2.0..9.0).contains(&missing_rate),
            "missing: {missing_rate}‰"
        );
        let grade = |r: &ResultRecord| r.grade.clone().unwrap();
        let x = results.iter().filter(|r| grade(r).is_no_result()).count();
        let q = results.iter().filter(|r| grade(r).is_pending()).count();
        let partial = results.iter().filter(|r| grade(r).partial_absence).count();
        for (what, n, low, high) in [
            ("X", x, 1.5, 7.0),
            ("Q", q, 1.0, 6.0),
            ("#", partial, 1.5, 8.0),
        ] {
            let rate = per_thousand(n, results.len());
            assert!((low..high).contains(&rate), "{what}: {rate}‰");
        }
        // A double award's second grade is its first or the one below.
        let doubles: Vec<&ResultRecord> = results
            .iter()
            .filter(|r| r.option_code.starts_with("8464"))
            .collect();
        assert!(!doubles.is_empty());
        for r in doubles {
            let first = grade(r);
            match (first.code.as_str(), &r.grade2) {
                ("X" | "Q", g2) => assert_eq!(g2, &None),
                ("U", g2) => assert_eq!(g2.as_ref().unwrap().code, "U"),
                (d, g2) => {
                    let (d, s): (u8, u8) = (
                        d.parse().unwrap(),
                        g2.as_ref().unwrap().code.parse().unwrap(),
                    );
                    assert!(s == d || (s + 1 == d), "{d}-{s}");
                }
            }
        }
        // Marks from OCR where there is no endorsement; endorsement grades with flag E.
        for r in &results {
            if r.option_code.starts_with('J') && r.option_code != "J837" {
                assert_eq!(r.flag, ResultFlag::Mark, "{}", r.option_code);
            }
            if ["8700", "7402", "H556"].contains(&r.option_code.as_str()) {
                assert_eq!(r.flag, ResultFlag::Endorsement);
            }
        }
        // A Cambridge National's units are entered with its certification option.
        let by_candidate = |code: &str| -> BTreeSet<&str> {
            entries
                .iter()
                .filter(|e| e.option_code == code)
                .map(|e| e.candidate_number.as_str())
                .collect()
        };
        let cnat = by_candidate("J837");
        assert!(!cnat.is_empty());
        for unit in ["R067", "R068", "R069"] {
            assert_eq!(by_candidate(unit), cnat, "{unit}");
        }
    }

    #[test]
    fn a_upn_has_the_dfe_check_letter() {
        assert_eq!(upn_check_letter("801200001001"), Some('H'));
        let u = upn(10_000, 7, 11).unwrap();
        assert_eq!(u.len(), 13);
        assert_eq!(upn_check_letter(&u[1..]), u.chars().next());
    }
}
