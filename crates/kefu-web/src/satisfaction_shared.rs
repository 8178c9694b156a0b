//! 满意度 — what the satisfaction pages and the API both read from a request: the report
//! asked for by the query string.

use kefu_app::satisfaction::report::ReportQuery;
use kefu_domain::satisfaction::report::{CsatBy, NpsBy};

use crate::error::WebError;
use crate::input::parse_optional_key;
use crate::routes::pages::tickets::field;

/// The report the query string asks for.
pub(crate) fn report_query(pairs: &[(String, String)]) -> Result<ReportQuery, WebError> {
    let survey = field(pairs, "survey").trim();
    Ok(ReportQuery {
        from: field(pairs, "from").to_owned(),
        to: field(pairs, "to").to_owned(),
        csat_by: parse_optional_key("csat_by", Some(field(pairs, "csat_by").trim()))?
            .unwrap_or(CsatBy::Month),
        nps_by: parse_optional_key("nps_by", Some(field(pairs, "nps_by").trim()))?
            .unwrap_or(NpsBy::Round),
        survey: if survey.is_empty() {
            None
        } else {
            Some(
                survey.parse().map_err(|_| {
                    crate::input::unknown_value("survey", survey, Vec::<&str>::new())
                })?,
            )
        },
        words: field(pairs, "q").to_owned(),
    })
}
