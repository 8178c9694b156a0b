//! 满意度报表 — the satisfaction report on a page and as files: the ticket surveys grouped
//! by month, agent, channel, ticket type, product, tier or region; the relationship surveys
//! and their standard questions by round, tier, customer type, region, product, channel or
//! owner; the
//! customers' words, searched. The XLSX holds every table; the CSV one (`table=csat|nps|trend|said`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::export::{Cell, Export, Row as SheetRow, Sheet};
use kefu_app::satisfaction::report::{CsatLine, NpsLine, SatisfactionReport};
use kefu_domain::input::Keyed;
use kefu_domain::satisfaction::report::{CsatBy, NpsBy};

use super::relationship::{tenths, tenths_percent};
use super::render;
use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, download};
use crate::i18n::Tr;
use crate::input::parse_key;
use crate::satisfaction_shared::report_query as query;
use crate::view::{Layout, local_time};

/// A ticket-survey group as people read it.
fn csat_label(t: Tr, by: CsatBy, l: &CsatLine) -> String {
    match by {
        CsatBy::Month => l.key.clone(),
        CsatBy::Agent => l
            .name
            .clone()
            .unwrap_or_else(|| t.t("satisfaction_report.no_agent").to_owned()),
        CsatBy::Channel => t.tk("channel", &l.key),
        CsatBy::TicketType => t.tk("ticket_type", &l.key),
        CsatBy::Product => product_label(t, &l.name),
        CsatBy::Tier if l.key.is_empty() => t.t("satisfaction_report.no_customer").to_owned(),
        CsatBy::Tier => t.tk("tier", &l.key),
        CsatBy::Region if l.key.is_empty() => t.t("satisfaction_report.no_region").to_owned(),
        CsatBy::Region => l.key.clone(),
    }
}

/// A product group as people read it: the SKU and name, or "no product".
fn product_label(t: Tr, name: &Option<String>) -> String {
    name.clone()
        .unwrap_or_else(|| t.t("satisfaction_report.no_product").to_owned())
}

/// A relationship group (by its key and product name) as people read it.
fn nps_label(t: Tr, by: NpsBy, key: &str, name: &Option<String>) -> String {
    match by {
        NpsBy::Round => key.to_owned(),
        NpsBy::Tier => t.tk("tier", key),
        NpsBy::CustomerType => t.tk("customer_type", key),
        NpsBy::Region if key.is_empty() => t.t("satisfaction_report.no_region").to_owned(),
        NpsBy::Region => key.to_owned(),
        NpsBy::Product => product_label(t, name),
        NpsBy::Channel if key.is_empty() => t.t("satisfaction_report.not_sent").to_owned(),
        NpsBy::Channel => t.tk("channel", key),
        NpsBy::Owner => name
            .clone()
            .unwrap_or_else(|| t.t("satisfaction_report.no_owner").to_owned()),
    }
}

struct CsatRow {
    label: String,
    sent: i64,
    answered: i64,
    rate: String,
    average: String,
    satisfied: String,
    low: i64,
}

fn csat_row(label: String, l: &CsatLine) -> CsatRow {
    CsatRow {
        label,
        sent: l.sent,
        answered: l.answered,
        rate: tenths_percent(l.response_rate),
        average: l.average.map(tenths).unwrap_or_default(),
        satisfied: tenths_percent(l.satisfied_rate),
        low: l.low,
    }
}

struct NpsRow {
    label: String,
    sent: i64,
    answered: i64,
    rate: String,
    promoters: i64,
    passives: i64,
    detractors: i64,
    nps: String,
}

fn nps_row(label: String, l: &NpsLine) -> NpsRow {
    NpsRow {
        label,
        sent: l.sent,
        answered: l.answered,
        rate: tenths_percent(l.response_rate),
        promoters: l.tally.promoters,
        passives: l.tally.passives,
        detractors: l.tally.detractors,
        nps: l.nps.map(tenths).unwrap_or_default(),
    }
}

struct SaidRow {
    source: String,
    link: String,
    about: String,
    customer_id: Option<i64>,
    customer: String,
    score: String,
    text: String,
    at: String,
}

