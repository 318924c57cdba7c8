//! The history of a base branch: the runs `perfbudget history record` keeps in one SQLite
//! file, read back as plain data for `evaluate` (`check --history`), listed by `history
//! show`, and moved between machines as JSON lines (`history export` / `import`).

pub mod environment;
pub mod jsonl;
pub mod provenance;
pub mod record;
pub mod store;

pub use record::{Provenance, RecordedLimits, RecordedValue, RunRecord};
pub use store::Store;
