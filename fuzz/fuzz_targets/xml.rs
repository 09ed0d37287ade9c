//! Any bytes as an A2C XML results file: `parse_xml_results` never panics, every line it names is
//! in the file, every record it keeps has its key, and the limits that protect the machine hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::parse_xml_results;

fuzz_target!(|data: &[u8]| {
    let file = parse_xml_results(data);
    let last_line = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let in_file = |l: usize| (1..=last_line).contains(&l);

    for p in &file.problems {
        assert!(!p.message.is_empty(), "{p:?}");
        assert!(
            p.line.is_some_and(in_file),
            "{p:?} in a file of {last_line} lines"
        );
    }
    // Every problem is owed to some bytes of the file: none are multiplied out of nothing.
    assert!(
        file.problems.len() <= data.len() + 1,
        "{} problems from {} bytes",
        file.problems.len(),
        data.len()
    );

    let mut prev_candidate = 0;
    for c in &file.candidates {
        assert!(in_file(c.line), "{c:?}");
        assert!(c.line >= prev_candidate, "candidates out of order");
        prev_candidate = c.line;
        assert_eq!(c.candidate_number.len(), 4, "{c:?}");
        assert!(
            c.candidate_number.bytes().all(|b| b.is_ascii_digit()),
            "{c:?}"
        );
        for r in &c.results {
            assert!(in_file(r.line) && r.line >= c.line, "{r:?} in {c:?}");
            assert!(!r.option_code.trim().is_empty(), "{r:?}");
            for comp in &r.components {
                assert!(
                    in_file(comp.line) && comp.line >= r.line,
                    "{comp:?} in {r:?}"
                );
                assert!(!comp.code.trim().is_empty(), "{comp:?}");
            }
        }
    }

    // Unknown elements keep their path and stay within their memory budget.
    let unknown_bytes: usize = file
        .unknown
        .iter()
        .map(|(path, text)| path.len() + text.len() + 2 * std::mem::size_of::<String>())
        .sum();
    assert!(
        unknown_bytes <= data.len() * 16,
        "{unknown_bytes} bytes from {}",
        data.len()
    );
    for (path, _) in &file.unknown {
        assert!(
            path.split('/').all(|name| !name.is_empty()),
            "unknown path {path:?}"
        );
    }
});
