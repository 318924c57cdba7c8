//! `perfbudget validate`: load the budget file and say how many checks it has.

use std::path::Path;

use super::{Outcome, load_budget};
use crate::cli::ValidateArgs;
use crate::report;

pub(super) fn run(args: &ValidateArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let budget = load_budget(args.file.as_deref(), cwd)?;
    let from_presets = budget.preset_checks();
    let presets = if from_presets > 0 { format!(" ({from_presets} from presets)") } else { String::new() };
    let plural = if budget.checks.len() == 1 { "check" } else { "checks" };
    Ok(Outcome {
        stdout: format!("ok: {}: {} {plural}{presets}\n", report::escape::terminal(&budget.file), budget.checks.len()),
        ..Outcome::default()
    })
}
