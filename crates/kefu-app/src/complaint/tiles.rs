//! The complaints' tiles on the workbench: the specialist's open complaints by stage with
//! the overdue ones, notices departments left unanswered past their date, and answers
//! waiting for review; the manager's overdue complaints; the quality specialist's
//! complaints caused by service; the after-sales specialist's running RMAs; a department's
//! notices to answer. Each counts with the board filter its link opens
//! ([`App::count_complaints`]), so the number is the number of cards on that board.

use kefu_domain::complaint::{Cause, Stage};
use kefu_domain::{Permission, Role};
use kefu_store::complaint::{self as store, BoardFilter, NoticeWait};

use super::BOARD_SHOWN;
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileLine, TileSpec};
use crate::{App, Result};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "complaints.by_stage",
        title: "workbench.tile.complaints_by_stage",
        roles: &[Role::ComplaintSpecialist],
        permission: Permission::ComplaintHandle,
        fill: by_stage,
    },
    TileSpec {
        key: "complaints.notices_overdue",
        title: "workbench.tile.notices_overdue",
        roles: &[Role::ComplaintSpecialist],
        permission: Permission::ComplaintHandle,
        fill: notices_overdue,
    },
    TileSpec {
        key: "complaints.answers_to_review",
        title: "workbench.tile.answers_to_review",
        roles: &[Role::ComplaintSpecialist],
        permission: Permission::ComplaintHandle,
        fill: answers_to_review,
    },
    TileSpec {
        key: "complaints.overdue",
        title: "workbench.tile.complaints_overdue",
        roles: &[Role::CsManager],
        permission: Permission::ComplaintView,
        fill: overdue,
    },
    TileSpec {
        key: "complaints.service_cause",
        title: "workbench.tile.service_cause",
        roles: &[Role::QualitySpecialist],
        permission: Permission::ComplaintView,
        fill: service_cause,
    },
    TileSpec {
        key: "complaints.open_rmas",
        title: "workbench.tile.open_rmas",
        roles: &[Role::AftersalesSpecialist],
        permission: Permission::RmaWork,
        fill: open_rmas,
    },
    TileSpec {
        key: "complaints.department_notices",
        title: "workbench.tile.department_notices",
        roles: &[Role::Department],
        permission: Permission::ComplaintRespond,
        fill: department_notices,
    },
];

/// The open complaints, as the board shows them.
fn open() -> BoardFilter {
    BoardFilter {
        open_only: true,
        limit: BOARD_SHOWN,
        ..BoardFilter::default()
    }
}

/// One count of the board filtered by `f`, opening `/complaints?{query}`.
async fn single(
    app: &App,
    r: &Reader,
    f: BoardFilter,
    query: &str,
    alert: bool,
) -> Result<Option<Filled>> {
    let n = Count::capped(app.count_complaints(&r.actor, &f).await?, BOARD_SHOWN);
    Ok(Some(Filled {
        link: Some(format!("/complaints?{query}")),
        body: TileBody::Count {
            count: n,
            alert: alert && n.n > 0,
        },
        hint: None,
    }))
}

/// 投诉（按阶段） — open complaints per stage, with how many of each are overdue, and a line
/// for every overdue one.
fn by_stage<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let counts = {
            let mut conn = app.store.conn().await?;
            store::board_count_by_stage(&mut conn, &open(), r.now).await?
        };
        let mut lines: Vec<TileLine> = Stage::PATH
            .iter()
            .filter(|s| s.is_open())
            .filter_map(|s| {
                let (_, n, late) = counts.iter().find(|(k, _, _)| k == s.key())?;
                Some(TileLine {
                    label: Label::Keyed("complaint_stage", s.key().to_owned()),
                    count: Count::exact(*n),
                    link: format!("/complaints?stage={}", s.key()),
                    alert: *late > 0,
                    note: (*late > 0).then(|| {
                        Label::Format("workbench.note.overdue", vec![("n", late.to_string())])
                    }),
                })
            })
            .collect();
        let late: i64 = counts.iter().map(|(_, _, l)| l).sum();
        lines.push(TileLine {
            label: Label::Key("workbench.line.overdue_complaints"),
            count: Count::exact(late),
            link: "/complaints?overdue=1".to_owned(),
            alert: late > 0,
            note: None,
        });
        Ok(Some(Filled {
            link: Some("/complaints".to_owned()),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}

/// 部门通知逾期 — open complaints with a notice unanswered past its due date.
fn notices_overdue<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = BoardFilter {
            notice: Some(NoticeWait::OverdueAt(r.now)),
            ..open()
        };
        single(app, r, f, "notice=overdue", true).await
    })
}

/// 待我审核的答复 — open complaints I handle (or nobody does yet) whose department answered.
fn answers_to_review<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = BoardFilter {
            notice: Some(NoticeWait::Answered),
            handler_or_nobody: Some(r.id()),
            ..open()
        };
        single(app, r, f, "notice=answered&mine=1", true).await
    })
}

/// 超期投诉 — open complaints past their stage's deadline.
fn overdue<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = BoardFilter {
            overdue_at: Some(r.now),
            ..open()
        };
        single(app, r, f, "overdue=1", true).await
    })
}

/// 服务原因的投诉 — open complaints whose investigation found the cause in service.
fn service_cause<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = BoardFilter {
            cause: Some(Cause::Service.key().to_owned()),
            ..open()
        };
        let query = format!("cause={}", Cause::Service.key());
        single(app, r, f, &query, false).await
    })
}

/// 进行中的退换货 — open complaints with a return, exchange, refund or repair running.
fn open_rmas<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = BoardFilter {
            open_rma: true,
            ..open()
        };
        single(app, r, f, "rma=open", false).await
    })
}

/// 待本部门答复 — open complaints whose notice to my department waits for our answer.
fn department_notices<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = BoardFilter {
            notice: Some(NoticeWait::Unanswered),
            ..open()
        };
        single(app, r, f, "notice=open", true).await
    })
}
