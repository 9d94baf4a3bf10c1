"""`bazaar queue` through the built binary: the operator's view of the spool."""

import json
import os
import subprocess
import time

import pytest

from conftest import BIN


def event(n, **extra):
    return json.dumps({"specversion": "1.0", "id": f"e{n}", "source": "/tests", "type": "test.happened", **extra})


class Q:
    """Runs `bazaar queue …` against a spool root in a temporary directory."""

    def __init__(self, root, env=None):
        self.root = root
        self.env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(root), **(env or {})}

    def run(self, *args, stdin="", env=None):
        proc = subprocess.run(
            [str(BIN), "queue", *args], input=stdin.encode(), capture_output=True,
            env={**self.env, **(env or {})}, timeout=60,
        )
        out = proc.stdout.decode()
        return proc.returncode, (json.loads(out) if out.strip() else None), proc.stderr.decode()

    def ok(self, *args, stdin=""):
        code, body, err = self.run(*args, stdin=stdin)
        assert code == 0, (args, body, err)
        return body

    def files(self, queue, state):
        return sorted(os.listdir(self.root / "queues" / queue / state))


@pytest.fixture
def q(tmp_path):
    return Q(tmp_path)


def problem(result, status, code, exit_code):
    got_exit, body, err = result
    assert got_exit == exit_code, (body, err)
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == f"/problems/{code}" and body["detail"]


def test_put_take_ack_round_trip(q):
    put = q.ok("put", "orders", stdin=event(1, data={"total": 5000}) + "\n")
    assert set(q.files("orders", "new")) and not q.files("orders", "tmp")
    taken = q.ok("take", "orders", "--lease", "30")
    assert taken["id"] == put["id"] and taken["receiveCount"] == 1
    assert taken["message"] == json.loads(event(1, data={"total": 5000}))
    assert q.files("orders", "cur") and not q.files("orders", "new")
    q.ok("ack", "orders", taken["receipt"])
    assert q.ok("stats", "orders") == {
        "queue": "orders", "ready": 0, "delayed": 0, "inFlight": 0, "done": 0, "dead": 0,
        "oldestReadyAgeSeconds": None,
    }
    problem(q.run("ack", "orders", taken["receipt"]), 409, "lease_lost", 65)


def test_bad_input_gets_problem_objects_and_writes_nothing(q):
    problem(q.run("put", "orders", stdin="not json"), 422, "invalid_message", 65)
    problem(q.run("put", "orders", stdin='{"specversion":"1.0","id":"x","source":"/s"}'), 422, "invalid_message", 65)
    problem(q.run("put", "../escape", stdin=event(1)), 400, "invalid_queue_name", 65)
    problem(q.run("ack", "orders", "../../etc/passwd"), 400, "invalid_receipt", 65)
    big = event(1, data="x" * (256 * 1024))
    problem(q.run("put", "orders", stdin=big), 413, "message_too_large", 65)
    assert q.files("orders", "new") == [] and q.files("orders", "tmp") == []
    assert not (q.root / "escape").exists() and not (q.root / "queues" / ".." / "escape").exists()
    code, _, err = q.run("replay", "orders", "--from", "new", "--all")
    assert code == 64, err


def test_take_on_an_empty_queue_exits_75(q):
    q.ok("create", "orders")
    problem(q.run("take", "orders"), 503, "queue_empty", 75)


def test_reading_commands_never_create_a_queue(q):
    """Only put and create make a queue: a typo in any other command is 404 and leaves no trace."""
    q.ok("put", "orders", stdin=event(1))
    receipt = "1795552242918000-a9b0af04b572f7bd-vm.1795552242918001.1"
    for args in [("take", "typo"), ("take", "typo", "--wait", "0.2"), ("stats", "typo"), ("ack", "typo", receipt),
                 ("nack", "typo", receipt), ("extend", "typo", receipt, "--lease", "5"), ("peek", "typo"),
                 ("replay", "typo", "--from", "dead", "--all"), ("purge", "typo", "--from", "done"),
                 ("reap", "typo"), ("work", "typo", "--once", "--", "true")]:
        got = q.run(*args)
        problem(got, 404, "queue_not_found", 65)
        assert '"typo"' in got[1]["detail"], got[1]
    assert sorted(os.listdir(q.root / "queues")) == ["orders"]
    assert [queue["queue"] for queue in q.ok("stats")["queues"]] == ["orders"]


def test_work_names_a_missing_program_in_words(q):
    q.ok("put", "orders", stdin=event(1))
    code, body, err = q.run("work", "orders", "--once", "--", "./missing.sh")
    assert code == 64, (body, err)
    assert body["code"] == "program_not_found" and "./missing.sh" in body["detail"], body
    assert "USAGE" not in err and "Error Domain" not in err, err
    assert q.ok("stats", "orders")["ready"] == 1, "nothing was taken"


