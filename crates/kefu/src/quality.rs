//! `kefu quality report`: prints a day's 质量异常分析日报表 in Chinese (making it first when
//! the job has not), makes it again with a reason, mails it to the managers again, or
//! writes its XLSX.

use anyhow::Context;
use kefu_app::quality::{QualityReport, change, shown};
use kefu_app::{Actor, App, AppError};
use kefu_domain::Locale;
use kefu_web::i18n::Tr;

/// What `kefu quality report` was asked.
pub(crate) struct ReportRequest<'a> {
    pub date: &'a str,
    pub reason: Option<&'a str>,
    pub send: bool,
    pub xlsx: Option<&'a std::path::Path>,
}

fn refused(tr: Tr, e: AppError) -> anyhow::Error {
    anyhow::anyhow!(kefu_web::error::WebError::from(e).into_info().message(tr))
}

pub(crate) async fn report(app: &App, req: ReportRequest<'_>) -> anyhow::Result<()> {
    let tr = Tr(Locale::ZhCn);
    let actor = Actor::system();
    let date =
        kefu_domain::dates::parse("date", req.date).map_err(|e| refused(tr, AppError::Date(e)))?;
    let r = match req.reason {
        Some(reason) => app.make_quality_report(&actor, date, reason).await,
        None => match app.quality_report(&actor, date, None).await {
            Err(AppError::NotFound) => app.make_quality_report(&actor, date, "").await,
            other => other,
        },
    }
    .map_err(|e| refused(tr, e))?;
    print!("{}", text(tr, &r));
    if req.send {
        let n = app
            .resend_quality_report(&actor, date)
            .await
            .map_err(|e| refused(tr, e))?;
        println!(
            "{}",
            tr.f("quality.report.mailed", &[("n", &n.to_string())])
        );
    }
    if let Some(path) = req.xlsx {
        let (_, bytes) = app
            .quality_report_xlsx(Locale::ZhCn, &r)
            .map_err(|e| refused(tr, e))?;
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// The report as lines of text: the headline figures against the previous business day
/// and the week's mean, the counts, the service items and the causes.
fn text(tr: Tr, r: &QualityReport) -> String {
    let b = &r.body;
    let t = |k: &str| tr.t(&format!("quality.report.{k}")).to_owned();
    let mut out = format!(
        "{} {} · {} {} – {} · {} {}\n",
        t("title"),
        r.date,
        t("covers"),
        r.date,
        r.covers_last(),
        t("revision"),
        r.revision
    );
    if !r.reason.is_empty() {
        out.push_str(&format!("{}：{}\n", t("reason"), r.reason));
    }
    for f in kefu_domain::quality::report::figures(b) {
        out.push_str(&format!(
            "{} {} · {} {} · {} {}\n",
            t(f.key),
            shown(f.unit, f.now, false),
            t("vs_previous"),
            change(f.vs_previous),
            t("vs_mean"),
            change(f.vs_mean),
        ));
    }
    out.push_str(&format!(
        "{} {} · {} {} · {} {} · {} {}\n",
        t("late"),
        b.late,
        t("open"),
        b.open,
        t("closed"),
        b.closed,
        t("overdue"),
        b.overdue_total
    ));
    for l in b.by_service_item.iter().filter(|l| l.new > 0) {
        out.push_str(&format!("  {} {}\n", l.label, l.new));
    }
    for (cause, n) in &b.causes {
        out.push_str(&format!(
            "  {}：{} {n}\n",
            t("cause"),
            tr.tk("quality.anomaly.cause", cause)
        ));
    }
    out
}
