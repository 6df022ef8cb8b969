//! mdash's own debug log: what it decided (reloads and why, watcher
//! fallbacks, commands run, refusals, reconnects). Off unless `MDASH_LOG`
//! asks for it; then `live::write::debug` installs the sink that appends to
//! a file in mdash's state directory. Any layer may call `util::log::decided!`: when
//! off it costs one relaxed atomic load and formats nothing.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

static ON: AtomicBool = AtomicBool::new(false);
static SINK: OnceLock<fn(&str)> = OnceLock::new();

/// Whether the debug log is on.
#[inline]
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Turns the log on with `sink` receiving each line (the first sink wins).
pub fn install(sink: fn(&str)) {
    if SINK.set(sink).is_ok() || SINK.get().is_some() {
        ON.store(true, Ordering::Relaxed);
    }
}

/// Sends one line to the sink; prefer `decided!`, which checks `on` first.
pub fn emit(args: std::fmt::Arguments<'_>) {
    if let Some(sink) = SINK.get() {
        sink(&args.to_string());
    }
}

/// `MDASH_LOG`'s value asks for the debug log.
pub fn wanted(value: Option<&std::ffi::OsStr>) -> bool {
    value.and_then(|v| v.to_str()).is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "debug" | "trace" | "1" | "on"
        )
    })
}

/// Logs one decision, `format!`-style, when `MDASH_LOG=debug`; nothing is
/// formatted otherwise: `crate::util::log::decided!("reload: {why}")`.
macro_rules! decided {
    ($($arg:tt)*) => {
        if $crate::util::log::on() {
            $crate::util::log::emit(format_args!($($arg)*));
        }
    };
}
pub(crate) use decided;

#[cfg(test)]
mod tests {
    #[test]
    fn off_it_formats_and_evaluates_nothing() {
        // No test turns the log on: only `cli::main` installs the sink.
        let mut calls = 0;
        let mut expensive = || {
            calls += 1;
            "x"
        };
        decided!("{}", expensive());
        assert_eq!(calls, 0);
        assert!(super::wanted(Some("debug".as_ref())));
        assert!(super::wanted(Some(" DEBUG ".as_ref())));
        assert!(!super::wanted(None));
        assert!(!super::wanted(Some("".as_ref())));
        assert!(!super::wanted(Some("warn".as_ref())));
    }
}
