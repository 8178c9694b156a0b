//! 服务质量 — the quality specialist's pages and API: scorecards.

use axum::http::Method;
use kefu_domain::Access::Requires;
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api::quality as api,
    pages::quality_scorecards as scorecards,
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/quality/scorecards",
        Requires(QualityInspect),
        scorecards::list,
    )
    .add(
        Page,
        Method::GET,
        "/quality/scorecards/{id}",
        Requires(QualityInspect),
        scorecards::show,
    )
    .add(
        Page,
        Method::POST,
        "/quality/scorecards/{id}",
        Requires(QualityInspect),
        scorecards::save,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/quality/scorecards",
        Requires(QualityInspect),
        api::scorecards,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/quality/scorecards",
        Requires(QualityInspect),
        api::create_scorecard,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/quality/scorecards/{id}",
        Requires(QualityInspect),
        api::scorecard,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/quality/scorecards/{id}",
        Requires(QualityInspect),
        api::save_scorecard,
    )
}
