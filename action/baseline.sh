#!/usr/bin/env bash
# `baseline: auto` for a pull request: finds the JSON report that the action uploaded as the
# artifact $INPUT_ARTIFACT_NAME on the latest successful `push` run of the pull request's
# base branch, preferring the run of the merge-base commit, and leaves in
# $RUNNER_TEMP/perfbudget-baseline/:
#   branch       the base branch (always, for the reports to name it)
#   merge-base   the merge-base commit, where git or the compare API knew it
#   report.json  the report, when one was found (not looked for with
#                PERFBUDGET_MERGE_BASE_ONLY=1)
#   commit       the commit that report was made from
# Nothing found is not an error here: the reports then say "no baseline" (check.sh).
#
# Safety: only artifacts of runs of this repository count (forks share the artifact
# namespace, and a fork's pull request can upload an artifact of the same name whose
# head_branch is `main`); expired ones are skipped; the download follows GitHub's redirect
# by hand so the token never reaches the blob host; the archive is capped and only its
# report.json is read, to standard output (no path of the archive is ever written). Every
# request has a time limit. The token is given to curl on standard input, never in its
# arguments, and never printed.
set -euo pipefail

out="${RUNNER_TEMP:?}/perfbudget-baseline"
rm -rf "$out"
mkdir -p "$out"
api="${GITHUB_API_URL:-https://api.github.com}"
repo="${GITHUB_REPOSITORY:?}"
event="${GITHUB_EVENT_PATH:?}"
name="${INPUT_ARTIFACT_NAME:-perfbudget-report}"
# The report's file name in the archive: report.json, or perfbudget-report-KEY.json for a
# job with a key (check.sh names it); only these characters, so unzip sees no pattern.
member="${PERFBUDGET_REPORT_MEMBER:-report.json}"
case "$member" in
  *[!A-Za-z0-9._-]* | '' | .*) echo "::error title=perfbudget::the report's file name is not a plain name"; exit 2 ;;
esac
cap_mb="${INPUT_MAX_ARTIFACT_MB:-50}"
# How many candidate runs are looked up at most, newest first.
max_runs=30

# A workflow command's message: % and line breaks escaped, so no text can end it early.
notice() {
  local text="${1//'%'/%25}"
  text="${text//$'\r'/%0D}"
  text="${text//$'\n'/%0A}"
  printf '::notice title=perfbudget::%s\n' "$text"
}

case "$cap_mb" in
  '' | *[!0-9]*)
    echo "::error title=perfbudget::max-artifact-mb must be a whole number of megabytes"
    exit 1 ;;
esac
cap=$((cap_mb * 1000 * 1000))
case "$name" in
  '' | *[!A-Za-z0-9._-]*)
    echo "::error title=perfbudget::artifact-name may hold only letters, digits, '.', '_' and '-'"
    exit 1 ;;
esac

base="$(jq -r '.pull_request.base.ref // empty' "$event")"
base_sha="$(jq -r '.pull_request.base.sha // empty | select(test("^[0-9a-f]{40,64}$"))' "$event")"
head_sha="$(jq -r '.pull_request.head.sha // empty | select(test("^[0-9a-f]{40,64}$"))' "$event")"
repo_id="${GITHUB_REPOSITORY_ID:-$(jq -r '.repository.id // empty' "$event")}"
if [ -z "$base" ]; then
  notice "baseline: auto needs a pull request event; this run has no base branch"
  exit 0
fi
printf '%s' "$base" > "$out/branch"
case "$repo_id" in
  '' | *[!0-9]*)
    notice "no baseline: the repository's id is unknown (GITHUB_REPOSITORY_ID), so a fork's artifact could not be told apart"
    exit 0 ;;
esac

token="${GH_TOKEN:-}"
case "$token" in
  *[!A-Za-z0-9_.-]*)
    notice "the github-token holds characters no GitHub token has; the API is asked without it"
    token="" ;;
esac

# GET $api/$1 into the file $2; prints the HTTP status (000 when the request failed).
get() {
  {
    printf 'header = "Accept: application/vnd.github+json"\n'
    printf 'header = "X-GitHub-Api-Version: 2022-11-28"\n'
    if [ -n "$token" ]; then printf 'header = "Authorization: Bearer %s"\n' "$token"; fi
  } | curl --config - --silent --proto '=https,http' --connect-timeout 10 --max-time 30 \
      --max-filesize 20000000 --output "$2" --write-out '%{http_code}' "$api/$1" || true
}

