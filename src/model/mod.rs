//! The data every layer shares, importing nothing above it: what inputs report
//! ([`Measurement`], [`Subject`], raw samples), the names formats emit
//! ([`vocabulary`]), and what a run answers ([`report`]: verdicts, check results, the JSON
//! report) with the lookup a baseline report becomes ([`baseline`]).

pub mod baseline;
pub mod diagnostic;
pub mod distribution;
pub mod hashed_name;
pub mod measurement;
pub mod report;
pub mod subject;
pub mod vocabulary;

pub use measurement::{Measurement, describe_subject};
pub use report::{CheckResult, Evaluation, LimitValue, Verdict};
pub use subject::Subject;
