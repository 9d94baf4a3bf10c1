"""The scheduler through the built binary: `bazaar scheduler --once` turns paid orders into
dispatched shipments (one per seller), once, however many passes run at once."""

import json
import os
import subprocess

from conftest import BIN, BUSINESS_NUMBERS
from test_orders import Market
from test_payments import Sandbox, ShellCheckout, curl, query_of


def pay(shop, flow, order):
    ready = shop.call("pay", {"id": order["id"]}, token=flow.market.buyer)
    assert ready.code == 0, ready.stdout + ready.stderr
    status, headers, _ = curl(ready.body["redirectUrls"]["pc"] + "&auto=approve")
    done = shop.call("approvePayment", query_of(headers["location"]))
    assert done.body["result"] == "completed", done.stdout


def shipments(shop):
    return shop.sql("SELECT order_id, seller_id, status, tracking_number FROM shipments ORDER BY seq")


def test_a_pass_ships_a_paid_order_once_per_seller(shop):
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        shop.register_seller("second@example.com", BUSINESS_NUMBERS[2])
        second = flow.market.product(seller=shop.seller_login("second@example.com"), stock=7, name="Pears")
        order = flow.market.place([(flow.product, 1), (second, 2)]).body
        pay(shop, flow, order)
        passed = shop.bazaar("scheduler", "--once")
        assert passed.code == 0, passed.stdout + passed.stderr
        assert passed.body["shipmentsRequested"] == 2 and passed.body["shipmentsDispatched"] == 2, passed.body
        found = [row for row in shipments(shop) if row[0] == order["id"]]
        assert sorted(row[1] for row in found) == sorted([flow.product["sellerId"], second["sellerId"]])
        assert all(row[2] == "started" and row[3].startswith("BZ") for row in found)
        assert shop.sql("SELECT status FROM orders WHERE id = ?", order["id"]) == [("shipped",)]
        assert flow.market.stock(second) == (5, 0)
        again = shop.bazaar("scheduler", "--once")
        assert again.body["shipmentsRequested"] == 0 and again.body["shipmentsDispatched"] == 0, again.body
        refused = shop.call("cancelOrder", {"id": order["id"]}, token=flow.market.buyer)
        refused.problem(409, "already_shipped", 65)
        status = shop.bazaar("status", "--json")
        assert status.code == 0, status.stdout + status.stderr
        assert status.body["orders"] == {"pending_payment": 1, "shipped": 1}  # ShellCheckout's own order waits
        assert status.body["shipments"] == {"started": 2} and status.body["outbox"]["pending"] == 0
        assert status.body["payments"] == {"byStatus": {"completed": 1}, "awaitingReconciliation": 0,
                                           "amountMismatches": 0}
        assert status.body["queues"]["payments"]["dead"] == 0 and status.body["scheduler"]["durationMs"] >= 0
        text = shop.bazaar("status")
        assert text.code == 0 and "shipments: started 2" in text.stdout and "scheduler: last pass" in text.stdout
    finally:
        sandbox.stop()


def test_overlapping_passes_do_the_work_once(shop):
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        product = flow.market.product(stock=100, name="Plenty")
        orders = [flow.market.place([(product, 1)]).body for _ in range(12)]
        for order in orders:
            pay(shop, flow, order)
        passes = [subprocess.Popen([str(BIN), "scheduler", "--once"], env=shop.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE) for _ in range(4)]
        for proc in passes:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, (out, err)
        found = [row for row in shipments(shop) if row[0] in {o["id"] for o in orders}]
        assert len(found) == 12 and all(row[2] == "started" for row in found)
        assert flow.market.stock(product) == (88, 0)
        assert shop.sql("SELECT count(*) FROM outbox WHERE type = 'shipment.dispatched'") == [(12,)]
        for queue in ("payments", "shipments"):
            stats = shop.bazaar("queue", "stats", queue).body
            assert (stats["dead"], stats["ready"], stats["inFlight"]) == (0, 0, 0), stats
    finally:
        sandbox.stop()


