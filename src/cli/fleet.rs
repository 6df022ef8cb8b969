//! `mdash status --json --fleet` (SPEC §14): one §7 document per workspace
//! of `fleet.yaml`, local ones read here, remote ones through one
//! `ssh HOST mdash watch --json PATH…` per host (its first lines, then
//! closed).

use std::path::{Path, PathBuf};

use serde_json::{Value as J, json};

use crate::live::fleet::config::{self, Entry};
use crate::live::fleet::stream::{Conn, End, Event};

/// The fleet's file: `--fleet FILE`, else `fleet.yaml` in the user config
/// directory; its entries, or the message to print.
pub fn entries(file: Option<&Path>) -> Result<(PathBuf, Vec<Entry>), String> {
    let file = match file {
        Some(f) => f.to_path_buf(),
        None => {
            config::default_file().ok_or("no user config directory ($XDG_CONFIG_HOME or $HOME)")?
        }
    };
    let e = config::load(&file)?;
    Ok((file, e))
}

/// One workspace's line of the output.
fn line(e: &Entry, state: &str, doc: J, message: Option<String>) -> J {
    let mut v = json!({"name": e.name, "host": e.host, "state": state, "doc": doc});
    if let Some(m) = message {
        v["message"] = J::from(m);
    }
    v
}

/// The first document of each of a host's workspaces, or why not.
fn remote(host: &str, entries: &[Entry]) -> Vec<J> {
    let mut got: Vec<Option<J>> = vec![None; entries.len()];
    let lost = |why: String| -> Vec<J> {
        entries
            .iter()
            .map(|e| {
                line(
                    e,
                    "unreachable",
                    J::Null,
                    Some(crate::live::fleet::ssh::advice(host, &why)),
                )
            })
            .collect()
    };
    let mut conn = match Conn::open(host, entries) {
        Ok(c) => c,
        Err(e) => return lost(format!("cannot run ssh: {e}")),
    };
    while got.iter().any(Option::is_none) {
        match conn.recv() {
            Ok(Event::Doc(i, doc)) => got[i] = Some(line(&entries[i], "live", doc, None)),
            Ok(Event::Error(i, m)) => got[i] = Some(line(&entries[i], "error", J::Null, Some(m))),
            Ok(_) => {}
            Err(End::Lost(why) | End::Broken(why) | End::Incompatible(why)) => {
                conn.close();
                let mut out = lost(why);
                for (o, g) in out.iter_mut().zip(got) {
                    if let Some(g) = g {
                        *o = g;
                    }
                }
                return out;
            }
        }
    }
    conn.close();
    got.into_iter().flatten().collect()
}

pub fn status_json(file: Option<&Path>) -> i32 {
    let (_, entries) = match entries(file) {
        Ok(e) => e,
        Err(m) => {
            eprintln!("mdash: {}", crate::util::text::escape(&m));
            return crate::util::EXIT_USAGE;
        }
    };
    let mut out: Vec<J> = vec![J::Null; entries.len()];
    // Each host on a thread of its own: a slow one delays none of the others.
    let mut hosts: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(h) = &e.host {
            match hosts.iter_mut().find(|(n, _)| n == h) {
                Some((_, v)) => v.push(i),
                None => hosts.push((h.clone(), vec![i])),
            }
        }
    }
    let threads: Vec<_> = hosts
        .into_iter()
        .map(|(h, idx)| {
            let es: Vec<Entry> = idx.iter().map(|&i| entries[i].clone()).collect();
            (idx, std::thread::spawn(move || remote(&h, &es)))
        })
        .collect();
    for (i, e) in entries.iter().enumerate().filter(|(_, e)| e.host.is_none()) {
        out[i] = match crate::live::git::discover::discover(Path::new(&e.path)) {
            Ok(root) => {
                let snap = crate::live::snapshot::load_with_git(&root, chrono::Utc::now());
                line(e, "live", crate::cli::status::to_json(&snap), None)
            }
            Err(m) => line(e, "error", J::Null, Some(m)),
        };
    }
    for (idx, t) in threads {
        let lines = t.join().unwrap_or_default();
        for (i, l) in idx.into_iter().zip(lines) {
            out[i] = l;
        }
    }
    let doc = json!({"workspaces": out});
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    0
}
