#!/usr/bin/env python3
"""Payments (issue 13), two figures, each next to its reference in the same run:

1. The full pay → approve round trip through `bazaar serve` (in-process) and the production
   KakaoPay adapter against `bazaar sandbox kakaopay`: POST /orders/{id}/payment (Bazaar calls
   ready), the checkout page's Approve (`?auto=approve`, the sandbox's 303), and the approval
   callback (Bazaar calls approve, checks the amount, commits the order paid with its events).
   The reference is the sandbox alone doing the same: ready, the checkout page, approve, called
   directly. Round trips per second and p99 at C concurrent clients (keep-alive connections),
   the ratio giving Bazaar's overhead. Rounds interleave the two.
2. GET /products/{id} p99 (wrk, 2 threads, 8 connections) with no payment call in flight, then
   while 8 pay calls hang on the gateway (the sandbox holds its ready answer for a minute). The
   target is a ratio under 2.

Usage: Benchmarks/payments.py [--rounds N] [--orders N] [--clients C] [--duration S] with
bin/bazaar pointing at a release build (`make bench-payments`).
"""

import argparse
import http.client
import os
import json
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from benchlib import free_port, percentile, wait_for

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
KEY = "DEVBENCHKEY"
SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 152"}


class Connection:
    """One keep-alive HTTP/1.1 connection to one port."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method, target, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        headers = dict(headers or {})
        if data is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, target, data, headers)
        answer = self.conn.getresponse()
        payload = answer.read()
        return answer.status, answer.getheader("Location"), payload

    def close(self):
        self.conn.close()


def clients_run(clients, jobs, work):
    """Runs `work(connection set, job)` over `jobs` split among `clients` threads: (per second, latencies)."""
    latencies = []
    lock = threading.Lock()
    queue = list(jobs)

    def worker():
        state = {}
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            started = time.perf_counter()
            work(state, job)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
        for connection in state.values():
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies


def connection(state, port):
    if port not in state:
        state[port] = Connection(port)
    return state[port]


def bazaar_round_trip(shop_port, sandbox_port, token):
    def work(state, order):
        shop, gateway = connection(state, shop_port), connection(state, sandbox_port)
        status, _, body = shop.request("POST", f"/orders/{order}/payment", {}, {"Authorization": f"Bearer {token}"})
        assert status == 200, body
        page = urllib.parse.urlsplit(json.loads(body)["redirectUrls"]["pc"])
        status, location, _ = gateway.request("GET", f"{page.path}?{page.query}&auto=approve")
        assert status == 303, status
        callback = urllib.parse.urlsplit(location)
        status, _, body = shop.request("GET", f"{callback.path}?{callback.query}", headers={"Accept": "application/json"})
        assert status == 200 and json.loads(body)["result"] == "completed", body
    return work


def sandbox_alone(sandbox_port):
    def work(state, order):
        gateway = connection(state, sandbox_port)
        auth = {"Authorization": f"SECRET_KEY {KEY}"}
        ready = {"cid": "TC0ONETIME", "partner_order_id": order, "partner_user_id": "usr_bench",
                 "item_name": "Bench item", "quantity": 1, "total_amount": 12000, "tax_free_amount": 0,
                 "approval_url": "http://shop.example/payments/kakaopay/approve?state=x",
                 "cancel_url": "http://shop.example/c", "fail_url": "http://shop.example/f"}
        status, _, body = gateway.request("POST", "/online/v1/payment/ready", ready, auth)
        assert status == 200, body
        answer = json.loads(body)
        page = urllib.parse.urlsplit(answer["next_redirect_pc_url"])
        status, location, _ = gateway.request("GET", f"{page.path}?{page.query}&auto=approve")
        assert status == 303
        token = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["pg_token"]
        approve = {"cid": "TC0ONETIME", "tid": answer["tid"], "partner_order_id": order,
                   "partner_user_id": "usr_bench", "pg_token": token}
        status, _, body = gateway.request("POST", "/online/v1/payment/approve", approve, auth)
        assert status == 200, body
    return work


def wrk_p99(port, product, duration):
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", f"http://127.0.0.1:{port}/products/{product}"],
                         capture_output=True, text=True, check=True).stdout
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=300, help="round trips per side and round")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per read measurement")
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-payments-"))
    processes = []
    try:
        run(home, options, processes)
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def run(home, options, processes):
    sandbox_port, shop_port = free_port(), free_port()
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET,
           "BAZAAR_LOG_LEVEL": "warning", "BAZAAR_SCRYPT_LOG_N": "14"}
    processes.append(subprocess.Popen(
        [str(BIN), "sandbox", "kakaopay", "--port", str(sandbox_port), "--secret-key", KEY, "--control",
         "--database", str(home / "sandbox.sqlite")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    shop_env = {**env, "KAKAOPAY_SECRET_KEY": KEY, "KAKAOPAY_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
                "BAZAAR_PUBLIC_URL": f"http://127.0.0.1:{shop_port}", "KAKAOPAY_TIMEOUT": "120"}
    processes.append(subprocess.Popen([str(BIN), "serve", "--port", str(shop_port)], env=shop_env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_for(sandbox_port)
    wait_for(shop_port)
    shop = Connection(shop_port)
    _, _, _ = shop.request("POST", "/sellers", {"email": "shop@example.com", "password": "correct horse",
                                                "businessName": "Bench", "businessNumber": "220-81-62517"})
    seller = json.loads(shop.request("POST", "/sellers/auth", {"email": "shop@example.com",
                                                               "password": "correct horse"})[2])["token"]
    product = json.loads(shop.request("POST", "/products", {"name": "Bench item", "description": "", "price": 12000,
                                                            "stock": 1_000_000},
                                      {"Authorization": f"Bearer {seller}"})[2])["id"]
    shop.request("POST", "/users", {"email": "buyer@example.com", "password": "correct horse"})
    token = json.loads(shop.request("POST", "/users/auth", {"email": "buyer@example.com",
                                                            "password": "correct horse"})[2])["token"]

    def place(count):
        orders = []
        for _ in range(count):
            status, _, body = shop.request("POST", "/orders", {"items": [{"productId": product, "quantity": 1}],
                                                               "shipping": SHIPPING},
                                           {"Authorization": f"Bearer {token}"})
            assert status == 201, body
            orders.append(json.loads(body)["id"])
        return orders

    trips = {"bazaar": [], "sandbox": []}
    for round_ in range(options.rounds):
        orders = place(options.orders)
        trips["sandbox"].append(clients_run(options.clients, [f"ord_bench{round_}_{i}" for i in range(options.orders)],
                                            sandbox_alone(sandbox_port)))
        trips["bazaar"].append(clients_run(options.clients, orders, bazaar_round_trip(shop_port, sandbox_port, token)))

    reads = {"idle": [], "hanging": []}
    hang_orders = place(8 * options.rounds)
    gateway = Connection(sandbox_port)
    for round_ in range(options.rounds):
        reads["idle"].append(wrk_p99(shop_port, product, options.duration))
        gateway.request("PUT", "/_control/delays", {"ready": 60})
        hanging = [threading.Thread(target=lambda o=o: Connection(shop_port).request(
            "POST", f"/orders/{o}/payment", {}, {"Authorization": f"Bearer {token}"}), daemon=True)
            for o in hang_orders[round_ * 8:(round_ + 1) * 8]]
        for thread in hanging:
            thread.start()
        time.sleep(0.5)  # every pay call is now waiting on the gateway
        reads["hanging"].append(wrk_p99(shop_port, product, options.duration))
        gateway.request("PUT", "/_control/delays", {})
        for thread in hanging:
            thread.join(timeout=90)
    shop.close()
    gateway.close()

    def summary(runs):
        rate = statistics.median(r for r, _ in runs)
        p99 = statistics.median(percentile(l, 0.99) for _, l in runs) * 1000
        p50 = statistics.median(percentile(l, 0.50) for _, l in runs) * 1000
        return rate, p50, p99

    b_rate, b_p50, b_p99 = summary(trips["bazaar"])
    s_rate, s_p50, s_p99 = summary(trips["sandbox"])
    idle_p99 = statistics.median(p for p, _ in reads["idle"])
    hang_p99 = statistics.median(p for p, _ in reads["hanging"])
    idle_rate = statistics.median(r for _, r in reads["idle"])
    hang_rate = statistics.median(r for _, r in reads["hanging"])
    print(f"pay → approve round trip, {options.clients} clients, {options.orders} per round, "
          f"median of {options.rounds} rounds")
    print("| path | round trips/s | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    print(f"| Bazaar (serve in-process + adapter + sandbox) | {b_rate:.0f} | {b_p50:.1f} | {b_p99:.1f} |")
    print(f"| sandbox alone (ready + page + approve) | {s_rate:.0f} | {s_p50:.1f} | {s_p99:.1f} |")
    print(f"| ratio Bazaar / sandbox | {b_rate / s_rate:.2f}× | | {b_p99 / s_p99:.2f}× |")
    print()
    print(f"GET /products/{{id}} (wrk -t2 -c8 -d{options.duration}s), median of {options.rounds} rounds")
    print("| gateway | req/s | p99 ms |")
    print("|---|---|---|")
    print(f"| idle | {idle_rate:.0f} | {idle_p99:.2f} |")
    print(f"| 8 pay calls hanging on it | {hang_rate:.0f} | {hang_p99:.2f} |")
    print(f"| ratio hanging / idle | {hang_rate / idle_rate:.2f}× | {hang_p99 / idle_p99:.2f}× |")


if __name__ == "__main__":
    main()
