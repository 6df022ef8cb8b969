//! The detail pane's time section: the pace line (`pace 12.5 %/h · done
//! ~14:12, in 4h10m`) and the phase timeline, one row per phase on a shared
//! axis from the milestone's start to now (or its ETA). ASCII under
//! NO_COLOR.

use chrono::{DateTime, Utc};
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::model::{MilestoneView, Phase, Status};
use crate::rules::pace;
use crate::ui::theme::Theme;
use crate::util::time::{clock, span};

pub fn lines<'a>(app: &App, m: &MilestoneView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let now = app.snap.as_ref().map_or(app.now, |s| s.now.max(app.now));
    if let Some(p) = pace::shown(m) {
        out.push(Line::from(vec![
            Span::styled("Pace ", theme.dim()),
            Span::raw(format!(
                "{:.1} %/h · done ~{}, in {}",
                p.points_per_hour,
                clock(p.eta, now),
                span((p.eta - now).num_seconds())
            )),
        ]));
    }
    if m.stalled {
        let quiet = pace::last_activity(&m.milestone, events(app, m))
            .map(|t| format!(" for {}", span((now - t).num_seconds())))
            .unwrap_or_default();
        out.push(Line::from(Span::styled(
            format!("Stalled: nothing heard{quiet}"),
            theme.status(Status::Paused),
        )));
    }
    let evs = events(app, m);
    let spans = pace::phase_spans(&m.milestone, evs);
    let Some(t0) = pace::start(&m.milestone, evs)
        .into_iter()
        .chain(spans.iter().flatten().map(|(s, _)| *s))
        .min()
    else {
        return out;
    };
    let eta = pace::shown(m).map(|p| p.eta).filter(|e| *e > now);
    let t1 = eta.unwrap_or(now).max(t0 + chrono::Duration::minutes(1));
    // `  design  ` + bar + ` 10h32m+`.
    let bw = w.saturating_sub(10 + 8).clamp(8, 60);
    let col = |t: DateTime<Utc>| -> usize {
        let f = (t - t0).num_seconds() as f64 / (t1 - t0).num_seconds().max(1) as f64;
        ((f.clamp(0.0, 1.0) * bw as f64).round() as usize).min(bw)
    };
    let (done_c, open_c, empty_c, now_c) = if app.color {
        ('█', '▒', '·', '│')
    } else {
        ('#', '=', '.', '|')
    };
    let until = match eta {
        Some(e) => format!("ETA {}", clock(e, now)),
        None => format!("now {}", clock(now, now)),
    };
    out.push(Line::from(Span::styled(
        format!("Timeline {} → {until}", clock(t0, now)),
        theme.dim(),
    )));
    let now_col = eta.map(|_| col(now));
    for p in Phase::ALL {
        let Some((s, end)) = spans[p.index()] else {
            continue;
        };
        let (a, b) = (col(s), col(end.unwrap_or(now)).max(col(s) + 1).min(bw));
        let fill = if end.is_some() { done_c } else { open_c };
        let bar: String = (0..bw)
            .map(|i| {
                if (a..b).contains(&i) {
                    fill
                } else if Some(i) == now_col {
                    now_c
                } else {
                    empty_c
                }
            })
            .collect();
        let took = span((end.unwrap_or(now) - s).num_seconds());
        let open = if end.is_none() { "+" } else { "" };
        let style = if end.is_some() {
            theme.status(Status::Completed)
        } else {
            theme.status(Status::InProgress)
        };
        out.push(Line::from(vec![
            Span::raw(format!("  {:<8}", p.name())),
            Span::styled(bar, style),
            Span::raw(format!(" {took}{open}")),
        ]));
    }
    out
}

/// The selected milestone's events, once the log pane loaded them.
fn events<'a>(app: &'a App, m: &MilestoneView) -> &'a [crate::model::Event] {
    if app.log.id.as_deref() == Some(m.milestone.id.as_str()) {
        &app.log.events
    } else {
        &[]
    }
}
