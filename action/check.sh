#!/usr/bin/env bash
# Runs `perfbudget check` for the action. The binary writes the step summary, the step
# outputs and the annotations itself (GITHUB_ACTIONS=true); this only builds the arguments
# (quoted, from the inputs in the environment) and keeps the reports in $RUNNER_TEMP.
#
# The baseline: a file given as `baseline:`; `none`; or `auto` (the default on pull
# requests): the base branch's report artifact found by baseline.sh, or, with `history:
# true` and a history restored from the cache, the base branch's runs in it. Either way the
# reports say what the run was compared with, or plainly that there was no baseline.
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

baseline="${INPUT_BASELINE:-}"
if [ -z "$baseline" ] && [ "${GITHUB_EVENT_NAME:-}" = pull_request ]; then baseline=auto; fi
history="${RUNNER_TEMP}/perfbudget-history/history.db"
case "$baseline" in
  '' | none) ;;
  auto)
    if [ "${GITHUB_EVENT_NAME:-}" != pull_request ]; then
      echo "::notice title=perfbudget::baseline: auto compares pull requests with their base branch; this ${GITHUB_EVENT_NAME:-} run has no baseline"
    else
      with_history=false
      if [ "${INPUT_HISTORY:-false}" = true ] && [ -f "$history" ]; then with_history=true; fi
      # The default branch's run of this job uploaded its report under the same file name.
      export PERFBUDGET_REPORT_MEMBER="${report##*/}"
      if [ "$with_history" = true ]; then
        PERFBUDGET_MERGE_BASE_ONLY=1 bash "$(dirname "${BASH_SOURCE[0]}")/baseline.sh"
      else
        bash "$(dirname "${BASH_SOURCE[0]}")/baseline.sh"
      fi
      found="$RUNNER_TEMP/perfbudget-baseline"
      if [ -f "$found/branch" ]; then args+=(--baseline-branch "$(cat "$found/branch")"); fi
      if [ -f "$found/merge-base" ]; then args+=(--merge-base "$(cat "$found/merge-base")"); fi
      if [ "$with_history" = true ]; then
        args+=(--history "$history")
        if [ -f "$found/branch" ]; then args+=(--branch "$(cat "$found/branch")"); fi
      elif [ -f "$found/report.json" ]; then
        args+=(--baseline "$found/report.json" --baseline-commit "$(cat "$found/commit")")
      fi
      case "${INPUT_MISSING_BASELINE:-note}" in
        note) ;;
        fail) args+=(--require-baseline) ;;
        *)
          echo "::error title=perfbudget::missing-baseline is note or fail"
          exit 2 ;;
      esac
    fi ;;
  *) args+=(--baseline "$baseline") ;;
esac

if [ -n "${INPUT_INPUTS:-}" ]; then
  # Inputs are separated by spaces or new lines; a path with spaces goes in the budget's inputs:.
  read -r -d '' -a extra <<< "$INPUT_INPUTS" || true
  args+=("${extra[@]}")
fi
perfbudget "${args[@]}"
