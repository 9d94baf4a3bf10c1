#!/usr/bin/env python3
"""The scheduler (issue 14): how soon a paid order's shipment is on its way, and how many orders
per second the whole flow sustains, next to the spool's own publish-to-claim latency measured
in the same run (the floor: an event cannot reach a consumer faster than the spool carries it).

1. **Latency**: 1,000 orders, one after another, each placed, paid (`pay`, the sandbox's
   checkout page, the approval callback) through `bazaar serve` and the KakaoPay sandbox, with
   `bazaar scheduler` running (auto fulfilment). Latency = the shipment's `started_at` minus the
   moment `approvePayment` returned, both on this machine's clock.
2. **Floor**: `bazaar-bench spool-latency` publishes 1,000 messages (durably: write, fsync,
   rename, fsync) while a consumer waits on inotify; publish-to-claim.
3. **Throughput**: 4 clients run the whole flow (place → pay → approve) for --orders orders;
   orders per second from the first placement until the last order is `shipped`.

Usage: Benchmarks/scheduler.py [--latency-orders N] [--orders N] with bin/bazaar pointing at a
release build (`make bench-scheduler`).
"""

import argparse
import http.client
import os
import json
import shutil
import signal
import sqlite3
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
BENCH = (ROOT / "bin/bazaar-bench").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
KEY = "DEVBENCHKEY"
SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 152"}


class Flow:
    """One client's keep-alive connections to the shop and the sandbox."""

    def __init__(self, shop_port, sandbox_port, token, product):
        self.shop = http.client.HTTPConnection("127.0.0.1", shop_port, timeout=60)
        self.gateway = http.client.HTTPConnection("127.0.0.1", sandbox_port, timeout=60)
        self.auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.product = product

    def call(self, connection, method, path, body=None, headers=None):
        connection.request(method, path, None if body is None else json.dumps(body), headers or {})
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location"), answer.read()

    def order(self):
        """Places and pays one order; returns (order id, when approvePayment returned, ms)."""
        status, _, body = self.call(self.shop, "POST", "/orders", {
            "items": [{"productId": self.product, "quantity": 1}], "shipping": SHIPPING}, self.auth)
        assert status == 201, body
        order = json.loads(body)["id"]
        status, _, body = self.call(self.shop, "POST", f"/orders/{order}/payment", {}, self.auth)
        assert status == 200, body
        page = urllib.parse.urlsplit(json.loads(body)["redirectUrls"]["pc"])
        _, location, _ = self.call(self.gateway, "GET", f"{page.path}?{page.query}&auto=approve")
        callback = urllib.parse.urlsplit(location)
        status, _, body = self.call(self.shop, "GET", f"{callback.path}?{callback.query}",
                                    headers={"Accept": "application/json"})
        assert status == 200 and json.loads(body)["result"] == "completed", body
        return order, time.time() * 1000

    def close(self):
        self.shop.close()
        self.gateway.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-orders", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=600, help="orders for the throughput figure")
    parser.add_argument("--clients", type=int, default=4)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-scheduler-"))
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
           "BAZAAR_LOG_LEVEL": "warning", "BAZAAR_SCRYPT_LOG_N": "14", "KAKAOPAY_SECRET_KEY": KEY,
           "KAKAOPAY_BASE_URL": f"http://127.0.0.1:{sandbox_port}", "BAZAAR_PUBLIC_URL": f"http://127.0.0.1:{shop_port}"}
    processes.append(subprocess.Popen(
        [str(BIN), "sandbox", "kakaopay", "--port", str(sandbox_port), "--secret-key", KEY,
         "--database", str(home / "sandbox.sqlite")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    processes.append(subprocess.Popen([str(BIN), "serve", "--port", str(shop_port)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_for(sandbox_port)
    wait_for(shop_port)
    setup = Flow(shop_port, sandbox_port, "", "")
    setup.call(setup.shop, "POST", "/sellers", {"email": "shop@example.com", "password": "correct horse",
                                                "businessName": "Bench", "businessNumber": "220-81-62517"},
               {"Content-Type": "application/json"})
    seller = json.loads(setup.call(setup.shop, "POST", "/sellers/auth", {"email": "shop@example.com",
                                                                         "password": "correct horse"},
                                   {"Content-Type": "application/json"})[2])["token"]
    product = json.loads(setup.call(setup.shop, "POST", "/products", {
        "name": "Bench item", "description": "", "price": 12000, "stock": 1_000_000},
        {"Authorization": f"Bearer {seller}", "Content-Type": "application/json"})[2])["id"]
    setup.call(setup.shop, "POST", "/users", {"email": "buyer@example.com", "password": "correct horse"},
               {"Content-Type": "application/json"})
    token = json.loads(setup.call(setup.shop, "POST", "/users/auth", {"email": "buyer@example.com",
                                                                      "password": "correct horse"},
                                  {"Content-Type": "application/json"})[2])["token"]
    setup.close()
    processes.append(subprocess.Popen([str(BIN), "scheduler"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
    database = home / "var" / "bazaar.sqlite"

    def started_at(orders):
        with sqlite3.connect(database, timeout=30) as db:
            rows = db.execute(f"SELECT order_id, started_at FROM shipments WHERE order_id IN "
                              f"({','.join('?' * len(orders))}) AND started_at IS NOT NULL", orders).fetchall()
        return dict(rows)

    def wait_shipped(orders):
        while True:
            found = {}
            for start in range(0, len(orders), 500):
                found.update(started_at(orders[start:start + 500]))
            if len(found) == len(orders):
                return found
            time.sleep(0.05)

    # 1. Latency, one order after another.
    flow = Flow(shop_port, sandbox_port, token, product)
    approved = {}
    for _ in range(options.latency_orders):
        order, at = flow.order()
        approved[order] = at
    flow.close()
    started = wait_shipped(list(approved))
    latencies = [started[o] - approved[o] for o in approved]

    # 2. The spool's floor.
    floor = json.loads(subprocess.run([str(BENCH), "spool-latency", "--messages", "1000", "--root",
                                       str(home / "floor")], capture_output=True, text=True, check=True).stdout)

    # 3. Throughput of the whole flow.
    placed = []
    lock = threading.Lock()
    per_client = options.orders // options.clients

    def client():
        flow = Flow(shop_port, sandbox_port, token, product)
        for _ in range(per_client):
            order, _ = flow.order()
            with lock:
                placed.append(order)
        flow.close()

    begin = time.time()
    threads = [threading.Thread(target=client) for _ in range(options.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    last = max(wait_shipped(placed).values()) / 1000
    rate = len(placed) / (last - begin)

    print(f"approve → shipment started, {len(latencies)} orders one after another (scheduler daemon, auto):")
    print("| path | median ms | p99 ms | max ms |")
    print("|---|---|---|---|")
    print(f"| approvePayment returned → shipment started | {statistics.median(latencies):.1f} | "
          f"{percentile(latencies, 0.99):.1f} | {max(latencies):.1f} |")
    print(f"| floor: spool publish → claim ({floor['messages']} messages) | {floor['medianMs']:.1f} | "
          f"{floor['p99Ms']:.1f} | |")
    print(f"| ratio | {statistics.median(latencies) / floor['medianMs']:.1f}× | "
          f"{percentile(latencies, 0.99) / floor['p99Ms']:.1f}× | |")
    print()
    print(f"whole flow (place → pay → approve → shipped), {options.clients} clients, {len(placed)} orders: "
          f"{rate:.0f} orders/s")


if __name__ == "__main__":
    main()
