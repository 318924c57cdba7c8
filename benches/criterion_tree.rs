//! Writes a `target/criterion`-shaped tree of many benchmarks, each with `new/` and `base/`
//! holding real criterion 0.8 files (from tests/fixtures/criterion/generated). Shared by
//! `benches/criterion.rs` and `examples/write_criterion_tree.rs`.

use std::path::Path;

/// `count` benchmarks in groups of 50: `group{g}/bench{i}`.
pub(crate) fn write(root: &Path, count: usize) -> std::io::Result<()> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion/generated/tree/fib 30");
    let estimates_new = std::fs::read_to_string(fixture.join("new/estimates.json"))?;
    let estimates_base = std::fs::read_to_string(fixture.join("base/estimates.json"))?;
    for index in 0..count {
        let group = index / 50;
        let dir = root.join(format!("group{group}/bench{index}"));
        for (baseline, estimates) in [("new", &estimates_new), ("base", &estimates_base)] {
            let run = dir.join(baseline);
            std::fs::create_dir_all(&run)?;
            let benchmark = format!(
                r#"{{"group_id":"group{group}","function_id":"bench{index}","value_str":null,"throughput":{{"Bytes":{}}},"full_id":"group{group}/bench{index}","directory_name":"group{group}/bench{index}","title":"group{group}/bench{index}"}}"#,
                64 + index
            );
            std::fs::write(run.join("benchmark.json"), benchmark)?;
            std::fs::write(run.join("estimates.json"), estimates)?;
        }
    }
    Ok(())
}
