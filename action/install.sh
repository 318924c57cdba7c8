#!/usr/bin/env bash
# Installs perfbudget for the action and adds its folder to $GITHUB_PATH.
#
# - `version:` given: the release archive of that version for this runner, verified against
#   the sha256 committed in action/checksums.txt. A version with no recorded checksum is an
#   error, never a silent build of something else.
# - no `version:`: the action's own version (action/VERSION) the same way when its checksum
#   is recorded; otherwise (the action used as `uses: ./` from its own repository, or a
#   commit between releases) built from the action's source with `cargo install --locked`.
#
# The release workflow (.github/workflows/release.yml) writes the archives
# (release/archive.sh) and the checksum lines (release/record-checksums.sh).
set -euo pipefail
action="${GITHUB_ACTION_PATH:?}"
root="${RUNNER_TEMP:?}/perfbudget-install"
checksums="$action/action/checksums.txt"
mkdir -p "$root/bin"

explicit="${INPUT_VERSION:-}"
explicit="${explicit#v}"
case "$explicit" in
  *[!0-9A-Za-z.+-]*)
    # Not echoed: it is not a version, and it could hold a workflow command.
    echo "::error title=perfbudget::the version input is not a version like 1.2.3"
    exit 1
    ;;
esac
version="$explicit"
if [ -z "$version" ] && [ -f "$action/action/VERSION" ]; then
  version="$(tr -d '[:space:]' < "$action/action/VERSION")"
fi
case "${RUNNER_OS:-Linux}-${RUNNER_ARCH:-X64}" in
  Linux-X64) target=x86_64-unknown-linux-musl ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *) target="unknown (${RUNNER_OS:-}-${RUNNER_ARCH:-})" ;;
esac
binary=perfbudget
[ "$target" = x86_64-pc-windows-msvc ] && binary=perfbudget.exe

# checksums.txt lines: "<sha256> <version> <target>".
expected=""
if [ -n "$version" ] && [ -f "$checksums" ]; then
  expected="$(awk -v v="$version" -v t="$target" '$2 == v && $3 == t { print $1; exit }' "$checksums")"
fi

if [ -z "$expected" ] && [ -n "$explicit" ]; then
  recorded="$(awk -v t="$target" '$3 == t { printf "%s%s", sep, $2; sep = ", " }' "$checksums" 2>/dev/null || true)"
  echo "::error title=perfbudget::version $explicit was asked for, but this action records no checksum of perfbudget $explicit for $target (recorded: ${recorded:-none}); use an action ref that records it (the release's moving tag, or a commit after its checksums were added) or leave version empty"
  exit 1
fi

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    # macOS runners have shasum, not always sha256sum.
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

if [ -n "$expected" ]; then
  base="${PERFBUDGET_DOWNLOAD_URL:-https://github.com/${GITHUB_ACTION_REPOSITORY:-perfbudget/perfbudget}/releases/download}"
  # HTTPS only; plain HTTP only to this machine (a local mirror or a test), file:// for a
  # folder. The checksum is checked either way.
  case "$base" in
    http://127.0.0.1:* | http://localhost:*) protocols='=http' ;;
    file://*) protocols='=file' ;;
    *) protocols='=https' ;;
  esac
  archive="$root/perfbudget-$target.tar.gz"
  url="$base/v$version/perfbudget-$target.tar.gz"
  if ! curl --proto "$protocols" --proto-redir '=https' -fsSL --retry 5 -o "$archive" "$url"; then
    echo "::error title=perfbudget::could not download perfbudget $version ($target) from $url"
    exit 1
  fi
  actual="$(sha256 "$archive")"
  if [ "$actual" != "$expected" ]; then
    echo "::error title=perfbudget::the downloaded perfbudget $version ($target) has sha256 $actual, not the $expected committed in the action"
    exit 1
  fi
  tar -xzf "$archive" -C "$root/bin" "$binary"
  installed="$("$root/bin/$binary" --version)"
  if [ "$installed" != "perfbudget $version" ]; then
    echo "::error title=perfbudget::the release archive of perfbudget $version ($target) holds '$installed'"
    exit 1
  fi
  echo "perfbudget $version ($target) installed from the release, sha256 $actual"
else
  echo "::notice title=perfbudget::no release of perfbudget ${version:-(unversioned)} for $target is recorded in the action; building it from the action's source"
  cargo install --quiet --locked --path "$action" --root "$root"
fi
echo "$root/bin" >> "${GITHUB_PATH:?}"
