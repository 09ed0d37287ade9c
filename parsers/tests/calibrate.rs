//! Finding an unknown layout by itself: a results file written in the built-in layout is
//! rewritten into other layouts (the UCI moved, the name moved, every field shifted, a longer
//! record), and `calibrate` must find every field's exact position from the lines alone, write
//! a layout table `Layouts::with_overrides` accepts, and with it read every record as written.

use chrono::{NaiveDate, NaiveDateTime};
use parsers::calibrate::{calibrate, Calibration, Hints, Placement};
use parsers::layouts::FieldKind;
use parsers::{
    parse_edi_with, parse_file_with, uci, writer, Content, DataType, EntryRecord, FileName, Grade,
    Header, Layouts, Records, ResultFlag, ResultRecord,
};

const CENTRE: &str = "52205";
const RESULTS: &str = "R5220570.X01";
const ENTRIES: &str = "E5220570.X01";

/// How an option is resulted.
#[derive(Clone, Copy)]
enum Kind {
    /// A grade only.
    Plain,
    /// A grade and a mark out of the maximum.
    Marked(u16),
    /// A grade and a spoken-language endorsement.
    Endorsed,
    /// A double award: two grades.
    Double,
}

/// Options of a real-looking series: code, result gradeset code (spec/layouts.md §6), how
/// resulted.
const OPTIONS: [(&str, &str, Kind); 9] = [
    ("8300H", "40", Kind::Marked(240)),
    ("8300F", "40", Kind::Marked(240)),
    ("8700", "40", Kind::Endorsed),
    ("8702", "40", Kind::Marked(160)),
    ("8464H", "15", Kind::Double),
    ("8035", "40", Kind::Plain),
    ("J836", "21", Kind::Plain),
    ("7357", "4", Kind::Marked(300)),
    ("7356", "A", Kind::Plain),
];

const SURNAMES: [&str; 12] = [
    "SMITH",
    "O'NEILL",
    "SMITH-JONES",
    "VAN DER BERG",
    "NGUYEN",
    "KOWALSKI",
    "AHMED",
    "BROWN",
    "MACDONALD",
    "LÖWE",
    "PATEL",
    "WILLIAMS-ABERNATHY-FOTHERINGHAM",
];
const FORENAMES: [&str; 10] = [
    "JOHN",
    "ÉMILE",
    "ANNA MARIE",
    "PIETER",
    "THI",
    "ZOFIA",
    "MOHAMMED",
    "CHLOE",
    "IAIN",
    "JEAN-LUC",
];

fn grades(gradeset: &str) -> &'static [&'static str] {
    match gradeset {
        "40" | "15" => &["9", "8", "7", "6", "5", "4", "3", "2", "1", "U"],
        "4" => &["A*", "A", "B", "C", "D", "E", "U"],
        "A" => &["A", "B", "C", "D", "E", "U"],
        "21" => &["*2", "D2", "M2", "P2", "D1", "M1", "P1", "U"],
        _ => &["U"],
    }
}

fn hints() -> Hints {
    let options = OPTIONS
        .iter()
        .map(|&(code, set, _)| (code.to_string(), Some(set.to_string())));
    Hints::default()
        .with_options(options)
        .with_candidates(candidates().into_iter().map(|c| c.0))
}

/// Candidate number, UCI and name of each of 60 candidates. UCIs come from the centre or, for
/// some, from the centre they first attended, with serials that are not their exam numbers.
fn candidates() -> Vec<(String, String, String)> {
    (0..60)
        .map(|i| {
            let number = format!("{:04}", 1001 + i * 3);
            let from = if i % 7 == 3 { "14520" } else { CENTRE };
            let serial = (i * 37 + 11) % 10_000;
            let uci = uci::with_check_letter(&format!("{from}0{}{serial:04}", 19 + i % 3)).unwrap();
            let name = format!("{}:{}", SURNAMES[i % 12], FORENAMES[(i * 7) % 10]);
            (number, uci, name)
        })
        .collect()
}

