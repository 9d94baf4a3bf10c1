#!/usr/bin/env python3
"""placeOrder throughput (issue 12): Bazaar in-process (`bazaar serve`, wrk) and one process per
order (`functions/placeOrder`), at 1, 4 and 16 concurrent clients, each next to a floor measured
in the same run: the same SQL in one transaction with the same pragmas through Python's sqlite3,
with no Bazaar around it.

The floor's transaction, per order: BEGIN IMMEDIATE; read the buyer's status; read the product
with its seller's status and its variant; reserve the variant (UPDATE … WHERE reserved + n <= stock); INSERT the order and
its line; INSERT the outbox row and the idempotency row (texts of the sizes Bazaar writes);
prune expired idempotency rows; COMMIT (WAL, synchronous=FULL: one fsync). Every order carries
a fresh idempotency key, so Bazaar writes the same rows. Rounds interleave floor, in-process and
per-process at each concurrency; the table gives medians over rounds.

Usage: Benchmarks/orders.py [--rounds N] [--duration S] with bin/bazaar pointing at a release
build (`make bench-orders`).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = (ROOT / "bin/bazaar").resolve()
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
SHIPPING = {"recipient": "Kim Minji", "phone": "010-1234-5678", "postalCode": "06236",
            "line1": "Teheran-ro 152", "line2": "5F"}
PRODUCTS = 20


def call(env, name, payload, token=None):
    run_env = {**env, **({"BAZAAR_TOKEN": token} if token else {})}
    out = subprocess.run([str(ROOT / "functions" / name)], input=json.dumps(payload).encode(), env=run_env,
                         capture_output=True, check=True).stdout
    return json.loads(out)


def threaded(clients, duration, work):
    """Orders per second of `clients` threads, each calling `work(index, count)` until `duration` passes."""
    stop = time.monotonic() + duration
    done = [0] * clients

    def worker(index):
        count = 0
        while time.monotonic() < stop:
            work(index, count)
            count += 1
        done[index] = count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def floor(database, clients, duration, products, user, seller):
    """Orders per second of the bare transaction, `clients` threads, each with its connection."""
    event = json.dumps({"specversion": "1.0", "id": "evt_x", "source": "/bazaar/orders", "type": "order.placed",
                        "data": {"items": [{"productId": products[0], "quantity": 1, "unitPrice": 12000,
                                            "sellerId": seller}], "orderId": "ord_x", "status": "pending_payment",
                                 "total": 12000, "currency": "KRW", "userId": user}})
    response = "x" * 700

    connections = []
    for _ in range(clients):
        db = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        connections.append(db)

    def order(index, count):
        db = connections[index]
        product = products[(index + count) % len(products)]
        order = "ord_" + uuid.uuid4().hex[:26]
        now = int(time.time() * 1000)
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT * FROM users WHERE id = ?", (user,)).fetchone()
        row = db.execute("""SELECT p.id, p.seller_id, p.name, v.id, v.price, v.sku FROM products p
                            JOIN sellers s ON s.id = p.seller_id
                            JOIN product_variants v ON v.product_id = p.id AND v.deleted_at IS NULL
                            WHERE p.id = ? AND p.deleted_at IS NULL AND s.status = 'active'""",
                         (product,)).fetchone()
        db.execute("""UPDATE product_variants SET reserved = reserved + 1
                      WHERE id = ? AND reserved + 1 BETWEEN 0 AND stock""", (row[3],))
        db.execute("""INSERT INTO orders (id, user_id, status, total, ship_recipient, ship_phone, ship_postal_code,
                      ship_line1, ship_line2, created_at, updated_at, expires_at)
                      VALUES (?, ?, 'pending_payment', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                   (order, user, row[4], "Kim Minji", "010-1234-5678", "06236", "Teheran-ro 152", "5F", now, now,
                    now + 900_000))
        db.execute("""INSERT INTO order_lines (order_id, line, product_id, seller_id, name, unit_price, quantity,
                      line_total, variant_id, option_values, sku) VALUES (?, 0, ?, ?, ?, ?, 1, ?, ?, '[]', ?)""",
                   (order, product, row[1], row[2], row[4], row[4], row[3], row[5]))
        db.execute("INSERT INTO outbox (id, type, subject, event, created_at) VALUES (?, 'order.placed', ?, ?, ?)",
                   ("evt_" + uuid.uuid4().hex[:26], order, event, now))
        db.execute("""INSERT OR REPLACE INTO idempotency_keys (user_id, key, request, status, response, created_at,
                      expires_at) VALUES (?, ?, ?, 201, ?, ?, ?)""",
                   (user, uuid.uuid4().hex, "placeOrder " + "y" * 200, response, now, now + 86_400_000))
        db.execute("""DELETE FROM idempotency_keys WHERE (user_id, key) IN
                      (SELECT user_id, key FROM idempotency_keys WHERE expires_at < ? LIMIT 100)""", (now,))
        db.execute("COMMIT")

    rate = threaded(clients, duration, order)
    for db in connections:
        db.close()
    return rate


