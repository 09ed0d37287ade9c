//! Parse throughput per file type, in MB/s and records/s, beside the floor measured on the same
//! bytes in the same run: counting the lines (what `wc -l` does). Each file is a centre's file
//! as the boards write them (`x1`, `x3`, the details, `x7`, `x9`, padded, CRLF); its records are
//! its detail records: 100,000 `R5` results, 100,000 `E5` entries records (one per candidate,
//! eight entries each: 800,000 entries), and 25,000 XML candidates.
//!
//! cargo bench --bench parse

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use parsers::{parse_file, writer, DataType, EntryRecord, Grade, Header, ResultFlag, ResultRecord};

/// Detail records per file: `R5` results, `E5` entries records (one per candidate, each with
/// [`OPTIONS`] entries in its slots).
const RECORDS: usize = 100_000;

/// Entry options per `E5` record: a year-11 candidate's usual number.
const OPTIONS: usize = 8;

/// A centre's file as AQA writes it (results), or as the centre sends it (entries).
fn header(data_type: DataType) -> Header {
    Header {
        data_type,
        centre: "14520".into(),
        awarding_body: "70".into(),
        series: "6A26".into(),
        distribution: Some('S'),
        sender: match data_type {
            DataType::Entries => "14520  001".into(),
            _ => "AQA    001".into(),
        },
        version: 14,
        sequence: 1,
        created: None,
    }
}

fn results_file() -> Vec<u8> {
    let grades = ["9", "7", "5", "4", "U", "A*", "X"];
    writer::file(
        &header(DataType::Results),
        (0..RECORDS).map(|i| {
            writer::result(&ResultRecord {
                line: 0,
                centre: "14520".into(),
                candidate_number: format!("{:04}", i % 9999 + 1),
                option_code: format!("{}", 8000 + i % 40),
                uci: parsers::uci::with_check_letter(&format!("145200240{:03}", i % 1000)).unwrap(),
                flag: if i % 3 == 0 {
                    ResultFlag::Mark
                } else {
                    ResultFlag::Neither
                },
                grade: Grade::parse(grades[i % grades.len()]),
                grade2: None,
                mark: (i % 3 == 0).then_some((i % 300) as u16),
                max_mark: (i % 3 == 0).then_some(300),
                endorsement: None,
                name: if i % 50 == 0 {
                    "O'NEILL:ÉMILE".into()
                } else {
                    "SMITH:JANE ANN".into()
                },
            })
        }),
    )
}

fn entries_file() -> Vec<u8> {
    let entries: Vec<EntryRecord> = (0..RECORDS * OPTIONS)
        .map(|i| EntryRecord {
            line: 0,
            candidate_type: Some('C'),
            centre: "14520".into(),
            candidate_number: format!("{:04}", (i / OPTIONS) % 9999 + 1),
            uci: "145200240007K".into(),
            uln: Some("4123456780".into()),
            name: "SMITH:JANE ANN".into(),
            sex: Some('F'),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2010, 3, 14),
            upn: Some("H801200001001".into()),
            option_code: format!("{}", 8000 + i % 40),
            action: None,
        })
        .collect();
    let details = writer::entries(&entries);
    assert_eq!(details.len(), RECORDS);
    writer::file(&header(DataType::Entries), details)
}

fn xml_file() -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r:EDIResults xmlns:r=\"urn:jcq:a2c:results:1\" version=\"14\">\n<r:Header><r:CentreNumber>14520</r:CentreNumber><r:AwardingBody>01</r:AwardingBody><r:Series>6A26</r:Series></r:Header>\n",
    );
    for i in 0..RECORDS / 4 {
        s.push_str(&format!(
            "<r:Candidate><r:CandidateNumber>{:04}</r:CandidateNumber><r:UCI>145200240007K</r:UCI><r:Name>SMITH:JANE</r:Name>\
             <r:Result><r:OptionCode>J560H</r:OptionCode><r:Grade>6</r:Grade><r:Mark>180</r:Mark><r:MaxMark>300</r:MaxMark>\
             <r:Component><r:Code>J56004</r:Code><r:Mark>60</r:Mark><r:MaxMark>100</r:MaxMark></r:Component>\
             <r:Component><r:Code>J56005</r:Code><r:Mark>60</r:Mark><r:MaxMark>100</r:MaxMark></r:Component>\
             <r:Component><r:Code>J56006</r:Code><r:Mark>60</r:Mark><r:MaxMark>100</r:MaxMark></r:Component>\
             </r:Result></r:Candidate>\n",
            i % 9999 + 1
        ));
    }
    s.push_str("</r:EDIResults>\n");
    s.into_bytes()
}

fn bench_parse(c: &mut Criterion) {
    let files = [
        ("results", "R1452070.X01", results_file(), RECORDS),
        ("entries", "E1452070.X01", entries_file(), RECORDS),
        (
            "xml",
            "a2c.14520.01.EDIResults.B.xml",
            xml_file(),
            RECORDS / 4,
        ),
    ];
    for (kind, name, bytes, records) in &files {
        // What is timed is a clean read: every record read, no problem found.
        let parsed = parse_file(name, bytes);
        let problems: Vec<_> = parsed.all_problems().collect();
        assert!(problems.is_empty(), "{name}: {problems:?}");
        let mut g = c.benchmark_group(format!("parse/{kind}"));
        g.sample_size(20);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(BenchmarkId::new("floor: count lines", "MB/s"), |b| {
            b.iter(|| memchr_count(black_box(bytes)))
        });
        g.bench_function(BenchmarkId::new("resultsday", "MB/s"), |b| {
            b.iter(|| parse_file(name, black_box(bytes)))
        });
        g.throughput(Throughput::Elements(*records as u64));
        g.bench_function(BenchmarkId::new("resultsday", "records/s"), |b| {
            b.iter(|| parse_file(name, black_box(bytes)))
        });
        g.finish();
    }
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
