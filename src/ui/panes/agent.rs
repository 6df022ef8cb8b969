//! The agent's lines of the detail pane: its state and since when, what
//! it waits for, its session and its tokens (SPEC §8).

use ratatui::text::{Line, Span};

use crate::app::App;
use crate::model::{AgentState, AgentView, LineKind, Status};
use crate::ui::text::{escape, fit, plural, wrap};
use crate::ui::theme::Theme;
use crate::util::time::age;

/// `12345` as `12,345`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn lines<'a>(app: &App, a: &AgentView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let since = crate::util::time::parse(&a.since)
        .map(|t| format!(" {}", age(t, app.now)))
        .unwrap_or_default();
    let style = match a.state {
        s if s.waits() => theme.waiting(s).1,
        AgentState::Working => theme.status(Status::InProgress),
        AgentState::Starting => theme.status(Status::Planned),
        _ => theme.dim(),
    };
    let mut head = vec![
        Span::styled("Agent ".to_string(), theme.dim()),
        Span::raw(format!("{} ", a.kind)),
        Span::styled(a.state.as_str().replace('_', " "), style),
        Span::styled(since, theme.dim()),
    ];
    if !a.hooked {
        head.push(Span::styled(" (from its transcript)", theme.dim()));
    }
    let mut out = vec![Line::from(head)];
    if let Some(d) = &a.detail {
        let why = match a.state {
            AgentState::WaitingPermission => "asks: ",
            AgentState::WaitingInput => "says: ",
            _ => "",
        };
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(why, theme.dim()),
            Span::styled(fit(d, w.saturating_sub(2 + why.len())), style),
        ]));
    }
    if a.state.waits() && a.pane.is_some() {
        let keys = if a.state == AgentState::WaitingPermission {
            "  y: allow · n: deny · a: go to its pane (back: tmux last-window)"
        } else {
            "  R: reply · a: go to its pane (back: tmux last-window)"
        };
        out.push(Line::from(Span::styled(fit(keys, w), theme.dim())));
    }
    if let Some(p) = app.preview.as_ref().filter(|p| {
        a.state == AgentState::WaitingPermission
            && app.selected.as_deref() == Some(p.id.as_str())
            && crate::app::update::shown(app, &p.id, a).is_some()
    }) {
        out.push(Line::from(Span::styled("Request".to_string(), theme.dim())));
        out.extend(request_lines(&p.lines, w, theme));
        if p.more > 0 {
            out.push(Line::from(Span::styled(
                fit(&format!("  … {} more", plural(p.more, "line")), w),
                theme.bold(),
            )));
        }
    }
    let t = a.tokens;
    let session = if a.session_id.is_empty() {
        "no session yet".to_string()
    } else {
        format!("session {}", a.session_id)
    };
    out.push(Line::from(Span::styled(
        fit(&format!("  {session}"), w),
        theme.dim(),
    )));
    // Whole, wrapped by the detail pane when narrow (never cut).
    out.push(Line::from(Span::raw(format!(
        "  tokens in {} · out {} · cache read {} · cache write {}",
        thousands(t.input),
        thousands(t.output),
        thousands(t.cache_read),
        thousands(t.cache_write)
    ))));
    out.extend(super::subagents::lines(a, w, theme));
    out
}

/// The request's lines, wrapped and never cut: the tail of a long line is
/// approved too (issue 24 item 9). A continuation starts under the text,
/// as wide as the line's mark, so that it fits its room exactly.
fn request_lines<'a>(lines: &[(LineKind, String)], w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for (kind, text) in lines {
        let (mark, style) = match kind {
            LineKind::Head => ("  ", theme.bold()),
            LineKind::Context => ("   ", theme.dim()),
            LineKind::Added => ("  +", theme.status(Status::Completed)),
            LineKind::Removed => ("  -", theme.status(Status::Blocked)),
        };
        let room = w.saturating_sub(mark.len()).max(1);
        let blank = " ".repeat(mark.len());
        for (i, piece) in wrap(&escape(text), room).into_iter().enumerate() {
            let lead = if i == 0 { mark } else { blank.as_str() };
            out.push(Line::from(Span::styled(
                fit(&format!("{lead}{piece}"), w),
                style,
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::LineKind;

    #[test]
    fn a_long_request_line_is_wrapped_whole_at_any_width() {
        let theme = crate::ui::theme::Theme::new(false);
        let cmd = "printf 'x' >> .milestones/active/2a.yaml && printf 'feature\\n' > feature.txt && git add -A && git commit -qm '2a: feature'";
        for kind in [
            LineKind::Head,
            LineKind::Context,
            LineKind::Added,
            LineKind::Removed,
        ] {
            for w in [20, 37, 58, 78, 118] {
                let got = super::request_lines(&[(kind, cmd.to_string())], w, &theme);
                let rows: Vec<String> = got.iter().map(|l| l.to_string()).collect();
                for r in &rows {
                    assert!(!r.contains('…'), "cut at {w}: {rows:?}");
                    assert!(
                        unicode_width::UnicodeWidthStr::width(r.as_str()) <= w,
                        "{rows:?}"
                    );
                }
                let mark = if kind == LineKind::Head { 2 } else { 3 };
                let joined: String = rows.iter().map(|r| &r[mark..]).collect::<Vec<_>>().join("");
                let squeezed = |s: &str| s.split_whitespace().collect::<String>();
                assert_eq!(squeezed(&joined), squeezed(cmd), "at {w}: {rows:?}");
            }
        }
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(6000), "6,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
