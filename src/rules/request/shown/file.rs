//! A file dialog (Write, Edit, MultiEdit) as Claude Code 2.1.197 draws
//! it: its heading, the file's name relative to the agent's directory, then
//! between two `╌` rules the numbered lines of its diff (hunks apart by
//! `...`; a new file's lines without signs), long lines wrapped under their
//! sign. The changed lines must be exactly those the request makes of the
//! file on disk. Pure.

use super::super::wrap::wraps;
use super::super::{OnDisk, diff, target};
use super::{body, only_notes, quoted};
use crate::model::{LineKind, Request};

/// The path as the CLI names it: relative to the agent's directory.
fn relative(path: &str, cwd: &str) -> String {
    use std::path::{Component, Path};
    fn parts(p: &Path) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
                Component::ParentDir => {
                    out.pop();
                }
                _ => {}
            }
        }
        out
    }
    let (p, c) = (parts(&Path::new(cwd).join(path)), parts(Path::new(cwd)));
    let common = p.iter().zip(&c).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; c.len() - common];
    out.extend(p[common..].iter().map(String::as_str));
    out.join("/")
}

/// A numbered line of the dialog's diff: (the column its text starts at,
/// its kind, its text). The number is right-aligned in a gutter, then a
/// sign column (`+`, `-`, blank) unless it is a new file's line.
fn numbered(line: &str, signed: bool) -> Option<(usize, LineKind, &str)> {
    let t = line.trim_start_matches(' ');
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let after = &t[digits..];
    // An empty line's blanks are not on a captured screen.
    if after.is_empty() {
        let kind = if signed {
            LineKind::Context
        } else {
            LineKind::Added
        };
        return Some((line.len() + 1 + usize::from(signed), kind, ""));
    }
    let rest = after.strip_prefix(' ')?;
    let col = line.len() - rest.len();
    if signed && rest.is_empty() {
        return Some((col + 1, LineKind::Context, ""));
    }
    if !signed {
        return Some((col, LineKind::Added, rest));
    }
    let kind = match rest.chars().next()? {
        '+' => LineKind::Added,
        '-' => LineKind::Removed,
        ' ' => LineKind::Context,
        _ => return None,
    };
    Some((col + 1, kind, &rest[1..]))
}

/// The logical lines of the dialog's diff block (between its `╌` rules):
/// (kind, column of text, wrapped segments); `None` marks a `...` between
/// two hunks.
type Drawn<'a> = Vec<Option<(LineKind, usize, Vec<&'a str>)>>;

fn diff_block<'a>(lines: &[&'a str], signed: bool) -> Result<(Drawn<'a>, usize), String> {
    let dashes = |l: &str| l.trim().chars().count() >= 3 && l.trim().chars().all(|c| c == '╌');
    let open = lines
        .iter()
        .position(|l| dashes(l))
        .ok_or("the dialog has no diff block")?;
    let close = lines[open + 1..]
        .iter()
        .position(|l| dashes(l))
        .map(|k| open + 1 + k)
        .ok_or("the dialog's diff block is not closed (the dialog does not fit the pane?)")?;
    // Claude Code draws `…` there until it has computed the diff.
    if lines[open + 1..close].iter().all(|l| l.trim() == "…") {
        return Err("Claude Code is still drawing the diff (try again in a moment)".into());
    }
    let mut out: Drawn = Vec::new();
    let mut gutter = None;
    for line in &lines[open + 1..close] {
        if signed && line.trim() == "..." {
            out.push(None);
            gutter = None;
            continue;
        }
        let bad = || format!("the diff shows {}", quoted(line));
        // Every numbered line of a hunk has its text at one column (a
        // wrapped line's text that looks numbered is not).
        if let Some((col, kind, text)) =
            numbered(line, signed).filter(|(c, ..)| gutter.is_none_or(|g| g == *c))
        {
            gutter = Some(col);
            out.push(Some((kind, col, vec![text.trim_end_matches(' ')])));
            continue;
        }
        // A wrapped line: blanks, its sign again (a blank for context and
        // for a new file's lines), then its text at the same column.
        let Some(Some((kind, col, segs))) = out.last_mut() else {
            return Err(bad());
        };
        let sign = match kind {
            LineKind::Added if signed => "+",
            LineKind::Removed => "-",
            _ => " ",
        };
        let lead = if signed { *col - 1 } else { *col };
        let ok = line
            .get(..lead)
            .is_some_and(|l| l.trim_matches(' ').is_empty())
            && (!signed || line.get(lead..*col) == Some(sign));
        let text = line.get(*col..).unwrap_or_default().trim_end_matches(' ');
        if !ok || text.is_empty() {
            return Err(bad());
        }
        segs.push(text);
    }
    Ok((out, close))
}

