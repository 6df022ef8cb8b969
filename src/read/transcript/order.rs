//! Lines out of order: Claude Code does not always append a transcript's
//! lines in the order they happened. On a loaded machine the first prompt
//! of a session (with its `file-history-snapshot` and `attachment` lines)
//! reached the file after the answer to it and the `system` line that
//! closes the turn (tests/fixtures/transcripts/late-prompt.jsonl, as the
//! real CLI wrote it). Read in file order, that prompt reopened a turn that
//! had ended, and the session stayed `working`. So the turn's state goes by
//! the lines' times (RFC 3339, `timestamp`), not by where they are.

use chrono::{DateTime, Utc};

/// A line's time, where it has one.
pub(super) fn at(s: Option<&str>) -> Option<DateTime<Utc>> {
    crate::util::time::parse(s?)
}

/// Whether the line written at `line` happened before the one at `than`:
/// a line without a time is taken to be in order.
pub(super) fn before(line: Option<DateTime<Utc>>, than: Option<DateTime<Utc>>) -> bool {
    matches!((line, than), (Some(a), Some(b)) if a < b)
}

/// Whether time `a` is before `b`, both as written in lines: Claude Code
/// writes one fixed width (`2026-12-07T23:23:01.867Z`), compared as text;
/// anything else is parsed (unparsable: in order).
pub(super) fn text_before(a: &str, b: &str) -> bool {
    let fixed = |s: &str| s.len() == 24 && s.as_bytes()[10] == b'T' && s.ends_with('Z');
    if fixed(a) && fixed(b) {
        return a < b;
    }
    before(at(Some(a)), at(Some(b)))
}

#[cfg(test)]
mod tests {
    use super::super::{parse, tail::Tail};
    use std::io::Write;

    /// What the real CLI wrote when the by-hand test failed: the answer
    /// (`end_turn`) and `turn_duration`, then the prompt it answered.
    const LATE: &str = include_str!("../../../tests/fixtures/transcripts/late-prompt.jsonl");

    fn prompt(ts: &str) -> String {
        format!(
            r#"{{"parentUuid":"d7767c48","type":"user","message":{{"role":"user","content":"again"}},"uuid":"p2","timestamp":"{ts}","sessionId":"81b99f7c-78b6-4d06-848f-3a8d8c3bb888"}}"#
        ) + "\n"
    }

    fn answer(id: &str, ts: &str, text: &str) -> String {
        format!(
            r#"{{"parentUuid":"p2","message":{{"id":"{id}","role":"assistant","model":"claude-x","content":[{{"type":"text","text":"{text}"}}],"stop_reason":"end_turn","usage":{{"input_tokens":5,"output_tokens":1}}}},"type":"assistant","uuid":"a-{id}","timestamp":"{ts}"}}"#
        ) + "\n"
    }

    #[test]
    fn a_prompt_written_after_its_answer_does_not_reopen_the_turn() {
        let t = parse(LATE);
        assert!(t.last_end_turn, "the answer ended the turn: {t:?}");
        assert_eq!(
            t.last_text.as_deref(),
            Some("Hello from a session mdash did not start.\nSecond line.")
        );
        assert_eq!(t.usage["msg_scripted_7973_1"].tokens.input, 500);
        // The newest line's time is the turn's end, the oldest its
        // file-history-snapshot's (written after the answer).
        assert_eq!(
            t.last_timestamp.as_deref(),
            Some("2026-12-07T23:23:03.565Z")
        );
        assert_eq!(
            t.first_timestamp.as_deref(),
            Some("2026-12-07T23:23:01.512Z")
        );
        // A prompt typed after that answer does reopen it.
        let more = format!("{LATE}{}", prompt("2026-12-07T23:23:09.000Z"));
        let t = parse(&more);
        assert!(!t.last_end_turn);
        // And its answer ends it again.
        let t = parse(&format!(
            "{more}{}",
            answer("m2", "2026-12-07T23:23:10.000Z", "Again.")
        ));
        assert!(t.last_end_turn);
        assert_eq!(t.last_text.as_deref(), Some("Again."));
    }

    #[test]
    fn an_answer_written_after_a_newer_prompt_does_not_end_that_turn() {
        let text = format!(
            "{}{}",
            prompt("2026-12-07T23:23:09.000Z"),
            answer("m1", "2026-12-07T23:23:05.000Z", "Old.")
        );
        let t = parse(&text);
        assert!(!t.last_end_turn, "{t:?}");
        // Its tokens still count.
        assert_eq!(t.usage["m1"].tokens.input, 5);
    }

    #[test]
    fn the_late_lines_read_incrementally_leave_the_turn_ended() {
        // The dashboard reads on from where it stopped: first the answer and
        // `turn_duration`, a moment later the prompt and its attachments.
        let dir = tempfile::tempdir().expect("dir");
        let p = dir
            .path()
            .join("81b99f7c-78b6-4d06-848f-3a8d8c3bb888.jsonl");
        let cut = LATE.match_indices('\n').nth(3).expect("four lines").0 + 1;
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(&LATE.as_bytes()[..cut]).expect("w");
        f.flush().expect("flush");
        let t = Tail::open(&p, None).expect("open");
        assert!(t.transcript.last_end_turn);
        f.write_all(&LATE.as_bytes()[cut..]).expect("w");
        f.flush().expect("flush");
        let t = Tail::open(&p, Some(t)).expect("open");
        assert!(t.transcript.last_end_turn, "{:?}", t.transcript);
        assert_eq!(
            t.transcript.last_timestamp.as_deref(),
            Some("2026-12-07T23:23:03.565Z")
        );
    }

    #[test]
    fn times_compare_as_written_or_parsed() {
        use super::text_before;
        assert!(text_before(
            "2026-12-07T23:23:01.867Z",
            "2026-12-07T23:23:03.517Z"
        ));
        assert!(!text_before(
            "2026-12-07T23:23:03.517Z",
            "2026-12-07T23:23:03.517Z"
        ));
        // Other forms are parsed: 01:00 at +02:00 is before 00:00Z.
        assert!(text_before(
            "2026-12-07T01:00:00+02:00",
            "2026-12-07T00:00:00.000Z"
        ));
        // Unparsable is in order.
        assert!(!text_before("later", "2026-12-07T00:00:00.000Z"));
    }
}
