//! What the complaint pages and the complaints API both need: the texts a step starts from
//! when the person taking it writes none (the pages prefill them, the API uses them; in the
//! customer's language, Chinese), and the report's question read from a query string.

use jiff::Timestamp;
use kefu_domain::Locale;
use kefu_store::complaint::Complaint;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::tickets::field;
use crate::view::local_time;

/// The message telling a customer when to expect an answer (customers read Chinese).
pub fn default_answer_message(at: Timestamp) -> String {
    Tr(Locale::ZhCn).f(
        "complaint.default_answer_message",
        &[("date", &local_time(at))],
    )
}

/// The follow-up call's standard script, with the complainant's name and the agent's.
pub fn default_follow_up_script(c: &Complaint, agent: &str) -> String {
    Tr(Locale::ZhCn).f(
        "complaint.default_follow_up_script",
        &[("name", &c.complainant), ("agent", agent)],
    )
}

/// The report's question as the page and the exports read it from the query string; the
/// last 30 days by category when nothing is given.
pub fn report_query(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<kefu_app::complaint::ReportQuery, WebError> {
    use kefu_domain::complaint_report::{Dimension, default_period};
    let today = state
        .app
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    // Through the one date rule: a malformed date is a bad field, one outside the business
    // range (`kefu_domain::dates`) is refused naming the bounds.
    let date = |k: &str, default: jiff::civil::Date| {
        kefu_domain::dates::parse_opt(k, Some(field(pairs, k))).map(|d| d.unwrap_or(default))
    };
    let to = date("to", today)?;
    let from = date(
        "from",
        to.checked_sub(jiff::Span::new().days(29))
            .unwrap_or(to)
            .max(kefu_domain::dates::MIN_DATE),
    )?;
    let by = match field(pairs, "by") {
        "" => Dimension::Category,
        v => crate::input::parse_key::<Dimension>("by", v)?,
    };
    let period = match field(pairs, "period") {
        "" => default_period(from, to),
        v => crate::input::parse_key::<kefu_domain::complaint_report::Period>("period", v)?,
    };
    Ok(kefu_app::complaint::ReportQuery {
        from,
        to,
        by,
        period,
    })
}
