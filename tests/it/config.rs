//! The config schema end to end: the real binary on real files: no value
//! panics, `check` reports each problem once at its line, `mdash config`
//! says where each value came from, the fence keeps a symlinked config out,
//! `init` writes the schema's commented file, and the README's table is the
//! schema's.

use std::path::Path;
use std::process::Command;

use milestone_dash::live::config::{self, sample, schema};

fn mdash(dir: &Path, home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mdash"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", home.join("cfg"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("HOME", home)
        .env_remove("MDASH_LOG")
        .env_remove("TMUX")
        .output()
        .expect("run mdash");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A workspace with one milestone in progress and a task started long ago
/// (so the long-task and stall rules do arithmetic with the settings).
fn workspace(cfg: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    let ms = d.path().join(".milestones");
    for sub in ["active", "config", "logs"] {
        std::fs::create_dir_all(ms.join(sub)).expect("mkdir");
    }
    std::fs::write(
        ms.join("active/1a.yaml"),
        "id: 1a\ntitle: One\nstatus: in_progress\nupdated_at: 2020-01-01T00:00:00Z\ntasks:\n  - id: t1\n    status: in_progress\n    started_at: 2020-01-01T00:00:00Z\n",
    )
    .expect("write");
    std::fs::write(ms.join("config/mdash.yaml"), cfg).expect("write");
    d
}

#[test]
fn the_readme_table_is_the_schema() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let start = readme
        .find(sample::README_BEGIN)
        .expect("README has the generated table's begin marker");
    let end = readme[start..]
        .find(sample::README_END)
        .expect("end marker")
        + start;
    let section = &readme[start..end + sample::README_END.len() + 1];
    let want = sample::readme_section();
    if section != want {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-config.md");
        std::fs::write(&out, &want).expect("write the expected section");
        panic!(
            "README's config table differs from schema::KEYS; the expected section is in {}",
            out.display()
        );
    }
}

/// The values that crashed mdash, and more extreme ones: no exit 101
/// anywhere, and a `check` error for each, at its line, with the range.
#[test]
fn extreme_values_never_panic_and_each_is_a_check_error_with_its_range() {
    let cfg = "blockers:\n  long_task_minutes: 1000000000000000\n  stall_minutes: 1e300\ngit:\n  refresh_secs: 10000000000000000000\nnotify:\n  cooldown_secs: -5\nagent:\n  ended_after_minutes: 1e30\n  stop_grace_secs: 18446744073709551615\nlimits:\n  max_file_bytes: 0\n";
    let d = workspace(cfg);
    let home = tempfile::tempdir().expect("home");
    for args in [&["status"][..], &["status", "--json"], &["config"]] {
        let (code, _, err) = mdash(d.path(), home.path(), args);
        assert!(code == 0 || code == 1, "{args:?} exited {code}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let (code, out, err) = mdash(d.path(), home.path(), &["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    let f = ".milestones/config/mdash.yaml";
    for (line, key, range) in [
        (2, "blockers.long_task_minutes", "from 0 to"),
        (3, "blockers.stall_minutes", "from 0 to"),
        (5, "git.refresh_secs", "from 1 to 86400"),
        (7, "notify.cooldown_secs", "from 0 to 86400"),
        (9, "agent.ended_after_minutes", "from 1 to 10000"),
        (10, "agent.stop_grace_secs", "from 0 to 3600"),
        (12, "limits.max_file_bytes", "from 1 to"),
    ] {
        let hits: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with(f) && l.contains(key))
            .collect();
        assert_eq!(hits.len(), 1, "{key} once:\n{out}");
        assert!(
            hits[0].starts_with(&format!("{f}:{line}:3: error: {key} is "))
                && hits[0].contains(range),
            "{key}:\n{out}"
        );
    }
    // Beyond what YAML's integers hold: an error at its line, no panic.
    let d2 = workspace("agent:\n  max_concurrent: 99999999999999999999999\n");
    let (code, out2, err2) = mdash(d2.path(), home.path(), &["check"]);
    assert_eq!(code, 1, "{out2}{err2}");
    assert!(out2.starts_with(&format!("{f}:2:")), "{out2}");
    // The clamped values are what applies.
    let (_, out, _) = mdash(d.path(), home.path(), &["config"]);
    let row = |k: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(k))
            .unwrap_or_else(|| panic!("{k} missing:\n{out}"))
            .to_string()
    };
    assert!(row("git.refresh_secs").contains(" 86400 "), "{out}");
    assert!(
        row("git.refresh_secs").contains("(clamped from 10000000000000000000)"),
        "{out}"
    );
    assert!(row("notify.cooldown_secs").contains(" 0 "), "{out}");
}