def last_pass(shop):
    return json.loads((shop.home / "var" / "scheduler-last-pass.json").read_text())["endedAt"]


def cpu_seconds(pid):
    """User + system CPU time of a process so far (from /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_the_daemon_wakes_on_new_work_works_beside_cron_passes_and_stops_on_sigterm(shop):
    """The daemon sweeps only every 60 s here, so shipping within seconds shows it woke on the
    events themselves; cron passes beside it change nothing about the outcome."""
    import signal
    import time
    sandbox = Sandbox(shop.home)
    daemon = None
    try:
        flow = ShellCheckout(shop, sandbox.base)
        log = open(shop.home / "scheduler.log", "w")
        daemon = subprocess.Popen([str(BIN), "scheduler", "--interval", "60"], env=shop.env,
                                  stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 10
        while "scheduler started" not in (shop.home / "scheduler.log").read_text():
            assert daemon.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        product = flow.market.product(stock=100, name="Plenty")
        orders = [flow.market.place([(product, 1)]).body for _ in range(10)]
        cron = []
        for index, order in enumerate(orders):
            pay(shop, flow, order)
            if index % 3 == 0:
                cron.append(subprocess.Popen([str(BIN), "scheduler", "--once"], env=shop.env,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        for proc in cron:
            proc.communicate(timeout=60)
            assert proc.returncode == 0
        ids = {o["id"] for o in orders}
        deadline = time.monotonic() + 10
        while shop.sql("SELECT count(*) FROM orders WHERE status = 'shipped'")[0][0] < len(ids):
            assert time.monotonic() < deadline, shipments(shop)
            time.sleep(0.05)
        found = [row for row in shipments(shop) if row[0] in ids]
        assert len(found) == 10 and all(row[2] == "started" for row in found)
        assert flow.market.stock(product) == (90, 0)
        assert shop.sql("SELECT count(*) FROM outbox WHERE type = 'shipment.dispatched'") == [(10,)]
        # Idle, it sleeps: its own pass log (beside the database) must not wake the next pass.
        time.sleep(0.5)
        passes_before, cpu_before = last_pass(shop), cpu_seconds(daemon.pid)
        time.sleep(3)
        assert last_pass(shop) == passes_before, "no pass ran while nothing happened"
        assert cpu_seconds(daemon.pid) - cpu_before < 0.3
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
        assert "scheduler stopped" in (shop.home / "scheduler.log").read_text()
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        sandbox.stop()


def test_500_paid_orders_ship_exactly_once_while_the_scheduler_is_killed_50_times(shop):
    """SIGKILL at random moments, restart each time: in the end every paid order has one
    shipment per seller, each dispatched once, stock taken once per line, no event lost, and
    the dead letters empty."""
    import http.client
    import json
    import random
    import signal
    import time
    import urllib.parse
    from http_client import Runner

    sandbox = Sandbox(shop.home)
    server = Runner(shop, env={"KAKAOPAY_SECRET_KEY": "DEVKEY123", "KAKAOPAY_BASE_URL": sandbox.base,
                                    "BAZAAR_PUBLIC_URL": "https://shop.example"})
    daemon = None
    try:
        market = Market(shop)
        shop.register_seller("third@example.com", BUSINESS_NUMBERS[2])
        sellers = [market.seller, market.other_seller, shop.seller_login("third@example.com")]
        products = [market.product(stock=1000, price=1000 + i, seller=sellers[i % 3], name=f"Item {i}")
                    for i in range(6)]
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        gateway = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=60)
        auth = {"Authorization": f"Bearer {market.buyer}", "Content-Type": "application/json"}

        def call(connection, method, path, body=None, headers=None):
            connection.request(method, path, None if body is None else json.dumps(body), headers or {})
            answer = connection.getresponse()
            return answer.status, answer.getheader("Location"), answer.read()

        rng = random.Random(20261127)
        wanted = {}  # product id -> units ordered
        for _ in range(500):
            lines = rng.sample(products, rng.choice([1, 1, 2, 3]))
            items = [{"productId": p["id"], "quantity": rng.randint(1, 3)} for p in lines]
            status, _, body = call(conn, "POST", "/orders", {"items": items, "shipping": {
                "recipient": "Kim", "phone": "010-1234-5678", "postalCode": "06236", "line1": "A"}}, auth)
            assert status == 201, body
            order = json.loads(body)
            status, _, body = call(conn, "POST", f"/orders/{order['id']}/payment", {}, auth)
            assert status == 200, body
            page = urllib.parse.urlsplit(json.loads(body)["redirectUrls"]["pc"])
            _, location, _ = call(gateway, "GET", f"{page.path}?{page.query}&auto=approve")
            callback = urllib.parse.urlsplit(location)
            status, _, body = call(conn, "GET", f"{callback.path}?{callback.query}", headers={"Accept": "application/json"})
            assert status == 200 and json.loads(body)["result"] == "completed", body
            for item in items:
                wanted[item["productId"]] = wanted.get(item["productId"], 0) + item["quantity"]
        conn.close()
        gateway.close()
        server.stop()

        args = [str(BIN), "scheduler", "--lease", "1", "--interval", "0.2"]
        kills = 0
        while kills < 50:
            daemon = subprocess.Popen(args, env=shop.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 0.4))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
            kills += 1
        log_path = shop.home / "scheduler-final.log"
        with open(log_path, "w") as log:
            daemon = subprocess.Popen(args, env=shop.env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 120
        # Its signal handlers are in place once it says so (SIGTERM before that is the default action).
        while "scheduler started" not in log_path.read_text():
            assert daemon.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        while (shop.sql("SELECT count(*) FROM orders WHERE status = 'shipped'")[0][0] < 500
               or shop.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL")[0][0] > 0):
            assert time.monotonic() < deadline, shop.sql("SELECT status, count(*) FROM orders GROUP BY status")
            time.sleep(0.2)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0

        # One shipment per (order, seller), every one started, one dispatch effect each.
        expected = shop.sql("SELECT count(DISTINCT order_id || seller_id) FROM order_lines")[0][0]
        assert shop.sql("SELECT count(*), count(DISTINCT order_id || seller_id) FROM shipments") == [(expected, expected)]
        assert shop.sql("SELECT DISTINCT status FROM shipments") == [("started",)]
        assert shop.sql("SELECT count(*), count(DISTINCT subject) FROM outbox WHERE type = 'shipment.dispatched'") == \
            [(expected, expected)]
        # Stock taken exactly once per line.
        for product in products:
            assert market.stock(product) == (1000 - wanted.get(product["id"], 0), 0), product["name"]
        # No event lost: every payment.completed was consumed once; nothing waits or died.
        completed = shop.sql("SELECT count(*) FROM outbox WHERE type = 'payment.completed'")[0][0]
        assert completed == 500
        assert shop.sql("SELECT count(*) FROM processed_events WHERE consumer = 'shipments.request'") == [(500,)]
        assert shop.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == [(0,)]
        for queue in ("payments", "shipments"):
            stats = shop.bazaar("queue", "stats", queue).body
            assert (stats["dead"], stats["ready"], stats["inFlight"]) == (0, 0, 0), stats
        print(f"{kills} kills; {expected} shipments")
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        server.stop()
        sandbox.stop()


def test_the_cron_line_runs_as_written(shop):
    """deploy/cron/bazaar's command, run by sh as cron runs it, with the file's two settings
    pointing at this test's shop: it ships a paid order and logs its answer."""
    from conftest import ROOT
    lines = [l for l in (ROOT / "deploy/cron/bazaar").read_text().splitlines() if l and not l.startswith("#")]
    settings = dict(l.split("=", 1) for l in lines if "=" in l.split()[0])
    assert set(settings) == {"BAZAAR_HOME", "BAZAAR_BIN"}
    (entry,) = [l for l in lines if l.startswith("* ")]
    fields = entry.split(None, 6)
    assert fields[:5] == ["*"] * 5 and fields[5] == "shop"
    command = fields[6]
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        pay(shop, flow, flow.order)
        (shop.home / "log").mkdir(exist_ok=True)
        env = {**shop.env, "BAZAAR_HOME": str(shop.home), "BAZAAR_BIN": str(BIN.resolve())}
        done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=60)
        assert done.returncode == 0, done
        logged = (shop.home / "log" / "scheduler.log").read_text()
        assert '"shipmentsDispatched":1' in logged, logged
        assert shop.sql("SELECT status FROM orders WHERE id = ?", flow.order["id"]) == [("shipped",)]
    finally:
        sandbox.stop()


