//! The box a question of several lines is asked in (what an approval of a
//! workspace's agent or checks command covers): its rows, wrapped here
//! exactly as drawn, scrolled with ↑/↓ when the screen is too small, and
//! what frames have shown of it. `y` approves only once every row has been
//! on screen, at the size it is shown at (issue 24 item 8).

use std::cell::{Cell, RefCell};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ratatui::layout::Rect;

/// The box's rows as drawn and where it goes on a screen of `area`.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    /// Every row of the question, escaped and wrapped to the box's width.
    pub rows: Vec<String>,
    /// The box, borders included.
    pub rect: Rect,
    /// How many rows fit inside it.
    pub visible: usize,
}

impl Geometry {
    pub fn max_scroll(&self) -> usize {
        self.rows.len().saturating_sub(self.visible)
    }
}

/// Whether the question is asked in the box (several lines) rather than
/// in the status line.
pub fn boxed(question: &str) -> bool {
    question.contains('\n')
}

pub fn geometry(question: &str, area: Rect) -> Geometry {
    let width = area.width.saturating_sub(4).max(3).min(area.width);
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows: Vec<String> = question
        .lines()
        .flat_map(|l| crate::util::text::wrap(&crate::util::text::reveal(l), inner))
        .collect();
    // One row is left for the status line, which asks the question's end.
    let height = (rows.len() as u16 + 2)
        .min(area.height.saturating_sub(1))
        .max(3);
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height + 1) / 2,
        width,
        height: height.min(area.height),
    };
    // A screen too small for a row inside the borders shows none: nothing
    // of it counts as seen. One column is too few too: a wide character
    // (日) is a row of its own there that ratatui cannot draw.
    let visible = if rect.width < 4 {
        0
    } else {
        rect.height.saturating_sub(2) as usize
    };
    Geometry {
        visible,
        rows,
        rect,
    }
}

/// Identifies one question at one screen size: a new question, or the same
/// one re-wrapped, is shown from its top again.
pub fn key(question: &str, area: Rect) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    question.hash(&mut h);
    (area.width, area.height).hash(&mut h);
    h.finish()
}

/// How far the box is scrolled and how much of it has been drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The question (and size) `scroll` belongs to.
    scroll_key: u64,
    scroll: Cell<usize>,
    /// The question (and size) the last frame drew, and how many rows from
    /// the top frames have drawn without a gap.
    drawn_key: Cell<u64>,
    seen: Cell<usize>,
    /// The last question laid out, by key: a long one is escaped and
    /// wrapped once per size, not again for every frame and key.
    laid: RefCell<Option<(u64, Arc<Geometry>)>>,
}

impl View {
    /// `geometry` and `key` of `question` on a screen of `area`, computed
    /// once for each question and size.
    pub fn laid_out(&self, question: &str, area: Rect) -> (Arc<Geometry>, u64) {
        let k = key(question, area);
        if let Some((lk, g)) = &*self.laid.borrow()
            && *lk == k
        {
            return (g.clone(), k);
        }
        let g = Arc::new(geometry(question, area));
        *self.laid.borrow_mut() = Some((k, g.clone()));
        (g, k)
    }

    /// The first row shown for question `k` of geometry `g`: from the top
    /// when the last frame drew another question or size (what was seen
    /// there counts for nothing here, and nor does where it was scrolled).
    pub fn scroll(&self, k: u64, g: &Geometry) -> usize {
        if self.scroll_key == k && self.drawn_key.get() == k {
            self.scroll.get().min(g.max_scroll())
        } else {
            0
        }
    }

    /// A frame drew rows `from..from + g.visible` of question `k`.
    pub fn drawn(&self, k: u64, from: usize, g: &Geometry) {
        if self.drawn_key.get() != k {
            // Another question or size: seen anew, and from its top
            // (`from` is 0 then: `scroll` says so for a key not drawn last).
            self.drawn_key.set(k);
            self.seen.set(0);
            self.scroll.set(0);
        }
        if from <= self.seen.get() {
            let to = (from + g.visible).min(g.rows.len());
            self.seen.set(self.seen.get().max(to));
        }
    }

