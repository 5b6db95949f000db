//! How a method fails: a status code, an error code and a message, the three
//! things a PIV response carries.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

/// A method's failure, answered as a PIV response with `STATUS_CODE` =
/// [`status_code`](MethodError::status_code), `STATUS` = FAILED,
/// `ERROR_CODE` and `ERROR_MESSAGE`; its outputs are dropped.
///
/// ```
/// use sdn_pdk::module::MethodError;
///
/// let error = MethodError::invalid_input("invalid-omm", "frame 2 is not an $OMM");
/// assert_eq!((error.status_code(), error.code()), (400, "invalid-omm"));
/// assert_eq!(error.to_string(), "invalid-omm (400): frame 2 is not an $OMM");
/// assert_eq!(MethodError::new(0, "x", "").status_code(), 500, "0 would mean success");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodError {
    status_code: i32,
    code: Cow<'static, str>,
    message: Cow<'static, str>,
}

impl MethodError {
    /// A failure with any status code (0, which means success, becomes 500).
    pub fn new(
        status_code: i32,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> MethodError {
        MethodError {
            status_code: if status_code == 0 { 500 } else { status_code },
            code: code.into(),
            message: message.into(),
        }
    }

    /// The request's frames are wrong (status 400).
    pub fn invalid_input(
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> MethodError {
        MethodError::new(400, code, message)
    }

    /// The module failed (status 500).
    pub fn internal(
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> MethodError {
        MethodError::new(500, code, message)
    }

    /// The response's `STATUS_CODE` (never 0).
    pub fn status_code(&self) -> i32 {
        self.status_code
    }

    /// The response's `ERROR_CODE`, kebab-case by convention.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The response's `ERROR_MESSAGE`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// An error whose message is built at run time.
    pub fn with_message(mut self, message: String) -> MethodError {
        self.message = Cow::Owned(message);
        self
    }
}

impl fmt::Display for MethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status_code, self.message)
    }
}

impl core::error::Error for MethodError {}

/// Builds a message from parts without `core::fmt` (which would add
/// kilobytes to every module): text pieces and decimal numbers.
pub(crate) struct Message(String);

impl Message {
    /// An empty message.
    pub(crate) fn new() -> Message {
        Message(String::new())
    }

    /// Appends text.
    pub(crate) fn text(mut self, text: &str) -> Message {
        self.0.push_str(text);
        self
    }

    /// Appends `value` in decimal.
    pub(crate) fn number(mut self, value: u64) -> Message {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = value;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        for &digit in &digits[at..] {
            self.0.push(char::from(digit));
        }
        self
    }

    /// The finished text.
    pub(crate) fn build(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Message;

    #[test]
    fn messages_are_built_without_fmt() {
        let text = Message::new()
            .text("frame ")
            .number(0)
            .text(" of ")
            .number(u64::MAX)
            .build();
        assert_eq!(text, "frame 0 of 18446744073709551615");
    }
}
