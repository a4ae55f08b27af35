//! One module per command; each takes its parsed flags and the connection
//! settings, and returns the exit code.

pub mod auth;
pub mod bulk;
pub mod update;
