//! A scripted stand-in for the Anthropic Messages API on 127.0.0.1, for
//! driving the real Claude Code CLI without a network (docs/claude-code.md).
//!
//! Only the agent's main requests (the ones that carry `tools`) consume the
//! script; Claude Code's side requests (session titles, token counts, ...)
//! get a generic answer, so a script is exactly the agent's turns. Every
//! request is recorded, so a test can look at what the agent sent (e.g. the
//! whole conversation after `claude --resume`).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod wire;
use wire::{stream, whole};

/// Token counts of one scripted answer, as written to the transcript.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

impl Usage {
    pub fn new(input: u64, output: u64, cache_read: u64, cache_write: u64) -> Usage {
        Usage {
            input,
            output,
            cache_read,
            cache_write,
        }
    }

    pub fn add(self, o: Usage) -> Usage {
        Usage::new(
            self.input + o.input,
            self.output + o.output,
            self.cache_read + o.cache_read,
            self.cache_write + o.cache_write,
        )
    }
}

/// One answer of the model: optional text, then tool calls (several are
/// parallel calls, e.g. two `Agent` calls at once); or an HTTP error.
#[derive(Debug, Clone)]
pub struct Turn {
    pub text: Option<String>,
    pub tools: Vec<(String, Value)>,
    pub usage: Usage,
    /// Hold the answer (after `message_start`) until `Model::release` or
    /// this long: the agent is then visibly working.
    pub hold: Option<Duration>,
    /// Answer with this HTTP status and an API error body instead.
    pub error: Option<(u16, &'static str)>,
}

impl Turn {
    /// A text answer that ends the turn.
    pub fn text(t: &str) -> Turn {
        Turn {
            text: Some(t.to_string()),
            tools: Vec::new(),
            usage: Usage::new(100, 10, 0, 0),
            hold: None,
            error: None,
        }
    }

    /// A tool call (`Read`, `Write`, `Bash`, `AskUserQuestion`, ...).
    pub fn tool(name: &str, input: Value) -> Turn {
        Turn {
            text: None,
            tools: vec![(name.to_string(), input)],
            usage: Usage::new(100, 10, 0, 0),
            hold: None,
            error: None,
        }
    }

    /// One more tool call in the same answer (parallel tool use).
    pub fn and_tool(mut self, name: &str, input: Value) -> Turn {
        self.tools.push((name.to_string(), input));
        self
    }

    /// An HTTP error (429 `rate_limit_error`, 529 `overloaded_error`, ...);
    /// with `CLAUDE_CODE_MAX_RETRIES=0` it ends the agent's turn at once.
    pub fn http_error(status: u16, kind: &'static str) -> Turn {
        Turn {
            text: None,
            tools: Vec::new(),
            usage: Usage::default(),
            hold: None,
            error: Some((status, kind)),
        }
    }

    pub fn with_text(mut self, t: &str) -> Turn {
        self.text = Some(t.to_string());
        self
    }

    pub fn usage(mut self, u: Usage) -> Turn {
        self.usage = u;
        self
    }

    pub fn hold(mut self, at_most: Duration) -> Turn {
        self.hold = Some(at_most);
        self
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// It consumed a turn of the script.
    pub main: bool,
}

impl Request {
    /// Every text of every message (strings, text blocks, tool results and
    /// tool inputs), joined: what a test searches for earlier turns.
    pub fn conversation_text(&self) -> String {
        let mut out = String::new();
        for m in self.body["messages"].as_array().into_iter().flatten() {
            collect_text(&m["content"], &mut out);
        }
        out
    }
}

fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect_text(x, out)),
        Value::Object(o) => {
            for k in ["text", "content", "input"] {
                if let Some(x) = o.get(k) {
                    collect_text(x, out);
                }
            }
            if let Some(Value::Object(input)) = o.get("input") {
                out.push_str(&Value::Object(input.clone()).to_string());
                out.push('\n');
            }
        }
        _ => {}
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Turn>,
    /// Scripts of subagents: a main request whose first message contains
    /// the key (the prompt its parent gave it) takes its turns from there.
    lanes: Vec<(String, VecDeque<Turn>)>,
    requests: Vec<Request>,
    /// Main requests answered after the script ran out.
    exhausted: usize,
    served: Vec<Usage>,
}

