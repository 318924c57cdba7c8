#!/usr/bin/env bash
# The README's row-bound numbers (Broken and hostile input): peak memory and time of
# `check` for 1,000 entries over 100,000 measurements, three ways. Usage:
#   cargo build --release && bash benches/rows/measure-peak.sh [WORK_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$repo/target/release/perfbudget"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
python3 - <<'PY'
import json
rows = [{"source": "criterion", "metric": "bench_time", "subject": {"id": f"g{i // 100}/b{i}"},
         "value": i + 1, "unit": "ns"} for i in range(100_000)]
json.dump(rows, open("m.json", "w"))
def budget(name, entries, glob):
    lines = [f"  - {{ name: e{i}, metric: bench_time, id: \"{glob(i)}\", max: 1ms }}" for i in range(entries)]
    open(name, "w").write("version: 1\nbudgets:\n" + "\n".join(lines) + "\n")
budget("broad.yml", 1000, lambda i: "*")        # every entry selects everything: refused
budget("groups.yml", 1000, lambda i: f"g{i}/*")  # each entry its own 100: 100,000 rows
budget("max.yml", 2, lambda i: "*")              # 200,000 rows, the bound
PY
for case in broad groups max; do
    /usr/bin/time -f "$case: %e s, %M KB peak, exit %x" "$binary" check --budget "$case.yml" m.json \
        --json "$case.json" --markdown "$case.md" --junit "$case.xml" > /dev/null 2> "$case.err" || true
    tail -n 1 "$case.err"
done
