//! Serde's errors as a budget's errors: at their line and column, with serde's wording
//! explained and a "did you mean" for a misspelt key or value.

use crate::budget::metric::closest;
use crate::model::diagnostic::without_position;

use super::BudgetError;

/// A JSON error at its line and column, with serde's wording explained.
pub(crate) fn json_error(error: &serde_json::Error, file: &str) -> BudgetError {
    let message = without_position(&error.to_string(), error.line(), error.column());
    BudgetError::At { file: file.to_owned(), line: error.line(), column: error.column(), message: explain(&message) }
}

/// A YAML error at its line and column, with serde's wording explained.
pub(crate) fn yaml_error(error: &yaml_serde::Error, file: &str) -> BudgetError {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            let message = without_position(&message, location.line(), location.column());
            BudgetError::At {
                file: file.to_owned(),
                line: location.line(),
                column: location.column(),
                message: explain(&message),
            }
        }
        None => BudgetError::File { file: file.to_owned(), message: explain(&message) },
    }
}

/// Adds a "did you mean" to serde's unknown-field and unknown-variant messages.
fn explain(message: &str) -> String {
    for (marker, noun) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(start) = message.find(marker) else { continue };
        let prefix = &message[..start];
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.find('`') else { continue };
        let typo = &rest[..end];
        let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
        let hint = match closest(typo, expected.iter().copied()) {
            Some(suggestion) => format!("; did you mean `{suggestion}`?"),
            None if expected.is_empty() => String::new(),
            None => format!("; expected one of: {}", expected.join(", ")),
        };
        return format!("{prefix}unknown {noun} `{typo}`{hint}");
    }
    message.to_owned()
}
