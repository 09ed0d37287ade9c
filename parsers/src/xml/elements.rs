//! The element table: which XML elements resultsday reads, what each one is, and the record it
//! belongs to.

/// The local names (prefix and namespace ignored) of the elements resultsday reads.
pub(super) struct ElementNames {
    pub(super) root: &'static str,
    /// The root's attribute that carries the format version.
    pub(super) version: &'static str,
    pub(super) header: &'static str,
    pub(super) centre: &'static str,
    pub(super) awarding_body: &'static str,
    pub(super) series: &'static str,
    pub(super) created: &'static str,
    pub(super) candidate: &'static str,
    pub(super) candidate_number: &'static str,
    pub(super) uci: &'static str,
    pub(super) uln: &'static str,
    pub(super) name: &'static str,
    pub(super) result: &'static str,
    pub(super) option_code: &'static str,
    pub(super) grade: &'static str,
    pub(super) grade2: &'static str,
    pub(super) mark: &'static str,
    pub(super) max_mark: &'static str,
    pub(super) endorsement: &'static str,
    pub(super) component: &'static str,
    /// A component's code; a component also has `mark`, `max_mark` and `grade`.
    pub(super) code: &'static str,
}

// UNVERIFIED: see spec/jcq-formats.md §6. The real element names and nesting were not found;
// these are the working names of spec/layouts.md §5. Correct them here and nowhere else.
pub(super) const NAMES: ElementNames = ElementNames {
    root: "EDIResults",
    version: "version",
    header: "Header",
    centre: "CentreNumber",
    awarding_body: "AwardingBody",
    series: "Series",
    created: "Created",
    candidate: "Candidate",
    candidate_number: "CandidateNumber",
    uci: "UCI",
    uln: "ULN",
    name: "Name",
    result: "Result",
    option_code: "OptionCode",
    grade: "Grade",
    grade2: "Grade2",
    mark: "Mark",
    max_mark: "MaxMark",
    endorsement: "Endorsement",
    component: "Component",
    code: "Code",
};

/// What an open element is, judged from its local name and its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    Root,
    Header,
    Candidate,
    Result,
    Component,
    Field(Field),
    Unknown,
}

/// The leaf elements resultsday reads, by the record they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Centre,
    AwardingBody,
    Series,
    Created,
    CandidateNumber,
    Uci,
    Uln,
    Name,
    OptionCode,
    Grade,
    Grade2,
    Mark,
    MaxMark,
    Endorsement,
    ComponentCode,
    ComponentMark,
    ComponentMaxMark,
    ComponentGrade,
}

impl Field {
    pub(super) fn name(self) -> &'static str {
        match self {
            Field::Centre => NAMES.centre,
            Field::AwardingBody => NAMES.awarding_body,
            Field::Series => NAMES.series,
            Field::Created => NAMES.created,
            Field::CandidateNumber => NAMES.candidate_number,
            Field::Uci => NAMES.uci,
            Field::Uln => NAMES.uln,
            Field::Name => NAMES.name,
            Field::OptionCode => NAMES.option_code,
            Field::Grade | Field::ComponentGrade => NAMES.grade,
            Field::Grade2 => NAMES.grade2,
            Field::Mark | Field::ComponentMark => NAMES.mark,
            Field::MaxMark | Field::ComponentMaxMark => NAMES.max_mark,
            Field::Endorsement => NAMES.endorsement,
            Field::ComponentCode => NAMES.code,
        }
    }

    /// This field's bit in its record's set of fields already read.
    pub(super) fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The record a field belongs to.
    pub(super) fn record(self) -> Record {
        match self {
            Field::Centre | Field::AwardingBody | Field::Series | Field::Created => Record::Header,
            Field::CandidateNumber | Field::Uci | Field::Uln | Field::Name => Record::Candidate,
            Field::OptionCode
            | Field::Grade
            | Field::Grade2
            | Field::Mark
            | Field::MaxMark
            | Field::Endorsement => Record::Result,
            Field::ComponentCode
            | Field::ComponentMark
            | Field::ComponentMaxMark
            | Field::ComponentGrade => Record::Component,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Record {
    Header,
    Candidate,
    Result,
    Component,
}

impl Record {
    pub(super) fn name(self) -> &'static str {
        match self {
            Record::Header => NAMES.header,
            Record::Candidate => NAMES.candidate,
            Record::Result => NAMES.result,
            Record::Component => NAMES.component,
        }
    }
}

/// What a child element is, given its parent (`None` at the top level) and its local name.
pub(super) fn classify(parent: Option<Node>, local: &str) -> Node {
    let n = &NAMES;
    match parent {
        None if local == n.root => Node::Root,
        Some(Node::Root) if local == n.header => Node::Header,
        Some(Node::Root) if local == n.candidate => Node::Candidate,
        Some(Node::Header) => match local {
            _ if local == n.centre => Node::Field(Field::Centre),
            _ if local == n.awarding_body => Node::Field(Field::AwardingBody),
            _ if local == n.series => Node::Field(Field::Series),
            _ if local == n.created => Node::Field(Field::Created),
            _ => Node::Unknown,
        },
        Some(Node::Candidate) => match local {
            _ if local == n.candidate_number => Node::Field(Field::CandidateNumber),
            _ if local == n.uci => Node::Field(Field::Uci),
            _ if local == n.uln => Node::Field(Field::Uln),
            _ if local == n.name => Node::Field(Field::Name),
            _ if local == n.result => Node::Result,
            _ => Node::Unknown,
        },
        Some(Node::Result) => match local {
            _ if local == n.option_code => Node::Field(Field::OptionCode),
            _ if local == n.grade => Node::Field(Field::Grade),
            _ if local == n.grade2 => Node::Field(Field::Grade2),
            _ if local == n.mark => Node::Field(Field::Mark),
            _ if local == n.max_mark => Node::Field(Field::MaxMark),
            _ if local == n.endorsement => Node::Field(Field::Endorsement),
            _ if local == n.component => Node::Component,
            _ => Node::Unknown,
        },
        Some(Node::Component) => match local {
            _ if local == n.code => Node::Field(Field::ComponentCode),
            _ if local == n.mark => Node::Field(Field::ComponentMark),
            _ if local == n.max_mark => Node::Field(Field::ComponentMaxMark),
            _ if local == n.grade => Node::Field(Field::ComponentGrade),
            _ => Node::Unknown,
        },
        _ => Node::Unknown,
    }
}
