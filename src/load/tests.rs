//! Unit tests of the loader, and of the order it keeps candidates and entries in.

use super::*;
use crate::model::series::short_cmp;

#[test]
fn short_strings_order_as_strings_do() {
    let words = [
        "",
        "0",
        "00",
        "0001",
        "0002",
        "001",
        "1",
        "A",
        "A\0",
        "A\u{1}",
        "AB",
        "J560H",
        "J560F",
        "8000",
        "80001",
        "ZZZZZZZZ",
        "ZZZZZZZZZ",
        "é",
        "ÉMILE",
        "\u{ff}",
    ];
    for a in words {
        for b in words {
            assert_eq!(short_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
        }
    }
}

#[test]
fn a_key_map_finds_and_joins_by_key() {
    let mut m = KeyMapBuilder::new();
    for (i, key) in [("0002", "B"), ("0001", "B"), ("0001", "A"), ("0003", "A")]
        .into_iter()
        .enumerate()
    {
        m.insert(key, i);
    }
    assert_eq!(m.insert(("0001", "B"), 9), (1, false));
    let m = m.finish();
    let keys: Vec<_> = m.keys().copied().collect();
    assert_eq!(
        keys,
        [("0001", "A"), ("0001", "B"), ("0002", "B"), ("0003", "A")]
    );
    assert_eq!(m.get(&("0001", "B")), Some(&9));
    assert_eq!(m.get(&("0002", "A")), None);
    let of: Vec<_> = m.of_candidate("0001").map(|(k, _)| k.1).collect();
    assert_eq!(of, ["A", "B"]);
    assert_eq!(m.of_candidate("0004").count(), 0);

    let mut other = KeyMapBuilder::new();
    other.insert(("0001", "B"), 'x');
    other.insert(("0003", "A"), 'y');
    other.insert(("0000", "A"), 'z');
    let other = other.finish();
    let joined: Vec<_> = m
        .left_join(&other)
        .map(|(_, &v, w)| (v, w.copied()))
        .collect();
    assert_eq!(
        joined,
        [(2, None), (9, Some('x')), (0, None), (3, Some('y'))]
    );
}