/// The dialog's diff is the request's: every changed line of `want` (the
/// whole file's diff) in order, with the context the dialog shows.
fn same_diff(shown: &Drawn, want: &[(LineKind, String)], width: usize) -> Result<(), String> {
    let mut j = 0;
    for d in shown {
        let Some((kind, col, segs)) = d else { continue };
        let width = width.saturating_sub(*col);
        loop {
            let Some((k, text)) = want.get(j) else {
                return Err(format!("the dialog changes {} too", quoted(segs[0])));
            };
            j += 1;
            if k == kind && wraps(segs, text, width) {
                break;
            }
            if *k != LineKind::Context {
                return Err(format!(
                    "the dialog's diff is not the request's (it shows {}, the request {})",
                    quoted(segs[0]),
                    quoted(text)
                ));
            }
        }
    }
    match want[j..].iter().find(|(k, _)| *k != LineKind::Context) {
        Some((_, text)) => Err(format!(
            "the dialog does not show the change {}",
            quoted(text)
        )),
        None => Ok(()),
    }
}

/// The file after the request, from the file on disk.
fn edited(req: &Request, old: &str) -> Result<String, String> {
    let edits: Vec<&serde_json::Value> = match req.tool.as_str() {
        "MultiEdit" => req.input["edits"]
            .as_array()
            .into_iter()
            .flatten()
            .collect(),
        _ => vec![&req.input],
    };
    let mut text = old.to_string();
    for e in edits {
        let (from, to) = (
            e["old_string"].as_str().unwrap_or_default(),
            e["new_string"].as_str().unwrap_or_default(),
        );
        if from.is_empty() || !text.contains(from) {
            return Err("the edit's old text is not in the file on disk".into());
        }
        text = if e["replace_all"].as_bool() == Some(true) {
            text.replace(from, to)
        } else {
            text.replacen(from, to, 1)
        };
    }
    Ok(text)
}

pub(super) fn file(
    above: &[String],
    req: &Request,
    disk: &OnDisk,
    width: usize,
) -> Result<(), String> {
    let headings: &[&str] = match req.tool.as_str() {
        "Write" => &["Create file", "Overwrite file"],
        _ => &["Edit file"],
    };
    let (heading, lines) = body(above, headings)?;
    let path = target(req).ok_or("the request names no file")?;
    let name = relative(path, &req.cwd);
    let block = lines
        .iter()
        .position(|l| l.trim().starts_with('╌'))
        .unwrap_or(lines.len());
    let segs: Vec<&str> = lines[..block].iter().map(|l| l.trim()).collect();
    if !wraps(&segs, &name, width.saturating_sub(2)) {
        return Err(format!(
            "the dialog is for {}, not {}",
            quoted(&segs.join("")),
            quoted(&name)
        ));
    }
    let new_file = heading == "Create file";
    let (shown, close) = diff_block(&lines, !new_file)?;
    let unread = |why: &str| {
        format!(
            "{} could not be read to check the dialog's diff ({why})",
            quoted(&name)
        )
    };
    let want: Vec<(LineKind, String)> = match (req.tool.as_str(), disk) {
        ("Write", OnDisk::Text(_)) if new_file => {
            return Err(format!(
                "the dialog creates {}, which is on disk",
                quoted(&name)
            ));
        }
        ("Write", OnDisk::Missing) if !new_file => {
            return Err(format!(
                "the dialog overwrites {}, which is not on disk",
                quoted(&name)
            ));
        }
        ("Write", _) if new_file => {
            let content = req.input["content"].as_str().unwrap_or_default();
            content
                .lines()
                .map(|l| (LineKind::Added, super::super::clean(l)))
                .collect()
        }
        ("Write", OnDisk::Text(old)) => {
            diff(old, req.input["content"].as_str().unwrap_or_default())
        }
        (_, OnDisk::Text(old)) => diff(old, &edited(req, old)?),
        (_, OnDisk::Unread(why)) => return Err(unread(why)),
        (_, OnDisk::Missing) => return Err(unread("not on disk")),
    };
    if new_file && shown.len() != want.len() {
        return Err(format!(
            "the dialog's new file has {} lines, the request's {}",
            shown.len(),
            want.len()
        ));
    }
    same_diff(&shown, &want, width)?;
    only_notes(&lines[close + 1..], &[], "the diff")
}
