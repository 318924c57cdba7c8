#!/usr/bin/env bash
# The history rule's false-red rate on real data: perfbudget's own `pipeline` criterion
# bench, run at each of the newest N first-parent commits of a branch (oldest first), every
# run judged by the CURRENT binary against the runs before it, as a pull request at that
# commit would have been (`check --history`), and by the single-baseline rule against the
# previous run's report (`check --baseline`) for comparison. Optionally K more runs of the
# newest commit (A/A: the same code, pure noise), and more passes over the same commits,
# each with a history of its own (replicates of the whole experiment).
#
#   benches/history/real-data.sh [-n COMMITS] [-o OUT] [-a AA_RUNS] [-p PASSES] [-f FIRST]
#                                [-r REF] [-m MINUTES] [-c] [-s]
#
#   -n  how many commits that have benches/pipeline.rs (default 20)
#   -o  output folder (default ./real-data-out): the binary, the second worktree (OUT/tree),
#       its shared CARGO_TARGET_DIR (OUT/target), one history per pass (OUT/history-pP.db)
#       and one folder per run, OUT/runs/pP-NNN (criterion output, r.json, judged.json,
#       baseline.json, bench.log, the load average), NNN counting from 000 in each pass
#   -a  A/A runs of the newest commit after pass 1, recorded into its history (default 0)
#   -p  passes over the commits (default 1), each with a fresh history of its own
#   -f  the first pass to run (default 1): the runs of earlier passes are kept, not redone
#   -r  the branch or commit whose first-parent history is walked (default main; resolved
#       once, at the start)
#   -m  start no new run after this many minutes (default 0: no limit)
#   -c  continue an interrupted run in OUT: the runs recorded are kept, the rest is done
#   -s  only print the summary of the runs in OUT
#
# PERFBUDGET=/path/to/perfbudget uses that binary; otherwise the clone's checked-out tree is
# built once (`cargo build --release`, its own target/). A commit whose bench does not
# build is skipped (pP-NNN/failed). The commit times are the runs' times (`history record
# --time`); the A/A runs get the wall-clock time. Needs git, cargo and jq.
set -euo pipefail

commits=20
out=./real-data-out
aa=0
ref=main
passes=1
first=1
minutes=0
summary_only=false
resume=false
while getopts 'n:o:a:p:f:r:m:sc' option; do
    case "$option" in
        n) commits=$OPTARG ;;
        o) out=$OPTARG ;;
        a) aa=$OPTARG ;;
        p) passes=$OPTARG ;;
        f) first=$OPTARG ;;
        r) ref=$OPTARG ;;
        m) minutes=$OPTARG ;;
        s) summary_only=true ;;
        c) resume=true ;;
        *) sed -n '10,26p' "$0" >&2; exit 2 ;;
    esac
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$out/perfbudget
tree=$out/tree
target=$out/target
budget=$out/budget.yml

# --- the summary -----------------------------------------------------------------------
# One line per run: how many rows each rule judged and their verdicts. Then every red and
# every yellow with its message, and the totals.
count() { # FILE JQ-FILTER-ON-CHECKS -> "R/Y/G"
    local file=$1 filter=$2
    if [[ ! -f $file ]]; then echo "-"; return; fi
    jq -r "[.checks[] | select($filter) | .verdict] as \$v
        | \"\(\$v | map(select(. == \"red\")) | length)/\(\$v | map(select(. == \"yellow\")) | length)/\(\$v | map(select(. == \"green\")) | length)\"" "$file"
}

total() { # FILTER FILE...
    local filter=$1
    shift
    jq -rs "[.[].checks[] | select($filter) | .verdict] as \$v
        | \"\(\$v | map(select(. == \"red\")) | length)/\(\$v | map(select(. == \"yellow\")) | length)/\(\$v | map(select(. == \"green\")) | length)\"" "$@"
}

