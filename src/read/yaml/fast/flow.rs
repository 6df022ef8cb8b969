//! One-line flow collections: `[a, b]` and `{k: v}`.

use super::*;

/// A one-line flow collection.
pub(super) struct Flow<'a> {
    pub(super) s: &'a str,
    pub(super) at: usize,
}

impl Flow<'_> {
    pub(super) fn skip_spaces(&mut self) {
        while self.s.as_bytes().get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.at).copied()
    }

    pub(super) fn node(&mut self, depth: usize) -> R<Value> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.skip_spaces();
        match self.peek().ok_or(Bail)? {
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                        return Ok(Value::Sequence(items));
                    }
                    items.push(self.node(depth + 1)?);
                    self.skip_spaces();
                    match self.peek().ok_or(Bail)? {
                        b',' => self.at += 1,
                        b']' => {}
                        _ => return Err(Bail),
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut m = Mapping::new();
                loop {
                    self.skip_spaces();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                        return Ok(Value::Mapping(m));
                    }
                    let key = self.scalar()?;
                    if self.peek() != Some(b':') {
                        return Err(Bail);
                    }
                    self.at += 1;
                    if self.peek() != Some(b' ') {
                        return Err(Bail);
                    }
                    self.skip_spaces();
                    let value = match self.peek().ok_or(Bail)? {
                        b',' | b'}' => Value::Null,
                        _ => self.node(depth + 1)?,
                    };
                    if m.insert(key, value).is_some() {
                        return Err(Bail);
                    }
                    self.skip_spaces();
                    match self.peek().ok_or(Bail)? {
                        b',' => self.at += 1,
                        b'}' => {}
                        _ => return Err(Bail),
                    }
                }
            }
            _ => self.scalar(),
        }
    }

    /// A quoted or plain scalar inside a flow collection.
    pub(super) fn scalar(&mut self) -> R<Value> {
        self.skip_spaces();
        let rest = &self.s[self.at..];
        if rest.starts_with(['"', '\'']) {
            let (s, after) = quoted(rest)?;
            self.at = self.s.len() - after.len();
            return Ok(Value::String(s));
        }
        let end = rest
            .bytes()
            .position(|b| matches!(b, b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#'))
            .unwrap_or(rest.len());
        if rest.as_bytes().get(end) == Some(&b'#') {
            return Err(Bail);
        }
        let text = rest[..end].trim_end_matches(' ');
        self.at += end;
        plain(text, true)
    }
}
