"""The scheduler through the built binary: `bazaar scheduler --once` turns paid orders into
dispatched shipments (one per seller), once, however many passes run at once."""

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
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
        assert "scheduler stopped" in (shop.home / "scheduler.log").read_text()
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        sandbox.stop()
