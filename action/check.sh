#!/usr/bin/env bash
# Runs `perfbudget check` for the action. The binary writes the step summary, the step
# outputs and the annotations itself (GITHUB_ACTIONS=true); this only builds the arguments
# (quoted, from the inputs in the environment) and keeps the reports in $RUNNER_TEMP.
set -euo pipefail
out="${RUNNER_TEMP:?}/perfbudget"
mkdir -p "$out"
key="${INPUT_COMMENT_KEY:-${GITHUB_WORKFLOW:-workflow}-${GITHUB_JOB:-job}}"
args=(check --fail-on "${INPUT_FAIL_ON:-red}" --json "$out/report.json" --markdown "$out/comment.md"
  --junit "$out/junit.xml" --marker "$key")
if [ -n "${INPUT_BUDGET:-}" ]; then args+=(--budget "$INPUT_BUDGET"); fi
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$INPUT_BASELINE"); fi
if [ -n "${INPUT_INPUTS:-}" ]; then
  # Inputs are separated by spaces or new lines; a path with spaces goes in the budget's inputs:.
  read -r -d '' -a extra <<< "$INPUT_INPUTS" || true
  args+=("${extra[@]}")
fi
perfbudget "${args[@]}"