    /// Rows of question `k` drawn from the top without a gap.
    fn seen(&self, k: u64) -> usize {
        if self.drawn_key.get() == k {
            self.seen.get()
        } else {
            0
        }
    }

    /// Whether every row of question `k` has been on screen.
    pub fn whole(&self, k: u64, g: &Geometry) -> bool {
        self.seen(k) >= g.rows.len()
    }

    /// Scrolls by `by` rows (down when positive), never past the first row
    /// no frame has drawn yet: the rows are seen in order, none skipped.
    pub fn scroll_by(&mut self, k: u64, g: &Geometry, by: isize) {
        let now = self.scroll(k, g);
        let to = if by < 0 {
            now.saturating_sub(by.unsigned_abs())
        } else {
            (now + by as usize).min(g.max_scroll()).min(self.seen(k))
        };
        self.scroll_key = k;
        self.scroll.set(to);
    }
}

/// What this frame shows of the open box question, if any: its geometry
/// and first row, noted as drawn. Called by `ui::render` before anything
/// else, and only when nothing covers the box (help, the output view).
pub fn frame(app: &crate::app::App, area: Rect) -> Option<(Arc<Geometry>, usize)> {
    let (q, _) = app.confirm.as_ref().filter(|(q, _)| boxed(q))?;
    if app.help || app.attached.is_some() {
        return None;
    }
    let (g, k) = app.prompt.laid_out(q, area);
    let from = app.prompt.scroll(k, &g);
    app.prompt.drawn(k, from, &g);
    Some((g, from))
}

/// The status line under an open box question: its last line once all of
/// it has been on screen, else how to see the rest.
pub fn status(app: &crate::app::App, question: &str) -> String {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let (g, k) = app.prompt.laid_out(question, area);
    if app.prompt.whole(k, &g) {
        question.lines().last().unwrap_or_default().to_string()
    } else {
        let left = g
            .rows
            .len()
            .saturating_sub(app.prompt.scroll(k, &g) + g.visible);
        format!(
            "↓ shows the rest of the box ({left} more rows); y approves only once all of it was on screen · n cancels"
        )
    }
}

