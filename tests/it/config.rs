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
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README");
    let start = readme.find(sample::README_BEGIN).expect("README has the generated table's begin marker");
    let end = readme[start..].find(sample::README_END).expect("end marker") + start;
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
