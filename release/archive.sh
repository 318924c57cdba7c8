#!/usr/bin/env bash
# Usage: release/archive.sh TARGET BINARY OUTDIR
# Writes OUTDIR/perfbudget-TARGET.tar.gz: the binary (perfbudget, or perfbudget.exe for
# Windows) and the README at the top level, as action/install.sh and the npm packages
# expect. Owner, group and times are fixed, so the same binary gives the same archive.
set -euo pipefail
if [ "$#" -ne 3 ]; then
  echo "usage: release/archive.sh TARGET BINARY OUTDIR" >&2
  exit 2
fi
target="$1"
binary="$2"
outdir="$3"
repo="$(cd "$(dirname "$0")/.." && pwd)"
case "$target" in
  *-windows-*) name=perfbudget.exe ;;
  *) name=perfbudget ;;
esac
if [ ! -f "$binary" ]; then
  echo "release/archive.sh: $binary is not a file" >&2
  exit 2
fi
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp "$binary" "$staging/$name"
chmod 0755 "$staging/$name"
cp "$repo/README.md" "$staging/README.md"
mkdir -p "$outdir"
archive="$outdir/perfbudget-$target.tar.gz"
tar --owner=0 --group=0 --numeric-owner --mtime='1970-01-01 00:00:00Z' \
  -C "$staging" -cf - "$name" README.md | gzip -n > "$archive"
echo "$archive"
