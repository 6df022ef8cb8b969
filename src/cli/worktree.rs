//! `mdash worktree add ID`.

use std::path::Path;

pub fn add(root: &Path, id: &str, exclude: bool) -> i32 {
    let (cfg, _) = crate::live::config::load(root);
    match crate::live::git::add_worktree(root, id, cfg.base_branch.as_deref()) {
        Ok(path) => {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            println!(
                "created {} on branch feature/milestone-{id}",
                shown.display()
            );
            if !crate::live::git::worktrees_ignored(root) {
                if exclude {
                    match crate::live::git::exclude_worktrees(root) {
                        Ok(()) => println!("added /.worktrees/ to .git/info/exclude"),
                        Err(e) => eprintln!("mdash: cannot update .git/info/exclude: {e}"),
                    }
                } else {
                    println!(
                        "note: .worktrees/ is not ignored; `mdash worktree add --exclude ...` adds it to .git/info/exclude"
                    );
                }
            }
            0
        }
        Err(e) => {
            eprintln!("mdash: {e}");
            if e.starts_with("invalid id") {
                super::EXIT_USAGE
            } else {
                1
            }
        }
    }
}
