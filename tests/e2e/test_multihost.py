"""Several hosts against one PostgreSQL (issue 18): network namespaces joined by a bridge of
their own (a private /24 that leaves nothing on the machine's networks). One namespace runs
PostgreSQL; three run `bazaar serve` and `bazaar scheduler` with the shop and its queues in it.
The oversell and scheduler-crash guarantees of one machine must hold across the three."""

import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest

from conftest import BIN, BUSINESS_NUMBERS, PASSWORD, ROOT, SECRET
from netns import Network
from netns import call as request

SHIPPING = {"recipient": "Kim", "phone": "010-1234-5678", "postalCode": "06236", "line1": "Teheran-ro 1"}


class Host:
    """One host: its own BAZAAR_HOME, `bazaar serve` on its address, and a scheduler it can
    start, kill and restart."""

    def __init__(self, namespace, address, env, home):
        self.namespace, self.address, self.home = namespace, address, home
        self.env = {**env, "BAZAAR_HOME": str(home)}
        self.log = home / "serve.log"
        with open(self.log, "w") as log:
            self.server = self.spawn([str(BIN), "serve", "--host", address, "--port", "8080"], log)
        self.scheduler = None
        deadline = time.monotonic() + 30
        while '"listening"' not in self.log.read_text():
            if self.server.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"bazaar serve did not start on {address}: {self.log.read_text()}")
            time.sleep(0.05)

    def spawn(self, args, log=subprocess.DEVNULL):
        return subprocess.Popen(["ip", "netns", "exec", self.namespace, *args], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=log)

    def start_scheduler(self):
        self.scheduler = self.spawn([str(BIN), "scheduler", "--lease", "1", "--interval", "0.2"])

    def kill_scheduler(self, sig=signal.SIGKILL):
        if self.scheduler and self.scheduler.poll() is None:
            self.scheduler.send_signal(sig)
            self.scheduler.wait(timeout=30)

    def stop(self):
        self.kill_scheduler()
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=30)


def call(address, method, path, body=None, token=None, headers=None):
    return request(address, 8080, method, path, body, token, headers)


