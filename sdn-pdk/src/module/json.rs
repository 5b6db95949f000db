//! A small JSON reader and writer for hostcall envelopes and deployment
//! configs, `no_std` and panic-free.
//!
//! The hostcall ABI speaks JSON (`{"ok": true, "result": …}`), and
//! `plugin.getConfig` answers the deployment's config object. This reader
//! parses the whole text into a [`Value`] tree (nesting is capped at
//! [`MAX_DEPTH`], so hostile input cannot exhaust the stack); the writer
//! escapes strings for request metas.
//!
//! ```
//! use sdn_pdk::module::json::Value;
//!
//! let config = Value::parse(r#"{"stepSeconds": 30, "name": "a\u00e9", "tags": [1, true, null]}"#)?;
//! assert_eq!(config.get("stepSeconds").and_then(Value::as_f64), Some(30.0));
//! assert_eq!(config.get("name").and_then(Value::as_str), Some("aé"));
//! assert_eq!(config.get("missing"), None);
//! # Ok::<(), sdn_pdk::module::json::ParseError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value. Objects keep their members in document order (a
/// repeated key: [`Value::get`] answers the first).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (as an `f64`, like JavaScript).
    Number(f64),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members.
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON, and the byte offset where the reader gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the text.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.offset, self.reason)
    }
}

impl core::error::Error for ParseError {}

impl Value {
    /// Parses one JSON text (surrounding whitespace allowed, nothing else).
    pub fn parse(text: &str) -> Result<Value, ParseError> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = reader.value(0)?;
        reader.skip_whitespace();
        if reader.at != reader.bytes.len() {
            return Err(reader.error("trailing characters"));
        }
        Ok(value)
    }

    /// The member `key` of an object; `None` for a missing key or a value
    /// that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(*number),
            _ => None,
        }
    }

    /// The number as a `u64`, if this is a non-negative integer that an
    /// `f64` holds exactly.
    pub fn as_u64(&self) -> Option<u64> {
        let number = self.as_f64()?;
        let exact =
            (0.0..=9_007_199_254_740_992.0).contains(&number) && number == (number as u64) as f64;
        exact.then_some(number as u64)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// The segment index of a binary value, `{"$bin": i}`.
    pub fn as_bin_index(&self) -> Option<usize> {
        match self {
            Value::Object(members) if members.len() == 1 => {
                let index = self.get("$bin")?.as_u64()?;
                usize::try_from(index).ok()
            }
            _ => None,
        }
    }
}

/// Appends `text` to `out` as a JSON string literal, quotes included.
pub fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ch if (ch as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let code = ch as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[code >> 4] as char);
                out.push(HEX[code & 15] as char);
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
}

