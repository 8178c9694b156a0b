//! 订单与应收 for the demo: which customers buy on account.

use sqlx::AnyConnection;

use crate::Result;

/// A customer who orders: id, credit grade and agreed terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderingCustomer {
    pub id: i64,
    pub grade: String,
    pub terms: String,
    pub owner_id: Option<i64>,
}

/// Up to `n` graded customers with terms (A, B or C; D buys nothing on account), spread
/// over the archive, the oldest first.
pub async fn ordering_customers(conn: &mut AnyConnection, n: i64) -> Result<Vec<OrderingCustomer>> {
    const GRADED: &str = "credit_grade IN ('A', 'B', 'C') AND payment_terms IS NOT NULL";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customers WHERE {GRADED}"))
        .fetch_one(&mut *conn)
        .await?;
    let step = (total / n.max(1)).max(1);
    let rows: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT id, credit_grade, payment_terms, owner_id FROM (SELECT id, credit_grade, \
         payment_terms, owner_id, \
         ROW_NUMBER() OVER (ORDER BY id) AS k FROM customers WHERE {GRADED}) x \
         WHERE (x.k - 1) % $1 = 0 ORDER BY id LIMIT $2"
    ))
    .bind(step)
    .bind(n)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, grade, terms, owner_id)| OrderingCustomer {
            id,
            grade,
            terms,
            owner_id,
        })
        .collect())
}
