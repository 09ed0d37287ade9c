//! Deterministic fictional centres in the working layouts, for tests, benchmarks and the
//! `generate` example. The same [`Spec`] always gives the same bytes.
//!
//! One centre: `OUT/basedata`, `OUT/entries`, `OUT/results`, `OUT/candidates.csv`.
//! Several: `OUT/basedata` once, then `OUT/<centre>/entries`, `OUT/<centre>/results` and
//! `OUT/<centre>/candidates.csv`. Centres are numbered from 10000.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use parsers::{
    uci, writer, Component, DataType, EntryOption, EntryRecord, Grade, Header, Link, ResultFlag,
    ResultRecord, Syllabus,
};

const SERIES: &str = "6A26";

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

/// One entry option in the generated catalogue.
struct Opt {
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    qualification: &'static str,
    level: u8,
    tier: Option<char>,
    gradeset: &'static str,
    /// `Some(code)`: a unit counting toward that cash-in.
    cash_in: Option<&'static str>,
    /// The endorsement gradeset, if the qualification carries one.
    endorsement: Option<&'static str>,
    /// The board sends marks (OCR does, where there is no endorsement).
    marks: bool,
    /// (component code suffix, max mark)
    components: &'static [(&'static str, u16)],
}

const fn opt(
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    qualification: &'static str,
    gradeset: &'static str,
    components: &'static [(&'static str, u16)],
) -> Opt {
    Opt {
        board,
        code,
        syllabus,
        title,
        qualification,
        level: if matches!(qualification.as_bytes(), b"GCE A" | b"PROJECT") {
            3
        } else {
            2
        },
        tier: None,
        gradeset,
        cash_in: None,
        endorsement: None,
        marks: false,
        components,
    }
}

const P3: &[(&str, u16)] = &[("01", 100), ("02", 100), ("03", 100)];
const P2: &[(&str, u16)] = &[("01", 80), ("02", 80)];

fn catalogue() -> Vec<Opt> {
    let mut c = vec![
        Opt {
            endorsement: Some("END2"),
            ..opt("70", "8700", "8700", "ENGLISH LANGUAGE", "GCSE", "G91", P2)
        },
        opt(
            "70",
            "8702",
            "8702",
            "ENGLISH LITERATURE",
            "GCSE",
            "G91",
            P2,
        ),
        Opt {
            tier: Some('F'),
            ..opt(
                "70",
                "8464F",
                "8464",
                "COMBINED SCIENCE: TRILOGY F",
                "GCSE",
                "G9D",
                &[("1F", 70), ("2F", 70), ("3F", 70)],
            )
        },
        Opt {
            tier: Some('H'),
            ..opt(
                "70",
                "8464H",
                "8464",
                "COMBINED SCIENCE: TRILOGY H",
                "GCSE",
                "G9D",
                &[("1H", 70), ("2H", 70), ("3H", 70)],
            )
        },
        opt("70", "8035", "8035", "GEOGRAPHY", "GCSE", "G91", P3),
        opt("70", "8145", "8145", "HISTORY", "GCSE", "G91", P2),
        Opt {
            endorsement: Some("END3"),
            ..opt("70", "7402", "7402", "BIOLOGY", "GCE A", "GCEA", P3)
        },
        opt("70", "7182", "7182", "PSYCHOLOGY", "GCE A", "GCEA", P3),
        Opt {
            tier: Some('F'),
            marks: true,
            ..opt(
                "01",
                "J560F",
                "J560",
                "MATHEMATICS F",
                "GCSE",
                "G91",
                &[("01", 100), ("02", 100), ("03", 100)],
            )
        },
        Opt {
            tier: Some('H'),
            marks: true,
            ..opt(
                "01",
                "J560H",
                "J560",
                "MATHEMATICS H",
                "GCSE",
                "G91",
                &[("04", 100), ("05", 100), ("06", 100)],
            )
        },
        Opt {
            marks: true,
            ..opt("01", "J277", "J277", "COMPUTER SCIENCE", "GCSE", "G91", P2)
        },
        Opt {
            marks: true,
            ..opt("01", "H240", "H240", "MATHEMATICS", "GCE A", "GCEA", P3)
        },
        Opt {
            endorsement: Some("END3"),
            ..opt("01", "H556", "H556", "PHYSICS A", "GCE A", "GCEA", P3)
        },
        opt(
            "01",
            "H856",
            "H856",
            "EXTENDED PROJECT",
            "PROJECT",
            "EPQ",
            &[("01", 50)],
        ),
        opt(
            "01",
            "J837",
            "J837",
            "ENTERPRISE AND MARKETING",
            "CNAT",
            "CNAT",
            &[],
        ),
        Opt {
            cash_in: Some("J837"),
            ..opt(
                "01",
                "R067",
                "J837",
                "ENTERPRISE AND MARKETING CONCEPTS",
                "CNAT",
                "CNAT",
                &[("01", 70)],
            )
        },
        Opt {
            cash_in: Some("J837"),
            ..opt(
                "01",
                "R068",
                "J837",
                "DESIGN A BUSINESS PROPOSAL",
                "CNAT",
                "CNAT",
                &[("01", 60)],
            )
        },
        Opt {
            cash_in: Some("J837"),
            ..opt(
                "01",
                "R069",
                "J837",
                "MARKET AND PITCH A PROPOSAL",
                "CNAT",
                "CNAT",
                &[("01", 60)],
            )
        },
        opt(
            "40",
            "C120P1",
            "C120",
            "RELIGIOUS STUDIES",
            "GCSE",
            "G91",
            P3,
        ),
        opt(
            "40",
            "C800P1",
            "C800",
            "FRENCH",
            "GCSE",
            "G91",
            &[("1", 60), ("2", 60), ("3", 60), ("4", 60)],
        ),
    ];
    for o in &mut c {
        if o.qualification == "CNAT" {
            o.level = 2;
        }
    }
    c
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
    NaiveDate::from_ymd_opt(2026, 8, day).and_then(|d| d.and_hms_opt(0, 1, 0))
}

