//! Keys to actions. One table gives the bindings, the help overlay and the
//! footer hints, so they cannot drift; the config can rebind any action.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    PageDown,
    PageUp,
    NextPane,
    PrevPane,
    Open,
    Filter,
    Back,
    ShowDetail,
    ShowBlockers,
    ShowLog,
    ToggleFollow,
    AddWorktree,
    StartRun,
    PauseRun,
    ResumeRun,
    StopRun,
    StartReady,
    Attach,
    RunChecks,
    ShowChecks,
    Merge,
    Allow,
    Deny,
    Reply,
    Queue,
    Help,
    Suspend,
    Quit,
}

impl Action {
    pub const ALL: [Action; 32] = [
        Action::MoveDown,
        Action::MoveUp,
        Action::Top,
        Action::Bottom,
        Action::PageDown,
        Action::PageUp,
        Action::NextPane,
        Action::PrevPane,
        Action::Open,
        Action::Filter,
        Action::Back,
        Action::ShowDetail,
        Action::ShowBlockers,
        Action::ShowLog,
        Action::ToggleFollow,
        Action::AddWorktree,
        Action::StartRun,
        Action::PauseRun,
        Action::ResumeRun,
        Action::StopRun,
        Action::StartReady,
        Action::Attach,
        Action::RunChecks,
        Action::ShowChecks,
        Action::Merge,
        Action::Allow,
        Action::Deny,
        Action::Reply,
        Action::Queue,
        Action::Help,
        Action::Suspend,
        Action::Quit,
    ];

    /// The name used in the config file's `keys:` section.
    pub fn name(self) -> &'static str {
        match self {
            Action::MoveDown => "move_down",
            Action::MoveUp => "move_up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Open => "open",
            Action::Filter => "filter",
            Action::Back => "back",
            Action::ShowDetail => "detail",
            Action::ShowBlockers => "blockers",
            Action::ShowLog => "log",
            Action::ToggleFollow => "follow",
            Action::AddWorktree => "worktree",
            Action::StartRun => "start",
            Action::PauseRun => "pause",
            Action::ResumeRun => "resume",
            Action::StopRun => "stop",
            Action::StartReady => "start_ready",
            Action::Attach => "attach",
            Action::RunChecks => "checks",
            Action::ShowChecks => "checks_output",
            Action::Merge => "merge",
            Action::Allow => "allow",
            Action::Deny => "deny",
            Action::Reply => "reply",
            Action::Queue => "needs_you",
            Action::Help => "help",
            Action::Suspend => "suspend",
            Action::Quit => "quit",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Action::MoveDown => "select the next row",
            Action::MoveUp => "select the previous row",
            Action::Top => "select the first row",
            Action::Bottom => "select the last row",
            Action::PageDown => "scroll a page down",
            Action::PageUp => "scroll a page up",
            Action::NextPane => "focus the next pane",
            Action::PrevPane => "focus the previous pane",
            Action::Open => {
                "open the detail, or jump to a blocker's milestone (an agent that waits: go to its pane)"
            }
            Action::Filter => "filter milestones by id, title or status",
            Action::Back => "clear the filter, close help, back to the list",
            Action::ShowDetail => "show the selected milestone's detail",
            Action::ShowBlockers => "show the blockers",
            Action::ShowLog => "show the selected milestone's event log",
            Action::ToggleFollow => "follow the log's newest events on or off",
            Action::AddWorktree => "create the selected milestone's git worktree",
            Action::StartRun => "start the agent on the selected milestone",
            Action::PauseRun => "pause its run (freezes the whole process group)",
            Action::ResumeRun => "resume its run",
            Action::StopRun => "stop its run (asks first)",
            Action::StartReady => {
                "start every ready milestone, keep slots filled (again: stop filling)"
            }
            Action::Attach => {
                "go to the agent's pane (back: tmux last-window, prefix l), or show the run's output"
            }
            Action::RunChecks => "run checks.command in the selected milestone's worktree",
            Action::ShowChecks => "show the last checks run's output",
            Action::Merge => "merge the selected milestone into the base (asks first)",
            Action::Allow => "allow the agent's request once (its screen is checked first)",
            Action::Deny => "deny the agent's request",
            Action::Reply => "reply to the agent that waits for input",
            Action::Queue => "show only the agents that need you, oldest first",
            Action::Help => "show or hide this help",
            Action::Suspend => "suspend to the shell (fg to return)",
            Action::Quit => "quit",
        }
    }

    /// The word shown in the footer, for the actions shown there.
    pub fn hint(self) -> Option<&'static str> {
        Some(match self {
            Action::MoveDown => "move",
            Action::NextPane => "pane",
            Action::Filter => "filter",
            Action::ShowBlockers => "blockers",
            Action::ShowLog => "log",
            Action::Help => "help",
            Action::Quit => "quit",
            _ => return None,
        })
    }
}

