//! Whether the permission dialog on the agent's screen is exactly the
//! request the user approves (issue 24, rev3): not a dialog that merely
//! contains it. Read line by line as Claude Code 2.1.197 draws it (its
//! indentation, its wrapping of long lines at the pane's width):
//! - Bash: the lines under "Bash command" are the command's lines, then
//!   the description's, then only the CLI's own notes;
//! - Write/Edit/MultiEdit: the file named is the request's file (as the
//!   CLI names it: relative to the agent's directory), and the changed
//!   lines of its diff (a new file's lines) are exactly the ones the
//!   request makes of the file on disk, in order, with their context;
//! - WebFetch and MCP tools: the tool and every argument, exactly.
//!
//! Anything else, or anything unsure, is refused with the reason. Pure.

mod file;

use super::OnDisk;
use super::wrap::{drawn, expand_tabs};
use crate::model::Request;

/// A screen line in a reason: escaped, and short.
fn quoted(s: &str) -> String {
    let t = s.trim();
    let cut: String = t.chars().take(60).collect();
    let more = if cut.len() < t.len() { "…" } else { "" };
    format!("`{}{more}`", crate::util::text::escape(&cut))
}

/// The dialog's lines below its heading `heading` (which must be the
/// dialog's first line).
fn body<'a>(
    above: &'a [String],
    heading: &[&'static str],
) -> Result<(&'static str, Vec<&'a str>), String> {
    let mut lines = above
        .iter()
        .map(String::as_str)
        .skip_while(|l| l.trim().is_empty());
    let first = lines.next().unwrap_or_default().trim();
    match heading.iter().find(|h| **h == first) {
        Some(h) => Ok((h, lines.collect())),
        None => Err(format!(
            "the dialog is {} where {} was expected",
            quoted(first),
            heading
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// The Claude Code dialog's text column: 3 in, 3 from the right edge.
const INDENT: &str = "   ";

/// `lines[*at..]` start with `text`'s lines, each drawn wrapped.
fn paragraph(
    lines: &[&str],
    at: &mut usize,
    text: &str,
    width: usize,
    what: &str,
) -> Result<(), String> {
    // Every line, the last empty one too (the CLI draws it blank).
    for (k, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let want = expand_tabs(line, INDENT.len());
        let n = drawn(&lines[*at..], INDENT, &want, width).ok_or_else(|| {
            let got = lines.get(*at).copied().unwrap_or("(nothing)");
            format!(
                "{what} line {} is {} on screen, not {}",
                k + 1,
                quoted(got),
                quoted(line)
            )
        })?;
        *at += n;
    }
    Ok(())
}

/// Only blank lines and the CLI's own `notes` may follow.
fn only_notes(lines: &[&str], notes: &[&str], what: &str) -> Result<(), String> {
    match lines
        .iter()
        .find(|l| !l.trim().is_empty() && !notes.contains(&l.trim()))
    {
        Some(l) => Err(format!("the dialog shows {} after {what}", quoted(l))),
        None => Ok(()),
    }
}

fn bash(above: &[String], req: &Request, width: usize) -> Result<(), String> {
    let (_, lines) = body(above, &["Bash command"])?;
    let Some(cmd) = req.input["command"].as_str() else {
        return Err("the request has no command".into());
    };
    let mut at = 0;
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        at = 1;
    }
    paragraph(&lines, &mut at, cmd, width, "the command's")?;
    match req.input["description"]
        .as_str()
        .filter(|d| !d.trim().is_empty())
    {
        Some(d) => paragraph(&lines, &mut at, d, width, "the description's")?,
        // Without one the CLI says what it is.
        None if lines
            .get(at)
            .is_some_and(|l| l.trim() == "Run shell command") =>
        {
            at += 1
        }
        None => {}
    }
    only_notes(
        &lines[at..],
        &["This command requires approval"],
        "the command",
    )
}

/// A tool's input as the CLI prints it: `key: <JSON>, …`.
fn arguments(input: &serde_json::Value) -> String {
    match input.as_object() {
        Some(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => input.to_string(),
    }
}

fn fetch(above: &[String], req: &Request, width: usize) -> Result<(), String> {
    let (_, lines) = body(above, &["Fetch"])?;
    let mut at = usize::from(lines.first().is_some_and(|l| l.trim().is_empty()));
    paragraph(
        &lines,
        &mut at,
        &arguments(&req.input),
        width,
        "the fetch's",
    )?;
    if lines
        .get(at)
        .is_some_and(|l| l.trim().starts_with("Claude wants to fetch content from "))
    {
        at += 1;
    }
    only_notes(&lines[at..], &[], "the fetch")
}

/// An MCP tool (`mcp__server__tool`): `server - tool(arguments) (MCP)`, then
/// the tool's own description.
fn mcp(above: &[String], req: &Request, width: usize) -> Result<(), String> {
    let (server, tool) = req
        .tool
        .strip_prefix("mcp__")
        .and_then(|t| t.split_once("__"))
        .ok_or_else(|| format!("mdash cannot check a {} dialog", quoted(&req.tool)))?;
    let (_, lines) = body(above, &["Tool use"])?;
    let at = usize::from(lines.first().is_some_and(|l| l.trim().is_empty()));
    let call = format!("{server} - {tool}({})", arguments(&req.input));
    let rest = &lines[at..];
    [format!("{call} (MCP)"), call]
        .iter()
        .find(|c| drawn(rest, INDENT, c, width).is_some())
        .map(|_| ())
        .ok_or_else(|| {
            format!(
                "the dialog's tool call is {}, not {}",
                quoted(rest.first().copied().unwrap_or_default()),
                quoted(&format!("{server} - {tool}(…)"))
            )
        })
}

/// Whether the dialog above the menu (`above`, below the rule of a pane
/// `width` columns wide) shows exactly `req`, `disk` being the file it
/// writes as it is now.
pub fn check(above: &[String], width: usize, req: &Request, disk: &OnDisk) -> Result<(), String> {
    // Claude Code keeps 3 columns either side of the dialog's text; a
    // diff's lines go to the right edge.
    let text = width.saturating_sub(6);
    match req.tool.as_str() {
        "Bash" => bash(above, req, text),
        "Write" | "Edit" | "MultiEdit" => file::file(above, req, disk, width),
        "WebFetch" => fetch(above, req, text),
        t if t.starts_with("mcp__") => mcp(above, req, text),
        t => Err(format!(
            "mdash cannot check a {} dialog line by line",
            quoted(t)
        )),
    }
}

#[cfg(test)]
#[path = "shown_tests.rs"]
mod tests;
