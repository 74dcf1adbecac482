//! Template (work in progress).
