//! Why a bulk run ends before sending, or cannot go on.

use crate::exit;

/// Why a run ends before sending, or cannot go on.
pub enum Stop {
    /// The flags: shown with the usage, exit 2.
    Usage(String),
    /// Anything else, with its exit code.
    Exit(u8, String),
}

/// The input breaks a rule, or cannot be read: exit 3.
pub fn invalid(message: String) -> Stop {
    Stop::Exit(exit::INVALID_INPUT, message)
}
