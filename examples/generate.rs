//! Writes a deterministic fictional centre (or many) in the JCQ layouts (`shared/spec/layouts.md`
//! version 2: basedata, entries, results and A2C XML results, and an MIS export), for tests and
//! benchmarks.
//!
//! Usage:
//!   cargo run --release --example generate -- --candidates 2000 --out /tmp/centre [--seed 7]
//!   cargo run --release --example generate -- --centres 5000 --candidates 140 --out /tmp/national
//!
//! One centre: `OUT/basedata`, `OUT/entries`, `OUT/results`, `OUT/candidates.csv`.
//! Several: `OUT/basedata` once, then `OUT/<centre>/entries`, `OUT/<centre>/results` and
//! `OUT/<centre>/candidates.csv`. The same arguments always give the same bytes.

use std::path::PathBuf;
use std::time::Instant;

use resultsday::synthetic::{generate, Spec};

fn parse_args() -> Result<Spec, String> {
    let mut args = Spec {
        candidates: 200,
        centres: 1,
        out: PathBuf::new(),
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--candidates" => {
                args.candidates = value()?.parse().map_err(|e| format!("--candidates: {e}"))?
            }
            "--centres" => {
                args.centres = value()?.parse().map_err(|e| format!("--centres: {e}"))?
            }
            "--out" => args.out = PathBuf::from(value()?),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "-h" | "--help" => {
                return Err(
                    "usage: generate --candidates N --out DIR [--centres K] [--seed S]".into(),
                )
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err("--out DIR is required".into());
    }
    if args.centres == 0 || args.centres > 89_999 {
        return Err("--centres must be between 1 and 89999".into());
    }
    if args.candidates == 0 || args.candidates > 9_999 {
        return Err(
            "--candidates must be between 1 and 9999 (a candidate number has 4 digits)".into(),
        );
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("generate: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    match generate(&args) {
        Ok(bytes) => {
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "generate: wrote {:.1} MB in {:.2} s ({:.0} MB/s) to {}",
                bytes as f64 / 1e6,
                secs,
                bytes as f64 / 1e6 / secs.max(1e-9),
                args.out.display()
            );
        }
        Err(e) => {
            eprintln!("generate: {e}");
            std::process::exit(2);
        }
    }
}
