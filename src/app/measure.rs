//! `perfbudget measure`: what the inputs hold, without a budget; a folder that holds no
//! report is a build whose files are sized.

use anyhow::bail;

use super::bundle::measure_built;
use super::{Outcome, Terminal, warnings_text};
use crate::cli::{MeasureArgs, MeasureFormat};
use crate::ingest::{self, bundle};
use crate::report;

pub(super) fn run(args: &MeasureArgs, terminal: &Terminal) -> anyhow::Result<Outcome> {
    let mut measurements = Vec::new();
    let mut warnings = Vec::new();
    let mut scrapes = Vec::new();
    let mut built = Vec::new();
    for input in &args.inputs {
        // A folder holds reports, or else it is a build whose files are listed.
        let folder = input.is_dir();
        let options = ingest::Options {
            format: args.input_format,
            wanted_metrics: None,
            criterion_current: args.criterion_current.clone(),
            folders_may_hold_only_built_files: folder,
            scrape_elapsed: args.scrape_elapsed,
            apdex: Vec::new(),
        };
        let read = ingest::read_each(std::slice::from_ref(input), &options)?;
        if folder && read.measurements.is_empty() {
            let asset = |name: &str| {
                !bundle::is_left_out_by_default(name)
                    && name.rsplit_once('.').is_some_and(|(_, extension)| bundle::ASSET_EXTENSIONS.contains(&extension))
            };
            let files = bundle::find_in_folder(input, &input.display().to_string(), &asset)?;
            if files.is_empty() {
                bail!(
                    "{}: no file in this folder is an input perfbudget reads ({}), nor a built file ({})",
                    input.display(),
                    ingest::known_formats().join(", "),
                    bundle::ASSET_EXTENSIONS
                        .iter()
                        .map(|extension| format!(".{extension}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            built.extend(files);
        }
        measurements.extend(read.measurements);
        warnings.extend(read.warnings);
        scrapes.extend(read.scrapes);
    }
    // Scrapes of one target given as separate inputs (before and after a load test) make a
    // window together.
    let mut read = ingest::Inputs { measurements, warnings, scrapes };
    let options = ingest::Options { scrape_elapsed: args.scrape_elapsed, ..ingest::Options::default() };
    ingest::combine_scrapes(&mut read, &options)?;
    let ingest::Inputs { mut measurements, mut warnings, .. } = read;
    let (sizes, problems) = measure_built(&built, &bundle::Compression::ALL, &args.cache, terminal)?;
    measurements.extend(sizes);
    warnings.extend(problems);
    let measurements = ingest::k6_stream::summarize(measurements);
    let stderr = warnings_text(&warnings);
    let stdout = match args.format {
        MeasureFormat::Table => report::measure::table(&measurements, terminal.width),
        MeasureFormat::Json => report::measure::json(&measurements)?,
    };
    Ok(Outcome { stdout, stderr, ..Outcome::default() })
}
