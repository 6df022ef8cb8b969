//! `mdash worktree add ID`.

use std::path::Path;

use crate::ui::text::escape;

pub fn add(root: &Path, id: &str, exclude: bool, force: bool) -> i32 {
    if !crate::model::valid_id(id) {
        eprintln!(
            "mdash: invalid id \"{}\": {}",
            escape(id),
            crate::model::ID_RULE
        );
        return super::EXIT_USAGE;
    }
    let path = root
        .join(crate::read::workspace::WORKTREES)
        .join(format!("milestone-{id}"));
    // `--exclude` on its own, for a worktree made earlier.
    if exclude && path.is_dir() {
        println!(
            "{} already exists",
            path.strip_prefix(root).unwrap_or(&path).display()
        );
        return exclude_now(root);
    }
    if !force {
        let snap = crate::live::snapshot::load(root, chrono::Utc::now());
        if !snap.milestones.iter().any(|m| m.milestone.id == id) {
            // `--exclude` works on its own, whatever happens to the worktree.
            if exclude {
                exclude_now(root);
            }
            eprintln!(
                "mdash: no milestone \"{id}\" in this workspace; `mdash new {id} --title ...` creates one, --force makes the worktree anyway"
            );
            return 1;
        }
    }
    let (cfg, _) = crate::live::config::load(root);
    match crate::live::git::add_worktree(root, id, cfg.base_branch.as_deref()) {
        Ok(path) => {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            println!(
                "created {} on branch feature/milestone-{id}",
                shown.display()
            );
            if exclude {
                return exclude_now(root);
            }
            if !crate::live::git::worktrees_ignored(root) {
                println!("{}", super::run::worktree_note(id));
            }
            0
        }
        Err(e) => {
            eprintln!("mdash: {}", escape(&e));
            1
        }
    }
}

/// Adds `/.worktrees/` to `.git/info/exclude` unless git ignores it already.
fn exclude_now(root: &Path) -> i32 {
    if crate::live::git::worktrees_ignored(root) {
        println!(".worktrees/ is ignored by git already");
        return 0;
    }
    match crate::live::git::exclude_worktrees(root) {
        Ok(()) => {
            println!("added /.worktrees/ to .git/info/exclude");
            0
        }
        Err(e) => {
            eprintln!("mdash: cannot update .git/info/exclude: {}", escape(&e));
            1
        }
    }
}
