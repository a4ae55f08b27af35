//! Contact and account ids: decimal strings matching `^[1-9][0-9]*$`.
//!
//! Ids stay strings end to end and are never parsed as integers, so an id
//! longer than any integer type is accepted as the pattern allows, and cannot
//! overflow.

use std::fmt;
use std::str::FromStr;

use crate::error::{IdProblem, InvalidInput};
use crate::generated::types;

/// Why `value` does not match `^[1-9][0-9]*$`, if it does not.
///
/// Stricter than or equal to the generated pattern check, and it says where
/// the problem is.
fn check_id_pattern(value: &str) -> Result<(), IdProblem> {
    let mut chars = value.char_indices();
    match chars.next() {
        None => return Err(IdProblem::Empty),
        Some((_, '0')) => return Err(IdProblem::LeadingZero),
        Some((_, '1'..='9')) => {}
        Some((at, found)) => return Err(IdProblem::NotADigit { at, found }),
    }
    match chars.find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, found)) => Err(IdProblem::NotADigit { at, found }),
        None => Ok(()),
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $generated:ty, $variant:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name($generated);

        impl $name {
            /// Validates `value` against `^[1-9][0-9]*$`.
            pub fn new(value: impl AsRef<str>) -> Result<Self, InvalidInput> {
                let value = value.as_ref();
                let invalid = |problem| InvalidInput::$variant {
                    value: value.to_owned(),
                    problem,
                };
                check_id_pattern(value).map_err(invalid)?;
                // The generated type checks the spec's pattern, which is this
                // one: `spec_patterns_are_the_checked_one` below fails the
                // suite when an edit of openapi.yaml makes them differ.
                Ok(Self(
                    <$generated>::try_from(value)
                        .expect("an id that matches ^[1-9][0-9]*$ matches the spec's pattern"),
                ))
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub(crate) fn generated(&self) -> &$generated {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidInput;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }
    };
}

id_type!(
    /// A contact id, as returned by `GET /v1/contacts`.
    ///
    /// ```
    /// use talktohumans::ContactId;
    ///
    /// assert_eq!(ContactId::new("123")?.as_str(), "123");
    /// assert!(ContactId::new("0123").is_err());
    /// # Ok::<(), talktohumans::InvalidInput>(())
    /// ```
    ContactId,
    types::ContactId,
    ContactId
);

id_type!(
    /// A LinkedIn account id, as returned by `GET /v1/accounts`.
    ///
    /// The API requires it when the contact exists under several LinkedIn
    /// accounts; the notes are scoped to it.
    ///
    /// ```
    /// use talktohumans::AccountId;
    ///
    /// assert_eq!(AccountId::new("42")?.as_str(), "42");
    /// assert!(AccountId::new("-42").is_err());
    /// # Ok::<(), talktohumans::InvalidInput>(())
    /// ```
    AccountId,
    types::AccountId,
    AccountId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_patterns_are_the_checked_one() {
        let spec = include_str!("../openapi.yaml");
        for name in ["ContactId", "AccountId"] {
            // The component's own `pattern:` is the first one after its name.
            let component = spec
                .split_once(&format!("\n    {name}:\n"))
                .map(|(_, rest)| rest)
                .unwrap_or_else(|| panic!("openapi.yaml has no component {name}"));
            let pattern = component
                .lines()
                .find_map(|line| line.trim().strip_prefix("pattern:"))
                .map(str::trim);
            assert_eq!(
                pattern,
                Some(r#""^[1-9][0-9]*$""#),
                "{name}: check_id_pattern must follow the spec's pattern"
            );
        }
    }

    #[test]
    fn accepts_the_pattern() {
        for ok in ["1", "9", "10", "123", "42", &"9".repeat(10_000)] {
            assert_eq!(ContactId::new(ok).unwrap().as_str(), ok);
            assert_eq!(AccountId::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn names_the_problem() {
        let cases = [
            ("", IdProblem::Empty),
            ("0", IdProblem::LeadingZero),
            ("012", IdProblem::LeadingZero),
            ("+1", IdProblem::NotADigit { at: 0, found: '+' }),
            ("-1", IdProblem::NotADigit { at: 0, found: '-' }),
            (" 1", IdProblem::NotADigit { at: 0, found: ' ' }),
            ("1 ", IdProblem::NotADigit { at: 1, found: ' ' }),
            ("12\n", IdProblem::NotADigit { at: 2, found: '\n' }),
            ("1١", IdProblem::NotADigit { at: 1, found: '١' }),
            (
                "１",
                IdProblem::NotADigit {
                    at: 0, found: '１'
                },
            ),
            ("1e3", IdProblem::NotADigit { at: 1, found: 'e' }),
            ("12/3", IdProblem::NotADigit { at: 2, found: '/' }),
        ];
        for (value, problem) in cases {
            match ContactId::new(value) {
                Err(InvalidInput::ContactId {
                    value: v,
                    problem: p,
                }) => {
                    assert_eq!((v.as_str(), p), (value, problem.clone()))
                }
                other => panic!("{value:?}: {other:?}"),
            }
            assert!(matches!(
                AccountId::new(value),
                Err(InvalidInput::AccountId { problem: p, .. }) if p == problem
            ));
        }
    }
}
