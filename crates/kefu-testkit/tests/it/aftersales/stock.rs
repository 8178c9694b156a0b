//! 配件库存 — the ledger refuses any movement that would leave a balance below zero, on
//! either backend, and two instances issuing the last part at once cannot both succeed.

use kefu_app::Actor;
use kefu_domain::aftersales::catalogue::Part;
use kefu_domain::aftersales::stock::{Movement, MovementKind};
use kefu_testkit::TestApp;

#[tokio::test]
async fn the_stock_never_goes_below_zero_even_from_two_instances() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let system = Actor::system();
    let part = app
        .app
        .create_part(
            &system,
            Part {
                part_number: "P-YSJ-01".into(),
                name: "压缩机".into(),
                cost_fen: 68_000,
                unit: "台".into(),
                active: true,
                uses: Vec::new(),
            },
        )
        .await
        .unwrap();
    let warehouse = {
        let mut conn = app.app.store.conn().await.unwrap();
        kefu_store::aftersales::stock::insert_location(&mut conn, "中心仓", None, app.now())
            .await
            .unwrap()
            .unwrap()
    };
    let point = {
        let mut conn = app.app.store.conn().await.unwrap();
        kefu_store::aftersales::stock::insert_location(&mut conn, "杭州西湖服务站库", None, app.now())
            .await
            .unwrap()
            .unwrap()
    };
    let mv = |kind, quantity, location, to| Movement {
        kind,
        quantity,
        location,
        to,
    };
    app.app
        .record_stock_movement(&system, part, mv(MovementKind::Receipt, 3, warehouse, None), "RK-001", None, "")
        .await
        .unwrap();
    let err = app
        .app
        .record_stock_movement(&system, part, mv(MovementKind::Transfer, 4, warehouse, Some(point)), "DB-001", None, "")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only 3 in stock"), "{err}");
    app.app
        .record_stock_movement(&system, part, mv(MovementKind::Transfer, 2, warehouse, Some(point)), "DB-002", None, "")
        .await
        .unwrap();
    // One left in the warehouse: two instances issue it at once; one succeeds.
    let (a, b) = tokio::join!(
        app.app.record_stock_movement(&system, part, mv(MovementKind::Issue, 1, warehouse, None), "LL-001", None, ""),
        peer.app.record_stock_movement(&system, part, mv(MovementKind::Issue, 1, warehouse, None), "LL-002", None, ""),
    );
    assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} {b:?}");
    let mut conn = app.app.store.conn().await.unwrap();
    use kefu_domain::aftersales::stock::Condition;
    let left = kefu_store::aftersales::stock::balance(&mut conn, warehouse, part, Condition::Good)
        .await
        .unwrap();
    let there = kefu_store::aftersales::stock::balance(&mut conn, point, part, Condition::Good)
        .await
        .unwrap();
    assert_eq!((left, there), (0, 2));
    let log = kefu_store::aftersales::stock::movements(&mut conn, part, 10).await.unwrap();
    assert_eq!(log.len(), 3, "the refused movements left no line");
    drop(conn);
    peer.stop().await;
    app.stop().await;
}
