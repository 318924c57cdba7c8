#!/usr/bin/env bash
# Creates or updates the sticky pull-request comment: the comment of this token's author
# that holds this job's hidden marker, found across all pages of the pull request's
# comments. A fork's read-only token cannot comment: then a notice says so and the job
# goes on (the step summary and the annotations are already there).
set -euo pipefail
body="${MARKDOWN_FILE:?}"
# A workflow_run workflow (the fork-safe recipe) passes the number it saved in the artifact.
number="${PERFBUDGET_PR_NUMBER:-}"
if [ -z "$number" ]; then
  number="$(jq -r '.pull_request.number // .issue.number // empty' "${GITHUB_EVENT_PATH:?}")"
fi
case "$number" in
  '' ) ;;
  *[!0-9]*)
    # Not echoed: a hostile value could carry a workflow command.
    echo "::error title=perfbudget::the pull request number given in PERFBUDGET_PR_NUMBER is not a number"
    exit 1 ;;
esac
if [ -z "$number" ]; then
  echo "::notice title=perfbudget::not a pull request: no comment to write"
  exit 0
fi
# The fork-safe recipe passes the commit its report was made from: if the pull request's
# head has moved on (or the number does not belong to that commit), the report is not
# this pull request's, and no comment is written.
if [ -n "${PERFBUDGET_HEAD_SHA:-}" ]; then
  head="$(gh api "repos/${GITHUB_REPOSITORY:?}/pulls/$number" --jq '.head.sha' 2>/dev/null || true)"
  if [ "$head" != "$PERFBUDGET_HEAD_SHA" ]; then
    echo "::notice title=perfbudget::pull request $number is not at the commit the report was made from; no comment written"
    exit 0
  fi
fi
marker="$(head -n 1 "$body")"
author="${PERFBUDGET_COMMENT_AUTHOR:-github-actions[bot]}"
export MARKER="$marker" AUTHOR="$author"
repo="${GITHUB_REPOSITORY:?}"
# jq reads $ENV itself: the marker and author never pass through shell quoting.
# shellcheck disable=SC2016
if ! existing="$(gh api --paginate "repos/$repo/issues/$number/comments" \
    --jq '.[] | select(.user.login == $ENV.AUTHOR and (.body | startswith($ENV.MARKER))) | .id' 2>/dev/null)"; then
  echo "::notice title=perfbudget::could not read the pull request's comments (a fork's read-only token?); the step summary has the report"
  exit 0
fi
id="$(printf '%s\n' "$existing" | head -n 1)"
if [ -n "$id" ]; then
  result="$(gh api -X PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" 2>&1)" || status=$?
else
  result="$(gh api -X POST "repos/$repo/issues/$number/comments" -F "body=@$body" 2>&1)" || status=$?
fi
if [ "${status:-0}" -ne 0 ]; then
  echo "::notice title=perfbudget::could not write the comment (a fork's read-only token needs the two-workflow recipe in docs/): $(printf '%s' "$result" | head -n 1 | tr -d '\r')"
fi
exit 0
