#!/usr/bin/env bash
# Runs `perfbudget merge` for the action's `mode: merge`: the reports of a matrix's jobs
# (downloaded by the workflow, e.g. with actions/download-artifact `pattern` and
# `merge-multiple`) into one verdict, one comment and one JUnit file in $RUNNER_TEMP. As in
# check.sh, the binary writes the step summary, the outputs and the annotations itself.
set -euo pipefail
out="${RUNNER_TEMP:?}/perfbudget"
mkdir -p "$out"
key="${INPUT_COMMENT_KEY:-${GITHUB_WORKFLOW:-workflow}-${GITHUB_JOB:-job}}"
args=(merge --fail-on "${INPUT_FAIL_ON:-red}" --missing "${INPUT_MISSING:-red}" --json "$out/merged.json"
  --markdown "$out/comment.md" --junit "$out/junit.xml" --marker "$key")
if [ -n "${INPUT_EXPECT:-}" ]; then
  # Keys are separated by commas or new lines (a key may hold spaces).
  args+=(--expect "${INPUT_EXPECT//$'\n'/,}")
fi
if [ -n "${INPUT_EXPECT_COUNT:-}" ]; then args+=(--expect-count "$INPUT_EXPECT_COUNT"); fi
reports=()
if [ -z "${INPUT_REPORTS:-}" ] || [ "$INPUT_REPORTS" = perfbudget-reports ]; then
  # download-artifact creates no folder when no artifact matched (every job failed before
  # its upload): an empty one lets `merge` name the expected jobs as missing.
  mkdir -p perfbudget-reports
  reports=(perfbudget-reports)
else
  # Paths or globs, separated by spaces or new lines; a glob that matches nothing is passed
  # as it is, so perfbudget names it.
  read -r -d '' -a words <<< "$INPUT_REPORTS" || true
  for word in "${words[@]}"; do
    mapfile -t matches < <(compgen -G "$word" || true)
    if [ "${#matches[@]}" -eq 0 ]; then matches=("$word"); fi
    reports+=("${matches[@]}")
  done
fi
perfbudget "${args[@]}" -- "${reports[@]}"