# 1. The merge-base: git's, when the checkout has both commits; else the compare API's.
merge_base=""
if [ -n "$base_sha" ] && [ -n "$head_sha" ]; then
  if git cat-file -e "$base_sha^{commit}" 2> /dev/null && git cat-file -e "$head_sha^{commit}" 2> /dev/null; then
    merge_base="$(git merge-base "$base_sha" "$head_sha" 2> /dev/null || true)"
  fi
  if [ -z "$merge_base" ]; then
    status="$(get "repos/$repo/compare/$base_sha...$head_sha" "$out/compare.json")"
    if [ "$status" = 200 ]; then
      merge_base="$(jq -r '.merge_base_commit.sha // empty' "$out/compare.json" 2> /dev/null || true)"
    fi
  fi
fi
case "$merge_base" in
  *[!0-9a-f]* ) merge_base="" ;;
esac
if [ -n "$merge_base" ]; then printf '%s' "$merge_base" > "$out/merge-base"; fi
# With a history to compare with (check.sh), the merge-base is all that is needed.
if [ "${PERFBUDGET_MERGE_BASE_ONLY:-}" = 1 ]; then exit 0; fi

# 2. The artifacts of that name, newest first, of runs of this repository on the base branch.
: > "$out/candidates.tsv"
forks=0
expired=0
listed=0
for page in 1 2 3; do
  status="$(get "repos/$repo/actions/artifacts?name=$name&per_page=100&page=$page" "$out/artifacts.json")"
  if [ "$status" != 200 ]; then
    if [ "$page" = 1 ]; then
      notice "no baseline: listing the artifacts answered HTTP $status (the job needs \`permissions: actions: read\`)"
      exit 0
    fi
    break
  fi
  if ! count="$(jq '.artifacts | length' "$out/artifacts.json" 2> /dev/null)"; then
    notice "no baseline: the artifact list is not the JSON GitHub sends"
    exit 0
  fi
  listed=$((listed + count))
  summary="$(jq -r --argjson id "$repo_id" --arg name "$name" '
    [.artifacts[] | select(.name == $name)] as $all
    | [($all | map(select(.workflow_run.head_repository_id != $id or .workflow_run.repository_id != $id)) | length),
       ($all | map(select(.expired != false)) | length)] | @tsv' "$out/artifacts.json" 2> /dev/null)" \
    || summary=$'0\t0'
  forks=$((forks + ${summary%%$'\t'*}))
  expired=$((expired + ${summary##*$'\t'}))
  jq -r --argjson id "$repo_id" --arg branch "$base" --arg name "$name" '
    .artifacts[]
    | select(.name == $name and .expired == false
        and .workflow_run.repository_id == $id and .workflow_run.head_repository_id == $id
        and .workflow_run.head_branch == $branch
        and ([.id, .workflow_run.id, .size_in_bytes] | all(type == "number" and . >= 0 and floor == .))
        and (.workflow_run.head_sha | type) == "string" and (.workflow_run.head_sha | test("^[0-9a-f]{40,64}$"))
        and (.created_at | type) == "string")
    | [.created_at, .id, .size_in_bytes, .workflow_run.id, .workflow_run.head_sha] | @tsv' \
    "$out/artifacts.json" >> "$out/candidates.tsv" 2> /dev/null || true
  if [ "$count" -lt 100 ]; then break; fi
done
sort -r "$out/candidates.tsv" | head -n "$max_runs" > "$out/newest.tsv"
looked="looked at $listed artifacts named $name: $forks from forks ignored, $expired expired"

# 3. The run of a candidate must be a successful push of this repository's base branch at
# the artifact's commit (the artifact's own summary of its run is checked again in full).
verified() {
  local run="$1" sha="$2" status
  status="$(get "repos/$repo/actions/runs/$run" "$out/run.json")"
  [ "$status" = 200 ] || return 1
  jq -e --argjson id "$repo_id" --arg branch "$base" --arg sha "$sha" '
    .event == "push" and .conclusion == "success" and .head_branch == $branch and .head_sha == $sha
    and .repository.id == $id and .head_repository.id == $id' "$out/run.json" > /dev/null 2>&1
}
chosen=""
# The merge-base's run first; else the newest whose run checks out.
if [ -n "$merge_base" ]; then
  while IFS=$'\t' read -r _ id size run sha; do
    if [ "$sha" = "$merge_base" ] && verified "$run" "$sha"; then chosen="$id $size $run $sha"; break; fi
  done < "$out/newest.tsv"
fi
if [ -z "$chosen" ]; then
  while IFS=$'\t' read -r _ id size run sha; do
    if verified "$run" "$sha"; then chosen="$id $size $run $sha"; break; fi
  done < "$out/newest.tsv"
fi
if [ -z "$chosen" ]; then
  notice "no baseline: no report of a successful push run on $base of this repository ($looked)"
  exit 0
fi
read -r id size run sha <<< "$chosen"

# 4. The archive: GitHub answers with a redirect to a short-lived blob URL, which is
# fetched without the token (and without following any further redirect).
if [ "$size" -gt "$cap" ]; then
  notice "no baseline: the report artifact of $base at ${sha:0:7} is $size bytes, over max-artifact-mb ($cap_mb MB)"
  exit 0
fi
location="$(
  {
    printf 'header = "Accept: application/vnd.github+json"\n'
    printf 'header = "X-GitHub-Api-Version: 2022-11-28"\n'
    if [ -n "$token" ]; then printf 'header = "Authorization: Bearer %s"\n' "$token"; fi
  } | curl --config - --silent --proto '=https,http' --connect-timeout 10 --max-time 30 \
      --output /dev/null --write-out '%{http_code} %{redirect_url}' "$api/repos/$repo/actions/artifacts/$id/zip" || true
)"
case "$location" in
  30[1278]\ http*) url="${location#* }" ;;
  *)
    notice "no baseline: the report artifact of $base at ${sha:0:7} could not be downloaded (HTTP ${location%% *})"
    exit 0 ;;
