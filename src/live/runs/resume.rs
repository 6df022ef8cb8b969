//! The Claude Code session a run goes on with (`claude --resume=<id>`),
//! and the rule for every command line mdash fills from workspace data: a
//! value never lands where an option can.
//!
//! The session is the `session_id` Claude Code gave `mdash hook`, kept in
//! mdash's private state directory beside the run's private record
//! (`bind`), never taken from the workspace: the milestone's log is
//! workspace data, and `--resume` takes an optional value, so a planted
//! `--mcp-config=…` or `--dangerously-skip-permissions` would otherwise
//! reach Claude Code as its own option. Only Claude Code's id shape, a
//! UUID, is kept or used, and it is passed as one word, `--resume=<id>`.

use std::path::Path;

/// Claude Code's session id shape: a UUID, `8-4-4-4-12` hex digits.
pub fn is_session_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Keeps `session` as the one milestone `id`'s runs resume (what `mdash
/// hook` saw); anything but a session id is ignored. Written only when it
/// changed: every hook event of every agent comes through here.
pub fn save(root: &Path, id: &str, session: &str) -> std::io::Result<()> {
    if !is_session_id(session) || load(root, id).as_deref() == Some(session) {
        return Ok(());
    }
    use std::os::unix::fs::DirBuilderExt;
    let path = super::bind::private_file(root, id, "session")
        .ok_or_else(|| std::io::Error::other("no state directory ($XDG_STATE_HOME or $HOME)"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    crate::live::write::replace_mode(
        &crate::live::write::Fence::new(dir),
        &path,
        format!("{session}\n").as_bytes(),
        0o600,
    )
}

/// The session milestone `id`'s hooks last named, as `mdash hook` kept it;
/// `None` when there is none or it is not a session id.
pub fn load(root: &Path, id: &str) -> Option<String> {
    let path = super::bind::private_file(root, id, "session")?;
    let text = super::bind::read_small(&path)?;
    let s = text.trim();
    is_session_id(s).then(|| s.to_string())
}

/// Why `argv`, filled in from `template`, would hand the program an option
/// the template did not write: a word that starts with `-` only because a
/// value put in (a milestone's title) does. `None` when there is none.
pub fn planted_option(template: &[String], argv: &[String]) -> Option<String> {
    template
        .iter()
        .zip(argv)
        .skip(1)
        .find(|(t, a)| a.starts_with('-') && !t.starts_with('-'))
        .map(|(t, a)| {
            format!(
                "the argument {} would reach the agent as {}, an option: a value filled in (a title) starts with '-'; not started",
                crate::util::text::escape(t),
                crate::util::text::escape(a)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_uuid_is_a_session_id() {
        assert!(is_session_id("3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b"));
        assert!(is_session_id("3F2A9C1E-0B4D-4E8F-9A7B-1C2D3E4F5A6B"));
        for bad in [
            "",
            "s1",
            "--dangerously-skip-permissions",
            "--permission-mode=bypassPermissions",
            "--mcp-config={\"mcpServers\":{}}",
            "-3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b",
            "3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b ",
            "3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6g",
            "3f2a9c1e0b4d4e8f9a7b1c2d3e4f5a6b",
        ] {
            assert!(!is_session_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_filled_in_value_never_becomes_an_option() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let template = t(&["agent", "--title={title}", "{title}", "{id}"]);
        assert_eq!(
            planted_option(&template, &t(&["agent", "--title=-x", "T", "2a"])),
            None
        );
        let why = planted_option(&template, &t(&["agent", "--title=x", "--yolo", "2a"]));
        assert!(why.is_some_and(|w| w.contains("--yolo")));
        // The program itself is the user's to name.
        assert_eq!(planted_option(&t(&["{x}"]), &t(&["-x"])), None);
    }
}