/// A key while a box question is open: scrolling keys scroll it, `y`
/// before every row was on screen is refused (the question stays open).
/// Returns whether the key was used up here.
pub fn key_in_box(app: &mut crate::app::App, code: crossterm::event::KeyCode) -> bool {
    use crossterm::event::KeyCode;
    let Some((q, _)) = app.confirm.as_ref().filter(|(q, _)| boxed(q)) else {
        return false;
    };
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let (g, k) = app.prompt.laid_out(q, area);
    let page = g.visible.saturating_sub(1).max(1) as isize;
    let by = match code {
        KeyCode::Down | KeyCode::Char('j') => 1,
        KeyCode::Up | KeyCode::Char('k') => -1,
        KeyCode::PageDown | KeyCode::Char(' ') => page,
        KeyCode::PageUp => -page,
        KeyCode::Char('y' | 'Y') if !app.prompt.whole(k, &g) => {
            // Nothing approved; the footer says how to see the rest.
            return true;
        }
        _ => return false,
    };
    app.prompt.scroll_by(k, &g, by);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_waits_until_every_row_was_drawn_in_order() {
        let q = (1..=30)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let area = Rect::new(0, 0, 40, 12);
        let g = geometry(&q, area);
        let k = key(&q, area);
        assert_eq!(g.rows.len(), 30);
        assert_eq!(g.visible, 9);
        let mut v = View::default();
        // Nothing drawn yet: no scrolling past it, not whole.
        v.scroll_by(k, &g, 5);
        assert_eq!(v.scroll(k, &g), 0);
        assert!(!v.whole(k, &g));
        while !v.whole(k, &g) {
            let from = v.scroll(k, &g);
            v.drawn(k, from, &g);
            v.scroll_by(k, &g, 100);
        }
        assert_eq!(v.scroll(k, &g), 21);
        // Another size is another wrapping: from the top again.
        let area2 = Rect::new(0, 0, 40, 13);
        let (g2, k2) = (geometry(&q, area2), key(&q, area2));
        assert!(!v.whole(k2, &g2));
        assert_eq!(v.scroll(k2, &g2), 0);
    }

    #[test]
    fn back_at_a_size_seen_before_the_box_starts_from_its_top() {
        let q = (1..=30)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let (a, b) = (Rect::new(0, 0, 40, 12), Rect::new(0, 0, 50, 12));
        let (ga, ka) = (geometry(&q, a), key(&q, a));
        let (gb, kb) = (geometry(&q, b), key(&q, b));
        let v = &mut View::default();
        let draw = |v: &View, g: &Geometry, k: u64| v.drawn(k, v.scroll(k, g), g);
        draw(v, &ga, ka);
        v.scroll_by(ka, &ga, 5);
        draw(v, &ga, ka);
        assert_eq!(v.scroll(ka, &ga), 5);
        // Resized, and back: what was seen at 40 columns is forgotten, so
        // the box is shown from its top, and ↓ moves on from there.
        draw(v, &gb, kb);
        assert_eq!(v.scroll(ka, &ga), 0);
        draw(v, &ga, ka);
        v.scroll_by(ka, &ga, 1);
        assert_eq!(v.scroll(ka, &ga), 1);
    }

    #[test]
    fn a_screen_without_room_for_a_row_shows_none() {
        let q = "a\nb (y/n)";
        for area in [Rect::new(0, 0, 80, 2), Rect::new(0, 0, 2, 24)] {
            let (g, k) = (geometry(q, area), key(q, area));
            let v = View::default();
            v.drawn(k, 0, &g);
            assert!(!v.whole(k, &g), "{area:?}");
        }
    }

    #[test]
    fn every_row_counted_as_seen_fits_inside_the_box() {
        use unicode_width::UnicodeWidthStr;
        let q = "checks: '日本語テキスト ok'\ntrust it? (y/n)";
        for w in 1..40 {
            let area = Rect::new(0, 0, w, 12);
            let g = geometry(q, area);
            let inner = g.rect.width.saturating_sub(2) as usize;
            assert!(
                g.visible == 0 || g.rows.iter().all(|r| r.width() <= inner),
                "width {w}: rows {:?} in {inner} columns",
                g.rows
            );
        }
    }

    #[test]
    fn a_question_is_laid_out_once_per_size() {
        let q = format!("checks: '{}'\nrun? (y/n)", "\u{a0}".repeat(100_000));
        let v = View::default();
        let (a, b) = (Rect::new(0, 0, 60, 20), Rect::new(0, 0, 61, 20));
        let (g1, k1) = v.laid_out(&q, a);
        let (g2, k2) = v.laid_out(&q, a);
        assert!(Arc::ptr_eq(&g1, &g2) && k1 == k2);
        assert_eq!(*g1, geometry(&q, a));
        let (g3, _) = v.laid_out(&q, b);
        assert!(!Arc::ptr_eq(&g1, &g3));
        assert_eq!(*g3, geometry(&q, b));
    }

    #[test]
    fn blank_padding_is_escaped_in_the_rows() {
        let q = format!("checks: 'a{}touch x'\nrun? (y/n)", "\u{a0}".repeat(3));
        let g = geometry(&q, Rect::new(0, 0, 80, 24));
        assert!(
            g.rows[0].contains("\\u{a0}\\u{a0}\\u{a0}touch"),
            "{:?}",
            g.rows
        );
    }
}