LUA = """
local counter = 0
local products = {%s}
request = function()
  counter = counter + 1
  local key = string.format("%%s-%%d-%%d", "%s", math.random(1, 1000000000), counter)
  local body = '{"items":[{"productId":"' .. products[(counter %% #products) + 1] .. '","quantity":1}],'
    .. '"shipping":%s,"idempotencyKey":"' .. key .. '"}'
  return wrk.format("POST", "/orders", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %s"}, body)
end
"""


def in_process(port, clients, duration, script):
    args = ["wrk", "-t1" if clients == 1 else "-t2", f"-c{clients}", f"-d{duration}s", "-s", script,
            f"http://127.0.0.1:{port}/orders"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not errors, out
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def per_process(env, token, clients, duration, products):
    run_env = {**env, "BAZAAR_TOKEN": token}

    def order(index, count):
        body = json.dumps({"items": [{"productId": products[(index + count) % len(products)], "quantity": 1}],
                           "shipping": SHIPPING, "idempotencyKey": uuid.uuid4().hex})
        proc = subprocess.run([str(ROOT / "functions/placeOrder")], input=body.encode(), env=run_env,
                              capture_output=True)
        assert proc.returncode == 0, proc.stdout

    return threaded(clients, duration, order)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bazaar-bench-orders-"))
    try:
        run(home, options)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(home, options):
    env = {"PATH": os.environ["PATH"], "BAZAAR_HOME": str(home), "BAZAAR_JWT_SECRET": SECRET,
           "BAZAAR_LOG_LEVEL": "warning"}
    call(env, "registerSeller", {"email": "shop@example.com", "password": "correct horse",
                                 "businessName": "Bench", "businessNumber": "220-81-62517"})
    seller_token = call(env, "sellerLogin", {"email": "shop@example.com", "password": "correct horse"})["token"]
    products = [call(env, "createProduct", {"name": f"Bench item {i}", "description": "", "price": 12000,
                                            "stock": 1_000_000}, seller_token)["id"] for i in range(PRODUCTS)]
    user = call(env, "signup", {"email": "buyer@example.com", "password": "correct horse"})["id"]
    token = call(env, "login", {"email": "buyer@example.com", "password": "correct horse"})["token"]
    seller = call(env, "getSellerProfile", {}, seller_token)["id"]
    script = home / "order.lua"
    script.write_text(LUA % (", ".join(f'"{p}"' for p in products), uuid.uuid4().hex[:8],
                             json.dumps(SHIPPING).replace("'", ""), token))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.025)
    database = str(home / "var/bazaar.sqlite")
    results = {c: {"floor": [], "inprocess": [], "process": []} for c in (1, 4, 16)}
    try:
        for _ in range(options.rounds):
            for clients in (1, 4, 16):
                results[clients]["floor"].append(floor(database, clients, options.duration, products, user, seller))
                results[clients]["inprocess"].append(in_process(port, clients, options.duration, str(script)))
                results[clients]["process"].append(per_process(env, token, clients, options.duration, products))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    (count,) = sqlite3.connect(database).execute("SELECT count(*) FROM orders").fetchone()
    (bad,) = sqlite3.connect(database).execute("SELECT count(*) FROM product_variants WHERE reserved > stock").fetchone()
    assert bad == 0
    print(f"{options.rounds} rounds x {options.duration} s per measurement; {count} orders placed in all\n")
    print("| clients | floor (Python sqlite3) orders/s | in-process orders/s | in-process / floor | "
          "per process orders/s | per process / floor |")
    print("|---|---|---|---|---|---|")
    summary = {}
    for clients, series in results.items():
        ratios_in = [i / f for i, f in zip(series["inprocess"], series["floor"])]
        ratios_proc = [p / f for p, f in zip(series["process"], series["floor"])]
        row = {k: statistics.median(v) for k, v in series.items()}
        summary[clients] = {**row, "inprocessToFloor": statistics.median(ratios_in),
                            "processToFloor": statistics.median(ratios_proc)}
        print(f"| {clients} | {row['floor']:,.0f} | {row['inprocess']:,.0f} | "
              f"{statistics.median(ratios_in):.2f}x ({min(ratios_in):.2f}-{max(ratios_in):.2f}) | "
              f"{row['process']:,.0f} | {statistics.median(ratios_proc):.2f}x |")
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()
