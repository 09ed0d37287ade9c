//! The evidence: for each field, how many detail lines hold at each position what that field
//! holds, and the position most lines agree on.
//!
//! Fields are looked for strongest first (the UCI, whose check letter cannot match by chance,
//! then the centre number, the name, the candidate number, the option code, the grade, the
//! flag, the mark, the max mark and last the second grade, which most lines leave blank), and
//! each field found takes its bytes, so that a later field is only looked for in bytes no field
//! has taken.

use std::collections::HashMap;

mod results_area;

use super::Hints;
use crate::layouts::{FieldKind, FieldSpec, SLOT_LEN, SLOT_OPTION_LEN};

/// A position is found when at least this share of the lines supports it.
pub(super) const MIN_SHARE: f64 = 0.6;
/// A field that is blank in many lines (a second grade, the flag, a mark) is found only when at
/// least this many lines hold a value there.
const MIN_VALUES: usize = 3;
/// The flag column must hold `M`, `E` or blank in this share of the lines.
const FLAG_SHARE: f64 = 0.9;
/// The longest line studied: the layout table allows no longer record.
const MAX_WIDTH: usize = 1024;
/// The order fields are looked for in.
const ORDER: [&str; 11] = [
    "uci",
    "centre",
    "name",
    "candidate",
    "option",
    "slots",
    "grade1",
    "flag",
    "mark_or_endorsement",
    "max_mark",
    "grade2",
];

/// The detail lines studied, each padded with spaces so that every window can be read.
pub(super) struct Study {
    rows: Vec<Vec<u8>>,
    centres: Vec<Option<[u8; 5]>>,
    lengths: Vec<usize>,
    /// The longest line (at most `MAX_WIDTH`).
    width: usize,
}

