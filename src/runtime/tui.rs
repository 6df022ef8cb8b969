//! The terminal: raw mode and the alternate screen, always given back — on
//! drop, on panic, on signals, and around a suspend.

use std::io::{self, Stdout, Write};
use std::sync::Mutex;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Owns the terminal while the dashboard runs; restores it when dropped.
///
/// ratatui's own drop prints to stderr with `eprintln!` when it cannot show
/// the cursor, and `eprintln!` panics when stderr is a terminal that hung up
/// (tmux pane killed). `restore` already shows the cursor, so the inner
/// terminal is never dropped.
pub struct Tui {
    pub term: std::mem::ManuallyDrop<Term>,
}

impl Tui {
    pub fn enter() -> io::Result<Tui> {
        enable_raw_mode()?;
        let mut out = io::stdout();
        if let Err(e) = execute!(
            out,
            EnterAlternateScreen,
            EnableMouseCapture,
            crossterm::cursor::Hide
        ) {
            restore();
            return Err(e);
        }
        let term = Terminal::new(CrosstermBackend::new(out)).inspect_err(|_| restore())?;
        Ok(Tui {
            term: std::mem::ManuallyDrop::new(term),
        })
    }

    /// Gives the terminal to `cmd` (`tmux attach`) until it exits, then takes
    /// it back and repaints everything.
    pub fn run_outside(&mut self, mut cmd: std::process::Command) -> io::Result<()> {
        self.away(|| cmd.status().map(drop))
    }

    /// Gives the terminal back, stops the process until `fg`, then takes the
    /// terminal again and repaints everything.
    pub fn suspend(&mut self) -> io::Result<()> {
        self.away(|| {
            // Stopped until `fg` (SIGCONT); a failure to stop only skips the wait.
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::STOP,
            );
            Ok(())
        })
    }

    /// Restores the terminal, runs `f` with it, then takes it again and
    /// repaints everything; `f`'s own error comes last.
    fn away(&mut self, f: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        restore();
        let done = f();
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            crossterm::cursor::Hide
        )?;
        // Not `Terminal::clear`: it asks the terminal for the cursor
        // position, and the event reader swallows the answer (the query
        // then times out and the dashboard ended). A resize to the current
        // size clears the screen and the back buffer without asking.
        let size = self.term.size()?;
        self.term
            .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
        done
    }

    /// The terminal bell and, when asked, a desktop notification (OSC 777).
    pub fn bell(&mut self, osc_text: Option<&str>) {
        let out = self.term.backend_mut();
        let _ = out.write_all(b"\x07");
        if let Some(t) = osc_text {
            let clean: String = t.chars().filter(|c| !c.is_control() && *c != ';').collect();
            let _ = write!(out, "\x1b]777;notify;mdash;{clean}\x07");
        }
        let _ = out.flush();
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode and the alternate screen. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// False once the controlling terminal hung up: tcgetattr then fails with
/// EIO. Output that is not a terminal at all counts as alive.
pub fn terminal_alive() -> bool {
    use std::io::IsTerminal;
    let err = io::stderr();
    if err.is_terminal() {
        return true;
    }
    !matches!(rustix::termios::tcgetattr(&err), Err(e) if e == rustix::io::Errno::IO)
}

/// The last panic of a worker thread, for the dashboard to report in words.
pub static WORKER_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Restores the terminal before the panic report of the UI thread prints.
/// A worker's panic is recorded instead of printed over the dashboard; the
/// dashboard reports it and carries on.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            restore();
            // A report to a hung-up terminal would only fail (and slowly:
            // it symbolizes a backtrace first).
            if terminal_alive() {
                previous(info);
            }
        } else if let Ok(mut slot) = WORKER_PANIC.lock() {
            *slot = Some(info.to_string());
        }
    }));
}
