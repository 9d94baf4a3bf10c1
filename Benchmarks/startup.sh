#!/usr/bin/env bash
# Start-up cost of a handler: `functions/getProfile` (process start to JSON out, release
# build, a real token and a real SQLite file) against a Foundation hello-world built the
# same way (release, --static-swift-stdlib), timed by hyperfine in the same run.
# `functions/getProfile` is the link a shell or web server runs (it starts the slim
# `bazaar-fn`); `bazaar invoke getProfile` is the same work in the full `bazaar` binary.
# With PostgreSQL 15 installed, a throw-away cluster adds the same call on a shop whose
# BAZAAR_DATABASE_URL points at it (bazaar-fn hands it to bazaar, which connects with libpq);
# that row goes through env(1) to set the URL, as does an `env hello` row to show env's share.
# Usage: [ROUNDS=5] Benchmarks/startup.sh [runs per round]   (needs `make release`; `make bench` does both)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-200}"
bin="$root/.build/release/bazaar"
[ -x "$bin" ] || { echo "build the release binary first: make release" >&2; exit 64; }

# Built the way `make release` builds bazaar (RELEASE_FLAGS: lld, packed relative relocations).
swift build -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
  --package-path "$root/Benchmarks/HelloFoundation" --scratch-path "$root/.build-hello" >/dev/null
hello="$root/.build-hello/release/hello"

work="$(mktemp -d)"
chmod 755 "$work"
trap '"$root/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
[ "$(readlink -f "$root/bin/bazaar")" = "$(readlink -f "$bin")" ] &&
  [ "$(readlink -f "$root/bin/bazaar-fn")" = "$(readlink -f "$bin-fn")" ] ||
  { echo "bin/bazaar and bin/bazaar-fn must point at the release build: make release" >&2; exit 64; }
export BAZAAR_HOME="$work" BAZAAR_JWT_SECRET="bench-secret-0123456789abcdef0123456789"
echo '{"email":"bench@example.com","password":"correct horse"}' | "$root/functions/signup" >/dev/null 2>&1
export BAZAAR_TOKEN="$(echo '{"email":"bench@example.com","password":"correct horse"}' | "$root/functions/login" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
"$root/functions/getProfile" </dev/null 2>/dev/null | grep -q '"email":"bench@example.com"'
postgres=()
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  url="$("$root/scripts/pg-cluster.sh" start "$work/pg")"
  echo '{"email":"bench@example.com","password":"correct horse"}' |
    BAZAAR_DATABASE_URL="$url" "$root/functions/signup" >/dev/null 2>&1
  pg_token="$(echo '{"email":"bench@example.com","password":"correct horse"}' |
    BAZAAR_DATABASE_URL="$url" "$root/functions/login" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
  env BAZAAR_DATABASE_URL="$url" BAZAAR_TOKEN="$pg_token" "$root/functions/getProfile" </dev/null 2>/dev/null |
    grep -q '"email":"bench@example.com"'
  postgres=(-n "env hello" "env $hello"
    -n "functions/getProfile on PostgreSQL" "env BAZAAR_DATABASE_URL=$url BAZAAR_TOKEN=$pg_token $root/functions/getProfile")
fi

# Interleaved rounds: the machine's speed drifts over seconds, so each round times every
# command back to back and the ratio is taken per round; the report gives the median round.
rounds="${ROUNDS:-5}"
for round in $(seq "$rounds"); do
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/round-$round.json" \
    -n hello "$hello" \
    -n functions/getProfile "$root/functions/getProfile" \
    -n "bazaar invoke getProfile" "$bin invoke getProfile" "${postgres[@]}" >/dev/null
done

python3 - "$work" "$rounds" "$runs" <<'PY2'
import json, statistics, sys
work, rounds, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per_round = [{r["command"]: r for r in json.load(open(f"{work}/round-{i}.json"))["results"]} for i in range(1, rounds + 1)]
names = list(per_round[0])
print(f"{rounds} rounds x {runs} runs each (hyperfine -N, warm page cache)\n")
print("| command | median ms (median of rounds) | ratio to hello (median of per-round ratios) | ratio range |")
print("|---|---|---|---|")
for name in names:
    medians = [r[name]["median"] * 1000 for r in per_round]
    ratios = [r[name]["median"] / r["hello"]["median"] for r in per_round]
    print(f"| `{name}` | {statistics.median(medians):.2f} | {statistics.median(ratios):.2f}x | {min(ratios):.2f}-{max(ratios):.2f} |")
PY2