/// `blockers.stall_minutes` (documented) is known, and `check` quotes
/// numbers as numbers and strings as strings, each problem once.
#[test]
fn check_knows_stall_minutes_reports_once_at_the_line_and_quotes_numbers_as_numbers() {
    let cfg = "# settings\nblockers:\n  stall_minutes: 30\nagent:\n  max_concurrent: 100\n  backend: screen\n  comand: [x]\ngit:\n  refresh_secs: soon\n";
    let d = workspace(cfg);
    let home = tempfile::tempdir().expect("home");
    let (_, out, err) = mdash(d.path(), home.path(), &["check"]);
    assert!(!out.contains("stall_minutes"), "{out}{err}");
    let f = ".milestones/config/mdash.yaml";
    let config_lines: Vec<&str> = out.lines().filter(|l| l.starts_with(f)).collect();
    assert_eq!(config_lines.len(), 4, "each problem once:\n{out}");
    assert!(
        config_lines.contains(&&*format!(
            "{f}:5:3: error: agent.max_concurrent is 100; allowed from 1 to 64, so 64 is used"
        )),
        "{out}"
    );
    assert!(
        config_lines
            .iter()
            .any(|l| l.starts_with(&format!("{f}:6:3: error: agent.backend is \"screen\""))),
        "{out}"
    );
    assert!(
        config_lines.iter().any(|l| l.starts_with(&format!(
            "{f}:7:3: warning: unknown key in agent: \"comand\""
        ))),
        "{out}"
    );
    assert!(
        config_lines
            .iter()
            .any(|l| l.starts_with(&format!("{f}:9:3: error: git.refresh_secs is \"soon\""))),
        "{out}"
    );
    assert!(!out.contains("\"100\""), "{out}");
}

/// `mdash config` lists every key of the schema with where its value came
/// from, and a rejected value is never said to come from its file.
#[test]
fn config_says_where_each_value_came_from() {
    let d = workspace("notify:\n  cooldown_secs: lots\nblockers:\n  stall_minutes: 45\n");
    let home = tempfile::tempdir().expect("home");
    let user = home.path().join("cfg/mdash");
    std::fs::create_dir_all(&user).expect("mkdir");
    std::fs::write(
        user.join("config.yaml"),
        "# mine\nagent:\n  max_concurrent: 5\n  kind: claude\nnotify:\n  cooldown_secs: 20\ngit:\n  refresh_secs: soon\n",
    )
    .expect("write");
    let (code, out, err) = mdash(d.path(), home.path(), &["config"]);
    assert_eq!(code, 0, "{err}");
    let row = |k: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(k))
            .unwrap_or_else(|| panic!("{k} missing:\n{out}"))
            .to_string()
    };
    for k in schema::KEYS.iter().filter(|k| k.name != "keys") {
        row(k.name);
    }
    let user_file = user.join("config.yaml").display().to_string();
    assert!(
        row("agent.max_concurrent").ends_with(&format!("# user {user_file}:3")),
        "{out}"
    );
    assert!(row("blockers.stall_minutes").contains(" 45 "), "{out}");
    assert!(
        row("blockers.stall_minutes").ends_with("# workspace .milestones/config/mdash.yaml:4"),
        "{out}"
    );
    // The workspace's cooldown is rejected: the user's 20 applies, and the
    // row says the workspace's value was rejected.
    let cd = row("notify.cooldown_secs");
    assert!(cd.contains(" 20 "), "{out}");
    assert!(
        cd.contains(&format!(
            "# user {user_file}:6 (rejected at .milestones/config/mdash.yaml:2"
        )),
        "{out}"
    );
    assert!(
        row("agent.ended_after_minutes").ends_with("# default"),
        "{out}"
    );
    assert!(row("checks.command").ends_with("# default"), "{out}");
    assert!(row("agent.kind").contains("claude"), "{out}");
    // The user's file is checked too, each problem once at its line; it is
    // not one of the workspace's errors in `status --json`.
    let (_, out, _) = mdash(d.path(), home.path(), &["check"]);
    let mine: Vec<&str> = out.lines().filter(|l| l.starts_with(&user_file)).collect();
    assert_eq!(
        mine,
        [format!(
            "{user_file}:8:3: error: git.refresh_secs is \"soon\"; expected a whole number from 1 to 86400"
        )],
        "{out}"
    );
    let (_, json, _) = mdash(d.path(), home.path(), &["status", "--json"]);
    assert!(!json.contains(&user_file), "{json}");
}

