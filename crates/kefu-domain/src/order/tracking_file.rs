//! 物流信息导入 — tracking events from a carrier's file (CSV or XLSX) or pushed by a carrier's
//! system: each row a tracking number, a time, a status and a place, in Chinese or English
//! headers; every refused cell named by row and column.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{TimeZone, offset};

use super::shipment::{MAX_PLACE, MAX_TRACKING, TrackingStatus};
use crate::aftersales::import::{ColumnError, map, text};

keyed! {
    /// A column of a tracking file.
    TrackingColumn {
        TrackingNumber = "tracking_number",
        At = "at",
        Status = "status",
        Place = "place",
    }
}

const HEADERS: &[(TrackingColumn, &[&str])] = &[
    (
        TrackingColumn::TrackingNumber,
        &[
            "tracking_number",
            "运单号",
            "快递单号",
            "物流单号",
            "运单编号",
        ],
    ),
    (
        TrackingColumn::At,
        &["at", "time", "时间", "物流时间", "扫描时间", "操作时间"],
    ),
    (
        TrackingColumn::Status,
        &["status", "状态", "物流状态", "快递状态"],
    ),
    (
        TrackingColumn::Place,
        &["place", "地点", "所在地", "网点", "所在城市"],
    ),
];

/// Which column of a tracking file each header is (`None`: not read).
pub fn tracking_columns(headers: &[String]) -> Result<Vec<Option<TrackingColumn>>, ColumnError> {
    use TrackingColumn as C;
    map(
        headers,
        HEADERS,
        C::key,
        &[C::TrackingNumber, C::At, C::Status],
    )
}

keyed! {
    /// Why a tracking cell is refused.
    TrackingProblem {
        Missing = "missing",
        /// 运单号只能是字母、数字和连字符
        BadTracking = "bad_tracking",
        /// 时间格式不对
        BadTime = "bad_time",
        /// 时间晚于现在
        Future = "future",
        /// 不认识的物流状态
        UnknownStatus = "unknown_status",
        TooLong = "too_long",
        /// 没有这个运单号的发货单
        UnknownShipment = "unknown_shipment",
    }
}

/// A tracking cell refused: the column's key, why, and the value as read (at most 50
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingCellError {
    pub column: &'static str,
    pub problem: TrackingProblem,
    pub value: String,
}

impl TrackingCellError {
    pub fn new(column: &'static str, problem: TrackingProblem, value: &str) -> TrackingCellError {
        TrackingCellError {
            column,
            problem,
            value: value.chars().take(50).collect(),
        }
    }
}

/// A tracking event as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingLine {
    /// Upper-cased, as shipments keep it.
    pub tracking_number: String,
    pub at: Timestamp,
    pub status: TrackingStatus,
    pub place: String,
}

/// The most events one push carries.
pub const MAX_PUSH: usize = 500;

/// How far ahead of kefu's clock an event may be dated (a carrier's clock).
pub const CLOCK_SKEW_SECS: i64 = 600;

/// A status by its key or as carriers write it in Chinese.
pub fn status_of(raw: &str) -> Option<TrackingStatus> {
    let raw = raw.trim();
    if let Ok(s) = raw.to_lowercase().parse() {
        return Some(s);
    }
    Some(match raw {
        "已揽收" | "揽收" | "已揽件" | "揽件" | "已收件" => TrackingStatus::PickedUp,
        "运输中" | "在途" | "在途中" | "已发出" | "到达" => TrackingStatus::InTransit,
        "派送中" | "派件中" | "正在派送" | "派件" => TrackingStatus::OutForDelivery,
        "已签收" | "签收" | "妥投" | "已妥投" => TrackingStatus::Delivered,
        "异常" | "问题件" | "拒收" | "滞留" | "退回" => TrackingStatus::Exception,
        _ => return None,
    })
}

