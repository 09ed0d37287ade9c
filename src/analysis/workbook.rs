//! The SLT workbook, `analysis.xlsx`: the Headline, Subjects, Breakdown and Charts sheets.

use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};

use super::measures::DEFINITIONS;
use super::subjects::SubjectsTable;
use super::write::BREAKDOWN_COLUMNS;
use super::{Analysis, BreakdownRow, MeasureValue};

/// The first row of the workbook's Headline sheet before release to third parties.
pub const EMBARGO_NOTICE: &str =
    "Confidential: not for release outside the centre before 09:30 on results day";

/// The sheets of `analysis.xlsx`, in order.
pub fn sheet_names(analysis: &Analysis) -> Vec<&'static str> {
    let mut names = vec!["Headline", "Subjects"];
    if analysis.breakdown.is_some() {
        names.push("Breakdown");
    }
    names.push("Charts");
    names
}

/// Rows each subject takes on the Charts sheet: a title, grades, counts, then the chart.
const CHART_BLOCK_ROWS: u32 = 20;

/// The SLT workbook: Headline, Subjects, Breakdown (with an MIS export) and Charts (a grade
/// distribution column chart per subject). Its creation date is fixed, so the same analysis
/// gives the same bytes.
pub fn workbook(analysis: &Analysis, third_party_allowed: bool) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("resultsday analysis")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let styles = Styles::new();

    let sheet = wb.add_worksheet();
    sheet.set_name("Headline")?;
    headline_sheet(sheet, analysis, third_party_allowed, &styles)?;

    let sheet = wb.add_worksheet();
    sheet.set_name("Subjects")?;
    subjects_sheet(sheet, &analysis.subjects, &styles)?;

    if let Some(rows) = &analysis.breakdown {
        let sheet = wb.add_worksheet();
        sheet.set_name("Breakdown")?;
        breakdown_sheet(sheet, rows, &styles)?;
    }

    let sheet = wb.add_worksheet();
    sheet.set_name("Charts")?;
    charts_sheet(sheet, &analysis.subjects, &styles)?;
    Ok(wb)
}

struct Styles {
    bold: Format,
    notice: Format,
    count: Format,
    percent: Format,
    points: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            bold: Format::new().set_bold(),
            notice: Format::new()
                .set_bold()
                .set_font_color(rust_xlsxwriter::Color::Red),
            count: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format("0.0"),
            points: Format::new().set_num_format("0.00"),
        }
    }
}

/// Column widths that fit the longest text in each column, within limits.
struct Widths(Vec<usize>);

impl Widths {
    fn note(&mut self, col: u16, text: &str) {
        let col = col as usize;
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(text.chars().count());
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, &w) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, (w.clamp(6, 60) + 2) as f64)?;
        }
        Ok(())
    }
}

fn write_header(
    sheet: &mut Worksheet,
    row: u32,
    names: &[String],
    styles: &Styles,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    for (col, name) in names.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, name, &styles.bold)?;
        widths.note(col as u16, name);
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &MeasureValue,
    styles: &Styles,
) -> Result<(), XlsxError> {
    match value {
        MeasureValue::Count(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &styles.count)?;
        }
        MeasureValue::Percent(p) => {
            sheet.write_number_with_format(row, col, *p, &styles.percent)?;
        }
        MeasureValue::Points(p) => {
            sheet.write_number_with_format(row, col, *p, &styles.points)?;
        }
        MeasureValue::NotApplicable => {
            sheet.write_string(row, col, "n/a")?;
        }
        MeasureValue::Empty => {}
    }
    Ok(())
}

