//! The data every layer shares, importing nothing above it: what inputs report
//! ([`Measurement`], [`Subject`], raw samples), the names formats emit
//! ([`vocabulary`]), and what a run answers ([`report`]: verdicts, check results, the JSON
//! report) with the lookup a baseline report becomes ([`baseline`]).

pub mod apdex;
pub(crate) mod baseline;
pub(crate) mod diagnostic;
pub mod distribution;
pub(crate) mod hashed_name;
pub(crate) mod history;
pub(crate) mod measurement;
pub mod merged;
pub(crate) mod report;
pub(crate) mod subject;
pub mod tdigest;
pub(crate) mod vocabulary;

pub use history::{History, HistoryPoint};
pub use measurement::{Measurement, describe_subject};
pub use report::{
    BaselineSource, CheckResult, Environment, Evaluation, HistorySummary, LimitValue, Loosened, LooseningKind,
    TrendPoint, Verdict,
};
pub use subject::Subject;
