//! Drawing: `render(&App, &mut Frame)`. Pure: no disk, no clock.

pub mod bar;
pub mod panes;
pub mod text;
pub mod theme;
pub mod wrap;

use ratatui::Frame;

use crate::app::App;

pub fn render(app: &App, frame: &mut Frame) {
    crate::util::fault::point("render");
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let theme = theme::Theme::new(app.color);
    // First: what of a box question this frame shows is noted before the
    // status line below it says whether all of it has been seen.
    let boxed = crate::app::prompt::frame(app, area);
    let areas = crate::app::layout::compute(area, app);
    panes::header(app, &theme, frame, areas.header);
    if let Some(r) = areas.list {
        panes::milestones(app, &theme, frame, r);
    }
    if let Some(r) = areas.detail {
        panes::detail(app, &theme, frame, r);
    }
    if let Some(r) = areas.blockers {
        panes::blockers(app, &theme, frame, r);
    }
    if let Some(r) = areas.log {
        panes::log(app, &theme, frame, r);
    }
    panes::footer(app, &theme, frame, areas.footer);
    if let Some((g, from)) = &boxed {
        panes::prompt(&theme, frame, g, *from);
    }
    if app.attached.is_some() {
        let body = ratatui::layout::Rect {
            height: area.height.saturating_sub(areas.footer.height),
            ..area
        };
        panes::attached(app, &theme, frame, body);
    }
    if app.help {
        panes::help(app, &theme, frame, area);
    }
}
