//! 发货与到货核实 — shipments of an order (002 §一3: 跟踪落实该批次货物的发货情况；及时将发货
//! 资讯反馈给经销商；跟踪了解客户是否收到货物，收到货物件数是否正确).
//!
//! ```text
//! ship (carrier, tracking number, lines) ─ 运输中 in_transit ─ tracking events
//!   ─ 已签收 delivered ─ the customer's count, line by line ─ 已核实 checked
//!                                   └─ short: an order-issue ticket 订单问题
//! ```
//!
//! What production makes ships once its request is marked done (生产完成); until then a line
//! ships what stock met. A short count gives back to the line what did not arrive: it is to
//! ship again (补发), and the order closes once every line was received in full.

use crate::customer::ContactChannel;

use super::{LineProgress, OrderError};

keyed! {
    /// 发货单状态
    ShipmentState {
        /// 运输中
        InTransit = "in_transit",
        /// 已签收 — the carrier delivered it; the customer's count is awaited.
        Delivered = "delivered",
        /// 已核实 — the customer's count recorded.
        Checked = "checked",
    }
}

keyed! {
    /// 物流状态 — a tracking event's status, as carriers report them.
    TrackingStatus {
        /// 已揽收
        PickedUp = "picked_up",
        /// 运输中
        InTransit = "in_transit",
        /// 派送中
        OutForDelivery = "out_for_delivery",
        /// 已签收
        Delivered = "delivered",
        /// 异常 (delayed, damaged, refused…)
        Exception = "exception",
    }
}

keyed! {
    /// Where a tracking event came from.
    EventSource {
        /// Entered on the order's page or by the API.
        Manual = "manual",
        /// A carrier's file imported.
        Import = "import",
        /// Pushed by the carrier's webhook.
        Webhook = "webhook",
    }
}

keyed! {
    /// 发货通知 — how the customer was told of a shipment, or why they were not.
    Notice {
        /// By text to the contact's mobile.
        Sms = "sms",
        /// By mail.
        Email = "email",
        /// No contact with a mobile or mail that takes messages.
        NoContact = "no_contact",
    }
}

/// The longest carrier name and tracking number.
pub const MAX_CARRIER: usize = 60;
pub const MAX_TRACKING: usize = 60;
/// The longest place named by a tracking event.
pub const MAX_PLACE: usize = 200;

/// A shipment's carrier and tracking number, trimmed; refused empty or too long.
pub fn check_waybill(carrier: &str, tracking: &str) -> Result<(String, String), OrderError> {
    let carrier = carrier.trim();
    let tracking = tracking.trim();
    if carrier.is_empty() || carrier.chars().count() > MAX_CARRIER {
        return Err(OrderError::Carrier);
    }
    let plain = tracking
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if tracking.is_empty() || tracking.len() > MAX_TRACKING || !plain {
        return Err(OrderError::Tracking);
    }
    Ok((carrier.to_owned(), tracking.to_uppercase()))
}

/// What each line may have shipped so far: all it ordered once production is done, else
/// what stock met.
pub fn ready(ordered: i64, from_stock: i64, produced: bool) -> i64 {
    if produced { ordered } else { from_stock }
}

/// Checks a shipment against what is ready on each line (`ready`, per line as [`ready`]
/// says): what production has not made yet cannot leave.
pub fn check_ready(
    lines: &[LineProgress],
    ready: &[i64],
    shipping: &[i64],
) -> Result<(), OrderError> {
    super::check_shipment(lines, shipping)?;
    for (n, ((l, r), q)) in lines.iter().zip(ready).zip(shipping).enumerate() {
        if l.shipped + q > *r {
            return Err(OrderError::NotProduced {
                line: n + 1,
                ready: (r - l.shipped).max(0),
            });
        }
    }
    Ok(())
}

/// A line after a shipment's count: what arrived is received; what did not is given back
/// to ship again.
pub fn after_count(line: LineProgress, quantity: i64, received: i64) -> LineProgress {
    LineProgress {
        ordered: line.ordered,
        shipped: line.shipped - (quantity - received),
        received: line.received + received,
    }
}

