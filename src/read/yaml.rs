//! The one module that names the YAML crate.
//!
//! `serde_yaml` is archived upstream; every other module goes through the
//! re-exports and functions here, so a maintained fork can be swapped in by
//! changing the `use` line below.

use serde_yaml as backend;

mod fast;

pub use backend::{Mapping, Value};

/// A YAML syntax error with its 1-based position when the parser knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// Parses the first document of `text`. Later documents are ignored: agents
/// sometimes append a second `---` block, and the first one is the milestone.
/// The parser bounds recursion depth and alias expansion, so YAML bombs and
/// deeply nested input come back as errors rather than hangs.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    // Most files lie in the plain subset, which reads several times faster.
    match fast::parse(text) {
        Some(v) => Ok(v),
        None => parse_full(text),
    }
}

/// Both readings of `text`: the fast subset parser's (`None` when outside
/// the subset) and the full parser's. For the fuzz target that holds them
/// to the same answer.
#[doc(hidden)]
pub fn both(text: &str) -> (Option<Value>, Result<Value, SyntaxError>) {
    (fast::parse(text), parse_full(text))
}

/// The full YAML parser, for everything outside the fast subset.
fn parse_full(text: &str) -> Result<Value, SyntaxError> {
    use serde::Deserialize;
    let mut docs = backend::Deserializer::from_str(text);
    match docs.next() {
        None => Ok(Value::Null),
        Some(doc) => Value::deserialize(doc).map_err(|e| {
            let loc = e.location();
            let message = e.to_string();
            // The crate appends " at line X column Y"; the position is
            // reported separately, so keep the message short.
            let message = match message.find(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            let message = if message.contains("repetition limit") {
                format!("{message}: aliases expand too far (a YAML bomb?)")
            } else if message.contains("recursion limit") {
                format!("{message}: nested too deeply")
            } else {
                message
            };
            SyntaxError {
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                message,
            }
        }),
    }
}

/// Converts a JSON value into the YAML value model (JSON is a subset).
pub fn from_json(v: serde_json::Value) -> Value {
    backend::to_value(v).unwrap_or(Value::Null)
}

/// Serializes a value as a YAML document.
pub fn to_string(v: &Value) -> Result<String, String> {
    backend::to_string(v).map_err(|e| e.to_string())
}

/// Serializes any serializable value as a YAML document.
pub fn to_yaml<T: serde::Serialize>(v: &T) -> Result<String, String> {
    backend::to_string(v).map_err(|e| e.to_string())
}

/// Builds a string value.
pub fn string(s: &str) -> Value {
    Value::String(s.to_string())
}
