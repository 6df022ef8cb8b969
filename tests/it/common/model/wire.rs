//! The scripted model's answers on the wire: whole JSON messages and the
//! server-sent events of a streamed one, as the Messages API sends them.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{NEXT_ID, Turn, Usage};

fn blocks(turn: &Turn) -> Vec<Value> {
    let mut b = Vec::new();
    if let Some(t) = &turn.text {
        b.push(json!({"type": "text", "text": t}));
    }
    for (name, input) in &turn.tools {
        let id = format!("toolu_scripted_{}", NEXT_ID.fetch_add(1, Ordering::SeqCst));
        b.push(json!({"type": "tool_use", "id": id, "name": name, "input": input}));
    }
    b
}

fn stop_reason(turn: &Turn) -> &'static str {
    if !turn.tools.is_empty() {
        "tool_use"
    } else {
        "end_turn"
    }
}

fn usage_json(u: Usage, output: u64) -> Value {
    json!({"input_tokens": u.input, "output_tokens": output,
           "cache_read_input_tokens": u.cache_read, "cache_creation_input_tokens": u.cache_write})
}

pub(super) fn whole(turn: &Turn, id: &str, model: &str) -> Value {
    json!({"id": id, "type": "message", "role": "assistant", "model": model,
           "content": blocks(turn), "stop_reason": stop_reason(turn), "stop_sequence": null,
           "usage": usage_json(turn.usage, turn.usage.output)})
}

fn event(out: &mut TcpStream, name: &str, data: &Value) -> std::io::Result<()> {
    write!(out, "event: {name}\ndata: {data}\n\n")?;
    out.flush()
}

pub(super) fn stream(
    out: &mut TcpStream,
    turn: &Turn,
    id: &str,
    model: &str,
    released: &AtomicBool,
) -> std::io::Result<()> {
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n"
    )?;
    // The input side of the usage comes with message_start; the output
    // count with message_delta, as the real API does.
    event(
        out,
        "message_start",
        &json!({"type": "message_start", "message": {"id": id, "type": "message",
            "role": "assistant", "model": model, "content": [], "stop_reason": null,
            "stop_sequence": null, "usage": usage_json(turn.usage, 1)}}),
    )?;
    if let Some(at_most) = turn.hold {
        let end = Instant::now() + at_most;
        while Instant::now() < end && !released.swap(false, Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
            // A ping keeps the stream alive and shows when the agent hung up.
            event(out, "ping", &json!({"type": "ping"}))?;
        }
    }
    for (i, b) in blocks(turn).iter().enumerate() {
        if b["type"] == "text" {
            event(
                out,
                "content_block_start",
                &json!({"type": "content_block_start", "index": i,
                        "content_block": {"type": "text", "text": ""}}),
            )?;
            event(
                out,
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": i,
                        "delta": {"type": "text_delta", "text": b["text"]}}),
            )?;
        } else {
            event(
                out,
                "content_block_start",
                &json!({"type": "content_block_start", "index": i,
                        "content_block": {"type": "tool_use", "id": b["id"], "name": b["name"], "input": {}}}),
            )?;
            event(
                out,
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": i,
                        "delta": {"type": "input_json_delta", "partial_json": b["input"].to_string()}}),
            )?;
        }
        event(
            out,
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": i}),
        )?;
    }
    event(
        out,
        "message_delta",
        &json!({"type": "message_delta",
                "delta": {"stop_reason": stop_reason(turn), "stop_sequence": null},
                "usage": {"output_tokens": turn.usage.output}}),
    )?;
    event(out, "message_stop", &json!({"type": "message_stop"}))
}