/// The running stand-in. Dropping it stops accepting connections.
pub struct Model {
    pub port: u16,
    state: Arc<Mutex<State>>,
    released: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Model {
    pub fn start(script: Vec<Turn>) -> Model {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            ..State::default()
        }));
        let released = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, rel, sp) = (state.clone(), released.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (st, rel) = (st.clone(), rel.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &st, &rel);
                });
            }
        });
        Model {
            port,
            state,
            released,
            stop,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Appends turns to the script (e.g. for a resumed session).
    pub fn push(&self, turns: Vec<Turn>) {
        self.state.lock().expect("model").script.extend(turns);
    }

    /// The turns of a subagent, told apart by `key`, a text of the prompt
    /// its parent gives it (subagents run in parallel: their requests come
    /// in any order).
    pub fn lane(&self, key: &str, turns: Vec<Turn>) {
        self.state
            .lock()
            .expect("model")
            .lanes
            .push((key.to_string(), turns.into()));
    }

    /// Lets a held turn go on.
    pub fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
    }

    /// Lets held turns go on one at a time, `n` of them (parallel
    /// subagents hold at once): each release waits for the one before to
    /// be taken.
    pub fn release_each(&self, n: usize, timeout: Duration) -> bool {
        for _ in 0..n {
            self.release();
            let end = Instant::now() + timeout;
            while self.released.load(Ordering::SeqCst) {
                if Instant::now() > end {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        true
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().expect("model").requests.clone()
    }

    pub fn main_requests(&self) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.main).collect()
    }

    /// Turns of the script not answered yet.
    pub fn remaining(&self) -> usize {
        self.state.lock().expect("model").script.len()
    }

    pub fn exhausted(&self) -> usize {
        self.state.lock().expect("model").exhausted
    }

    /// The sum of the usage of every scripted turn answered so far.
    pub fn served_usage(&self) -> Usage {
        let st = self.state.lock().expect("model");
        st.served.iter().fold(Usage::default(), |a, u| a.add(*u))
    }

    /// Waits until `n` scripted turns have been answered.
    pub fn wait_served(&self, n: usize, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.state.lock().expect("model").served.len() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>, released: &AtomicBool) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let (mut len, mut chunked) = (0usize, false);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let body = if chunked {
        read_chunked(&mut reader)?
    } else {
        let mut b = vec![0; len];
        reader.read_exact(&mut b)?;
        b
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let route = path.split('?').next().unwrap_or("");
    let is_messages = method == "POST" && route == "/v1/messages";
    // The agent's own requests carry its tools; titles and other side
    // requests carry none and must not eat the script.
    let main = is_messages && body["tools"].as_array().is_some_and(|t| !t.is_empty());
    let turn = {
        let mut st = state.lock().expect("model");
        st.requests.push(Request {
            method: method.clone(),
            path: path.clone(),
            body: body.clone(),
            main,
        });
        if main {
            let mut first = String::new();
            collect_text(&body["messages"][0]["content"], &mut first);
            let lane = st
                .lanes
                .iter()
                .position(|(k, _)| first.contains(k.as_str()));
            let next = match lane {
                Some(i) => st.lanes[i].1.pop_front(),
                None => st.script.pop_front(),
            };
            match next {
                Some(t) => {
                    st.served.push(t.usage);
                    Some(t)
                }
                None => {
                    st.exhausted += 1;
                    None
                }
            }
        } else {
            None
        }
    };
    if route == "/v1/messages/count_tokens" {
        return respond_json(&mut out, &json!({"input_tokens": 10}));
    }
    if !is_messages {
        return respond_json(&mut out, &json!({}));
    }
    let turn = turn.unwrap_or_else(|| {
        let t = if main {
            "(the scripted model has nothing more to say)"
        } else {
            "Scripted session"
        };
        Turn::text(t).usage(Usage::default())
    });
    let id = format!(
        "msg_scripted_{}_{}",
        std::process::id(),
        NEXT_ID.fetch_add(1, Ordering::SeqCst)
    );
    let model = body["model"]
        .as_str()
        .unwrap_or("claude-scripted")
        .to_string();
    if let Some((status, kind)) = turn.error {
        let b = json!({"type": "error", "error": {"type": kind,
            "message": format!("scripted {status} {kind}")}})
        .to_string();
        write!(
            out,
            "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\nretry-after: 0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}",
            b.len()
        )?;
        return out.flush();
    }
    if body["stream"].as_bool() == Some(true) {
        stream(&mut out, &turn, &id, &model, released)
    } else {
        respond_json(&mut out, &whole(&turn, &id, &model))
    }
}

fn read_chunked(r: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let mut size = String::new();
        r.read_line(&mut size)?;
        let n =
            usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        let mut chunk = vec![0; n + 2];
        r.read_exact(&mut chunk)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

fn respond_json(out: &mut TcpStream, v: &Value) -> std::io::Result<()> {
    let b = v.to_string();
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}",
        b.len()
    )?;
    out.flush()
}