fn headline_sheet(
    sheet: &mut Worksheet,
    analysis: &Analysis,
    third_party_allowed: bool,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut widths = Widths(vec![]);
    let mut row = 0;
    if !third_party_allowed {
        sheet.write_string_with_format(0, 0, EMBARGO_NOTICE, &styles.notice)?;
        row = 1;
    }
    let header: Vec<String> = ["measure", "value", "denominator", "definition"]
        .map(String::from)
        .to_vec();
    write_header(sheet, row, &header, styles, &mut widths)?;
    for m in &analysis.headline {
        row += 1;
        sheet.write_string(row, 0, m.measure)?;
        widths.note(0, m.measure);
        write_value(sheet, row, 1, &m.value, styles)?;
        if let Some(d) = m.denominator {
            sheet.write_number_with_format(row, 2, d as f64, &styles.count)?;
        }
        if let Some((_, def)) = DEFINITIONS.iter().find(|(n, _)| *n == m.measure) {
            sheet.write_string(row, 3, *def)?;
            widths.note(3, def);
        }
    }
    row += 1;
    for note in &analysis.notes {
        row += 1;
        sheet.write_string(row, 0, note)?;
    }
    widths.apply(sheet)
}

fn subjects_sheet(
    sheet: &mut Worksheet,
    table: &SubjectsTable,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut widths = Widths(vec![]);
    let header = table.header();
    write_header(sheet, 0, &header, styles, &mut widths)?;
    let first_grade = 5u16;
    for (i, r) in table.rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in [&r.board, &r.entry_code, &r.title, &r.qualification]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(row, col as u16, text)?;
            widths.note(col as u16, text);
        }
        write_value(sheet, row, 4, &MeasureValue::Count(r.entries), styles)?;
        let mut col = first_grade;
        for g in &table.grade_columns {
            if let Some(n) = r.cell(g) {
                write_value(sheet, row, col, &MeasureValue::Count(n), styles)?;
            }
            col += 1;
        }
        write_value(sheet, row, col, &r.pct_top, styles)?;
        write_value(sheet, row, col + 1, &r.pct_pass, styles)?;
    }
    widths.apply(sheet)
}

fn breakdown_sheet(
    sheet: &mut Worksheet,
    rows: &[BreakdownRow],
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut widths = Widths(vec![]);
    let header: Vec<String> = BREAKDOWN_COLUMNS.map(String::from).to_vec();
    write_header(sheet, 0, &header, styles, &mut widths)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in [r.group.as_str(), &r.value, r.measure]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(row, col as u16, text)?;
            widths.note(col as u16, text);
        }
        write_value(sheet, row, 3, &r.result, styles)?;
        if let Some(d) = r.denominator {
            sheet.write_number_with_format(row, 4, d as f64, &styles.count)?;
        }
    }
    widths.apply(sheet)
}

/// A block per subject: its name, a row of grades, a row of counts, and a column chart of them.
fn charts_sheet(
    sheet: &mut Worksheet,
    table: &SubjectsTable,
    styles: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 10)?;
    for (i, r) in table.rows.iter().enumerate() {
        let top = i as u32 * CHART_BLOCK_ROWS;
        let name = format!("{} {} {}", r.board, r.entry_code, r.title)
            .trim()
            .to_string();
        sheet.write_string_with_format(top, 0, &name, &styles.bold)?;
        sheet.write_string_with_format(top + 1, 0, "grade", &styles.bold)?;
        sheet.write_string_with_format(top + 2, 0, "results", &styles.bold)?;
        let grades = r.chart_grades();
        for (j, g) in grades.iter().enumerate() {
            let col = j as u16 + 1;
            sheet.write_string(top + 1, col, *g)?;
            sheet.write_number(top + 2, col, r.counts.get(*g).copied().unwrap_or(0) as f64)?;
        }
        let last = grades.len() as u16;
        let mut chart = Chart::new(ChartType::Column);
        // The title is the cell the name is in: a name given as text would be read as a cell
        // reference were it to look like one (`X!A1`).
        chart.title().set_name(("Charts", top, 0));
        chart.legend().set_hidden();
        chart
            .add_series()
            .set_name("results")
            .set_categories(("Charts", top + 1, 1, top + 1, last))
            .set_values(("Charts", top + 2, 1, top + 2, last));
        chart.x_axis().set_name("grade");
        chart.y_axis().set_name("results");
        sheet.insert_chart(top + 3, 0, &chart)?;
    }
    Ok(())
}
