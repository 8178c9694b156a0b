//! 投诉统计 — the complaint statistics over the API.

use super::*;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day (`YYYY-MM-DD`, Beijing time); 30 days before `to` by default. Dates lie
    /// in 2000-01-01..=2099-12-31 (`date_out_of_range` outside).
    #[param(value_type = Option<doc::DateInput>)]
    pub from: Option<String>,
    /// Last day, included; today by default.
    #[param(value_type = Option<doc::DateInput>)]
    pub to: Option<String>,
    /// `category` (default), `cause`, `department`, `product`, `part_number`, `customer`,
    /// `channel`, `validity`, `severity`.
    #[param(value_type = Option<doc::ReportDimensionKey>)]
    pub by: Option<String>,
    /// `day`, `week`, `month`; chosen from the range by default.
    #[param(value_type = Option<doc::ReportPeriodKey>)]
    pub period: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsRow {
    /// The dimension's value (a key such as `quality`, or a name); empty when not recorded.
    pub key: String,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    /// 已发生 — cost carried out, in fen, summed over the group by the rule of the
    /// complaint's own `cost_carried_out_fen`.
    pub cost_carried_out_fen: i64,
    /// 已批准未执行 — cost approved and not carried out yet, in fen.
    pub cost_committed_fen: i64,
    /// The same as `cost_carried_out_fen`, kept for clients written before the two figures.
    pub cost_fen: i64,
    pub avg_close_hours: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsPoint {
    pub period_start: String,
    pub count: i64,
    pub invalid: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StatsStage {
    pub stage: String,
    pub times: i64,
    pub avg_business_minutes: i64,
}

/// 投诉统计报表
#[derive(Serialize, ToSchema)]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub by: String,
    pub period: String,
    pub totals: StatsRow,
    pub penalties_fen: i64,
    pub series: Vec<StatsPoint>,
    pub rows: Vec<StatsRow>,
    pub stages: Vec<StatsStage>,
}

fn stats_row(r: &kefu_app::complaint::ReportRow) -> StatsRow {
    StatsRow {
        key: r.key.clone(),
        count: r.count,
        valid: r.valid,
        invalid: r.invalid,
        closed: r.closed,
        cost_carried_out_fen: r.cost.carried_out_fen,
        cost_committed_fen: r.cost.committed_fen,
        cost_fen: r.cost.carried_out_fen,
        avg_close_hours: r.avg_close_hours,
    }
}

/// The complaint statistics report for a period, broken down by one dimension.
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "complaints", params(StatsParams),
    responses(
        (status = 200, description = "The report", body = Stats),
        (status = 422, body = ErrorBody, description = "An unknown `by` or `period`, a \
            day outside the business range, `to` before `from`, a range too long"),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<StatsParams>,
) -> Result<Json<Stats>, WebError> {
    let pairs: Vec<(String, String)> = [
        ("from", p.from),
        ("to", p.to),
        ("by", p.by),
        ("period", p.period),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
    .collect();
    let q = crate::complaint_shared::report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    Ok(Json(Stats {
        from: q.from.to_string(),
        to: q.to.to_string(),
        by: q.by.key().to_owned(),
        period: q.period.key().to_owned(),
        totals: stats_row(&r.totals),
        penalties_fen: r.penalties_fen,
        series: r
            .series
            .iter()
            .map(|p| StatsPoint {
                period_start: p.period_start.to_string(),
                count: p.count,
                invalid: p.invalid,
            })
            .collect(),
        rows: r.rows.iter().map(stats_row).collect(),
        stages: r
            .stages
            .iter()
            .map(|s| StatsStage {
                stage: s.stage.clone(),
                times: s.times,
                avg_business_minutes: s.avg_minutes,
            })
            .collect(),
    }))
}
