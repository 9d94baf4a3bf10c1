#!/usr/bin/env python3
"""Spool benchmark driver (issue 3): runs `bazaar-bench spool` and the persist-queue peer in
alternating rounds and prints the per-round ratios as a Markdown table.

Usage: Benchmarks/spool.py [--rounds 7] [--messages 400] [--directory DIR]
(`make bench-spool` runs it with the release binary and the project's venv.)
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import persistqueue
from persistqueue.serializers import json as json_serializer

ROOT = Path(__file__).resolve().parents[1]
BODY = json.loads(
    '{"specversion":"1.0","id":"0190f0a2-0000-7000-8000-000000000000","source":"/orders",'
    '"type":"order.placed","time":"2026-11-24T12:00:00Z",'
    '"data":{"orderId":"01JD0000000000000000000000","total":125000}}'
)


def peer(directory, messages):
    """persist-queue's SQLiteAckQueue: put, get, ack per message; every commit fsynced."""
    path = Path(directory) / "persist-queue"
    shutil.rmtree(path, ignore_errors=True)
    queue = persistqueue.SQLiteAckQueue(str(path), auto_commit=True, serializer=json_serializer)
    synchronous = queue._putter.execute("PRAGMA synchronous").fetchone()[0]
    journal = queue._putter.execute("PRAGMA journal_mode").fetchone()[0]
    assert synchronous == 2, f"peer must fsync every commit (synchronous=FULL), got {synchronous}"
    started = time.perf_counter()
    for _ in range(messages):
        queue.put(BODY)
        item = queue.get(raw=True)
        queue.ack(id=item["pqid"])
    elapsed = time.perf_counter() - started
    queue.close()
    shutil.rmtree(path, ignore_errors=True)
    return messages / elapsed, f"{journal}, synchronous={synchronous}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--directory", default=str(ROOT / "var" / "bench-spool"))
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    rows = []
    mode = ""
    for _ in range(args.rounds):
        out = subprocess.run(
            [str(ROOT / "bin" / "bazaar-bench"), "spool", "--rounds", "1", "--messages", str(args.messages),
             "--directory", args.directory + "/spool"],
            check=True, capture_output=True, text=True,
        ).stdout
        ours = json.loads(out)["rounds"][0]
        peer_rate, mode = peer(args.directory, args.messages)
        ours["peerPerSecond"] = peer_rate
        ours["libraryToPeer"] = ours["libraryPerSecond"] / peer_rate
        rows.append(ours)

    def line(label, key, ratio_key=None):
        values = [r[key] for r in rows]
        text = f"| {label} | {statistics.median(values):,.0f} |"
        if ratio_key:
            ratios = [r[ratio_key] for r in rows]
            text += f" **{statistics.median(ratios):.2f}×** | {min(ratios):.2f}–{max(ratios):.2f} |"
        else:
            text += " | |"
        return text

    print(f"{args.rounds} rounds × {args.messages} messages; peer: persist-queue {persistqueue.__version__} "
          f"SQLiteAckQueue ({mode})\n")
    print("| measurement | median msg/s | ratio (median of rounds) | range |")
    print("|---|---|---|---|")
    print(line("floor probe: write, fsync, rename, fsync dir, rename, unlink", "floorPerSecond"))
    print(line("spool: publish + claim + ack (vs floor)", "libraryPerSecond", "libraryToFloor"))
    print(line("single publish ×100", "singlePublishPerSecond"))
    print(line("batch publish of 100 (vs single)", "batchPublishPerSecond", "batchToSingle"))
    print(line("persist-queue put + get + ack", "peerPerSecond"))
    print(line("spool vs persist-queue", "libraryPerSecond", "libraryToPeer"))


if __name__ == "__main__":
    main()
