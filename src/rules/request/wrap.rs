//! Claude Code's wrapping of a long line, undone exactly (issue 24, rev3):
//! whether the segments a screen shows are one line of text as the CLI
//! 2.1.197 wraps it at a given width — words that do not fit go to the next
//! line (the blank they were split at is dropped), a word longer than the
//! line is cut where the line is full. A break anywhere else (a short line,
//! a new line in the text) is not a wrap: it does not match. Pure.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns of `s` on screen.
pub fn cols(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `line` with its tabs expanded to the screen's tab stops (every 8
/// columns), the line starting at column `start`: what tmux shows.
pub fn expand_tabs(line: &str, start: usize) -> String {
    let mut out = String::with_capacity(line.len());
    let mut col = start;
    for c in line.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += c.width().unwrap_or(0);
        }
    }
    out
}

/// Whether `segs` (the screen's lines of one logical line, without their
/// indentation; trailing blanks are not on a captured screen) are exactly
/// `text` wrapped at `width` columns: joined back, nothing more, nothing
/// less.
pub fn wraps(segs: &[&str], text: &str, width: usize) -> bool {
    let Some((first, more)) = segs.split_first() else {
        return false;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut prev = *first;
    for seg in more {
        if seg.is_empty() {
            return false;
        }
        let blank = rest.len() - rest.trim_start_matches(' ').len();
        if blank == 0 {
            // Cut inside a word: only where the line was full (a wide
            // character that does not fit leaves one column).
            if cols(prev) + 1 < width {
                return false;
            }
            let Some(r) = rest.strip_prefix(seg) else {
                return false;
            };
            rest = r;
        } else {
            // At a space: only when the next word did not fit.
            let word = rest[blank..].split(' ').next().unwrap_or("");
            if word.is_empty() || cols(prev.trim_end_matches(' ')) + 1 + cols(word) <= width {
                return false;
            }
            // The spaces at the break are dropped (some may stay at the
            // start of the next line): spaces are one byte each.
            let Some(r) = (0..=blank).rev().find_map(|k| rest[k..].strip_prefix(seg)) else {
                return false;
            };
            rest = r;
        }
        prev = seg;
    }
    rest.trim_end_matches(' ').is_empty()
}

/// How many of `lines` (from the first) draw `text` wrapped at `width`,
/// each starting with `indent` (stripped); `None` when no count does.
/// An empty line of text is one blank line.
pub fn drawn(lines: &[&str], indent: &str, text: &str, width: usize) -> Option<usize> {
    if text.trim_matches(' ').is_empty() {
        return lines
            .first()
            .filter(|l| l.trim_matches(' ').is_empty() && text.trim_matches(' ').is_empty())
            .map(|_| 1);
    }
    let mut segs = Vec::new();
    for line in lines {
        let seg = line.strip_prefix(indent)?.trim_end_matches(' ');
        if seg.is_empty() {
            return None;
        }
        segs.push(seg);
        if wraps(&segs, text, width) {
            return Some(segs.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrap_joins_back_to_exactly_the_line() {
        // As the real CLI drew it at 80 columns (74 for the text).
        let text = format!("echo {}", "v ".repeat(50));
        let a = format!("echo {}v", "v ".repeat(34));
        let b = format!("{}v", "v ".repeat(14));
        assert!(wraps(&[&a, &b], text.trim_end(), 74));
        // A break where the next word would have fit is a new line.
        assert!(!wraps(&["echo a", "b"], "echo a b", 74));
        assert!(!wraps(&["echo a"], "echo a b", 74));
        assert!(!wraps(&["echo a b", "c"], "echo a b", 74));
        // A word longer than the line is cut where the line is full.
        let long = "x".repeat(100);
        assert!(wraps(&[&long[..74], &long[74..]], &long, 74));
        assert!(!wraps(&[&long[..50], &long[50..]], &long, 74));
        assert!(wraps(&["  indented"], "  indented", 74));
        assert!(!wraps(&["indented"], "  indented", 74));
    }

    #[test]
    fn lines_are_counted_and_tabs_expanded() {
        let lines = ["   echo one", "   echo two"];
        assert_eq!(drawn(&lines, "   ", "echo one", 74), Some(1));
        assert_eq!(drawn(&lines[1..], "   ", "echo one", 74), None);
        assert_eq!(drawn(&["", "   x"], "   ", "", 74), Some(1));
        assert_eq!(expand_tabs("rm -f\tx3", 3), "rm -f        x3");
    }
}
