//! Writes a criterion tree of N benchmarks (default 5,000) to a folder, to time readers
//! on it: `cargo run --release --example write_criterion_tree -- DIR [N]`, then
//! `hyperfine 'perfbudget measure DIR' 'critcmp --target-dir DIR/.. base new'`.

#[path = "../benches/criterion_tree.rs"]
mod criterion_tree;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/criterion-5000/criterion".to_owned()));
    let count = args.next().and_then(|n| n.parse().ok()).unwrap_or(5000);
    criterion_tree::write(&dir, count)
}
