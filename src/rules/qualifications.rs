//! What each basedata qualification and level is: the name the statements and the analysis
//! use, its level and its candidate results day. One table, `data/qualifications.csv`, so that
//! a qualification seen for the first time is one row, not a new release; each row says whether
//! it is confirmed (seen in real basedata) or assumed.

use std::sync::LazyLock;

use crate::model::ResultsDay;

/// The built-in table.
pub const QUALIFICATIONS_CSV: &str = include_str!("../../data/qualifications.csv");

/// What one qualification and level is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    /// The name statements and the analysis use: `GCSE`, `GCE A`, `GCE AS`, `PROJECT`, `CNAT`.
    pub name: String,
    /// 1, 2 or 3.
    pub level: Option<u8>,
    pub results_day: ResultsDay,
}

#[derive(serde::Deserialize)]
struct Row {
    qualification: String,
    level: String,
    name: String,
    level_number: Option<u8>,
    results_day: String,
}

static TABLE: LazyLock<Vec<Row>> = LazyLock::new(|| {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(QUALIFICATIONS_CSV.as_bytes())
        .deserialize()
        // The built-in table is tested (`every_row_reads`).
        .filter_map(Result::ok)
        .collect()
});

/// The qualification of an option's basedata `qualification` and `level` fields (`GCSE`, `FC`).
/// One the table does not know keeps its own words (`FSKL EL3`) and takes the GCE results day
/// when it says GCE or level 3, the GCSE day otherwise: in August the later of the two, so a
/// result of an unknown kind is never released early.
pub fn classify(qualification: &str, level: &str) -> Qualification {
    let (q, l) = (qualification.trim(), level.trim());
    if let Some(row) = TABLE
        .iter()
        .find(|r| r.qualification.eq_ignore_ascii_case(q) && r.level.eq_ignore_ascii_case(l))
    {
        return Qualification {
            name: row.name.clone(),
            level: row.level_number,
            results_day: if row.results_day == "gce" {
                ResultsDay::Gce
            } else {
                ResultsDay::Gcse
            },
        };
    }
    let name = if l.is_empty() {
        q.to_string()
    } else {
        format!("{q} {l}")
    };
    Qualification {
        results_day: if q.eq_ignore_ascii_case("GCE") {
            ResultsDay::Gce
        } else {
            ResultsDay::Gcse
        },
        level: None,
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_reads() {
        let rows = csv::Reader::from_reader(QUALIFICATIONS_CSV.as_bytes())
            .records()
            .count();
        assert_eq!(rows, TABLE.len());
        assert!(TABLE.len() >= 15);
    }

    #[test]
    fn real_qualifications_have_their_names_and_days() {
        let q = classify("GCSE", "FC");
        assert_eq!(
            (q.name.as_str(), q.level, q.results_day),
            ("GCSE", Some(2), ResultsDay::Gcse)
        );
        let q = classify("GCE ", "ASB");
        assert_eq!(
            (q.name.as_str(), q.results_day),
            ("GCE AS", ResultsDay::Gce)
        );
        assert_eq!(classify("GCE", "A").name, "GCE A");
        assert_eq!(classify("EXPJ", "B").results_day, ResultsDay::Gce);
        assert_eq!(classify("L2PJ", "B").results_day, ResultsDay::Gcse);
        assert_eq!(classify("CNAT", "1&2").name, "CNAT");
        let unknown = classify("FSKL", "EL3");
        assert_eq!((unknown.name.as_str(), unknown.level), ("FSKL EL3", None));
        assert_eq!(classify("GCE", "XYZ").results_day, ResultsDay::Gce);
    }
}