def test_a_manual_seller_ships_and_delivers_its_own_shipments(shop):
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        market = flow.market
        settings = shop.call("updateSellerSettings", {"fulfillment": "manual"}, token=market.seller)
        assert settings.code == 0 and settings.body["fulfillment"] == "manual", settings.stdout
        shop.call("updateSellerSettings", {"fulfillment": "sometimes"}, token=market.seller).problem(
            422, "validation_failed", 65)
        pay(shop, flow, flow.order)
        # The withdrawal waits for the paid order.
        shop.call("withdrawSeller", {"password": "correct horse"}, token=market.seller).problem(409, "open_orders", 65)
        passed = shop.bazaar("scheduler", "--once")
        assert passed.body["shipmentsRequested"] == 1 and passed.body["shipmentsDispatched"] == 0, passed.body
        page = shop.call("listShipments", {"status": "ready"}, token=market.seller)
        assert page.code == 0 and len(page.body["items"]) == 1 and page.body["nextCursor"] is None, page.stdout
        shipment = page.body["items"][0]
        assert shipment["orderId"] == flow.order["id"] and shipment["carrier"] is None
        # Who may read it: the buyer and its seller; anyone else gets 404.
        assert shop.call("getShipment", {"id": shipment["id"]}, token=market.buyer).body == shipment
        assert shop.call("getShipment", {"id": shipment["id"]}, token=market.seller).body == shipment
        for token in (market.other_buyer, market.other_seller):
            shop.call("getShipment", {"id": shipment["id"]}, token=token).problem(404, "shipment_not_found", 65)
        shop.call("getShipment", {"id": shipment["id"]}).problem(401, "unauthenticated", 77)
        # Shipping: both carrier and tracking number, by its own seller only.
        shop.call("ship", {"id": shipment["id"], "carrier": "CJ"}, token=market.seller).problem(
            422, "tracking_required", 65)
        shop.call("ship", {"id": shipment["id"], "carrier": "CJ", "trackingNumber": "1"},
                  token=market.other_seller).problem(404, "shipment_not_found", 65)
        sent = shop.call("ship", {"id": shipment["id"], "carrier": "CJ Logistics", "trackingNumber": "654321"},
                         token=market.seller)
        assert sent.code == 0 and sent.body["status"] == "started" and sent.body["trackingNumber"] == "654321"
        assert shop.sql("SELECT status FROM orders WHERE id = ?", flow.order["id"]) == [("shipped",)]
        assert market.stock(flow.product) == (3, 0)
        shop.call("ship", {"id": shipment["id"]}, token=market.seller).problem(409, "shipment_state_conflict", 65)
        shop.call("cancelOrder", {"id": flow.order["id"]}, token=market.buyer).problem(409, "already_shipped", 65)
        order = shop.call("getOrder", {"id": flow.order["id"]}, token=market.buyer).body
        assert [(s["id"], s["status"], s["trackingNumber"]) for s in order["shipments"]] == [
            (shipment["id"], "started", "654321")]
        delivered = shop.call("deliver", {"id": shipment["id"]}, token=market.seller)
        assert delivered.code == 0 and delivered.body["status"] == "arrived" and delivered.body["arrivedAt"]
        assert shop.sql("SELECT status FROM orders WHERE id = ?", flow.order["id"]) == [("delivered",)]
        # Nothing left to ship: the seller may go.
        assert shop.call("withdrawSeller", {"password": "correct horse"}, token=market.seller).code == 0
    finally:
        sandbox.stop()


