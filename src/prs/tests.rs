//! Unit tests of the post-results rules and log.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::*;
use crate::check::changes::{Change, Direction};
use crate::model::{CandidateResult, ResultsDay, Source};
use crate::rules::calendar::{Calendar, SeriesDates};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn result(candidate: &str, board: &str, entry: &str, day: ResultsDay) -> CandidateResult {
    CandidateResult {
        board: board.into(),
        centre: "14520".into(),
        candidate_number: candidate.into(),
        uci: String::new(),
        name: "SMITH:ANN".into(),
        entry_code: entry.into(),
        syllabus_code: None,
        title: String::new(),
        qualification: match day {
            ResultsDay::Gce => "GCE A".into(),
            ResultsDay::Gcse => "GCSE".into(),
        },
        level: Some(match day {
            ResultsDay::Gce => 3,
            ResultsDay::Gcse => 2,
        }),
        gradeset: None,
        is_award: true,
        grade: parsers::Grade::parse("5"),
        grade2: None,
        mark: Some(120),
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: day,
        source: Source::default(),
    }
}

/// A centre with a GCSE entry (0013 AQA 8700) and an A level entry (0102 AQA 7402).
fn entries() -> Entries {
    Entries::from_results(&[
        result("0013", "70", "8700", ResultsDay::Gcse),
        result("0014", "70", "8700", ResultsDay::Gcse),
        result("0102", "70", "7402", ResultsDay::Gce),
    ])
}

struct Fixture {
    dates: SeriesDates,
    catalogue: Catalogue,
    fees: FeeTable,
    entries: Entries,
}

impl Fixture {
    fn new(series: &str) -> Fixture {
        Fixture {
            dates: Calendar::builtin().get(series).unwrap().clone(),
            catalogue: Catalogue::builtin(),
            fees: FeeTable::builtin(),
            entries: entries(),
        }
    }

