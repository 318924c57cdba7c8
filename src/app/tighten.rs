//! `perfbudget tighten`: the inputs read as `check` reads them, the plan of
//! [`crate::budget::tighten`], its diff, and the budget file rewritten in place: a
//! temporary file beside it, renamed over it, so the file is never half written.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use super::check::{Read, read_inputs};
use super::{ExitStatus, Outcome, Terminal, find_budget, warnings_text};
use crate::budget::tighten::{self, Plan};
use crate::cli::TightenArgs;
use crate::report::escape::terminal as safe;

pub(super) fn run(args: &TightenArgs, cwd: &Path, terminal: &Terminal) -> anyhow::Result<Outcome> {
    let path = find_budget(args.budget.as_deref(), cwd)?;
    let file = path.display().to_string();
    if !args.check {
        writable(&path)?;
    }
    let (text, mut budget) = tighten::read(&path)?;
    let written_checks = budget.checks.len();
    let Read { measurements, warnings, .. } = read_inputs(
        "tighten",
        &mut budget,
        &args.inputs,
        args.input_format,
        &args.criterion_current,
        &args.cache,
        terminal,
    )?;
    let evaluation = crate::evaluate::evaluate(&budget, &measurements, None)
        .map_err(|error| anyhow::anyhow!("{}: {error}", budget.file))?;
    let base = path.parent().unwrap_or(Path::new(""));
    let plan = tighten::plan(&text, &budget, written_checks, &evaluation.checks, args.margin, base)?;

    let mut stdout = String::new();
    for change in &plan.changes {
        stdout.push_str(&format!("{}\n", safe(&tighten::describe(change, args.margin))));
    }
    for note in &plan.notes {
        stdout.push_str(&format!("left: {}\n", safe(note)));
    }
    stdout.push_str(&diff(&file, &text, &plan));
    let count = crate::quantity::count(plan.changes.len(), "limit", "limits");
    let status = if plan.changes.is_empty() {
        stdout.push_str(&format!("perfbudget: nothing to tighten in {}\n", safe(&file)));
        ExitStatus::Pass
    } else if args.check {
        stdout.push_str(&format!(
            "perfbudget: {count} could be tightened in {} (--check: nothing written)\n",
            safe(&file)
        ));
        ExitStatus::Fail
    } else {
        replace(&path, &text, &plan.text)?;
        stdout.push_str(&format!("perfbudget: tightened {count} in {}\n", safe(&file)));
        ExitStatus::Pass
    };
    Ok(Outcome { stdout, stderr: warnings_text(&warnings), status })
}

/// Refuses a file `tighten` cannot replace as it is: a link (the rename would put a file
/// where the link was) or a file without write permission.
fn writable(path: &Path) -> anyhow::Result<()> {
    let metadata = std::fs::symlink_metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if metadata.file_type().is_symlink() {
        let target = std::fs::read_link(path).map(|target| format!(" (to {})", target.display())).unwrap_or_default();
        bail!(
            "{}: is a symbolic link{target}; tighten replaces the file it rewrites, which would replace the link: give \
             the file it points to",
            path.display()
        );
    }
    if metadata.permissions().readonly() {
        bail!(
            "{}: the file is read-only; tighten rewrites it in place (`--check` only reports, and writes nothing)",
            path.display()
        );
    }
    Ok(())
}

/// Writes `new` over `path` through a temporary file in its folder, renamed over it once
/// whole, with the file's permissions; refused if the file changed since it was read.
fn replace(path: &Path, old: &str, new: &str) -> anyhow::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.permissions();
    let mut temporary = tempfile::Builder::new()
        .prefix(".perfbudget-tighten-")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write beside {}", path.display()))?;
    temporary
        .write_all(new.as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .with_context(|| format!("cannot write beside {}", path.display()))?;
    std::fs::set_permissions(temporary.path(), permissions)
        .with_context(|| format!("cannot write beside {}", path.display()))?;
    let now = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if now != old.as_bytes() {
        bail!("{}: the file changed while tighten ran; nothing was written, run it again", path.display());
    }
    temporary.persist(path).map_err(|error| anyhow::anyhow!("cannot replace {}: {}", path.display(), error.error))?;
    Ok(())
}

/// A unified diff of the changed lines (each change stays on its line).
fn diff(file: &str, old: &str, plan: &Plan) -> String {
    if plan.changes.is_empty() {
        return String::new();
    }
    let mut text = format!("--- {}\n+++ {}\n", safe(file), safe(file));
    for (number, (before, after)) in old.split_inclusive('\n').zip(plan.text.split_inclusive('\n')).enumerate() {
        if before != after {
            let line = number + 1;
            let (before, after) = (before.trim_end_matches(['\n', '\r']), after.trim_end_matches(['\n', '\r']));
            text.push_str(&format!("@@ -{line} +{line} @@\n-{}\n+{}\n", safe(before), safe(after)));
        }
    }
    text
}
