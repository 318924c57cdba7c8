//! `perfbudget comment`: the markdown pull-request comment, rendered again from a JSON
//! report (`check --json`).

use super::Outcome;
use crate::cli::CommentArgs;
use crate::report::markdown;

pub(super) fn run(args: &CommentArgs) -> anyhow::Result<Outcome> {
    let report = crate::baseline::read_report(&args.report)?;
    let extras = markdown::Extras { trend_charts: args.trend_charts };
    let marker = args.marker.as_deref().or(report.key.as_deref()).unwrap_or("default");
    let stdout = markdown::render_with(&report, marker, markdown::MAX_BYTES, extras);
    Ok(Outcome { stdout, ..Outcome::default() })
}
