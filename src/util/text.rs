//! File text made safe for a terminal line: the one escaping function that
//! the dashboard and every human line of the command line share, and word
//! wrapping by display width.

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

/// Whether `c` shows as blank or as nothing although it is not a plain
/// space: no-break and typographic spaces (U+00A0, U+2000–U+200A, U+202F,
/// U+205F, U+3000), the Braille blank U+2800, the Hangul fillers,
/// zero-width and format characters (U+200B–U+200F, U+2060–U+206F,
/// U+FEFF, the soft hyphen, the Mongolian vowel separator), variation
/// selectors and tags, and every BiDi control. What a person approves
/// must show them as escapes: a run of them pads text out of view.
/// Also every character of no width (combining marks, the format
/// characters of other scripts such as U+070F, U+08E2, U+FFF0–U+FFF8:
/// text that takes no column is never seen), the format characters that
/// take one but draw nothing (U+0600–U+0605, U+06DD, U+110BD, U+110CD,
/// the Egyptian hieroglyph format controls), and the private use areas,
/// which most fonts draw as nothing.
pub fn hidden_char(c: char) -> bool {
    (c.is_whitespace() && c != ' ')
        || unsafe_char(c)
        || c.width() == Some(0)
        || matches!(
            c,
            '\u{00A0}'
                | '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{2000}'..='\u{200F}'
                | '\u{2028}'..='\u{202F}'
                | '\u{205F}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3000}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
                | '\u{0600}'..='\u{0605}'
                | '\u{06DD}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1345F}'
                | '\u{E000}'..='\u{F8FF}'
                | '\u{F0000}'..='\u{10FFFF}'
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

/// `escape`, and every `hidden_char` written as `\u{..}` too: text a
/// person approves, where nothing may pass for blank or for nothing.
pub fn reveal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hidden_char(c) && !unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    escape(&out).into_owned()
}

/// `1 blocker`, `2 blockers`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` in lines of at most `width` columns, broken at spaces where it
/// can be (a word longer than a line is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for word in text.split(' ') {
        let ww = word.width();
        if w > 0 && w + 1 + ww > width {
            lines.push(std::mem::take(&mut line));
            w = 0;
        }
        if w > 0 {
            line.push(' ');
            w += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if w + cw > width {
                lines.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(c);
            w += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
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
    }

    #[test]
    fn blank_and_invisible_characters_are_hidden() {
        for c in [
            '\u{a0}',
            '\u{2000}',
            '\u{200a}',
            '\u{3000}',
            '\u{2800}',
            '\u{3164}',
            '\u{115f}',
            '\u{ffa0}',
            '\u{200b}',
            '\u{2060}',
            '\u{feff}',
            '\u{202e}',
            '\u{2066}',
            '\u{e0041}',
            // Missed before: no width, or a format character drawing nothing.
            '\u{70f}',
            '\u{890}',
            '\u{8e2}',
            '\u{fff0}',
            '\u{16fe4}',
            '\u{301}',
            '\u{600}',
            '\u{6dd}',
            '\u{110bd}',
            '\u{13430}',
            '\u{e000}',
            '\u{f0000}',
        ] {
            assert!(hidden_char(c), "{:x}", c as u32);
        }
        for c in [' ', 'a', 'é', '日', '❯'] {
            assert!(!hidden_char(c), "{c}");
        }
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("start 2a? (y/n)", 10), ["start 2a?", "(y/n)"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
