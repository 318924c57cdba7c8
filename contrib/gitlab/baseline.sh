#!/usr/bin/env bash
# Runs `perfbudget check ...` in a GitLab merge-request pipeline against the target branch's
# report: the `perfbudget.json` (and `perfbudget.commit`) artifacts of job $PERFBUDGET_JOB
# (default: this job's name) in the latest successful pipeline of the target branch, read
# with GitLab's `jobs/artifacts/:ref/raw/:path?job=NAME` (the one-file form of
# `jobs/artifacts/:ref/download?job=NAME`, so no archive is unpacked). The merge-base is
# GitLab's CI_MERGE_REQUEST_DIFF_BASE_SHA. The reports then say whose report was compared,
# whether it is the merge-base's, or plainly that there was no baseline.
#
# Usage: baseline.sh perfbudget check [ARGS...]   (outside a merge request it only runs them)
# Variables: PERFBUDGET_JOB, PERFBUDGET_MISSING_BASELINE=note|fail (fail: exit 2 without a
# baseline), PERFBUDGET_MAX_ARTIFACT_MB (default 50), PERFBUDGET_GITLAB_TOKEN (a token with
# read_api; else the job's CI_JOB_TOKEN). The token goes to curl on standard input, only to
# GitLab's API, never to the storage host a download redirects to, and is never printed.
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: baseline.sh perfbudget check [ARGS...]" >&2
  exit 2
fi
if [ -z "${CI_MERGE_REQUEST_IID:-}" ]; then
  exec "$@"
fi
api="${CI_API_V4_URL:?}"
branch="${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:?}"
project="${CI_MERGE_REQUEST_PROJECT_ID:-${CI_PROJECT_ID:?}}"
job="${PERFBUDGET_JOB:-${CI_JOB_NAME:?}}"
cap_mb="${PERFBUDGET_MAX_ARTIFACT_MB:-50}"
case "$cap_mb" in
  '' | *[!0-9]*) echo "perfbudget: PERFBUDGET_MAX_ARTIFACT_MB must be a whole number" >&2; exit 2 ;;
esac
cap=$((cap_mb * 1000 * 1000))
merge_base="${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}"
case "$merge_base" in *[!0-9a-f]*) merge_base="" ;; esac
out="$(mktemp -d)"
ref="$(jq -rn --arg v "$branch" '$v | @uri')"
job_query="$(jq -rn --arg v "$job" '$v | @uri')"

credential() {
  if [ -n "${PERFBUDGET_GITLAB_TOKEN:-}" ]; then
    printf 'header = "PRIVATE-TOKEN: %s"\n' "${PERFBUDGET_GITLAB_TOKEN//[!A-Za-z0-9_.-]/}"
  elif [ -n "${CI_JOB_TOKEN:-}" ]; then
    printf 'header = "JOB-TOKEN: %s"\n' "${CI_JOB_TOKEN//[!A-Za-z0-9_.-]/}"
  fi
}

# The artifact file $1 of the target branch into $2 (at most $cap bytes); fails when GitLab
# has none. A redirect (object storage) is followed once, by hand, without the token.
fetch() {
  local answer url fetched
  answer="$(credential | curl --config - --silent --proto '=https,http' --connect-timeout 10 --max-time 60 \
    --max-filesize "$cap" --output "$2" --write-out '%{http_code} %{redirect_url}' \
    "$api/projects/$project/jobs/artifacts/$ref/raw/$1?job=$job_query" || true)"
  case "$answer" in
    200\ *) ;;
    30[1278]\ http*)
      url="${answer#* }"
      set +o pipefail
      curl --silent --proto '=https,http' --connect-timeout 10 --max-time 120 --max-filesize "$cap" \
        --output - "$url" 2> /dev/null | head -c "$((cap + 1))" > "$2"
      fetched="${PIPESTATUS[0]}"
      set -o pipefail
      [ "$fetched" = 0 ] || return 1 ;;
    *) return 1 ;;
  esac
  [ "$(wc -c < "$2" | tr -d ' ')" -le "$cap" ]
}

extra=(--baseline-branch "$branch")
if [ -n "$merge_base" ]; then extra+=(--merge-base "$merge_base"); fi
if fetch perfbudget.json "$out/report.json" \
    && jq -e '.tool == "perfbudget" and .schema_version == 1' "$out/report.json" > /dev/null 2>&1; then
  extra+=(--baseline "$out/report.json")
  if fetch perfbudget.commit "$out/commit"; then
    commit="$(tr -d '[:space:]' < "$out/commit")"
    case "$commit" in
      '' | *[!0-9a-f]*) ;;
      *) extra+=(--baseline-commit "$commit") ;;
    esac
  fi
  echo "perfbudget: baseline: the $job report of the latest successful pipeline of the target branch"
else
  echo "perfbudget: no baseline: the target branch has no successful pipeline with a $job perfbudget.json artifact (within ${cap_mb} MB)"
fi
case "${PERFBUDGET_MISSING_BASELINE:-note}" in
  note) ;;
  fail) extra+=(--require-baseline) ;;
  *) echo "perfbudget: PERFBUDGET_MISSING_BASELINE is note or fail" >&2; exit 2 ;;
esac
exec "$@" "${extra[@]}"
