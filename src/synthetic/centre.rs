//! A centre's own files: its entries (`E`) and results (`R`) for each board, OCR's A2C XML of
//! component marks, and the MIS export (`candidates.csv`), with the cases planted in them at
//! their rates (missing results, `X`, `Q`, partial absence, marks and endorsements).

use std::path::Path;

use parsers::{writer, DataType, EntryRecord, Grade, ResultFlag, ResultRecord};

use super::catalogue::Opt;
use super::people::candidates;
use super::{board_sender, centre_sender, header, write, Rng, Spec, BOARDS, POSTCODE, SERIES};

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

pub(super) fn write_centre(
    dir: &Path,
    centre: u32,
    args: &Spec,
    cat: &[Opt],
) -> Result<usize, String> {
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