    fn ctx(&self, series: &'static str) -> RequestContext<'_> {
        RequestContext {
            centre: "14520",
            series,
            dates: &self.dates,
            catalogue: &self.catalogue,
            fees: &self.fees,
            entries: &self.entries,
            run_id: 1,
        }
    }
}

fn june() -> Fixture {
    Fixture::new("2026-06")
}

fn row(
    candidate: &str,
    entry: &str,
    component: &str,
    service: &str,
    requested: &str,
    consent: &str,
) -> RequestRow {
    RequestRow {
        reference: "REF-1".into(),
        candidate_number: candidate.into(),
        board: "70".into(),
        entry_code: entry.into(),
        component_code: component.into(),
        service: service.into(),
        requested_on: requested.into(),
        consent_on: consent.into(),
    }
}

fn check(f: &Fixture, r: &RequestRow) -> Result<Request, Refusal> {
    check_request(r, &f.ctx("6A26"), &LogIndex::new())
}

// --- the tables ---------------------------------------------------------------------

#[test]
fn the_builtin_tables_read() {
    let c = Catalogue::from_csv("built-in services.csv", DEFAULT_SERVICES_CSV.as_bytes()).unwrap();
    assert_eq!(c.rules().len(), 7);
    for (rule, service) in c.rules().iter().zip(Service::ALL) {
        assert_eq!(rule.service, service);
    }
    FeeTable::from_csv("built-in fees.csv", DEFAULT_FEES_CSV.as_bytes()).unwrap();
}

#[test]
fn the_catalogue_holds_the_rules_of_section_1() {
    let c = Catalogue::builtin();
    let days = |s| c.rule(s).completion_days;
    assert_eq!(days(Service::S1), Some(10));
    assert_eq!(days(Service::S2), Some(20));
    assert_eq!(days(Service::S2P), Some(15));
    assert_eq!(days(Service::S3), Some(35));
    assert!(!c.rule(Service::S3).consent_required);
    for s in [
        Service::S1,
        Service::S2,
        Service::S2P,
        Service::AtsR,
        Service::AtsT,
    ] {
        assert!(c.rule(s).consent_required, "{s}");
    }
    assert_eq!(c.rule(Service::S3).grade_can_fall, Some(false));
    assert_eq!(c.rule(Service::S2).grade_can_fall, Some(true));
    assert_eq!(c.rule(Service::S2P).deadline, DeadlineField::PriorityS2);
    assert_eq!(c.rule(Service::AtsT).deadline, DeadlineField::Ats);
    assert_eq!(c.rule(Service::AtsP).deadline, DeadlineField::Ror);
}

#[test]
fn a_catalogue_must_have_every_service_once() {
    let header = "id,name,consent_required,completion_days,grade_can_fall,deadline,status\n";
    let one = "S1,Clerical re-check,yes,10,yes,ror_deadline,confirmed\n";
    let e = Catalogue::from_csv("services.csv", format!("{header}{one}").as_bytes()).unwrap_err();
    assert!(e.to_string().contains("no row for S2"), "{e}");
    let e =
        Catalogue::from_csv("services.csv", format!("{header}{one}{one}").as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(3));
    let bad = "S1,Clerical re-check,perhaps,10,yes,ror_deadline,confirmed\n";
    let e = Catalogue::from_csv("services.csv", format!("{header}{bad}").as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "services.csv line 2: consent_required 'perhaps' is not yes or no"
    );
}

#[test]
fn a_centre_catalogue_changes_a_completion_target() {
    let text = DEFAULT_SERVICES_CSV.replace(
        "S1,Clerical re-check,yes,10,",
        "S1,Clerical re-check,yes,12,",
    );
    let c = Catalogue::from_csv("services.csv", text.as_bytes()).unwrap();
    assert_eq!(c.rule(Service::S1).completion_days, Some(12));
}

#[test]
fn fees_follow_board_qualification_and_year() {
    let fees = FeeTable::builtin();
    let fee = |board, s, day, year| fees.fee_for(board, s, day, year).map(|f| f.fee_pence);
    // AQA's own pages (2024/25) serve June 2026 until a newer list is added.
    assert_eq!(
        fee("70", Service::S2, ResultsDay::Gcse, "2025/26"),
        Some(4200)
    );
    assert_eq!(
        fee("70", Service::S2, ResultsDay::Gce, "2025/26"),
        Some(4865)
    );
    assert_eq!(
        fee("70", Service::S1, ResultsDay::Gce, "2025/26"),
        Some(870)
    );
    assert_eq!(
        fee("70", Service::S2P, ResultsDay::Gce, "2025/26"),
        Some(5785)
    );
    assert_eq!(
        fee("70", Service::S3, ResultsDay::Gcse, "2025/26"),
        Some(24250)
    );
    assert_eq!(
        fee("70", Service::S3, ResultsDay::Gce, "2025/26"),
        Some(27030)
    );
    // An older series takes the next list when there is none for its year.
    assert_eq!(
        fee("70", Service::S2, ResultsDay::Gcse, "2023/24"),
        Some(4200)
    );
    // OCR: the 2024 and 2026 school lists.
    assert_eq!(
        fee("01", Service::S2, ResultsDay::Gcse, "2023/24"),
        Some(6500)
    );
    assert_eq!(
        fee("01", Service::S2, ResultsDay::Gcse, "2024/25"),
        Some(6500)
    );
    assert_eq!(
        fee("01", Service::S2, ResultsDay::Gcse, "2025/26"),
        Some(7000)
    );
    assert_eq!(fee("99", Service::S2, ResultsDay::Gcse, "2025/26"), None);
    assert!(
        fees.fee_for("70", Service::S2, ResultsDay::Gcse, "2025/26")
            .unwrap()
            .verified
    );
    assert!(
        !fees
            .fee_for("01", Service::S2, ResultsDay::Gcse, "2025/26")
            .unwrap()
            .verified
    );
}

#[test]
fn academic_years_run_september_to_august() {
    assert_eq!(academic_year("2026-06").as_deref(), Some("2025/26"));
    assert_eq!(academic_year("2025-11").as_deref(), Some("2025/26"));
    assert_eq!(academic_year("2026-01").as_deref(), Some("2025/26"));
    assert_eq!(academic_year("2099-09").as_deref(), Some("2099/00"));
    assert_eq!(academic_year("6A26"), None);
}

#[test]
fn pounds_have_two_decimals() {
    assert_eq!(pounds(4200), "42.00");
    assert_eq!(pounds(870), "8.70");
    assert_eq!(pounds(5), "0.05");
}

#[test]
fn spreadsheet_numbers_get_their_zeros_back() {
    assert_eq!(normalise_candidate("13"), "0013");
    assert_eq!(normalise_candidate("0013"), "0013");
    assert_eq!(normalise_candidate(""), "");
    assert_eq!(normalise_board("1"), "01");
    assert_eq!(normalise_board("70"), "70");
}

#[test]
fn series_codes_and_ids_name_the_same_series() {
    assert!(same_series("6A26", "2026-06"));
    assert!(same_series("6A26", "6a26"));
    assert!(!same_series("6A26", "BG25"));
}

#[test]
fn dates_are_written_in_full() {
    assert_eq!(parse_iso_date("2026-08-20"), Some(d("2026-08-20")));
    assert_eq!(parse_iso_date("2026-8-20"), None);
    assert_eq!(parse_iso_date("20/08/2026"), None);
    assert_eq!(parse_iso_date("2026-02-30"), None);
}

// --- deadlines ----------------------------------------------------------------------

#[test]
fn a_request_on_the_deadline_day_is_accepted_and_the_day_after_refused() {
    let f = june(); // RoR deadline Thu 24 Sep 2026
    assert!(check(
        &f,
        &row("0013", "8700", "87001", "S2", "2026-09-24", "2026-08-21")
    )
    .is_ok());
    assert_eq!(
        check(
            &f,
            &row("0013", "8700", "87001", "S2", "2026-09-25", "2026-08-21")
        ),
        Err(Refusal::Late {
            service: Service::S2,
            requested_on: d("2026-09-25"),
            deadline: d("2026-09-24"),
        })
    );
    for s in ["S1", "S3"] {
        assert!(check(
            &f,
            &row("0013", "8700", "87001", s, "2026-09-24", "2026-08-21")
        )
        .is_ok());
        assert!(matches!(
            check(
                &f,
                &row("0013", "8700", "87001", s, "2026-09-25", "2026-08-21")
            ),
            Err(Refusal::Late { .. })
        ));
    }
}

#[test]
fn priority_reviews_close_on_the_priority_deadline_in_june() {
    let f = june(); // priority S2 deadline Thu 20 Aug 2026
    assert!(check(
        &f,
        &row("0102", "7402", "74022", "S2P", "2026-08-20", "2026-08-13")
    )
    .is_ok());
    let late = check(
        &f,
        &row("0102", "7402", "74022", "S2P", "2026-08-21", "2026-08-13"),
    );
    assert_eq!(
        late.unwrap_err().to_string(),
        "requested on 2026-08-21, after the S2P deadline 2026-08-20; late requests are not \
             accepted"
    );
}

#[test]
fn priority_reviews_are_not_offered_in_november() {
    let f = Fixture::new("2025-11");
    let r = check_request(
        &row("0102", "7402", "74022", "S2P", "2026-01-09", "2026-01-08"),
        &f.ctx("BG25"),
        &LogIndex::new(),
    );
    assert_eq!(
        r,
        Err(Refusal::NotOffered {
            service: Service::S2P,
            series: "November 2025".into()
        })
    );
    // An ordinary review is.
    let r = check_request(
        &row("0102", "7402", "74022", "S2", "2026-01-09", "2026-01-08"),
        &f.ctx("BG25"),
        &LogIndex::new(),
    );
    assert!(r.is_ok(), "{r:?}");
}

#[test]
fn priority_reviews_are_for_a_level_and_level_3_only() {
    let f = june();
    assert_eq!(
        check(
            &f,
            &row("0013", "8700", "87001", "S2P", "2026-08-20", "2026-08-20")
        ),
        Err(Refusal::NotForEntry {
            service: Service::S2P,
            entry: "8700".into()
        })
    );
}

#[test]
fn script_copies_close_on_the_ats_deadline_and_reviewed_copies_with_the_reviews() {
    let mut f = june();
    f.dates.ats_deadline = Some(d("2026-10-30"));
    f.dates.ror_deadline = d("2026-09-24");
    let rule = |s| f.catalogue.rule(s).clone();
    assert_eq!(
        deadline(&rule(Service::AtsT), &f.dates),
        Some(d("2026-10-30"))
    );
    assert_eq!(
        deadline(&rule(Service::AtsR), &f.dates),
        Some(d("2026-10-30"))
    );
    assert_eq!(
        deadline(&rule(Service::AtsP), &f.dates),
        Some(d("2026-09-24"))
    );
    assert!(check(
        &f,
        &row("0013", "8700", "", "ATS-T", "2026-10-30", "2026-08-20")
    )
    .is_ok());
    assert!(check(
        &f,
        &row("0013", "8700", "", "ATS-T", "2026-10-31", "2026-08-20")
    )
    .is_err());
    assert!(check(
        &f,
        &row("0013", "8700", "", "ATS-P", "2026-09-25", "2026-08-20")
    )
    .is_err());
    // No ATS date in the calendar: JCQ's general deadline, the RoR deadline.
    f.dates.ats_deadline = None;
    assert_eq!(
        deadline(&f.catalogue.rule(Service::AtsT).clone(), &f.dates),
        Some(d("2026-09-24"))
    );
}

#[test]
fn a_request_cannot_come_before_results() {
    let f = june();
    assert_eq!(
        check(&f, &row("0013", "8700", "87001", "S3", "2026-08-19", "")),
        Err(Refusal::BeforeResults {
            requested_on: d("2026-08-19"),
            day: ResultsDay::Gcse,
            date: d("2026-08-20"),
        })
    );
}

// --- consent ------------------------------------------------------------------------

#[test]
fn consent_on_the_results_day_is_accepted_and_the_day_before_refused() {
    let f = june();
    // GCSE: 20 Aug 2026.
    assert!(check(
        &f,
        &row("0013", "8700", "87001", "S2", "2026-08-24", "2026-08-20")
    )
    .is_ok());
    assert_eq!(
        check(
            &f,
            &row("0013", "8700", "87001", "S2", "2026-08-24", "2026-08-19")
        ),
        Err(Refusal::ConsentBeforeResults {
            consent_on: d("2026-08-19"),
            day: ResultsDay::Gcse,
            date: d("2026-08-20"),
        })
    );
    // GCE: 13 Aug 2026.
    assert!(check(
        &f,
        &row("0102", "7402", "74022", "S2", "2026-08-14", "2026-08-13")
    )
    .is_ok());
    assert!(matches!(
        check(
            &f,
            &row("0102", "7402", "74022", "S2", "2026-08-14", "2026-08-12")
        ),
        Err(Refusal::ConsentBeforeResults {
            day: ResultsDay::Gce,
            ..
        })
    ));
}

#[test]
fn the_gce_day_does_not_count_for_a_gcse_entry() {
    let f = june();
    let r = check(
        &f,
        &row("0013", "8700", "87001", "S2", "2026-08-21", "2026-08-13"),
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "consent dated 2026-08-13 is before the GCSE results day 2026-08-20; consent must be \
             taken after results"
    );
}

#[test]
fn consent_may_be_dated_the_day_of_the_request_but_not_after() {
    let f = june();
    assert!(check(
        &f,
        &row("0013", "8700", "87001", "S1", "2026-08-24", "2026-08-24")
    )
    .is_ok());
    assert_eq!(
        check(
            &f,
            &row("0013", "8700", "87001", "S1", "2026-08-24", "2026-08-25")
        ),
        Err(Refusal::ConsentAfterRequest {
            consent_on: d("2026-08-25"),
            requested_on: d("2026-08-24"),
        })
    );
}

#[test]
fn reviews_and_scripts_need_consent_and_moderation_does_not() {
    let f = june();
    for s in ["S1", "S2", "ATS-R", "ATS-T", "ATS-P"] {
        assert_eq!(
            check(&f, &row("0013", "8700", "87001", s, "2026-08-24", "")),
            Err(Refusal::NoConsent(Service::parse(s).unwrap())),
            "{s}"
        );
    }
    let r = check(&f, &row("0013", "8700", "87001", "S3", "2026-08-24", "")).unwrap();
    assert_eq!(r.consent_on, None);
}

// --- the entry, the cohort, the component -------------------------------------------

#[test]
fn the_entry_must_have_a_result_in_the_latest_run() {
    let f = june();
    assert!(matches!(
        check(
            &f,
            &row("0099", "8700", "87001", "S2", "2026-08-24", "2026-08-21")
        ),
        Err(Refusal::NoEntry { .. })
    ));
    assert!(matches!(
        check(
            &f,
            &row("0013", "8702", "87021", "S2", "2026-08-24", "2026-08-21")
        ),
        Err(Refusal::NoEntry { .. })
    ));
    // Leading zeros a spreadsheet dropped come back.
    let r = check(
        &f,
        &row("13", "8700", "87001", "S2", "2026-08-24", "2026-08-21"),
    )
    .unwrap();
    assert_eq!(r.candidate_number, "0013");
}

#[test]
fn moderation_may_be_for_the_whole_cohort_of_an_entry() {
    let f = june();
    let r = check(&f, &row("", "8700", "87003", "S3", "2026-09-10", "")).unwrap();
    assert_eq!(r.candidate_number, "");
    assert_eq!(r.results_day, ResultsDay::Gcse);
    assert!(check(&f, &row("0013", "8700", "87003", "S3", "2026-09-10", "")).is_ok());
    assert!(matches!(
        check(&f, &row("", "8145", "81451", "S3", "2026-09-10", "")),
        Err(Refusal::NoCohortEntry { .. })
    ));
    assert_eq!(
        check(
            &f,
            &row("", "8700", "87001", "S2", "2026-09-10", "2026-09-01")
        ),
        Err(Refusal::NoCandidate(Service::S2))
    );
}

#[test]
fn a_component_is_reviewed_once() {
    let f = june();
    let ctx = f.ctx("6A26");
    let mut log = LogIndex::new();
    let first = check_request(
        &row("0013", "8700", "87001", "S1", "2026-08-24", "2026-08-21"),
        &ctx,
        &log,
    )
    .unwrap();
    log.add(&first);
    let mut again = row("0013", "8700", "87001", "S2", "2026-08-25", "2026-08-21");
    again.reference = "REF-2".into();
    let e = check_request(&again, &ctx, &log).unwrap_err();
    assert_eq!(
        e.to_string(),
        "component 87001 of 8700 for candidate 0013 already has a review (REF-1, S1); a \
             component may be reviewed once"
    );
    // Another component, another candidate, or a script copy are fine.
    again.component_code = "87002".into();
    assert!(check_request(&again, &ctx, &log).is_ok());
    again.component_code = "87001".into();
    again.candidate_number = "0014".into();
    assert!(check_request(&again, &ctx, &log).is_ok());
    again.candidate_number = "0013".into();
    again.service = "ATS-P".into();
    assert!(check_request(&again, &ctx, &log).is_ok());
    // A review of the whole entry covers every component.
    again.service = "S2".into();
    again.component_code = String::new();
    assert!(matches!(
        check_request(&again, &ctx, &log),
        Err(Refusal::AlreadyReviewed { .. })
    ));
    // And the reference may not come back.
    let mut same = row("0014", "8700", "87009", "S2", "2026-08-24", "2026-08-21");
    same.reference = "REF-1".into();
    assert_eq!(
        check_request(&same, &ctx, &log),
        Err(Refusal::DuplicateReference("REF-1".into()))
    );
}

#[test]
fn bad_fields_are_named() {
    let f = june();
    assert_eq!(
        check(
            &f,
            &row("0013", "8700", "", "S4", "2026-08-24", "2026-08-21")
        )
        .unwrap_err()
        .to_string(),
        "service 'S4' is not one of S1, S2, S2P, S3, ATS-R, ATS-T, ATS-P"
    );
    assert_eq!(
        check(
            &f,
            &row("0013", "8700", "", "S2", "24/08/2026", "2026-08-21")
        )
        .unwrap_err()
        .to_string(),
        "requested_on '24/08/2026' is not a date; expected YYYY-MM-DD"
    );
    let mut r = row("0013", "8700", "", "S2", "2026-08-24", "2026-08-21");
    r.reference = " ".into();
    assert_eq!(check(&f, &r), Err(Refusal::NoReference));
}

#[test]
fn a_checked_request_carries_its_fee() {
    let f = june();
    let r = check(
        &f,
        &row("0013", "8700", "87001", "S2", "2026-08-24", "2026-08-21"),
    )
    .unwrap();
    assert_eq!(r.fee_pence, Some(4200));
    let r = check(
        &f,
        &row("0102", "7402", "74022", "S2", "2026-08-24", "2026-08-21"),
    )
    .unwrap();
    assert_eq!(r.fee_pence, Some(4865));
}

// --- completion, appeals, consent retention -----------------------------------------

#[test]
fn completion_is_expected_10_20_15_and_35_days_after_the_request() {
    let c = Catalogue::builtin();
    let on = d("2026-08-24");
    let expected = |s| expected_completion(c.rule(s), on);
    assert_eq!(expected(Service::S1), Some(d("2026-09-03")));
    assert_eq!(expected(Service::S2), Some(d("2026-09-13")));
    assert_eq!(expected(Service::S2P), Some(d("2026-09-08")));
    assert_eq!(expected(Service::S3), Some(d("2026-09-28")));
    assert_eq!(expected(Service::AtsR), None);
}

#[test]
fn a_request_is_overdue_from_the_day_after_its_expected_completion() {
    let expected = Some(d("2026-09-13"));
    assert!(!is_overdue(expected, false, d("2026-09-13")));
    assert!(is_overdue(expected, false, d("2026-09-14")));
    assert!(!is_overdue(expected, true, d("2026-09-14")));
    assert!(!is_overdue(None, false, d("2027-01-01")));
}

#[test]
fn the_appeal_window_is_open_30_days_after_the_outcome() {
    let on = d("2026-09-17");
    assert_eq!(appeal_window_closes(on), d("2026-10-17"));
    assert!(appeal_window_open(on, d("2026-10-17")));
    assert!(!appeal_window_open(on, d("2026-10-18")));
    // `prs due` warns in the last 7 days.
    assert!(!appeal_window_closing(on, d("2026-10-09")));
    assert!(appeal_window_closing(on, d("2026-10-10")));
    assert!(appeal_window_closing(on, d("2026-10-17")));
    assert!(!appeal_window_closing(on, d("2026-10-18")));
}

#[test]
fn consent_is_kept_six_calendar_months_after_the_outcome() {
    assert_eq!(keep_consent_until(d("2026-09-17")), d("2027-03-17"));
    assert_eq!(keep_consent_until(d("2026-08-31")), d("2027-02-28"));
    assert_eq!(keep_consent_until(d("2027-08-31")), d("2028-02-29"));
    assert_eq!(keep_consent_until(d("2027-08-29")), d("2028-02-29"));
    assert_eq!(keep_consent_until(d("2026-03-31")), d("2026-09-30"));
    assert_eq!(keep_consent_until(d("2026-12-31")), d("2027-06-30"));
}

// --- outcomes and refunds -----------------------------------------------------------

#[test]
fn a_grade_change_either_way_waives_a_review_fee_and_a_mark_change_does_not() {
    for s in [Service::S1, Service::S2, Service::S2P] {
        assert_eq!(refund_due(s, Outcome::GradeRaised), Some(true), "{s}");
        assert_eq!(refund_due(s, Outcome::GradeLowered), Some(true), "{s}");
        assert_eq!(refund_due(s, Outcome::MarkChanged), Some(false), "{s}");
        assert_eq!(refund_due(s, Outcome::Confirmed), Some(false), "{s}");
    }
}

#[test]
fn moderation_is_free_only_when_the_centre_marks_are_reinstated() {
    assert_eq!(
        refund_due(Service::S3, Outcome::CentreMarksReinstated),
        Some(true)
    );
    assert_eq!(
        refund_due(Service::S3, Outcome::ModeratedMarksConfirmed),
        Some(false)
    );
    assert_eq!(refund_due(Service::S3, Outcome::GradeRaised), Some(false));
    assert_eq!(refund_due(Service::S3, Outcome::MarkChanged), Some(false));
}

#[test]
fn script_copies_raise_no_fee_question() {
    for s in [Service::AtsR, Service::AtsT, Service::AtsP] {
        assert_eq!(refund_due(s, Outcome::ScriptReceived), None);
    }
}

#[test]
fn changes_give_outcomes_and_never_confirmed() {
    assert_eq!(outcome_of_change(Direction::Up), Some(Outcome::GradeRaised));
    assert_eq!(
        outcome_of_change(Direction::Down),
        Some(Outcome::GradeLowered)
    );
    assert_eq!(
        outcome_of_change(Direction::Same),
        Some(Outcome::MarkChanged)
    );
    assert_eq!(outcome_of_change(Direction::New), None);
    assert_eq!(outcome_of_change(Direction::Removed), None);
}

#[test]
fn outcomes_fit_their_service() {
    let c = Catalogue::builtin();
    let ok = |s, o| check_outcome(c.rule(s), o).is_ok();
    assert!(ok(Service::S2, Outcome::Confirmed));
    assert!(ok(Service::S2, Outcome::GradeLowered));
    assert!(!ok(Service::S2, Outcome::CentreMarksReinstated));
    assert!(!ok(Service::S2, Outcome::ScriptReceived));
    assert!(ok(Service::S3, Outcome::CentreMarksReinstated));
    assert!(ok(Service::S3, Outcome::ModeratedMarksConfirmed));
    assert!(!ok(Service::S3, Outcome::GradeLowered));
    assert!(ok(Service::AtsT, Outcome::ScriptReceived));
    assert!(!ok(Service::AtsT, Outcome::Confirmed));
}

// --- the log --------------------------------------------------------------------------

fn store() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    for m in crate::store::MIGRATIONS {
        conn.execute_batch(m).unwrap();
    }
    conn.execute(
        "INSERT INTO runs (id, started_at, finished_at, as_of, centre, series,
                 resultsday_version, counts_json, elapsed_ms)
             VALUES (7, '', '', '', '14520', '6A26', '', '{}', 0)",
        [],
    )
    .unwrap();
    conn
}