@pytest.fixture(scope="module")
def cluster():
    """PostgreSQL in its own namespace, three shop hosts, and the KakaoPay sandbox on the
    bridge (the payment provider, outside every host)."""
    if os.geteuid() != 0:
        pytest.fail("the multi-host test makes network namespaces: run make test as root (CI does)")
    network = Network()
    work = Path(tempfile.mkdtemp(prefix="bazaar-multihost-"))
    os.chmod(work, 0o755)
    hosts, sandbox = [], None
    try:
        db_namespace, db_address = network.host("db", 1)
        started = subprocess.run(
            ["ip", "netns", "exec", db_namespace, str(ROOT / "scripts" / "pg-cluster.sh"), "start",
             str(work / "pg")],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PG_LISTEN": db_address, "PG_ALLOW": f"{network.subnet}.0/24"})
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        sandbox_log = work / "sandbox.log"
        with open(sandbox_log, "w") as log:
            sandbox = subprocess.Popen(
                [str(BIN), "sandbox", "kakaopay", "--host", f"{network.subnet}.254", "--port", "0",
                 "--secret-key", "DEVKEY123", "--database", str(work / "sandbox.sqlite")],
                env={"PATH": os.environ["PATH"], "BAZAAR_HOME": str(work)}, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while '"listening"' not in sandbox_log.read_text():
            assert sandbox.poll() is None and time.monotonic() < deadline, sandbox_log.read_text()
            time.sleep(0.05)
        port = [json.loads(l) for l in sandbox_log.read_text().splitlines() if '"listening"' in l][0]["port"]
        env = {"PATH": os.environ["PATH"], "BAZAAR_JWT_SECRET": SECRET, "BAZAAR_SCRYPT_LOG_N": "14",
               "BAZAAR_DATABASE_URL": url, "BAZAAR_QUEUE_URL": url, "BAZAAR_BUSY_TIMEOUT_MS": "30000",
               "KAKAOPAY_SECRET_KEY": "DEVKEY123", "KAKAOPAY_BASE_URL": f"http://{network.subnet}.254:{port}",
               "BAZAAR_PUBLIC_URL": "https://shop.example"}
        for number in (11, 12, 13):
            namespace, address = network.host(f"h{number}", number)
            home = work / f"h{number}"
            home.mkdir()
            hosts.append(Host(namespace, address, env, home))
        yield url, hosts, f"http://{network.subnet}.254:{port}"
    finally:
        for host in hosts:
            host.stop()
        if sandbox and sandbox.poll() is None:
            sandbox.send_signal(signal.SIGTERM)
            sandbox.wait(timeout=30)
        subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", str(work / "pg")], capture_output=True)
        network.close()
        subprocess.run(["rm", "-rf", str(work)])


def sql(url, statement, *args):
    with psycopg.connect(url) as db:
        cursor = db.execute(statement.replace("?", "%s"), args)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def accounts(hosts, numbers):
    """A buyer and three sellers (business `numbers`), each signed up on one host and signed in
    on another: a token from any host works on all."""
    a, b, c = (host.address for host in hosts)
    suffix = secrets.token_hex(3)
    status, _, _ = call(a, "POST", "/users", {"email": f"buyer{suffix}@example.com", "password": PASSWORD})
    assert status == 201
    status, _, login = call(b, "POST", "/users/auth", {"email": f"buyer{suffix}@example.com", "password": PASSWORD})
    assert status == 200
    sellers = []
    for index, (address, number) in enumerate(zip((a, b, c), numbers)):
        email = f"seller{index}{suffix}@example.com"
        status, _, seller = call(address, "POST", "/sellers", {
            "email": email, "password": PASSWORD, "businessName": f"Shop {index}", "businessNumber": number})
        assert status == 201, seller
        status, _, auth = call((b, c, a)[index], "POST", "/sellers/auth", {"email": email, "password": PASSWORD})
        assert status == 200
        sellers.append(auth["token"])
    return login["token"], sellers


def test_64_buyers_on_three_hosts_never_oversell_ten_units(cluster):
    url, hosts, _ = cluster
    buyer, sellers = accounts(hosts, BUSINESS_NUMBERS[:3])
    for repetition in range(3):
        status, _, product = call(hosts[repetition].address, "POST", "/products", {
            "name": f"Scarce {repetition}", "description": "", "price": 9000, "stock": 10}, token=sellers[0])
        assert status == 201, product
        body = {"items": [{"productId": product["id"], "quantity": 1}], "shipping": SHIPPING}
        statuses, problems = [], []
        barrier = threading.Barrier(64)

        def buy(index):
            barrier.wait()
            status, _, answer = call(hosts[index % 3].address, "POST", "/orders", body, token=buyer)
            statuses.append(status)
            if status != 201:
                problems.append(answer["code"])

        threads = [threading.Thread(target=buy, args=(index,)) for index in range(64)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] * 10 + [409] * 54, (sorted(statuses), set(problems))
        assert set(problems) == {"out_of_stock"}
        assert sql(url, "SELECT stock, reserved FROM product_variants WHERE product_id = ?", product["id"]) == [(10, 10)]
        assert sql(url, "SELECT count(*) FROM order_lines WHERE product_id = ?", product["id"]) == [(10,)]


def test_paid_orders_ship_exactly_once_while_schedulers_on_other_hosts_die(cluster):
    """Every host takes orders and payments; host 1's scheduler is SIGKILLed 25 times, host 2's
    is killed for good halfway, host 3's runs throughout. In the end: one shipment per (order,
    seller), each dispatched once, stock taken once per line, nothing left in the queues."""
    url, hosts, gateway = cluster
    buyer, sellers = accounts(hosts, BUSINESS_NUMBERS[3:6])
    rng = random.Random(20261127)
    products = []
    for index in range(6):
        status, _, product = call(hosts[index % 3].address, "POST", "/products", {
            "name": f"Item {index}", "description": "", "price": 1000 + index, "stock": 1000},
            token=sellers[index % 3])
        assert status == 201, product
        products.append(product)
    gateway_host = urllib.parse.urlsplit(gateway)
    wanted, order_ids = {}, []
    for number in range(120):
        address = hosts[number % 3].address
        lines = rng.sample(products, rng.choice([1, 1, 2, 3]))
        items = [{"productId": p["id"], "quantity": rng.randint(1, 3)} for p in lines]
        status, _, order = call(address, "POST", "/orders", {"items": items, "shipping": SHIPPING}, token=buyer)
        assert status == 201, order
        order_ids.append(order["id"])
        status, _, ready = call(hosts[(number + 1) % 3].address, "POST", f"/orders/{order['id']}/payment", {},
                                token=buyer)
        assert status == 200, ready
        page = urllib.parse.urlsplit(ready["redirectUrls"]["pc"])
        connection = http.client.HTTPConnection(gateway_host.hostname, gateway_host.port, timeout=60)
        connection.request("GET", f"{page.path}?{page.query}&auto=approve")
        location = connection.getresponse().getheader("Location")
        connection.close()
        callback = urllib.parse.urlsplit(location)
        status, _, done = call(hosts[(number + 2) % 3].address, "GET", f"{callback.path}?{callback.query}",
                               headers={"Accept": "application/json"})
        assert status == 200 and done["result"] == "completed", done
        for item in items:
            wanted[item["productId"]] = wanted.get(item["productId"], 0) + item["quantity"]

    hosts[2].start_scheduler()
    hosts[1].start_scheduler()
    for kill in range(25):
        hosts[0].start_scheduler()
        time.sleep(rng.uniform(0.05, 0.4))
        hosts[0].kill_scheduler()
        if kill == 12:
            hosts[1].kill_scheduler()  # gone for good, holding whatever it had claimed
    hosts[0].start_scheduler()
    placeholders = ",".join("?" * len(order_ids))
    deadline = time.monotonic() + 180
    while (sql(url, f"SELECT count(*) FROM orders WHERE status = 'shipped' AND id IN ({placeholders})",
               *order_ids)[0][0] < len(order_ids)
           or sql(url, "SELECT count(*) FROM outbox WHERE relayed_at IS NULL")[0][0] > 0):
        assert time.monotonic() < deadline, sql(url, "SELECT status, count(*) FROM orders GROUP BY status")
        time.sleep(0.2)
    hosts[0].kill_scheduler(signal.SIGTERM)
    hosts[2].kill_scheduler(signal.SIGTERM)

    ids = ",".join("?" * len(order_ids))
    expected = sql(url, f"SELECT count(DISTINCT order_id || seller_id) FROM order_lines WHERE order_id IN ({ids})",
                   *order_ids)[0][0]
    assert sql(url, f"SELECT count(*), count(DISTINCT order_id || seller_id) FROM shipments "
                    f"WHERE order_id IN ({ids})", *order_ids) == [(expected, expected)]
    assert sql(url, f"SELECT DISTINCT status FROM shipments WHERE order_id IN ({ids})", *order_ids) == [("started",)]
    assert sql(url, "SELECT count(*), count(DISTINCT subject) FROM outbox WHERE type = 'shipment.dispatched'") == \
        [(expected, expected)]
    for product in products:
        assert sql(url, "SELECT stock, reserved FROM product_variants WHERE product_id = ?", product["id"]) == \
            [(1000 - wanted.get(product["id"], 0), 0)]
    assert sql(url, "SELECT count(*) FROM processed_events WHERE consumer = 'shipments.request'") == [(120,)]
    # The scheduler's queues are drained (the others wait for consumers outside the shop), and
    # no queue has a dead letter.
    left = sql(url, "SELECT queue, state, count(*) FROM queue_messages "
                    "WHERE queue IN ('payments', 'shipments') AND state <> 'done' GROUP BY queue, state")
    assert left == [], left
    assert sql(url, "SELECT count(*) FROM queue_messages WHERE state = 'dead'") == [(0,)]