esac
zip="$out/artifact.zip"
set +o pipefail
curl --silent --proto '=https,http' --connect-timeout 10 --max-time 120 --max-filesize "$cap" \
  --output - "$url" 2> /dev/null | head -c "$((cap + 1))" > "$zip"
fetched=("${PIPESTATUS[@]}")
set -o pipefail
bytes="$(wc -c < "$zip" | tr -d ' ')"
if [ "${fetched[0]}" = 63 ] || [ "$bytes" -gt "$cap" ]; then
  notice "no baseline: the report artifact of $base at ${sha:0:7} is over max-artifact-mb ($cap_mb MB)"
  exit 0
fi
if [ "${fetched[0]}" != 0 ]; then
  notice "no baseline: downloading the report artifact of $base at ${sha:0:7} failed (curl exit ${fetched[0]})"
  exit 0
fi

# 5. Only the report ($member), written to standard output and capped: no path in the archive is used.
if ! unzip -Z1 "$zip" 2> /dev/null | grep -qxF "$member"; then
  notice "no baseline: the artifact $name of $base at ${sha:0:7} holds no $member"
  exit 0
fi
set +o pipefail
unzip -p "$zip" "$member" 2> /dev/null | head -c "$((cap + 1))" > "$out/report.json"
set -o pipefail
rm -f "$zip"
if [ "$(wc -c < "$out/report.json" | tr -d ' ')" -gt "$cap" ] \
    || ! jq -e '.tool == "perfbudget" and .schema_version == 1' "$out/report.json" > /dev/null 2>&1; then
  rm -f "$out/report.json"
  notice "no baseline: the $member of $base at ${sha:0:7} is not a perfbudget JSON report within max-artifact-mb"
  exit 0
fi
printf '%s' "$sha" > "$out/commit"
if [ "$sha" = "$merge_base" ]; then
  where="the merge-base"
elif [ -n "$merge_base" ]; then
  where="not the merge-base ${merge_base:0:7}, which has no report"
else
  where="the merge-base is unknown"
fi
notice "baseline: the report of $base at ${sha:0:7} ($where), artifact $id of run $run; $looked"
