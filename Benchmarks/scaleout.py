#!/usr/bin/env python3
"""The shop past one machine (issue 18): `placeOrder` and the whole order → shipped flow with
one, two and three hosts against one PostgreSQL, next to the single-box SQLite shop measured in
the same run, rounds interleaved.

Hosts are network namespaces on one bridge (tests/e2e/netns.py): PostgreSQL runs in one, each
shop host runs `bazaar serve` and `bazaar scheduler` in its own, the KakaoPay sandbox and the
load generators run outside. All of them share this machine's cores, so the curve shows what
the database and the hosts cost, not what more machines would add; the CPU each side used is
reported to say where the time goes.

- placeOrder: wrk (1 thread per host; `--connections` in all, split evenly) against every host
  at once for `--duration` seconds, one unit of one of 20 products per order, a fresh idempotency key each; orders/s summed.
- flow: `--orders` orders placed, paid through the sandbox (ready, the checkout page's approve,
  the callback) by 8 client threads spread over the hosts, and shipped by the schedulers of
  those hosts; orders/s from the first order to the last shipment.

Usage (root, release build: `make bench-scaleout`): Benchmarks/scaleout.py [--rounds N]
"""

import argparse
import contextlib
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from netns import Network, call  # noqa: E402
from orders import LUA  # noqa: E402  (the same placeOrder request as make bench-orders)

BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 152"}
PASSWORD = "correct horse"
NUMBERS = ["220-81-62517", "124-81-00998"]

