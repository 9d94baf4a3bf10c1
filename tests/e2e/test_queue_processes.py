"""The spool under real processes: competing consumers, SIGKILLs, crashes at each step, SIGTERM."""

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN
from test_queue_cli import Q, event

HANDLER = """#!/bin/sh
# The consumer's effect: record which event this delivery carried, then succeed.
body=$(cat)
id=$(printf '%s' "$body" | sed 's/.*"id": *"\\([^"]*\\)".*/\\1/')
[ -n "$HANDLER_SLEEP" ] && sleep "$HANDLER_SLEEP"
printf '%s\\n' "$id" >> "$EFFECTS"
exit 0
"""


@pytest.fixture
def q(tmp_path):
    handler = tmp_path / "handler.sh"
    handler.write_text(HANDLER)
    handler.chmod(0o755)
    return Q(tmp_path, env={"EFFECTS": str(tmp_path / "effects.log")})


def publish(q, queue, count):
    lines = "\n".join(event(n) for n in range(count))
    return q.ok("put", queue, "--batch", stdin=lines)["ids"]


def effects(q):
    path = q.root / "effects.log"
    return path.read_text().split() if path.exists() else []


def worker(q, queue, *extra, env=None):
    return subprocess.Popen(
        [str(BIN), "queue", "work", queue, *extra, "--", str(q.root / "handler.sh")],
        env={**q.env, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )


def test_competing_consumer_processes_claim_each_message_exactly_once(q):
    q.ok("create", "orders", "--retain")
    ids = publish(q, "orders", 300)
    workers = [worker(q, "orders", "--once", "--concurrency", "3") for _ in range(4)]
    reports = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert sum(r["acked"] for r in reports) == 300
    assert sum(1 for r in reports if r["acked"] > 0) >= 2, "one consumer did everything: no contention tested"
    seen = effects(q)
    assert sorted(seen) == sorted(f"e{n}" for n in range(300)), "a message ran twice or never"
    done_ids = {name.split(",")[1] for name in q.files("orders", "done")}
    assert done_ids == set(ids)
    assert q.files("orders", "new") == q.files("orders", "cur") == q.files("orders", "dead") == []


def test_consumers_killed_at_random_lose_nothing(q):
    rng = random.Random(20261124)
    q.ok("create", "orders", "--retain", "--lease", "1")
    ids = publish(q, "orders", 150)
    env = {"HANDLER_SLEEP": "0.05"}
    workers = [worker(q, "orders", "--concurrency", "2", env=env) for _ in range(3)]
    kills = 0
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and (kills < 5 or len(q.files("orders", "done")) < 150):
        time.sleep(rng.uniform(0.05, 0.3))
        victim = rng.randrange(len(workers))
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait()
        kills += 1
        workers[victim] = worker(q, "orders", "--concurrency", "2", env=env)
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.communicate(timeout=60)
    time.sleep(1.2)  # every lease a killed worker held has expired
    final = worker(q, "orders", "--once", "--concurrency", "2", env={})
    final.communicate(timeout=120)
    assert final.returncode == 0
    time.sleep(0.2)  # handlers orphaned by a SIGKILL finish their effect

    done = [name.split(",")[1] for name in q.files("orders", "done")]
    assert sorted(done) == sorted(ids), "every message is acked exactly once"
    assert q.files("orders", "new") == q.files("orders", "cur") == q.files("orders", "dead") == []
    seen = effects(q)
    assert set(seen) == {f"e{n}" for n in range(150)}, "no message lost its effect"
    duplicates = len(seen) - 150
    # A kill can only duplicate what that worker held between effect and ack: at most its concurrency.
    assert kills >= 5
    assert 0 <= duplicates <= kills * 2, (kills, duplicates)
    print(f"kills={kills} duplicates={duplicates}")


PUBLISH_POINTS = {
    "after-temporary-write": False,  # not yet in new/: the publish did not happen
    "after-rename-into-new": True,   # visible (durable once the directory fsync runs)
    "after-directory-sync": True,
}


@pytest.mark.parametrize("point,visible", PUBLISH_POINTS.items())
def test_a_crash_during_publish_leaves_all_or_nothing(q, point, visible):
    code, _, _ = q.run("put", "orders", stdin=event(1), env={"BAZAAR_SPOOL_FAULT": point})
    assert code == 86, "the debug build's fault hook did not fire"
    new = q.files("orders", "new")
    assert len(new) == (1 if visible else 0)
    if visible:
        taken = q.ok("take", "orders")
        assert taken["message"] == json.loads(event(1)) and taken["receiveCount"] == 1
    else:
        assert len(q.files("orders", "tmp")) == 1
        code, body, _ = q.run("take", "orders")
        assert code == 75 and body["code"] == "queue_empty"


@pytest.mark.parametrize("point", ["after-claim-rename", "after-claim-read"])
def test_a_crash_during_claim_returns_the_message_after_its_lease(q, point):
    put = q.ok("put", "orders", stdin=event(1))
    code, _, _ = q.run("take", "orders", "--lease", "0.3", env={"BAZAAR_SPOOL_FAULT": point})
    assert code == 86
    assert q.files("orders", "new") == [] and len(q.files("orders", "cur")) == 1
    time.sleep(0.4)
    again = q.ok("take", "orders")
    assert again["id"] == put["id"] and again["receiveCount"] == 2
    assert again["message"] == json.loads(event(1))
    q.ok("ack", "orders", again["receipt"])
    assert q.files("orders", "new") == q.files("orders", "cur") == []


def test_a_crash_right_after_ack_leaves_nothing_behind(q):
    q.ok("put", "orders", stdin=event(1))
    taken = q.ok("take", "orders")
    code, _, _ = q.run("ack", "orders", taken["receipt"], env={"BAZAAR_SPOOL_FAULT": "after-ack"})
    assert code == 86
    assert q.files("orders", "new") == q.files("orders", "cur") == []


def test_work_stops_cleanly_on_sigterm_and_finishes_the_message_in_hand(q):
    q.ok("create", "orders", "--retain")
    publish(q, "orders", 1)
    w = worker(q, "orders", env={"HANDLER_SLEEP": "1"})
    for _ in range(100):
        if q.files("orders", "cur"):
            break
        time.sleep(0.02)
    assert q.files("orders", "cur"), "the worker never claimed the message"
    w.send_signal(signal.SIGTERM)
    out, _ = w.communicate(timeout=10)
    assert w.returncode == 0
    assert json.loads(out)["acked"] == 1
    assert len(q.files("orders", "done")) == 1 and q.files("orders", "cur") == []


def test_work_exit_codes_settle_messages(q, tmp_path):
    script = tmp_path / "picky.sh"
    script.write_text('#!/bin/sh\nbody=$(cat)\ncase "$body" in *\\"e1\\"*) exit 75;; *\\"e2\\"*) echo "no stock" >&2; exit 3;; esac\nexit 0\n')
    script.chmod(0o755)
    q.ok("create", "orders", "--max-attempts", "2", "--backoff", "fixed:0")
    publish(q, "orders", 3)
    proc = subprocess.run(
        [str(BIN), "queue", "work", "orders", "--once", "--", str(script)], env=q.env, capture_output=True, timeout=60)
    report = json.loads(proc.stdout)
    assert report == {"queue": "orders", "acked": 1, "retried": 2, "deadLettered": 2, "leaseLost": 0}
    dead = {m["message"]["id"]: m["lastError"] for m in q.ok("peek", "orders", "--from", "dead")["messages"]}
    assert dead["e1"].startswith("temporary failure (exit 75)")
    assert dead["e2"].startswith("exit status 3: no stock")