fn change(candidate: &str, entry: &str, direction: Direction) -> Change {
    Change {
        candidate_number: candidate.into(),
        uci: String::new(),
        name: String::new(),
        board: "70".into(),
        entry_code: entry.into(),
        title: String::new(),
        old_grade: "5".into(),
        new_grade: "6".into(),
        old_mark: Some(100),
        new_mark: Some(108),
        direction,
        prs_request: None,
        refund_due: None,
    }
}

#[test]
fn a_change_closes_every_open_review_of_the_entry() {
    let mut conn = store();
    let f = june();
    let ctx = f.ctx("6A26");
    let mut log = LogIndex::new();
    let mut requests = Vec::new();
    for (reference, component, service) in [
        ("R-1", "87001", "S1"),
        ("R-2", "87002", "S2"),
        ("R-3", "87003", "S3"),
        ("R-4", "87001", "ATS-P"),
    ] {
        let mut r = row(
            "0013",
            "8700",
            component,
            service,
            "2026-08-24",
            if service == "S3" { "" } else { "2026-08-21" },
        );
        r.reference = reference.into();
        let r = check_request(&r, &ctx, &log).unwrap();
        log.add(&r);
        requests.push(r);
    }
    store_requests(&mut conn, &requests, "2026-08-24T10:00:00Z").unwrap();

    let mut changes = vec![change("0013", "8700", Direction::Up)];
    let closed = answer_changes(&conn, "14520", "6A26", 7, d("2026-09-17"), &mut changes).unwrap();
    assert_eq!(closed, 3);
    assert_eq!(changes[0].prs_request.as_deref(), Some("R-1;R-2;R-3"));
    assert_eq!(changes[0].refund_due, Some(true));
    let log = read_log(&conn, None, None).unwrap();
    assert_eq!(log[0].outcome, Some(Outcome::GradeRaised));
    assert_eq!(log[0].refund_due, Some(true));
    assert_eq!(log[0].keep_consent_until, Some(d("2027-03-17")));
    assert_eq!(log[0].linked_run_id, Some(7));
    assert_eq!((log[0].old_mark, log[0].new_mark), (Some(100), Some(108)));
    // Moderation is charged unless the centre's marks are reinstated, and kept no consent.
    assert_eq!(log[2].refund_due, Some(false));
    assert_eq!(log[2].keep_consent_until, None);
    // The script copy waits for its script.
    assert_eq!(log[3].status, Status::Open);

    // `diff` reads the same answer back without changing anything.
    let mut again = vec![change("0013", "8700", Direction::Up)];
    annotate_changes(&conn, 7, &mut again).unwrap();
    assert_eq!(again[0].prs_request.as_deref(), Some("R-1;R-2;R-3"));
    assert_eq!(again[0].refund_due, Some(true));
}

