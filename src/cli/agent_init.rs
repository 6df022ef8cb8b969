//! `mdash init --agent CLI`: the workspace's agent configuration for a
//! known coding-agent CLI. Claude Code is the one mdash knows (hooks,
//! states, tokens, resume: SPEC §8); the others are plain commands.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    Claude,
    Codex,
    Gemini,
    Aider,
    Opencode,
}

/// The `agent:` section for a preset.
pub fn config(p: Preset) -> &'static str {
    match p {
        Preset::Claude => {
            "# Claude Code, interactive in tmux; mdash passes it its hooks (--settings)\n\
             # and resumes a run whose process is gone as `claude --resume <session>`.\n\
             agent:\n  kind: claude\n  command: [claude, \"/milestone {id}\"]\n  backend: tmux\n"
        }
        Preset::Codex => {
            "agent:\n  command: [codex, \"Work on milestone {id}\"]\n  backend: tmux\n"
        }
        Preset::Gemini => {
            "agent:\n  command: [gemini, --prompt-interactive, \"Work on milestone {id}\"]\n  backend: tmux\n"
        }
        Preset::Aider => "agent:\n  command: [aider]\n  backend: tmux\n",
        Preset::Opencode => "agent:\n  command: [opencode]\n  backend: tmux\n",
    }
}

/// Writes `.milestones/config/mdash.yaml`; an existing file is never
/// replaced (the section to add is printed instead), unless it is still
/// the untouched sample `mdash init` wrote.
pub fn write(root: &Path, p: Preset) -> i32 {
    let file = root.join(crate::live::config::FILE);
    let text = config(p);
    let sample = crate::cli::init::SAMPLE.as_bytes();
    if let Ok(true) = crate::live::write::replace_if_unchanged(&file, sample, text.as_bytes()) {
        println!("wrote {}", file.display());
        println!("approve its command with `mdash trust` before the first run");
        return 0;
    }
    match crate::live::write::create_new(&file, text.as_bytes()) {
        Ok(()) => {
            println!("wrote {}", file.display());
            println!("approve its command with `mdash trust` before the first run");
            0
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "mdash: {} exists; not replaced. Add this to it:\n{text}",
                file.display()
            );
            1
        }
        Err(e) => {
            eprintln!("mdash: cannot write {}: {e}", file.display());
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claude_preset_is_claude_code() {
        let d = tempfile::tempdir().expect("tmp");
        crate::cli::init::init(d.path());
        assert_eq!(write(d.path(), Preset::Claude), 0);
        let agent = crate::live::config::agent::load(d.path());
        assert!(agent.claude);
        assert_eq!(agent.command, ["claude", "/milestone {id}"]);
        assert_eq!(agent.backend, crate::model::Backend::Tmux);
        assert_eq!(write(d.path(), Preset::Claude), 1, "never replaced");
    }
}
