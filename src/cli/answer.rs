//! `mdash answer ID allow|deny --request HASH` and `mdash reply ID TEXT`:
//! the dashboard's `y`/`n` and `R` as commands (for a fleet dashboard over
//! ssh, issue 28), with the very same checks (`live::agent::answer`).
//! Exit 0 when sent, 1 when refused (nothing sent, and why on stderr), 2
//! for a bad argument.

use std::path::Path;

use crate::cli::args::Decision;
use crate::util::text::escape;

fn done(result: Result<String, String>) -> i32 {
    match result {
        Ok(msg) => {
            println!("{}", escape(&msg));
            0
        }
        Err(e) => {
            eprintln!("mdash: {}", escape(&e));
            1
        }
    }
}

fn bad_id(id: &str) -> Option<i32> {
    (!crate::model::valid_id(id)).then(|| {
        eprintln!(
            "mdash: {} is not a milestone id",
            escape(&format!("{id:?}"))
        );
        2
    })
}

pub fn answer(root: &Path, id: &str, decision: Decision, hash: &str) -> i32 {
    if let Some(code) = bad_id(id) {
        return code;
    }
    if hash.len() != 32 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        eprintln!(
            "mdash: --request takes the request's hash (32 hex digits, `agent.request.hash` in `mdash status --json`), not {}",
            escape(&format!("{hash:?}"))
        );
        return 2;
    }
    let allow = decision == Decision::Allow;
    done(crate::live::agent::answer::answer(
        root,
        id,
        &hash.to_ascii_lowercase(),
        allow,
    ))
}

pub fn reply(root: &Path, id: &str, text: &str) -> i32 {
    if let Some(code) = bad_id(id) {
        return code;
    }
    done(crate::live::agent::answer::reply(root, id, text))
}