#[test]
fn new_results_falls_in_moderation_and_earlier_runs_answer_nothing() {
    let mut conn = store();
    let f = june();
    let ctx = f.ctx("6A26");
    let mut log = LogIndex::new();
    let mut requests = Vec::new();
    for (reference, candidate, service) in [("R-1", "0013", "S2"), ("R-2", "0014", "S3")] {
        let mut r = row(
            candidate,
            "8700",
            "87001",
            service,
            "2026-08-24",
            "2026-08-21",
        );
        r.reference = reference.into();
        let r = check_request(&r, &ctx, &log).unwrap();
        log.add(&r);
        requests.push(r);
    }
    store_requests(&mut conn, &requests, "2026-08-24T10:00:00Z").unwrap();
    let mut changes = vec![
        change("0013", "8700", Direction::New),
        change("0013", "8700", Direction::Removed),
        change("0014", "8700", Direction::Down),
    ];
    assert_eq!(
        answer_changes(&conn, "14520", "6A26", 7, d("2026-09-17"), &mut changes).unwrap(),
        0
    );
    // A run dated before the request cannot hold its outcome.
    let mut changes = vec![change("0013", "8700", Direction::Same)];
    assert_eq!(
        answer_changes(&conn, "14520", "6A26", 7, d("2026-08-23"), &mut changes).unwrap(),
        0
    );
    // Another centre's or series' run neither.
    assert_eq!(
        answer_changes(&conn, "14521", "6A26", 7, d("2026-09-17"), &mut changes).unwrap(),
        0
    );
    assert_eq!(
        answer_changes(&conn, "14520", "6A25", 7, d("2026-09-17"), &mut changes).unwrap(),
        0
    );
    assert!(changes.iter().all(|c| c.prs_request.is_none()));
    // The series may be named by id.
    assert_eq!(
        answer_changes(&conn, "14520", "2026-06", 7, d("2026-09-17"), &mut changes).unwrap(),
        1
    );
    assert_eq!(changes[0].refund_due, Some(false));
    assert!(read_log(&conn, None, None)
        .unwrap()
        .iter()
        .all(|r| r.outcome != Some(Outcome::Confirmed)));
}

