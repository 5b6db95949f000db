//! Just enough JSON to read numbers out of the deployment config object:
//! the top level must be an object; the values of the wanted keys must be
//! numbers; every other value (strings, arrays, objects, literals) is
//! skipped after a syntax check. Nesting is limited to [`MAX_DEPTH`].

use crate::error::ConfigError;

/// Deepest nesting accepted in skipped values.
const MAX_DEPTH: usize = 32;

/// The values of `keys` (in that order) in the JSON object `text`; `None`
/// for a key that is absent. A key given twice takes its last value.
pub fn read_numbers<const N: usize>(
    text: &[u8],
    keys: &[&'static str; N],
) -> Result<[Option<f64>; N], ConfigError> {
    let mut values = [None; N];
    let mut p = Parser { text, at: 0 };
    p.expect(b'{')?;
    if !p.eat(b'}') {
        loop {
            let key = p.string()?;
            p.expect(b':')?;
            match keys.iter().position(|k| k.as_bytes() == key) {
                Some(i) => values[i] = Some(p.number().ok_or(ConfigError::NotANumber(keys[i]))?),
                None => p.skip_value(0)?,
            }
            if p.eat(b'}') {
                break;
            }
            p.expect(b',')?;
        }
    }
    p.whitespace();
    if p.at != text.len() {
        return Err(ConfigError::NotAnObject);
    }
    Ok(values)
}

/// A cursor over the JSON text. Syntax errors are all
/// [`ConfigError::NotAnObject`]: the config is not the object it must be.
struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.whitespace();
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), ConfigError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(ConfigError::NotAnObject)
        }
    }

    /// A string's raw bytes between the quotes (escapes left as written:
    /// the keys compared against contain none).
    fn string(&mut self) -> Result<&'a [u8], ConfigError> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.text.get(self.at) {
                None => return Err(ConfigError::NotAnObject),
                Some(b'"') => break,
                Some(b'\\') => self.at += 2,
                Some(c) if *c < 0x20 => return Err(ConfigError::NotAnObject),
                Some(_) => self.at += 1,
            }
        }
        let raw = self
            .text
            .get(start..self.at)
            .ok_or(ConfigError::NotAnObject)?;
        self.at += 1;
        Ok(raw)
    }

    /// A JSON number, or `None` (cursor unmoved) if the next value is not one.
    fn number(&mut self) -> Option<f64> {
        self.peek()?;
        let start = self.at;
        let len = self.text[start..]
            .iter()
            .take_while(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .count();
        let literal = &self.text[start..start + len];
        if !is_json_number(literal) {
            return None;
        }
        self.at = start + len;
        Some(decimal_value(literal))
    }

    fn skip_value(&mut self, depth: usize) -> Result<(), ConfigError> {
        if depth > MAX_DEPTH {
            return Err(ConfigError::NotAnObject);
        }
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{') => {
                self.at += 1;
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.string()?;
                    self.expect(b':')?;
                    self.skip_value(depth + 1)?;
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    self.expect(b',')?;
                }
            }
            Some(b'[') => {
                self.at += 1;
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    if self.eat(b']') {
                        return Ok(());
                    }
                    self.expect(b',')?;
                }
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => self.number().map(|_| ()).ok_or(ConfigError::NotAnObject),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ConfigError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(ConfigError::NotAnObject)
        }
    }
}

/// The value of a literal that [`is_json_number`] accepted, to within a
/// few ulps: the first 19 significant digits times a power of ten. (Core's
/// exact `str::parse::<f64>` brings a 10 KiB table into the module; a
/// step or span needs no more than this.)
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

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(b: &[u8]) -> bool {
    let mut i = usize::from(b.first() == Some(&b'-'));
    let int_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if int_digits == 0 || (int_digits > 1 && b[i] == b'0') {
        return false;
    }
    i += int_digits;
    if b.get(i) == Some(&b'.') {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_number_grammar() {
        for good in ["0", "-0", "60", "1.5", "2e3", "2E-3", "-1.25e+2"] {
            assert!(is_json_number(good.as_bytes()), "{good}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1e+", "--1", "1.2.3"] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn decimal_values_are_close_to_exact() {
        for text in [
            "0",
            "-0",
            "60",
            "90",
            "1.5",
            "0.001",
            "0.0010",
            "86400",
            "43200",
            "2e3",
            "2E-3",
            "-1.25e+2",
            "0.1",
            "123.456",
            "1e-300",
            "1e300",
            "12345678901234567890123",
            "0.000000000000000000000123",
            "1e400",
            "3.14159265358979323846264338",
        ] {
            let exact: f64 = text.parse().unwrap();
            let got = decimal_value(text.as_bytes());
            let tolerance = exact.abs() * 1e-13;
            assert!(
                (got - exact).abs() <= tolerance || got == exact,
                "{text}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn malformed_objects_are_refused() {
        for bad in [
            &b"{"[..],
            b"{\"a\"}",
            b"{\"a\":}",
            b"{\"a\":1,}",
            b"{\"a\":tru}",
            b"{} x",
            b"{\"a\":\"\x01\"}",
            b"{\"a\":[1,]}",
        ] {
            assert_eq!(
                read_numbers(bad, &["b"]),
                Err(ConfigError::NotAnObject),
                "{bad:?}"
            );
        }
        let deep = [b"{\"a\":".as_slice(), &[b'['; 40], &[b']'; 40], b"}"].concat();
        assert_eq!(read_numbers(&deep, &["b"]), Err(ConfigError::NotAnObject));
    }

    #[test]
    fn reads_wanted_numbers_and_skips_the_rest() {
        let text = br#"{"s":"x\"y","a":-2.5,"o":{"k":[true,false,null]},"b":7}"#;
        assert_eq!(
            read_numbers(text, &["a", "b", "c"]),
            Ok([Some(-2.5), Some(7.0), None])
        );
        assert_eq!(
            read_numbers(br#"{"a":null}"#, &["a"]),
            Err(ConfigError::NotANumber("a"))
        );
    }
}
