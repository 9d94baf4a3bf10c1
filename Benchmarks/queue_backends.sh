#!/usr/bin/env bash
# Claim+ack per second on PostgreSQL's queue against the directory spool, in the same run
# (`bazaar-bench queue-backends`), on a throw-away cluster (fsync on, loopback).
# Usage: Benchmarks/queue_backends.sh [messages]   (needs `make release`; `make bench-scaleout` does both)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/bazaar-queue-bench-XXXXXX)"
chmod 755 "$work"
trap '"$root/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
url="$("$root/scripts/pg-cluster.sh" start "$work/pg")"
"$root/.build/release/bazaar-bench" queue-backends --url "$url" --messages "${1:-5000}" --rounds "${ROUNDS:-3}"