fn logged(service: Service, requested: &str, outcome: Option<(Outcome, &str)>) -> LoggedRequest {
    LoggedRequest {
        id: 1,
        reference: format!("R-{service}"),
        centre: "14520".into(),
        series: "6A26".into(),
        candidate_number: "0013".into(),
        board: "70".into(),
        entry_code: "8700".into(),
        component_code: String::new(),
        service,
        requested_on: d(requested),
        consent_on: None,
        status: if outcome.is_some() {
            Status::Completed
        } else {
            Status::Open
        },
        outcome: outcome.map(|(o, _)| o),
        outcome_on: outcome.map(|(_, on)| d(on)),
        old_grade: None,
        new_grade: None,
        old_mark: None,
        new_mark: None,
        fee_pence: None,
        refund_due: None,
        keep_consent_until: None,
        linked_run_id: None,
        created_at: String::new(),
    }
}

#[test]
fn due_lists_overdue_requests_then_closing_appeal_windows() {
    let c = Catalogue::builtin();
    let log = [
        logged(Service::S1, "2026-08-24", None),   // expected 3 Sep
        logged(Service::S2, "2026-08-24", None),   // expected 13 Sep
        logged(Service::AtsR, "2026-08-24", None), // no target
        logged(
            Service::S2,
            "2026-08-24",
            Some((Outcome::Confirmed, "2026-08-10")),
        ),
        logged(
            Service::AtsT,
            "2026-08-24",
            Some((Outcome::ScriptReceived, "2026-08-10")),
        ),
    ];
    let items = due(&log, &c, d("2026-09-04"));
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(&items[0], DueItem::Overdue { expected, .. } if *expected == d("2026-09-03")));
    assert!(
        matches!(&items[1], DueItem::AppealClosing { closes, .. } if *closes == d("2026-09-09"))
    );
    assert!(due(&log, &c, d("2026-09-03")).len() == 1); // not yet overdue: only the appeal
    assert!(due(&log, &c, d("2026-09-14")).len() == 2); // both overdue; the window has closed
}
