//! The stages of `resultsday run` on one generated centre of about 14,000 results (2,000
//! candidates), in results/s: checking and reconciling, each writer (statements as HTML and
//! CSV, findings CSV, the analysis with its workbook), and the whole run end to end as the
//! command does it (reading, writing every output, saving in the store).
//!
//! cargo bench --bench run
//!
//! Per 100k results: 100,000 / (results/s) seconds.

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use resultsday::analysis::{self, AnalysisTables};
use resultsday::cmd::run::RunArgs;
use resultsday::load;
use resultsday::load::inputs::Limits;
use resultsday::pipeline::check_series;
use resultsday::rules::calendar::Calendar;
use resultsday::synthetic::{generate, Spec};
use resultsday::write::findings::findings_csv;
use resultsday::write::output::Commit;
use resultsday::write::statements::{self, StatementSet};

const CANDIDATES: usize = 2_000;
const CENTRE: &str = "10000";
const SERIES: &str = "6A26";

fn centre(dir: &Path) {
    generate(&Spec {
        candidates: CANDIDATES,
        centres: 1,
        out: dir.to_path_buf(),
        seed: 1,
    })
    .expect("the generator writes the centre");
}

fn stages(c: &mut Criterion) {
    let data = tempfile::tempdir().unwrap();
    centre(data.path());
    let folder = load::read_folder(data.path(), &Limits::default(), &|_| {}, &|| {});
    let gradesets = parsers::Gradesets::builtin();
    let boards = parsers::Boards::builtin();
    let outcome = check_series(&folder, CENTRE, SERIES, &gradesets, &boards);
    let results = outcome.results.len() as u64;

    let mut group = c.benchmark_group("run stages");
    group.sample_size(20);
    group.throughput(Throughput::Elements(results));

    group.bench_function("check and reconcile", |b| {
        b.iter(|| black_box(check_series(&folder, CENTRE, SERIES, &gradesets, &boards)))
    });

    let calendar = Calendar::builtin();
    let dates = calendar.get("2026-06");
    let settings = resultsday::rules::config::Settings::default();
    let releases = statements::Releases::new(&calendar, dates);
    let release = |r: &resultsday::model::CandidateResult| releases.of(r);
    let as_of = resultsday::rules::calendar::parse_as_of("2026-08-20T10:00").unwrap();
    let set = StatementSet {
        settings: &settings,
        centre_number: CENTRE,
        series_name: "June 2026",
        results: &outcome.results,
        boards: &boards,
        release: &release,
        as_of,
        findings: &outcome.findings,
    };
    group.bench_function("statements.html", |b| {
        b.iter(|| black_box(statements::render_html(&set, None).unwrap()))
    });
    // The same page through the template engine, as a centre's own copy of the built-in
    // template is rendered: the baseline for the page written directly.
    let templates = tempfile::tempdir().unwrap();
    let template = templates.path().join("statement.html");
    std::fs::write(&template, statements::BUILTIN_TEMPLATE).unwrap();
    let own = resultsday::rules::config::Settings {
        statement_template: Some(template),
        ..Default::default()
    };
    let through_engine = StatementSet {
        settings: &own,
        ..set
    };
    group.bench_function("statements.html through the template engine", |b| {
        b.iter(|| black_box(statements::render_html(&through_engine, None).unwrap()))
    });
    group.bench_function("statements.csv", |b| {
        b.iter(|| {
            black_box(statements::statements_csv(&outcome.results, &outcome.findings).unwrap())
        })
    });
    group.bench_function("findings.csv", |b| {
        b.iter(|| black_box(findings_csv(&outcome.findings)))
    });
    let tables = AnalysisTables::builtin();
    group.bench_function("analysis", |b| {
        b.iter(|| {
            black_box(analysis::analyse(
                &outcome.results,
                &gradesets,
                &tables,
                None,
            ))
        })
    });
    let whole = analysis::analyse(&outcome.results, &gradesets, &tables, None);
    let out = tempfile::tempdir().unwrap();
    group.bench_function("analysis.xlsx and CSVs written", |b| {
        b.iter(|| {
            black_box(analysis::write_analysis(out.path(), &whole, true, Commit::Now).unwrap())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("run end to end");
    group.sample_size(10);
    group.throughput(Throughput::Elements(results));
    group.bench_function("one centre", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |work| {
                let args = RunArgs {
                    dir: data.path().to_path_buf(),
                    out: work.path().join("out"),
                    db: resultsday::cmd::args::DbArg {
                        path: work.path().join("s.db"),
                    },
                    as_of: Some("2026-08-20T10:00".into()),
                    mis: None,
                    series: None,
                    fail_on: None,
                    force_release: false,
                    accept_earlier_calendar: false,
                    quiet: true,
                    layout: None,
                };
                let code = resultsday::cmd::run::run(&args).unwrap();
                assert_eq!(code, 0);
                work
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
