#!/usr/bin/env python3
"""Reads during a sign-in flood (issue 16): `GET /products/{id}` latency on `bazaar serve`
(in-process) with and without 200 concurrent wrong sign-ins, in the same run.

Each round measures reads for --seconds with no flood (the baseline), then for --seconds while
200 clients keep signing in with wrong passwords for unknown emails (each a full scrypt check:
the throttle never short-cuts them, since every email is new). The readers are 4 keep-alive
clients in a loop. The target: the flood moves the reads' p99 by less than 2×.

Usage: Benchmarks/login_flood.py [--rounds N] [--seconds S] with bin/bazaar pointing at a
release build (`make bench-login`).
"""

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from benchlib import free_port, percentile, wait_for

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"


def call(port, method, path, body=None, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, None if body is None else json.dumps(body), headers)
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, json.loads(data) if data else None


def read_for(port, path, seconds, readers=4):
    """Latencies (ms) of reads by `readers` keep-alive clients for `seconds`."""
    latencies, stop = [], time.monotonic() + seconds

    def reader():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200, answer.status
            latencies.append((time.perf_counter() - started) * 1000)
        connection.close()
    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def flood(port, stop, rejected, refused, honour_retry_after, clients=200):
    """In its own process (so the readers never wait on this one's GIL): `clients` threads
    signing in with wrong passwords for fresh unknown emails, back to back, until `stop`;
    with `honour_retry_after`, a client told 429 waits as `Retry-After` asks."""
    numbers = itertools.count()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not stop.is_set():
            body = json.dumps({"email": f"flood{next(numbers)}@example.com", "password": "wrong password"})
            try:
                connection.request("POST", "/users/auth", body, {"Content-Type": "application/json"})
                answer = connection.getresponse()
                answer.read()
                counter = rejected if answer.status == 401 else refused
                with counter.get_lock():
                    counter.value += 1
                if answer.status == 429 and honour_retry_after:
                    stop.wait(float(answer.getheader("Retry-After", "1")))
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.close()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def rss_megabytes(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-login-"))
    port = free_port()
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET,
           "BAZAAR_LOG_LEVEL": "warning"}
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, cwd=home,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        call(port, "POST", "/sellers", {"email": "bench@example.com", "password": "correct horse",
                                        "businessName": "Bench", "businessNumber": "220-81-62517"})
        token = call(port, "POST", "/sellers/auth", {"email": "bench@example.com", "password": "correct horse"})[1]["token"]
        product = call(port, "POST", "/products", {"name": "청송 사과 5kg", "price": 32000, "stock": 10}, token)[1]
        path = f"/products/{product['id']}"
        read_for(port, path, 1)  # warm up
        rss_before = rss_megabytes(server.pid)
        for honour in (True, False):
            rows = []
            for _ in range(arguments.rounds):
                quiet = read_for(port, path, arguments.seconds)
                stop = multiprocessing.Event()
                rejected, refused = multiprocessing.Value("l", 0), multiprocessing.Value("l", 0)
                flooder = multiprocessing.Process(target=flood, args=(port, stop, rejected, refused, honour))
                flooder.start()
                time.sleep(1)  # let the flood fill the hashing queue
                loud = read_for(port, path, arguments.seconds)
                stop.set()
                flooder.join()
                rows.append((quiet, loud, rejected.value, refused.value))
            print(f"GET /products/{{id}}, 4 readers, {arguments.seconds:.0f} s each, {arguments.rounds} rounds; "
                  f"200 flood clients {'honouring' if honour else 'ignoring'} Retry-After:")
            print("round | reads quiet | p50 quiet | p99 quiet | reads flood | p50 flood | p99 flood | p99 ratio | "
                  "sign-ins 401 / 429")
            ratios = []
            for index, (quiet, loud, wrong, held) in enumerate(rows, 1):
                ratio = percentile(loud, 0.99) / percentile(quiet, 0.99)
                ratios.append(ratio)
                print(f"{index} | {len(quiet)} | {statistics.median(quiet):.2f} ms | "
                      f"{percentile(quiet, 0.99):.2f} ms | {len(loud)} | {statistics.median(loud):.2f} ms | "
                      f"{percentile(loud, 0.99):.2f} ms | {ratio:.2f}× | {wrong} / {held}")
            print(f"median p99 ratio: {statistics.median(ratios):.2f}×" + (" (target < 2×)" if honour else ""))
        print(f"server RSS {rss_before:.0f} MB before the floods, {rss_megabytes(server.pid):.0f} MB after")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        subprocess.run(["rm", "-rf", str(home)])


if __name__ == "__main__":
    main()
