//! The catalogue of entry options the generated basedata offers and candidates are entered
//! for, and the syllabuses a candidate's entries are drawn from.

use parsers::Item;

/// A qualification and level as an `O5` names them (`data/qualifications.csv`).
pub(super) type QualLevel = (&'static str, &'static str);

const GCSE: QualLevel = ("GCSE", "FC");
const GCSE_DOUBLE: QualLevel = ("GCSE", "DA");
const GCE_A: QualLevel = ("GCE", "A");
const PROJECT: QualLevel = ("EXPJ", "B");
const CNAT: QualLevel = ("CNAT", "1&2");

/// One entry option in the generated catalogue.
pub(super) struct Opt {
    pub(super) board: &'static str,
    pub(super) code: &'static str,
    pub(super) syllabus: &'static str,
    pub(super) title: &'static str,
    /// The option's qualification and level; blank for a unit, whose qualification and level
    /// are in `unit_of`.
    pub(super) qualification: QualLevel,
    pub(super) item: Item,
    /// For a unit (item `U`): the qualification and level of the award it counts toward, a
    /// certification option of the same syllabus.
    pub(super) unit_of: QualLevel,
    pub(super) tier: Option<char>,
    /// The result gradeset (`O5` 94–97).
    pub(super) gradeset: &'static str,
    /// A double award's second-grade gradeset (`O5` 98–101).
    pub(super) gradeset2: Option<&'static str>,
    /// The endorsement gradeset (`O5` 102–105), if the qualification carries one.
    pub(super) endorsement: Option<&'static str>,
    /// The board sends marks (OCR does, where there is no endorsement).
    pub(super) marks: bool,
    /// The DfE discount code and the QAN (`O5` 31–34, 35–42) where a real basedata file shows
    /// them; blank otherwise (`9999`, the code the boards give units, for a unit).
    pub(super) discount: &'static str,
    pub(super) qan: &'static str,
    /// (component code suffix, max mark)
    pub(super) components: &'static [(&'static str, u16)],
}

const fn opt(
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    qualification: QualLevel,
    gradeset: &'static str,
    components: &'static [(&'static str, u16)],
) -> Opt {
    Opt {
        board,
        code,
        syllabus,
        title,
        qualification,
        item: Item::Certification,
        unit_of: ("", ""),
        tier: None,
        gradeset,
        gradeset2: None,
        endorsement: None,
        marks: false,
        discount: "",
        qan: "",
        components,
    }
}

/// A unit of `qualification` toward the certification option of `syllabus`.
const fn unit(
    board: &'static str,
    code: &'static str,
    syllabus: &'static str,
    title: &'static str,
    qualification: QualLevel,
    gradeset: &'static str,
    components: &'static [(&'static str, u16)],
) -> Opt {
    Opt {
        qualification: ("", ""),
        item: Item::Unit,
        unit_of: qualification,
        discount: "9999",
        ..opt(board, code, syllabus, title, ("", ""), gradeset, components)
    }
}

const P3: &[(&str, u16)] = &[("01", 100), ("02", 100), ("03", 100)];
const P2: &[(&str, u16)] = &[("01", 80), ("02", 80)];

pub(super) fn catalogue() -> Vec<Opt> {
    vec![
        Opt {
            endorsement: Some("42"),
            discount: "FK2B",
            qan: "60142923",
            ..opt("70", "8700", "8700", "ENGLISH LANGUAGE", GCSE, "40", P2)
        },
        Opt {
            discount: "FC4",
            qan: "60144476",
            ..opt("70", "8702", "8702", "ENGLISH LITERATURE", GCSE, "40", P2)
        },
        Opt {
            tier: Some('F'),
            gradeset2: Some("15"),
            ..opt(
                "70",
                "8464F",
                "8464",
                "COMBINED SCIENCE: TRILOGY F",
                GCSE_DOUBLE,
                "15",
                &[("1F", 70), ("2F", 70), ("3F", 70)],
            )
        },
        Opt {
            tier: Some('H'),
            gradeset2: Some("15"),
            ..opt(
                "70",
                "8464H",
                "8464",
                "COMBINED SCIENCE: TRILOGY H",
                GCSE_DOUBLE,
                "15",
                &[("1H", 70), ("2H", 70), ("3H", 70)],
            )
        },
        Opt {
            ..opt("70", "8035", "8035", "GEOGRAPHY", GCSE, "40", P3)
        },
        Opt {
            ..opt("70", "8145", "8145", "HISTORY", GCSE, "40", P2)
        },
        Opt {
            endorsement: Some("43"),
            discount: "1010",
            qan: "60146254",
            ..opt("70", "7402", "7402", "BIOLOGY", GCE_A, "4", P3)
        },
        Opt {
            discount: "4850",
            qan: "6014838X",
            ..opt("70", "7182", "7182", "PSYCHOLOGY", GCE_A, "4", P3)
        },
        Opt {
            tier: Some('F'),
            marks: true,
            discount: "RB1",
            qan: "60146060",
            ..opt(
                "01",
                "J560F",
                "J560",
                "MATHEMATICS F",
                GCSE,
                "40",
                &[("01", 100), ("02", 100), ("03", 100)],
            )
        },
        Opt {
            tier: Some('H'),
            marks: true,
            discount: "RB1",
            qan: "60146060",
            ..opt(
                "01",
                "J560H",
                "J560",
                "MATHEMATICS H",
                GCSE,
                "40",
                &[("04", 100), ("05", 100), ("06", 100)],
            )
        },
        Opt {
            marks: true,
            ..opt("01", "J277", "J277", "COMPUTER SCIENCE", GCSE, "40", P2)
        },
        Opt {
            marks: true,
            ..opt("01", "H240", "H240", "MATHEMATICS", GCE_A, "4", P3)
        },
        Opt {
            endorsement: Some("43"),
            ..opt("01", "H556", "H556", "PHYSICS A", GCE_A, "4", P3)
        },
        Opt {
            ..opt(
                "01",
                "H856",
                "H856",
                "EXTENDED PROJECT",
                PROJECT,
                "4",
                &[("01", 50)],
            )
        },
        Opt {
            ..opt(
                "01",
                "J837",
                "J837",
                "ENTERPRISE AND MARKETING",
                CNAT,
                "21",
                &[],
            )
        },
        unit(
            "01",
            "R067",
            "J837",
            "ENTERPRISE AND MARKETING CONCEPTS",
            CNAT,
            "21",
            &[("01", 70)],
        ),
        unit(
            "01",
            "R068",
            "J837",
            "DESIGN A BUSINESS PROPOSAL",
            CNAT,
            "21",
            &[("01", 60)],
        ),
        unit(
            "01",
            "R069",
            "J837",
            "MARKET AND PITCH A PROPOSAL",
            CNAT,
            "21",
            &[("01", 60)],
        ),
        Opt {
            ..opt("40", "C120P1", "C120", "RELIGIOUS STUDIES", GCSE, "40", P3)
        },
        Opt {
            ..opt(
                "40",
                "C800P1",
                "C800",
                "FRENCH",
                GCSE,
                "40",
                &[("1", 60), ("2", 60), ("3", 60), ("4", 60)],
            )
        },
    ]
}
pub(super) const GCSE_CORE: &[&str] = &["8700", "8702", "J560", "8464"];
pub(super) const GCSE_CHOICES: &[&str] = &["8035", "8145", "J277", "C120", "C800", "J837"];
pub(super) const ALEVEL_CHOICES: &[&str] = &["7402", "7182", "H240", "H556"];