/// The value of a number literal the reader accepted, to within a few ulps
/// (integers below 2^53 exactly): the first 19 significant digits times a
/// power of ten. Core's correctly rounded `str::parse::<f64>` would bring a
/// 10 KiB table into every module that reads a hostcall answer; config
/// values and timestamps need no more than this.
fn decimal_value(literal: &[u8]) -> f64 {
    let (negative, rest) = match literal {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, literal),
    };
    let mut mantissa: u64 = 0;
    let mut significant = 0;
    let mut exponent: i64 = 0;
    let mut after_point = false;
    let mut i = 0;
    while let Some(&c) = rest.get(i) {
        match c {
            b'0'..=b'9' => {
                if mantissa == 0 && c == b'0' {
                    // A leading zero: no significance, only position.
                    exponent -= i64::from(after_point);
                } else if significant < 19 {
                    mantissa = mantissa * 10 + u64::from(c - b'0');
                    significant += 1;
                    exponent -= i64::from(after_point);
                } else {
                    // Past the 19th significant digit only position counts.
                    exponent += i64::from(!after_point);
                }
            }
            b'.' => after_point = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(b'e' | b'E') = rest.get(i) {
        let (sign, digits) = match rest.get(i + 1) {
            Some(b'-') => (-1, &rest[i + 2..]),
            Some(b'+') => (1, &rest[i + 2..]),
            _ => (1, &rest[i + 1..]),
        };
        let value = digits.iter().fold(0i64, |acc, &d| {
            (acc * 10 + i64::from(d - b'0')).min(100_000)
        });
        exponent += sign * value;
    }
    let mut value = mantissa as f64;
    // |exponent| past 400 gives 0 or infinity either way; the cap bounds the loop.
    let scale = exponent.unsigned_abs().min(400);
    let mut power = 1.0f64;
    for _ in 0..scale {
        power *= 10.0;
    }
    if exponent < 0 {
        value /= power;
    } else {
        value *= power;
    }
    if negative { -value } else { value }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, reason: &'static str) -> ParseError {
        ParseError {
            offset: self.at,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect_word(&mut self, word: &[u8], value: Value) -> Result<Value, ParseError> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end")),
            Some(b'n') => self.expect_word(b"null", Value::Null),
            Some(b't') => self.expect_word(b"true", Value::Bool(true)),
            Some(b'f') => self.expect_word(b"false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn nested(&self, depth: usize) -> Result<usize, ParseError> {
        if depth >= MAX_DEPTH {
            Err(self.error("nested too deeply"))
        } else {
            Ok(depth + 1)
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        let depth = self.nested(depth)?;
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        let depth = self.nested(depth)?;
        self.at += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.at += 1;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = |reader: &mut Self| {
            let from = reader.at;
            while matches!(reader.peek(), Some(b'0'..=b'9')) {
                reader.at += 1;
            }
            reader.at - from
        };
        if digits(self) == 0 {
            return Err(self.error("expected a digit"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.error("expected a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected an exponent"));
            }
        }
        Ok(Value::Number(decimal_value(&self.bytes[start..self.at])))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => u32::from(b - b'0'),
                Some(b @ b'a'..=b'f') => u32::from(b - b'a' + 10),
                Some(b @ b'A'..=b'F') => u32::from(b - b'A' + 10),
                _ => return Err(self.error("expected 4 hex digits")),
            };
            code = code * 16 + digit;
            self.at += 1;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            let run_start = self.at;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a &str and the run stops only at ASCII bytes, so
            // it is whole UTF-8.
            let run = core::str::from_utf8(&self.bytes[run_start..self.at])
                .map_err(|_| self.error("invalid UTF-8"))?;
            out.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.peek().ok_or_else(|| self.error("unexpected end"))?;
                    self.at += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// The character of a `\uXXXX` escape (after `\u`), pairing surrogates;
    /// a lone surrogate becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
        {
            let resume = self.at;
            self.at += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.at = resume;
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parses_what_hosts_send() {
        let value = Value::parse(r#" {"ok":true,"result":{"$bin":0}} "#).unwrap();
        assert_eq!(value.get("ok").and_then(Value::as_bool), Some(true));
        assert_eq!(value.get("result").and_then(Value::as_bin_index), Some(0));
        let value =
            Value::parse(r#"{"ok":false,"error":{"message":"x \"y\"","code":null}}"#).unwrap();
        let error = value.get("error").unwrap();
        assert_eq!(
            error.get("message").and_then(Value::as_str),
            Some("x \"y\"")
        );
        assert_eq!(error.get("code"), Some(&Value::Null));
        assert_eq!(
            Value::parse("1735689600000").unwrap().as_u64(),
            Some(1_735_689_600_000)
        );
        assert_eq!(Value::parse("-1.5e2").unwrap().as_f64(), Some(-150.0));
        assert_eq!(
            Value::parse(r#""\ud83d\ude80""#).unwrap().as_str(),
            Some("🚀")
        );
        assert_eq!(
            Value::parse("9007199254740991").unwrap().as_u64(),
            Some(9_007_199_254_740_991)
        );
        let close = |text: &str, expected: f64| {
            let value = Value::parse(text).unwrap().as_f64().unwrap();
            assert!(
                (value - expected).abs() <= expected.abs() * 1e-15,
                "{text}: {value}"
            );
        };
        close("0.001", 0.001);
        close("86400", 86_400.0);
        close("1.5e-3", 0.0015);
        close("-2.5E+2", -250.0);
        close("12345678901234567890123", 1.234_567_890_123_456_8e22);
    }

    #[test]
    fn rejects_what_is_not_json() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "tru",
            "\"abc",
            "1 2",
            "-",
            "1.",
            "1e",
            "\"\\x\"",
            "\"a\u{1}\"",
            "{1:2}",
            "nul",
        ] {
            assert!(Value::parse(text).is_err(), "{text:?} accepted");
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(Value::parse(&deep).unwrap_err().reason, "nested too deeply");
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(Value::parse(&ok).is_ok());
    }

    #[test]
    fn strings_round_trip_through_the_writer() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001é\"");
        assert_eq!(
            Value::parse(&out).unwrap().as_str(),
            Some("a\"b\\c\n\u{1}é")
        );
        assert_eq!(
            Value::parse("2").unwrap().as_u64().map(|n| n.to_string()),
            Some("2".into())
        );
        assert_eq!(Value::parse("2.5").unwrap().as_u64(), None);
        assert_eq!(Value::parse("-2").unwrap().as_u64(), None);
    }
}
