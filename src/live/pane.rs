//! An agent's exact pane: the functions live in `live::tmux::pane` (the
//! one home of tmux commands); this name stays for their callers.

pub use crate::live::tmux::pane::*;
