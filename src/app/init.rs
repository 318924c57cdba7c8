//! `perfbudget init`: a starter budget from the outputs found here (or named), written
//! only if it is green on the numbers it was made from. What the starter holds is
//! `crate::init`'s; this is the command around it.

use std::path::Path;

use anyhow::{Context, bail};

use super::{Outcome, warnings_text};
use crate::budget;
use crate::cli::InitArgs;
use crate::evaluate::evaluate;
use crate::ingest;
use crate::model::Verdict;
use crate::report;
use crate::report::json::{BudgetInfo, Report};

pub(super) fn run(args: &InitArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let output = &args.output;
    let shown = output.display().to_string();
    if cwd.join(output).exists() {
        bail!("{shown} exists: `perfbudget init` never overwrites a budget; remove it or pass --output FILE");
    }
    let named = !args.inputs.is_empty();
    let candidates = if named { args.inputs.clone() } else { crate::init::discover(cwd) };
    let mut inputs = Vec::new();
    let mut measurements = Vec::new();
    let mut warnings = Vec::new();
    for input in candidates {
        // A named input is read as the user wrote it, so errors name it that way.
        let path = if named { input.clone() } else { cwd.join(&input) };
        match ingest::read_inputs(&[path], &ingest::Options::default()) {
            Ok(read) => {
                if named || !read.measurements.is_empty() {
                    inputs.push(input);
                }
                measurements.extend(read.measurements);
                warnings.extend(read.warnings);
            }
            // A file found by the search that does not read is left out, and said so;
            // one the user named is an error.
            Err(error) if !named => warnings.push(format!("left out {}: {error:#}", input.display())),
            Err(error) => return Err(error),
        }
    }
    if measurements.is_empty() {
        bail!(
            "found no Lighthouse, k6 or criterion output in {}: run them first, or name the reports: perfbudget init FILE...",
            cwd.display()
        );
    }
    let measurements = ingest::k6_stream::summarize(measurements);
    let text = crate::init::starter(&inputs, &measurements);
    let budget = match budget::parse_str(&text, &shown, cwd) {
        Ok(budget) => budget,
        // Every metric of a run that measured nothing (a server that was down: no
        // responses, 100% errors) is left as a comment: there is no limit to propose.
        Err(error) if error.to_string().contains("the budget has no checks") => bail!(
            "nothing in {} can be budgeted from today's numbers (every metric is 0, 100% errors or no data: did \
             the run reach its server?); run it again, or write the limits yourself",
            inputs.iter().map(|input| input.display().to_string()).collect::<Vec<_>>().join(", ")
        ),
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context(format!("the starter budget does not load (a bug in perfbudget init):\n{text}")));
        }
    };
    let report = Report::new(
        evaluate(&budget, &measurements, None)?,
        BudgetInfo { name: budget.name.clone(), file: budget.file.clone() },
    );
    // The limits init chose must pass on the numbers they came from; the preset's targets
    // need not.
    let mut own = budget.clone();
    own.checks.retain(|check| check.preset.is_none());
    let own_evaluation = evaluate(&own, &measurements, None)?;
    let own_not_green: Vec<&str> = own_evaluation
        .checks
        .iter()
        .filter(|check| check.verdict != Verdict::Green)
        .map(|check| check.message.as_str())
        .collect();
    if !own_not_green.is_empty() {
        bail!(
            "the starter budget is not green on the numbers it was made from (a bug in perfbudget init): {}",
            own_not_green.join("; ")
        );
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(cwd.join(output))
        .with_context(|| format!("cannot create {shown}"))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).with_context(|| format!("cannot write {shown}"))?;

    let mut stdout = format!(
        "wrote {}: {} checks from {} inputs\n",
        report::escape::terminal(&shown),
        budget.checks.len(),
        inputs.len()
    );
    for input in &inputs {
        stdout.push_str(&format!("  {}\n", report::escape::path(input)));
    }
    stdout.push_str(&format!("today: {} — {}", report.verdict.as_str(), report::summary_counts(&report)));
    if report.verdict == Verdict::Green {
        stdout.push('\n');
    } else {
        stdout.push_str(" (the non-green checks are the Core Web Vitals targets of the preset: the gap to close)\n");
    }
    Ok(Outcome { stdout, stderr: warnings_text(&warnings), ..Outcome::default() })
}
