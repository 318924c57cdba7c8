#!/usr/bin/env bash
# Runs `perfbudget check` for the action. The binary writes the step summary, the step
# outputs and the annotations itself (GITHUB_ACTIONS=true); this only builds the arguments
# (quoted, from the inputs in the environment) and keeps the reports in $RUNNER_TEMP.
set -euo pipefail
case "${INPUT_MODE:-check}" in
  check) ;;
  # Not echoed: a hostile value could carry a workflow command.
  *) echo "::error title=perfbudget::the input mode is check or merge"; exit 2 ;;
esac
out="${RUNNER_TEMP:?}/perfbudget"
mkdir -p "$out"
key="${INPUT_COMMENT_KEY:-${INPUT_KEY:-${GITHUB_WORKFLOW:-workflow}-${GITHUB_JOB:-job}}}"
report="$out/report.json"
if [ -n "${INPUT_KEY:-}" ]; then
  # One file name per job key: `download-artifact` with `merge-multiple` puts every job's
  # report in one folder, where two files of one name would keep only the last.
  report="$out/perfbudget-report-${INPUT_KEY//[^A-Za-z0-9._-]/-}.json"
fi
args=(check --fail-on "${INPUT_FAIL_ON:-red}" --json "$report" --markdown "$out/comment.md"
  --junit "$out/junit.xml" --marker "$key")
if [ -n "${INPUT_KEY:-}" ]; then args+=(--key "$INPUT_KEY"); fi
if [ -n "${INPUT_BUDGET:-}" ]; then args+=(--budget "$INPUT_BUDGET"); fi
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$INPUT_BASELINE"); fi
if [ -n "${INPUT_INPUTS:-}" ]; then
  # Inputs are separated by spaces or new lines; a path with spaces goes in the budget's inputs:.
  read -r -d '' -a extra <<< "$INPUT_INPUTS" || true
  args+=("${extra[@]}")
fi
perfbudget "${args[@]}"
