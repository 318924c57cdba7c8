#!/usr/bin/env bash
# Usage: release/record-checksums.sh VERSION SHA256SUMS [CHECKSUMS_TXT]
# Adds the release's archives from SHA256SUMS (sha256sum's "<sha256>  <file>" lines) to
# action/checksums.txt as "<sha256> <version> <target>" lines, the form action/install.sh
# reads, replacing any lines of that version; and writes VERSION to action/VERSION beside it.
set -euo pipefail
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: release/record-checksums.sh VERSION SHA256SUMS [CHECKSUMS_TXT]" >&2
  exit 2
fi
version="${1#v}"
sums="$2"
repo="$(cd "$(dirname "$0")/.." && pwd)"
checksums="${3:-$repo/action/checksums.txt}"
case "$version" in
  *[!0-9A-Za-z.+-]* | "") echo "release/record-checksums.sh: '$version' is not a version" >&2; exit 2 ;;
esac
lines="$(awk -v v="$version" '
  $2 ~ /^\*?perfbudget-.*\.tar\.gz$/ && $1 ~ /^[0-9a-f]+$/ && length($1) == 64 {
    target = $2; sub(/^\*?perfbudget-/, "", target); sub(/\.tar\.gz$/, "", target)
    print $1, v, target
  }' "$sums")"
if [ -z "$lines" ]; then
  echo "release/record-checksums.sh: $sums lists no perfbudget-TARGET.tar.gz archive" >&2
  exit 2
fi
touch "$checksums"
kept="$(awk -v v="$version" '$2 != v' "$checksums")"
{
  [ -n "$kept" ] && printf '%s\n' "$kept"
  printf '%s\n' "$lines"
} > "$checksums.new"
mv "$checksums.new" "$checksums"
printf '%s\n' "$version" > "$(dirname "$checksums")/VERSION"
echo "recorded $(printf '%s\n' "$lines" | wc -l | tr -d ' ') archives of perfbudget $version in $checksums"
