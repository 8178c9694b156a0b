//! The `kefu` binary as an operator uses it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kefu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kefu-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(dir: &PathBuf, args: &[&str]) -> Output {
    kefu()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("KEFU_DATABASE_URL")
        .output()
        .expect("run kefu")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn operator_manages_users_and_tokens_from_the_command_line() {
    let dir = temp_dir("users");
    let m = run(&dir, &["migrate"]);
    assert!(m.status.success(), "{}", stderr(&m));
    assert!(stdout(&m).contains("migrations applied (sqlite)"));
    assert!(dir.join("kefu.db").exists());

    let add = run(
        &dir,
        &[
            "user",
            "add",
            "li.ming",
            "--role",
            "agent",
            "--role",
            "cs_manager",
            "--display-name",
            "李明",
            "--department",
            "customer_service",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let out = stdout(&add);
    assert!(out.contains("created user li.ming"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("one-time password: "))
        .expect("generated password");
    assert_eq!(password.len(), 16);

    let list = stdout(&run(&dir, &["user", "list"]));
    assert!(
        list.contains("li.ming") && list.contains("李明") && list.contains("cs_manager,agent"),
        "{list}"
    );

    let mut child = kefu()
        .arg("--data-dir")
        .arg(&dir)
        .args(["user", "passwd", "li.ming", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("一个新的足够长的密码\n".as_bytes())
        .unwrap();
    let passwd = child.wait_with_output().unwrap();
    assert!(passwd.status.success());
    assert!(stdout(&passwd).contains("password of li.ming changed"));

    let token = run(
        &dir,
        &["token", "create", "--user", "li.ming", "--name", "呼叫中心"],
    );
    assert!(token.status.success(), "{}", stderr(&token));
    assert!(stdout(&token).trim().starts_with("kefu_"));

    let disable = run(&dir, &["user", "disable", "li.ming"]);
    assert!(disable.status.success());
    let list = stdout(&run(&dir, &["user", "list"]));
    let line = list.lines().find(|l| l.contains("li.ming")).unwrap();
    assert!(line.contains(" no "), "{line}");

    // Bad input: a clear message and a failing exit code.
    let bad_role = run(&dir, &["user", "add", "x.y", "--role", "boss"]);
    assert!(!bad_role.status.success());
    assert!(
        stderr(&bad_role).contains("unknown role: boss"),
        "{}",
        stderr(&bad_role)
    );
    let dup = run(&dir, &["user", "add", "li.ming", "--role", "agent"]);
    assert!(!dup.status.success());
    assert!(stderr(&dup).contains("already taken"), "{}", stderr(&dup));
    let nobody = run(&dir, &["token", "create", "--user", "nobody"]);
    assert!(!nobody.status.success());
    assert!(
        stderr(&nobody).contains("no user named \"nobody\""),
        "{}",
        stderr(&nobody)
    );
    let short = kefu()
        .arg("--data-dir")
        .arg(&dir)
        .args(["user", "passwd", "li.ming", "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let short = {
        let mut c = short;
        c.stdin.take().unwrap().write_all(b"short\n").unwrap();
        c.wait_with_output().unwrap()
    };
    assert!(!short.status.success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_configuration_is_explained() {
    let dir = temp_dir("config");
    let missing = kefu()
        .args(["--config", "/nonexistent/kefu.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("cannot read the configuration file"),
        "{}",
        stderr(&missing)
    );

    let file = dir.join("kefu.toml");
    std::fs::write(&file, "lisen = \"0.0.0.0:80\"\n").unwrap();
    let typo = kefu()
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(
        stderr(&typo).contains("unknown field `lisen`"),
        "{}",
        stderr(&typo)
    );

    let url = kefu()
        .args(["--database-url", "mysql://x@y/z", "migrate"])
        .output()
        .unwrap();
    assert!(!url.status.success());
    assert!(
        stderr(&url).contains("unsupported database URL"),
        "{}",
        stderr(&url)
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_starts_with_an_admin_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("serve");
    let started = Instant::now();
    let mut child = kefu()
        .arg("--data-dir")
        .arg(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("KEFU_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split("running at ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let addr = url.trim_start_matches("http://").to_owned();
    let rest: Vec<String> = lines.by_ref().take(6).map(Result::unwrap).collect();
    assert!(
        rest.iter().any(|l| l.contains("username / 用户名: admin")),
        "{rest:?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("password / 密码:")),
        "{rest:?}"
    );

    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    eprintln!(
        "cold start to first healthy answer: {:?}",
        started.elapsed()
    );

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "kefu did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");

    // A second start reuses the database and creates no new admin.
    let second = kefu()
        .arg("--data-dir")
        .arg(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("KEFU_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut second = second;
    let mut lines = BufReader::new(second.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("running at"));
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().all(|l| !l.contains("password")),
        "no second admin: {rest:?}"
    );
    assert!(second.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn operator_imports_customers_from_a_file() {
    let dir = temp_dir("import");
    let file = dir.join("客户.csv");
    std::fs::write(
        &file,
        "客户名称,联系人,手机,客户等级\n杭州明达,王经理,13812345678,大客户\n坏数据,李,123,普通\n",
    )
    .unwrap();
    let dry = run(
        &dir,
        &["import", "customers", file.to_str().unwrap(), "--dry-run"],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("试运行（未写入）：数据行 2，新建 1，合并 0，跳过 0，有误 1"),
        "{}",
        stdout(&dry)
    );
    assert!(stdout(&dry).contains("第 3 行 · 手机 · 不是有效的大陆手机号 · 123"));

    let report = dir.join("report.csv");
    let real = run(
        &dir,
        &[
            "import",
            "customers",
            file.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(real.status.success(), "{}", stderr(&real));
    assert!(stdout(&real).contains("导入完成：数据行 2，新建 1"));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("3,手机,不是有效的大陆手机号,123"), "{text}");
    let again = run(&dir, &["import", "customers", file.to_str().unwrap()]);
    assert!(
        stdout(&again).contains("新建 0，合并 0，跳过 1"),
        "re-import adds nothing"
    );
    assert!(
        stdout(&again)
            .contains("第 2 行 · 手机 · 与已有客户“杭州明达”是同一客户，跳过 · 13812345678"),
        "the duplicate is named: {}",
        stdout(&again)
    );

    // A title above the header is passed over, and said so.
    let titled = dir.join("带标题.csv");
    std::fs::write(
        &titled,
        "2026年客户名单(内部资料),,\n客户名称,手机,地区\n宁波海天塑机,13900001111,浙江宁波\n",
    )
    .unwrap();
    let out = run(&dir, &["import", "customers", titled.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("第 1 行 · 看起来是标题，已跳过；表头取第 2 行 · 2026年客户名单(内部资料)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("新建 1"), "{}", stdout(&out));

    // The search index is rebuilt from the database: the imported customer is in it.
    let reindex = run(&dir, &["reindex"]);
    assert!(reindex.status.success(), "{}", stderr(&reindex));
    assert!(
        stdout(&reindex).contains("search index rebuilt:"),
        "{}",
        stdout(&reindex)
    );
    assert!(dir.join("search").join("meta.json").exists());

    let missing = dir.join("没有名称.csv");
    std::fs::write(&missing, "联系人,手机\n王,13812345678\n").unwrap();
    let bad = run(&dir, &["import", "customers", missing.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("缺少必需的“客户名称”列"),
        "{}",
        stderr(&bad)
    );
    // No relationship survey runs yet: the round sends nothing, and says so.
    let round = run(&dir, &["survey", "send"]);
    assert!(round.status.success(), "{}", stderr(&round));
    assert!(
        stdout(&round).contains("关系调查：已邀请 0 位客户，0 位没有可发送的联系方式，已提醒 0 位"),
        "{}",
        stdout(&round)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operator_imports_products_and_parts_all_or_nothing() {
    let dir = temp_dir("catalogue");
    let products = dir.join("产品.csv");
    std::fs::write(
        &products,
        "产品编码,名称,类别,价格,保修期(月)\nKFR-35GW,挂壁式空调,空调,3299,36\nXQG100,滚筒洗衣机,洗衣机,12.345,24\n",
    )
    .unwrap();
    let refused = run(&dir, &["import", "products", products.to_str().unwrap()]);
    assert!(
        !refused.status.success(),
        "a refused cell fails the command"
    );
    assert!(
        stdout(&refused).contains("第 3 行 · 价格 · 金额格式不对（元，最多两位小数） · 12.345"),
        "{}",
        stdout(&refused)
    );
    assert!(
        stderr(&refused).contains("未导入任何数据"),
        "{}",
        stderr(&refused)
    );
    std::fs::write(
        &products,
        "产品编码,名称,类别,价格,保修期(月)\nKFR-35GW,挂壁式空调,空调,3299,36\nXQG100,滚筒洗衣机,洗衣机,2899.50,24\n",
    )
    .unwrap();
    let dry = run(
        &dir,
        &[
            "import",
            "products",
            products.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("将新增 2"), "{}", stdout(&dry));
    let real = run(&dir, &["import", "products", products.to_str().unwrap()]);
    assert!(real.status.success(), "{}", stderr(&real));
    assert!(
        stdout(&real).contains("已导入 2 行：新增 2，更新 0，未变 0；新增类别 2"),
        "{}",
        stdout(&real)
    );
    let parts = dir.join("配件.csv");
    std::fs::write(
        &parts,
        "料号,名称,成本,适用产品\nYSJ-01,压缩机,450,KFR-35GW\nDJ-02,电机,120,XQG100*2\n",
    )
    .unwrap();
    let real = run(&dir, &["import", "parts", parts.to_str().unwrap()]);
    assert!(real.status.success(), "{}", stderr(&real));
    assert!(stdout(&real).contains("新增 2"), "{}", stdout(&real));
}

#[test]
fn operator_loads_the_demo_company_into_a_fresh_database_once() {
    let dir = temp_dir("demo");
    let demo = |scale: &str| {
        let mut child = kefu()
            .arg("--data-dir")
            .arg(&dir)
            .args(["demo", "--scale", scale, "--seed", "5", "--password-stdin"])
            .env_remove("KEFU_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all("演示密码-demo-2026\n".as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let bad = demo("huge");
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("unknown scale"), "{}", stderr(&bad));

    let first = demo("400");
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(out.contains("demo company loaded"), "{out}");
    assert!(out.contains("400 tickets"), "{out}");
    assert!(out.contains("manager") && out.contains("agent01"), "{out}");
    assert!(out.contains("演示密码-demo-2026"), "{out}");

    let again = demo("400");
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds"),
        "{}",
        stderr(&again)
    );

    // 回访计划 for next month: the dry run says what it would plan and writes nothing, so
    // the real run then makes exactly that many, and a second run none.
    let next = jiff::Zoned::now()
        .date()
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .unwrap()
        .strftime("%Y-%m")
        .to_string();
    let between = |line: &str, from: &str, to: &str| -> i64 {
        let start = line
            .find(from)
            .unwrap_or_else(|| panic!("{from} in {line}"))
            + from.len();
        let end = start
            + line[start..]
                .find(to)
                .unwrap_or_else(|| panic!("{to} in {line}"));
        line[start..end].trim().parse().unwrap()
    };
    let dry = run(&dir, &["followup", "plan", "--period", &next, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let would: Vec<i64> = stdout(&dry)
        .lines()
        .map(|l| {
            assert!(l.contains("试运行，未写入"), "{l}");
            between(l, "将为 ", " 位客户")
        })
        .collect();
    assert!(would.iter().sum::<i64>() > 0, "{}", stdout(&dry));
    let real = run(&dir, &["followup", "plan", "--period", &next]);
    assert!(real.status.success(), "{}", stderr(&real));
    let made: Vec<i64> = stdout(&real)
        .lines()
        .map(|l| between(l, "新建回访 ", " 条"))
        .collect();
    assert_eq!(made, would, "{}", stdout(&real));
    let rerun = run(&dir, &["followup", "plan", "--period", &next]);
    let none: Vec<i64> = stdout(&rerun)
        .lines()
        .map(|l| between(l, "新建回访 ", " 条"))
        .collect();
    assert_eq!(none, vec![0; would.len()], "{}", stdout(&rerun));
    let bad = run(&dir, &["followup", "plan", "--period", "2026-13"]);
    assert!(!bad.status.success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_with_demo_loads_the_company_on_a_fresh_database_only() {
    let dir = temp_dir("serve-demo");
    let start = |dir: &PathBuf| {
        let mut child = kefu()
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--demo", "300"])
            .env_remove("KEFU_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut before = Vec::new();
        let mut addr = String::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.split("running at ").nth(1) {
                let url = rest.split_whitespace().next().unwrap();
                addr = url.trim_start_matches("http://").to_owned();
                break;
            }
            before.push(line);
        }
        // The server goes on printing (the administrator's one-time password): a closed
        // pipe would make its next line fail and take it down mid-request.
        std::thread::spawn(move || lines.for_each(drop));
        (child, addr, before.join("\n"))
    };
    let stop = |mut child: std::process::Child| {
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(child.wait().unwrap().success());
    };

    let (child, addr, printed) = start(&dir);
    assert!(printed.contains("demo company loaded"), "{printed}");
    assert!(printed.contains("300 tickets"), "{printed}");
    assert!(printed.contains("manager"), "{printed}");
    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    stop(child);

    // The second start finds data and leaves it alone.
    let (child, addr, printed) = start(&dir);
    assert!(printed.contains("demo not loaded"), "{printed}");
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    stop(child);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn stopping_during_the_first_index_build_does_not_wait_for_it_and_the_next_start_builds_again() {
    let dir = temp_dir("rebuild");
    let mut demo = kefu()
        .arg("--data-dir")
        .arg(&dir)
        .args(["demo", "--scale", "20k", "--password-stdin"])
        .env_remove("KEFU_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    demo.stdin
        .take()
        .unwrap()
        .write_all("演示密码-demo-2026\n".as_bytes())
        .unwrap();
    let loaded = demo.wait_with_output().unwrap();
    assert!(loaded.status.success(), "{}", stderr(&loaded));

    // Each start logs to stderr; lines arrive on a channel so a missing one fails the test
    // instead of hanging it.
    let serve = || {
        let mut child = kefu()
            .arg("--data-dir")
            .arg(&dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("KEFU_DATABASE_URL")
            .env("KEFU_LOG", "info")
            .env("KEFU_LOG_FORMAT", "json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(out.next().unwrap().unwrap().contains("running at"));
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        (child, rx)
    };
    let stop = |child: &mut std::process::Child| {
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let asked = Instant::now();
        assert!(child.wait().unwrap().success());
        asked.elapsed()
    };

    // The first start builds the index from the 20,000 tickets; stopped at once, it does not
    // finish the build first.
    let (mut first, lines) = serve();
    std::thread::sleep(Duration::from_millis(300));
    let took = stop(&mut first);
    let logged: Vec<String> = lines.try_iter().collect();
    assert!(
        !logged.iter().any(|l| l.contains("search index built")),
        "the build was not running when stopped: {logged:?}"
    );
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");

    // The index was left unfinished: the next start builds it again, whole.
    let (mut second, lines) = serve();
    let built = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(300))
            .expect("the second start builds the index");
        if line.contains("search index built") {
            break line;
        }
    };
    let built: serde_json::Value = serde_json::from_str(&built).unwrap();
    let documents = built["fields"]["documents"].as_u64().unwrap_or(0);
    assert!(documents > 20_000, "{built}");
    stop(&mut second);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn operator_adds_a_mail_channel_and_imports_an_mbox() {
    let dir = temp_dir("mail");
    let add = run(
        &dir,
        &[
            "mail",
            "add-channel",
            "--name",
            "售后邮箱",
            "--address",
            "support@example.com",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let out = stdout(&add);
    assert!(out.contains("已创建邮件渠道 售后邮箱（编号 1）"), "{out}");
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("Webhook 密钥（只显示这一次）："))
        .expect("the secret, once");
    assert_eq!(secret.trim().len(), 64);
    assert!(out.contains("/api/v1/channels/email/1/inbound"), "{out}");

    // Three mails: a question, the customer's reply to it (a line of it starts "From ", so
    // the mbox quotes it), and the question again.
    let question = "From: Wang Fang <wang.fang@example.com>\nTo: support@example.com\n\
        Subject: order 20261122\nMessage-ID: <q.1@example.com>\n\nWhere is my order?\n";
    let reply = "From: Wang Fang <wang.fang@example.com>\nTo: support@example.com\n\
        Subject: Re: order 20261122\nMessage-ID: <q.2@example.com>\n\
        In-Reply-To: <q.1@example.com>\n\nAny news?\nFrom the tracking page: nothing.\n";
    let mbox = format!(
        "From wang.fang@example.com Mon Nov 23 10:00:00 2026\n{question}\n\
         From wang.fang@example.com Mon Nov 23 11:00:00 2026\n{}\n\
         From wang.fang@example.com Mon Nov 23 12:00:00 2026\n{question}\n",
        reply.replace("\nFrom the", "\n>From the")
    );
    let file = dir.join("old.mbox");
    std::fs::write(&file, mbox).unwrap();
    let import = run(
        &dir,
        &["mail", "import", "--channel", "1", file.to_str().unwrap()],
    );
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(
        stdout(&import).contains("共 3 封：新建工单 1，追加到工单 1，重复 1，退信 0，失败 0。"),
        "{}",
        stdout(&import)
    );
    // Imported again, nothing lands twice.
    let again = run(
        &dir,
        &["mail", "import", "--channel", "1", file.to_str().unwrap()],
    );
    assert!(
        stdout(&again).contains("共 3 封：新建工单 0，追加到工单 0，重复 3"),
        "{}",
        stdout(&again)
    );
    let unknown = run(
        &dir,
        &["mail", "import", "--channel", "9", file.to_str().unwrap()],
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no e-mail channel with id 9"),
        "{}",
        stderr(&unknown)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn operator_prints_makes_again_and_writes_the_daily_quality_report() {
    let dir = temp_dir("quality");
    // A Friday long past: its report (with the weekend) is made at the first ask.
    let first = run(&dir, &["quality", "report", "--date", "2026-11-20"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(
        out.contains("质量异常分析日报表 2026-11-20 · 覆盖日期 2026-11-20 – 2026-11-22 · 版本 1"),
        "{out}"
    );
    assert!(out.contains("新增异常 0"), "{out}");
    // Asked again: the report as issued, not a new one.
    let again = run(&dir, &["quality", "report", "--date", "2026-11-20"]);
    assert!(stdout(&again).contains("版本 1"), "{}", stdout(&again));
    let xlsx = dir.join("日报.xlsx");
    let made = run(
        &dir,
        &[
            "quality",
            "report",
            "--date",
            "2026-11-20",
            "--reason",
            "补录后重出",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stdout(&made).contains("版本 2"), "{}", stdout(&made));
    assert!(stdout(&made).contains("原因：补录后重出"));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX (a zip)");
    // Refused with the reason in Chinese, nothing made.
    let saturday = run(&dir, &["quality", "report", "--date", "2026-11-21"]);
    assert!(!saturday.status.success());
    assert!(
        stderr(&saturday).contains("并入 2026-11-20 的日报表"),
        "{}",
        stderr(&saturday)
    );
    let future = run(&dir, &["quality", "report", "--date", "2099-12-30"]);
    assert!(!future.status.success());
    assert!(stderr(&future).contains("才能制作"), "{}", stderr(&future));
    let _ = std::fs::remove_dir_all(dir);
}
