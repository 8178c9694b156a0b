//! `kefu backup`, `kefu backup --verify` and `kefu restore` as an operator runs them: what
//! they print (size and time), and how they refuse.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kefu-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("KEFU_DATABASE_URL")
        .env_remove("KEFU_CONFIG")
        .output()
        .expect("run kefu")
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_operator_backs_up_checks_and_restores_from_the_command_line() {
    let work = temp_dir("backup");
    let (a, b) = (work.join("a"), work.join("b"));
    let file = work.join("kefu-backup.zip");
    let file_arg = file.to_str().unwrap();

    let add = run(&a, &["user", "add", "li.ming", "--role", "agent"]);
    assert!(add.status.success(), "{}", out(&add));

    let made = run(&a, &["backup", file_arg]);
    assert!(made.status.success(), "{}", out(&made));
    let said = out(&made);
    assert!(
        said.contains("备份已写入") && said.contains(" 秒"),
        "{said}"
    );
    assert!(
        said.contains("sqlite") && said.contains("SHA-256"),
        "{said}"
    );

    let again = run(&a, &["backup", file_arg]);
    assert!(!again.status.success());
    assert!(out(&again).contains("已存在"), "{}", out(&again));

    let checked = run(&a, &["backup", "--verify", file_arg]);
    assert!(checked.status.success(), "{}", out(&checked));
    assert!(out(&checked).contains("完好"), "{}", out(&checked));

    let cut = work.join("cut.zip");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let refused = run(&a, &["backup", "--verify", cut.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        out(&refused).contains("不是完整的 kefu 备份"),
        "{}",
        out(&refused)
    );

    let restored = run(&b, &["restore", file_arg]);
    assert!(restored.status.success(), "{}", out(&restored));
    let said = out(&restored);
    assert!(said.contains("恢复到 sqlite 数据库"), "{said}");
    assert!(said.contains("搜索索引已重建"), "{said}");
    assert!(
        b.join("search.restore").exists(),
        "the restore is noted beside the index"
    );
    let list = run(&b, &["user", "list"]);
    assert!(out(&list).contains("li.ming"), "{}", out(&list));

    let twice = run(&b, &["restore", file_arg]);
    assert!(!twice.status.success());
    let said = out(&twice);
    assert!(
        said.contains("不是空的") && said.contains("--force"),
        "{said}"
    );

    let forced = run(&b, &["restore", "--force", file_arg]);
    assert!(forced.status.success(), "{}", out(&forced));
    assert!(out(&forced).contains("--force 替换"), "{}", out(&forced));

    let _ = std::fs::remove_dir_all(&work);
}
