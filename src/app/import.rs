//! `perfbudget import FILE`: a peer tool's config as a budget file, written whole or not at
//! all (a temporary file renamed into place), and never over an existing file without
//! `--force`. What the budget holds is `budget::import`'s; this is the command around it.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};

use super::{ExitStatus, Outcome};
use crate::budget::{self, import};
use crate::cli::ImportConfigArgs;
use crate::report::escape;

pub(super) fn run(args: &ImportConfigArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    let config = &args.config;
    let shown_config = config.display().to_string();
    let text = crate::files::read_text_document(&cwd.join(config))
        .with_context(|| format!("cannot read {}", escape::path(config)))?;
    let output = cwd.join(&args.output);
    let shown_output = args.output.display().to_string();
    if output.exists() && !args.force {
        bail!("{} exists: pass --force to replace it, or --output FILE", escape::path(&args.output));
    }
    let config_dir = folder_of(&cwd.join(config))?;
    let output_dir = folder_of(&output)?;
    let prefix = relative(&output_dir, &config_dir);
    let read_referenced = |name: &str| -> Result<(String, String), String> {
        let path = config_dir.join(name);
        let shown = Path::new(&shown_config).parent().unwrap_or(Path::new("")).join(name).display().to_string();
        crate::files::read_text_document(&path).map(|text| (shown, text)).map_err(|error| format!("{error:#}"))
    };
    let source =
        import::Source { text: &text, file: &shown_config, files_prefix: &prefix, read_referenced: &read_referenced };
    let imported = import::import(&source)?;

    let mut stdout = String::new();
    let written = if imported.entries.is_empty() {
        stdout.push_str(&format!(
            "nothing in {} can be a perfbudget check; no budget written\n",
            escape::terminal(&shown_config)
        ));
        false
    } else {
        let budget_text = import::render(&imported, &shown_config);
        let budget = budget::parse_str(&budget_text, &shown_output, &output_dir).map_err(|error| {
            anyhow::Error::new(error)
                .context(format!("the imported budget does not load (a bug in perfbudget import):\n{budget_text}"))
        })?;
        write_new(&output, &budget_text, args.force)
            .with_context(|| format!("cannot write {}", escape::path(&args.output)))?;
        let tools: Vec<&str> = imported.tools.iter().map(|tool| tool.name()).collect();
        stdout.push_str(&format!(
            "wrote {}: {} from {} ({})\n",
            escape::terminal(&shown_output),
            crate::quantity::count(budget.checks.len(), "check", "checks"),
            escape::terminal(&shown_config),
            tools.join(", ")
        ));
        true
    };
    let sections = [
        ("not carried over", &imported.lost),
        ("carried over with a different meaning", &imported.changed),
        ("kept the meaning, not the spelling", &imported.kept),
        ("skipped (not budgets)", &imported.skipped),
    ];
    for (title, notes) in sections {
        if notes.is_empty() {
            continue;
        }
        stdout.push_str(&format!("{title} ({}):\n", notes.len()));
        for note in notes.iter() {
            stdout.push_str(&format!("  - {}: {}\n", escape::terminal(&note.at), escape::terminal(&note.what)));
        }
    }
    let status = if imported.is_lossless() && written { ExitStatus::Pass } else { ExitStatus::Fail };
    if status == ExitStatus::Pass {
        stdout.push_str("nothing was lost: the budget passes and fails where the config did\n");
    }
    Ok(Outcome { stdout, stderr: String::new(), status })
}

/// The folder a file is in, absolute and with symlinks resolved, so paths between two
/// files can be computed.
fn folder_of(file: &Path) -> anyhow::Result<PathBuf> {
    let parent = file.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::canonicalize(parent).with_context(|| format!("cannot find the folder {}", escape::path(parent)))
}

/// The path from folder `from` to folder `to`, `""` when they are one, else ending in `/`.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for component in &to[common..] {
        path.push(component.as_os_str());
    }
    let text = path.to_string_lossy().replace('\\', "/");
    if text.is_empty() { text } else { format!("{text}/") }
}

/// Writes `text` to a temporary file beside `path`, then renames it into place: a reader
/// never sees half a budget, and a failed write leaves nothing. Without `replace`, an
/// existing file (one made since the check) is an error, not overwritten.
fn write_new(path: &Path, text: &str, replace: bool) -> anyhow::Result<()> {
    use std::io::Write as _;
    let folder = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new().prefix(".perfbudget-import").tempfile_in(folder)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    if replace {
        temporary.persist(path).map_err(|error| error.error)?;
    } else {
        temporary.persist_noclobber(path).map_err(|error| error.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_between_folders() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), "");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/c/d")), "../c/d/");
        assert_eq!(relative(Path::new("/a"), Path::new("/a/web")), "web/");
    }

    #[test]
    fn an_existing_file_is_kept_without_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("perfbudget.yml");
        std::fs::write(&path, "mine\n").unwrap();
        assert!(write_new(&path, "new\n", false).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
        write_new(&path, "new\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
