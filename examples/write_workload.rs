//! Writes the benchmark workload (1,000 budgets × 10,000 measurements) to a folder, to
//! time the whole binary: `cargo run --release --example write_workload -- DIR`, then
//! `hyperfine 'perfbudget check --budget DIR/perfbudget.yml DIR/measurements.json'`.

#[path = "../benches/workload.rs"]
mod workload;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/workload".to_owned()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("perfbudget.yml"), workload::budget_yaml())?;
    std::fs::write(dir.join("measurements.json"), workload::measurements_json())?;
    Ok(())
}
