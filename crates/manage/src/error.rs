//! Why an entry failed, as a type rather than a phrase.
//!
//! The reference classifies failures by searching the exception text for known phrases
//! ("Cannot build an observation" → `bad_metadata`, "Read timed out" → timeout). Here whoever
//! raises an error says what it is: an [`EntryError`] carries an [`ErrorClass`], and the
//! runner decides from the class alone whether the entry is retried (timeouts and other
//! failures) or recorded as a known rejection (never retried).

use std::fmt;

/// The eleven rejection reasons of the reference's `rejected.yml`, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    BadData,
    BadMetadata,
    Fitsverify,
    InvalidFileName,
    IsValidFails,
    MissingAtSource,
    MysteryValue,
    NoInstrument,
    NoPreview,
    OldVersion,
    Rejected,
}

impl Reason {
    /// Every reason, in the (sorted) order `rejected.yml` lists them.
    pub const ALL: [Reason; 11] = [
        Reason::BadData,
        Reason::BadMetadata,
        Reason::Fitsverify,
        Reason::InvalidFileName,
        Reason::IsValidFails,
        Reason::MissingAtSource,
        Reason::MysteryValue,
        Reason::NoInstrument,
        Reason::NoPreview,
        Reason::OldVersion,
        Reason::Rejected,
    ];

    /// The key in `rejected.yml`.
    pub fn key(self) -> &'static str {
        match self {
            Reason::BadData => "bad_data",
            Reason::BadMetadata => "bad_metadata",
            Reason::Fitsverify => "fitsverify",
            Reason::InvalidFileName => "invalid_file_name",
            Reason::IsValidFails => "is_valid_fails",
            Reason::MissingAtSource => "missing_at_source",
            Reason::MysteryValue => "mystery_value",
            Reason::NoInstrument => "no_instrument",
            Reason::NoPreview => "no_preview",
            Reason::OldVersion => "old_version",
            Reason::Rejected => "rejected",
        }
    }

    /// The reason for a `rejected.yml` key.
    pub fn from_key(key: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The reference's phrase for this reason (what its substring match looked for); used as
    /// the message prefix so operators grepping logs for the old phrases still find them.
    pub fn phrase(self) -> &'static str {
        match self {
            Reason::BadData => "Header missing END card",
            Reason::BadMetadata => "Cannot build an observation",
            Reason::Fitsverify => "fitsverify",
            Reason::InvalidFileName => "Invalid name format",
            Reason::IsValidFails => "Invalid observation ID",
            Reason::MissingAtSource => "Could not find JSON record for",
            Reason::MysteryValue => "Unexpected value in enumerated type",
            Reason::NoInstrument => "Unknown value for instrument",
            Reason::NoPreview => "Not Found for url",
            Reason::OldVersion => "Recorded without checking",
            Reason::Rejected => "Rejected",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What kind of failure an entry had; decides retrying and reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// A known, permanent problem with the input: recorded in `rejected.yml`, not retried.
    Rejected(Reason),
    /// A service or transfer timed out: always retried, counted under "Timeouts".
    Timeout,
    /// Anything else: retried.
    Failed,
}

impl ErrorClass {
    /// Whether a failure of this class goes to the retries file.
    pub fn is_retryable(self) -> bool {
        !matches!(self, ErrorClass::Rejected(_))
    }

    /// A stable short name (`rejected:bad_metadata`, `timeout`, `failed`), used in the journal.
    pub fn name(self) -> String {
        match self {
            ErrorClass::Rejected(r) => format!("rejected:{}", r.key()),
            ErrorClass::Timeout => "timeout".into(),
            ErrorClass::Failed => "failed".into(),
        }
    }

    /// The inverse of [`ErrorClass::name`].
    pub fn from_name(name: &str) -> Option<ErrorClass> {
        match name {
            "timeout" => Some(ErrorClass::Timeout),
            "failed" => Some(ErrorClass::Failed),
            _ => Reason::from_key(name.strip_prefix("rejected:")?).map(ErrorClass::Rejected),
        }
    }
}

/// The failure of one entry (or one step of it), with its class.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EntryError {
    pub class: ErrorClass,
    pub message: String,
}

impl EntryError {
    /// A failure that will be retried.
    pub fn failed(message: impl Into<String>) -> EntryError {
        EntryError {
            class: ErrorClass::Failed,
            message: message.into(),
        }
    }

    /// A timeout (retried, counted under "Timeouts").
    pub fn timeout(message: impl Into<String>) -> EntryError {
        EntryError {
            class: ErrorClass::Timeout,
            message: message.into(),
        }
    }

    /// A known rejection; the message should say what is wrong with the input.
    pub fn rejected(reason: Reason, message: impl Into<String>) -> EntryError {
        EntryError {
            class: ErrorClass::Rejected(reason),
            message: message.into(),
        }
    }

    /// The same error with `context: ` in front of the message.
    pub fn context(mut self, context: impl fmt::Display) -> EntryError {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

/// Makes a message fit on one log line: line breaks become the two characters `\n` (and a
/// backslash is doubled), so each failure is exactly one record and the text can be
/// recovered. The reference writes messages raw, which splits records (caom2pipe.md §8.4).
pub fn one_line(message: &str) -> String {
    if !message.contains(['\n', '\r', '\\']) {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len() + 8);
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_trip_and_decide_retries() {
        for r in Reason::ALL {
            let c = ErrorClass::Rejected(r);
            assert_eq!(ErrorClass::from_name(&c.name()), Some(c));
            assert!(!c.is_retryable());
        }
        assert!(ErrorClass::Timeout.is_retryable());
        assert!(ErrorClass::Failed.is_retryable());
        assert_eq!(ErrorClass::from_name("nope"), None);
        let mut keys: Vec<_> = Reason::ALL.iter().map(|r| r.key()).collect();
        let sorted = {
            let mut s = keys.clone();
            s.sort();
            s
        };
        assert_eq!(keys, sorted);
        keys.dedup();
        assert_eq!(keys.len(), 11);
    }

    #[test]
    fn one_line_messages() {
        assert_eq!(one_line("plain"), "plain");
        assert_eq!(
            one_line("Read timed out\r\nsecond line\nC:\\x"),
            "Read timed out\\nsecond line\\nC:\\\\x"
        );
    }
}