def test_take_wait_wakes_when_a_message_arrives(q):
    q.ok("put", "warmup", stdin=event(0))
    q.ok("create", "orders")
    waiter = subprocess.Popen(
        [str(BIN), "queue", "take", "orders", "--wait", "20"], env=q.env, stdout=subprocess.PIPE,
    )
    time.sleep(0.5)
    started = time.monotonic()
    q.ok("put", "orders", stdin=event(1))
    out, _ = waiter.communicate(timeout=20)
    assert waiter.returncode == 0
    assert json.loads(out)["message"]["id"] == "e1"
    assert time.monotonic() - started < 5, "take --wait slept instead of waking on the new message"


def test_delay_nack_dead_letter_and_replay(q):
    q.ok("create", "orders", "--max-attempts", "2", "--backoff", "fixed:0")
    q.ok("put", "orders", "--delay", "60", stdin=event(9))
    stats = q.ok("stats", "orders")
    assert stats["delayed"] == 1 and stats["ready"] == 0
    problem(q.run("take", "orders"), 503, "queue_empty", 75)

    put = q.ok("put", "orders", stdin=event(1))
    first = q.ok("take", "orders")
    assert first["id"] == put["id"]
    assert q.ok("nack", "orders", first["receipt"], "--error", "card declined")["outcome"] == "retry"
    second = q.ok("take", "orders")
    assert second["receiveCount"] == 2 and second["lastError"] == "card declined"
    assert q.ok("nack", "orders", second["receipt"], "--error", "declined again") == {
        "queue": "orders", "outcome": "dead"}
    dead = q.ok("peek", "orders", "--from", "dead")["messages"]
    assert [m["id"] for m in dead] == [put["id"]]
    assert dead[0]["lastError"] == "declined again (attempt 2 of 2)" and dead[0]["message"]["id"] == "e1"
    assert q.ok("replay", "orders", "--from", "dead", "--id", put["id"])["replayed"] == [put["id"]]
    again = q.ok("take", "orders")
    assert again["id"] == put["id"] and again["receiveCount"] == 1
    problem(q.run("replay", "orders", "--from", "dead", "--id", put["id"]), 404, "message_not_found", 65)


def test_expired_leases_are_reaped_back_with_their_count(q):
    q.ok("put", "orders", stdin=event(1))
    first = q.ok("take", "orders", "--lease", "0.2")
    time.sleep(0.3)
    reaped = q.ok("reap", "orders")["queues"][0]
    assert reaped["returned"] == 1
    second = q.ok("take", "orders")
    assert second["id"] == first["id"] and second["receiveCount"] == 2
    problem(q.run("ack", "orders", first["receipt"]), 409, "lease_lost", 65)
    q.ok("ack", "orders", second["receipt"])


def test_foreign_files_go_to_dead_with_a_reason(q):
    q.ok("put", "orders", stdin=event(1))
    (q.root / "queues" / "orders" / "new" / "README").write_text("not a message")
    reaped = q.ok("reap")["queues"][0]
    assert reaped["quarantined"] == 1
    dead = q.ok("peek", "orders", "--from", "dead")["messages"]
    assert dead[0]["rawMessage"] == "not a message" and 'foreign file "README"' in dead[0]["lastError"]
    assert q.ok("take", "orders")["message"]["id"] == "e1"


def test_a_fifo_in_new_jams_no_consumer(q):
    """A FIFO under a message's name (and one under a foreign name) used to block `take` forever,
    and again after every lease expiry; now each becomes a dead letter saying what it was."""
    jammed = q.ok("put", "orders", stdin=event(1))["id"]
    q.ok("put", "orders", stdin=event(2))
    new = q.root / "queues" / "orders" / "new"
    [name] = [n for n in os.listdir(new) if jammed in n]
    (new / name).unlink()
    os.mkfifo(new / name)
    os.mkfifo(new / "stray-fifo")
    taken = subprocess.run([str(BIN), "queue", "take", "orders"], capture_output=True, env=q.env, timeout=10)
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["message"]["id"] == "e2"
    dead = q.ok("peek", "orders", "--from", "dead")["messages"]
    assert len(dead) == 2 and all("not a regular file (a FIFO)" in d["lastError"] for d in dead)
    assert jammed in {d["id"] for d in dead}
    assert q.files("orders", "new") == [] and q.run("take", "orders")[0] == 75


def test_batch_put_retention_purge_and_ls(q):
    q.ok("create", "audit", "--retain")
    lines = "\n".join(event(n) for n in range(5)) + "\n"
    ids = q.ok("put", "audit", "--batch", stdin=lines)["ids"]
    assert len(ids) == 5
    for expected in ids:
        taken = q.ok("take", "audit")
        assert taken["id"] == expected
        q.ok("ack", "audit", taken["receipt"])
    assert q.ok("stats", "audit")["done"] == 5
    assert len(q.ok("replay", "audit", "--from", "done", "--all")["replayed"]) == 5
    assert q.ok("stats", "audit")["ready"] == 5
    assert q.ok("ls") == {"queues": ["audit"]}
    q.ok("purge", "audit", "--from", "done")
    assert q.ok("stats", "audit")["done"] == 0