/// A key with its modifiers, as written in the config (`j`, `ctrl-c`,
/// `shift-tab`, `enter`, `pgdn`, `f5`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// Normalizes a terminal event: shifted letters arrive as uppercase
    /// chars, sometimes with SHIFT set and sometimes not.
    pub fn from_event(e: &KeyEvent) -> Key {
        let mut mods =
            e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(e.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Key { code: e.code, mods }
    }

    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        let (mods, rest) = match s
            .rsplit_once('-')
            .filter(|(m, k)| !m.is_empty() && !k.is_empty())
        {
            Some((m, k)) => (m, k),
            None => ("", s),
        };
        let mut key_mods = KeyModifiers::NONE;
        for m in mods.split('-').filter(|m| !m.is_empty()) {
            key_mods |= match m.to_ascii_lowercase().as_str() {
                "ctrl" | "c" => KeyModifiers::CONTROL,
                "alt" | "a" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => return None,
            };
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if key_mods.contains(KeyModifiers::SHIFT) => {
                key_mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        if matches!(code, KeyCode::Char(_)) {
            key_mods.remove(KeyModifiers::SHIFT);
        }
        Some(Key {
            code,
            mods: key_mods,
        })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Backspace => "Bksp".into(),
            other => format!("{other:?}"),
        };
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("M-");
        }
        s + &base
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<(Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::*;
        let p = Key::plain;
        let c = |ch| p(Char(ch));
        Keymap {
            bindings: vec![
                (c('j'), Action::MoveDown),
                (p(Down), Action::MoveDown),
                (c('k'), Action::MoveUp),
                (p(Up), Action::MoveUp),
                (c('g'), Action::Top),
                (p(Home), Action::Top),
                (c('G'), Action::Bottom),
                (p(End), Action::Bottom),
                (p(PageDown), Action::PageDown),
                (p(PageUp), Action::PageUp),
                (p(Tab), Action::NextPane),
                (p(BackTab), Action::PrevPane),
                (p(Enter), Action::Open),
                (c('/'), Action::Filter),
                (p(Esc), Action::Back),
                (c('d'), Action::ShowDetail),
                (c('b'), Action::ShowBlockers),
                (c('l'), Action::ShowLog),
                (c('f'), Action::ToggleFollow),
                (c('w'), Action::AddWorktree),
                (c('s'), Action::StartRun),
                (c('p'), Action::PauseRun),
                (c('r'), Action::ResumeRun),
                (c('x'), Action::StopRun),
                (c('S'), Action::StartReady),
                (c('a'), Action::Attach),
                (c('t'), Action::RunChecks),
                (c('T'), Action::ShowChecks),
                (c('M'), Action::Merge),
                (c('y'), Action::Allow),
                (c('n'), Action::Deny),
                (c('R'), Action::Reply),
                (c('!'), Action::Queue),
                (c('?'), Action::Help),
                (Key::ctrl('z'), Action::Suspend),
                (c('q'), Action::Quit),
                (Key::ctrl('c'), Action::Quit),
            ],
        }
    }
}

