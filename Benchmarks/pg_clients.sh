#!/usr/bin/env bash
# Issue 18's choice of PostgreSQL client, measured: a one-shot process that connects, runs one
# query and exits, written with libpq (Benchmarks/PostgresClients/LibPQProbe) and with
# postgres-nio (…/NIOProbe), each built clean the way `make release` builds (--static-swift-stdlib,
# lld), timed by hyperfine against a throw-away cluster (scripts/pg-cluster.sh) next to the
# Foundation hello-world of the start-up benchmark, in the same run.
# Usage: Benchmarks/pg_clients.sh [runs]   (needs postgresql-15, libpq-dev, hyperfine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-100}"
flags=(-c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
work="$(mktemp -d /tmp/bazaar-pg-clients.XXXXXX)"
chmod 755 "$work"
trap '"$root/scripts/pg-cluster.sh" stop "$work/cluster"; rm -rf "$work"' EXIT
for probe in LibPQProbe NIOProbe; do
  started=$(date +%s.%N)
  swift build "${flags[@]}" --package-path "$root/Benchmarks/PostgresClients/$probe" --scratch-path "$work/$probe" >/dev/null 2>&1
  echo "$probe: clean release build $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s"
done
swift build "${flags[@]}" --package-path "$root/Benchmarks/HelloFoundation" --scratch-path "$root/.build-hello" >/dev/null
url="$("$root/scripts/pg-cluster.sh" start "$work/cluster")"
"$work/LibPQProbe/release/pq-probe" "$url"
"$work/NIOProbe/release/nio-probe" "$url"
hyperfine -N -w 10 -r "$runs" --export-markdown "$work/table.md" \
  -n hello "$root/.build-hello/release/hello" \
  -n libpq "$work/LibPQProbe/release/pq-probe $url" \
  -n postgres-nio "$work/NIOProbe/release/nio-probe $url" >/dev/null
sed "s#$url#URL#g" "$work/table.md"
ls -l "$work/LibPQProbe/release/pq-probe" "$work/NIOProbe/release/nio-probe" | awk '{print $9, $5}' | sed "s#$work/##"
