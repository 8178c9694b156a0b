//! The daily report written out: the XLSX (the same file on the page, in the API and
//! attached to the mail) and the mail's HTML summary, in the reader's language.

use kefu_domain::Locale;
use kefu_domain::quality::report::{Tally, figures};

use super::{QualityReport, change, number, shown};
use crate::App;
use crate::export::{Cell, ColumnChart, Export, Row, Sheet};

/// The texts of one language.
struct Words<'a> {
    app: &'a App,
    locale: Locale,
}

impl Words<'_> {
    fn t(&self, key: &str) -> String {
        self.app
            .text(self.locale, &format!("quality.report.{key}"), &[])
    }

    fn with(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.app
            .text(self.locale, &format!("quality.report.{key}"), args)
    }

    /// A key's label (`quality.anomaly.source.manual`), the key itself when none.
    fn label(&self, prefix: &str, value: &str) -> String {
        if value.is_empty() {
            return self.t("none");
        }
        let key = format!("{prefix}.{value}");
        let text = self.app.text(self.locale, &key, &[]);
        if text == key { value.to_owned() } else { text }
    }

    fn name(&self, value: &str) -> String {
        if value.is_empty() {
            self.t("none")
        } else {
            value.to_owned()
        }
    }
}

fn decimal(v: Option<(f64, u8)>) -> Cell {
    v.map_or(Cell::Empty, |(value, places)| Cell::Decimal {
        value,
        places,
    })
}

/// A change in per mille as a number in percent.
fn change_cell(permille: Option<i64>) -> Cell {
    decimal(permille.map(|p| (p as f64 / 10.0, 1)))
}

fn breakdown(
    sheet: &mut Sheet,
    w: &Words<'_>,
    heading: String,
    lines: &[Tally],
    keyed: Option<&str>,
) {
    sheet.push(Row::heading([
        heading,
        w.t("new"),
        w.t("open"),
        w.t("closed"),
    ]));
    for l in lines {
        let label = match keyed {
            Some(prefix) => w.label(prefix, &l.label),
            None => w.name(&l.label),
        };
        sheet.push(Row::new(vec![
            Cell::Text(label),
            Cell::Int(l.new),
            Cell::Int(l.open),
            Cell::Int(l.closed),
        ]));
    }
    sheet.push(Row::blank());
}

