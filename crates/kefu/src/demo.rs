//! `kefu demo` and `kefu serve --demo`: loads the demo company with progress bars and tells
//! the user how to sign in.

use kefu_app::App;
use kefu_app::demo::{DemoError, DemoPlan};

/// Loads `plan` into `app`'s database, showing progress on standard error, then prints what
/// was loaded and the demo accounts.
pub async fn load(app: &App, plan: &DemoPlan) -> Result<(), DemoError> {
    let bars = indicatif::MultiProgress::new();
    let style = indicatif::ProgressStyle::with_template(
        "{prefix:>6} {bar:40} {pos}/{len} ({per_sec}, 剩余 {eta})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    let customers = bars.add(indicatif::ProgressBar::new(plan.customers as u64));
    customers.set_style(style.clone());
    customers.set_prefix("客户");
    let tickets = bars.add(indicatif::ProgressBar::new(plan.tickets as u64));
    tickets.set_style(style);
    tickets.set_prefix("工单");
    let progress = |phase: &'static str, done: usize, total: usize| {
        let bar = if phase == "customers" {
            &customers
        } else {
            &tickets
        };
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let outcome = app.load_demo(plan, &progress).await;
    customers.finish();
    tickets.finish();
    let r = outcome?;
    println!(
        "演示公司「杭州恒信电器有限公司」已载入 / demo company loaded in {:.1} s:",
        r.seconds
    );
    println!(
        "  {} staff · {} customers · {} tickets · {} messages · {} complaints (seed {})",
        r.staff, r.customers, r.tickets, r.messages, r.complaints, plan.seed
    );
    println!();
    println!("  Demo accounts (all with the same password) / 演示账户（密码相同）:");
    let mut shown = Vec::new();
    for (username, role) in &r.accounts {
        if !shown.contains(role) {
            shown.push(*role);
            println!("    {username:<14} {role}");
        }
    }
    println!("    password / 密码: {}", r.password);
    println!();
    Ok(())
}