impl Keymap {
    pub fn action(&self, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    pub fn keys(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// `j/↓` for the help overlay.
    pub fn keys_label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The footer: `j/k move  Tab pane  / filter ...`.
    pub fn footer(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .iter()
            .filter_map(|&a| {
                let hint = a.hint()?;
                let keys = if a == Action::MoveDown {
                    let down = self.keys(Action::MoveDown).first().map(Key::label)?;
                    match self.keys(Action::MoveUp).first() {
                        Some(up) => format!("{down}/{}", up.label()),
                        None => down,
                    }
                } else {
                    self.keys(a).first().map(Key::label)?
                };
                Some((keys, hint))
            })
            .collect()
    }

    /// What is wrong with one `keys:` entry as written (nothing when it
    /// would apply), for `mdash check` and the status line.
    pub fn entry_problems(name: &str, keys: &[String]) -> Vec<String> {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        if !names.contains(&name) {
            return vec![crate::util::near::unknown("action in keys:", name, &names)];
        }
        keys.iter()
            .filter(|k| Key::parse(k).is_none())
            .map(|k| {
                format!("keys.{name}: cannot read key \"{k}\" (e.g. j, ctrl-c, shift-tab, f5)")
            })
            .collect()
    }

    /// `q` and `C-c` quit whatever a config says: a workspace file may not
    /// take leaving away.
    /// Help keeps a key too (`?`, when a config left it none).
    pub fn keep_quit(&mut self) {
        for k in [Key::plain(KeyCode::Char('q')), Key::ctrl('c')] {
            self.bindings.retain(|(b, _)| *b != k);
            self.bindings.push((k, Action::Quit));
        }
        if self.keys(Action::Help).is_empty() {
            let k = Key::plain(KeyCode::Char('?'));
            self.bindings.retain(|(b, _)| *b != k);
            self.bindings.push((k, Action::Help));
        }
    }

    /// Rebinds actions from the config's `keys:` mapping (action name to a
    /// key or a list of keys). Returns what could not be understood.
    pub fn apply(&mut self, overrides: &[(String, Vec<String>)]) -> Vec<String> {
        let mut errors = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = Action::ALL.iter().copied().find(|a| a.name() == name) else {
                errors.push(format!(
                    "keys.{name}: unknown action; expected one of {}",
                    names()
                ));
                continue;
            };
            let parsed: Vec<Key> = keys
                .iter()
                .filter_map(|k| {
                    let key = Key::parse(k);
                    if key.is_none() {
                        errors.push(format!(
                            "keys.{name}: cannot read key \"{k}\" (e.g. j, ctrl-c, shift-tab, f5)"
                        ));
                    }
                    key
                })
                .collect();
            if parsed.is_empty() {
                continue;
            }
            self.bindings
                .retain(|(k, a)| *a != action && !parsed.contains(k));
            self.bindings
                .extend(parsed.into_iter().map(|k| (k, action)));
        }
        errors
    }
}

fn names() -> String {
    Action::ALL
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keys() {
        assert_eq!(Key::parse("j"), Some(Key::plain(KeyCode::Char('j'))));
        assert_eq!(Key::parse("ctrl-c"), Some(Key::ctrl('c')));
        assert_eq!(Key::parse("shift-tab"), Some(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("F5"), Some(Key::plain(KeyCode::F(5))));
        assert_eq!(Key::parse("-"), Some(Key::plain(KeyCode::Char('-'))));
        assert_eq!(Key::parse("hyper-x"), None);
        assert_eq!(Key::parse("jj"), None);
    }

    #[test]
    fn every_action_has_a_key_and_description() {
        let km = Keymap::default();
        for a in Action::ALL {
            assert!(!km.keys(a).is_empty(), "{a:?}");
            assert!(!a.description().is_empty());
        }
        let footer: Vec<String> = km
            .footer()
            .into_iter()
            .map(|(k, h)| format!("{k} {h}"))
            .collect();
        assert_eq!(
            footer.join("  "),
            "j/k move  Tab pane  / filter  b blockers  l log  ? help  q quit"
        );
    }

    #[test]
    fn overrides_rebind_and_report() {
        let mut km = Keymap::default();
        let errs = km.apply(&[
            ("quit".into(), vec!["x".into()]),
            ("bogus".into(), vec!["y".into()]),
            ("help".into(), vec!["hyper-h".into()]),
        ]);
        assert_eq!(errs.len(), 2);
        assert_eq!(
            km.action(Key::plain(KeyCode::Char('x'))),
            Some(Action::Quit)
        );
        assert_eq!(km.action(Key::plain(KeyCode::Char('q'))), None);
        assert_eq!(
            km.action(Key::plain(KeyCode::Char('?'))),
            Some(Action::Help)
        );
    }
}
