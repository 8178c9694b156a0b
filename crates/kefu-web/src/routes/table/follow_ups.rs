//! 回访 — follow-up visits, their coverage, settings and rules, over the API.

use axum::http::Method;
use kefu_domain::Access::Requires;
use kefu_domain::Permission::*;

use crate::routes::{RouteTable, Surface::Api, api::follow_ups};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Api,
        Method::GET,
        "/api/v1/follow-ups",
        Requires(FollowUpWork),
        follow_ups::list,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/follow-ups/plan",
        Requires(FollowUpManage),
        follow_ups::plan,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/follow-ups/coverage",
        Requires(FollowUpManage),
        follow_ups::coverage,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/follow-ups/{id}",
        Requires(FollowUpWork),
        follow_ups::show,
    )
    .add(
        Api,
        Method::PATCH,
        "/api/v1/follow-ups/{id}",
        Requires(FollowUpWork),
        follow_ups::reschedule,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/follow-ups/{id}/attempts",
        Requires(FollowUpWork),
        follow_ups::attempt,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/follow-up-settings",
        Requires(FollowUpManage),
        follow_ups::settings,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/follow-up-settings",
        Requires(FollowUpManage),
        follow_ups::save_settings,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/follow-up-rules",
        Requires(FollowUpManage),
        follow_ups::rules,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/follow-up-rules",
        Requires(FollowUpManage),
        follow_ups::create_rule,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/follow-up-rules/{id}",
        Requires(FollowUpManage),
        follow_ups::save_rule,
    )
}