def cpu_seconds(prefixes):
    """CPU seconds used so far by live processes whose command name starts with each prefix."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {prefix: 0.0 for prefix in prefixes}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        for prefix in prefixes:
            if name.startswith(prefix):
                used[prefix] += (int(fields[11]) + int(fields[12])) / ticks
    return used


class Shop:
    """A shop's hosts (address, port, namespace or None) and how to start their processes."""

    def __init__(self, name, hosts, env, homes):
        self.name, self.hosts, self.env, self.homes = name, hosts, env, homes
        self.servers, self.schedulers = [], []

    def spawn(self, index, args):
        namespace = self.hosts[index][2]
        prefix = ["ip", "netns", "exec", namespace] if namespace else []
        return subprocess.Popen([*prefix, *args], env={**self.env, "BAZAAR_HOME": str(self.homes[index])},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_servers(self):
        for index, (address, port, _) in enumerate(self.hosts):
            self.servers.append(self.spawn(index, [str(BIN), "serve", "--host", address, "--port", str(port)]))
        for address, port, _ in self.hosts:
            for _ in range(400):
                try:
                    call(address, port, "GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.025)

    def start_schedulers(self, count):
        self.schedulers = [self.spawn(index, [str(BIN), "scheduler", "--interval", "1"]) for index in range(count)]

    def stop_schedulers(self):
        for process in self.schedulers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        self.schedulers = []

    def stop(self):
        self.stop_schedulers()
        for process in self.servers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)

    def seed(self, work):
        """A seller with 20 products (stock 1,000,000) and a buyer; the wrk script."""
        address, port, _ = self.hosts[0]
        suffix = uuid.uuid4().hex[:6]
        status, _, _ = call(address, port, "POST", "/sellers", {
            "email": f"seller{suffix}@example.com", "password": PASSWORD, "businessName": "Bench",
            "businessNumber": NUMBERS[0]})
        assert status == 201
        _, _, auth = call(address, port, "POST", "/sellers/auth", {"email": f"seller{suffix}@example.com",
                                                                  "password": PASSWORD})
        self.products = []
        for index in range(20):
            status, _, product = call(address, port, "POST", "/products", {
                "name": f"Bench item {index}", "description": "", "price": 12000, "stock": 1_000_000},
                token=auth["token"])
            assert status == 201, product
            self.products.append(product["id"])
        call(address, port, "POST", "/users", {"email": f"buyer{suffix}@example.com", "password": PASSWORD})
        _, _, login = call(address, port, "POST", "/users/auth", {"email": f"buyer{suffix}@example.com",
                                                                 "password": PASSWORD})
        self.token = login["token"]
        self.script = work / f"order-{self.name}.lua"
        self.script.write_text(LUA % (", ".join(f'"{p}"' for p in self.products), uuid.uuid4().hex[:8],
                                      json.dumps(SHIPPING), self.token))

    def place_orders(self, count, duration, connections):
        """placeOrder/s with wrk against the first `count` hosts at once, `connections` in all."""
        runs = [subprocess.Popen(["wrk", "-t1", f"-c{connections // count}", f"-d{duration}s", "-s", str(self.script),
                                  f"http://{address}:{port}/orders"], stdout=subprocess.PIPE, text=True)
                for address, port, _ in self.hosts[:count]]
        total = 0.0
        for run in runs:
            out = run.communicate()[0]
            assert "Non-2xx" not in out, out
            total += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        return total

    def flow(self, count, orders, gateway, shipped, pending):
        """Orders/s from the first order placed to the last one shipped, over `count` hosts. The
        schedulers first relay what the placeOrder run left in the outbox (untimed)."""
        self.start_schedulers(count)
        deadline = time.monotonic() + 600
        while pending() > 0:
            assert time.monotonic() < deadline, "the outbox never drained"
            time.sleep(0.1)
        gateway_url = urllib.parse.urlsplit(gateway)
        started = time.monotonic()

        def buy(number):
            address, port, _ = self.hosts[number % count]
            product = self.products[number % len(self.products)]
            status, _, order = call(address, port, "POST", "/orders", {
                "items": [{"productId": product, "quantity": 1}], "shipping": SHIPPING}, token=self.token)
            assert status == 201, order
            status, _, ready = call(address, port, "POST", f"/orders/{order['id']}/payment", {}, token=self.token)
            assert status == 200, ready
            page = urllib.parse.urlsplit(ready["redirectUrls"]["pc"])
            _, location, _ = call(gateway_url.hostname, gateway_url.port, "GET", f"{page.path}?{page.query}&auto=approve")
            callback = urllib.parse.urlsplit(location)
            status, _, done = call(address, port, "GET", f"{callback.path}?{callback.query}",
                                   headers={"Accept": "application/json"})
            assert status == 200 and done["result"] == "completed", done
            return order["id"]

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(buy, range(orders)))
        deadline = time.monotonic() + 600
        while shipped(ids) < len(ids):
            assert time.monotonic() < deadline, "orders never shipped"
            time.sleep(0.02)
        rate = orders / (time.monotonic() - started)
        self.stop_schedulers()
        return rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=24, help="wrk connections in all, split over the hosts")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--pool", type=int, default=8, help="BAZAAR_DATABASE_POOL of each host")
    options = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the scale-out benchmark makes network namespaces: run it as root")
    network = Network()
    work = Path(tempfile.mkdtemp(prefix="bazaar-scaleout-"))
    os.chmod(work, 0o755)
    shops, sandbox = [], None
    try:
        db_namespace, db_address = network.host("db", 1)
        started = subprocess.run(
            ["ip", "netns", "exec", db_namespace, str(ROOT / "scripts/pg-cluster.sh"), "start", str(work / "pg")],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PG_LISTEN": db_address, "PG_ALLOW": f"{network.subnet}.0/24"})
        url = started.stdout.strip()
        sandbox_port = 18090
        sandbox = subprocess.Popen(
            [str(BIN), "sandbox", "kakaopay", "--host", f"{network.subnet}.254", "--port", str(sandbox_port),
             "--secret-key", "DEVKEY123", "--database", str(work / "sandbox.sqlite")],
            env={"PATH": os.environ["PATH"], "BAZAAR_HOME": str(work)}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        gateway = f"http://{network.subnet}.254:{sandbox_port}"
        base = {"PATH": os.environ["PATH"], "BAZAAR_JWT_SECRET": SECRET, "BAZAAR_LOG_LEVEL": "warning",
                "KAKAOPAY_SECRET_KEY": "DEVKEY123", "KAKAOPAY_BASE_URL": gateway,
                "BAZAAR_PUBLIC_URL": "https://shop.example", "BAZAAR_BUSY_TIMEOUT_MS": "30000",
                "BAZAAR_DATABASE_POOL": str(options.pool)}
        hosts = [(*reversed(network.host(f"h{n}", n)), 8080) for n in (11, 12, 13)]
        homes = []
        for n in (11, 12, 13):
            (work / f"h{n}").mkdir()
            homes.append(work / f"h{n}")
        postgres = Shop("postgres", [(address, port, namespace) for address, namespace, port in hosts],
                        {**base, "BAZAAR_DATABASE_URL": url, "BAZAAR_QUEUE_URL": url}, homes)
        (work / "single").mkdir()
        sqlite = Shop("sqlite", [(f"{network.subnet}.254", 18080, None)], base, [work / "single"])
        shops = [sqlite, postgres]
        for shop in shops:
            shop.start_servers()
            shop.seed(work)

        def shipped_sqlite(ids):
            with contextlib.closing(sqlite3.connect(work / "single/var/bazaar.sqlite")) as db:
                marks = ",".join("?" * len(ids))
                return db.execute(f"SELECT count(*) FROM orders WHERE status = 'shipped' AND id IN ({marks})",
                                  ids).fetchone()[0]

        def pending_sqlite():
            with contextlib.closing(sqlite3.connect(work / "single/var/bazaar.sqlite")) as db:
                return db.execute("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").fetchone()[0]

        def pending_postgres():
            import psycopg
            with psycopg.connect(url) as db:
                return db.execute("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").fetchone()[0]

        def shipped_postgres(ids):
            import psycopg
            with psycopg.connect(url) as db:
                return db.execute("SELECT count(*) FROM orders WHERE status = 'shipped' AND id = ANY(%s)",
                                  (ids,)).fetchone()[0]

        configs = [("SQLite, one box", sqlite, 1, shipped_sqlite, pending_sqlite)] + [
            (f"PostgreSQL, {n} host{'s' if n > 1 else ''}", postgres, n, shipped_postgres, pending_postgres)
            for n in (1, 2, 3)]
        def rollbacks():
            """Transactions PostgreSQL rolled back so far: the writers' retries, in this run."""
            import psycopg
            with psycopg.connect(url) as db:
                db.execute("SELECT pg_stat_force_next_flush()")
                return db.execute("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
                                  ).fetchone()[0]

        results = {name: {"orders": [], "flow": [], "cpu": [], "retries": []} for name, *_ in configs}
        for _, shop, count, _, _ in configs:
            shop.place_orders(count, 2, options.connections)  # warm-up: caches, plans, statistics
        for round_number in range(options.rounds):
            for name, shop, count, shipped, pending in configs:
                before, rolled = cpu_seconds(["bazaar", "postgres"]), rollbacks()
                rate = shop.place_orders(count, options.duration, options.connections)
                time.sleep(0.6)  # statistics reach pg_stat_database within half a second
                after, retries = cpu_seconds(["bazaar", "postgres"]), rollbacks() - rolled
                results[name]["orders"].append(rate)
                placed = rate * options.duration
                results[name]["cpu"].append({k: 1000 * (after[k] - before[k]) / placed for k in after})
                results[name]["retries"].append(1000 * retries / placed if shop is postgres else 0)
                results[name]["flow"].append(shop.flow(count, options.orders, gateway, shipped, pending))
                print(json.dumps({"round": round_number + 1, "config": name, "placeOrder": round(rate),
                                  "retriesPer1000": round(results[name]["retries"][-1], 1),
                                  "flow": round(results[name]["flow"][-1], 1),
                                  "cpuPer1000": {k: round(v, 2) for k, v in results[name]["cpu"][-1].items()}}),
                      flush=True)
        floor = results["SQLite, one box"]
        print(f"\n{options.rounds} rounds; placeOrder: wrk, {options.connections} connections split over the hosts, "
              f"{options.duration} s; flow: {options.orders} orders by 8 clients; pool {options.pool} per host\n")
        print("| configuration | placeOrder orders/s | ÷ SQLite | CPU s per 1,000 orders: bazaar / postgres | "
              "rollbacks per 1,000 orders | order → shipped orders/s | ÷ SQLite |")
        print("|---|---|---|---|---|---|---|")
        summary = {}
        for name, *_ in configs:
            series = results[name]
            ratio_orders = statistics.median([a / b for a, b in zip(series["orders"], floor["orders"])])
            ratio_flow = statistics.median([a / b for a, b in zip(series["flow"], floor["flow"])])
            cpu_bazaar = statistics.median(c["bazaar"] for c in series["cpu"])
            cpu_postgres = statistics.median(c["postgres"] for c in series["cpu"])
            summary[name] = {"placeOrder": statistics.median(series["orders"]), "placeOrderToSQLite": ratio_orders,
                             "flow": statistics.median(series["flow"]), "flowToSQLite": ratio_flow}
            print(f"| {name} | {statistics.median(series['orders']):,.0f} | {ratio_orders:.2f}x | "
                  f"{cpu_bazaar:.2f} / {cpu_postgres:.2f} | {statistics.median(series['retries']):.0f} | "
                  f"{statistics.median(series['flow']):,.1f} | "
                  f"{ratio_flow:.2f}x |")
        print("\n" + json.dumps(summary))
    finally:
        for shop in shops:
            shop.stop()
        if sandbox:
            sandbox.send_signal(signal.SIGTERM)
            sandbox.wait(timeout=30)
        subprocess.run([str(ROOT / "scripts/pg-cluster.sh"), "stop", str(work / "pg")], capture_output=True)
        network.close()
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
