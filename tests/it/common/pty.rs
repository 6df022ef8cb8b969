//! The real binary in a pseudo-terminal (portable-pty), its screen read by
//! a vt100 parser. Waits are for screen states, never fixed sleeps.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Pty {
    pub parser: vt100::Parser,
    pub rx: mpsc::Receiver<Vec<u8>>,
    pub writer: Box<dyn Write + Send>,
    pub master: Box<dyn portable_pty::MasterPty + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub raw: Vec<u8>,
}

pub fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("non-zero")
}

impl Pty {
    pub fn spawn(dir: &std::path::Path, cols: u16, rows: u16) -> Pty {
        Pty::spawn_with(dir, cols, rows, &[])
    }

    pub fn spawn_with(dir: &std::path::Path, cols: u16, rows: u16, args: &[&str]) -> Pty {
        Pty::spawn_env(dir, cols, rows, args, &[])
    }

    pub fn spawn_env(
        dir: &std::path::Path,
        cols: u16,
        rows: u16,
        args: &[&str],
        env: &[(&str, &std::path::Path)],
    ) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
        cmd.arg(dir);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Pty::spawn_cmd(cmd, cols, rows)
    }

    pub fn spawn_cmd(mut cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("TMUX");
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let writer = pair.master.take_writer().expect("writer");
        Pty {
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            rx,
            writer,
            master: pair.master,
            child,
            raw: Vec::new(),
        }
    }

    pub fn pump(&mut self, wait: Duration) {
        if let Ok(chunk) = self.rx.recv_timeout(wait) {
            self.parser.process(&chunk);
            self.raw.extend_from_slice(&chunk);
        }
        while let Ok(chunk) = self.rx.try_recv() {
            self.parser.process(&chunk);
            self.raw.extend_from_slice(&chunk);
        }
    }

    /// Reads output for all of `d`: for keys with nothing on screen to wait
    /// for (a 1×1 terminal), so that an Esc is not read with the next key
    /// as Alt+key.
    pub fn pump_for(&mut self, d: Duration) {
        let until = Instant::now() + d;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            self.pump(left.min(Duration::from_millis(20)));
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            self.pump(Duration::from_millis(50));
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {what}; screen:\n{s}"
            );
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write");
        self.writer.flush().expect("flush");
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        self.parser.set_size(nz(rows), nz(cols));
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        self.wait_exit_within(Duration::from_secs(2))
    }

    pub fn wait_exit_within(&mut self, limit: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            self.pump(Duration::from_millis(20));
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                self.pump(Duration::from_millis(100));
                return st;
            }
            assert!(
                start.elapsed() < limit,
                "mdash did not exit within {limit:?}; screen:\n{}",
                self.screen()
            );
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The alternate screen was left, with the sequence that leaves it.
pub fn restored(p: &Pty) -> bool {
    !p.parser.screen().alternate_screen() && p.raw.windows(8).any(|w| w == b"\x1b[?1049l")
}
