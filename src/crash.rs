//! A panic is a bug, and a gate that crashed has not passed: `main` ends the run with
//! exit code 2 (`app::ExitStatus::Untrusted`, the "cannot be trusted" status) and a short
//! message asking for a report, never 0, 1 or Rust's 101.

use std::io::Write;
use std::panic::{Location, UnwindSafe};

/// Runs `run` and returns what it returned, or `crashed` if it panicked, after printing
/// [`message`] on stderr. `crashed` is the caller's (`main` passes the untrusted exit
/// status): `app`, which defines it, is above this module.
pub fn guard<T>(run: impl FnOnce() -> T + UnwindSafe, crashed: T) -> T {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let _ = writeln!(std::io::stderr(), "{}", message(info.location(), &payload));
    }));
    std::panic::catch_unwind(run).unwrap_or(crashed)
}

/// The one line a crash prints.
pub fn message(location: Option<&Location<'_>>, payload: &str) -> String {
    let at = location.map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
    let payload = crate::report::escape::terminal(payload);
    format!("error: perfbudget crashed{at} (a bug; please report it with the inputs that caused it): {payload}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_asks_for_a_report_and_names_the_place() {
        let text = message(Some(Location::caller()), "index out of bounds\n::error::forged");
        assert!(text.starts_with("error: perfbudget crashed at src/crash.rs:"), "{text}");
        assert!(text.ends_with("(a bug; please report it with the inputs that caused it): index out of bounds :\u{2060}:error:\u{2060}:forged"), "{text}");
    }
}
