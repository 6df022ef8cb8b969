//! Past one workspace (SPEC §13–14): the stream's lines (`wire`), the
//! fleet's file (`config`), and the sources of snapshots of remote
//! workspaces (`ssh`, `stream`, `host`).

pub mod action;
pub mod config;
pub mod host;
pub mod ssh;
pub mod stream;
pub mod view;
pub mod wire;

/// A debug build's override of a timer, in milliseconds, from `var` (tests
/// do not wait out 30 s pings or 45 s staleness); release builds ignore it.
pub fn debug_ms(var: &str) -> Option<std::time::Duration> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let ms: u64 = std::env::var(var).ok()?.trim().parse().ok()?;
    Some(std::time::Duration::from_millis(ms))
}
