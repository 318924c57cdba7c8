//! `perfbudget schema`: the JSON Schema of the budget file.

use anyhow::Context;

use super::Outcome;

pub(super) fn run() -> anyhow::Result<Outcome> {
    let stdout = crate::budget::schema::render()
        .context("cannot render the budget file's JSON Schema (a bug in perfbudget; please report it)")?;
    Ok(Outcome { stdout, ..Outcome::default() })
}
