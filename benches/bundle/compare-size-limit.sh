#!/usr/bin/env bash
# Times size-limit 12 and perfbudget on the same synthetic build, as in the README's
# "Performance" table: raw and gzip with hyperfine (5 runs after a warm-up), brotli once each
# with /usr/bin/time (two minutes a run), and perfbudget again from its size cache.
#
#   bash benches/bundle/make-large-dist.sh NODE_MODULES /tmp/large 200
#   bash benches/bundle/compare-size-limit.sh /tmp/large target/release/perfbudget
#
# NODE_MODULES must hold size-limit@12 and @size-limit/file@12 (npm install them anywhere);
# it is linked into the work folder. Needs hyperfine and GNU time.
set -euo pipefail
work="${1:?give the folder make-large-dist.sh wrote}"
perfbudget="$(realpath "${2:?give the perfbudget binary}")"
node_modules="$(realpath "${3:-$work/node_modules}")"
cd "$work"
[ -e node_modules ] || ln -s "$node_modules" node_modules
# size-limit finds its plugin through package.json.
echo '{"name":"large","version":"1.0.0","devDependencies":{"size-limit":"12.1.0","@size-limit/file":"12.1.0"}}' > package.json
for c in none gzip brotli; do
  case $c in none) o='"brotli": false';; gzip) o='"gzip": true';; brotli) o='"brotli": true';; esac
  echo "[{\"name\":\"all\",\"path\":[\"dist/**/*.js\",\"dist/**/*.mjs\",\"dist/**/*.css\"],$o,\"limit\":\"1 GB\"}]" > "sl-$c.json"
  printf 'version: 1\nbudgets:\n  - { name: all, metric: bundle_size, files: ["dist/**/*.js", "dist/**/*.mjs", "dist/**/*.css"], compression: %s, max: 1 GB }\n' "$c" > "pb-$c.yml"
done
for c in none gzip; do
  ./node_modules/.bin/size-limit --config "sl-$c.json" --json > "sl-$c.out.json"
  "$perfbudget" check --budget "pb-$c.yml" --no-cache --json "pb-$c.out.json" > /dev/null
  hyperfine -N -w 1 -r 5 --export-json "hf-$c.json" \
    "./node_modules/.bin/size-limit --config sl-$c.json --json" "$perfbudget check --budget pb-$c.yml --no-cache"
done
/usr/bin/time -v "$perfbudget" check --budget pb-brotli.yml --no-cache --json pb-brotli.out.json > /dev/null 2> pb-brotli.time
/usr/bin/time -v ./node_modules/.bin/size-limit --config sl-brotli.json --json > sl-brotli.out.json 2> sl-brotli.time
rm -rf cache
"$perfbudget" check --budget pb-brotli.yml --cache-dir cache > /dev/null
hyperfine -N -w 1 -r 10 --export-json hf-cached.json \
  "$perfbudget check --budget pb-brotli.yml --cache-dir cache" "$perfbudget check --budget pb-gzip.yml --cache-dir cache"
grep -H -E 'Elapsed|Maximum resident' pb-brotli.time sl-brotli.time
grep -h '"size"' sl-*.out.json; grep -h '"value"' pb-*.out.json
