//! Text for a fixed number of terminal columns: escaping what a terminal
//! would act on, cutting and padding by display width, and counted nouns.
//! The one place file text is made safe for a screen: the dashboard and
//! every human line of the command line go through `escape` (or `fit`,
//! which escapes first).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub use crate::util::text::{escape, plural, unsafe_char, wrap};

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

/// Text with its control characters dropped (tabs kept): output of a child
/// process, shown in a cell grid it must not drive.
pub fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_escapes_before_cutting() {
        assert_eq!(fit("\u{1b}[31mred", 6), "\\e[31…");
    }
}