fn header(data_type: DataType, centre: &str, board: &str, sequence: u16, day: u32) -> Vec<u8> {
    writer::header(&Header {
        data_type,
        centre: centre.to_string(),
        awarding_body: board.to_string(),
        series: SERIES.to_string(),
        version: 14,
        sequence,
        created: created(day),
    })
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

fn write_basedata(dir: &Path, cat: &[Opt]) -> Result<usize, String> {
    let mut total = 0;
    for board in ["70", "01", "40"] {
        let opts: Vec<&Opt> = cat.iter().filter(|o| o.board == board).collect();
        let name = |letter: char| dir.join(format!("{letter}{SERIES}_{board}.X01"));
        let mut syllabuses: Vec<Syllabus> = Vec::new();
        for o in &opts {
            if syllabuses.iter().any(|s| s.code == o.syllabus) {
                continue;
            }
            syllabuses.push(Syllabus {
                line: 0,
                code: o.syllabus.into(),
                title: o.title.trim_end_matches(" F").trim_end_matches(" H").into(),
                qualification: o.qualification.into(),
                level: Some(o.level),
                qan: None,
                discount_code: None,
            });
        }
        let options = opts.iter().map(|o| {
            writer::option(&EntryOption {
                line: 0,
                code: o.code.into(),
                syllabus: o.syllabus.into(),
                title: o.title.into(),
                tier: o.tier,
                gradeset: Some(o.gradeset.into()),
                is_award: o.cash_in.is_none(),
                cash_in: o.cash_in.map(Into::into),
                fee_pence: Some(4_850),
            })
        });
        let components = opts.iter().flat_map(|o| {
            o.components
                .iter()
                .enumerate()
                .map(move |(i, (suffix, max))| {
                    writer::component(&Component {
                        line: 0,
                        code: format!("{}{}", o.syllabus, suffix),
                        title: format!("{} PAPER {}", o.title, i + 1),
                        exam_date: NaiveDate::from_ymd_opt(2026, 5, 11 + (i as u32 * 7) % 28),
                        session: Some(if i % 2 == 0 {
                            parsers::Session::Morning
                        } else {
                            parsers::Session::Afternoon
                        }),
                        time_allowed_min: Some(90),
                        max_mark: Some(*max),
                    })
                })
        });
        let links = opts.iter().flat_map(|o| {
            o.components.iter().map(move |(suffix, _)| {
                writer::link(&Link {
                    line: 0,
                    option_code: o.code.into(),
                    component_code: format!("{}{}", o.syllabus, suffix),
                })
            })
        });
        total += write(
            &name('S'),
            &writer::file(
                header(DataType::Syllabuses, "00000", board, 1, 1),
                syllabuses.iter().map(writer::syllabus),
            ),
        )?;
        total += write(
            &name('O'),
            &writer::file(header(DataType::Options, "00000", board, 1, 1), options),
        )?;
        total += write(
            &name('C'),
            &writer::file(
                header(DataType::Components, "00000", board, 1, 1),
                components,
            ),
        )?;
        total += write(
            &name('L'),
            &writer::file(header(DataType::Links, "00000", board, 1, 1), links),
        )?;
    }
    Ok(total)
}

/// One generated candidate.
struct Candidate {
    number: String,
    uci: String,
    name: String,
    sex: char,
    dob: NaiveDate,
    year: u8,
    options: Vec<&'static str>,
}

fn candidates(centre: u32, n: usize, rng: &mut Rng, cat: &[Opt]) -> Vec<Candidate> {
    let option_of = |syllabus: &str, higher: bool| -> Vec<&'static str> {
        let found: Vec<&Opt> = cat
            .iter()
            .filter(|o| o.syllabus == syllabus && o.cash_in.is_none())
            .collect();
        match found.as_slice() {
            [one] if one.syllabus == "J837" => vec!["R067", "R068", "R069", "J837"],
            [one] => vec![one.code],
            many => vec![many
                .iter()
                .find(|o| (o.tier == Some('H')) == higher)
                .map_or(many[0].code, |o| o.code)],
        }
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
    const G91: &[&str] = &[
        "9", "8", "7", "7", "6", "6", "6", "5", "5", "5", "4", "4", "4", "3", "3", "2", "1", "U",
    ];
    const GCEA: &[&str] = &[
        "A*", "A", "A", "B", "B", "B", "C", "C", "C", "D", "D", "E", "U",
    ];
    const CNAT: &[&str] = &[
        "*2", "D2", "D2", "M2", "M2", "M2", "P2", "P2", "D1", "M1", "P1", "U",
    ];
    match gradeset {
        "GCEA" | "EPQ" => rng.pick_str(GCEA),
        "CNAT" => rng.pick_str(CNAT),
        _ => rng.pick_str(G91),
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
    for board in ["70", "01", "40"] {
        let mut entries = Vec::new();
        let mut results = Vec::new();
        for c in &cands {
            let mut xml_results = String::new();
            for code in &c.options {
                let Some(o) = cat.iter().find(|o| o.code == *code && o.board == board) else {
                    continue;
                };
                entries.push(writer::entry(&EntryRecord {
                    line: 0,
                    centre: centre_no.clone(),
                    candidate_number: c.number.clone(),
                    uci: c.uci.clone(),
                    uln: None,
                    name: c.name.clone(),
                    sex: Some(c.sex),
                    date_of_birth: Some(c.dob),
                    option_code: o.code.into(),
                    action: None,
                }));
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
                let grade2 = (o.gradeset == "G9D")
                    .then(|| Grade::parse(draw_grade("G91", &mut rng)))
                    .flatten();
                let max: u16 = o.components.iter().map(|(_, m)| m).sum();
                let mark = (o.marks && max > 0).then(|| rng.below(usize::from(max) + 1) as u16);
                let endorsement = o.endorsement.map(|e| {
                    if e == "END3" {
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
        total += write(
            &entries_dir.join(format!("E{centre_no}{board}.X01")),
            &writer::file(header(DataType::Entries, &centre_no, board, 1, 1), entries),
        )?;
        total += write(
            &results_dir.join(format!("R{centre_no}{board}.X01")),
            &writer::file(header(DataType::Results, &centre_no, board, 1, 19), results),
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
