#!/usr/bin/env bash
# Start-up cost of a handler: `functions/getProfile` (process start to JSON out, release
# build, a real token and a real SQLite file) against a Foundation hello-world built the
# same way (release, --static-swift-stdlib), timed by hyperfine in one run.
# Usage: Benchmarks/startup.sh [runs]   (needs `make release` first; `make bench` does both)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-300}"
bin="$root/.build/release/bazaar"
[ -x "$bin" ] || { echo "build the release binary first: make release" >&2; exit 64; }

swift build -c release --static-swift-stdlib --package-path "$root/Benchmarks/HelloFoundation" \
  --scratch-path "$root/.build-hello" >/dev/null
hello="$root/.build-hello/release/hello"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export BAZAAR_HOME="$work" BAZAAR_BIN="$bin" BAZAAR_JWT_SECRET="bench-secret-0123456789abcdef0123456789"
echo '{"email":"bench@example.com","password":"correct horse"}' | "$root/functions/signup" >/dev/null 2>&1
export BAZAAR_TOKEN="$(echo '{"email":"bench@example.com","password":"correct horse"}' | "$root/functions/login" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
"$root/functions/getProfile" </dev/null 2>/dev/null | grep -q '"email":"bench@example.com"'

hyperfine -N --warmup 30 --runs "$runs" --export-json "$work/startup.json" \
  -n hello "$hello" \
  -n getProfile "$root/functions/getProfile" \
  -n "bazaar invoke getProfile" "$bin invoke getProfile" >&2

python3 - "$work/startup.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["hello"]["median"]
print("| command | median ms | mean ± σ ms | ratio to hello (median) |")
print("|---|---|---|---|")
for name, r in results.items():
    print(f"| `{name}` | {r['median']*1000:.2f} | {r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} | {r['median']/base:.2f}× |")
PY
