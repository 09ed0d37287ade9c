//! Saving runs in the store: three generated centres of about 14,000 results each (2,000
//! candidates), with their input files and findings, saved in one transaction into a new store,
//! as `resultsday run` saves a run of several centres. In results/s.
//!
//! cargo bench --bench store

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use resultsday::load;
use resultsday::load::inputs::Limits;
use resultsday::pipeline::check_series;
use resultsday::store::{InputFileRecord, RunRecord, Store};
use resultsday::synthetic::{generate, Spec};

const CANDIDATES: usize = 2_000;
const CENTRES: usize = 3;
const SERIES: &str = "6A26";

fn save(c: &mut Criterion) {
    let data = tempfile::tempdir().unwrap();
    generate(&Spec {
        candidates: CANDIDATES,
        centres: CENTRES,
        out: data.path().to_path_buf(),
        seed: 1,
    })
    .expect("the generator writes the centres");
    let folder = load::read_folder(data.path(), &Limits::default(), &|_| {}, &|| {});
    let gradesets = parsers::Gradesets::builtin();
    let boards = parsers::Boards::builtin();
    let centres: Vec<String> = (0..CENTRES).map(|i| format!("{}", 10_000 + i)).collect();
    let outcomes: Vec<_> = centres
        .iter()
        .map(|centre| check_series(&folder, centre, SERIES, &gradesets, &boards))
        .collect();
    let files: Vec<Vec<InputFileRecord>> = outcomes
        .iter()
        .map(|o| {
            o.series
                .files
                .iter()
                .map(|f| InputFileRecord {
                    path: f.path.clone(),
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                    size: f.size,
                    kind: "results".into(),
                    board: f.board().unwrap_or_default(),
                    records: f.records() as u64,
                })
                .collect()
        })
        .collect();
    let results: u64 = outcomes.iter().map(|o| o.results.len() as u64).sum();
    assert!(results > 0);
    let as_of = resultsday::rules::calendar::parse_as_of("2026-08-20T10:00").unwrap();
    let runs: Vec<RunRecord> = centres
        .iter()
        .zip(&outcomes)
        .zip(&files)
        .map(|((centre, o), files)| RunRecord {
            started_at: chrono::Utc::now(),
            as_of,
            centre,
            series: SERIES,
            version: env!("CARGO_PKG_VERSION"),
            files,
            results: &o.results,
            findings: &o.findings,
            counts: serde_json::json!({"records": o.results.len()}),
            tables: &[],
            elapsed_ms: 1,
        })
        .collect();

    let mut group = c.benchmark_group("store");
    group.sample_size(20);
    group.throughput(Throughput::Elements(results));
    group.bench_function("save three centres", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("s.db")).unwrap();
                (dir, store)
            },
            |(dir, mut store)| {
                let batch = store.begin_runs().unwrap();
                for run in &runs {
                    batch.record(run, &mut |_, _| Ok(())).unwrap();
                }
                batch.commit().unwrap();
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, save);
criterion_main!(benches);
