#!/usr/bin/env python3
"""HTTP throughput and tail latency with wrk: `bazaar serve` in both isolation modes and the
CGI program behind lighttpd (deploy/lighttpd/bazaar.conf), each next to the runner's own
GET /healthz (no database, no handler) measured in the same run as the ceiling.

Endpoints: GET /products/{id} (a public read) and POST /users/auth (a login: one scrypt
verification at the default cost, 2^15). Rounds interleave the targets so that drift hits
all of them alike; the table gives medians over rounds. Usage: Benchmarks/http_bench.py [--rounds N]
[--duration S] [--connections C] with bin/bazaar pointing at a release build (`make bench-http`).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
LOGIN = {"email": "bench@example.com", "password": "correct horse battery"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port):
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.025)
    raise SystemExit(f"nothing listens on {port}")


def curl(method, url, body=None, token=None):
    args = ["curl", "-s", "-X", method, url]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    return json.loads(subprocess.run(args, capture_output=True, check=True).stdout)


def wrk(url, duration, connections, script=None):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script:
        args[1:1] = ["-s", script]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-http-"))
    for sub in ("www", "log"):
        (home / sub).mkdir()
    (home / "secret").write_text(SECRET)
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET_FILE": str(home / "secret"),
           "BAZAAR_LOG_LEVEL": "warning"}
    processes = []
    ports = {}
    for mode in ("inprocess", "process"):
        ports[mode] = free_port()
        processes.append(subprocess.Popen(
            [str(BIN), "serve", "--port", str(ports[mode]), "--isolation", mode, "--max-concurrent", "32"],
            env=env, stderr=subprocess.DEVNULL))
    ports["lighttpd"] = free_port()
    lighttpd_env = {**env, "BAZAAR_BIN": str(BIN.with_name("bazaar-fn")), "BAZAAR_PORT": str(ports["lighttpd"])}
    processes.append(subprocess.Popen(["lighttpd", "-D", "-f", str(ROOT / "deploy/lighttpd/bazaar.conf")],
                                      env=lighttpd_env, stderr=subprocess.DEVNULL))
    try:
        for port in ports.values():
            wait_for(port)
        base = {"inprocess": f"http://127.0.0.1:{ports['inprocess']}",
                "process": f"http://127.0.0.1:{ports['process']}",
                "lighttpd": f"http://127.0.0.1:{ports['lighttpd']}/api"}
        runner = base["inprocess"]
        curl("POST", runner + "/users", LOGIN)
        curl("POST", runner + "/sellers", {"email": "bench-shop@example.com", "password": LOGIN["password"],
                                           "businessName": "Bench", "businessNumber": "220-81-62517"})
        seller = curl("POST", runner + "/sellers/auth",
                      {"email": "bench-shop@example.com", "password": LOGIN["password"]})["token"]
        product = curl("POST", runner + "/products", {"name": "청송 사과 5kg", "description": "Crisp apples",
                                                      "price": 32000, "stock": 40}, token=seller)
        script = home / "login.lua"
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                          f"wrk.body = {json.dumps(json.dumps(LOGIN))}\n")
        cases = [("healthz (ceiling)", "inprocess", "/healthz", None)]
        for target in ("inprocess", "process", "lighttpd"):
            cases.append((f"GET /products/{{id}}", target, f"/products/{product['id']}", None))
            cases.append(("POST /users/auth", target, "/users/auth", str(script)))
        results = {case: [] for case in cases}
        for round_ in range(options.rounds):
            for case in cases:
                name, target, path, lua = case
                results[case].append(wrk(base[target] + path, options.duration, options.connections, lua))
                print(f"round {round_ + 1} {target:9} {name:20} {results[case][-1]}", flush=True)
        ceiling = statistics.median(r[0] for r in results[cases[0]])
        print()
        print(f"| endpoint | where | requests/s (median) | vs /healthz | p99 ms (median) | non-2xx |")
        print("|---|---|---|---|---|---|")
        for case in cases:
            name, target, _, _ = case
            rps = statistics.median(r[0] for r in results[case])
            p99 = statistics.median(r[1] for r in results[case])
            bad = sum(r[2] for r in results[case])
            where = {"inprocess": "serve, in-process", "process": "serve, process per request",
                     "lighttpd": "lighttpd mod_cgi"}[target]
            print(f"| `{name}` | {where} | {rps:,.0f} | {rps / ceiling:.4f}× | {p99:.2f} | {bad} |")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