summary() {
    local dir label sha
    printf '\nrules: noise = check --history, noise rule; single = check --history with too few runs;\n'
    printf 'exact = check --history, a series that never moved; baseline = check --baseline <previous run>.\n'
    printf 'load = the 1-minute load average after the bench (2 cores here: the bench itself is about 1).\n'
    printf 'src = files of src/, the bench or Cargo changed since the previous run. each cell: red/yellow/green rows\n\n'
    printf '%-7s %-6s %-8s %-5s %-5s %-9s %-9s %-9s %-9s\n' run kind commit src load noise single exact baseline
    for dir in "$out"/runs/*/; do
        dir=${dir%/}
        [[ -f $dir/r.json ]] || continue
        label=$(cat "$dir/kind")
        sha=$(cat "$dir/commit")
        printf '%-7s %-6s %-8s %-5s %-5s %-9s %-9s %-9s %-9s\n' "$(basename "$dir")" "$label" "${sha:0:7}" \
            "$(cat "$dir/src-changed")" "$(cat "$dir/load-after" 2> /dev/null || echo "?")" \
            "$(count "$dir/judged.json" '.history.rule? == "noise"')" \
            "$(count "$dir/judged.json" '.history.rule? == "single"')" \
            "$(count "$dir/judged.json" '.history.rule? == "exact"')" \
            "$(count "$dir/baseline.json" 'true')"
    done
    printf '\nskipped (the bench did not build):'
    for dir in "$out"/runs/*/; do
        dir=${dir%/}
        if [[ -f $dir/failed ]]; then printf ' %s (%s)' "$(basename "$dir")" "$(cut -c1-7 "$dir/commit")"; fi
    done
    printf '\n'
    printf '\nnon-green rows (run kind commit rule verdict bench: message)\n'
    for dir in "$out"/runs/*/; do
        dir=${dir%/}
        for file in judged baseline; do
            [[ -f $dir/$file.json ]] || continue
            jq -r --arg run "$(basename "$dir")" --arg kind "$(cat "$dir/kind")" --arg sha "$(cut -c1-7 "$dir/commit")" \
                --arg file "$file" '.checks[] | select(.verdict != "green")
                | "\($run) \($kind) \($sha) \(if $file == "baseline" then "baseline" else (.history.rule // "none") end) \(.verdict) \(.subject.id // (.subject | tostring)): \(.message)"' \
                "$dir/$file.json"
        done
    done
    printf '\ntotals by kind (red/yellow/green rows)\n'
    printf '%-7s %-5s %-10s %-10s %-10s %-10s\n' kind runs noise single exact baseline
    local kind kinds
    mapfile -t kinds < <(cat "$out"/runs/*/kind | awk '!seen[$0]++')
    for kind in "${kinds[@]}"; do
        local files=() bases=()
        for dir in "$out"/runs/*/; do
            dir=${dir%/}
            [[ -f $dir/kind && $(cat "$dir/kind") == "$kind" ]] || continue
            [[ -f $dir/judged.json ]] && files+=("$dir/judged.json")
            [[ -f $dir/baseline.json ]] && bases+=("$dir/baseline.json")
        done
        ((${#files[@]} > 0)) || continue
        printf '%-7s %-5s %-10s %-10s %-10s %-10s\n' "$kind" "${#files[@]}" \
            "$(total '.history.rule? == "noise"' "${files[@]}")" \
            "$(total '.history.rule? == "single"' "${files[@]}")" \
            "$(total '.history.rule? == "exact"' "${files[@]}")" \
            "$(total 'true' "${bases[@]}")"
    done
    printf '\nper bench and kind: red rows / rows judged (noise rule | baseline rule)\n'
    for kind in "${kinds[@]}"; do
        local files=() bases=()
        for dir in "$out"/runs/*/; do
            dir=${dir%/}
            [[ -f $dir/r.json && $(cat "$dir/kind") == "$kind" ]] || continue
            [[ -f $dir/judged.json ]] && files+=("$dir/judged.json")
            [[ -f $dir/baseline.json ]] && bases+=("$dir/baseline.json")
        done
        ((${#files[@]} > 0)) || continue
        jq -rs --arg kind "$kind" --argjson n "${#files[@]}" '
            [.[:$n][].checks[] | select(.history.rule? == "noise") | {id: .subject.id, red: (.verdict == "red")}] as $noise
            | [.[$n:][].checks[] | {id: .subject.id, red: (.verdict == "red")}] as $base
            | ($noise + $base | map(.id) | unique)[] as $id
            | ($noise | map(select(.id == $id))) as $a | ($base | map(select(.id == $id))) as $b
            | "\($kind) \($id): \($a | map(select(.red)) | length)/\($a | length) | \($b | map(select(.red)) | length)/\($b | length)"' \
            "${files[@]}" "${bases[@]}"
    done
}

if $summary_only; then
    summary
    exit 0
fi

# --- the binary and the commits --------------------------------------------------------
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
if [[ -n ${PERFBUDGET:-} ]]; then
    [[ $PERFBUDGET -ef $bin ]] || cp "$PERFBUDGET" "$bin"
else
    (cd "$repo" && cargo build --release --locked -q)
    cp "$repo/target/release/perfbudget" "$bin"
fi
"$bin" --version

tip=$(git -C "$repo" rev-parse --verify "$ref^{commit}")
mapfile -t picked < <(
    git -C "$repo" rev-list --first-parent "$tip" | while read -r sha; do
        git -C "$repo" cat-file -e "$sha:benches/pipeline.rs" 2>/dev/null && echo "$sha"
    done | head -n "$commits" | tac
)
echo "${#picked[@]} commits of $ref ($tip), oldest first: ${picked[0]:0:7}..${picked[-1]:0:7}"

printf 'version: 1\nbudgets:\n  - metric: bench_time\n    regression: 10%%\n' > "$budget"
if [[ ! -e $tree ]]; then
    git -C "$repo" worktree add -q --detach "$tree" "${picked[0]}"
fi
mkdir -p "$out/runs"

start=$SECONDS
history=""
previous=""
previous_sha=""
pass=0
run=0
# check's exit code is 1 on red (expected here); 2 or more is an error.
gate() {
    local status=0
    "$bin" "$@" > /dev/null || status=$?
    if ((status > 1)); then
        echo "perfbudget $* failed ($status)" >&2
        exit "$status"
    fi
}

bench_run() { # SHA KIND
    local sha=$1 kind=$2 dir time status=0
    dir=$out/runs/p$pass-$(printf '%03d' "$run")
    # -c: a run done before (same commit and kind) is kept, and so is its record.
    if $resume && [[ -f $dir/commit && $(cat "$dir/commit") == "$sha" && $(cat "$dir/kind") == "$kind" ]] \
        && [[ -f $dir/recorded || -f $dir/failed ]]; then
        if [[ -f $dir/recorded ]]; then
            previous=$dir
            previous_sha=$sha
        fi
        run=$((run + 1))
        return
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    git -C "$tree" checkout -q --detach "$sha"
    echo "$sha" > "$dir/commit"
    echo "$kind" > "$dir/kind"
    if [[ -n $previous_sha ]]; then
        git -C "$repo" diff --name-only "$previous_sha" "$sha" -- src benches/pipeline.rs benches/workload.rs \
            Cargo.toml Cargo.lock | wc -l > "$dir/src-changed"
    else
        echo "-" > "$dir/src-changed"
    fi
    rm -rf "$target/criterion"
    local began=$SECONDS
    # The machine's load around the bench: a slow run on a busy machine is noise.
    cut -d' ' -f1 /proc/loadavg > "$dir/load-before"
    (cd "$tree" && CARGO_TARGET_DIR=$target CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 \
        cargo bench --locked --bench pipeline -- --warm-up-time 0.5 --measurement-time 2 --noplot) \
        > "$dir/bench.log" 2>&1 || status=$?
    if ((status != 0)); then
        # A commit whose bench does not build (931337b's Cargo.toml has a duplicate key,
        # fixed by the next commit) is a red CI at that commit, not a measurement: skipped.
        echo "$status" > "$dir/failed"
        echo "pass $pass run $run ($kind ${sha:0:7}): the bench failed ($status), skipped: $dir/bench.log"
        run=$((run + 1))
        return
    fi
    cut -d' ' -f1 /proc/loadavg > "$dir/load-after"
    cp -r "$target/criterion" "$dir/criterion"
    gate check --budget "$budget" --json "$dir/r.json" "$dir/criterion"
    if [[ -n $previous ]]; then
        gate check --budget "$budget" --history "$history" --branch main --json "$dir/judged.json" "$dir/criterion"
        gate check --budget "$budget" --baseline "$previous/r.json" --json "$dir/baseline.json" "$dir/criterion"
    fi
    if [[ $kind == pass* ]]; then
        time=$(git -C "$repo" show -s --format=%cI "$sha")
    else
        time=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    fi
    "$bin" history record "$dir/r.json" --history "$history" --branch main --commit "$sha" --time "$time" > /dev/null
    touch "$dir/recorded"
    echo "pass $pass run $run ($kind ${sha:0:7}): $((SECONDS - began)) s; $((SECONDS - start)) s in all"
    previous=$dir
    previous_sha=$sha
    run=$((run + 1))
}

out_of_time() {
    if ((minutes > 0 && SECONDS - start > minutes * 60)); then
        echo "time limit of $minutes min reached: stopping before run $run"
        return 0
    fi
    return 1
}

stopped=false
for ((pass = first; pass <= passes; pass++)); do
    history=$out/history-p$pass.db
    if ! $resume; then
        rm -f "$history" "$history"-*
        rm -rf "$out"/runs/p"$pass"-*
    fi
    previous=""
    previous_sha=""
    run=0
    for sha in "${picked[@]}"; do
        if out_of_time; then stopped=true; break; fi
        bench_run "$sha" "pass$pass"
    done
    if ((pass == 1)); then
        for ((k = 0; k < aa; k++)); do
            if $stopped || out_of_time; then break; fi
            bench_run "${picked[-1]}" aa
        done
    fi
    if $stopped; then break; fi
done
echo "done in $((SECONDS - start)) s"
summary
