//! Text for a fixed number of terminal columns: escaping what a terminal
//! would act on, cutting and padding by display width, and counted nouns.
//! The one place file text is made safe for a screen: the dashboard and
//! every human line of the command line go through `escape` (or `fit`,
//! which escapes first).

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Whether a terminal could act on `c` (C0 and C1 controls, DEL), or it
/// reorders or breaks the line (BiDi controls, line and paragraph
/// separators).
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// File text as one inert line: `\t`, `\n`, `\r`, `\e` and `\u{..}` in
/// place of anything a terminal would act on. Borrowed when nothing needs it.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `1 blocker`, `2 blockers`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Cuts `s` to `width` columns, with `…` when cut, padded to `width`;
/// escaped first, so a cut never leaves half a sequence behind.
pub fn fit(s: &str, width: usize) -> String {
    let s = &*escape(s);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_controls_visible() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\tb\nc"), "a\\tb\\nc");
        assert_eq!(escape("\u{1b}]0;x\u{7}"), "\\e]0;x\\u{7}");
        assert_eq!(escape("ab\u{202e}cd\u{9b}"), "ab\\u{202e}cd\\u{9b}");
        assert_eq!(fit("\u{1b}[31mred", 6), "\\e[31…");
    }
}
