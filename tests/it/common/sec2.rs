//! Helpers for `tests/security_more.rs`: a listing of everything under a
//! directory (to prove nothing outside the workspace changed) and a check
//! that command-line output holds no byte a terminal would act on.

use std::path::{Path, PathBuf};

/// Every path under `dir` (itself excluded), sorted, with each regular
/// file's bytes: equal listings mean nothing was created, removed or changed.
pub fn listing(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).expect("lstat");
            if meta.is_dir() {
                todo.push(p.clone());
                out.push((p, None));
            } else {
                let bytes = meta.is_file().then(|| std::fs::read(&p).expect("read"));
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

/// The first byte of `out` a terminal would act on (ESC, BEL, CSI, other
/// controls than the newline that ends a line), with its offset.
pub fn control_byte(out: &[u8]) -> Option<(usize, u8)> {
    let text = String::from_utf8_lossy(out);
    let mut at = 0;
    for c in text.chars() {
        if c != '\n' && (c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)) {
            return Some((at, c as u32 as u8));
        }
        at += c.len_utf8();
    }
    None
}

/// A directory outside the workspace whose name carries an OSC 0 (retitle)
/// sequence: a symlink to it puts the sequence into every "leads outside
/// the workspace (to …)" message.
pub fn hostile_dir(base: &Path) -> PathBuf {
    let d = base.join("out").join("e\u{1b}]0;PWNED\u{7}x");
    std::fs::create_dir_all(&d).expect("mkdir hostile dir");
    d
}
