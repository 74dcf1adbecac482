//! Typed errors: what went wrong with a call, decided by the HTTP status or the transport,
//! never by message text.

use std::fmt;

/// The kind of failure, from the status code (caom2-model.md §5.1, cadc-rest's mapping) or
/// from the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 400: the request or document was refused (parse or validation failure).
    BadRequest,
    /// 401: no or unusable credentials.
    NotAuthenticated,
    /// 403: the credentials do not allow this.
    PermissionDenied,
    /// 404: no such observation or file.
    NotFound,
    /// 409: the observation already exists.
    AlreadyExists,
    /// 412: `If-Match` did not match the stored accMetaChecksum (or a digest did not match).
    PreconditionFailed,
    /// 413: the document is over the service's limit.
    TooLarge,
    /// 429 after every retry.
    TooManyRequests,
    /// 503 after every retry: the service is offline or overloaded.
    Unavailable,
    /// Another 5xx after every retry.
    Server,
    /// Another status the client does not expect.
    Unexpected,
    /// Connection refused, reset, broken pipe, truncated body, after every retry.
    Transport,
    /// No answer in time (connect or read), after every retry.
    Timeout,
    /// The answer could not be understood (bad XML, TSV, capabilities, digest).
    Protocol,
    /// The content did not match its md5.
    Integrity,
    /// Credentials, TLS or client set-up could not be used (bad PEM, missing file).
    Setup,
    /// A resource ID or capability could not be resolved.
    Registry,
    /// Local file I/O.
    Io,
}

impl ErrorKind {
    /// The kind for an HTTP status that is an error.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::NotAuthenticated,
            403 => ErrorKind::PermissionDenied,
            404 | 410 => ErrorKind::NotFound,
            409 => ErrorKind::AlreadyExists,
            412 => ErrorKind::PreconditionFailed,
            413 => ErrorKind::TooLarge,
            429 => ErrorKind::TooManyRequests,
            503 => ErrorKind::Unavailable,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Unexpected,
        }
    }

    /// Whether a later attempt may succeed (the runner's retry rounds; the client's own
    /// retries are already spent when this error is returned).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::TooManyRequests
                | ErrorKind::Unavailable
                | ErrorKind::Server
                | ErrorKind::Transport
                | ErrorKind::Timeout
        )
    }

    /// A short name for messages and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad request",
            ErrorKind::NotAuthenticated => "not authenticated",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::PreconditionFailed => "precondition failed",
            ErrorKind::TooLarge => "too large",
            ErrorKind::TooManyRequests => "too many requests",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Server => "server error",
            ErrorKind::Unexpected => "unexpected status",
            ErrorKind::Transport => "transport error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::Integrity => "integrity error",
            ErrorKind::Setup => "client set-up",
            ErrorKind::Registry => "registry",
            ErrorKind::Io => "i/o",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed call: its kind, the HTTP status when there was one, what was asked, and the
/// service's message (the `text/plain` body) or the transport's.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ClientError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    /// `METHOD url`, or the file or resource concerned.
    pub context: String,
    pub message: String,
    /// How many attempts were made (1 = no retry).
    pub attempts: u32,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.context)?;
        match self.status {
            Some(s) => write!(f, "{s} {}", self.kind)?,
            None => write!(f, "{}", self.kind)?,
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl ClientError {
    pub fn new(kind: ErrorKind, context: impl Into<String>, message: impl Into<String>) -> Self {
        ClientError {
            kind,
            status: None,
            context: context.into(),
            message: message.into(),
            attempts: 1,
        }
    }

    /// An error for an HTTP status, with the body as message (trimmed, at most 500 bytes).
    pub fn status(status: u16, context: impl Into<String>, body: &str) -> Self {
        let mut message = body.trim().to_string();
        if message.len() > 500 {
            let mut cut = 500;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        ClientError {
            kind: ErrorKind::from_status(status),
            status: Some(status),
            context: context.into(),
            message,
            attempts: 1,
        }
    }

    pub fn setup(context: impl Into<String>, message: impl Into<String>) -> Self {
        ClientError::new(ErrorKind::Setup, context, message)
    }

    pub fn protocol(context: impl Into<String>, message: impl Into<String>) -> Self {
        ClientError::new(ErrorKind::Protocol, context, message)
    }

    pub fn io(context: impl Into<String>, e: &std::io::Error) -> Self {
        ClientError::new(ErrorKind::Io, context, e.to_string())
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        let cases = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::NotAuthenticated),
            (403, ErrorKind::PermissionDenied),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::AlreadyExists),
            (412, ErrorKind::PreconditionFailed),
            (413, ErrorKind::TooLarge),
            (429, ErrorKind::TooManyRequests),
            (503, ErrorKind::Unavailable),
            (500, ErrorKind::Server),
            (502, ErrorKind::Server),
            (418, ErrorKind::Unexpected),
        ];
        for (s, k) in cases {
            assert_eq!(ErrorKind::from_status(s), k, "{s}");
        }
        assert!(ErrorKind::Unavailable.is_transient());
        assert!(!ErrorKind::PreconditionFailed.is_transient());
        let mut e = ClientError::status(412, "POST http://x/observations/A/b", "changed\n");
        e.attempts = 2;
        assert_eq!(
            e.to_string(),
            "POST http://x/observations/A/b: 412 precondition failed: changed (after 2 attempts)"
        );
        let long = "é".repeat(400);
        assert!(ClientError::status(400, "x", &long).message.ends_with('…'));
    }
}
