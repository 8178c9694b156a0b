//! 导入报告 — what an import tells the person who ran it, row by row: the rows it could not
//! import and why, the duplicate rows and which row or existing customer each repeats, and
//! the title rows it passed over above the header. The page, the CLI and the downloadable
//! report CSV all show these same lines.

use kefu_domain::customer_import::SameBy;
use serde_json::json;

/// One line of the report: spreadsheet row number, column key (empty for a whole row),
/// reason key (translated as `import.reason.<reason>`), the value in the file, and `other`
/// — what the reason's `{other}` names: the earlier row a duplicate repeats, the existing
/// customer's name, or the header's row number under a title.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub reason: String,
    pub value: String,
    pub other: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub import_id: i64,
    pub dry_run: bool,
    /// `utf-8` or `gbk`.
    pub encoding: &'static str,
    pub rows: usize,
    pub created: usize,
    pub merged: usize,
    pub skipped: usize,
    pub failed: usize,
    /// The rows not imported, and why.
    pub problems: Vec<Problem>,
    /// The rows that are a customer already there — an earlier row of the file or one in
    /// the archive — skipped or merged (reasons `duplicate_row_skipped`,
    /// `duplicate_row_merged`, `duplicate_customer_skipped`, `duplicate_customer_merged`).
    pub duplicates: Vec<Problem>,
    /// Title rows passed over above the header (reason `title_row`).
    pub notices: Vec<Problem>,
}

impl ImportReport {
    /// Every line of the report in row order: notices, problems and duplicates.
    pub fn lines(&self) -> Vec<&Problem> {
        let mut all: Vec<&Problem> = self
            .notices
            .iter()
            .chain(&self.problems)
            .chain(&self.duplicates)
            .collect();
        all.sort_by_key(|p| p.row);
        all
    }

    /// The lines as the import's record keeps them: a JSON array of
    /// `[row, column, reason, value]`, with `other` as a fifth element when there is one.
    pub(super) fn lines_json(&self) -> String {
        let lines: Vec<serde_json::Value> = self
            .lines()
            .into_iter()
            .map(|p| {
                if p.other.is_empty() {
                    json!([p.row, p.column, p.reason, p.value])
                } else {
                    json!([p.row, p.column, p.reason, p.value, p.other])
                }
            })
            .collect();
        serde_json::Value::Array(lines).to_string()
    }
}

/// The lines an import's record keeps (see [`ImportReport::lines_json`]); records made before
/// `other` existed have four elements a line.
pub fn report_lines(problems_json: &str) -> Vec<Problem> {
    let lines: Vec<Vec<serde_json::Value>> =
        serde_json::from_str(problems_json).unwrap_or_default();
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    lines
        .iter()
        .map(|l| Problem {
            row: l
                .first()
                .and_then(serde_json::Value::as_u64)
                .map_or(0, |n| n as usize),
            column: text(l.get(1)),
            reason: text(l.get(2)),
            value: text(l.get(3)),
            other: text(l.get(4)),
        })
        .collect()
}

/// Which customer a duplicate row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SameAs {
    /// An earlier row of the file.
    Row(usize),
    /// A customer already in the archive, by name.
    Customer(String),
}

/// A duplicate row: what matched and what it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Duplicate {
    pub by: SameBy,
    pub of: SameAs,
}

impl Duplicate {
    /// The report line for row `row` (its mobile or name in `value`), skipped or merged.
    pub(super) fn line(&self, row: usize, value: &str, merged: bool) -> Problem {
        let reason = match (&self.of, merged) {
            (SameAs::Row(_), false) => "duplicate_row_skipped",
            (SameAs::Row(_), true) => "duplicate_row_merged",
            (SameAs::Customer(_), false) => "duplicate_customer_skipped",
            (SameAs::Customer(_), true) => "duplicate_customer_merged",
        };
        Problem {
            row,
            column: self.by.column().key().to_owned(),
            reason: reason.to_owned(),
            value: value.to_owned(),
            other: match &self.of {
                SameAs::Row(n) => n.to_string(),
                SameAs::Customer(name) => name.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_other_and_old_records_still_read() {
        let report = ImportReport {
            notices: vec![Problem {
                row: 1,
                reason: "title_row".into(),
                value: "2026年客户名单".into(),
                other: "2".into(),
                ..Problem::default()
            }],
            problems: vec![Problem {
                row: 4,
                column: "mobile".into(),
                reason: "bad_mobile".into(),
                value: "12345".into(),
                other: String::new(),
            }],
            duplicates: vec![
                Duplicate {
                    by: SameBy::Mobile,
                    of: SameAs::Row(2),
                }
                .line(3, "13812345678", false),
            ],
            ..ImportReport::default()
        };
        let back = report_lines(&report.lines_json());
        assert_eq!(back.iter().map(|p| p.row).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(back[1].reason, "duplicate_row_skipped");
        assert_eq!(
            (back[1].column.as_str(), back[1].other.as_str()),
            ("mobile", "2")
        );
        assert_eq!(back[2], report.problems[0]);
        let old = report_lines(r#"[[4,"mobile","bad_mobile","12345"]]"#);
        assert_eq!(old, vec![report.problems[0].clone()]);
        assert!(report_lines("not json").is_empty());
    }
}
