//! Styled lines wrapped to a width with their continuation lines indented
//! (two columns past the line's own leading spaces), so that a long detail
//! line reads as one item and never starts again at the pane's edge.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Each line of `lines` that is wider than `w`, broken at spaces where it
/// can be (a word longer than the room left is cut), continued indented.
pub fn indented<'a>(lines: Vec<Line<'a>>, w: usize) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= w || w < 8 {
            out.push(line);
            continue;
        }
        let lead = line
            .spans
            .first()
            .map_or(0, |s| s.content.chars().take_while(|c| *c == ' ').count());
        let indent = (lead + 2).min(w / 2);
        let style = line.style;
        // The pieces of the current row, and its width.
        let mut row: Vec<Span<'a>> = Vec::new();
        let mut row_w = 0;
        for span in line.spans {
            let mut text = String::new();
            for ch in span.content.chars() {
                let cw = ch.width().unwrap_or(0);
                if row_w + cw > w && row_w > indent {
                    // Back to the last space of this piece, when it has one
                    // (none needed when the row ends at a space: every word
                    // of it fits).
                    let carry = match text.rfind(' ') {
                        _ if ch == ' ' => String::new(),
                        Some(i) if i > 0 => {
                            let rest = text[i + 1..].to_string();
                            text.truncate(i);
                            rest
                        }
                        _ => String::new(),
                    };
                    if !text.is_empty() {
                        row.push(Span::styled(std::mem::take(&mut text), span.style));
                    }
                    out.push(Line::from(std::mem::take(&mut row)).style(style));
                    row.push(Span::raw(" ".repeat(indent)));
                    row_w = indent + carry.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
                    text = carry;
                    if ch == ' ' {
                        continue;
                    }
                }
                text.push(ch);
                row_w += cw;
            }
            if !text.is_empty() {
                row.push(Span::styled(text, span.style));
            }
        }
        if !row.is_empty() {
            out.push(Line::from(row).style(style));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_row_ending_at_a_space_keeps_its_words_apart() {
        // "a worktree" ends exactly at the width; the space after it breaks.
        let l = Line::from("Merge not ready: a worktree on a branch, checks");
        let got = texts(&indented(vec![l], 26));
        assert_eq!(
            got,
            ["Merge not ready: a", "  worktree on a branch,", "  checks"],
            "{got:?}"
        );
        let l = Line::from("0123456789 abcdefghi klm");
        let got = texts(&indented(vec![l], 20));
        assert_eq!(got, ["0123456789 abcdefghi", "  klm"], "{got:?}");
    }

    #[test]
    fn continuation_lines_are_indented_and_fit() {
        let l = Line::from(vec![
            Span::raw("  tokens "),
            Span::raw("in 6,000 · out 350 · cache read 1,000 · cache write 150"),
        ]);
        let got = indented(vec![l, Line::from("short")], 24);
        for t in texts(&got) {
            assert!(
                unicode_width::UnicodeWidthStr::width(t.as_str()) <= 24,
                "{t:?}"
            );
        }
        let t = texts(&got);
        assert!(t[0].starts_with("  tokens in"), "{t:?}");
        assert!(
            t[1].starts_with("    ") && !t[1].starts_with("     "),
            "{t:?}"
        );
        assert_eq!(t.last().map(String::as_str), Some("short"));
        assert_eq!(
            t.join(" ").split_whitespace().collect::<Vec<_>>().join(" "),
            "tokens in 6,000 · out 350 · cache read 1,000 · cache write 150 short",
            "nothing lost"
        );
    }
}
