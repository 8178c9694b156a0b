//! 服务质量 for the benchmark: many anomalies over a period, and a day crowded with
//! resolved tickets for the sample to draw from. The rows are the ones the quality module
//! writes (same columns, same encodings).

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::AnyConnection;

use crate::{Result, to_micros};

/// Rows per statement (13 values each).
const ROWS: usize = 200;

/// Writes `n` hand-recorded anomalies spread evenly over the `days` days up to `last_day`,
/// over `items` (service item ids) in turn: one in three closed, one in three investigated,
/// the rest open, each investigated one with a cause. Numbered `ZB<day>-<n>`; how many.
pub async fn bench_anomalies(
    conn: &mut AnyConnection,
    n: usize,
    last_day: Date,
    days: i64,
    items: &[i64],
    now: Timestamp,
) -> Result<u64> {
    const CAUSES: [&str; 6] = [
        "people", "process", "rules", "system", "product", "customer",
    ];
    let days = days.max(1);
    let mut written = 0;
    let mut k = 0;
    while k < n {
        let chunk = (n - k).min(ROWS);
        let mut sql = String::from(
            "INSERT INTO quality_anomalies (number, occurred_on, recorded_at, source_kind, \
             source_key, service_item_id, severity, description, status, cause, \
             investigated_at, closed_at, findings) VALUES ",
        );
        for i in 0..chunk {
            let b = i * 13;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 1..=13 {
                if c > 1 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", b + c));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for i in k..k + chunk {
            let back = (i as i64) % days;
            let day = last_day
                .checked_sub(jiff::Span::new().days(back))
                .unwrap_or(last_day);
            let state = i % 3;
            let cause = (state > 0).then(|| CAUSES[i % CAUSES.len()]);
            let at = to_micros(now);
            q = q
                .bind(format!("ZB{}-{i:06}", day.strftime("%Y%m%d")))
                .bind(day.to_string())
                .bind(at)
                .bind("manual")
                .bind(format!("bench:{i}"))
                .bind(items[i % items.len().max(1)])
                .bind("major")
                .bind("基准测试异常：客户来电未按规范应答。")
                .bind(match state {
                    0 => "open",
                    1 => "investigated",
                    _ => "closed",
                })
                .bind(cause)
                .bind((state > 0).then_some(at))
                .bind((state == 2).then_some(at))
                .bind(if state > 0 { "已查明。" } else { "" });
        }
        written += q.execute(&mut *conn).await?.rows_affected();
        k += chunk;
    }
    Ok(written)
}

/// Moves the resolution of the newest `n` resolved, assigned tickets into `[from, to)`,
/// spread across it: a day as busy as `n` tickets for the sample; how many moved.
pub async fn crowd_day(
    conn: &mut AnyConnection,
    n: i64,
    from: Timestamp,
    to: Timestamp,
) -> Result<u64> {
    let span = (to_micros(to) - to_micros(from)).max(1);
    let done = sqlx::query(
        "UPDATE tickets SET resolved_at = $1 + ((id * 7919) % $2) WHERE id IN ( \
         SELECT id FROM tickets WHERE resolved_at IS NOT NULL AND assignee_id IS NOT NULL \
         ORDER BY id DESC LIMIT $3)",
    )
    .bind(to_micros(from))
    .bind(span)
    .bind(n)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
