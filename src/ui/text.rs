//! Text for a fixed number of terminal columns: cutting and padding by
//! display width, and counted nouns.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `1 blocker`, `2 blockers`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Cuts `s` to `width` columns, with `…` when cut, padded to `width`.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return format!("{s}{}", " ".repeat(width - s.width()));
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    w += 1;
    out + &" ".repeat(width.saturating_sub(w))
}
