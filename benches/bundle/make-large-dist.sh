#!/usr/bin/env bash
# A synthetic build of about 200 MB from real npm files, for timing perfbudget against
# size-limit on the same files (README "Performance"). Every .js, .mjs and .css file over
# 10 kB in NODE_MODULES is copied in turn, under a hashed name, until the total is reached;
# each copy ends with its own comment line, so no two files have the same content and no
# tool can reuse one file's size for another.
#
#   bash benches/bundle/make-large-dist.sh /tmp/bundle/node_modules /tmp/large [MB]
set -euo pipefail
node_modules="${1:?give a node_modules folder}"
out="${2:?give an output folder}"
target_bytes=$(( ${3:-200} * 1000 * 1000 ))
rm -rf "$out" && mkdir -p "$out/dist"
mapfile -t sources < <(find "$node_modules" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' \) -size +10k | LC_ALL=C sort)
[ "${#sources[@]}" -gt 0 ] || { echo "no source files in $node_modules" >&2; exit 1; }
total=0
count=0
while [ "$total" -lt "$target_bytes" ]; do
  for source in "${sources[@]}"; do
    name="$(basename "$source")"
    extension="${name##*.}"
    stem="${name%%.*}"
    folder="$out/dist/assets/$(( count % 50 ))"
    mkdir -p "$folder"
    file="$folder/$stem-$(printf '%08x' $(( count * 2654435761 % 4294967296 ))).$extension"
    { cat "$source"; printf '\n/* perfbudget synthetic copy %d */\n' "$count"; } > "$file"
    total=$(( total + $(stat -c %s "$file") ))
    count=$(( count + 1 ))
    [ "$total" -ge "$target_bytes" ] && break
  done
done
echo "$count files, $total bytes in $out/dist"