fn results() -> Vec<ResultRecord> {
    let mut out = Vec::new();
    for (i, (number, uci, name)) in candidates().into_iter().enumerate() {
        let taken: Vec<usize> = if i < 45 {
            let mut t = vec![i % 2, 2, 3, 4];
            if i % 3 == 0 {
                t.push(5);
            }
            if i % 4 == 1 {
                t.push(6);
            }
            t
        } else {
            vec![7, 8]
        };
        for (k, o) in taken.into_iter().enumerate() {
            let (code, set, kind) = OPTIONS[o];
            let g = grades(set);
            let pick = |salt: usize| g[(i * 5 + k * 3 + salt) % g.len()].to_string();
            let mut grade = Grade::parse(&pick(0));
            match (i + k) % 23 {
                5 => grade = Grade::parse("X"),
                9 => grade = Grade::parse("Q"),
                13 => grade = Grade::parse(&format!("{}#", pick(0))),
                _ => {}
            }
            let no_result = grade.as_ref().is_some_and(Grade::is_no_result);
            let mut r = ResultRecord {
                line: 0,
                centre: CENTRE.into(),
                candidate_number: number.clone(),
                option_code: code.into(),
                uci: uci.clone(),
                flag: ResultFlag::Neither,
                grade,
                grade2: None,
                mark: None,
                max_mark: None,
                endorsement: None,
                name: name.clone(),
            };
            match kind {
                Kind::Marked(max) if !no_result => {
                    r.flag = ResultFlag::Mark;
                    r.mark = Some(((i * 53 + k * 17) % usize::from(max)) as u16);
                    r.max_mark = Some(max);
                }
                Kind::Endorsed if !no_result => {
                    r.flag = ResultFlag::Endorsement;
                    r.endorsement = Some(["P", "M", "D", "NC"][i % 4].into());
                }
                Kind::Double if !no_result => r.grade2 = Grade::parse(&pick(1)),
                _ => {}
            }
            out.push(r);
        }
    }
    out
}

fn header(data_type: DataType) -> Header {
    Header {
        data_type,
        centre: CENTRE.into(),
        awarding_body: "70".into(),
        series: "6A26".into(),
        distribution: Some('S'),
        sender: "AQA    001".into(),
        version: 14,
        sequence: 1,
        created: NaiveDate::from_ymd_opt(2026, 8, 20)
            .map(|d| NaiveDateTime::new(d, Default::default())),
    }
}

fn results_file(records: &[ResultRecord]) -> Vec<u8> {
    writer::file(
        &header(DataType::Results),
        records.iter().map(writer::result),
    )
}