/// How to tell a contact of a shipment: their preferred channel when it is text or mail and
/// they have that address and did not opt out of it; else text to their mobile, else mail;
/// `None` when nothing takes messages.
pub fn notice_route<'a>(
    preferred: Option<ContactChannel>,
    mobile: Option<&'a str>,
    email: Option<&'a str>,
    opted_out: &[ContactChannel],
) -> Option<(Notice, &'a str)> {
    let sms = mobile
        .filter(|m| !m.trim().is_empty() && !opted_out.contains(&ContactChannel::Sms))
        .map(|m| (Notice::Sms, m));
    let mail = email
        .filter(|e| !e.trim().is_empty() && !opted_out.contains(&ContactChannel::Email))
        .map(|e| (Notice::Email, e));
    match preferred {
        Some(ContactChannel::Email) => mail.or(sms),
        _ => sms.or(mail),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::order::{OrderState, state_of};

    #[test]
    fn a_waybill_is_trimmed_and_its_number_plain() {
        assert_eq!(
            check_waybill(" 顺丰速运 ", " sf1234567890 "),
            Ok(("顺丰速运".to_owned(), "SF1234567890".to_owned()))
        );
        assert_eq!(check_waybill("", "SF1"), Err(OrderError::Carrier));
        assert_eq!(check_waybill("顺丰", ""), Err(OrderError::Tracking));
        assert_eq!(check_waybill("顺丰", "SF 1"), Err(OrderError::Tracking));
    }

    #[test]
    fn what_production_has_not_made_cannot_leave() {
        let lines = [LineProgress {
            ordered: 10,
            shipped: 0,
            received: 0,
        }];
        let not_made = [ready(10, 4, false)];
        assert_eq!(check_ready(&lines, &not_made, &[4]), Ok(()));
        assert_eq!(
            check_ready(&lines, &not_made, &[5]),
            Err(OrderError::NotProduced { line: 1, ready: 4 })
        );
        assert_eq!(check_ready(&lines, &[ready(10, 4, true)], &[10]), Ok(()));
    }

    #[test]
    fn the_preferred_channel_is_used_unless_refused() {
        let m = Some("13800138000");
        let e = Some("li@example.com");
        assert_eq!(
            notice_route(Some(ContactChannel::Email), m, e, &[]),
            Some((Notice::Email, "li@example.com"))
        );
        assert_eq!(
            notice_route(None, m, e, &[]),
            Some((Notice::Sms, "13800138000"))
        );
        assert_eq!(
            notice_route(None, m, e, &[ContactChannel::Sms]),
            Some((Notice::Email, "li@example.com"))
        );
        assert_eq!(notice_route(None, m, None, &[ContactChannel::Sms]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Shipping what is left, counting it with random shortages, and shipping the
        /// shortage again: nothing ever ships above what was ordered, and the order closes
        /// exactly when every line was received in full.
        #[test]
        fn shortages_ship_again_until_everything_arrived(
            ordered in prop::collection::vec(1i64..50, 1..6),
            losses in prop::collection::vec(0i64..5, 1..40),
        ) {
            let mut lines: Vec<LineProgress> = ordered
                .iter()
                .map(|o| LineProgress { ordered: *o, shipped: 0, received: 0 })
                .collect();
            let mut losses = losses.into_iter().cycle();
            for _ in 0..20 {
                let shipping: Vec<i64> = lines.iter().map(|l| l.ordered - l.shipped).collect();
                if shipping.iter().all(|q| *q == 0) {
                    break;
                }
                let ready: Vec<i64> = lines.iter().map(|l| l.ordered).collect();
                prop_assert!(check_ready(&lines, &ready, &shipping).is_ok());
                for (l, q) in lines.iter_mut().zip(&shipping) {
                    l.shipped += q;
                    prop_assert!(l.shipped <= l.ordered);
                }
                let received: Vec<i64> = shipping
                    .iter()
                    .map(|q| q - losses.next().unwrap_or(0).min(*q))
                    .collect();
                let short = crate::order::check_received(&shipping, &received).unwrap();
                for ((l, q), r) in lines.iter_mut().zip(&shipping).zip(&received) {
                    *l = after_count(*l, *q, *r);
                    prop_assert!(l.received <= l.ordered);
                }
                let closed = lines.iter().all(|l| l.received == l.ordered);
                prop_assert_eq!(state_of(&lines) == OrderState::Closed, closed);
                prop_assert_eq!(short.is_empty(), lines.iter().all(|l| l.shipped == l.ordered));
            }
        }
    }
}
