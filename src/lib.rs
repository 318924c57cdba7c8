//! perfbudget: one CI gate for performance budgets.
//!
//! The pipeline is plain data between small modules: [`budget`] reads the budget file,
//! [`ingest`] reads the inputs into measurements, [`evaluate`] decides verdicts (a pure
//! function), and [`report`] renders them.

pub mod app;
pub mod baseline;
pub mod budget;
pub mod cli;
pub mod crash;
pub mod evaluate;
pub mod files;
pub mod history;
pub mod ingest;
pub mod init;
pub mod model;
pub mod quantity;
pub mod report;
pub mod stats;