/// The same file with every detail line `R5`/`E5`/`A5` moved field by field from the built-in
/// layout into `target`'s, and every other line padded to the target's record length.
fn relayout(bytes: &[u8], target: &Layouts) -> Vec<u8> {
    let builtin = Layouts::builtin();
    let mut out = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let (from, to, length) = match &line[..2] {
            b"R5" => (
                builtin.result.fields(),
                target.result.fields(),
                target.result.length,
            ),
            b"E5" | b"A5" => (
                builtin.entry.fields(),
                target.entry.fields(),
                target.entry.length,
            ),
            _ => {
                let len = target.record_len(line[0]).unwrap_or(line.len());
                let mut l = line.trim_ascii_end().to_vec();
                l.resize(len.max(l.len()), b' ');
                out.extend_from_slice(&l);
                out.extend_from_slice(b"\r\n");
                continue;
            }
        };
        let mut new = vec![b' '; length];
        for ((_, a), (_, b)) in from.iter().zip(&to) {
            if a.kind == FieldKind::Unused {
                continue;
            }
            let src = a.slice(line);
            new[b.start - 1..b.start - 1 + src.len()].copy_from_slice(src);
        }
        out.extend_from_slice(&new);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn read_results(bytes: &[u8], layouts: &Layouts) -> (Vec<ResultRecord>, Vec<String>) {
    let file = parse_edi_with(bytes, FileName::parse(RESULTS).as_ref(), layouts);
    let problems = file.problems.iter().map(|p| p.message.clone()).collect();
    match file.records {
        Records::Results(r) => (r, problems),
        other => panic!("not results: {other:?}"),
    }
}

/// The records as written, read back from the file in the built-in layout.
fn expected() -> Vec<ResultRecord> {
    let (records, problems) = read_results(&results_file(&results()), Layouts::builtin());
    assert!(problems.is_empty(), "{problems:?}");
    assert!(records.len() >= 200, "{}", records.len());
    records
}

/// Calibrates a file rewritten into `target_toml`'s layout and checks that every field and the
/// length are found exactly, the written table is the target, and it reads every record.
fn recovers(target_toml: &str, hints: &Hints) -> Calibration {
    let target = Layouts::with_overrides(target_toml).unwrap();
    let bytes = relayout(&results_file(&results()), &target);
    let cal = calibrate(&[(RESULTS, &bytes)], hints, Layouts::builtin());
    for (key, f) in target.result.fields() {
        let found = cal.field(key).unwrap();
        if f.kind == FieldKind::Unused {
            assert_eq!(found.placement, Placement::NotRead, "{key}");
            continue;
        }
        assert_eq!(
            found.found,
            Some((f.start, f.len)),
            "{key}: {found:?}\n{cal}"
        );
        assert!(found.share > 0.95, "{key}: {}", found.share);
        assert_eq!(found.placement, Placement::Found, "{key}");
    }
    assert_eq!(cal.length.found, Some(target.result.length));
    if hints.options.is_some() {
        let grade1 = &cal.field("grade1").unwrap().evidence;
        assert!(grade1.contains("of the option's gradeset"), "{grade1}");
    }
    assert!(cal.is_sure(), "{cal}");
    assert!(!cal.fits());
    let toml = cal.toml();
    let layouts = Layouts::with_overrides(&toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(layouts.result, target.result, "{toml}");
    let (records, problems) = read_results(&bytes, &layouts);
    assert!(problems.is_empty(), "{problems:?}\n{toml}");
    assert_eq!(records, expected());
    // Through the file-level entry point too.
    let parsed = parse_file_with(RESULTS, &bytes, &layouts);
    assert!(parsed.all_problems().next().is_none());
    assert!(matches!(parsed.content, Content::Edi(_)));
    cal
}

const UCI_MOVED: &str = "[R5]\nlength = 99\nunused = [18, 13]\nuci = [31, 13]\nflag = [44, 1]\n\
    grade1 = [45, 2]\ngrade2 = [47, 2]\nmark_or_endorsement = [49, 3]\nmax_mark = [52, 3]\n\
    reserved = [55, 5]\nname = [60, 40]\n";
const NAME_MOVED: &str = "[R5]\nname = [12, 40]\noption = [52, 6]\nuci = [58, 13]\n\
    unused = [71, 6]\nflag = [77, 1]\ngrade1 = [78, 2]\ngrade2 = [80, 2]\n\
    mark_or_endorsement = [82, 3]\nmax_mark = [85, 3]\nreserved = [88, 5]\n";
const SHIFTED_3: &str = "[R5]\nlength = 95\ncentre = [6, 5]\ncandidate = [11, 4]\n\
    option = [15, 6]\nuci = [21, 13]\nunused = [34, 6]\nflag = [40, 1]\ngrade1 = [41, 2]\n\
    grade2 = [43, 2]\nmark_or_endorsement = [45, 3]\nmax_mark = [48, 3]\nreserved = [51, 5]\n\
    name = [56, 40]\n";
const LONGER_100: &str = "[R5]\nlength = 100\nreserved = [48, 13]\nname = [61, 40]\n";

#[test]
fn the_uci_moved_behind_the_unused_bytes_is_found() {
    let cal = recovers(UCI_MOVED, &hints());
    let uci = cal.field("uci").unwrap();
    assert!(uci.differs() && uci.layout == (18, 13) && uci.layout_share < 0.1);
    let toml = cal.toml();
    assert!(toml.contains("uci = [31, 13]"), "{toml}");
    assert!(toml.contains("length = 99"), "{toml}");
    assert!(
        !toml.contains("candidate ="),
        "only the fields that differ: {toml}"
    );
    let report = cal.to_string();
    assert!(
        report.contains("The UCI is at bytes 31–43, not at bytes 18–30"),
        "{report}"
    );
}

#[test]
fn a_moved_name_is_found() {
    recovers(NAME_MOVED, &hints());
}

#[test]
fn every_field_shifted_by_three_bytes_is_found() {
    let cal = recovers(SHIFTED_3, &hints());
    assert_eq!(cal.gaps, vec![(3, 5)]);
    assert!(cal
        .toml()
        .contains("# Bytes 3–5 hold no field resultsday reads"));
}

#[test]
fn a_longer_record_is_found() {
    recovers(LONGER_100, &hints());
    let cal = recovers("[R5]\nlength = 100\n", &hints());
    let toml = cal.toml();
    let overrides: Vec<&str> = toml.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        overrides,
        [
            "[R5]",
            "length = 100               # 100% of lines are 100 bytes long"
        ]
    );
    assert_eq!(cal.gaps, vec![(93, 100)]);
}

#[test]
fn a_record_with_no_spare_bytes_is_found_and_the_bytes_not_read_go_past_its_end() {
    // The table needs room for the bytes not read; the lines themselves are 81 bytes.
    let packed = "[R5]\nlength = 83\nflag = [31, 1]\ngrade1 = [32, 2]\ngrade2 = [34, 2]\n\
        mark_or_endorsement = [36, 3]\nmax_mark = [39, 3]\nname = [42, 40]\n\
        unused = [82, 1]\nreserved = [83, 1]\n";
    let target = Layouts::with_overrides(packed).unwrap();
    let mut bytes = Vec::new();
    for line in relayout(&results_file(&results()), &target).split_inclusive(|&b| b == b'\n') {
        bytes.extend_from_slice(&line[..line.len() - 4]);
        bytes.extend_from_slice(b"\r\n");
    }
    let cal = calibrate(&[(RESULTS, &bytes)], &hints(), Layouts::builtin());
    for (key, f) in target.result.fields() {
        if f.kind != FieldKind::Unused {
            assert_eq!(
                cal.field(key).unwrap().found,
                Some((f.start, f.len)),
                "{key}\n{cal}"
            );
        }
    }
    assert_eq!((cal.length.found, cal.length.placed), (Some(81), 83));
    assert!(cal.gaps.is_empty());
    let layouts = cal.layouts().unwrap();
    let (records, problems) = read_results(&bytes, &layouts);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(records, expected());
    assert!(
        cal.to_string().contains("makes each record 83 bytes long"),
        "{cal}"
    );
}

#[test]
fn without_entries_or_basedata_the_fields_are_still_found() {
    let cal = recovers(SHIFTED_3, &Hints::default());
    assert!(cal
        .field("candidate")
        .unwrap()
        .evidence
        .contains("one number for each UCI"));
    assert!(cal
        .field("option")
        .unwrap()
        .evidence
        .contains("no basedata"));
    recovers(UCI_MOVED, &Hints::default());
    recovers(NAME_MOVED, &Hints::default());
}

#[test]
fn several_files_are_studied_together() {
    let target = Layouts::with_overrides(UCI_MOVED).unwrap();
    let all = results();
    let a = relayout(&results_file(&all[..120]), &target);
    let b = relayout(&results_file(&all[120..]), &target);
    let cal = calibrate(
        &[(RESULTS, &a), ("R5220570.X02", &b)],
        &hints(),
        Layouts::builtin(),
    );
    assert_eq!(cal.files.len(), 2);
    assert_eq!(cal.lines, all.len());
    assert_eq!(cal.layouts().unwrap().result, target.result);
}

#[test]
fn the_file_in_the_builtin_layout_needs_no_override() {
    let bytes = results_file(&results());
    let cal = calibrate(&[(RESULTS, &bytes)], &hints(), Layouts::builtin());
    assert!(cal.fits() && cal.is_sure(), "{cal}");
    for f in &cal.fields {
        assert!(!f.differs(), "{f:?}");
        assert_eq!(f.placed, f.layout);
    }
    let toml = cal.toml();
    assert!(toml.contains("fits resultsday's layout"), "{toml}");
    assert!(
        toml.lines().all(|l| l.starts_with('#')),
        "no overrides: {toml}"
    );
    assert_eq!(Layouts::with_overrides(&toml).unwrap(), *Layouts::builtin());
    let report = cal.to_string();
    assert!(
        report.contains("The file fits resultsday's layout"),
        "{report}"
    );
    assert!(!report.contains("MOVED"), "{report}");
}

#[test]
fn a_file_that_fits_a_layout_in_use_keeps_that_layout() {
    let target = Layouts::with_overrides(NAME_MOVED).unwrap();
    let bytes = relayout(&results_file(&results()), &target);
    let cal = calibrate(&[(RESULTS, &bytes)], &hints(), &target);
    assert!(cal.fits(), "{cal}");
    assert_eq!(cal.layouts().unwrap(), target);
}

#[test]
fn too_few_lines_say_they_cannot_be_sure() {
    let bytes = results_file(&results()[..3]);
    let cal = calibrate(&[(RESULTS, &bytes)], &hints(), Layouts::builtin());
    assert_eq!(cal.lines, 3);
    assert!(!cal.enough_lines() && !cal.is_sure() && !cal.fits());
    assert!(cal
        .fields
        .iter()
        .all(|f| f.found.is_none() || f.key == "record_type"));
    let toml = cal.toml();
    assert!(toml.contains("Too few lines to be sure"), "{toml}");
    assert_eq!(Layouts::with_overrides(&toml).unwrap(), *Layouts::builtin());
    let report = cal.to_string();
    assert!(
        report.contains("too few detail lines to be sure"),
        "{report}"
    );
    // A layout in use is kept as it is.
    let in_use = Layouts::with_overrides(NAME_MOVED).unwrap();
    let cal = calibrate(&[(RESULTS, &bytes)], &hints(), &in_use);
    assert_eq!(cal.layouts().unwrap(), in_use, "{}", cal.toml());
}

#[test]
fn a_field_without_evidence_is_not_invented() {
    // No marks and no endorsements: nothing shows where the flag, mark and max mark are.
    let records: Vec<ResultRecord> = results()
        .into_iter()
        .map(|mut r| {
            r.flag = ResultFlag::Neither;
            (r.mark, r.max_mark, r.endorsement) = (None, None, None);
            r
        })
        .collect();
    let target = Layouts::with_overrides(SHIFTED_3).unwrap();
    let bytes = relayout(&results_file(&records), &target);
    let cal = calibrate(&[(RESULTS, &bytes)], &hints(), Layouts::builtin());
    for key in ["flag", "mark_or_endorsement", "max_mark"] {
        let f = cal.field(key).unwrap();
        assert_eq!(f.found, None, "{key}");
        assert!(f.not_found.is_some());
        assert!(
            matches!(f.placement, Placement::MovedWith(_)),
            "{key}: {:?}",
            f.placement
        );
    }
    assert!(!cal.is_sure());
    let report = cal.to_string();
    assert!(
        report.contains("The result flag could not be found, for want of evidence"),
        "{report}"
    );
    assert!(report.contains("not found"), "{report}");
    let layouts = cal.layouts().unwrap();
    assert_eq!(layouts.result.flag.start, 40);
    assert!(cal.toml().contains("flag = [40, 1]"));
    let (read, problems) = read_results(&bytes, &layouts);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(read.len(), records.len());
    assert!(read
        .iter()
        .zip(&records)
        .all(|(a, b)| a.uci == b.uci && a.grade == b.grade));
}

fn entries() -> Vec<EntryRecord> {
    let mut out = Vec::new();
    for (i, (number, uci, name)) in candidates().into_iter().enumerate() {
        for o in [i % 2, 2, 3, 4, 5 + i % 2] {
            out.push(EntryRecord {
                line: 0,
                candidate_type: Some('C'),
                centre: CENTRE.into(),
                candidate_number: number.clone(),
                uci: uci.clone(),
                uln: Some(format!("{}", 4_000_000_000u64 + i as u64 * 7919)),
                name: name.clone(),
                sex: Some(if i % 2 == 0 { 'F' } else { 'M' }),
                date_of_birth: NaiveDate::from_ymd_opt(
                    2010,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                ),
                upn: Some(format!("A{:012}", 823_100_000_000u64 + i as u64 * 101)),
                option_code: OPTIONS[o].0.into(),
                action: None,
            });
        }
    }
    out
}

#[test]
fn entries_files_are_calibrated_too() {
    let records = entries();
    let bytes = writer::file(&header(DataType::Entries), writer::entries(&records));
    let hints = Hints::default().with_options(OPTIONS.iter().map(|o| (o.0.to_string(), None)));
    let cal = calibrate(&[(ENTRIES, &bytes)], &hints, Layouts::builtin());
    assert_eq!(cal.table, "E5");
    assert!(cal.fits(), "{cal}");
    assert_eq!(cal.field("uci").unwrap().found, Some((60, 13)));
    assert_eq!(cal.field("slots").unwrap().found, Some((109, 84)));

    // Every field after the candidate type two bytes on: the fields not looked for move with
    // the fields found on both sides of them.
    let target = Layouts::with_overrides(
        "[E5]\nlength = 194\ncentre = [6, 5]\ncandidate = [11, 4]\nname = [15, 40]\n\
         sex = [55, 1]\ndate_of_birth = [56, 6]\nuci = [62, 13]\nupn = [75, 13]\n\
         uln = [88, 10]\nblank = [98, 13]\nslots = [111, 84]\n",
    )
    .unwrap();
    let shifted = relayout(&bytes, &target);
    let cal = calibrate(&[(ENTRIES, &shifted)], &hints, Layouts::builtin());
    assert_eq!(cal.field("uci").unwrap().found, Some((62, 13)), "{cal}");
    let layouts = cal.layouts().unwrap();
    assert_eq!(layouts.entry, target.entry, "{}", cal.toml());
    let file = parse_edi_with(&shifted, FileName::parse(ENTRIES).as_ref(), &layouts);
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    let original = parse_edi_with(
        &bytes,
        FileName::parse(ENTRIES).as_ref(),
        Layouts::builtin(),
    );
    assert_eq!(file.records, original.records);
}

#[test]
fn any_bytes_give_a_table_that_reads_and_never_a_panic() {
    let good = results_file(&results());
    let mut ragged = Vec::new();
    for (i, line) in good.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let cut = match i % 4 {
            0 => line.trim_ascii_end().to_vec(),
            1 => [line, b"EXTRA TEXT PAST THE END".as_slice()].concat(),
            2 => line[..line.len().min(20)].to_vec(),
            _ => line.to_vec(),
        };
        ragged.extend_from_slice(&cut);
        ragged.push(b'\n');
    }
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..20_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        noise.push((x >> 16) as u8);
    }
    let mut r5_noise = Vec::new();
    for chunk in noise.chunks(90) {
        r5_noise.extend_from_slice(b"R5");
        r5_noise.extend(chunk.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
        r5_noise.push(b'\n');
    }
    let long_line = [b"R5".as_slice(), &[b'7'; 5000]].concat();
    let no_details = writer::file(&header(DataType::Results), Vec::<Vec<u8>>::new());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (RESULTS, Vec::new()),
        (RESULTS, b"\n\n\r\n\x1A".to_vec()),
        (RESULTS, noise.clone()),
        ("noise.bin", noise),
        (RESULTS, r5_noise.clone()),
        (RESULTS, [r5_noise, good.clone()].concat()),
        (RESULTS, ragged),
        (RESULTS, long_line.repeat(30)),
        (RESULTS, no_details),
        (ENTRIES, good.clone()),
        ("O6A26_70.X01", good.clone()),
        (
            "a2c.52205.70.EDIResults.1234.xml",
            b"<?xml version=\"1.0\"?><r/>".to_vec(),
        ),
        (RESULTS, [b"\xEF\xBB\xBF".as_slice(), &good].concat()),
    ];
    for (name, bytes) in &cases {
        for hints in [hints(), Hints::default()] {
            let cal = calibrate(&[(name, bytes)], &hints, Layouts::builtin());
            let toml = cal.toml();
            Layouts::with_overrides(&toml).unwrap_or_else(|e| panic!("{name}: {e}\n{toml}"));
            assert!(!cal.to_string().is_empty());
        }
    }
    let cal = calibrate(&[], &Hints::default(), Layouts::builtin());
    assert_eq!(cal.lines, 0);
    assert!(cal.layouts().is_ok());
    let skipped = calibrate(
        &[("O6A26_70.X01", &good)],
        &Hints::default(),
        Layouts::builtin(),
    );
    assert!(
        skipped.skipped[0].contains("basedata: options"),
        "{:?}",
        skipped.skipped
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn damaged_files_give_a_table_that_reads(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..400),
            shifted in any::<bool>(),
        ) {
            let mut bytes = results_file(&results());
            if shifted {
                bytes = relayout(&bytes, &Layouts::with_overrides(SHIFTED_3).unwrap());
            }
            for (at, byte, how) in edits {
                let at = at % (bytes.len() + 1);
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ if at < bytes.len() => { bytes.remove(at); }
                    _ => {}
                }
            }
            let cal = calibrate(&[(RESULTS, &bytes)], &hints(), Layouts::builtin());
            let toml = cal.toml();
            prop_assert!(Layouts::with_overrides(&toml).is_ok(), "{}", toml);
            prop_assert!(!cal.to_string().is_empty());
        }

        #[test]
        fn any_bytes_give_a_table_that_reads(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let with_header = [b"R1".as_slice(), &bytes].concat();
            for b in [&bytes, &with_header] {
                let cal = calibrate(&[(RESULTS, b), ("x", b)], &Hints::default(), Layouts::builtin());
                prop_assert!(cal.layouts().is_ok(), "{}", cal.toml());
            }
        }
    }
}
