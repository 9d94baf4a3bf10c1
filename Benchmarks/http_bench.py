#!/usr/bin/env python3
"""HTTP throughput and tail latency with wrk, every target over one shop (one SQLite file in WAL),
in the same run, rounds interleaved so that drift hits all targets alike:

- `bazaar serve` (in-process) and its own GET /healthz (no handler, no database): the ceiling;
- the FastAPI peer (Benchmarks/peers/fastapi_shop.py: uvicorn, one worker, uvloop and httptools)
  on the same routes: GET /products/{id}, GET /products (first page), GET /orders/{id} with a token;
- GET /products/{id} behind lighttpd and nginx, each through CGI (a process per request:
  mod_cgi, fcgiwrap) and through FastCGI (`bazaar fcgi`: lighttpd spawns it, nginx connects to it).

The table gives medians over rounds, the ratios the issue asks for, and each server's RSS after the
run. Usage: Benchmarks/http_bench.py [--rounds N] [--duration S] [--connections C], with bin/bazaar
pointing at a release build (`make bench-http`).
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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
FN = BIN.with_name("bazaar-fn")
PYTHON = ROOT / ".venv/bin/python"
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
PASSWORD = "correct horse battery"
SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 152",
            "line2": "5F"}


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


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fcgi_pid(home):
    """The `bazaar fcgi` lighttpd spawned for `home`."""
    for proc in Path("/proc").iterdir():
        try:
            if (proc / "cmdline").read_bytes().split(b"\0")[1:2] == [b"fcgi"] and \
                    f"BAZAAR_HOME={home}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                return int(proc.name)
        except (OSError, IndexError):
            pass
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-http-"))
    for sub in ("www", "log", "run", "tmp"):
        (home / sub).mkdir()
    (home / "secret").write_text(SECRET)
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET_FILE": str(home / "secret"),
           "BAZAAR_LOG_LEVEL": "warning"}
    user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
    processes = []
    groups = []  # processes started in a session of their own: stopped with their children
    ports = {name: free_port() for name in ("serve", "peer", "lighttpd-cgi", "lighttpd-fcgi", "nginx-cgi",
                                             "nginx-fcgi")}

    def start(args, extra=None, **kwargs):
        process = subprocess.Popen(args, env={**env, **(extra or {})}, stderr=subprocess.DEVNULL, **kwargs)
        processes.append(process)
        return process

    try:
        serve = start([str(BIN), "serve", "--port", str(ports["serve"]), "--no-storefront"])
        wait_for(ports["serve"])  # the database exists (and is migrated) before anyone else opens it
        base = f"http://127.0.0.1:{ports['serve']}"
        curl("POST", base + "/users", {"email": "bench@example.com", "password": PASSWORD})
        buyer = curl("POST", base + "/users/auth", {"email": "bench@example.com", "password": PASSWORD})["token"]
        curl("POST", base + "/sellers", {"email": "shop@example.com", "password": PASSWORD,
                                         "businessName": "Bench", "businessNumber": "220-81-62517"})
        seller = curl("POST", base + "/sellers/auth", {"email": "shop@example.com", "password": PASSWORD})["token"]
        products = [curl("POST", base + "/products", {"name": f"청송 사과 {n}kg", "description": "Crisp apples",
                                                      "price": 32000 + n, "stock": 40}, token=seller)
                    for n in range(1, 26)]
        product = products[-1]
        order = curl("POST", base + "/orders", {"items": [{"productId": product["id"], "quantity": 1}],
                                               "shipping": SHIPPING}, token=buyer)
        peer = start([str(PYTHON), "-m", "uvicorn", "--app-dir", str(ROOT / "Benchmarks/peers"), "fastapi_shop:app",
                      "--port", str(ports["peer"]), "--workers", "1", "--loop", "uvloop", "--http", "httptools",
                      "--log-level", "warning"], {"BAZAAR_DB": str(home / "var/bazaar.sqlite")})
        start(["lighttpd", "-D", "-f", str(ROOT / "deploy/lighttpd/bazaar.conf")],
              {"BAZAAR_BIN": str(FN), "BAZAAR_PORT": str(ports["lighttpd-cgi"])})
        fcgi_home = home / "lighttpd-fcgi"
        for sub in ("www", "log", "run"):
            (fcgi_home / sub).mkdir(parents=True)
        # lighttpd's responder serves the same database: its home's var/ is the shop's.
        (fcgi_home / "var").symlink_to(home / "var")
        start(["lighttpd", "-D", "-f", str(ROOT / "deploy/lighttpd/bazaar-fastcgi.conf")],
              {"BAZAAR_HOME": str(fcgi_home), "BAZAAR_BIN": str(BIN), "BAZAAR_PORT": str(ports["lighttpd-fcgi"])})
        nginx_responder = start([str(BIN), "fcgi", "--socket", str(home / "run/bazaar-fcgi.sock")])
        groups.append(start(["fcgiwrap", "-c", "4", "-p", str(FN), "-s", f"unix:{home}/run/fcgiwrap.sock"],
                            start_new_session=True))
        for kind, template in (("cgi", "bazaar.conf.template"), ("fcgi", "bazaar-fastcgi.conf.template")):
            conf = home / f"nginx-{kind}"
            for sub in ("log", "run", "tmp"):
                (conf / sub).mkdir(parents=True)
            if kind == "fcgi":
                (conf / "run/bazaar-fcgi.sock").symlink_to(home / "run/bazaar-fcgi.sock")
            else:
                (conf / "run/fcgiwrap.sock").symlink_to(home / "run/fcgiwrap.sock")
            values = {"BAZAAR_HOME": str(conf), "BAZAAR_BIN": str(FN), "BAZAAR_PORT": str(ports[f"nginx-{kind}"]),
                      "BAZAAR_JWT_SECRET_FILE": str(home / "secret"), "BAZAAR_USER": user, "BAZAAR_GROUP": user}
            text = (ROOT / "deploy/nginx" / template).read_text()
            for name, value in values.items():
                text = text.replace("${" + name + "}", value)
            # fcgiwrap passes the program no environment but these parameters: the shop's own home.
            text = text.replace(f"fastcgi_param BAZAAR_HOME {conf};", f"fastcgi_param BAZAAR_HOME {home};")
            (conf / "nginx.conf").write_text(text)
            start(["nginx", "-c", str(conf / "nginx.conf")])
        for port in ports.values():
            wait_for(port)

        auth = home / "auth.lua"
        auth.write_text(f'wrk.headers["Authorization"] = "Bearer {buyer}"\n')
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        pid, oid = product["id"], order["id"]
        cases = [
            ("GET /healthz", "serve", "/healthz", None),
            ("GET /products/{id}", "serve", f"/products/{pid}", None),
            ("GET /products/{id}", "peer", f"/products/{pid}", None),
            ("GET /products", "serve", "/products", None),
            ("GET /products", "peer", "/products", None),
            ("GET /orders/{id}", "serve", f"/orders/{oid}", str(auth)),
            ("GET /orders/{id}", "peer", f"/orders/{oid}", str(auth)),
            ("GET /products/{id}", "lighttpd-cgi", f"/api/products/{pid}", None),
            ("GET /products/{id}", "lighttpd-fcgi", f"/api/products/{pid}", None),
            ("GET /products/{id}", "nginx-cgi", f"/api/products/{pid}", None),
            ("GET /products/{id}", "nginx-fcgi", f"/api/products/{pid}", None),
        ]
        for name, target, path, lua in cases:  # every answer is a 200 before anything is timed
            for _ in range(100):  # lighttpd answers 503 until the responder it spawned listens
                status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", urls[target] + path] +
                                        (["-H", f"Authorization: Bearer {buyer}"] if lua else []),
                                        capture_output=True, text=True).stdout
                if status == "200":
                    break
                time.sleep(0.1)
            assert status == "200", f"{target} {path}: {status}"
        results = {case: [] for case in cases}
        for round_ in range(options.rounds):
            for case in cases:
                name, target, path, lua = case
                results[case].append(wrk(urls[target] + path, options.duration, options.connections, lua))
                print(f"round {round_ + 1} {target:14} {name:20} {results[case][-1]}", flush=True)
        rss = {"serve": rss_mb(serve.pid), "peer": rss_mb(peer.pid), "lighttpd-fcgi": rss_mb(fcgi_pid(fcgi_home)),
               "nginx-fcgi": rss_mb(nginx_responder.pid)}
        rate = {case: statistics.median(r[0] for r in results[case]) for case in cases}
        p99 = {case: statistics.median(r[1] for r in results[case]) for case in cases}
        bad = {case: sum(r[2] for r in results[case]) for case in cases}
        by = {(name, target): rate[(name, target, path, lua)] for name, target, path, lua in cases}
        where = {"serve": "`bazaar serve`, in-process", "peer": "FastAPI peer (uvicorn, 1 worker)",
                 "lighttpd-cgi": "lighttpd `mod_cgi` (`bazaar-fn`)", "lighttpd-fcgi": "lighttpd `mod_fastcgi` (`bazaar fcgi`)",
                 "nginx-cgi": "nginx + fcgiwrap (`bazaar-fn`)", "nginx-fcgi": "nginx `fastcgi_pass` (`bazaar fcgi`)"}
        print()
        print("| route | where | requests/s (median) | p99 ms (median) | non-2xx |")
        print("|---|---|---|---|---|")
        for case in cases:
            name, target, _, _ = case
            print(f"| `{name}` | {where[target]} | {rate[case]:,.0f} | {p99[case]:.2f} | {bad[case]} |")
        print()
        print("| ratio | value | target |")
        print("|---|---|---|")
        ceiling = by[("GET /healthz", "serve")]
        checks = [
            ("`GET /products/{id}` serve ÷ peer", by[("GET /products/{id}", "serve")] / by[("GET /products/{id}", "peer")], 3),
            ("`GET /products/{id}` serve ÷ serve's `/healthz`", by[("GET /products/{id}", "serve")] / ceiling, 0.5),
            ("`GET /products` serve ÷ peer", by[("GET /products", "serve")] / by[("GET /products", "peer")], 3),
            ("`GET /orders/{id}` serve ÷ peer", by[("GET /orders/{id}", "serve")] / by[("GET /orders/{id}", "peer")], 3),
            ("lighttpd FastCGI ÷ lighttpd CGI", by[("GET /products/{id}", "lighttpd-fcgi")] /
             by[("GET /products/{id}", "lighttpd-cgi")], 10),
            ("nginx FastCGI ÷ nginx CGI", by[("GET /products/{id}", "nginx-fcgi")] /
             by[("GET /products/{id}", "nginx-cgi")], 10),
        ]
        for label, value, target in checks:
            print(f"| {label} | **{value:.2f}×** | ≥ {target}× |")
        print()
        print("RSS after the run: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in rss.items()))
        if any(bad.values()):
            sys.exit("some answers were not 2xx")
    finally:
        for process in processes:
            try:
                if process in groups:
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