def test_shipment_listing_pages_with_a_cursor(shop):
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        shop.call("updateSellerSettings", {"fulfillment": "manual"}, token=flow.market.seller)
        product = flow.market.product(stock=50, name="Plenty")
        for _ in range(5):
            pay(shop, flow, flow.market.place([(product, 1)]).body)
        assert shop.bazaar("scheduler", "--once").body["shipmentsRequested"] == 5
        seen, cursor = [], None
        while True:
            page = shop.call("listShipments", {"limit": 2, **({"cursor": cursor} if cursor else {})},
                             token=flow.market.seller)
            assert page.code == 0, page.stdout
            seen += [s["id"] for s in page.body["items"]]
            cursor = page.body["nextCursor"]
            if cursor is None:
                break
        assert len(seen) == 5 == len(set(seen))
        shop.call("listShipments", {"status": "started", "cursor": cursor or "czEfbm9wZQ"},
                  token=flow.market.seller).problem(422, "validation_failed", 65)
    finally:
        sandbox.stop()


def test_an_operator_ships_and_delivers_from_the_shell(shop):
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        shop.call("updateSellerSettings", {"fulfillment": "manual"}, token=flow.market.seller)
        pay(shop, flow, flow.order)
        shop.bazaar("scheduler", "--once")
        (shipment,) = shop.sql("SELECT id FROM shipments")[0]
        sent = shop.bazaar("shipments", "ship", shipment)
        assert sent.code == 0 and sent.body["status"] == "started" and sent.body["carrier"] == "bazaar-post", sent.stdout
        again = shop.bazaar("shipments", "ship", shipment, "--carrier", "CJ")
        again.problem(422, "tracking_required", 65)
        arrived = shop.bazaar("shipments", "deliver", shipment)
        assert arrived.code == 0 and arrived.body["status"] == "arrived"
        assert shop.sql("SELECT status FROM orders WHERE id = ?", flow.order["id"]) == [("delivered",)]
        shop.bazaar("shipments", "deliver", "shp_nope").problem(404, "shipment_not_found", 65)
    finally:
        sandbox.stop()


