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

/// Adds the preset's `agent:` section to `.milestones/config/mdash.yaml`:
/// to the untouched commented sample `mdash init` wrote (which stays, so
/// every other setting is still there to uncomment), or as a new file. A
/// file someone edited is never replaced: the section to add is printed.
pub fn write(root: &Path, p: Preset) -> i32 {
    let file = root.join(crate::live::config::FILE);
    let block = config(p);
    let sample = crate::live::config::sample::sample();
    let text = format!("{sample}\n{block}");
    let done = |verb: &str| {
        println!(
            "{verb} {} with the {} agent section; the other settings stay commented out",
            file.display(),
            name(p)
        );
        println!("approve its command with `mdash trust` before the first run");
        0
    };
    if let Ok(true) =
        crate::live::write::replace_if_unchanged(&file, sample.as_bytes(), text.as_bytes())
    {
        return done("updated");
    }
    match crate::live::write::create_new(&file, text.as_bytes()) {
        Ok(()) => done("wrote"),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "mdash: {} exists; not replaced. Add this to it:\n{block}",
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

fn name(p: Preset) -> &'static str {
    match p {
        Preset::Claude => "claude",
        Preset::Codex => "codex",
        Preset::Gemini => "gemini",
        Preset::Aider => "aider",
        Preset::Opencode => "opencode",
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
        // The commented sample is kept beside the agent section.
        let text = std::fs::read_to_string(d.path().join(crate::live::config::FILE)).expect("read");
        assert!(
            text.starts_with(&crate::live::config::sample::sample()),
            "{text}"
        );
        assert!(text.contains("\nagent:\n  kind: claude\n"), "{text}");
        let (problems, _) = crate::live::config::check::files(d.path());
        assert!(problems.is_empty(), "{problems:?}");
    }
}