/// The report as a workbook: 日报 (the headline against the previous business day and the
/// week's mean), 分类统计 (by service item with its chart, source, agent, department, and
/// the causes), 异常清单 (补录 marked) and 逾期措施.
pub fn report_export(app: &App, locale: Locale, r: &QualityReport) -> Export {
    let w = Words { app, locale };
    let b = &r.body;
    let mut summary = Sheet::new(w.t("sheet_summary"));
    summary.push(Row::heading([w.t("title")]));
    summary.push(Row::new(vec![Cell::Text(w.t("date")), Cell::Date(r.date)]));
    summary.push(Row::new(vec![
        Cell::Text(w.t("covers")),
        Cell::Date(r.date),
        Cell::Date(r.covers_last()),
    ]));
    summary.push(Row::new(vec![
        Cell::Text(w.t("made_at")),
        Cell::DateTime(crate::quality::beijing_time(r.made_at)),
    ]));
    summary.push(Row::new(vec![
        Cell::Text(w.t("revision")),
        Cell::Int(r.revision),
        Cell::Text(r.reason.clone()),
    ]));
    summary.push(Row::blank());
    summary.push(Row::heading([
        w.t("figure"),
        w.t("this"),
        w.t("previous"),
        w.t("mean"),
        w.t("vs_previous"),
        w.t("vs_mean"),
    ]));
    for f in figures(b) {
        summary.push(Row::new(vec![
            Cell::Text(w.t(f.key)),
            decimal(number(f.unit, f.now, false)),
            decimal(number(f.unit, f.previous, false)),
            decimal(number(f.unit, f.mean, true)),
            change_cell(f.vs_previous),
            change_cell(f.vs_mean),
        ]));
    }
    summary.push(Row::blank());
    for (key, n) in [
        ("anomalies_new", b.new),
        ("late", b.late),
        ("open", b.open),
        ("closed", b.closed),
        ("overdue", b.overdue_total),
    ] {
        summary.push(Row::new(vec![Cell::Text(w.t(key)), Cell::Int(n)]));
    }

    let mut by = Sheet::new(w.t("sheet_breakdown"));
    breakdown(&mut by, &w, w.t("service_item"), &b.by_service_item, None);
    if !b.by_service_item.is_empty() {
        by.chart = Some(ColumnChart {
            title: w.t("chart_title"),
            first_row: 1,
            last_row: b.by_service_item.len() as u32,
            label_column: 0,
            value_column: 1,
            at: (0, 5),
        });
    }
    breakdown(
        &mut by,
        &w,
        w.t("source"),
        &b.by_source,
        Some("quality.anomaly.source"),
    );
    breakdown(&mut by, &w, w.t("agent"), &b.by_agent, None);
    breakdown(&mut by, &w, w.t("department"), &b.by_department, None);
    by.push(Row::heading([w.t("cause"), w.t("count")]));
    for (cause, n) in &b.causes {
        by.push(Row::new(vec![
            Cell::Text(w.label("quality.anomaly.cause", cause)),
            Cell::Int(*n),
        ]));
    }

    let mut list = Sheet::new(w.t("sheet_list"));
    list.push(Row::heading([
        w.t("number"),
        w.t("occurred_on"),
        w.t("service_item"),
        w.t("source"),
        w.t("agent"),
        w.t("department"),
        w.t("severity"),
        w.t("status"),
        w.t("cause"),
        w.t("description"),
        w.t("late"),
    ]));
    for a in &b.anomalies {
        list.push(Row::new(vec![
            Cell::Text(a.number.clone()),
            a.occurred_on
                .parse()
                .map_or_else(|_| Cell::Text(a.occurred_on.clone()), Cell::Date),
            Cell::Text(a.service_item.clone()),
            Cell::Text(w.label("quality.anomaly.source", &a.source)),
            Cell::Text(w.name(a.agent.as_deref().unwrap_or(""))),
            Cell::Text(w.name(a.department.as_deref().unwrap_or(""))),
            Cell::Text(w.label("quality.anomaly.severity", &a.severity)),
            Cell::Text(w.label("quality.anomaly.status", &a.status)),
            Cell::Text(w.label("quality.anomaly.cause", a.cause.as_deref().unwrap_or(""))),
            Cell::Text(a.description.clone()),
            if a.late {
                Cell::Text(w.t("late"))
            } else {
                Cell::Empty
            },
        ]));
    }
    if b.truncated {
        list.push(Row::new(vec![Cell::Text(w.t("truncated"))]));
    }

    let mut overdue = Sheet::new(w.t("sheet_overdue"));
    overdue.push(Row::heading([
        w.t("number"),
        w.t("measure"),
        w.t("owner"),
        w.t("due_on"),
        w.t("days_overdue"),
    ]));
    for m in &b.overdue_measures {
        overdue.push(Row::new(vec![
            Cell::Text(m.anomaly_number.clone()),
            Cell::Text(m.body.clone()),
            Cell::Text(m.owner.clone()),
            m.due_on
                .parse()
                .map_or_else(|_| Cell::Text(m.due_on.clone()), Cell::Date),
            Cell::Int(m.days_overdue),
        ]));
    }

    Export {
        sheets: vec![summary, by, list, overdue],
    }
}