/// A time as carriers write it: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` (also with `/`) in
/// Beijing time (UTC+8 all year).
pub fn time_of(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Some(t);
    }
    let local = raw.replace('/', "-").replacen(' ', "T", 1);
    let dt: DateTime = local.parse().ok()?;
    dt.to_zoned(TimeZone::fixed(offset(8)))
        .ok()
        .map(|z| z.timestamp())
}

/// A tracking number as shipments keep it (upper-cased), or why not.
pub fn tracking_number_of(raw: &str) -> Result<String, TrackingProblem> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(TrackingProblem::Missing);
    }
    let plain = t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if t.len() > MAX_TRACKING || !plain {
        return Err(TrackingProblem::BadTracking);
    }
    Ok(t.to_uppercase())
}

/// Reads a tracking row at `now`; every cell refused is named.
pub fn tracking_line(
    cells: &[String],
    columns: &[Option<TrackingColumn>],
    now: Timestamp,
) -> Result<TrackingLine, Vec<TrackingCellError>> {
    use TrackingColumn as C;
    let t = |c| text(cells, columns, c);
    let mut errors = Vec::new();
    let mut refuse = |c: C, p: TrackingProblem, raw: &str| {
        errors.push(TrackingCellError::new(c.key(), p, raw));
    };
    let number_raw = t(C::TrackingNumber);
    let tracking_number = tracking_number_of(&number_raw).unwrap_or_else(|p| {
        refuse(C::TrackingNumber, p, &number_raw);
        String::new()
    });
    let at_raw = t(C::At);
    let at = match time_of(&at_raw) {
        None if at_raw.is_empty() => {
            refuse(C::At, TrackingProblem::Missing, &at_raw);
            now
        }
        None => {
            refuse(C::At, TrackingProblem::BadTime, &at_raw);
            now
        }
        Some(at) if at.as_second() > now.as_second() + CLOCK_SKEW_SECS => {
            refuse(C::At, TrackingProblem::Future, &at_raw);
            now
        }
        Some(at) => at,
    };
    let status_raw = t(C::Status);
    let status = status_of(&status_raw).unwrap_or_else(|| {
        let p = if status_raw.is_empty() {
            TrackingProblem::Missing
        } else {
            TrackingProblem::UnknownStatus
        };
        refuse(C::Status, p, &status_raw);
        TrackingStatus::InTransit
    });
    let place = t(C::Place);
    if place.chars().count() > MAX_PLACE {
        refuse(C::Place, TrackingProblem::TooLong, &place);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(TrackingLine {
        tracking_number,
        at,
        status,
        place,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_carriers_file_is_read_in_chinese_and_every_bad_cell_named() {
        let columns = tracking_columns(&cells(&[
            "快递单号",
            "扫描时间",
            "物流状态",
            "所在城市",
            "备注",
        ]))
        .unwrap();
        let now: Timestamp = "2026-12-07T02:00:00Z".parse().unwrap();
        let line = tracking_line(
            &cells(&["sf1001", "2026/12/07 09:30", "派件中", "广州", ""]),
            &columns,
            now,
        )
        .unwrap();
        assert_eq!(line.tracking_number, "SF1001");
        assert_eq!(line.at.to_string(), "2026-12-07T01:30:00Z");
        assert_eq!(line.status, TrackingStatus::OutForDelivery);
        let errors =
            tracking_line(&cells(&["SF 1", "明天", "飞走了", ""]), &columns, now).unwrap_err();
        let problems: Vec<(&str, TrackingProblem)> =
            errors.iter().map(|e| (e.column, e.problem)).collect();
        assert_eq!(
            problems,
            [
                ("tracking_number", TrackingProblem::BadTracking),
                ("at", TrackingProblem::BadTime),
                ("status", TrackingProblem::UnknownStatus),
            ]
        );
        let late = tracking_line(
            &cells(&["SF1", "2026-12-07 11:00", "已签收", ""]),
            &columns,
            now,
        )
        .unwrap_err();
        assert_eq!(late[0].problem, TrackingProblem::Future);
        assert_eq!(
            tracking_columns(&cells(&["运单号", "状态"])),
            Err(ColumnError::Missing("at"))
        );
    }
}
