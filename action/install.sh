#!/usr/bin/env bash
# Installs perfbudget for the action: the release binary of the version asked for (or the
# action's own, in action/VERSION), verified against the sha256 committed in
# action/checksums.txt; otherwise, with no release to match (the action used as `uses: ./`
# from its own repository, or an unreleased commit), built from the action's source with
# `cargo install --locked`. Either way the binary's folder is added to $GITHUB_PATH.
set -euo pipefail
action="${GITHUB_ACTION_PATH:?}"
root="${RUNNER_TEMP:?}/perfbudget-install"
mkdir -p "$root/bin"

version="${INPUT_VERSION:-}"
if [ -z "$version" ] && [ -f "$action/action/VERSION" ]; then
  version="$(tr -d '[:space:]' < "$action/action/VERSION")"
fi
case "${RUNNER_OS:-Linux}-${RUNNER_ARCH:-X64}" in
  Linux-X64) target=x86_64-unknown-linux-gnu ;;
  Linux-ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *) target=unknown ;;
esac
# checksums.txt lines: "<sha256> <version> <target>".
expected=""
if [ -n "$version" ] && [ -f "$action/action/checksums.txt" ]; then
  expected="$(awk -v v="$version" -v t="$target" '$2 == v && $3 == t { print $1 }' "$action/action/checksums.txt")"
fi

if [ -n "$expected" ]; then
  base="${PERFBUDGET_DOWNLOAD_URL:-https://github.com/${GITHUB_ACTION_REPOSITORY:-perfbudget/perfbudget}/releases/download}"
  archive="$root/perfbudget-$target.tar.gz"
  curl --proto '=https,file' -fsSL --retry 5 -o "$archive" "$base/v$version/perfbudget-$target.tar.gz"
  actual="$(sha256sum "$archive" | cut -d' ' -f1)"
  if [ "$actual" != "$expected" ]; then
    echo "::error title=perfbudget::the downloaded perfbudget $version ($target) has sha256 $actual, not the $expected committed in the action"
    exit 1
  fi
  tar -xzf "$archive" -C "$root/bin"
else
  echo "::notice title=perfbudget::no release of perfbudget ${version:-(unversioned)} for $target is recorded in the action; building it from the action's source"
  cargo install --quiet --locked --path "$action" --root "$root"
fi
echo "$root/bin" >> "${GITHUB_PATH:?}"
