#!/usr/bin/env bash
# Creates or updates perfbudget's sticky merge-request note on GitLab: the note that holds
# the report's hidden marker (its first line), found across every page of the merge
# request's notes, is updated in place; otherwise a note is created. Needs curl and jq, and
# a project access token with the `api` scope in PERFBUDGET_GITLAB_TOKEN (a masked CI/CD
# variable). Without a token, or when GitLab refuses, it says so and exits 0: the JUnit
# report and the job log already carry the verdict.
# Usage: mr-note.sh MARKDOWN_FILE   (in a merge-request pipeline)
set -euo pipefail
body="${1:?usage: mr-note.sh MARKDOWN_FILE}"
if [ -z "${CI_MERGE_REQUEST_IID:-}" ]; then
  echo "perfbudget: not a merge-request pipeline: no note to write"
  exit 0
fi
if [ -z "${PERFBUDGET_GITLAB_TOKEN:-}" ]; then
  echo "perfbudget: PERFBUDGET_GITLAB_TOKEN is not set: no note written"
  exit 0
fi
api="${CI_API_V4_URL:?}/projects/${CI_PROJECT_ID:?}/merge_requests/$CI_MERGE_REQUEST_IID/notes"
marker="$(head -n 1 "$body")"
export MARKER="$marker"
payload="$(jq -Rs '{body: .}' < "$body")"

id=""
page=1
while [ -n "$page" ]; do
  headers="$(mktemp)"
  if ! notes="$(curl -fsS -D "$headers" -H "PRIVATE-TOKEN: $PERFBUDGET_GITLAB_TOKEN" \
      "$api?per_page=100&page=$page")"; then
    echo "perfbudget: could not read the merge request's notes: no note written"
    exit 0
  fi
  id="$(printf '%s' "$notes" | jq -r 'map(select(.body | startswith(env.MARKER))) | first | .id // empty')"
  page="$(tr -d '\r' < "$headers" | awk 'tolower($1) == "x-next-page:" { print $2 }')"
  rm -f "$headers"
  if [ -n "$id" ]; then break; fi
done

if [ -n "$id" ]; then
  method=PUT url="$api/$id"
else
  method=POST url="$api"
fi
if ! curl -fsS -X "$method" -H "PRIVATE-TOKEN: $PERFBUDGET_GITLAB_TOKEN" \
    -H "Content-Type: application/json" --data "$payload" "$url" > /dev/null; then
  echo "perfbudget: GitLab refused the note ($method): no note written"
fi
exit 0