#[derive(Template)]
#[template(path = "satisfaction_report.html")]
struct ReportPage {
    t: Tr,
    layout: Layout,
    from: String,
    to: String,
    csat_by: String,
    nps_by: String,
    survey: String,
    words: String,
    /// The query string of this report, for its files.
    query: String,
    csat_choices: Vec<(String, String)>,
    nps_choices: Vec<(String, String)>,
    surveys: Vec<(String, String)>,
    csat: Vec<CsatRow>,
    csat_total: CsatRow,
    nps: Vec<NpsRow>,
    nps_total: NpsRow,
    /// The asked survey's own 1–5 questions, after the standard four.
    custom_questions: Vec<String>,
    /// (group, the averages: the standard four, then the survey's own)
    trend: Vec<(String, Vec<String>)>,
    said: Vec<SaidRow>,
    error: Option<String>,
}

fn avg(v: Option<i64>) -> String {
    v.map(tenths).unwrap_or_default()
}

fn said_rows(t: Tr, r: &SatisfactionReport) -> Vec<SaidRow> {
    r.said
        .iter()
        .map(|s| {
            let csat = s.source == "csat";
            SaidRow {
                source: t.tk("satisfaction_report.source", &s.source),
                link: if csat {
                    format!("/tickets/{}", s.about_id)
                } else {
                    format!(
                        "/satisfaction/relationship/{}?period={}",
                        s.about_id, s.about
                    )
                },
                about: s.about.clone(),
                customer_id: s.customer_id,
                customer: s.customer_name.clone().unwrap_or_default(),
                score: s.score.map(|n| n.to_string()).unwrap_or_default(),
                text: s.text.clone(),
                at: local_time(s.at),
            }
        })
        .collect()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/satisfaction/report?from=2026-07&to=2026-12&csat_by=agent&nps_by=tier&q=交货`
pub async fn page(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let asked = query(&q)?;
    let actor = identity.actor();
    let surveys = state
        .app
        .relationship_surveys(&actor)
        .await?
        .into_iter()
        .map(|s| (s.survey.id.to_string(), s.survey.plan.name))
        .collect();
    let (report, error) = match state.app.satisfaction_report(&actor, &asked).await {
        Ok(r) => (Some(r), None),
        Err(kefu_app::AppError::Forbidden) => return Err(WebError::Forbidden),
        Err(e) => {
            let (_, message) = super::refusal(e, t);
            (None, Some(message))
        }
    };
    let csat_choices = <CsatBy as Keyed>::keys()
        .into_iter()
        .map(|k| (k.to_owned(), t.tk("satisfaction_report.csat_by", k)))
        .collect();
    let nps_choices = <NpsBy as Keyed>::keys()
        .into_iter()
        .map(|k| (k.to_owned(), t.tk("satisfaction_report.nps_by", k)))
        .collect();
    let query_string = [
        ("from", asked.from.as_str()),
        ("to", asked.to.as_str()),
        ("csat_by", asked.csat_by.key()),
        ("nps_by", asked.nps_by.key()),
        ("survey", field(&q, "survey")),
        ("q", asked.words.as_str()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let empty_csat = CsatLine {
        key: String::new(),
        name: None,
        sent: 0,
        answered: 0,
        response_rate: None,
        average: None,
        satisfied_rate: None,
        low: 0,
    };
    let empty_nps = NpsLine {
        key: String::new(),
        name: None,
        sent: 0,
        answered: 0,
        response_rate: None,
        tally: Default::default(),
        nps: None,
    };
    let all = t.t("satisfaction_report.total").to_owned();
    let page = match &report {
        Some(r) => ReportPage {
            t,
            layout: Layout::new(&identity, "/satisfaction/report"),
            from: r.range.months().first().cloned().unwrap_or_default(),
            to: r.range.months().last().cloned().unwrap_or_default(),
            csat_by: r.csat_by.key().to_owned(),
            nps_by: r.nps_by.key().to_owned(),
            survey: field(&q, "survey").to_owned(),
            words: r.words.clone(),
            query: query_string,
            csat_choices,
            nps_choices,
            surveys,
            csat: r
                .csat
                .iter()
                .map(|l| csat_row(csat_label(t, r.csat_by, l), l))
                .collect(),
            csat_total: csat_row(all.clone(), &r.csat_total),
            nps: r
                .nps
                .iter()
                .map(|l| nps_row(nps_label(t, r.nps_by, &l.key, &l.name), l))
                .collect(),
            nps_total: nps_row(all, &r.nps_total),
            custom_questions: r.custom_questions.iter().map(|q| q.text.clone()).collect(),
            trend: r
                .trend
                .iter()
                .map(|x| {
                    let averages = [x.keep, x.repurchase, x.recommend, x.switch]
                        .into_iter()
                        .chain(x.custom.iter().copied())
                        .map(avg)
                        .collect();
                    (nps_label(t, r.nps_by, &x.key, &x.name), averages)
                })
                .collect(),
            said: said_rows(t, r),
            error,
        },
        None => ReportPage {
            t,
            layout: Layout::new(&identity, "/satisfaction/report"),
            from: asked.from.clone(),
            to: asked.to.clone(),
            csat_by: asked.csat_by.key().to_owned(),
            nps_by: asked.nps_by.key().to_owned(),
            survey: field(&q, "survey").to_owned(),
            words: asked.words.clone(),
            query: query_string,
            csat_choices,
            nps_choices,
            surveys,
            csat: Vec::new(),
            csat_total: csat_row(all.clone(), &empty_csat),
            nps: Vec::new(),
            nps_total: nps_row(all, &empty_nps),
            custom_questions: Vec::new(),
            trend: Vec::new(),
            said: Vec::new(),
            error,
        },
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

fn rate_cell(v: Option<i64>) -> Cell {
    match v {
        Some(x) => Cell::Decimal {
            value: x as f64 / 10.0,
            places: 1,
        },
        None => Cell::Empty,
    }
}

fn csat_sheet(t: Tr, r: &SatisfactionReport) -> Sheet {
    let mut sheet = Sheet::new(t.t("satisfaction_report.csat_title"));
    sheet.push(SheetRow::heading([
        t.tk("satisfaction_report.csat_by", r.csat_by.key()),
        t.t("satisfaction_report.sent").to_owned(),
        t.t("satisfaction_report.answered").to_owned(),
        t.t("satisfaction_report.response_rate").to_owned(),
        t.t("satisfaction_report.average").to_owned(),
        t.t("satisfaction_report.satisfied_rate").to_owned(),
        t.t("satisfaction_report.low").to_owned(),
    ]));
    let total = t.t("satisfaction_report.total").to_owned();
    for (label, l) in r
        .csat
        .iter()
        .map(|l| (csat_label(t, r.csat_by, l), l))
        .chain(std::iter::once((total, &r.csat_total)))
    {
        sheet.push(SheetRow::new(vec![
            Cell::Text(label),
            Cell::Int(l.sent),
            Cell::Int(l.answered),
            rate_cell(l.response_rate),
            rate_cell(l.average),
            rate_cell(l.satisfied_rate),
            Cell::Int(l.low),
        ]));
    }
    sheet
}

fn nps_sheet(t: Tr, r: &SatisfactionReport) -> Sheet {
    let mut sheet = Sheet::new(t.t("satisfaction_report.nps_title"));
    sheet.push(SheetRow::heading([
        t.tk("satisfaction_report.nps_by", r.nps_by.key()),
        t.t("satisfaction_report.sent").to_owned(),
        t.t("satisfaction_report.answered").to_owned(),
        t.t("satisfaction_report.response_rate").to_owned(),
        t.t("relationship.promoters").to_owned(),
        t.t("relationship.passives").to_owned(),
        t.t("relationship.detractors").to_owned(),
        "NPS".to_owned(),
    ]));
    let total = t.t("satisfaction_report.total").to_owned();
    for (label, l) in r
        .nps
        .iter()
        .map(|l| (nps_label(t, r.nps_by, &l.key, &l.name), l))
        .chain(std::iter::once((total, &r.nps_total)))
    {
        sheet.push(SheetRow::new(vec![
            Cell::Text(label),
            Cell::Int(l.sent),
            Cell::Int(l.answered),
            rate_cell(l.response_rate),
            Cell::Int(l.tally.promoters),
            Cell::Int(l.tally.passives),
            Cell::Int(l.tally.detractors),
            rate_cell(l.nps),
        ]));
    }
    sheet
}

fn trend_sheet(t: Tr, r: &SatisfactionReport) -> Sheet {
    let mut sheet = Sheet::new(t.t("satisfaction_report.trend_title"));
    sheet.push(SheetRow::heading(
        [
            t.tk("satisfaction_report.nps_by", r.nps_by.key()),
            t.t("satisfaction_report.q_keep").to_owned(),
            t.t("satisfaction_report.q_repurchase").to_owned(),
            t.t("satisfaction_report.q_recommend").to_owned(),
            t.t("satisfaction_report.q_switch").to_owned(),
        ]
        .into_iter()
        .chain(r.custom_questions.iter().map(|q| q.text.clone())),
    ));
    for x in &r.trend {
        let mut cells = vec![
            Cell::Text(nps_label(t, r.nps_by, &x.key, &x.name)),
            rate_cell(x.keep),
            rate_cell(x.repurchase),
            rate_cell(x.recommend),
            rate_cell(x.switch),
        ];
        cells.extend(x.custom.iter().map(|v| rate_cell(*v)));
        sheet.push(SheetRow::new(cells));
    }
    sheet
}

fn said_sheet(t: Tr, r: &SatisfactionReport) -> Sheet {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let mut sheet = Sheet::new(t.t("satisfaction_report.said_title"));
    sheet.push(SheetRow::heading([
        t.t("satisfaction_report.source_label").to_owned(),
        t.t("satisfaction_report.about").to_owned(),
        t.t("customer.name").to_owned(),
        t.t("satisfaction_report.score").to_owned(),
        t.t("relationship.words").to_owned(),
        t.t("relationship.answered_at").to_owned(),
    ]));
    for s in &r.said {
        sheet.push(SheetRow::new(vec![
            Cell::Text(t.tk("satisfaction_report.source", &s.source)),
            Cell::Text(s.about.clone()),
            Cell::Text(s.customer_name.clone().unwrap_or_default()),
            s.score.map_or(Cell::Empty, Cell::Int),
            Cell::Text(s.text.clone()),
            Cell::DateTime(s.at.to_zoned(tz.clone()).datetime()),
        ]));
    }
    sheet
}

/// `GET /satisfaction/report.xlsx?…`: every table, one sheet each.
pub async fn xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let r = state
        .app
        .satisfaction_report(&identity.actor(), &query(&q)?)
        .await?;
    let export = Export {
        sheets: vec![
            csat_sheet(t, &r),
            nps_sheet(t, &r),
            trend_sheet(t, &r),
            said_sheet(t, &r),
        ],
    };
    download(&export, FileFormat::Xlsx, "satisfaction-report")
}

/// `GET /satisfaction/report.csv?table=csat|nps|trend|said&…` (`encoding=gbk` for the
/// Chinese Excel default).
pub async fn csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let format = FileFormat::csv(&q)?;
    let table: ReportTable = parse_key("table", field(&q, "table").trim())?;
    let r = state
        .app
        .satisfaction_report(&identity.actor(), &query(&q)?)
        .await?;
    let sheet = match table {
        ReportTable::Csat => csat_sheet(t, &r),
        ReportTable::Nps => nps_sheet(t, &r),
        ReportTable::Trend => trend_sheet(t, &r),
        ReportTable::Said => said_sheet(t, &r),
    };
    download(
        &Export {
            sheets: vec![sheet],
        },
        format,
        &format!("satisfaction-{}", table.key()),
    )
}

/// One table of the report, as a CSV holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportTable {
    Csat,
    Nps,
    Trend,
    Said,
}

impl ReportTable {
    const ALL: [ReportTable; 4] = [
        ReportTable::Csat,
        ReportTable::Nps,
        ReportTable::Trend,
        ReportTable::Said,
    ];

    fn key(self) -> &'static str {
        match self {
            ReportTable::Csat => "csat",
            ReportTable::Nps => "nps",
            ReportTable::Trend => "trend",
            ReportTable::Said => "said",
        }
    }
}

impl Keyed for ReportTable {
    fn keys() -> Vec<&'static str> {
        ReportTable::ALL.iter().map(|t| t.key()).collect()
    }

    fn from_key(key: &str) -> Option<Self> {
        ReportTable::ALL.into_iter().find(|t| t.key() == key)
    }
}
