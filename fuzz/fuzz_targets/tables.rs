//! Any bytes as the gradesets and boards CSV tables: `from_csv` never panics, and a table that
//! loads answers for every row it was given.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use parsers::{Boards, Gradesets};

/// The column headed `name` in every data row, read as the parsers read the tables (by header,
/// so the columns may come in any order).
fn column(data: &[u8], name: &str) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(data);
    let Some(at) = rdr
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|f| f == name))
    else {
        return Vec::new();
    };
    rdr.records()
        .filter_map(Result::ok)
        .filter_map(|r| r.get(at).map(str::to_string))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let max_rows = data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
    // (Building a csv reader is most of an execution's cost: the columns are read only for a
    // table that loads.)
    if let Ok(g) = Gradesets::from_csv(data) {
        assert!(g.len() <= max_rows, "{} sets from {max_rows} rows", g.len());
        let codes: HashSet<String> = column(data, "code").into_iter().collect();
        for code in codes {
            let set = g
                .get(&code)
                .unwrap_or_else(|| panic!("gradeset {code:?} loaded but not found"));
            assert_eq!(set.code, code);
            assert!(!set.grades.is_empty());
            assert!(set.grades.windows(2).all(|w| w[0].rank <= w[1].rank));
            assert!(set.allows("X") && set.allows("Q"));
            // (`allows` is a linear search: a few grades are enough.)
            for grade in set.grades.iter().take(8) {
                assert!(set.allows(&grade.grade));
            }
        }
    }
    if let Ok(b) = Boards::from_csv(data) {
        for id in column(data, "id") {
            let board = b
                .get(&id)
                .unwrap_or_else(|| panic!("board {id:?} loaded but not found"));
            assert!(board.id.eq_ignore_ascii_case(&id));
            assert_eq!(b.get(&id.to_ascii_lowercase()), Some(board));
            assert_eq!(b.name(&id), board.name);
        }
    }
});
