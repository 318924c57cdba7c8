//! `perfbudget comment`: the markdown pull-request comment, rendered again from a JSON
//! report (`check --json`).

use super::Outcome;
use crate::cli::CommentArgs;
use crate::report::markdown;

pub(super) fn run(args: &CommentArgs) -> anyhow::Result<Outcome> {
    let report = crate::baseline::read_report(&args.report)?;
    Ok(Outcome { stdout: markdown::render(&report, &args.marker, markdown::MAX_BYTES), ..Outcome::default() })
}