impl Study {
    pub fn new(lines: &[(&[u8], Option<[u8; 5]>)], pad: usize) -> Study {
        let cut = |l: &[u8]| l.len().min(MAX_WIDTH);
        let width = lines.iter().map(|l| cut(l.0)).max().unwrap_or(0);
        let rows = lines
            .iter()
            .map(|(l, _)| {
                let mut row = Vec::with_capacity(width + pad);
                row.extend_from_slice(&l[..cut(l)]);
                row.resize(width + pad, b' ');
                row
            })
            .collect();
        Study {
            rows,
            centres: lines.iter().map(|l| l.1).collect(),
            lengths: lines.iter().map(|l| l.0.len()).collect(),
            width,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The most common line length and how many lines have it (the longer on a tie).
    pub fn record_length(&self) -> Option<(usize, usize)> {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for &l in &self.lengths {
            *counts.entry(l).or_default() += 1;
        }
        counts
            .into_iter()
            .filter(|&(l, _)| (2..=MAX_WIDTH).contains(&l))
            .max_by_key(|&(l, c)| (c, l))
    }
}

/// What the lines say about one field.
#[derive(Debug, Clone, Default)]
pub(super) struct Search {
    /// 1-based start and width.
    pub found: Option<(usize, usize)>,
    /// Lines that support `found`.
    pub count: usize,
    /// Lines that support the layout's position.
    pub layout_count: usize,
    pub evidence: String,
    pub not_found: Option<String>,
    pub looked_for: bool,
}

/// Every field not found, because there are too few lines to look.
pub(super) fn too_few(fields: &[(&'static str, FieldSpec)], n: usize) -> Vec<Search> {
    let why = format!(
        "only {n} detail line{}: too few to be sure of any position",
        if n == 1 { "" } else { "s" }
    );
    fields
        .iter()
        .map(|&(key, f)| Search {
            not_found: looked_for(key, f).then(|| why.clone()),
            looked_for: looked_for(key, f),
            ..Search::default()
        })
        .collect()
}

fn looked_for(key: &str, f: FieldSpec) -> bool {
    f.kind != FieldKind::Unused && (key == "record_type" || ORDER.contains(&key))
}

/// Looks for every field of a table in the lines; `length` is the record length found (or the
/// layout's).
pub(super) fn search(
    study: &Study,
    fields: &[(&'static str, FieldSpec)],
    length: usize,
    hints: &Hints,
) -> Vec<Search> {
    let n = study.len();
    let mut s = Searcher {
        st: study,
        hints,
        length,
        n,
        claimed: vec![false; study.width + fields.iter().map(|f| f.1.len).max().unwrap_or(0) + 1],
        at: HashMap::new(),
    };
    s.claim("record_type", 0, 2);
    let mut out: Vec<Search> = fields
        .iter()
        .map(|&(_, f)| Search {
            not_found: (f.kind != FieldKind::Unused)
                .then(|| "resultsday does not look for this field".to_string()),
            ..Search::default()
        })
        .collect();
    for key in std::iter::once("record_type").chain(ORDER) {
        let Some(i) = fields.iter().position(|f| f.0 == key) else {
            continue;
        };
        let f = fields[i].1;
        out[i] = match key {
            "record_type" => Search {
                found: Some((1, 2)),
                count: n,
                layout_count: n,
                evidence: "the record type".into(),
                not_found: None,
                looked_for: true,
            },
            "uci" => s.uci(f),
            "centre" => s.centre(f),
            "name" => s.name(f),
            "candidate" => s.candidate(f),
            "option" | "slots" => s.option(key, f),
            "grade1" => s.grade1(f),
            "grade2" => s.grade2(f),
            "flag" => s.flag(f),
            "mark_or_endorsement" => s.mark(f),
            _ => s.max_mark(f),
        };
        out[i].looked_for = true;
    }
    out
}

struct Searcher<'a> {
    st: &'a Study,
    hints: &'a Hints,
    length: usize,
    n: usize,
    /// Bytes (0-based) taken by fields found.
    claimed: Vec<bool>,
    /// Fields found: 0-based start and width.
    at: HashMap<&'static str, (usize, usize)>,
}

fn digits(w: &[u8]) -> bool {
    w.iter().all(u8::is_ascii_digit)
}

fn blank(w: &[u8]) -> bool {
    w.iter().all(|&b| b == b' ')
}

/// Text with its trailing spaces removed, as a `&str` when it is one.
fn trimmed(w: &[u8]) -> Option<&str> {
    std::str::from_utf8(w.trim_ascii_end()).ok()
}

/// A letter of a name: ASCII, or any byte of Windows-1252 (or UTF-8) beyond ASCII.
fn letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0xC0
}

fn name_char(b: u8) -> bool {
    letter(b) || b >= 0x80 || matches!(b, b'\'' | b'-' | b'.')
}

impl<'a> Searcher<'a> {
    fn win(&self, r: usize, s: usize, len: usize) -> &'a [u8] {
        &self.st.rows[r][s..s + len]
    }

    fn need(&self) -> usize {
        ((self.n as f64 * MIN_SHARE).ceil() as usize).max(1)
    }

    /// Whether a window lies within the lines and in bytes no field has taken.
    fn free(&self, s: usize, len: usize) -> bool {
        s + len <= self.st.width && self.claimed[s..s + len].iter().all(|&c| !c)
    }

    fn claim(&mut self, key: &'static str, s: usize, len: usize) {
        let end = (s + len).min(self.claimed.len());
        self.claimed[s.min(end)..end].fill(true);
        self.at.insert(key, (s, len));
    }

    /// The best start among those `ok` allows: the most lines, then the layout's start, then
    /// the highest `tie`, then the earliest.
    fn pick(
        &self,
        counts: &[usize],
        ok: impl Fn(usize) -> bool,
        layout0: usize,
        tie: impl Fn(usize) -> i64,
    ) -> Option<(usize, usize)> {
        (0..counts.len())
            .filter(|&s| counts[s] > 0 && ok(s))
            .max_by_key(|&s| (counts[s], s == layout0, tie(s), std::cmp::Reverse(s)))
            .map(|s| (s, counts[s]))
    }

    /// The finding for `best` when enough lines support it; else why not.
    #[allow(clippy::too_many_arguments)]
    fn conclude(
        &mut self,
        key: &'static str,
        best: Option<(usize, usize)>,
        len: usize,
        counts: &[usize],
        f: FieldSpec,
        evidence: &str,
        why: &str,
    ) -> Search {
        let layout_count = counts.get(f.start - 1).copied().unwrap_or(0);
        let mut out = Search {
            layout_count,
            evidence: evidence.to_string(),
            ..Search::default()
        };
        match best {
            Some((s, count)) if count >= self.need() && len > 0 => {
                self.claim(key, s, len);
                out.found = Some((s + 1, len));
                out.count = count;
            }
            Some((s, count)) => {
                out.not_found = Some(format!(
                    "{why}; the best bytes, {}–{}, have it in only {} of {} lines",
                    s + 1,
                    s + len.max(1),
                    count,
                    self.n
                ));
            }
            None => out.not_found = Some(why.to_string()),
        }
        out
    }

    fn uci(&mut self, f: FieldSpec) -> Search {
        let w = self.st.width;
        let mut hits = vec![0usize; w.saturating_sub(12)];
        for row in &self.st.rows {
            super::count_valid_starts(&row[..w], &mut hits);
        }
        let best = self.pick(&hits, |s| self.free(s, 13), f.start - 1, |_| 0);
        let why = "no 13 characters whose check letter validates as a UCI's in most lines";
        self.conclude(
            "uci",
            best,
            13,
            &hits,
            f,
            "a UCI whose check letter validates",
            why,
        )
    }

    fn centre(&mut self, f: FieldSpec) -> Search {
        let mut counts = vec![0usize; self.st.width.saturating_sub(4)];
        for (r, c) in self.st.centres.iter().enumerate() {
            let Some(c) = c else { continue };
            for (s, n) in counts.iter_mut().enumerate() {
                *n += usize::from(self.win(r, s, 5) == c);
            }
        }
        let best = self.pick(&counts, |s| self.free(s, 5), f.start - 1, |_| 0);
        let why = if self.st.centres.iter().all(Option::is_none) {
            "the file has no header that gives its centre number"
        } else {
            "no 5 digits equal to the centre number of the file header in most lines"
        };
        self.conclude(
            "centre",
            best,
            5,
            &counts,
            f,
            "the centre number of the file header",
            why,
        )
    }

    fn name(&mut self, f: FieldSpec) -> Search {
        let (w, len) = (self.st.width, f.len);
        let mut counts = vec![0usize; w];
        let (mut bad, mut colons) = (Vec::new(), Vec::new());
        for row in &self.st.rows {
            // Running counts of bytes a name cannot hold, and of colons.
            bad.clear();
            colons.clear();
            bad.push(0usize);
            colons.push(0usize);
            for &b in row {
                let ok = name_char(b) || b == b' ' || b == b':';
                bad.push(bad[bad.len() - 1] + usize::from(!ok));
                colons.push(colons[colons.len() - 1] + usize::from(b == b':'));
            }
            for (s, n) in counts.iter_mut().enumerate() {
                let e = (s + len).min(row.len());
                let starts = letter(row[s]) && (s == 0 || !name_char(row[s - 1]));
                if starts && bad[e] == bad[s] && colons[e] > colons[s] {
                    *n += 1;
                }
            }
        }
        let width = |s: usize| len.min(self.length.saturating_sub(s));
        let best = self.pick(
            &counts,
            |s| self.free(s, width(s).min(w - s)),
            f.start - 1,
            |_| 0,
        );
        let found_len = best.map_or(0, |(s, _)| width(s));
        let why = "no column of names written SURNAME:FORENAMES in most lines";
        let evidence = "a name written SURNAME:FORENAMES";
        self.conclude("name", best, found_len, &counts, f, evidence, why)
    }

    /// Lines where a 4-digit window holds one number per UCI and one UCI per number.
    fn one_per_uci(&self, s: usize, uci: usize) -> usize {
        type Tally<'t> = HashMap<&'t [u8], HashMap<&'t [u8], usize>>;
        let (mut by_uci, mut by_value): (Tally, Tally) = (HashMap::new(), HashMap::new());
        let mut pairs = Vec::new();
        for r in 0..self.n {
            let (v, u) = (self.win(r, s, 4), self.win(r, uci, 13));
            if digits(v) && !blank(u) {
                *by_uci.entry(u).or_default().entry(v).or_default() += 1;
                *by_value.entry(v).or_default().entry(u).or_default() += 1;
                pairs.push((u, v));
            }
        }
        if pairs.len() < self.need() || by_value.len() < 2 {
            return 0;
        }
        let most = |t: &Tally<'a>| -> HashMap<&'a [u8], &'a [u8]> {
            t.iter()
                .filter_map(|(k, m)| m.iter().max_by_key(|e| (e.1, e.0)).map(|e| (*k, *e.0)))
                .collect()
        };
        let (value_of, uci_of) = (most(&by_uci), most(&by_value));
        pairs
            .iter()
            .filter(|(u, v)| value_of.get(u) == Some(v) && uci_of.get(v) == Some(u))
            .count()
    }

    fn candidate(&mut self, f: FieldSpec) -> Search {
        let w = self.st.width;
        let mut counts = vec![0usize; w.saturating_sub(3)];
        let uci = self.at.get("uci").map(|u| u.0);
        let evidence;
        match (&self.hints.candidates, uci) {
            (Some(set), _) if !set.is_empty() => {
                evidence = "a candidate number of the entries";
                for r in 0..self.n {
                    for (s, n) in counts.iter_mut().enumerate() {
                        let v = self.win(r, s, 4);
                        *n += usize::from(digits(v) && trimmed(v).is_some_and(|v| set.contains(v)));
                    }
                }
            }
            (_, Some(u)) => {
                evidence = "4 digits, one number for each UCI";
                for (s, n) in counts.iter_mut().enumerate() {
                    if self.free(s, 4) {
                        *n = self.one_per_uci(s, u);
                    }
                }
            }
            _ => {
                let why = "without the entries' candidate numbers or a UCI column, nothing tells \
                           a candidate number from other digits";
                return self.conclude("candidate", None, 4, &counts, f, "", why);
            }
        }
        // Ties go to the column that holds the UCI's serial, then to the one nearest after the
        // centre number.
        let centre_end = self.at.get("centre").map_or(0, |c| c.0 + c.1) as i64;
        let tie = |s: usize| {
            let serial = uci.map_or(0, |u| {
                (0..self.n)
                    .filter(|&r| self.win(r, s, 4) == self.win(r, u + 8, 4))
                    .count()
            });
            serial as i64 * 10_000 - (s as i64 - centre_end).abs()
        };
        let best = self.pick(&counts, |s| self.free(s, 4), f.start - 1, tie);
        let why = "no 4-digit column of candidate numbers in most lines";
        self.conclude("candidate", best, 4, &counts, f, evidence, why)
    }

    /// The option code (`option`), or the first entry option slot of an entries record
    /// (`slots`, which then runs on for as many whole slots as the layout has and fit).
    fn option(&mut self, key: &'static str, f: FieldSpec) -> Search {
        let (w, len) = (self.st.width, SLOT_OPTION_LEN);
        let mut counts = vec![0usize; (w + 1).saturating_sub(len)];
        let known = self.hints.options.as_ref().filter(|o| !o.is_empty());
        for r in 0..self.n {
            for (s, n) in counts.iter_mut().enumerate() {
                let v = self.win(r, s, len);
                let ok = match known {
                    Some(options) => {
                        v[0] != b' ' && trimmed(v).is_some_and(|t| options.contains_key(t))
                    }
                    None => {
                        let run = v.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                        run >= 3 && blank(&v[run..])
                    }
                };
                *n += usize::from(ok);
            }
        }
        // Without the basedata, ties go to the column whose values repeat the most: option
        // codes are shared by many candidates.
        let distinct = |s: usize| -> i64 {
            if known.is_some() {
                return 0;
            }
            let values: std::collections::HashSet<&[u8]> =
                (0..self.n).map(|r| self.win(r, s, len)).collect();
            -(values.len() as i64)
        };
        let best = self.pick(&counts, |s| self.free(s, len), f.start - 1, distinct);
        let found_len = match (key, best) {
            ("slots", Some((s, _))) => {
                f.len.min(self.length.saturating_sub(s)) / SLOT_LEN * SLOT_LEN
            }
            _ => len,
        };
        let (evidence, why) = match known {
            Some(_) => (
                "an option code of the basedata",
                "no 6-byte column holds the basedata's option codes in most lines",
            ),
            None => (
                "text shaped like an option code (there was no basedata to check it against)",
                "no 6-byte column of option codes in most lines, and no basedata to check against",
            ),
        };
        self.conclude(key, best, found_len, &counts, f, evidence, why)
    }
}