def test_the_scheduler_expires_unpaid_orders(shop):
    market = Market(shop)
    product = market.product(stock=3)
    order = market.place([(product, 2)], token=market.buyer).body
    shop.sql("UPDATE orders SET expires_at = created_at + 1 WHERE id = ?", order["id"])
    passed = shop.bazaar("scheduler", "--once")
    assert passed.code == 0 and passed.body["ordersExpired"] == 1, passed.stdout
    assert shop.sql("SELECT status FROM orders WHERE id = ?", order["id"]) == [("expired",)]
    assert market.stock(product) == (3, 0)


def test_sigterm_mid_pass_leaves_nothing_half_done(shop):
    """The daemon is stopped while it ships 60 orders: it exits 0, every order is either shipped
    or untouched (never a shipment without its stock taken), and the next pass finishes the rest."""
    import signal
    import time
    sandbox = Sandbox(shop.home)
    try:
        flow = ShellCheckout(shop, sandbox.base)
        product = flow.market.product(stock=100, name="Plenty")
        orders = [flow.market.place([(product, 1)]).body for _ in range(60)]
        for order in orders:
            pay(shop, flow, order)
        log_path = shop.home / "sigterm.log"
        with open(log_path, "w") as log:
            daemon = subprocess.Popen([str(BIN), "scheduler"], env=shop.env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while not shop.sql("SELECT count(*) FROM shipments WHERE status = 'started'")[0][0]:
            assert daemon.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.01)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
        started = shop.sql("SELECT count(*) FROM shipments WHERE status = 'started'")[0][0]
        assert flow.market.stock(product) == (100 - started, 60 - started)
        assert shop.sql("SELECT count(*) FROM orders WHERE status = 'shipped'")[0][0] == started
        finished = shop.bazaar("scheduler", "--once")
        assert finished.code == 0, finished.stdout
        assert shop.sql("SELECT count(*) FROM shipments WHERE status = 'started'") == [(60,)]
        assert flow.market.stock(product) == (40, 0)
        print(f"stopped after {started} of 60")
    finally:
        sandbox.stop()