/// Issue 24 item 14: a workspace config symlinked out of the workspace is
/// not read, `checks.command` included, and `check` says why.
#[test]
fn a_config_symlinked_out_of_the_workspace_is_not_read_for_checks_either() {
    let d = workspace("");
    let outside = tempfile::tempdir().expect("outside");
    let target = outside.path().join("evil.yaml");
    std::fs::write(&target, "checks:\n  command: [touch, /tmp/mdash-pwned]\nagent:\n  command: [touch, /tmp/mdash-pwned]\n").expect("write");
    let link = d.path().join(".milestones/config/mdash.yaml");
    std::fs::remove_file(&link).expect("rm");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let checks = config::checks::load(d.path());
    assert!(
        !checks.from_workspace,
        "read through the symlink: {checks:?}"
    );
    assert!(
        !checks.command.iter().any(|a| a == "/tmp/mdash-pwned"),
        "{checks:?}"
    );
    let home = tempfile::tempdir().expect("home");
    let (_, out, _) = mdash(d.path(), home.path(), &["config"]);
    assert!(!out.contains("mdash-pwned"), "{out}");
    let (_, out, _) = mdash(d.path(), home.path(), &["check"]);
    assert!(out.contains("outside the workspace"), "{out}");
}

/// One reload reads the config files once (it read them five times).
#[test]
fn a_reload_reads_the_config_once() {
    let d = workspace("blockers:\n  stall_minutes: 30\nchecks:\n  command: [true]\n");
    let mut reader = milestone_dash::live::snapshot::Reader::new(d.path());
    let before = config::layers::reads_on_this_thread();
    let _ = reader.load(chrono::Utc::now());
    assert_eq!(config::layers::reads_on_this_thread() - before, 1);
    let before = config::layers::reads_on_this_thread();
    let _ = reader.load_changed(
        vec![d.path().join(".milestones/active/1a.yaml")],
        true,
        chrono::Utc::now(),
    );
    assert_eq!(config::layers::reads_on_this_thread() - before, 1);
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// Issue 29 item 11: `init` in a subdirectory of a repository makes the
/// workspace at the root, as every other command finds it; `init --agent
/// claude` keeps the commented sample and adds the agent section.
#[test]
fn init_uses_the_repository_root_and_keeps_the_sample_beside_the_agent() {
    let repo = tempfile::tempdir().expect("repo");
    git(repo.path(), &["init", "-q"]);
    let sub = repo.path().join("src/deep");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let home = tempfile::tempdir().expect("home");
    let (code, out, err) = mdash(&sub, home.path(), &["init", "--agent", "claude"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !sub.join(".milestones").exists(),
        "a second workspace in the subdirectory"
    );
    let file = repo.path().join(".milestones/config/mdash.yaml");
    let text = std::fs::read_to_string(&file).expect("the root's config");
    assert!(
        text.starts_with(&sample::sample()),
        "the sample is kept:\n{text}"
    );
    assert!(text.contains("\nagent:\n  kind: claude\n"), "{text}");
    let (_, check, _) = mdash(repo.path(), home.path(), &["check"]);
    assert!(!check.contains("mdash.yaml"), "{check}");
    let (_, shown, _) = mdash(&sub, home.path(), &["config"]);
    assert!(
        shown.lines().any(|l| l.starts_with("agent.kind")
            && l.contains("# workspace .milestones/config/mdash.yaml:")),
        "{shown}"
    );
    // Plain `init` writes the schema's commented file, which changes nothing.
    let plain = tempfile::tempdir().expect("plain");
    let (code, _, _) = mdash(plain.path(), home.path(), &["init"]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(plain.path().join(".milestones/config/mdash.yaml"))
        .expect("sample");
    assert_eq!(text, sample::sample());
}

/// Issue 25 item 7: `MDASH_LOG=debug` writes what mdash decided to its state
/// directory; unset, no file.
#[test]
fn mdash_log_debug_writes_decisions_to_the_state_directory() {
    let d = workspace("agent:\n  command: [echo, \"{id}\"]\n");
    let home = tempfile::tempdir().expect("home");
    let log = home.path().join("state/mdash/debug.log");
    let (_, _, _) = mdash(d.path(), home.path(), &["run", "start", "1a"]);
    assert!(!log.exists(), "written without MDASH_LOG");
    let out = Command::new(env!("CARGO_BIN_EXE_mdash"))
        .args(["run", "start", "1a"])
        .current_dir(d.path())
        .env("XDG_CONFIG_HOME", home.path().join("cfg"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("HOME", home.path())
        .env("MDASH_LOG", "debug")
        .env_remove("TMUX")
        .output()
        .expect("run");
    assert_ne!(
        out.status.code(),
        Some(0),
        "an untrusted command must not start"
    );
    let text = std::fs::read_to_string(&log).expect("the debug log");
    assert!(text.lines().any(|l| l.contains("start: mdash")), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("refused: 1a's agent command is not trusted")),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// `git.refresh_secs: 10000000000000000000` crashed the dashboard once a
/// worktree's git state arrived (the slow git timer overflowed the clock);
/// clamped, the dashboard keeps going and quits cleanly.
#[test]
fn the_dashboard_survives_a_huge_git_refresh() {
    use crate::common::pty::Pty;
    let d = workspace("git:\n  refresh_secs: 10000000000000000000\n");
    let r = d.path();
    git(r, &["init", "-q", "-b", "main"]);
    git(
        r,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "init",
        ],
    );
    git(
        r,
        &[
            "worktree",
            "add",
            "-q",
            ".worktrees/milestone-1a",
            "-b",
            "feature/milestone-1a",
        ],
    );
    let home = tempfile::tempdir().expect("home");
    let cfg = home.path().join("cfg");
    let state = home.path().join("state");
    let mut p = Pty::spawn_env(
        r,
        120,
        30,
        &[],
        &[("XDG_CONFIG_HOME", &cfg), ("XDG_STATE_HOME", &state)],
    );
    p.wait_for("the worktree's git state", |s| {
        s.contains("feature/milestone-1a")
    });
    // The loop is still alive after the git state set the slow timer.
    p.send(b"?");
    p.wait_for("help", |s| s.contains("Esc closes"));
    p.send(b"\x1b");
    // Esc and q apart: together they read as Alt-q.
    p.wait_for("help closed", |s| !s.contains("Esc closes"));
    p.send(b"q");
    let st = p.wait_exit();
    assert!(st.success(), "{st:?}\n{}", p.screen());
}
