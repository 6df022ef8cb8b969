//! The stream's ends: the host's name for `hello`, one flushed line at a
//! time to stdout, and the threads that tell when stdin or stdout closes.

use tokio::sync::mpsc;

use super::Ev;

pub(super) fn host() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; the name is NUL-ended.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    if ok {
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    }
}

/// Writes one line and flushes it; false once stdout is closed.
pub(super) fn write_line(line: &str) -> bool {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush())
        .is_ok()
}

/// Sends `Quit` when stdin reaches its end, and when stdout's reader goes
/// away (a pipe's far end closed: `POLLERR`), each on a thread that sleeps
/// in the kernel until then.
pub(super) fn ends(tx: &mpsc::UnboundedSender<Ev>) {
    let t = tx.clone();
    let _ = std::thread::Builder::new()
        .name("mdash-stdin".into())
        .spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 4096];
            let mut stdin = std::io::stdin().lock();
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = t.send(Ev::Quit);
        });
    let t = tx.clone();
    let _ = std::thread::Builder::new()
        .name("mdash-stdout".into())
        .spawn(move || {
            let mut fd = libc::pollfd {
                fd: 1,
                events: 0,
                revents: 0,
            };
            loop {
                // SAFETY: one valid pollfd; no timeout.
                let n = unsafe { libc::poll(&mut fd, 1, -1) };
                if n < 0
                    && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
                {
                    continue;
                }
                if n > 0 && fd.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
                    let _ = t.send(Ev::Quit);
                }
                return;
            }
        });
}
