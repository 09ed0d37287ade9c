//! The store's schema: every migration, oldest first, each run once in its own transaction.

/// The schema, one step per entry: entry `n` takes a store from version `n` to `n + 1`. Add new
/// steps at the end; never change one that has shipped.
pub const MIGRATIONS: &[&str] = &[SCHEMA_V1, PRS, CERTIFICATES, RUN_TABLES];

/// Version 1: runs, their input files, results and findings.
const SCHEMA_V1: &str = "
CREATE TABLE runs (
    id                 INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,    -- RFC 3339, UTC
    finished_at        TEXT NOT NULL,    -- RFC 3339, UTC
    as_of              TEXT NOT NULL,    -- RFC 3339 with the London offset
    centre             TEXT NOT NULL,
    series             TEXT NOT NULL,
    resultsday_version TEXT NOT NULL,
    counts_json        TEXT NOT NULL,
    elapsed_ms         INTEGER NOT NULL
) STRICT;
CREATE INDEX runs_by_centre_series ON runs (centre, series, id);

CREATE TABLE input_files (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path    TEXT NOT NULL,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    size    INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    board   TEXT NOT NULL,
    records INTEGER NOT NULL
) STRICT;
CREATE INDEX input_files_by_run ON input_files (run_id);

CREATE TABLE results (
    id                     INTEGER PRIMARY KEY,
    run_id                 INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    board                  TEXT NOT NULL,
    centre                 TEXT NOT NULL,
    candidate_number       TEXT NOT NULL,
    uci                    TEXT NOT NULL,
    name                   TEXT NOT NULL,
    entry_code             TEXT NOT NULL,
    syllabus_code          TEXT,
    title                  TEXT NOT NULL,
    qualification          TEXT NOT NULL,
    level                  INTEGER,
    gradeset               TEXT,
    is_award               INTEGER NOT NULL,
    grade                  TEXT,             -- without '#'
    grade_partial_absence  INTEGER,          -- the '#'; NULL when there is no grade
    grade2                 TEXT,             -- the second grade of a double award
    grade2_partial_absence INTEGER,
    mark                   INTEGER,
    max_mark               INTEGER,
    endorsement            TEXT,
    components_json        TEXT,             -- [{code,title,mark,max_mark}]; NULL when none
    results_day            TEXT NOT NULL,    -- 'gce' or 'gcse'
    file                   TEXT NOT NULL,
    line                   INTEGER
) STRICT;
CREATE INDEX results_by_run_candidate_entry ON results (run_id, candidate_number, entry_code);

CREATE TABLE findings (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    severity         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    board            TEXT NOT NULL,
    centre           TEXT NOT NULL,
    candidate_number TEXT NOT NULL,
    uci              TEXT NOT NULL,
    name             TEXT NOT NULL,
    entry_code       TEXT NOT NULL,
    detail           TEXT NOT NULL,
    file             TEXT NOT NULL,
    line             INTEGER
) STRICT;
CREATE INDEX findings_by_run ON findings (run_id);
";

/// Version 2: the post-results log (`prs`).
const PRS: &str = "
CREATE TABLE prs_requests (
    id                 INTEGER PRIMARY KEY,
    reference          TEXT NOT NULL UNIQUE,
    centre             TEXT NOT NULL,
    series             TEXT NOT NULL,     -- the series code the runs use (6A26)
    candidate_number   TEXT NOT NULL,     -- '' for a whole-cohort review of moderation (S3)
    board              TEXT NOT NULL,
    entry_code         TEXT NOT NULL,
    component_code     TEXT NOT NULL,     -- '' when not given
    service            TEXT NOT NULL
        CHECK (service IN ('S1', 'S2', 'S2P', 'S3', 'ATS-R', 'ATS-T', 'ATS-P')),
    requested_on       TEXT NOT NULL,     -- YYYY-MM-DD, received by the board
    consent_on         TEXT,              -- YYYY-MM-DD; NULL when none was needed (S3)
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    outcome            TEXT CHECK (outcome IN ('grade_raised', 'grade_lowered', 'mark_changed',
                           'confirmed', 'centre_marks_reinstated', 'moderated_marks_confirmed',
                           'script_received')),
    outcome_on         TEXT,              -- YYYY-MM-DD, the date on the outcome
    old_grade          TEXT,              -- grades as printed on a statement
    new_grade          TEXT,
    old_mark           INTEGER,
    new_mark           INTEGER,
    fee_pence          INTEGER,           -- the board's fee when requested; NULL when unknown
    refund_due         INTEGER CHECK (refund_due IN (0, 1)),  -- NULL: no fee question (yet)
    keep_consent_until TEXT,              -- YYYY-MM-DD
    linked_run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    created_at         TEXT NOT NULL,     -- RFC 3339, UTC
    CHECK ((status = 'open') = (outcome IS NULL)),
    CHECK ((outcome IS NULL) = (outcome_on IS NULL))
) STRICT;
CREATE INDEX prs_requests_by_entry
    ON prs_requests (centre, candidate_number, board, entry_code, status);
";

/// Version 3: the certificates log (`certs`).
const CERTIFICATES: &str = "
CREATE TABLE certificate_batches (
    id          INTEGER PRIMARY KEY,
    centre      TEXT NOT NULL,
    board       TEXT NOT NULL,
    series      TEXT NOT NULL,      -- the series code, as runs.series (6A26)
    received_on TEXT NOT NULL CHECK (received_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL, -- where the expected list came from
    expected    INTEGER NOT NULL,   -- certificates expected from the board when it was received
    recorded_at TEXT NOT NULL       -- RFC 3339, UTC
) STRICT;

CREATE TABLE certificates (
    id                INTEGER PRIMARY KEY,
    batch_id          INTEGER NOT NULL REFERENCES certificate_batches (id),
    centre            TEXT NOT NULL,
    board             TEXT NOT NULL,
    series            TEXT NOT NULL,
    candidate_number  TEXT NOT NULL,
    uci               TEXT NOT NULL,
    name              TEXT NOT NULL,  -- SURNAME:FORENAMES
    expected          INTEGER NOT NULL CHECK (expected IN (0, 1)),
    received_on       TEXT NOT NULL CHECK (received_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    issued_on         TEXT CHECK (issued_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    issued_how        TEXT CHECK (issued_how IN ('collected', 'posted')),
    issued_to         TEXT,           -- who collected it, or where it was posted
    destroyed_on      TEXT CHECK (destroyed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    returned_on       TEXT CHECK (returned_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    keep_record_until TEXT CHECK (keep_record_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    disposed_early    INTEGER NOT NULL DEFAULT 0 CHECK (disposed_early IN (0, 1)), -- --force
    UNIQUE (centre, board, series, candidate_number),
    CHECK ((issued_on IS NULL) = (issued_how IS NULL)),
    CHECK (issued_on IS NULL OR (destroyed_on IS NULL AND returned_on IS NULL)),
    CHECK (destroyed_on IS NULL OR returned_on IS NULL)
) STRICT;
CREATE INDEX certificates_by_candidate ON certificates (candidate_number, board);
";

/// Version 4: the centre's own tables a run used in place of the built-in ones (today its
/// `gradesets.csv`), so that `diff` and `prs outcome` rank grades as that run did.
const RUN_TABLES: &str = "
CREATE TABLE run_tables (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL,        -- the table's file name: gradesets.csv
    text   TEXT NOT NULL,        -- the file as the run read it
    PRIMARY KEY (run_id, name)
) STRICT;
";