/// A mail: subject, plain text, HTML and the attached files (name, type, bytes).
pub(crate) struct ReportMail {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub files: Vec<(String, String, Vec<u8>)>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The file name of a report's XLSX: `质量异常分析日报表-2026-12-04.xlsx` (`-r2` from the
/// second revision on).
pub fn file_name(app: &App, locale: Locale, r: &QualityReport) -> String {
    let w = Words { app, locale };
    if r.revision > 1 {
        format!("{}-{}-r{}.xlsx", w.t("title"), r.date, r.revision)
    } else {
        format!("{}-{}.xlsx", w.t("title"), r.date)
    }
}

/// The managers' mail of a report: a summary they read in the mail (tables with inline
/// styles, which mail readers keep; bars as widths, no pictures), the XLSX attached and
/// the link to the page.
pub(crate) fn report_mail(
    app: &App,
    locale: Locale,
    r: &QualityReport,
) -> crate::Result<ReportMail> {
    let w = Words { app, locale };
    let b = &r.body;
    let date = r.date.to_string();
    let covers = if r.covers_last() == r.date {
        date.clone()
    } else {
        format!("{} – {}", r.date, r.covers_last())
    };
    let revision = r.revision.to_string();
    let subject = if r.revision > 1 {
        w.with(
            "mail_subject_revision",
            &[("date", &date), ("revision", &revision)],
        )
    } else {
        w.with("mail_subject", &[("date", &date)])
    };
    let link = format!(
        "{}/quality/reports/{date}",
        app.settings.public_url.trim_end_matches('/')
    );
    let intro = w.with("mail_intro", &[("date", &date), ("covers", &covers)]);
    let see = w.with("mail_link", &[("link", &link)]);

    let mut text = format!("{intro}\n\n");
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;color:#222\">\
         <h2 style=\"margin:0 0 8px\">{} {}</h2><p>{}</p>",
        esc(&w.t("title")),
        esc(&date),
        esc(&intro)
    );
    if !r.reason.is_empty() {
        let why = w.with(
            "mail_reason",
            &[("revision", &revision), ("reason", &r.reason)],
        );
        text.push_str(&format!("{why}\n\n"));
        html.push_str(&format!("<p>{}</p>", esc(&why)));
    }
    let cell = "style=\"border:1px solid #ccc;padding:4px 8px\"";
    html.push_str("<table style=\"border-collapse:collapse\"><tr>");
    for h in [
        "figure",
        "this",
        "previous",
        "mean",
        "vs_previous",
        "vs_mean",
    ] {
        html.push_str(&format!("<th {cell}>{}</th>", esc(&w.t(h))));
    }
    html.push_str("</tr>");
    for f in figures(b) {
        let line = [
            w.t(f.key),
            shown(f.unit, f.now, false),
            shown(f.unit, f.previous, false),
            shown(f.unit, f.mean, true),
            change(f.vs_previous),
            change(f.vs_mean),
        ];
        text.push_str(&format!(
            "{}: {} ({} {}, {} {})\n",
            line[0],
            line[1],
            w.t("vs_previous"),
            line[4],
            w.t("vs_mean"),
            line[5]
        ));
        html.push_str("<tr>");
        for v in &line {
            html.push_str(&format!("<td {cell}>{}</td>", esc(v)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    let counts = [
        ("late", b.late),
        ("open", b.open),
        ("closed", b.closed),
        ("overdue", b.overdue_total),
    ];
    html.push_str("<p>");
    for (key, n) in counts {
        text.push_str(&format!("{}: {n}\n", w.t(key)));
        html.push_str(&format!("{}：<b>{n}</b>　", esc(&w.t(key))));
    }
    html.push_str("</p>");

    let most = b
        .by_service_item
        .iter()
        .map(|l| l.new)
        .max()
        .unwrap_or(0)
        .max(1);
    html.push_str(&format!(
        "<h3 style=\"margin:12px 0 4px\">{}</h3><table style=\"border-collapse:collapse\">",
        esc(&w.t("chart_title"))
    ));
    for l in b.by_service_item.iter().filter(|l| l.new > 0) {
        let width = l.new * 240 / most;
        html.push_str(&format!(
            "<tr><td {cell}>{}</td><td {cell}><div style=\"background:#c0392b;height:12px;\
             width:{width}px;display:inline-block\"></div> {}</td></tr>",
            esc(&w.name(&l.label)),
            l.new
        ));
    }
    html.push_str("</table>");
    if !b.causes.is_empty() {
        html.push_str(&format!(
            "<h3 style=\"margin:12px 0 4px\">{}</h3><p>",
            esc(&w.t("causes"))
        ));
        text.push_str(&format!("\n{}:", w.t("causes")));
        for (cause, n) in &b.causes {
            let label = w.label("quality.anomaly.cause", cause);
            html.push_str(&format!("{}：{n}　", esc(&label)));
            text.push_str(&format!(" {label} {n};"));
        }
        html.push_str("</p>");
        text.push('\n');
    }
    text.push_str(&format!("\n{see}\n"));
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p></body></html>",
        esc(&link),
        esc(&see)
    ));
    let xlsx = report_export(app, locale, r).xlsx()?;
    Ok(ReportMail {
        subject,
        text,
        html,
        files: vec![(file_name(app, locale, r), XLSX_TYPE.to_owned(), xlsx)],
    })
}
